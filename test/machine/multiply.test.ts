import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../machine/cpu/encoding';
import { branchRows } from '../../machine/cpu/a32/branch';
import { dataProcessingRows } from '../../machine/cpu/a32/data-processing';
import { multiplyRows, umul64, smul64, lastProduct } from '../../machine/cpu/a32/multiply';
import { MODE_UND } from '../../machine/cpu/modes';
import type { Cpu } from '../../machine/cpu/cpu';
import { makeCpu, exec, place } from '../support/cpu-harness';

const decoder = new Decoder([...branchRows, ...dataProcessingRows, ...multiplyRows]);

const u = (x: number): number => x >>> 0;

/** Runs one instruction with r1, r2, r3 (and r0) preset and the flags NZCVQ from a string. */
function run1(word: number, r1: number, r2: number, r3 = 0, f = '', r0 = 0): Cpu {
  const cpu = makeCpu();
  cpu.r[0] = r0; cpu.r[1] = r1; cpu.r[2] = r2; cpu.r[3] = r3;
  cpu.n = f.includes('N') ? 1 : 0;
  cpu.z = f.includes('Z') ? 1 : 0;
  cpu.c = f.includes('C') ? 1 : 0;
  cpu.v = f.includes('V') ? 1 : 0;
  cpu.q = f.includes('Q') ? 1 : 0;
  return exec(cpu, [word]);
}

function flags(cpu: Cpu): string {
  return `${cpu.n ? 'N' : '-'}${cpu.z ? 'Z' : '-'}${cpu.c ? 'C' : '-'}${cpu.v ? 'V' : '-'}${cpu.q ? 'Q' : '-'}`;
}

/** A deterministic stream of interesting 32-bit values. */
function* values(count: number): Generator<number> {
  const edges = [0, 1, -1, 0x7fffffff, 0x80000000 | 0, 0x8000, 0x7fff, 0xffff, 0x8000_8000 | 0, 0x7fff_7fff, 0x0001_ffff, 0xffff_0001 | 0];
  for (const e of edges) yield e;
  let s = 0x12345678;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    const t = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) ^ (s >>> 12)) | 0;
    yield t;
  }
}

const B = BigInt;
const M32 = (1n << 32n) - 1n;
const M64 = (1n << 64n) - 1n;
const s32 = (x: number): bigint => B(x | 0);
const u32 = (x: number): bigint => B(x >>> 0);
const bot = (x: number): bigint => B((x << 16) >> 16);
const top = (x: number): bigint => B(x >> 16);

test('multiply rows are unambiguous together with branch and data processing', () => {
  assert.deepEqual(decoder.ambiguities(), []);
});

test('sample words decode to the expected rows', () => {
  const cases: Array<[number, string]> = [
    [0xe0000291, 'MUL'], [0xe0100291, 'MUL'], [0xe0203291, 'MLA'], [0xe0603291, 'MLS'],
    [0xe0810392, 'UMULL'], [0xe0a10392, 'UMLAL'], [0xe0c10392, 'SMULL'], [0xe0e10392, 'SMLAL'],
    [0xe0410392, 'UMAAL'], [0xe16002e1, 'SMULxy'], [0xe1003281, 'SMLAxy'], [0xe12002a1, 'SMULWy'],
    [0xe12032c1, 'SMLAWy'], [0xe1410382, 'SMLALxy'], [0xe700f211, 'SMUAD'], [0xe700f271, 'SMUSD'],
    [0xe7003231, 'SMLAD'], [0xe7003251, 'SMLSD'], [0xe7410332, 'SMLALD'], [0xe7410372, 'SMLSLD'],
    [0xe750f231, 'SMMUL'], [0xe7503211, 'SMMLA'], [0xe75032f1, 'SMMLS'],
    [0xe710f211, 'SDIV'], [0xe730f211, 'UDIV'],
    [0xe1a00000, 'MOV_reg'], [0xe0810002, 'ADD_reg'],
  ];
  for (const [w, name] of cases) {
    const d = decoder.decode(w);
    assert.equal(d.kind === 'ok' && d.row.name, name, `0x${w.toString(16)}`);
  }
  // 0000 0101 / 0000 0111 with 1001 have no multiply: UNDEFINED.
  assert.equal(decoder.decode(0xe0510392).kind, 'undefined');
  assert.equal(decoder.decode(0xe0710392).kind, 'undefined');
});

