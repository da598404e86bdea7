import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../machine/cpu/encoding';
import { branchRows } from '../../machine/cpu/a32/branch';
import { loadStoreRows } from '../../machine/cpu/a32/load-store';
import { loadStoreMultipleRows } from '../../machine/cpu/a32/load-store-multiple';
import { exclusiveRows } from '../../machine/cpu/a32/exclusive';
import { MODE_ABT, MODE_UND, MODE_SVC } from '../../machine/cpu/modes';
import { makeCpu, exec } from '../support/cpu-harness';

const rows = [...branchRows, ...loadStoreRows, ...loadStoreMultipleRows, ...exclusiveRows];

function mem32(cpu: ReturnType<typeof makeCpu>, addr: number): number {
  return cpu.bus.read32(addr) >>> 0;
}

test('load/store table: no ambiguous row pairs', () => {
  assert.deepEqual(new Decoder(rows).ambiguities(), []);
});

test('load/store table: sample words decode to the expected rows', () => {
  const d = new Decoder(rows);
  const samples: Array<[number, string]> = [
    [0xe5910004, 'LDR_imm'], // ldr r0, [r1, #4]
    [0xe5310004, 'LDR_imm'], // ldr r0, [r1, #-4]!
    [0xe4910004, 'LDR_imm'], // ldr r0, [r1], #4
    [0xe59f0004, 'LDR_lit'], // ldr r0, [pc, #4]
    [0xe51f0004, 'LDR_lit'], // ldr r0, [pc, #-4]
    [0xe4b10004, 'LDRT_imm'], // ldrt r0, [r1], #4
    [0xe7910102, 'LDR_reg'], // ldr r0, [r1, r2, lsl #2]
    [0xe5210008, 'STR_imm'], // str r0, [r1, #-8]!
    [0xe4210004, 'STRT_imm'], // strt r0, [r1], #-4
    [0xe5c10003, 'STRB_imm'], // strb r0, [r1, #3]
    [0xe5df0001, 'LDRB_lit'], // ldrb r0, [pc, #1]
    [0xe6510002, 'LDRB_reg'], // ldrb r0, [r1], -r2
    [0xe6f10082, 'LDRBT_reg'], // ldrbt r0, [r1], r2, lsl #1
    [0xe1d100b2, 'LDRH_imm'], // ldrh r0, [r1, #2]
    [0xe1df00b4, 'LDRH_lit'], // ldrh r0, [pc, #4]
    [0xe0f100b2, 'LDRHT_imm'], // ldrht r0, [r1], #2
    [0xe1e100b6, 'STRH_imm'], // strh r0, [r1, #6]!
    [0xe06100b2, 'STRHT_imm'], // strht r0, [r1], #-2
    [0xe1d100d1, 'LDRSB_imm'], // ldrsb r0, [r1, #1]
    [0xe1df00d4, 'LDRSB_lit'], // ldrsb r0, [pc, #4]
    [0xe0f100d1, 'LDRSBT_imm'], // ldrsbt r0, [r1], #1
    [0xe11100f2, 'LDRSH_reg'], // ldrsh r0, [r1, -r2]
    [0xe0b100f2, 'LDRSHT_reg'], // ldrsht r0, [r1], r2
    [0xe1c120d8, 'LDRD_imm'], // ldrd r2, r3, [r1, #8]
    [0xe14f20d4, 'LDRD_lit'], // ldrd r2, r3, [pc, #-4]
    [0xe12140d2, 'LDRD_reg'], // ldrd r4, r5, [r1, -r2]!
    [0xe0c121f0, 'STRD_imm'], // strd r2, r3, [r1], #16
    [0xe18120f4, 'STRD_reg'], // strd r2, r3, [r1, r4]
    [0xe92d4010, 'STMDB'], // push {r4, lr}
    [0xe8bd8010, 'LDM'], // pop {r4, pc}
    [0xe990000e, 'LDMIB'], // ldmib r0, {r1-r3}
    [0xe8300082, 'LDMDA'], // ldmda r0!, {r1, r7}
    [0xe8c00006, 'STM_user'], // stm r0, {r1, r2}^
    [0xe8dd7fff, 'LDM_user'], // ldm sp, {r0-lr}^
    [0xe8fd8001, 'LDM_eret'], // ldm sp!, {r0, pc}^
    [0xe1910f9f, 'LDREX'], // ldrex r0, [r1]
    [0xe1812f90, 'STREX'], // strex r2, r0, [r1]
    [0xe1b20f9f, 'LDREXD'], // ldrexd r0, r1, [r2]
    [0xe1a23f90, 'STREXD'], // strexd r3, r0, r1, [r2]
    [0xe1d54f9f, 'LDREXB'], // ldrexb r4, [r5]
    [0xe1e64f95, 'STREXH'], // strexh r4, r5, [r6]
    [0xf57ff01f, 'CLREX'], // clrex
    [0xe1020091, 'SWP'], // swp r0, r1, [r2]
    [0xe1420091, 'SWPB'], // swpb r0, r1, [r2]
    [0xea000000, 'B'], // b .+8
  ];
  for (const [w, name] of samples) {
    const r = d.decode(w);
    assert.equal(r.kind, 'ok', `0x${w.toString(16)}: ${r.kind}`);
    assert.equal(r.kind === 'ok' && r.row.name, name, `0x${w.toString(16)}`);
  }
  // Words of other families are not claimed by these rows.
  for (const w of [0xe0010291 /* mul r1, r1, r2 */, 0xe1a00000 /* mov r0, r0 */, 0xe1020050 /* qadd */,
    0xf57ff04f /* dsb sy */, 0xe6810012 /* pkhbt-space media word, bit 4 set */]) {
    assert.equal(d.decode(w).kind, 'undefined', `0x${w.toString(16)}`);
  }
});

