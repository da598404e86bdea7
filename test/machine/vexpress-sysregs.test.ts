import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vexpressSysregs } from '../../machine/devices/arm/vexpress-sysregs';
import type { Device } from '../../machine/devices/device';
import { createDevice, roundTrip } from '../support/device-harness';

const ID = 0x00, SW = 0x04, LED = 0x08, LOCK = 0x20, HZ100 = 0x24, CFGDATA1 = 0x28, CFGDATA2 = 0x2c;
const FLAGS = 0x30, FLAGSCLR = 0x34, NVFLAGS = 0x38, NVFLAGSCLR = 0x3c, RESETCTL = 0x40, PCICTL = 0x44, MCI = 0x48;
const FLASH = 0x4c, CLCD = 0x50, CLCDSER = 0x54, BOOTCS = 0x58, MHZ24 = 0x5c, MISC = 0x60, PROCID0 = 0x84, PROCID1 = 0x88;
const CFGDATA = 0xa0, CFGCTRL = 0xa4, CFGSTAT = 0xa8;
const START = 0x80000000, WRITE = 0x40000000;

const rd = (d: Device, off: number) => d.read(0, off, 4);
const wr = (d: Device, off: number, v: number) => d.write(0, off, 4, v);

/** A configuration-bus transfer; returns [data, status, control] afterwards. */
function cfg(d: Device, fn: number, site: number, device: number, write?: number): [number, number, number] {
  wr(d, CFGDATA, write ?? 0xdead);
  wr(d, CFGSTAT, 0);
  wr(d, CFGCTRL, (START | (write !== undefined ? WRITE : 0) | (fn << 20) | (site << 16) | device) >>> 0);
  return [rd(d, CFGDATA), rd(d, CFGSTAT), rd(d, CFGCTRL)];
}

test('vexpress-sysregs: reset values as QEMU 7.2 reports them for vexpress-a9', () => {
  const { dev, ctx } = createDevice(vexpressSysregs, {}, 'sysregs');
  assert.equal(dev.type, 'arm,vexpress-sysreg');
  const expect: Array<[number, number]> = [
    [ID, 0x1190f500], [SW, 0], [LED, 0], [0x0c, 0], [0x1c, 0], [LOCK, 0], [HZ100, 0], [CFGDATA1, 0], [CFGDATA2, 0],
    [FLAGS, 0], [NVFLAGS, 0], [RESETCTL, 0], [PCICTL, 1], [MCI, 0], [FLASH, 0], [CLCD, 0], [CLCDSER, 0], [BOOTCS, 0],
    [MISC, 0], [0x64, 0], [0x80, 0], [PROCID0, 0x0c000191], [PROCID1, 0xff000000], [0x8c, 0], [CFGDATA, 0],
    [CFGCTRL, 0], [CFGSTAT, 0], [0xc0, 0], [0xd0, 0],
  ];
  for (const [off, v] of expect) assert.equal(rd(dev, off), v, `offset 0x${off.toString(16)}`);
  assert.deepEqual(ctx.errors, []);
});

test('vexpress-sysregs: the 24 MHz counter follows virtual time; the 100 Hz one reads 0 as in QEMU', () => {
  const { dev, ctx } = createDevice(vexpressSysregs);
  assert.equal(rd(dev, MHZ24), 0);
  ctx.advanceTo(1_000);
  assert.equal(rd(dev, MHZ24), 24);
  ctx.advanceTo(1_041);
  assert.equal(rd(dev, MHZ24), 24);
  ctx.advanceTo(1_042);
  assert.equal(rd(dev, MHZ24), 25);
  ctx.advanceTo(1_000_000_000);
  assert.equal(rd(dev, MHZ24), 24_000_000);
  assert.equal(rd(dev, HZ100), 0);
  // Wraps at 32 bits: 2^32 / 24 MHz = 178.956970666 s.
  ctx.advanceTo(180_000_000_000);
  assert.equal(rd(dev, MHZ24), (180 * 24_000_000) % 2 ** 32);
  assert.equal(ctx.events.size, 0, 'no events: counters are computed on read');
});

