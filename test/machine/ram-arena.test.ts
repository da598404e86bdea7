/**
 * The RAM arena (Bus.addRamBanks): a board's banks share one buffer, and the
 * compiled code's fast path (machine/cpu/jit/data-tlb.ts) reaches every bank
 * of it, not only the first, with the same results as the interpreter.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../machine/bus';
import { Cpu } from '../../machine/cpu/cpu';
import type { Engine } from '../../machine/cpu/engine';
import { DATA_TLB_MASK } from '../../machine/cpu/jit/data-tlb';

const BANKS = [
  { name: 'bank0', base: 0x00000000, size: 0x10000 },
  { name: 'bank1', base: 0x20000000, size: 0x10000 },
  { name: 'iram', base: 0x40000000, size: 0x1000 },
];

test('banks added together are views of one buffer, each at its own offset', () => {
  const bus = new Bus();
  const [b0, b1, iram] = bus.addRamBanks(BANKS);
  assert.equal(b0.u8.buffer, bus.arena.u8.buffer);
  assert.equal(b1.u8.buffer, bus.arena.u8.buffer);
  assert.equal(iram.u8.buffer, bus.arena.u8.buffer);
  assert.deepEqual([b0.u8.byteOffset, b1.u8.byteOffset, iram.u8.byteOffset], [0, 0x10000, 0x20000]);
  bus.write32(0x20000010, 0x11223344);
  bus.write32(0x40000ffc, 0x55667788);
  assert.equal(bus.arena.i32[(0x10000 + 0x10) >>> 2], 0x11223344);
  assert.equal(bus.arena.i32[(0x20000 + 0xffc) >>> 2], 0x55667788);
  assert.equal(bus.read32(0x00000010), 0, 'bank 0 is not written by a write to bank 1');
});

test('RAM added to a bus that already has some gets a buffer of its own, outside the arena', () => {
  const bus = new Bus();
  bus.addRam('first', 0, 0x1000);
  const later = bus.addRam('later', 0x10000, 0x1000);
  assert.notEqual(later.u8.buffer, bus.arena.u8.buffer);
  bus.write32(0x10000, 7);
  assert.equal(bus.read32(0x10000), 7);
});

// loop: ldr r1, [r0]; add r1, r1, #1; str r1, [r0]; ldr r2, [r3]; add r2, r2, r1;
//       str r2, [r3, #4]; subs r4, r4, #1; bne loop
const LOOP = [0xe5901000, 0xe2811001, 0xe5801000, 0xe5932000, 0xe0822001, 0xe5832004, 0xe2544001, 0x1afffff7];
const CODE = 0x1000;

function runLoop(engine: Engine): { cpu: Cpu; bus: Bus } {
  const bus = new Bus();
  bus.addRamBanks(BANKS);
  LOOP.forEach((insn, k) => bus.write32(CODE + 4 * k, insn));
  bus.write32(0x20003000, 1000);
  bus.write32(0x40000000, 5);
  const cpu = new Cpu(bus);
  cpu.engine = engine;
  cpu.hotThreshold = 1;
  cpu.pc = CODE;
  cpu.r[0] = 0x20003000;
  cpu.r[3] = 0x40000000;
  cpu.r[4] = 100;
  assert.equal(cpu.run(LOOP.length * 100), LOOP.length * 100);
  return { cpu, bus };
}

test('compiled loads and stores reach a second and a third bank through the fast path, as the interpreter does', () => {
  const jit = runLoop('jit');
  const interpreted = runLoop('interpreter');
  assert.equal(jit.bus.read32(0x20003000), 1100);
  assert.equal(jit.bus.read32(0x40000004), 5 + 1100);
  assert.deepEqual(Array.from(jit.cpu.r), Array.from(interpreted.cpu.r));
  assert.deepEqual([jit.cpu.n, jit.cpu.z, jit.cpu.c, jit.cpu.v], [interpreted.cpu.n, interpreted.cpu.z, interpreted.cpu.c, interpreted.cpu.v]);
  assert.equal(interpreted.bus.read32(0x40000004), 5 + 1100);
  // After their first access went the full way, both pages (in different entries) have entries in both tables.
  for (const page of [0x20003000, 0x40000000]) {
    const i = (page >>> 12) & DATA_TLB_MASK;
    assert.equal(jit.cpu.dataTlb.page[i], page, `load entry for 0x${page.toString(16)}`);
    assert.equal(jit.cpu.storeTlb.page[i], page, `store entry for 0x${page.toString(16)}`);
  }
});
