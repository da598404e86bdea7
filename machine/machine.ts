/**
 * A whole machine: bus, cores, devices, event queue and the run loop that
 * advances virtual time. The board builder wires the devices; everything from
 * outside (console input) enters through the input log, stamped with the
 * virtual time at which it takes effect.
 *
 * Virtual time is counted in ticks (1 ns at the default 1 GHz clock). Each
 * core has its own clock, cpu.icount: one tick per instruction it executes,
 * and the ticks it spent waiting (WFI, WFE), held or stalled. On one core
 * that clock is the machine's time. On several cores they take turns as
 * machine/schedule.ts describes, and the machine's time is the end of the
 * last round (the clock of the core whose turn it is, while one runs).
 */

import { Bus, RamRegion } from './bus';
import { Cpu, type CpuSnapshot } from './cpu/cpu';
import { EventQueue } from './events';
import type { BoardSpec } from './boards/board-spec';
import { buildBoard, type Wiring } from './boards/builder';
import type { Device, DeviceSnapshot, DeviceType } from './devices/device';
import type { ElfImage } from './loaders/elf';
import { ImageError } from './loaders/elf';
import { Semihosting, type SemihostingConfig } from './semihosting';
import type { Injection, InjectionEntry, InjectionPoint } from './injections';
import { Probe, type ExecHandler, type ExecSubscriber, type AccessSubscriber, type GuestError, type IrqEdgeArgs, type MachineProbes } from './probes';
import { CoreHolds, type CoreControlState } from './core-control';
import { SerialLines } from './serial-line';
import { DEFAULT_SCHEDULE, QuantumGrid, scheduleProblem, type GridState, type Schedule } from './schedule';

export type { GuestError } from './probes';

export type StopReason =
  | { kind: 'exit'; code: number }
  | { kind: 'limit' }
  | { kind: 'idle' }
  | { kind: 'stopped' }
  | { kind: 'reset'; by: string }
  /** The board's power was cut (a power management IC told to power off): nothing runs after it. */
  | { kind: 'poweroff'; by: string };

/** Everything but RAM. */
export interface MachineState {
  version: number;
  board: string;
  /** Core 0. */
  cpu: CpuSnapshot;
  /** Cores 1 and up (only on a machine with several cores). */
  cores?: CpuSnapshot[];
  /** Where the schedule is (only on a machine with several cores). */
  scheduler?: SchedulerState;
  devices: Record<string, DeviceSnapshot>;
  wiring: Record<string, string[]>;
}

/** The scheduler's position: the round, whose turn it is, holds and stalls. */
export interface SchedulerState {
  time: number;
  roundEnd: number;
  turn: number;
  /** A lone core's round (schedule.ts). */
  alone: boolean;
  grid: GridState;
  stallUntil: number[];
  control: CoreControlState;
}

export interface MachineOptions {
  /** Cores to run (default the board's cpu.count; at most its cpu.maxCount). */
  cores?: number;
  /** How several cores take turns (default DEFAULT_SCHEDULE). */
  schedule?: Schedule;
  /**
   * Whether a lone runnable core runs until something lets another core run
   * (default) or stops at every quantum boundary. Both give the same
   * execution; plain rounds exist to check exactly that.
   */
  loneCoreShortcut?: boolean;
  /**
   * Whether a run takes up the fetch translation the last run of its core
   * held (Cpu.heldFetch; default). False reproduces runs of recordings made
   * before format 6, in which every run looked its page up afresh.
   */
  holdFetchAcrossRuns?: boolean;
}

export interface MachineSnapshot extends MachineState {
  /** Non-zero 4 KiB pages of each RAM region (regions are mostly empty). */
  ram: Array<{ name: string; pages: Array<{ index: number; bytes: Uint8Array }> }>;
}

/**
 * 4: the CPU by architectural register names (CpuSnapshot version 2), devices
 * by declared state name. 3 differs only in the CPU part, which Cpu.restore
 * migrates; older versions are refused.
 */
export const MACHINE_SNAPSHOT_VERSION = 4;
/** The oldest machine snapshot version this bringup migrates. */
export const MACHINE_SNAPSHOT_OLDEST = 3;

