/**
 * VFPv3-D16 rows: decoding, enablement, exact bit patterns of the arithmetic in
 * every rounding mode, flush-to-zero, default NaN, NaN propagation, flags,
 * conversions, loads/stores and transfers.
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, exec, place } from '../support/cpu-harness';
import { Decoder, compilePattern, overlap, moreSpecific } from '../../machine/cpu/encoding';
import type { Cpu } from '../../machine/cpu/cpu';
import { a32Specs, a32Decoder } from '../../machine/cpu/a32/table';
import { MODE_USR, MODE_SVC, MODE_UND, MODE_ABT } from '../../machine/cpu/modes';
import { vfpRows, vfpExec, vfpT32Rows } from '../../machine/cpu/vfp/rows';
import { VfpState, FPEXC_EN, FPSID_A9, MVFR0_A9_D16, MVFR1_A9_D16 } from '../../machine/cpu/vfp/state';

const decoder = a32Decoder();

/** A CPU in SVC mode with the FPU enabled (CPACR full access, FPEXC.EN). */
function fpuCpu(): Cpu {
  const cpu = makeCpu();
  cpu.cp15.cpacr = 0x00f00000;
  cpu.vfp.fpexc = FPEXC_EN;
  return cpu;
}

const RN = 0, RP = 1, RM = 2, RZ = 3;
const FZ = 1 << 24, DN = 1 << 25, AHP = 1 << 26;
const IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128;

/** Runs one single-precision instruction s0 = op(s1, s2) with FPSCR extras; returns [s0, flags]. */
function s3(word: number, s0: number, s1: number, s2: number, rmode = RN, extra = 0): [number, number] {
  const cpu = fpuCpu();
  const v = cpu.vfp;
  v.s[0] = s0; v.s[1] = s1; v.s[2] = s2;
  v.fpscr = (rmode << 22) | extra;
  exec(cpu, [word]);
  assert.equal(cpu.mode, MODE_SVC, 'no exception');
  return [v.s[0] >>> 0, v.fpscr & 0x9f];
}

/** d0 = op(d1, d2) with doubles given as [hi, lo]. */
function d3(word: number, d1: [number, number], d2: [number, number], rmode = RN, extra = 0, d0: [number, number] = [0, 0]):
  [[number, number], number] {
  const cpu = fpuCpu();
  const v = cpu.vfp;
  v.setD(0, d0[0], d0[1]); v.setD(1, d1[0], d1[1]); v.setD(2, d2[0], d2[1]);
  v.fpscr = (rmode << 22) | extra;
  exec(cpu, [word]);
  assert.equal(cpu.mode, MODE_SVC, 'no exception');
  return [[v.dHi(0) >>> 0, v.dLo(0) >>> 0], v.fpscr & 0x9f];
}

const VADD_S = 0xee300a81, VADD_D = 0xee310b02, VSUB_S = 0xee300ac1, VMUL_S = 0xee200a81, VMUL_D = 0xee210b02;
const VDIV_S = 0xee800a81, VDIV_D = 0xee810b02, VSQRT_S = 0xeeb10ae0, VSQRT_D = 0xeeb10bc1;
const VMLA_S = 0xee000a81, VNMLA_S = 0xee100ac1, VNMLS_S = 0xee100a81, VNMUL_S = 0xee200ac1, VMLS_D = 0xee010b42;
const VCMP_S = 0xeeb40a60, VCMPE_S = 0xeeb40ae0, VCMP0_D = 0xeeb50b40;

