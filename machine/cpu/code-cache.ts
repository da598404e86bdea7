/**
 * The decode cache of one core: decoded instructions by physical page and
 * instruction set, filled on first execution and dropped when the page is
 * written.
 *
 * Key: (physical page, CPSR.T). Those two decide how the bytes decode. The IT
 * state does not: it decides whether a Thumb instruction executes and how
 * some T16 instructions set flags, which the run loop and the handlers test
 * at execution time. A page holds one slot per instruction position: 1024
 * words for A32, 2048 halfwords for Thumb. A slot keeps the handler and the
 * instruction (A32: the word; T16: the halfword; T32: hw1:hw2 with hw1 in
 * bits 31:16). A T32 instruction whose second halfword is on the next page
 * is fetched through its own translation every time and never cached, so
 * neither page's mapping or contents can make it stale.
 *
 * Invalidation: a page that holds decoded instructions is flagged in the
 * bus's codePages; a write to it (by any master, at any alias) makes the bus
 * call the core's code-write handler, which drops the page here and bumps
 * cpu.codeGen (which ends the current block). A flag found cleared at lookup
 * means writes may have gone unseen, and the page is decoded afresh.
 *
 * All of this is per core: nothing here is module state, so a second core
 * is a second Cpu with a second cache.
 */

import type { Cpu } from './cpu';
import { BusError } from '../bus';
import type { Handler } from './encoding';
import type { CompiledBlock } from './jit/block-compiler';
import { ACCESS_FETCH } from '../mmu/mmu';
import { MODE_USR } from './modes';
import { PREFETCH_ABORT, FS_SYNC_EXTERNAL, faultStatusRegister } from './faults';
import { t16Decoder, t32Decoder, isThumb32 } from './t32/table';

/** The decoded instructions of one physical page in one instruction set. */
export interface CodeSlots {
  /** Physical address of the page. */
  readonly pa: number;
  /** Instruction set: 0 A32, 1 Thumb. */
  readonly t: number;
  /** Per slot: the handler, or undefined while not decoded yet. */
  readonly handlers: Array<Handler | undefined>;
  /** Per slot: the instruction the handler is called with. */
  readonly insns: Int32Array;
  /**
   * The jit engine's (loop.ts): per slot, how often a block started there
   * (counted up to the compile threshold) and the block compiled there (null:
   * none can be). Created when first needed; dropped with the page.
   */
  heat?: Uint16Array;
  blocks?: Array<CompiledBlock | null | undefined>;
  /**
   * The instruction count before which the jit engine leaves the page
   * interpreted (0: none). A page written to not long before this decode of
   * it may be code sharing its page with data the program writes, and
   * compiling it again after every write would cost more than it saves; if
   * no write drops it for VOLATILE_WINDOW instructions (code patched at boot,
   * then left alone), it is compiled as any other.
   */
  readonly volatileUntil: number;
}

/** Entries of the recent-pages table. */
const RECENT = 256;

/** A page dropped again within this many instructions of its last drop is volatile for as many more. */
const VOLATILE_WINDOW = 10_000_000;

const A32_SLOTS = 1024;
const THUMB_SLOTS = 2048;

export class CodeCache {
  /** Key: physical page number * 2 + T. */
  private readonly pages = new Map<number, CodeSlots>();
  /** Per physical page: the instruction count when its decoded code was last dropped. */
  private readonly dropped = new Map<number, number>();
  /** The instruction of the last decode (a T32 instruction across pages is not cached). */
  insn = 0;
  /**
   * The pages blocks started in lately, by virtual page and T: the run loop
   * finds a page's slots here without translating the fetch again (as
   * QEMU's jump cache). Valid while cpu.codeGen stays what it was when they
   * were noted (a translation, privilege or decoded page that changed bumps
   * it) and while the MMU keeps its entry for the page (so skipping the
   * translation skips nothing the MMU would have done: a hit in its TLB
   * changes nothing).
   */
  private readonly recentKey = new Int32Array(RECENT).fill(-1);
  private readonly recentSlots: Array<CodeSlots | undefined> = new Array<CodeSlots | undefined>(RECENT).fill(undefined);
  private recentGen = -1;

  constructor(private readonly cpu: Cpu) {}

