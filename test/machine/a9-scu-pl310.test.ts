import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a9Scu } from '../../machine/devices/arm/a9-scu';
import { pl310 } from '../../machine/devices/arm/pl310';
import type { Device } from '../../machine/devices/device';
import { createDevice, roundTrip, TestContext } from '../support/device-harness';

const r = (dev: Device, off: number, size = 4) => dev.read(0, off, size);
const w = (dev: Device, off: number, v: number, size = 4) => dev.write(0, off, size, v);

// ---------------------------------------------------------------- SCU

test('SCU: reset values for the two-core Tegra20 cluster and a one-core vexpress', () => {
  const { dev, ctx } = createDevice(a9Scu, { cpus: 2 });
  assert.equal(r(dev, 0x00), 0);
  assert.equal(r(dev, 0x04), 0x31);
  assert.equal(r(dev, 0x08), 0);
  assert.equal(r(dev, 0x30), 0);
  assert.equal(r(dev, 0x40), 0);
  assert.equal(r(dev, 0x44), 0);
  assert.equal(r(dev, 0x50), 0xf);
  assert.equal(r(dev, 0x54), 0);
  assert.deepEqual(ctx.errors, []);
  assert.equal(r(createDevice(a9Scu, { cpus: 1 }).dev, 0x04), 0x10);
  assert.equal(r(createDevice(a9Scu).dev, 0x04), 0x10, 'by default the cluster of the cores run: one');
  assert.equal(r(a9Scu.create(new TestContext('scu', 1, 2), {}), 0x04), 0x31, 'by default the cluster: two cores while one runs');
});

test('SCU: control enable, read-only configuration, power status bytes, invalidate-all', () => {
  const { dev, ctx } = createDevice(a9Scu, { cpus: 2 });
  w(dev, 0x00, 0xffffffff);
  assert.equal(r(dev, 0x00), 1);
  w(dev, 0x04, 0);
  assert.equal(r(dev, 0x04), 0x31);
  assert.equal(ctx.errors.length, 1);
  w(dev, 0x09, 0x03, 1); // CPU1 powered off
  assert.equal(r(dev, 0x08), 0x0300);
  assert.equal(r(dev, 0x09, 1), 0x03);
  w(dev, 0x0c, 0xffff); // completes at once
  w(dev, 0x30, 1); // erratum 764369 workaround
  assert.equal(r(dev, 0x30), 1);
  w(dev, 0x40, 0x12345678);
  assert.equal(r(dev, 0x40), 0x12300000);
  r(dev, 0x80);
  assert.equal(ctx.errors.length, 2);
});

test('SCU: reset and snapshot round trip', () => {
  const { dev } = createDevice(a9Scu, { cpus: 2 });
  w(dev, 0x00, 1);
  w(dev, 0x08, 0x0302);
  w(dev, 0x54, 0x123);
  const { a, b } = roundTrip(a9Scu, dev, { cpus: 2 });
  assert.deepEqual(b, a);
  dev.reset();
  assert.equal(r(dev, 0x00), 0);
  assert.equal(r(dev, 0x08), 0);
  assert.throws(() => createDevice(a9Scu, { cpus: 1 }).dev.restore(a as never), /configured as 0x31/);
  assert.throws(() => dev.restore({ ...(a as never as object), version: 5 } as never), /format 5/);
});

// ---------------------------------------------------------------- PL310

test('PL310: reset values', () => {
  const { dev, ctx } = createDevice(pl310);
  assert.equal(r(dev, 0x000), 0x410000c4);
  assert.equal(r(dev, 0x004), 0x1c100100);
  assert.equal(r(dev, 0x100), 0);
  assert.equal(r(dev, 0x104), 0x02020000);
  assert.equal(r(dev, 0x108), 0);
  assert.equal(r(dev, 0x10c), 0);
  for (const off of [0x200, 0x204, 0x208, 0x20c, 0x210, 0x214, 0x218, 0x21c, 0xc00, 0xc04, 0xf40, 0xf60, 0xf80]) {
    assert.equal(r(dev, off), 0, `offset 0x${off.toString(16)}`);
  }
  assert.deepEqual(ctx.errors, []);
  const q = createDevice(pl310, { 'cache-id': 0x410000c8, 'aux-control': 0x02080000 }).dev;
  assert.equal(r(q, 0x000), 0x410000c8);
  assert.equal(r(q, 0x004), 0x1c400400, '128 KiB ways, 8-way');
});

