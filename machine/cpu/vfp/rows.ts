/**
 * VFPv3-D16 instructions of the Cortex-A9 FPU (coprocessors 10 and 11): data
 * processing, conversions, extension register loads and stores, transfers
 * between core and extension registers, VMRS/VMSR.
 *
 * The same handlers serve A32 and T32: a T32 VFP instruction is the A32 word
 * with 1110 in place of the condition (hw1 in bits 31:16), and no handler
 * looks at bits 31:28. `vfpExec` maps row names to handlers for the Thumb
 * decoder, which evaluates the IT condition itself.
 *
 * Enablement (CheckVFPEnabled): CPACR.cp10 = 00 or the reserved 10 is
 * UNDEFINED, 01 is UNDEFINED in User mode; FPEXC.EN = 0 is UNDEFINED except
 * for VMRS/VMSR of FPSID, FPEXC and MVFR0/1 at PL1. These UNDEFINED cases are
 * how an OS implements lazy context switching, so they are not reported as
 * guest errors.
 *
 * Cortex-A9 specifics: D16-D31 do not exist (an access is UNDEFINED); short
 * vectors are not supported, so with FPSCR.Len != 0 the instructions that
 * would operate on vectors are UNDEFINED (Stride is ignored); VFPv4 fused
 * multiply-accumulate is UNDEFINED; half-precision conversion (VCVTB/VCVTT)
 * between single and half precision is present.
 */

import type { EncodingSpec, Handler } from '../encoding';
import type { Cpu } from '../cpu';
import { ACC_ALIGN } from '../access-flags';
import { MODE_USR } from '../modes';
import { cond, reg, hex } from '../a32/syntax';
import { FPEXC_EN } from './state';
import {
  dOut, add32, mul32, div32, sqrt32, cmp32, add64, mul64, div64, sqrt64, cmp64,
  cvt32to64, cvt64to32, cvt16to32, cvt32to16, f32ToFixed, f64ToFixed, fixedTo32, fixedTo64, f32Value, f64Value,
} from './softfloat';

// ---- operand fields --------------------------------------------------------------------

const SZ = 1 << 8;
/** The D, N and M register-number extension bits. */
const BIT_D = 1 << 22;
const BIT_N = 1 << 7;
const BIT_M = 1 << 5;

/** Single-precision register numbers Vd:D, Vn:N, Vm:M. */
function sd(insn: number): number { return ((insn >>> 11) & 0x1e) | ((insn >>> 22) & 1); }
function sn(insn: number): number { return ((insn >>> 15) & 0x1e) | ((insn >>> 7) & 1); }
function sm(insn: number): number { return ((insn << 1) & 0x1e) | ((insn >>> 5) & 1); }
/** Double-precision register numbers D:Vd, N:Vn, M:Vm. */
function dd(insn: number): number { return ((insn >>> 18) & 0x10) | ((insn >>> 12) & 15); }
function dn(insn: number): number { return ((insn >>> 3) & 0x10) | ((insn >>> 16) & 15); }
function dm(insn: number): number { return ((insn >>> 1) & 0x10) | (insn & 15); }

// ---- CheckVFPEnabled and the Cortex-A9 restrictions -------------------------------------

/** CheckVFPEnabled(checkFpexc); takes the UNDEFINED exception and returns false when disabled. */
export function vfpEnabled(cpu: Cpu, checkFpexc: boolean): boolean {
  const access = (cpu.cp15.cpacr >>> 20) & 3;
  if (access !== 3 && (access !== 1 || cpu.mode === MODE_USR)) {
    cpu.undefinedInstruction();
    return false;
  }
  if (checkFpexc && (cpu.vfp.fpexc & FPEXC_EN) === 0) {
    cpu.undefinedInstruction();
    return false;
  }
  return true;
}

/** Enabled, and no register of `dregBits` (D/N/M bits of a double operation) beyond D15. */
function enabledD16(cpu: Cpu, insn: number, dregBits: number): boolean {
  if (!vfpEnabled(cpu, true)) return false;
  if ((insn & SZ) !== 0 && (insn & dregBits) !== 0) {
    cpu.undefinedInstruction('VFPv3-D16: registers D16-D31 do not exist');
    return false;
  }
  return true;
}

/** As enabledD16, for instructions that would operate on short vectors when FPSCR.Len != 0. */
function enabledScalar(cpu: Cpu, insn: number, dregBits: number): boolean {
  if (!enabledD16(cpu, insn, dregBits)) return false;
  if ((cpu.vfp.fpscr & 0x70000) !== 0) {
    cpu.undefinedInstruction('FPSCR.Len != 0: the Cortex-A9 FPU does not support short vectors');
    return false;
  }
  return true;
}

function noD16(cpu: Cpu): void {
  cpu.undefinedInstruction('VFPv3-D16: registers D16-D31 do not exist');
}

// ---- disassembly -------------------------------------------------------------------------

function ty(insn: number): string { return (insn & SZ) !== 0 ? 'f64' : 'f32'; }
function rd(insn: number): string { return (insn & SZ) !== 0 ? `d${dd(insn)}` : `s${sd(insn)}`; }
function rn(insn: number): string { return (insn & SZ) !== 0 ? `d${dn(insn)}` : `s${sn(insn)}`; }
function rm(insn: number): string { return (insn & SZ) !== 0 ? `d${dm(insn)}` : `s${sm(insn)}`; }

function dis3(mn: string, insn: number): string {
  return `${mn}${cond(insn)}.${ty(insn)}\t${rd(insn)}, ${rn(insn)}, ${rm(insn)}`;
}

function dis2(mn: string, insn: number): string {
  return `${mn}${cond(insn)}.${ty(insn)}\t${rd(insn)}, ${rm(insn)}`;
}

function fpText(v: number): string {
  const t = String(v);
  return /^-?\d+$/.test(t) ? `${t}.0` : t;
}

function undefText(insn: number): string {
  return `udf\t; 0x${(insn >>> 0).toString(16).padStart(8, '0')} (undefined VFP encoding)`;
}

const SYSREG_NAMES: Record<number, string> = { 0: 'fpsid', 1: 'fpscr', 6: 'mvfr1', 7: 'mvfr0', 8: 'fpexc' };
function sysreg(r: number): string { return SYSREG_NAMES[r] ?? `fpcr${r}`; }

