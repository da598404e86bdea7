import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, place } from '../support/cpu-harness';
import { MODE_FIQ, MODE_IRQ, MODE_SVC, MODE_UND, MODE_ABT, MODE_USR } from '../../machine/cpu/modes';

const NOP = 0xe320f000;

test('IRQ is taken between instructions with LR = next instruction + 4, IRQs masked, SPSR saved', () => {
  const cpu = makeCpu();
  place(cpu, 0x1000, [NOP, NOP, NOP]);
  cpu.i = 0;
  cpu.c = 1;
  cpu.run(1);
  const before = cpu.cpsr;
  cpu.irqLine = true;
  cpu.run(1); // the interrupt is taken before the next instruction, then one instruction runs at the vector
  assert.equal(cpu.mode, MODE_IRQ);
  assert.equal(cpu.r[14] >>> 0, 0x1004 + 4);
  assert.equal(cpu.currentSpsr(), before);
  assert.equal(cpu.i, 1);
  assert.equal(cpu.a, 1);
  assert.equal(cpu.f, 1, 'F stays as it was (set at reset)');
  assert.equal(cpu.pc, 0x18 + 4);
});

test('FIQ has priority over IRQ and masks both', () => {
  const cpu = makeCpu();
  place(cpu, 0x1000, [NOP, NOP]);
  cpu.i = 0; cpu.f = 0;
  cpu.irqLine = true; cpu.fiqLine = true;
  cpu.run(1);
  assert.equal(cpu.mode, MODE_FIQ);
  assert.equal(cpu.i, 1);
  assert.equal(cpu.f, 1);
  assert.equal(cpu.r[14] >>> 0, 0x1004);
});

test('masked interrupts are not taken', () => {
  const cpu = makeCpu();
  place(cpu, 0x1000, [NOP, NOP]);
  cpu.irqLine = true; cpu.fiqLine = true; // I and F set at reset
  cpu.run(2);
  assert.equal(cpu.mode, MODE_SVC);
  assert.equal(cpu.pc, 0x1008);
});

test('high vectors (SCTLR.V) and VBAR select the vector base', () => {
  const cpu = makeCpu();
  cpu.cp15.vbar = 0x8000;
  place(cpu, 0x1000, [0xe7f000f0]); // udf #0
  cpu.run(1);
  assert.equal(cpu.mode, MODE_UND);
  assert.equal(cpu.pc, 0x8004);
  assert.equal(cpu.r[14] >>> 0, 0x1004);
  cpu.cp15.sctlr |= 1 << 13;
  cpu.changeMode(MODE_SVC);
  place(cpu, 0x1000, [0xef000001]); // svc #1
  cpu.run(1);
  assert.equal(cpu.pc >>> 0, 0xffff0008);
  assert.equal(cpu.r[14] >>> 0, 0x1004);
});

test('a data abort returns to the faulting instruction + 8, a prefetch abort to + 4', () => {
  const cpu = makeCpu();
  cpu.r[1] = 0x7000_0000; // nothing on the bus there
  place(cpu, 0x1000, [0xe5910000]); // ldr r0, [r1]
  cpu.run(1);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.pc, 0x10);
  assert.equal(cpu.r[14] >>> 0, 0x1008);
  const cpu2 = makeCpu();
  cpu2.r[0] = 0x7000_0000;
  place(cpu2, 0x1000, [0xe12fff10]); // bx r0 -> fetch from nowhere
  cpu2.run(2);
  assert.equal(cpu2.mode, MODE_ABT);
  assert.equal(cpu2.pc, 0x0c);
  assert.equal(cpu2.r[14] >>> 0, 0x7000_0004);
  assert.equal(cpu2.cp15.ifar >>> 0, 0x7000_0000);
  assert.equal(cpu2.cp15.ifsr & 0x40f, 0b01000);
});

test('a branch to an odd address enters Thumb state, and a bare CPU executes the Thumb code there', () => {
  const cpu = makeCpu();
  const errors: string[] = [];
  cpu.guestError = (m) => errors.push(m);
  cpu.r[0] = 0x2001;
  place(cpu, 0x1000, [0xe12fff10]); // bx r0
  cpu.bus.write16(0x2000, 0x2105); // movs r1, #5
  cpu.run(2);
  assert.equal(cpu.t, 1);
  assert.equal(cpu.mode, MODE_SVC);
  assert.equal(cpu.r[1], 5);
  assert.equal(cpu.pc, 0x2002);
  assert.deepEqual(errors, []);
});

test('UNPREDICTABLE encodings become UNDEFINED and are reported once', () => {
  const cpu = makeCpu();
  const errors: string[] = [];
  cpu.guestError = (m) => errors.push(m);
  place(cpu, 0x1000, [0xe12fff1f]); // bx pc is fine; use blx pc (UNPREDICTABLE)
  cpu.bus.write32(0x1000, 0xe12fff3f);
  cpu.run(1);
  assert.equal(cpu.mode, MODE_UND);
  assert.match(errors[0], /UNPREDICTABLE/);
});

test('User mode banks: SVC from User saves the User CPSR and switches SP/LR', () => {
  const cpu = makeCpu();
  cpu.r[13] = 0x5000; // SVC sp
  cpu.changeMode(MODE_USR);
  cpu.r[13] = 0x3000; cpu.r[14] = 0x1234;
  place(cpu, 0x1000, [0xef000000]);
  cpu.run(1);
  assert.equal(cpu.mode, MODE_SVC);
  assert.equal(cpu.r[13], 0x5000);
  assert.equal(cpu.currentSpsr() & 0x1f, MODE_USR);
  assert.equal(cpu.userReg(13), 0x3000);
  assert.equal(cpu.userReg(14), 0x1234);
});
