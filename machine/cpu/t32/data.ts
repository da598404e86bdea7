/**
 * 32-bit Thumb data processing (ARM ARM A6.3.1, A6.3.3, A6.3.11-A6.3.17):
 * modified and plain binary immediates, shifted registers, register-controlled
 * shifts, extends, parallel add/subtract, the miscellaneous operations and the
 * multiplies.
 *
 * Operations whose semantics equal an A32 row (saturation, bit fields,
 * extends, parallel, multiplies, ...) run that row's handler on the A32 word
 * with the same fields (see viaA32); only the field positions differ. There
 * is no divide on Cortex-A9: SDIV and UDIV are UNDEFINED.
 */

import { fieldsOf, fieldMask, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { shiftImm, shiftReg, addWithCarry, shifterCarry } from '../a32/operands';
import {
  imm12Of, thumbExpandImm, thumbExpandImmCarry, badThumbImm, viaA32, remapDNM, remapDM, remapMul,
  badReg, badDNM, badDM, hwRn, hwRd, hwRt, hwRm, reg, immText, GOOD,
  T32_RN, T32_RD, T32_RM, T32_S, T32_IMM12,
} from './common';

/** imm4 of MOVW/MOVT (hw1 bits 3:0; imm16 = imm4:i:imm3:imm8). */
const IMM4 = fieldsOf('------------kkkk ----------------');
/** imm3:imm2: a shifted register's amount, or a bit field's lsb. */
const IMM5 = fieldsOf('---------------- -iii----ii------');
/** A shifted register's type. */
const SHIFT = fieldsOf('---------------- ----------tt----');
/** Bit fields: msb (BFI, BFC) or width - 1 (SBFX, UBFX). */
const MSB = fieldsOf('---------------- -----------mmmmm');
const WIDTH = fieldsOf('---------------- -----------wwwww');

const S = fieldMask(T32_S, 'S');

const rd = (insn: number): string => reg(hwRd(insn));
const rn = (insn: number): string => reg(hwRn(insn));
const rm = (insn: number): string => reg(hwRm(insn));
const sfx = (insn: number): string => (insn & S ? 's' : '');
const GEN_D = { fields: { d: GOOD } };

// ---- modified immediate ------------------------------------------------------------

const immVal = (insn: number): number => thumbExpandImm(imm12Of(insn));
const immT = (insn: number): string => immText(immVal(insn) >>> 0);

/** Logical result to Rd; with S, N and Z from it and C from ThumbExpandImm_C. */
function logicImm(cpu: Cpu, insn: number, res: number): void {
  cpu.r[hwRd(insn)] = res;
  if (insn & S) {
    cpu.n = res >>> 31;
    cpu.z = res === 0 ? 1 : 0;
    cpu.c = thumbExpandImmCarry(imm12Of(insn), cpu.c);
  }
}

function testImm(cpu: Cpu, insn: number, res: number): void {
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  cpu.c = thumbExpandImmCarry(imm12Of(insn), cpu.c);
}

/** x + y + carry to Rd; with S, NZCV from AddWithCarry. */
function arith(cpu: Cpu, insn: number, x: number, y: number, carry: number): void {
  const d = hwRd(insn);
  if (insn & S) cpu.r[d] = addWithCarry(cpu, x, y, carry);
  else cpu.r[d] = (x + y + carry) | 0;
}

const rnv = (cpu: Cpu, insn: number): number => cpu.r[hwRn(insn)];

/** AND/EOR: Rd = SP, or PC without S (the S form with Rd = PC is TST/TEQ), or Rn = SP/PC. */
const badAndEor = (insn: number): boolean => {
  const d = hwRd(insn);
  return d === 13 || (d === 15 && (insn & S) === 0) || badReg(hwRn(insn));
};
/** ADD/SUB: Rd = PC without S, Rn = PC, or Rd = SP with Rn other than SP. */
const badAddSub = (insn: number): boolean => {
  const d = hwRd(insn), n = hwRn(insn);
  return (d === 15 && (insn & S) === 0) || n === 15 || (d === 13 && n !== 13);
};
const badDN = (insn: number): boolean => badReg(hwRd(insn)) || badReg(hwRn(insn));
/** ORR/ORN: Rn = PC selects MOV/MVN. */
const badOrr = (insn: number): boolean => badReg(hwRd(insn)) || hwRn(insn) === 13;

const dis3i = (mn: string) => (insn: number): string => `${mn}${sfx(insn)}\t${rd(insn)}, ${rn(insn)}, ${immT(insn)}`;
const dis2i = (mn: string) => (insn: number): string => `${mn}${sfx(insn)}\t${rd(insn)}, ${immT(insn)}`;
const disCi = (mn: string) => (insn: number): string => `${mn}\t${rn(insn)}, ${immT(insn)}`;

const modifiedImmRows: EncodingSpec[] = [
  {
    // AND{S}<c> <Rd>, <Rn>, #<const>
    name: 'AND_imm_T1', pattern: '11110 i 0 0000 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { logicImm(cpu, insn, rnv(cpu, insn) & immVal(insn)); },
    disasm: dis3i('and'), unpredictable: (insn) => badThumbImm(insn) || badAndEor(insn), gen: GEN_D,
  },
  {
    // TST<c> <Rn>, #<const>
    name: 'TST_imm_T1', pattern: '11110 i 0 0000 1 nnnn 0 iii 1111 iiii iiii',
    layouts: [T32_RN, T32_IMM12],
    exec: (cpu, insn) => { testImm(cpu, insn, rnv(cpu, insn) & immVal(insn)); },
    disasm: disCi('tst'), unpredictable: (insn) => badThumbImm(insn) || badReg(hwRn(insn)),
  },
  {
    // BIC{S}<c> <Rd>, <Rn>, #<const>
    name: 'BIC_imm_T1', pattern: '11110 i 0 0001 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { logicImm(cpu, insn, rnv(cpu, insn) & ~immVal(insn)); },
    disasm: dis3i('bic'), unpredictable: (insn) => badThumbImm(insn) || badDN(insn), gen: GEN_D,
  },
  {
    // ORR{S}<c> <Rd>, <Rn>, #<const>
    name: 'ORR_imm_T1', pattern: '11110 i 0 0010 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { logicImm(cpu, insn, rnv(cpu, insn) | immVal(insn)); },
    disasm: dis3i('orr'), unpredictable: (insn) => badThumbImm(insn) || badOrr(insn), gen: GEN_D,
  },
  {
    // MOV{S}<c>.W <Rd>, #<const>
    name: 'MOV_imm_T2', pattern: '11110 i 0 0010 S 1111 0 iii dddd iiii iiii',
    layouts: [T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { logicImm(cpu, insn, immVal(insn)); },
    disasm: dis2i('mov'), unpredictable: (insn) => badThumbImm(insn) || badReg(hwRd(insn)), gen: GEN_D,
  },
  {
    // ORN{S}<c> <Rd>, <Rn>, #<const>
    name: 'ORN_imm_T1', pattern: '11110 i 0 0011 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { logicImm(cpu, insn, rnv(cpu, insn) | ~immVal(insn)); },
    disasm: dis3i('orn'), unpredictable: (insn) => badThumbImm(insn) || badOrr(insn), gen: GEN_D,
  },
  {
    // MVN{S}<c> <Rd>, #<const>
    name: 'MVN_imm_T1', pattern: '11110 i 0 0011 S 1111 0 iii dddd iiii iiii',
    layouts: [T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { logicImm(cpu, insn, ~immVal(insn)); },
    disasm: dis2i('mvn'), unpredictable: (insn) => badThumbImm(insn) || badReg(hwRd(insn)), gen: GEN_D,
  },
  {
    // EOR{S}<c> <Rd>, <Rn>, #<const>
    name: 'EOR_imm_T1', pattern: '11110 i 0 0100 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { logicImm(cpu, insn, rnv(cpu, insn) ^ immVal(insn)); },
    disasm: dis3i('eor'), unpredictable: (insn) => badThumbImm(insn) || badAndEor(insn), gen: GEN_D,
  },
  {
    // TEQ<c> <Rn>, #<const>
    name: 'TEQ_imm_T1', pattern: '11110 i 0 0100 1 nnnn 0 iii 1111 iiii iiii',
    layouts: [T32_RN, T32_IMM12],
    exec: (cpu, insn) => { testImm(cpu, insn, rnv(cpu, insn) ^ immVal(insn)); },
    disasm: disCi('teq'), unpredictable: (insn) => badThumbImm(insn) || badReg(hwRn(insn)),
  },
  {
    // ADD{S}<c>.W <Rd>, <Rn>, #<const>   (ADD{S}.W <Rd>, SP, #<const>)
    name: 'ADD_imm_T3', pattern: '11110 i 0 1000 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { arith(cpu, insn, rnv(cpu, insn), immVal(insn), 0); },
    disasm: dis3i('add'), unpredictable: (insn) => badThumbImm(insn) || badAddSub(insn), gen: GEN_D,
  },
  {
    // CMN<c> <Rn>, #<const>
    name: 'CMN_imm_T1', pattern: '11110 i 0 1000 1 nnnn 0 iii 1111 iiii iiii',
    layouts: [T32_RN, T32_IMM12],
    exec: (cpu, insn) => { addWithCarry(cpu, rnv(cpu, insn), immVal(insn), 0); },
    disasm: disCi('cmn'), unpredictable: (insn) => badThumbImm(insn) || hwRn(insn) === 15,
  },
  {
    // ADC{S}<c> <Rd>, <Rn>, #<const>
    name: 'ADC_imm_T1', pattern: '11110 i 0 1010 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { arith(cpu, insn, rnv(cpu, insn), immVal(insn), cpu.c); },
    disasm: dis3i('adc'), unpredictable: (insn) => badThumbImm(insn) || badDN(insn), gen: GEN_D,
  },
  {
    // SBC{S}<c> <Rd>, <Rn>, #<const>
    name: 'SBC_imm_T1', pattern: '11110 i 0 1011 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { arith(cpu, insn, rnv(cpu, insn), ~immVal(insn), cpu.c); },
    disasm: dis3i('sbc'), unpredictable: (insn) => badThumbImm(insn) || badDN(insn), gen: GEN_D,
  },
  {
    // SUB{S}<c>.W <Rd>, <Rn>, #<const>   (SUB{S}.W <Rd>, SP, #<const>)
    name: 'SUB_imm_T3', pattern: '11110 i 0 1101 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { arith(cpu, insn, rnv(cpu, insn), ~immVal(insn), 1); },
    disasm: dis3i('sub'), unpredictable: (insn) => badThumbImm(insn) || badAddSub(insn), gen: GEN_D,
  },
  {
    // CMP<c>.W <Rn>, #<const>
    name: 'CMP_imm_T2', pattern: '11110 i 0 1101 1 nnnn 0 iii 1111 iiii iiii',
    layouts: [T32_RN, T32_IMM12],
    exec: (cpu, insn) => { addWithCarry(cpu, rnv(cpu, insn), ~immVal(insn), 1); },
    disasm: disCi('cmp'), unpredictable: (insn) => badThumbImm(insn) || hwRn(insn) === 15,
  },
  {
    // RSB{S}<c>.W <Rd>, <Rn>, #<const>
    name: 'RSB_imm_T2', pattern: '11110 i 0 1110 S nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_S, T32_IMM12],
    exec: (cpu, insn) => { arith(cpu, insn, ~rnv(cpu, insn), immVal(insn), 1); },
    disasm: dis3i('rsb'), unpredictable: (insn) => badThumbImm(insn) || badDN(insn), gen: GEN_D,
  },
];

// ---- plain binary immediate ----------------------------------------------------------

/** i:imm3:imm8, zero-extended. */
const imm12 = imm12Of;
/** imm4:i:imm3:imm8 of MOVW/MOVT. */
const imm16 = (insn: number): number => (IMM4.k(insn) << 12) | imm12Of(insn);
/** imm3:imm2: the shift amount or lsb. */
const imm5 = IMM5.i;

/** SSAT/USAT: sat_imm -> 20:16, Rd -> 15:12, imm5 -> 11:7, sh (bit 21) -> 6, Rn -> 3:0. */
const remapSat = (insn: number): number =>
  ((insn & 0x1f) << 16) | ((insn & 0xf00) << 4) | (imm5(insn) << 7) | ((insn >>> 15) & 0x40) | ((insn >>> 16) & 15);
/** SSAT16/USAT16: sat_imm -> 19:16, Rd -> 15:12, Rn -> 3:0. */
const remapSat16 = (insn: number): number => ((insn & 0xf) << 16) | ((insn & 0xf00) << 4) | ((insn >>> 16) & 15);
/** Bit fields: msb/widthm1 -> 20:16, Rd -> 15:12, lsb -> 11:7, Rn -> 3:0. */
const remapBf = remapSat;

const lsbOf = imm5;
const badBfx = (insn: number): boolean => badDN(insn) || lsbOf(insn) + WIDTH.w(insn) > 31;
const badBfi = (insn: number): boolean =>
  badReg(hwRd(insn)) || hwRn(insn) === 13 || MSB.m(insn) < lsbOf(insn);

const plainImmRows: EncodingSpec[] = [
  {
    // ADDW<c> <Rd>, <Rn>, #<imm12>   (ADDW <Rd>, SP, #<imm12>)
    name: 'ADD_imm_T4', pattern: '11110 i 1 0000 0 nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_IMM12],
    exec: (cpu, insn) => { cpu.r[hwRd(insn)] = (rnv(cpu, insn) + imm12(insn)) | 0; },
    disasm: (insn) => `addw\t${rd(insn)}, ${rn(insn)}, #${imm12(insn)}`,
    unpredictable: (insn) => (hwRn(insn) === 13 ? hwRd(insn) === 15 : badReg(hwRd(insn))),
    gen: GEN_D,
  },
  {
    // ADR<c>.W <Rd>, <label>   (ADDW <Rd>, PC, #<imm12>: Align(PC, 4) + imm12)
    name: 'ADR_T3', pattern: '11110 i 1 0000 0 1111 0 iii dddd iiii iiii',
    layouts: [T32_RD, T32_IMM12],
    exec: (cpu, insn) => { cpu.r[hwRd(insn)] = ((cpu.r[15] & ~3) + imm12(insn)) | 0; },
    disasm: (insn, pc) => `addw\t${rd(insn)}, pc, #${imm12(insn)}\t; 0x${(((pc + 4) & ~3) + imm12(insn)).toString(16)}`,
    unpredictable: (insn) => badReg(hwRd(insn)),
    gen: GEN_D,
  },
  {
    // MOVW<c> <Rd>, #<imm16>
    name: 'MOVW_T3', pattern: '11110 i 1 0010 0 kkkk 0 iii dddd iiii iiii',
    layouts: [T32_RD, T32_IMM12, IMM4],
    exec: (cpu, insn) => { cpu.r[hwRd(insn)] = imm16(insn); },
    disasm: (insn) => `movw\t${rd(insn)}, #${imm16(insn)}`,
    unpredictable: (insn) => badReg(hwRd(insn)),
    gen: GEN_D,
  },
  {
    // SUBW<c> <Rd>, <Rn>, #<imm12>   (SUBW <Rd>, SP, #<imm12>)
    name: 'SUB_imm_T4', pattern: '11110 i 1 0101 0 nnnn 0 iii dddd iiii iiii',
    layouts: [T32_RN, T32_RD, T32_IMM12],
    exec: (cpu, insn) => { cpu.r[hwRd(insn)] = (rnv(cpu, insn) - imm12(insn)) | 0; },
    disasm: (insn) => `subw\t${rd(insn)}, ${rn(insn)}, #${imm12(insn)}`,
    unpredictable: (insn) => (hwRn(insn) === 13 ? hwRd(insn) === 15 : badReg(hwRd(insn))),
    gen: GEN_D,
  },
  {
    // ADR<c>.W <Rd>, <label>   (SUBW <Rd>, PC, #<imm12>: Align(PC, 4) - imm12)
    name: 'ADR_T2', pattern: '11110 i 1 0101 0 1111 0 iii dddd iiii iiii',
    layouts: [T32_RD, T32_IMM12],
    exec: (cpu, insn) => { cpu.r[hwRd(insn)] = ((cpu.r[15] & ~3) - imm12(insn)) | 0; },
    disasm: (insn, pc) => `subw\t${rd(insn)}, pc, #${imm12(insn)}\t; 0x${((((pc + 4) & ~3) - imm12(insn)) >>> 0).toString(16)}`,
    unpredictable: (insn) => badReg(hwRd(insn)),
    gen: GEN_D,
  },
  {
    // MOVT<c> <Rd>, #<imm16>
    name: 'MOVT_T1', pattern: '11110 i 1 0110 0 kkkk 0 iii dddd iiii iiii',
    layouts: [T32_RD, T32_IMM12, IMM4],
    exec: (cpu, insn) => {
      const d = hwRd(insn);
      cpu.r[d] = (imm16(insn) << 16) | (cpu.r[d] & 0xffff);
    },
    disasm: (insn) => `movt\t${rd(insn)}, #${imm16(insn)}`,
    unpredictable: (insn) => badReg(hwRd(insn)),
    gen: GEN_D,
  },
  // SSAT<c> <Rd>, #<imm>, <Rn>{, <shift>}
  viaA32('SSAT_T1', 'SSAT', '11110 Z 11 00 h 0 nnnn 0 iii dddd iiZ sssss', remapSat, { unpredictable: badDN, gen: GEN_D }),
  // SSAT16<c> <Rd>, #<imm>, <Rn>
  viaA32('SSAT16_T1', 'SSAT16', '11110 Z 11 0010 nnnn 0000 dddd 00ZZ ssss', remapSat16, { unpredictable: badDN, gen: GEN_D }),
  // SBFX<c> <Rd>, <Rn>, #<lsb>, #<width>
  viaA32('SBFX_T1', 'SBFX', '11110 Z 11 0100 nnnn 0 iii dddd iiZ wwwww', remapBf, { unpredictable: badBfx, gen: GEN_D }),
  // BFI<c> <Rd>, <Rn>, #<lsb>, #<width>
  viaA32('BFI_T1', 'BFI', '11110 Z 11 0110 nnnn 0 iii dddd iiZ mmmmm', remapBf, { unpredictable: badBfi, gen: GEN_D }),
  // BFC<c> <Rd>, #<lsb>, #<width>
  viaA32('BFC_T1', 'BFC', '11110 Z 11 0110 1111 0 iii dddd iiZ mmmmm', remapBf, {
    unpredictable: (insn) => badReg(hwRd(insn)) || MSB.m(insn) < lsbOf(insn), gen: GEN_D,
  }),
  // USAT<c> <Rd>, #<imm>, <Rn>{, <shift>}
  viaA32('USAT_T1', 'USAT', '11110 Z 11 10 h 0 nnnn 0 iii dddd iiZ sssss', remapSat, { unpredictable: badDN, gen: GEN_D }),
  // USAT16<c> <Rd>, #<imm>, <Rn>
  viaA32('USAT16_T1', 'USAT16', '11110 Z 11 1010 nnnn 0000 dddd 00ZZ ssss', remapSat16, { unpredictable: badDN, gen: GEN_D }),
  // UBFX<c> <Rd>, <Rn>, #<lsb>, #<width>
  viaA32('UBFX_T1', 'UBFX', '11110 Z 11 1100 nnnn 0 iii dddd iiZ wwwww', remapBf, { unpredictable: badBfx, gen: GEN_D }),
];

// ---- shifted register -------------------------------------------------------------------

/** Rm shifted by imm3:imm2 with the type in bits 5:4; sets shifterCarry. */
function shifted(cpu: Cpu, insn: number): number {
  return shiftImm(cpu, cpu.r[hwRm(insn)], SHIFT.t(insn), imm5(insn));
}

function logicReg(cpu: Cpu, insn: number, res: number): void {
  cpu.r[hwRd(insn)] = res;
  if (insn & S) {
    cpu.n = res >>> 31;
    cpu.z = res === 0 ? 1 : 0;
    cpu.c = shifterCarry;
  }
}

function testReg(cpu: Cpu, res: number): void {
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  cpu.c = shifterCarry;
}

const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'];
function shiftText(insn: number): string {
  const type = SHIFT.t(insn), n = imm5(insn);
  if (type === 0 && n === 0) return '';
  if (type === 3 && n === 0) return ', rrx';
  return `, ${SHIFT_NAMES[type]} #${n === 0 ? 32 : n}`;
}

const regT = (insn: number): string => `${rm(insn)}${shiftText(insn)}`;
const dis3r = (mn: string) => (insn: number): string => `${mn}${sfx(insn)}\t${rd(insn)}, ${rn(insn)}, ${regT(insn)}`;
const dis2r = (mn: string) => (insn: number): string => `${mn}${sfx(insn)}\t${rd(insn)}, ${regT(insn)}`;
const disCr = (mn: string) => (insn: number): string => `${mn}\t${rn(insn)}, ${regT(insn)}`;

const badM = (insn: number): boolean => badReg(hwRm(insn));
/** ADD/SUB (register): as the immediate forms, and with Rd = SP only LSL #0-3. */
const badAddSubReg = (insn: number): boolean => {
  if (badAddSub(insn) || badM(insn)) return true;
  return hwRd(insn) === 13 && (SHIFT.t(insn) !== 0 || imm5(insn) > 3);
};
/** MOV (register) without a shift: SP to SP is the only UNPREDICTABLE SP use without S. */
const badMovReg = (insn: number): boolean => {
  const d = hwRd(insn), m = hwRm(insn);
  if (insn & S) return badReg(d) || badReg(m);
  return d === 15 || m === 15 || (d === 13 && m === 13);
};

/** The MOV-with-shift rows (LSL/LSR/ASR/ROR #imm, RRX): Rn = 1111. */
function shiftRow(name: string, type: number, mn: string): EncodingSpec {
  const tt = type.toString(2).padStart(2, '0');
  return {
    // <mn>{S}<c>.W <Rd>, <Rm>, #<imm>
    name, pattern: `11101 01 0010 S 1111 Z iii dddd ii ${tt} mmmm`,
    layouts: [T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, shifted(cpu, insn)); },
    disasm: (insn) => `${mn}${sfx(insn)}\t${rd(insn)}, ${rm(insn)}, #${imm5(insn) || 32}`,
    unpredictable: (insn) => badReg(hwRd(insn)) || badM(insn),
    gen: GEN_D,
  };
}

/** PKHBT/PKHTB: Rn -> 19:16, Rd -> 15:12, imm5 -> 11:7, Rm -> 3:0. */
const remapPkh = (insn: number): number => remapDNM(insn) | (imm5(insn) << 7);

const shiftedRegRows: EncodingSpec[] = [
  {
    // AND{S}<c>.W <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'AND_reg_T2', pattern: '11101 01 0000 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, rnv(cpu, insn) & shifted(cpu, insn)); },
    disasm: dis3r('and'), unpredictable: (insn) => badAndEor(insn) || badM(insn), gen: GEN_D,
  },
  {
    // TST<c>.W <Rn>, <Rm>{, <shift>}
    name: 'TST_reg_T2', pattern: '11101 01 0000 1 nnnn Z iii 1111 ii tt mmmm',
    layouts: [T32_RN, T32_RM, IMM5, SHIFT],
    exec: (cpu, insn) => { testReg(cpu, rnv(cpu, insn) & shifted(cpu, insn)); },
    disasm: disCr('tst'), unpredictable: (insn) => badReg(hwRn(insn)) || badM(insn),
  },
  {
    // BIC{S}<c>.W <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'BIC_reg_T2', pattern: '11101 01 0001 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, rnv(cpu, insn) & ~shifted(cpu, insn)); },
    disasm: dis3r('bic'), unpredictable: badDNM, gen: GEN_D,
  },
  {
    // ORR{S}<c>.W <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'ORR_reg_T2', pattern: '11101 01 0010 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, rnv(cpu, insn) | shifted(cpu, insn)); },
    disasm: dis3r('orr'), unpredictable: (insn) => badOrr(insn) || badM(insn), gen: GEN_D,
  },
  {
    // MOV{S}<c>.W <Rd>, <Rm>
    name: 'MOV_reg_T3', pattern: '11101 01 0010 S 1111 Z 000 dddd 00 00 mmmm',
    layouts: [T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, shifted(cpu, insn)); },
    disasm: (insn) => `mov${sfx(insn)}.w\t${rd(insn)}, ${rm(insn)}`,
    unpredictable: badMovReg, gen: GEN_D,
  },
  shiftRow('LSL_imm_T2', 0, 'lsl'),
  shiftRow('LSR_imm_T2', 1, 'lsr'),
  shiftRow('ASR_imm_T2', 2, 'asr'),
  shiftRow('ROR_imm_T1', 3, 'ror'),
  {
    // RRX{S}<c> <Rd>, <Rm>
    name: 'RRX_T1', pattern: '11101 01 0010 S 1111 Z 000 dddd 00 11 mmmm',
    layouts: [T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, shifted(cpu, insn)); },
    disasm: (insn) => `rrx${sfx(insn)}\t${rd(insn)}, ${rm(insn)}`,
    unpredictable: (insn) => badReg(hwRd(insn)) || badM(insn), gen: GEN_D,
  },
  {
    // ORN{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'ORN_reg_T1', pattern: '11101 01 0011 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, rnv(cpu, insn) | ~shifted(cpu, insn)); },
    disasm: dis3r('orn'), unpredictable: (insn) => badOrr(insn) || badM(insn), gen: GEN_D,
  },
  {
    // MVN{S}<c>.W <Rd>, <Rm>{, <shift>}
    name: 'MVN_reg_T2', pattern: '11101 01 0011 S 1111 Z iii dddd ii tt mmmm',
    layouts: [T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, ~shifted(cpu, insn)); },
    disasm: dis2r('mvn'), unpredictable: (insn) => badReg(hwRd(insn)) || badM(insn), gen: GEN_D,
  },
  {
    // EOR{S}<c>.W <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'EOR_reg_T2', pattern: '11101 01 0100 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { logicReg(cpu, insn, rnv(cpu, insn) ^ shifted(cpu, insn)); },
    disasm: dis3r('eor'), unpredictable: (insn) => badAndEor(insn) || badM(insn), gen: GEN_D,
  },
  {
    // TEQ<c> <Rn>, <Rm>{, <shift>}
    name: 'TEQ_reg_T1', pattern: '11101 01 0100 1 nnnn Z iii 1111 ii tt mmmm',
    layouts: [T32_RN, T32_RM, IMM5, SHIFT],
    exec: (cpu, insn) => { testReg(cpu, rnv(cpu, insn) ^ shifted(cpu, insn)); },
    disasm: disCr('teq'), unpredictable: (insn) => badReg(hwRn(insn)) || badM(insn),
  },
  // PKHBT<c> <Rd>, <Rn>, <Rm>{, LSL #<imm>}
  viaA32('PKHBT_T1', 'PKHBT', '11101 01 0110 0 nnnn Z iii dddd ii 0 0 mmmm', remapPkh, { unpredictable: badDNM, gen: GEN_D }),
  // PKHTB<c> <Rd>, <Rn>, <Rm>{, ASR #<imm>}
  viaA32('PKHTB_T1', 'PKHTB', '11101 01 0110 0 nnnn Z iii dddd ii 1 0 mmmm', remapPkh, { unpredictable: badDNM, gen: GEN_D }),
  {
    // ADD{S}<c>.W <Rd>, <Rn>, <Rm>{, <shift>}   (ADD{S}.W <Rd>, SP, <Rm>{, <shift>})
    name: 'ADD_reg_T3', pattern: '11101 01 1000 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { arith(cpu, insn, rnv(cpu, insn), shifted(cpu, insn), 0); },
    disasm: dis3r('add'), unpredictable: badAddSubReg, gen: GEN_D,
  },
  {
    // CMN<c>.W <Rn>, <Rm>{, <shift>}
    name: 'CMN_reg_T2', pattern: '11101 01 1000 1 nnnn Z iii 1111 ii tt mmmm',
    layouts: [T32_RN, T32_RM, IMM5, SHIFT],
    exec: (cpu, insn) => { addWithCarry(cpu, rnv(cpu, insn), shifted(cpu, insn), 0); },
    disasm: disCr('cmn'), unpredictable: (insn) => hwRn(insn) === 15 || badM(insn),
  },
  {
    // ADC{S}<c>.W <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'ADC_reg_T2', pattern: '11101 01 1010 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { arith(cpu, insn, rnv(cpu, insn), shifted(cpu, insn), cpu.c); },
    disasm: dis3r('adc'), unpredictable: badDNM, gen: GEN_D,
  },
  {
    // SBC{S}<c>.W <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'SBC_reg_T2', pattern: '11101 01 1011 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { arith(cpu, insn, rnv(cpu, insn), ~shifted(cpu, insn), cpu.c); },
    disasm: dis3r('sbc'), unpredictable: badDNM, gen: GEN_D,
  },
  {
    // SUB{S}<c>.W <Rd>, <Rn>, <Rm>{, <shift>}   (SUB{S} <Rd>, SP, <Rm>{, <shift>})
    name: 'SUB_reg_T2', pattern: '11101 01 1101 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { arith(cpu, insn, rnv(cpu, insn), ~shifted(cpu, insn), 1); },
    disasm: dis3r('sub'), unpredictable: badAddSubReg, gen: GEN_D,
  },
  {
    // CMP<c>.W <Rn>, <Rm>{, <shift>}
    name: 'CMP_reg_T3', pattern: '11101 01 1101 1 nnnn Z iii 1111 ii tt mmmm',
    layouts: [T32_RN, T32_RM, IMM5, SHIFT],
    exec: (cpu, insn) => { addWithCarry(cpu, rnv(cpu, insn), ~shifted(cpu, insn), 1); },
    disasm: disCr('cmp'), unpredictable: (insn) => hwRn(insn) === 15 || badM(insn),
  },
  {
    // RSB{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'RSB_reg_T1', pattern: '11101 01 1110 S nnnn Z iii dddd ii tt mmmm',
    layouts: [T32_RN, T32_RD, T32_RM, T32_S, IMM5, SHIFT],
    exec: (cpu, insn) => { arith(cpu, insn, ~rnv(cpu, insn), shifted(cpu, insn), 1); },
    disasm: dis3r('rsb'), unpredictable: badDNM, gen: GEN_D,
  },
];

