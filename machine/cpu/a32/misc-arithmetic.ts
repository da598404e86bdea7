/**
 * Miscellaneous arithmetic: CLZ, bit and byte reversal, bit-field operations,
 * sign/zero extension (with and without add), and the saturating
 * instructions QADD/QSUB/QDADD/QDSUB, SSAT/USAT, SSAT16/USAT16. The
 * saturating instructions set APSR.Q when they saturate and never clear it.
 */

import { fieldsOf, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { cond, reg } from './syntax';

// ---- field layouts (each row lists the ones its handler and disassembler read) ----

/** Rd and Rm: reversal, extension and saturating-arithmetic rows. */
const RDM = fieldsOf('---- ---- ---- ---- dddd ---- ---- mmmm');
/** Rn in bits 19:16 (the extend rows without add fix it to 1111). */
const RN = fieldsOf('---- ---- ---- nnnn ---- ---- ---- ----');
/** The extend rows' rotation (multiples of 8 bits). */
const ROT = fieldsOf('---- ---- ---- ---- ---- rr-- ---- ----');
/** BFC, BFI: msb, Rd, lsb, Rn (BFC fixes Rn to 1111). */
const BF = fieldsOf('---- ---- ---h hhhh dddd llll l--- nnnn');
/** UBFX, SBFX: width - 1, Rd, lsb, Rn. */
const BFX = fieldsOf('---- ---- ---w wwww dddd llll l--- nnnn');
/** SSAT, USAT: saturation bits, Rd, shift amount and kind, Rn. */
const SAT = fieldsOf('---- ---- ---s ssss dddd iiii ih-- nnnn');
/** SSAT16, USAT16: saturation bits, Rd, Rn. */
const SAT16 = fieldsOf('---- ---- ---- ssss dddd ---- ---- nnnn');

const rd = RDM.d;
const rn = RN.n;
const rm = RDM.m;

function pcDm(insn: number): boolean { return rd(insn) === 15 || rm(insn) === 15; }
function pcDnm(insn: number): boolean { return rd(insn) === 15 || rn(insn) === 15 || rm(insn) === 15; }

/** Rm rotated right by 8 * rotate (bits 11:10). */
function rotated(cpu: Cpu, insn: number): number {
  const x = cpu.r[rm(insn)];
  const r = ROT.r(insn) << 3;
  return ((x >>> r) | (x << (32 - r))) | 0;
}

function rotText(insn: number): string {
  const r = ROT.r(insn) << 3;
  return r === 0 ? '' : `, ror #${r}`;
}

/** Rd, Rm{, ROR #n} of the extend rows. */
function extText(name: string, insn: number): string {
  return `${name}${cond(insn)}\t${reg(rd(insn))}, ${reg(rm(insn))}${rotText(insn)}`;
}

/** Rd, Rn, Rm{, ROR #n} of the extend-and-add rows. */
function extAddText(name: string, insn: number): string {
  return `${name}${cond(insn)}\t${reg(rd(insn))}, ${reg(rn(insn))}, ${reg(rm(insn))}${rotText(insn)}`;
}

function rdRm(name: string, insn: number): string {
  return `${name}${cond(insn)}\t${reg(rd(insn))}, ${reg(rm(insn))}`;
}

/** Rd, Rm, Rn of QADD and friends (Rm is the first operand). */
function qText(name: string, insn: number): string {
  return `${name}${cond(insn)}\t${reg(rd(insn))}, ${reg(rm(insn))}, ${reg(rn(insn))}`;
}

/** SignedSatQ(v, 32) with v exact (|v| < 2^53); sets Q when it saturates. */
function sat32(cpu: Cpu, v: number): number {
  if (v > 0x7fffffff) { cpu.q = 1; return 0x7fffffff; }
  if (v < -0x80000000) { cpu.q = 1; return -0x80000000; }
  return v;
}

/** SignedSatQ(v, n) for 1 <= n <= 32 and an int32 v; sets Q when it saturates. */
function ssat(cpu: Cpu, v: number, n: number): number {
  if (n === 32) return v;
  const max = (1 << (n - 1)) - 1;
  if (v > max) { cpu.q = 1; return max; }
  if (v < -max - 1) { cpu.q = 1; return -max - 1; }
  return v;
}

/** UnsignedSatQ(v, n) for 0 <= n <= 31 and an int32 v; sets Q when it saturates. */
function usat(cpu: Cpu, v: number, n: number): number {
  const max = n === 0 ? 0 : -1 >>> (32 - n);
  if (v > max) { cpu.q = 1; return max; }
  if (v < 0) { cpu.q = 1; return 0; }
  return v;
}

/** The shifted operand of SSAT/USAT: sh=0 LSL #imm5, sh=1 ASR #imm5 (imm5 == 0 is ASR #32). */
function satOperand(cpu: Cpu, insn: number): number {
  const x = cpu.r[SAT.n(insn)];
  const imm5 = SAT.i(insn);
  if (SAT.h(insn) !== 0) return x >> (imm5 === 0 ? 31 : imm5);
  return x << imm5;
}

function satShiftText(insn: number): string {
  const imm5 = SAT.i(insn);
  if (SAT.h(insn) !== 0) return `, asr #${imm5 === 0 ? 32 : imm5}`;
  return imm5 === 0 ? '' : `, lsl #${imm5}`;
}

/** Mask of bits lsb..msb inclusive (msb >= lsb). */
function fieldMask(msb: number, lsb: number): number {
  return (-1 >>> (31 - msb)) & (-1 << lsb);
}

const bfLsb = BF.l;
const bfMsb = BF.h;
const bfxWidth = (insn: number): number => BFX.w(insn) + 1;

function sext8x2(v: number): number {
  // Sign-extends bytes 0 and 2 into halfwords 0 and 1.
  return ((((v << 24) >> 24) & 0xffff) | (((v << 8) >> 24) << 16)) | 0;
}

export const miscArithmeticRows: EncodingSpec[] = [
  {
    // CLZ<c> <Rd>, <Rm>
    name: 'CLZ', pattern: 'cccc 0001 0110 OOOO dddd OOOO 0001 mmmm',
    layouts: [RDM],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = Math.clz32(cpu.r[rm(insn)]); },
    disasm: (insn) => rdRm('clz', insn),
    unpredictable: pcDm,
  },
  {
    // RBIT<c> <Rd>, <Rm>
    name: 'RBIT', pattern: 'cccc 0110 1111 OOOO dddd OOOO 0011 mmmm',
    layouts: [RDM],
    exec: (cpu, insn) => {
      let x = cpu.r[rm(insn)];
      x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
      x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
      x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
      x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
      cpu.r[rd(insn)] = (x >>> 16) | (x << 16);
    },
    disasm: (insn) => rdRm('rbit', insn),
    unpredictable: pcDm,
  },
  {
    // REV<c> <Rd>, <Rm>
    name: 'REV', pattern: 'cccc 0110 1011 OOOO dddd OOOO 0011 mmmm',
    layouts: [RDM],
    exec: (cpu, insn) => {
      const x = cpu.r[rm(insn)];
      cpu.r[rd(insn)] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24);
    },
    disasm: (insn) => rdRm('rev', insn),
    unpredictable: pcDm,
  },
  {
    // REV16<c> <Rd>, <Rm>
    name: 'REV16', pattern: 'cccc 0110 1011 OOOO dddd OOOO 1011 mmmm',
    layouts: [RDM],
    exec: (cpu, insn) => {
      const x = cpu.r[rm(insn)];
      cpu.r[rd(insn)] = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
    },
    disasm: (insn) => rdRm('rev16', insn),
    unpredictable: pcDm,
  },
  {
    // REVSH<c> <Rd>, <Rm>
    name: 'REVSH', pattern: 'cccc 0110 1111 OOOO dddd OOOO 1011 mmmm',
    layouts: [RDM],
    exec: (cpu, insn) => {
      const x = cpu.r[rm(insn)];
      cpu.r[rd(insn)] = ((x << 24) >> 16) | ((x >>> 8) & 0xff);
    },
    disasm: (insn) => rdRm('revsh', insn),
    unpredictable: pcDm,
  },
  {
    // BFC<c> <Rd>, #<lsb>, #<width>
    name: 'BFC', pattern: 'cccc 0111 110h hhhh dddd llll l001 1111',
    layouts: [BF],
    exec: (cpu, insn) => {
      const d = BF.d(insn);
      cpu.r[d] = cpu.r[d] & ~fieldMask(bfMsb(insn), bfLsb(insn));
    },
    disasm: (insn) => `bfc${cond(insn)}\t${reg(BF.d(insn))}, #${bfLsb(insn)}, #${bfMsb(insn) - bfLsb(insn) + 1}`,
    unpredictable: (insn) => BF.d(insn) === 15 || bfMsb(insn) < bfLsb(insn),
  },
  {
    // BFI<c> <Rd>, <Rn>, #<lsb>, #<width>  (Rn == 1111 is BFC)
    name: 'BFI', pattern: 'cccc 0111 110h hhhh dddd llll l001 nnnn',
    layouts: [BF],
    exec: (cpu, insn) => {
      const d = BF.d(insn), lsb = bfLsb(insn);
      const mask = fieldMask(bfMsb(insn), lsb);
      cpu.r[d] = (cpu.r[d] & ~mask) | ((cpu.r[BF.n(insn)] << lsb) & mask);
    },
    disasm: (insn) => `bfi${cond(insn)}\t${reg(BF.d(insn))}, ${reg(BF.n(insn))}, #${bfLsb(insn)}, #${bfMsb(insn) - bfLsb(insn) + 1}`,
    unpredictable: (insn) => BF.d(insn) === 15 || bfMsb(insn) < bfLsb(insn),
  },
  {
    // UBFX<c> <Rd>, <Rn>, #<lsb>, #<width>  (width - 1 in bits 20:16)
    name: 'UBFX', pattern: 'cccc 0111 111w wwww dddd llll l101 nnnn',
    layouts: [BFX],
    exec: (cpu, insn) => {
      const lsb = BFX.l(insn), width = bfxWidth(insn);
      cpu.r[BFX.d(insn)] = (cpu.r[BFX.n(insn)] << (32 - lsb - width)) >>> (32 - width);
    },
    disasm: (insn) => `ubfx${cond(insn)}\t${reg(BFX.d(insn))}, ${reg(BFX.n(insn))}, #${BFX.l(insn)}, #${bfxWidth(insn)}`,
    unpredictable: (insn) => BFX.d(insn) === 15 || (BFX.n(insn)) === 15 || BFX.l(insn) + BFX.w(insn) > 31,
  },
  {
    // SBFX<c> <Rd>, <Rn>, #<lsb>, #<width>  (width - 1 in bits 20:16)
    name: 'SBFX', pattern: 'cccc 0111 101w wwww dddd llll l101 nnnn',
    layouts: [BFX],
    exec: (cpu, insn) => {
      const lsb = BFX.l(insn), width = bfxWidth(insn);
      cpu.r[BFX.d(insn)] = (cpu.r[BFX.n(insn)] << (32 - lsb - width)) >> (32 - width);
    },
    disasm: (insn) => `sbfx${cond(insn)}\t${reg(BFX.d(insn))}, ${reg(BFX.n(insn))}, #${BFX.l(insn)}, #${bfxWidth(insn)}`,
    unpredictable: (insn) => BFX.d(insn) === 15 || (BFX.n(insn)) === 15 || BFX.l(insn) + BFX.w(insn) > 31,
  },
  {
    // SXTB<c> <Rd>, <Rm>{, <rotation>}
    name: 'SXTB', pattern: 'cccc 0110 1010 1111 dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = (rotated(cpu, insn) << 24) >> 24; },
    disasm: (insn) => extText('sxtb', insn),
    unpredictable: pcDm,
  },
  {
    // SXTAB<c> <Rd>, <Rn>, <Rm>{, <rotation>}
    name: 'SXTAB', pattern: 'cccc 0110 1010 nnnn dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => {
      cpu.r[rd(insn)] = (cpu.r[rn(insn)] + ((rotated(cpu, insn) << 24) >> 24)) | 0;
    },
    disasm: (insn) => extAddText('sxtab', insn),
    unpredictable: pcDm,
  },
  {
    // SXTH<c> <Rd>, <Rm>{, <rotation>}
    name: 'SXTH', pattern: 'cccc 0110 1011 1111 dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = (rotated(cpu, insn) << 16) >> 16; },
    disasm: (insn) => extText('sxth', insn),
    unpredictable: pcDm,
  },
  {
    // SXTAH<c> <Rd>, <Rn>, <Rm>{, <rotation>}
    name: 'SXTAH', pattern: 'cccc 0110 1011 nnnn dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => {
      cpu.r[rd(insn)] = (cpu.r[rn(insn)] + ((rotated(cpu, insn) << 16) >> 16)) | 0;
    },
    disasm: (insn) => extAddText('sxtah', insn),
    unpredictable: pcDm,
  },
  {
    // SXTB16<c> <Rd>, <Rm>{, <rotation>}
    name: 'SXTB16', pattern: 'cccc 0110 1000 1111 dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = sext8x2(rotated(cpu, insn)); },
    disasm: (insn) => extText('sxtb16', insn),
    unpredictable: pcDm,
  },
  {
    // SXTAB16<c> <Rd>, <Rn>, <Rm>{, <rotation>}
    name: 'SXTAB16', pattern: 'cccc 0110 1000 nnnn dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => {
      const x = rotated(cpu, insn), n = cpu.r[rn(insn)];
      const lo = (n + ((x << 24) >> 24)) & 0xffff;
      const hi = (n >>> 16) + ((x << 8) >> 24);
      cpu.r[rd(insn)] = (hi << 16) | lo;
    },
    disasm: (insn) => extAddText('sxtab16', insn),
    unpredictable: pcDm,
  },
  {
    // UXTB<c> <Rd>, <Rm>{, <rotation>}
    name: 'UXTB', pattern: 'cccc 0110 1110 1111 dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = rotated(cpu, insn) & 0xff; },
    disasm: (insn) => extText('uxtb', insn),
    unpredictable: pcDm,
  },
  {
    // UXTAB<c> <Rd>, <Rn>, <Rm>{, <rotation>}
    name: 'UXTAB', pattern: 'cccc 0110 1110 nnnn dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => {
      cpu.r[rd(insn)] = (cpu.r[rn(insn)] + (rotated(cpu, insn) & 0xff)) | 0;
    },
    disasm: (insn) => extAddText('uxtab', insn),
    unpredictable: pcDm,
  },
  {
    // UXTH<c> <Rd>, <Rm>{, <rotation>}
    name: 'UXTH', pattern: 'cccc 0110 1111 1111 dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = rotated(cpu, insn) & 0xffff; },
    disasm: (insn) => extText('uxth', insn),
    unpredictable: pcDm,
  },
  {
    // UXTAH<c> <Rd>, <Rn>, <Rm>{, <rotation>}
    name: 'UXTAH', pattern: 'cccc 0110 1111 nnnn dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => {
      cpu.r[rd(insn)] = (cpu.r[rn(insn)] + (rotated(cpu, insn) & 0xffff)) | 0;
    },
    disasm: (insn) => extAddText('uxtah', insn),
    unpredictable: pcDm,
  },
  {
    // UXTB16<c> <Rd>, <Rm>{, <rotation>}
    name: 'UXTB16', pattern: 'cccc 0110 1100 1111 dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = rotated(cpu, insn) & 0x00ff00ff; },
    disasm: (insn) => extText('uxtb16', insn),
    unpredictable: pcDm,
  },
  {
    // UXTAB16<c> <Rd>, <Rn>, <Rm>{, <rotation>}
    name: 'UXTAB16', pattern: 'cccc 0110 1100 nnnn dddd rrZZ 0111 mmmm',
    layouts: [RDM, RN, ROT],
    exec: (cpu, insn) => {
      const x = rotated(cpu, insn), n = cpu.r[rn(insn)];
      const lo = (n + (x & 0xff)) & 0xffff;
      const hi = (n >>> 16) + ((x >>> 16) & 0xff);
      cpu.r[rd(insn)] = (hi << 16) | lo;
    },
    disasm: (insn) => extAddText('uxtab16', insn),
    unpredictable: pcDm,
  },
  {
    // QADD<c> <Rd>, <Rm>, <Rn>
    name: 'QADD', pattern: 'cccc 0001 0000 nnnn dddd ZZZZ 0101 mmmm',
    layouts: [RDM, RN],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = sat32(cpu, cpu.r[rm(insn)] + cpu.r[rn(insn)]); },
    disasm: (insn) => qText('qadd', insn),
    unpredictable: pcDnm,
  },
  {
    // QSUB<c> <Rd>, <Rm>, <Rn>
    name: 'QSUB', pattern: 'cccc 0001 0010 nnnn dddd ZZZZ 0101 mmmm',
    layouts: [RDM, RN],
    exec: (cpu, insn) => { cpu.r[rd(insn)] = sat32(cpu, cpu.r[rm(insn)] - cpu.r[rn(insn)]); },
    disasm: (insn) => qText('qsub', insn),
    unpredictable: pcDnm,
  },
  {
    // QDADD<c> <Rd>, <Rm>, <Rn>
    name: 'QDADD', pattern: 'cccc 0001 0100 nnnn dddd ZZZZ 0101 mmmm',
    layouts: [RDM, RN],
    exec: (cpu, insn) => {
      const doubled = sat32(cpu, 2 * cpu.r[rn(insn)]);
      cpu.r[rd(insn)] = sat32(cpu, cpu.r[rm(insn)] + doubled);
    },
    disasm: (insn) => qText('qdadd', insn),
    unpredictable: pcDnm,
  },
  {
    // QDSUB<c> <Rd>, <Rm>, <Rn>
    name: 'QDSUB', pattern: 'cccc 0001 0110 nnnn dddd ZZZZ 0101 mmmm',
    layouts: [RDM, RN],
    exec: (cpu, insn) => {
      const doubled = sat32(cpu, 2 * cpu.r[rn(insn)]);
      cpu.r[rd(insn)] = sat32(cpu, cpu.r[rm(insn)] - doubled);
    },
    disasm: (insn) => qText('qdsub', insn),
    unpredictable: pcDnm,
  },
  {
    // SSAT<c> <Rd>, #<imm>, <Rn>{, <shift>}  (saturate to sat_imm + 1 bits)
    name: 'SSAT', pattern: 'cccc 0110 101s ssss dddd iiii ih01 nnnn',
    layouts: [SAT],
    exec: (cpu, insn) => {
      cpu.r[SAT.d(insn)] = ssat(cpu, satOperand(cpu, insn), (SAT.s(insn)) + 1);
    },
    disasm: (insn) => `ssat${cond(insn)}\t${reg(SAT.d(insn))}, #${(SAT.s(insn)) + 1}, ${reg(SAT.n(insn))}${satShiftText(insn)}`,
    unpredictable: (insn) => SAT.d(insn) === 15 || (SAT.n(insn)) === 15,
  },
  {
    // USAT<c> <Rd>, #<imm>, <Rn>{, <shift>}  (saturate to sat_imm bits)
    name: 'USAT', pattern: 'cccc 0110 111s ssss dddd iiii ih01 nnnn',
    layouts: [SAT],
    exec: (cpu, insn) => {
      cpu.r[SAT.d(insn)] = usat(cpu, satOperand(cpu, insn), SAT.s(insn));
    },
    disasm: (insn) => `usat${cond(insn)}\t${reg(SAT.d(insn))}, #${SAT.s(insn)}, ${reg(SAT.n(insn))}${satShiftText(insn)}`,
    unpredictable: (insn) => SAT.d(insn) === 15 || (SAT.n(insn)) === 15,
  },
  {
    // SSAT16<c> <Rd>, #<imm>, <Rn>  (saturate each halfword to sat_imm + 1 bits)
    name: 'SSAT16', pattern: 'cccc 0110 1010 ssss dddd OOOO 0011 nnnn',
    layouts: [SAT16],
    exec: (cpu, insn) => {
      const x = cpu.r[SAT16.n(insn)], n = (SAT16.s(insn)) + 1;
      const lo = ssat(cpu, (x << 16) >> 16, n), hi = ssat(cpu, x >> 16, n);
      cpu.r[SAT16.d(insn)] = (hi << 16) | (lo & 0xffff);
    },
    disasm: (insn) => `ssat16${cond(insn)}\t${reg(SAT16.d(insn))}, #${(SAT16.s(insn)) + 1}, ${reg(SAT16.n(insn))}`,
    unpredictable: (insn) => SAT16.d(insn) === 15 || (SAT16.n(insn)) === 15,
  },
  {
    // USAT16<c> <Rd>, #<imm>, <Rn>  (saturate each halfword to sat_imm bits)
    name: 'USAT16', pattern: 'cccc 0110 1110 ssss dddd OOOO 0011 nnnn',
    layouts: [SAT16],
    exec: (cpu, insn) => {
      const x = cpu.r[SAT16.n(insn)], n = SAT16.s(insn);
      const lo = usat(cpu, (x << 16) >> 16, n), hi = usat(cpu, x >> 16, n);
      cpu.r[SAT16.d(insn)] = (hi << 16) | lo;
    },
    disasm: (insn) => `usat16${cond(insn)}\t${reg(SAT16.d(insn))}, #${SAT16.s(insn)}, ${reg(SAT16.n(insn))}`,
    unpredictable: (insn) => SAT16.d(insn) === 15 || (SAT16.n(insn)) === 15,
  },
];
