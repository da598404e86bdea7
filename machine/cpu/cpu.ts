/**
 * The Cortex-A9 core: architectural state, exception entry, data accesses
 * through the MMU, and the fetch/decode/execute loop with a per-physical-page
 * decode cache.
 *
 * Instruction semantics live in the family files under a32/, driven by the
 * encoding table; this file knows nothing about individual instructions.
 *
 * Timing: every instruction that is fetched and decoded counts one tick
 * (including one that faults or is UNDEFINED); exception entry itself takes
 * no tick. A condition-failed instruction counts one tick.
 */

import { Bus, BusError } from '../bus';
import { Cp15, type Cp15Options } from './cp15';
import { Mmu, ACCESS_READ, ACCESS_WRITE, ACCESS_FETCH, type MmuSnapshot } from '../mmu/mmu';
import { Decoder, type Handler } from './encoding';
import {
  MODE_USR, MODE_FIQ, MODE_IRQ, MODE_SVC, MODE_ABT, MODE_UND, bankOf, Vector,
} from './modes';
import { a32Decoder } from './a32/table';
import { VfpState, type VfpSnapshot } from './vfp/state';
import { DATA_ABORT, PREFETCH_ABORT, FS_ALIGNMENT, FS_SYNC_EXTERNAL, faultStatusRegister } from './faults';
import { AccessProbe, ExecProbe, Probe } from '../probes';


/** Access flags for the data-access helpers. */
export const ACC_ALIGN = 1; // fault on any misalignment (LDM, LDRD, LDREX, ...)
export const ACC_UNPRIV = 2; // LDRT/STRT: check permissions as if in User mode


export type GuestErrorSink = (message: string, pc: number) => void;

interface DecodedPage {
  pa: number;
  handlers: Array<Handler | undefined>;
  insns: Int32Array;
}

/**
 * The CPU's architectural state by name (version 2): the registers of every
 * bank as the architecture names them (r0-r7, r8_usr-r12_usr, r8_fiq-r12_fiq,
 * sp_<mode> and lr_<mode> for usr, fiq, irq, svc, abt, und, and pc), CPSR as
 * one word, the SPSR of each exception mode, the exclusive monitor, the
 * event register, CP15 registers by name, VFP and the TLB. How the simulator
 * keeps the banks internally is not part of it.
 */
export interface CpuSnapshot {
  version: number;
  registers: Record<string, number>;
  cpsr: number;
  spsr: Record<string, number>;
  icount: number; waiting: boolean; eventRegister: number;
  monitorAddr: number; monitorActive: boolean;
  cp15: Record<string, number>;
  /** TLB contents: guests may legitimately depend on stale entries. */
  mmu?: MmuSnapshot;
  vfp?: VfpSnapshot;
}

/** Version 1: the simulator's own arrays (the live registers of the current mode, bank copies by index). */
export interface CpuSnapshotV1 {
  version: 1;
  r: number[]; pc: number;
  n: number; z: number; c: number; v: number; q: number; ge: number;
  mode: number; t: number; e: number; a: number; i: number; f: number; it: number;
  spsr: number[]; bankSp: number[]; bankLr: number[]; usrHigh: number[]; fiqHigh: number[];
  icount: number; waiting: boolean; eventRegister: number;
  monitorAddr: number; monitorActive: boolean;
  cp15: Record<string, number>;
  mmu?: MmuSnapshot;
  vfp?: VfpSnapshot;
}

export const CPU_SNAPSHOT_VERSION = 2;

/** Register banks by bankOf() index, with their architectural suffix. */
const BANK_NAMES = ['usr', 'fiq', 'irq', 'svc', 'abt', 'und'];

export class Cpu {
  /** r0-r15 of the current mode. During execution r[15] reads as the instruction address + 8. */
  readonly r = new Int32Array(16);
  /** Address of the instruction being executed (or next to execute, between instructions). */
  pc = 0;
  /** Where execution continues after the current instruction; handlers that branch set it. */
  nextPc = 0;

  // CPSR, split into fields so the hot paths test plain numbers.
  n = 0; z = 0; c = 0; v = 0; q = 0; ge = 0;
  mode = MODE_SVC; t = 0; e = 0; a = 1; i = 1; f = 1; it = 0;

  /** SPSR per bank (index 0, USR/SYS, has none). */
  readonly spsr = new Int32Array(6);
  readonly bankSp = new Int32Array(6);
  readonly bankLr = new Int32Array(6);
  /** r8-r12 outside FIQ mode, and FIQ mode's own r8-r12. */
  readonly usrHigh = new Int32Array(5);
  readonly fiqHigh = new Int32Array(5);