test('UNPREDICTABLE multiply operands', () => {
  const bad = [
    0xe00f0291, // mul pc, r1, r2
    0xe000029f, // mul r0, pc, r2
    0xe0000f91, // mul r0, r1, pc
    0xe020f291, // mla r0, r1, r2, pc
    0xe0800392, // umull r0, r0, r2, r3 (RdHi == RdLo)
    0xe08f0392, // umull r0, pc, r2, r3
    0xe0400392, // umaal r0, r0, r2, r3
    0xe1400382, // smlalbb r0, r0, r2, r3
    0xe7400312, // smlald r0, r0, r2, r3
    0xe750f2d1, // smmls r0, r1, r2, pc
    0xe0001291, // mul with SBZ bits 15:12 set
  ];
  for (const w of bad) assert.equal(decoder.decode(w >>> 0).kind, 'unpredictable', `0x${(w >>> 0).toString(16)}`);
  // ARMv7 allows Rd == Rn for MUL and RdLo/RdHi == Rn for the long multiplies.
  assert.equal(decoder.decode(0xe0000090).kind, 'ok'); // mul r0, r0, r0
  assert.equal(decoder.decode(0xe0810190).kind, 'ok'); // umull r0, r1, r0, r1
});

test('umul64 and smul64 agree with BigInt', () => {
  const vs = [...values(60)];
  for (const a of vs) {
    for (const b of vs) {
      umul64(a, b);
      let p = lastProduct();
      const ue = u32(a) * u32(b);
      assert.equal(B(u(p.lo)) | (B(u(p.hi)) << 32n), ue, `umul64(${a}, ${b})`);
      smul64(a, b);
      p = lastProduct();
      const se = (s32(a) * s32(b)) & M64;
      assert.equal(B(u(p.lo)) | (B(u(p.hi)) << 32n), se, `smul64(${a}, ${b})`);
    }
  }
});

test('MUL/MLA/MLS results; S sets N and Z and leaves C and V', () => {
  let cpu = run1(0xe0000291, 7, -3); // mul r0, r1, r2
  assert.equal(cpu.r[0], -21);
  cpu = run1(0xe0000291, 0x10000, 0x10001);
  assert.equal(cpu.r[0], 0x10000);
  cpu = run1(0xe0100291, 0x10000, 0x10000, 0, 'CV'); // muls: 2^32 -> 0
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZCV-');
  cpu = run1(0xe0100291, -1, 1, 0, 'Z');
  assert.equal(flags(cpu), 'N----');
  cpu = run1(0xe0000291, -1, 1, 0, 'Z'); // mul without S keeps flags
  assert.equal(flags(cpu), '-Z---');
  cpu = run1(0xe0303291, 3, 4, -12, 'C'); // mlas r0, r1, r2, r3
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC--');
  cpu = run1(0xe0603291, 3, 4, 10); // mls r0, r1, r2, r3
  assert.equal(cpu.r[0], -2);
  cpu = run1(0xe0603291, 0x10000, 0x10000, 5); // 5 - 2^32
  assert.equal(cpu.r[0], 5);
});