  /** The slots of the page holding pa, for instruction set t (created empty if absent). */
  slots(pa: number, t: number): CodeSlots {
    const page = pa >>> 12;
    const key = page * 2 + t;
    const bus = this.cpu.bus;
    let s = this.pages.get(key);
    // A cleared write-watch flag means writes to the page may have gone unseen.
    if (s !== undefined && bus.codePages[page] === 0) { this.pages.delete(key); this.dropped.set(page, this.cpu.icount); s = undefined; }
    if (s === undefined) {
      const n = t === 0 ? A32_SLOTS : THUMB_SLOTS;
      const last = this.dropped.get(page);
      const volatileUntil = last !== undefined && this.cpu.icount - last < VOLATILE_WINDOW ? this.cpu.icount + VOLATILE_WINDOW : 0;
      s = { pa: (page << 12) >>> 0, t, handlers: new Array<Handler | undefined>(n).fill(undefined), insns: new Int32Array(n), volatileUntil };
      this.pages.set(key, s);
      bus.watchCode(page);
    }
    return s;
  }

  /** The slots noted for the virtual page of va in instruction set t, if still valid. */
  recent(va: number, t: number): CodeSlots | undefined {
    if (!this.recentValid()) return undefined;
    const key = ((va >>> 12) << 1) | t;
    const i = key & (RECENT - 1);
    if (this.recentKey[i] !== key) return undefined;
    const s = this.recentSlots[i]!;
    // A cleared write-watch flag (another core's reset or restore) sends the lookup the full way.
    return this.cpu.bus.codePages[s.pa >>> 12] !== 0 ? s : undefined;
  }

  /** Notes the slots a block start at va in instruction set t found (after a full lookup). */
  noteRecent(va: number, t: number, s: CodeSlots): void {
    this.recentValid();
    const key = ((va >>> 12) << 1) | t;
    const i = key & (RECENT - 1);
    this.recentKey[i] = key;
    this.recentSlots[i] = s;
  }

  /** Whether the recent-pages table still holds under cpu.codeGen; empties it when not. */
  private recentValid(): boolean {
    if (this.recentGen === this.cpu.codeGen) return true;
    this.recentKey.fill(-1);
    this.recentGen = this.cpu.codeGen;
    return false;
  }

  /** The MMU dropped or replaced its entry for virtual page vpn (-1: all): forgets the page here. */
  forgetRecent(vpn: number): void {
    if (vpn < 0) { this.recentKey.fill(-1); return; }
    for (let t = 0; t < 2; t++) {
      const key = (vpn << 1) | t;
      if (this.recentKey[key & (RECENT - 1)] === key) this.recentKey[key & (RECENT - 1)] = -1;
    }
  }

  /** The page (and its aliases) was written: drops what was decoded from it. */
  drop(page: number): void {
    const bus = this.cpu.bus;
    let dropped = false;
    for (const p of bus.pagesSharing(page)) {
      if (this.pages.delete(p * 2)) dropped = true;
      if (this.pages.delete(p * 2 + 1)) dropped = true;
      this.dropped.set(p, this.cpu.icount);
      bus.codePages[p] = 0;
    }
    if (dropped) this.cpu.codeGen++;
  }

  /** Drops everything (reset, restore). */
  clear(): void {
    for (const key of this.pages.keys()) this.cpu.bus.codePages[Math.floor(key / 2)] = 0;
    this.pages.clear();
    this.cpu.codeGen++;
  }

  /** Decodes the instruction at va (in the page of s, in its instruction set) into slot index. */
  decode(s: CodeSlots, index: number, va: number): Handler {
    const pa = s.pa + (va & 0xfff);
    return s.t === 0 ? this.decodeA32(s, index, va, pa) : this.decodeThumb(s, index, va, pa);
  }

  /**
   * Decodes the A32 instruction at physical pa (virtual va) into slot index.
   * A fetch from an address with nothing behind it sets IFSR/IFAR and returns
   * fetchAbortHandler (not cached) for the run loop to take the Prefetch Abort
   * without throwing: a guest whose vectors point nowhere takes one abort
   * after another, and each must cost about as much as an instruction.
   */
  decodeA32(s: CodeSlots, index: number, va: number, pa: number): Handler {
    const cpu = this.cpu;
    if (!cpu.bus.isMapped(pa)) return fetchAbort(cpu, va);
    let insn: number;
    try { insn = cpu.bus.read32(pa); } catch (e) {
      if (e instanceof BusError) fetchFault(cpu, va);
      throw e;
    }
    const d = cpu.decoder.decode(insn >>> 0);
    const h = d.kind === 'ok' ? d.row.exec : d.kind === 'undefined' ? undefinedA32 : unpredictableA32;
    s.handlers[index] = h;
    s.insns[index] = insn;
    this.insn = insn;
    return h;
  }