/** Register list "{d0-d3}" / "{s5}" of VLDM/VSTM. */
function vlist(insn: number): string {
  const dbl = (insn & SZ) !== 0;
  const first = dbl ? dd(insn) : sd(insn);
  const count = dbl ? (insn & 0xff) >>> 1 : insn & 0xff;
  const p = dbl ? 'd' : 's';
  if (count <= 1) return `{${p}${first}}`;
  return `{${p}${first}-${p}${first + count - 1}}`;
}

// ---- data processing -------------------------------------------------------------------

const S_DNM = BIT_D | BIT_N | BIT_M;
const S_DM = BIT_D | BIT_M;

// VMLA/VMLS/VNMLA/VNMLS/VNMUL: a product, then (optionally) an addition, each rounded
// (VFPv3 has no fused multiply-accumulate). negD negates the accumulator, negP the product.
function mac(cpu: Cpu, insn: number, accumulate: boolean, negD: number, negP: number): void {
  if (!enabledScalar(cpu, insn, S_DNM)) return;
  const st = cpu.vfp, s = st.s;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1, n = dn(insn) << 1, m = dm(insn) << 1;
    mul64(st, s[n + 1], s[n], s[m + 1], s[m]);
    const phi = dOut[1] ^ (negP << 31), plo = dOut[0];
    if (!accumulate) { s[d] = plo; s[d + 1] = phi; return; }
    add64(st, s[d + 1] ^ (negD << 31), s[d], phi, plo, 0);
    s[d] = dOut[0]; s[d + 1] = dOut[1];
  } else {
    const d = sd(insn);
    const p = mul32(st, s[sn(insn)], s[sm(insn)]) ^ (negP << 31);
    s[d] = accumulate ? add32(st, s[d] ^ (negD << 31), p, 0) : p;
  }
}

function addsub(cpu: Cpu, insn: number, neg: number): void {
  if (!enabledScalar(cpu, insn, S_DNM)) return;
  const st = cpu.vfp, s = st.s;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1, n = dn(insn) << 1, m = dm(insn) << 1;
    add64(st, s[n + 1], s[n], s[m + 1], s[m], neg);
    s[d] = dOut[0]; s[d + 1] = dOut[1];
  } else {
    s[sd(insn)] = add32(st, s[sn(insn)], s[sm(insn)], neg);
  }
}

function vmul(cpu: Cpu, insn: number): void {
  if (!enabledScalar(cpu, insn, S_DNM)) return;
  const st = cpu.vfp, s = st.s;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1, n = dn(insn) << 1, m = dm(insn) << 1;
    mul64(st, s[n + 1], s[n], s[m + 1], s[m]);
    s[d] = dOut[0]; s[d + 1] = dOut[1];
  } else {
    s[sd(insn)] = mul32(st, s[sn(insn)], s[sm(insn)]);
  }
}

function vdiv(cpu: Cpu, insn: number): void {
  if (!enabledScalar(cpu, insn, S_DNM)) return;
  const st = cpu.vfp, s = st.s;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1, n = dn(insn) << 1, m = dm(insn) << 1;
    div64(st, s[n + 1], s[n], s[m + 1], s[m]);
    s[d] = dOut[0]; s[d + 1] = dOut[1];
  } else {
    s[sd(insn)] = div32(st, s[sn(insn)], s[sm(insn)]);
  }
}

/** VMOV (register), VABS, VNEG: sign-bit operations (no flushing, no NaN processing). */
function signOp(cpu: Cpu, insn: number, clear: number, flip: number): void {
  if (!enabledScalar(cpu, insn, S_DM)) return;
  const s = cpu.vfp.s;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1, m = dm(insn) << 1;
    s[d] = s[m];
    s[d + 1] = (s[m + 1] & ~clear) ^ flip;
  } else {
    s[sd(insn)] = (s[sm(insn)] & ~clear) ^ flip;
  }
}

function vsqrt(cpu: Cpu, insn: number): void {
  if (!enabledScalar(cpu, insn, S_DM)) return;
  const st = cpu.vfp, s = st.s;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1, m = dm(insn) << 1;
    sqrt64(st, s[m + 1], s[m]);
    s[d] = dOut[0]; s[d + 1] = dOut[1];
  } else {
    s[sd(insn)] = sqrt32(st, s[sm(insn)]);
  }
}

/** VFPExpandImm: the high word of the double (sz = 1) or the single. */
function expandImm(insn: number): number {
  const imm8 = ((insn >>> 12) & 0xf0) | (insn & 0xf);
  const b6 = (imm8 >>> 6) & 1;
  if ((insn & SZ) !== 0) {
    return ((imm8 >>> 7) << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0xff : 0) << 22) | ((imm8 & 0x3f) << 16);
  }
  return ((imm8 >>> 7) << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0x1f : 0) << 25) | ((imm8 & 0x3f) << 19);
}

function vmovImm(cpu: Cpu, insn: number): void {
  if (!enabledScalar(cpu, insn, BIT_D)) return;
  const s = cpu.vfp.s;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1;
    s[d] = 0; s[d + 1] = expandImm(insn);
  } else {
    s[sd(insn)] = expandImm(insn);
  }
}

function vcmp(cpu: Cpu, insn: number, zero: boolean): void {
  if (!enabledD16(cpu, insn, zero ? BIT_D : S_DM)) return;
  const st = cpu.vfp, s = st.s;
  const quiet = (insn & (1 << 7)) !== 0;
  let nzcv: number;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1;
    if (zero) nzcv = cmp64(st, s[d + 1], s[d], 0, 0, quiet);
    else { const m = dm(insn) << 1; nzcv = cmp64(st, s[d + 1], s[d], s[m + 1], s[m], quiet); }
  } else {
    nzcv = cmp32(st, s[sd(insn)], zero ? 0 : s[sm(insn)], quiet);
  }
  st.fpscr = (st.fpscr & 0x0fffffff) | nzcv;
}

