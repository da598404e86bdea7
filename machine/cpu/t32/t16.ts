/**
 * The 16-bit Thumb instructions (ARM ARM A6.2). Patterns are 16 bits; the
 * table pads them with sixteen zero bits above, so a handler sees the
 * halfword in bits 15:0.
 *
 * The flag-setting data-processing forms set the flags only outside an IT
 * block (setflags = !InITBlock()); compares always set them.
 */

import { fieldsOf, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { FS_DEBUG } from '../faults';
import { shiftImm, shiftReg, addWithCarry, shifterCarry } from '../a32/operands';
import { COND } from '../a32/syntax';
import { popcount } from '../encoding';
import {
  inITBlock, inITNotLast, itAdvance, itUnpredictable, a32Row, a32Base, reg, hex, listText,
} from './common';

// ---- fields -------------------------------------------------------------------

// Layouts of the 16-bit encodings, named as the rows name their fields: low
// registers in bits 2:0, 5:3, 8:6 and 10:8, the immediates, and the
// high-register forms' D:Rd / N:Rn (one split field) and Rm.
const D0 = fieldsOf('------------- ddd');
const N0 = fieldsOf('------------- nnn');
const T0 = fieldsOf('------------- ttt');
const M3 = fieldsOf('---------- mmm ---');
const N3 = fieldsOf('---------- nnn ---');
const M6 = fieldsOf('------- mmm ------');
const I6 = fieldsOf('------- iii ------');
const IMM5 = fieldsOf('----- iiiii ------');
const D8 = fieldsOf('----- ddd --------');
const N8 = fieldsOf('----- nnn --------');
const T8 = fieldsOf('----- ttt --------');
const IMM8 = fieldsOf('-------- iiiiiiii');
const IMM7 = fieldsOf('--------- iiiiiii');
const HI_D = fieldsOf('-------- d---- ddd');
const HI_N = fieldsOf('-------- n---- nnn');
const HI_M = fieldsOf('--------- mmmm ---');
/** CBZ/CBNZ: op (nonzero), i:imm5, Rn. */
const CBZ = fieldsOf('----o-i-iiiiinnn');
/** Register lists of LDM/STM, PUSH (M: LR), POP (P: PC). */
const LIST = fieldsOf('-------- rrrrrrrr');
const PUSH = fieldsOf('-------M --------');
const POP = fieldsOf('-------P --------');
/** IT: firstcond and mask (ITSTATE is their concatenation). */
const IT = fieldsOf('-------- ffff mmmm');
const HINT4 = fieldsOf('-------- hhhh ----');
/** B T1: cond. */
const B_COND = fieldsOf('---- qqqq --------');

/** Align(PC, 4) for literal loads and ADR (cpu.r[15] is the address + 4). */
function alignedPc(cpu: Cpu): number {
  return cpu.r[15] & ~3;
}

function setNZ(cpu: Cpu, res: number): void {
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
}

// ---- handlers --------------------------------------------------------------------

function shiftImm16(cpu: Cpu, insn: number, type: number): void {
  const res = shiftImm(cpu, cpu.r[M3.m(insn)], type, IMM5.i(insn));
  cpu.r[D0.d(insn)] = res;
  if ((cpu.it & 0xf) === 0) { setNZ(cpu, res); cpu.c = shifterCarry; }
}

/** Rd = x + y + carry; flags only outside an IT block. */
function arith16(cpu: Cpu, d: number, x: number, y: number, carry: number): void {
  if ((cpu.it & 0xf) === 0) cpu.r[d] = addWithCarry(cpu, x, y, carry);
  else cpu.r[d] = (x + y + carry) | 0;
}

/** Rd = res; N and Z only outside an IT block (C from the shifter when shifted). */
function logical16(cpu: Cpu, d: number, res: number): void {
  cpu.r[d] = res;
  if ((cpu.it & 0xf) === 0) setNZ(cpu, res);
}

function shiftReg16(cpu: Cpu, insn: number, type: number): void {
  const d = D0.d(insn);
  const res = shiftReg(cpu, cpu.r[d], type, cpu.r[M3.m(insn)] & 0xff);
  cpu.r[d] = res;
  if ((cpu.it & 0xf) === 0) { setNZ(cpu, res); cpu.c = shifterCarry; }
}

/** PC write of ADD/MOV with Rd = PC: ALUWritePC, allowed only last in an IT block. */
function aluPc(cpu: Cpu, v: number): void {
  if (inITNotLast(cpu)) { itUnpredictable(cpu, 'a write to the PC that is not last'); return; }
  cpu.aluWritePC(v);
}

const LDM = a32Row('LDM').exec;
const STM = a32Row('STM').exec;
const STMDB = a32Row('STMDB').exec;
const LDM_A32 = a32Base('LDM'), STM_A32 = a32Base('STM'), STMDB_A32 = a32Base('STMDB');
const W_A32 = 1 << 21;
const CPS = a32Row('CPS').exec;
const CPS_A32 = a32Base('CPS');

// ---- disassembly ---------------------------------------------------------------------

/** Two-operand data-processing text "<mn>s Rdn, Rm" (flag-setting form shown). */
const dp2 = (mn: string) => (insn: number): string => `${mn}\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`;

function memText(mn: string, insn: number, scale: number): string {
  const off = IMM5.i(insn) * scale;
  return `${mn}\t${reg(T0.t(insn))}, [${reg(N3.n(insn))}${off ? `, #${off}` : ''}]`;
}

function memRegText(mn: string, insn: number): string {
  return `${mn}\t${reg(T0.t(insn))}, [${reg(N3.n(insn))}, ${reg(M6.m(insn))}]`;
}

function hint(name: string, op: number, exec: (cpu: Cpu) => void, gen?: EncodingSpec['gen']): EncodingSpec {
  return {
    // <name><c>
    name: `${name}_T1`, pattern: `1011 1111 ${op.toString(2).padStart(4, '0')} 0000`,
    exec: (cpu) => exec(cpu),
    disasm: () => name.toLowerCase(),
    gen,
  };
}

const noop = (): void => {};

export const t16Rows: EncodingSpec[] = [
  // ---- shift (immediate), add, subtract, move, compare ----
  {
    // LSLS <Rd>, <Rm>, #<imm5>   (LSL<c> inside an IT block)
    name: 'LSL_imm_T1', pattern: '000 00 iiiii mmm ddd',
    layouts: [D0, M3, IMM5],
    exec: (cpu, insn) => { shiftImm16(cpu, insn, 0); },
    disasm: (insn) => `lsls\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}, #${IMM5.i(insn)}`,
  },
  {
    // MOVS <Rd>, <Rm>   (LSL #0; UNPREDICTABLE inside an IT block)
    name: 'MOV_reg_T2', pattern: '000 00 00000 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => {
      if (inITBlock(cpu)) { itUnpredictable(cpu, 'MOVS <Rd>, <Rm> (16-bit)'); return; }
      const v = cpu.r[M3.m(insn)];
      cpu.r[D0.d(insn)] = v;
      setNZ(cpu, v);
    },
    disasm: (insn) => `movs\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // LSRS <Rd>, <Rm>, #<imm>
    name: 'LSR_imm_T1', pattern: '000 01 iiiii mmm ddd',
    layouts: [D0, M3, IMM5],
    exec: (cpu, insn) => { shiftImm16(cpu, insn, 1); },
    disasm: (insn) => `lsrs\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}, #${IMM5.i(insn) || 32}`,
  },
  {
    // ASRS <Rd>, <Rm>, #<imm>
    name: 'ASR_imm_T1', pattern: '000 10 iiiii mmm ddd',
    layouts: [D0, M3, IMM5],
    exec: (cpu, insn) => { shiftImm16(cpu, insn, 2); },
    disasm: (insn) => `asrs\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}, #${IMM5.i(insn) || 32}`,
  },
  {
    // ADDS <Rd>, <Rn>, <Rm>
    name: 'ADD_reg_T1', pattern: '000 1100 mmm nnn ddd',
    layouts: [D0, N3, M6],
    exec: (cpu, insn) => { arith16(cpu, D0.d(insn), cpu.r[N3.n(insn)], cpu.r[M6.m(insn)], 0); },
    disasm: (insn) => `adds\t${reg(D0.d(insn))}, ${reg(N3.n(insn))}, ${reg(M6.m(insn))}`,
  },
  {
    // SUBS <Rd>, <Rn>, <Rm>
    name: 'SUB_reg_T1', pattern: '000 1101 mmm nnn ddd',
    layouts: [D0, N3, M6],
    exec: (cpu, insn) => { arith16(cpu, D0.d(insn), cpu.r[N3.n(insn)], ~cpu.r[M6.m(insn)], 1); },
    disasm: (insn) => `subs\t${reg(D0.d(insn))}, ${reg(N3.n(insn))}, ${reg(M6.m(insn))}`,
  },
  {
    // ADDS <Rd>, <Rn>, #<imm3>
    name: 'ADD_imm_T1', pattern: '000 1110 iii nnn ddd',
    layouts: [D0, N3, I6],
    exec: (cpu, insn) => { arith16(cpu, D0.d(insn), cpu.r[N3.n(insn)], I6.i(insn), 0); },
    disasm: (insn) => `adds\t${reg(D0.d(insn))}, ${reg(N3.n(insn))}, #${I6.i(insn)}`,
  },
  {
    // SUBS <Rd>, <Rn>, #<imm3>
    name: 'SUB_imm_T1', pattern: '000 1111 iii nnn ddd',
    layouts: [D0, N3, I6],
    exec: (cpu, insn) => { arith16(cpu, D0.d(insn), cpu.r[N3.n(insn)], ~I6.i(insn), 1); },
    disasm: (insn) => `subs\t${reg(D0.d(insn))}, ${reg(N3.n(insn))}, #${I6.i(insn)}`,
  },
  {
    // MOVS <Rd>, #<imm8>
    name: 'MOV_imm_T1', pattern: '001 00 ddd iiii iiii',
    layouts: [D8, IMM8],
    exec: (cpu, insn) => { logical16(cpu, D8.d(insn), IMM8.i(insn)); },
    disasm: (insn) => `movs\t${reg(D8.d(insn))}, #${IMM8.i(insn)}`,
  },
  {
    // CMP <Rn>, #<imm8>
    name: 'CMP_imm_T1', pattern: '001 01 nnn iiii iiii',
    layouts: [N8, IMM8],
    exec: (cpu, insn) => { addWithCarry(cpu, cpu.r[N8.n(insn)], ~IMM8.i(insn), 1); },
    disasm: (insn) => `cmp\t${reg(N8.n(insn))}, #${IMM8.i(insn)}`,
  },
  {
    // ADDS <Rdn>, #<imm8>
    name: 'ADD_imm_T2', pattern: '001 10 ddd iiii iiii',
    layouts: [D8, IMM8],
    exec: (cpu, insn) => { const d = D8.d(insn); arith16(cpu, d, cpu.r[d], IMM8.i(insn), 0); },
    disasm: (insn) => `adds\t${reg(D8.d(insn))}, #${IMM8.i(insn)}`,
  },
  {
    // SUBS <Rdn>, #<imm8>
    name: 'SUB_imm_T2', pattern: '001 11 ddd iiii iiii',
    layouts: [D8, IMM8],
    exec: (cpu, insn) => { const d = D8.d(insn); arith16(cpu, d, cpu.r[d], ~IMM8.i(insn), 1); },
    disasm: (insn) => `subs\t${reg(D8.d(insn))}, #${IMM8.i(insn)}`,
  },

  // ---- data processing (register) ----
  {
    // ANDS <Rdn>, <Rm>
    name: 'AND_reg_T1', pattern: '010000 0000 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { const d = D0.d(insn); logical16(cpu, d, cpu.r[d] & cpu.r[M3.m(insn)]); },
    disasm: dp2('ands'),
  },
  {
    // EORS <Rdn>, <Rm>
    name: 'EOR_reg_T1', pattern: '010000 0001 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { const d = D0.d(insn); logical16(cpu, d, cpu.r[d] ^ cpu.r[M3.m(insn)]); },
    disasm: dp2('eors'),
  },
  {
    // LSLS <Rdn>, <Rm>
    name: 'LSL_reg_T1', pattern: '010000 0010 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { shiftReg16(cpu, insn, 0); },
    disasm: dp2('lsls'),
  },
  {
    // LSRS <Rdn>, <Rm>
    name: 'LSR_reg_T1', pattern: '010000 0011 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { shiftReg16(cpu, insn, 1); },
    disasm: dp2('lsrs'),
  },
  {
    // ASRS <Rdn>, <Rm>
    name: 'ASR_reg_T1', pattern: '010000 0100 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { shiftReg16(cpu, insn, 2); },
    disasm: dp2('asrs'),
  },
  {
    // ADCS <Rdn>, <Rm>
    name: 'ADC_reg_T1', pattern: '010000 0101 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { const d = D0.d(insn); arith16(cpu, d, cpu.r[d], cpu.r[M3.m(insn)], cpu.c); },
    disasm: dp2('adcs'),
  },
  {
    // SBCS <Rdn>, <Rm>
    name: 'SBC_reg_T1', pattern: '010000 0110 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { const d = D0.d(insn); arith16(cpu, d, cpu.r[d], ~cpu.r[M3.m(insn)], cpu.c); },
    disasm: dp2('sbcs'),
  },
  {
    // RORS <Rdn>, <Rm>
    name: 'ROR_reg_T1', pattern: '010000 0111 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { shiftReg16(cpu, insn, 3); },
    disasm: dp2('rors'),
  },
  {
    // TST <Rn>, <Rm>
    name: 'TST_reg_T1', pattern: '010000 1000 mmm nnn',
    layouts: [N0, M3],
    exec: (cpu, insn) => { setNZ(cpu, cpu.r[N0.n(insn)] & cpu.r[M3.m(insn)]); },
    disasm: (insn) => `tst\t${reg(N0.n(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // RSBS <Rd>, <Rn>, #0   (NEGS)
    name: 'RSB_imm_T1', pattern: '010000 1001 nnn ddd',
    layouts: [D0, N3],
    exec: (cpu, insn) => { arith16(cpu, D0.d(insn), ~cpu.r[N3.n(insn)], 0, 1); },
    disasm: (insn) => `negs\t${reg(D0.d(insn))}, ${reg(N3.n(insn))}`,
  },
  {
    // CMP <Rn>, <Rm>
    name: 'CMP_reg_T1', pattern: '010000 1010 mmm nnn',
    layouts: [N0, M3],
    exec: (cpu, insn) => { addWithCarry(cpu, cpu.r[N0.n(insn)], ~cpu.r[M3.m(insn)], 1); },
    disasm: (insn) => `cmp\t${reg(N0.n(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // CMN <Rn>, <Rm>
    name: 'CMN_reg_T1', pattern: '010000 1011 mmm nnn',
    layouts: [N0, M3],
    exec: (cpu, insn) => { addWithCarry(cpu, cpu.r[N0.n(insn)], cpu.r[M3.m(insn)], 0); },
    disasm: (insn) => `cmn\t${reg(N0.n(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // ORRS <Rdn>, <Rm>
    name: 'ORR_reg_T1', pattern: '010000 1100 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { const d = D0.d(insn); logical16(cpu, d, cpu.r[d] | cpu.r[M3.m(insn)]); },
    disasm: dp2('orrs'),
  },
  {
    // MULS <Rdm>, <Rn>, <Rdm>   (C and V unchanged)
    name: 'MUL_T1', pattern: '010000 1101 nnn ddd',
    layouts: [D0, N3],
    exec: (cpu, insn) => { const d = D0.d(insn); logical16(cpu, d, Math.imul(cpu.r[N3.n(insn)], cpu.r[d])); },
    disasm: (insn) => `muls\t${reg(D0.d(insn))}, ${reg(N3.n(insn))}, ${reg(D0.d(insn))}`,
  },
  {
    // BICS <Rdn>, <Rm>
    name: 'BIC_reg_T1', pattern: '010000 1110 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { const d = D0.d(insn); logical16(cpu, d, cpu.r[d] & ~cpu.r[M3.m(insn)]); },
    disasm: dp2('bics'),
  },
  {
    // MVNS <Rd>, <Rm>
    name: 'MVN_reg_T1', pattern: '010000 1111 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { logical16(cpu, D0.d(insn), ~cpu.r[M3.m(insn)]); },
    disasm: dp2('mvns'),
  },

  // ---- special data processing and branch and exchange ----
  {
    // ADD<c> <Rdn>, <Rm>   (high registers; ADD SP, <Rm>; ADD <Rdm>, SP, <Rdm>)
    name: 'ADD_reg_T2', pattern: '0100 0100 dmmm mddd',
    layouts: [HI_D, HI_M],
    exec: (cpu, insn) => {
      const d = HI_D.d(insn);
      const res = (cpu.r[d] + cpu.r[HI_M.m(insn)]) | 0;
      if (d === 15) aluPc(cpu, res); else cpu.r[d] = res;
    },
    disasm: (insn) => `add\t${reg(HI_D.d(insn))}, ${reg(HI_M.m(insn))}`,
    unpredictable: (insn) => HI_D.d(insn) === 15 && HI_M.m(insn) === 15,
    gen: { fields: { d: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14] } },
  },
  {
    // CMP<c> <Rn>, <Rm>   (at least one high register)
    name: 'CMP_reg_T2', pattern: '0100 0101 nmmm mnnn',
    layouts: [HI_N, HI_M],
    exec: (cpu, insn) => { addWithCarry(cpu, cpu.r[HI_N.n(insn)], ~cpu.r[HI_M.m(insn)], 1); },
    disasm: (insn) => `cmp\t${reg(HI_N.n(insn))}, ${reg(HI_M.m(insn))}`,
    unpredictable: (insn) => (HI_N.n(insn) < 8 && HI_M.m(insn) < 8) || HI_N.n(insn) === 15 || HI_M.m(insn) === 15,
  },
  {
    // MOV<c> <Rd>, <Rm>
    name: 'MOV_reg_T1', pattern: '0100 0110 dmmm mddd',
    layouts: [HI_D, HI_M],
    exec: (cpu, insn) => {
      const d = HI_D.d(insn), v = cpu.r[HI_M.m(insn)];
      if (d === 15) aluPc(cpu, v); else cpu.r[d] = v;
    },
    disasm: (insn) => `mov\t${reg(HI_D.d(insn))}, ${reg(HI_M.m(insn))}`,
    gen: { fields: { d: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14] } },
  },
  {
    // BX<c> <Rm>
    name: 'BX_T1', pattern: '0100 0111 0mmm mZZZ',
    layouts: [HI_M],
    exec: (cpu, insn) => {
      if (inITNotLast(cpu)) { itUnpredictable(cpu, 'BX not last'); return; }
      cpu.bxWritePC(cpu.r[HI_M.m(insn)]);
    },
    disasm: (insn) => `bx\t${reg(HI_M.m(insn))}`,
    gen: { branch: true },
  },
  {
    // BLX<c> <Rm>
    name: 'BLX_reg_T1', pattern: '0100 0111 1mmm mZZZ',
    layouts: [HI_M],
    exec: (cpu, insn) => {
      if (inITNotLast(cpu)) { itUnpredictable(cpu, 'BLX not last'); return; }
      const target = cpu.r[HI_M.m(insn)];
      cpu.r[14] = (cpu.r[15] - 2) | 1;
      cpu.bxWritePC(target);
    },
    disasm: (insn) => `blx\t${reg(HI_M.m(insn))}`,
    unpredictable: (insn) => HI_M.m(insn) === 15,
    gen: { branch: true },
  },

  // ---- loads and stores ----
  {
    // LDR<c> <Rt>, <label>   (LDR <Rt>, [PC, #<imm8*4>])
    name: 'LDR_lit_T1', pattern: '01001 ttt iiii iiii',
    layouts: [T8, IMM8],
    exec: (cpu, insn) => { cpu.r[T8.t(insn)] = cpu.read32((alignedPc(cpu) + ((IMM8.i(insn)) << 2)) | 0); },
    disasm: (insn, pc) => `ldr\t${reg(T8.t(insn))}, [pc, #${(IMM8.i(insn)) << 2}]\t; ${hex(((pc + 4) & ~3) + ((IMM8.i(insn)) << 2))}`,
    gen: { store: false },
  },
  {
    // STR<c> <Rt>, [<Rn>, <Rm>]
    name: 'STR_reg_T1', pattern: '0101 000 mmm nnn ttt',
    layouts: [T0, N3, M6],
    exec: (cpu, insn) => { cpu.write32((cpu.r[N3.n(insn)] + cpu.r[M6.m(insn)]) | 0, cpu.r[T0.t(insn)]); },
    disasm: (insn) => memRegText('str', insn),
    gen: { base: 'n', store: true },
  },
  {
    // STRH<c> <Rt>, [<Rn>, <Rm>]
    name: 'STRH_reg_T1', pattern: '0101 001 mmm nnn ttt',
    layouts: [T0, N3, M6],
    exec: (cpu, insn) => { cpu.write16((cpu.r[N3.n(insn)] + cpu.r[M6.m(insn)]) | 0, cpu.r[T0.t(insn)] & 0xffff); },
    disasm: (insn) => memRegText('strh', insn),
    gen: { base: 'n', store: true },
  },
  {
    // STRB<c> <Rt>, [<Rn>, <Rm>]
    name: 'STRB_reg_T1', pattern: '0101 010 mmm nnn ttt',
    layouts: [T0, N3, M6],
    exec: (cpu, insn) => { cpu.write8((cpu.r[N3.n(insn)] + cpu.r[M6.m(insn)]) | 0, cpu.r[T0.t(insn)] & 0xff); },
    disasm: (insn) => memRegText('strb', insn),
    gen: { base: 'n', store: true },
  },
  {
    // LDRSB<c> <Rt>, [<Rn>, <Rm>]
    name: 'LDRSB_reg_T1', pattern: '0101 011 mmm nnn ttt',
    layouts: [T0, N3, M6],
    exec: (cpu, insn) => { cpu.r[T0.t(insn)] = (cpu.read8((cpu.r[N3.n(insn)] + cpu.r[M6.m(insn)]) | 0) << 24) >> 24; },
    disasm: (insn) => memRegText('ldrsb', insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDR<c> <Rt>, [<Rn>, <Rm>]
    name: 'LDR_reg_T1', pattern: '0101 100 mmm nnn ttt',
    layouts: [T0, N3, M6],
    exec: (cpu, insn) => { cpu.r[T0.t(insn)] = cpu.read32((cpu.r[N3.n(insn)] + cpu.r[M6.m(insn)]) | 0); },
    disasm: (insn) => memRegText('ldr', insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRH<c> <Rt>, [<Rn>, <Rm>]
    name: 'LDRH_reg_T1', pattern: '0101 101 mmm nnn ttt',
    layouts: [T0, N3, M6],
    exec: (cpu, insn) => { cpu.r[T0.t(insn)] = cpu.read16((cpu.r[N3.n(insn)] + cpu.r[M6.m(insn)]) | 0); },
    disasm: (insn) => memRegText('ldrh', insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRB<c> <Rt>, [<Rn>, <Rm>]
    name: 'LDRB_reg_T1', pattern: '0101 110 mmm nnn ttt',
    layouts: [T0, N3, M6],
    exec: (cpu, insn) => { cpu.r[T0.t(insn)] = cpu.read8((cpu.r[N3.n(insn)] + cpu.r[M6.m(insn)]) | 0); },
    disasm: (insn) => memRegText('ldrb', insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRSH<c> <Rt>, [<Rn>, <Rm>]
    name: 'LDRSH_reg_T1', pattern: '0101 111 mmm nnn ttt',
    layouts: [T0, N3, M6],
    exec: (cpu, insn) => { cpu.r[T0.t(insn)] = (cpu.read16((cpu.r[N3.n(insn)] + cpu.r[M6.m(insn)]) | 0) << 16) >> 16; },
    disasm: (insn) => memRegText('ldrsh', insn),
    gen: { base: 'n', store: false },
  },
  {
    // STR<c> <Rt>, [<Rn>{, #<imm5*4>}]
    name: 'STR_imm_T1', pattern: '0110 0 iiiii nnn ttt',
    layouts: [T0, N3, IMM5],
    exec: (cpu, insn) => { cpu.write32((cpu.r[N3.n(insn)] + (IMM5.i(insn) << 2)) | 0, cpu.r[T0.t(insn)]); },
    disasm: (insn) => memText('str', insn, 4),
    gen: { base: 'n', store: true },
  },
  {
    // LDR<c> <Rt>, [<Rn>{, #<imm5*4>}]
    name: 'LDR_imm_T1', pattern: '0110 1 iiiii nnn ttt',
    layouts: [T0, N3, IMM5],
    exec: (cpu, insn) => { cpu.r[T0.t(insn)] = cpu.read32((cpu.r[N3.n(insn)] + (IMM5.i(insn) << 2)) | 0); },
    disasm: (insn) => memText('ldr', insn, 4),
    gen: { base: 'n', store: false },
  },
  {
    // STRB<c> <Rt>, [<Rn>{, #<imm5>}]
    name: 'STRB_imm_T1', pattern: '0111 0 iiiii nnn ttt',
    layouts: [T0, N3, IMM5],
    exec: (cpu, insn) => { cpu.write8((cpu.r[N3.n(insn)] + IMM5.i(insn)) | 0, cpu.r[T0.t(insn)] & 0xff); },
    disasm: (insn) => memText('strb', insn, 1),
    gen: { base: 'n', store: true },
  },
  {
    // LDRB<c> <Rt>, [<Rn>{, #<imm5>}]
    name: 'LDRB_imm_T1', pattern: '0111 1 iiiii nnn ttt',
    layouts: [T0, N3, IMM5],
    exec: (cpu, insn) => { cpu.r[T0.t(insn)] = cpu.read8((cpu.r[N3.n(insn)] + IMM5.i(insn)) | 0); },
    disasm: (insn) => memText('ldrb', insn, 1),
    gen: { base: 'n', store: false },
  },
  {
    // STRH<c> <Rt>, [<Rn>{, #<imm5*2>}]
    name: 'STRH_imm_T1', pattern: '1000 0 iiiii nnn ttt',
    layouts: [T0, N3, IMM5],
    exec: (cpu, insn) => { cpu.write16((cpu.r[N3.n(insn)] + (IMM5.i(insn) << 1)) | 0, cpu.r[T0.t(insn)] & 0xffff); },
    disasm: (insn) => memText('strh', insn, 2),
    gen: { base: 'n', store: true },
  },
  {
    // LDRH<c> <Rt>, [<Rn>{, #<imm5*2>}]
    name: 'LDRH_imm_T1', pattern: '1000 1 iiiii nnn ttt',
    layouts: [T0, N3, IMM5],
    exec: (cpu, insn) => { cpu.r[T0.t(insn)] = cpu.read16((cpu.r[N3.n(insn)] + (IMM5.i(insn) << 1)) | 0); },
    disasm: (insn) => memText('ldrh', insn, 2),
    gen: { base: 'n', store: false },
  },
  {
    // STR<c> <Rt>, [SP, #<imm8*4>]
    name: 'STR_sp_T2', pattern: '1001 0 ttt iiii iiii',
    layouts: [T8, IMM8],
    exec: (cpu, insn) => { cpu.write32((cpu.r[13] + ((IMM8.i(insn)) << 2)) | 0, cpu.r[T8.t(insn)]); },
    disasm: (insn) => `str\t${reg(T8.t(insn))}, [sp${IMM8.i(insn) ? `, #${(IMM8.i(insn)) << 2}` : ''}]`,
    gen: { store: true },
  },
  {
    // LDR<c> <Rt>, [SP, #<imm8*4>]
    name: 'LDR_sp_T2', pattern: '1001 1 ttt iiii iiii',
    layouts: [T8, IMM8],
    exec: (cpu, insn) => { cpu.r[T8.t(insn)] = cpu.read32((cpu.r[13] + ((IMM8.i(insn)) << 2)) | 0); },
    disasm: (insn) => `ldr\t${reg(T8.t(insn))}, [sp${IMM8.i(insn) ? `, #${(IMM8.i(insn)) << 2}` : ''}]`,
    gen: { store: false },
  },

  // ---- PC- and SP-relative addresses ----
  {
    // ADR<c> <Rd>, <label>   (ADD <Rd>, PC, #<imm8*4>)
    name: 'ADR_T1', pattern: '10100 ddd iiii iiii',
    layouts: [D8, IMM8],
    exec: (cpu, insn) => { cpu.r[D8.d(insn)] = (alignedPc(cpu) + ((IMM8.i(insn)) << 2)) | 0; },
    disasm: (insn, pc) => `add\t${reg(D8.d(insn))}, pc, #${(IMM8.i(insn)) << 2}\t; ${hex(((pc + 4) & ~3) + ((IMM8.i(insn)) << 2))}`,
  },
  {
    // ADD<c> <Rd>, SP, #<imm8*4>
    name: 'ADD_sp_imm_T1', pattern: '10101 ddd iiii iiii',
    layouts: [D8, IMM8],
    exec: (cpu, insn) => { cpu.r[D8.d(insn)] = (cpu.r[13] + ((IMM8.i(insn)) << 2)) | 0; },
    disasm: (insn) => `add\t${reg(D8.d(insn))}, sp, #${(IMM8.i(insn)) << 2}`,
  },

  // ---- miscellaneous ----
  {
    // ADD<c> SP, SP, #<imm7*4>
    name: 'ADD_sp_imm_T2', pattern: '1011 0000 0iii iiii',
    layouts: [IMM7],
    exec: (cpu, insn) => { cpu.r[13] = (cpu.r[13] + ((IMM7.i(insn)) << 2)) | 0; },
    disasm: (insn) => `add\tsp, #${(IMM7.i(insn)) << 2}`,
    gen: { skip: 'moves the stack pointer of the harness' },
  },
  {
    // SUB<c> SP, SP, #<imm7*4>
    name: 'SUB_sp_imm_T1', pattern: '1011 0000 1iii iiii',
    layouts: [IMM7],
    exec: (cpu, insn) => { cpu.r[13] = (cpu.r[13] - ((IMM7.i(insn)) << 2)) | 0; },
    disasm: (insn) => `sub\tsp, #${(IMM7.i(insn)) << 2}`,
    gen: { skip: 'moves the stack pointer of the harness' },
  },
  {
    // CBZ <Rn>, <label>   /   CBNZ <Rn>, <label>   (op in bit 11)
    name: 'CBZ_T1', pattern: '1011 o0i1 iiii innn',
    layouts: [N0, CBZ],
    exec: (cpu, insn) => {
      if (inITBlock(cpu)) { itUnpredictable(cpu, 'CBZ/CBNZ'); return; }
      const zero = cpu.r[N0.n(insn)] === 0;
      if (zero !== (CBZ.o(insn) !== 0)) {
        cpu.branchWritePC((cpu.r[15] + (CBZ.i(insn) << 1)) | 0);
      }
    },
    disasm: (insn, pc) => `${CBZ.o(insn) ? 'cbnz' : 'cbz'}\t${reg(N0.n(insn))}, ${hex(pc + 4 + (CBZ.i(insn) << 1))}`,
    gen: { branch: true },
  },
  {
    // SXTH<c> <Rd>, <Rm>
    name: 'SXTH_T1', pattern: '1011 0010 00 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { cpu.r[D0.d(insn)] = (cpu.r[M3.m(insn)] << 16) >> 16; },
    disasm: (insn) => `sxth\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // SXTB<c> <Rd>, <Rm>
    name: 'SXTB_T1', pattern: '1011 0010 01 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { cpu.r[D0.d(insn)] = (cpu.r[M3.m(insn)] << 24) >> 24; },
    disasm: (insn) => `sxtb\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // UXTH<c> <Rd>, <Rm>
    name: 'UXTH_T1', pattern: '1011 0010 10 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { cpu.r[D0.d(insn)] = cpu.r[M3.m(insn)] & 0xffff; },
    disasm: (insn) => `uxth\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // UXTB<c> <Rd>, <Rm>
    name: 'UXTB_T1', pattern: '1011 0010 11 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => { cpu.r[D0.d(insn)] = cpu.r[M3.m(insn)] & 0xff; },
    disasm: (insn) => `uxtb\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // PUSH<c> <registers>   (STMDB SP!, with LR in bit 8)
    name: 'PUSH_T1', pattern: '1011 010M rrrr rrrr',
    layouts: [LIST, PUSH],
    exec: (cpu, insn) => { STMDB(cpu, STMDB_A32 | W_A32 | (13 << 16) | (PUSH.M(insn) << 14) | LIST.r(insn)); },
    disasm: (insn) => `push\t${listText((PUSH.M(insn) << 14) | LIST.r(insn))}`,
    unpredictable: (insn) => (PUSH.M(insn) | LIST.r(insn)) === 0,
    gen: { skip: 'moves the stack pointer of the harness' },
  },
  {
    // POP<c> <registers>   (LDMIA SP!, with PC in bit 8)
    name: 'POP_T1', pattern: '1011 110P rrrr rrrr',
    layouts: [LIST, POP],
    exec: (cpu, insn) => {
      if (POP.P(insn) !== 0 && inITNotLast(cpu)) { itUnpredictable(cpu, 'POP {..., pc} not last'); return; }
      LDM(cpu, LDM_A32 | W_A32 | (13 << 16) | (POP.P(insn) << 15) | LIST.r(insn));
    },
    disasm: (insn) => `pop\t${listText((POP.P(insn) << 15) | LIST.r(insn))}`,
    unpredictable: (insn) => (POP.P(insn) | LIST.r(insn)) === 0,
    gen: { skip: 'moves the stack pointer of the harness' },
  },
  {
    // SETEND <endian_specifier>   (UNPREDICTABLE inside an IT block)
    name: 'SETEND_T1', pattern: '1011 0110 010O EZZZ',
    exec: (cpu, insn) => {
      if (inITBlock(cpu)) { itUnpredictable(cpu, 'SETEND'); return; }
      cpu.e = (insn >>> 3) & 1;
    },
    disasm: (insn) => `setend\t${insn & 8 ? 'be' : 'le'}`,
  },
  {
    // CPS<effect> <iflags>   (im: 0 enable, 1 disable)
    name: 'CPS_T1', pattern: '1011 0110 011m Zaif',
    exec: (cpu, insn) => {
      if (inITBlock(cpu)) { itUnpredictable(cpu, 'CPS'); return; }
      CPS(cpu, CPS_A32 | ((insn & 0x10 ? 3 : 2) << 18) | ((insn & 7) << 6));
    },
    disasm: (insn) => `cps${insn & 0x10 ? 'id' : 'ie'}\t${insn & 4 ? 'a' : ''}${insn & 2 ? 'i' : ''}${insn & 1 ? 'f' : ''}`,
    unpredictable: (insn) => (insn & 7) === 0,
  },
  {
    // REV<c> <Rd>, <Rm>
    name: 'REV_T1', pattern: '1011 1010 00 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => {
      const x = cpu.r[M3.m(insn)];
      cpu.r[D0.d(insn)] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24);
    },
    disasm: (insn) => `rev\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // REV16<c> <Rd>, <Rm>
    name: 'REV16_T1', pattern: '1011 1010 01 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => {
      const x = cpu.r[M3.m(insn)];
      cpu.r[D0.d(insn)] = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
    },
    disasm: (insn) => `rev16\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // REVSH<c> <Rd>, <Rm>
    name: 'REVSH_T1', pattern: '1011 1010 11 mmm ddd',
    layouts: [D0, M3],
    exec: (cpu, insn) => {
      const x = cpu.r[M3.m(insn)];
      cpu.r[D0.d(insn)] = ((x << 24) >> 16) | ((x >>> 8) & 0xff);
    },
    disasm: (insn) => `revsh\t${reg(D0.d(insn))}, ${reg(M3.m(insn))}`,
  },
  {
    // BKPT #<imm8>   (executed even when its IT condition fails)
    name: 'BKPT_T1', pattern: '1011 1110 iiii iiii',
    layouts: [IMM8],
    exec: (cpu, insn) => {
      const hook = cpu.bkptHook;
      if (hook !== undefined && hook(cpu, IMM8.i(insn))) {
        cpu.stopRequested = true;
        cpu.nextPc = cpu.pc;
        return;
      }
      // A BKPT debug event is a Prefetch Abort; IFAR is UNKNOWN (0 here, as in A32).
      cpu.prefetchAbort(FS_DEBUG, 0);
    },
    disasm: (insn) => `bkpt\t0x${(IMM8.i(insn)).toString(16).padStart(4, '0')}`,
    gen: { skip: 'debug event: stops the harness' },
  },
  {
    // IT{<x>{<y>{<z>}}} <firstcond>
    name: 'IT_T1', pattern: '1011 1111 ffff mmmm',
    layouts: [IT],
    exec: (cpu, insn) => {
      if (inITBlock(cpu)) { itUnpredictable(cpu, 'IT'); return; }
      cpu.it = (IT.f(insn) << 4) | IT.m(insn);
    },
    disasm: (insn) => `it${itSuffix(insn)}\t${COND[IT.f(insn)] || 'al'}`,
    unpredictable: (insn) => {
      const first = IT.f(insn);
      return first === 15 || (first === 14 && popcount(IT.m(insn)) !== 1);
    },
    gen: { skip: 'makes the following instructions conditional' },
  },
  {
    // NOP<c> {#<hint>}   (unallocated hints execute as NOP)
    name: 'HINT_T1', pattern: '1011 1111 hhhh 0000',
    layouts: [HINT4],
    exec: noop,
    disasm: (insn) => `nop\t{${HINT4.h(insn)}}`,
  },
  hint('NOP', 0, noop),
  hint('YIELD', 1, noop),
  // WFE and SEV: see Cpu.wfe / Cpu.sev.
  hint('WFE', 2, (cpu) => { cpu.wfe(); }),
  hint('WFI', 3, (cpu) => { cpu.waiting = true; }, { skip: 'waits for an interrupt' }),
  hint('SEV', 4, (cpu) => { cpu.sev(); }),

  // ---- load/store multiple ----
  {
    // STM<c> <Rn>!, <registers>   (a base in the list that is not the lowest stores its original value)
    name: 'STM_T1', pattern: '11000 nnn rrrr rrrr',
    layouts: [N8, LIST],
    exec: (cpu, insn) => { STM(cpu, STM_A32 | W_A32 | (N8.n(insn) << 16) | LIST.r(insn)); },
    disasm: (insn) => `stmia\t${reg(N8.n(insn))}!, ${listText(LIST.r(insn))}`,
    unpredictable: (insn) => LIST.r(insn) === 0,
    gen: { base: 'n', store: true },
  },
  {
    // LDM<c> <Rn>{!}, <registers>   (writeback unless Rn is in the list)
    name: 'LDM_T1', pattern: '11001 nnn rrrr rrrr',
    layouts: [N8, LIST],
    exec: (cpu, insn) => {
      const n = N8.n(insn);
      const wback = (insn & (1 << n)) === 0 ? W_A32 : 0;
      LDM(cpu, LDM_A32 | wback | (n << 16) | LIST.r(insn));
    },
    disasm: (insn) => {
      const n = N8.n(insn);
      return `ldmia\t${reg(n)}${insn & (1 << n) ? '' : '!'}, ${listText(LIST.r(insn))}`;
    },
    unpredictable: (insn) => LIST.r(insn) === 0,
    gen: { base: 'n', store: false },
  },

  // ---- conditional branch, UDF, SVC ----
  {
    // B<c> <label>   (cond in bits 11:8; UNPREDICTABLE inside an IT block)
    name: 'B_T1', pattern: '1101 qqqq iiii iiii',
    layouts: [B_COND],
    exec: (cpu, insn) => {
      if (inITBlock(cpu)) { itUnpredictable(cpu, 'B<c> (16-bit)'); return; }
      if (cpu.conditionPassed(B_COND.q(insn))) cpu.branchWritePC((cpu.r[15] + (((insn << 24) >> 23))) | 0);
    },
    disasm: (insn, pc) => `b${COND[B_COND.q(insn)]}.n\t${hex(pc + 4 + ((insn << 24) >> 23))}`,
    gen: { branch: true },
  },
  {
    // UDF #<imm8>   (permanently UNDEFINED)
    name: 'UDF_T1', pattern: '1101 1110 iiii iiii',
    layouts: [IMM8],
    exec: (cpu) => { cpu.undefinedInstruction(); },
    disasm: (insn) => `udf\t#${IMM8.i(insn)}`,
  },
  {
    // SVC<c> #<imm8>   (offered to the semihosting hook first: Thumb semihosting is SVC 0xAB)
    name: 'SVC_T1', pattern: '1101 1111 iiii iiii',
    layouts: [IMM8],
    exec: (cpu, insn) => {
      const hook = cpu.svcHook;
      if (hook !== undefined && hook(cpu, IMM8.i(insn))) return;
      // The SPSR holds the IT state of the instruction after the SVC (TakeSVCException).
      cpu.it = itAdvance(cpu.it);
      cpu.supervisorCall();
    },
    disasm: (insn) => `svc\t${IMM8.i(insn)}`,
    gen: { branch: true },
  },
  {
    // B<c> <label>   (unconditional; only last inside an IT block)
    name: 'B_T2', pattern: '11100 iiiiiiiiiii',
    exec: (cpu, insn) => {
      if (inITNotLast(cpu)) { itUnpredictable(cpu, 'B not last'); return; }
      cpu.branchWritePC((cpu.r[15] + ((insn << 21) >> 20)) | 0);
    },
    disasm: (insn, pc) => `b.n\t${hex(pc + 4 + ((insn << 21) >> 20))}`,
    gen: { branch: true },
  },
];

/** The T/E letters of an IT instruction from firstcond[0] and the mask. */
export function itSuffix(insn: number): string {
  const mask = insn & 15, first0 = (insn >>> 4) & 1;
  const n = mask & 1 ? 3 : mask & 2 ? 2 : mask & 4 ? 1 : 0;
  let s = '';
  for (let k = 0; k < n; k++) s += ((mask >>> (3 - k)) & 1) === first0 ? 't' : 'e';
  return s;
}
