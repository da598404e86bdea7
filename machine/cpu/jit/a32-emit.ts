/**
 * JavaScript for the most frequent A32 instructions, as the block compiler
 * (block-compiler.ts) inlines them: data processing with an immediate, an
 * immediate-shifted register or a register-shifted register, MOVW/MOVT,
 * B/BL/BX, the word, byte and halfword loads and stores with immediate or
 * register offsets, LDM/STM, MUL/MLA, the 64-bit multiplies, the byte and
 * halfword extends, CLZ.
 *
 * Each emitter is the handler of its row (machine/cpu/a32/) with the
 * instruction's fields and its PC turned into constants: the same operations
 * in the same order, so the registers, flags, memory accesses and faults are
 * the interpreter's. What is not listed here (or a listed row in a form that
 * writes the PC) gets no code: the compiler then calls the row's handler.
 *
 * Generated code sees `cpu` and `r` (cpu.r), and writes registers as `r[k]`
 * and flags as `cpu.n` (etc.); the block compiler renames those to locals.
 * Register values are int32 as in the interpreter; flags are 0/1.
 */

import { fieldsOf } from '../encoding';
import { DATA_TLB_MASK } from './data-tlb';
import { ACC_ALIGN } from '../access-flags';

/** What an emitted instruction does besides computing registers and flags. */
export const enum Effect {
  /** Registers and flags only: needs neither the time nor the PC, cannot fault. */
  Pure = 0,
  /** Accesses memory: its full path (marked SYNC) needs the state exact, may fault, may raise attention. */
  Access = 1,
  /** Ends the block when taken (a branch): the code sets `npc` and leaves. */
  Branch = 2,
  /** Accesses memory, then branches (LDM with the PC in its list): both of the above. */
  AccessBranch = 3,
}

export interface Emitted {
  readonly effect: Effect;
  /** Code executed when the condition passes. Branches assign the target to `npc`. */
  readonly code: string;
  /** A branch's target, known when compiling. */
  readonly target?: number;
}

// ---- fields (the same layouts as the rows) -----------------------------------

const DP = fieldsOf('---- ---o ooos nnnn dddd ---- ---- ----');
const IMM12 = fieldsOf('---- ---- ---- ---- ---- iiii iiii iiii');
const SHIFTED = fieldsOf('---- ---- ---- ---- ---- iiii itt- mmmm');
const RSR = fieldsOf('---- ---- ---- ---- ---- ssss -tt- mmmm');
const MOV16 = fieldsOf('---- ---- ---- iiii dddd iiii iiii iiii');
const ADDR = fieldsOf('---- ---p u-w- nnnn tttt ---- ---- ----');
const OFF8 = fieldsOf('---- ---- ---- ---- ---- iiii ---- iiii');
const OFF_REG = fieldsOf('---- ---- ---- ---- ---- ---- ---- mmmm');
const MUL = fieldsOf('---- ---- ---s dddd aaaa mmmm ---- nnnn');

/** The condition of an A32 instruction as a JS expression (undefined: always). */
export function conditionCode(cond: number): string | undefined {
  switch (cond) {
    case 0: return 'cpu.z === 1';
    case 1: return 'cpu.z === 0';
    case 2: return 'cpu.c === 1';
    case 3: return 'cpu.c === 0';
    case 4: return 'cpu.n === 1';
    case 5: return 'cpu.n === 0';
    case 6: return 'cpu.v === 1';
    case 7: return 'cpu.v === 0';
    case 8: return '(cpu.c === 1 && cpu.z === 0)';
    case 9: return '(cpu.c === 0 || cpu.z === 1)';
    case 10: return 'cpu.n === cpu.v';
    case 11: return 'cpu.n !== cpu.v';
    case 12: return '(cpu.z === 0 && cpu.n === cpu.v)';
    case 13: return '(cpu.z === 1 || cpu.n !== cpu.v)';
    default: return undefined;
  }
}

