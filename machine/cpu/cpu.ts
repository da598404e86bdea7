/**
 * The Cortex-A9 core: architectural state, exception entry and data accesses
 * through the MMU. Everything a core keeps from one instruction to the next
 * (its decode cache included) is in its Cpu object, so a second core is a
 * second instance; the few module-level scratch values of the instruction
 * family files live only within one instruction.
 *
 * The fetch/decode/execute loop (A32 and Thumb, by blocks) is in loop.ts, the
 * decode cache in code-cache.ts. Instruction semantics live in the family
 * files under a32/ and t32/, driven by the encoding tables; this file knows
 * nothing about individual instructions.
 *
 * Timing: every instruction that is fetched and decoded counts one tick
 * (including one that faults or is UNDEFINED); exception entry itself takes
 * no tick. A condition-failed instruction counts one tick.
 */

import { Bus, BusError } from '../bus';
import { DataTlb, DATA_TLB_MASK } from './jit/data-tlb';
import { Cp15, type Cp15Options } from './cp15';
import { Mmu, ACCESS_READ, ACCESS_WRITE, type MmuSnapshot } from '../mmu/mmu';
import type { Decoder } from './encoding';
import {
  MODE_USR, MODE_FIQ, MODE_IRQ, MODE_SVC, MODE_ABT, MODE_UND, bankOf, Vector,
} from './modes';
import { a32Decoder } from './a32/table';
import { VfpState, type VfpSnapshot } from './vfp/state';
import { DATA_ABORT, PREFETCH_ABORT, FS_ALIGNMENT, FS_SYNC_EXTERNAL, faultStatusRegister } from './faults';
import { AccessProbe, ExecProbe, Probe } from '../probes';
import { defaultEngine, defaultHotThreshold, type Engine } from './engine';
import { CodeCache, type CodeSlots } from './code-cache';
import { runLoop } from './loop';


import { ACC_ALIGN, ACC_UNPRIV } from './access-flags';
export { ACC_ALIGN, ACC_UNPRIV };


export type GuestErrorSink = (message: string, pc: number) => void;

/** What the run loop holds of the page it executes, across runs (Cpu.heldFetch). */
export interface HeldFetch { gen: number; pageVa: number; t: number; slots: CodeSlots }

/**
 * The CPU's architectural state by name (version 2): the registers of every
 * bank as the architecture names them (r0-r7, r8_usr-r12_usr, r8_fiq-r12_fiq,
 * sp_<mode> and lr_<mode> for usr, fiq, irq, svc, abt, und, and pc), CPSR as
 * one word, the SPSR of each exception mode, the exclusive monitor, the
 * event register, CP15 registers by name, VFP and the TLB (and the fetch
 * translation the next run takes up, where the TLB no longer has it). How
 * the simulator keeps the banks internally is not part of it.
 */
export interface CpuSnapshot {
  version: number;
  registers: Record<string, number>;
  cpsr: number;
  spsr: Record<string, number>;
  icount: number; waiting: boolean; eventRegister: number;
  /** Waiting in WFE (SEV wakes it); present only when true (only a core with peers waits for an event). */
  waitingForEvent?: boolean;
  monitorAddr: number; monitorActive: boolean;
  /**
   * The fetch translation the next run takes up although the TLB no longer
   * holds it (Cpu.heldFetch): the page's virtual and physical address and
   * instruction set. Present only then.
   */
  fetchHeld?: { page: number; pa: number; t: number };
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
  a = 1; it = 0;
  private tBit = 0; private iBit = 1; private fBit = 1;
  private modeBits = MODE_SVC; private eBit = 0;

  /**
   * The compiled code's fast path for loads (jit/data-tlb.ts), dropped when
   * what its entries assumed changes (see there).
   */
  readonly dataTlb: DataTlb;
  /** The same for stores, whose entries also need the page quiet for the bus (Bus.quietRamAt). */
  readonly storeTlb: DataTlb;

