/**
 * Parallel add/subtract (S, Q, SH, U, UQ, UH x ADD16, ASX, SAX, SUB16, ADD8,
 * SUB8), SEL, USAD8, USADA8, PKHBT, PKHTB.
 *
 * All 36 parallel add/subtract rows share two lane engines (par16, par8); the
 * row passes its operation and prefix as constants. The S and U forms set
 * APSR.GE; the Q, UQ, SH and UH forms leave GE and Q unchanged.
 */

import { fieldsOf, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { cond, reg } from './syntax';

// ---- field layouts (each row lists the ones its handler and disassembler read) ----

/** Rd, Rn, Rm of the parallel rows, SEL and PKH. */
const DNM = fieldsOf('---- ---- ---- nnnn dddd ---- ---- mmmm');
/** PKHBT/PKHTB shift amount. */
const PKH = fieldsOf('---- ---- ---- ---- ---- iiii i--- ----');
/** USAD8/USADA8: Rd (19:16), Ra (15:12; 1111 in USAD8), Rm (11:8), Rn (3:0). */
const SAD = fieldsOf('---- ---- ---- dddd aaaa mmmm ---- nnnn');

// Prefixes, in the order of bits 22:20 = 001, 010, 011, 101, 110, 111.
const S = 0, Q = 1, SH = 2, U = 3, UQ = 4, UH = 5;

// Halfword operations. ASX and SAX pair each halfword of Rn with the other
// halfword of Rm: ASX subtracts in the low lane and adds in the high lane, SAX
// the reverse.
const ADD16 = 0, ASX = 1, SAX = 2, SUB16 = 3;

/** Runs a halfword parallel operation of the given prefix. */
function par16(cpu: Cpu, insn: number, op: number, kind: number): void {
  const a = cpu.r[DNM.n(insn)], b = cpu.r[DNM.m(insn)];
  let a0: number, a1: number, b0: number, b1: number;
  if (kind < U) {
    a0 = (a << 16) >> 16; a1 = a >> 16; b0 = (b << 16) >> 16; b1 = b >> 16;
  } else {
    a0 = a & 0xffff; a1 = a >>> 16; b0 = b & 0xffff; b1 = b >>> 16;
  }
  let r0: number, r1: number, add0: boolean, add1: boolean;
  switch (op) {
    case ADD16: r0 = a0 + b0; r1 = a1 + b1; add0 = true; add1 = true; break;
    case ASX: r0 = a0 - b1; r1 = a1 + b0; add0 = false; add1 = true; break;
    case SAX: r0 = a0 + b1; r1 = a1 - b0; add0 = true; add1 = false; break;
    default: r0 = a0 - b0; r1 = a1 - b1; add0 = false; add1 = false; break;
  }
  switch (kind) {
    case S:
      cpu.ge = (r0 >= 0 ? 3 : 0) | (r1 >= 0 ? 12 : 0);
      break;
    case U:
      cpu.ge = ((add0 ? r0 >= 0x10000 : r0 >= 0) ? 3 : 0) | ((add1 ? r1 >= 0x10000 : r1 >= 0) ? 12 : 0);
      break;
    case Q:
      r0 = r0 > 0x7fff ? 0x7fff : r0 < -0x8000 ? -0x8000 : r0;
      r1 = r1 > 0x7fff ? 0x7fff : r1 < -0x8000 ? -0x8000 : r1;
      break;
    case UQ:
      r0 = r0 > 0xffff ? 0xffff : r0 < 0 ? 0 : r0;
      r1 = r1 > 0xffff ? 0xffff : r1 < 0 ? 0 : r1;
      break;
    default: // SH, UH: the full-precision result halved
      r0 >>= 1; r1 >>= 1;
      break;
  }
  cpu.r[DNM.d(insn)] = (r1 << 16) | (r0 & 0xffff);
}

/** Runs a byte parallel ADD8 (add true) or SUB8 of the given prefix. */
function par8(cpu: Cpu, insn: number, add: boolean, kind: number): void {
  const a = cpu.r[DNM.n(insn)], b = cpu.r[DNM.m(insn)];
  let res = 0, ge = 0;
  for (let i = 0; i < 4; i++) {
    const sh = i << 3;
    let x: number, y: number;
    if (kind < U) { x = (a << (24 - sh)) >> 24; y = (b << (24 - sh)) >> 24; }
    else { x = (a >>> sh) & 0xff; y = (b >>> sh) & 0xff; }
    let r = add ? x + y : x - y;
    switch (kind) {
      case S: if (r >= 0) ge |= 1 << i; break;
      case U: if (add ? r >= 0x100 : r >= 0) ge |= 1 << i; break;
      case Q: r = r > 0x7f ? 0x7f : r < -0x80 ? -0x80 : r; break;
      case UQ: r = r > 0xff ? 0xff : r < 0 ? 0 : r; break;
      default: r >>= 1; break;
    }
    res |= (r & 0xff) << sh;
  }
  if (kind === S || kind === U) cpu.ge = ge;
  cpu.r[DNM.d(insn)] = res;
}

function rdnm(insn: number): string {
  return `${reg(DNM.d(insn))}, ${reg(DNM.n(insn))}, ${reg(DNM.m(insn))}`;
}

/** Operands Rd, Rn, Rm all in bits 15:12, 19:16, 3:0: none may be the PC. */
function anyPcDnm(insn: number): boolean {
  return (DNM.d(insn)) === 15 || (DNM.n(insn)) === 15 || (DNM.m(insn)) === 15;
}

/** One row of the parallel add/subtract group: bits 22:20 = op1, bits 7:5 = op2. */
function par(name: string, op1: string, op2: string, exec: (cpu: Cpu, insn: number) => void): EncodingSpec {
  const mnemonic = name.toLowerCase();
  return {
    name, pattern: `cccc 0110 0${op1} nnnn dddd OOOO ${op2}1 mmmm`, exec,
    layouts: [DNM],
    disasm: (insn) => `${mnemonic}${cond(insn)}\t${rdnm(insn)}`,
    unpredictable: anyPcDnm,
  };
}

function pkhOperands(insn: number, tb: boolean): string {
  const imm5 = PKH.i(insn);
  let shift = '';
  if (tb) shift = `, asr #${imm5 === 0 ? 32 : imm5}`;
  else if (imm5 !== 0) shift = `, lsl #${imm5}`;
  return `${rdnm(insn)}${shift}`;
}

export const parallelRows: EncodingSpec[] = [
  // SADD16<c> <Rd>, <Rn>, <Rm>
  par('SADD16', '001', '000', (cpu, insn) => par16(cpu, insn, ADD16, S)),
  // SASX<c> <Rd>, <Rn>, <Rm>
  par('SASX', '001', '001', (cpu, insn) => par16(cpu, insn, ASX, S)),
  // SSAX<c> <Rd>, <Rn>, <Rm>
  par('SSAX', '001', '010', (cpu, insn) => par16(cpu, insn, SAX, S)),
  // SSUB16<c> <Rd>, <Rn>, <Rm>
  par('SSUB16', '001', '011', (cpu, insn) => par16(cpu, insn, SUB16, S)),
  // SADD8<c> <Rd>, <Rn>, <Rm>
  par('SADD8', '001', '100', (cpu, insn) => par8(cpu, insn, true, S)),
  // SSUB8<c> <Rd>, <Rn>, <Rm>
  par('SSUB8', '001', '111', (cpu, insn) => par8(cpu, insn, false, S)),
  // QADD16<c> <Rd>, <Rn>, <Rm>
  par('QADD16', '010', '000', (cpu, insn) => par16(cpu, insn, ADD16, Q)),
  // QASX<c> <Rd>, <Rn>, <Rm>
  par('QASX', '010', '001', (cpu, insn) => par16(cpu, insn, ASX, Q)),
  // QSAX<c> <Rd>, <Rn>, <Rm>
  par('QSAX', '010', '010', (cpu, insn) => par16(cpu, insn, SAX, Q)),
  // QSUB16<c> <Rd>, <Rn>, <Rm>
  par('QSUB16', '010', '011', (cpu, insn) => par16(cpu, insn, SUB16, Q)),
  // QADD8<c> <Rd>, <Rn>, <Rm>
  par('QADD8', '010', '100', (cpu, insn) => par8(cpu, insn, true, Q)),
  // QSUB8<c> <Rd>, <Rn>, <Rm>
  par('QSUB8', '010', '111', (cpu, insn) => par8(cpu, insn, false, Q)),
  // SHADD16<c> <Rd>, <Rn>, <Rm>
  par('SHADD16', '011', '000', (cpu, insn) => par16(cpu, insn, ADD16, SH)),
  // SHASX<c> <Rd>, <Rn>, <Rm>
  par('SHASX', '011', '001', (cpu, insn) => par16(cpu, insn, ASX, SH)),
  // SHSAX<c> <Rd>, <Rn>, <Rm>
  par('SHSAX', '011', '010', (cpu, insn) => par16(cpu, insn, SAX, SH)),
  // SHSUB16<c> <Rd>, <Rn>, <Rm>
  par('SHSUB16', '011', '011', (cpu, insn) => par16(cpu, insn, SUB16, SH)),
  // SHADD8<c> <Rd>, <Rn>, <Rm>
  par('SHADD8', '011', '100', (cpu, insn) => par8(cpu, insn, true, SH)),
  // SHSUB8<c> <Rd>, <Rn>, <Rm>
  par('SHSUB8', '011', '111', (cpu, insn) => par8(cpu, insn, false, SH)),
  // UADD16<c> <Rd>, <Rn>, <Rm>
  par('UADD16', '101', '000', (cpu, insn) => par16(cpu, insn, ADD16, U)),
  // UASX<c> <Rd>, <Rn>, <Rm>
  par('UASX', '101', '001', (cpu, insn) => par16(cpu, insn, ASX, U)),
  // USAX<c> <Rd>, <Rn>, <Rm>
  par('USAX', '101', '010', (cpu, insn) => par16(cpu, insn, SAX, U)),
  // USUB16<c> <Rd>, <Rn>, <Rm>
  par('USUB16', '101', '011', (cpu, insn) => par16(cpu, insn, SUB16, U)),
  // UADD8<c> <Rd>, <Rn>, <Rm>
  par('UADD8', '101', '100', (cpu, insn) => par8(cpu, insn, true, U)),
  // USUB8<c> <Rd>, <Rn>, <Rm>
  par('USUB8', '101', '111', (cpu, insn) => par8(cpu, insn, false, U)),
  // UQADD16<c> <Rd>, <Rn>, <Rm>
  par('UQADD16', '110', '000', (cpu, insn) => par16(cpu, insn, ADD16, UQ)),
  // UQASX<c> <Rd>, <Rn>, <Rm>
  par('UQASX', '110', '001', (cpu, insn) => par16(cpu, insn, ASX, UQ)),
  // UQSAX<c> <Rd>, <Rn>, <Rm>
  par('UQSAX', '110', '010', (cpu, insn) => par16(cpu, insn, SAX, UQ)),
  // UQSUB16<c> <Rd>, <Rn>, <Rm>
  par('UQSUB16', '110', '011', (cpu, insn) => par16(cpu, insn, SUB16, UQ)),
  // UQADD8<c> <Rd>, <Rn>, <Rm>
  par('UQADD8', '110', '100', (cpu, insn) => par8(cpu, insn, true, UQ)),
  // UQSUB8<c> <Rd>, <Rn>, <Rm>
  par('UQSUB8', '110', '111', (cpu, insn) => par8(cpu, insn, false, UQ)),
  // UHADD16<c> <Rd>, <Rn>, <Rm>
  par('UHADD16', '111', '000', (cpu, insn) => par16(cpu, insn, ADD16, UH)),
  // UHASX<c> <Rd>, <Rn>, <Rm>
  par('UHASX', '111', '001', (cpu, insn) => par16(cpu, insn, ASX, UH)),
  // UHSAX<c> <Rd>, <Rn>, <Rm>
  par('UHSAX', '111', '010', (cpu, insn) => par16(cpu, insn, SAX, UH)),
  // UHSUB16<c> <Rd>, <Rn>, <Rm>
  par('UHSUB16', '111', '011', (cpu, insn) => par16(cpu, insn, SUB16, UH)),
  // UHADD8<c> <Rd>, <Rn>, <Rm>
  par('UHADD8', '111', '100', (cpu, insn) => par8(cpu, insn, true, UH)),
  // UHSUB8<c> <Rd>, <Rn>, <Rm>
  par('UHSUB8', '111', '111', (cpu, insn) => par8(cpu, insn, false, UH)),
  {
    // SEL<c> <Rd>, <Rn>, <Rm>
    name: 'SEL', pattern: 'cccc 0110 1000 nnnn dddd OOOO 1011 mmmm',
    layouts: [DNM],
    exec: (cpu, insn) => {
      const ge = cpu.ge;
      // Byte i comes from Rn where GE[i] is set, else from Rm.
      const mask = ((ge & 1) ? 0xff : 0) | ((ge & 2) ? 0xff00 : 0) | ((ge & 4) ? 0xff0000 : 0) | ((ge & 8) ? 0xff000000 : 0);
      cpu.r[DNM.d(insn)] = (cpu.r[DNM.n(insn)] & mask) | (cpu.r[DNM.m(insn)] & ~mask);
    },
    disasm: (insn) => `sel${cond(insn)}\t${rdnm(insn)}`,
    unpredictable: anyPcDnm,
  },
  {
    // USAD8<c> <Rd>, <Rn>, <Rm>
    name: 'USAD8', pattern: 'cccc 0111 1000 dddd 1111 mmmm 0001 nnnn',
    layouts: [SAD],
    exec: (cpu, insn) => {
      cpu.r[SAD.d(insn)] = sad8(cpu.r[SAD.n(insn)], cpu.r[SAD.m(insn)]);
    },
    disasm: (insn) => `usad8${cond(insn)}\t${reg(SAD.d(insn))}, ${reg(SAD.n(insn))}, ${reg(SAD.m(insn))}`,
    unpredictable: (insn) => (SAD.d(insn)) === 15 || (SAD.m(insn)) === 15 || (SAD.n(insn)) === 15,
  },
  {
    // USADA8<c> <Rd>, <Rn>, <Rm>, <Ra>  (Ra == 1111 is USAD8)
    name: 'USADA8', pattern: 'cccc 0111 1000 dddd aaaa mmmm 0001 nnnn',
    layouts: [SAD],
    exec: (cpu, insn) => {
      const sum = sad8(cpu.r[SAD.n(insn)], cpu.r[SAD.m(insn)]);
      cpu.r[SAD.d(insn)] = (cpu.r[SAD.a(insn)] + sum) | 0;
    },
    disasm: (insn) => `usada8${cond(insn)}\t${reg(SAD.d(insn))}, ${reg(SAD.n(insn))}, ${reg(SAD.m(insn))}, ${reg(SAD.a(insn))}`,
    unpredictable: (insn) => (SAD.d(insn)) === 15 || (SAD.m(insn)) === 15 || (SAD.n(insn)) === 15,
  },
  {
    // PKHBT<c> <Rd>, <Rn>, <Rm>{, LSL #<imm>}
    name: 'PKHBT', pattern: 'cccc 0110 1000 nnnn dddd iiii i001 mmmm',
    layouts: [DNM, PKH],
    exec: (cpu, insn) => {
      const op2 = cpu.r[DNM.m(insn)] << (PKH.i(insn));
      cpu.r[DNM.d(insn)] = (op2 & 0xffff0000) | (cpu.r[DNM.n(insn)] & 0xffff);
    },
    disasm: (insn) => `pkhbt${cond(insn)}\t${pkhOperands(insn, false)}`,
    unpredictable: anyPcDnm,
  },
  {
    // PKHTB<c> <Rd>, <Rn>, <Rm>{, ASR #<imm>}  (imm5 == 0 encodes ASR #32)
    name: 'PKHTB', pattern: 'cccc 0110 1000 nnnn dddd iiii i101 mmmm',
    layouts: [DNM, PKH],
    exec: (cpu, insn) => {
      const imm5 = PKH.i(insn);
      const op2 = cpu.r[DNM.m(insn)] >> (imm5 === 0 ? 31 : imm5);
      cpu.r[DNM.d(insn)] = (cpu.r[DNM.n(insn)] & 0xffff0000) | (op2 & 0xffff);
    },
    disasm: (insn) => `pkhtb${cond(insn)}\t${pkhOperands(insn, true)}`,
    unpredictable: anyPcDnm,
  },
];

/** Sum of the absolute differences of the four unsigned byte pairs. */
function sad8(x: number, y: number): number {
  let sum = 0;
  for (let sh = 0; sh < 32; sh += 8) {
    const d = ((x >>> sh) & 0xff) - ((y >>> sh) & 0xff);
    sum += d < 0 ? -d : d;
  }
  return sum;
}