export class Machine {
  readonly bus = new Bus();
  /** Core k is cpus[k]; its MPIDR reads 0x8000000k. */
  readonly cpus: readonly Cpu[];
  /** Core 0 (the only core of a one-core machine). */
  readonly cpu: Cpu;
  /** How the cores take turns (several cores). */
  readonly schedule: Schedule;
  /** The reasons holding each core (reset, clock, halt) and reset vectors; devices reach it through their context. */
  readonly coreControl: CoreHolds;
  private readonly grid: QuantumGrid;
  /** Several cores: the end of the last round (the start of the current one). */
  private time = 0;
  private roundEnd = 0;
  /** Several cores: the core whose turn is next in the current round; cpus.length between rounds. */
  private turn: number;
  /** The core running now, or -1. */
  private running = -1;
  /** The current round is a lone core's (schedule.ts): it ends at the next event unless another core may run. */
  private alone = false;
  private readonly loneCoreShortcut: boolean;
  /** A core stalled by the input log (a schedule perturbation) runs again from this time. */
  private readonly stallUntil: number[];
  readonly events = new EventQueue();
  readonly ram = new Map<string, RamRegion>();
  readonly devices: Map<string, Device>;
  private readonly wiring: Wiring;
  semihosting: Semihosting | undefined;
  readonly guestErrors: GuestError[] = [];
  /**
   * Everything there is to observe (console output, guest errors, exceptions,
   * MMIO, interrupt edges, injections, code writes, instructions at an
   * address, data accesses): subscribe there, unsubscribe with the function
   * subscribe returns (machine/probes.ts).
   */
  readonly probes: MachineProbes;
  /** The input log so far: every injection that has taken effect, in order. */
  readonly injected: InjectionEntry[] = [];
  /**
   * A core's clock moved on without it executing instructions (waiting in
   * WFI/WFE, held, stalled, or a round ending before its turn): ticks
   * [from, to) of that core are not instructions. Reverse stepping finds a
   * core's previous instruction with it.
   */
  readonly clockJumps = new Probe<[core: number, from: number, to: number]>();
  private exitCode: number | undefined;
  /** requestStop was called: the run returns 'stopped' at the next boundary. */
  private stopPending = false;
  private resetBy: string | undefined;
  /** What the device in resetBy asked for: a system reset, or the power cut. */
  private resetKind: 'reset' | 'poweroff' = 'reset';
  /** Injections scheduled ahead (console input, a replayed log), in time order. */
  private readonly scheduled: InjectionEntry[] = [];
  /** Where the serial line into each UART stands: typed bytes queue behind the ones still on the wire. */
  private readonly serialLines = new SerialLines();
  /** Disarmers of the one-shot hooks and watchers armed for scheduled exec/access injections (each leaves when it fires). */
  private readonly armed = new Set<() => void>();
  /** Several cores: entries of the input log armed at one place of one core, in time order, behind one hook (scheduleEntry). */
  private readonly pinned = new Map<string, InjectionEntry[]>();

  constructor(readonly board: BoardSpec, deviceTypes: ReadonlyMap<string, DeviceType>, options: MachineOptions = {}) {
    const count = options.cores ?? board.cpu.count;
    const most = Math.max(1, board.cpu.maxCount ?? board.cpu.count);
    if (!Number.isInteger(count) || count < 1 || count > most) {
      throw new Error(`board ${board.name} has ${most} core${most === 1 ? '' : 's'}; cannot run ${count}`);
    }
    this.schedule = { ...(options.schedule ?? DEFAULT_SCHEDULE) };
    const bad = scheduleProblem(this.schedule);
    if (bad) throw new Error(`schedule: ${bad}`);
    this.grid = new QuantumGrid(this.schedule);
    this.loneCoreShortcut = options.loneCoreShortcut ?? true;
    const cpus = this.cpus = Array.from({ length: count }, (_, k) => new Cpu(this.bus, { cbar: board.cpu.periphbase, cpuId: k }));
    for (const c of cpus) c.holdsFetchAcrossRuns = options.holdFetchAcrossRuns ?? true;
    this.cpu = cpus[0];
    this.turn = count;
    this.stallUntil = new Array<number>(count).fill(0);
    cpus.forEach((cpu, k) => {
      cpu.peers = cpus.filter((c) => c !== cpu);
      if (count > 1) cpu.onWake = () => this.coreMayRun(k);
      cpu.guestError = (message, pc) => this.reportGuestError(k === 0 ? 'cpu' : `cpu${k}`, message, pc);
    });
    this.coreControl = new CoreHolds(count, (k, fromReset) => this.releaseCore(k, fromReset));
    const probes: MachineProbes = this.probes = {
      console: new Probe<[device: string, data: Uint8Array]>(),
      guestError: new Probe<[error: GuestError]>(),
      exception: count === 1 ? this.cpu.exceptionProbe : fanIn(cpus.map((c) => c.exceptionProbe)),
      mmioRead: this.bus.mmioReadProbe,
      mmioWrite: this.bus.mmioWriteProbe,
      irqEdge: new Probe<IrqEdgeArgs>(),
      injection: new Probe<[entry: InjectionEntry]>(),
      codeWrite: this.bus.codeWriteProbe,
      exec: count === 1 ? this.cpu.execProbe : new ClusterExecProbe(cpus),
      access: count === 1 ? this.cpu.accessProbe : new ClusterAccessProbe(cpus),
    };
    const built = buildBoard(board, this.bus, {
      cpus,
      current: () => this.currentCore(),
      now: () => this.now(),
      control: this.coreControl,
    }, this.events, deviceTypes, {
      guestError: (source, message) => this.reportGuestError(source, message, this.cpus[this.currentCore()].pc >>> 0),
      console: (device, data) => probes.console.emit(device, data),
      requestReset: (device) => { this.resetBy = device; this.resetKind = 'reset'; this.stopRunningCore(); },
      requestPowerOff: (device) => { this.resetBy = device; this.resetKind = 'poweroff'; this.stopRunningCore(); },
      irqEdge: probes.irqEdge,
    });
    this.devices = built.devices;
    this.wiring = built.wiring;
    for (const m of board.memory) this.ram.set(m.name, this.bus.ramAt(m.base)!);
    // An event scheduled while a core runs (e.g. by a device register write)
    // must take effect at its time, not at the end of the current run.
    this.events.onSchedule = count === 1 ? (time) => this.cpu.shortenRun(time) : (time) => this.eventScheduledInRound(time);
  }

