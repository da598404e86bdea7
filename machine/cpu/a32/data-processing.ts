/**
 * Data processing: the sixteen ALU operations in their three operand forms
 * (modified immediate, register shifted by an immediate, register shifted by a
 * register), plus MOVW and MOVT.
 *
 * With S set and Rd = PC the immediate and immediate-shift forms are the
 * exception return instructions (SUBS PC, LR, #4; MOVS PC, LR; ...): the
 * result is computed in the current mode, then the CPSR is restored from the
 * SPSR and the PC written with the restored instruction set's alignment.
 */

import { fieldsOf, type EncodingSpec, type GenHints } from '../encoding';
import type { Cpu } from '../cpu';
import { hasSpsr, isValidMode } from '../modes';
import { expandImm, shiftImm, shiftReg, addWithCarry, shifterCarry } from './operands';
import { cond, reg, imm, shiftText, shiftRegText } from './syntax';

// ---- field layouts (each row lists the ones its handler and disassembler read) ----

/** Rd and the S bit, read by every row that writes a result. */
const RESULT = fieldsOf('---- ---- ---S ---- dddd ---- ---- ----');
/** The first operand register. */
const RN = fieldsOf('---- ---- ---- nnnn ---- ---- ---- ----');
/** Second operand: modified immediate. */
const OP2_IMM = fieldsOf('---- ---- ---- ---- ---- iiii iiii iiii');
/** Second operand: Rm shifted by an immediate. */
const OP2_REG = fieldsOf('---- ---- ---- ---- ---- iiii itt- mmmm');
/** Second operand: Rm shifted by the bottom byte of Rs. */
const OP2_RSR = fieldsOf('---- ---- ---- ---- ---- ssss -tt- mmmm');
/** MOVW, MOVT: Rd and imm4:imm12. */
const MOV16 = fieldsOf('---- ---- ---- iiii dddd iiii iiii iiii');

/** ARMExpandImm without the carry, for the arithmetic operations. */
function immValue(imm12: number): number {
  const rot = (imm12 >>> 8) << 1;
  const v = imm12 & 0xff;
  return rot === 0 ? v : ((v >>> rot) | (v << (32 - rot))) | 0;
}

/** Rm shifted by imm5 with the shift type; sets shifterCarry. */
function regOperand(cpu: Cpu, insn: number): number {
  return shiftImm(cpu, cpu.r[OP2_REG.m(insn)], OP2_REG.t(insn), OP2_REG.i(insn));
}

/** Rm shifted by the bottom byte of Rs; sets shifterCarry. */
function rsrOperand(cpu: Cpu, insn: number): number {
  return shiftReg(cpu, cpu.r[OP2_RSR.m(insn)], OP2_RSR.t(insn), cpu.r[OP2_RSR.s(insn)]);
}

function rn(cpu: Cpu, insn: number): number {
  return cpu.r[RN.n(insn)];
}

/**
 * SUBS PC, LR and related: CPSR <- SPSR, then BranchWritePC. The operands were
 * read before the mode change; the restored T bit selects the PC alignment.
 */
function exceptionReturn(cpu: Cpu, result: number): void {
  if (!hasSpsr(cpu.mode)) {
    cpu.undefinedInstruction('exception return (S bit with Rd = PC) in User or System mode is UNPREDICTABLE');
    return;
  }
  const spsr = cpu.currentSpsr();
  if (!isValidMode(spsr & 0x1f)) {
    cpu.undefinedInstruction(`exception return to invalid mode 0x${(spsr & 0x1f).toString(16)} is UNPREDICTABLE`);
    return;
  }
  cpu.setCpsr(spsr);
  cpu.branchWritePC(result);
}

/** Result of x + y + carryIn to Rd; with S, NZCV from AddWithCarry. */
function arith(cpu: Cpu, insn: number, x: number, y: number, carryIn: number): void {
  const d = RESULT.d(insn);
  if (RESULT.S(insn) === 0) {
    const res = (x + y + carryIn) | 0;
    if (d === 15) cpu.aluWritePC(res); else cpu.r[d] = res;
  } else if (d === 15) {
    exceptionReturn(cpu, (x + y + carryIn) | 0);
  } else {
    cpu.r[d] = addWithCarry(cpu, x, y, carryIn);
  }
}