  /** Retired instruction count = virtual time in ticks. */
  icount = 0;
  /** Set by WFI; the machine skips time to the next event. */
  waiting = false;
  eventRegister = 0;

  /** Local exclusive monitor (physical address, -1 when open). */
  monitorAddr = -1;
  monitorActive = false;

  /** Interrupt lines from the interrupt controller. */
  irqLine = false;
  fiqLine = false;

  readonly cp15: Cp15;
  /** VFPv3-D16 registers and control (FPSCR, FPEXC, ID registers). */
  readonly vfp = new VfpState();
  readonly mmu: Mmu;
  readonly decoder: Decoder;

  /** Called on SVC before the exception is taken; returns true if it handled the call. */
  svcHook: ((cpu: Cpu, imm: number) => boolean) | undefined;
  /** Called on BKPT; returns true to stop the run loop. */
  bkptHook: ((cpu: Cpu, imm: number) => boolean) | undefined;
  guestError: GuestErrorSink = () => {};
  /**
   * Executes Thumb code: called when the CPU is in Thumb state; returns the number
   * of instructions executed (it stops when T is cleared, on WFI, a stop request
   * or when the budget is spent, and counts icount itself).
   */
  thumb: { run(cpu: Cpu, budget: number): number; invalidate?(cpu: Cpu): void } | undefined;
  /** Instructions at an address (fault injection, replay targets, breakpoints): subscribe here. */
  readonly execProbe = new ExecProbe<Cpu>();
  /**
   * Execution hooks by instruction address, the dispatch table the run loop
   * reads: called before the instruction at that address executes; returning
   * true means the hook took the instruction's place (it set nextPc, or raised
   * an exception). Filled only by execProbe.
   */
  readonly execHooks = this.execProbe.table;
  /** Data accesses in address ranges; a watcher may raise a data abort. */
  readonly accessProbe = new AccessProbe();
  /** Exception entries (recordings log exceptions, IRQs and hypercalls). */
  readonly exceptionProbe = new Probe<[vector: Vector, fromPc: number, fromMode: number]>();
  /** Instruction count at which the current run() returns. */
  runEnd = 0;
  /** Set to make the run loop return at the next instruction boundary. */
  stopRequested = false;

  private readonly pages = new Map<number, DecodedPage>();
  /** Bumped whenever cached fetch translations or decoded pages may be stale. */
  codeGen = 0;
  /** Guest errors already reported, by address then message (or instruction word). */
  private reportedOnce = new Map<number, Set<string>>();
  private reportedInsns = new Map<number, Set<number>>();
  /** Guest errors that repeated one already reported (counted, not reported again). */
  repeatedGuestErrors = 0;

  constructor(readonly bus: Bus, cp15Options: Cp15Options = {}) {
    this.cp15 = new Cp15(this, cp15Options);
    this.mmu = new Mmu(this.cp15, bus);
    this.decoder = a32Decoder();
    bus.dataAbort = (va, write) => {
      this.cp15.dfsr = faultStatusRegister(FS_SYNC_EXTERNAL, 0, write);
      this.cp15.dfar = va >>> 0;
      throw DATA_ABORT;
    };
    bus.codeWriteProbe.subscribe((page) => {
      for (const p of bus.pagesSharing(page)) {
        if (this.pages.delete(p)) this.codeGen++;
        bus.codePages[p] = 0;
      }
    });
    this.reset();
  }

  reset(): void {
    this.r.fill(0);
    this.spsr.fill(0); this.bankSp.fill(0); this.bankLr.fill(0);
    this.usrHigh.fill(0); this.fiqHigh.fill(0);
    this.n = this.z = this.c = this.v = this.q = 0; this.ge = 0;
    this.mode = MODE_SVC; this.t = 0; this.e = 0; this.a = 1; this.i = 1; this.f = 1; this.it = 0;
    this.icount = 0; this.waiting = false; this.eventRegister = 0;
    this.monitorAddr = -1; this.monitorActive = false;
    this.cp15.reset();
    this.vfp.reset();
    this.mmu.flush();
    this.pc = this.vectorBase() >>> 0;
    this.invalidateCode();
  }

  // ---- CPSR / modes -------------------------------------------------------

  get cpsr(): number {
    return ((this.n << 31) | (this.z << 30) | (this.c << 29) | (this.v << 28) | (this.q << 27) |
      ((this.it & 3) << 25) | (this.ge << 16) | ((this.it >>> 2) << 10) | (this.e << 9) |
      (this.a << 8) | (this.i << 7) | (this.f << 6) | (this.t << 5) | this.mode) >>> 0;
  }

