/**
 * The execution loop (machine/cpu/loop.ts) runs blocks and makes the checks
 * of an instruction boundary only when a block starts; these tests pin down
 * that every event in mid-block still lands on the exact instruction
 * boundary, that stepping and running in one go reach the same state, and
 * that two cores (two Cpu instances) interleaved do not disturb each other.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../machine/bus';
import { Cpu } from '../../machine/cpu/cpu';
import { MODE_IRQ, MODE_SVC } from '../../machine/cpu/modes';

const DEVICE = 0x100000;

// A32 encodings used below.
const WFI = 0xe320f003;
const CPSIE_I = 0xf1080080;
const STR_R0_R1 = 0xe5810000; // str r0, [r1]
const ADD_R2_1 = 0xe2822001; // add r2, r2, #1
const B_SELF = 0xeafffffe; // b .
const movImm = (rd: number, imm: number): number => (0xe3a00000 | (rd << 12) | imm) >>> 0;
/** B from `from` to `to` (A32). */
const branch = (from: number, to: number): number => (0xea000000 | (((to - from - 8) >> 2) & 0xffffff)) >>> 0;

/**
 * A core with 1 MiB of RAM at 0 and, at DEVICE, a register whose write calls
 * `onWrite` (in the middle of the instruction that writes it).
 */
function core(onWrite: (cpu: Cpu, value: number) => void = () => {}): Cpu {
  const bus = new Bus();
  bus.addRam('ram', 0, 1 << 20);
  const cpu = new Cpu(bus);
  bus.addMmio({ name: 'poke', read: () => 0, write: (_off, _size, v) => onWrite(cpu, v) }, DEVICE, 0x1000);
  return cpu;
}

function placeA32(cpu: Cpu, addr: number, words: number[]): void {
  words.forEach((w, k) => cpu.bus.write32(addr + 4 * k, w >>> 0));
}

/** Writes Thumb instructions at addr (values above 0xffff are hw1:hw2). */
function placeThumb(cpu: Cpu, addr: number, insns: number[]): void {
  let a = addr;
  for (const i of insns) {
    if (i > 0xffff) { cpu.bus.write16(a, i >>> 16); cpu.bus.write16(a + 2, i & 0xffff); a += 4; } else { cpu.bus.write16(a, i); a += 2; }
  }
}

/** The IRQ vector (VBAR 0): mov r7, #0x55; b . */
function irqVector(cpu: Cpu): void {
  placeA32(cpu, 0x18, [movImm(7, 0x55), B_SELF]);
}

test('an MMIO write that raises the IRQ line in mid-block is followed by the IRQ at the next instruction boundary', () => {
  const cpu = core((c) => { c.irqLine = true; });
  irqVector(cpu);
  placeA32(cpu, 0x1000, [CPSIE_I, movImm(2, 0), STR_R0_R1, ADD_R2_1, ADD_R2_1, B_SELF]);
  cpu.pc = 0x1000;
  cpu.r[1] = DEVICE;
  assert.equal(cpu.run(10), 10);
  assert.equal(cpu.mode, MODE_IRQ);
  assert.equal(cpu.r[2], 0, 'no instruction after the store ran');
  assert.equal(cpu.r[14] >>> 0, 0x1010, 'LR: the instruction after the store, + 4');
  assert.equal(cpu.r[7], 0x55);
});

test('unmasking IRQs while the line is already high takes the IRQ before the next instruction', () => {
  const cpu = core();
  irqVector(cpu);
  placeA32(cpu, 0x1000, [movImm(2, 1), movImm(2, 2), CPSIE_I, movImm(2, 3), B_SELF]);
  cpu.pc = 0x1000;
  cpu.irqLine = true;
  cpu.run(6);
  assert.equal(cpu.mode, MODE_IRQ);
  assert.equal(cpu.r[2], 2);
  assert.equal(cpu.r[14] >>> 0, 0x1010);
  assert.equal(cpu.icount, 6);
});

test('an event scheduled in mid-block (shortenRun) ends the run at exactly its time', () => {
  const cpu = core((c) => c.shortenRun(c.icount + 2));
  placeA32(cpu, 0x1000, [STR_R0_R1, ADD_R2_1, ADD_R2_1, ADD_R2_1, ADD_R2_1, B_SELF]);
  cpu.pc = 0x1000;
  cpu.r[1] = DEVICE;
  assert.equal(cpu.run(100), 3);
  assert.equal(cpu.r[2], 2);
  assert.equal(cpu.pc, 0x100c);
});

test('a stop requested in mid-block returns at the next instruction boundary', () => {
  const cpu = core((c) => { c.stopRequested = true; });
  placeA32(cpu, 0x1000, [ADD_R2_1, STR_R0_R1, ADD_R2_1, B_SELF]);
  cpu.pc = 0x1000;
  cpu.r[1] = DEVICE;
  assert.equal(cpu.run(100), 2);
  assert.equal(cpu.r[2], 1);
  assert.equal(cpu.pc, 0x1008);
});

