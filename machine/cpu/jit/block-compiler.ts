/**
 * The second tier: a run of A32 instructions of one page compiled into one
 * JavaScript function (docs/translator.md).
 *
 * A block starts at an instruction the run loop found hot and goes on in
 * address order up to an unconditional branch, MAX_LENGTH instructions or
 * the end of the page. A taken branch to an instruction of the block (a
 * loop, an if without else) jumps there inside the function, as long as the
 * rest of the block from there fits the budget; any other taken branch
 * leaves the block in the middle.
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
import { conditionCode, emitA32, Effect, SYNC } from './a32-emit';

/**
 * The compiled code of a block: executes it and returns the instructions it
 * retired. `left`: the budget left, at least the block's length; a block that
 * loops to its start goes round while a whole turn fits. `H`: the handlers of
 * the instructions it calls rather than inlines (CompiledBlock.handlers).
 */
export type BlockCode = (cpu: Cpu, r: Int32Array, left: number, H: readonly Handler[]) => number;

/** A compiled block: `run(cpu, r, left, handlers)` executes it. */
export interface CompiledBlock {
  /** Instructions in the block (the most it can retire). */
  readonly length: number;
  readonly run: BlockCode;
  readonly handlers: readonly Handler[];
}

/** The longest block: short enough that the budget left usually fits it whole. */
export const MAX_LENGTH = 64;

/** Rows after which code is not reached in order (when their condition is AL). */
const ENDS_BLOCK = new Set(['BX', 'BXJ', 'BLX_reg', 'BLX_imm', 'SVC', 'UDF', 'BKPT', 'RFE', 'LDM_eret', 'HINT']);

/**
 * Compiled functions by source text: the same code at the same address (a
 * page dropped and loaded again, a second core, another machine in the same
 * process) is one function. It takes its handlers as an argument rather than
 * closing over them, so that V8's feedback and optimized code for it, which
 * belong to the function, serve every block made of that source: a second
 * run of a program starts with its blocks already optimized.
 */
const compiled = new Map<string, BlockCode>();

const FLAGS = ['n', 'z', 'c', 'v'] as const;

/**
 * The registers and flags a block keeps in JavaScript locals (`r3`, `fz`)
 * while it runs, so that the engine holds them in machine registers rather
 * than in cpu.r and the cpu object. They are loaded when the block starts and
 * after each handler call, and stored back (those the block writes) before
 * a handler call, when the block leaves, and when an access's full path
 * throws (an abort: the block's catch, told by `$s` that an access threw
 * and not a handler, which stored them itself and may have changed them).
 * The full path that returns sees none of them (it reads or writes memory
 * and devices, and the time and PC, which the access stores first).
 */
class Locals {
  private readonly used = new Set<number>();
  private readonly written = new Set<number>();
  private readonly flagsUsed = new Set<string>();
  private readonly flagsWritten = new Set<string>();

  /** The emitted code with registers and flags renamed to locals; notes which it reads and writes. */
  rename(code: string): string {
    for (const m of code.matchAll(/\br\[(\d+)\](\s*=(?!=))?/g)) {
      this.used.add(Number(m[1]));
      if (m[2] !== undefined) this.written.add(Number(m[1]));
    }
    for (const m of code.matchAll(/cpu\.([nzcv])\b(\s*=(?!=))?/g)) {
      this.flagsUsed.add(m[1]);
      if (m[2] !== undefined) this.flagsWritten.add(m[1]);
    }
    return code.replace(/\br\[(\d+)\]/g, 'r$1').replace(/cpu\.([nzcv])\b/g, 'f$1');
  }

  /** Each local's load from the cpu, as an assignment. */
  private loads(): string[] {
    return [...[...this.used].map((k) => `r${k} = r[${k}]`), ...FLAGS.filter((f) => this.flagsUsed.has(f)).map((f) => `f${f} = cpu.${f}`)];
  }