  /** Writes every CPSR field (exception return, restore). The mode must be valid. */
  setCpsr(value: number): void {
    this.setFlags(value);
    this.ge = (value >>> 16) & 0xf;
    this.it = ((value >>> 25) & 3) | (((value >>> 10) & 0x3f) << 2);
    this.e = (value >>> 9) & 1;
    this.a = (value >>> 8) & 1;
    this.i = (value >>> 7) & 1;
    this.f = (value >>> 6) & 1;
    this.t = (value >>> 5) & 1;
    if (this.t) this.codeGen++;
    this.changeMode(value & 0x1f);
  }

  /** Writes N, Z, C, V, Q from bits 31:27. */
  setFlags(value: number): void {
    this.n = (value >>> 31) & 1;
    this.z = (value >>> 30) & 1;
    this.c = (value >>> 29) & 1;
    this.v = (value >>> 28) & 1;
    this.q = (value >>> 27) & 1;
  }

  /** Switches mode, swapping banked registers. The caller guarantees the mode is valid. */
  changeMode(newMode: number): void {
    const oldMode = this.mode;
    if (oldMode === newMode) return;
    const ob = bankOf(oldMode), nb = bankOf(newMode);
    const r = this.r;
    if (ob !== nb) {
      this.bankSp[ob] = r[13]; this.bankLr[ob] = r[14];
      r[13] = this.bankSp[nb]; r[14] = this.bankLr[nb];
    }
    if (oldMode === MODE_FIQ && newMode !== MODE_FIQ) {
      for (let k = 0; k < 5; k++) { this.fiqHigh[k] = r[8 + k]; r[8 + k] = this.usrHigh[k]; }
    } else if (oldMode !== MODE_FIQ && newMode === MODE_FIQ) {
      for (let k = 0; k < 5; k++) { this.usrHigh[k] = r[8 + k]; r[8 + k] = this.fiqHigh[k]; }
    }
    if ((oldMode === MODE_USR) !== (newMode === MODE_USR)) this.codeGen++;
    this.mode = newMode;
  }

  isPrivileged(): boolean { return this.mode !== MODE_USR; }

  currentSpsr(): number { return this.spsr[bankOf(this.mode)] >>> 0; }
  setCurrentSpsr(v: number): void { this.spsr[bankOf(this.mode)] = v; }

  /** The User-mode view of a register (LDM/STM with ^). */
  userReg(n: number): number {
    if (n < 8 || n === 15) return this.r[n];
    if (n < 13) return this.mode === MODE_FIQ ? this.usrHigh[n - 8] : this.r[n];
    if (bankOf(this.mode) === 0) return this.r[n];
    return n === 13 ? this.bankSp[0] : this.bankLr[0];
  }

  setUserReg(n: number, v: number): void {
    if (n < 8 || n === 15) { this.r[n] = v; return; }
    if (n < 13) { if (this.mode === MODE_FIQ) this.usrHigh[n - 8] = v; else this.r[n] = v; return; }
    if (bankOf(this.mode) === 0) { this.r[n] = v; return; }
    if (n === 13) this.bankSp[0] = v; else this.bankLr[0] = v;
  }

  conditionPassed(cond: number): boolean {
    switch (cond) {
      case 0: return this.z === 1;
      case 1: return this.z === 0;
      case 2: return this.c === 1;
      case 3: return this.c === 0;
      case 4: return this.n === 1;
      case 5: return this.n === 0;
      case 6: return this.v === 1;
      case 7: return this.v === 0;
      case 8: return this.c === 1 && this.z === 0;
      case 9: return this.c === 0 || this.z === 1;
      case 10: return this.n === this.v;
      case 11: return this.n !== this.v;
      case 12: return this.z === 0 && this.n === this.v;
      case 13: return this.z === 1 || this.n !== this.v;
      default: return true;
    }
  }

  // ---- PC writes (ARMv7 pseudocode names) ----------------------------------

  /** B, BL: stays in the current instruction set. */
  branchWritePC(addr: number): void {
    this.nextPc = (this.t ? addr & ~1 : addr & ~3) >>> 0;
  }

  /** BX, BLX (register), loads to PC and, in ARM state, ALU writes to PC: interworking. */
  bxWritePC(addr: number): void {
    if (addr & 1) {
      this.t = 1;
      this.codeGen++;
      this.nextPc = (addr & ~1) >>> 0;
    } else {
      this.t = 0;
      this.nextPc = (addr & ~3) >>> 0;
    }
  }

  loadWritePC(addr: number): void { this.bxWritePC(addr); }
  aluWritePC(addr: number): void {
    if (this.t) this.branchWritePC(addr); else this.bxWritePC(addr);
  }

