/**
 * A recording as a debug target (replay mode): registers and memory of the
 * replayed machine, forwards and backwards execution over the recording
 * (replay/reverse.ts), and the replay monitor commands. Nothing can be
 * changed: a recording is what happened.
 */

import type { Replayer } from '../replay/replayer';
import { ReplayNavigator, type Motion, type Watch } from '../replay/reverse';
import type { Position } from '../replay/positions';
import { coreState } from '../replay/targets';
import { virtualToPhysical } from '../replay/trace';
import { describeInjection } from '../machine/injections';
import { MONITOR_COMMANDS, MonitorTable, type MonitorCommand, type MonitorContext, type DomainSource } from './monitor';
import type {
  BreakpointKind, CoreRegisters, DebugTarget, RegisterName, ResumeRequest, StopEvent, WatchKind,
} from './target';

const REFUSED = 'a recording cannot be changed (replay mode): registers and memory are as the recorded run had them';

export interface ReplayTargetOptions {
  /** Ticks of machine time between the snapshots kept in memory (default: the recording's length / 16, from 20000 to 250000). */
  spacing?: number;
  /** Most snapshots kept in memory (default 12). */
  maxMarks?: number;
  /** For `monitor domains`: the hypervisor's domain table and symbols. */
  domains?: DomainSource;
}

export class ReplayTarget implements DebugTarget {
  readonly reversible = true;
  readonly cores: number;
  readonly navigator: ReplayNavigator;
  private readonly breakpoints = new Map<number, number>();
  private readonly watches: Array<Watch & { length: number }> = [];
  private monitors: MonitorTable<ReplayMonitorContext> | undefined;

  constructor(readonly replayer: Replayer, private readonly options: ReplayTargetOptions = {}) {
    this.navigator = new ReplayNavigator(replayer, options);
    this.cores = replayer.rec.header.boot.cores ?? 1;
  }

  /** Where the debugger is: core and that core's clock. */
  get position(): Position { return this.navigator.position; }

  /** Goes to a position (the start of the session: --to..., or `monitor goto`). */
  goto(p: Position): void { this.navigator.goto(p); }

  describeCore(core: number): string {
    const m = this.replayer.machine;
    return `core ${core}: ${coreState(m, core)}, clock ${m.cpus[core].icount}`;
  }

  registers(core: number): CoreRegisters {
    const cpu = this.replayer.machine.cpus[core];
    const r = Array.from({ length: 16 }, (_, i) => (i === 15 ? cpu.pc : cpu.r[i]) >>> 0);
    const d: Array<[number, number]> = Array.from({ length: 16 }, (_, i) => [cpu.vfp.dLo(i) >>> 0, cpu.vfp.dHi(i) >>> 0]);
    return { r, cpsr: cpu.cpsr >>> 0, d, fpscr: cpu.vfp.fpscr >>> 0, fpsid: cpu.vfp.fpsid >>> 0, fpexc: cpu.vfp.fpexc >>> 0 };
  }

  setRegister(_core: number, _name: RegisterName, _value: number | [number, number]): string { return REFUSED; }

  readMemory(core: number, address: number, length: number): Uint8Array | undefined {
    const m = this.replayer.machine;
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const va = (address + done) >>> 0;
      const n = Math.min(length - done, 0x1000 - (va & 0xfff));
      const pa = virtualToPhysical(m, va, core);
      if (pa === undefined || !m.bus.isRam(pa) || !m.bus.isRam((pa + n - 1) >>> 0)) return undefined;
      out.set(m.bus.readBytes(pa, n), done);
      done += n;
    }
    return out;
  }

  writeMemory(_core: number, _address: number, _bytes: Uint8Array): string { return REFUSED; }

  addBreakpoint(_type: BreakpointKind, address: number): boolean {
    const a = address >>> 0;
    this.breakpoints.set(a, (this.breakpoints.get(a) ?? 0) + 1);
    return true;
  }

  removeBreakpoint(_type: BreakpointKind, address: number): boolean {
    const a = address >>> 0;
    const n = this.breakpoints.get(a);
    if (!n) return false;
    if (n === 1) this.breakpoints.delete(a); else this.breakpoints.set(a, n - 1);
    return true;
  }

  addWatchpoint(type: WatchKind, address: number, length: number): boolean {
    if (length < 1) return false;
    this.watches.push({ kind: type, lo: address >>> 0, hi: (address + length - 1) >>> 0, length });
    return true;
  }

  removeWatchpoint(type: WatchKind, address: number, length: number): boolean {
    const i = this.watches.findIndex((w) => w.kind === type && w.lo === address >>> 0 && w.length === length);
    if (i < 0) return false;
    this.watches.splice(i, 1);
    return true;
  }

  async resume(request: ResumeRequest): Promise<StopEvent> {
    const nav = this.navigator;
    const triggers = { breakpoints: new Set(this.breakpoints.keys()), watches: this.watches };
    let motion: Motion;
    if (request.mode === 'step') {
      motion = request.direction === 'forward' ? nav.stepForward(request.core) : nav.stepBackward(request.core);
    } else {
      motion = request.direction === 'forward'
        ? await nav.continueForward(triggers, request.core, request.interrupt)
        : await nav.continueBackward(triggers, request.core, request.interrupt);
    }
    switch (motion.kind) {
      case 'step': return { kind: 'step', core: motion.core };
      case 'edge': return { kind: 'replay-edge', core: motion.core, edge: motion.edge };
      case 'interrupted': return { kind: 'interrupted', core: motion.core };
      case 'hit': {
        const h = motion.hit;
        return h.kind === 'breakpoint'
          ? { kind: 'breakpoint', core: h.core, type: 'software', address: h.address }
          : { kind: 'watchpoint', core: h.core, type: h.watch, address: h.address };
      }
    }
  }

  monitor(command: string, core = 0): string {
    this.monitors ??= replayMonitorCommands();
    const machine = this.replayer.machine;
    const ctx: ReplayMonitorContext = {
      machine, core, mode: 'replay', target: this, replayer: this.replayer, domains: this.options.domains,
      consoleText: () => this.replayer.rec.chunks.flatMap((c) => c.console).filter((e) => e.icount <= machine.now()).map((e) => e.text).join(''),
    };
    return this.monitors.run(ctx, command);
  }
}

