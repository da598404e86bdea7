import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tegraCar, pllDividers } from '../../machine/devices/tegra/car';
import { tegraPmc } from '../../machine/devices/tegra/pmc';
import { tegraApbMisc } from '../../machine/devices/tegra/apbmisc';
import { tegraFlow } from '../../machine/devices/tegra/flow';
import { tegraEvp, TegraEvp } from '../../machine/devices/tegra/evp';
import { tegraFuse } from '../../machine/devices/tegra/fuse';
import { tegraRtc } from '../../machine/devices/tegra/rtc';
import { createDevice, roundTrip } from '../support/device-harness';
import type { Device, DeviceProps, DeviceType } from '../../machine/devices/device';

const rd = (dev: Device, off: number, size = 4) => dev.read(0, off, size);
const wr = (dev: Device, off: number, v: number, size = 4) => dev.write(0, off, size, v);

function assertRoundTrip(type: DeviceType, dev: Device, props: DeviceProps = {}) {
  const { a, b } = roundTrip(type, dev, props);
  assert.deepEqual(a, b);
}

// ---- CAR ----

/** PLL output rate as Linux computes it for Tegra20 (parent / M * N >> P). */
function pllRate(base: number, parent: number): number {
  const m = base & 0x1f, n = (base >>> 8) & 0x3ff, p = (base >>> 20) & 7;
  assert.notEqual(m, 0, 'DIVM must never be 0');
  return (parent / m) * n / (1 << p);
}

test('CAR: PLLs enabled and locked with the expected rates from 12 MHz', () => {
  const { dev } = createDevice(tegraCar);
  const osc = 12e6;
  const rates: Array<[number, number]> = [[0x080, 600e6], [0x090, 666e6], [0x0a0, 216e6], [0x0e0, 1000e6], [0x0c0, 480e6]];
  for (const [off, rate] of rates) {
    const v = rd(dev, off);
    assert.equal(v & (1 << 30), 1 << 30, `PLL at 0x${off.toString(16)} enabled`);
    assert.equal(v & (1 << 27), 1 << 27, 'LOCK set');
    assert.equal(pllRate(v, osc), rate);
  }
  assert.equal(rd(dev, 0x0a0) & (1 << 28), 1 << 28, 'PLLP BASE_OVERRIDE');
  assert.equal(pllRate(rd(dev, 0x0b0), 28.8e6), 56.448e6);
  assert.notEqual(rd(dev, 0x0d0) & 0x1f, 0, 'PLLD (off) still has a divider');
  assert.equal(rd(dev, 0x0d0) & (1 << 27), 0, 'no LOCK while disabled');
  assert.equal(rd(dev, 0x050) >>> 30, 2, 'OSC_FREQ = 12 MHz');
  assert.equal(rd(dev, 0x050) & (3 << 28), 0, 'PLL_REF_DIV = 0');
  assert.equal(rd(dev, 0x05c), 732);
  assert.equal(rd(dev, 0x020), 0x2000_8888);
  assert.equal(rd(dev, 0x178), 0, 'UARTA from PLLP');
  assert.equal(rd(dev, 0x340), 0x2222, 'CPU1 held in reset');
});

test('CAR: osc-hz picks OSC_FREQ and dividers; other frequencies are refused', () => {
  for (const [hz, code] of [[13e6, 0], [19.2e6, 1], [26e6, 3]]) {
    const { dev } = createDevice(tegraCar, { 'osc-hz': hz });
    assert.equal(rd(dev, 0x050) >>> 30, code);
    assert.equal(pllRate(rd(dev, 0x080), hz), 600e6);
    assert.equal(pllRate(rd(dev, 0x0e0), hz), 1000e6);
    assert.equal(pllRate(rd(dev, 0x0a0), hz), 216e6);
    assert.equal(pllRate(rd(dev, 0x090), hz), 666e6);
  }
  assert.deepEqual(pllDividers(12e6, 216e6), { m: 12, n: 216 });
  assert.throws(() => createDevice(tegraCar, { 'osc-hz': 10e6 }), /osc-hz/);
});