  /** Writes a result register; a write to r15 is an interworking ALU branch. */
  writeRegAlu(d: number, v: number): void {
    if (d === 15) this.aluWritePC(v); else this.r[d] = v;
  }

  // ---- exceptions ---------------------------------------------------------

  vectorBase(): number {
    return this.cp15.sctlr & (1 << 13) ? 0xffff0000 : this.cp15.vbar & ~0x1f;
  }

  /**
   * Exception entry: saves CPSR to the new mode's SPSR, sets LR, switches mode,
   * masks interrupts as the architecture requires and continues at the vector.
   */
  enterException(vector: Vector, newMode: number, lr: number): void {
    if (this.exceptionProbe.active) this.exceptionProbe.emit(vector, this.pc >>> 0, this.mode);
    const saved = this.cpsr;
    this.changeMode(newMode);
    this.spsr[bankOf(newMode)] = saved;
    this.r[14] = lr;
    this.i = 1;
    if (vector === Vector.Fiq || vector === Vector.Reset) this.f = 1;
    if (vector !== Vector.Undefined && vector !== Vector.Svc) this.a = 1;
    this.it = 0;
    this.t = (this.cp15.sctlr >>> 30) & 1; // SCTLR.TE
    if (this.t) this.codeGen++;
    this.e = (this.cp15.sctlr >>> 25) & 1; // SCTLR.EE
    this.nextPc = (this.vectorBase() + vector) >>> 0;
    this.pc = this.nextPc;
    this.waiting = false;
  }

  /** UNDEFINED instruction at this.pc. */
  undefinedInstruction(reason?: string): void {
    if (reason) this.reportOnce(`undefined instruction: ${reason}`);
    this.enterException(Vector.Undefined, MODE_UND, (this.pc + (this.t ? 2 : 4)) | 0);
  }

  /** SVC at this.pc (the caller has offered it to the semihosting hook). */
  supervisorCall(): void {
    this.enterException(Vector.Svc, MODE_SVC, (this.pc + (this.t ? 2 : 4)) | 0);
  }

  private takeDataAbort(): void {
    this.enterException(Vector.DataAbort, MODE_ABT, (this.pc + 8) | 0);
  }

  /** Prefetch Abort for the instruction at this.pc (e.g. a BKPT debug event). */
  prefetchAbort(status: number, ifar: number): void {
    this.cp15.ifsr = faultStatusRegister(status, 0, false);
    this.cp15.ifar = ifar >>> 0;
    this.takePrefetchAbort();
  }

  private takePrefetchAbort(): void {
    this.enterException(Vector.PrefetchAbort, MODE_ABT, (this.pc + 4) | 0);
  }

  /** Reports a guest error once per distinct message and address; repeats are only counted. */
  reportOnce(message: string): void {
    const pc = this.pc >>> 0;
    let seen = this.reportedOnce.get(pc);
    if (seen === undefined) { seen = new Set(); this.reportedOnce.set(pc, seen); }
    if (seen.has(message)) { this.repeatedGuestErrors++; return; }
    seen.add(message);
    this.guestError(message, pc);
  }

  /**
   * True the first time the instruction word `insn` is reported at this.pc,
   * false (and counted) after that: lets the handlers of undefined encodings
   * skip building their message when a guest executes one over and over.
   */
  firstReportOf(insn: number): boolean {
    const pc = this.pc >>> 0;
    let seen = this.reportedInsns.get(pc);
    if (seen === undefined) { seen = new Set(); this.reportedInsns.set(pc, seen); }
    if (seen.has(insn | 0)) { this.repeatedGuestErrors++; return false; }
    seen.add(insn | 0);
    return true;
  }

  // ---- data accesses --------------------------------------------------------

  private dataFault(va: number, status: number, write: boolean): never {
    this.cp15.dfsr = faultStatusRegister(status, 0, write);
    this.cp15.dfar = va >>> 0;
    throw DATA_ABORT;
  }

  /** Abandons the current instruction with a data abort of the given fault status (fault injection). */
  injectDataAbort(va: number, status: number, write: boolean, domain = 0): never {
    this.cp15.dfsr = faultStatusRegister(status, domain, write);
    this.cp15.dfar = va >>> 0;
    throw DATA_ABORT;
  }

  /**
   * Takes a data abort now, between instructions, with the given fault status
   * and address in DFSR/DFAR (fault injection at an instruction boundary): the
   * instruction at pc is the one that aborted.
   */
  enterDataAbort(va: number, status: number, write: boolean, domain = 0): void {
    this.cp15.dfsr = faultStatusRegister(status, domain, write);
    this.cp15.dfar = va >>> 0;
    this.takeDataAbort();
  }