describe('VFP encoding table', () => {
  it('has no ambiguous overlaps with the A32 rows', () => {
    assert.deepEqual(decoder.ambiguities(), []);
  });

  it('is more specific than every coprocessor row it overlaps', () => {
    const vfp = vfpRows.map(compilePattern);
    const vfpNames = new Set(vfpRows.map((r) => r.name));
    const others = a32Specs().filter((r) => !vfpNames.has(r.name)).map(compilePattern);
    for (const v of vfp) {
      for (const o of others) {
        if (overlap(v, o)) assert.ok(moreSpecific(v, o), `${v.name} vs ${o.name}`);
      }
    }
  });

  it('exports every handler by row name for the Thumb decoder', () => {
    for (const r of vfpRows) assert.equal(vfpExec[r.name], r.exec);
  });

  it('provides T32 rows with the same handlers and the T32-only UNPREDICTABLE cases', () => {
    const t32 = new Decoder(vfpT32Rows);
    assert.deepEqual(t32.ambiguities(), []);
    const ok = t32.decode(0xee300a81); // vadd.f32 s0, s1, s2 (hw1 = 0xee30)
    assert.equal(ok.kind, 'ok');
    if (ok.kind === 'ok') assert.equal(ok.row.exec, vfpExec.VADD_f);
    assert.equal(t32.decode(0xee10da10).kind, 'unpredictable'); // vmov sp, s0
    assert.equal(t32.decode(0xec9f0b02).kind, 'unpredictable'); // vldmia pc, {d0}
    assert.equal(decoder.decode(0xec9f0b02).kind, 'ok'); // allowed (deprecated) in A32
    assert.equal(t32.decode(0xfe300a81).kind, 'undefined');
  });

  it('disassembles as objdump does', () => {
    const cases: Array<[number, string]> = [
      [0xee300a81, 'vadd.f32\ts0, s1, s2'], [0xee310b02, 'vadd.f64\td0, d1, d2'], [0xee300ac1, 'vsub.f32\ts0, s1, s2'],
      [0xee810b02, 'vdiv.f64\td0, d1, d2'], [0xeeb10ae0, 'vsqrt.f32\ts0, s1'], [0xee100ac1, 'vnmla.f32\ts0, s1, s2'],
      [0xee100a81, 'vnmls.f32\ts0, s1, s2'], [0xee200ac1, 'vnmul.f32\ts0, s1, s2'], [0xee010b42, 'vmls.f64\td0, d1, d2'],
      [0xeeb40ae0, 'vcmpe.f32\ts0, s1'], [0xeeb50b40, 'vcmp.f64\td0, #0.0'], [0xeebd0ae0, 'vcvt.s32.f32\ts0, s1'],
      [0xeebd0a60, 'vcvtr.s32.f32\ts0, s1'], [0xeebd0bc1, 'vcvt.s32.f64\ts0, d1'], [0xeeb80b60, 'vcvt.f64.u32\td0, s1'],
      [0xeeb70bc1, 'vcvt.f32.f64\ts0, d1'], [0xeeb70ae0, 'vcvt.f64.f32\td0, s1'], [0xeebe0a44, 'vcvt.s16.f32\ts0, s0, #8'],
      [0xeeba0a44, 'vcvt.f32.s16\ts0, s0, #8'], [0xeebf0bc8, 'vcvt.u32.f64\td0, d0, #16'],
      [0xeeb30ae0, 'vcvtt.f16.f32\ts0, s1'], [0xeeb20a60, 'vcvtb.f32.f16\ts0, s1'],
      [0xeeb70a00, 'vmov.f32\ts0, #112\t; 0x3f800000 1.0'], [0xeeb80b00, 'vmov.f64\td0, #128\t; 0xc0000000 -2.0'],
      [0xeeb00bc1, 'vabs.f64\td0, d1'], [0xed910b02, 'vldr\td0, [r1, #8]'], [0xed511a01, 'vldr\ts3, [r1, #-4]'],
      [0xed810b00, 'vstr\td0, [r1]'], [0xecb00b08, 'vldmia\tr0!, {d0-d3}'], [0xed201a04, 'vstmdb\tr0!, {s2-s5}'],
      [0xed2d8b04, 'vpush\t{d8-d9}'], [0xecbd8b04, 'vpop\t{d8-d9}'], [0xeca00b05, 'fstmiax\tr0!, {d0-d1}'],
      [0xee001a10, 'vmov\ts0, r1'], [0xee101a10, 'vmov\tr1, s0'], [0xee201b10, 'vmov.32\td0[1], r1'],
      [0xee301b10, 'vmov.32\tr1, d0[1]'], [0xec421a10, 'vmov\ts0, s1, r1, r2'], [0xec521a10, 'vmov\tr1, r2, s0, s1'],
      [0xec421b10, 'vmov\td0, r1, r2'], [0xec521b10, 'vmov\tr1, r2, d0'], [0xeef1fa10, 'vmrs\tAPSR_nzcv, fpscr'],
      [0xeef80a10, 'vmrs\tr0, fpexc'], [0xeef70a10, 'vmrs\tr0, mvfr0'], [0xeee10a10, 'vmsr\tfpscr, r0'],
      [0x0e300a81, 'vaddeq.f32\ts0, s1, s2'], [0xec900a05, 'vldmia\tr0, {s0-s4}'],
    ];
    for (const [w, text] of cases) {
      const d = decoder.decode(w);
      assert.equal(d.kind, 'ok', text);
      if (d.kind === 'ok') assert.equal(d.row.disasm(w, 0), text);
    }
  });
});

