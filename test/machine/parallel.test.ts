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

test('parallel rows: no ambiguities with the branch and misc-arithmetic rows', () => {
  assert.deepEqual(decoder.ambiguities(), []);
});

test('parallel rows: sample words decode to their rows and disassemble as objdump does', () => {
  const samples: Array<[number, string, string]> = [
    [0xe6110f12, 'SADD16', 'sadd16\tr0, r1, r2'],
    [0xe6143f35, 'SASX', 'sasx\tr3, r4, r5'],
    [0xe6110f52, 'SSAX', 'ssax\tr0, r1, r2'],
    [0xe6110f72, 'SSUB16', 'ssub16\tr0, r1, r2'],
    [0xe6110f92, 'SADD8', 'sadd8\tr0, r1, r2'],
    [0xe6110ff2, 'SSUB8', 'ssub8\tr0, r1, r2'],
    [0xe6210f12, 'QADD16', 'qadd16\tr0, r1, r2'],
    [0xe6210f32, 'QASX', 'qasx\tr0, r1, r2'],
    [0xe6210f52, 'QSAX', 'qsax\tr0, r1, r2'],
    [0xe6210f72, 'QSUB16', 'qsub16\tr0, r1, r2'],
    [0xe6210f92, 'QADD8', 'qadd8\tr0, r1, r2'],
    [0xe6210ff2, 'QSUB8', 'qsub8\tr0, r1, r2'],
    [0xe6310f12, 'SHADD16', 'shadd16\tr0, r1, r2'],
    [0xe6310f32, 'SHASX', 'shasx\tr0, r1, r2'],
    [0xe6310f52, 'SHSAX', 'shsax\tr0, r1, r2'],
    [0xe6310f72, 'SHSUB16', 'shsub16\tr0, r1, r2'],
    [0xe6310f92, 'SHADD8', 'shadd8\tr0, r1, r2'],
    [0xe6310ff2, 'SHSUB8', 'shsub8\tr0, r1, r2'],
    [0xe6510f12, 'UADD16', 'uadd16\tr0, r1, r2'],
    [0xe6510f32, 'UASX', 'uasx\tr0, r1, r2'],
    [0xe6510f52, 'USAX', 'usax\tr0, r1, r2'],
    [0xe6510f72, 'USUB16', 'usub16\tr0, r1, r2'],
    [0xe6510f92, 'UADD8', 'uadd8\tr0, r1, r2'],
    [0xe6510ff2, 'USUB8', 'usub8\tr0, r1, r2'],
    [0xe6610f12, 'UQADD16', 'uqadd16\tr0, r1, r2'],
    [0xe6610f32, 'UQASX', 'uqasx\tr0, r1, r2'],
    [0xe6610f52, 'UQSAX', 'uqsax\tr0, r1, r2'],
    [0xe6610f72, 'UQSUB16', 'uqsub16\tr0, r1, r2'],
    [0xe6610f92, 'UQADD8', 'uqadd8\tr0, r1, r2'],
    [0xe6610ff2, 'UQSUB8', 'uqsub8\tr0, r1, r2'],
    [0xe6710f12, 'UHADD16', 'uhadd16\tr0, r1, r2'],
    [0xe6710f32, 'UHASX', 'uhasx\tr0, r1, r2'],
    [0xe6710f52, 'UHSAX', 'uhsax\tr0, r1, r2'],
    [0xe6710f72, 'UHSUB16', 'uhsub16\tr0, r1, r2'],
    [0xe6710f92, 'UHADD8', 'uhadd8\tr0, r1, r2'],
    [0x16710ff2, 'UHSUB8', 'uhsub8ne\tr0, r1, r2'],
    [0xe6810fb2, 'SEL', 'sel\tr0, r1, r2'],
    [0xe780f211, 'USAD8', 'usad8\tr0, r1, r2'],
    [0xe7803211, 'USADA8', 'usada8\tr0, r1, r2, r3'],
    [0xe6810012, 'PKHBT', 'pkhbt\tr0, r1, r2'],
    [0xe6810412, 'PKHBT', 'pkhbt\tr0, r1, r2, lsl #8'],
    [0xe6810852, 'PKHTB', 'pkhtb\tr0, r1, r2, asr #16'],
    [0xe6810052, 'PKHTB', 'pkhtb\tr0, r1, r2, asr #32'],
  ];
  for (const [word, name, text] of samples) {
    const d = decoder.decode(word);
    assert.equal(d.kind, 'ok', `0x${word.toString(16)}`);
    if (d.kind !== 'ok') continue;
    assert.equal(d.row.name, name, `0x${word.toString(16)}`);
    assert.equal(d.row.disasm(word, 0x1000), text);
  }
});