test('WFI in mid-block returns from the run with the core waiting', () => {
  const cpu = core();
  placeA32(cpu, 0x1000, [ADD_R2_1, WFI, ADD_R2_1, B_SELF]);
  cpu.pc = 0x1000;
  assert.equal(cpu.run(100), 2);
  assert.equal(cpu.waiting, true);
  assert.equal(cpu.r[2], 1);
});

test('an execution hook added in mid-block is called before the instruction it hooks, even the very next one', () => {
  for (const at of [0x1004, 0x1008]) {
    let calls = 0;
    const cpu = core((c) => {
      c.execProbe.at(at, (x) => { calls++; x.nextPc = (at + 4) >>> 0; return true; });
    });
    placeA32(cpu, 0x1000, [STR_R0_R1, ADD_R2_1, ADD_R2_1, ADD_R2_1, B_SELF]);
    cpu.pc = 0x1000;
    cpu.r[1] = DEVICE;
    cpu.run(5);
    assert.equal(calls, 1, `hook at 0x${at.toString(16)}`);
    assert.equal(cpu.r[2], 2, 'the hooked instruction did not run');
    assert.equal(cpu.icount, 5, 'a hooked instruction counts one tick');
  }
});

test('a store over an already decoded instruction of the running page takes effect when that instruction next runs', () => {
  const cpu = core();
  // 0x1000: mov r2, #1; 0x1004: str r0, [r1] (r1 = 0x1000); 0x1008: b 0x1000
  placeA32(cpu, 0x1000, [movImm(2, 1), STR_R0_R1, branch(0x1008, 0x1000)]);
  cpu.pc = 0x1000;
  cpu.r[0] = movImm(2, 7);
  cpu.r[1] = 0x1000;
  cpu.run(4);
  assert.equal(cpu.r[2], 7);

  // Thumb: the store replaces the instruction right after it, decoded on the first pass.
  const t = core();
  // 0x2000: strh r0, [r1]; 0x2002: movs r2, #1; 0x2004: b 0x2000
  placeThumb(t, 0x2000, [0x8008, 0x2201, 0xe7fc]);
  t.t = 1;
  t.pc = 0x2000;
  t.r[1] = 0x3000; // first pass: a store elsewhere
  t.run(3);
  assert.equal(t.r[2], 1);
  t.r[0] = 0x2209; // movs r2, #9
  t.r[1] = 0x2002;
  t.run(2);
  assert.equal(t.r[2], 9, 'the rewritten instruction ran, not the stale decode');
});

test('run(n) executes exactly n instructions across chained branches, stepping reaches the same state', () => {
  const program = (cpu: Cpu): void => {
    // 0x1000: add r2, r2, #1; 0x1004: b 0x1000
    placeA32(cpu, 0x1000, [ADD_R2_1, branch(0x1004, 0x1000)]);
    cpu.pc = 0x1000;
  };
  const a = core(); program(a);
  assert.equal(a.run(7), 7);
  assert.equal(a.r[2], 4);
  assert.equal(a.pc, 0x1004);
  const b = core(); program(b);
  for (let k = 0; k < 7; k++) b.run(1);
  assert.deepEqual(b.snapshot(), a.snapshot());
});

test('a compiled block that branches inside itself (a loop to its second instruction, a forward skip) stops at every count as the interpreter does', () => {
  const program = (cpu: Cpu): void => {
    placeA32(cpu, 0x1000, [
      movImm(2, 0), // 0x1000 mov r2, #0
      ADD_R2_1, // 0x1004 add r2, r2, #1
      0xe3120001, // 0x1008 tst r2, #1
      0x1a000000, // 0x100c bne 0x1014
      0xe2833001, // 0x1010 add r3, r3, #1
      0xe3520028, // 0x1014 cmp r2, #40
      0xbafffff9, // 0x1018 blt 0x1004
      B_SELF, // 0x101c b .
    ]);
    cpu.pc = 0x1000;
  };
  for (let n = 1; n <= 260; n += 1 + (n >> 5)) {
    const jit = core(); jit.engine = 'jit'; jit.hotThreshold = 1; program(jit);
    const interp = core(); interp.engine = 'interpreter'; program(interp);
    assert.equal(jit.run(n), n);
    assert.equal(interp.run(n), n);
    assert.deepEqual(jit.snapshot(), interp.snapshot(), `after ${n} instructions`);
  }
  const done = core(); done.engine = 'jit'; done.hotThreshold = 1; program(done);
  done.run(1000);
  assert.ok(done.code.slots(0x1000, 0).blocks?.[0], 'the block at 0x1000 was compiled');
  assert.deepEqual([done.r[2], done.r[3], done.pc], [40, 20, 0x101c]);
});