describe('VFP enablement', () => {
  it('is UNDEFINED with CPACR cp10 = no access, and in User mode with privileged-only access', () => {
    let cpu = fpuCpu();
    cpu.cp15.cpacr = 0;
    exec(cpu, [VADD_S]);
    assert.equal(cpu.mode, MODE_UND);
    cpu = fpuCpu();
    cpu.cp15.cpacr = 0x00500000;
    exec(cpu, [VADD_S]);
    assert.equal(cpu.mode, MODE_SVC);
    cpu = fpuCpu();
    cpu.cp15.cpacr = 0x00500000;
    cpu.changeMode(MODE_USR);
    exec(cpu, [VADD_S]);
    assert.equal(cpu.mode, MODE_UND);
    assert.equal(cpu.r[14], 0x1004);
  });

  it('with FPEXC.EN clear only VMRS/VMSR of FPEXC, FPSID and MVFRx work, at PL1', () => {
    const cpu = fpuCpu();
    cpu.vfp.fpexc = 0;
    exec(cpu, [0xeef80a10, 0xeef00a10, 0xeef71a10, 0xeef62a10]); // vmrs r0, fpexc; r0, fpsid; r1, mvfr0; r2, mvfr1
    assert.equal(cpu.mode, MODE_SVC);
    assert.equal(cpu.r[0] >>> 0, FPSID_A9);
    assert.equal(cpu.r[1] >>> 0, MVFR0_A9_D16);
    assert.equal(cpu.r[2] >>> 0, MVFR1_A9_D16);
    exec(cpu, [0xeef10a10]); // vmrs r0, fpscr
    assert.equal(cpu.mode, MODE_UND);
    const c2 = fpuCpu();
    c2.vfp.fpexc = 0;
    c2.r[0] = -1;
    exec(c2, [0xeee80a10, 0xee300a81]); // vmsr fpexc, r0; vadd.f32
    assert.equal(c2.mode, MODE_SVC);
    assert.equal(c2.vfp.fpexc >>> 0, FPEXC_EN, 'only EN is writable');
  });

  it('makes FPSID, FPEXC and MVFRx UNDEFINED in User mode but not FPSCR', () => {
    for (const w of [0xeef00a10, 0xeef80a10, 0xeef70a10, 0xeee80a10]) {
      const cpu = fpuCpu();
      cpu.changeMode(MODE_USR);
      exec(cpu, [w]);
      assert.equal(cpu.mode, MODE_UND, w.toString(16));
    }
    const cpu = fpuCpu();
    cpu.changeMode(MODE_USR);
    cpu.r[0] = 0xffffffff | 0;
    exec(cpu, [0xeee10a10, 0xeef11a10]); // vmsr fpscr, r0; vmrs r1, fpscr
    assert.equal(cpu.mode, MODE_USR);
    assert.equal(cpu.r[1] >>> 0, 0xfff7009f, 'trap enables RAZ/WI');
  });

  it('has no D16-D31 and no short vectors', () => {
    let cpu = fpuCpu();
    exec(cpu, [0xee710b02]); // vadd.f64 d16, d1, d2
    assert.equal(cpu.mode, MODE_UND);
    cpu = fpuCpu();
    cpu.vfp.fpscr = 1 << 16; // Len = 1
    exec(cpu, [VADD_S]);
    assert.equal(cpu.mode, MODE_UND);
    cpu = fpuCpu();
    cpu.vfp.fpscr = 1 << 16;
    exec(cpu, [VCMP_S]); // always scalar
    assert.equal(cpu.mode, MODE_SVC);
    cpu = fpuCpu();
    cpu.vfp.fpscr = 3 << 20; // Stride is ignored
    cpu.vfp.s[1] = 0x3f800000; cpu.vfp.s[2] = 0x3f800000;
    exec(cpu, [VADD_S]);
    assert.equal(cpu.vfp.s[0], 0x40000000);
  });

  it('makes VFMA (VFPv4) UNDEFINED', () => {
    const cpu = fpuCpu();
    exec(cpu, [0xeea00a81]);
    assert.equal(cpu.mode, MODE_UND);
  });

  it('makes VMRS APSR_nzcv copy the FPSCR flags', () => {
    const cpu = fpuCpu();
    cpu.vfp.fpscr = 0x30000000;
    exec(cpu, [0xeef1fa10]);
    assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v], [0, 0, 1, 1]);
  });
});