test('load/store table: UNPREDICTABLE operand combinations', () => {
  const d = new Decoder(rows);
  const unpredictable = [
    0xe5b11004, // ldr r1, [r1, #4]!   writeback with Rn == Rt
    0xe4911004, // ldr r1, [r1], #4
    0xe5bf0004, // ldr r0, [pc, #4]!   writeback to PC
    0xe691000f, // ldr r0, [r1], pc    Rm == PC (post-indexed register offset)
    0xe791000f, // ldr r0, [r1, pc]
    0xe5d1f000, // ldrb pc, [r1]
    0xe1d1f0b0, // ldrh pc, [r1]
    0xe1c110d0, // ldrd r1, r2, [r1]   odd Rt
    0xe1c1e0d0, // ldrd lr, pc, [r1]
    0xe04120d0, // ldrd r2, r3, [r1], #0 with P=0 W=0 is fine; P=0 W=1 below
    0xe06120d0, // P=0 W=1 LDRD
    0xe4b11004, // ldrt r1, [r1], #4
    0xe4bf0004, // ldrt r0, [pc], #4
    0xe8900000, // ldm r0, {}
    0xe8b00003, // ldm r0!, {r0, r1}   writeback with Rn in the list
    0xe89f0003, // ldm pc, {r0, r1}
    0xe1811f90, // strex r1, r0, [r1]  Rd == Rn
    0xe1820f90, // strex r0, r0, [r2]  Rd == Rt
    0xe1b21f9f, // ldrexd r1, r2, [r2] odd Rt
    0xe1010091, // swp r0, r1, [r1]    Rn == Rt2
  ];
  for (const w of unpredictable) {
    const r = d.decode(w);
    if (w === 0xe04120d0) { assert.equal(r.kind, 'ok'); continue; }
    assert.equal(r.kind, 'unpredictable', `0x${w.toString(16)}`);
  }
});