test('parallel rows: the PC as an operand and violated should-be-one bits are UNPREDICTABLE', () => {
  for (const word of [
    0xe611ff12, // sadd16 pc, r1, r2
    0xe61f0f12, // sadd16 r0, pc, r2
    0xe6110f1f, // sadd16 r0, r1, pc
    0xe6110012, // sadd16 with bits 11:8 = 0000
    0xe681ffb2, // sel pc, r1, r2
    0xe78ff211, // usad8 pc, r1, r2
    0xe780321f, // usada8 r0, pc, r2, r3
    0xe681f012, // pkhbt pc, r1, r2
    0xe68f0052, // pkhtb r0, pc, r2, asr #32
  ]) {
    assert.equal(decoder.decode(word).kind, 'unpredictable', `0x${word.toString(16)}`);
  }
  // The parallel group leaves op2 = 101 and 110 unallocated.
  assert.equal(decoder.decode(0xe6110fb2).kind, 'undefined');
  assert.equal(decoder.decode(0xe6110fd2).kind, 'undefined');
});

test('SADD16 sets GE per halfword from the sign of the full sum', () => {
  // low: -32768 + -1 = -32769 (wraps to 0x7fff, GE[1:0] = 00); high: 32767 + 1 = 32768 (>= 0, GE[3:2] = 11)
  const cpu = run(0xe6110f12, [0, 0x7fff8000, 0x0001ffff]);
  assert.equal(u(cpu.r[0]), 0x80007fff);
  assert.equal(cpu.ge, 0b1100);
  const cpu2 = run(0xe6110f12, [0, 0xfffe0001, 0x00010001]);
  assert.equal(u(cpu2.r[0]), 0xffff0002);
  assert.equal(cpu2.ge, 0b0011);
});

test('USUB8 sets GE[i] when byte i does not borrow', () => {
  // bytes (Rn - Rm): 0x10-0x20 borrows, 0xff-0x00, 0x80-0x80 = 0, 0x00-0x01 borrows
  const cpu = run(0xe6510ff2, [0, 0x0080ff10, 0x01800020]);
  assert.equal(u(cpu.r[0]), 0xff00fff0);
  assert.equal(cpu.ge, 0b0110);
});

test('UASX: GE[1:0] from the low difference, GE[3:2] from the carry of the high sum', () => {
  // diff = 5 - 1 = 4, sum = 0xffff + 6 = 0x10005
  let cpu = run(0xe6510f32, [0, 0xffff0005, 0x00010006]);
  assert.equal(u(cpu.r[0]), 0x00050004);
  assert.equal(cpu.ge, 0b1111);
  // diff = 0 - 1 = -1, sum = 1 + 2 = 3
  cpu = run(0xe6510f32, [0, 0x00010000, 0x00010002]);
  assert.equal(u(cpu.r[0]), 0x0003ffff);
  assert.equal(cpu.ge, 0b0000);
});

test('SASX, SSAX and USAX pair the exchanged halfwords', () => {
  // SASX: low = 3 - (-2) = 5, high = -4 + 7 = 3
  let cpu = run(0xe6110f32, [0, 0xfffc0003, 0xfffe0007]);
  assert.equal(u(cpu.r[0]), 0x00030005);
  assert.equal(cpu.ge, 0b1111);
  // SSAX: low = 3 + (-2) = 1, high = -4 - 7 = -11
  cpu = run(0xe6110f52, [0, 0xfffc0003, 0xfffe0007]);
  assert.equal(u(cpu.r[0]), 0xfff50001);
  assert.equal(cpu.ge, 0b0011);
  // USAX: low = 0xffff + 1 (carries), high = 2 - 3 (borrows)
  cpu = run(0xe6510f52, [0, 0x0002ffff, 0x00010003]);
  assert.equal(u(cpu.r[0]), 0xffff0000);
  assert.equal(cpu.ge, 0b0011);
});

test('UADD8 sets GE[i] on the carry out of byte i', () => {
  const cpu = run(0xe6510f92, [0, 0x80ff0001, 0x80010001]);
  assert.equal(u(cpu.r[0]), 0x00000002);
  assert.equal(cpu.ge, 0b1100);
});

test('UQSUB8 clamps each byte at zero and leaves GE and Q alone', () => {
  const cpu = run(0xe6610ff2, [0, 0x10ff0080, 0x2001017f], (c) => { c.ge = 0b1010; c.q = 0; });
  assert.equal(u(cpu.r[0]), 0x00fe0001);
  assert.equal(cpu.ge, 0b1010);
  assert.equal(cpu.q, 0);
});