  /** Decodes the Thumb instruction at physical pa (virtual va) into slot index; as decodeA32. */
  decodeThumb(s: CodeSlots, index: number, va: number, pa: number): Handler {
    const cpu = this.cpu;
    if (!cpu.bus.isMapped(pa)) return fetchAbort(cpu, va);
    const hw1 = fetch16(cpu, pa, va);
    let insn: number;
    if (!isThumb32(hw1)) {
      insn = hw1;
    } else if (index < THUMB_SLOTS - 1) {
      insn = (hw1 << 16) | fetch16(cpu, pa + 2, va + 2);
    } else {
      // The second halfword is on the next page: its own translation, no caching.
      const va2 = (va + 2) >>> 0;
      const pa2 = cpu.mmu.enabled ? cpu.mmu.translate(va2, ACCESS_FETCH, cpu.mode === MODE_USR) : va2;
      this.insn = (hw1 << 16) | fetch16(cpu, pa2, va2);
      return thumbHandler(this.insn);
    }
    const h = thumbHandler(insn);
    s.handlers[index] = h;
    s.insns[index] = insn;
    this.insn = insn;
    return h;
  }
}

/** Returned by the decoders for a fetch from an unmapped address; never cached, never executed. */
export function fetchAbortHandler(): void {}

function fetchAbort(cpu: Cpu, va: number): Handler {
  cpu.cp15.ifsr = faultStatusRegister(FS_SYNC_EXTERNAL, 0, false);
  cpu.cp15.ifar = va >>> 0;
  return fetchAbortHandler;
}

function fetchFault(cpu: Cpu, va: number): never {
  fetchAbort(cpu, va);
  throw PREFETCH_ABORT;
}

function fetch16(cpu: Cpu, pa: number, va: number): number {
  try { return cpu.bus.read16(pa >>> 0); } catch (e) {
    if (e instanceof BusError) fetchFault(cpu, va);
    throw e;
  }
}

function thumbHandler(insn: number): Handler {
  const wide = (insn >>> 16) !== 0;
  const d = (wide ? t32Decoder() : t16Decoder()).decode(insn >>> 0);
  if (d.kind === 'ok') return d.row.exec;
  if (d.kind === 'undefined') return wide ? undefinedT32 : undefinedT16;
  return unpredictableThumb;
}

function undefinedA32(cpu: Cpu, insn: number): void {
  if (!cpu.firstReportOf(insn)) { cpu.undefinedInstruction(); return; }
  cpu.undefinedInstruction(`no A32 encoding matches 0x${(insn >>> 0).toString(16).padStart(8, '0')}`);
}

function unpredictableA32(cpu: Cpu, insn: number): void {
  if (!cpu.firstReportOf(insn)) { cpu.undefinedInstruction(); return; }
  const d = cpu.decoder.decode(insn >>> 0);
  const why = d.kind === 'unpredictable' ? d.reason : 'UNPREDICTABLE';
  cpu.undefinedInstruction(`UNPREDICTABLE 0x${(insn >>> 0).toString(16).padStart(8, '0')} (${why}); treated as UNDEFINED`);
}

function undefinedT16(cpu: Cpu, insn: number): void {
  if (!cpu.firstReportOf(insn)) { cpu.undefinedInstruction(); return; }
  cpu.undefinedInstruction(`no T16 encoding matches 0x${(insn & 0xffff).toString(16).padStart(4, '0')}`);
}

function undefinedT32(cpu: Cpu, insn: number): void {
  if (!cpu.firstReportOf(insn)) { cpu.undefinedInstruction(); return; }
  cpu.undefinedInstruction(`no T32 encoding matches 0x${(insn >>> 0).toString(16).padStart(8, '0')}`);
}

function unpredictableThumb(cpu: Cpu, insn: number): void {
  if (!cpu.firstReportOf(insn)) { cpu.undefinedInstruction(); return; }
  const wide = (insn >>> 16) !== 0;
  const d = (wide ? t32Decoder() : t16Decoder()).decode(insn >>> 0);
  const why = d.kind === 'unpredictable' ? d.reason : 'UNPREDICTABLE';
  const text = (insn >>> 0).toString(16).padStart(wide ? 8 : 4, '0');
  cpu.undefinedInstruction(`UNPREDICTABLE 0x${text} (${why}); treated as UNDEFINED`);
}