describe('VFP arithmetic: rounding', () => {
  it('rounds a single-precision tie in each mode', () => {
    // 1 + 2^-24: exactly halfway between 1 and 1 + 2^-23.
    assert.deepEqual(s3(VADD_S, 0, 0x3f800000, 0x33800000, RN), [0x3f800000, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0x3f800000, 0x33800000, RP), [0x3f800001, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0x3f800000, 0x33800000, RM), [0x3f800000, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0x3f800000, 0x33800000, RZ), [0x3f800000, IXC]);
    // -(1 + 3 * 2^-24): a tie broken to even (away from zero here).
    assert.deepEqual(s3(VADD_S, 0, 0xbf800001, 0xb3800000, RN), [0xbf800002, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0xbf800001, 0xb3800000, RM), [0xbf800002, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0xbf800001, 0xb3800000, RP), [0xbf800001, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0xbf800001, 0xb3800000, RZ), [0xbf800001, IXC]);
  });

  it('uses the exact sign of a tiny second operand in directed modes', () => {
    // 1 - 2^-60: RN and RP give 1.0, RM and RZ the next single below 1.
    assert.deepEqual(s3(VADD_S, 0, 0x3f800000, 0xa1800000, RN), [0x3f800000, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0x3f800000, 0xa1800000, RP), [0x3f800000, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0x3f800000, 0xa1800000, RM), [0x3f7fffff, IXC]);
    assert.deepEqual(s3(VADD_S, 0, 0x3f800000, 0xa1800000, RZ), [0x3f7fffff, IXC]);
  });

  it('rounds double precision in each mode', () => {
    const one: [number, number] = [0x3ff00000, 0], tie: [number, number] = [0x3ca00000, 0]; // 2^-53
    assert.deepEqual(d3(VADD_D, one, tie, RN), [[0x3ff00000, 0], IXC]);
    assert.deepEqual(d3(VADD_D, one, tie, RP), [[0x3ff00000, 1], IXC]);
    // -1 + 2^-54: halfway between -1 and -(1 - 2^-53).
    const q: [number, number] = [0x3c900000, 0];
    assert.deepEqual(d3(VADD_D, [0xbff00000, 0], q, RN), [[0xbff00000, 0], IXC]);
    assert.deepEqual(d3(VADD_D, [0xbff00000, 0], q, RM), [[0xbff00000, 0], IXC]);
    assert.deepEqual(d3(VADD_D, [0xbff00000, 0], q, RZ), [[0xbfefffff, 0xffffffff], IXC]);
    assert.deepEqual(d3(VADD_D, [0xbff00000, 0], q, RP), [[0xbfefffff, 0xffffffff], IXC]);
    assert.deepEqual(d3(VADD_D, [0xbff00000, 0], tie, RM), [[0xbfefffff, 0xffffffff], 0]);
    // 1/3 in each mode.
    const three: [number, number] = [0x40080000, 0];
    assert.deepEqual(d3(VDIV_D, one, three, RN), [[0x3fd55555, 0x55555555], IXC]);
    assert.deepEqual(d3(VDIV_D, one, three, RP), [[0x3fd55555, 0x55555556], IXC]);
    assert.deepEqual(d3(VDIV_D, one, three, RZ), [[0x3fd55555, 0x55555555], IXC]);
    // sqrt(2) rounds up in RN; RZ and RM go down.
    assert.deepEqual(d3(VSQRT_D, [0x40000000, 0], [0, 0], RN), [[0x3ff6a09e, 0x667f3bcd], IXC]);
    assert.deepEqual(d3(VSQRT_D, [0x40000000, 0], [0, 0], RP), [[0x3ff6a09e, 0x667f3bcd], IXC]);
    assert.deepEqual(d3(VSQRT_D, [0x40000000, 0], [0, 0], RZ), [[0x3ff6a09e, 0x667f3bcc], IXC]);
    assert.deepEqual(d3(VSQRT_D, [0x40000000, 0], [0, 0], RM), [[0x3ff6a09e, 0x667f3bcc], IXC]);
    // (1 + 2^-52)^2 = 1 + 2^-51 + 2^-104: RP rounds up.
    const a: [number, number] = [0x3ff00000, 1];
    assert.deepEqual(d3(VMUL_D, a, a, RN), [[0x3ff00000, 2], IXC]);
    assert.deepEqual(d3(VMUL_D, a, a, RP), [[0x3ff00000, 3], IXC]);
  });

  it('is exact without flags when the result is representable', () => {
    assert.deepEqual(s3(VMUL_S, 0, 0x40400000, 0x40800000), [0x41400000, 0]);
    assert.deepEqual(s3(VSQRT_S, 0, 0x41100000, 0), [0x40400000, 0]);
  });

  it('gives +0 for an exact zero sum, -0 when rounding towards minus infinity', () => {
    assert.deepEqual(s3(VSUB_S, 0, 0x3f800000, 0x3f800000, RN), [0, 0]);
    assert.deepEqual(s3(VSUB_S, 0, 0x3f800000, 0x3f800000, RM), [0x80000000, 0]);
    assert.deepEqual(s3(VADD_S, 0, 0x80000000, 0x80000000, RN), [0x80000000, 0]);
  });

  it('overflows to infinity or the largest finite value depending on the mode', () => {
    assert.deepEqual(s3(VMUL_S, 0, 0x7f000000, 0x40000000, RN), [0x7f800000, OFC | IXC]);
    assert.deepEqual(s3(VMUL_S, 0, 0x7f000000, 0x40000000, RZ), [0x7f7fffff, OFC | IXC]);
    assert.deepEqual(s3(VMUL_S, 0, 0xff000000, 0x40000000, RP), [0xff7fffff, OFC | IXC]);
    assert.deepEqual(s3(VMUL_S, 0, 0xff000000, 0x40000000, RM), [0xff800000, OFC | IXC]);
    const big: [number, number] = [0x7fe00000, 0], two: [number, number] = [0x40000000, 0];
    assert.deepEqual(d3(VMUL_D, big, two, RN), [[0x7ff00000, 0], OFC | IXC]);
    assert.deepEqual(d3(VMUL_D, big, two, RZ), [[0x7fefffff, 0xffffffff], OFC | IXC]);
  });

  it('rounds sums of operands near the top of the range in directed modes', () => {
    // 0x7fd02e2d2ec4202f - DBL_MAX = -0x1.7e8e9689defe78p1023: the tie goes towards zero in RP.
    const max: [number, number] = [0xffefffff, 0xffffffff], x: [number, number] = [0x7fd02e2d, 0x2ec4202f];
    assert.deepEqual(d3(VADD_D, x, max, RP), [[0xffe7e8e9, 0x689defe7], IXC]);
    assert.deepEqual(d3(VADD_D, x, max, RN), [[0xffe7e8e9, 0x689defe8], IXC]);
    assert.deepEqual(d3(VADD_D, [0x7fefffff, 0xffffffff], [0x7fefffff, 0xffffffff], RZ), [[0x7fefffff, 0xffffffff], OFC | IXC]);
  });

  it('does not fuse VMLA: the product is rounded first', () => {
    // (1 + 2^-12)^2 rounds to 1 + 2^-11; adding -(1 + 2^-11) gives exactly 0 (a fused
    // multiply-add would give 2^-24).
    assert.deepEqual(s3(VMLA_S, 0xbf801000, 0x3f800800, 0x3f800800), [0, IXC]);
  });

  it('computes VNMLA, VNMLS, VNMUL and VMLS with the ARM signs', () => {
    const two = 0x40000000, three = 0x40400000, ten = 0x41200000;
    assert.deepEqual(s3(VNMLA_S, ten, two, three), [0xc1800000, 0]); // -10 - 6
    assert.deepEqual(s3(VNMLS_S, ten, two, three), [0xc0800000, 0]); // -10 + 6
    assert.deepEqual(s3(VNMUL_S, ten, two, three), [0xc0c00000, 0]); // -6
    assert.deepEqual(d3(VMLS_D, [0x40000000, 0], [0x40080000, 0], RN, 0, [0x40240000, 0]), [[0x40100000, 0], 0]); // 10 - 6
  });
});

