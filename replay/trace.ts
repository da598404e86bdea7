/**
 * The full execution trace: per instruction its PC, the core registers it
 * changed and the words of memory it wrote. Collected one instruction at a
 * time (the run steps singly when a full trace is on), encoded per chunk:
 *
 *   entry := pc:u32 nregs:u8 nmem:u8 (reg:u8 value:u32)*nregs (address:u32 value:u32)*nmem
 *
 * reg 16 is the CPSR. Memory writes are given as the aligned word that
 * contains each written address, read back after the instruction.
 */

import type { Machine } from '../machine/machine';
import type { Cpu } from '../machine/cpu/cpu';

export interface TraceEntry { icount: number; pc: number; regs: Array<[number, number]>; mem: Array<[number, number]> }

export class TraceCollector {
  private out: Buffer = Buffer.alloc(1 << 16);
  private used = 0;
  private pc: number;
  private readonly before = new Int32Array(17);
  private writes: number[] = [];
  private interruptPc: number | undefined;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly machine: Machine) {
    const cpu = machine.cpu;
    this.pc = cpu.pc >>> 0;
    this.saveRegs(cpu);
    this.unsubscribe = [
      machine.probes.access.watch(0, 0xffffffff, (va, write) => { if (write) this.writes.push(va >>> 0); }),
      machine.probes.exception.subscribe((vector) => this.exception(vector, cpu)),
    ];
  }

  /** Stops observing the machine (the recording ended or failed). */
  close(): void {
    for (const off of this.unsubscribe) off();
    this.writes = [];
  }

  /** An interrupt taken at a boundary: the instruction executed next is its vector's. */
  private exception(vector: number, cpu: Cpu): void {
    if (vector === 0x18 || vector === 0x1c) this.interruptPc = (cpu.vectorBase() + vector) >>> 0;
  }

  /** Called after every instruction. */
  step(): void {
    const cpu = this.machine.cpu;
    const pc = this.interruptPc ?? this.pc;
    this.interruptPc = undefined;
    const regs: Array<[number, number]> = [];
    for (let i = 0; i < 15; i++) if (cpu.r[i] !== this.before[i]) regs.push([i, cpu.r[i] >>> 0]);
    const cpsr = cpu.cpsr | 0;
    if (cpsr !== this.before[16]) regs.push([16, cpsr >>> 0]);
    const words = [...new Set(this.writes.map((a) => (a & ~3) >>> 0))];
    this.writes = [];
    const mem: Array<[number, number]> = [];
    for (const va of words) {
      const v = readVirtualWord(this.machine, va);
      if (v !== undefined) mem.push([va, v]);
    }
    this.ensure(6 + regs.length * 5 + mem.length * 8);
    const b = this.out;
    let o = this.used;
    b.writeUInt32LE(pc >>> 0, o); b.writeUInt8(regs.length, o + 4); b.writeUInt8(Math.min(mem.length, 255), o + 5); o += 6;
    for (const [r, v] of regs) { b.writeUInt8(r, o); b.writeUInt32LE(v, o + 1); o += 5; }
    for (const [a, v] of mem.slice(0, 255)) { b.writeUInt32LE(a, o); b.writeUInt32LE(v, o + 4); o += 8; }
    this.used = o;
    this.pc = cpu.pc >>> 0;
    this.saveRegs(cpu);
  }

  /** The entries since the last call, encoded. */
  take(): Buffer {
    const bytes = Buffer.from(this.out.subarray(0, this.used));
    this.used = 0;
    return bytes;
  }

  private saveRegs(cpu: Cpu): void {
    for (let i = 0; i < 15; i++) this.before[i] = cpu.r[i];
    this.before[16] = cpu.cpsr | 0;
  }

  private ensure(n: number): void {
    if (this.used + n <= this.out.length) return;
    const bigger = Buffer.alloc(Math.max(this.out.length * 2, this.used + n));
    this.out.copy(bigger, 0, 0, this.used);
    this.out = bigger;
  }
}

export function decodeTrace(buf: Buffer, from: number): TraceEntry[] {
  const out: TraceEntry[] = [];
  let o = 0;
  let icount = from;
  while (o + 6 <= buf.length) {
    const pc = buf.readUInt32LE(o); const nr = buf.readUInt8(o + 4); const nm = buf.readUInt8(o + 5); o += 6;
    const regs: Array<[number, number]> = [];
    for (let i = 0; i < nr; i++) { regs.push([buf.readUInt8(o), buf.readUInt32LE(o + 1)]); o += 5; }
    const mem: Array<[number, number]> = [];
    for (let i = 0; i < nm; i++) { mem.push([buf.readUInt32LE(o), buf.readUInt32LE(o + 4)]); o += 8; }
    out.push({ icount: icount++, pc, regs, mem });
  }
  return out;
}

/** A word of guest memory at a virtual address as core `core` sees it, without side effects (no TLB fill, no fault). */
export function readVirtualWord(machine: Machine, va: number, core = 0): number | undefined {
  const pa = virtualToPhysical(machine, va, core);
  if (pa === undefined || !machine.bus.isRam(pa)) return undefined;
  return machine.bus.read32((pa & ~3) >>> 0) >>> 0;
}

export function virtualToPhysical(machine: Machine, va: number, core = 0): number | undefined {
  const cpu = machine.cpus[core] ?? machine.cpu;
  const par = cpu.mmu.translateForPar(va >>> 0, false, false);
  if (par & 1) return undefined;
  const supersection = (par & 2) !== 0;
  return supersection ? ((par & 0xff000000) | (va & 0x00ffffff)) >>> 0 : ((par & 0xfffff000) | (va & 0xfff)) >>> 0;
}
