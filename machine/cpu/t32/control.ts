/**
 * 32-bit Thumb branches and miscellaneous control (ARM ARM A6.3.4): B, BL,
 * BLX (immediate, to ARM state), MSR, MRS, CPS, the hints, CLREX and the
 * barriers, BXJ, SUBS PC, LR (exception return), SMC and UDF; and the
 * coprocessor instructions (A6.3.18), whose T32 encodings are the A32 ones
 * with bits 31:28 = 1110 (or 1111 for the '2' forms), so the A32 rows run
 * them unchanged.
 */

import { fieldsOf, type EncodingSpec, type Handler } from '../encoding';
import type { Cpu } from '../cpu';
import { hasSpsr, isValidMode } from '../modes';
import { coprocessorRows } from '../a32/coprocessor';
import { inITBlock, inITNotLast, itUnpredictable, a32Row, a32Base, badReg, hwRn, hwRd, reg, hex } from './common';

// ---- field layouts -------------------------------------------------------------------------------

/** B T3: S, cond, imm6:imm11 (one split field), J1 (j), J2 (k). */
const B_COND = fieldsOf('-----sqqqqiiiiii --j-kiiiiiiiiiii');
/** B T4, BL: S, imm10:imm11, J1, J2. */
const B_LONG = fieldsOf('-----siiiiiiiiii --j-kiiiiiiiiiii');
/** BLX T2: S, imm10H:imm10L (imm11<0> is zero), J1, J2. */
const B_BLX = fieldsOf('-----siiiiiiiiii --j-kiiiiiiiiii-');
/** MSR: Rn and the field mask. */
const MSR = fieldsOf('------------nnnn ----mmmm--------');
/** 8-bit immediates: the hint number, SUBS PC, LR's offset. */
const IMM8 = fieldsOf('---------------- --------iiiiiiii');
const HINT8 = fieldsOf('---------------- --------hhhhhhhh');
/** DBG and the barriers: the option. */
const OPTION = fieldsOf('---------------- ------------oooo');
/** CPS: imod, M, A/I/F, mode. */
const CPS2 = fieldsOf('---------------- -----kkMaifmmmmm');
const SMC = fieldsOf('------------iiii ----------------');
/** UDF T2: imm4:imm12 as one immediate. */
const UDF = fieldsOf('------------iiii ----iiiiiiiiiiii');

// ---- branch offsets ---------------------------------------------------------------------------

/** B T3: SignExtend(S:J2:J1:imm6:imm11:'0'). */
function condOffset(insn: number): number {
  const off = (B_COND.s(insn) << 20) | (B_COND.k(insn) << 19) | (B_COND.j(insn) << 18) | (B_COND.i(insn) << 1);
  return (off << 11) >> 11;
}

/** SignExtend(S:I1:I2:imm21) with I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S); imm21 = imm10:imm11:'0' (BLX: imm10H:imm10L:'00'). */
function longOffsetOf(s: number, j1: number, j2: number, imm21: number): number {
  const off = (s << 24) | ((j1 ^ s ^ 1) << 23) | ((j2 ^ s ^ 1) << 22) | imm21;
  return (off << 7) >> 7;
}

/** B T4, BL: SignExtend(S:I1:I2:imm10:imm11:'0'). */
function longOffset(insn: number): number {
  return longOffsetOf(B_LONG.s(insn), B_LONG.j(insn), B_LONG.k(insn), B_LONG.i(insn) << 1);
}

/** BLX T2: imm11<0> (H) is zero, so the offset is a multiple of 4 from Align(PC, 4). */
function blxOffset(insn: number): number {
  return longOffsetOf(B_BLX.s(insn), B_BLX.j(insn), B_BLX.k(insn), B_BLX.i(insn) << 2);
}

const COND_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''];

// ---- system -------------------------------------------------------------------------------------

