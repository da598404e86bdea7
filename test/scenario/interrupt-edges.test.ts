import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Machine } from '../../machine/machine';
import { createMachine } from '../../scenario/boards';
import { watchDeviceEdges, schedulePulseTrain } from '../../scenario/run/interrupts';

const TIMER01 = 0x10011000;

/** vexpress-a9 spinning at `b .` in DRAM. */
function spinning(): Machine {
  const m = createMachine('vexpress-a9');
  m.bus.write32(0x60001000, 0xeafffffe);
  m.cpu.pc = 0x60001000;
  return m;
}

/** timer01 (wired to gic:34) as a one-shot with its interrupt enabled, expiring after `load` us. */
function startOneShot(m: Machine, load: number): void {
  m.bus.write32(TIMER01 + 0x00, load);
  m.bus.write32(TIMER01 + 0x08, 0x80 | 0x20 | 0x02 | 0x01);
}

test('watching a controller\'s device edges leaves its setInput untouched (nothing is replaced)', () => {
  const m = spinning();
  const gic = m.device('gic');
  const before = gic.setInput;
  watchDeviceEdges(m, 'gic', 34, () => {});
  assert.equal(Object.prototype.hasOwnProperty.call(gic, 'setInput'), false);
  assert.equal(gic.setInput, before);
});

test('device edges are told with the device that drove them; irq-line entries of the input log on the same line are not', () => {
  const m = spinning();
  const edges: string[] = [];
  watchDeviceEdges(m, 'gic', 34, (device) => edges.push(`${device}@${m.cpu.icount}`));
  // A storm pulse on the same line first: input-log entries, not device edges.
  schedulePulseTrain(m, 'gic', 34, { start: 10, period: 20, count: 1, width: 5 }, 'test storm');
  m.run(100);
  assert.equal(m.injected.length, 2);
  assert.deepEqual(edges, []);
  startOneShot(m, 2);
  m.run(10_000);
  assert.equal(edges.length, 1);
  assert.match(edges[0], /^timer01@\d+$/);
  // A falling edge is not reported; the next rising one is.
  m.bus.write32(TIMER01 + 0x0c, 1);
  startOneShot(m, 2);
  m.run(10_000);
  assert.equal(edges.length, 2);
});

test('watching device edges stops when unwatched, and other lines are not reported', () => {
  const m = spinning();
  const on34: string[] = [], on35: string[] = [];
  const off = watchDeviceEdges(m, 'gic', 34, (d) => on34.push(d));
  watchDeviceEdges(m, 'gic', 35, (d) => on35.push(d));
  off();
  startOneShot(m, 2);
  m.run(10_000);
  assert.deepEqual(on34, []);
  assert.deepEqual(on35, []);
});

test('watching edges of a device that is not an interrupt controller is refused with its name', () => {
  const m = spinning();
  assert.throws(() => watchDeviceEdges(m, 'uart0', 1, () => {}), /device 'uart0' has no interrupt inputs/);
});