/** Result of a logical operation to Rd; with S, N and Z from it and C from the shifter. */
function logical(cpu: Cpu, insn: number, res: number): void {
  const d = RESULT.d(insn);
  if (RESULT.S(insn) === 0) {
    if (d === 15) cpu.aluWritePC(res); else cpu.r[d] = res;
  } else if (d === 15) {
    exceptionReturn(cpu, res);
  } else {
    cpu.r[d] = res;
    cpu.n = res >>> 31;
    cpu.z = res === 0 ? 1 : 0;
    cpu.c = shifterCarry;
  }
}

/** TST, TEQ: flags of a logical result, C from the shifter. */
function testFlags(cpu: Cpu, res: number): void {
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  cpu.c = shifterCarry;
}

// ---- disassembly ------------------------------------------------------------

function sfx(insn: number): string {
  return `${RESULT.S(insn) ? 's' : ''}${cond(insn)}`;
}

function immText(insn: number): string {
  return imm(immValue(OP2_IMM.i(insn)) >>> 0);
}

function regText(insn: number): string {
  return `${reg(OP2_REG.m(insn))}${shiftText(OP2_REG.t(insn), OP2_REG.i(insn))}`;
}

function rsrText(insn: number): string {
  return `${reg(OP2_RSR.m(insn))}${shiftRegText(OP2_RSR.t(insn), OP2_RSR.s(insn))}`;
}

const rdText = (insn: number): string => reg(RESULT.d(insn));
const rnText = (insn: number): string => reg(RN.n(insn));

/** Rd, Rn, <operand2> forms. */
const dis3 = (mn: string, op2: (insn: number) => string) =>
  (insn: number): string => `${mn}${sfx(insn)}\t${rdText(insn)}, ${rnText(insn)}, ${op2(insn)}`;

/** Rn, <operand2> forms (compares never take an S suffix). */
const disCmp = (mn: string, op2: (insn: number) => string) =>
  (insn: number): string => `${mn}${cond(insn)}\t${rnText(insn)}, ${op2(insn)}`;

/** Rd, <operand2> forms. */
const dis2 = (mn: string, op2: (insn: number) => string) =>
  (insn: number): string => `${mn}${sfx(insn)}\t${rdText(insn)}, ${op2(insn)}`;

const SHIFT_MN = ['lsl', 'lsr', 'asr', 'ror'];

/** MOV with a shifted register is shown as its shift alias, as objdump does. */
function movRegText(insn: number): string {
  const type = OP2_REG.t(insn), imm5 = OP2_REG.i(insn);
  const rd = rdText(insn), rm = reg(OP2_REG.m(insn));
  if (type === 0 && imm5 === 0) return `mov${sfx(insn)}\t${rd}, ${rm}`;
  if (type === 3 && imm5 === 0) return `rrx${sfx(insn)}\t${rd}, ${rm}`;
  return `${SHIFT_MN[type]}${sfx(insn)}\t${rd}, ${rm}, #${imm5 === 0 ? 32 : imm5}`;
}

function movRsrText(insn: number): string {
  return `${SHIFT_MN[OP2_RSR.t(insn)]}${sfx(insn)}\t${rdText(insn)}, ${reg(OP2_RSR.m(insn))}, ${reg(OP2_RSR.s(insn))}`;
}

// ---- UNPREDICTABLE operands and generator hints ---------------------------------

/** Register-shifted register: no operand may be the PC. */
const rsrBadMS = (insn: number): boolean => OP2_RSR.s(insn) === 15 || OP2_RSR.m(insn) === 15;
const rsrBadDNMS = (insn: number): boolean => RESULT.d(insn) === 15 || RN.n(insn) === 15 || rsrBadMS(insn);
const rsrBadDMS = (insn: number): boolean => RESULT.d(insn) === 15 || rsrBadMS(insn);
const rsrBadNMS = (insn: number): boolean => RN.n(insn) === 15 || rsrBadMS(insn);

/** Keeps generated instructions from writing the PC (that form is covered by branch tests). */
const NOT_PC = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const GEN_RD: GenHints = { fields: { d: NOT_PC } };

