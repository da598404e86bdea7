/**
 * A whole machine: bus, CPU, event queue and the run loop that advances
 * virtual time. Only the board builder wires devices together.
 */

import { Bus, RamRegion } from './bus';
import { Cpu, type CpuSnapshot } from './cpu/cpu';
import { EventQueue } from './events';
import { BOARDS, type BoardSpec } from './boards/boards';
import type { ElfImage } from './loaders/elf';
import { ImageError } from './loaders/elf';
import { Semihosting, type SemihostingConfig } from './semihosting';

export type StopReason =
  | { kind: 'exit'; code: number }
  | { kind: 'limit' }
  | { kind: 'idle' }
  | { kind: 'stopped' };

export interface MachineSnapshot {
  version: number;
  board: string;
  cpu: CpuSnapshot;
  /** Non-zero 4 KiB pages of each RAM region (regions are mostly empty). */
  ram: Array<{ name: string; pages: Array<{ index: number; bytes: Uint8Array }> }>;
}

export interface GuestError { message: string; pc: number; icount: number }

export class Machine {
  readonly bus = new Bus();
  readonly cpu: Cpu;
  readonly events = new EventQueue();
  readonly ram = new Map<string, RamRegion>();
  semihosting: Semihosting | undefined;
  readonly guestErrors: GuestError[] = [];
  onGuestError: (e: GuestError) => void = () => {};
  private exitCode: number | undefined;

  constructor(readonly board: BoardSpec) {
    for (const m of board.memory) {
      if (m.aliasOf) {
        const target = this.ram.get(m.aliasOf);
        if (!target) throw new Error(`board ${board.name}: alias ${m.name} of unknown region ${m.aliasOf}`);
        this.ram.set(m.name, this.bus.addRamAlias(m.name, m.base, target, m.size));
      } else {
        this.ram.set(m.name, this.bus.addRam(m.name, m.base, m.size));
      }
    }
    this.cpu = new Cpu(this.bus);
    this.cpu.guestError = (message, pc) => {
      const e = { message, pc, icount: this.cpu.icount };
      this.guestErrors.push(e);
      this.onGuestError(e);
    };
  }

  static create(boardName: string): Machine {
    const spec = BOARDS[boardName];
    if (!spec) throw new Error(`unknown board '${boardName}' (known: ${Object.keys(BOARDS).join(', ')})`);
    return new Machine(spec);
  }

  enableSemihosting(config: Omit<SemihostingConfig, 'ramBase' | 'ramSize'>): Semihosting {
    const main = this.ram.get(this.board.mainRam)!;
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
    for (const s of image.segments) {
      if (s.data.length > s.memsz) throw new ImageError(`${fileName}: segment at 0x${s.paddr.toString(16)} has filesz > memsz`);
      const fits = (a: number) => this.bus.isRam(a >>> 0);
      if (!fits(s.paddr) || !fits(s.paddr + s.memsz - 1)) {
        throw new ImageError(`${fileName}: segment at 0x${s.paddr.toString(16)} (${s.memsz} bytes) is outside the RAM of board ${this.board.name}`);
      }
      this.bus.loadBytes(s.paddr, s.data);
      if (s.memsz > s.data.length) this.bus.loadBytes(s.paddr + s.data.length, new Uint8Array(s.memsz - s.data.length));
    }
    this.cpu.pc = image.entry >>> 0;
    if (image.entry & 1) this.cpu.t = 1;
  }

  /** Runs until the instruction count reaches `limit` (absolute) or the guest stops. */
  runUntil(limit: number): StopReason {
    const cpu = this.cpu;
    for (;;) {
      if (this.exitCode !== undefined) return { kind: 'exit', code: this.exitCode };
      if (cpu.icount >= limit) return { kind: 'limit' };
      const next = this.events.nextTime();
      if (cpu.icount >= next) { this.events.runDue(cpu.icount); continue; }
      const target = Math.min(limit, next);
      cpu.run(target - cpu.icount);
      if (this.exitCode !== undefined) return { kind: 'exit', code: this.exitCode };
      if (cpu.stopRequested) return { kind: 'stopped' };
      if (cpu.waiting && !cpu.irqLine && !cpu.fiqLine) {
        // WFI with nothing pending: skip straight to the next event.
        if (next === Infinity) return { kind: 'idle' };
        cpu.icount = Math.max(cpu.icount, Math.min(next, limit));
      }
    }
  }

  /** Runs `count` more instructions at most. */
  run(count: number): StopReason {
    return this.runUntil(this.cpu.icount + count);
  }

  snapshot(): MachineSnapshot {
    const ram: MachineSnapshot['ram'] = [];
    for (const m of this.board.memory) {
      if (m.aliasOf) continue;
      const region = this.ram.get(m.name)!;
      const pages: Array<{ index: number; bytes: Uint8Array }> = [];
      for (let p = 0; p < region.size >>> 12; p++) {
        const words = region.i32.subarray(p << 10, (p + 1) << 10);
        if (words.some((w) => w !== 0)) pages.push({ index: p, bytes: region.u8.slice(p << 12, (p + 1) << 12) });
      }
      ram.push({ name: m.name, pages });
    }
    return { version: 1, board: this.board.name, cpu: this.cpu.snapshot(), ram };
  }

  restore(s: MachineSnapshot): void {
    if (s.version !== 1) throw new Error(`machine snapshot version ${s.version} is not supported (expected 1)`);
    if (s.board !== this.board.name) throw new Error(`snapshot is of board ${s.board}, not ${this.board.name}`);
    for (const r of s.ram) {
      const region = this.ram.get(r.name);
      if (!region) throw new Error(`snapshot has RAM region ${r.name} that board ${this.board.name} lacks`);
      region.u8.fill(0);
      for (const p of r.pages) region.u8.set(p.bytes, p.index << 12);
    }
    this.cpu.restore(s.cpu);
    this.exitCode = undefined;
  }
}
