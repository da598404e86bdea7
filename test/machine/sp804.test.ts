import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sp804 } from '../../machine/devices/arm/sp804';
import type { Device } from '../../machine/devices/device';
import { createDevice, roundTrip, type TestContext } from '../support/device-harness';

const LOAD = 0x00, VALUE = 0x04, CTRL = 0x08, INTCLR = 0x0c, RIS = 0x10, MIS = 0x14, BGLOAD = 0x18;
const T2 = 0x20;
const ONESHOT = 0x01, BIT32 = 0x02, DIV16 = 0x04, DIV256 = 0x08, IE = 0x20, PERIODIC = 0x40, ENABLE = 0x80;
const PROPS = { 'clock-hz': 1_000_000 };

const rd = (d: Device, off: number) => d.read(0, off, 4);
const wr = (d: Device, off: number, v: number) => d.write(0, off, 4, v);

function make(name = 'timer01') {
  return createDevice(sp804, PROPS, name);
}

test('sp804: reset values and identification as QEMU 7.2 reports them', () => {
  const { dev, ctx } = make();
  assert.equal(dev.type, 'arm,sp804');
  for (const base of [0, T2]) {
    assert.equal(rd(dev, base + LOAD), 0);
    assert.equal(rd(dev, base + VALUE), 0, 'QEMU reads 0, not 0xffffffff, before the first load');
    assert.equal(rd(dev, base + CTRL), IE);
    assert.equal(rd(dev, base + RIS), 0);
    assert.equal(rd(dev, base + MIS), 0);
    assert.equal(rd(dev, base + BGLOAD), 0);
  }
  const ids = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => rd(dev, o));
  assert.deepEqual(ids, [0x04, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  assert.deepEqual(ctx.errors, []);
  assert.equal(ctx.events.size, 0);
});

test('sp804: a load in free-running mode sets the count to the wrap value, not the load', () => {
  const { dev } = make();
  wr(dev, LOAD, 5000);
  assert.equal(rd(dev, VALUE), 0xffff);
  assert.equal(rd(dev, LOAD), 5000);
  wr(dev, CTRL, BIT32);
  wr(dev, LOAD, 5000);
  assert.equal(rd(dev, VALUE), 0xffffffff);
  wr(dev, CTRL, PERIODIC);
  wr(dev, LOAD, 5000);
  assert.equal(rd(dev, VALUE), 5000);
});

test('sp804: periodic countdown computed from virtual time, one event per period', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 1000);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  assert.equal(ctx.events.size, 1);
  assert.equal(ctx.events.nextTime(), 1_000_000);
  const samples: Array<[number, number]> = [[0, 1000], [1, 999], [1500, 998], [500_000, 500], [999_999, 0]];
  for (const [t, v] of samples) { ctx.advanceTo(t); assert.equal(rd(dev, VALUE), v, `at ${t}`); }
  assert.equal(ctx.irqLevels[0] ?? false, false);
  ctx.advanceTo(1_000_000);
  assert.equal(rd(dev, RIS), 1);
  assert.equal(rd(dev, MIS), 1);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, VALUE), 1000, 'reloaded at expiry');
  wr(dev, INTCLR, 1);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, RIS), 0);
  ctx.advanceTo(3_500_000);
  assert.equal(rd(dev, VALUE), 500, 'periods do not drift');
  assert.deepEqual(ctx.irqLog, [[0, false, 0], [0, true, 1_000_000], [0, false, 1_000_000], [0, true, 2_000_000]]);
  assert.equal(ctx.events.size, 1);
  assert.equal(ctx.events.nextTime(), 4_000_000);
});

test('sp804: one-shot stops at zero with the interrupt raised and control unchanged', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 100);
  wr(dev, CTRL, ENABLE | ONESHOT | IE | BIT32);
  ctx.advanceTo(99_999);
  assert.equal(rd(dev, VALUE), 0);
  assert.equal(rd(dev, RIS), 0);
  ctx.advanceTo(100_000);
  assert.equal(rd(dev, RIS), 1);
  assert.equal(ctx.irqLevels[0], true);
  ctx.advanceTo(10_000_000);
  assert.equal(rd(dev, VALUE), 0);
  assert.equal(rd(dev, CTRL), ENABLE | ONESHOT | IE | BIT32);
  assert.equal(ctx.events.size, 0);
});

