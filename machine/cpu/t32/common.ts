/**
 * Pieces shared by the Thumb (T16 and T32) family files: the IT-block state
 * queries, ThumbExpandImm, register-field remapping onto the A32 rows whose
 * semantics are identical, and Thumb-specific disassembly text.
 *
 * T16 rows see the halfword in bits 15:0 (bits 31:16 zero). T32 rows see the
 * first halfword in bits 31:16 and the second in bits 15:0, so "hw1 bit k" is
 * insn bit k + 16.
 */

import type { Cpu } from '../cpu';
import { fieldsOf, type EncodingRow, type EncodingSpec, type Handler } from '../encoding';
import { a32Decoder } from '../a32/table';
import { reg, hex } from '../a32/syntax';

/** InITBlock(): IT[3:0] != 0. */
export function inITBlock(cpu: Cpu): boolean {
  return (cpu.it & 0xf) !== 0;
}

/** InITBlock() && !LastInITBlock(): where a PC write is UNPREDICTABLE. */
export function inITNotLast(cpu: Cpu): boolean {
  const m = cpu.it & 0xf;
  return m !== 0 && m !== 8;
}

/** ITAdvance() applied to an ITSTATE value. */
export function itAdvance(it: number): number {
  return (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
}

/** UNPREDICTABLE use inside an IT block: taken as UNDEFINED, like every UNPREDICTABLE case. */
export function itUnpredictable(cpu: Cpu, what: string): void {
  cpu.undefinedInstruction(`UNPREDICTABLE: ${what} inside an IT block (treated as UNDEFINED)`);
}

// ---- ThumbExpandImm ------------------------------------------------------------

// ---- T32 field layouts shared by the family files (hw1 in bits 31:16, hw2 in 15:0) ----

/** Rn: hw1 bits 3:0. */
export const T32_RN = fieldsOf('------------nnnn ----------------');
/** Rt (and Ra, RdLo): hw2 bits 15:12. */
export const T32_RT = fieldsOf('---------------- tttt------------');
/** Rd (and RdHi, Rt2): hw2 bits 11:8. */
export const T32_RD = fieldsOf('---------------- ----dddd--------');
/** Rm: hw2 bits 3:0. */
export const T32_RM = fieldsOf('---------------- ------------mmmm');
/** The S bit: hw1 bit 4. */
export const T32_S = fieldsOf('-----------S---- ----------------');
/** i:imm3:imm8 of the modified and plain 12-bit immediates (bits 26, 14:12, 7:0). */
export const T32_IMM12 = fieldsOf('-----i---------- -iii----iiiiiiii');

/** i:imm3:imm8 of a T32 modified-immediate encoding. */
export const imm12Of = T32_IMM12.i;

/** ThumbExpandImm(imm12) as an int32. */
export function thumbExpandImm(imm12: number): number {
  const v = imm12 & 0xff;
  if ((imm12 & 0xc00) === 0) {
    switch ((imm12 >>> 8) & 3) {
      case 0: return v;
      case 1: return (v << 16) | v;
      case 2: return (v << 24) | (v << 8);
      default: return (v << 24) | (v << 16) | (v << 8) | v;
    }
  }
  // '1':imm12<6:0> rotated right by imm12<11:7> (at least 8, so never zero).
  const unrot = 0x80 | (imm12 & 0x7f);
  const rot = (imm12 >>> 7) & 31;
  return ((unrot >>> rot) | (unrot << (32 - rot))) | 0;
}

/** Carry out of ThumbExpandImm_C: bit 31 of a rotated value, else the carry in. */
export function thumbExpandImmCarry(imm12: number, carryIn: number): number {
  return (imm12 & 0xc00) === 0 ? carryIn : thumbExpandImm(imm12) >>> 31;
}

/** The replicated-byte forms with a zero byte are UNPREDICTABLE. */
export function badThumbImm(insn: number): boolean {
  const imm12 = imm12Of(insn);
  return (imm12 & 0xc00) === 0 && (imm12 & 0x300) !== 0 && (imm12 & 0xff) === 0;
}

// ---- reuse of A32 rows ------------------------------------------------------------

/** The compiled A32 row of that name (its exec/disasm are called with a remapped word). */
export function a32Row(name: string): EncodingRow {
  const row = a32Decoder().rows.find((r) => r.name === name);
  if (!row) throw new Error(`no A32 row named ${name}`);
  return row;
}

/** A32 word for a row with cond = AL and every field zero. */
export function a32Base(name: string): number {
  const row = a32Row(name);
  return (row.value | (row.conditional ? 0xe0000000 : 0)) | 0;
}

/**
 * A T32 row executing an A32 row's semantics: `remap` moves the fields of the
 * T32 word to their A32 positions (added to the A32 row's fixed bits).
 */
export function viaA32(
  name: string, a32Name: string, pattern: string, remap: (insn: number) => number,
  extra: Partial<EncodingSpec> = {},
): EncodingSpec {
  const row = a32Row(a32Name);
  const base = a32Base(a32Name);
  const exec: Handler = row.exec;
  const disasm = row.disasm;
  return {
    name, pattern,
    exec: (cpu, insn) => { exec(cpu, base | remap(insn)); },
    disasm: (insn, pc) => disasm((base | remap(insn)) >>> 0, pc),
    ...extra,
  };
}

// Field moves from T32 positions (Rn hw1 3:0, Ra/RdLo hw2 15:12, Rd/RdHi hw2 11:8,
// Rm hw2 3:0) to the A32 ones.

/** Data-processing layout: Rn -> 19:16, Rd -> 15:12, Rm -> 3:0. */
export function remapDNM(insn: number): number {
  return (insn & 0x000f000f) | ((insn & 0xf00) << 4);
}

/** Rd -> 15:12, Rm -> 3:0 (two-register forms; Rn of the A32 row stays as fixed). */
export function remapDM(insn: number): number {
  return ((insn & 0xf00) << 4) | (insn & 0xf);
}

/** Multiply layout: Rd/RdHi -> 19:16, Ra/RdLo -> 15:12, Rm -> 11:8, Rn -> 3:0. */
export function remapMul(insn: number): number {
  return ((insn & 0xf00) << 8) | (insn & 0xf000) | ((insn & 0xf) << 8) | ((insn >>> 16) & 0xf);
}

// ---- register checks ---------------------------------------------------------------

/** BadReg(): SP or PC. */
export function badReg(r: number): boolean {
  return r === 13 || r === 15;
}

export const hwRn = T32_RN.n;
export const hwRd = T32_RD.d;
export const hwRt = T32_RT.t;
export const hwRm = T32_RM.m;

/** Any of Rd (11:8), Rn (19:16), Rm (3:0) is SP or PC. */
export function badDNM(insn: number): boolean {
  return badReg(hwRd(insn)) || badReg(hwRn(insn)) || badReg(hwRm(insn));
}

/** Rd or Rm is SP or PC. */
export function badDM(insn: number): boolean {
  return badReg(hwRd(insn)) || badReg(hwRm(insn));
}

// ---- disassembly ----------------------------------------------------------------------

export { reg, hex };

/** #imm in decimal for small values, hex otherwise (objdump style). */
export function immText(v: number): string {
  return v >= -9 && v <= 9 ? `#${v}` : `#${v < 0 ? '-' : ''}${hex(Math.abs(v))}`;
}

/** Register list of T16 PUSH/POP/LDM/STM. */
export function listText(list: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i++) if (list & (1 << i)) parts.push(reg(i));
  return `{${parts.join(', ')}}`;
}

/** Registers other than SP and PC, for generator field constraints. */
export const GOOD = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14];
