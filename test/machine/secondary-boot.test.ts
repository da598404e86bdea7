/**
 * A Linux-style boot (the kernel role) on several vexpress-a9 cores holds the
 * secondaries as QEMU's boot loader does: in a stub at the start of the
 * board's SRAM that enables the core's GIC CPU interface, waits for an
 * interrupt and reads SYS_FLAGS until it holds an address, then jumps there.
 * A one-core boot is the same as it always was.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine } from '../../machine/boot/boot-machine';
import { secondaryBootSites } from '../../machine/boot/linux-boot';
import { ImageError } from '../../machine/loaders/elf';
import type { Machine } from '../../machine/machine';
import { boardSpec } from '../../scenario/boards';
import { stateJson } from '../../replay/state-hash';

const VEXPRESS = boardSpec('vexpress-a9');
const SRAM = 0x48000000;
const SYS_FLAGS = 0x10000030;
const GICC = 0x1e000100;
const MARK = 0x60020000;

/** A raw kernel (loaded at RAM base + 0x10000) from A32 words. */
function kernel(words: number[]): { name: string; data: Uint8Array } {
  const data = new Uint8Array(4 * words.length);
  const view = new DataView(data.buffer);
  words.forEach((w, i) => view.setUint32(4 * i, w >>> 0, true));
  return { name: 'smp.img', data };
}

/*
 * Core 0 at 0x60010000:
 *   ldr r0, flags; ldr r1, entry; str r1, [r0]        SYS_FLAGSSET = 0x60010040
 *   ldr r0, gicd; mov r1, #1; str r1, [r0]            GICD_CTLR = 1
 *   ldr r1, sgi; str r1, [r0, #0xf00]                 GICD_SGIR = SGI 1 to core 1
 *   b .
 * The secondary entry at 0x60010040:
 *   mrc p15, 0, r1, c0, c0, 5; ldr r0, mark; str r1, [r0]; str pc, [r0, #4]; b .
 */
const FLAGS_AND_SGI = [
  0xe59f001c, 0xe59f101c, 0xe5801000, 0xe59f0018, 0xe3a01001, 0xe5801000,
  0xe59f1010, 0xe5801f00, 0xeafffffe, 0x10000030, 0x60010040, 0x1e001000,
  0x00020001, 0, 0, 0,
  0xee101fb0, 0xe59f0008, 0xe5801000, 0xe580f004, 0xeafffffe, 0x60020000,
];
/** The same with `b .` in place of the SGI store: the flags are set, no interrupt comes. */
const FLAGS_ONLY = FLAGS_AND_SGI.map((w, i) => (i === 7 ? 0xe1a00000 : w));
/** Core 0 only spins: the flags stay zero. */
const SPIN = [0xeafffffe];

function boot(words: number[], cores: number): Machine {
  return bootMachine({ board: VEXPRESS, kernel: kernel(words), cores }).machine;
}

test('a kernel booted on two vexpress-a9 cores starts core 1 in the boot stub in SRAM while core 0 enters the kernel', () => {
  const m = boot(SPIN, 2);
  assert.equal(m.cpus[0].pc >>> 0, 0x60010000);
  assert.equal(m.cpus[0].r[1], 2272);
  assert.equal(m.cpus[1].pc >>> 0, SRAM);
  // Both literals of the stub name this board's GIC CPU interface and flags register.
  assert.equal(m.bus.read32(SRAM + 0x30) >>> 0, GICC);
  assert.equal(m.bus.read32(SRAM + 0x34) >>> 0, SYS_FLAGS);
  assert.deepEqual(secondaryBootSites(VEXPRESS), { stub: SRAM, gicCpu: GICC, flags: SYS_FLAGS });
});

test('a secondary core waits in the boot stub while SYS_FLAGS is zero', () => {
  const m = boot(SPIN, 2);
  m.runUntil(200_000);
  const pc = m.cpus[1].pc >>> 0;
  assert.ok(pc >= SRAM && pc < SRAM + 0x30, `core 1 at 0x${pc.toString(16)} has left the stub`);
  assert.equal(m.bus.read32(MARK), 0);
});

test('a secondary core stays in the boot stub when SYS_FLAGS holds an address but no interrupt wakes it', () => {
  const m = boot(FLAGS_ONLY, 2);
  m.runUntil(200_000);
  assert.equal(m.bus.read32(SYS_FLAGS) >>> 0, 0x60010040);
  const pc = m.cpus[1].pc >>> 0;
  assert.ok(pc >= SRAM && pc < SRAM + 0x30, `core 1 at 0x${pc.toString(16)} left the stub without an interrupt`);
  assert.equal(m.bus.read32(MARK), 0);
});

test('a secondary core leaves the boot stub for the address in SYS_FLAGS once an SGI reaches it', () => {
  const m = boot(FLAGS_AND_SGI, 2);
  m.runUntil(200_000);
  // Core 1 ran the secondary entry: MPIDR 0x80000001, and its PC there.
  assert.equal(m.bus.read32(MARK) >>> 0, 0x80000001);
  assert.equal(m.bus.read32(MARK + 4) >>> 0, 0x60010040 + 12 + 8);
  assert.equal(m.cpus[1].pc >>> 0, 0x60010050);
  assert.equal(m.cpus[0].pc >>> 0, 0x60010020);
});

test('a one-core kernel boot on vexpress-a9 writes no boot stub into SRAM', () => {
  const m = boot(SPIN, 1);
  assert.equal(m.cpus.length, 1);
  assert.equal(m.ram.get('sram')!.u8.every((b) => b === 0), true);
  m.runUntil(10_000);
  assert.equal(m.cpu.pc >>> 0, 0x60010000);
});

test('a kernel booted on several cores of a board without an SRAM bank for the stub is refused, naming what is missing', () => {
  const board = { ...VEXPRESS, memory: VEXPRESS.memory.filter((m) => m.name !== 'sram') };
  assert.throws(() => bootMachine({ board, kernel: kernel(SPIN), cores: 2 }),
    (e: Error) => e instanceof ImageError && /board vexpress-a9: a kernel booted on several cores needs a RAM bank named sram/.test(e.message));
  // One core needs no stub.
  assert.doesNotThrow(() => bootMachine({ board, kernel: kernel(SPIN), cores: 1 }));
});

test('a secondary core started through the boot stub runs the same way every time, also when resumed from a snapshot taken before it leaves the stub', () => {
  const straight = boot(FLAGS_AND_SGI, 2);
  straight.runUntil(200_000);
  const resumed = boot(FLAGS_AND_SGI, 2);
  resumed.runUntil(5); // core 0 paused in its first turn, before its SGI; core 1 still at the stub
  assert.equal(resumed.cpus[1].pc >>> 0, SRAM);
  const snap = resumed.snapshot();
  const again = boot(SPIN, 2);
  again.restore(snap);
  again.runUntil(200_000);
  assert.equal(stateJson(again), stateJson(straight));
  assert.equal(again.bus.read32(MARK) >>> 0, 0x80000001);
});