/** A register read as the instruction sees it: the PC reads as its address + 8. */
function reg(n: number, pc: number): string {
  return n === 15 ? String((pc + 8) | 0) : `r[${n}]`;
}

/** ARMExpandImm_C at compile time: value and carry (undefined: C unchanged). */
function expandImm(imm12: number): { value: number; carry: number | undefined } {
  const rot = (imm12 >>> 8) * 2;
  const v = imm12 & 0xff;
  if (rot === 0) return { value: v, carry: undefined };
  const value = ((v >>> rot) | (v << (32 - rot))) | 0;
  return { value, carry: value >>> 31 };
}

/**
 * Rm shifted by an immediate (DecodeImmShift, as operands.ts shiftImm): the
 * value and the carry out as expressions over `m` (Rm's value), the carry
 * undefined where it is C unchanged.
 */
function shiftImmCode(type: number, imm5: number): { value: string; carry: string | undefined } {
  switch (type) {
    case 0:
      if (imm5 === 0) return { value: 'm', carry: undefined };
      return { value: `(m << ${imm5})`, carry: `((m >>> ${32 - imm5}) & 1)` };
    case 1:
      if (imm5 === 0) return { value: '0', carry: '(m >>> 31)' };
      return { value: `((m >>> ${imm5}) | 0)`, carry: `((m >>> ${imm5 - 1}) & 1)` };
    case 2:
      if (imm5 === 0) return { value: '(m >> 31)', carry: '(m >>> 31)' };
      return { value: `(m >> ${imm5})`, carry: `((m >> ${imm5 - 1}) & 1)` };
    default:
      if (imm5 === 0) return { value: '((cpu.c << 31) | (m >>> 1))', carry: '(m & 1)' };
      return { value: `((m >>> ${imm5}) | (m << ${32 - imm5}))`, carry: `((m >>> ${imm5 - 1}) & 1)` };
  }
}

/** Flags and result of x + y + carry (AddWithCarry), x and y int32 expressions already in locals x, y. */
function addWithCarry(carryIn: string, setFlags: boolean, dest: string | undefined): string {
  if (!setFlags) return dest === undefined ? '' : `${dest} = (x + y + ${carryIn}) | 0;`;
  return `{ const u = (x >>> 0) + (y >>> 0) + ${carryIn}; const res = u | 0;` +
    (dest === undefined ? '' : ` ${dest} = res;`) +
    ' cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0; cpu.c = u > 0xffffffff ? 1 : 0; cpu.v = (~(x ^ y) & (x ^ res)) >>> 31; }';
}

/**
 * Data processing, opcode o (bits 24:21), given operand 2 as code that
 * defines `op` (and `sc`, its carry out, when the logical forms set flags
 * and it is not C unchanged).
 */
function dataProcessing(insn: number, pc: number, op2: string, carry: string | undefined): Emitted | undefined {
  const o = DP.o(insn), s = DP.s(insn) === 1, n = DP.n(insn), d = DP.d(insn);
  const compare = o >= 8 && o <= 11;
  if (!compare && d === 15) return undefined; // writes the PC: the handler branches
  const rn = reg(n, pc);
  const dest = compare ? undefined : `r[${d}]`;
  const arith = (x: string, y: string, c: string): string => `{ ${op2} const x = ${x}, y = ${y}; ${addWithCarry(c, s || compare, dest)} }`;
  const logical = (expr: string): string => {
    if (!s && !compare) return `{ ${op2} ${dest} = ${expr}; }`;
    return `{ ${op2} const res = ${expr};${dest === undefined ? '' : ` ${dest} = res;`} cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0;${carry === undefined ? '' : ' cpu.c = sc;'} }`;
  };
  let code: string;
  switch (o) {
    case 0: code = logical(`${rn} & op`); break;
    case 1: code = logical(`${rn} ^ op`); break;
    case 2: code = arith(rn, '~op', '1'); break;
    case 3: code = arith(`~${rn}`, 'op', '1'); break;
    case 4: code = arith(rn, 'op', '0'); break;
    case 5: code = arith(rn, 'op', 'cpu.c'); break;
    case 6: code = arith(rn, '~op', 'cpu.c'); break;
    case 7: code = arith(`~${rn}`, 'op', 'cpu.c'); break;
    case 8: code = logical(`${rn} & op`); break;
    case 9: code = logical(`${rn} ^ op`); break;
    case 10: code = arith(rn, '~op', '1'); break;
    case 11: code = arith(rn, 'op', '0'); break;
    case 12: code = logical(`${rn} | op`); break;
    case 13: code = logical('op'); break;
    case 14: code = logical(`${rn} & ~op`); break;
    default: code = logical('~op'); break;
  }
  return { effect: Effect.Pure, code };
}

