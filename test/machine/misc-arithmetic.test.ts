import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../machine/cpu/encoding';
import type { Cpu } from '../../machine/cpu/cpu';
import { branchRows } from '../../machine/cpu/a32/branch';
import { parallelRows } from '../../machine/cpu/a32/parallel';
import { miscArithmeticRows } from '../../machine/cpu/a32/misc-arithmetic';
import { makeCpu, exec, execRow } from '../support/cpu-harness';

const decoder = new Decoder([...branchRows, ...parallelRows, ...miscArithmeticRows]);

/** Executes one word through this family's decoder with r0..r3 preset; returns the CPU. */
function run(word: number, regs: number[], setup?: (cpu: Cpu) => void): Cpu {
  return execRow(decoder, word, regs, setup);
}

const u = (v: number): number => v >>> 0;

test('misc arithmetic rows: no ambiguities with the branch and parallel rows', () => {
  assert.deepEqual(decoder.ambiguities(), []);
});

test('misc arithmetic rows: sample words decode to their rows and disassemble', () => {
  const samples: Array<[number, string, string]> = [
    [0xe16f0f11, 'CLZ', 'clz\tr0, r1'],
    [0xe6ff0f31, 'RBIT', 'rbit\tr0, r1'],
    [0xe6bf0f31, 'REV', 'rev\tr0, r1'],
    [0xe6bf0fb1, 'REV16', 'rev16\tr0, r1'],
    [0xe6ff0fb1, 'REVSH', 'revsh\tr0, r1'],
    [0xe7cb021f, 'BFC', 'bfc\tr0, #4, #8'],
    [0xe7cb0211, 'BFI', 'bfi\tr0, r1, #4, #8'],
    [0xe7df0011, 'BFI', 'bfi\tr0, r1, #0, #32'],
    [0xe7fb0251, 'UBFX', 'ubfx\tr0, r1, #4, #28'],
    [0xe7af0851, 'SBFX', 'sbfx\tr0, r1, #16, #16'],
    [0xe6af0071, 'SXTB', 'sxtb\tr0, r1'],
    [0xe6af0471, 'SXTB', 'sxtb\tr0, r1, ror #8'],
    [0xe6bf0871, 'SXTH', 'sxth\tr0, r1, ror #16'],
    [0xe68f0c71, 'SXTB16', 'sxtb16\tr0, r1, ror #24'],
    [0xe6ef0071, 'UXTB', 'uxtb\tr0, r1'],
    [0xe6ff0071, 'UXTH', 'uxth\tr0, r1'],
    [0xe6cf0471, 'UXTB16', 'uxtb16\tr0, r1, ror #8'],
    [0xe6a10072, 'SXTAB', 'sxtab\tr0, r1, r2'],
    [0xe6b10472, 'SXTAH', 'sxtah\tr0, r1, r2, ror #8'],
    [0xe6810872, 'SXTAB16', 'sxtab16\tr0, r1, r2, ror #16'],
    [0xe6e10c72, 'UXTAB', 'uxtab\tr0, r1, r2, ror #24'],
    [0xe6f10072, 'UXTAH', 'uxtah\tr0, r1, r2'],
    [0xe6c10072, 'UXTAB16', 'uxtab16\tr0, r1, r2'],
    [0xe1020051, 'QADD', 'qadd\tr0, r1, r2'],
    [0xe1220051, 'QSUB', 'qsub\tr0, r1, r2'],
    [0xe1420051, 'QDADD', 'qdadd\tr0, r1, r2'],
    [0xe1620051, 'QDSUB', 'qdsub\tr0, r1, r2'],
    [0xe6a70011, 'SSAT', 'ssat\tr0, #8, r1'],
    [0xe6bf0211, 'SSAT', 'ssat\tr0, #32, r1, lsl #4'],
    [0xe6a00051, 'SSAT', 'ssat\tr0, #1, r1, asr #32'],
    [0xe6af01d1, 'SSAT', 'ssat\tr0, #16, r1, asr #3'],
    [0xe6e00011, 'USAT', 'usat\tr0, #0, r1'],
    [0xe6ff0051, 'USAT', 'usat\tr0, #31, r1, asr #32'],
    [0xe6e80f91, 'USAT', 'usat\tr0, #8, r1, lsl #31'],
    [0xe6a00f31, 'SSAT16', 'ssat16\tr0, #1, r1'],
    [0xe6af0f31, 'SSAT16', 'ssat16\tr0, #16, r1'],
    [0xe6e00f31, 'USAT16', 'usat16\tr0, #0, r1'],
    [0x16ef0f31, 'USAT16', 'usat16ne\tr0, #15, r1'],
  ];
  for (const [word, name, text] of samples) {
    const d = decoder.decode(word);
    assert.equal(d.kind, 'ok', `0x${word.toString(16)}`);
    if (d.kind !== 'ok') continue;
    assert.equal(d.row.name, name, `0x${word.toString(16)}`);
    assert.equal(d.row.disasm(word, 0x1000), text);
  }
});