// VCVT between double and single: sz gives the source precision.
function vcvtDS(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  const st = cpu.vfp, s = st.s;
  if ((insn & SZ) !== 0) {
    if ((insn & BIT_M) !== 0) { noD16(cpu); return; }
    const m = dm(insn) << 1;
    s[sd(insn)] = cvt64to32(st, s[m + 1], s[m]);
  } else {
    if ((insn & BIT_D) !== 0) { noD16(cpu); return; }
    const d = dd(insn) << 1;
    cvt32to64(st, s[sm(insn)]);
    s[d] = dOut[0]; s[d + 1] = dOut[1];
  }
}

// VCVT{R}.S32/U32.F32/F64 Sd, <Sm|Dm>: bit 16 signed, bit 7 round towards zero.
function vcvtToInt(cpu: Cpu, insn: number): void {
  if (!enabledD16(cpu, insn, BIT_M)) return;
  const st = cpu.vfp, s = st.s;
  const unsigned = (insn & (1 << 16)) === 0, rz = (insn & (1 << 7)) !== 0;
  if ((insn & SZ) !== 0) {
    const m = dm(insn) << 1;
    s[sd(insn)] = f64ToFixed(st, s[m + 1], s[m], 0, unsigned, rz, 32);
  } else {
    s[sd(insn)] = f32ToFixed(st, s[sm(insn)], 0, unsigned, rz, 32);
  }
}

// VCVT.F32/F64.S32/U32 <Sd|Dd>, Sm: bit 7 signed; FPSCR rounding.
function vcvtFromInt(cpu: Cpu, insn: number): void {
  if (!enabledD16(cpu, insn, BIT_D)) return;
  const st = cpu.vfp, s = st.s;
  const w = s[sm(insn)];
  const v = (insn & (1 << 7)) !== 0 ? w : w >>> 0;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1;
    fixedTo64(v, 0);
    s[d] = dOut[0]; s[d + 1] = dOut[1];
  } else {
    s[sd(insn)] = fixedTo32(st, v, 0, false);
  }
}

/** Fraction bits of VCVT (fixed point): size - imm4:i; negative is UNPREDICTABLE. */
function fixedFbits(insn: number): number {
  const size = (insn & (1 << 7)) !== 0 ? 32 : 16;
  return size - (((insn & 0xf) << 1) | ((insn >>> 5) & 1));
}

// VCVT.<S|U><16|32>.F32/F64 <Sd|Dd>, <Sd|Dd>, #fbits and back: bit 18 to fixed,
// bit 16 unsigned, bit 7 32-bit operand. To fixed rounds towards zero; from
// fixed rounds to nearest (FixedToFP with round_to_nearest), whatever FPSCR.RMode.
function vcvtFixed(cpu: Cpu, insn: number): void {
  if (!enabledD16(cpu, insn, BIT_D)) return;
  const st = cpu.vfp, s = st.s;
  const toFixed = (insn & (1 << 18)) !== 0, unsigned = (insn & (1 << 16)) !== 0;
  const bits = (insn & (1 << 7)) !== 0 ? 32 : 16;
  const fbits = fixedFbits(insn);
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1;
    if (toFixed) {
      const r = f64ToFixed(st, s[d + 1], s[d], fbits, unsigned, true, bits);
      const w = bits === 16 ? (unsigned ? r & 0xffff : (r << 16) >> 16) : r;
      s[d] = w;
      s[d + 1] = unsigned ? 0 : w >> 31;
    } else {
      const w = s[d];
      fixedTo64(operandOf(w, bits, unsigned), fbits);
      s[d] = dOut[0]; s[d + 1] = dOut[1];
    }
  } else {
    const d = sd(insn);
    if (toFixed) {
      const r = f32ToFixed(st, s[d], fbits, unsigned, true, bits);
      s[d] = bits === 16 ? (unsigned ? r & 0xffff : (r << 16) >> 16) : r;
    } else {
      s[d] = fixedTo32(st, operandOf(s[d], bits, unsigned), fbits, true);
    }
  }
}

/** The integer operand in the low `bits` bits of w. */
function operandOf(w: number, bits: number, unsigned: boolean): number {
  if (bits === 16) return unsigned ? w & 0xffff : (w << 16) >> 16;
  return unsigned ? w >>> 0 : w;
}

// VCVTB/VCVTT: bit 16 set converts single to half, bit 7 selects the top half.
function vcvtHalf(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  const st = cpu.vfp, s = st.s;
  const top = (insn & (1 << 7)) !== 0;
  const d = sd(insn), m = sm(insn);
  if ((insn & (1 << 16)) !== 0) {
    const h = cvt32to16(st, s[m]);
    s[d] = top ? (s[d] & 0xffff) | (h << 16) : (s[d] & ~0xffff) | h;
  } else {
    s[d] = cvt16to32(st, top ? s[m] >>> 16 : s[m] & 0xffff);
  }
}

function fpUndefined(what: string): Handler {
  return (cpu) => {
    if (vfpEnabled(cpu, true)) cpu.undefinedInstruction(`${what} is not implemented by the Cortex-A9 FPU`);
  };
}

// ---- extension register loads and stores ----------------------------------------------

/** Words loaded by VLDM before any register is written. */
const loaded = new Int32Array(32);

function baseOf(cpu: Cpu, n: number): number {
  return n === 15 ? cpu.r[15] & ~3 : cpu.r[n];
}

function vldr(cpu: Cpu, insn: number): void {
  if (!enabledD16(cpu, insn, BIT_D)) return;
  const off = (insn & 0xff) << 2;
  const base = baseOf(cpu, (insn >>> 16) & 15);
  const addr = (insn & (1 << 23)) !== 0 ? (base + off) | 0 : (base - off) | 0;
  const s = cpu.vfp.s;
  if ((insn & SZ) !== 0) {
    const w1 = cpu.read32(addr, ACC_ALIGN), w2 = cpu.read32(addr + 4, ACC_ALIGN);
    const d = dd(insn) << 1;
    if (cpu.e) { s[d + 1] = w1; s[d] = w2; } else { s[d] = w1; s[d + 1] = w2; }
  } else {
    s[sd(insn)] = cpu.read32(addr, ACC_ALIGN);
  }
}