test('load/store disassembly', () => {
  const d = new Decoder(rows);
  const text = (w: number, pc = 0x1000) => {
    const r = d.decode(w);
    assert.notEqual(r.kind, 'undefined');
    return r.kind === 'undefined' ? '' : r.row.disasm(w, pc);
  };
  assert.equal(text(0xe5910004), 'ldr\tr0, [r1, #4]');
  assert.equal(text(0xe5110000), 'ldr\tr0, [r1, #-0]');
  assert.equal(text(0xe5910000), 'ldr\tr0, [r1]');
  assert.equal(text(0xe5310004), 'ldr\tr0, [r1, #-4]!');
  assert.equal(text(0xe4910004), 'ldr\tr0, [r1], #4');
  assert.equal(text(0x15910123), 'ldrne\tr0, [r1, #0x123]');
  assert.equal(text(0xe59f0008, 0x14), 'ldr\tr0, [pc, #8]\t; 0x24');
  assert.equal(text(0xe7210062), 'str\tr0, [r1, -r2, rrx]!');
  assert.equal(text(0xe6110042), 'ldr\tr0, [r1], -r2, asr #32');
  assert.equal(text(0xe6610182), 'strbt\tr0, [r1], -r2, lsl #3');
  assert.equal(text(0xe13100b2), 'ldrh\tr0, [r1, -r2]!');
  assert.equal(text(0xe1c120d8), 'ldrd\tr2, r3, [r1, #8]');
  assert.equal(text(0xe52d5004), 'push\t{r5}');
  assert.equal(text(0xe49df004), 'pop\t{pc}');
});

test('LDR immediate: offset, pre-indexed and post-indexed addressing', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x2000, 0x11111111);
  cpu.bus.write32(0x2004, 0x22222222);
  cpu.bus.write32(0x1ffc, 0x33333333);
  cpu.r[1] = 0x2000;
  exec(cpu, [0xe5910004]); // ldr r0, [r1, #4]
  assert.equal(cpu.r[0] >>> 0, 0x22222222);
  assert.equal(cpu.r[1], 0x2000);
  exec(cpu, [0xe5310004]); // ldr r0, [r1, #-4]!
  assert.equal(cpu.r[0] >>> 0, 0x33333333);
  assert.equal(cpu.r[1], 0x1ffc);
  cpu.r[1] = 0x2000;
  exec(cpu, [0xe4910004]); // ldr r0, [r1], #4
  assert.equal(cpu.r[0] >>> 0, 0x11111111);
  assert.equal(cpu.r[1], 0x2004);
});

test('LDR register offset: shifted, subtracted with writeback, post-indexed, RRX, ASR #32', () => {
  const cpu = makeCpu();
  for (let a = 0x1f00; a < 0x2100; a += 4) cpu.bus.write32(a, a);
  cpu.r[1] = 0x2000; cpu.r[2] = 3;
  exec(cpu, [0xe7910102]); // ldr r0, [r1, r2, lsl #2]
  assert.equal(cpu.r[0], 0x200c);
  exec(cpu, [0xe7310102]); // ldr r0, [r1, -r2, lsl #2]!
  assert.equal(cpu.r[0], 0x1ff4);
  assert.equal(cpu.r[1], 0x1ff4);
  cpu.r[1] = 0x2000; cpu.r[2] = 0x10;
  exec(cpu, [0xe6910002]); // ldr r0, [r1], r2
  assert.equal(cpu.r[0], 0x2000);
  assert.equal(cpu.r[1], 0x2010);
  // RRX shifts the carry flag in: (C << 31) | (r2 >>> 1).
  cpu.r[1] = 0x1000; cpu.r[2] = 0x2008; cpu.c = 0;
  exec(cpu, [0xe7910062]); // ldr r0, [r1, r2, rrx]
  assert.equal(cpu.r[0], 0x2004);
  // ASR #32 of a positive value and LSR #32 of any value are 0.
  cpu.r[1] = 0x2004; cpu.r[2] = 0x7fffffff;
  exec(cpu, [0xe7910042]); // ldr r0, [r1, r2, asr #32]  offset 0
  assert.equal(cpu.r[0], 0x2004);
  cpu.r[2] = -1;
  exec(cpu, [0xe7910022]); // ldr r0, [r1, r2, lsr #32]  offset 0
  assert.equal(cpu.r[0], 0x2004);
});

