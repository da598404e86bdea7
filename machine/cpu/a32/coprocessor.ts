/**
 * Coprocessor instructions: MCR, MRC, MCRR, MRRC, CDP, LDC, STC and their
 * unconditional '2' forms.
 *
 * CP15 (system control) and CP14 (trivial Jazelle, ThumbEE) go to the register
 * maps in cp15.ts, which decide what is UNDEFINED (unknown register, wrong
 * direction, or not accessible from User mode). The Cortex-A9 has no 64-bit
 * CP15 or CP14 registers (no LPAE, no generic timer), so MCRR/MRRC are
 * UNDEFINED, as are LDC/STC (no debug DTR transfers are modelled), CDP and all
 * the '2' forms. Coprocessors 10 and 11 are decoded by vfp/rows.ts; the
 * cp10/cp11 encodings that reach these rows (Advanced SIMD transfers, VDUP, the
 * '2' forms) are UNDEFINED. Every other coprocessor is absent.
 */

import { fieldsOf, fieldMask, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { cond, reg } from './syntax';

/** MCR/MRC: opc1, L (MRC), CRn, Rt, opc2, CRm. */
const MCR = fieldsOf('---- ---- aaaL nnnn tttt ---- bbb- mmmm');
/** The coprocessor number (CP15 and CP14 rows fix it). */
const CP = fieldsOf('---- ---- ---- ---- ---- pppp ---- ----');
/** MCRR/MRRC: Rt2, Rt, opc1, CRm. */
const MCRR = fieldsOf('---- ---- ---- uuuu tttt ---- oooo mmmm');
/** CDP: opc1, CRn, CRd, opc2, CRm. */
const CDP = fieldsOf('---- ---- oooo nnnn dddd ---- bbb- mmmm');
/** LDC/STC: P, U, D, W, L, Rn, CRd, the offset / option. */
const LDC = fieldsOf('---- ---P UDWL nnnn dddd ---- iiii iiii');

const MCR_L = fieldMask(MCR, 'L');

/** Coprocessor numbers the random generator may use for the UNDEFINED rows. */
const ABSENT_COPROCESSORS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13];

function absent(cpu: Cpu, insn: number, what: string): void {
  if (!cpu.firstReportOf(insn)) { cpu.undefinedInstruction(); return; } // the message depends on insn only
  const cp = CP.p(insn);
  if (cp === 10 || cp === 11) cpu.undefinedInstruction(`${what} p${cp}: not a VFPv3-D16 encoding (no Advanced SIMD)`);
  else cpu.undefinedInstruction(`${what} p${cp}: no such coprocessor operation on Cortex-A9`);
}

function regText(insn: number): string {
  const opc1 = MCR.a(insn), crn = MCR.n(insn), t = MCR.t(insn);
  const crm = MCR.m(insn), opc2 = MCR.b(insn);
  return `${CP.p(insn)}, ${opc1}, ${t === 15 && (insn & MCR_L) ? 'APSR_nzcv' : reg(t)}, cr${crn}, cr${crm}, {${opc2}}`;
}

function mcrrText(insn: number): string {
  return `${CP.p(insn)}, ${MCRR.o(insn)}, ${reg(MCRR.t(insn))}, ${reg(MCRR.u(insn))}, cr${MCRR.m(insn)}`;
}

function cdpText(insn: number): string {
  return `${CP.p(insn)}, ${CDP.o(insn)}, cr${CDP.d(insn)}, cr${CDP.n(insn)}, cr${CDP.m(insn)}, {${CDP.b(insn)}}`;
}

/** Operands of LDC/STC: "p, crD, [Rn, #off]" in its four addressing forms. */
function ldcText(insn: number): string {
  const p = LDC.P(insn), u = LDC.U(insn), w = LDC.W(insn);
  const n = reg(LDC.n(insn)), off = LDC.i(insn) * 4;
  const sign = u ? '' : '-';
  let addr: string;
  if (p) addr = `[${n}, #${sign}${off}]${w ? '!' : ''}`;
  else if (w) addr = `[${n}], #${sign}${off}`;
  else addr = `[${n}], {${LDC.i(insn)}}`;
  return `${CP.p(insn)}, cr${LDC.d(insn)}, ${addr}`;
}