  /** CPSR.M. A change between User and a privileged mode drops the loads' fast path. */
  get mode(): number { return this.modeBits; }
  set mode(v: number) {
    if ((v === MODE_USR) !== (this.modeBits === MODE_USR)) this.flushDataTlbs();
    this.modeBits = v;
  }
  /** CPSR.E (big-endian data). A change drops the loads' fast path, which reads little endian. */
  get e(): number { return this.eBit; }
  set e(v: number) {
    if (v !== this.eBit) this.flushDataTlbs();
    this.eBit = v;
  }

  /**
   * Set by every change the run loop must look at before the next
   * instruction (see loop.ts): it ends the current block. Raised by the
   * setters below, by shortenRun and by execution hooks being added.
   */
  attention = 0;

  /** CPSR.T (1: Thumb state). Decoding depends on it: a write ends the current block. */
  get t(): number { return this.tBit; }
  set t(v: number) { this.tBit = v; this.attention = 1; }
  /** CPSR.I (1: IRQs masked). A write ends the current block, so an unmasked pending IRQ is taken at once. */
  get i(): number { return this.iBit; }
  set i(v: number) { this.iBit = v; this.attention = 1; }
  /** CPSR.F (1: FIQs masked). As I. */
  get f(): number { return this.fBit; }
  set f(v: number) { this.fBit = v; this.attention = 1; }

  /**
   * Set to 1 by the instructions that write ITSTATE as part of an exception
   * return (SUBS PC, LR and RFE in Thumb state): the run loop must then not
   * advance it.
   */
  itWritten = 0;

  /** SPSR per bank (index 0, USR/SYS, has none). */
  readonly spsr = new Int32Array(6);
  readonly bankSp = new Int32Array(6);
  readonly bankLr = new Int32Array(6);
  /** r8-r12 outside FIQ mode, and FIQ mode's own r8-r12. */
  readonly usrHigh = new Int32Array(5);
  readonly fiqHigh = new Int32Array(5);

  /** Retired instruction count = virtual time in ticks. */
  icount = 0;
  private waitingFlag = false;
  /** Set by WFI (and WFE waiting for an event); the machine skips time to the next event. */
  get waiting(): boolean { return this.waitingFlag; }
  set waiting(v: boolean) { this.waitingFlag = v; if (v) this.attention = 1; else this.waitingForEvent = false; }
  /** Waiting in WFE: an event (SEV on any core) wakes it as well as an interrupt. */
  waitingForEvent = false;
  eventRegister = 0;

  /**
   * The other cores of the cluster (none on a one-core machine): SEV sets
   * their event register, stores clear their exclusive reservations, and
   * inner-shareable TLB maintenance reaches their TLBs.
   */
  peers: readonly Cpu[] = [];
  /**
   * How many peers held an exclusive reservation when this core's turn began
   * (set by the machine's scheduler; peers cannot change theirs while this
   * core runs). Stores compare their address with those only when non-zero.
   */
  peerMonitors = 0;
  /** Told when SEV or an interrupt line wakes this core while it waits (the scheduler). */
  onWake: (() => void) | undefined;

  /** Local exclusive monitor (physical address, -1 when open). */
  monitorAddr = -1;
  monitorActive = false;

  private irq = false;
  private fiq = false;
  /** Interrupt lines from the interrupt controller; a line going high ends the current block. */
  get irqLine(): boolean { return this.irq; }
  set irqLine(v: boolean) { this.irq = v; if (v) { this.attention = 1; if (this.waitingFlag && this.onWake) this.onWake(); } }
  get fiqLine(): boolean { return this.fiq; }
  set fiqLine(v: boolean) { this.fiq = v; if (v) { this.attention = 1; if (this.waitingFlag && this.onWake) this.onWake(); } }

  readonly cp15: Cp15;
  /** VFPv3-D16 registers and control (FPSCR, FPEXC, ID registers). */
  readonly vfp = new VfpState();
  readonly mmu: Mmu;
  readonly decoder: Decoder;
  /** Decoded instructions of this core, by physical page and instruction set. */
  readonly code = new CodeCache(this);
  /** How this core executes (engine.ts); either gives the same run. */
  engine: Engine = defaultEngine();
  /**
   * The jit engine compiles a block where one started this many times (1 to
   * 65535): code run a few times (boot, initialisation) stays interpreted and
   * costs no compiling. 1 compiles everything, heads of blocks cut short by
   * the budget included (tests use it to run every instruction compiled).
   */
  hotThreshold = defaultHotThreshold();