test('LDR literal reads relative to the instruction address + 8', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x100c, 0xcafef00d);
  cpu.bus.write32(0x1004, 0x12345678);
  exec(cpu, [0xe59f0004]); // 0x1000: ldr r0, [pc, #4] -> 0x100c
  assert.equal(cpu.r[0] >>> 0, 0xcafef00d);
  exec(cpu, [0xe51f0004]); // 0x1000: ldr r0, [pc, #-4] -> 0x1004 (its own next word)
  assert.equal(cpu.r[0] >>> 0, 0x12345678);
});

test('LDR pc interworks; LDR pc from an unaligned address is UNPREDICTABLE', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x2000, 0x3000);
  cpu.r[1] = 0x2000;
  exec(cpu, [0xe591f000]); // ldr pc, [r1]
  assert.equal(cpu.pc, 0x3000);
  assert.equal(cpu.t, 0);
  cpu.bus.write32(0x2000, 0x3001);
  exec(cpu, [0xe591f000]);
  assert.equal(cpu.pc, 0x3000);
  assert.equal(cpu.t, 1);

  const c2 = makeCpu();
  c2.r[1] = 0x2002;
  exec(c2, [0xe591f000]);
  assert.equal(c2.mode, MODE_UND);
  assert.equal(c2.pc, 0x4);
});

test('STR: writeback forms, STR pc stores the instruction address + 8', () => {
  const cpu = makeCpu();
  cpu.r[0] = 0x55aa55aa; cpu.r[1] = 0x2010;
  exec(cpu, [0xe5210008]); // str r0, [r1, #-8]!
  assert.equal(mem32(cpu, 0x2008), 0x55aa55aa);
  assert.equal(cpu.r[1], 0x2008);
  exec(cpu, [0xe4010004]); // str r0, [r1], #-4
  assert.equal(cpu.r[1], 0x2004);
  exec(cpu, [0xe581f000]); // str pc, [r1]
  assert.equal(mem32(cpu, 0x2004), 0x1008);
});

test('byte and halfword loads and stores, sign extension', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x2000, 0x80ff7f81);
  cpu.r[1] = 0x2000;
  exec(cpu, [0xe5d10003]); // ldrb r0, [r1, #3]
  assert.equal(cpu.r[0], 0x80);
  exec(cpu, [0xe1d100d1]); // ldrsb r0, [r1, #1]
  assert.equal(cpu.r[0], 0x7f);
  exec(cpu, [0xe1d100f2]); // ldrsh r0, [r1, #2]
  assert.equal(cpu.r[0], -32513); // 0x80ff sign extended
  exec(cpu, [0xe1d100b2]); // ldrh r0, [r1, #2]
  assert.equal(cpu.r[0], 0x80ff);
  cpu.r[2] = 2;
  exec(cpu, [0xe6510002]); // ldrb r0, [r1], -r2
  assert.equal(cpu.r[0], 0x81);
  assert.equal(cpu.r[1], 0x1ffe);
  cpu.r[1] = 0x2004; cpu.r[2] = 2;
  exec(cpu, [0xe11100f2]); // ldrsh r0, [r1, -r2]
  assert.equal(cpu.r[0], -32513);

  cpu.r[0] = 0x12345678; cpu.r[1] = 0x2010;
  exec(cpu, [0xe5c10003]); // strb r0, [r1, #3]
  assert.equal(mem32(cpu, 0x2010), 0x78000000);
  exec(cpu, [0xe1e100b6]); // strh r0, [r1, #6]!
  assert.equal(cpu.r[1], 0x2016);
  assert.equal(mem32(cpu, 0x2014), 0x56780000);
  cpu.bus.write32(0x2020, 0xbeef);
  cpu.r[1] = 0x2020;
  exec(cpu, [0xe05100b2]); // ldrh r0, [r1], #-2
  assert.equal(cpu.r[0], 0xbeef);
  assert.equal(cpu.r[1], 0x201e);
});