  /** Abandons the current instruction with a prefetch abort of the given fault status (fault injection). */
  injectPrefetchAbort(va: number, status: number): never {
    this.cp15.ifsr = faultStatusRegister(status, 0, false);
    this.cp15.ifar = va >>> 0;
    throw PREFETCH_ABORT;
  }

  /** Alignment fault if va is not size-aligned (exclusives check this before the monitor). */
  checkAlignment(va: number, size: number, write: boolean): void {
    if ((va & (size - 1)) !== 0) this.dataFault(va, FS_ALIGNMENT, write);
  }

  private checkAlign(va: number, size: number, flags: number, write: boolean): void {
    if ((va & (size - 1)) !== 0 && ((flags & ACC_ALIGN) !== 0 || (this.cp15.sctlr & 2) !== 0)) {
      this.dataFault(va, FS_ALIGNMENT, write);
    }
  }

  private translate(va: number, kind: number, flags: number): number {
    if (this.accessProbe.active) this.accessProbe.emit(va, kind === ACCESS_WRITE);
    if (!this.mmu.enabled) return va >>> 0;
    const user = (flags & ACC_UNPRIV) !== 0 || this.mode === MODE_USR;
    return this.mmu.translate(va >>> 0, kind, user);
  }

  private busFault(e: unknown, va: number, write: boolean): never {
    if (e instanceof BusError) {
      this.cp15.dfsr = faultStatusRegister(FS_SYNC_EXTERNAL, 0, write);
      this.cp15.dfar = va >>> 0;
      throw DATA_ABORT;
    }
    throw e;
  }

  read32(va: number, flags = 0): number {
    this.checkAlign(va, 4, flags, false);
    if ((va & 3) !== 0) {
      const v = this.read8(va, flags) | (this.read8(va + 1, flags) << 8) |
        (this.read8(va + 2, flags) << 16) | (this.read8(va + 3, flags) << 24);
      return this.e ? bswap32(v) : v;
    }
    const v = this.bus.readData32(this.translate(va, ACCESS_READ, flags), va);
    return this.e ? bswap32(v) : v;
  }

  read16(va: number, flags = 0): number {
    this.checkAlign(va, 2, flags, false);
    if ((va & 1) !== 0) {
      const v = this.read8(va, flags) | (this.read8(va + 1, flags) << 8);
      return this.e ? bswap16(v) : v;
    }
    const v = this.bus.readData16(this.translate(va, ACCESS_READ, flags), va);
    return this.e ? bswap16(v) : v;
  }

  read8(va: number, flags = 0): number {
    return this.bus.readData8(this.translate(va, ACCESS_READ, flags), va);
  }

  write32(va: number, v: number, flags = 0): void {
    this.checkAlign(va, 4, flags, true);
    if (this.e) v = bswap32(v);
    if ((va & 3) !== 0) {
      // Translate every byte first so that a fault leaves memory untouched.
      const pas = [0, 1, 2, 3].map((k) => this.translate(va + k, ACCESS_WRITE, flags));
      try { for (let k = 0; k < 4; k++) this.bus.write8(pas[k], v >>> (8 * k)); } catch (e) { this.busFault(e, va, true); }
      this.clearMonitorOnStore(pas[0]);
      return;
    }
    this.bus.writeData32(this.translate(va, ACCESS_WRITE, flags), v, va);
  }

  write16(va: number, v: number, flags = 0): void {
    this.checkAlign(va, 2, flags, true);
    if (this.e) v = bswap16(v);
    if ((va & 1) !== 0) {
      const p0 = this.translate(va, ACCESS_WRITE, flags);
      const p1 = this.translate(va + 1, ACCESS_WRITE, flags);
      try { this.bus.write8(p0, v); this.bus.write8(p1, v >>> 8); } catch (e) { this.busFault(e, va, true); }
      return;
    }
    this.bus.writeData16(this.translate(va, ACCESS_WRITE, flags), v, va);
  }

  write8(va: number, v: number, flags = 0): void {
    this.bus.writeData8(this.translate(va, ACCESS_WRITE, flags), v, va);
  }

  /** Physical address of a data access, faulting as the access would (for LDREX/STREX). */
  translateData(va: number, write: boolean, flags = 0): number {
    return this.translate(va, write ? ACCESS_WRITE : ACCESS_READ, flags);
  }

  private clearMonitorOnStore(_pa: number): void {
    // The local monitor of a single core is not cleared by ordinary stores
    // (ARM ARM B2.9.3: IMPLEMENTATION DEFINED; Cortex-A9 does not).
  }

  // ---- the run loop ---------------------------------------------------------

  invalidateCode(): void {
    for (const page of this.pages.keys()) this.bus.codePages[page] = 0;
    this.pages.clear();
    this.codeGen++;
    this.thumb?.invalidate?.(this);
  }

