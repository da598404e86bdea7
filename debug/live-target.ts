/**
 * A DebugTarget over a live Machine (bringup exec and run with --gdb):
 * forwards only. Registers are the cores' own; memory is read and written
 * through the selected core's current translation (a table walk that
 * changes nothing: no TLB fill, no fault registers) and only where it is
 * RAM, so that looking never has a device's side effects. Breakpoints are
 * execution hooks on every core, stopping before the instruction (and before
 * any other hook there, which would otherwise see the instruction twice);
 * watchpoints are access watchers, stopping before the instruction that
 * makes the access (gdb steps over it itself and then shows the old and new
 * value, as it does with QEMU). Continue runs in slices with a macrotask
 * between them, so Ctrl-C gets through.
 */

import type { Machine, StopReason } from '../machine/machine';
import type { Cpu } from '../machine/cpu/cpu';
import { STOP_BEFORE } from '../machine/cpu/faults';
import { MODE_NAMES } from '../machine/cpu/modes';
import type { BreakpointKind, CoreRegisters, DebugTarget, RegisterName, ResumeRequest, StopEvent, WatchKind } from './target';
import { MONITOR_COMMANDS, type MonitorContext, type MonitorTable, type DomainSource } from './monitor';

export interface LiveTargetOptions {
  /** Virtual time at which the run ends with its instruction limit (default none). */
  limit?: number;
  /** Instructions per slice of a continue (default 2M). */
  slice?: number;
  /** Called between slices (e.g. to flush console output); may wait. */
  betweenSlices?: () => void | Promise<void>;
  /** Called when a resume request stops, before gdb is told (e.g. to flush console output). */
  onStop?: () => void;
  /** The monitor commands (default MONITOR_COMMANDS). */
  monitorCommands?: MonitorTable;
  /** For `monitor domains`: the hypervisor's domain table and symbols. */
  domains?: DomainSource;
}

/** Console text kept for `monitor console`. */
const CONSOLE_KEEP = 1 << 20;

export class LiveTarget implements DebugTarget {
  readonly reversible = false;
  readonly cores: number;
  /** How the run ended, once it has: the machine's stop (exit, halt, reset, limit, or a stop someone else asked for). */
  ended: StopReason | undefined;
  private readonly limit: number;
  private readonly slice: number;
  private readonly coreOf = new Map<Cpu, number>();
  private readonly breakpoints = new Map<string, () => void>();
  private readonly watchpoints = new Map<string, () => void>();
  /** The event a hook or watcher raised during the current run. */
  private pending: StopEvent | undefined;
  /** Where each core stood when the current resume began: a breakpoint or watchpoint there is not hit again at once. */
  private resumedAt: Array<{ icount: number; pc: number }> = [];
  private consoleChunks: string[] = [];
  private consoleSize = 0;
  private readonly offConsole: () => void;

  constructor(readonly machine: Machine, private readonly options: LiveTargetOptions = {}) {
    this.cores = machine.cpus.length;
    machine.cpus.forEach((c, k) => this.coreOf.set(c, k));
    this.limit = options.limit ?? Infinity;
    this.slice = options.slice ?? 2_000_000;
    this.offConsole = machine.probes.console.subscribe((_device, data) => this.keepConsole(Buffer.from(data).toString('utf8')));
  }

  /** Removes every hook and watcher this target added. */
  dispose(): void {
    for (const off of [...this.breakpoints.values(), ...this.watchpoints.values()]) off();
    this.breakpoints.clear();
    this.watchpoints.clear();
    this.offConsole();
  }

  private keepConsole(text: string): void {
    this.consoleChunks.push(text);
    this.consoleSize += text.length;
    while (this.consoleSize > CONSOLE_KEEP && this.consoleChunks.length > 1) this.consoleSize -= this.consoleChunks.shift()!.length;
  }

  consoleText(): string {
    return this.consoleChunks.join('');
  }

  describeCore(core: number): string {
    const m = this.machine;
    const cpu = m.cpus[core];
    if (!cpu) return 'no such core';
    const mode = MODE_NAMES[cpu.mode] ?? `mode 0x${cpu.mode.toString(16)}`;
    const state = m.coreControl.isHeld(core, 'reset') ? 'held in reset'
      : m.coreControl.isHeld(core) ? 'held'
      : cpu.waiting ? (cpu.waitingForEvent ? 'waiting (WFE)' : 'waiting (WFI)') : 'runs';
    return `core ${core}, ${mode}${cpu.t ? ', Thumb' : ''}, ${state}, clock ${cpu.icount}`;
  }