function vstr(cpu: Cpu, insn: number): void {
  if (!enabledD16(cpu, insn, BIT_D)) return;
  const off = (insn & 0xff) << 2;
  const base = baseOf(cpu, (insn >>> 16) & 15);
  const addr = (insn & (1 << 23)) !== 0 ? (base + off) | 0 : (base - off) | 0;
  const s = cpu.vfp.s;
  if ((insn & SZ) !== 0) {
    const d = dd(insn) << 1;
    const w1 = cpu.e ? s[d + 1] : s[d], w2 = cpu.e ? s[d] : s[d + 1];
    cpu.write32(addr, w1, ACC_ALIGN);
    cpu.write32(addr + 4, w2, ACC_ALIGN);
  } else {
    cpu.write32(addr, s[sd(insn)], ACC_ALIGN);
  }
}

/** First register (as a single-register index) and number of words of VLDM/VSTM; -1 if beyond D15. */
function listStart(insn: number): number {
  if ((insn & SZ) === 0) return sd(insn);
  const regs = (insn & 0xff) >>> 1;
  const d = dd(insn);
  return d + regs > 16 ? -1 : d << 1;
}

function listWords(insn: number): number {
  return (insn & SZ) !== 0 ? (insn & 0xfe) : insn & 0xff;
}

// VLDM/VSTM, IA (bit 24 clear, optional writeback) and DB (bit 24 set, writeback).
// imm8 counts words; for doubles an odd imm8 is FLDMX/FSTMX, whose extra word only
// moves the written-back base.
function vldm(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  const first = listStart(insn);
  if (first < 0) { noD16(cpu); return; }
  const n = (insn >>> 16) & 15;
  const imm32 = (insn & 0xff) << 2;
  const base = baseOf(cpu, n);
  const db = (insn & (1 << 24)) !== 0;
  let addr = db ? (base - imm32) | 0 : base;
  const words = listWords(insn);
  const dbl = (insn & SZ) !== 0;
  for (let i = 0; i < words; i++) {
    loaded[i] = cpu.read32(addr, ACC_ALIGN);
    addr = (addr + 4) | 0;
  }
  if ((insn & (1 << 21)) !== 0) cpu.r[n] = db ? (base - imm32) | 0 : (base + imm32) | 0;
  const s = cpu.vfp.s;
  if (dbl && cpu.e) {
    for (let i = 0; i < words; i += 2) { s[first + i + 1] = loaded[i]; s[first + i] = loaded[i + 1]; }
  } else {
    for (let i = 0; i < words; i++) s[first + i] = loaded[i];
  }
}

function vstm(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  const first = listStart(insn);
  if (first < 0) { noD16(cpu); return; }
  const n = (insn >>> 16) & 15;
  const imm32 = (insn & 0xff) << 2;
  const base = baseOf(cpu, n);
  const db = (insn & (1 << 24)) !== 0;
  let addr = db ? (base - imm32) | 0 : base;
  const words = listWords(insn);
  const swap = (insn & SZ) !== 0 && cpu.e ? 1 : 0;
  const s = cpu.vfp.s;
  for (let i = 0; i < words; i++) {
    cpu.write32(addr, s[first + (i ^ swap)], ACC_ALIGN);
    addr = (addr + 4) | 0;
  }
  if ((insn & (1 << 21)) !== 0) cpu.r[n] = db ? (base - imm32) | 0 : (base + imm32) | 0;
}

/** UNPREDICTABLE register counts of VLDM/VSTM (and pc with writeback). */
function badList(insn: number): boolean {
  const imm8 = insn & 0xff;
  if (((insn >>> 16) & 15) === 15 && (insn & (1 << 21)) !== 0) return true;
  if ((insn & SZ) !== 0) {
    const regs = imm8 >>> 1;
    return regs === 0 || regs > 16 || dd(insn) + regs > 32;
  }
  return imm8 === 0 || sd(insn) + imm8 > 32;
}

function ldmText(insn: number): string {
  const db = (insn & (1 << 24)) !== 0, w = (insn & (1 << 21)) !== 0;
  const n = (insn >>> 16) & 15;
  const x = (insn & SZ) !== 0 && (insn & 1) !== 0;
  const load = (insn & (1 << 20)) !== 0;
  if (n === 13 && w && !x && db !== load) return `${load ? 'vpop' : 'vpush'}${cond(insn)}\t${vlist(insn)}`;
  const mn = x ? `f${load ? 'ld' : 'st'}m${db ? 'db' : 'ia'}x` : `v${load ? 'ld' : 'st'}m${db ? 'db' : 'ia'}`;
  return `${mn}${cond(insn)}\t${reg(n)}${w ? '!' : ''}, ${vlist(insn)}`;
}

function ldrText(insn: number, pc: number): string {
  const n = (insn >>> 16) & 15, off = (insn & 0xff) << 2, u = (insn & (1 << 23)) !== 0;
  const mn = (insn & (1 << 20)) !== 0 ? 'vldr' : 'vstr';
  const r = (insn & SZ) !== 0 ? `d${dd(insn)}` : `s${sd(insn)}`;
  const addr = u && off === 0 ? `[${reg(n)}]` : `[${reg(n)}, #${u ? '' : '-'}${off}]`;
  if (n === 15) {
    const target = (((pc + 8) & ~3) + (u ? off : -off)) >>> 0;
    return `${mn}${cond(insn)}\t${r}, ${addr}\t; ${hex(target)}`;
  }
  return `${mn}${cond(insn)}\t${r}, ${addr}`;
}

// ---- transfers between core and extension registers ------------------------------------

function vmovCoreToS(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  cpu.vfp.s[sn(insn)] = cpu.r[(insn >>> 12) & 15];
}

function vmovSToCore(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  cpu.r[(insn >>> 12) & 15] = cpu.vfp.s[sn(insn)];
}

function vmovCoreToScalar(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  const d = dn(insn);
  if (d >= 16) { noD16(cpu); return; }
  cpu.vfp.s[(d << 1) | ((insn >>> 21) & 1)] = cpu.r[(insn >>> 12) & 15];
}

function vmovScalarToCore(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  const n = dn(insn);
  if (n >= 16) { noD16(cpu); return; }
  cpu.r[(insn >>> 12) & 15] = cpu.vfp.s[(n << 1) | ((insn >>> 21) & 1)];
}