test('misc arithmetic rows: UNPREDICTABLE operands', () => {
  for (const word of [
    0xe16fff11, // clz pc, r1
    0xe16f0f1f, // clz r0, pc
    0xe6bf0f3f, // rev r0, pc
    0xe6ffffb1, // revsh pc, r1
    0xe7cbf21f, // bfc pc, #4, #8
    0xe7c3021f, // bfc r0: msb 3 < lsb 4
    0xe7c30211, // bfi r0, r1: msb 3 < lsb 4
    0xe7fc0251, // ubfx r0, r1, #4, #29: lsb + width = 33
    0xe7a10fd1, // sbfx r0, r1, #31, #2
    0xe7fb025f, // ubfx r0, pc, #4, #28
    0xe6af007f, // sxtb r0, pc
    0xe6a1f072, // sxtab pc, r1, r2
    0xe6af0371, // sxtb r0, r1 with bits 9:8 = 11
    0xe10f0051, // qadd r0, r1, pc
    0xe102f051, // qadd pc, r1, r2
    0xe1020151, // qadd with bit 8 set
    0xe6a7f011, // ssat pc, #8, r1
    0xe6e0001f, // usat r0, #0, pc
    0xe6a00f3f, // ssat16 r0, #1, pc
    0xe6a00031, // ssat16 with bits 11:8 = 0000
  ]) {
    assert.equal(decoder.decode(word).kind, 'unpredictable', `0x${word.toString(16)}`);
  }
  // Largest legal fields: lsb + width = 32.
  assert.equal(decoder.decode(0xe7e00fd1).kind, 'ok'); // ubfx r0, r1, #31, #1
  assert.equal(decoder.decode(0xe7ff0051).kind, 'ok'); // ubfx r0, r1, #0, #32
});

test('CLZ, RBIT, REV, REV16', () => {
  assert.equal(run(0xe16f0f11, [0, 0]).r[0], 32);
  assert.equal(run(0xe16f0f11, [0, 0x00010000]).r[0], 15);
  assert.equal(run(0xe16f0f11, [0, 0x80000000]).r[0], 0);
  assert.equal(u(run(0xe6ff0f31, [0, 0x00000001]).r[0]), 0x80000000);
  assert.equal(u(run(0xe6ff0f31, [0, 0x12345678]).r[0]), 0x1e6a2c48);
  assert.equal(u(run(0xe6bf0f31, [0, 0x12345678]).r[0]), 0x78563412);
  assert.equal(u(run(0xe6bf0fb1, [0, 0x12345678]).r[0]), 0x34127856);
});

test('REVSH sign-extends the swapped low halfword', () => {
  assert.equal(u(run(0xe6ff0fb1, [0, 0x12345680]).r[0]), 0xffff8056);
  assert.equal(u(run(0xe6ff0fb1, [0, 0xffff7f01]).r[0]), 0x0000017f);
});

test('BFC and BFI at the field limits', () => {
  assert.equal(u(run(0xe7cb021f, [0xffffffff]).r[0]), 0xfffff00f);
  assert.equal(u(run(0xe7cb0211, [0xffffffff, 0x000000a5]).r[0]), 0xfffffa5f);
  // lsb 0, width 32 replaces the whole register
  assert.equal(u(run(0xe7df0011, [0x12345678, 0xdeadbeef]).r[0]), 0xdeadbeef);
  // lsb 31, width 1
  assert.equal(u(run(0xe7df0f91, [0x00000000, 0xfffffffe]).r[0]), 0);
  assert.equal(u(run(0xe7df0f91, [0x00000000, 0x00000001]).r[0]), 0x80000000);
  // bfc r0, #0, #32
  assert.equal(run(0xe7df001f, [0xffffffff]).r[0], 0);
});