test('long multiplies: UMULL, UMLAL, SMULL, SMLAL, UMAAL', () => {
  let cpu = run1(0xe0810392, 0, -1, -1); // umull r0, r1, r2, r3
  assert.equal(u(cpu.r[0]), 0x00000001);
  assert.equal(u(cpu.r[1]), 0xfffffffe);
  cpu = run1(0xe0910392, 0, 0, 12345, 'CV'); // umulls: zero
  assert.equal(flags(cpu), '-ZCV-');
  cpu = run1(0xe0910392, 0, 0x80000000, 2); // umulls: 2^32 -> N clear, Z clear
  assert.equal(cpu.r[0], 0);
  assert.equal(cpu.r[1], 1);
  assert.equal(flags(cpu), '-----');
  cpu = run1(0xe0c10392, 0, -1, 1); // smull: -1
  assert.equal(cpu.r[0], -1);
  assert.equal(cpu.r[1], -1);
  cpu = run1(0xe0d10392, 0, 0x80000000, 0x80000000); // smulls: 2^62
  assert.equal(cpu.r[0], 0);
  assert.equal(cpu.r[1], 0x40000000);
  assert.equal(flags(cpu), '-----');
  cpu = run1(0xe0d10392, 0, 0x80000000, 1);
  assert.equal(flags(cpu), 'N----');
  // umlal r0, r1, r2, r3 with r1:r0 = 0x1:0xffffffff, 2 * 3
  cpu = run1(0xe0a10392, 1, 2, 3, '', -1);
  assert.equal(cpu.r[0], 5);
  assert.equal(cpu.r[1], 2);
  // smlal: r1:r0 = 0:5 plus -2 * 3
  cpu = run1(0xe0e10392, 0, -2, 3, '', 5);
  assert.equal(cpu.r[0], -1);
  assert.equal(cpu.r[1], -1);
  // umaal: the largest case 0xffffffff^2 + 2 * 0xffffffff = 2^64 - 1, no overflow
  cpu = run1(0xe0410392, -1, -1, -1, '', -1);
  assert.equal(cpu.r[0], -1);
  assert.equal(cpu.r[1], -1);
  cpu = run1(0xe0410392, 7, 2, 3, '', 0x10);
  assert.equal(cpu.r[0], 2 * 3 + 0x10 + 7);
  assert.equal(cpu.r[1], 0);
});

test('SMULxy selects halves; SMLAxy sets Q on overflow and Q is sticky', () => {
  const n = 0x7fff_8000, m = 0xffff_0003 | 0;
  assert.equal(run1(0xe1600281, n, m).r[0], -32768 * 3); // smulbb r0, r1, r2
  assert.equal(run1(0xe16002c1, n, m).r[0], -32768 * -1); // smulbt
  assert.equal(run1(0xe16002a1, n, m).r[0], 32767 * 3); // smultb
  assert.equal(run1(0xe16002e1, n, m).r[0], -32767); // smultt
  assert.equal(run1(0xe1600281, 0x8000, 0x8000).r[0], 0x40000000);
  // smlabb r0, r1, r2, r3: 0x8000 * 0x8000 + 0x40000000 = 2^31 overflows
  let cpu = run1(0xe1003281, 0x8000, 0x8000, 0x40000000);
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(cpu.q, 1);
  cpu = run1(0xe1003281, 0x8000, 0x8000, 0x3fffffff);
  assert.equal(cpu.r[0], 0x7fffffff);
  assert.equal(cpu.q, 0);
  cpu = run1(0xe1003281, 2, 3, 4, 'Q');
  assert.equal(cpu.r[0], 10);
  assert.equal(cpu.q, 1);
  cpu = run1(0xe10032e1, 0x7fff0000, 0x80000000, 0); // smlatt: 32767 * -32768
  assert.equal(cpu.r[0], 32767 * -32768);
  assert.equal(flags(cpu), '-----');
});

test('SMULWy, SMLAWy', () => {
  // smulwb r0, r1, r2: (0x80000000 * -32768) >> 16 = 2^30
  let cpu = run1(0xe12002a1, 0x80000000, 0x8000);
  assert.equal(cpu.r[0], 0x40000000);
  cpu = run1(0xe12002e1, -3, 0x00010000); // smulwt: -3 * 1 >> 16 = -1 (floor)
  assert.equal(cpu.r[0], -1);
  cpu = run1(0xe12002a1, 0x12345678, 0x00004000); // * 2^14 >> 16 = >> 2
  assert.equal(cpu.r[0], 0x12345678 >> 2);
  // smlawb r0, r1, r2, r3 with overflow of the accumulation
  cpu = run1(0xe1203281, 0x80000000, 0x8000, 0x40000000);
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(cpu.q, 1);
  cpu = run1(0xe12032c1, 0x10000, 0x00050000, 7); // smlawt: 5 + 7
  assert.equal(cpu.r[0], 12);
  assert.equal(cpu.q, 0);
});