function ldcName(insn: number): string {
  return `${LDC.L(insn) ? 'ldc' : 'stc'}${insn >>> 28 === 0xf ? '2' : ''}${LDC.D(insn) ? 'l' : ''}`;
}

function coprocUndefined(cpu: Cpu): void {
  cpu.undefinedInstruction('coprocessor load/store encoding with P=U=W=0 is UNDEFINED');
}

function undefinedText(insn: number): string {
  return `udf\t; 0x${(insn >>> 0).toString(16).padStart(8, '0')} (undefined coprocessor encoding)`;
}

function cpReason(op: string, cp: number, insn: number): string {
  return `${op} p${cp}, ${MCR.a(insn)}, c${MCR.n(insn)}, c${MCR.m(insn)}, ${MCR.b(insn)}: ` +
    'no such register, or not accessible in this mode';
}

export const coprocessorRows: EncodingSpec[] = [
  {
    // MCR<c> p15, <opc1>, <Rt>, <CRn>, <CRm>{, <opc2>}
    name: 'MCR_p15', pattern: 'cccc 1110 aaa0 nnnn tttt 1111 bbb1 mmmm',
    layouts: [MCR, CP],
    exec: (cpu, insn) => {
      if (!cpu.cp15.write(MCR.a(insn), MCR.n(insn), MCR.m(insn), MCR.b(insn), cpu.r[MCR.t(insn)])) {
        cpu.undefinedInstruction(cpReason('MCR', 15, insn));
      }
    },
    disasm: (insn) => `mcr${cond(insn)}\t${regText(insn)}`,
    unpredictable: (insn) => MCR.t(insn) === 15,
    // The differential generator restricts it to thread-ID registers and maintenance operations.
    gen: {},
  },
  {
    // MRC<c> p15, <opc1>, <Rt>, <CRn>, <CRm>{, <opc2>}   (Rt = 15: APSR.NZCV)
    name: 'MRC_p15', pattern: 'cccc 1110 aaa1 nnnn tttt 1111 bbb1 mmmm',
    layouts: [MCR, CP],
    exec: (cpu, insn) => {
      const v = cpu.cp15.read(MCR.a(insn), MCR.n(insn), MCR.m(insn), MCR.b(insn));
      if (v === undefined) { cpu.undefinedInstruction(cpReason('MRC', 15, insn)); return; }
      writeMrcResult(cpu, MCR.t(insn), v);
    },
    disasm: (insn) => `mrc${cond(insn)}\t${regText(insn)}`,
    // The differential generator restricts it to registers whose values QEMU shares.
    gen: {},
  },
  {
    // MCR<c> p14, <opc1>, <Rt>, <CRn>, <CRm>{, <opc2>}
    name: 'MCR_p14', pattern: 'cccc 1110 aaa0 nnnn tttt 1110 bbb1 mmmm',
    layouts: [MCR, CP],
    exec: (cpu, insn) => {
      if (!cpu.cp15.write14(MCR.a(insn), MCR.n(insn), MCR.m(insn), MCR.b(insn), cpu.r[MCR.t(insn)])) {
        cpu.undefinedInstruction(cpReason('MCR', 14, insn));
      }
    },
    disasm: (insn) => `mcr${cond(insn)}\t${regText(insn)}`,
    unpredictable: (insn) => MCR.t(insn) === 15,
    gen: { skip: 'debug and ThumbEE registers differ from the reference model' },
  },
  {
    // MRC<c> p14, <opc1>, <Rt>, <CRn>, <CRm>{, <opc2>}
    name: 'MRC_p14', pattern: 'cccc 1110 aaa1 nnnn tttt 1110 bbb1 mmmm',
    layouts: [MCR, CP],
    exec: (cpu, insn) => {
      const v = cpu.cp15.read14(MCR.a(insn), MCR.n(insn), MCR.m(insn), MCR.b(insn));
      if (v === undefined) { cpu.undefinedInstruction(cpReason('MRC', 14, insn)); return; }
      writeMrcResult(cpu, MCR.t(insn), v);
    },
    disasm: (insn) => `mrc${cond(insn)}\t${regText(insn)}`,
    gen: { skip: 'debug and ThumbEE registers differ from the reference model' },
  },
  {
    // MCR<c> <coproc>, <opc1>, <Rt>, <CRn>, <CRm>{, <opc2>}
    name: 'MCR', pattern: 'cccc 1110 aaa0 nnnn tttt pppp bbb1 mmmm',
    layouts: [MCR, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'MCR'),
    disasm: (insn) => `mcr${cond(insn)}\t${regText(insn)}`,
    gen: { fields: { p: ABSENT_COPROCESSORS } },
  },
  {
    // MRC<c> <coproc>, <opc1>, <Rt>, <CRn>, <CRm>{, <opc2>}
    name: 'MRC', pattern: 'cccc 1110 aaa1 nnnn tttt pppp bbb1 mmmm',
    layouts: [MCR, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'MRC'),
    disasm: (insn) => `mrc${cond(insn)}\t${regText(insn)}`,
    gen: { fields: { p: ABSENT_COPROCESSORS } },
  },
  {
    // MCRR<c> <coproc>, <opc1>, <Rt>, <Rt2>, <CRm>
    name: 'MCRR', pattern: 'cccc 1100 0100 uuuu tttt pppp oooo mmmm',
    layouts: [MCRR, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'MCRR'),
    disasm: (insn) => `mcrr${cond(insn)}\t${mcrrText(insn)}`,
    unpredictable: (insn) => MCRR.t(insn) === 15 || MCRR.u(insn) === 15,
    gen: { fields: { p: ABSENT_COPROCESSORS } },
  },
  {
    // MRRC<c> <coproc>, <opc1>, <Rt>, <Rt2>, <CRm>
    name: 'MRRC', pattern: 'cccc 1100 0101 uuuu tttt pppp oooo mmmm',
    layouts: [MCRR, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'MRRC'),
    disasm: (insn) => `mrrc${cond(insn)}\t${mcrrText(insn)}`,
    unpredictable: (insn) => {
      const t = MCRR.t(insn), t2 = MCRR.u(insn);
      return t === 15 || t2 === 15 || t === t2;
    },
    gen: { fields: { p: ABSENT_COPROCESSORS } },
  },
  {
    // CDP<c> <coproc>, <opc1>, <CRd>, <CRn>, <CRm>, <opc2>
    name: 'CDP', pattern: 'cccc 1110 oooo nnnn dddd pppp bbb0 mmmm',
    layouts: [CDP, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'CDP'),
    disasm: (insn) => `cdp${cond(insn)}\t${cdpText(insn)}`,
    gen: { fields: { p: ABSENT_COPROCESSORS } },
  },
  {
    // LDC{L}<c> <coproc>, <CRd>, [<Rn>, #+/-<imm>]{!}  (and post-indexed, unindexed, literal)
    name: 'LDC', pattern: 'cccc 110P UDW1 nnnn dddd pppp iiii iiii',
    layouts: [LDC, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'LDC'),
    disasm: (insn) => `${ldcName(insn)}${cond(insn)}\t${ldcText(insn)}`,
    gen: { fields: { p: ABSENT_COPROCESSORS } },
  },
  {
    // STC{L}<c> <coproc>, <CRd>, [<Rn>, #+/-<imm>]{!}  (and post-indexed, unindexed)
    name: 'STC', pattern: 'cccc 110P UDW0 nnnn dddd pppp iiii iiii',
    layouts: [LDC, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'STC'),
    disasm: (insn) => `${ldcName(insn)}${cond(insn)}\t${ldcText(insn)}`,
    gen: { fields: { p: ABSENT_COPROCESSORS } },
  },
  {
    // (STC encoding with P = U = W = 0, D = 0: UNDEFINED)
    name: 'COPROC_undef_st', pattern: 'cccc 1100 0000 xxxx xxxx xxxx xxxx xxxx',
    exec: coprocUndefined,
    disasm: undefinedText,
  },
  {
    // (LDC encoding with P = U = W = 0, D = 0: UNDEFINED)
    name: 'COPROC_undef_ld', pattern: 'cccc 1100 0001 xxxx xxxx xxxx xxxx xxxx',
    exec: coprocUndefined,
    disasm: undefinedText,
  },

  // Unconditional forms.
  {
    // MCR2 <coproc>, <opc1>, <Rt>, <CRn>, <CRm>{, <opc2>}
    name: 'MCR2', pattern: '1111 1110 aaa0 nnnn tttt pppp bbb1 mmmm',
    layouts: [MCR, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'MCR2'),
    disasm: (insn) => `mcr2\t${regText(insn)}`,
  },
  {
    // MRC2 <coproc>, <opc1>, <Rt>, <CRn>, <CRm>{, <opc2>}
    name: 'MRC2', pattern: '1111 1110 aaa1 nnnn tttt pppp bbb1 mmmm',
    layouts: [MCR, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'MRC2'),
    disasm: (insn) => `mrc2\t${regText(insn)}`,
  },
  {
    // MCRR2 <coproc>, <opc1>, <Rt>, <Rt2>, <CRm>
    name: 'MCRR2', pattern: '1111 1100 0100 uuuu tttt pppp oooo mmmm',
    layouts: [MCRR, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'MCRR2'),
    disasm: (insn) => `mcrr2\t${mcrrText(insn)}`,
  },
  {
    // MRRC2 <coproc>, <opc1>, <Rt>, <Rt2>, <CRm>
    name: 'MRRC2', pattern: '1111 1100 0101 uuuu tttt pppp oooo mmmm',
    layouts: [MCRR, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'MRRC2'),
    disasm: (insn) => `mrrc2\t${mcrrText(insn)}`,
  },
  {
    // CDP2 <coproc>, <opc1>, <CRd>, <CRn>, <CRm>, <opc2>
    name: 'CDP2', pattern: '1111 1110 oooo nnnn dddd pppp bbb0 mmmm',
    layouts: [CDP, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'CDP2'),
    disasm: (insn) => `cdp2\t${cdpText(insn)}`,
  },
  {
    // LDC2{L} <coproc>, <CRd>, [<Rn>, #+/-<imm>]{!}
    name: 'LDC2', pattern: '1111 110P UDW1 nnnn dddd pppp iiii iiii',
    layouts: [LDC, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'LDC2'),
    disasm: (insn) => `${ldcName(insn)}\t${ldcText(insn)}`,
  },
  {
    // STC2{L} <coproc>, <CRd>, [<Rn>, #+/-<imm>]{!}
    name: 'STC2', pattern: '1111 110P UDW0 nnnn dddd pppp iiii iiii',
    layouts: [LDC, CP],
    exec: (cpu, insn) => absent(cpu, insn, 'STC2'),
    disasm: (insn) => `${ldcName(insn)}\t${ldcText(insn)}`,
  },
  {
    // (STC2 encoding with P = U = W = 0, D = 0: UNDEFINED)
    name: 'COPROC2_undef_st', pattern: '1111 1100 0000 xxxx xxxx xxxx xxxx xxxx',
    exec: coprocUndefined,
    disasm: undefinedText,
  },
  {
    // (LDC2 encoding with P = U = W = 0, D = 0: UNDEFINED)
    name: 'COPROC2_undef_ld', pattern: '1111 1100 0001 xxxx xxxx xxxx xxxx xxxx',
    exec: coprocUndefined,
    disasm: undefinedText,
  },
];

/** MRC result: Rt = 15 transfers bits 31:28 to APSR.N, Z, C, V. */
function writeMrcResult(cpu: Cpu, t: number, v: number): void {
  if (t === 15) {
    cpu.n = (v >>> 31) & 1;
    cpu.z = (v >>> 30) & 1;
    cpu.c = (v >>> 29) & 1;
    cpu.v = (v >>> 28) & 1;
  } else {
    cpu.r[t] = v;
  }
}