// VMOV between two core registers and two singles (Sm, Sm+1) or one double.
function vmov64(cpu: Cpu, insn: number): void {
  if (!vfpEnabled(cpu, true)) return;
  let m: number;
  if ((insn & SZ) !== 0) {
    if ((insn & BIT_M) !== 0) { noD16(cpu); return; }
    m = dm(insn) << 1;
  } else {
    m = sm(insn);
  }
  const t = (insn >>> 12) & 15, t2 = (insn >>> 16) & 15;
  const s = cpu.vfp.s, r = cpu.r;
  if ((insn & (1 << 20)) !== 0) {
    const lo = s[m], hi = s[m + 1];
    r[t] = lo;
    r[t2] = hi;
  } else {
    s[m] = r[t];
    s[m + 1] = r[t2];
  }
}

function vmrs(cpu: Cpu, insn: number): void {
  const sysr = (insn >>> 16) & 15, t = (insn >>> 12) & 15;
  const st = cpu.vfp;
  let v: number;
  if (sysr === 1) {
    if (!vfpEnabled(cpu, true)) return;
    v = st.fpscr;
  } else {
    if (cpu.mode === MODE_USR) { cpu.undefinedInstruction(); return; }
    if (!vfpEnabled(cpu, false)) return;
    switch (sysr) {
      case 0: v = st.fpsid; break;
      case 6: v = st.mvfr1; break;
      case 7: v = st.mvfr0; break;
      case 8: v = st.fpexc; break;
      default:
        cpu.undefinedInstruction(`VMRS of VFP system register ${sysr}: not implemented by the Cortex-A9 FPU`);
        return;
    }
  }
  if (t === 15) {
    cpu.n = (v >>> 31) & 1;
    cpu.z = (v >>> 30) & 1;
    cpu.c = (v >>> 29) & 1;
    cpu.v = (v >>> 28) & 1;
  } else {
    cpu.r[t] = v;
  }
}

function vmsr(cpu: Cpu, insn: number): void {
  const sysr = (insn >>> 16) & 15;
  const v = cpu.r[(insn >>> 12) & 15];
  if (sysr === 1) {
    if (!vfpEnabled(cpu, true)) return;
    cpu.vfp.setFpscr(v);
    return;
  }
  if (cpu.mode === MODE_USR) { cpu.undefinedInstruction(); return; }
  if (!vfpEnabled(cpu, false)) return;
  switch (sysr) {
    case 0: return; // FPSID is read-only: the write is ignored.
    case 8: cpu.vfp.setFpexc(v); return;
    default:
      cpu.undefinedInstruction(`VMSR of VFP system register ${sysr}: not implemented by the Cortex-A9 FPU`);
  }
}

const rt = (insn: number): number => (insn >>> 12) & 15;

// ---- the rows --------------------------------------------------------------------------