  /** The core whose access devices serve: the one running, else the one whose turn it is, else 0. */
  currentCore(): number {
    if (this.running >= 0) return this.running;
    return this.turn < this.cpus.length ? this.turn : 0;
  }

  /** Several cores: the core paused in the middle of its turn (by a limit or a stop), or undefined between rounds. */
  get pausedCore(): number | undefined {
    return this.cpus.length > 1 && this.running < 0 && this.turn < this.cpus.length ? this.turn : undefined;
  }

  /** Several cores: the core paused in its turn has reached the round's end (the next instruction is another turn's). */
  get turnOver(): boolean {
    return this.pausedCore !== undefined && this.cpus[this.turn].icount >= this.roundEnd;
  }

  /**
   * Virtual time now: on one core its clock; on several, the clock of the
   * core running (or paused in its turn), else the end of the last round.
   */
  now(): number {
    if (this.cpus.length === 1) return this.cpu.icount;
    if (this.running >= 0) return this.cpus[this.running].icount;
    if (this.turn < this.cpus.length) return this.cpus[this.turn].icount;
    return this.time;
  }

  /** Whether core k may take its turn: nothing holds it and it is not stalled. */
  coreRuns(k: number): boolean {
    return this.coreControl.runs(k) && this.stallUntil[k] <= this.now();
  }

  private releaseCore(k: number, fromReset: boolean): void {
    const cpu = this.cpus[k];
    const was = cpu.icount;
    const t = Math.max(was, this.now());
    if (fromReset) {
      cpu.reset();
      cpu.pc = this.coreControl.resetVector(k);
    }
    cpu.icount = was;
    this.moveClock(k, t);
    this.coreMayRun(k);
  }

  /**
   * Core k may run from now on (woken, released). In a lone core's round the
   * round now ends at the quantum boundary it would have ended at had the
   * rounds been cut every quantum, and the other cores' clocks stand where
   * that round began (schedule.ts).
   */
  private coreMayRun(k: number): void {
    if (!this.alone || this.turn >= this.cpus.length || k === this.turn) return;
    this.alone = false;
    const t = this.now();
    const end = Math.min(this.roundEnd, this.grid.after(t - 1));
    const start = Math.max(this.time, this.grid.previous);
    this.roundEnd = end;
    this.cpus.forEach((cpu, j) => { if (j !== this.turn && cpu.icount < start) this.moveClock(j, start); });
    if (this.running >= 0) this.cpus[this.running].shortenRun(end);
  }

  private stopRunningCore(): void {
    if (this.running >= 0) this.cpus[this.running].stopRequested = true;
    else this.cpu.stopRequested = true;
  }

  /**
   * Stops the run at the next instruction boundary of whichever core is
   * running (or before the next one runs, when asked between turns, from an
   * event or a probe): runUntil returns { kind: 'stopped' }. On several
   * cores the turn goes on where it stopped when the run resumes.
   */
  requestStop(): void {
    this.stopPending = true;
    this.stopRunningCore();
  }

  /** Several cores: an event due before the round ends ends the round there (the running core stops at it). */
  private eventScheduledInRound(time: number): void {
    if (this.turn >= this.cpus.length || time >= this.roundEnd) return;
    this.roundEnd = Math.max(time, this.time);
    if (this.running >= 0) this.cpus[this.running].shortenRun(this.roundEnd);
  }

  private reportGuestError(source: string, message: string, pc: number): void {
    const e = { source, message, pc, icount: this.now() };
    this.guestErrors.push(e);
    this.probes.guestError.emit(e);
  }

  /**
   * Console output that does not come from a board device (the semihosting
   * host's SYS_WRITE0/SYS_WRITEC): told to the console probe like a UART's.
   */
  emitConsole(device: string, data: Uint8Array): void {
    this.probes.console.emit(device, data);
  }

  device(name: string): Device {
    const d = this.devices.get(name);
    if (!d) throw new Error(`board ${this.board.name} has no device '${name}' (it has ${[...this.devices.keys()].join(', ')})`);
    return d;
  }

  /**
   * Adds console input to the input log as one entry: all of `data` reaches the
   * device's receive side at `time`, at once (a replayed log, tests that put
   * bytes straight into a FIFO). Input a person types goes through typeInput.
   */
  addInput(time: number, device: string, data: Uint8Array, cause = 'console input'): void {
    this.inject({ icount: time, point: { at: 'boundary' }, injection: { kind: 'console-input', device, data }, cause });
  }

  /**
   * Console input typed at `time`: the bytes cross the serial line at the
   * device's line rate (machine/serial-line.ts), after anything still on the
   * wire, and each enters the input log at its own arrival time. Returns the
   * arrival times.
   */
  typeInput(time: number, device: string, data: Uint8Array, cause = 'console input'): number[] {
    const times = this.lineArrivals(device, time, data.length);
    data.forEach((b, k) => this.addInput(times[k], device, Uint8Array.of(b), cause));
    return times;
  }

