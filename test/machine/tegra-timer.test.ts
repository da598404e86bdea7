import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tegraTimer } from '../../machine/devices/tegra/timer';
import { createDevice, roundTrip, type TestContext } from '../support/device-harness';
import type { Device } from '../../machine/devices/device';

const US = 1000; // ticks per microsecond
const EN = 0x8000_0000, PER = 0x4000_0000, INTR = 0x4000_0000;
const PTV = [0x00, 0x08, 0x50, 0x58];
const CNTR_1US = 0x10, USEC_CFG = 0x14, FREEZE = 0x4c;

const rd = (dev: Device, off: number) => dev.read(0, off, 4);
const wr = (dev: Device, off: number, v: number) => dev.write(0, off, 4, v);

test('reset values and type', () => {
  const { dev } = createDevice(tegraTimer);
  for (const p of PTV) {
    assert.equal(rd(dev, p), 0);
    assert.equal(rd(dev, p + 4), 0);
  }
  assert.equal(rd(dev, USEC_CFG), 0x0c);
  assert.equal(rd(dev, FREEZE), 0);
  assert.equal(tegraTimer.type, 'nvidia,tegra20-timer');
  assert.equal(tegraTimer.irqOutputs, 4);
  assert.deepEqual(tegraTimer.regionSizes, [0x60]);
});

test('CNTR_1US counts microseconds of virtual time and wraps at 32 bits', () => {
  const { dev, ctx } = createDevice(tegraTimer);
  assert.equal(rd(dev, CNTR_1US), 0);
  ctx.advanceTo(999);
  assert.equal(rd(dev, CNTR_1US), 0);
  ctx.advanceTo(1000);
  assert.equal(rd(dev, CNTR_1US), 1);
  ctx.advanceTo(123_456_789);
  assert.equal(rd(dev, CNTR_1US), 123_456);
  ctx.advanceTo((2 ** 32 + 5) * US + 10);
  assert.equal(rd(dev, CNTR_1US), 5);
  wr(dev, CNTR_1US, 0);
  assert.equal(ctx.errors.length, 1, 'writing the read-only counter is a guest error');
});

test('one-shot: counts down, interrupts after value+1 µs, disables itself, PCR bit 30 acknowledges', () => {
  const { dev, ctx } = createDevice(tegraTimer);
  ctx.advanceTo(5000);
  wr(dev, PTV[0], EN | 99);
  assert.equal(rd(dev, PTV[0] + 4), 99);
  ctx.advanceTo(5000 + 10 * US + 500);
  assert.equal(rd(dev, PTV[0] + 4), 89);
  ctx.advanceTo(5000 + 100 * US - 1);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  ctx.advanceTo(5000 + 100 * US);
  assert.equal(ctx.irqLevels[0], true);
  assert.deepEqual(ctx.irqLog, [[0, true, 105_000]]);
  assert.equal(rd(dev, PTV[0]), 99, 'enable bit cleared');
  assert.equal(rd(dev, PTV[0] + 4), INTR);
  ctx.advanceTo(1_000_000);
  assert.equal(ctx.irqLevels[0], true, 'level held until acknowledged');
  wr(dev, PTV[0] + 4, INTR);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, PTV[0] + 4), 0);
  assert.equal(ctx.events.size, 0);
});

test('periodic: interrupts every value+1 µs; count wraps; each timer has its own line', () => {
  const { dev, ctx } = createDevice(tegraTimer);
  wr(dev, PTV[2], EN | PER | 9); // TMR3: 10 µs
  const fired: number[] = [];
  for (let t = 0; t <= 35 * US; t += US) {
    ctx.advanceTo(t);
    if (ctx.irqLevels[2]) { fired.push(t); wr(dev, PTV[2] + 4, INTR); }
  }
  assert.deepEqual(fired, [10 * US, 20 * US, 30 * US]);
  ctx.advanceTo(33 * US);
  assert.equal(rd(dev, PTV[2] + 4) & 0x1fffffff, 6);
  assert.equal(rd(dev, PTV[2]), (EN | PER | 9) >>> 0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  assert.equal(ctx.irqLevels[3] ?? false, false);
  // Disabling stops it and freezes the count.
  wr(dev, PTV[2], PER | 9);
  assert.equal(rd(dev, PTV[2] + 4), 6);
  ctx.advanceTo(100 * US);
  assert.equal(ctx.irqLevels[2], false);
  assert.equal(ctx.events.size, 0);
});

test('rewriting PTV restarts the count; the pending interrupt stays until acknowledged', () => {
  const { dev, ctx } = createDevice(tegraTimer);
  wr(dev, PTV[1], EN | 49);
  ctx.advanceTo(30 * US);
  wr(dev, PTV[1], EN | 49);
  ctx.advanceTo(79 * US);
  assert.equal(ctx.irqLevels[1] ?? false, false);
  ctx.advanceTo(80 * US);
  assert.equal(ctx.irqLevels[1], true);
  wr(dev, PTV[1], EN | 9);
  assert.equal(ctx.irqLevels[1], true);
  wr(dev, PTV[1] + 4, INTR);
  ctx.advanceTo(90 * US);
  assert.equal(ctx.irqLevels[1], true);
});

test('snapshot round trip with pending expiries; restored device behaves identically', () => {
  const { dev, ctx } = createDevice(tegraTimer);
  const idle = roundTrip(tegraTimer, dev);
  assert.deepEqual(idle.a, idle.b);

  wr(dev, PTV[0], EN | PER | 999); // 1 ms periodic
  wr(dev, PTV[3], EN | 2_499); // 2.5 ms one-shot
  wr(dev, USEC_CFG, 0x0b);
  ctx.advanceTo(1_700_000);
  const { a, b } = roundTrip(tegraTimer, dev);
  assert.deepEqual(a, b);

  const copy = createDevice(tegraTimer);
  copy.ctx.time = ctx.time;
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  assert.equal(copy.ctx.irqLevels[0], true, 'pending interrupt restored');
  const trace = (d: Device, c: TestContext) => {
    const out: Array<[number, number, number, number]> = [];
    for (let t = 1_700_000; t <= 5_000_000; t += 100_000) {
      c.advanceTo(t);
      out.push([t, rd(d, PTV[0] + 4), rd(d, PTV[3] + 4), rd(d, CNTR_1US)]);
      if (c.irqLevels[0]) wr(d, PTV[0] + 4, INTR);
    }
    return { out, log: c.irqLog.filter((e) => e[2] > 1_700_000) };
  };
  assert.deepEqual(trace(copy.dev, copy.ctx), trace(dev, ctx));
  assert.equal(rd(dev, PTV[3]), 2_499, 'one-shot expired');
});

test('reset cancels timers and drops interrupts', () => {
  const { dev, ctx } = createDevice(tegraTimer);
  wr(dev, PTV[0], EN | 0);
  ctx.advanceTo(US);
  assert.equal(ctx.irqLevels[0], true);
  wr(dev, PTV[1], EN | 100);
  dev.reset();
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(ctx.events.size, 0);
  assert.equal(rd(dev, PTV[1]), 0);
});

test('restore refuses another version', () => {
  const { dev } = createDevice(tegraTimer);
  assert.throws(() => dev.restore({ ...dev.snapshot(), version: 2 }), /format 2/);
});