  /** Called when translations change (TLB maintenance, SCTLR, TTBR, DACR, ASID). */
  translationChanged(): void {
    this.codeGen++;
  }

  private decodedPage(pa: number): DecodedPage {
    const page = pa >>> 12;
    let p = this.pages.get(page);
    if (!p) {
      p = { pa: page << 12 >>> 0, handlers: new Array<Handler | undefined>(1024).fill(undefined), insns: new Int32Array(1024) };
      this.pages.set(page, p);
      for (const q of this.bus.pagesSharing(page)) this.bus.codePages[q] = 1;
    }
    return p;
  }

  private fetchFault(va: number, status: number): never {
    this.cp15.ifsr = faultStatusRegister(status, 0, false);
    this.cp15.ifar = va >>> 0;
    throw PREFETCH_ABORT;
  }

  /**
   * Decodes the instruction at pa into the page's cache. A fetch from an
   * address with nothing behind it sets IFSR/IFAR and returns fetchAbortHandler
   * (not cached) for the run loop to take the Prefetch Abort without throwing:
   * a guest whose vectors point nowhere takes one abort after another, and
   * each must cost about as much as an instruction.
   */
  private decodeInto(page: DecodedPage, index: number, pa: number): Handler {
    if (!this.bus.isMapped(pa)) {
      this.cp15.ifsr = faultStatusRegister(FS_SYNC_EXTERNAL, 0, false);
      this.cp15.ifar = this.pc >>> 0;
      return fetchAbortHandler;
    }
    let insn: number;
    try { insn = this.bus.read32(pa); } catch (e) {
      if (e instanceof BusError) this.fetchFault(this.pc, FS_SYNC_EXTERNAL);
      throw e;
    }
    const d = this.decoder.decode(insn >>> 0);
    let h: Handler;
    if (d.kind === 'ok') h = d.row.exec;
    else if (d.kind === 'undefined') h = undefinedHandler;
    else h = unpredictableHandler;
    page.handlers[index] = h;
    page.insns[index] = insn;
    return h;
  }

  /** The interrupt the CPU takes at the next instruction boundary: Vector.Fiq, Vector.Irq, or -1 for none (FIQ first). */
  pendingInterrupt(): Vector.Fiq | Vector.Irq | -1 {
    if (this.fiqLine && !this.f) return Vector.Fiq;
    if (this.irqLine && !this.i) return Vector.Irq;
    return -1;
  }

  /** Address of the instruction executed next: the FIQ or IRQ vector if one is taken first, else pc. */
  nextInstructionAddress(): number {
    const v = this.pendingInterrupt();
    return v < 0 ? this.pc >>> 0 : (this.vectorBase() + v) >>> 0;
  }

  /** Takes a pending, unmasked interrupt. Returns true if one was taken. */
  private takeInterrupt(): boolean {
    const v = this.pendingInterrupt();
    if (v < 0) return false;
    this.enterException(v as Vector, v === Vector.Fiq ? MODE_FIQ : MODE_IRQ, (this.pc + 4) | 0);
    return true;
  }

  /**
   * Executes up to `budget` instructions; returns how many were executed.
   * Stops early on WFI (with nothing pending), a stop request or a breakpoint hook.
   */
  run(budget: number): number {
    const start = this.icount;
    this.runEnd = start + budget;
    let gen = -1;
    let pageVa = 1; // never page aligned: forces the first lookup
    let page: DecodedPage | undefined;
    const r = this.r;
    this.stopRequested = false;
    while (this.icount < this.runEnd) {
      try {
        while (this.icount < this.runEnd) {
          if (this.irqLine || this.fiqLine) {
            if (this.takeInterrupt()) continue;
            if (this.waiting) this.waiting = false;
          }
          if (this.waiting || this.stopRequested) return this.icount - start;
          const pc = this.pc;
          this.icount++;
          if (this.execHooks.size !== 0) {
            const hook = this.execHooks.get(pc);
            if (hook !== undefined) {
              this.nextPc = (pc + 4) >>> 0;
              r[15] = pc + 8;
              if (hook(this)) { this.pc = this.nextPc; pageVa = 1; continue; }
            }
          }
          // The fetch translation and decoded page are reused while codeGen is
          // unchanged; entering Thumb state or changing privilege bumps it.
          if (gen !== this.codeGen || (pc & ~0xfff) !== pageVa) {
            pageVa = 1;
            if (this.t) {
              if (this.thumb === undefined) {
                this.undefinedInstruction('Thumb state, but this CPU has no Thumb executor (branch to an odd address)');
                continue;
              }
              // Thumb code runs in its own loop until it leaves Thumb state or the
              // budget ends; it counts its own instructions.
              this.icount--;
              this.thumb.run(this, this.runEnd - this.icount);
              continue;
            }
            let pa = pc & ~0xfff;
            if (this.mmu.enabled) {
              // Faults here set IFSR/IFAR and throw PREFETCH_ABORT.
              pa = this.mmu.translate(pc >>> 0, ACCESS_FETCH, this.mode === MODE_USR) & ~0xfff;
            }
            page = this.decodedPage(pa >>> 0);
            pageVa = pc & ~0xfff;
            gen = this.codeGen;
          }
          const index = (pc & 0xfff) >>> 2;
          const p = page!;
          let h = p.handlers[index];
          if (h === undefined) {
            h = this.decodeInto(p, index, p.pa + (pc & 0xfff));
            if (h === fetchAbortHandler) { this.takePrefetchAbort(); continue; }
          }
          const insn = p.insns[index];
          this.nextPc = (pc + 4) >>> 0;
          r[15] = pc + 8;
          const cond = insn >>> 28;
          if (cond >= 14 || this.conditionPassed(cond)) h(this, insn);
          this.pc = this.nextPc;
        }
      } catch (e) {
        pageVa = 1;
        if (e === DATA_ABORT) this.takeDataAbort();
        else if (e === PREFETCH_ABORT) this.takePrefetchAbort();
        else throw e;
      }
    }
    return this.icount - start;
  }