test('literal halfword, signed byte and doubleword loads', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x100c, 0x0000f0f1);
  exec(cpu, [0xe1df00b4]); // ldrh r0, [pc, #4]
  assert.equal(cpu.r[0], 0xf0f1);
  exec(cpu, [0xe1df00d4]); // ldrsb r0, [pc, #4]
  assert.equal(cpu.r[0], -15);
  cpu.bus.write32(0x1008, 0x10203040);
  exec(cpu, [0xe5df0001]); // ldrb r0, [pc, #1]
  assert.equal(cpu.r[0], 0x30);
  cpu.bus.write32(0x1004, 0xaaaa0001);
  cpu.bus.write32(0x1008, 0xbbbb0002);
  exec(cpu, [0xe14f20d4]); // ldrd r2, r3, [pc, #-4]
  assert.equal(cpu.r[2] >>> 0, 0xaaaa0001);
  assert.equal(cpu.r[3] >>> 0, 0xbbbb0002);
});

test('LDRD/STRD: addressing, writeback and word alignment', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x2008, 0x01020304);
  cpu.bus.write32(0x200c, 0x05060708);
  cpu.r[1] = 0x2000;
  exec(cpu, [0xe1c120d8]); // ldrd r2, r3, [r1, #8]
  assert.equal(cpu.r[2], 0x01020304);
  assert.equal(cpu.r[3], 0x05060708);
  cpu.r[1] = 0x2010;
  exec(cpu, [0xe16120d8]); // ldrd r2, r3, [r1, #-8]!
  assert.equal(cpu.r[1], 0x2008);
  assert.equal(cpu.r[2], 0x01020304);

  // Word aligned but not doubleword aligned is fine.
  cpu.bus.write32(0x2004, 0xa);
  cpu.r[1] = 0x2008; cpu.r[2] = 4;
  exec(cpu, [0xe12140d2]); // ldrd r4, r5, [r1, -r2]!
  assert.equal(cpu.r[4], 0xa);
  assert.equal(cpu.r[5], 0x01020304);
  assert.equal(cpu.r[1], 0x2004);

  cpu.r[1] = 0x3000; cpu.r[2] = 0x11; cpu.r[3] = 0x22;
  exec(cpu, [0xe0c121f0]); // strd r2, r3, [r1], #16
  assert.equal(mem32(cpu, 0x3000), 0x11);
  assert.equal(mem32(cpu, 0x3004), 0x22);
  assert.equal(cpu.r[1], 0x3010);
  cpu.r[4] = 0x20;
  exec(cpu, [0xe18120f4]); // strd r2, r3, [r1, r4]
  assert.equal(mem32(cpu, 0x3030), 0x11);
  assert.equal(mem32(cpu, 0x3034), 0x22);
  assert.equal(cpu.r[1], 0x3010);

  // Not word aligned: alignment fault even with SCTLR.A clear; nothing written.
  const c2 = makeCpu();
  c2.r[1] = 0x2002; c2.r[2] = 0x77; c2.r[3] = 0x88;
  exec(c2, [0xe1c120d8]); // ldrd r2, r3, [r1, #8]
  assert.equal(c2.mode, MODE_ABT);
  assert.equal(c2.cp15.dfsr & 0x40f, 0b00001);
  assert.equal(c2.cp15.dfar, 0x200a);
  assert.equal(c2.r[2], 0x77);
  assert.equal(c2.r[3], 0x88);
});