test('CAR: LOCK follows ENABLE; PLLE lock lives in MISC', () => {
  const { dev } = createDevice(tegraCar);
  const v = rd(dev, 0x0e0);
  wr(dev, 0x0e0, v & ~(1 << 30));
  assert.equal(rd(dev, 0x0e0) & (1 << 27), 0);
  wr(dev, 0x0e0, (v & ~(1 << 27)) | (1 << 30));
  assert.equal(rd(dev, 0x0e0) & (1 << 27), 1 << 27);
  assert.equal(rd(dev, 0x0ec) & (1 << 11), 0);
  wr(dev, 0x0e8, rd(dev, 0x0e8) | 0x8000_0000);
  assert.equal(rd(dev, 0x0ec) & 0x8800, 0x8800);
});

test('CAR: SET/CLR aliases modify the base registers and read back the base', () => {
  const { dev } = createDevice(tegraCar);
  const uartdBit = 1 << 1;
  const rstU = rd(dev, 0x00c);
  wr(dev, 0x310, 1 << 3);
  assert.equal(rd(dev, 0x00c), (rstU | (1 << 3)) >>> 0);
  wr(dev, 0x314, (1 << 3) | uartdBit);
  assert.equal(rd(dev, 0x00c), (rstU & ~(1 << 3) & ~uartdBit) >>> 0);
  assert.equal(rd(dev, 0x314), rd(dev, 0x00c));
  wr(dev, 0x324, 1 << 6);
  assert.equal(rd(dev, 0x010) & (1 << 6), 0);
  wr(dev, 0x320, 1 << 6);
  assert.equal(rd(dev, 0x010) & (1 << 6), 1 << 6);
  wr(dev, 0x328, 1 << 23);
  assert.equal(rd(dev, 0x014) & (1 << 23), 1 << 23);
  // CPU1 release sequence: clear its reset bits.
  wr(dev, 0x344, 0x1111 << 1);
  assert.equal(rd(dev, 0x340), 0);
  wr(dev, 0x340, 0x1111 << 1);
  assert.equal(rd(dev, 0x344), 0x2222);
  // A byte write to a SET alias sets only bits of that lane.
  wr(dev, 0x320 + 1, 0x02, 1);
  assert.equal(rd(dev, 0x010) & (1 << 9), 1 << 9);
});

test('CAR: SWR_TRIG_SYS_RST requests a machine reset', () => {
  const { dev, ctx } = createDevice(tegraCar);
  wr(dev, 0x004, rd(dev, 0x004));
  assert.equal(ctx.resets, 0);
  wr(dev, 0x300, 1 << 2);
  assert.equal(ctx.resets, 1);
  assert.equal(rd(dev, 0x004) & 4, 0);
  wr(dev, 0x004, rd(dev, 0x004) | 4);
  assert.equal(ctx.resets, 2);
});

test('CAR: unnamed offsets are storage, logged once each', () => {
  const { dev, ctx } = createDevice(tegraCar);
  wr(dev, 0x3f0, 0x1234_5678);
  assert.equal(rd(dev, 0x3f0), 0x1234_5678);
  assert.equal(rd(dev, 0x3f1, 1), 0x56);
  wr(dev, 0x3f2, 0xab, 1);
  assert.equal(rd(dev, 0x3f0), 0x12ab_5678);
  assert.equal(ctx.errors.length, 1);
  wr(dev, 0x130, 1);
  assert.equal(ctx.errors.length, 2);
  assertRoundTrip(tegraCar, dev);
  dev.reset();
  assert.equal(rd(dev, 0x3f0), 0);
});

test('CAR: snapshot round trip after changes', () => {
  const { dev } = createDevice(tegraCar);
  assertRoundTrip(tegraCar, dev);
  wr(dev, 0x320, 0xffff);
  wr(dev, 0x1c0, 0x4000_0000);
  wr(dev, 0x344, 0x2222);
  assertRoundTrip(tegraCar, dev);
  assert.throws(() => dev.restore({ ...dev.snapshot(), version: 7 }), /format 7/);
});