// ---- data processing (register) ---------------------------------------------------------------

function shiftRegRow(name: string, type: number, mn: string): EncodingSpec {
  const tt = type.toString(2).padStart(2, '0');
  return {
    // <mn>{S}<c>.W <Rd>, <Rn>, <Rm>
    name, pattern: `11111010 0 ${tt} S nnnn 1111 dddd 0000 mmmm`,
    layouts: [T32_RN, T32_RD, T32_RM, T32_S],
    exec: (cpu, insn) => {
      const res = shiftReg(cpu, rnv(cpu, insn), type, cpu.r[hwRm(insn)] & 0xff);
      logicReg(cpu, insn, res);
    },
    disasm: (insn) => `${mn}${sfx(insn)}.w\t${rd(insn)}, ${rn(insn)}, ${rm(insn)}`,
    unpredictable: badDNM, gen: GEN_D,
  };
}

/** Extends: Rn -> 19:16, Rd -> 15:12, rotate (5:4) -> 11:10, Rm -> 3:0. */
const remapExt = (insn: number): number => remapDNM(insn) | ((insn & 0x30) << 6);

/** SXTAH..UXTAB (op in bits 22:20) and their Rn = PC forms SXTH..UXTB. */
function extendRows(op: number, add: string, plain: string): EncodingSpec[] {
  const o = op.toString(2).padStart(3, '0');
  return [
    // <add><c> <Rd>, <Rn>, <Rm>{, <rotation>}
    viaA32(`${add}_T1`, add, `11111010 0 ${o} nnnn 1111 dddd 1Z rr mmmm`, remapExt, {
      unpredictable: (insn) => badDM(insn) || hwRn(insn) === 13, gen: GEN_D,
    }),
    // <plain><c>.W <Rd>, <Rm>{, <rotation>}
    viaA32(`${plain}_T${plain.endsWith('16') ? 1 : 2}`, plain, `11111010 0 ${o} 1111 1111 dddd 1Z rr mmmm`, remapExt, {
      unpredictable: badDM, gen: GEN_D,
    }),
  ];
}

