/**
 * The fetch/decode/execute loop of one core, for A32 and Thumb alike.
 *
 * Blocks. The loop runs the guest a block at a time: consecutive
 * instructions of one instruction set in one page, from where the PC is up to
 * the first instruction that writes the PC (a taken branch, an exception),
 * the end of the page, or the end of the budget. The checks of an
 * instruction boundary (pending interrupts, WFI, a stop request, execution
 * hooks, the page's translation and decoded slots) are made, and the budget
 * left is taken, when a block starts; inside a block an instruction costs its
 * slot lookup, its handler and one test of `cpu.attention`. A block that
 * branches within its page with attention still clear is followed by the
 * block at the target at once (chained, as QEMU chains translation blocks):
 * the boundary checks could not decide otherwise there.
 *
 * Exactness rule. Whatever could change the outcome of those boundary checks
 * while a block runs raises `cpu.attention`, which ends the block after the
 * current instruction: an interrupt line going high, a write to CPSR.I, F or
 * T that changes it (so every exception entry and return, but not a BX that
 * stays in the same instruction set), WFI, a stop request, shortenRun
 * (an event scheduled during the run), a new execution hook, and anything
 * that bumps cpu.codeGen (a write to a page holding decoded code, a
 * translation or privilege change). The next block then starts with the full
 * checks, so interrupts are taken, runs stop and events happen at exactly the
 * instruction boundary they would if every check were made before every
 * instruction. An abort thrown in mid-block (a data access, an access
 * watcher, a fetch) is taken with the faulting instruction's address in
 * cpu.pc, as at any other instruction. STOP_BEFORE (a watchpoint) abandons
 * the instruction the same way, takes no exception, gives its tick back and
 * stops the run before it.
 *
 * Decode cache: see code-cache.ts; looked up by (physical page, T) when a
 * block starts in another page, another instruction set or after codeGen
 * changed (through the recently used pages when the fetch translation is
 * known still to hold), otherwise reused.
 *
 * Compiled blocks (the jit engine, docs/translator.md): in A32 code, with no
 * execution hook and no access watcher in place, a slot where blocks have
 * started often enough gets a compiled block (jit/block-compiler.ts), which
 * the loop then calls instead of interpreting, whenever the whole block fits
 * the budget left; the block keeps this loop's rule (attention ends it after
 * the current instruction) and its state at every instruction that can
 * observe or fault, so both engines give the same run. A compiled block is
 * entered only where a block starts: the instructions interpreted in order
 * pay nothing for the compiled tier.
 *
 * Timing (as documented in cpu.ts): every instruction fetched counts one tick
 * (one that faults, is UNDEFINED, fails its condition or is replaced by an
 * execution hook included); cpu.icount is exact at every instruction, so a
 * device reading the time in mid-block sees the right value.
 *
 * Execution hooks (cpu.execHooks, by instruction address): a hooked
 * instruction always starts a block, and its hook runs there, before the
 * fetch. While the table is not empty, a block looks up the address of each
 * instruction before counting it; while it is empty this costs nothing: the
 * table's size is read once per block, and adding a hook raises attention.
 *
 * IT blocks: an instruction inside one executes only if ITSTATE's condition
 * passes, and ITSTATE advances after it (ITAdvance) unless the instruction
 * wrote ITSTATE itself (exception entry, or an exception return, which sets
 * cpu.itWritten). BKPT executes whatever its condition.
 */

import type { Cpu } from './cpu';
import type { CodeSlots } from './code-cache';
import { fetchAbortHandler } from './code-cache';
import { ACCESS_FETCH } from '../mmu/mmu';
import { MODE_USR } from './modes';
import { DATA_ABORT, PREFETCH_ABORT, STOP_BEFORE } from './faults';
import { itAdvance } from './t32/common';
import { compileA32Block, type CompiledBlock } from './jit/block-compiler';

/**
 * Runs compiled blocks one after another, the first given, each next one
 * where the last left off as long as it is compiled, fits the budget and
 * attention is clear (the checks the run loop would make there could not
 * decide otherwise); returns the instructions retired. A small loop of its
 * own, so that the engine's dispatch stays as quick as the blocks.
 *
 * A block that leaves its page goes on in the page it went to when the
 * recent-pages table has that page (CodeCache.recent: the fetch translation
 * still holds and nothing was invalidated since, so the run loop's lookup
 * would find the same slots) and the page is not one the engine leaves
 * interpreted; otherwise the run loop takes over. Having left its page, the
 * chain sets chainLeftPage: the run loop then looks its page up again before
 * running on in it, as it does after any block that left the page (the
 * page's translation may have gone meanwhile, and looking it up again is
 * what refills the MMU's entry, which is guest-visible state).
 */
