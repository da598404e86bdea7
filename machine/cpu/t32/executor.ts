/**
 * The Thumb run loop. Cpu.run hands over to thumbExecutor.run while CPSR.T is
 * set; this loop mirrors the A32 one (interrupts between instructions, the
 * same abort handling, one tick per fetched instruction, a condition-failed
 * instruction included) and returns when the core leaves Thumb state, waits
 * for an interrupt, is asked to stop or has spent the budget.
 *
 * Decoded instructions are cached per physical page, one slot per halfword:
 * the handler and the instruction (T16: the halfword; T32: hw1:hw2). A 32-bit
 * instruction whose second halfword is on the next page is fetched through
 * its own translation every time and never cached, so neither page's
 * mapping or contents can make it stale.
 *
 * IT blocks: an instruction inside one executes only if ITSTATE's condition
 * passes, and ITSTATE advances after it (ITAdvance) unless the instruction
 * wrote ITSTATE itself (exception entry, exception return). BKPT executes
 * whatever its condition.
 */

import type { Cpu } from '../cpu';
import type { Handler } from '../encoding';
import { BusError } from '../../bus';
import { ACCESS_FETCH } from '../../mmu/mmu';
import { MODE_USR, MODE_FIQ, MODE_IRQ, MODE_ABT, Vector } from '../modes';
import { DATA_ABORT, PREFETCH_ABORT, FS_SYNC_EXTERNAL, faultStatusRegister } from '../faults';
import { t16Decoder, t32Decoder, isThumb32 } from './table';
import { itWritten, itAdvance } from './common';

interface ThumbPage {
  handlers: Array<Handler | undefined>;
  insns: Int32Array;
}

const HALFWORDS = 2048;

/** The decoded Thumb pages of one CPU, invalidated like the A32 ones. */
class ThumbCode {
  readonly pages = new Map<number, ThumbPage>();

  constructor(readonly cpu: Cpu) {
    cpu.bus.codeWriteProbe.subscribe((page) => this.drop(page));
  }

  drop(page: number): void {
    const bus = this.cpu.bus;
    for (const p of bus.pagesSharing(page)) {
      if (this.pages.delete(p)) this.cpu.codeGen++;
      bus.codePages[p] = 0;
    }
  }

  clear(): void {
    for (const p of this.pages.keys()) this.cpu.bus.codePages[p] = 0;
    this.pages.clear();
    this.cpu.codeGen++;
  }

  page(pa: number): ThumbPage {
    const n = pa >>> 12;
    const bus = this.cpu.bus;
    let p = this.pages.get(n);
    // A cleared write-watch flag means writes to the page may have gone unseen.
    if (p !== undefined && bus.codePages[n] === 0) { this.pages.delete(n); p = undefined; }
    if (p === undefined) {
      p = { handlers: new Array<Handler | undefined>(HALFWORDS).fill(undefined), insns: new Int32Array(HALFWORDS) };
      this.pages.set(n, p);
      for (const q of bus.pagesSharing(n)) bus.codePages[q] = 1;
    }
    return p;
  }
}

const caches = new WeakMap<Cpu, ThumbCode>();

function codeOf(cpu: Cpu): ThumbCode {
  let c = caches.get(cpu);
  if (c === undefined) { c = new ThumbCode(cpu); caches.set(cpu, c); }
  return c;
}

function fetchFault(cpu: Cpu, va: number, status: number): never {
  cpu.cp15.ifsr = faultStatusRegister(status, 0, false);
  cpu.cp15.ifar = va >>> 0;
  throw PREFETCH_ABORT;
}

function fetch16(cpu: Cpu, pa: number, va: number): number {
  try { return cpu.bus.read16(pa >>> 0); } catch (e) {
    if (e instanceof BusError) fetchFault(cpu, va, FS_SYNC_EXTERNAL);
    throw e;
  }
}

/** Returned by decodeAt for a fetch from an unmapped address; never cached, never executed. */
function fetchAbortThumb(): void {}

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

function handlerFor(insn: number): Handler {
  const wide = (insn >>> 16) !== 0;
  const d = (wide ? t32Decoder() : t16Decoder()).decode(insn >>> 0);
  if (d.kind === 'ok') return d.row.exec;
  if (d.kind === 'undefined') return wide ? undefinedT32 : undefinedT16;
  return unpredictableThumb;
}

/** The instruction fetched by the last decode (T16 halfword, or hw1:hw2). */
let fetched = 0;

/**
 * Fetches and decodes the instruction at va (physical pa, slot index of page).
 * Instructions contained in the page are cached there.
 */
function decodeAt(cpu: Cpu, page: ThumbPage, index: number, va: number, pa: number): Handler {
  if (!cpu.bus.isMapped(pa >>> 0)) {
    // Nothing there: the run loop takes the Prefetch Abort without throwing.
    cpu.cp15.ifsr = faultStatusRegister(FS_SYNC_EXTERNAL, 0, false);
    cpu.cp15.ifar = va >>> 0;
    return fetchAbortThumb;
  }
  const hw1 = fetch16(cpu, pa, va);
  let insn: number;
  if (!isThumb32(hw1)) {
    insn = hw1;
  } else if (index < HALFWORDS - 1) {
    insn = (hw1 << 16) | fetch16(cpu, pa + 2, va + 2);
  } else {
    // The second halfword is on the next page: its own translation, no caching.
    const va2 = (va + 2) >>> 0;
    const pa2 = cpu.mmu.enabled ? cpu.mmu.translate(va2, ACCESS_FETCH, cpu.mode === MODE_USR) : va2;
    fetched = (hw1 << 16) | fetch16(cpu, pa2, va2);
    return handlerFor(fetched);
  }
  const h = handlerFor(insn);
  page.handlers[index] = h;
  page.insns[index] = insn;
  fetched = insn;
  return h;
}

