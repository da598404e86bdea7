/**
 * Single loads and stores: LDR, STR, LDRB, STRB (immediate, register, literal),
 * LDRH, STRH, LDRSB, LDRSH, LDRD, STRD, and the unprivileged T variants.
 *
 * Every handler reads the base and offset, computes the address, performs all
 * memory accesses and only then writes registers, so an access that aborts
 * leaves the registers unchanged. P/U/W are bits 24/23/21: P=1 W=0 is the
 * offset form, P=1 W=1 pre-indexed with writeback, P=0 W=0 post-indexed
 * (always writes back); P=0 W=1 selects the T variants.
 */

import { fieldsOf, fieldMask, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { ACC_ALIGN, ACC_UNPRIV } from '../access-flags';
import { shiftImm } from './operands';
import { cond, reg, hex, imm, shiftText } from './syntax';

// ---- field layouts (each row lists the ones its handler and disassembler read) ----

/** Index bits, base and transfer register: every row (literal rows fix Rn = PC, T rows fix P = 0, W = 1). */
const ADDR = fieldsOf('---- ---p u-w- nnnn tttt ---- ---- ----');
/** The word and byte forms' 12-bit offset. */
const OFF12 = fieldsOf('---- ---- ---- ---- ---- iiii iiii iiii');
/** The halfword and dual forms' imm4H:imm4L offset. */
const OFF8 = fieldsOf('---- ---- ---- ---- ---- iiii ---- iiii');
/** Rm shifted by an immediate (word and byte forms); 'y' is the shift type, as 't' is Rt here. */
const OFF_SHIFTED = fieldsOf('---- ---- ---- ---- ---- iiii iyy- mmmm');
/** Rm unshifted (halfword and dual forms). */
const OFF_REG = fieldsOf('---- ---- ---- ---- ---- ---- ---- mmmm');

const P = fieldMask(ADDR, 'p');
const U = fieldMask(ADDR, 'u');
const W = fieldMask(ADDR, 'w');
const PW = P | W;

// ---- operand decoding ------------------------------------------------------

const fn = ADDR.n;
const ft = ADDR.t;
const fm = OFF_REG.m;
/** P == 0 or W == 1. */
function wback(insn: number): boolean { return (insn & PW) !== P; }
const imm8 = OFF8.i;

/** Rm shifted by the immediate shift (LSR/ASR #32, RRX via the C flag). */
function regOffset(cpu: Cpu, insn: number): number {
  return shiftImm(cpu, cpu.r[OFF_SHIFTED.m(insn)], OFF_SHIFTED.y(insn), OFF_SHIFTED.i(insn));
}

function offsetAddr(insn: number, base: number, off: number): number {
  return (insn & U) !== 0 ? (base + off) | 0 : (base - off) | 0;
}

// ---- handlers (off is the unsigned offset magnitude) --------------------------

function loadWord(cpu: Cpu, insn: number, off: number, flags: number): void {
  const n = fn(insn), t = ft(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  const addr = (insn & P) !== 0 ? oa : base;
  const data = cpu.read32(addr, flags);
  if (t === 15 && (addr & 3) !== 0) {
    cpu.undefinedInstruction('UNPREDICTABLE: load to PC from an address that is not word aligned');
    return;
  }
  if (wback(insn)) cpu.r[n] = oa;
  if (t === 15) cpu.loadWritePC(data); else cpu.r[t] = data;
}

function storeWord(cpu: Cpu, insn: number, off: number, flags: number): void {
  const n = fn(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  // r[15] reads as the instruction address + 8, which is what a Cortex-A9 stores for STR pc.
  cpu.write32((insn & P) !== 0 ? oa : base, cpu.r[ft(insn)], flags);
  if (wback(insn)) cpu.r[n] = oa;
}

function loadByte(cpu: Cpu, insn: number, off: number, flags: number): void {
  const n = fn(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  const data = cpu.read8((insn & P) !== 0 ? oa : base, flags);
  if (wback(insn)) cpu.r[n] = oa;
  cpu.r[ft(insn)] = data;
}

function storeByte(cpu: Cpu, insn: number, off: number, flags: number): void {
  const n = fn(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  cpu.write8((insn & P) !== 0 ? oa : base, cpu.r[ft(insn)] & 0xff, flags);
  if (wback(insn)) cpu.r[n] = oa;
}

function loadHalf(cpu: Cpu, insn: number, off: number, flags: number): void {
  const n = fn(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  const data = cpu.read16((insn & P) !== 0 ? oa : base, flags);
  if (wback(insn)) cpu.r[n] = oa;
  cpu.r[ft(insn)] = data;
}

function loadSignedHalf(cpu: Cpu, insn: number, off: number, flags: number): void {
  const n = fn(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  const data = (cpu.read16((insn & P) !== 0 ? oa : base, flags) << 16) >> 16;
  if (wback(insn)) cpu.r[n] = oa;
  cpu.r[ft(insn)] = data;
}

function loadSignedByte(cpu: Cpu, insn: number, off: number, flags: number): void {
  const n = fn(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  const data = (cpu.read8((insn & P) !== 0 ? oa : base, flags) << 24) >> 24;
  if (wback(insn)) cpu.r[n] = oa;
  cpu.r[ft(insn)] = data;
}

function storeHalf(cpu: Cpu, insn: number, off: number, flags: number): void {
  const n = fn(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  cpu.write16((insn & P) !== 0 ? oa : base, cpu.r[ft(insn)] & 0xffff, flags);
  if (wback(insn)) cpu.r[n] = oa;
}

/** LDRD: two word accesses (MemA[address,4] each), so only word alignment is required. */
function loadDual(cpu: Cpu, insn: number, off: number): void {
  const n = fn(insn), t = ft(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  const addr = (insn & P) !== 0 ? oa : base;
  const lo = cpu.read32(addr, ACC_ALIGN);
  const hi = cpu.read32((addr + 4) | 0, ACC_ALIGN);
  cpu.r[t] = lo;
  cpu.r[t + 1] = hi;
  if (wback(insn)) cpu.r[n] = oa;
}

function storeDual(cpu: Cpu, insn: number, off: number): void {
  const n = fn(insn), t = ft(insn);
  const base = cpu.r[n];
  const oa = offsetAddr(insn, base, off);
  const addr = (insn & P) !== 0 ? oa : base;
  cpu.write32(addr, cpu.r[t], ACC_ALIGN);
  cpu.write32((addr + 4) | 0, cpu.r[t + 1], ACC_ALIGN);
  if (wback(insn)) cpu.r[n] = oa;
}

// ---- UNPREDICTABLE operand checks ------------------------------------------

/** Writeback to PC or to the transfer register. */
function badWback(insn: number): boolean {
  const n = fn(insn);
  return wback(insn) && (n === 15 || n === ft(insn));
}

/** T variants: Rn == PC or Rn == Rt. */
function badT(insn: number): boolean {
  const n = fn(insn);
  return n === 15 || n === ft(insn);
}

function badDual(insn: number): boolean {
  const t = ft(insn), n = fn(insn);
  if ((t & 1) !== 0 || t === 14) return true;
  if ((insn & PW) === W) return true;
  return wback(insn) && (n === 15 || n === t || n === t + 1);
}

// ---- disassembly -------------------------------------------------------------

function offText(insn: number, off: number): string {
  if ((insn & U) !== 0) return imm(off);
  return off === 0 ? '#-0' : imm(-off);
}

/** [Rn, #+/-imm], [Rn, #+/-imm]! or [Rn], #+/-imm (objdump elides a zero offset of the offset form). */
function immAddrText(insn: number, off: number): string {
  const n = reg(fn(insn));
  if ((insn & P) === 0) return `[${n}], ${offText(insn, off)}`;
  if ((insn & W) === 0 && (insn & U) !== 0 && off === 0) return `[${n}]`;
  return `[${n}, ${offText(insn, off)}]${(insn & W) !== 0 ? '!' : ''}`;
}

function regAddrText(insn: number, shifted: boolean): string {
  const n = reg(fn(insn));
  const m = `${(insn & U) !== 0 ? '' : '-'}${reg(fm(insn))}${shifted ? shiftText(OFF_SHIFTED.y(insn), OFF_SHIFTED.i(insn)) : ''}`;
  if ((insn & P) === 0) return `[${n}], ${m}`;
  return `[${n}, ${m}]${(insn & W) !== 0 ? '!' : ''}`;
}

/** Literal address: Align(PC, 4) +/- offset, shown as a comment as objdump does. */
function literalText(insn: number, pc: number, off: number): string {
  const target = ((insn & U) !== 0 ? pc + 8 + off : pc + 8 - off) >>> 0;
  return `${immAddrText(insn, off)}\t; ${hex(target)}`;
}

function dis(mn: string, insn: number, addr: string): string {
  return `${mn}${cond(insn)}\t${reg(ft(insn))}, ${addr}`;
}

function disDual(mn: string, insn: number, addr: string): string {
  const t = ft(insn);
  return `${mn}${cond(insn)}\t${reg(t)}, ${reg((t + 1) & 15)}, ${addr}`;
}

const NOT_PC = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

export const loadStoreRows: EncodingSpec[] = [
  // ---- word ----
  {
    // STR<c> <Rt>, [<Rn>{, #+/-<imm12>}]   STR<c> <Rt>, [<Rn>, #+/-<imm12>]!   STR<c> <Rt>, [<Rn>], #+/-<imm12>
    name: 'STR_imm', pattern: 'cccc 010p u0w0 nnnn tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { storeWord(cpu, insn, OFF12.i(insn), 0); },
    disasm: (insn) => {
      // PUSH (A2): STR <Rt>, [sp, #-4]!
      if ((insn & 0x0fff0fff) === 0x052d0004) return `push${cond(insn)}\t{${reg(ft(insn))}}`;
      return dis('str', insn, immAddrText(insn, OFF12.i(insn)));
    },
    unpredictable: badWback,
    gen: { base: 'n', store: true },
  },
  {
    // STRT<c> <Rt>, [<Rn>] {, #+/-<imm12>}
    name: 'STRT_imm', pattern: 'cccc 0100 u010 nnnn tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { storeWord(cpu, insn, OFF12.i(insn), ACC_UNPRIV); },
    disasm: (insn) => dis('strt', insn, immAddrText(insn, OFF12.i(insn))),
    unpredictable: badT,
    gen: { base: 'n', store: true },
  },
  {
    // LDR<c> <Rt>, [<Rn>{, #+/-<imm12>}]   LDR<c> <Rt>, [<Rn>, #+/-<imm12>]!   LDR<c> <Rt>, [<Rn>], #+/-<imm12>
    name: 'LDR_imm', pattern: 'cccc 010p u0w1 nnnn tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { loadWord(cpu, insn, OFF12.i(insn), 0); },
    disasm: (insn) => {
      // POP (A2): LDR <Rt>, [sp], #4
      if ((insn & 0x0fff0fff) === 0x049d0004) return `pop${cond(insn)}\t{${reg(ft(insn))}}`;
      return dis('ldr', insn, immAddrText(insn, OFF12.i(insn)));
    },
    unpredictable: badWback,
    gen: { base: 'n', store: false, fields: { t: NOT_PC } },
  },
  {
    // LDRT<c> <Rt>, [<Rn>] {, #+/-<imm12>}
    name: 'LDRT_imm', pattern: 'cccc 0100 u011 nnnn tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { loadWord(cpu, insn, OFF12.i(insn), ACC_UNPRIV); },
    disasm: (insn) => dis('ldrt', insn, immAddrText(insn, OFF12.i(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDR<c> <Rt>, <label>   (LDR <Rt>, [pc, #+/-<imm12>])
    name: 'LDR_lit', pattern: 'cccc 0101 u001 1111 tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { loadWord(cpu, insn, OFF12.i(insn), 0); },
    disasm: (insn, pc) => dis('ldr', insn, literalText(insn, pc, OFF12.i(insn))),
    gen: { store: false, fields: { t: NOT_PC } },
  },
  {
    // STR<c> <Rt>, [<Rn>, +/-<Rm>{, <shift>}]{!}   STR<c> <Rt>, [<Rn>], +/-<Rm>{, <shift>}
    name: 'STR_reg', pattern: 'cccc 011p u0w0 nnnn tttt iiii iyy0 mmmm',
    layouts: [ADDR, OFF_SHIFTED],
    exec: (cpu, insn) => { storeWord(cpu, insn, regOffset(cpu, insn), 0); },
    disasm: (insn) => dis('str', insn, regAddrText(insn, true)),
    unpredictable: (insn) => fm(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: true },
  },
  {
    // STRT<c> <Rt>, [<Rn>], +/-<Rm>{, <shift>}
    name: 'STRT_reg', pattern: 'cccc 0110 u010 nnnn tttt iiii iyy0 mmmm',
    layouts: [ADDR, OFF_SHIFTED],
    exec: (cpu, insn) => { storeWord(cpu, insn, regOffset(cpu, insn), ACC_UNPRIV); },
    disasm: (insn) => dis('strt', insn, regAddrText(insn, true)),
    unpredictable: (insn) => fm(insn) === 15 || badT(insn),
    gen: { base: 'n', store: true },
  },
  {
    // LDR<c> <Rt>, [<Rn>, +/-<Rm>{, <shift>}]{!}   LDR<c> <Rt>, [<Rn>], +/-<Rm>{, <shift>}
    name: 'LDR_reg', pattern: 'cccc 011p u0w1 nnnn tttt iiii iyy0 mmmm',
    layouts: [ADDR, OFF_SHIFTED],
    exec: (cpu, insn) => { loadWord(cpu, insn, regOffset(cpu, insn), 0); },
    disasm: (insn) => dis('ldr', insn, regAddrText(insn, true)),
    unpredictable: (insn) => fm(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false, fields: { t: NOT_PC } },
  },
  {
    // LDRT<c> <Rt>, [<Rn>], +/-<Rm>{, <shift>}
    name: 'LDRT_reg', pattern: 'cccc 0110 u011 nnnn tttt iiii iyy0 mmmm',
    layouts: [ADDR, OFF_SHIFTED],
    exec: (cpu, insn) => { loadWord(cpu, insn, regOffset(cpu, insn), ACC_UNPRIV); },
    disasm: (insn) => dis('ldrt', insn, regAddrText(insn, true)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },

  // ---- unsigned byte ----
  {
    // STRB<c> <Rt>, [<Rn>{, #+/-<imm12>}]{!}   STRB<c> <Rt>, [<Rn>], #+/-<imm12>
    name: 'STRB_imm', pattern: 'cccc 010p u1w0 nnnn tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { storeByte(cpu, insn, OFF12.i(insn), 0); },
    disasm: (insn) => dis('strb', insn, immAddrText(insn, OFF12.i(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: true },
  },
  {
    // STRBT<c> <Rt>, [<Rn>] {, #+/-<imm12>}
    name: 'STRBT_imm', pattern: 'cccc 0100 u110 nnnn tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { storeByte(cpu, insn, OFF12.i(insn), ACC_UNPRIV); },
    disasm: (insn) => dis('strbt', insn, immAddrText(insn, OFF12.i(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badT(insn),
    gen: { base: 'n', store: true },
  },
  {
    // LDRB<c> <Rt>, [<Rn>{, #+/-<imm12>}]{!}   LDRB<c> <Rt>, [<Rn>], #+/-<imm12>
    name: 'LDRB_imm', pattern: 'cccc 010p u1w1 nnnn tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { loadByte(cpu, insn, OFF12.i(insn), 0); },
    disasm: (insn) => dis('ldrb', insn, immAddrText(insn, OFF12.i(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRBT<c> <Rt>, [<Rn>] {, #+/-<imm12>}
    name: 'LDRBT_imm', pattern: 'cccc 0100 u111 nnnn tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { loadByte(cpu, insn, OFF12.i(insn), ACC_UNPRIV); },
    disasm: (insn) => dis('ldrbt', insn, immAddrText(insn, OFF12.i(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRB<c> <Rt>, <label>   (LDRB <Rt>, [pc, #+/-<imm12>])
    name: 'LDRB_lit', pattern: 'cccc 0101 u101 1111 tttt iiii iiii iiii',
    layouts: [ADDR, OFF12],
    exec: (cpu, insn) => { loadByte(cpu, insn, OFF12.i(insn), 0); },
    disasm: (insn, pc) => dis('ldrb', insn, literalText(insn, pc, OFF12.i(insn))),
    unpredictable: (insn) => ft(insn) === 15,
    gen: { store: false },
  },
  {
    // STRB<c> <Rt>, [<Rn>, +/-<Rm>{, <shift>}]{!}   STRB<c> <Rt>, [<Rn>], +/-<Rm>{, <shift>}
    name: 'STRB_reg', pattern: 'cccc 011p u1w0 nnnn tttt iiii iyy0 mmmm',
    layouts: [ADDR, OFF_SHIFTED],
    exec: (cpu, insn) => { storeByte(cpu, insn, regOffset(cpu, insn), 0); },
    disasm: (insn) => dis('strb', insn, regAddrText(insn, true)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: true },
  },
  {
    // STRBT<c> <Rt>, [<Rn>], +/-<Rm>{, <shift>}
    name: 'STRBT_reg', pattern: 'cccc 0110 u110 nnnn tttt iiii iyy0 mmmm',
    layouts: [ADDR, OFF_SHIFTED],
    exec: (cpu, insn) => { storeByte(cpu, insn, regOffset(cpu, insn), ACC_UNPRIV); },
    disasm: (insn) => dis('strbt', insn, regAddrText(insn, true)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badT(insn),
    gen: { base: 'n', store: true },
  },
  {
    // LDRB<c> <Rt>, [<Rn>, +/-<Rm>{, <shift>}]{!}   LDRB<c> <Rt>, [<Rn>], +/-<Rm>{, <shift>}
    name: 'LDRB_reg', pattern: 'cccc 011p u1w1 nnnn tttt iiii iyy0 mmmm',
    layouts: [ADDR, OFF_SHIFTED],
    exec: (cpu, insn) => { loadByte(cpu, insn, regOffset(cpu, insn), 0); },
    disasm: (insn) => dis('ldrb', insn, regAddrText(insn, true)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRBT<c> <Rt>, [<Rn>], +/-<Rm>{, <shift>}
    name: 'LDRBT_reg', pattern: 'cccc 0110 u111 nnnn tttt iiii iyy0 mmmm',
    layouts: [ADDR, OFF_SHIFTED],
    exec: (cpu, insn) => { loadByte(cpu, insn, regOffset(cpu, insn), ACC_UNPRIV); },
    disasm: (insn) => dis('ldrbt', insn, regAddrText(insn, true)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },

  // ---- halfword ----
  {
    // STRH<c> <Rt>, [<Rn>{, #+/-<imm8>}]{!}   STRH<c> <Rt>, [<Rn>], #+/-<imm8>
    name: 'STRH_imm', pattern: 'cccc 000p u1w0 nnnn tttt iiii 1011 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { storeHalf(cpu, insn, imm8(insn), 0); },
    disasm: (insn) => dis('strh', insn, immAddrText(insn, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: true },
  },
  {
    // STRHT<c> <Rt>, [<Rn>] {, #+/-<imm8>}
    name: 'STRHT_imm', pattern: 'cccc 0000 u110 nnnn tttt iiii 1011 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { storeHalf(cpu, insn, imm8(insn), ACC_UNPRIV); },
    disasm: (insn) => dis('strht', insn, immAddrText(insn, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badT(insn),
    gen: { base: 'n', store: true },
  },
  {
    // STRH<c> <Rt>, [<Rn>, +/-<Rm>]{!}   STRH<c> <Rt>, [<Rn>], +/-<Rm>
    name: 'STRH_reg', pattern: 'cccc 000p u0w0 nnnn tttt ZZZZ 1011 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { storeHalf(cpu, insn, cpu.r[fm(insn)], 0); },
    disasm: (insn) => dis('strh', insn, regAddrText(insn, false)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: true },
  },
  {
    // STRHT<c> <Rt>, [<Rn>], +/-<Rm>
    name: 'STRHT_reg', pattern: 'cccc 0000 u010 nnnn tttt ZZZZ 1011 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { storeHalf(cpu, insn, cpu.r[fm(insn)], ACC_UNPRIV); },
    disasm: (insn) => dis('strht', insn, regAddrText(insn, false)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badT(insn),
    gen: { base: 'n', store: true },
  },
  {
    // LDRH<c> <Rt>, [<Rn>{, #+/-<imm8>}]{!}   LDRH<c> <Rt>, [<Rn>], #+/-<imm8>
    name: 'LDRH_imm', pattern: 'cccc 000p u1w1 nnnn tttt iiii 1011 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadHalf(cpu, insn, imm8(insn), 0); },
    disasm: (insn) => dis('ldrh', insn, immAddrText(insn, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRHT<c> <Rt>, [<Rn>] {, #+/-<imm8>}
    name: 'LDRHT_imm', pattern: 'cccc 0000 u111 nnnn tttt iiii 1011 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadHalf(cpu, insn, imm8(insn), ACC_UNPRIV); },
    disasm: (insn) => dis('ldrht', insn, immAddrText(insn, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRH<c> <Rt>, <label>   (LDRH <Rt>, [pc, #+/-<imm8>])
    name: 'LDRH_lit', pattern: 'cccc 0001 u101 1111 tttt iiii 1011 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadHalf(cpu, insn, imm8(insn), 0); },
    disasm: (insn, pc) => dis('ldrh', insn, literalText(insn, pc, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15,
    gen: { store: false },
  },
  {
    // LDRH<c> <Rt>, [<Rn>, +/-<Rm>]{!}   LDRH<c> <Rt>, [<Rn>], +/-<Rm>
    name: 'LDRH_reg', pattern: 'cccc 000p u0w1 nnnn tttt ZZZZ 1011 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { loadHalf(cpu, insn, cpu.r[fm(insn)], 0); },
    disasm: (insn) => dis('ldrh', insn, regAddrText(insn, false)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRHT<c> <Rt>, [<Rn>], +/-<Rm>
    name: 'LDRHT_reg', pattern: 'cccc 0000 u011 nnnn tttt ZZZZ 1011 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { loadHalf(cpu, insn, cpu.r[fm(insn)], ACC_UNPRIV); },
    disasm: (insn) => dis('ldrht', insn, regAddrText(insn, false)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },

  // ---- signed byte ----
  {
    // LDRSB<c> <Rt>, [<Rn>{, #+/-<imm8>}]{!}   LDRSB<c> <Rt>, [<Rn>], #+/-<imm8>
    name: 'LDRSB_imm', pattern: 'cccc 000p u1w1 nnnn tttt iiii 1101 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadSignedByte(cpu, insn, imm8(insn), 0); },
    disasm: (insn) => dis('ldrsb', insn, immAddrText(insn, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRSBT<c> <Rt>, [<Rn>] {, #+/-<imm8>}
    name: 'LDRSBT_imm', pattern: 'cccc 0000 u111 nnnn tttt iiii 1101 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadSignedByte(cpu, insn, imm8(insn), ACC_UNPRIV); },
    disasm: (insn) => dis('ldrsbt', insn, immAddrText(insn, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRSB<c> <Rt>, <label>   (LDRSB <Rt>, [pc, #+/-<imm8>])
    name: 'LDRSB_lit', pattern: 'cccc 0001 u101 1111 tttt iiii 1101 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadSignedByte(cpu, insn, imm8(insn), 0); },
    disasm: (insn, pc) => dis('ldrsb', insn, literalText(insn, pc, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15,
    gen: { store: false },
  },
  {
    // LDRSB<c> <Rt>, [<Rn>, +/-<Rm>]{!}   LDRSB<c> <Rt>, [<Rn>], +/-<Rm>
    name: 'LDRSB_reg', pattern: 'cccc 000p u0w1 nnnn tttt ZZZZ 1101 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { loadSignedByte(cpu, insn, cpu.r[fm(insn)], 0); },
    disasm: (insn) => dis('ldrsb', insn, regAddrText(insn, false)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRSBT<c> <Rt>, [<Rn>], +/-<Rm>
    name: 'LDRSBT_reg', pattern: 'cccc 0000 u011 nnnn tttt ZZZZ 1101 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { loadSignedByte(cpu, insn, cpu.r[fm(insn)], ACC_UNPRIV); },
    disasm: (insn) => dis('ldrsbt', insn, regAddrText(insn, false)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },

  // ---- signed halfword ----
  {
    // LDRSH<c> <Rt>, [<Rn>{, #+/-<imm8>}]{!}   LDRSH<c> <Rt>, [<Rn>], #+/-<imm8>
    name: 'LDRSH_imm', pattern: 'cccc 000p u1w1 nnnn tttt iiii 1111 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadSignedHalf(cpu, insn, imm8(insn), 0); },
    disasm: (insn) => dis('ldrsh', insn, immAddrText(insn, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRSHT<c> <Rt>, [<Rn>] {, #+/-<imm8>}
    name: 'LDRSHT_imm', pattern: 'cccc 0000 u111 nnnn tttt iiii 1111 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadSignedHalf(cpu, insn, imm8(insn), ACC_UNPRIV); },
    disasm: (insn) => dis('ldrsht', insn, immAddrText(insn, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRSH<c> <Rt>, <label>   (LDRSH <Rt>, [pc, #+/-<imm8>])
    name: 'LDRSH_lit', pattern: 'cccc 0001 u101 1111 tttt iiii 1111 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadSignedHalf(cpu, insn, imm8(insn), 0); },
    disasm: (insn, pc) => dis('ldrsh', insn, literalText(insn, pc, imm8(insn))),
    unpredictable: (insn) => ft(insn) === 15,
    gen: { store: false },
  },
  {
    // LDRSH<c> <Rt>, [<Rn>, +/-<Rm>]{!}   LDRSH<c> <Rt>, [<Rn>], +/-<Rm>
    name: 'LDRSH_reg', pattern: 'cccc 000p u0w1 nnnn tttt ZZZZ 1111 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { loadSignedHalf(cpu, insn, cpu.r[fm(insn)], 0); },
    disasm: (insn) => dis('ldrsh', insn, regAddrText(insn, false)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badWback(insn),
    gen: { base: 'n', store: false },
  },
  {
    // LDRSHT<c> <Rt>, [<Rn>], +/-<Rm>
    name: 'LDRSHT_reg', pattern: 'cccc 0000 u011 nnnn tttt ZZZZ 1111 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { loadSignedHalf(cpu, insn, cpu.r[fm(insn)], ACC_UNPRIV); },
    disasm: (insn) => dis('ldrsht', insn, regAddrText(insn, false)),
    unpredictable: (insn) => ft(insn) === 15 || fm(insn) === 15 || badT(insn),
    gen: { base: 'n', store: false },
  },

  // ---- doubleword (P=0 W=1 is UNPREDICTABLE: there is no LDRDT/STRDT) ----
  {
    // LDRD<c> <Rt>, <Rt2>, [<Rn>{, #+/-<imm8>}]{!}   LDRD<c> <Rt>, <Rt2>, [<Rn>], #+/-<imm8>
    name: 'LDRD_imm', pattern: 'cccc 000p u1w0 nnnn tttt iiii 1101 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadDual(cpu, insn, imm8(insn)); },
    disasm: (insn) => disDual('ldrd', insn, immAddrText(insn, imm8(insn))),
    unpredictable: badDual,
    gen: { base: 'n', store: false },
  },
  {
    // LDRD<c> <Rt>, <Rt2>, <label>   (LDRD <Rt>, <Rt2>, [pc, #+/-<imm8>])
    name: 'LDRD_lit', pattern: 'cccc 0001 u100 1111 tttt iiii 1101 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { loadDual(cpu, insn, imm8(insn)); },
    disasm: (insn, pc) => disDual('ldrd', insn, literalText(insn, pc, imm8(insn))),
    unpredictable: (insn) => (ft(insn) & 1) !== 0 || ft(insn) === 14,
    gen: { store: false },
  },
  {
    // LDRD<c> <Rt>, <Rt2>, [<Rn>, +/-<Rm>]{!}   LDRD<c> <Rt>, <Rt2>, [<Rn>], +/-<Rm>
    name: 'LDRD_reg', pattern: 'cccc 000p u0w0 nnnn tttt ZZZZ 1101 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { loadDual(cpu, insn, cpu.r[fm(insn)]); },
    disasm: (insn) => disDual('ldrd', insn, regAddrText(insn, false)),
    unpredictable: (insn) => {
      const m = fm(insn), t = ft(insn);
      return badDual(insn) || m === 15 || m === t || m === t + 1;
    },
    gen: { base: 'n', store: false },
  },
  {
    // STRD<c> <Rt>, <Rt2>, [<Rn>{, #+/-<imm8>}]{!}   STRD<c> <Rt>, <Rt2>, [<Rn>], #+/-<imm8>
    name: 'STRD_imm', pattern: 'cccc 000p u1w0 nnnn tttt iiii 1111 iiii',
    layouts: [ADDR, OFF8],
    exec: (cpu, insn) => { storeDual(cpu, insn, imm8(insn)); },
    disasm: (insn) => disDual('strd', insn, immAddrText(insn, imm8(insn))),
    unpredictable: badDual,
    gen: { base: 'n', store: true },
  },
  {
    // STRD<c> <Rt>, <Rt2>, [<Rn>, +/-<Rm>]{!}   STRD<c> <Rt>, <Rt2>, [<Rn>], +/-<Rm>
    name: 'STRD_reg', pattern: 'cccc 000p u0w0 nnnn tttt ZZZZ 1111 mmmm',
    layouts: [ADDR, OFF_REG],
    exec: (cpu, insn) => { storeDual(cpu, insn, cpu.r[fm(insn)]); },
    disasm: (insn) => disDual('strd', insn, regAddrText(insn, false)),
    unpredictable: (insn) => badDual(insn) || fm(insn) === 15,
    gen: { base: 'n', store: true },
  },
];