test('vexpress-sysregs: LED, flags set/clear, non-volatile flags, lock', () => {
  const { dev } = createDevice(vexpressSysregs);
  wr(dev, LED, 0x1ff);
  assert.equal(rd(dev, LED), 0x1ff);
  wr(dev, FLAGS, 0xf0f0);
  wr(dev, FLAGSCLR, 0x30);
  assert.equal(rd(dev, FLAGS), 0xf0c0);
  wr(dev, NVFLAGS, 0x55);
  wr(dev, NVFLAGSCLR, 0x5);
  assert.equal(rd(dev, NVFLAGS), 0x50);
  wr(dev, LOCK, 0xa05f);
  assert.equal(rd(dev, LOCK), 0xa05f);
  wr(dev, LOCK, 0x12345);
  assert.equal(rd(dev, LOCK), 0x2345);
  wr(dev, CFGDATA1, 0x11);
  wr(dev, CFGDATA2, 0x22);
  assert.equal(rd(dev, CFGDATA1), 0x11);
  assert.equal(rd(dev, CFGDATA2), 0x22);
});

test('vexpress-sysregs: RESETCTL, CLCD and the other reserved registers are RAZ/WI', () => {
  const { dev, ctx } = createDevice(vexpressSysregs);
  for (const off of [RESETCTL, CLCD, CLCDSER, FLASH, PCICTL, PROCID0, PROCID1, 0x0c, 0x64, 0x70, 0x74, 0x80, 0x9c]) {
    const before = rd(dev, off);
    wr(dev, off, 0xffff);
    assert.equal(rd(dev, off), before, `offset 0x${off.toString(16)}`);
  }
  assert.equal(ctx.resets, 0);
  assert.deepEqual(ctx.errors, []);
});

test('vexpress-sysregs: configuration bus reads of oscillators and voltages', () => {
  const { dev, ctx } = createDevice(vexpressSysregs);
  const OSC = 1, VOLT = 2;
  const mb = [50000000, 23750000, 24000000, 24000000, 24000000, 24000000];
  mb.forEach((hz, i) => assert.deepEqual(cfg(dev, OSC, 0, i), [hz, 1, (OSC << 20) | i]));
  [45000000, 23750000, 66670000].forEach((hz, i) => assert.deepEqual(cfg(dev, OSC, 1, i), [hz, 1, (OSC << 20) | (1 << 16) | i]));
  assert.deepEqual(cfg(dev, VOLT, 0, 0), [3300000, 1, VOLT << 20]);
  [1000000, 1000000, 1000000, 1800000, 900000, 3300000].forEach((uv, i) => assert.equal(cfg(dev, VOLT, 1, i)[0], uv));
  // Out of range, the other daughterboard site, an unknown function: error, data untouched.
  assert.deepEqual(cfg(dev, OSC, 0, 6).slice(0, 2), [0xdead, 3]);
  assert.deepEqual(cfg(dev, OSC, 1, 3).slice(0, 2), [0xdead, 3]);
  assert.deepEqual(cfg(dev, VOLT, 0, 1).slice(0, 2), [0xdead, 3]);
  assert.deepEqual(cfg(dev, OSC, 2, 0).slice(0, 2), [0xdead, 3]);
  assert.deepEqual(cfg(dev, 4, 0, 0).slice(0, 2), [0xdead, 3]);
  assert.equal(ctx.errors.length, 5);
});

test('vexpress-sysregs: configuration bus writes; control bits 19:18 and the start bit read as zero', () => {
  const { dev, ctx } = createDevice(vexpressSysregs);
  assert.deepEqual(cfg(dev, 1, 0, 1, 12345678).slice(1), [1, WRITE | (1 << 20) | 1]);
  assert.equal(cfg(dev, 1, 0, 1)[0], 12345678);
  assert.equal(cfg(dev, 1, 1, 2, 7)[1], 1);
  assert.equal(cfg(dev, 1, 1, 2)[0], 7);
  assert.equal(cfg(dev, 11, 0, 0, 0)[1], 1, 'DVI mode accepted');
  assert.equal(cfg(dev, 7, 0, 0, 0)[1], 1, 'MUXFPGA accepted');
  assert.equal(cfg(dev, 8, 0, 1, 0)[1], 3, 'shutdown of another device is an error');
  assert.equal(ctx.resets, 0);
  // Without the start bit nothing happens and the status stays.
  wr(dev, CFGSTAT, 1);
  wr(dev, CFGCTRL, 0xfffff);
  assert.equal(rd(dev, CFGCTRL), 0x3ffff);
  assert.equal(rd(dev, CFGSTAT), 1);
  wr(dev, CFGSTAT, 0xff);
  assert.equal(rd(dev, CFGSTAT), 3);
  // Oscillators return to their reset values on reset.
  dev.reset();
  assert.equal(cfg(dev, 1, 0, 1)[0], 23750000);
});