/** Takes a pending, unmasked interrupt; the return address + 4 goes to LR in Thumb state too. */
function takeInterrupt(cpu: Cpu): boolean {
  if (cpu.fiqLine && !cpu.f) {
    cpu.enterException(Vector.Fiq, MODE_FIQ, (cpu.pc + 4) | 0);
    return true;
  }
  if (cpu.irqLine && !cpu.i) {
    cpu.enterException(Vector.Irq, MODE_IRQ, (cpu.pc + 4) | 0);
    return true;
  }
  return false;
}

function run(cpu: Cpu, budget: number): number {
  const start = cpu.icount;
  // Cpu.run passes runEnd - icount; shortenRun() may lower runEnd while we run.
  cpu.runEnd = start + budget;
  const code = codeOf(cpu);
  const r = cpu.r;
  let gen = -1;
  let pageVa = 1; // never page aligned: forces the first lookup
  let pa = 0;
  let page: ThumbPage | undefined;
  while (cpu.icount < cpu.runEnd) {
    try {
      while (cpu.icount < cpu.runEnd) {
        if (cpu.irqLine || cpu.fiqLine) {
          if (takeInterrupt(cpu)) {
            if (cpu.t === 0) return cpu.icount - start;
            continue;
          }
          if (cpu.waiting) cpu.waiting = false;
        }
        if (cpu.waiting || cpu.stopRequested) return cpu.icount - start;
        const pc = cpu.pc;
        cpu.icount++;
        if (cpu.execHooks.size !== 0) {
          const hook = cpu.execHooks.get(pc);
          if (hook !== undefined) {
            // The hook sees the Thumb view of the PC; nextPc defaults past a 16-bit instruction.
            cpu.nextPc = (pc + 2) >>> 0;
            r[15] = pc + 4;
            if (hook(cpu)) { cpu.pc = cpu.nextPc; pageVa = 1; if (cpu.t === 0) return cpu.icount - start; continue; }
          }
        }
        if (gen !== cpu.codeGen || ((pc & ~0xfff) >>> 0) !== pageVa) {
          pageVa = 1;
          pa = (pc & ~0xfff) >>> 0;
          // Faults here set IFSR/IFAR and throw PREFETCH_ABORT.
          if (cpu.mmu.enabled) pa = (cpu.mmu.translate(pc >>> 0, ACCESS_FETCH, cpu.mode === MODE_USR) & ~0xfff) >>> 0;
          page = code.page(pa);
          pageVa = (pc & ~0xfff) >>> 0;
          gen = cpu.codeGen;
        }
        const p = page!;
        const index = (pc & 0xfff) >>> 1;
        let h = p.handlers[index];
        let insn: number;
        if (h === undefined) {
          h = decodeAt(cpu, p, index, pc, pa + (pc & 0xfff));
          if (h === fetchAbortThumb) {
            pageVa = 1;
            cpu.enterException(Vector.PrefetchAbort, MODE_ABT, (cpu.pc + 4) | 0);
            if (cpu.t === 0) return cpu.icount - start;
            continue;
          }
          insn = fetched;
        } else {
          insn = p.insns[index];
        }
        cpu.nextPc = (pc + ((insn >>> 16) !== 0 ? 4 : 2)) >>> 0;
        r[15] = pc + 4;
        const it = cpu.it;
        if (it === 0) {
          h(cpu, insn);
        } else {
          itWritten[0] = 0;
          // BKPT (T16 1011 1110) executes even when its condition fails.
          if (cpu.conditionPassed(it >>> 4) || (insn & 0xffffff00) === 0xbe00) h(cpu, insn);
          if (cpu.it === it && itWritten[0] === 0) cpu.it = itAdvance(it);
        }
        cpu.pc = cpu.nextPc;
        if (cpu.t === 0) return cpu.icount - start;
      }
    } catch (e) {
      pageVa = 1;
      if (e === DATA_ABORT) cpu.enterException(Vector.DataAbort, MODE_ABT, (cpu.pc + 8) | 0);
      else if (e === PREFETCH_ABORT) cpu.enterException(Vector.PrefetchAbort, MODE_ABT, (cpu.pc + 4) | 0);
      else throw e;
      if (cpu.t === 0) return cpu.icount - start;
    }
  }
  return cpu.icount - start;
}

/** Drops every decoded Thumb page of cpu (what Cpu.invalidateCode does for A32). */
function invalidate(cpu: Cpu): void {
  const c = caches.get(cpu);
  if (c !== undefined) c.clear();
}

/** Set as cpu.thumb to execute Thumb code. */
export const thumbExecutor = { run, invalidate };