function dataProcessingImm(insn: number, pc: number): Emitted | undefined {
  const { value, carry } = expandImm(IMM12.i(insn));
  return dataProcessing(insn, pc, `const op = ${value};${carry === undefined ? '' : ` const sc = ${carry};`}`, carry === undefined ? undefined : String(carry));
}

function dataProcessingReg(insn: number, pc: number): Emitted | undefined {
  const sh = shiftImmCode(SHIFTED.t(insn), SHIFTED.i(insn));
  const m = reg(SHIFTED.m(insn), pc);
  return dataProcessing(insn, pc, `const m = ${m}; const op = ${sh.value};${sh.carry === undefined ? '' : ` const sc = ${sh.carry};`}`, sh.carry);
}

/**
 * Rm shifted by the bottom byte of Rs (operands.ts shiftReg), decided when
 * the instruction runs: the value and the carry out as expressions over `m`
 * and `n` (the amount); an amount of 0 leaves both Rm and C as they are.
 */
function shiftRegCode(type: number): { value: string; carry: string } {
  switch (type) {
    case 0: return {
      value: 'n === 0 ? m : n < 32 ? m << n : 0',
      carry: 'n === 0 ? cpu.c : n < 32 ? (m >>> (32 - n)) & 1 : n === 32 ? m & 1 : 0',
    };
    case 1: return {
      value: 'n === 0 ? m : n < 32 ? (m >>> n) | 0 : 0',
      carry: 'n === 0 ? cpu.c : n < 32 ? (m >>> (n - 1)) & 1 : n === 32 ? m >>> 31 : 0',
    };
    case 2: return {
      value: 'n === 0 ? m : n < 32 ? m >> n : m >> 31',
      carry: 'n === 0 ? cpu.c : n < 32 ? (m >> (n - 1)) & 1 : m >>> 31',
    };
    default: return {
      value: '(n & 31) === 0 ? m : ((m >>> (n & 31)) | (m << (32 - (n & 31)))) | 0',
      carry: 'n === 0 ? cpu.c : (n & 31) === 0 ? m >>> 31 : (m >>> ((n & 31) - 1)) & 1',
    };
  }
}

function dataProcessingRsr(insn: number, pc: number): Emitted | undefined {
  const sh = shiftRegCode(RSR.t(insn));
  // The carry out only where flags are set (the arithmetic rows leave it unused).
  const flags = DP.s(insn) === 1;
  const prelude = `const m = r[${RSR.m(insn)}]; const n = r[${RSR.s(insn)}] & 0xff; const op = ${sh.value};`;
  return dataProcessing(insn, pc, flags ? `${prelude} const sc = ${sh.carry};` : prelude, flags ? 'sc' : undefined);
}

// ---- loads and stores ----------------------------------------------------------

type Width = 'word' | 'byte' | 'half' | 'sbyte' | 'shalf';

/**
 * Marks where the full path of an access is called: the block compiler puts
 * there the instruction's time and PC (and notes that an access, not a
 * handler, is under way: if it throws, the block's catch stores back the
 * registers and flags it keeps in locals), as a list of expressions ending
 * in a comma. The fast path needs none of it: it cannot fault, and nothing
 * sees it but the RAM it reads or writes.
 */
