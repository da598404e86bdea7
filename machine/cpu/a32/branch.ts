/** Branches: B, BL, BLX (immediate and register), BX, BXJ. */

import { fieldsOf, type EncodingSpec } from '../encoding';
import { cond, reg, hex } from './syntax';

/** BX, BXJ, BLX (register): Rm. */
const RM = fieldsOf('---- ---- ---- ---- ---- ---- ---- mmmm');
/** BLX (immediate): H, bit 1 of the offset. */
const BLX_H = fieldsOf('---- ---h ---- ---- ---- ---- ---- ----');

// The 24-bit offset is read as SignExtend(imm24:'00') = (insn << 8) >> 6: the
// sign extension is the extraction, in two operations.
function branchTarget(insn: number, pc: number): number {
  return (pc + 8 + ((insn << 8) >> 6)) >>> 0;
}

export const branchRows: EncodingSpec[] = [
  {
    // B<c> <label>
    name: 'B', pattern: 'cccc 1010 iiii iiii iiii iiii iiii iiii',
    exec: (cpu, insn) => { cpu.branchWritePC(cpu.r[15] + ((insn << 8) >> 6)); },
    disasm: (insn, pc) => `b${cond(insn)}\t${hex(branchTarget(insn, pc))}`,
    gen: { branch: true },
  },
  {
    // BL<c> <label>
    name: 'BL', pattern: 'cccc 1011 iiii iiii iiii iiii iiii iiii',
    exec: (cpu, insn) => {
      cpu.r[14] = cpu.r[15] - 4;
      cpu.branchWritePC(cpu.r[15] + ((insn << 8) >> 6));
    },
    disasm: (insn, pc) => `bl${cond(insn)}\t${hex(branchTarget(insn, pc))}`,
    gen: { branch: true },
  },
  {
    // BLX <label>  (switches to Thumb; H supplies bit 1 of the offset)
    name: 'BLX_imm', pattern: '1111 101h iiii iiii iiii iiii iiii iiii',
    layouts: [BLX_H],
    exec: (cpu, insn) => {
      cpu.r[14] = cpu.r[15] - 4;
      const target = (cpu.r[15] + ((insn << 8) >> 6) + (BLX_H.h(insn) << 1)) | 1;
      cpu.bxWritePC(target);
    },
    disasm: (insn, pc) => `blx\t${hex(branchTarget(insn, pc) + (BLX_H.h(insn) << 1))}`,
    gen: { branch: true, skip: 'switches to Thumb state, which the A32 harness does not follow' },
  },
  {
    // BX<c> <Rm>
    name: 'BX', pattern: 'cccc 0001 0010 OOOO OOOO OOOO 0001 mmmm',
    layouts: [RM],
    exec: (cpu, insn) => { cpu.bxWritePC(cpu.r[RM.m(insn)]); },
    disasm: (insn) => `bx${cond(insn)}\t${reg(RM.m(insn))}`,
    gen: { branch: true },
  },
  {
    // BXJ<c> <Rm>  (no Jazelle: behaves as BX)
    name: 'BXJ', pattern: 'cccc 0001 0010 OOOO OOOO OOOO 0010 mmmm',
    layouts: [RM],
    exec: (cpu, insn) => { cpu.bxWritePC(cpu.r[RM.m(insn)]); },
    disasm: (insn) => `bxj${cond(insn)}\t${reg(RM.m(insn))}`,
    unpredictable: (insn) => (RM.m(insn)) === 15,
    gen: { branch: true },
  },
  {
    // BLX<c> <Rm>
    name: 'BLX_reg', pattern: 'cccc 0001 0010 OOOO OOOO OOOO 0011 mmmm',
    layouts: [RM],
    exec: (cpu, insn) => {
      const target = cpu.r[RM.m(insn)];
      cpu.r[14] = cpu.r[15] - 4;
      cpu.bxWritePC(target);
    },
    disasm: (insn) => `blx${cond(insn)}\t${reg(RM.m(insn))}`,
    unpredictable: (insn) => (RM.m(insn)) === 15,
    gen: { branch: true },
  },
];