test('sp804: MIS and the output follow IE; RIS does not', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 10);
  wr(dev, CTRL, ENABLE | ONESHOT | BIT32);
  ctx.advanceTo(10_000);
  assert.equal(rd(dev, RIS), 1);
  assert.equal(rd(dev, MIS), 0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  wr(dev, CTRL, ONESHOT | BIT32 | IE);
  assert.equal(rd(dev, MIS), 1);
  assert.equal(ctx.irqLevels[0], true);
  wr(dev, CTRL, ONESHOT | BIT32);
  assert.equal(ctx.irqLevels[0], false);
});

test('sp804: QEMU slows repeating timers to one period per 10 us, not one-shots', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 5);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  assert.equal(rd(dev, VALUE), 5);
  ctx.advanceTo(3000);
  assert.equal(rd(dev, VALUE), 3, '2000 ns per count instead of 1000');
  assert.equal(ctx.events.nextTime(), 10_000);
  ctx.advanceTo(10_000);
  assert.equal(rd(dev, RIS), 1);

  const b = make();
  wr(b.dev, T2 + LOAD, 5);
  wr(b.dev, T2 + CTRL, ENABLE | ONESHOT | IE | BIT32);
  assert.equal(b.ctx.events.nextTime(), 5000);
});

test('sp804: prescalers divide the clock by shifting; periods are 64.32 fixed point', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 10);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32 | DIV16);
  assert.equal(ctx.events.nextTime(), 160_000);

  const b = make();
  wr(b.dev, LOAD, 100);
  wr(b.dev, CTRL, ENABLE | PERIODIC | IE | BIT32 | DIV256);
  // 1 MHz >> 8 = 3906 Hz: period 256016 ns plus a 32-bit fraction.
  const frac = ((1_000_000_000n << 32n) / 3906n) & 0xffffffffn;
  const due = 100n * 256016n + ((frac * 100n) >> 32n);
  assert.equal(b.ctx.events.nextTime(), Number(due));
  assert.equal(rd(b.dev, VALUE), 99, 'the scaled division rounds the period up, so the first read is one below');
  b.ctx.advanceTo(Number(due) - 1);
  assert.equal(rd(b.dev, VALUE), 0);
  assert.equal(rd(b.dev, RIS), 0);
  b.ctx.advanceTo(Number(due));
  assert.equal(rd(b.dev, RIS), 1);
  const due2 = due + 100n * 256016n + ((frac * 100n) >> 32n);
  assert.equal(b.ctx.events.nextTime(), Number(due2));
});

test('sp804: free-running wraps at 0xffff or 0xffffffff', () => {
  const { dev, ctx } = make();
  wr(dev, CTRL, ENABLE);
  assert.equal(rd(dev, VALUE), 0xffff);
  assert.equal(ctx.events.nextTime(), 65_535_000);
  ctx.advanceTo(65_535_000);
  assert.equal(rd(dev, RIS), 1);
  assert.equal(rd(dev, VALUE), 0xffff);
  wr(dev, CTRL, ENABLE | BIT32);
  assert.equal(rd(dev, VALUE), 0xffffffff);
  ctx.advanceTo(65_536_000);
  assert.equal(rd(dev, VALUE), 0xfffffffe);
  assert.equal(ctx.events.nextTime(), 65_535_000 + 0xffffffff * 1000);
});

test('sp804: periodic and one-shot modes count from the full 32-bit load in 16-bit mode', () => {
  const { dev } = make();
  wr(dev, LOAD, 0x12345);
  wr(dev, CTRL, ENABLE | PERIODIC | IE);
  assert.equal(rd(dev, VALUE), 0x12345);
});