  /** Called on SVC before the exception is taken; returns true if it handled the call. */
  svcHook: ((cpu: Cpu, imm: number) => boolean) | undefined;
  /** Called on BKPT; returns true to stop the run loop. */
  bkptHook: ((cpu: Cpu, imm: number) => boolean) | undefined;
  guestError: GuestErrorSink = () => {};
  /** Instructions at an address (fault injection, replay targets, breakpoints): subscribe here. */
  readonly execProbe = new ExecProbe<Cpu>(() => { this.attention = 1; });
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
  private stopFlag = false;
  /** Set to make the run loop return at the next instruction boundary. */
  get stopRequested(): boolean { return this.stopFlag; }
  set stopRequested(v: boolean) { this.stopFlag = v; if (v) this.attention = 1; }

  private generation = 0;
  /** Bumped whenever cached fetch translations or decoded pages may be stale; a bump ends the current block. */
  get codeGen(): number { return this.generation; }
  set codeGen(v: number) { this.generation = v; this.attention = 1; }
  /**
   * 1 once the MMU dropped or replaced its entry for the page being executed
   * (or all entries) since the run loop last looked that page up: the loop
   * then holds a translation the MMU no longer has, and an ISB or TLB
   * maintenance makes it look again (translationsSynchronized).
   */
  fetchPageLost = 0;
  /**
   * The fetch translation the run loop held when its last run ended (the
   * page's slots, what they were looked up for, codeGen then), which the
   * next run takes up as if the run had gone on; undefined: the next run
   * looks its page up. Ending a run and starting another must not change
   * what the machine does: looking the page up again refills the MMU's
   * entry for it, which a run going on does not do when that entry was
   * replaced meanwhile (fetchPageLost), and the MMU's entries are state.
   */
  heldFetch: HeldFetch | undefined;
  /** Whether runs take up heldFetch (MachineOptions.holdFetchAcrossRuns). */
  holdsFetchAcrossRuns = true;
  /** Guest errors already reported, by address then message (or instruction word). */
  private reportedOnce = new Map<number, Set<string>>();
  private reportedInsns = new Map<number, Set<number>>();
  /** Guest errors that repeated one already reported (counted, not reported again). */
  repeatedGuestErrors = 0;

  /**
   * An external abort on this core's data access (the bus calls the running
   * core's: the machine points bus.dataAbort here when this core's turn begins).
   */
  readonly busAbort = (va: number, write: boolean): never => {
    this.cp15.dfsr = faultStatusRegister(FS_SYNC_EXTERNAL, 0, write);
    this.cp15.dfar = va >>> 0;
    throw DATA_ABORT;
  };