test('PL310: maintenance operations complete at once and read back 0', () => {
  const { dev, ctx } = createDevice(pl310);
  for (const off of [0x730, 0x770, 0x77c, 0x7b0, 0x7b8, 0x7bc, 0x7f0, 0x7f8, 0x7fc, 0x954]) {
    w(dev, off, off === 0x77c || off === 0x7bc || off === 0x7fc || off === 0x954 ? 0xff : 0x1000);
    assert.equal(r(dev, off), 0, `offset 0x${off.toString(16)}`);
  }
  assert.deepEqual(ctx.errors, []);
});

test('PL310: auxiliary control and latencies are writable only while disabled', () => {
  const { dev, ctx } = createDevice(pl310);
  w(dev, 0x104, 0xffffffff);
  assert.equal(r(dev, 0x104), 0x7fff3c01);
  w(dev, 0x104, 0x7e080001);
  assert.equal(r(dev, 0x004), 0x1c400400);
  w(dev, 0x108, 0x123);
  w(dev, 0x10c, 0xfff);
  assert.equal(r(dev, 0x108), 0x123);
  assert.equal(r(dev, 0x10c), 0x777);
  w(dev, 0x100, 1);
  assert.equal(r(dev, 0x100), 1);
  w(dev, 0x104, 0x02020000);
  w(dev, 0x108, 0);
  assert.equal(r(dev, 0x104), 0x7e080001);
  assert.equal(r(dev, 0x108), 0x123);
  assert.equal(ctx.errors.length, 2);
  w(dev, 0x100, 0);
  w(dev, 0x104, 0x02020000);
  assert.equal(r(dev, 0x104), 0x02020000);
});

test('PL310: event counters, interrupt mask/status/clear, lockdown, prefetch and power control', () => {
  const { dev, ctx } = createDevice(pl310);
  w(dev, 0x20c, 111);
  w(dev, 0x210, 222);
  w(dev, 0x200, 0x3); // enable, reset counter 0
  assert.equal(r(dev, 0x200), 1);
  assert.equal(r(dev, 0x210), 0);
  assert.equal(r(dev, 0x20c), 111);
  w(dev, 0x204, 0xff);
  assert.equal(r(dev, 0x204), 0x3f);
  w(dev, 0x214, 0xffff);
  assert.equal(r(dev, 0x214), 0x1ff);
  assert.equal(r(dev, 0x218), 0);
  w(dev, 0x220, 0x1ff);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  for (let n = 0; n < 8; n++) {
    w(dev, 0x900 + 8 * n, 0xf0 + n);
    w(dev, 0x904 + 8 * n, 0x0f + n);
  }
  assert.equal(r(dev, 0x938), 0xf7);
  assert.equal(r(dev, 0x93c), 0x16);
  w(dev, 0xf60, 0xffffffff);
  assert.equal(r(dev, 0xf60), 0x79a0001f);
  w(dev, 0xf80, 3);
  assert.equal(r(dev, 0xf80), 3);
  w(dev, 0xf40, 3);
  assert.equal(r(dev, 0xf40), 3);
  r(dev, 0x220);
  w(dev, 0x000, 0);
  r(dev, 0x740);
  r(dev, 0x740);
  assert.equal(ctx.errors.length, 3, ctx.errors.join('\n'));
});

test('PL310: reset and snapshot round trip', () => {
  const { dev } = createDevice(pl310, { 'cache-id': 0x410000c8 });
  w(dev, 0x104, 0x7e080001);
  w(dev, 0x100, 1);
  w(dev, 0x900, 0xff);
  w(dev, 0xc00, 0x80000001);
  const { a, b } = roundTrip(pl310, dev);
  assert.deepEqual(b, a);
  dev.reset();
  assert.equal(r(dev, 0x100), 0);
  assert.equal(r(dev, 0x104), 0x02020000);
  assert.equal(r(dev, 0x000), 0x410000c8);
  assert.throws(() => dev.restore({ ...(a as never as object), version: 2 } as never), /format 2/);
});