test('UQADD16 and QADD16 saturate each halfword without setting Q', () => {
  let cpu = run(0xe6610f12, [0, 0xfff00001, 0x00200002]);
  assert.equal(u(cpu.r[0]), 0xffff0003);
  assert.equal(cpu.q, 0);
  cpu = run(0xe6210f12, [0, 0x7ff08000, 0x0020ffff], (c) => { c.ge = 0b0110; });
  assert.equal(u(cpu.r[0]), 0x7fff8000);
  assert.equal(cpu.q, 0);
  assert.equal(cpu.ge, 0b0110);
});

test('QSUB8 saturates signed bytes', () => {
  // 0x80 - 0x01 = -129 -> -128; 0x7f - 0xff = 128 -> 127; 5 - 3 = 2; 0 - 0x80 = 128 -> 127
  const cpu = run(0xe6210ff2, [0, 0x00057f80, 0x8003ff01]);
  assert.equal(u(cpu.r[0]), 0x7f027f80);
});

test('SHADD8 halves the full sum, rounding towards minus infinity', () => {
  // -3 + -2 = -5 -> -3; 1 + 0 -> 0; -1 + 0 -> -1; -128 + -128 = -256 -> -128
  const cpu = run(0xe6310f92, [0, 0x80ff01fd, 0x800000fe], (c) => { c.ge = 0b0101; });
  assert.equal(u(cpu.r[0]), 0x80ff00fd);
  assert.equal(cpu.ge, 0b0101);
});

test('UHSUB16 keeps the sign of a negative difference; UHADD16 keeps the carry', () => {
  // low: 1 - 4 = -3 -> -2 (0xfffe); high: 0xffff - 0 -> 0x7fff
  let cpu = run(0xe6710f72, [0, 0xffff0001, 0x00000004]);
  assert.equal(u(cpu.r[0]), 0x7ffffffe);
  cpu = run(0xe6710f12, [0, 0xffffffff, 0xffff0001]);
  assert.equal(u(cpu.r[0]), 0xffff8000);
});

test('SEL takes byte i from Rn where GE[i] is set, else from Rm', () => {
  let cpu = run(0xe6810fb2, [0, 0x11223344, 0xaabbccdd], (c) => { c.ge = 0b0101; });
  assert.equal(u(cpu.r[0]), 0xaa22cc44);
  cpu = run(0xe6810fb2, [0, 0x11223344, 0xaabbccdd], (c) => { c.ge = 0b1000; });
  assert.equal(u(cpu.r[0]), 0x11bbccdd);
});

test('USAD8 and USADA8 sum absolute byte differences', () => {
  // |1-3| + |0x80-0| + |0xff-0| + |0-0xff| = 640
  let cpu = run(0xe780f211, [0, 0x0180ff00, 0x030000ff]);
  assert.equal(cpu.r[0], 640);
  cpu = run(0xe7803211, [0, 0x0180ff00, 0x030000ff, 100]);
  assert.equal(cpu.r[0], 740);
  // The accumulation wraps modulo 2^32.
  cpu = run(0xe7803211, [0, 0x000000ff, 0, 0xffffff80]);
  assert.equal(cpu.r[0], 0x7f);
});

test('PKHBT shifts Rm left; PKHTB with shift 0 is ASR #32', () => {
  let cpu = run(0xe6810412, [0, 0x12345678, 0x00abcdef]);
  assert.equal(u(cpu.r[0]), 0xabcd5678);
  cpu = run(0xe6810052, [0, 0x12345678, 0x80000000]);
  assert.equal(u(cpu.r[0]), 0x1234ffff);
  cpu = run(0xe6810852, [0, 0x12345678, 0x9abcdef0]);
  assert.equal(u(cpu.r[0]), 0x12349abc);
});

test('parallel instructions run in the CPU and honour the condition', () => {
  const cpu = makeCpu();
  cpu.r[1] = 0x00010002; cpu.r[2] = 0x00030004; cpu.r[3] = 0x55;
  cpu.z = 1;
  exec(cpu, [
    0xe6110f12, // sadd16 r0, r1, r2
    0x16713ff2, // uhsub8ne r3, r1, r2 (not executed: Z is set)
  ]);
  assert.equal(cpu.r[0], 0x00040006);
  assert.equal(cpu.ge, 0b1111);
  assert.equal(cpu.r[3], 0x55);
  assert.equal(cpu.pc, 0x1008);
});