test('unaligned LDR is allowed with SCTLR.A clear and faults with SCTLR.A set', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x2000, 0x44332211);
  cpu.bus.write32(0x2004, 0x88776655);
  cpu.r[1] = 0x2001;
  exec(cpu, [0xe5910000]); // ldr r0, [r1]
  assert.equal(cpu.r[0] >>> 0, 0x55443322);
  assert.equal(cpu.mode, MODE_SVC);

  const c2 = makeCpu();
  c2.cp15.sctlr |= 2;
  c2.r[0] = 7; c2.r[1] = 0x2001;
  exec(c2, [0xe5310004]); // ldr r0, [r1, #-4]!
  assert.equal(c2.mode, MODE_ABT);
  assert.equal(c2.pc, 0x10);
  assert.equal(c2.r[14], 0x1008);
  assert.equal(c2.cp15.dfsr & 0x40f, 0b00001);
  assert.equal(c2.cp15.dfar, 0x1ffd);
  assert.equal(c2.spsr[4] & 0x1f, MODE_SVC);
  c2.changeMode(MODE_SVC);
  assert.equal(c2.r[0], 7);
  assert.equal(c2.r[1], 0x2001);
});

test('an external abort leaves the base register and Rt unchanged', () => {
  const cpu = makeCpu();
  cpu.r[0] = 5; cpu.r[1] = 0x40000000;
  exec(cpu, [0xe5310004]); // ldr r0, [r1, #-4]!
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0b01000);
  assert.equal(cpu.cp15.dfar, 0x3ffffffc);
  cpu.changeMode(MODE_SVC);
  assert.equal(cpu.r[0], 5);
  assert.equal(cpu.r[1], 0x40000000);
});

test('unprivileged T variants: post-indexed with writeback', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x2000, 0xfedcba98);
  cpu.r[1] = 0x2000;
  exec(cpu, [0xe4b10004]); // ldrt r0, [r1], #4
  assert.equal(cpu.r[0] >>> 0, 0xfedcba98);
  assert.equal(cpu.r[1], 0x2004);
  cpu.r[0] = 0x1234;
  exec(cpu, [0xe4210004]); // strt r0, [r1], #-4
  assert.equal(mem32(cpu, 0x2004), 0x1234);
  assert.equal(cpu.r[1], 0x2000);
  cpu.r[2] = 1;
  exec(cpu, [0xe6f10082]); // ldrbt r0, [r1], r2, lsl #1
  assert.equal(cpu.r[0], 0x98);
  assert.equal(cpu.r[1], 0x2002);
  exec(cpu, [0xe0f100b2]); // ldrht r0, [r1], #2
  assert.equal(cpu.r[0], 0xfedc);
  assert.equal(cpu.r[1], 0x2004);
  cpu.r[1] = 0x2003;
  exec(cpu, [0xe0f100d1]); // ldrsbt r0, [r1], #1
  assert.equal(cpu.r[0], -2);
  assert.equal(cpu.r[1], 0x2004);
  cpu.r[0] = 0xabcd; cpu.r[1] = 0x2008;
  exec(cpu, [0xe06100b2]); // strht r0, [r1], #-2
  assert.equal(mem32(cpu, 0x2008), 0xabcd);
  assert.equal(cpu.r[1], 0x2006);
  cpu.r[1] = 0x2000; cpu.r[2] = 6;
  exec(cpu, [0xe0b100f2]); // ldrsht r0, [r1], r2
  assert.equal(cpu.r[0], -17768); // 0xba98
  assert.equal(cpu.r[1], 0x2006);
});

test('a failed condition performs no access', () => {
  const cpu = makeCpu();
  cpu.z = 1; cpu.r[0] = 9; cpu.r[1] = 0x40000000;
  exec(cpu, [0x15910004]); // ldrne r0, [r1, #4]
  assert.equal(cpu.r[0], 9);
  assert.equal(cpu.mode, MODE_SVC);
  assert.equal(cpu.pc, 0x1004);
});