describe('VFP arithmetic: subnormals, flush-to-zero, underflow', () => {
  it('produces subnormals exactly without Underflow, and flags tiny inexact results', () => {
    // 2^-126 * 0.5 = 2^-127: subnormal, exact.
    assert.deepEqual(s3(VMUL_S, 0, 0x00800000, 0x3f000000), [0x00400000, 0]);
    // 2^-149 * 0.5: tiny and inexact, ties to even (0).
    assert.deepEqual(s3(VMUL_S, 0, 0x00000001, 0x3f000000), [0, UFC | IXC]);
    assert.deepEqual(s3(VMUL_S, 0, 0x00000001, 0x3f000000, RP), [1, UFC | IXC]);
  });

  it('detects tininess before rounding', () => {
    // 2^-126 * (1 - 2^-24) = 2^-126 - 2^-150 rounds up to 2^-126, yet is tiny: UFC.
    assert.deepEqual(s3(VMUL_S, 0, 0x00800000, 0x3f7fffff), [0x00800000, UFC | IXC]);
    // The same in flush-to-zero mode becomes +0 with only UFC.
    assert.deepEqual(s3(VMUL_S, 0, 0x00800000, 0x3f7fffff, RN, FZ), [0, UFC]);
    // Doubles: 2^-1022 * (1 - 2^-53).
    assert.deepEqual(d3(VMUL_D, [0x00100000, 0], [0x3fefffff, 0xffffffff]), [[0x00100000, 0], UFC | IXC]);
    assert.deepEqual(d3(VMUL_D, [0x00100000, 0], [0x3fefffff, 0xffffffff], RZ), [[0x000fffff, 0xffffffff], UFC | IXC]);
  });

  it('flushes subnormal inputs to signed zero with IDC when FZ is set', () => {
    assert.deepEqual(s3(VADD_S, 0, 0x00000005, 0x80000000, RN), [0x00000005, 0]);
    assert.deepEqual(s3(VADD_S, 0, 0x80000005, 0x80000000, RN, FZ), [0x80000000, IDC]);
    assert.deepEqual(s3(VMUL_S, 0, 0x00000005, 0x7f800000, RN, FZ), [0x7fc00000, IDC | IOC]); // 0 * inf
    assert.deepEqual(d3(VADD_D, [0x00000000, 1], [0x3ff00000, 0], RN, FZ), [[0x3ff00000, 0], IDC]);
    // Subnormal results are flushed too.
    assert.deepEqual(d3(VMUL_D, [0x00100000, 0], [0x3fe00000, 0], RN, FZ), [[0, 0], UFC]);
  });

  it('takes the exact path for double results near the subnormal range', () => {
    // Smallest subnormal / 2 in RN ties to 0; in RP rounds to the smallest subnormal.
    assert.deepEqual(d3(VDIV_D, [0, 1], [0x40000000, 0], RN), [[0, 0], UFC | IXC]);
    assert.deepEqual(d3(VDIV_D, [0, 1], [0x40000000, 0], RP), [[0, 1], UFC | IXC]);
    // 3 * 2^-1074 / 2 = 1.5 units: RN rounds to 2 units.
    assert.deepEqual(d3(VDIV_D, [0, 3], [0x40000000, 0], RN), [[0, 2], UFC | IXC]);
    // sqrt of the smallest subnormal is 2^-537, exact.
    assert.deepEqual(d3(VSQRT_D, [0, 1], [0, 0]), [[0x1e600000, 0], 0]);
  });
});

