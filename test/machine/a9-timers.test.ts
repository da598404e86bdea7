import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a9PrivateTimer } from '../../machine/devices/arm/a9-private-timer';
import { a9GlobalTimer } from '../../machine/devices/arm/a9-global-timer';
import type { Device, DeviceType } from '../../machine/devices/device';
import { createDevice, roundTrip, TestContext } from '../support/device-harness';

const r = (dev: Device, off: number) => dev.read(0, off, 4);
const w = (dev: Device, off: number, v: number) => dev.write(0, off, 4, v);

// Private timer / watchdog offsets and control bits.
const LOAD = 0x00, COUNTER = 0x04, CONTROL = 0x08, STATUS = 0x0c;
const WD_LOAD = 0x20, WD_COUNTER = 0x24, WD_CONTROL = 0x28, WD_STATUS = 0x2c, WD_RESET = 0x30, WD_DISABLE = 0x34;
const EN = 1, AUTO = 2, IRQ = 4, WDMODE = 8;

// Global timer offsets and control bits.
const GT_LO = 0x00, GT_HI = 0x04, GT_CTRL = 0x08, GT_STATUS = 0x0c, GT_CMP_LO = 0x10, GT_CMP_HI = 0x14, GT_INC = 0x18;
const GT_EN = 1, GT_COMP = 2, GT_IRQ = 4, GT_AUTO = 8;

/** Times (ticks) at which output `line` rose. */
function rises(ctx: TestContext, line: number): number[] {
  return ctx.irqLog.filter(([l, level]) => l === line && level).map(([, , t]) => t);
}

/** A fresh instance restored from `dev`'s snapshot at the same virtual time. */
function clone(type: DeviceType, dev: Device, now: number, props: Record<string, unknown> = {}): { dev: Device; ctx: TestContext } {
  const ctx = new TestContext(dev.name);
  ctx.time = now;
  const copy = type.create(ctx, props);
  copy.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  return { dev: copy, ctx };
}

// ---------------------------------------------------------------- private timer

test('private timer: reset values', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer);
  for (const off of [LOAD, COUNTER, CONTROL, STATUS, WD_LOAD, WD_COUNTER, WD_CONTROL, WD_STATUS, WD_RESET]) {
    assert.equal(r(dev, off), 0, `offset 0x${off.toString(16)}`);
  }
  assert.deepEqual(ctx.errors, []);
  assert.equal(a9PrivateTimer.irqOutputs, 2);
  assert.deepEqual(a9PrivateTimer.regionSizes, [0x100]);
});

test('private timer: auto-reload counts down at 250 MHz, fires every load+1 counts', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer); // 4 ns per count
  w(dev, LOAD, 99);
  assert.equal(r(dev, COUNTER), 99, 'writing Load loads the counter');
  w(dev, CONTROL, EN | AUTO | IRQ);
  ctx.advanceTo(40);
  assert.equal(r(dev, COUNTER), 89);
  ctx.advanceTo(395);
  assert.equal(r(dev, COUNTER), 1);
  assert.equal(r(dev, STATUS), 0);
  ctx.advanceTo(396);
  assert.equal(r(dev, COUNTER), 0);
  assert.equal(r(dev, STATUS), 1);
  assert.equal(ctx.irqLevels[0], true);
  ctx.advanceTo(400);
  assert.equal(r(dev, COUNTER), 99, 'reloaded one count after reaching zero');
  w(dev, STATUS, 1);
  assert.equal(ctx.irqLevels[0], false);
  ctx.advanceTo(1000);
  assert.equal(ctx.irqLevels[0], true, 'the flag stays set until cleared');
  for (let t = 1000; t <= 2000; t += 50) {
    ctx.advanceTo(t);
    if (r(dev, STATUS)) w(dev, STATUS, 1);
  }
  assert.deepEqual(rises(ctx, 0), [396, 796, 1196, 1596, 1996]);
});