test('SMLALxy accumulates a sign-extended product into 64 bits', () => {
  // smlalbb r0, r1, r2, r3: r1:r0 = 0:0 plus -1 * 1
  let cpu = run1(0xe1410382, 0, 0xffff, 1);
  assert.equal(cpu.r[0], -1);
  assert.equal(cpu.r[1], -1);
  // smlaltb: r1:r0 = 0:0xffffffff plus 0x7fff * 2 carries into the high word
  cpu = run1(0xe14103a2, 0, 0x7fff0000, 2, '', -1);
  assert.equal(cpu.r[0], 0xfffd);
  assert.equal(cpu.r[1], 1);
  assert.equal(cpu.q, 0);
});

test('dual multiplies: SMUAD/SMUSD/SMLAD/SMLSD with Q', () => {
  // smuad r0, r1, r2: 0x8000 * 0x8000 twice = 2^31 sets Q
  let cpu = run1(0xe700f211, 0x80008000, 0x80008000);
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(cpu.q, 1);
  cpu = run1(0xe700f211, 0x00020003, 0x00050007); // 3*7 + 2*5
  assert.equal(cpu.r[0], 31);
  assert.equal(cpu.q, 0);
  cpu = run1(0xe700f231, 0x00020003, 0x00050007); // smuadx: 3*5 + 2*7
  assert.equal(cpu.r[0], 29);
  cpu = run1(0xe700f251, 0x00020003, 0x00050007); // smusd: 3*7 - 2*5
  assert.equal(cpu.r[0], 11);
  cpu = run1(0xe700f271, 0x00020003, 0x00050007); // smusdx: 3*5 - 2*7
  assert.equal(cpu.r[0], 1);
  cpu = run1(0xe700f251, 0x80000001, 0x80000001); // 1 - 2^30: no overflow possible
  assert.equal(cpu.r[0], 1 - 0x40000000);
  assert.equal(cpu.q, 0);
  // smlad r0, r1, r2, r3: 2^30 + 0 + 0x40000000 overflows
  cpu = run1(0xe7003211, 0x8000, 0x8000, 0x40000000);
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(cpu.q, 1);
  cpu = run1(0xe7003231, 0x00020003, 0x00050007, 100); // smladx
  assert.equal(cpu.r[0], 129);
  // smlsd: 0 - 0x8000*0x8000 + (-0x40000001) = -2^31 - 1 overflows
  cpu = run1(0xe7003251, 0x80000000, 0x80000000, -0x40000001);
  assert.equal(cpu.r[0], 0x7fffffff);
  assert.equal(cpu.q, 1);
  cpu = run1(0xe7003271, 0x00020003, 0x00050007, -1); // smlsdx
  assert.equal(cpu.r[0], 0);
  assert.equal(cpu.q, 0);
});

test('SMLALD/SMLSLD accumulate into 64 bits', () => {
  // smlald r0, r1, r2, r3: the dual sum 2^31 is positive in 64 bits
  let cpu = run1(0xe7410312, 0, 0x80008000, 0x80008000);
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(cpu.r[1], 0);
  cpu = run1(0xe7410332, 5, 0x00020003, 0x00050007, '', -1); // smlaldx: 5:0xffffffff + 29
  assert.equal(cpu.r[0], 28);
  assert.equal(cpu.r[1], 6);
  cpu = run1(0xe7410352, 0, 0x00010001, 0x00050003); // smlsld: 3 - 5 = -2
  assert.equal(cpu.r[0], -2);
  assert.equal(cpu.r[1], -1);
  cpu = run1(0xe7410372, 0, 0x00010001, 0x00050003, '', 2); // smlsldx: 5 - 3 + 2
  assert.equal(cpu.r[0], 4);
  assert.equal(cpu.r[1], 0);
  assert.equal(cpu.q, 0);
});