export const SYNC = '/*sync*/';

/**
 * A load through the fast path (data-tlb.ts; `T` is cpu.dataTlb, `Mi32`,
 * `Mu16` and `Mu8` the views of the RAM arena it points into): the entry
 * of a's page matches when its page address equals a with the bits that
 * must be zero for alignment kept (so a misaligned load misses), else the
 * full path, which fills it.
 */
function fastLoad(a: string, keep: number, view: string, index: string, slow: string, flags = 0): string {
  return `(T.page[(${a} >>> 12) & ${DATA_TLB_MASK}] === (${a} & ${~0xfff | keep}) ? ` +
    `M${view}[${index}] : (${SYNC}cpu.${slow}(${a}, ${flags})))`;
}

const at = (a: string): string => `(T.offset[(${a} >>> 12) & ${DATA_TLB_MASK}] + (${a} & 0xfff))`;

const READ: Record<Width, (a: string) => string> = {
  word: (a) => fastLoad(a, 3, 'i32', `${at(a)} >>> 2`, 'jitRead32'),
  byte: (a) => fastLoad(a, 0, 'u8', at(a), 'jitRead8'),
  half: (a) => fastLoad(a, 1, 'u16', `${at(a)} >>> 1`, 'jitRead16'),
  sbyte: (a) => `((${fastLoad(a, 0, 'u8', at(a), 'jitRead8')} << 24) >> 24)`,
  shalf: (a) => `((${fastLoad(a, 1, 'u16', `${at(a)} >>> 1`, 'jitRead16')} << 16) >> 16)`,
};

/** A store through the fast path (`S` is cpu.storeTlb), as fastLoad. */
function fastStore(a: string, keep: number, view: string, index: string, slow: string, v: string, flags = 0): string {
  return `if (S.page[(${a} >>> 12) & ${DATA_TLB_MASK}] === (${a} & ${~0xfff | keep})) ` +
    `M${view}[${index}] = ${v}; else (${SYNC}cpu.${slow}(${a}, ${v}, ${flags}));`;
}

const storeAt = (a: string): string => `(S.offset[(${a} >>> 12) & ${DATA_TLB_MASK}] + (${a} & 0xfff))`;

const WRITE: Record<'word' | 'byte' | 'half', (a: string, v: string) => string> = {
  word: (a, v) => fastStore(a, 3, 'i32', `${storeAt(a)} >>> 2`, 'jitWrite32', v),
  byte: (a, v) => fastStore(a, 0, 'u8', storeAt(a), 'jitWrite8', `${v} & 0xff`),
  half: (a, v) => fastStore(a, 1, 'u16', `${storeAt(a)} >>> 1`, 'jitWrite16', `${v} & 0xffff`),
};

/**
 * A load or store as load-store.ts does it: base and offset read first, the
 * access, then writeback and the loaded register (so an abort changes no
 * register). `off` is the offset magnitude as an expression.
 */
function transfer(insn: number, pc: number, width: Width, load: boolean, off: string, prelude = ''): Emitted | undefined {
  const p = ADDR.p(insn) === 1, u = ADDR.u(insn) === 1, w = ADDR.w(insn) === 1;
  const n = ADDR.n(insn), t = ADDR.t(insn);
  if (load && t === 15) return undefined; // a load to the PC branches: the handler does it
  const wback = !p || w;
  const base = reg(n, pc);
  const oa = off === '0' ? 'base' : `((base ${u ? '+' : '-'} ${off}) | 0)`;
  const addr = p ? 'oa' : 'base';
  let code = `{ ${prelude}const base = ${base}; const oa = ${oa}; `;
  if (load) {
    code += `const data = ${READ[width](addr)}; `;
    if (wback) code += `r[${n}] = oa; `;
    code += `r[${t}] = data; }`;
  } else {
    code += WRITE[width as 'word' | 'byte' | 'half'](addr, reg(t, pc));
    if (wback) code += ` r[${n}] = oa;`;
    code += ' }';
  }
  return { effect: Effect.Access, code };
}