test('private timer: single-shot stops at zero; prescaler divides the clock', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer, { 'clock-hz': 100_000_000 }); // 10 ns per count
  w(dev, LOAD, 10);
  w(dev, CONTROL, EN | IRQ | (4 << 8)); // prescaler 4: 50 ns per count
  ctx.advanceTo(120);
  assert.equal(r(dev, COUNTER), 8);
  ctx.advanceTo(10_000);
  assert.equal(r(dev, COUNTER), 0);
  assert.deepEqual(rises(ctx, 0), [500]);
  assert.equal(ctx.events.size, 0, 'nothing left scheduled');
  // Re-enabling at zero in single-shot mode does not fire again.
  w(dev, CONTROL, 0);
  w(dev, STATUS, 1);
  w(dev, CONTROL, EN | IRQ);
  ctx.advanceTo(20_000);
  assert.deepEqual(rises(ctx, 0), [500]);
});

test('private timer: disabling freezes the counter, enabling continues from it', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer);
  w(dev, LOAD, 1000);
  w(dev, CONTROL, EN | AUTO);
  ctx.advanceTo(400);
  w(dev, CONTROL, AUTO);
  ctx.advanceTo(10_000);
  assert.equal(r(dev, COUNTER), 900);
  w(dev, CONTROL, EN | AUTO);
  ctx.advanceTo(10_400);
  assert.equal(r(dev, COUNTER), 800);
  w(dev, COUNTER, 5);
  ctx.advanceTo(10_420);
  assert.equal(r(dev, COUNTER), 0);
  assert.equal(r(dev, STATUS), 1);
  assert.equal(ctx.irqLevels[0] ?? false, false, 'IRQ enable is off: the flag does not reach the output');
  w(dev, CONTROL, EN | AUTO | IRQ);
  assert.equal(ctx.irqLevels[0], true);
});

test('private timer: an auto-reload timer at zero reloads from Load when enabled', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer);
  w(dev, LOAD, 9);
  w(dev, COUNTER, 0);
  w(dev, CONTROL, EN | AUTO | IRQ);
  ctx.advanceTo(100);
  assert.deepEqual(rises(ctx, 0), [36]);
  // Load 0 with prescaler 0 stops after the event instead of firing every count.
  w(dev, STATUS, 1);
  w(dev, LOAD, 0);
  ctx.advanceTo(1000);
  assert.equal(r(dev, COUNTER), 0);
  assert.equal(ctx.events.size, 0);
});

test('watchdog in timer mode raises its own output', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer);
  w(dev, WD_LOAD, 24);
  w(dev, WD_CONTROL, EN | IRQ);
  ctx.advanceTo(200);
  assert.deepEqual(rises(ctx, 1), [96]);
  assert.equal(r(dev, WD_STATUS), 1);
  assert.equal(r(dev, WD_COUNTER), 0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  w(dev, WD_STATUS, 1);
  assert.equal(ctx.irqLevels[1], false);
  assert.equal(ctx.resets, 0);
});

test('watchdog mode: reaching zero resets the machine; the flag survives the reset; disable sequence', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer);
  w(dev, WD_LOAD, 1000);
  w(dev, WD_CONTROL, EN | WDMODE);
  w(dev, WD_CONTROL, EN); // cannot leave watchdog mode this way
  assert.equal(r(dev, WD_CONTROL) & WDMODE, WDMODE);
  ctx.advanceTo(2000);
  w(dev, WD_LOAD, 1000); // kick
  ctx.advanceTo(5000);
  assert.equal(ctx.resets, 0);
  ctx.advanceTo(6004);
  assert.equal(ctx.resets, 1);
  assert.equal(r(dev, WD_RESET), 1);
  assert.equal(r(dev, WD_STATUS), 0, 'no interrupt in watchdog mode');
  dev.reset();
  assert.equal(r(dev, WD_RESET), 1, 'kept across the reset it caused');
  assert.equal(r(dev, WD_CONTROL), 0);
  w(dev, WD_RESET, 1);
  assert.equal(r(dev, WD_RESET), 0);

  w(dev, WD_CONTROL, WDMODE);
  w(dev, WD_DISABLE, 0x12345678);
  w(dev, WD_DISABLE, 0x11111111);
  w(dev, WD_DISABLE, 0x87654321);
  assert.equal(r(dev, WD_CONTROL), WDMODE, 'a broken sequence does nothing');
  w(dev, WD_DISABLE, 0x12345678);
  w(dev, WD_DISABLE, 0x87654321);
  assert.equal(r(dev, WD_CONTROL), 0);
  assert.deepEqual(ctx.errors, []);
});