  /** Declares and loads every local. */
  declare(): string {
    const loads = this.loads();
    return loads.length === 0 ? '' : `let ${loads.join(', ')};`;
  }

  /** Loads every local again (after a handler, which works on cpu.r and the cpu's flags). */
  reload(): string {
    return this.loads().map((a) => `${a};`).join(' ');
  }

  /** Stores back what the block writes, as a list of expressions each followed by a comma. */
  storeBack(): string {
    return [...[...this.written].map((k) => `r[${k}] = r${k}, `), ...FLAGS.filter((f) => this.flagsWritten.has(f)).map((f) => `cpu.${f} = f${f}, `)].join('');
  }
}

/** Placeholders in the body for what is known only once the whole block is compiled. */
const STORE_BACK = '/*store back*/';
const RELOAD = '/*reload*/';

/**
 * Compiles the A32 block starting at slot `index` of the page `s` (virtual
 * address `pc`), of at most maxLength instructions. Decodes the instructions it covers into the page's slots.
 * Returns undefined when not even the first instruction can be compiled.
 */
export function compileA32Block(cpu: Cpu, s: CodeSlots, index: number, pc: number, maxLength = MAX_LENGTH): CompiledBlock | undefined {
  const code = cpu.code;
  // First the instructions the block covers, then their code: a branch to one
  // of them is a jump inside the function, which needs to know them all.
  const insns: Array<{ p: number; insn: number; h: Handler; row: string | undefined; e: ReturnType<typeof emitA32> }> = [];
  let end = false;
  for (let k = index; k < 1024 && insns.length < maxLength && !end; k++) {
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
    const e = row === undefined ? undefined : emitA32(row, insn, p);
    insns.push({ p, insn, h, row, e });
    const always = (insn >>> 28) >= 14;
    if (always && (e === undefined ? row === undefined || ENDS_BLOCK.has(row) : e.effect !== Effect.Pure && e.effect !== Effect.Access)) end = true;
  }
  const count = insns.length;
  if (count === 0) return undefined;
  /** The position in the block of a branch target inside it, or -1. */
  const inside = (target: number | undefined): number => {
    if (target === undefined) return -1;
    const t = (target - pc) / 4;
    return Number.isInteger(t) && t >= 0 && t < count ? t : -1;
  };
  // Positions jumped to other than the start: each gets a case of a switch over $e.
  const entries = new Set<number>();
  // Whether any branch jumps inside the block: only then is its body a loop.
  // (A loop costs V8's optimizing compiler far more than a labeled block: it
  // peels it and carries every local around it.)
  let loops = false;
  for (const { e } of insns) {
    if (e === undefined || e.effect !== Effect.Branch) continue;
    const t = inside(e.target);
    if (t >= 0) loops = true;
    if (t > 0) entries.add(t);
  }

  const handlers: Handler[] = [];
  const body: string[] = [];
  const locals = new Locals();
  // What a handler needs stored back: in a block run straight through, the
  // locals written so far (the others still equal the cpu's); in a block that
  // loops, every local it writes, known at the end.
  const storeBackHere = (): string => (loops ? STORE_BACK : locals.storeBack());
  let last = pc;
  // Whether the last instruction leaves the block on every path (an unconditional branch).
  let leaves = false;
  // Every exit goes through the epilogue (after the loop) with the target in npc, the
  // instructions retired in $n and the value r15 is left with in $r15.
  const exit = (K: number, p: number): string => `$n = ${K}; $r15 = ${(p + 8) | 0}; break out;`;
  if (entries.size > 0) body.push('switch ($e) {', 'case 0:');
  insns.forEach(({ p, insn, h, row, e }, j) => {
    const K = j + 1;
    const next = (p + 4) >>> 0;
    const condition = conditionCode(insn >>> 28);
    const cond = condition === undefined ? undefined : locals.rename(condition);
    if (entries.has(j)) body.push(`case ${j}:`);
    body.push(`// ${p.toString(16)}: ${(insn >>> 0).toString(16).padStart(8, '0')} ${row ?? 'undefined'}`);
    if (e === undefined) {
      // The handler works on the cpu: the locals go back first and are loaded again after.
      handlers.push(h);
      body.push(
        `${cond === undefined ? '{' : `if (${cond}) {`} ${storeBackHere()}$s = 0; cpu.icount = i0 + ${K}; cpu.pc = ${p}; cpu.nextPc = ${next}; r[15] = ${(p + 8) | 0};`,
        `h${handlers.length - 1}(cpu, ${insn | 0});`,
        `if (cpu.attention !== 0 || cpu.nextPc !== ${next}) { cpu.pc = cpu.nextPc; return i0 + ${K} - s0; } ${RELOAD} }`,
      );
    } else {
      const renamed = locals.rename(e.code);
      const c = renamed.replaceAll(SYNC, `cpu.icount = i0 + ${K}, cpu.pc = ${p}, $s = 1, `);
      if (e.effect === Effect.Pure) {
        body.push(cond === undefined ? c : `if (${cond}) ${c}`);
      } else if (e.effect === Effect.Access) {
        body.push(`${cond === undefined ? '' : `if (${cond}) `}{ ${c} if (cpu.attention !== 0) { npc = ${next}; ${exit(K, p)} } }`);
      } else if (e.effect === Effect.AccessBranch) {
        body.push(cond === undefined ? `${c} ${exit(K, p)}` : `if (${cond}) { ${c} ${exit(K, p)} }`);
        if (cond === undefined) leaves = true;
      } else {
        // A branch to an instruction of this block jumps there while the rest of
        // the block from there fits the budget: attention is clear here (the block
        // would have left otherwise), so the run loop's checks would let the block
        // starting there run anyway. The count goes on from this instruction's.
        const t = inside(e.target);
        const again = t < 0 ? '' : `if (left - (i0 + ${K} - s0) >= ${count - t}) { i0 += ${K - t}; ${entries.size > 0 ? `$e = ${t}; ` : ''}continue; } `;
        const leave = `${again}${exit(K, p)}`;
        body.push(cond === undefined ? `${c} ${leave}` : `if (${cond}) { ${c} ${leave} }`);
        if (cond === undefined) leaves = true;
      }
    }
    last = p;
  });
  if (entries.size > 0) body.push('}');
  if (!leaves) body.push(`npc = ${(last + 4) >>> 0}; ${exit(count, last)}`);
  const storeBack = locals.storeBack();
  // The same stores as statements, for the abort's catch and the exit.
  const storeBackStatements = storeBack.replace(/, /g, '; ');
  const reload = locals.reload();
  const source = [
    'return function (cpu, r, left, H) {',
    ...handlers.map((_, k) => `const h${k} = H[${k}];`),
    `const s0 = cpu.icount; let i0 = s0; let npc = 0, $n = 0, $r15 = 0, $s = 0${entries.size > 0 ? ', $e = 0' : ''}; const T = cpu.dataTlb, S = cpu.storeTlb, Mi32 = T.arena.i32, Mu16 = T.arena.u16, Mu8 = T.arena.u8;`,
    locals.declare(),
    'try {',
    loops ? 'out: for (;;) {' : 'out: {',
    ...body.map((line) => line.replaceAll(STORE_BACK, storeBack).replaceAll(RELOAD, reload)),
    '}',
    `} catch (e) { if ($s !== 0) { ${storeBackStatements}} throw e; }`,
    `${storeBackStatements}cpu.icount = i0 + $n; cpu.pc = npc; r[15] = $r15; return i0 + $n - s0;`,
    '};',
  ].join('\n');
  let run = compiled.get(source);
  if (run === undefined) {
    run = (new Function(source) as () => BlockCode)();
    compiled.set(source, run);
  }
  return { length: count, run, handlers };
}