  constructor(readonly bus: Bus, cp15Options: Cp15Options = {}) {
    this.dataTlb = new DataTlb(bus.arena);
    this.storeTlb = new DataTlb(bus.arena);
    this.cp15 = new Cp15(this, cp15Options);
    this.mmu = new Mmu(this.cp15, bus, (vpn) => {
      this.code.forgetRecent(vpn);
      if (vpn < 0 || vpn === (this.pc >>> 12)) this.fetchPageLost = 1;
      if (vpn < 0) { this.flushDataTlbs(); return; }
      this.dataTlb.forget(vpn);
      this.storeTlb.forget(vpn);
    });
    bus.writeWatchProbe.subscribe(() => this.storeTlb.flush());
    this.decoder = a32Decoder();
    bus.dataAbort = this.busAbort;
    bus.codeWriteProbe.subscribe((page) => this.code.drop(page));
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
      (this.a << 8) | (this.iBit << 7) | (this.fBit << 6) | (this.tBit << 5) | this.mode) >>> 0;
  }

  /** Writes every CPSR field (exception return, restore). The mode must be valid. */
  setCpsr(value: number): void {
    this.setCpsrFields(value);
    this.changeMode(value & 0x1f);
  }

  /** Writes every CPSR field but the mode (restore sets the mode without swapping banks). */
  private setCpsrFields(value: number): void {
    this.setFlags(value);
    this.ge = (value >>> 16) & 0xf;
    this.it = ((value >>> 25) & 3) | (((value >>> 10) & 0x3f) << 2);
    this.e = (value >>> 9) & 1;
    this.a = (value >>> 8) & 1;
    this.i = (value >>> 7) & 1;
    this.f = (value >>> 6) & 1;
    this.t = (value >>> 5) & 1;
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
    // T is written (raising attention) only when it changes: a return to code
    // of the same instruction set leaves the block free to go on.
    if (addr & 1) {
      if (this.tBit === 0) this.t = 1;
      this.nextPc = (addr & ~1) >>> 0;
    } else {
      if (this.tBit !== 0) this.t = 0;
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
    this.iBit = 1;
    if (vector === Vector.Fiq || vector === Vector.Reset) this.fBit = 1;
    if (vector !== Vector.Undefined && vector !== Vector.Svc) this.a = 1;
    this.it = 0;
    this.tBit = (this.cp15.sctlr >>> 30) & 1; // SCTLR.TE
    this.e = (this.cp15.sctlr >>> 25) & 1; // SCTLR.EE
    this.nextPc = (this.vectorBase() + vector) >>> 0;
    this.pc = this.nextPc;
    this.waitingFlag = false;
    this.attention = 1; // CPSR.I, F, T written
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

  /** Data Abort entry for the instruction at this.pc (DFSR/DFAR already set). */
  takeDataAbort(): void {
    this.enterException(Vector.DataAbort, MODE_ABT, (this.pc + 8) | 0);
  }

  /** Prefetch Abort for the instruction at this.pc (e.g. a BKPT debug event). */
  prefetchAbort(status: number, ifar: number): void {
    this.cp15.ifsr = faultStatusRegister(status, 0, false);
    this.cp15.ifar = ifar >>> 0;
    this.takePrefetchAbort();
  }

  /** Prefetch Abort entry for the instruction at this.pc (IFSR/IFAR already set). */
  takePrefetchAbort(): void {
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
    let pa = va >>> 0;
    if (this.mmu.enabled) pa = this.mmu.translate(pa, kind, (flags & ACC_UNPRIV) !== 0 || this.mode === MODE_USR);
    if (this.peerMonitors !== 0 && kind === ACCESS_WRITE) this.clearPeerMonitors(pa);
    return pa;
  }

  /**
   * The global monitor: a store to an address another core has reserved
   * with a Load-Exclusive makes that core's Store-Exclusive fail. Compared
   * by reservation granule (the Cortex-A9's is 32 bytes).
   */
  private clearPeerMonitors(pa: number): void {
    for (const p of this.peers) {
      if (p.monitorActive && ((p.monitorAddr ^ pa) & ~31) === 0) {
        p.monitorActive = false;
        p.monitorAddr = -1;
        this.peerMonitors--;
      }
    }
  }

  // ---- events (WFE / SEV) ---------------------------------------------------

  /**
   * WFE: with the event register set, clears it and goes on. Otherwise, on a
   * machine with several cores, waits until an event (SEV on any core) or an
   * interrupt (even a masked one: WFE may always wake early). A lone core has
   * nothing that could send it an event, so there WFE goes on at once.
   */
  wfe(): void {
    if (this.eventRegister !== 0) { this.eventRegister = 0; return; }
    if (this.peers.length === 0) return;
    this.waiting = true;
    this.waitingForEvent = true;
  }

  /** SEV: an event to every core (a core waiting in WFE wakes and consumes it). */
  sev(): void {
    this.eventRegister = 1;
    for (const p of this.peers) {
      if (p.waitingForEvent) {
        p.waiting = false;
        if (p.onWake) p.onWake();
      } else {
        p.eventRegister = 1;
      }
    }
  }

  private busFault(e: unknown, va: number, write: boolean): never {
    if (e instanceof BusError) {
      this.cp15.dfsr = faultStatusRegister(FS_SYNC_EXTERNAL, 0, write);
      this.cp15.dfar = va >>> 0;
      throw DATA_ABORT;
    }
    throw e;
  }

  /**
   * Whether an access may use the fast paths (jit/data-tlb.ts): aligned to
   * `mask` + 1, not unprivileged, under the jit engine (the interpreter
   * engine keeps to the full path, the reference the other is checked
   * against), with no access watched.
   */
  private fastAccess(va: number, mask: number, flags: number): boolean {
    return (va & mask) === 0 && (flags & ACC_UNPRIV) === 0 && this.engine === 'jit' && !this.accessProbe.active;
  }

  read32(va: number, flags = 0): number {
    if (this.fastAccess(va, 3, flags)) {
      const T = this.dataTlb, i = (va >>> 12) & DATA_TLB_MASK;
      if (T.page[i] === (va & ~0xfff)) return T.arena.i32[(T.offset[i] + (va & 0xfff)) >>> 2];
      return this.jitRead32(va, flags);
    }
    return this.fullRead32(va, flags);
  }

  read16(va: number, flags = 0): number {
    if (this.fastAccess(va, 1, flags)) {
      const T = this.dataTlb, i = (va >>> 12) & DATA_TLB_MASK;
      if (T.page[i] === (va & ~0xfff)) return T.arena.u16[(T.offset[i] + (va & 0xfff)) >>> 1];
      return this.jitRead16(va, flags);
    }
    return this.fullRead16(va, flags);
  }

  read8(va: number, flags = 0): number {
    if (this.fastAccess(va, 0, flags)) {
      const T = this.dataTlb, i = (va >>> 12) & DATA_TLB_MASK;
      if (T.page[i] === (va & ~0xfff)) return T.arena.u8[T.offset[i] + (va & 0xfff)];
      return this.jitRead8(va);
    }
    return this.fullRead8(va, flags);
  }

  write32(va: number, v: number, flags = 0): void {
    if (this.fastAccess(va, 3, flags)) {
      const S = this.storeTlb, i = (va >>> 12) & DATA_TLB_MASK;
      if (S.page[i] === (va & ~0xfff)) { S.arena.i32[(S.offset[i] + (va & 0xfff)) >>> 2] = v; return; }
      this.jitWrite32(va, v, flags);
      return;
    }
    this.fullWrite32(va, v, flags);
  }

  write16(va: number, v: number, flags = 0): void {
    if (this.fastAccess(va, 1, flags)) {
      const S = this.storeTlb, i = (va >>> 12) & DATA_TLB_MASK;
      if (S.page[i] === (va & ~0xfff)) { S.arena.u16[(S.offset[i] + (va & 0xfff)) >>> 1] = v; return; }
      this.jitWrite16(va, v, flags);
      return;
    }
    this.fullWrite16(va, v, flags);
  }

  write8(va: number, v: number, flags = 0): void {
    if (this.fastAccess(va, 0, flags)) {
      const S = this.storeTlb, i = (va >>> 12) & DATA_TLB_MASK;
      if (S.page[i] === (va & ~0xfff)) { S.arena.u8[S.offset[i] + (va & 0xfff)] = v; return; }
      this.jitWrite8(va, v);
      return;
    }
    this.fullWrite8(va, v, flags);
  }

  // ---- the full path: alignment, translation (watchers, MMU, monitors), the bus ----

  private fullRead32(va: number, flags: number): number {
    this.checkAlign(va, 4, flags, false);
    if ((va & 3) !== 0) {
      const v = this.read8(va, flags) | (this.read8(va + 1, flags) << 8) |
        (this.read8(va + 2, flags) << 16) | (this.read8(va + 3, flags) << 24);
      return this.e ? bswap32(v) : v;
    }
    const v = this.bus.readData32(this.translate(va, ACCESS_READ, flags), va);
    return this.e ? bswap32(v) : v;
  }

  private fullRead16(va: number, flags: number): number {
    this.checkAlign(va, 2, flags, false);
    if ((va & 1) !== 0) {
      const v = this.read8(va, flags) | (this.read8(va + 1, flags) << 8);
      return this.e ? bswap16(v) : v;
    }
    const v = this.bus.readData16(this.translate(va, ACCESS_READ, flags), va);
    return this.e ? bswap16(v) : v;
  }

  private fullRead8(va: number, flags: number): number {
    return this.bus.readData8(this.translate(va, ACCESS_READ, flags), va);
  }

  private fullWrite32(va: number, v: number, flags: number): void {
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

  private fullWrite16(va: number, v: number, flags: number): void {
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

  private fullWrite8(va: number, v: number, flags: number): void {
    this.bus.writeData8(this.translate(va, ACCESS_WRITE, flags), v, va);
  }

  // ---- loads and stores of compiled code (jit/data-tlb.ts) --------------------

  /** read32 for compiled code: the full path, then the fast path's entry for the page when the access was a plain one. */
  jitRead32(va: number, flags = 0): number {
    const v = this.fullRead32(va, flags);
    if ((va & 3) === 0) this.fillDataTlb(va);
    return v;
  }

  jitRead16(va: number, flags = 0): number {
    const v = this.fullRead16(va, flags);
    if ((va & 1) === 0) this.fillDataTlb(va);
    return v;
  }

  jitRead8(va: number): number {
    const v = this.fullRead8(va, 0);
    this.fillDataTlb(va);
    return v;
  }

  jitWrite32(va: number, v: number, flags = 0): void {
    this.fullWrite32(va, v, flags);
    if ((va & 3) === 0) this.fillStoreTlb(va);
  }

  jitWrite16(va: number, v: number, flags = 0): void {
    this.fullWrite16(va, v, flags);
    if ((va & 1) === 0) this.fillStoreTlb(va);
  }

  jitWrite8(va: number, v: number): void {
    this.fullWrite8(va, v, 0);
    this.fillStoreTlb(va);
  }

  /** Drops both fast paths. */
  flushDataTlbs(): void {
    this.dataTlb.flush();
    this.storeTlb.flush();
  }

  /**
   * After a store to va went the full way: remembers where its page is in
   * RAM if the next stores there need nothing else (no exclusive reservation
   * of another core to clear, the page quiet for the bus).
   */
  private fillStoreTlb(va: number): void {
    if (this.eBit !== 0 || this.accessProbe.active || this.peerMonitors !== 0) return;
    const pa = this.mmu.enabled ? this.mmu.translate(va >>> 0, ACCESS_WRITE, this.modeBits === MODE_USR) : va >>> 0;
    const region = this.bus.quietRamAt(pa);
    if (region !== undefined) this.storeTlb.fill(va, region, pa - region.base);
  }

  /** After a load from va went the full way without faulting: remembers where its page is in RAM, if it is RAM. */
  private fillDataTlb(va: number): void {
    if (this.eBit !== 0 || this.accessProbe.active) return;
    // The load just translated va: this finds the same entry again, without side effects.
    const pa = this.mmu.enabled ? this.mmu.translate(va >>> 0, ACCESS_READ, this.modeBits === MODE_USR) : va >>> 0;
    const region = this.bus.ramRegionAt(pa);
    if (region !== undefined) this.dataTlb.fill(va, region, pa - region.base);
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

  /** Drops every decoded instruction (reset, restore). */
  invalidateCode(): void {
    this.code.clear();
    this.heldFetch = undefined;
  }

  /** Called when translations change (SCTLR, TTBR, DACR, ASID): fetches translate afresh, and the data fast paths forget everything. */
  translationChanged(): void {
    this.codeGen++;
    this.flushDataTlbs();
  }

  /**
   * Called after TLB maintenance and on ISB. What the MMU still holds
   * translates as before, so only the page being executed matters: if its
   * entry is gone or was replaced since the run loop looked the page up,
   * fetches translate afresh from the next instruction. The pages looked up
   * lately and the data fast paths keep their entries: the MMU names each
   * page whose entry it dropped or replaced (its `replaced`), and they forget
   * those. (A kernel patching its text through a fixmap does this a few
   * times per word patched: ending the block and forgetting every recent
   * page each time cost more than the patching.)
   */
  translationsSynchronized(): void {
    if (this.fetchPageLost !== 0 || (this.mmu.enabled && !this.mmu.holds(this.pc >>> 0))) this.codeGen++;
  }

  /** The interrupt the CPU takes at the next instruction boundary: Vector.Fiq, Vector.Irq, or -1 for none (FIQ first). */
  pendingInterrupt(): Vector.Fiq | Vector.Irq | -1 {
    if (this.fiq && !this.fBit) return Vector.Fiq;
    if (this.irq && !this.iBit) return Vector.Irq;
    return -1;
  }

  /** Address of the instruction executed next: the FIQ or IRQ vector if one is taken first, else pc. */
  nextInstructionAddress(): number {
    const v = this.pendingInterrupt();
    return v < 0 ? this.pc >>> 0 : (this.vectorBase() + v) >>> 0;
  }

  /** Takes a pending, unmasked interrupt. Returns true if one was taken. */
  takeInterrupt(): boolean {
    const v = this.pendingInterrupt();
    if (v < 0) return false;
    this.enterException(v as Vector, v === Vector.Fiq ? MODE_FIQ : MODE_IRQ, (this.pc + 4) | 0);
    return true;
  }

  /**
   * Executes up to `budget` instructions, A32 or Thumb (loop.ts); returns how
   * many were executed. Stops early on WFI (with nothing pending), a stop
   * request or a breakpoint hook.
   */
  run(budget: number): number {
    return runLoop(this, budget);
  }

  /**
   * Ends the current run() at `time` (an absolute instruction count) if it would
   * otherwise go past it: an event was scheduled during the run.
   */
  shortenRun(time: number): void {
    if (time < this.runEnd) {
      this.runEnd = Math.max(time, this.icount);
      this.attention = 1;
    }
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
      ...(this.waitingForEvent ? { waitingForEvent: true } : {}),
      monitorAddr: this.monitorAddr, monitorActive: this.monitorActive,
      ...this.heldFetchState(),
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
    this.setCpsrFields(cpsr);
    r[15] = (this.pc + (this.t ? 4 : 8)) | 0;
    this.icount = s.icount; this.waiting = s.waiting; this.eventRegister = s.eventRegister;
    this.waitingForEvent = s.waiting && s.waitingForEvent === true;
    this.monitorAddr = s.monitorAddr; this.monitorActive = s.monitorActive;
    this.cp15.restore(s.cp15);
    if (s.vfp) this.vfp.restore(s.vfp); else this.vfp.reset();
    if (s.mmu) this.mmu.restore(s.mmu); else this.mmu.flush();
    this.invalidateCode();
    const held = s.fetchHeld;
    if (held) {
      this.heldFetch = { gen: this.codeGen, pageVa: held.page >>> 0, t: held.t, slots: this.code.slots(held.pa >>> 0, held.t) };
      this.fetchPageLost = 1;
    }
  }

  /**
   * The held fetch translation as state, when it is state: the next run
   * takes it up (it still fits the core) and the MMU no longer has it
   * (otherwise looking the page up again finds the same, changing nothing).
   * Absent from every other snapshot, so that their state is what it was
   * before fetches were held across runs.
   */
  private heldFetchState(): { fetchHeld?: { page: number; pa: number; t: number } } {
    const h = this.heldFetch;
    if (!this.holdsFetchAcrossRuns || !this.holdsLostFetch() || h === undefined) return {};
    return { fetchHeld: { page: h.pageVa, pa: h.slots.pa >>> 0, t: h.t } };
  }

  /** Whether the held fetch translation fits the core (codeGen, pc's page, instruction set) and the MMU no longer has it. */
  private holdsLostFetch(): boolean {
    const h = this.heldFetch;
    return this.fetchPageLost !== 0 && h !== undefined && h.gen === this.codeGen && h.pageVa === ((this.pc & ~0xfff) >>> 0) && h.t === this.t;
  }

  /**
   * Whether the next run would change the MMU's entries where this run going
   * on would not: runs do not take up the held fetch translation (recordings
   * of format 5 and before, MachineOptions.holdFetchAcrossRuns false), and
   * the MMU has dropped the entry of the page being executed, which a new
   * run looks up again. A replay of such a recording must not resume here
   * (its recorded run did not stop here).
   */
  get resumeRefillsFetch(): boolean {
    return !this.holdsFetchAcrossRuns && this.holdsLostFetch();
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


export function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0;
}

export function bswap16(v: number): number {
  return ((v >>> 8) & 0xff) | ((v & 0xff) << 8);
}
