/**
 * VFP register state of the Cortex-A9 FPU in Tegra20: VFPv3-D16 with the
 * half-precision conversion extension, no Advanced SIMD (NEON).
 *
 * The extension registers are kept as raw 32-bit words so that every bit
 * pattern (signalling NaN payloads included) survives loads, stores and moves:
 * S<n> is word n, D<n> is words 2n (low half) and 2n+1 (high half).
 *
 * Identification values (docs/tegra2.md section 10): FPSID follows QEMU's
 * cortex-a9 (implementer 0x41, null subarchitecture 0x03, part 0x30 VFPv3,
 * variant 9 Cortex-A9, revision 0); the revision field of an r1p0 part is not
 * documented. MVFR0/MVFR1 are the Cortex-A9 FPU values for the D16
 * configuration: 16 double registers, single and double precision, divide,
 * square root, all rounding modes, no trapping, no short vectors; flush-to-zero,
 * default NaN and single<->half conversion, no Advanced SIMD fields.
 */

export const FPSID_A9 = 0x41033090;
/** RMode=1, ShortVectors=0, Sqrt=1, Divide=1, Trap=0, DP=2, SP=2, SIMDReg=1 (16 x 64-bit). */
export const MVFR0_A9_D16 = 0x10110221;
/** FPHP=1 (single<->half conversion), FPDNaN=1, FPFtZ=1; every Advanced SIMD field 0. */
export const MVFR1_A9_D16 = 0x01000011;

// FPSCR fields.
export const FPSCR_N = 1 << 31;
export const FPSCR_Z = 1 << 30;
export const FPSCR_C = 1 << 29;
export const FPSCR_V = 1 << 28;
export const FPSCR_QC = 1 << 27;
export const FPSCR_AHP = 1 << 26;
export const FPSCR_DN = 1 << 25;
export const FPSCR_FZ = 1 << 24;
export const FPSCR_RMODE_SHIFT = 22;
export const FPSCR_STRIDE_SHIFT = 20;
export const FPSCR_LEN_SHIFT = 16;
export const FPSCR_IDC = 1 << 7;
export const FPSCR_IXC = 1 << 4;
export const FPSCR_UFC = 1 << 3;
export const FPSCR_OFC = 1 << 2;
export const FPSCR_DZC = 1 << 1;
export const FPSCR_IOC = 1 << 0;

/**
 * FPSCR bits that hold state: NZCV, QC, AHP, DN, FZ, RMode, Stride, Len and the
 * cumulative flags. The trap enables (15, 12:8) are RAZ/WI because the
 * Cortex-A9 FPU does not trap floating-point exceptions; bits 19, 14:13 and 6:5
 * are reserved. QC has no writer without Advanced SIMD but keeps what software
 * writes, as QEMU's model does.
 */
export const FPSCR_MASK = 0xfff7009f | 0;

export const FPEXC_EX = 1 << 31;
export const FPEXC_EN = 1 << 30;
/** Only EN is writable: the FPU never enters the asynchronous-exception state (EX RAZ/WI). */
export const FPEXC_MASK = FPEXC_EN;

export interface VfpSnapshot {
  version: number;
  /** S0-S31 as unsigned 32-bit words. */
  s: number[];
  fpscr: number;
  fpexc: number;
}

export class VfpState {
  /** S0-S31; D<n> = s[2n+1]:s[2n]. */
  readonly s = new Int32Array(32);
  fpscr = 0;
  fpexc = 0;
  readonly fpsid = FPSID_A9;
  readonly mvfr0 = MVFR0_A9_D16;
  readonly mvfr1 = MVFR1_A9_D16;

  /** Number of double registers (VFPv3-D16). */
  readonly dRegs = 16;

  /** Reset: FPEXC.EN clear (the FPU is disabled), FPSCR zero; the registers are UNKNOWN (zero here). */
  reset(): void {
    this.s.fill(0);
    this.fpscr = 0;
    this.fpexc = 0;
  }

  setFpscr(v: number): void { this.fpscr = v & FPSCR_MASK; }
  setFpexc(v: number): void { this.fpexc = v & FPEXC_MASK; }

  /** Low and high words of D<n>. */
  dLo(n: number): number { return this.s[2 * n]; }
  dHi(n: number): number { return this.s[2 * n + 1]; }
  setD(n: number, hi: number, lo: number): void { this.s[2 * n] = lo; this.s[2 * n + 1] = hi; }

  snapshot(): VfpSnapshot {
    return { version: 1, s: Array.from(this.s, (w) => w >>> 0), fpscr: this.fpscr >>> 0, fpexc: this.fpexc >>> 0 };
  }

  restore(snap: VfpSnapshot): void {
    if (snap.version !== 1) throw new Error(`VFP snapshot version ${snap.version} is not supported (expected 1)`);
    if (snap.s.length !== 32) throw new Error(`VFP snapshot has ${snap.s.length} single registers, expected 32`);
    for (let i = 0; i < 32; i++) this.s[i] = snap.s[i] | 0;
    this.setFpscr(snap.fpscr);
    this.setFpexc(snap.fpexc);
  }
}