const MSR_CPSR = a32Row('MSR_reg_cpsr').exec, MSR_CPSR_A32 = a32Base('MSR_reg_cpsr');
const MSR_SPSR = a32Row('MSR_reg_spsr').exec, MSR_SPSR_A32 = a32Base('MSR_reg_spsr');
const MRS_CPSR = a32Row('MRS_cpsr').exec, MRS_CPSR_A32 = a32Base('MRS_cpsr');
const MRS_SPSR = a32Row('MRS_spsr').exec, MRS_SPSR_A32 = a32Base('MRS_spsr');
const CPS_ROW = a32Row('CPS');
const CPS_A32 = a32Base('CPS');
const CLREX = a32Row('CLREX').exec;
const ISB = a32Row('ISB').exec;

/** mask (hw2 11:8) -> A32 19:16, Rn -> 3:0. */
const msrRemap = (insn: number): number => (MSR.m(insn) << 16) | MSR.n(insn);
/** imod (10:9) -> 19:18, M (8) -> 17, A:I:F (7:5) -> 8:6, mode -> 4:0. */
const cpsRemap = (insn: number): number =>
  CPS_A32 | (CPS2.k(insn) << 18) | (CPS2.M(insn) << 17) |
  (((CPS2.a(insn) << 2) | (CPS2.i(insn) << 1) | CPS2.f(insn)) << 6) | CPS2.m(insn);

function psrName(spsr: boolean, mask: number): string {
  return `${spsr ? 'SPSR' : 'CPSR'}_${mask & 8 ? 'f' : ''}${mask & 4 ? 's' : ''}${mask & 2 ? 'x' : ''}${mask & 1 ? 'c' : ''}`;
}

/** SUBS PC, LR, #imm8: CPSR <- SPSR, then BranchWritePC(LR - imm8). */
function subsPcLr(cpu: Cpu, insn: number): void {
  if (inITNotLast(cpu)) { itUnpredictable(cpu, 'SUBS PC, LR not last'); return; }
  if (!hasSpsr(cpu.mode)) {
    cpu.undefinedInstruction('SUBS PC, LR in User or System mode is UNPREDICTABLE');
    return;
  }
  const spsr = cpu.currentSpsr();
  if (!isValidMode(spsr & 0x1f)) {
    cpu.undefinedInstruction(`exception return to invalid mode 0x${(spsr & 0x1f).toString(16)} is UNPREDICTABLE`);
    return;
  }
  const result = (cpu.r[14] - IMM8.i(insn)) | 0;
  cpu.setCpsr(spsr);
  cpu.itWritten = 1;
  cpu.branchWritePC(result);
}

function hint(name: string, op: number, exec: (cpu: Cpu) => void, gen?: EncodingSpec['gen']): EncodingSpec {
  return {
    // <name><c>.W
    name: `${name}_T2`, pattern: `11110 0 111 01 0 OOOO 10 Z 0 Z 000 ${op.toString(2).padStart(8, '0')}`,
    exec: (cpu) => exec(cpu),
    disasm: () => `${name.toLowerCase()}.w`,
    gen,
  };
}

const noop = (): void => {};

const BARRIERS: Record<number, string> = {
  15: 'sy', 14: 'st', 11: 'ish', 10: 'ishst', 7: 'nsh', 6: 'nshst', 3: 'osh', 2: 'oshst',
};
const barrier = (insn: number): string => BARRIERS[OPTION.o(insn)] ?? `#${OPTION.o(insn)}`;

function undefinedRow(name: string, pattern: string, reason: string): EncodingSpec {
  return {
    name, pattern,
    exec: (cpu) => { cpu.undefinedInstruction(reason); },
    disasm: (insn) => `udf\t; 0x${(insn >>> 0).toString(16).padStart(8, '0')} (undefined)`,
  };
}