/** The 36 parallel add/subtract rows: op in hw1 bits 22:20, prefix in hw2 bits 6:4. */
function parallelRows(): EncodingSpec[] {
  const ops: Array<[string, string]> = [
    ['ADD16', '001'], ['ASX', '010'], ['SAX', '110'], ['SUB16', '101'], ['ADD8', '000'], ['SUB8', '100'],
  ];
  const prefixes: Array<[string, string]> = [['S', '000'], ['Q', '001'], ['SH', '010'], ['U', '100'], ['UQ', '101'], ['UH', '110']];
  const rows: EncodingSpec[] = [];
  for (const [prefix, p] of prefixes) {
    for (const [op, o] of ops) {
      const name = `${prefix}${op}`;
      // <name><c> <Rd>, <Rn>, <Rm>
      rows.push(viaA32(`${name}_T1`, name, `11111010 1 ${o} nnnn 1111 dddd 0 ${p} mmmm`, remapDNM, {
        unpredictable: badDNM, gen: GEN_D,
      }));
    }
  }
  return rows;
}

/** REV, CLZ and friends repeat Rm in hw1 bits 3:0 (k); the copies must agree. */
const badTwoReg = (insn: number): boolean => badDM(insn) || hwRn(insn) !== hwRm(insn);

const registerRows: EncodingSpec[] = [
  shiftRegRow('LSL_reg_T2', 0, 'lsl'),
  shiftRegRow('LSR_reg_T2', 1, 'lsr'),
  shiftRegRow('ASR_reg_T2', 2, 'asr'),
  shiftRegRow('ROR_reg_T2', 3, 'ror'),
  ...extendRows(0, 'SXTAH', 'SXTH'),
  ...extendRows(1, 'UXTAH', 'UXTH'),
  ...extendRows(2, 'SXTAB16', 'SXTB16'),
  ...extendRows(3, 'UXTAB16', 'UXTB16'),
  ...extendRows(4, 'SXTAB', 'SXTB'),
  ...extendRows(5, 'UXTAB', 'UXTB'),
  ...parallelRows(),
  // QADD<c> <Rd>, <Rm>, <Rn>
  viaA32('QADD_T1', 'QADD', '11111010 1000 nnnn 1111 dddd 1000 mmmm', remapDNM, { unpredictable: badDNM, gen: GEN_D }),
  // QDADD<c> <Rd>, <Rm>, <Rn>
  viaA32('QDADD_T1', 'QDADD', '11111010 1000 nnnn 1111 dddd 1001 mmmm', remapDNM, { unpredictable: badDNM, gen: GEN_D }),
  // QSUB<c> <Rd>, <Rm>, <Rn>
  viaA32('QSUB_T1', 'QSUB', '11111010 1000 nnnn 1111 dddd 1010 mmmm', remapDNM, { unpredictable: badDNM, gen: GEN_D }),
  // QDSUB<c> <Rd>, <Rm>, <Rn>
  viaA32('QDSUB_T1', 'QDSUB', '11111010 1000 nnnn 1111 dddd 1011 mmmm', remapDNM, { unpredictable: badDNM, gen: GEN_D }),
  // REV<c>.W <Rd>, <Rm>
  viaA32('REV_T2', 'REV', '11111010 1001 kkkk 1111 dddd 1000 mmmm', remapDM, { unpredictable: badTwoReg, gen: GEN_D }),
  // REV16<c>.W <Rd>, <Rm>
  viaA32('REV16_T2', 'REV16', '11111010 1001 kkkk 1111 dddd 1001 mmmm', remapDM, { unpredictable: badTwoReg, gen: GEN_D }),
  // RBIT<c> <Rd>, <Rm>
  viaA32('RBIT_T1', 'RBIT', '11111010 1001 kkkk 1111 dddd 1010 mmmm', remapDM, { unpredictable: badTwoReg, gen: GEN_D }),
  // REVSH<c>.W <Rd>, <Rm>
  viaA32('REVSH_T2', 'REVSH', '11111010 1001 kkkk 1111 dddd 1011 mmmm', remapDM, { unpredictable: badTwoReg, gen: GEN_D }),
  // SEL<c> <Rd>, <Rn>, <Rm>
  viaA32('SEL_T1', 'SEL', '11111010 1010 nnnn 1111 dddd 1000 mmmm', remapDNM, { unpredictable: badDNM, gen: GEN_D }),
  // CLZ<c> <Rd>, <Rm>
  viaA32('CLZ_T1', 'CLZ', '11111010 1011 kkkk 1111 dddd 1000 mmmm', remapDM, { unpredictable: badTwoReg, gen: GEN_D }),
];