test('sp804: control writes restart from the limit; disabling freezes the count', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 1000);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  ctx.advanceTo(300_000);
  assert.equal(rd(dev, VALUE), 700);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  assert.equal(rd(dev, VALUE), 1000);
  assert.equal(ctx.events.nextTime(), 1_300_000);
  ctx.advanceTo(600_000);
  wr(dev, CTRL, PERIODIC | IE | BIT32);
  assert.equal(ctx.events.size, 0);
  ctx.advanceTo(900_000);
  assert.equal(rd(dev, VALUE), 700);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  assert.equal(rd(dev, VALUE), 1000);
  ctx.advanceTo(1_900_000);
  assert.equal(rd(dev, RIS), 1);
  assert.deepEqual(ctx.irqLog, [[0, false, 0], [0, true, 1_900_000]]);
});

test('sp804: a load restarts a running timer, a background load takes effect at the next reload', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 1000);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  ctx.advanceTo(500_000);
  wr(dev, BGLOAD, 2000);
  assert.equal(rd(dev, LOAD), 2000);
  assert.equal(rd(dev, VALUE), 500);
  ctx.advanceTo(1_000_000);
  assert.equal(rd(dev, VALUE), 2000);
  assert.equal(ctx.events.nextTime(), 3_000_000);
  ctx.advanceTo(1_500_000);
  wr(dev, LOAD, 300);
  assert.equal(rd(dev, VALUE), 300);
  assert.equal(ctx.events.nextTime(), 1_800_000);
});

test('sp804: a zero load on a running timer raises the interrupt and stops the count', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 100);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  ctx.advanceTo(5000);
  wr(dev, LOAD, 0);
  assert.equal(rd(dev, RIS), 1);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, VALUE), 0);
  assert.equal(rd(dev, CTRL), ENABLE | PERIODIC | IE | BIT32);
  assert.equal(ctx.events.size, 0);
  assert.deepEqual(ctx.errors, ['Timer with delta zero, disabling']);
});

test('sp804: both timers drive the one output (OR)', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 10);
  wr(dev, CTRL, ENABLE | ONESHOT | IE | BIT32);
  wr(dev, T2 + LOAD, 20);
  wr(dev, T2 + CTRL, ENABLE | ONESHOT | IE | BIT32);
  ctx.advanceTo(20_000);
  assert.equal(rd(dev, RIS), 1);
  assert.equal(rd(dev, T2 + RIS), 1);
  wr(dev, INTCLR, 1);
  assert.equal(ctx.irqLevels[0], true, 'timer 2 still asserts');
  wr(dev, T2 + INTCLR, 0);
  assert.equal(ctx.irqLevels[0], false);
  assert.deepEqual(ctx.irqLog, [[0, false, 0], [0, true, 10_000], [0, false, 20_000]]);
});

test('sp804: sub-word accesses use the low bits of the register', () => {
  const { dev } = make();
  wr(dev, LOAD, 0xaabbccdd);
  assert.equal(dev.read(0, 0x01, 1), 0xdd);
  assert.equal(dev.read(0, 0x02, 2), 0xccdd);
  dev.write(0, 0x01, 1, 0x77);
  assert.equal(rd(dev, LOAD), 0x77);
  assert.equal(dev.read(0, 0xfe1, 1), 0x04);
});

test('sp804: unknown and write-only offsets are guest errors and read as zero', () => {
  const { dev, ctx } = make();
  assert.equal(rd(dev, 0x1c), 0);
  assert.equal(rd(dev, INTCLR), 0);
  assert.equal(rd(dev, 0x40), 0);
  assert.equal(rd(dev, 0xf00), 0);
  assert.equal(dev.read(0, 0xffd, 1), 0);
  wr(dev, 0x100, 1);
  wr(dev, VALUE, 1234);
  assert.equal(rd(dev, VALUE), 0, 'value writes are ignored');
  assert.deepEqual(ctx.errors, [
    'read of unknown register at offset 0x1c',
    'read of write-only register Timer1IntClr',
    'read of unknown register at offset 0x40',
    'integration test registers unimplemented',
    'read of unknown register at offset 0xffd',
    'write of unknown register at offset 0x100',
  ]);
});