/** Core-register fields never generated as r13-r15 by the differential tests' harness. */
const CORE_REGS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export const vfpRows: EncodingSpec[] = [
  // VMLA<c>.F32 <Sd>, <Sn>, <Sm>   /   VMLA<c>.F64 <Dd>, <Dn>, <Dm>
  {
    name: 'VMLA_f', pattern: 'cccc 1110 0D00 nnnn dddd 101s N0M0 mmmm',
    exec: (cpu, insn) => mac(cpu, insn, true, 0, 0),
    disasm: (insn) => dis3('vmla', insn),
  },
  // VMLS<c>.F32 <Sd>, <Sn>, <Sm>
  {
    name: 'VMLS_f', pattern: 'cccc 1110 0D00 nnnn dddd 101s N1M0 mmmm',
    exec: (cpu, insn) => mac(cpu, insn, true, 0, 1),
    disasm: (insn) => dis3('vmls', insn),
  },
  // VNMLS<c>.F32 <Sd>, <Sn>, <Sm>   (-Sd + Sn*Sm)
  {
    name: 'VNMLS', pattern: 'cccc 1110 0D01 nnnn dddd 101s N0M0 mmmm',
    exec: (cpu, insn) => mac(cpu, insn, true, 1, 0),
    disasm: (insn) => dis3('vnmls', insn),
  },
  // VNMLA<c>.F32 <Sd>, <Sn>, <Sm>   (-Sd - Sn*Sm)
  {
    name: 'VNMLA', pattern: 'cccc 1110 0D01 nnnn dddd 101s N1M0 mmmm',
    exec: (cpu, insn) => mac(cpu, insn, true, 1, 1),
    disasm: (insn) => dis3('vnmla', insn),
  },
  // VMUL<c>.F32 <Sd>, <Sn>, <Sm>
  {
    name: 'VMUL_f', pattern: 'cccc 1110 0D10 nnnn dddd 101s N0M0 mmmm',
    exec: vmul,
    disasm: (insn) => dis3('vmul', insn),
  },
  // VNMUL<c>.F32 <Sd>, <Sn>, <Sm>
  {
    name: 'VNMUL', pattern: 'cccc 1110 0D10 nnnn dddd 101s N1M0 mmmm',
    exec: (cpu, insn) => mac(cpu, insn, false, 0, 1),
    disasm: (insn) => dis3('vnmul', insn),
  },
  // VADD<c>.F32 <Sd>, <Sn>, <Sm>
  {
    name: 'VADD_f', pattern: 'cccc 1110 0D11 nnnn dddd 101s N0M0 mmmm',
    exec: (cpu, insn) => addsub(cpu, insn, 0),
    disasm: (insn) => dis3('vadd', insn),
  },
  // VSUB<c>.F32 <Sd>, <Sn>, <Sm>
  {
    name: 'VSUB_f', pattern: 'cccc 1110 0D11 nnnn dddd 101s N1M0 mmmm',
    exec: (cpu, insn) => addsub(cpu, insn, 1),
    disasm: (insn) => dis3('vsub', insn),
  },
  // VDIV<c>.F32 <Sd>, <Sn>, <Sm>
  {
    name: 'VDIV', pattern: 'cccc 1110 1D00 nnnn dddd 101s N0M0 mmmm',
    exec: vdiv,
    disasm: (insn) => dis3('vdiv', insn),
  },
  // (opc1 = 1x00 with op = 1: UNDEFINED)
  {
    name: 'VFP_undef_1x00', pattern: 'cccc 1110 1D00 nnnn dddd 101s N1M0 mmmm',
    exec: (cpu, insn) => { if (vfpEnabled(cpu, true)) cpu.undefinedInstruction(`UNDEFINED VFP encoding 0x${(insn >>> 0).toString(16)}`); },
    disasm: undefText,
  },
  // VFNMA<c>.F32 / VFNMS<c>.F32 <Sd>, <Sn>, <Sm>   (VFPv4)
  {
    name: 'VFNMA_VFNMS', pattern: 'cccc 1110 1D01 nnnn dddd 101s NoM0 mmmm',
    exec: fpUndefined('VFNMA/VFNMS (VFPv4)'),
    disasm: (insn) => dis3((insn & (1 << 6)) !== 0 ? 'vfnma' : 'vfnms', insn),
  },
  // VFMA<c>.F32 / VFMS<c>.F32 <Sd>, <Sn>, <Sm>   (VFPv4)
  {
    name: 'VFMA_VFMS', pattern: 'cccc 1110 1D10 nnnn dddd 101s NoM0 mmmm',
    exec: fpUndefined('VFMA/VFMS (VFPv4)'),
    disasm: (insn) => dis3((insn & (1 << 6)) !== 0 ? 'vfms' : 'vfma', insn),
  },
  // VMOV<c>.F32 <Sd>, #<imm>   /   VMOV<c>.F64 <Dd>, #<imm>
  {
    name: 'VMOV_imm_f', pattern: 'cccc 1110 1D11 hhhh dddd 101s Z0Z0 llll',
    exec: vmovImm,
    disasm: (insn) => {
      const w = expandImm(insn);
      const v = (insn & SZ) !== 0 ? f64Value(w, 0) : f32Value(w);
      const imm8 = ((insn >>> 12) & 0xf0) | (insn & 0xf);
      return `vmov${cond(insn)}.${ty(insn)}\t${rd(insn)}, #${imm8}\t; ${hex(w)} ${fpText(v)}`;
    },
  },
  // VMOV<c>.F32 <Sd>, <Sm>
  {
    name: 'VMOV_reg_f', pattern: 'cccc 1110 1D11 0000 dddd 101s 01M0 mmmm',
    exec: (cpu, insn) => signOp(cpu, insn, 0, 0),
    disasm: (insn) => dis2('vmov', insn),
  },
  // VABS<c>.F32 <Sd>, <Sm>
  {
    name: 'VABS_f', pattern: 'cccc 1110 1D11 0000 dddd 101s 11M0 mmmm',
    exec: (cpu, insn) => signOp(cpu, insn, 0x80000000 | 0, 0),
    disasm: (insn) => dis2('vabs', insn),
  },
  // VNEG<c>.F32 <Sd>, <Sm>
  {
    name: 'VNEG_f', pattern: 'cccc 1110 1D11 0001 dddd 101s 01M0 mmmm',
    exec: (cpu, insn) => signOp(cpu, insn, 0, 0x80000000 | 0),
    disasm: (insn) => dis2('vneg', insn),
  },
  // VSQRT<c>.F32 <Sd>, <Sm>
  {
    name: 'VSQRT', pattern: 'cccc 1110 1D11 0001 dddd 101s 11M0 mmmm',
    exec: vsqrt,
    disasm: (insn) => dis2('vsqrt', insn),
  },
  // VCVTB<c>.F32.F16 <Sd>, <Sm>  /  VCVTT  /  VCVTB<c>.F16.F32 <Sd>, <Sm>  /  VCVTT
  {
    name: 'VCVTB_VCVTT', pattern: 'cccc 1110 1D11 001o dddd 1010 T1M0 mmmm',
    exec: vcvtHalf,
    disasm: (insn) => `vcvt${(insn & (1 << 7)) !== 0 ? 't' : 'b'}${cond(insn)}.` +
      `${(insn & (1 << 16)) !== 0 ? 'f16.f32' : 'f32.f16'}\ts${sd(insn)}, s${sm(insn)}`,
  },
  // VCMP{E}<c>.F32 <Sd>, <Sm>
  {
    name: 'VCMP', pattern: 'cccc 1110 1D11 0100 dddd 101s E1M0 mmmm',
    exec: (cpu, insn) => vcmp(cpu, insn, false),
    disasm: (insn) => dis2((insn & (1 << 7)) !== 0 ? 'vcmpe' : 'vcmp', insn),
  },
  // VCMP{E}<c>.F32 <Sd>, #0.0
  {
    name: 'VCMP_zero', pattern: 'cccc 1110 1D11 0101 dddd 101s E1Z0 ZZZZ',
    exec: (cpu, insn) => vcmp(cpu, insn, true),
    disasm: (insn) => `${(insn & (1 << 7)) !== 0 ? 'vcmpe' : 'vcmp'}${cond(insn)}.${ty(insn)}\t${rd(insn)}, #0.0`,
  },
  // VCVT<c>.F64.F32 <Dd>, <Sm>   /   VCVT<c>.F32.F64 <Sd>, <Dm>
  {
    name: 'VCVT_ds', pattern: 'cccc 1110 1D11 0111 dddd 101s 11M0 mmmm',
    exec: vcvtDS,
    disasm: (insn) => (insn & SZ) !== 0
      ? `vcvt${cond(insn)}.f32.f64\ts${sd(insn)}, d${dm(insn)}`
      : `vcvt${cond(insn)}.f64.f32\td${dd(insn)}, s${sm(insn)}`,
  },
  // VCVT<c>.F32.<S32|U32> <Sd>, <Sm>   /   VCVT<c>.F64.<S32|U32> <Dd>, <Sm>
  {
    name: 'VCVT_from_int', pattern: 'cccc 1110 1D11 1000 dddd 101s o1M0 mmmm',
    exec: vcvtFromInt,
    disasm: (insn) => `vcvt${cond(insn)}.${ty(insn)}.${(insn & (1 << 7)) !== 0 ? 's32' : 'u32'}\t${rd(insn)}, s${sm(insn)}`,
  },
  // VCVT{R}<c>.<S32|U32>.F32 <Sd>, <Sm>   /   VCVT{R}<c>.<S32|U32>.F64 <Sd>, <Dm>
  {
    name: 'VCVT_to_int', pattern: 'cccc 1110 1D11 110u dddd 101s R1M0 mmmm',
    exec: vcvtToInt,
    disasm: (insn) => `vcvt${(insn & (1 << 7)) !== 0 ? '' : 'r'}${cond(insn)}.${(insn & (1 << 16)) !== 0 ? 's32' : 'u32'}` +
      `.${ty(insn)}\ts${sd(insn)}, ${rm(insn)}`,
  },
  // VCVT<c>.<S16|U16|S32|U32>.F32 <Sd>, <Sd>, #<fbits>   (and .F32.<type> back; .F64 with Dd)
  {
    name: 'VCVT_fixed', pattern: 'cccc 1110 1D11 1o1u dddd 101s x1i0 iiii',
    exec: vcvtFixed,
    disasm: (insn) => {
      const fx = `${(insn & (1 << 16)) !== 0 ? 'u' : 's'}${(insn & (1 << 7)) !== 0 ? 32 : 16}`;
      const types = (insn & (1 << 18)) !== 0 ? `${fx}.${ty(insn)}` : `${ty(insn)}.${fx}`;
      return `vcvt${cond(insn)}.${types}\t${rd(insn)}, ${rd(insn)}, #${fixedFbits(insn)}`;
    },
    unpredictable: (insn) => fixedFbits(insn) < 0,
  },
  // (opc2 = 0110, 1001 and 0111 with op = 0: UNDEFINED in ARMv7)
  {
    name: 'VFP_undef_0110', pattern: 'cccc 1110 1D11 0110 dddd 101s x1M0 mmmm',
    exec: fpUndefined('VFP opc2 = 0110 (ARMv8 VRINT)'),
    disasm: undefText,
  },
  {
    name: 'VFP_undef_0111', pattern: 'cccc 1110 1D11 0111 dddd 101s 01M0 mmmm',
    exec: fpUndefined('VFP opc2 = 0111, op = 0 (ARMv8 VRINTX)'),
    disasm: undefText,
  },
  {
    name: 'VFP_undef_1001', pattern: 'cccc 1110 1D11 1001 dddd 101s x1M0 mmmm',
    exec: fpUndefined('VFP opc2 = 1001'),
    disasm: undefText,
  },

  // Extension register loads and stores.
  // VSTM{IA}<c> <Rn>{!}, <list>   (FSTMIAX for doubles with an odd word count)
  {
    name: 'VSTM_ia', pattern: 'cccc 1100 1DW0 nnnn dddd 101s iiii iiii',
    exec: vstm,
    disasm: ldmText,
    unpredictable: badList,
    gen: { base: 'n', store: true },
  },
  // VSTMDB<c> <Rn>!, <list>   (VPUSH<c> <list> when Rn = sp)
  {
    name: 'VSTM_db', pattern: 'cccc 1101 0D10 nnnn dddd 101s iiii iiii',
    exec: vstm,
    disasm: ldmText,
    unpredictable: badList,
    gen: { base: 'n', store: true },
  },
  // VLDM{IA}<c> <Rn>{!}, <list>   (VPOP<c> <list> when Rn = sp with writeback)
  {
    name: 'VLDM_ia', pattern: 'cccc 1100 1DW1 nnnn dddd 101s iiii iiii',
    exec: vldm,
    disasm: ldmText,
    unpredictable: badList,
    gen: { base: 'n' },
  },
  // VLDMDB<c> <Rn>!, <list>
  {
    name: 'VLDM_db', pattern: 'cccc 1101 0D11 nnnn dddd 101s iiii iiii',
    exec: vldm,
    disasm: ldmText,
    unpredictable: badList,
    gen: { base: 'n' },
  },
  // VSTR<c> <Sd|Dd>, [<Rn>{, #+/-<imm>}]
  {
    name: 'VSTR', pattern: 'cccc 1101 UD00 nnnn dddd 101s iiii iiii',
    exec: vstr,
    disasm: ldrText,
    gen: { base: 'n', store: true },
  },
  // VLDR<c> <Sd|Dd>, [<Rn>{, #+/-<imm>}]   (Rn = pc: literal)
  {
    name: 'VLDR', pattern: 'cccc 1101 UD01 nnnn dddd 101s iiii iiii',
    exec: vldr,
    disasm: ldrText,
    gen: { base: 'n' },
  },

  // Transfers between core and extension registers.
  // VMOV<c> <Sn>, <Rt>
  {
    name: 'VMOV_s_core', pattern: 'cccc 1110 0000 nnnn tttt 1010 NZZ1 ZZZZ',
    exec: vmovCoreToS,
    disasm: (insn) => `vmov${cond(insn)}\ts${sn(insn)}, ${reg(rt(insn))}`,
    unpredictable: (insn) => rt(insn) === 15,
    gen: { fields: { t: CORE_REGS } },
  },
  // VMOV<c> <Rt>, <Sn>
  {
    name: 'VMOV_core_s', pattern: 'cccc 1110 0001 nnnn tttt 1010 NZZ1 ZZZZ',
    exec: vmovSToCore,
    disasm: (insn) => `vmov${cond(insn)}\t${reg(rt(insn))}, s${sn(insn)}`,
    unpredictable: (insn) => rt(insn) === 15,
    gen: { fields: { t: CORE_REGS } },
  },
  // VMOV<c>.32 <Dd[x]>, <Rt>
  {
    name: 'VMOV_scalar_core', pattern: 'cccc 1110 00x0 dddd tttt 1011 D001 ZZZZ',
    exec: vmovCoreToScalar,
    disasm: (insn) => `vmov${cond(insn)}.32\td${dn(insn)}[${(insn >>> 21) & 1}], ${reg(rt(insn))}`,
    unpredictable: (insn) => rt(insn) === 15,
    gen: { fields: { t: CORE_REGS } },
  },
  // VMOV<c>.32 <Rt>, <Dn[x]>
  {
    name: 'VMOV_core_scalar', pattern: 'cccc 1110 00x1 nnnn tttt 1011 N001 ZZZZ',
    exec: vmovScalarToCore,
    disasm: (insn) => `vmov${cond(insn)}.32\t${reg(rt(insn))}, d${dn(insn)}[${(insn >>> 21) & 1}]`,
    unpredictable: (insn) => rt(insn) === 15,
    gen: { fields: { t: CORE_REGS } },
  },
  // VMOV<c> <Sm>, <Sm1>, <Rt>, <Rt2>
  {
    name: 'VMOV_2s_2core', pattern: 'cccc 1100 0100 uuuu tttt 1010 00M1 mmmm',
    exec: vmov64,
    disasm: (insn) => `vmov${cond(insn)}\ts${sm(insn)}, s${sm(insn) + 1}, ${reg(rt(insn))}, ${reg((insn >>> 16) & 15)}`,
    unpredictable: (insn) => rt(insn) === 15 || ((insn >>> 16) & 15) === 15 || sm(insn) === 31,
    gen: { fields: { t: CORE_REGS, u: CORE_REGS } },
  },
  // VMOV<c> <Rt>, <Rt2>, <Sm>, <Sm1>
  {
    name: 'VMOV_2core_2s', pattern: 'cccc 1100 0101 uuuu tttt 1010 00M1 mmmm',
    exec: vmov64,
    disasm: (insn) => `vmov${cond(insn)}\t${reg(rt(insn))}, ${reg((insn >>> 16) & 15)}, s${sm(insn)}, s${sm(insn) + 1}`,
    unpredictable: (insn) => {
      const t = rt(insn), t2 = (insn >>> 16) & 15;
      return t === 15 || t2 === 15 || t === t2 || sm(insn) === 31;
    },
    gen: { fields: { t: CORE_REGS, u: CORE_REGS } },
  },
  // VMOV<c> <Dm>, <Rt>, <Rt2>
  {
    name: 'VMOV_d_2core', pattern: 'cccc 1100 0100 uuuu tttt 1011 00M1 mmmm',
    exec: vmov64,
    disasm: (insn) => `vmov${cond(insn)}\td${dm(insn)}, ${reg(rt(insn))}, ${reg((insn >>> 16) & 15)}`,
    unpredictable: (insn) => rt(insn) === 15 || ((insn >>> 16) & 15) === 15,
    gen: { fields: { t: CORE_REGS, u: CORE_REGS } },
  },
  // VMOV<c> <Rt>, <Rt2>, <Dm>
  {
    name: 'VMOV_2core_d', pattern: 'cccc 1100 0101 uuuu tttt 1011 00M1 mmmm',
    exec: vmov64,
    disasm: (insn) => `vmov${cond(insn)}\t${reg(rt(insn))}, ${reg((insn >>> 16) & 15)}, d${dm(insn)}`,
    unpredictable: (insn) => {
      const t = rt(insn), t2 = (insn >>> 16) & 15;
      return t === 15 || t2 === 15 || t === t2;
    },
    gen: { fields: { t: CORE_REGS, u: CORE_REGS } },
  },
  // VMSR<c> <spec_reg>, <Rt>
  {
    name: 'VMSR', pattern: 'cccc 1110 1110 rrrr tttt 1010 ZZZ1 ZZZZ',
    exec: vmsr,
    disasm: (insn) => `vmsr${cond(insn)}\t${sysreg((insn >>> 16) & 15)}, ${reg(rt(insn))}`,
    unpredictable: (insn) => rt(insn) === 15,
    gen: { fields: { t: CORE_REGS } },
  },
  // VMRS<c> <Rt>, <spec_reg>   (Rt = 15 with FPSCR: APSR_nzcv)
  {
    name: 'VMRS', pattern: 'cccc 1110 1111 rrrr tttt 1010 ZZZ1 ZZZZ',
    exec: vmrs,
    disasm: (insn) => {
      const t = rt(insn);
      return `vmrs${cond(insn)}\t${t === 15 ? 'APSR_nzcv' : reg(t)}, ${sysreg((insn >>> 16) & 15)}`;
    },
    unpredictable: (insn) => rt(insn) === 15 && ((insn >>> 16) & 15) !== 1,
  },
];