  /**
   * Ends the current run() at `time` (an absolute instruction count) if it would
   * otherwise go past it: an event was scheduled during the run.
   */
  shortenRun(time: number): void {
    if (time < this.runEnd) this.runEnd = Math.max(time, this.icount);
  }

  // ---- snapshots ------------------------------------------------------------

  snapshot(): CpuSnapshot {
    const r = this.r;
    const fiq = this.mode === MODE_FIQ;
    const cur = bankOf(this.mode);
    const registers: Record<string, number> = {};
    for (let k = 0; k < 8; k++) registers[`r${k}`] = r[k] >>> 0;
    for (let k = 0; k < 5; k++) {
      registers[`r${8 + k}_usr`] = (fiq ? this.usrHigh[k] : r[8 + k]) >>> 0;
      registers[`r${8 + k}_fiq`] = (fiq ? r[8 + k] : this.fiqHigh[k]) >>> 0;
    }
    BANK_NAMES.forEach((name, b) => {
      registers[`sp_${name}`] = (b === cur ? r[13] : this.bankSp[b]) >>> 0;
      registers[`lr_${name}`] = (b === cur ? r[14] : this.bankLr[b]) >>> 0;
    });
    registers.pc = this.pc >>> 0;
    const spsr: Record<string, number> = {};
    for (let b = 1; b < BANK_NAMES.length; b++) spsr[BANK_NAMES[b]] = this.spsr[b] >>> 0;
    return {
      version: CPU_SNAPSHOT_VERSION,
      registers, cpsr: this.cpsr, spsr,
      icount: this.icount, waiting: this.waiting, eventRegister: this.eventRegister,
      monitorAddr: this.monitorAddr, monitorActive: this.monitorActive,
      cp15: this.cp15.snapshot(),
      mmu: this.mmu.snapshot(),
      vfp: this.vfp.snapshot(),
    };
  }