const branchRows: EncodingSpec[] = [
  {
    // B<c>.W <label>   (cond in hw1 bits 9:6; UNPREDICTABLE inside an IT block)
    name: 'B_T3', pattern: '11110 s qqqq iiiiii 10 j 0 k iiiiiiiiiii',
    layouts: [B_COND],
    exec: (cpu, insn) => {
      if (inITBlock(cpu)) { itUnpredictable(cpu, 'B<c>.W'); return; }
      if (cpu.conditionPassed(B_COND.q(insn))) cpu.branchWritePC((cpu.r[15] + condOffset(insn)) | 0);
    },
    disasm: (insn, pc) => `b${COND_NAMES[B_COND.q(insn)]}.w\t${hex(pc + 4 + condOffset(insn))}`,
    gen: { branch: true },
  },
  {
    // B<c>.W <label>   (only last inside an IT block)
    name: 'B_T4', pattern: '11110 s iiiiiiiiii 10 j 1 k iiiiiiiiiii',
    layouts: [B_LONG],
    exec: (cpu, insn) => {
      if (inITNotLast(cpu)) { itUnpredictable(cpu, 'B.W not last'); return; }
      cpu.branchWritePC((cpu.r[15] + longOffset(insn)) | 0);
    },
    disasm: (insn, pc) => `b.w\t${hex(pc + 4 + longOffset(insn))}`,
    gen: { branch: true },
  },
  {
    // BL<c> <label>
    name: 'BL_T1', pattern: '11110 s iiiiiiiiii 11 j 1 k iiiiiiiiiii',
    layouts: [B_LONG],
    exec: (cpu, insn) => {
      if (inITNotLast(cpu)) { itUnpredictable(cpu, 'BL not last'); return; }
      const pc = cpu.r[15];
      cpu.r[14] = pc | 1;
      cpu.branchWritePC((pc + longOffset(insn)) | 0);
    },
    disasm: (insn, pc) => `bl\t${hex(pc + 4 + longOffset(insn))}`,
    gen: { branch: true },
  },
  {
    // BLX<c> <label>   (to ARM state at Align(PC, 4) + imm32)
    name: 'BLX_imm_T2', pattern: '11110 s iiiiiiiiii 11 j 0 k iiiiiiiiii 0',
    layouts: [B_BLX],
    exec: (cpu, insn) => {
      if (inITNotLast(cpu)) { itUnpredictable(cpu, 'BLX not last'); return; }
      const pc = cpu.r[15];
      cpu.r[14] = pc | 1;
      cpu.bxWritePC(((pc & ~3) + blxOffset(insn)) & ~3);
    },
    disasm: (insn, pc) => `blx\t${hex(((pc + 4) & ~3) + blxOffset(insn))}`,
    gen: { branch: true },
  },
  // B T3 encodings with cond = 111x that are no other instruction.
  undefinedRow('UNDEF_ctrl_T32', '11110 0 111 01 1 xxxx 10 x 0 xxxxxxxxxxxx', 'unallocated T32 miscellaneous control encoding'),
  undefinedRow('UNDEF_branch_T32', '11110 1 111 xxx xxxx 10 x 0 xxxxxxxxxxxx', 'unallocated T32 branch/miscellaneous control encoding'),
];

