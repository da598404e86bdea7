/**
 * A whole machine: bus, CPU, devices, event queue and the run loop that
 * advances virtual time. The board builder wires the devices; everything from
 * outside (console input) enters through the input log, stamped with the
 * instruction count at which it takes effect.
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
import { Probe, type GuestError, type IrqEdgeArgs, type MachineProbes } from './probes';

export type { GuestError } from './probes';

export type StopReason =
  | { kind: 'exit'; code: number }
  | { kind: 'limit' }
  | { kind: 'idle' }
  | { kind: 'stopped' }
  | { kind: 'reset'; by: string };

/** Everything but RAM. */
export interface MachineState {
  version: number;
  board: string;
  cpu: CpuSnapshot;
  devices: Record<string, DeviceSnapshot>;
  wiring: Record<string, string[]>;
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
  readonly cpu: Cpu;
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
  private exitCode: number | undefined;
  private resetBy: string | undefined;
  /** Injections scheduled ahead (console input, a replayed log), in time order. */
  private readonly scheduled: InjectionEntry[] = [];
  /** Disarmers of the one-shot hooks and watchers armed for scheduled exec/access injections (each leaves when it fires). */
  private readonly armed = new Set<() => void>();

  constructor(readonly board: BoardSpec, deviceTypes: ReadonlyMap<string, DeviceType>) {
    this.cpu = new Cpu(this.bus, { cbar: board.cpu.periphbase });
    this.cpu.guestError = (message, pc) => this.reportGuestError('cpu', message, pc);
    const probes: MachineProbes = this.probes = {
      console: new Probe<[device: string, data: Uint8Array]>(),
      guestError: new Probe<[error: GuestError]>(),
      exception: this.cpu.exceptionProbe,
      mmioRead: this.bus.mmioReadProbe,
      mmioWrite: this.bus.mmioWriteProbe,
      irqEdge: new Probe<IrqEdgeArgs>(),
      injection: new Probe<[entry: InjectionEntry]>(),
      codeWrite: this.bus.codeWriteProbe,
      exec: this.cpu.execProbe,
      access: this.cpu.accessProbe,
    };
    const built = buildBoard(board, this.bus, this.cpu, this.events, deviceTypes, {
      guestError: (source, message) => this.reportGuestError(source, message, this.cpu.pc >>> 0),
      console: (device, data) => probes.console.emit(device, data),
      requestReset: (device) => { this.resetBy = device; this.cpu.stopRequested = true; },
      irqEdge: probes.irqEdge,
    });
    this.devices = built.devices;
    this.wiring = built.wiring;
    for (const m of board.memory) this.ram.set(m.name, this.bus.ramAt(m.base)!);
    // An event scheduled while the CPU runs (e.g. by a device register write)
    // must take effect at its time, not at the end of the current run.
    this.events.onSchedule = (time) => this.cpu.shortenRun(time);
  }