// ---- PMC ----

test('PMC: power-gate toggles flip PWRGATE_STATUS; START reads back clear', () => {
  const { dev } = createDevice(tegraPmc);
  assert.equal(rd(dev, 0x38), 0x21);
  wr(dev, 0x30, 0x100 | 3); // PCIE on
  assert.equal(rd(dev, 0x38), 0x29);
  assert.equal(rd(dev, 0x30), 3);
  wr(dev, 0x30, 0x100 | 3);
  assert.equal(rd(dev, 0x38), 0x21);
  wr(dev, 0x30, 1); // without START: nothing happens
  assert.equal(rd(dev, 0x38), 0x21);
  wr(dev, 0x34, 1 << 1);
  assert.equal(rd(dev, 0x34), 2);
});

test('PMC: MAIN_RST resets the machine; scratch survives that reset only', () => {
  const { dev, ctx } = createDevice(tegraPmc);
  wr(dev, 0x50, 0x7761_7270);
  wr(dev, 0xa0, 0x55);
  wr(dev, 0x144, 0x66); // SCRATCH42
  wr(dev, 0x1c, 0x1234);
  wr(dev, 0x00, 1 << 4);
  assert.equal(ctx.resets, 1);
  assert.equal(rd(dev, 0x00) & 0x10, 0);
  assertRoundTrip(tegraPmc, dev);
  dev.reset();
  assert.equal(rd(dev, 0x50), 0x7761_7270);
  assert.equal(rd(dev, 0xa0), 0x55);
  assert.equal(rd(dev, 0x144), 0x66);
  assert.equal(rd(dev, 0x1c), 0);
  dev.reset();
  assert.equal(rd(dev, 0x50), 0);
  assert.equal(ctx.errors.length, 0);
});

test('PMC: unknown offsets logged; snapshot round trip', () => {
  const { dev, ctx } = createDevice(tegraPmc);
  rd(dev, 0x300);
  assert.equal(ctx.errors.length, 1);
  wr(dev, 0x30, 0x104);
  wr(dev, 0xf8, 0xabc);
  assertRoundTrip(tegraPmc, dev);
});

// ---- APB_MISC ----

test('APB_MISC: HIDREV and strapping from props, read-only', () => {
  const { dev, ctx } = createDevice(tegraApbMisc);
  assert.equal(rd(dev, 0x804), 0x0004_2017);
  assert.equal((rd(dev, 0x804) >>> 8) & 0xff, 0x20);
  assert.equal(rd(dev, 0x008), 0);
  wr(dev, 0x804, 0);
  assert.equal(rd(dev, 0x804), 0x0004_2017);
  assert.equal(ctx.errors.length, 1);
  const other = createDevice(tegraApbMisc, { hidrev: 0x2000, 'strapping-opt-a': 0x8000_0000 }).dev;
  assert.equal(rd(other, 0x804), 0x2000);
  assert.equal(rd(other, 0x008), 0x8000_0000);
});

test('APB_MISC: pinmux and pad control are silent storage; other offsets logged storage', () => {
  const { dev, ctx } = createDevice(tegraApbMisc);
  for (const off of [0x014, 0x020, 0x024, 0x080, 0x098, 0x0a0, 0x0b0, 0x868, 0x90c]) {
    wr(dev, off, 0xa5a5_0000 | off);
    assert.equal(rd(dev, off), (0xa5a5_0000 | off) >>> 0);
  }
  assert.equal(ctx.errors.length, 0);
  wr(dev, 0xc00, 0x77);
  assert.equal(rd(dev, 0xc00), 0x77);
  assert.equal(ctx.errors.length, 1);
  assertRoundTrip(tegraApbMisc, dev);
});

// ---- Flow controller ----