const systemRows: EncodingSpec[] = [
  {
    // MSR<c> CPSR_<fields>, <Rn>   (APSR_<bits> in User mode)
    name: 'MSR_reg_cpsr_T1', pattern: '11110 0 1110 0 0 nnnn 10 Z 0 mmmm ZZZZ ZZZZ',
    layouts: [MSR],
    exec: (cpu, insn) => { MSR_CPSR(cpu, MSR_CPSR_A32 | msrRemap(insn)); },
    disasm: (insn) => `msr\t${psrName(false, MSR.m(insn))}, ${reg(MSR.n(insn))}`,
    unpredictable: (insn) => (MSR.m(insn)) === 0 || badReg(MSR.n(insn)),
    gen: { fields: { m: [4, 8, 12] } },
  },
  {
    // MSR<c> SPSR_<fields>, <Rn>
    name: 'MSR_reg_spsr_T1', pattern: '11110 0 1110 0 1 nnnn 10 Z 0 mmmm ZZZZ ZZZZ',
    layouts: [MSR],
    exec: (cpu, insn) => { MSR_SPSR(cpu, MSR_SPSR_A32 | msrRemap(insn)); },
    disasm: (insn) => `msr\t${psrName(true, MSR.m(insn))}, ${reg(MSR.n(insn))}`,
    unpredictable: (insn) => (MSR.m(insn)) === 0 || badReg(MSR.n(insn)),
    gen: { needsSpsr: true },
  },
  {
    // MRS<c> <Rd>, CPSR
    name: 'MRS_cpsr_T1', pattern: '11110 0 1111 1 0 OOOO 10 Z 0 dddd ZZZZ ZZZZ',
    exec: (cpu, insn) => { MRS_CPSR(cpu, MRS_CPSR_A32 | (hwRd(insn) << 12)); },
    disasm: (insn) => `mrs\t${reg(hwRd(insn))}, CPSR`,
    unpredictable: (insn) => badReg(hwRd(insn)),
  },
  {
    // MRS<c> <Rd>, SPSR
    name: 'MRS_spsr_T1', pattern: '11110 0 1111 1 1 OOOO 10 Z 0 dddd ZZZZ ZZZZ',
    exec: (cpu, insn) => { MRS_SPSR(cpu, MRS_SPSR_A32 | (hwRd(insn) << 12)); },
    disasm: (insn) => `mrs\t${reg(hwRd(insn))}, SPSR`,
    unpredictable: (insn) => badReg(hwRd(insn)),
    gen: { needsSpsr: true },
  },
  {
    // CPS<effect>.W <iflags>{, #<mode>}   /   CPS #<mode>
    name: 'CPS_T2', pattern: '11110 0 111 01 0 OOOO 10 Z 0 Z kk M aif mmmmm',
    layouts: [CPS2],
    exec: (cpu, insn) => {
      if (inITBlock(cpu)) { itUnpredictable(cpu, 'CPS'); return; }
      CPS_ROW.exec(cpu, cpsRemap(insn));
    },
    disasm: (insn) => CPS_ROW.disasm(cpsRemap(insn), 0).replace(/^cps(ie|id)?/, (m) => `${m}.w`),
    unpredictable: (insn) => CPS_ROW.unpredictable!(cpsRemap(insn)),
    gen: {},
  },
  {
    // NOP<c>.W {#<hint>}   (unallocated hints execute as NOP)
    name: 'HINT_T2', pattern: '11110 0 111 01 0 OOOO 10 Z 0 Z 000 hhhhhhhh',
    layouts: [HINT8],
    exec: noop,
    disasm: (insn) => `nop.w\t{${HINT8.h(insn)}}`,
  },
  hint('NOP', 0, noop),
  hint('YIELD', 1, noop),
  // WFE and SEV: see Cpu.wfe / Cpu.sev.
  hint('WFE', 2, (cpu) => { cpu.wfe(); }),
  hint('WFI', 3, (cpu) => { cpu.waiting = true; }, { skip: 'waits for an interrupt' }),
  hint('SEV', 4, (cpu) => { cpu.sev(); }),
  {
    // DBG<c> #<option>
    name: 'DBG_T1', pattern: '11110 0 111 01 0 OOOO 10 Z 0 Z 000 1111 oooo',
    layouts: [OPTION],
    exec: noop,
    disasm: (insn) => `dbg\t#${OPTION.o(insn)}`,
  },
  {
    // LEAVEX   (ThumbEE to Thumb: no effect in Thumb state)
    name: 'LEAVEX_T1', pattern: '11110 0 111 01 1 OOOO 10 Z 0 OOOO 0000 OOOO',
    exec: noop,
    disasm: () => 'leavex',
  },
  {
    // ENTERX   (Thumb to ThumbEE state)
    name: 'ENTERX_T1', pattern: '11110 0 111 01 1 OOOO 10 Z 0 OOOO 0001 OOOO',
    exec: (cpu) => { cpu.undefinedInstruction('ENTERX: ThumbEE state is not implemented'); },
    disasm: () => 'enterx',
    gen: { skip: 'ThumbEE state is not implemented' },
  },
  {
    // CLREX<c>
    name: 'CLREX_T1', pattern: '11110 0 111 01 1 OOOO 10 Z 0 OOOO 0010 OOOO',
    exec: (cpu, insn) => { CLREX(cpu, insn); },
    disasm: () => 'clrex',
  },
  {
    // DSB<c> #<option>
    name: 'DSB_T1', pattern: '11110 0 111 01 1 OOOO 10 Z 0 OOOO 0100 oooo',
    layouts: [OPTION],
    exec: noop,
    disasm: (insn) => `dsb\t${barrier(insn)}`,
  },
  {
    // DMB<c> #<option>
    name: 'DMB_T1', pattern: '11110 0 111 01 1 OOOO 10 Z 0 OOOO 0101 oooo',
    layouts: [OPTION],
    exec: noop,
    disasm: (insn) => `dmb\t${barrier(insn)}`,
  },
  {
    // ISB<c> #<option>   (later fetches see translation and SCTLR changes)
    name: 'ISB_T1', pattern: '11110 0 111 01 1 OOOO 10 Z 0 OOOO 0110 oooo',
    layouts: [OPTION],
    exec: (cpu, insn) => { ISB(cpu, insn); },
    disasm: (insn) => `isb\t${(OPTION.o(insn)) === 15 ? 'sy' : `#${OPTION.o(insn)}`}`,
  },
  {
    // BXJ<c> <Rm>   (no Jazelle: behaves as BX)
    name: 'BXJ_T1', pattern: '11110 0 1111 00 mmmm 10 Z 0 OOOO ZZZZ ZZZZ',
    exec: (cpu, insn) => {
      if (inITNotLast(cpu)) { itUnpredictable(cpu, 'BXJ not last'); return; }
      cpu.bxWritePC(cpu.r[hwRn(insn)]);
    },
    disasm: (insn) => `bxj\t${reg(hwRn(insn))}`,
    unpredictable: (insn) => badReg(hwRn(insn)),
    gen: { branch: true },
  },
  {
    // SUBS<c> PC, LR, #<imm8>   (ERET when imm8 = 0)
    name: 'SUBS_pc_lr_T1', pattern: '11110 0 1111 01 OOOZ 10 Z 0 OOOO iiii iiii',
    layouts: [IMM8],
    exec: subsPcLr,
    disasm: (insn) => `subs\tpc, lr, #${IMM8.i(insn)}`,
    gen: { branch: true, needsSpsr: true },
  },
  {
    // SMC<c> #<imm4>   (no Security Extensions: UNDEFINED)
    name: 'SMC_T1', pattern: '11110 111 1111 iiii 1000 ZZZZ ZZZZ ZZZZ',
    layouts: [SMC],
    exec: (cpu) => { cpu.undefinedInstruction('SMC: this core has no Security Extensions'); },
    disasm: (insn) => `smc\t#${SMC.i(insn)}`,
  },
  {
    // UDF<c>.W #<imm16>   (permanently UNDEFINED)
    name: 'UDF_T2', pattern: '11110 111 1111 iiii 1010 iiii iiii iiii',
    layouts: [UDF],
    exec: (cpu) => { cpu.undefinedInstruction(); },
    disasm: (insn) => `udf.w\t#${UDF.i(insn)}`,
  },
];

// ---- coprocessor -------------------------------------------------------------------------------------

/** In Thumb state Rt (and Rt2) = SP is UNPREDICTABLE as well. */
function coprocessorRowsT32(): EncodingSpec[] {
  return coprocessorRows.map((row) => {
    const pattern = row.pattern.replace(/^cccc/, '1110');
    const twoReg = row.name.startsWith('MCRR') || row.name.startsWith('MRRC');
    const oneReg = row.name.startsWith('MCR') || row.name.startsWith('MRC');
    const a32Unpred = row.unpredictable;
    let unpredictable = a32Unpred;
    if (twoReg) {
      unpredictable = (insn) => (a32Unpred ? a32Unpred(insn) : false) || ((insn >>> 12) & 15) === 13 || ((insn >>> 16) & 15) === 13;
    } else if (oneReg) {
      unpredictable = (insn) => (a32Unpred ? a32Unpred(insn) : false) || ((insn >>> 12) & 15) === 13;
    }
    const exec: Handler = row.exec;
    return { ...row, name: `${row.name}_T32`, pattern, exec, unpredictable };
  });
}

export const t32ControlRows: EncodingSpec[] = [
  ...branchRows,
  ...systemRows,
  ...coprocessorRowsT32(),
];
