import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MODE_ABT, MODE_SVC, MODE_UND } from '../../machine/cpu/modes';
import { makeCpu, exec } from '../support/cpu-harness';

type Cpu = ReturnType<typeof makeCpu>;

const LDREX = 0xe1910f9f; // ldrex r0, [r1]
const STREX = 0xe1812f93; // strex r2, r3, [r1]
const STREX_R4 = 0xe1842f93; // strex r2, r3, [r4]
const CLREX = 0xf57ff01f; // clrex
const SWP = 0xe1010093; // swp r0, r3, [r1]
const SWPB = 0xe1410093; // swpb r0, r3, [r1]

function mem32(cpu: Cpu, addr: number): number {
  return cpu.bus.read32(addr) >>> 0;
}

function setup(): Cpu {
  const cpu = makeCpu();
  cpu.bus.write32(0x2000, 0x1234);
  cpu.r[1] = 0x2000;
  cpu.r[3] = 0xbeef;
  return cpu;
}

test('LDREX then STREX to the same address succeeds and clears the monitor', () => {
  const cpu = setup();
  exec(cpu, [LDREX, STREX]);
  assert.equal(cpu.r[0], 0x1234);
  assert.equal(cpu.r[2], 0);
  assert.equal(mem32(cpu, 0x2000), 0xbeef);
  assert.equal(cpu.monitorActive, false);
  // A second STREX without a new LDREX fails and stores nothing.
  cpu.r[3] = 0x5555;
  exec(cpu, [STREX]);
  assert.equal(cpu.r[2], 1);
  assert.equal(mem32(cpu, 0x2000), 0xbeef);
});

test('LDREX records the physical address in the monitor', () => {
  const cpu = setup();
  exec(cpu, [LDREX]);
  assert.equal(cpu.monitorActive, true);
  assert.equal(cpu.monitorAddr, 0x2000);
});

test('STREX without a preceding LDREX fails', () => {
  const cpu = setup();
  exec(cpu, [STREX]);
  assert.equal(cpu.r[2], 1);
  assert.equal(mem32(cpu, 0x2000), 0x1234);
});

test('STREX to a different address fails and clears the monitor', () => {
  const cpu = setup();
  cpu.r[4] = 0x2004;
  exec(cpu, [LDREX, STREX_R4]);
  assert.equal(cpu.r[2], 1);
  assert.equal(mem32(cpu, 0x2004), 0);
  assert.equal(cpu.monitorActive, false);
  exec(cpu, [STREX]);
  assert.equal(cpu.r[2], 1);
});

test('CLREX makes the next STREX fail', () => {
  const cpu = setup();
  exec(cpu, [LDREX, CLREX, STREX]);
  assert.equal(cpu.r[2], 1);
  assert.equal(mem32(cpu, 0x2000), 0x1234);
});

test('byte, halfword and doubleword exclusives', () => {
  const cpu = setup();
  cpu.bus.write32(0x2000, 0x8899aabb);
  cpu.r[3] = 0x11223344;
  exec(cpu, [0xe1d10f9f, 0xe1c12f93]); // ldrexb r0, [r1]; strexb r2, r3, [r1]
  assert.equal(cpu.r[0], 0xbb);
  assert.equal(cpu.r[2], 0);
  assert.equal(mem32(cpu, 0x2000), 0x8899aa44);
  exec(cpu, [0xe1f10f9f, 0xe1e12f93]); // ldrexh r0, [r1]; strexh r2, r3, [r1]
  assert.equal(cpu.r[0], 0xaa44);
  assert.equal(cpu.r[2], 0);
  assert.equal(mem32(cpu, 0x2000), 0x88993344);

  cpu.bus.write32(0x2008, 0xa); cpu.bus.write32(0x200c, 0xb);
  cpu.r[1] = 0x2008; cpu.r[4] = 0xc; cpu.r[5] = 0xd;
  exec(cpu, [0xe1b16f9f, 0xe1a12f94]); // ldrexd r6, r7, [r1]; strexd r2, r4, r5, [r1]
  assert.equal(cpu.r[6], 0xa);
  assert.equal(cpu.r[7], 0xb);
  assert.equal(cpu.r[2], 0);
  assert.equal(mem32(cpu, 0x2008), 0xc);
  assert.equal(mem32(cpu, 0x200c), 0xd);
});

test('LDREXD needs doubleword alignment', () => {
  const cpu = setup();
  cpu.r[1] = 0x2004; cpu.r[6] = 1; cpu.r[7] = 2;
  exec(cpu, [0xe1b16f9f]); // ldrexd r6, r7, [r1]
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0b00001);
  assert.equal(cpu.cp15.dfar, 0x2004);
  cpu.changeMode(MODE_SVC);
  assert.equal(cpu.r[6], 1);
  assert.equal(cpu.r[7], 2);
  assert.equal(cpu.monitorActive, false);
});

test('unaligned LDREX takes an alignment fault', () => {
  const cpu = setup();
  cpu.r[1] = 0x2002; cpu.r[0] = 7;
  exec(cpu, [LDREX]);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0b00001);
  assert.equal(cpu.monitorActive, false);
});

test('unaligned STREX faults even though the monitor would make it fail', () => {
  const cpu = setup();
  cpu.r[1] = 0x2002; cpu.r[2] = 7;
  exec(cpu, [STREX]);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0b00001);
  assert.equal((cpu.cp15.dfsr >>> 11) & 1, 1);
  assert.equal(cpu.cp15.dfar, 0x2002);
  cpu.changeMode(MODE_SVC);
  assert.equal(cpu.r[2], 7);
});

test('SWP is UNDEFINED while SCTLR.SW is clear', () => {
  const cpu = setup();
  cpu.r[0] = 9;
  exec(cpu, [SWP]);
  assert.equal(cpu.mode, MODE_UND);
  assert.equal(cpu.pc, 0x4);
  assert.equal(cpu.r[14], 0x1004);
  assert.equal(mem32(cpu, 0x2000), 0x1234);
  cpu.changeMode(MODE_SVC);
  assert.equal(cpu.r[0], 9);
});

test('SWP and SWPB swap when SCTLR.SW is set', () => {
  const cpu = setup();
  cpu.cp15.sctlr |= 1 << 10;
  exec(cpu, [SWP]);
  assert.equal(cpu.r[0], 0x1234);
  assert.equal(mem32(cpu, 0x2000), 0xbeef);
  cpu.r[3] = 0x1ff;
  exec(cpu, [SWPB]);
  assert.equal(cpu.r[0], 0xef);
  assert.equal(mem32(cpu, 0x2000), 0xbeff);

  // SWP requires word alignment; the fault leaves Rt and memory unchanged.
  cpu.r[1] = 0x2001; cpu.r[0] = 3;
  exec(cpu, [SWP]);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(mem32(cpu, 0x2000), 0xbeff);
  cpu.changeMode(MODE_SVC);
  assert.equal(cpu.r[0], 3);
});