/** Handlers by row name, for the T32 decoder (bits 27:0 of a T32 VFP word equal the A32 ones). */
export const vfpExec: Record<string, Handler> = Object.fromEntries(vfpRows.map((r) => [r.name, r.exec]));

/** Rows whose core-register operand Rt (bits 15:12) is UNPREDICTABLE as sp in T32. */
const T32_RT_NOT_SP = new Set(['VMOV_s_core', 'VMOV_core_s', 'VMOV_scalar_core', 'VMOV_core_scalar', 'VMSR', 'VMRS']);
const T32_RT2_NOT_SP = new Set(['VMOV_2s_2core', 'VMOV_2core_2s', 'VMOV_d_2core', 'VMOV_2core_d']);
const T32_RN_NOT_PC = new Set(['VSTM_ia', 'VSTM_db', 'VLDM_ia', 'VLDM_db']);

/**
 * The same encodings in T32: hw1:hw2 with 1110 in place of the condition. T32
 * adds UNPREDICTABLE cases: sp as a transferred core register, and pc as the
 * base of VLDM/VSTM even without writeback. The Thumb run loop must set r[15]
 * to the instruction address + 4 (VLDR literal aligns it).
 */
export const vfpT32Rows: EncodingSpec[] = vfpRows.map((r) => {
  const base = r.unpredictable;
  let extra: ((insn: number) => boolean) | undefined;
  if (T32_RT_NOT_SP.has(r.name)) extra = (insn) => rt(insn) === 13;
  else if (T32_RT2_NOT_SP.has(r.name)) extra = (insn) => rt(insn) === 13 || ((insn >>> 16) & 15) === 13;
  else if (T32_RN_NOT_PC.has(r.name)) extra = (insn) => ((insn >>> 16) & 15) === 15;
  const unpredictable = extra === undefined ? base
    : base === undefined ? extra : (insn: number) => base(insn) || extra!(insn);
  return { ...r, name: `T32_${r.name}`, pattern: r.pattern.replace('cccc', '1110'), unpredictable };
});