test('sp804: reset stops both timers and lowers the output', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 10);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  wr(dev, T2 + LOAD, 1000);
  wr(dev, T2 + CTRL, ENABLE | PERIODIC | IE | BIT32);
  ctx.advanceTo(10_000);
  assert.equal(ctx.irqLevels[0], true);
  dev.reset();
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(ctx.events.size, 0);
  for (const base of [0, T2]) {
    assert.equal(rd(dev, base + CTRL), IE);
    assert.equal(rd(dev, base + VALUE), 0);
    assert.equal(rd(dev, base + LOAD), 0);
    assert.equal(rd(dev, base + RIS), 0);
  }
});

test('sp804: the clock-hz property', () => {
  const { dev, ctx } = createDevice(sp804, { 'clock-hz': 32768 });
  wr(dev, LOAD, 32768);
  wr(dev, CTRL, ENABLE | ONESHOT | IE | BIT32);
  // 1e9/32768 = 30517.578125 ns: 30517 ns plus the fraction 0.578125 * 2^32.
  assert.equal(ctx.events.nextTime(), 32768 * 30517 + Math.floor((0.578125 * 2 ** 32 * 32768) / 2 ** 32));
  assert.equal(ctx.events.nextTime(), 1_000_000_000);
  assert.throws(() => createDevice(sp804, { 'clock-hz': 'fast' }), /clock-hz/);
  assert.throws(() => createDevice(sp804, { 'clock-hz': 0 }), /clock-hz/);
});

/** Samples both counters and clears interrupts at fixed times; returns what was seen. */
function exercise(dev: Device, ctx: TestContext, from: number, to: number): string[] {
  const seen: string[] = [];
  for (let t = from; t <= to; t += 123_457) {
    ctx.advanceTo(t);
    seen.push(`${t}: ${rd(dev, VALUE)} ${rd(dev, T2 + VALUE)} ${rd(dev, RIS)}${rd(dev, T2 + RIS)} ${ctx.irqLevels[0]}`);
    if (rd(dev, RIS)) wr(dev, INTCLR, 1);
    if (rd(dev, T2 + RIS) && t % 2) wr(dev, T2 + INTCLR, 1);
  }
  return seen;
}

test('sp804: snapshot -> restore -> snapshot with pending expiry events; the copy runs identically', () => {
  const { dev, ctx } = make();
  wr(dev, LOAD, 1000);
  wr(dev, CTRL, ENABLE | PERIODIC | IE | BIT32);
  wr(dev, T2 + LOAD, 7);
  wr(dev, T2 + CTRL, ENABLE | PERIODIC | IE | BIT32 | DIV256);
  ctx.advanceTo(1_500_000);
  assert.equal(rd(dev, RIS), 1);
  const { a, b } = roundTrip(sp804, dev, PROPS);
  assert.deepEqual(b, a);

  const copy = make();
  copy.ctx.time = ctx.time;
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  assert.deepEqual(copy.dev.snapshot(), dev.snapshot());
  assert.equal(copy.ctx.irqLevels[0], true);
  assert.equal(copy.ctx.events.size, 2);
  const logFrom = ctx.irqLog.length;
  const seenA = exercise(dev, ctx, 1_500_000, 9_000_000);
  const seenB = exercise(copy.dev, copy.ctx, 1_500_000, 9_000_000);
  assert.deepEqual(seenB, seenA);
  assert.deepEqual(copy.ctx.irqLog.slice(1), ctx.irqLog.slice(logFrom));
  assert.deepEqual(copy.dev.snapshot(), dev.snapshot());
});

test('sp804: snapshot of a stopped timer restores without events; bad snapshots are refused', () => {
  const { dev } = make('t');
  wr(dev, LOAD, 77);
  wr(dev, CTRL, PERIODIC | IE);
  const { a, b } = roundTrip(sp804, dev, PROPS);
  assert.deepEqual(b, a);
  const s = dev.snapshot();
  assert.throws(() => dev.restore({ ...s, version: 2 }), /t: snapshot format 2 is not supported/);
  assert.throws(() => dev.restore({ ...s, type: 'arm,pl011' }), /not a arm,sp804/);
  assert.throws(() => dev.restore({ ...s, state: {} }), /t: snapshot lacks field 'timers'/);
});