// ---- multiplies ------------------------------------------------------------------------

/** Accumulating forms: Ra = SP is UNPREDICTABLE (Ra = PC selects the non-accumulating row). */
const badMulAcc = (insn: number): boolean => badDNM(insn) || hwRt(insn) === 13;
/** Long forms: RdLo (15:12), RdHi (11:8), Rn, Rm not SP/PC, RdHi != RdLo. */
const badLong = (insn: number): boolean =>
  badDNM(insn) || badReg(hwRt(insn)) || hwRt(insn) === hwRd(insn);

/** N (bit 5) -> x (bit 5), M (bit 4) -> y (bit 6). */
const remapXY = (insn: number): number => remapMul(insn) | (insn & 0x20) | ((insn & 0x10) << 2);
/** M (bit 4) -> y (bit 6). */
const remapY = (insn: number): number => remapMul(insn) | ((insn & 0x10) << 2);
/** M/R (bit 4) -> bit 5. */
const remapMR = (insn: number): number => remapMul(insn) | ((insn & 0x10) << 1);

const GEN_MUL = { fields: { d: GOOD } };
const GEN_LONG = { fields: { h: GOOD, l: GOOD } };

function noDivide(cpu: Cpu): void {
  cpu.undefinedInstruction('SDIV/UDIV: Cortex-A9 has no hardware divide');
}