  private reportGuestError(source: string, message: string, pc: number): void {
    const e = { source, message, pc, icount: this.cpu.icount };
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

  /** Adds console input to the input log; it reaches the device's receive side at `time`. */
  addInput(time: number, device: string, data: Uint8Array, cause = 'console input'): void {
    this.inject({ icount: time, point: { at: 'boundary' }, injection: { kind: 'console-input', device, data }, cause });
  }

  /**
   * Schedules an entry of the input log. It takes effect at its instruction count
   * (or now, if that has passed: the entry is stamped with when it really acts).
   */
  inject(entry: InjectionEntry): void {
    const e = { ...entry, icount: Math.max(entry.icount, this.cpu.icount) };
    this.checkInjection(e.injection);
    let i = this.scheduled.length;
    while (i > 0 && this.scheduled[i - 1].icount > e.icount) i--;
    this.scheduled.splice(i, 0, e);
    this.schedule(e);
  }

  private schedule(e: InjectionEntry): void {
    this.events.schedule(e.icount, `input: ${e.cause}`, () => {
      const p = e.point;
      if (p.at === 'boundary') { this.takeEffect(e); return; }
      // Armed now, acts during the next instruction.
      const remove = p.at === 'exec'
        ? this.probes.exec.at(p.pc, () => { disarm(); return this.takeEffect(e); })
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
    const icount = point.at === 'boundary' ? this.cpu.icount : this.cpu.icount - 1;
    return this.takeEffect({ icount, point, injection, cause });
  }

  private takeEffect(e: InjectionEntry): boolean {
    this.injected.push(e);
    this.probes.injection.emit(e);
    const cpu = this.cpu;
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
    }
  }

  /** Fails early (when scheduled, not when it acts) for an injection this board cannot take. */
  private checkInjection(inj: Injection): void {
    if (inj.kind === 'console-input' && !this.device(inj.device).receive) throw new Error(`device '${inj.device}' cannot receive console input`);
    if (inj.kind === 'irq-line' && !this.device(inj.controller).setInput) throw new Error(`device '${inj.controller}' has no interrupt inputs`);
    if (inj.kind === 'bit-flip' && !this.bus.isRam(inj.address >>> 0)) throw new Error(`bit flip at 0x${(inj.address >>> 0).toString(16)}: no RAM there`);
  }

  enableSemihosting(config: Omit<SemihostingConfig, 'ramBase' | 'ramSize'>): Semihosting {
    const main = this.board.memory[0];
    const sh = new Semihosting({ ...config, ramBase: main.base, ramSize: main.size }, (code) => {
      this.exitCode = code;
      this.cpu.stopRequested = true;
    });
    this.semihosting = sh;
    this.cpu.svcHook = (cpu, imm) => sh.handleSvc(cpu, imm);
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
    this.cpu.pc = (image.entry & ~1) >>> 0;
    if (image.entry & 1) this.cpu.t = 1;
  }

  /** Runs until the instruction count reaches `limit` (absolute) or the guest stops. */
  runUntil(limit: number): StopReason {
    const cpu = this.cpu;
    for (;;) {
      if (this.exitCode !== undefined) return { kind: 'exit', code: this.exitCode };
      if (this.resetBy !== undefined) return this.takeReset();
      if (cpu.icount >= limit) return { kind: 'limit' };
      const next = this.events.nextTime();
      if (cpu.icount >= next) { this.events.runDue(cpu.icount); continue; }
      const target = Math.min(limit, next);
      cpu.run(target - cpu.icount);
      if (this.exitCode !== undefined) return { kind: 'exit', code: this.exitCode };
      if (this.resetBy !== undefined) return this.takeReset();
      if (cpu.stopRequested) return { kind: 'stopped' };
      if (cpu.waiting && !cpu.irqLine && !cpu.fiqLine) {
        // WFI with nothing pending: skip straight to the next event (which the
        // run itself may have scheduled).
        const wake = this.events.nextTime();
        if (wake === Infinity) return { kind: 'idle' };
        cpu.icount = Math.max(cpu.icount, Math.min(wake, limit));
      }
    }
  }

  /** Runs `count` more instructions at most. */
  run(count: number): StopReason {
    return this.runUntil(this.cpu.icount + count);
  }

  /** A device asked for a system reset: the run stops and reports who asked. */
  private takeReset(): StopReason {
    const by = this.resetBy!;
    this.resetBy = undefined;
    return { kind: 'reset', by };
  }

  snapshot(): MachineSnapshot {
    const ram: MachineSnapshot['ram'] = [];
    for (const [name, region] of this.ram) {
      const pages: Array<{ index: number; bytes: Uint8Array }> = [];
      for (let p = 0; p < region.size >>> 12; p++) {
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
      region.u8.fill(0);
      for (const p of r.pages) region.u8.set(p.bytes, p.index << 12);
    }
    this.restoreState(s);
  }

  /** The state without RAM (checkpoints store RAM as the pages dirtied since the previous one). */
  stateSnapshot(): MachineState {
    const devices: Record<string, DeviceSnapshot> = {};
    for (const [name, d] of this.devices) devices[name] = d.snapshot();
    return { version: MACHINE_SNAPSHOT_VERSION, board: this.board.name, cpu: this.cpu.snapshot(), devices, wiring: this.wiring.snapshot() };
  }

  /** Restores CPU, devices, wiring and pending input; RAM is left as it is. */
  restoreState(s: MachineState): void {
    this.checkSnapshot(s);
    this.cpu.restore(s.cpu);
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
    while (this.injected.length && this.injected[this.injected.length - 1].icount >= this.cpu.icount) this.injected.pop();
    for (const e of this.scheduled) if (e.icount >= this.cpu.icount) this.schedule(e);
    this.exitCode = undefined;
    this.resetBy = undefined;
  }

  private checkSnapshot(s: MachineState): void {
    if (!Number.isInteger(s.version) || s.version < MACHINE_SNAPSHOT_OLDEST || s.version > MACHINE_SNAPSHOT_VERSION) {
      throw new Error(`machine snapshot format ${s.version} is not supported by this bringup (it reads format ${MACHINE_SNAPSHOT_VERSION} and migrates format ${MACHINE_SNAPSHOT_OLDEST})`);
    }
    if (s.board !== this.board.name) throw new Error(`snapshot is of board ${s.board}, not ${this.board.name}`);
  }
}

/** True if the 1024 words from `first` are all zero (a plain loop: a RAM of 1 GiB is scanned in a fraction of a second). */
function pageIsZero(words: Int32Array, first: number): boolean {
  for (let k = first, end = first + 1024; k < end; k++) if (words[k] !== 0) return false;
  return true;
}