test('flow: registers rw; CSR bits 14/15 write-1-to-clear', () => {
  const { dev } = createDevice(tegraFlow);
  const flow = dev as unknown as { setFlag(o: number, b: 14 | 15): void };
  for (const off of [0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18]) assert.equal(rd(dev, off), 0);
  wr(dev, 0x14, 0x4000_0000);
  assert.equal(rd(dev, 0x14), 0x4000_0000);
  wr(dev, 0x18, 0x1 | 0xc000);
  assert.equal(rd(dev, 0x18), 0x1, 'writing 1 to the flags does not set them');
  flow.setFlag(0x18, 14);
  flow.setFlag(0x18, 15);
  assert.equal(rd(dev, 0x18), 0xc001);
  wr(dev, 0x18, 0x4001);
  assert.equal(rd(dev, 0x18), 0x8001);
  wr(dev, 0x19, 0x80, 1);
  assert.equal(rd(dev, 0x18), 0x0001);
  flow.setFlag(0x08, 15);
  assertRoundTrip(tegraFlow, dev);
});

// ---- EVP ----

test('EVP: vectors rw, CPU reset vector from prop', () => {
  const { dev } = createDevice(tegraEvp, { 'reset-vector': 0xfff0_0000 });
  assert.equal(rd(dev, 0x100), 0xfff0_0000);
  assert.equal(rd(dev, 0x000), 0);
  wr(dev, 0x100, 0x4000_0000);
  assert.equal((dev as TegraEvp).cpuResetVector(), 0x4000_0000);
  wr(dev, 0x1fc, 7);
  assert.equal(rd(dev, 0x1fc), 7);
  assertRoundTrip(tegraEvp, dev, { 'reset-vector': 0xfff0_0000 });
  dev.reset();
  assert.equal(rd(dev, 0x100), 0xfff0_0000);
  const plain = createDevice(tegraEvp);
  assert.equal(rd(plain.dev, 0x100), 0);
  rd(plain.dev, 0x200);
  assert.equal(plain.ctx.errors.length, 1);
});

// ---- Fuse ----

test('fuse: words read zero by default, props set them, writes are ignored', () => {
  const { dev, ctx } = createDevice(tegraFuse);
  for (let off = 0x100; off < 0x400; off += 4) assert.equal(rd(dev, off), 0);
  wr(dev, 0x110, 5);
  wr(dev, 0x114, 5);
  assert.equal(rd(dev, 0x110), 0);
  assert.equal(ctx.errors.length, 1, 'logged once');
  const props = { 'sku-info': 0x08, 'uid-low': 0x1234_5678, 'word-0x200': 1 };
  const f = createDevice(tegraFuse, props).dev;
  assert.equal(rd(f, 0x110), 8);
  assert.equal(rd(f, 0x108), 0x1234_5678);
  assert.equal(rd(f, 0x109, 1), 0x56);
  assert.equal(rd(f, 0x200), 1);
  assert.throws(() => createDevice(tegraFuse, { 'word-0x50': 1 }), /word-0x50/);
});

test('fuse: control registers rw; snapshot round trip', () => {
  const { dev, ctx } = createDevice(tegraFuse);
  wr(dev, 0x000, 0x3);
  wr(dev, 0x034, 1);
  assert.equal(rd(dev, 0x000), 3);
  assert.equal(rd(dev, 0x034), 1);
  assert.equal(ctx.errors.length, 0);
  rd(dev, 0x080);
  assert.equal(ctx.errors.length, 1);
  assertRoundTrip(tegraFuse, dev);
});

// ---- RTC ----

const S = 1_000_000_000;