  /**
   * Reserves the serial line into `device` for `count` bytes typed at `time`
   * (not before now) and returns when each arrives; the caller logs the bytes
   * (typeInput does), so a byte lost on the way (a corrupt-input fault) still
   * took its time on the wire. Calls for one device come in the order the
   * bytes are typed (a run types as its time goes on).
   */
  lineArrivals(device: string, time: number, count: number): number[] {
    const d = this.device(device);
    if (!d.receive) throw new Error(`device '${device}' cannot receive console input`);
    const ticks = d.lineTicks ? (n: number) => d.lineTicks!(n) : () => 0;
    return this.serialLines.schedule(device, Math.max(time, this.now()), count, ticks);
  }

  /**
   * Schedules an entry of the input log. It takes effect at its instruction count
   * (or now, if that has passed: the entry is stamped with when it really acts).
   */
  inject(entry: InjectionEntry): void {
    const e = { ...entry, icount: Math.max(entry.icount, this.now()) };
    this.checkInjection(e.injection);
    let i = this.scheduled.length;
    while (i > 0 && this.scheduled[i - 1].icount > e.icount) i--;
    this.scheduled.splice(i, 0, e);
    this.scheduleEntry(e);
  }

  private scheduleEntry(e: InjectionEntry): void {
    const p0 = e.point;
    if (this.cpus.length > 1 && p0.at !== 'boundary' && e.core !== undefined) {
      // Several cores, an entry logged at an instruction of a known core: armed
      // now, for that core at that time. An event at its time would end a round
      // there, which the run that logged it did not do (its cores would then
      // interleave differently). The entries of one core at one place share one
      // hook, in time order: a log of thousands (every upcall lost) costs one hook.
      const key = `${e.core}:${p0.at === 'exec' ? `x${p0.pc}` : `${p0.write ? 'w' : 'r'}${p0.address}`}`;
      const queued = this.pinned.get(key);
      if (queued) {
        let i = queued.length;
        while (i > 0 && queued[i - 1].icount > e.icount) i--;
        queued.splice(i, 0, e);
        return;
      }
      const queue = [e];
      this.pinned.set(key, queue);
      const cpu = this.cpus[e.core];
      // The entry due at this tick of the core, if any (entries whose tick has passed never fire).
      const due = (): InjectionEntry | undefined => {
        const now = cpu.icount - 1;
        while (queue.length && queue[0].icount < now) queue.shift();
        if (!queue.length || queue[0].icount !== now) return undefined;
        const next = queue.shift()!;
        if (!queue.length) disarm();
        return next;
      };
      const remove = p0.at === 'exec'
        ? this.probes.exec.at(p0.pc, (c) => {
          if (c !== cpu) return false;
          const next = due();
          return next ? this.takeEffect(next) : false;
        })
        : this.probes.access.watch(p0.address, p0.address, (_va, write) => {
          if (write !== p0.write || this.cpus[this.currentCore()] !== cpu) return;
          const next = due();
          if (next) this.takeEffect(next);
        });
      const disarm = (): void => { remove(); this.armed.delete(disarm); this.pinned.delete(key); };
      this.armed.add(disarm);
      return;
    }
    this.events.schedule(e.icount, `input: ${e.cause}`, () => {
      const p = e.point;
      if (p.at === 'boundary') { this.takeEffect(e); return; }
      // Armed now, acts during the next instruction.
      const remove = p.at === 'exec'
        ? this.probes.exec.at(p.pc, (cpu) => { disarm(); return this.takeEffect(this.cpus.length === 1 ? e : { ...e, core: this.cpus.indexOf(cpu) }); })
        : this.probes.access.watch(p.address, p.address, (_va, write) => { if (write === p.write) { disarm(); this.takeEffect(e); } });
      const disarm = (): void => { remove(); this.armed.delete(disarm); };
      this.armed.add(disarm);
    }, 'input');
  }

  /**
   * Makes an injection take effect right now and logs it: from an event
   * (boundary), from an execution hook (exec: returns true when it took the
   * instruction's place) or from an access watcher (access). Aborts at exec or
   * access points abandon the current instruction (they throw to the CPU loop).
   */
  fire(point: InjectionPoint, injection: Injection, cause: string): boolean {
    const icount = point.at === 'boundary' ? this.now() : this.now() - 1;
    const core = this.currentCore();
    return this.takeEffect(this.cpus.length === 1 || point.at === 'boundary' ? { icount, point, injection, cause } : { icount, point, injection, cause, core });
  }