  registers(core: number): CoreRegisters {
    const cpu = this.machine.cpus[core];
    const r = Array.from({ length: 16 }, (_, n) => n === 15 ? cpu.pc >>> 0 : cpu.r[n] >>> 0);
    const v = cpu.vfp;
    return {
      r, cpsr: cpu.cpsr >>> 0,
      d: Array.from({ length: v.dRegs }, (_, n): [number, number] => [v.dLo(n) >>> 0, v.dHi(n) >>> 0]),
      fpscr: v.fpscr >>> 0, fpsid: v.fpsid >>> 0, fpexc: v.fpexc >>> 0,
    };
  }

  setRegister(core: number, name: RegisterName, value: number | [number, number]): string | undefined {
    const cpu = this.machine.cpus[core];
    if (!cpu) return `no core ${core}`;
    if (typeof name === 'number') {
      if (typeof value !== 'number' || name < 0 || name > 15) return `r${name}: not a register`;
      if (name === 15) {
        cpu.pc = value >>> 0;
        cpu.r[15] = (cpu.pc + (cpu.t ? 4 : 8)) | 0;
      } else {
        cpu.r[name] = value | 0;
      }
      return undefined;
    }
    if (name.startsWith('d')) {
      const n = Number(name.slice(1));
      if (!Array.isArray(value) || !(n >= 0 && n < cpu.vfp.dRegs)) return `${name}: not a register of this core (VFPv3-D16)`;
      cpu.vfp.setD(n, value[1] | 0, value[0] | 0);
      return undefined;
    }
    if (typeof value !== 'number') return `${name}: a 32-bit register`;
    switch (name) {
      case 'cpsr': cpu.setCpsr(value | 0); return undefined;
      case 'fpscr': cpu.vfp.setFpscr(value | 0); return undefined;
      case 'fpexc': cpu.vfp.setFpexc(value | 0); return undefined;
      default: return `${name as string}: not writable`;
    }
  }

  /** Physical address of va on a core now (privileged read), or undefined when it does not translate. */
  private physical(cpu: Cpu, va: number): number | undefined {
    if (!cpu.mmu.enabled) return va >>> 0;
    const par = cpu.mmu.translateForPar(va, false, false);
    if (par & 1) return undefined;
    // A supersection (PAR bit 1) gives PA[31:24]; otherwise PA[31:12].
    return (par & 2) !== 0 ? ((par & 0xff000000) | (va & 0x00ffffff)) >>> 0 : ((par & 0xfffff000) | (va & 0xfff)) >>> 0;
  }

  /** The physical pieces of [address, address+length), page by page; undefined when any byte is not RAM. */
  private pieces(core: number, address: number, length: number): Array<{ pa: number; offset: number; length: number }> | undefined {
    const cpu = this.machine.cpus[core];
    if (!cpu || length < 0 || address + length > 0x100000000) return undefined;
    const out: Array<{ pa: number; offset: number; length: number }> = [];
    for (let a = address, end = address + length; a < end;) {
      const n = Math.min(end, (Math.floor(a / 4096) + 1) * 4096) - a;
      const pa = this.physical(cpu, a);
      if (pa === undefined) return undefined;
      for (let i = 0; i < n; i++) if (!this.machine.bus.isRam((pa + i) >>> 0)) return undefined;
      out.push({ pa, offset: a - address, length: n });
      a += n;
    }
    return out;
  }

  readMemory(core: number, address: number, length: number): Uint8Array | undefined {
    const parts = this.pieces(core, address >>> 0, length);
    if (!parts) return undefined;
    const out = new Uint8Array(length);
    for (const p of parts) out.set(this.machine.bus.readBytes(p.pa, p.length), p.offset);
    return out;
  }

  writeMemory(core: number, address: number, bytes: Uint8Array): string | undefined {
    const parts = this.pieces(core, address >>> 0, bytes.length);
    if (!parts) return `0x${(address >>> 0).toString(16)}: not RAM through core ${core}'s translation`;
    // loadBytes marks the pages written and drops any decoded instructions there.
    for (const p of parts) this.machine.bus.loadBytes(p.pa, bytes.subarray(p.offset, p.offset + p.length));
    return undefined;
  }

  /** Whether core k is about to execute (again) the instruction it stood at when the resume began. */
  private atResumePoint(k: number, icount: number, pc: number): boolean {
    const at = this.resumedAt[k];
    return at !== undefined && at.icount === icount && at.pc === (pc >>> 0);
  }