test('private timer: sub-word accesses and unknown offsets are guest errors', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer);
  dev.read(0, LOAD, 1);
  dev.write(0, LOAD, 2, 5);
  r(dev, 0x40);
  r(dev, WD_DISABLE);
  assert.equal(ctx.errors.length, 4, ctx.errors.join('\n'));
  assert.equal(r(dev, LOAD), 0);
});

test('private timer: snapshot round trip mid-count; the restored timer fires at the same times', () => {
  const { dev, ctx } = createDevice(a9PrivateTimer);
  w(dev, LOAD, 249);
  w(dev, CONTROL, EN | AUTO | IRQ | (1 << 8)); // 8 ns per count, 2000 ns period
  w(dev, WD_LOAD, 700);
  w(dev, WD_CONTROL, EN | IRQ);
  ctx.advanceTo(3333);
  assert.equal(rises(ctx, 0).length, 1);
  const { a, b } = roundTrip(a9PrivateTimer, dev);
  assert.deepEqual(b, a);

  const copy = clone(a9PrivateTimer, dev, 3333);
  const seen = (d: Device, c: TestContext, from: number) => {
    const values: number[] = [];
    for (let t = 3333; t <= 12_000; t += 377) {
      c.advanceTo(t);
      values.push(r(d, COUNTER), r(d, STATUS), r(d, WD_COUNTER), r(d, WD_STATUS));
      if (r(d, STATUS)) w(d, STATUS, 1);
    }
    return { values, rises: [rises(c, 0).filter((x) => x > from), rises(c, 1).filter((x) => x > from)] };
  };
  assert.deepEqual(seen(copy.dev, copy.ctx, 3333), seen(dev, ctx, 3333));
});

test('private timer: restore refuses another version', () => {
  const { dev } = createDevice(a9PrivateTimer);
  assert.throws(() => dev.restore({ ...dev.snapshot(), version: 2 }), /format 2 is not supported/);
  assert.throws(() => dev.restore({ ...dev.snapshot(), type: 'arm,pl310' }), /snapshot is of a arm,pl310/);
});

// ---------------------------------------------------------------- global timer

test('global timer: reset values', () => {
  const { dev, ctx } = createDevice(a9GlobalTimer);
  for (const off of [GT_LO, GT_HI, GT_CTRL, GT_STATUS, GT_CMP_LO, GT_CMP_HI, GT_INC]) assert.equal(r(dev, off), 0);
  assert.deepEqual(ctx.errors, []);
  assert.deepEqual(a9GlobalTimer.regionSizes, [0x20]);
});

test('global timer: counts up at clock / (prescaler + 1) only while enabled', () => {
  const { dev, ctx } = createDevice(a9GlobalTimer); // 250 MHz
  ctx.advanceTo(1000);
  assert.equal(r(dev, GT_LO), 0);
  w(dev, GT_CTRL, GT_EN);
  ctx.advanceTo(2000);
  assert.equal(r(dev, GT_LO), 250);
  w(dev, GT_CTRL, GT_EN | (1 << 8));
  assert.equal(r(dev, GT_CTRL), GT_EN | (1 << 8));
  ctx.advanceTo(3000);
  assert.equal(r(dev, GT_LO), 375);
  w(dev, GT_CTRL, 0);
  ctx.advanceTo(9000);
  assert.equal(r(dev, GT_LO), 375);
});

test('global timer: the counter is 64 bits and writable only while disabled', () => {
  const { dev, ctx } = createDevice(a9GlobalTimer, { 'clock-hz': 1_000_000_000 });
  w(dev, GT_LO, 0xfffffff0);
  w(dev, GT_HI, 7);
  assert.equal(r(dev, GT_LO), 0xfffffff0);
  assert.equal(r(dev, GT_HI), 7);
  w(dev, GT_CTRL, GT_EN);
  ctx.advanceTo(0x20);
  assert.equal(r(dev, GT_LO), 0x10);
  assert.equal(r(dev, GT_HI), 8);
  w(dev, GT_LO, 0);
  assert.equal(ctx.errors.length, 1);
  assert.equal(r(dev, GT_LO), 0x10);
});