describe('VFP arithmetic: NaNs and invalid operations', () => {
  it('propagates NaNs with the ARM priorities', () => {
    // Quiet NaNs: the first operand wins.
    assert.deepEqual(s3(VADD_S, 0, 0x7fc00001, 0xffc00002), [0x7fc00001, 0]);
    // A signalling NaN wins over a quiet one and is quietened, with IOC.
    assert.deepEqual(s3(VADD_S, 0, 0x7fc00001, 0xff800002), [0xffc00002, IOC]);
    // FPSub keeps the second operand's NaN sign.
    assert.deepEqual(s3(VSUB_S, 0, 0x3f800000, 0xffc00003), [0xffc00003, 0]);
    // Default NaN mode.
    assert.deepEqual(s3(VADD_S, 0, 0x7fc00001, 0xff800002, RN, DN), [0x7fc00000, IOC]);
    const [d, f] = d3(VADD_D, [0x7ff00000, 1], [0x7ff80000, 2]);
    assert.deepEqual([d, f], [[0x7ff80000, 1], IOC]);
  });

  it('VMLS negates a NaN product before the addition', () => {
    assert.deepEqual(d3(VMLS_D, [0x7ff80000, 5], [0x3ff00000, 0]), [[0xfff80000, 5], 0]);
  });

  it('signals Invalid Operation and Divide by Zero', () => {
    assert.deepEqual(s3(VSUB_S, 0, 0x7f800000, 0x7f800000), [0x7fc00000, IOC]);
    assert.deepEqual(s3(VDIV_S, 0, 0, 0x80000000), [0x7fc00000, IOC]);
    assert.deepEqual(s3(VDIV_S, 0, 0xbf800000, 0), [0xff800000, DZC]);
    assert.deepEqual(s3(VDIV_S, 0, 0x7f800000, 0), [0x7f800000, 0]);
    assert.deepEqual(s3(VSQRT_S, 0, 0xbf800000, 0), [0x7fc00000, IOC]);
    assert.deepEqual(s3(VSQRT_S, 0, 0x80000000, 0), [0x80000000, 0]);
  });
});

describe('VCMP', () => {
  const nzcv = (w: number, a: number, b: number): [number, number] => {
    const cpu = fpuCpu();
    cpu.vfp.s[0] = a; cpu.vfp.s[1] = b;
    exec(cpu, [w]);
    return [cpu.vfp.fpscr >>> 28, cpu.vfp.fpscr & 0x9f];
  };

  it('sets NZCV for less, equal, greater and unordered', () => {
    assert.deepEqual(nzcv(VCMP_S, 0x3f800000, 0x40000000), [0b1000, 0]);
    assert.deepEqual(nzcv(VCMP_S, 0x80000000, 0x00000000), [0b0110, 0]);
    assert.deepEqual(nzcv(VCMP_S, 0x40000000, 0x3f800000), [0b0010, 0]);
    assert.deepEqual(nzcv(VCMP_S, 0x7fc00000, 0x3f800000), [0b0011, 0]);
    assert.deepEqual(nzcv(VCMP_S, 0x7f800001, 0x3f800000), [0b0011, IOC]);
    assert.deepEqual(nzcv(VCMPE_S, 0x7fc00000, 0x3f800000), [0b0011, IOC]);
  });

  it('compares with zero', () => {
    const cpu = fpuCpu();
    cpu.vfp.setD(0, 0x80000000 | 0, 0);
    exec(cpu, [VCMP0_D]);
    assert.equal(cpu.vfp.fpscr >>> 28, 0b0110);
  });
});