/** What the replay monitor commands see. */
export interface ReplayMonitorContext extends MonitorContext { target: ReplayTarget }

/**
 * The replay monitor commands, `icount`, `goto N [core K]`, `checkpoints`,
 * `console` and `faults`, over those every target has (debug/monitor.ts).
 */
export function replayMonitorCommands(): MonitorTable<ReplayMonitorContext> {
  const table = new MonitorTable<ReplayMonitorContext>();
  for (const c of MONITOR_COMMANDS.list('replay')) table.add(c as unknown as MonitorCommand<ReplayMonitorContext>);
  table.add({ name: 'help', help: 'this list', run: () => table.help('replay') });
  table.add({
    name: 'icount', help: "each core's clock, the machine's time, the position and where the recording ends",
    run: (ctx) => {
      const { target } = ctx;
      const m = ctx.machine, nav = target.navigator, rec = target.replayer.rec;
      const p = nav.position;
      const lines = m.cpus.map((c, k) => `core ${k}${k === ctx.core ? ' (selected)' : ''}: clock ${c.icount}${k === p.core ? ' (stopped here)' : ''}`);
      lines.push(`machine time ${m.now()}; position: core ${p.core} at ${p.clock}`);
      lines.push(`recording ends at ${rec.lastIcount}${m.cpus.length > 1 ? ` (in core ${nav.end.core}'s turn)` : ''}`);
      return lines.join('\n') + '\n';
    },
  });
  table.add({
    name: 'goto', usage: 'goto N [core K]', modes: ['replay'],
    help: 'go to instruction N, forwards or backwards; several cores: the selected core (or core K) paused when its clock reaches N',
    run: (ctx, args) => {
      const { target } = ctx;
      const nav = target.navigator, rec = target.replayer.rec, cores = ctx.machine.cpus.length;
      const n = parseNumber(args[0]);
      if (n === undefined) throw new Error('goto N [core K]: N is a time (an instruction count on one core), e.g. goto 123456');
      let core = ctx.core;
      if (args.length > 1) {
        const k = args[1] === 'core' ? parseNumber(args[2]) : undefined;
        if (k === undefined || args.length > 3) throw new Error('goto N [core K]: K is a core number');
        if (k >= cores) throw new Error(`goto: core ${k}: the recorded run has ${cores === 1 ? 'one core (core 0)' : `cores 0 to ${cores - 1}`}`);
        core = k;
      } else if (n >= rec.lastIcount) {
        core = nav.end.core;
      }
      if (n > rec.lastIcount) throw new Error(`goto ${n}: past the end of the recording (${rec.lastIcount})`);
      target.goto({ core, clock: n });
      const m = target.replayer.machine;
      return `at ${cores > 1 ? `core ${core}, clock ${m.cpus[core].icount} (machine time ${m.now()})` : `instruction ${m.now()}`}` +
        ' (gdb still shows the registers it had: give `flushregs` or step to see them)\n';
    },
  });
  table.add({
    name: 'checkpoints', modes: ['replay'], help: "the recording's checkpoints and the snapshots kept in memory",
    run: (ctx) => {
      const nav = ctx.target.navigator, rec = ctx.target.replayer.rec;
      const lines = [`recording checkpoints (${rec.checkpoints.length}):`];
      for (const c of rec.checkpoints) lines.push(`  ${c.icount} (chunk ${c.chunk})`);
      lines.push(`in memory (${nav.index.marks.length}; one every ${nav.index.spacing} ticks on the way of a long seek, at most ${nav.index.maxMarks}):`);
      for (const k of nav.index.marks) lines.push(`  ${k.time}${k.clocks.length > 1 ? ` (clocks ${k.clocks.join(', ')})` : ''}`);
      return lines.join('\n') + '\n';
    },
  });
  table.add({
    name: 'console', help: 'the console output of the recorded run up to here',
    run: (ctx) => {
      const now = ctx.machine.now();
      const text = ctx.target.replayer.rec.chunks.flatMap((c) => c.console).filter((e) => e.icount <= now).map((e) => e.text).join('');
      return text.length ? (text.endsWith('\n') ? text : `${text}\n`) : '(no console output yet)\n';
    },
  });
  table.add({
    name: 'faults', modes: ['replay'], help: 'the input log up to here: injected faults and console input, with their times and cores',
    run: (ctx) => {
      const now = ctx.machine.now();
      const several = ctx.machine.cpus.length > 1;
      const entries = ctx.target.replayer.inputs.filter((e) => e.icount <= now);
      if (!entries.length) return '(no input log entries up to here)\n';
      return entries.map((e) => `[${e.icount}]${several ? ` core ${e.core ?? 0}` : ''} ${describeInjection(e.injection)}: ${e.cause}`).join('\n') + '\n';
    },
  });
  return table;
}

function parseNumber(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}