  private takeEffect(e: InjectionEntry): boolean {
    this.injected.push(e);
    this.probes.injection.emit(e);
    // At an instruction or access, on the core that executes it; between instructions, on the core named (default 0).
    const cpu = this.cpus[e.point.at === 'boundary' ? e.core ?? 0 : this.currentCore()] ?? this.cpu;
    const inj = e.injection;
    const inInstruction = e.point.at !== 'boundary';
    switch (inj.kind) {
      case 'console-input': this.device(inj.device).receive!(inj.data); return false;
      case 'irq-line': {
        const dev = this.device(inj.controller);
        dev.setInput!(inj.line, inj.high);
        return false;
      }
      case 'bit-flip': this.bus.write8(inj.address >>> 0, this.bus.read8(inj.address >>> 0) ^ (1 << inj.bit)); return false;
      case 'skip-call':
        if (e.point.at !== 'exec') throw new Error('a skipped call must be injected at an instruction (exec point)');
        cpu.bxWritePC(cpu.r[14]);
        return true;
      // During an instruction these throw to the CPU loop, which takes the abort;
      // between instructions the CPU takes it now. Either way through the CPU's own entry.
      case 'data-abort':
        if (inInstruction) cpu.injectDataAbort(inj.address, inj.status, inj.write);
        cpu.enterDataAbort(inj.address, inj.status, inj.write);
        return false;
      case 'prefetch-abort':
        if (inInstruction) cpu.injectPrefetchAbort(inj.address, inj.status);
        cpu.prefetchAbort(inj.status, inj.address);
        return false;
      case 'stall-core':
        // The core gives up its turns until the stall ends (a schedule perturbation; the scheduler reads stallUntil).
        this.stallUntil[inj.core] = Math.max(this.stallUntil[inj.core], this.now() + inj.ticks);
        if (this.alone && this.turn < this.cpus.length) this.roundEnd = Math.min(this.roundEnd, this.stallBound());
        return false;
      case 'lose-sgi':
        this.device(inj.controller).loseNextSgi!(inj.sgi, inj.cores);
        return false;
    }
  }

  /** Fails early (when scheduled, not when it acts) for an injection this board cannot take. */
  private checkInjection(inj: Injection): void {
    if (inj.kind === 'console-input' && !this.device(inj.device).receive) throw new Error(`device '${inj.device}' cannot receive console input`);
    if (inj.kind === 'irq-line' && !this.device(inj.controller).setInput) throw new Error(`device '${inj.controller}' has no interrupt inputs`);
    if (inj.kind === 'bit-flip' && !this.bus.isRam(inj.address >>> 0)) throw new Error(`bit flip at 0x${(inj.address >>> 0).toString(16)}: no RAM there`);
    if (inj.kind === 'lose-sgi' && !this.device(inj.controller).loseNextSgi) throw new Error(`device '${inj.controller}' sends no SGIs`);
    if (inj.kind === 'stall-core' && !(Number.isInteger(inj.core) && inj.core >= 0 && inj.core < this.cpus.length)) throw new Error(`stall of core ${inj.core}: this machine runs cores 0 to ${this.cpus.length - 1}`);
  }

  enableSemihosting(config: Omit<SemihostingConfig, 'ramBase' | 'ramSize'>): Semihosting {
    const main = this.board.memory[0];
    const sh = new Semihosting({ ...config, ramBase: main.base, ramSize: main.size }, (code) => {
      this.exitCode = code;
      this.stopRunningCore();
    });
    this.semihosting = sh;
    // Any core may make a semihosting call.
    for (const cpu of this.cpus) cpu.svcHook = (c, imm) => sh.handleSvc(c, imm);
    return sh;
  }

  /**
   * Loads an ELF as QEMU's -kernel does for ELF files: segments at their
   * physical addresses, entry in SVC mode with IRQ/FIQ/aborts masked, MMU off.
   */
  loadElf(image: ElfImage, fileName = 'image'): void {
    // Check every segment before writing any: an image that does not fit leaves RAM untouched.
    for (const s of image.segments) {
      const at = `${fileName}: segment at 0x${s.paddr.toString(16)} (${s.memsz} bytes)`;
      if (s.data.length > s.memsz) throw new ImageError(`${at} has filesz > memsz`);
      const end = s.paddr + s.memsz;
      if (end > 0x100000000) throw new ImageError(`${at} wraps past the end of the 32-bit address space`);
      // Walk the range region by region: all of it must be RAM, without holes.
      for (let a = s.paddr; a < end;) {
        const r = this.bus.ramAt(a);
        if (!r) {
          throw new ImageError(a === s.paddr
            ? `${at} is outside the RAM of board ${this.board.name}`
            : `${at} runs over 0x${a.toString(16)}, where board ${this.board.name} has no RAM`);
        }
        a = r.base + r.size;
      }
    }
    for (const s of image.segments) {
      this.bus.loadBytes(s.paddr, s.data);
      if (s.memsz > s.data.length) this.bus.loadBytes(s.paddr + s.data.length, new Uint8Array(s.memsz - s.data.length));
    }
    // Every core starts at the entry point, as QEMU starts a bare-metal ELF
    // (the program reads MPIDR to tell the cores apart); a core held in
    // reset starts at its reset vector when released instead.
    for (const cpu of this.cpus) {
      cpu.pc = (image.entry & ~1) >>> 0;
      if (image.entry & 1) cpu.t = 1;
    }
  }