test('SMMUL/SMMLA/SMMLS and their rounding forms', () => {
  // 0x40000000 * 3 = 0xc0000000: high word 0, rounded up to 1
  assert.equal(run1(0xe750f211, 0x40000000, 3).r[0], 0); // smmul
  assert.equal(run1(0xe750f231, 0x40000000, 3).r[0], 1); // smmulr
  // 0x40000000 * 2 = 0x80000000 exactly: rounds up (ties away from -inf)
  assert.equal(run1(0xe750f231, 0x40000000, 2).r[0], 1);
  assert.equal(run1(0xe750f231, 0x40000000, 1).r[0], 0);
  // -1 * 1 = -1: high word -1, rounding gives 0
  assert.equal(run1(0xe750f211, -1, 1).r[0], -1);
  assert.equal(run1(0xe750f231, -1, 1).r[0], 0);
  // smmla r0, r1, r2, r3 / smmlar
  assert.equal(run1(0xe7503211, 0x40000000, 3, 10).r[0], 10);
  assert.equal(run1(0xe7503231, 0x40000000, 3, 10).r[0], 11);
  assert.equal(run1(0xe7503211, 0x40000000, 8, 10).r[0], 12);
  // smmls r0, r1, r2, r3: (10 << 32) - 0xc0000000 = 9:0x40000000
  assert.equal(run1(0xe75032d1, 0x40000000, 3, 10).r[0], 9);
  assert.equal(run1(0xe75032f1, 0x40000000, 3, 10).r[0], 9); // smmlsr: low word 0x40000000 rounds down
  assert.equal(run1(0xe75032f1, 0x40000000, 1, 10).r[0], 10); // 9:0xc0000000 rounds up
  assert.equal(run1(0xe75032d1, 0, 5, 10).r[0], 10); // a zero product borrows nothing
});

test('every multiply agrees with a BigInt model on many inputs', () => {
  type Model = (n: number, m: number, a: number, lo: number, hi: number, q: number) => { r: bigint; q: number; long?: boolean };
  const wrap32 = (x: bigint, q: number): { r: bigint; q: number } => {
    const r = x & M32;
    const sx = BigInt.asIntN(32, r);
    return { r, q: sx === x ? q : 1 };
  };
  const acc64 = (lo: number, hi: number): bigint => u32(lo) | (u32(hi) << 32n);
  // Operands: Rd (or RdHi) r4, Ra (or RdLo) r3, Rm r2, Rn r1.
  const cases: Array<[string, number, Model]> = [
    ['mul', 0xe0040291, (n, m, _a, _l, _h, q) => ({ r: (s32(n) * s32(m)) & M32, q })],
    ['mla', 0xe0243291, (n, m, a, _l, _h, q) => ({ r: (s32(n) * s32(m) + s32(a)) & M32, q })],
    ['mls', 0xe0643291, (n, m, a, _l, _h, q) => ({ r: (s32(a) - s32(n) * s32(m)) & M32, q })],
    ['umull', 0xe0843291, (n, m, _a, _l, _h, q) => ({ r: u32(n) * u32(m), q, long: true })],
    ['umlal', 0xe0a43291, (n, m, _a, l, h, q) => ({ r: (u32(n) * u32(m) + acc64(l, h)) & M64, q, long: true })],
    ['smull', 0xe0c43291, (n, m, _a, _l, _h, q) => ({ r: (s32(n) * s32(m)) & M64, q, long: true })],
    ['smlal', 0xe0e43291, (n, m, _a, l, h, q) => ({ r: (s32(n) * s32(m) + acc64(l, h)) & M64, q, long: true })],
    ['umaal', 0xe0443291, (n, m, _a, l, h, q) => ({ r: u32(n) * u32(m) + u32(l) + u32(h), q, long: true })],
    ['smlabt', 0xe10432c1, (n, m, a, _l, _h, q) => wrap32(bot(n) * top(m) + s32(a), q)],
    ['smlatb', 0xe10432a1, (n, m, a, _l, _h, q) => wrap32(top(n) * bot(m) + s32(a), q)],
    ['smulwt', 0xe12402e1, (n, m, _a, _l, _h, q) => ({ r: ((s32(n) * top(m)) >> 16n) & M32, q })],
    ['smlawb', 0xe1243281, (n, m, a, _l, _h, q) => wrap32((s32(n) * bot(m) >> 16n) + s32(a), q)],
    ['smlaltt', 0xe14432e1, (n, m, _a, l, h, q) => ({ r: (top(n) * top(m) + acc64(l, h)) & M64, q, long: true })],
    ['smuadx', 0xe704f231, (n, m, _a, _l, _h, q) => wrap32(bot(n) * top(m) + top(n) * bot(m), q)],
    ['smlad', 0xe7043211, (n, m, a, _l, _h, q) => wrap32(bot(n) * bot(m) + top(n) * top(m) + s32(a), q)],
    ['smlsdx', 0xe7043271, (n, m, a, _l, _h, q) => wrap32(bot(n) * top(m) - top(n) * bot(m) + s32(a), q)],
    ['smusd', 0xe704f251, (n, m, _a, _l, _h, q) => wrap32(bot(n) * bot(m) - top(n) * top(m), q)],
    ['smlald', 0xe7443211, (n, m, _a, l, h, q) => ({ r: (bot(n) * bot(m) + top(n) * top(m) + acc64(l, h)) & M64, q, long: true })],
    ['smlsldx', 0xe7443271, (n, m, _a, l, h, q) => ({ r: (bot(n) * top(m) - top(n) * bot(m) + acc64(l, h)) & M64, q, long: true })],
    ['smmulr', 0xe754f231, (n, m, _a, _l, _h, q) => ({ r: ((s32(n) * s32(m) + 0x80000000n) >> 32n) & M32, q })],
    ['smmla', 0xe7543211, (n, m, a, _l, _h, q) => ({ r: (((s32(a) << 32n) + s32(n) * s32(m)) >> 32n) & M32, q })],
    ['smmlsr', 0xe75432f1, (n, m, a, _l, _h, q) => ({ r: (((s32(a) << 32n) - s32(n) * s32(m) + 0x80000000n) >> 32n) & M32, q })],
  ];
  const vs = [...values(24)];
  for (const [name, word, model] of cases) {
    let k = 0;
    // One core per instruction, its word placed once: each input only resets the registers it reads.
    const cpu = makeCpu();
    place(cpu, 0x1000, [word]);
    for (const n of vs) {
      for (const m of vs) {
        const a = vs[(k * 7) % vs.length], hi = vs[(k * 13 + 5) % vs.length];
        const q = k & 1;
        k++;
        cpu.pc = 0x1000;
        cpu.r[1] = n; cpu.r[2] = m; cpu.r[3] = a; cpu.r[4] = hi; cpu.q = q;
        cpu.run(1);
        const e = model(n, m, a, a, hi, q);
        const what = `${name} n=0x${u(n).toString(16)} m=0x${u(m).toString(16)} a=0x${u(a).toString(16)} hi=0x${u(hi).toString(16)}`;
        if (e.long) {
          assert.equal(acc64(cpu.r[3], cpu.r[4]), e.r, what);
        } else {
          assert.equal(u32(cpu.r[4]), e.r, what);
          assert.equal(cpu.r[3], a, what);
        }
        assert.equal(cpu.q, e.q, `${what} (Q)`);
      }
    }
  }
});