/** Register offset shifted by an immediate (the word and byte forms): defines `m` and the offset. */
function shiftedOffset(insn: number, pc: number): { prelude: string; off: string } {
  const sh = shiftImmCode(SHIFTED.t(insn), SHIFTED.i(insn));
  return { prelude: `const m = ${reg(SHIFTED.m(insn), pc)}; const off = ${sh.value}; `, off: 'off' };
}

// ---- the rows ------------------------------------------------------------------

type Emitter = (insn: number, pc: number) => Emitted | undefined;

const DP_OPS = ['AND', 'EOR', 'SUB', 'RSB', 'ADD', 'ADC', 'SBC', 'RSC', 'TST', 'TEQ', 'CMP', 'CMN', 'ORR', 'MOV', 'BIC', 'MVN'];

const EMITTERS = new Map<string, Emitter>();
for (const op of DP_OPS) {
  EMITTERS.set(`${op}_imm`, dataProcessingImm);
  EMITTERS.set(`${op}_reg`, dataProcessingReg);
  EMITTERS.set(`${op}_rsr`, dataProcessingRsr);
}

EMITTERS.set('MOVW', (insn) => MOV16.d(insn) === 15 ? undefined : { effect: Effect.Pure, code: `r[${MOV16.d(insn)}] = ${MOV16.i(insn)};` });
EMITTERS.set('MOVT', (insn) => {
  const d = MOV16.d(insn);
  return d === 15 ? undefined : { effect: Effect.Pure, code: `r[${d}] = (r[${d}] & 0xffff) | ${MOV16.i(insn) << 16};` };
});

// B, BL: BranchWritePC in ARM state aligns the target to a word.
const branchTarget = (insn: number, pc: number): number => (((pc + 8 + ((insn << 8) >> 6)) | 0) & ~3) >>> 0;
EMITTERS.set('B', (insn, pc) => {
  const target = branchTarget(insn, pc);
  return { effect: Effect.Branch, code: `npc = ${target};`, target };
});
EMITTERS.set('BL', (insn, pc) => {
  const target = branchTarget(insn, pc);
  return { effect: Effect.Branch, code: `r[14] = ${(pc + 4) | 0}; npc = ${target};`, target };
});

for (const [row, width, load] of [
  ['LDR', 'word', true], ['STR', 'word', false], ['LDRB', 'byte', true], ['STRB', 'byte', false],
] as Array<[string, Width, boolean]>) {
  EMITTERS.set(`${row}_imm`, (insn, pc) => transfer(insn, pc, width, load, String(IMM12.i(insn))));
  EMITTERS.set(`${row}_reg`, (insn, pc) => { const o = shiftedOffset(insn, pc); return transfer(insn, pc, width, load, o.off, o.prelude); });
  if (load) EMITTERS.set(`${row}_lit`, (insn, pc) => transfer(insn, pc, width, load, String(IMM12.i(insn))));
}

for (const [row, width, load] of [
  ['LDRH', 'half', true], ['STRH', 'half', false], ['LDRSB', 'sbyte', true], ['LDRSH', 'shalf', true],
] as Array<[string, Width, boolean]>) {
  EMITTERS.set(`${row}_imm`, (insn, pc) => transfer(insn, pc, width, load, String(OFF8.i(insn))));
  EMITTERS.set(`${row}_reg`, (insn, pc) => transfer(insn, pc, width, load, reg(OFF_REG.m(insn), pc)));
  if (load) EMITTERS.set(`${row}_lit`, (insn, pc) => transfer(insn, pc, width, load, String(OFF8.i(insn))));
}

