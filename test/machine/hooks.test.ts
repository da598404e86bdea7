import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, place } from '../support/cpu-harness';
import { MODE_ABT } from '../../machine/cpu/modes';
import { FS_PERMISSION_PAGE, FS_TRANSLATION_SECTION } from '../../machine/cpu/faults';

// 0x1000: mov r0, #0; bl 0x1010; add r0, r0, #100; b .
// 0x1010 (callee): add r0, r0, #1; bx lr
const PROGRAM = [0xe3a00000, 0xeb000001, 0xe2800064, 0xeafffffe, 0xe2800001, 0xe12fff1e];

test('an execution hook can skip a call: the callee returns at once', () => {
  const cpu = makeCpu();
  place(cpu, 0x1000, PROGRAM);
  let calls = 0;
  cpu.execProbe.at(0x1010, (c) => { calls++; c.nextPc = c.r[14] >>> 0; return true; });
  cpu.run(6);
  assert.equal(calls, 1);
  assert.equal(cpu.r[0], 100, 'the callee body never ran');
});

test('an execution hook that returns false lets the instruction run', () => {
  const cpu = makeCpu();
  place(cpu, 0x1000, PROGRAM);
  const seen: number[] = [];
  cpu.execProbe.at(0x1010, (c) => { seen.push(c.icount); return false; });
  cpu.run(7);
  assert.equal(cpu.r[0], 101);
  assert.deepEqual(seen, [3]);
});

test('an execution hook can inject a prefetch abort at that instruction', () => {
  const cpu = makeCpu();
  place(cpu, 0x1000, PROGRAM);
  cpu.execProbe.at(0x1010, (c) => c.injectPrefetchAbort(0x1010, FS_TRANSLATION_SECTION));
  cpu.run(3);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.pc, 0x0c);
  assert.equal(cpu.r[14] >>> 0, 0x1014);
  assert.equal(cpu.cp15.ifsr, FS_TRANSLATION_SECTION);
  assert.equal(cpu.cp15.ifar, 0x1010);
});

test('an access watcher can inject a data abort on the Nth access to a range', () => {
  const cpu = makeCpu();
  // ldr r1, [r2]; ldr r1, [r2]; ldr r1, [r2]
  place(cpu, 0x1000, [0xe5921000, 0xe5921000, 0xe5921000]);
  cpu.r[2] = 0x8000;
  cpu.bus.write32(0x8000, 0x1234);
  let n = 0;
  cpu.accessProbe.watch(0x8000, 0x8fff, (va, write) => { if (++n === 2) cpu.injectDataAbort(va, FS_PERMISSION_PAGE, write); });
  cpu.run(2);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.r[14] >>> 0, 0x1004 + 8);
  assert.equal(cpu.cp15.dfar, 0x8000);
  assert.equal(cpu.cp15.dfsr & 0x40f, FS_PERMISSION_PAGE);
  assert.equal(cpu.r[1], 0x1234, 'the first load completed');
});