  /**
   * Runs until virtual time reaches `limit` (absolute) or the guest stops.
   * On several cores the run stops where the core whose turn it is reaches
   * `limit` (or, if none does, at the end of the round at or after it) and
   * goes on from there in the same turn: a limit never changes the
   * interleaving (machine/schedule.ts). With `core`, only that core's turn
   * pauses at `limit` (a replay returns to where a recorded run stopped in
   * that core's turn).
   */
  runUntil(limit: number, core?: number): StopReason {
    if (this.cpus.length > 1) return this.runCoresUntil(limit, core);
    const cpu = this.cpu;
    for (;;) {
      if (this.exitCode !== undefined) return { kind: 'exit', code: this.exitCode };
      if (this.resetBy !== undefined) return this.takeReset();
      if (this.stopPending) { this.stopPending = false; return { kind: 'stopped' }; }
      if (cpu.icount >= limit) return { kind: 'limit' };
      const next = this.events.nextTime();
      if (cpu.icount >= next) { this.events.runDue(cpu.icount); continue; }
      const target = Math.min(limit, next);
      cpu.run(target - cpu.icount);
      if (this.exitCode !== undefined) return { kind: 'exit', code: this.exitCode };
      if (this.resetBy !== undefined) return this.takeReset();
      if (cpu.stopRequested) { this.stopPending = false; return { kind: 'stopped' }; }
      if (cpu.waiting && !cpu.irqLine && !cpu.fiqLine) {
        // WFI with nothing pending: skip straight to the next event (which the
        // run itself may have scheduled).
        const wake = this.events.nextTime();
        if (wake === Infinity) return { kind: 'idle' };
        this.moveClock(0, Math.max(cpu.icount, Math.min(wake, limit)));
      }
    }
  }

  /** Runs `count` more ticks at most. */
  run(count: number): StopReason {
    return this.runUntil(this.now() + count);
  }

  /** Several cores: rounds of turns (machine/schedule.ts). */
  private runCoresUntil(limit: number, only?: number): StopReason {
    const cpus = this.cpus;
    const n = cpus.length;
    for (;;) {
      if (this.exitCode !== undefined) return { kind: 'exit', code: this.exitCode };
      if (this.resetBy !== undefined) return this.takeReset();
      if (this.stopPending) { this.stopPending = false; return { kind: 'stopped' }; }
      if (this.turn < n && this.now() >= limit && this.running < 0 && cpus[this.turn].icount <= this.roundEnd && (only === undefined || only === this.turn)) return { kind: 'limit' };
      if (this.turn >= n) {
        // Between rounds: events due now run, then the next round starts.
        if (this.time >= limit) return { kind: 'limit' };
        const next = this.events.nextTime();
        if (this.time >= next) { this.events.runDue(this.time); continue; }
        this.roundEnd = Math.min(this.grid.after(this.time), next);
        const runnable = this.runnableCores();
        this.alone = runnable === 1 && this.loneCoreShortcut;
        if (this.alone) this.roundEnd = Math.min(next, this.stallBound());
        if (runnable === 0) {
          // Every core waits, is held or stalled: skip to the next event, stall end or limit.
          const wake = Math.min(next, this.nextStallEnd());
          if (wake === Infinity) return { kind: 'idle' };
          this.roundEnd = Math.max(this.roundEnd, Math.min(wake, Math.max(limit, this.time + 1)));
        }
        this.turn = 0;
        for (const cpu of cpus) this.peersReserved(cpu);
      }
      while (this.turn < n) {
        const k = this.turn;
        const cpu = cpus[k];
        // With `only`, the other cores' turns run through the limit: the run pauses in that core's turn.
        const pauses = only === undefined || only === k || this.alone;
        const end = pauses ? Math.min(this.roundEnd, limit) : this.roundEnd;
        // A lone core already at the limit in its turn stays paused there (asked again, for another core that cannot run).
        if (this.alone && pauses && cpu.icount >= limit && cpu.icount < this.roundEnd && this.coreRuns(k) && !(cpu.waiting && !cpu.irqLine && !cpu.fiqLine)) return { kind: 'limit' };
        if (this.coreRuns(k) && cpu.icount < end && !(cpu.waiting && !cpu.irqLine && !cpu.fiqLine)) {
          this.running = k;
          this.bus.dataAbort = cpu.busAbort;
          cpu.peerMonitors = this.peersReserved(cpu);
          try {
            cpu.run(end - cpu.icount);
          } finally {
            this.running = -1;
            cpu.peerMonitors = 0;
          }
          if (this.exitCode !== undefined) return { kind: 'exit', code: this.exitCode };
          if (this.resetBy !== undefined) return this.takeReset();
          // A lone core that starts waiting ends its round at the boundary the round it waits in ends at.
          if (this.alone && cpu.waiting) {
            this.alone = false;
            this.roundEnd = Math.min(this.roundEnd, this.grid.after(cpu.icount - 1));
          }
          // Paused by a stop request or at the limit: the turn goes on from here when the
          // run resumes. A stop on the turn's last tick pauses the turn too; a limit there
          // does only when asked for in this core's turn (as a replay reaches a recorded
          // stop): else every core runs its turn up to the limit, so that limits on the
          // grid end rounds. A stop and a limit at the same point of a turn leave the
          // machine in the same state.
          const stopped = cpu.stopRequested;
          if (stopped) this.stopPending = false;
          const inTurn = cpu.icount <= this.roundEnd && !(cpu.waiting && !cpu.irqLine && !cpu.fiqLine);
          const atLimit = pauses && cpu.icount >= limit && (cpu.icount < this.roundEnd || only === k);
          if (inTurn && (stopped || atLimit)) {
            // At the round's end with no turn left to run, the round ends as it would
            // have anyway (every clock moves to its end), and the stop comes after it.
            const turnsLeft = cpu.icount < this.roundEnd || this.laterTurnRuns(k);
            if (turnsLeft && (!this.alone || !this.loneRoundEndsAt(cpu))) return { kind: stopped ? 'stopped' : 'limit' };
            // (A lone core's round ended on this quantum boundary: the rest of the round goes by.)
            if (stopped) this.stopPending = true;
          } else if (stopped) {
            this.turn++;
            // The round's last turn is over: it ends here, as a round does without a stop.
            if (this.turn >= n) this.endRound();
            return { kind: 'stopped' };
          }
        }
        this.turn++;
      }
      this.endRound();
    }
  }

