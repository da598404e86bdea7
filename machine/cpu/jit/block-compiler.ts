/**
 * The second tier: a run of A32 instructions of one page compiled into one
 * JavaScript function (docs/translator.md).
 *
 * A block starts at an instruction the run loop found hot and goes on in
 * address order up to an unconditional branch, MAX_LENGTH instructions or
 * the end of the page; a taken conditional branch leaves it in the middle.
 * Frequent rows are inlined (a32-emit.ts); the others call their handler
 * exactly as the interpreter does (cpu.pc, cpu.nextPc, r15 and the time set
 * first), so every row runs here, the rare ones at interpreter speed.
 *
 * The contract with the run loop (loop.ts), which keeps the two tiers
 * bit-identical:
 * - The loop calls a block only when its whole length fits the budget left,
 *   with cpu.icount counting the instructions before it and cpu.pc at its
 *   start, and nothing hooked or watched (no execution hooks, no access
 *   watchers).
 * - The block returns how many instructions it retired (every one counts,
 *   whether its condition passed or not), with cpu.pc at the next one, and
 *   cpu.icount advanced by as many. r15 is left as the interpreter leaves it:
 *   the last instruction's address + 8.
 * - Before any instruction that can see the time or the PC, or fault (a
 *   memory access, a handler), cpu.icount and cpu.pc are those of that
 *   instruction; an abort thrown from it reaches the loop's handler with the
 *   state the interpreter would have. Instructions that only compute
 *   registers and flags skip those stores.
 * - After any instruction that can raise cpu.attention (a memory access, a
 *   handler), the block returns if it is raised, as the interpreter ends its
 *   block there: an interrupt, an event, a write to decoded code (which also
 *   drops this block with its page), a stop request.
 */

import type { Cpu } from '../cpu';
import type { Handler } from '../encoding';
import type { CodeSlots } from '../code-cache';
import { conditionCode, emitA32, Effect } from './a32-emit';

/** A compiled block: `run` executes it and returns the instructions it retired. */
export interface CompiledBlock {
  /** Instructions in the block (the most it can retire). */
  readonly length: number;
  /** `left`: the budget left, at least `length`; a block that loops to its start goes round while a whole turn fits. */
  readonly run: (cpu: Cpu, r: Int32Array, left: number) => number;
}

/** The longest block: short enough that the budget left usually fits it whole. */
export const MAX_LENGTH = 64;

/** Rows after which code is not reached in order (when their condition is AL). */
const ENDS_BLOCK = new Set(['BX', 'BXJ', 'BLX_reg', 'BLX_imm', 'SVC', 'UDF', 'BKPT', 'RFE', 'LDM_eret', 'HINT']);

/**
 * Compiled functions by source text: the same code at the same address
 * (a page dropped and loaded again, a second core) is compiled once.
 */
const factories = new Map<string, (handlers: Handler[]) => CompiledBlock['run']>();

/**
 * Compiles the A32 block starting at slot `index` of the page `s` (virtual
 * address `pc`), of at most maxLength instructions. Decodes the instructions it covers into the page's slots.
 * Returns undefined when not even the first instruction can be compiled.
 */
export function compileA32Block(cpu: Cpu, s: CodeSlots, index: number, pc: number, maxLength = MAX_LENGTH): CompiledBlock | undefined {
  const code = cpu.code;
  const handlers: Handler[] = [];
  const body: string[] = [];
  let count = 0;
  let last = pc;
  let end = false;
  // Whether the last instruction leaves the block on every path (an unconditional branch).
  let leaves = false;
  for (let k = index; k < 1024 && count < maxLength && !end; k++) {
    const p = (pc + (k - index) * 4) >>> 0;
    let h = s.handlers[k];
    if (h === undefined) {
      // Decoding ahead must not fault or touch a device: only RAM is read.
      if (!cpu.bus.isRam(s.pa + k * 4)) break;
      h = code.decode(s, k, p);
    }
    const insn = s.insns[k];
    const d = cpu.decoder.decode(insn >>> 0);
    const row = d.kind === 'ok' ? d.row.name : undefined;
    const K = count + 1;
    const next = (p + 4) >>> 0;
    const cond = conditionCode(insn >>> 28);
    const e = row === undefined ? undefined : emitA32(row, insn, p);
    body.push(`// ${p.toString(16)}: ${(insn >>> 0).toString(16).padStart(8, '0')} ${row ?? 'undefined'}`);
    if (e === undefined) {
      handlers.push(h);
      body.push(
        `cpu.icount = i0 + ${K}; cpu.pc = ${p}; cpu.nextPc = ${next}; r[15] = ${(p + 8) | 0};`,
        `${cond === undefined ? '' : `if (${cond}) `}h${handlers.length - 1}(cpu, ${insn | 0});`,
        `if (cpu.attention !== 0 || cpu.nextPc !== ${next}) { cpu.pc = cpu.nextPc; return i0 + ${K} - s0; }`,
      );
      if (cond === undefined && (row === undefined || ENDS_BLOCK.has(row))) end = true;
    } else if (e.effect === Effect.Pure) {
      body.push(cond === undefined ? e.code : `if (${cond}) ${e.code}`);
    } else if (e.effect === Effect.Access) {
      body.push(
        `cpu.icount = i0 + ${K}; cpu.pc = ${p};`,
        `${cond === undefined ? '' : `if (${cond}) `}{ ${e.code} if (cpu.attention !== 0) { cpu.pc = ${next}; r[15] = ${(p + 8) | 0}; return i0 + ${K} - s0; } }`,
      );
    } else if (e.effect === Effect.AccessBranch) {
      const leave = `cpu.icount = i0 + ${K}; cpu.pc = npc; r[15] = ${(p + 8) | 0}; return i0 + ${K} - s0;`;
      body.push(
        `cpu.icount = i0 + ${K}; cpu.pc = ${p};`,
        cond === undefined ? `${e.code} ${leave}` : `if (${cond}) { ${e.code} ${leave} }`,
      );
      if (cond === undefined) end = leaves = true;
    } else {
      // A branch back to the start goes round again while a whole turn fits the
      // budget: attention is clear here (the block would have left otherwise),
      // so the run loop's checks would let the block run again anyway.
      const again = e.target === pc ? `if (left - (i0 + ${K} - s0) >= LENGTH) { i0 += ${K}; continue; } ` : '';
      const leave = `${again}cpu.icount = i0 + ${K}; cpu.pc = npc; r[15] = ${(p + 8) | 0}; return i0 + ${K} - s0;`;
      body.push(cond === undefined ? `${e.code} ${leave}` : `if (${cond}) { ${e.code} ${leave} }`);
      if (cond === undefined) end = leaves = true;
    }
    count = K;
    last = p;
  }
  if (count === 0) return undefined;
  if (!leaves) body.push(`cpu.icount = i0 + ${count}; cpu.pc = ${(last + 4) >>> 0}; r[15] = ${(last + 8) | 0}; return i0 + ${count} - s0;`);
  const source = [
    ...handlers.map((_, k) => `const h${k} = H[${k}];`),
    `const LENGTH = ${count};`,
    'return function (cpu, r, left) {',
    'const s0 = cpu.icount; let i0 = s0; let npc = 0; const T = cpu.dataTlb, S = cpu.storeTlb;',
    'for (;;) {',
    ...body,
    '}',
    '};',
  ].join('\n');
  let factory = factories.get(source);
  if (factory === undefined) {
    factory = new Function('H', source) as (handlers: Handler[]) => CompiledBlock['run'];
    factories.set(source, factory);
  }
  return { length: count, run: factory(handlers) };
}