describe('VFP conversions', () => {
  const cvt = (w: number, src: number, rmode = RN, extra = 0, dst = 0): [number, number] => s3(w, dst, src, 0, rmode, extra);

  it('converts float to integer with truncation or the FPSCR mode, saturating', () => {
    assert.deepEqual(cvt(0xeebd0ae0, 0x40200000), [2, IXC]); // vcvt.s32.f32 2.5
    assert.deepEqual(cvt(0xeebd0ae0, 0xc0200000), [0xfffffffe, IXC]); // -2.5 -> -2
    assert.deepEqual(cvt(0xeebd0a60, 0x40200000), [2, IXC]); // vcvtr: ties to even
    assert.deepEqual(cvt(0xeebd0a60, 0x40600000), [4, IXC]); // 3.5
    assert.deepEqual(cvt(0xeebd0a60, 0x40200000, RP), [3, IXC]);
    assert.deepEqual(cvt(0xeebd0a60, 0xc0200000, RM), [0xfffffffd, IXC]);
    assert.deepEqual(cvt(0xeebd0ae0, 0x4f400000), [0x7fffffff, IOC]); // 3.2e9
    assert.deepEqual(cvt(0xeebd0ae0, 0x7fc00000), [0, IOC]);
    assert.deepEqual(cvt(0xeebc0ae0, 0xbf800000), [0, IOC]); // vcvt.u32 -1.0
    assert.deepEqual(cvt(0xeebc0ae0, 0xbf000000), [0, IXC]); // -0.5 truncates to 0
    assert.deepEqual(cvt(0xeebc0ae0, 0x4f800000), [0xffffffff, IOC]); // 2^32
    assert.deepEqual(cvt(0xeebd0ae0, 0x00000001, RN, FZ), [0, IDC]);
  });

  it('converts integers to float in the FPSCR rounding mode', () => {
    assert.deepEqual(cvt(0xeeb80ae0, 0x7fffffff), [0x4f000000, IXC]); // vcvt.f32.s32
    assert.deepEqual(cvt(0xeeb80ae0, 0x7fffffff, RZ), [0x4effffff, IXC]);
    assert.deepEqual(cvt(0xeeb80ae0, 0x80000000), [0xcf000000, 0]);
    const cpu = fpuCpu();
    cpu.vfp.s[1] = -1;
    exec(cpu, [0xeeb80b60]); // vcvt.f64.u32 d0, s1
    assert.deepEqual([cpu.vfp.dHi(0) >>> 0, cpu.vfp.dLo(0) >>> 0], [0x41efffff, 0xffe00000]);
  });

  it('converts to and from fixed point', () => {
    assert.deepEqual(cvt(0xeebe0a44, 0, RN, 0, 0x3fc00000), [384, 0]); // vcvt.s16.f32 s0, s0, #8: 1.5
    assert.deepEqual(cvt(0xeebe0a44, 0, RN, 0, 0xbf800000), [0xffffff00, 0]); // -1.0, sign-extended
    assert.deepEqual(cvt(0xeebe0a44, 0, RN, 0, 0x43480000), [0x00007fff, IOC]); // 200.0 saturates
    assert.deepEqual(cvt(0xeeba0a44, 0, RN, 0, 0xffffff80), [0xbf000000, 0]); // vcvt.f32.s16: -128/256
    // From fixed point rounds to nearest whatever the mode: 0x706ffb34 / 2^29 (u32).
    assert.deepEqual(cvt(0xeebb0ae1, 0, RP, 0, 0x706ffb34), [0x4060dff6, IXC]);
  });

  it('converts between single and double', () => {
    const cpu = fpuCpu();
    cpu.vfp.setD(1, 0x7e37e43c, 0x8800759c); // 1e300
    exec(cpu, [0xeeb70bc1]); // vcvt.f32.f64 s0, d1
    assert.equal(cpu.vfp.s[0] >>> 0, 0x7f800000);
    assert.equal(cpu.vfp.fpscr & 0x9f, OFC | IXC);
    const c2 = fpuCpu();
    c2.vfp.s[1] = 0x7f800001; // signalling NaN
    exec(c2, [0xeeb70ae0]); // vcvt.f64.f32 d0, s1
    assert.deepEqual([c2.vfp.dHi(0) >>> 0, c2.vfp.dLo(0) >>> 0, c2.vfp.fpscr & 0x9f], [0x7ff80000, 0x20000000, IOC]);
    const c3 = fpuCpu();
    c3.vfp.setD(1, 0x00000000, 1); // smallest double subnormal -> single
    c3.vfp.fpscr = RP << 22;
    exec(c3, [0xeeb70bc1]);
    assert.deepEqual([c3.vfp.s[0], c3.vfp.fpscr & 0x9f], [1, UFC | IXC]);
  });

  it('converts to and from half precision', () => {
    const cpu = fpuCpu();
    cpu.vfp.s[0] = 0x12345678;
    cpu.vfp.s[1] = 0x3f800000;
    exec(cpu, [0xeeb30a60]); // vcvtb.f16.f32 s0, s1
    assert.equal(cpu.vfp.s[0] >>> 0, 0x12343c00);
    exec(cpu, [0xeeb30ae0]); // vcvtt.f16.f32 s0, s1
    assert.equal(cpu.vfp.s[0] >>> 0, 0x3c003c00);
    assert.deepEqual(cvt(0xeeb30a60, 0x477ff000), [0x7c00, OFC | IXC]); // 65520 -> inf
    assert.deepEqual(cvt(0xeeb30a60, 0x477ff000, RN, AHP), [0x7c00, IXC]); // 65536: a finite AHP value
    assert.deepEqual(cvt(0xeeb30a60, 0x7f800000, RN, AHP), [0x7fff, IOC]);
    assert.deepEqual(cvt(0xeeb30a60, 0xffc00000, RN, AHP), [0x8000, IOC]);
    assert.deepEqual(cvt(0xeeb30a60, 0x33000000), [0x0000, UFC | IXC]); // 2^-25 ties to 0
    assert.deepEqual(cvt(0xeeb20a60, 0x00007c00), [0x7f800000, 0]); // vcvtb.f32.f16 inf
    assert.deepEqual(cvt(0xeeb20a60, 0x00000001, RN, FZ), [0x33800000, 0]); // half subnormal, never flushed
    assert.deepEqual(cvt(0xeeb20a60, 0x00007d00), [0x7fe00000, IOC]); // signalling half NaN
  });
});