  /** The round is over: a core that did not run to its end (waiting, held, stalled) spent the time. */
  private endRound(): void {
    this.cpus.forEach((cpu, k) => { if (cpu.icount < this.roundEnd) this.moveClock(k, this.roundEnd); });
    this.time = this.roundEnd;
    // The grid stands at the boundary after the round's end, whatever cut the
    // round there (a boundary, an event, a limit or a pause in a lone core's
    // round): a run stopped and resumed has the same state as one run straight through.
    if (this.time !== Infinity) this.grid.after(this.time);
  }

  /**
   * A lone core pauses (limit or stop) at its clock: its round stands where
   * plain rounds would. If the clock is a quantum boundary, that round ends
   * here (returns true); else it began at the boundary before, where the
   * other cores' clocks are moved (returns false).
   */
  private loneRoundEndsAt(cpu: Cpu): boolean {
    const boundary = this.grid.after(cpu.icount - 1);
    if (boundary !== cpu.icount) {
      const start = Math.max(this.time, this.grid.previous);
      this.cpus.forEach((other, j) => { if (other !== cpu && other.icount < start) this.moveClock(j, start); });
      // The round began there, as if rounds had been cut every quantum: the
      // same state whether the lone round was paused before or not.
      this.time = start;
      return false;
    }
    this.alone = false;
    this.roundEnd = boundary;
    return true;
  }

  /** Whether a core after core k still takes a turn in this round. */
  private laterTurnRuns(k: number): boolean {
    for (let j = k + 1; j < this.cpus.length; j++) {
      const cpu = this.cpus[j];
      if (this.coreRuns(j) && cpu.icount < this.roundEnd && !(cpu.waiting && !cpu.irqLine && !cpu.fiqLine)) return true;
    }
    return false;
  }

  /** Moves core k's clock on to `to` without it executing anything (told to clockJumps). */
  private moveClock(k: number, to: number): void {
    const cpu = this.cpus[k];
    if (this.clockJumps.active && to > cpu.icount) this.clockJumps.emit(k, cpu.icount, to);
    cpu.icount = to;
  }

  /** How many cores can take their turn in a round starting now. */
  private runnableCores(): number {
    let count = 0;
    this.cpus.forEach((cpu, k) => {
      if (this.coreControl.runs(k) && this.stallUntil[k] <= this.time && (!cpu.waiting || cpu.irqLine || cpu.fiqLine)) count++;
    });
    return count;
  }

  /** The first quantum boundary at which a stalled core (that nothing else holds) runs again. */
  private stallBound(): number {
    let t = Infinity;
    this.stallUntil.forEach((until, k) => {
      if (until > this.time && this.coreControl.runs(k)) t = Math.min(t, this.grid.peekAfter(until - 1));
    });
    return t;
  }

  private nextStallEnd(): number {
    let t = Infinity;
    this.stallUntil.forEach((until, k) => { if (until > this.time && this.coreControl.runs(k)) t = Math.min(t, until); });
    return t;
  }

  /** How many other cores hold an exclusive reservation (the running core's stores check theirs). */
  private peersReserved(cpu: Cpu): number {
    let count = 0;
    for (const p of cpu.peers) if (p.monitorActive) count++;
    return count;
  }

  /** A device asked for a system reset (or cut the power): the run stops and reports who asked. */
  private takeReset(): StopReason {
    const by = this.resetBy!;
    this.resetBy = undefined;
    return { kind: this.resetKind, by };
  }

  snapshot(): MachineSnapshot {
    const ram: MachineSnapshot['ram'] = [];
    for (const [name, region] of this.ram) {
      const pages: Array<{ index: number; bytes: Uint8Array }> = [];
      // Pages never written are zero: only the written ones are looked at.
      for (const p of this.bus.touchedPages(region)) {
        if (!pageIsZero(region.i32, p << 10)) pages.push({ index: p, bytes: region.u8.slice(p << 12, (p + 1) << 12) });
      }
      ram.push({ name, pages });
    }
    return { ...this.stateSnapshot(), ram };
  }