export const dataProcessingRows: EncodingSpec[] = [
  // ---- AND ----
  {
    // AND{S}<c> <Rd>, <Rn>, #<const>
    name: 'AND_imm', pattern: 'cccc 0010 000S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) & expandImm(cpu, OP2_IMM.i(insn))); },
    disasm: dis3('and', immText), gen: GEN_RD,
  },
  {
    // AND{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'AND_reg', pattern: 'cccc 0000 000S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) & regOperand(cpu, insn)); },
    disasm: dis3('and', regText), gen: GEN_RD,
  },
  {
    // AND{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'AND_rsr', pattern: 'cccc 0000 000S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) & rsrOperand(cpu, insn)); },
    disasm: dis3('and', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- EOR ----
  {
    // EOR{S}<c> <Rd>, <Rn>, #<const>
    name: 'EOR_imm', pattern: 'cccc 0010 001S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) ^ expandImm(cpu, OP2_IMM.i(insn))); },
    disasm: dis3('eor', immText), gen: GEN_RD,
  },
  {
    // EOR{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'EOR_reg', pattern: 'cccc 0000 001S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) ^ regOperand(cpu, insn)); },
    disasm: dis3('eor', regText), gen: GEN_RD,
  },
  {
    // EOR{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'EOR_rsr', pattern: 'cccc 0000 001S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) ^ rsrOperand(cpu, insn)); },
    disasm: dis3('eor', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- SUB ----
  {
    // SUB{S}<c> <Rd>, <Rn>, #<const>  (ADR when Rn is PC; SUBS PC, LR, #<const> when Rd is PC)
    name: 'SUB_imm', pattern: 'cccc 0010 010S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), ~immValue(OP2_IMM.i(insn)), 1); },
    disasm: dis3('sub', immText), gen: GEN_RD,
  },
  {
    // SUB{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'SUB_reg', pattern: 'cccc 0000 010S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), ~regOperand(cpu, insn), 1); },
    disasm: dis3('sub', regText), gen: GEN_RD,
  },
  {
    // SUB{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'SUB_rsr', pattern: 'cccc 0000 010S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), ~rsrOperand(cpu, insn), 1); },
    disasm: dis3('sub', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- RSB ----
  {
    // RSB{S}<c> <Rd>, <Rn>, #<const>
    name: 'RSB_imm', pattern: 'cccc 0010 011S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { arith(cpu, insn, ~rn(cpu, insn), immValue(OP2_IMM.i(insn)), 1); },
    disasm: dis3('rsb', immText), gen: GEN_RD,
  },
  {
    // RSB{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'RSB_reg', pattern: 'cccc 0000 011S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { arith(cpu, insn, ~rn(cpu, insn), regOperand(cpu, insn), 1); },
    disasm: dis3('rsb', regText), gen: GEN_RD,
  },
  {
    // RSB{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'RSB_rsr', pattern: 'cccc 0000 011S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { arith(cpu, insn, ~rn(cpu, insn), rsrOperand(cpu, insn), 1); },
    disasm: dis3('rsb', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- ADD ----
  {
    // ADD{S}<c> <Rd>, <Rn>, #<const>  (ADR when Rn is PC)
    name: 'ADD_imm', pattern: 'cccc 0010 100S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), immValue(OP2_IMM.i(insn)), 0); },
    disasm: dis3('add', immText), gen: GEN_RD,
  },
  {
    // ADD{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'ADD_reg', pattern: 'cccc 0000 100S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), regOperand(cpu, insn), 0); },
    disasm: dis3('add', regText), gen: GEN_RD,
  },
  {
    // ADD{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'ADD_rsr', pattern: 'cccc 0000 100S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), rsrOperand(cpu, insn), 0); },
    disasm: dis3('add', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- ADC ----
  {
    // ADC{S}<c> <Rd>, <Rn>, #<const>
    name: 'ADC_imm', pattern: 'cccc 0010 101S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), immValue(OP2_IMM.i(insn)), cpu.c); },
    disasm: dis3('adc', immText), gen: GEN_RD,
  },
  {
    // ADC{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'ADC_reg', pattern: 'cccc 0000 101S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), regOperand(cpu, insn), cpu.c); },
    disasm: dis3('adc', regText), gen: GEN_RD,
  },
  {
    // ADC{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'ADC_rsr', pattern: 'cccc 0000 101S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), rsrOperand(cpu, insn), cpu.c); },
    disasm: dis3('adc', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- SBC ----
  {
    // SBC{S}<c> <Rd>, <Rn>, #<const>
    name: 'SBC_imm', pattern: 'cccc 0010 110S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), ~immValue(OP2_IMM.i(insn)), cpu.c); },
    disasm: dis3('sbc', immText), gen: GEN_RD,
  },
  {
    // SBC{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'SBC_reg', pattern: 'cccc 0000 110S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), ~regOperand(cpu, insn), cpu.c); },
    disasm: dis3('sbc', regText), gen: GEN_RD,
  },
  {
    // SBC{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'SBC_rsr', pattern: 'cccc 0000 110S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { arith(cpu, insn, rn(cpu, insn), ~rsrOperand(cpu, insn), cpu.c); },
    disasm: dis3('sbc', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- RSC ----
  {
    // RSC{S}<c> <Rd>, <Rn>, #<const>
    name: 'RSC_imm', pattern: 'cccc 0010 111S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { arith(cpu, insn, ~rn(cpu, insn), immValue(OP2_IMM.i(insn)), cpu.c); },
    disasm: dis3('rsc', immText), gen: GEN_RD,
  },
  {
    // RSC{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'RSC_reg', pattern: 'cccc 0000 111S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { arith(cpu, insn, ~rn(cpu, insn), regOperand(cpu, insn), cpu.c); },
    disasm: dis3('rsc', regText), gen: GEN_RD,
  },
  {
    // RSC{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'RSC_rsr', pattern: 'cccc 0000 111S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { arith(cpu, insn, ~rn(cpu, insn), rsrOperand(cpu, insn), cpu.c); },
    disasm: dis3('rsc', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- TST ----
  {
    // TST<c> <Rn>, #<const>
    name: 'TST_imm', pattern: 'cccc 0011 0001 nnnn ZZZZ iiii iiii iiii',
    layouts: [RN, OP2_IMM],
    exec: (cpu, insn) => { testFlags(cpu, rn(cpu, insn) & expandImm(cpu, OP2_IMM.i(insn))); },
    disasm: disCmp('tst', immText),
  },
  {
    // TST<c> <Rn>, <Rm>{, <shift>}
    name: 'TST_reg', pattern: 'cccc 0001 0001 nnnn ZZZZ iiii itt0 mmmm',
    layouts: [RN, OP2_REG],
    exec: (cpu, insn) => { testFlags(cpu, rn(cpu, insn) & regOperand(cpu, insn)); },
    disasm: disCmp('tst', regText),
  },
  {
    // TST<c> <Rn>, <Rm>, <type> <Rs>
    name: 'TST_rsr', pattern: 'cccc 0001 0001 nnnn ZZZZ ssss 0tt1 mmmm',
    layouts: [RN, OP2_RSR],
    exec: (cpu, insn) => { testFlags(cpu, rn(cpu, insn) & rsrOperand(cpu, insn)); },
    disasm: disCmp('tst', rsrText), unpredictable: rsrBadNMS,
  },
  // ---- TEQ ----
  {
    // TEQ<c> <Rn>, #<const>
    name: 'TEQ_imm', pattern: 'cccc 0011 0011 nnnn ZZZZ iiii iiii iiii',
    layouts: [RN, OP2_IMM],
    exec: (cpu, insn) => { testFlags(cpu, rn(cpu, insn) ^ expandImm(cpu, OP2_IMM.i(insn))); },
    disasm: disCmp('teq', immText),
  },
  {
    // TEQ<c> <Rn>, <Rm>{, <shift>}
    name: 'TEQ_reg', pattern: 'cccc 0001 0011 nnnn ZZZZ iiii itt0 mmmm',
    layouts: [RN, OP2_REG],
    exec: (cpu, insn) => { testFlags(cpu, rn(cpu, insn) ^ regOperand(cpu, insn)); },
    disasm: disCmp('teq', regText),
  },
  {
    // TEQ<c> <Rn>, <Rm>, <type> <Rs>
    name: 'TEQ_rsr', pattern: 'cccc 0001 0011 nnnn ZZZZ ssss 0tt1 mmmm',
    layouts: [RN, OP2_RSR],
    exec: (cpu, insn) => { testFlags(cpu, rn(cpu, insn) ^ rsrOperand(cpu, insn)); },
    disasm: disCmp('teq', rsrText), unpredictable: rsrBadNMS,
  },
  // ---- CMP ----
  {
    // CMP<c> <Rn>, #<const>
    name: 'CMP_imm', pattern: 'cccc 0011 0101 nnnn ZZZZ iiii iiii iiii',
    layouts: [RN, OP2_IMM],
    exec: (cpu, insn) => { addWithCarry(cpu, rn(cpu, insn), ~immValue(OP2_IMM.i(insn)), 1); },
    disasm: disCmp('cmp', immText),
  },
  {
    // CMP<c> <Rn>, <Rm>{, <shift>}
    name: 'CMP_reg', pattern: 'cccc 0001 0101 nnnn ZZZZ iiii itt0 mmmm',
    layouts: [RN, OP2_REG],
    exec: (cpu, insn) => { addWithCarry(cpu, rn(cpu, insn), ~regOperand(cpu, insn), 1); },
    disasm: disCmp('cmp', regText),
  },
  {
    // CMP<c> <Rn>, <Rm>, <type> <Rs>
    name: 'CMP_rsr', pattern: 'cccc 0001 0101 nnnn ZZZZ ssss 0tt1 mmmm',
    layouts: [RN, OP2_RSR],
    exec: (cpu, insn) => { addWithCarry(cpu, rn(cpu, insn), ~rsrOperand(cpu, insn), 1); },
    disasm: disCmp('cmp', rsrText), unpredictable: rsrBadNMS,
  },
  // ---- CMN ----
  {
    // CMN<c> <Rn>, #<const>
    name: 'CMN_imm', pattern: 'cccc 0011 0111 nnnn ZZZZ iiii iiii iiii',
    layouts: [RN, OP2_IMM],
    exec: (cpu, insn) => { addWithCarry(cpu, rn(cpu, insn), immValue(OP2_IMM.i(insn)), 0); },
    disasm: disCmp('cmn', immText),
  },
  {
    // CMN<c> <Rn>, <Rm>{, <shift>}
    name: 'CMN_reg', pattern: 'cccc 0001 0111 nnnn ZZZZ iiii itt0 mmmm',
    layouts: [RN, OP2_REG],
    exec: (cpu, insn) => { addWithCarry(cpu, rn(cpu, insn), regOperand(cpu, insn), 0); },
    disasm: disCmp('cmn', regText),
  },
  {
    // CMN<c> <Rn>, <Rm>, <type> <Rs>
    name: 'CMN_rsr', pattern: 'cccc 0001 0111 nnnn ZZZZ ssss 0tt1 mmmm',
    layouts: [RN, OP2_RSR],
    exec: (cpu, insn) => { addWithCarry(cpu, rn(cpu, insn), rsrOperand(cpu, insn), 0); },
    disasm: disCmp('cmn', rsrText), unpredictable: rsrBadNMS,
  },
  // ---- ORR ----
  {
    // ORR{S}<c> <Rd>, <Rn>, #<const>
    name: 'ORR_imm', pattern: 'cccc 0011 100S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) | expandImm(cpu, OP2_IMM.i(insn))); },
    disasm: dis3('orr', immText), gen: GEN_RD,
  },
  {
    // ORR{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'ORR_reg', pattern: 'cccc 0001 100S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) | regOperand(cpu, insn)); },
    disasm: dis3('orr', regText), gen: GEN_RD,
  },
  {
    // ORR{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'ORR_rsr', pattern: 'cccc 0001 100S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) | rsrOperand(cpu, insn)); },
    disasm: dis3('orr', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- MOV ----
  {
    // MOV{S}<c> <Rd>, #<const>
    name: 'MOV_imm', pattern: 'cccc 0011 101S ZZZZ dddd iiii iiii iiii',
    layouts: [RESULT, OP2_IMM],
    exec: (cpu, insn) => { logical(cpu, insn, expandImm(cpu, OP2_IMM.i(insn))); },
    disasm: dis2('mov', immText), gen: GEN_RD,
  },
  {
    // MOV{S}<c> <Rd>, <Rm>{, <shift>}  (shown as LSL/LSR/ASR/ROR/RRX when shifted)
    name: 'MOV_reg', pattern: 'cccc 0001 101S ZZZZ dddd iiii itt0 mmmm',
    layouts: [RESULT, OP2_REG],
    exec: (cpu, insn) => { logical(cpu, insn, regOperand(cpu, insn)); },
    disasm: movRegText, gen: GEN_RD,
  },
  {
    // MOV{S}<c> <Rd>, <Rm>, <type> <Rs>  (shown as LSL/LSR/ASR/ROR <Rd>, <Rm>, <Rs>)
    name: 'MOV_rsr', pattern: 'cccc 0001 101S ZZZZ dddd ssss 0tt1 mmmm',
    layouts: [RESULT, OP2_RSR],
    exec: (cpu, insn) => { logical(cpu, insn, rsrOperand(cpu, insn)); },
    disasm: movRsrText, unpredictable: rsrBadDMS, gen: GEN_RD,
  },
  // ---- BIC ----
  {
    // BIC{S}<c> <Rd>, <Rn>, #<const>
    name: 'BIC_imm', pattern: 'cccc 0011 110S nnnn dddd iiii iiii iiii',
    layouts: [RESULT, RN, OP2_IMM],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) & ~expandImm(cpu, OP2_IMM.i(insn))); },
    disasm: dis3('bic', immText), gen: GEN_RD,
  },
  {
    // BIC{S}<c> <Rd>, <Rn>, <Rm>{, <shift>}
    name: 'BIC_reg', pattern: 'cccc 0001 110S nnnn dddd iiii itt0 mmmm',
    layouts: [RESULT, RN, OP2_REG],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) & ~regOperand(cpu, insn)); },
    disasm: dis3('bic', regText), gen: GEN_RD,
  },
  {
    // BIC{S}<c> <Rd>, <Rn>, <Rm>, <type> <Rs>
    name: 'BIC_rsr', pattern: 'cccc 0001 110S nnnn dddd ssss 0tt1 mmmm',
    layouts: [RESULT, RN, OP2_RSR],
    exec: (cpu, insn) => { logical(cpu, insn, rn(cpu, insn) & ~rsrOperand(cpu, insn)); },
    disasm: dis3('bic', rsrText), unpredictable: rsrBadDNMS, gen: GEN_RD,
  },
  // ---- MVN ----
  {
    // MVN{S}<c> <Rd>, #<const>
    name: 'MVN_imm', pattern: 'cccc 0011 111S ZZZZ dddd iiii iiii iiii',
    layouts: [RESULT, OP2_IMM],
    exec: (cpu, insn) => { logical(cpu, insn, ~expandImm(cpu, OP2_IMM.i(insn))); },
    disasm: dis2('mvn', immText), gen: GEN_RD,
  },
  {
    // MVN{S}<c> <Rd>, <Rm>{, <shift>}
    name: 'MVN_reg', pattern: 'cccc 0001 111S ZZZZ dddd iiii itt0 mmmm',
    layouts: [RESULT, OP2_REG],
    exec: (cpu, insn) => { logical(cpu, insn, ~regOperand(cpu, insn)); },
    disasm: dis2('mvn', regText), gen: GEN_RD,
  },
  {
    // MVN{S}<c> <Rd>, <Rm>, <type> <Rs>
    name: 'MVN_rsr', pattern: 'cccc 0001 111S ZZZZ dddd ssss 0tt1 mmmm',
    layouts: [RESULT, OP2_RSR],
    exec: (cpu, insn) => { logical(cpu, insn, ~rsrOperand(cpu, insn)); },
    disasm: dis2('mvn', rsrText), unpredictable: rsrBadDMS, gen: GEN_RD,
  },
  // ---- 16-bit immediates ----
  {
    // MOVW<c> <Rd>, #<imm16>
    name: 'MOVW', pattern: 'cccc 0011 0000 iiii dddd iiii iiii iiii',
    layouts: [MOV16],
    exec: (cpu, insn) => { cpu.r[MOV16.d(insn)] = MOV16.i(insn); },
    disasm: (insn) => `movw${cond(insn)}\t${reg(MOV16.d(insn))}, ${imm(MOV16.i(insn))}`,
    unpredictable: (insn) => MOV16.d(insn) === 15, gen: GEN_RD,
  },
  {
    // MOVT<c> <Rd>, #<imm16>
    name: 'MOVT', pattern: 'cccc 0011 0100 iiii dddd iiii iiii iiii',
    layouts: [MOV16],
    exec: (cpu, insn) => {
      const d = MOV16.d(insn);
      cpu.r[d] = (MOV16.i(insn) << 16) | (cpu.r[d] & 0xffff);
    },
    disasm: (insn) => `movt${cond(insn)}\t${reg(MOV16.d(insn))}, ${imm(MOV16.i(insn))}`,
    unpredictable: (insn) => MOV16.d(insn) === 15, gen: GEN_RD,
  },
];
