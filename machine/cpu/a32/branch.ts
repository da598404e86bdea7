/** Branches: B, BL, BLX (immediate and register), BX, BXJ. */

import type { EncodingSpec } from '../encoding';
import { cond, reg, hex } from './syntax';

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
    exec: (cpu, insn) => {
      cpu.r[14] = cpu.r[15] - 4;
      const target = (cpu.r[15] + ((insn << 8) >> 6) + ((insn >>> 23) & 2)) | 1;
      cpu.bxWritePC(target);
    },
    disasm: (insn, pc) => `blx\t${hex(branchTarget(insn, pc) + ((insn >>> 23) & 2))}`,
    gen: { branch: true, skip: 'switches to Thumb state, which the A32 harness does not follow' },
  },
  {
    // BX<c> <Rm>
    name: 'BX', pattern: 'cccc 0001 0010 OOOO OOOO OOOO 0001 mmmm',
    exec: (cpu, insn) => { cpu.bxWritePC(cpu.r[insn & 15]); },
    disasm: (insn) => `bx${cond(insn)}\t${reg(insn & 15)}`,
    gen: { branch: true },
  },
  {
    // BXJ<c> <Rm>  (no Jazelle: behaves as BX)
    name: 'BXJ', pattern: 'cccc 0001 0010 OOOO OOOO OOOO 0010 mmmm',
    exec: (cpu, insn) => { cpu.bxWritePC(cpu.r[insn & 15]); },
    disasm: (insn) => `bxj${cond(insn)}\t${reg(insn & 15)}`,
    unpredictable: (insn) => (insn & 15) === 15,
    gen: { branch: true },
  },
  {
    // BLX<c> <Rm>
    name: 'BLX_reg', pattern: 'cccc 0001 0010 OOOO OOOO OOOO 0011 mmmm',
    exec: (cpu, insn) => {
      const target = cpu.r[insn & 15];
      cpu.r[14] = cpu.r[15] - 4;
      cpu.bxWritePC(target);
    },
    disasm: (insn) => `blx${cond(insn)}\t${reg(insn & 15)}`,
    unpredictable: (insn) => (insn & 15) === 15,
    gen: { branch: true },
  },
];