  restore(s: MachineSnapshot): void {
    this.checkSnapshot(s);
    for (const r of s.ram) {
      const region = this.ram.get(r.name);
      if (!region) throw new Error(`snapshot has RAM region ${r.name} that board ${this.board.name} lacks`);
      // Only pages ever written can be non-zero: clear those, then set the snapshot's.
      for (const p of this.bus.touchedPages(region)) this.bus.restorePage(region, p, undefined);
      for (const p of r.pages) this.bus.restorePage(region, p.index, p.bytes);
    }
    this.restoreState(s);
  }

  /** The state without RAM (checkpoints store RAM as the pages dirtied since the previous one). */
  stateSnapshot(): MachineState {
    const devices: Record<string, DeviceSnapshot> = {};
    for (const [name, d] of this.devices) devices[name] = d.snapshot();
    const state: MachineState = { version: MACHINE_SNAPSHOT_VERSION, board: this.board.name, cpu: this.cpu.snapshot(), devices, wiring: this.wiring.snapshot() };
    if (this.cpus.length > 1) {
      state.cores = this.cpus.slice(1).map((c) => c.snapshot());
      state.scheduler = {
        time: this.time, roundEnd: this.roundEnd, turn: this.turn, alone: this.alone, grid: this.grid.snapshot(),
        stallUntil: [...this.stallUntil], control: this.coreControl.snapshot(),
      };
    }
    return state;
  }

  /** Restores CPU, devices, wiring and pending input; RAM is left as it is. */
  restoreState(s: MachineState): void {
    this.checkSnapshot(s);
    this.cpu.restore(s.cpu);
    if (this.cpus.length > 1) {
      const cores = s.cores!, sched = s.scheduler!;
      cores.forEach((c, i) => this.cpus[i + 1].restore(c));
      // A lone core's round with nothing scheduled ends at Infinity, which JSON (a checkpoint) keeps as null.
      this.time = sched.time; this.roundEnd = sched.roundEnd ?? Infinity; this.turn = sched.turn; this.alone = sched.alone;
      this.grid.restore(sched.grid);
      sched.stallUntil.forEach((t, k) => { this.stallUntil[k] = t; });
      this.coreControl.restore(sched.control);
    }
    this.events.clear();
    for (const [name, d] of this.devices) {
      const ds = s.devices[name];
      if (!ds) throw new Error(`snapshot lacks device ${name} of board ${this.board.name}`);
      d.restore(ds);
    }
    this.wiring.restore(s.wiring);
    // Entries stamped before the snapshot's instruction count had taken effect;
    // those at it or later are still to come (events at a tick run after a run stops there).
    for (const disarm of [...this.armed]) disarm();
    const now = this.now();
    while (this.injected.length && this.injected[this.injected.length - 1].icount >= now) this.injected.pop();
    for (const e of this.scheduled) if (e.icount >= now) this.scheduleEntry(e);
    this.exitCode = undefined;
    this.resetBy = undefined;
  }

  private checkSnapshot(s: MachineState): void {
    if (!Number.isInteger(s.version) || s.version < MACHINE_SNAPSHOT_OLDEST || s.version > MACHINE_SNAPSHOT_VERSION) {
      throw new Error(`machine snapshot format ${s.version} is not supported by this bringup (it reads format ${MACHINE_SNAPSHOT_VERSION} and migrates format ${MACHINE_SNAPSHOT_OLDEST})`);
    }
    if (s.board !== this.board.name) throw new Error(`snapshot is of board ${s.board}, not ${this.board.name}`);
    const cores = 1 + (s.cores?.length ?? 0);
    if (cores !== this.cpus.length || (cores > 1 && !s.scheduler)) throw new Error(`snapshot is of ${cores} core${cores === 1 ? '' : 's'}, this machine runs ${this.cpus.length}`);
  }
}

/** True if the 1024 words from `first` are all zero (a plain loop: a RAM of 1 GiB is scanned in a fraction of a second). */
function pageIsZero(words: Int32Array, first: number): boolean {
  for (let k = first, end = first + 1024; k < end; k++) if (words[k] !== 0) return false;
  return true;
}

/** One probe told of what any of several probes is told. */
function fanIn<A extends unknown[]>(sources: Array<Probe<A>>): Probe<A> {
  const out = new Probe<A>();
  for (const p of sources) p.subscribe((...args: A) => { if (out.active) out.emit(...args); });
  return out;
}

/** Execution hooks on every core: the handler is told which core is about to execute the instruction. */
class ClusterExecProbe implements ExecSubscriber<Cpu> {
  constructor(private readonly cpus: readonly Cpu[]) {}
  at(address: number, fn: ExecHandler<Cpu>, first?: boolean): () => void {
    const offs = this.cpus.map((c) => c.execProbe.at(address, fn, first));
    return () => { for (const off of offs) off(); };
  }
  get size(): number { return this.cpus[0].execProbe.size; }
}

/** Access watchers on every core (Machine.currentCore() names the core making the access). */
class ClusterAccessProbe implements AccessSubscriber {
  constructor(private readonly cpus: readonly Cpu[]) {}
  watch(lo: number, hi: number, fn: (va: number, write: boolean) => void, first?: boolean): () => void {
    const offs = this.cpus.map((c) => c.accessProbe.watch(lo, hi, fn, first));
    return () => { for (const off of offs) off(); };
  }
  get size(): number { return this.cpus[0].accessProbe.size; }
}
