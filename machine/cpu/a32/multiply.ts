/**
 * Multiplies: MUL/MLA/MLS, the 64-bit multiplies, the signed halfword and
 * word-by-halfword multiplies, the dual 16-bit multiplies and the
 * most-significant-word multiplies. Also the SDIV/UDIV encodings, which are
 * UNDEFINED on Cortex-A9 (no hardware divide in the ARM instruction set).
 *
 * Register fields differ from data processing: Rd (or RdHi) is bits 19:16,
 * Ra (or RdLo) bits 15:12, Rm bits 11:8, Rn bits 3:0.
 *
 * 64-bit results are built from 16-bit limbs in plain integer arithmetic and
 * left in the module-level prodLo/prodHi (int32 halves), so nothing is allocated.
 */

import { fieldsOf, fieldMask, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { cond, reg } from './syntax';

let prodLo = 0;
let prodHi = 0;

/** Unsigned 32 x 32 -> 64 product of a and b (taken as uint32) into prodLo/prodHi. */
export function umul64(a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16;
  const b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  prodLo = ((mid << 16) | (p00 & 0xffff)) | 0;
  prodHi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Signed 32 x 32 -> 64 product into prodLo/prodHi. */
export function smul64(a: number, b: number): void {
  umul64(a, b);
  // Two's complement correction of the high word: subtract b when a < 0 and a when b < 0.
  prodHi = (prodHi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** prodHi:prodLo += hi:lo (modulo 2^64). */
function add64(lo: number, hi: number): void {
  const sum = (prodLo >>> 0) + (lo >>> 0);
  prodLo = sum | 0;
  prodHi = (prodHi + hi + (sum > 0xffffffff ? 1 : 0)) | 0;
}

/** The halves of the last product (for checking the arithmetic in isolation). */
export function lastProduct(): { lo: number; hi: number } {
  return { lo: prodLo, hi: prodHi };
}

/** Sign-extended halves. */
const bot = (x: number): number => (x << 16) >> 16;
const top = (x: number): number => x >> 16;

// ---- field layouts (each row lists the ones its handler and disassembler read) ----

/** The multiplicands, Rn (bits 3:0) and Rm (bits 11:8), of every row. */
const NM = fieldsOf('---- ---- ---- ---- ---- mmmm ---- nnnn');
/** Rd of the 32-bit results (bits 19:16). */
const RD = fieldsOf('---- ---- ---- dddd ---- ---- ---- ----');
/** The accumulator Ra (bits 15:12; the forms without one fix it to 1111). */
const RA = fieldsOf('---- ---- ---- ---- aaaa ---- ---- ----');
/** RdHi and RdLo of the 64-bit results. */
const LONG = fieldsOf('---- ---- ---- hhhh llll ---- ---- ----');
const FLAGS = fieldsOf('---- ---- ---S ---- ---- ---- ---- ----');
/** Halfword selectors: x picks Rn's half, y Rm's (1 = top). */
const HALVES = fieldsOf('---- ---- ---- ---- ---- ---- -yx- ----');
/** Dual multiplies: M swaps the halves of Rm. */
const DUAL = fieldsOf('---- ---- ---- ---- ---- ---- --M- ----');
/** Most-significant-word multiplies: R rounds. */
const ROUND = fieldsOf('---- ---- ---- ---- ---- ---- --R- ----');

const rD = RD.d;
const rA = RA.a;
const rM = NM.m;
const rN = NM.n;
const rdHi = LONG.h;
const rdLo = LONG.l;

const S_BIT = fieldMask(FLAGS, 'S');
const X_TOP = fieldMask(HALVES, 'x');
const Y_TOP = fieldMask(HALVES, 'y');
const M_SWAP = fieldMask(DUAL, 'M');
const R_ROUND = fieldMask(ROUND, 'R');

/** Writes a 32-bit result that may not fit (saturation is not applied; Q records the overflow). */
function writeQ(cpu: Cpu, d: number, exact: number): void {
  const res = exact | 0;
  if (res !== exact) cpu.q = 1;
  cpu.r[d] = res;
}

/** RdLo, RdHi <- prodLo, prodHi; with S, N and Z from the 64-bit result. */
function writeLong(cpu: Cpu, insn: number): void {
  cpu.r[rdLo(insn)] = prodLo;
  cpu.r[rdHi(insn)] = prodHi;
  if (insn & S_BIT) {
    cpu.n = prodHi >>> 31;
    cpu.z = (prodLo | prodHi) === 0 ? 1 : 0;
  }
}

/** SMMUL-family rounding: adds 0x80000000 to the 64-bit value when R (bit 5) is set. */
function roundMsw(insn: number): void {
  if (insn & R_ROUND) add64(0x80000000 | 0, 0);
}

// ---- disassembly ------------------------------------------------------------

const sfx = (insn: number): string => `${insn & S_BIT ? 's' : ''}${cond(insn)}`;
const XY = ['bb', 'tb', 'bt', 'tt'];
/** x (bit 5) selects Rn's half, y (bit 6) Rm's; the mnemonic spells x then y. */
const xy = (insn: number): string => XY[(HALVES.y(insn) << 1) | HALVES.x(insn)];
const wy = (insn: number): string => (HALVES.y(insn) ? 't' : 'b');
const xsfx = (insn: number): string => (DUAL.M(insn) ? 'x' : '');
const rsfx = (insn: number): string => (ROUND.R(insn) ? 'r' : '');

const dnm = (insn: number): string => `${reg(rD(insn))}, ${reg(rN(insn))}, ${reg(rM(insn))}`;
const dnma = (insn: number): string => `${dnm(insn)}, ${reg(rA(insn))}`;
const lhnm = (insn: number): string => `${reg(rdLo(insn))}, ${reg(rdHi(insn))}, ${reg(rN(insn))}, ${reg(rM(insn))}`;

// ---- UNPREDICTABLE operands ----------------------------------------------------

const badDNM = (insn: number): boolean => rD(insn) === 15 || rN(insn) === 15 || rM(insn) === 15;
const badDNMA = (insn: number): boolean => badDNM(insn) || rA(insn) === 15;
/** Long multiplies: no PC operand and RdHi != RdLo. */
const badLong = (insn: number): boolean =>
  rdHi(insn) === 15 || rdLo(insn) === 15 || rN(insn) === 15 || rM(insn) === 15 || rdHi(insn) === rdLo(insn);

const NOT_PC = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

export const multiplyRows: EncodingSpec[] = [
  // ---- 32-bit multiplies ----
  {
    // MUL{S}<c> <Rd>, <Rn>, <Rm>  (S sets N and Z; C and V are unchanged)
    name: 'MUL', pattern: 'cccc 0000 000S dddd ZZZZ mmmm 1001 nnnn',
    layouts: [NM, RD, FLAGS],
    exec: (cpu, insn) => {
      const res = Math.imul(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      cpu.r[rD(insn)] = res;
      if (insn & S_BIT) { cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0; }
    },
    disasm: (insn) => `mul${sfx(insn)}\t${dnm(insn)}`,
    unpredictable: badDNM,
  },
  {
    // MLA{S}<c> <Rd>, <Rn>, <Rm>, <Ra>
    name: 'MLA', pattern: 'cccc 0000 001S dddd aaaa mmmm 1001 nnnn',
    layouts: [NM, RD, RA, FLAGS],
    exec: (cpu, insn) => {
      const res = (Math.imul(cpu.r[rN(insn)], cpu.r[rM(insn)]) + cpu.r[rA(insn)]) | 0;
      cpu.r[rD(insn)] = res;
      if (insn & S_BIT) { cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0; }
    },
    disasm: (insn) => `mla${sfx(insn)}\t${dnma(insn)}`,
    unpredictable: badDNMA,
  },
  {
    // MLS<c> <Rd>, <Rn>, <Rm>, <Ra>
    name: 'MLS', pattern: 'cccc 0000 0110 dddd aaaa mmmm 1001 nnnn',
    layouts: [NM, RD, RA],
    exec: (cpu, insn) => {
      cpu.r[rD(insn)] = (cpu.r[rA(insn)] - Math.imul(cpu.r[rN(insn)], cpu.r[rM(insn)])) | 0;
    },
    disasm: (insn) => `mls${cond(insn)}\t${dnma(insn)}`,
    unpredictable: badDNMA,
  },
  // ---- 64-bit multiplies ----
  {
    // UMAAL<c> <RdLo>, <RdHi>, <Rn>, <Rm>
    name: 'UMAAL', pattern: 'cccc 0000 0100 hhhh llll mmmm 1001 nnnn',
    layouts: [NM, LONG],
    exec: (cpu, insn) => {
      const lo = cpu.r[rdLo(insn)], hi = cpu.r[rdHi(insn)];
      umul64(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      add64(lo, 0);
      add64(hi, 0);
      writeLong(cpu, insn);
    },
    disasm: (insn) => `umaal${cond(insn)}\t${lhnm(insn)}`,
    unpredictable: badLong,
  },
  {
    // UMULL{S}<c> <RdLo>, <RdHi>, <Rn>, <Rm>
    name: 'UMULL', pattern: 'cccc 0000 100S hhhh llll mmmm 1001 nnnn',
    layouts: [NM, LONG, FLAGS],
    exec: (cpu, insn) => {
      umul64(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      writeLong(cpu, insn);
    },
    disasm: (insn) => `umull${sfx(insn)}\t${lhnm(insn)}`,
    unpredictable: badLong,
  },
  {
    // UMLAL{S}<c> <RdLo>, <RdHi>, <Rn>, <Rm>
    name: 'UMLAL', pattern: 'cccc 0000 101S hhhh llll mmmm 1001 nnnn',
    layouts: [NM, LONG, FLAGS],
    exec: (cpu, insn) => {
      const lo = cpu.r[rdLo(insn)], hi = cpu.r[rdHi(insn)];
      umul64(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      add64(lo, hi);
      writeLong(cpu, insn);
    },
    disasm: (insn) => `umlal${sfx(insn)}\t${lhnm(insn)}`,
    unpredictable: badLong,
  },
  {
    // SMULL{S}<c> <RdLo>, <RdHi>, <Rn>, <Rm>
    name: 'SMULL', pattern: 'cccc 0000 110S hhhh llll mmmm 1001 nnnn',
    layouts: [NM, LONG, FLAGS],
    exec: (cpu, insn) => {
      smul64(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      writeLong(cpu, insn);
    },
    disasm: (insn) => `smull${sfx(insn)}\t${lhnm(insn)}`,
    unpredictable: badLong,
  },
  {
    // SMLAL{S}<c> <RdLo>, <RdHi>, <Rn>, <Rm>
    name: 'SMLAL', pattern: 'cccc 0000 111S hhhh llll mmmm 1001 nnnn',
    layouts: [NM, LONG, FLAGS],
    exec: (cpu, insn) => {
      const lo = cpu.r[rdLo(insn)], hi = cpu.r[rdHi(insn)];
      smul64(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      add64(lo, hi);
      writeLong(cpu, insn);
    },
    disasm: (insn) => `smlal${sfx(insn)}\t${lhnm(insn)}`,
    unpredictable: badLong,
  },
  // ---- signed halfword multiplies ----
  {
    // SMLA<x><y><c> <Rd>, <Rn>, <Rm>, <Ra>  (Q set if the accumulation overflows)
    name: 'SMLAxy', pattern: 'cccc 0001 0000 dddd aaaa mmmm 1yx0 nnnn',
    layouts: [NM, RD, RA, HALVES],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      const p = (insn & X_TOP ? top(n) : bot(n)) * (insn & Y_TOP ? top(m) : bot(m));
      writeQ(cpu, rD(insn), p + cpu.r[rA(insn)]);
    },
    disasm: (insn) => `smla${xy(insn)}${cond(insn)}\t${dnma(insn)}`,
    unpredictable: badDNMA,
  },
  {
    // SMLAW<y><c> <Rd>, <Rn>, <Rm>, <Ra>  (Q set if the accumulation overflows)
    name: 'SMLAWy', pattern: 'cccc 0001 0010 dddd aaaa mmmm 1y00 nnnn',
    layouts: [NM, RD, RA, HALVES],
    exec: (cpu, insn) => {
      const m = cpu.r[rM(insn)];
      // The 48-bit product is exact in a double; bits 47:16 are its floor divided by 2^16.
      const p = Math.floor((cpu.r[rN(insn)] * (insn & Y_TOP ? top(m) : bot(m))) / 65536);
      writeQ(cpu, rD(insn), p + cpu.r[rA(insn)]);
    },
    disasm: (insn) => `smlaw${wy(insn)}${cond(insn)}\t${dnma(insn)}`,
    unpredictable: badDNMA,
  },
  {
    // SMULW<y><c> <Rd>, <Rn>, <Rm>
    name: 'SMULWy', pattern: 'cccc 0001 0010 dddd ZZZZ mmmm 1y10 nnnn',
    layouts: [NM, RD, HALVES],
    exec: (cpu, insn) => {
      const m = cpu.r[rM(insn)];
      cpu.r[rD(insn)] = Math.floor((cpu.r[rN(insn)] * (insn & Y_TOP ? top(m) : bot(m))) / 65536) | 0;
    },
    disasm: (insn) => `smulw${wy(insn)}${cond(insn)}\t${dnm(insn)}`,
    unpredictable: badDNM,
  },
  {
    // SMLAL<x><y><c> <RdLo>, <RdHi>, <Rn>, <Rm>
    name: 'SMLALxy', pattern: 'cccc 0001 0100 hhhh llll mmmm 1yx0 nnnn',
    layouts: [NM, LONG, HALVES],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      const p = Math.imul(insn & X_TOP ? top(n) : bot(n), insn & Y_TOP ? top(m) : bot(m));
      prodLo = cpu.r[rdLo(insn)];
      prodHi = cpu.r[rdHi(insn)];
      add64(p, p >> 31);
      cpu.r[rdLo(insn)] = prodLo;
      cpu.r[rdHi(insn)] = prodHi;
    },
    disasm: (insn) => `smlal${xy(insn)}${cond(insn)}\t${lhnm(insn)}`,
    unpredictable: badLong,
  },
  {
    // SMUL<x><y><c> <Rd>, <Rn>, <Rm>
    name: 'SMULxy', pattern: 'cccc 0001 0110 dddd ZZZZ mmmm 1yx0 nnnn',
    layouts: [NM, RD, HALVES],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      cpu.r[rD(insn)] = Math.imul(insn & X_TOP ? top(n) : bot(n), insn & Y_TOP ? top(m) : bot(m));
    },
    disasm: (insn) => `smul${xy(insn)}${cond(insn)}\t${dnm(insn)}`,
    unpredictable: badDNM,
  },
  // ---- dual 16-bit multiplies (M, bit 5, swaps the halves of Rm) ----
  {
    // SMLAD{X}<c> <Rd>, <Rn>, <Rm>, <Ra>  (Q set on overflow)
    name: 'SMLAD', pattern: 'cccc 0111 0000 dddd aaaa mmmm 00M1 nnnn',
    layouts: [NM, RD, RA, DUAL],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      const mb = insn & M_SWAP ? top(m) : bot(m), mt = insn & M_SWAP ? bot(m) : top(m);
      writeQ(cpu, rD(insn), bot(n) * mb + top(n) * mt + cpu.r[rA(insn)]);
    },
    disasm: (insn) => `smlad${xsfx(insn)}${cond(insn)}\t${dnma(insn)}`,
    unpredictable: badDNM,
  },
  {
    // SMUAD{X}<c> <Rd>, <Rn>, <Rm>  (Q set on overflow: only 0x8000 * 0x8000 twice)
    name: 'SMUAD', pattern: 'cccc 0111 0000 dddd 1111 mmmm 00M1 nnnn',
    layouts: [NM, RD, DUAL],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      const mb = insn & M_SWAP ? top(m) : bot(m), mt = insn & M_SWAP ? bot(m) : top(m);
      writeQ(cpu, rD(insn), bot(n) * mb + top(n) * mt);
    },
    disasm: (insn) => `smuad${xsfx(insn)}${cond(insn)}\t${dnm(insn)}`,
    unpredictable: badDNM,
  },
  {
    // SMLSD{X}<c> <Rd>, <Rn>, <Rm>, <Ra>  (Q set on overflow)
    name: 'SMLSD', pattern: 'cccc 0111 0000 dddd aaaa mmmm 01M1 nnnn',
    layouts: [NM, RD, RA, DUAL],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      const mb = insn & M_SWAP ? top(m) : bot(m), mt = insn & M_SWAP ? bot(m) : top(m);
      writeQ(cpu, rD(insn), bot(n) * mb - top(n) * mt + cpu.r[rA(insn)]);
    },
    disasm: (insn) => `smlsd${xsfx(insn)}${cond(insn)}\t${dnma(insn)}`,
    unpredictable: badDNM,
  },
  {
    // SMUSD{X}<c> <Rd>, <Rn>, <Rm>  (the difference cannot overflow)
    name: 'SMUSD', pattern: 'cccc 0111 0000 dddd 1111 mmmm 01M1 nnnn',
    layouts: [NM, RD, DUAL],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      const mb = insn & M_SWAP ? top(m) : bot(m), mt = insn & M_SWAP ? bot(m) : top(m);
      cpu.r[rD(insn)] = (bot(n) * mb - top(n) * mt) | 0;
    },
    disasm: (insn) => `smusd${xsfx(insn)}${cond(insn)}\t${dnm(insn)}`,
    unpredictable: badDNM,
  },
  {
    // SMLALD{X}<c> <RdLo>, <RdHi>, <Rn>, <Rm>
    name: 'SMLALD', pattern: 'cccc 0111 0100 hhhh llll mmmm 00M1 nnnn',
    layouts: [NM, LONG, DUAL],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      const mb = insn & M_SWAP ? top(m) : bot(m), mt = insn & M_SWAP ? bot(m) : top(m);
      // In [-2^31 + 2^16, 2^31]: the high word of the sign extension is 0 or -1.
      const sum = bot(n) * mb + top(n) * mt;
      prodLo = cpu.r[rdLo(insn)];
      prodHi = cpu.r[rdHi(insn)];
      add64(sum | 0, sum < 0 ? -1 : 0);
      cpu.r[rdLo(insn)] = prodLo;
      cpu.r[rdHi(insn)] = prodHi;
    },
    disasm: (insn) => `smlald${xsfx(insn)}${cond(insn)}\t${lhnm(insn)}`,
    unpredictable: badLong,
  },
  {
    // SMLSLD{X}<c> <RdLo>, <RdHi>, <Rn>, <Rm>
    name: 'SMLSLD', pattern: 'cccc 0111 0100 hhhh llll mmmm 01M1 nnnn',
    layouts: [NM, LONG, DUAL],
    exec: (cpu, insn) => {
      const n = cpu.r[rN(insn)], m = cpu.r[rM(insn)];
      const mb = insn & M_SWAP ? top(m) : bot(m), mt = insn & M_SWAP ? bot(m) : top(m);
      const diff = bot(n) * mb - top(n) * mt; // always fits in int32
      prodLo = cpu.r[rdLo(insn)];
      prodHi = cpu.r[rdHi(insn)];
      add64(diff, diff >> 31);
      cpu.r[rdLo(insn)] = prodLo;
      cpu.r[rdHi(insn)] = prodHi;
    },
    disasm: (insn) => `smlsld${xsfx(insn)}${cond(insn)}\t${lhnm(insn)}`,
    unpredictable: badLong,
  },
  // ---- most significant word multiplies (R, bit 5, rounds) ----
  {
    // SMMLA{R}<c> <Rd>, <Rn>, <Rm>, <Ra>
    name: 'SMMLA', pattern: 'cccc 0111 0101 dddd aaaa mmmm 00R1 nnnn',
    layouts: [NM, RD, RA, ROUND],
    exec: (cpu, insn) => {
      smul64(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      prodHi = (prodHi + cpu.r[rA(insn)]) | 0;
      roundMsw(insn);
      cpu.r[rD(insn)] = prodHi;
    },
    disasm: (insn) => `smmla${rsfx(insn)}${cond(insn)}\t${dnma(insn)}`,
    unpredictable: badDNM,
  },
  {
    // SMMUL{R}<c> <Rd>, <Rn>, <Rm>
    name: 'SMMUL', pattern: 'cccc 0111 0101 dddd 1111 mmmm 00R1 nnnn',
    layouts: [NM, RD, ROUND],
    exec: (cpu, insn) => {
      smul64(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      roundMsw(insn);
      cpu.r[rD(insn)] = prodHi;
    },
    disasm: (insn) => `smmul${rsfx(insn)}${cond(insn)}\t${dnm(insn)}`,
    unpredictable: badDNM,
  },
  {
    // SMMLS{R}<c> <Rd>, <Rn>, <Rm>, <Ra>
    name: 'SMMLS', pattern: 'cccc 0111 0101 dddd aaaa mmmm 11R1 nnnn',
    layouts: [NM, RD, RA, ROUND],
    exec: (cpu, insn) => {
      smul64(cpu.r[rN(insn)], cpu.r[rM(insn)]);
      // (Ra << 32) - product: negate the product, then add Ra to the high word.
      const lo = prodLo;
      prodLo = (-lo) | 0;
      prodHi = (~prodHi + (lo === 0 ? 1 : 0) + cpu.r[rA(insn)]) | 0;
      roundMsw(insn);
      cpu.r[rD(insn)] = prodHi;
    },
    disasm: (insn) => `smmls${rsfx(insn)}${cond(insn)}\t${dnma(insn)}`,
    unpredictable: badDNMA,
  },
  // ---- divide: not implemented by Cortex-A9 ----
  {
    // SDIV<c> <Rd>, <Rn>, <Rm>
    name: 'SDIV', pattern: 'cccc 0111 0001 dddd 1111 mmmm 0001 nnnn',
    layouts: [NM, RD],
    exec: (cpu) => { cpu.undefinedInstruction('SDIV/UDIV: no hardware divide on Cortex-A9'); },
    disasm: (insn) => `sdiv${cond(insn)}\t${dnm(insn)}`,
    gen: { fields: { d: NOT_PC, m: NOT_PC, n: NOT_PC } },
  },
  {
    // UDIV<c> <Rd>, <Rn>, <Rm>
    name: 'UDIV', pattern: 'cccc 0111 0011 dddd 1111 mmmm 0001 nnnn',
    layouts: [NM, RD],
    exec: (cpu) => { cpu.undefinedInstruction('SDIV/UDIV: no hardware divide on Cortex-A9'); },
    disasm: (insn) => `udiv${cond(insn)}\t${dnm(insn)}`,
    gen: { fields: { d: NOT_PC, m: NOT_PC, n: NOT_PC } },
  },
];