const multiplyRows: EncodingSpec[] = [
  // MLA<c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('MLA_T1', 'MLA', '11111011 0000 nnnn aaaa dddd 0000 mmmm', remapMul, { unpredictable: badMulAcc, gen: GEN_MUL }),
  // MUL<c> <Rd>, <Rn>, <Rm>
  viaA32('MUL_T2', 'MUL', '11111011 0000 nnnn 1111 dddd 0000 mmmm', (insn) => remapMul(insn) & ~0xf000, { unpredictable: badDNM, gen: GEN_MUL }),
  // MLS<c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('MLS_T1', 'MLS', '11111011 0000 nnnn aaaa dddd 0001 mmmm', remapMul, { unpredictable: (insn) => badDNM(insn) || badReg(hwRt(insn)), gen: GEN_MUL }),
  // SMLA<x><y><c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('SMLAxy_T1', 'SMLAxy', '11111011 0001 nnnn aaaa dddd 00NM mmmm', remapXY, { unpredictable: badMulAcc, gen: GEN_MUL }),
  // SMUL<x><y><c> <Rd>, <Rn>, <Rm>
  viaA32('SMULxy_T1', 'SMULxy', '11111011 0001 nnnn 1111 dddd 00NM mmmm', (insn) => remapXY(insn) & ~0xf000, { unpredictable: badDNM, gen: GEN_MUL }),
  // SMLAD{X}<c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('SMLAD_T1', 'SMLAD', '11111011 0010 nnnn aaaa dddd 000M mmmm', remapMR, { unpredictable: badMulAcc, gen: GEN_MUL }),
  // SMUAD{X}<c> <Rd>, <Rn>, <Rm>
  viaA32('SMUAD_T1', 'SMUAD', '11111011 0010 nnnn 1111 dddd 000M mmmm', remapMR, { unpredictable: badDNM, gen: GEN_MUL }),
  // SMLAW<y><c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('SMLAWy_T1', 'SMLAWy', '11111011 0011 nnnn aaaa dddd 000M mmmm', remapY, { unpredictable: badMulAcc, gen: GEN_MUL }),
  // SMULW<y><c> <Rd>, <Rn>, <Rm>
  viaA32('SMULWy_T1', 'SMULWy', '11111011 0011 nnnn 1111 dddd 000M mmmm', (insn) => remapY(insn) & ~0xf000, { unpredictable: badDNM, gen: GEN_MUL }),
  // SMLSD{X}<c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('SMLSD_T1', 'SMLSD', '11111011 0100 nnnn aaaa dddd 000M mmmm', remapMR, { unpredictable: badMulAcc, gen: GEN_MUL }),
  // SMUSD{X}<c> <Rd>, <Rn>, <Rm>
  viaA32('SMUSD_T1', 'SMUSD', '11111011 0100 nnnn 1111 dddd 000M mmmm', remapMR, { unpredictable: badDNM, gen: GEN_MUL }),
  // SMMLA{R}<c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('SMMLA_T1', 'SMMLA', '11111011 0101 nnnn aaaa dddd 000R mmmm', remapMR, { unpredictable: badMulAcc, gen: GEN_MUL }),
  // SMMUL{R}<c> <Rd>, <Rn>, <Rm>
  viaA32('SMMUL_T1', 'SMMUL', '11111011 0101 nnnn 1111 dddd 000R mmmm', remapMR, { unpredictable: badDNM, gen: GEN_MUL }),
  // SMMLS{R}<c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('SMMLS_T1', 'SMMLS', '11111011 0110 nnnn aaaa dddd 000R mmmm', remapMR, { unpredictable: (insn) => badDNM(insn) || badReg(hwRt(insn)), gen: GEN_MUL }),
  // USADA8<c> <Rd>, <Rn>, <Rm>, <Ra>
  viaA32('USADA8_T1', 'USADA8', '11111011 0111 nnnn aaaa dddd 0000 mmmm', remapMul, { unpredictable: badMulAcc, gen: GEN_MUL }),
  // USAD8<c> <Rd>, <Rn>, <Rm>
  viaA32('USAD8_T1', 'USAD8', '11111011 0111 nnnn 1111 dddd 0000 mmmm', remapMul, { unpredictable: badDNM, gen: GEN_MUL }),
  // SMULL<c> <RdLo>, <RdHi>, <Rn>, <Rm>
  viaA32('SMULL_T1', 'SMULL', '11111011 1000 nnnn llll hhhh 0000 mmmm', remapMul, { unpredictable: badLong, gen: GEN_LONG }),
  {
    // SDIV<c> <Rd>, <Rn>, <Rm>   (UNDEFINED: no divide on Cortex-A9)
    name: 'SDIV_T1', pattern: '11111011 1001 nnnn OOOO dddd 1111 mmmm',
    layouts: [T32_RN, T32_RD, T32_RM],
    exec: noDivide,
    disasm: (insn) => `sdiv\t${rd(insn)}, ${rn(insn)}, ${rm(insn)}`,
  },
  // UMULL<c> <RdLo>, <RdHi>, <Rn>, <Rm>
  viaA32('UMULL_T1', 'UMULL', '11111011 1010 nnnn llll hhhh 0000 mmmm', remapMul, { unpredictable: badLong, gen: GEN_LONG }),
  {
    // UDIV<c> <Rd>, <Rn>, <Rm>   (UNDEFINED: no divide on Cortex-A9)
    name: 'UDIV_T1', pattern: '11111011 1011 nnnn OOOO dddd 1111 mmmm',
    layouts: [T32_RN, T32_RD, T32_RM],
    exec: noDivide,
    disasm: (insn) => `udiv\t${rd(insn)}, ${rn(insn)}, ${rm(insn)}`,
  },
  // SMLAL<c> <RdLo>, <RdHi>, <Rn>, <Rm>
  viaA32('SMLAL_T1', 'SMLAL', '11111011 1100 nnnn llll hhhh 0000 mmmm', remapMul, { unpredictable: badLong, gen: GEN_LONG }),
  // SMLAL<x><y><c> <RdLo>, <RdHi>, <Rn>, <Rm>
  viaA32('SMLALxy_T1', 'SMLALxy', '11111011 1100 nnnn llll hhhh 10NM mmmm', remapXY, { unpredictable: badLong, gen: GEN_LONG }),
  // SMLALD{X}<c> <RdLo>, <RdHi>, <Rn>, <Rm>
  viaA32('SMLALD_T1', 'SMLALD', '11111011 1100 nnnn llll hhhh 110M mmmm', remapMR, { unpredictable: badLong, gen: GEN_LONG }),
  // SMLSLD{X}<c> <RdLo>, <RdHi>, <Rn>, <Rm>
  viaA32('SMLSLD_T1', 'SMLSLD', '11111011 1101 nnnn llll hhhh 110M mmmm', remapMR, { unpredictable: badLong, gen: GEN_LONG }),
  // UMLAL<c> <RdLo>, <RdHi>, <Rn>, <Rm>
  viaA32('UMLAL_T1', 'UMLAL', '11111011 1110 nnnn llll hhhh 0000 mmmm', remapMul, { unpredictable: badLong, gen: GEN_LONG }),
  // UMAAL<c> <RdLo>, <RdHi>, <Rn>, <Rm>
  viaA32('UMAAL_T1', 'UMAAL', '11111011 1110 nnnn llll hhhh 0110 mmmm', remapMul, { unpredictable: badLong, gen: GEN_LONG }),
];

export const t32DataRows: EncodingSpec[] = [
  ...modifiedImmRows,
  ...plainImmRows,
  ...shiftedRegRows,
  ...registerRows,
  ...multiplyRows,
];