  addBreakpoint(type: BreakpointKind, address: number): boolean {
    const a = address >>> 0;
    const key = `${type}:${a}`;
    if (this.breakpoints.has(key)) return true;
    this.breakpoints.set(key, this.machine.probes.exec.at(a, (cpu) => {
      const k = this.coreOf.get(cpu)!;
      // The hook runs with the instruction's tick counted.
      if (this.pending || this.atResumePoint(k, cpu.icount - 1, a)) return false;
      cpu.icount -= 1;
      cpu.nextPc = a;
      cpu.stopRequested = true;
      this.pending = { kind: 'breakpoint', core: k, type, address: a };
      return true;
    }, true));
    return true;
  }

  removeBreakpoint(type: BreakpointKind, address: number): boolean {
    const key = `${type}:${address >>> 0}`;
    const off = this.breakpoints.get(key);
    off?.();
    this.breakpoints.delete(key);
    return true;
  }

  addWatchpoint(type: WatchKind, address: number, length: number): boolean {
    const lo = address >>> 0;
    const hi = lo + length - 1;
    if (length < 1 || hi > 0xffffffff) return false;
    const key = `${type}:${lo}:${length}`;
    if (this.watchpoints.has(key)) return true;
    const m = this.machine;
    // Accesses are told by their first byte: a word or halfword access that starts below lo can still cover it.
    this.watchpoints.set(key, m.probes.access.watch(Math.max(0, (lo & ~3) >>> 0), hi, (va, write) => {
      if ((type === 'write' && !write) || (type === 'read' && write)) return;
      const k = m.currentCore();
      const cpu = m.cpus[k];
      if (this.pending || this.atResumePoint(k, cpu.icount - 1, cpu.pc)) return;
      this.pending = { kind: 'watchpoint', core: k, type, address: Math.max(va, lo) >>> 0 };
      throw STOP_BEFORE;
    }, true));
    return true;
  }

  removeWatchpoint(type: WatchKind, address: number, length: number): boolean {
    const key = `${type}:${address >>> 0}:${length}`;
    this.watchpoints.get(key)?.();
    this.watchpoints.delete(key);
    return true;
  }

  private exited(): StopEvent {
    const e = this.ended!;
    switch (e.kind) {
      case 'exit': return { kind: 'exited', code: e.code & 0xff, reason: `exit code ${e.code}` };
      case 'limit': return { kind: 'exited', code: 3, reason: 'the instruction limit' };
      case 'idle': return { kind: 'exited', code: 0, reason: 'a halt (WFI with nothing scheduled)' };
      case 'reset': return { kind: 'exited', code: 0, reason: `a reset by ${e.by}` };
      default: return { kind: 'exited', code: 0, reason: 'the run ended' };
    }
  }

  /** What a machine stop means: an event of ours, the end of the run, or nothing (run on). */
  private settle(stop: StopReason): StopEvent | undefined {
    const event = this.pending;
    this.pending = undefined;
    if (event) return event;
    if (stop.kind === 'limit') {
      if (this.machine.now() < this.limit) return undefined;
      this.ended = stop;
      return this.exited();
    }
    // Anything else ends the run: exit, halt, reset, or a stop someone else asked for (--until, a decided scenario).
    this.ended = stop;
    return this.exited();
  }

  async resume(request: ResumeRequest): Promise<StopEvent> {
    if (this.ended) return this.exited();
    if (request.direction === 'reverse') return { kind: 'interrupted', core: request.core };
    const m = this.machine;
    this.resumedAt = m.cpus.map((c) => ({ icount: c.icount, pc: c.pc >>> 0 }));
    this.pending = undefined;
    try {
      if (request.mode === 'step') {
        const k = request.core;
        if (m.now() >= this.limit) { this.ended = { kind: 'limit' }; return this.exited(); }
        const stop = m.cpus.length === 1 ? m.runUntil(m.cpu.icount + 1) : m.runUntil(m.cpus[k].icount + 1, k);
        return this.settle(stop) ?? { kind: 'step', core: k };
      }
      for (;;) {
        if (request.interrupt.aborted) return { kind: 'interrupted', core: m.pausedCore ?? request.core };
        const stop = m.runUntil(Math.min(this.limit, m.now() + this.slice));
        const event = this.settle(stop);
        if (event) return event;
        await this.options.betweenSlices?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.resumedAt = [];
      this.options.onStop?.();
    }
  }

  monitor(command: string, core = 0): string {
    const ctx: MonitorContext = { machine: this.machine, core, mode: 'live', consoleText: () => this.consoleText(), domains: this.options.domains };
    return (this.options.monitorCommands ?? MONITOR_COMMANDS).run(ctx, command);
  }
}