test('a load that aborts in the middle of a compiled block leaves the registers and flags the instructions before it wrote, as the interpreter does', () => {
  const program = (cpu: Cpu): void => {
    placeA32(cpu, 0x1000, [
      0xe2811001, // 0x1000 add r1, r1, #1
      0xe2522001, // 0x1004 subs r2, r2, #1 (Z set)
      0xe1a06001, // 0x1008 mov r6, r1
      0xe5943000, // 0x100c ldr r3, [r4]: nothing at r4, an external abort
      0xe3a05007, // 0x1010 mov r5, #7
      B_SELF,
    ]);
    placeA32(cpu, 0x10, [B_SELF]); // the Data Abort vector
    cpu.pc = 0x1000;
    cpu.r[1] = 41; cpu.r[2] = 1; cpu.r[4] = 0x80000000;
  };
  const jit = core(); jit.engine = 'jit'; jit.hotThreshold = 1; program(jit);
  const interp = core(); interp.engine = 'interpreter'; program(interp);
  // Run long enough for the abort and the vector: the block from 0x1000 is compiled whole and faults at its fourth instruction.
  assert.equal(jit.run(10), 10);
  assert.equal(interp.run(10), 10);
  assert.equal(jit.pc, 0x10);
  assert.deepEqual([jit.r[1], jit.r[6], jit.r[5], jit.r[14]], [42, 42, 0, 0x100c + 8]);
  assert.deepEqual(jit.snapshot(), interp.snapshot());
});

/**
 * Core A: Thumb, a loop around an IT block (counts r1 while r0 < 5, r2
 * after); core B: A32, a counting loop. Both on their own bus.
 */
function thumbItCore(): Cpu {
  const cpu = core();
  placeThumb(cpu, 0x2000, [
    0x2000, // 0x2000 movs r0, #0
    0x2805, // 0x2002 cmp r0, #5
    0xbfb4, // 0x2004 ite lt
    0x3101, // 0x2006 addlt r1, #1
    0x3201, // 0x2008 addge r2, #1
    0x3001, // 0x200a adds r0, #1
    0xe7f9, // 0x200c b 0x2002
  ]);
  cpu.t = 1;
  cpu.pc = 0x2000;
  return cpu;
}

function a32Core(): Cpu {
  const cpu = core();
  // 0x1000: add r2, r2, #1; 0x1004: mov r3, r2; 0x1008: b 0x1000
  placeA32(cpu, 0x1000, [ADD_R2_1, 0xe1a03002, branch(0x1008, 0x1000)]);
  cpu.pc = 0x1000;
  return cpu;
}

test('two cores interleaved instruction by instruction do not disturb each other (one in a Thumb IT block, the other in A32)', () => {
  const N = 200;
  const soloA = thumbItCore(); soloA.run(N);
  const soloB = a32Core(); soloB.run(N);
  assert.ok(soloA.r[1] === 5 && soloA.r[2] > 0, 'the Thumb core ran its IT blocks');
  assert.equal(soloA.t, 1);
  assert.equal(soloA.mode, MODE_SVC);

  for (const [stepA, stepB] of [[1, 1], [3, 2], [7, 1]]) {
    const a = thumbItCore(), b = a32Core();
    while (a.icount < N || b.icount < N) {
      if (a.icount < N) a.run(Math.min(stepA, N - a.icount));
      if (b.icount < N) b.run(Math.min(stepB, N - b.icount));
    }
    assert.deepEqual(a.snapshot(), soloA.snapshot(), `Thumb core, steps ${stepA}/${stepB}`);
    assert.deepEqual(b.snapshot(), soloB.snapshot(), `A32 core, steps ${stepA}/${stepB}`);
  }
});

test('each core has its own decode cache: a code write on one core does not change what the other executes', () => {
  const a = a32Core(), b = a32Core();
  a.run(6); b.run(6);
  // Rewrite a's loop body (add r2, r2, #1 -> add r2, r2, #2); b keeps its own code.
  a.bus.write32(0x1000, 0xe2822002);
  a.run(3); b.run(3);
  assert.equal(a.r[2], 2 + 2);
  assert.equal(b.r[2], 3);
  assert.notEqual(a.code, b.code);
});

test('an execution hook at the first Thumb instruction after BX from A32 is called once, with the Thumb view of the PC', () => {
  const cpu = core();
  placeA32(cpu, 0x1000, [0xe12fff10]); // bx r0
  placeThumb(cpu, 0x2000, [0x2101, 0x2202]); // movs r1, #1; movs r2, #2
  cpu.pc = 0x1000;
  cpu.r[0] = 0x2001;
  const seen: Array<[number, number, number]> = [];
  cpu.execProbe.at(0x2000, (c) => { seen.push([c.t, c.r[15] >>> 0, c.nextPc]); return false; });
  cpu.run(3);
  assert.deepEqual(seen, [[1, 0x2004, 0x2002]]);
  assert.deepEqual([cpu.icount, cpu.r[1], cpu.r[2]], [3, 1, 2]);
});