let chainLeftPage = false;

function chainBlocks(cpu: Cpu, s: CodeSlots, first: CompiledBlock, left: number, pageVa: number): number {
  const r = cpu.r;
  let blocks = s.blocks!;
  let b = first;
  let done = 0;
  // Set afresh by every chain (one that faulted may have left it set).
  chainLeftPage = false;
  for (;;) {
    done += b.run(cpu, r, left - done, b.handlers);
    if (done >= left || cpu.attention !== 0) return done;
    const npc = cpu.pc;
    if ((npc & ~0xfff) !== pageVa) {
      const other = cpu.code.recent(npc, 0);
      if (other === undefined || other.blocks === undefined || cpu.icount < other.volatileUntil) return done;
      // As after the run loop's own lookup: the page just found is the one whose translation counts.
      cpu.fetchPageLost = 0;
      chainLeftPage = true;
      blocks = other.blocks;
      pageVa = npc & ~0xfff;
    }
    const next = blocks[(npc & 0xfff) >>> 2];
    if (next == null || next.length > left - done) return done;
    b = next;
  }
}

function startBlocks(s: CodeSlots): Array<CompiledBlock | null | undefined> {
  s.heat = new Uint16Array(s.handlers.length);
  return (s.blocks = new Array<CompiledBlock | null | undefined>(s.handlers.length));
}

/**
 * Executes up to `budget` instructions; returns how many were executed.
 * Stops early on WFI (with nothing pending), a stop request or a hook that
 * asked to stop.
 */