test('global timer: comparator event, IRQ and the >= comparison', () => {
  const { dev, ctx } = createDevice(a9GlobalTimer);
  w(dev, GT_CMP_LO, 500);
  w(dev, GT_CTRL, GT_EN | GT_COMP | GT_IRQ);
  ctx.advanceTo(1999);
  assert.equal(r(dev, GT_STATUS), 0);
  ctx.advanceTo(2000);
  assert.equal(r(dev, GT_STATUS), 1);
  assert.deepEqual(rises(ctx, 0), [2000]);
  // The counter is still past the comparator: clearing the flag sets it again.
  w(dev, GT_STATUS, 1);
  assert.equal(r(dev, GT_STATUS), 1);
  // Without the compare enable it stays clear.
  w(dev, GT_CTRL, GT_EN | GT_IRQ);
  w(dev, GT_STATUS, 1);
  assert.equal(r(dev, GT_STATUS), 0);
  assert.equal(ctx.irqLevels[0], false);
  // Comparator in the future with the high word.
  w(dev, GT_CMP_HI, 1);
  w(dev, GT_CTRL, GT_EN | GT_COMP | GT_IRQ);
  assert.equal(r(dev, GT_STATUS), 0);
  assert.equal(ctx.events.nextTime(), 4 * 2 ** 32 + 2000);
});

test('global timer: auto-increment gives periodic events', () => {
  const { dev, ctx } = createDevice(a9GlobalTimer);
  w(dev, GT_CMP_LO, 100);
  w(dev, GT_INC, 250);
  w(dev, GT_CTRL, GT_EN | GT_COMP | GT_IRQ | GT_AUTO);
  for (let t = 0; t <= 4000; t += 100) {
    ctx.advanceTo(t);
    if (r(dev, GT_STATUS)) w(dev, GT_STATUS, 1);
  }
  assert.deepEqual(rises(ctx, 0), [400, 1400, 2400, 3400]);
  assert.equal(r(dev, GT_CMP_LO), 1100);
  // A comparator far behind advances past the counter in whole increments.
  w(dev, GT_CTRL, GT_EN | GT_IRQ | GT_AUTO);
  w(dev, GT_CMP_LO, 10);
  w(dev, GT_CTRL, GT_EN | GT_COMP | GT_IRQ | GT_AUTO); // counter is 1000
  assert.equal(r(dev, GT_CMP_LO), 1010);
});

test('global timer: sub-word accesses and unknown offsets are guest errors', () => {
  const { dev, ctx } = createDevice(a9GlobalTimer);
  dev.read(0, GT_LO, 2);
  dev.write(0, GT_CTRL, 1, 1);
  r(dev, 0x1c);
  assert.equal(ctx.errors.length, 3);
  assert.equal(r(dev, GT_CTRL), 0);
});

test('global timer: snapshot round trip with a pending comparator event', () => {
  const { dev, ctx } = createDevice(a9GlobalTimer);
  w(dev, GT_CMP_LO, 0xfffffff0);
  w(dev, GT_CMP_HI, 0);
  w(dev, GT_INC, 1000);
  w(dev, GT_CTRL, GT_EN | GT_COMP | GT_IRQ | GT_AUTO | (2 << 8));
  ctx.advanceTo(123_456);
  const { a, b } = roundTrip(a9GlobalTimer, dev);
  assert.deepEqual(b, a);
  assert.ok((a as { state: { eventDue: number } }).state.eventDue > 123_456);

  // Bring the comparator near, then compare the two instances over time.
  w(dev, GT_CTRL, GT_EN | GT_IRQ | GT_AUTO | (2 << 8));
  w(dev, GT_CMP_LO, 10_400);
  w(dev, GT_CTRL, GT_EN | GT_COMP | GT_IRQ | GT_AUTO | (2 << 8));
  const copy = clone(a9GlobalTimer, dev, 123_456);
  const seen = (d: Device, c: TestContext) => {
    const out: number[] = [];
    for (let t = 123_456; t < 200_000; t += 999) {
      c.advanceTo(t);
      out.push(r(d, GT_LO), r(d, GT_STATUS), r(d, GT_CMP_LO));
      if (r(d, GT_STATUS)) w(d, GT_STATUS, 1);
    }
    return { out, rises: rises(c, 0).filter((x) => x > 123_456) };
  };
  const original = seen(dev, ctx);
  assert.ok(original.rises.length > 5);
  assert.deepEqual(seen(copy.dev, copy.ctx), original);
});

test('global timer: restore refuses another version', () => {
  const { dev } = createDevice(a9GlobalTimer);
  assert.throws(() => dev.restore({ ...dev.snapshot(), version: 0 }), /format 0 is not supported/);
});