test('vexpress-sysregs: SYS_CFG_REBOOT and SYS_CFG_SHUTDOWN request a machine reset', () => {
  const { dev, ctx } = createDevice(vexpressSysregs);
  assert.equal(cfg(dev, 9, 0, 0, 0)[1], 1);
  assert.equal(ctx.resets, 1);
  assert.equal(cfg(dev, 8, 0, 0, 0)[1], 1);
  assert.equal(ctx.resets, 2);
});

test('vexpress-sysregs: exact-offset decoding, sub-word reads of the low bits, bad registers', () => {
  const { dev, ctx } = createDevice(vexpressSysregs);
  assert.equal(dev.read(0, ID, 1), 0x00);
  assert.equal(dev.read(0, ID, 2), 0xf500);
  assert.equal(dev.read(0, 0x01, 1), 0);
  assert.equal(dev.read(0, PROCID0, 1), 0x91);
  dev.write(0, LED, 1, 0x1ab);
  assert.equal(rd(dev, LED), 0xab);
  dev.write(0, 0x09, 1, 0xff);
  assert.equal(rd(dev, LED), 0xab);
  assert.equal(rd(dev, FLAGSCLR), 0);
  assert.equal(rd(dev, 0x100), 0);
  wr(dev, ID, 0);
  wr(dev, MHZ24, 0);
  assert.equal(rd(dev, ID), 0x1190f500);
  assert.deepEqual(ctx.errors, [
    'read of unknown register at offset 0x1',
    'write of unknown register at offset 0x9',
    'read of write-only register SYS_FLAGSCLR',
    'read of unknown register at offset 0x100',
    'write to read-only register SYS_ID',
    'write to read-only register SYS_24MHZ',
  ]);
});

test('vexpress-sysregs: props override the identification', () => {
  const { dev } = createDevice(vexpressSysregs, { 'sys-id': 0x1237f500, 'proc-id': 0x14000237 });
  assert.equal(rd(dev, ID), 0x1237f500);
  assert.equal(rd(dev, PROCID0), 0x14000237);
  assert.throws(() => createDevice(vexpressSysregs, { 'sys-id': '1' }), /sys-id/);
});

test('vexpress-sysregs: reset keeps NVFLAGS and the configuration-bus registers, like QEMU', () => {
  const { dev } = createDevice(vexpressSysregs);
  wr(dev, LED, 3);
  wr(dev, FLAGS, 0x80);
  wr(dev, NVFLAGS, 0x44);
  wr(dev, LOCK, 0xa05f);
  cfg(dev, 1, 0, 0);
  dev.reset();
  assert.equal(rd(dev, LED), 0);
  assert.equal(rd(dev, FLAGS), 0);
  assert.equal(rd(dev, LOCK), 0);
  assert.equal(rd(dev, NVFLAGS), 0x44);
  assert.equal(rd(dev, CFGDATA), 50000000);
  assert.equal(rd(dev, CFGSTAT), 1);
});

test('vexpress-sysregs: snapshot -> restore -> snapshot; refuses other versions', () => {
  const { dev, ctx } = createDevice(vexpressSysregs, {}, 'sys');
  wr(dev, LED, 0x5);
  wr(dev, FLAGS, 0x60000000);
  wr(dev, NVFLAGS, 0x2);
  cfg(dev, 1, 1, 0, 40000000);
  const { a, b } = roundTrip(vexpressSysregs, dev);
  assert.deepEqual(b, a);
  const copy = createDevice(vexpressSysregs, {}, 'sys');
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  ctx.advanceTo(5_000);
  copy.ctx.advanceTo(5_000);
  for (const off of [LED, FLAGS, NVFLAGS, MHZ24, CFGDATA, CFGSTAT]) assert.equal(rd(copy.dev, off), rd(dev, off));
  assert.equal(cfg(copy.dev, 1, 1, 0)[0], 40000000);
  const s = dev.snapshot();
  assert.throws(() => dev.restore({ ...s, version: 7 }), /sys: snapshot format 7 is not supported/);
  assert.throws(() => dev.restore({ ...s, state: { ...s.state, mbClock: [1] } }), /mbClock/);
});
