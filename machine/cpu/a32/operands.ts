/**
 * Shared operand helpers for A32 handlers: shifts with carry out, the modified
 * immediate, flag arithmetic. Results are int32 (`|0`); carries are 0/1.
 */

import type { Cpu } from '../cpu';

/** Shift types as encoded in bits 6:5. */
export const SRType = { LSL: 0, LSR: 1, ASR: 2, ROR: 3 } as const;

/** Carry out of the last shifter operation (read by the flag-setting logical ops). */
export let shifterCarry = 0;

/** ARMExpandImm_C: imm12 rotated; sets shifterCarry. */
export function expandImm(cpu: Cpu, imm12: number): number {
  const rot = (imm12 >>> 8) * 2;
  const v = imm12 & 0xff;
  if (rot === 0) { shifterCarry = cpu.c; return v; }
  const res = ((v >>> rot) | (v << (32 - rot))) | 0;
  shifterCarry = res >>> 31;
  return res;
}

/** Shift by an immediate as encoded (DecodeImmShift): LSR/ASR #0 mean #32, ROR #0 means RRX. */
export function shiftImm(cpu: Cpu, value: number, type: number, imm5: number): number {
  switch (type) {
    case 0:
      if (imm5 === 0) { shifterCarry = cpu.c; return value | 0; }
      shifterCarry = (value >>> (32 - imm5)) & 1;
      return (value << imm5) | 0;
    case 1:
      if (imm5 === 0) { shifterCarry = value >>> 31; return 0; }
      shifterCarry = (value >>> (imm5 - 1)) & 1;
      return (value >>> imm5) | 0;
    case 2:
      if (imm5 === 0) { shifterCarry = value >>> 31; return value >> 31; }
      shifterCarry = (value >> (imm5 - 1)) & 1;
      return value >> imm5;
    default:
      if (imm5 === 0) { // RRX
        shifterCarry = value & 1;
        return ((cpu.c << 31) | (value >>> 1)) | 0;
      }
      shifterCarry = (value >>> (imm5 - 1)) & 1;
      return ((value >>> imm5) | (value << (32 - imm5))) | 0;
  }
}

/** Shift by the bottom byte of a register (0..255). */
export function shiftReg(cpu: Cpu, value: number, type: number, amount: number): number {
  amount &= 0xff;
  if (amount === 0) { shifterCarry = cpu.c; return value | 0; }
  switch (type) {
    case 0:
      if (amount < 32) { shifterCarry = (value >>> (32 - amount)) & 1; return (value << amount) | 0; }
      shifterCarry = amount === 32 ? value & 1 : 0;
      return 0;
    case 1:
      if (amount < 32) { shifterCarry = (value >>> (amount - 1)) & 1; return (value >>> amount) | 0; }
      shifterCarry = amount === 32 ? value >>> 31 : 0;
      return 0;
    case 2:
      if (amount < 32) { shifterCarry = (value >> (amount - 1)) & 1; return value >> amount; }
      shifterCarry = value >>> 31;
      return value >> 31;
    default: {
      const r = amount & 31;
      if (r === 0) { shifterCarry = value >>> 31; return value | 0; }
      shifterCarry = (value >>> (r - 1)) & 1;
      return ((value >>> r) | (value << (32 - r))) | 0;
    }
  }
}

/** Sets N, Z, C, V for x + y + carry and returns the int32 result. */
export function addWithCarry(cpu: Cpu, x: number, y: number, carry: number): number {
  const ux = x >>> 0, uy = y >>> 0;
  const usum = ux + uy + carry;
  const res = usum | 0;
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  cpu.c = usum > 0xffffffff ? 1 : 0;
  cpu.v = ((~(x ^ y) & (x ^ res)) >>> 31);
  return res;
}

/** Sets N and Z from an int32 result. */
export function setNZ(cpu: Cpu, res: number): void {
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
}