test('UBFX and SBFX at the field limits', () => {
  assert.equal(u(run(0xe7fb0251, [0, 0xf0000000]).r[0]), 0x0f000000);
  assert.equal(u(run(0xe7ff0051, [0, 0x87654321]).r[0]), 0x87654321); // ubfx #0, #32
  assert.equal(u(run(0xe7e00fd1, [0, 0x80000000]).r[0]), 1); // ubfx #31, #1
  assert.equal(u(run(0xe7af0851, [0, 0x80001234]).r[0]), 0xffff8000); // sbfx #16, #16
  assert.equal(u(run(0xe7af0851, [0, 0x7fff1234]).r[0]), 0x00007fff);
  assert.equal(run(0xe7a00fd1, [0, 0x80000000]).r[0], -1); // sbfx #31, #1
  assert.equal(run(0xe7a00051, [0, 0x00000001]).r[0], -1); // sbfx #0, #1
  assert.equal(u(run(0xe7bf0051, [0, 0x87654321]).r[0]), 0x87654321); // sbfx #0, #32
});

test('sign and zero extension with rotation', () => {
  assert.equal(u(run(0xe6af0071, [0, 0x00000080]).r[0]), 0xffffff80);
  assert.equal(u(run(0xe6af0471, [0, 0x00008000]).r[0]), 0xffffff80); // ror #8
  assert.equal(u(run(0xe6bf0871, [0, 0x80000000]).r[0]), 0xffff8000); // sxth ror #16
  assert.equal(u(run(0xe68f0c71, [0, 0x80007f00]).r[0]), 0x007fff80); // sxtb16 ror #24
  assert.equal(u(run(0xe6ef0071, [0, 0xffffff80]).r[0]), 0x80);
  assert.equal(u(run(0xe6ff0071, [0, 0xffff8001]).r[0]), 0x8001);
  assert.equal(u(run(0xe6cf0471, [0, 0x11223344]).r[0]), 0x00110033); // uxtb16 ror #8
  assert.equal(u(run(0xe6a10072, [0, 10, 0x000000fe]).r[0]), 8); // sxtab
  assert.equal(u(run(0xe6b10472, [0, 0xffffffff, 0x00800000]).r[0]), 0xffff7fff); // sxtah ror #8
  assert.equal(u(run(0xe6e10c72, [0, 0xffffffff, 0x80000000]).r[0]), 0x7f); // uxtab ror #24
  assert.equal(u(run(0xe6f10072, [0, 0x00010000, 0x1234ffff]).r[0]), 0x0001ffff); // uxtah
});

test('SXTAB16 adds sign-extended bytes 0 and 2 of the rotated Rm to each halfword, without carries between them', () => {
  // ror #16 of 0x00ff0080 is 0x008000ff: bytes -1 and -128
  let cpu = run(0xe6810872, [0, 0x00010000, 0x00ff0080]);
  assert.equal(u(cpu.r[0]), 0xff81ffff);
  // ror #8 of 0x7f000180 is 0x807f0001: bytes 1 and 0x7f
  cpu = run(0xe6810472, [0, 0xffffffff, 0x7f000180]);
  assert.equal(u(cpu.r[0]), 0x007e0000);
  // uxtab16 r0, r1, r2: zero-extended, no carry from the low halfword
  cpu = run(0xe6c10072, [0, 0x0001ffff, 0x00ff00ff]);
  assert.equal(u(cpu.r[0]), 0x010000fe);
});

test('QADD and QSUB saturate and set Q; Q is sticky', () => {
  let cpu = run(0xe1020051, [0, 0x7fffffff, 1]);
  assert.equal(cpu.r[0], 0x7fffffff);
  assert.equal(cpu.q, 1);
  cpu = run(0xe1020051, [0, 5, -7]);
  assert.equal(cpu.r[0], -2);
  assert.equal(cpu.q, 0);
  cpu = run(0xe1020051, [0, 5, -7], (c) => { c.q = 1; });
  assert.equal(cpu.q, 1);
  cpu = run(0xe1220051, [0, 0x80000000, 1]); // qsub r0, r1, r2 = r1 - r2
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(cpu.q, 1);
});