test('RTC: seconds from epoch plus virtual time; milliseconds latch the shadow', () => {
  const { dev, ctx } = createDevice(tegraRtc, { 'epoch-seconds': 1_000_000 });
  assert.equal(rd(dev, 0x04), 0, 'never busy');
  assert.equal(rd(dev, 0x08), 1_000_000);
  ctx.advanceTo(2 * S + 345_678_900);
  assert.equal(rd(dev, 0x08), 1_000_002);
  assert.equal(rd(dev, 0x0c), 0, 'shadow not yet latched');
  assert.equal(rd(dev, 0x10), 345);
  assert.equal(rd(dev, 0x0c), 1_000_002);
  ctx.advanceTo(5 * S);
  assert.equal(rd(dev, 0x0c), 1_000_002, 'shadow holds until the next milliseconds read');
  wr(dev, 0x08, 500);
  ctx.advanceTo(6 * S + 1_500_000);
  assert.equal(rd(dev, 0x08), 501);
  assert.equal(rd(dev, 0x10), 1);
});

test('RTC: alarm 0 fires when the seconds reach it; status w1c; mask gates the line', () => {
  const { dev, ctx } = createDevice(tegraRtc, { 'epoch-seconds': 100 });
  ctx.advanceTo(S / 2);
  wr(dev, 0x14, 103);
  wr(dev, 0x28, 1);
  ctx.advanceTo(3 * S - 1);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  ctx.advanceTo(3 * S);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, 0x2c), 1);
  assert.equal(rd(dev, 0x30), 1);
  wr(dev, 0x28, 0);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, 0x30), 0);
  wr(dev, 0x28, 1);
  wr(dev, 0x2c, 1);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, 0x2c), 0);
  wr(dev, 0x34, 2);
  assert.equal(rd(dev, 0x2c), 2);
  assert.equal(ctx.irqLevels[0], false, 'alarm 1 masked');
});

test('RTC: alarm value 0 is disabled; setting the time re-arms alarms', () => {
  const { dev, ctx } = createDevice(tegraRtc);
  wr(dev, 0x28, 3);
  wr(dev, 0x14, 0);
  assert.equal(ctx.events.size, 0);
  wr(dev, 0x18, 50);
  wr(dev, 0x08, 48);
  ctx.advanceTo(2 * S);
  assert.equal(rd(dev, 0x2c), 2);
  assert.equal(ctx.irqLevels[0], true);
});

test('RTC: snapshot round trip with a pending alarm; restored device fires identically', () => {
  const { dev, ctx } = createDevice(tegraRtc, { 'epoch-seconds': 7 });
  const idle = roundTrip(tegraRtc, dev, { 'epoch-seconds': 7 });
  assert.deepEqual(idle.a, idle.b);
  ctx.advanceTo(1.25 * S);
  wr(dev, 0x08, 1000);
  ctx.advanceTo(1.5 * S);
  wr(dev, 0x14, 1003);
  wr(dev, 0x28, 1);
  rd(dev, 0x10);
  const { a, b } = roundTrip(tegraRtc, dev, { 'epoch-seconds': 7 });
  assert.deepEqual(a, b);
  const copy = createDevice(tegraRtc, { 'epoch-seconds': 7 });
  copy.ctx.time = ctx.time;
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  for (const c of [ctx, copy.ctx]) c.advanceTo(5 * S);
  const after = (log: Array<[number, boolean, number]>) => log.filter((e) => e[2] > 1.5 * S);
  assert.deepEqual(after(copy.ctx.irqLog), after(ctx.irqLog));
  assert.deepEqual(after(ctx.irqLog), [[0, true, 4.25 * S]]);
  assert.equal(rd(copy.dev, 0x08), rd(dev, 0x08));
  assert.equal(rd(copy.dev, 0x0c), 1000);
  assert.throws(() => dev.restore({ ...dev.snapshot(), type: 'x' }), /not a nvidia,tegra20-rtc/);
});

test('RTC: reset clears alarms but time keeps running', () => {
  const { dev, ctx } = createDevice(tegraRtc);
  wr(dev, 0x14, 10);
  wr(dev, 0x28, 1);
  ctx.advanceTo(3 * S);
  dev.reset();
  assert.equal(ctx.events.size, 0);
  assert.equal(rd(dev, 0x14), 0);
  assert.equal(rd(dev, 0x08), 3);
});