export function runLoop(cpu: Cpu, budget: number): number {
  const start = cpu.icount;
  cpu.runEnd = start + budget;
  cpu.stopRequested = false;
  const code = cpu.code;
  const hooks = cpu.execHooks;
  const r = cpu.r;
  const hot = cpu.hotThreshold;
  // Another core's exclusive reservation needs every store to go the full way.
  if (cpu.peerMonitors !== 0) cpu.storeTlb.flush();
  // The slots in use and what they were looked up for: those the core's last run held, as if it had gone on.
  let gen = -1;
  let pageVa = 1; // never page aligned: forces the first lookup
  let pageT = -1;
  let slots: CodeSlots | undefined;
  const held = cpu.heldFetch;
  if (held !== undefined && cpu.holdsFetchAcrossRuns) { gen = held.gen; pageVa = held.pageVa; pageT = held.t; slots = held.slots; }
  while (cpu.icount < cpu.runEnd) {
    try {
      while (cpu.icount < cpu.runEnd) {
        // ---- a block starts: the checks of an instruction boundary.
        cpu.attention = 0;
        if (cpu.irqLine || cpu.fiqLine) {
          if (cpu.takeInterrupt()) continue;
          if (cpu.waiting) cpu.waiting = false;
        }
        if (cpu.waiting || cpu.stopRequested) return endRun(cpu, start, gen, pageVa, pageT, slots);
        const hooked = hooks.size !== 0;
        let left = cpu.runEnd - cpu.icount;
        let pc = cpu.pc;
        cpu.icount++;
        if (hooked) {
          const hook = hooks.get(pc);
          if (hook !== undefined && runHook(cpu, hook, pc)) { pageVa = 1; continue; }
        }
        const t = cpu.t;
        if (gen !== cpu.codeGen || (pc & ~0xfff) !== pageVa || t !== pageT) {
          pageVa = 1;
          slots = code.recent(pc, t);
          if (slots === undefined) {
            let pa = pc & ~0xfff;
            // Faults here set IFSR/IFAR and throw PREFETCH_ABORT.
            if (cpu.mmu.enabled) pa = cpu.mmu.translate(pc >>> 0, ACCESS_FETCH, cpu.mode === MODE_USR) & ~0xfff;
            slots = code.slots(pa >>> 0, t);
            code.noteRecent(pc, t, slots);
          }
          pageVa = pc & ~0xfff;
          pageT = t;
          gen = cpu.codeGen;
          cpu.fetchPageLost = 0;
        }
        const s = slots!;
        const handlers = s.handlers, insns = s.insns;
        const shift = t === 0 ? 2 : 1; // bytes per slot: 4 (A32) or 2 (Thumb)
        // Compiled blocks run only where nothing watches single instructions or accesses.
        const compiled = t === 0 && !hooked && cpu.engine === 'jit' && !cpu.accessProbe.active && cpu.icount >= s.volatileUntil;
        // Whether pc starts a block (counted towards compiling one there): the
        // first instruction, a branch target, the instruction after a compiled block.
        let blockStart = true;
        // ---- the block: one instruction per turn.
        for (;;) {
          const index = (pc & 0xfff) >>> shift;
          // Only where a block starts: the instructions the interpreter reaches in
          // order run on interpreted (a compiled block there is entered at the next
          // block start) and cost nothing more than under the interpreter engine.
          if (compiled && blockStart) {
            const blocks = s.blocks ?? startBlocks(s);
            let b = blocks[index];
            if (b === undefined && ++s.heat![index] >= hot) b = blocks[index] = compileA32Block(cpu, s, index, pc) ?? null;
            // A block longer than the budget left: the interpreter runs its head, or,
            // where everything is compiled at once, a block of just that head.
            if (b != null && b.length > left && hot === 1) b = compileA32Block(cpu, s, index, pc, left) ?? null;
            if (b != null && b.length <= left) {
              // The block counts its own instructions (block-compiler.ts has the contract).
              cpu.icount--;
              left -= chainBlocks(cpu, s, b, left, pageVa);
              if (chainLeftPage) { chainLeftPage = false; pageVa = 1; }
              const npc = cpu.pc;
              if (left <= 0 || cpu.attention !== 0 || (npc & ~0xfff) !== pageVa) break;
              pc = npc;
              cpu.icount++;
              blockStart = true;
              continue;
            }
          }
          let h = handlers[index];
          let insn: number;
          if (h === undefined) {
            h = code.decode(s, index, pc);
            if (h === fetchAbortHandler) { cpu.takePrefetchAbort(); break; }
            insn = code.insn;
          } else {
            insn = insns[index];
          }
          if (t === 0) {
            cpu.nextPc = (pc + 4) >>> 0;
            r[15] = pc + 8;
            const cond = insn >>> 28;
            if (cond >= 14 || cpu.conditionPassed(cond)) h(cpu, insn);
          } else {
            cpu.nextPc = (pc + ((insn >>> 16) !== 0 ? 4 : 2)) >>> 0;
            r[15] = pc + 4;
            const it = cpu.it;
            if (it === 0) {
              h(cpu, insn);
            } else {
              cpu.itWritten = 0;
              // BKPT (T16 1011 1110) executes even when its condition fails.
              if (cpu.conditionPassed(it >>> 4) || (insn & 0xffffff00) === 0xbe00) h(cpu, insn);
              if (cpu.it === it && cpu.itWritten === 0) cpu.it = itAdvance(it);
            }
          }
          const npc = cpu.nextPc;
          cpu.pc = npc;
          blockStart = npc !== ((pc + 4) >>> 0);
          // With attention clear, the boundary checks before npc would decide as
          // they did when this block started: a branch within the page chains to
          // its target at once. A hooked instruction starts a block of its own.
          if (--left <= 0 || cpu.attention !== 0 || (npc & ~0xfff) !== pageVa) break;
          if (hooked && hooks.has(npc)) break;
          pc = npc;
          cpu.icount++;
        }
      }
    } catch (e) {
      pageVa = 1;
      if (e === DATA_ABORT) cpu.takeDataAbort();
      else if (e === PREFETCH_ABORT) cpu.takePrefetchAbort();
      else if (e === STOP_BEFORE) { cpu.icount -= 1; cpu.stopRequested = true; }
      else throw e;
    }
  }
  return endRun(cpu, start, gen, pageVa, pageT, slots);
}

/** The end of a run: what the loop holds of its page is kept for the next run (Cpu.heldFetch); returns the instructions executed. */
function endRun(cpu: Cpu, start: number, gen: number, pageVa: number, t: number, slots: CodeSlots | undefined): number {
  cpu.heldFetch = pageVa === 1 || slots === undefined ? undefined : { gen, pageVa, t, slots };
  return cpu.icount - start;
}

/**
 * Calls the execution hook of the instruction at pc, which sees the PC as
 * that instruction would (r15 = pc + 8, or pc + 4 in Thumb state) and nextPc
 * past it (a 16-bit instruction in Thumb state). Returns true if the hook
 * took the instruction's place; execution then continues at nextPc.
 */
function runHook(cpu: Cpu, hook: (cpu: Cpu) => boolean, pc: number): boolean {
  const t = cpu.t;
  cpu.nextPc = (pc + (t === 0 ? 4 : 2)) >>> 0;
  cpu.r[15] = pc + (t === 0 ? 8 : 4);
  if (!hook(cpu)) return false;
  cpu.pc = cpu.nextPc;
  return true;
}