// MUL, MLA (multiply.ts): the low 32 bits; with S, N and Z (C and V unchanged).
function multiply(insn: number, pc: number, accumulate: boolean): Emitted | undefined {
  const d = MUL.d(insn);
  if (d === 15) return undefined;
  const product = `Math.imul(${reg(MUL.n(insn), pc)}, ${reg(MUL.m(insn), pc)})`;
  const res = accumulate ? `(${product} + ${reg(MUL.a(insn), pc)}) | 0` : product;
  const flags = MUL.s(insn) === 1 ? ' cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0;' : '';
  return { effect: Effect.Pure, code: `{ const res = ${res}; r[${d}] = res;${flags} }` };
}
EMITTERS.set('MUL', (insn, pc) => multiply(insn, pc, false));
EMITTERS.set('MLA', (insn, pc) => multiply(insn, pc, true));

// The 64-bit multiplies (multiply.ts umul64, smul64, add64): the product from
// 16-bit limbs (exact in doubles), the signed form's correction of the high
// word, the accumulation with its carry; RdLo, then RdHi, then N and Z.
// Decoded rows name neither the PC nor RdHi = RdLo (those are UNPREDICTABLE).
const LONG_MUL = fieldsOf('---- ---- ---s hhhh llll mmmm ---- nnnn');

/** prodHi:prodLo (locals `lo`, `hi`) += the 64-bit value hi64:lo64 (add64). */
const add64Code = (lo64: string, hi64: string): string =>
  `{ const u = (lo >>> 0) + (${lo64} >>> 0); lo = u | 0; hi = (hi + ${hi64} + (u > 0xffffffff ? 1 : 0)) | 0; }`;

function longMultiply(insn: number, signed: boolean, accumulate: 'none' | 'long' | 'umaal'): Emitted {
  const l = LONG_MUL.l(insn), h = LONG_MUL.h(insn);
  let code = `{ const a = r[${LONG_MUL.n(insn)}], b = r[${LONG_MUL.m(insn)}];`;
  if (accumulate !== 'none') code += ` const lo0 = r[${l}], hi0 = r[${h}];`;
  code += ' const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;' +
    ' const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;' +
    ' const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);' +
    ' let lo = ((mid << 16) | (p00 & 0xffff)) | 0;' +
    ' let hi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;';
  if (signed) code += ' hi = (hi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;';
  if (accumulate === 'long') code += ` ${add64Code('lo0', 'hi0')}`;
  if (accumulate === 'umaal') code += ` ${add64Code('lo0', '0')} ${add64Code('hi0', '0')}`;
  code += ` r[${l}] = lo; r[${h}] = hi;`;
  if (LONG_MUL.s(insn) === 1) code += ' cpu.n = hi >>> 31; cpu.z = (lo | hi) === 0 ? 1 : 0;';
  return { effect: Effect.Pure, code: `${code} }` };
}
EMITTERS.set('UMULL', (insn) => longMultiply(insn, false, 'none'));
EMITTERS.set('UMLAL', (insn) => longMultiply(insn, false, 'long'));
EMITTERS.set('SMULL', (insn) => longMultiply(insn, true, 'none'));
EMITTERS.set('SMLAL', (insn) => longMultiply(insn, true, 'long'));
EMITTERS.set('UMAAL', (insn) => longMultiply(insn, false, 'umaal'));

// The extends (misc-arithmetic.ts): Rm rotated right by a constant multiple
// of 8, a byte or halfword of it zero- or sign-extended, and for the add forms
// added to Rn. Decoded rows write neither the PC nor read it as Rm.
const EXTEND = fieldsOf('---- ---- ---- nnnn dddd rr-- ---- mmmm');
const EXTENDS: Array<[string, (v: string) => string]> = [
  ['UXTB', (v) => `${v} & 0xff`], ['UXTH', (v) => `${v} & 0xffff`],
  ['SXTB', (v) => `(${v} << 24) >> 24`], ['SXTH', (v) => `(${v} << 16) >> 16`],
];
// Each extend and its add form (UXTB and UXTAB).
for (const [extendRow, extend] of EXTENDS) for (const add of [false, true]) {
  EMITTERS.set(add ? extendRow.replace('XT', 'XTA') : extendRow, (insn, pc) => {
    const rot = EXTEND.r(insn) << 3;
    const v = `(((x >>> ${rot}) | (x << ${32 - rot})) | 0)`;
    const value = add ? `(${reg(EXTEND.n(insn), pc)} + (${extend(v)})) | 0` : extend(v);
    return { effect: Effect.Pure, code: `{ const x = r[${EXTEND.m(insn)}]; r[${EXTEND.d(insn)}] = ${value}; }` };
  });
}