describe('VFP moves, loads and stores', () => {
  it('expands VMOV immediates', () => {
    const cpu = fpuCpu();
    exec(cpu, [0xeeb70a00, 0xeeb81b00]); // vmov.f32 s0, #1.0; vmov.f64 d1, #-2.0
    assert.equal(cpu.vfp.s[0], 0x3f800000);
    assert.deepEqual([cpu.vfp.dHi(1) >>> 0, cpu.vfp.dLo(1)], [0xc0000000, 0]);
  });

  it('VABS and VNEG only touch the sign bit, even of NaNs', () => {
    const cpu = fpuCpu();
    cpu.vfp.setD(1, 0xfff40000 | 0, 7);
    cpu.vfp.fpscr = DN | FZ;
    exec(cpu, [0xeeb00bc1, 0xeeb11a60]); // vabs.f64 d0, d1; vneg.f32 s2, s1
    assert.deepEqual([cpu.vfp.dHi(0) >>> 0, cpu.vfp.dLo(0)], [0x7ff40000, 7]);
    assert.equal(cpu.vfp.fpscr & 0x9f, 0);
  });

  it('transfers between core and extension registers', () => {
    const cpu = fpuCpu();
    cpu.r[1] = 0x11111111; cpu.r[2] = 0x22222222;
    exec(cpu, [0xec421b10, 0xee201b10, 0xec543b10, 0xee106a10, 0xee305b10]);
    // vmov d0, r1, r2; vmov.32 d0[1], r1; vmov r3, r4, d0; vmov r6, s0; vmov.32 r5, d0[1]
    assert.deepEqual([cpu.r[3], cpu.r[4], cpu.r[6], cpu.r[5]], [0x11111111, 0x11111111, 0x11111111, 0x11111111]);
    assert.deepEqual([cpu.vfp.s[0], cpu.vfp.s[1]], [0x11111111, 0x11111111]);
  });

  it('loads and stores doubles in the order of the data endianness', () => {
    const cpu = fpuCpu();
    cpu.bus.write32(0x2008, 0x89abcdef);
    cpu.bus.write32(0x200c, 0x01234567);
    cpu.r[1] = 0x2000;
    exec(cpu, [0xed910b02]); // vldr d0, [r1, #8]
    assert.deepEqual([cpu.vfp.dHi(0), cpu.vfp.dLo(0) >>> 0], [0x01234567, 0x89abcdef]);
    const be = fpuCpu();
    be.e = 1;
    be.bus.write32(0x2008, 0x67452301);
    be.bus.write32(0x200c, 0xefcdab89);
    be.r[1] = 0x2000;
    exec(be, [0xed910b02]);
    assert.deepEqual([be.vfp.dHi(0), be.vfp.dLo(0) >>> 0], [0x01234567, 0x89abcdef]);
    exec(be, [0xed810b00]); // vstr d0, [r1]
    assert.deepEqual([be.bus.read32(0x2000), be.bus.read32(0x2004) >>> 0], [0x67452301, 0xefcdab89]);
  });

  it('loads literals relative to the aligned pc', () => {
    const cpu = fpuCpu();
    cpu.bus.write32(0x1004, 0);
    cpu.bus.write32(0x1008, 0x3ff00000);
    place(cpu, 0x1000, [0xed1f0b01]); // vldr d0, [pc, #-4]: 0x1008 - 4
    cpu.run(1);
    assert.deepEqual([cpu.vfp.dHi(0), cpu.vfp.dLo(0)], [0x3ff00000, 0]);
  });

  it('pushes and pops with writeback, and FSTMX moves the base by the odd word', () => {
    const cpu = fpuCpu();
    cpu.r[13] = 0x3000;
    cpu.vfp.setD(8, 0x88888888 | 0, 0x08080808);
    cpu.vfp.setD(9, 0x99999999 | 0, 0x09090909);
    exec(cpu, [0xed2d8b04]); // vpush {d8-d9}
    assert.equal(cpu.r[13], 0x2ff0);
    assert.deepEqual([0x2ff0, 0x2ff4, 0x2ff8, 0x2ffc].map((a) => cpu.bus.read32(a) >>> 0),
      [0x08080808, 0x88888888, 0x09090909, 0x99999999]);
    cpu.vfp.setD(8, 0, 0); cpu.vfp.setD(9, 0, 0);
    exec(cpu, [0xecbd8b04]); // vpop {d8-d9}
    assert.equal(cpu.r[13], 0x3000);
    assert.deepEqual([cpu.vfp.dHi(9) >>> 0, cpu.vfp.dLo(9)], [0x99999999, 0x09090909]);
    cpu.r[0] = 0x2000;
    exec(cpu, [0xeca00b05]); // fstmiax r0!, {d0-d1}
    assert.equal(cpu.r[0], 0x2014);
  });

  it('leaves registers unchanged when a load aborts', () => {
    const cpu = fpuCpu();
    cpu.r[0] = 0x000ffff0; // the last 16 bytes of RAM; d2 lies beyond
    cpu.vfp.setD(0, 1, 2);
    exec(cpu, [0xecb00b06]); // vldmia r0!, {d0-d2}
    assert.equal(cpu.mode, MODE_ABT);
    assert.equal(cpu.r[0], 0x000ffff0);
    assert.deepEqual([cpu.vfp.dHi(0), cpu.vfp.dLo(0)], [1, 2]);
  });

  it('faults on an unaligned access', () => {
    const cpu = fpuCpu();
    cpu.r[1] = 0x2002;
    exec(cpu, [0xed910a00]); // vldr s0, [r1]
    assert.equal(cpu.mode, MODE_ABT);
  });
});

describe('VfpState', () => {
  it('snapshots and restores the registers', () => {
    const a = new VfpState();
    a.s[3] = 0xdeadbeef | 0;
    a.setFpscr(0xffffffff);
    a.setFpexc(0xffffffff);
    const snap = JSON.parse(JSON.stringify(a.snapshot()));
    const b = new VfpState();
    b.restore(snap);
    assert.deepEqual(b.snapshot(), a.snapshot());
    assert.equal(b.fpscr >>> 0, 0xfff7009f);
    assert.equal(b.fpexc >>> 0, FPEXC_EN);
    b.reset();
    assert.equal(b.s[3], 0);
    assert.throws(() => b.restore({ ...snap, version: 2 }), /version 2/);
  });
});