test('QDADD and QDSUB saturate the doubling and the sum separately', () => {
  // 2 * 0x40000000 saturates to 0x7fffffff; + 1 saturates again
  let cpu = run(0xe1420051, [0, 1, 0x40000000]);
  assert.equal(cpu.r[0], 0x7fffffff);
  assert.equal(cpu.q, 1);
  // The doubling saturates, the sum does not: the result shows the clamped doubling
  cpu = run(0xe1420051, [0, -0x10000000, 0x60000000]);
  assert.equal(cpu.r[0], 0x6fffffff);
  assert.equal(cpu.q, 1);
  // Only the sum saturates
  cpu = run(0xe1420051, [0, 0x40000000, 0x20000000]);
  assert.equal(cpu.r[0], 0x7fffffff);
  assert.equal(cpu.q, 1);
  // Neither saturates
  cpu = run(0xe1420051, [0, -5, -3]);
  assert.equal(cpu.r[0], -11);
  assert.equal(cpu.q, 0);
  // qdsub: 0 - sat(2 * 0x80000000) = 0 - 0x80000000 saturates to 0x7fffffff
  cpu = run(0xe1620051, [0, 0, 0x80000000]);
  assert.equal(cpu.r[0], 0x7fffffff);
  assert.equal(cpu.q, 1);
});

test('SSAT sets Q only when it saturates', () => {
  let cpu = run(0xe6a70011, [0, 200]); // ssat r0, #8, r1
  assert.equal(cpu.r[0], 127);
  assert.equal(cpu.q, 1);
  cpu = run(0xe6a70011, [0, -128]);
  assert.equal(cpu.r[0], -128);
  assert.equal(cpu.q, 0);
  cpu = run(0xe6a70011, [0, -129]);
  assert.equal(cpu.r[0], -128);
  assert.equal(cpu.q, 1);
  // ssat r0, #1, r1, asr #32: the operand is 0 or -1, always in range
  cpu = run(0xe6a00051, [0, 0x80000000]);
  assert.equal(cpu.r[0], -1);
  assert.equal(cpu.q, 0);
  // ssat r0, #32, r1, lsl #4: never saturates, the shift discards high bits
  cpu = run(0xe6bf0211, [0, 0x7fffffff]);
  assert.equal(cpu.r[0], -16);
  assert.equal(cpu.q, 0);
  // ssat r0, #16, r1, asr #3
  cpu = run(0xe6af01d1, [0, 0x00080000]);
  assert.equal(cpu.r[0], 0x7fff);
  assert.equal(cpu.q, 1);
});

test('USAT clamps negative values to zero and sets Q', () => {
  let cpu = run(0xe6e80011, [0, -1]); // usat r0, #8, r1
  assert.equal(cpu.r[0], 0);
  assert.equal(cpu.q, 1);
  cpu = run(0xe6e80011, [0, 300]);
  assert.equal(cpu.r[0], 255);
  assert.equal(cpu.q, 1);
  cpu = run(0xe6e80011, [0, 255]);
  assert.equal(cpu.r[0], 255);
  assert.equal(cpu.q, 0);
  cpu = run(0xe6e00011, [0, 1]); // usat r0, #0, r1
  assert.equal(cpu.r[0], 0);
  assert.equal(cpu.q, 1);
  cpu = run(0xe6ff0051, [0, 0x80000000]); // usat r0, #31, r1, asr #32
  assert.equal(cpu.r[0], 0);
  assert.equal(cpu.q, 1);
  cpu = run(0xe6ff0011, [0, 0x7fffffff]); // usat r0, #31, r1
  assert.equal(cpu.r[0], 0x7fffffff);
  assert.equal(cpu.q, 0);
});

test('SSAT16 and USAT16 saturate each halfword and set Q', () => {
  let cpu = run(0xe6a00f31, [0, 0x0001ffff]); // ssat16 r0, #1, r1
  assert.equal(u(cpu.r[0]), 0x0000ffff);
  assert.equal(cpu.q, 1);
  cpu = run(0xe6af0f31, [0, 0x80007fff]); // ssat16 r0, #16, r1
  assert.equal(u(cpu.r[0]), 0x80007fff);
  assert.equal(cpu.q, 0);
  cpu = run(0xe6ef0f31, [0, 0x80007fff]); // usat16 r0, #15, r1
  assert.equal(u(cpu.r[0]), 0x00007fff);
  assert.equal(cpu.q, 1);
  cpu = run(0xe6e80f31, [0, 0x01000080]); // usat16 r0, #8, r1
  assert.equal(u(cpu.r[0]), 0x00ff0080);
  assert.equal(cpu.q, 1);
});

test('misc arithmetic instructions run in the CPU', () => {
  const cpu = makeCpu();
  cpu.r[1] = 0x12345678;
  exec(cpu, [
    0xe6bf0f31, // rev r0, r1
    0xe7e70451, // ubfx r0, r1, #8, #8
  ], 1);
  assert.equal(u(cpu.r[0]), 0x78563412);
  cpu.run(1);
  assert.equal(cpu.r[0], 0x56);
  assert.equal(cpu.pc, 0x1008);
});