  /** Restores a snapshot of version 2, or of version 1 migrated to it; refuses others naming both versions. */
  restore(snapshot: CpuSnapshot | CpuSnapshotV1): void {
    const s = snapshot.version === 1 ? migrateCpuSnapshotV1(snapshot as CpuSnapshotV1) : snapshot as CpuSnapshot;
    if (s.version !== CPU_SNAPSHOT_VERSION) {
      throw new Error(`CPU snapshot version ${s.version} is not supported by this bringup (it reads version ${CPU_SNAPSHOT_VERSION} and migrates version 1)`);
    }
    const reg = (name: string): number => {
      const v = s.registers?.[name];
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) throw new Error(`CPU snapshot: register ${name} is missing or not a 32-bit number`);
      return v | 0;
    };
    const cpsr = s.cpsr >>> 0;
    const mode = cpsr & 0x1f;
    const cur = bankOf(mode);
    if (cur < 0) throw new Error(`CPU snapshot: CPSR 0x${cpsr.toString(16)} has no valid mode`);
    const r = this.r;
    for (let k = 0; k < 8; k++) r[k] = reg(`r${k}`);
    for (let k = 0; k < 5; k++) {
      this.usrHigh[k] = reg(`r${8 + k}_usr`);
      this.fiqHigh[k] = reg(`r${8 + k}_fiq`);
      r[8 + k] = mode === MODE_FIQ ? this.fiqHigh[k] : this.usrHigh[k];
    }
    BANK_NAMES.forEach((name, b) => {
      this.bankSp[b] = reg(`sp_${name}`);
      this.bankLr[b] = reg(`lr_${name}`);
      this.spsr[b] = b === 0 ? 0 : (s.spsr?.[name] ?? 0) | 0;
    });
    r[13] = this.bankSp[cur];
    r[14] = this.bankLr[cur];
    this.pc = reg('pc') >>> 0;
    this.mode = mode;
    this.setFlags(cpsr);
    this.ge = (cpsr >>> 16) & 0xf;
    this.it = ((cpsr >>> 25) & 3) | (((cpsr >>> 10) & 0x3f) << 2);
    this.e = (cpsr >>> 9) & 1;
    this.a = (cpsr >>> 8) & 1;
    this.i = (cpsr >>> 7) & 1;
    this.f = (cpsr >>> 6) & 1;
    this.t = (cpsr >>> 5) & 1;
    r[15] = (this.pc + (this.t ? 4 : 8)) | 0;
    this.icount = s.icount; this.waiting = s.waiting; this.eventRegister = s.eventRegister;
    this.monitorAddr = s.monitorAddr; this.monitorActive = s.monitorActive;
    this.cp15.restore(s.cp15);
    if (s.vfp) this.vfp.restore(s.vfp); else this.vfp.reset();
    if (s.mmu) this.mmu.restore(s.mmu); else this.mmu.flush();
    this.invalidateCode();
  }
}

/** A version-1 CPU snapshot in the architectural form of version 2 (the stale bank copies of the current mode are dropped). */
export function migrateCpuSnapshotV1(s: CpuSnapshotV1): CpuSnapshot {
  const mode = s.mode;
  const fiq = mode === MODE_FIQ;
  const cur = bankOf(mode);
  const registers: Record<string, number> = {};
  for (let k = 0; k < 8; k++) registers[`r${k}`] = s.r[k] >>> 0;
  for (let k = 0; k < 5; k++) {
    registers[`r${8 + k}_usr`] = (fiq ? s.usrHigh[k] : s.r[8 + k]) >>> 0;
    registers[`r${8 + k}_fiq`] = (fiq ? s.r[8 + k] : s.fiqHigh[k]) >>> 0;
  }
  BANK_NAMES.forEach((name, b) => {
    registers[`sp_${name}`] = (b === cur ? s.r[13] : s.bankSp[b]) >>> 0;
    registers[`lr_${name}`] = (b === cur ? s.r[14] : s.bankLr[b]) >>> 0;
  });
  registers.pc = s.pc >>> 0;
  const spsr: Record<string, number> = {};
  for (let b = 1; b < BANK_NAMES.length; b++) spsr[BANK_NAMES[b]] = s.spsr[b] >>> 0;
  const cpsr = ((s.n << 31) | (s.z << 30) | (s.c << 29) | (s.v << 28) | (s.q << 27) |
    ((s.it & 3) << 25) | (s.ge << 16) | ((s.it >>> 2) << 10) | (s.e << 9) |
    (s.a << 8) | (s.i << 7) | (s.f << 6) | (s.t << 5) | s.mode) >>> 0;
  return {
    version: CPU_SNAPSHOT_VERSION, registers, cpsr, spsr,
    icount: s.icount, waiting: s.waiting, eventRegister: s.eventRegister,
    monitorAddr: s.monitorAddr, monitorActive: s.monitorActive,
    cp15: s.cp15, mmu: s.mmu, vfp: s.vfp,
  };
}

/** Returned by decodeInto for a fetch from an unmapped address; never cached, never executed. */
function fetchAbortHandler(): void {}

function undefinedHandler(cpu: Cpu, insn: number): void {
  if (!cpu.firstReportOf(insn)) { cpu.undefinedInstruction(); return; }
  cpu.undefinedInstruction(`no A32 encoding matches 0x${(insn >>> 0).toString(16).padStart(8, '0')}`);
}

function unpredictableHandler(cpu: Cpu, insn: number): void {
  if (!cpu.firstReportOf(insn)) { cpu.undefinedInstruction(); return; }
  const d = cpu.decoder.decode(insn >>> 0);
  const why = d.kind === 'unpredictable' ? d.reason : 'UNPREDICTABLE';
  cpu.undefinedInstruction(`UNPREDICTABLE 0x${(insn >>> 0).toString(16).padStart(8, '0')} (${why}); treated as UNDEFINED`);
}

export function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0;
}

export function bswap16(v: number): number {
  return ((v >>> 8) & 0xff) | ((v & 0xff) << 8);
}