EMITTERS.set('CLZ', (insn) => ({ effect: Effect.Pure, code: `r[${DP.d(insn)}] = Math.clz32(r[${OFF_REG.m(insn)}]);` }));

// BX (Cpu.bxWritePC): to A32 code (bit 0 clear) the target word-aligned, to
// Thumb code bit 0 dropped and T set (which raises attention: the block's
// caller then stops chaining).
EMITTERS.set('BX', (insn, pc) => ({
  effect: Effect.Branch,
  code: `{ const a = ${reg(OFF_REG.m(insn), pc)}; if ((a & 1) !== 0) { cpu.t = 1; npc = (a & ~1) >>> 0; } else npc = (a & ~3) >>> 0; }`,
}));

// LDM/STM in the four addressing modes (load-store-multiple.ts): every word
// must be aligned (ACC_ALIGN). Loads go to locals first and registers are
// written after the last access, writeback before them; stores store each
// register's value as it is, the PC as the instruction's address + 8.
const LSM = fieldsOf('---- ---p u-w- nnnn rrrr rrrr rrrr rrrr');

function multiple(insn: number, pc: number, load: boolean): Emitted | undefined {
  const n = LSM.n(insn), list = LSM.r(insn), w = LSM.w(insn) === 1;
  const regs: number[] = [];
  for (let k = 0; k < 16; k++) if ((list >>> k) & 1) regs.push(k);
  if (regs.length === 0) return undefined;
  const bytes = regs.length * 4;
  const base = reg(n, pc);
  const start = ['(base - ' + (bytes - 4) + ') | 0', 'base', `(base - ${bytes}) | 0`, '(base + 4) | 0'][(LSM.p(insn) << 1) | LSM.u(insn)];
  const wb = LSM.u(insn) === 1 ? `(base + ${bytes}) | 0` : `(base - ${bytes}) | 0`;
  let code = `{ const base = ${base}; let a = ${start}; `;
  regs.forEach((k, j) => {
    if (j > 0) code += 'a = (a + 4) | 0; ';
    if (load) code += `const v${k} = ${fastLoad('a', 3, 'i32', `${at('a')} >>> 2`, 'jitRead32', ACC_ALIGN)}; `;
    else code += `${fastStore('a', 3, 'i32', `${storeAt('a')} >>> 2`, 'jitWrite32', reg(k, pc), ACC_ALIGN)} `;
  });
  if (w) code += `r[${n}] = ${wb}; `;
  if (load) {
    for (const k of regs) if (k !== 15) code += `r[${k}] = v${k}; `;
    if ((list & 0x8000) !== 0) return { effect: Effect.AccessBranch, code: `${code}cpu.loadWritePC(v15); npc = cpu.nextPc; }` };
  }
  return { effect: Effect.Access, code: `${code}}` };
}

for (const row of ['LDM', 'LDMIB', 'LDMDA', 'LDMDB']) EMITTERS.set(row, (insn, pc) => multiple(insn, pc, true));
for (const row of ['STM', 'STMIB', 'STMDA', 'STMDB']) EMITTERS.set(row, (insn, pc) => multiple(insn, pc, false));

/** The inline code of an A32 instruction of the given row, or undefined for a call to its handler. */
export function emitA32(row: string, insn: number, pc: number): Emitted | undefined {
  const e = EMITTERS.get(row);
  return e === undefined ? undefined : e(insn, pc);
}