test('SDIV and UDIV are UNDEFINED on Cortex-A9', () => {
  for (const w of [0xe710f211, 0xe730f211]) {
    const cpu = run1(w, 10, 2);
    assert.equal(cpu.mode, MODE_UND);
    assert.equal(cpu.r[14], 0x1004);
    assert.equal(cpu.r[0], 0);
  }
});

test('disassembly', () => {
  const d = (w: number): string => {
    const r = decoder.decode(w >>> 0);
    return r.kind === 'undefined' ? 'undefined' : r.row.disasm(w >>> 0, 0);
  };
  assert.equal(d(0xe0100291), 'muls\tr0, r1, r2');
  assert.equal(d(0xe0203291), 'mla\tr0, r1, r2, r3');
  assert.equal(d(0xe0910392), 'umulls\tr0, r1, r2, r3');
  assert.equal(d(0xe10032c1), 'smlabt\tr0, r1, r2, r3');
  assert.equal(d(0xe16002a1), 'smultb\tr0, r1, r2');
  assert.equal(d(0xe12002a1), 'smulwb\tr0, r1, r2');
  assert.equal(d(0xe7410312), 'smlald\tr0, r1, r2, r3');
  assert.equal(d(0xe700f231), 'smuadx\tr0, r1, r2');
  assert.equal(d(0xe750f231), 'smmulr\tr0, r1, r2');
  assert.equal(d(0x175032f1), 'smmlsrne\tr0, r1, r2, r3');
  assert.equal(d(0xe710f211), 'sdiv\tr0, r1, r2');
});
