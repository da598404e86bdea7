import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tegraI2c, tegraDvc, TegraI2c, type I2cTarget } from '../../machine/devices/tegra/i2c';
import type { Device } from '../../machine/devices/device';
import { createDevice, roundTrip } from '../support/device-harness';

const r = (dev: Device, off: number) => dev.read(0, off, 4);
const w = (dev: Device, off: number, v: number) => dev.write(0, off, 4, v);

// i2c-tegra.c's registers (I2C block offsets) and bits.
const TX_FIFO = 0x50, RX_FIFO = 0x54, FIFO_CONTROL = 0x5c, FIFO_STATUS = 0x60, INT_MASK = 0x64, INT_STATUS = 0x68;
const NO_ACK = 1 << 3, PACKET_DONE = 1 << 7, TX_REQ = 1 << 1, RX_REQ = 1 << 0;
const HDR_READ = 1 << 19, HDR_IE = 1 << 17;
/** 9 bit times per byte at 400 kHz. */
const BYTE_NS = 22_500;

/** The three header words tegra_i2c_push_packet_header writes. */
function header(dev: Device, addr: number, length: number, flags: number, base = 0): void {
  w(dev, base + TX_FIFO, (1 << 4) | (1 << 16)); // protocol I2C, packet id 1
  w(dev, base + TX_FIFO, length - 1);
  w(dev, base + TX_FIFO, HDR_IE | flags | (addr << 1));
}

/** A register file on the bus: a write sets the register pointer, then stores; a read returns from the pointer on. */
class RegisterTarget implements I2cTarget {
  regs = new Uint8Array(256);
  pointer = 0;
  writes: number[][] = [];
  write(bytes: readonly number[]): boolean {
    this.writes.push([...bytes]);
    this.pointer = bytes[0];
    for (const b of bytes.slice(1)) this.regs[this.pointer++ & 0xff] = b;
    return true;
  }
  read(count: number): number[] {
    return Array.from({ length: count }, () => this.regs[this.pointer++ & 0xff]);
  }
}

test('I2C: flushing the FIFOs completes at once (FIFO_CONTROL flush bits read back 0), with the TX FIFO empty', () => {
  const { dev, ctx } = createDevice(tegraI2c);
  w(dev, FIFO_CONTROL, (7 << 5) | 3);
  assert.equal(r(dev, FIFO_CONTROL) & 3, 0);
  assert.equal(r(dev, FIFO_CONTROL), 7 << 5, 'the trigger levels are kept');
  assert.equal(r(dev, FIFO_STATUS), 8 << 4, 'eight free TX words, no RX word');
  assert.equal(r(dev, INT_STATUS), TX_REQ);
  assert.deepEqual(ctx.errors, []);
});

test('I2C: a write to an address nobody answers NACKs after the address byte: INT_STATUS NO_ACK and the interrupt', () => {
  const { dev, ctx } = createDevice(tegraI2c);
  w(dev, INT_MASK, NO_ACK);
  header(dev, 0x50, 2, 0);
  w(dev, TX_FIFO, 0x1234);
  assert.equal(r(dev, INT_STATUS) & NO_ACK, 0, 'still on the bus');
  ctx.advanceTo(3 * BYTE_NS);
  assert.equal(r(dev, INT_STATUS) & (NO_ACK | PACKET_DONE), NO_ACK);
  assert.equal(ctx.irqLevels[0], true);
  w(dev, INT_STATUS, NO_ACK);
  assert.equal(r(dev, INT_STATUS) & NO_ACK, 0);
  assert.equal(ctx.irqLevels[0], false);
});

test('I2C: a write reaches the target byte for byte, and its completion raises the interrupt through IE_ENABLE', () => {
  const { dev, ctx } = createDevice(tegraI2c);
  const target = new RegisterTarget();
  (dev as TegraI2c).attach(0x1a, target);
  header(dev, 0x1a, 5, 0);
  w(dev, TX_FIFO, 0x44332210); // register 0x10, then 0x22 0x33 0x44
  w(dev, TX_FIFO, 0x00000055);
  ctx.advanceTo(6 * BYTE_NS - 1);
  assert.equal(target.writes.length, 0);
  ctx.advanceTo(6 * BYTE_NS);
  assert.deepEqual(target.writes, [[0x10, 0x22, 0x33, 0x44, 0x55]]);
  assert.equal(r(dev, INT_STATUS) & PACKET_DONE, PACKET_DONE);
  assert.equal(ctx.irqLevels[0], true, 'completion is not masked for a packet sent with IE_ENABLE');
  w(dev, INT_STATUS, r(dev, INT_STATUS));
  assert.equal(ctx.irqLevels[0], false);
});

test('I2C: a read fills the RX FIFO a word at a time, low byte first; a long read refills it as it is read and completes then', () => {
  const { dev, ctx } = createDevice(tegraI2c);
  const target = new RegisterTarget();
  target.regs.set(Array.from({ length: 40 }, (_, i) => i + 1), 0);
  (dev as TegraI2c).attach(0x34, target);
  header(dev, 0x34, 3, HDR_READ);
  ctx.advanceTo(4 * BYTE_NS);
  assert.equal(r(dev, FIFO_STATUS) & 0xf, 1);
  assert.equal(r(dev, INT_STATUS) & (RX_REQ | PACKET_DONE), RX_REQ | PACKET_DONE);
  assert.equal(r(dev, RX_FIFO), 0x030201);
  assert.equal(r(dev, FIFO_STATUS) & 0xf, 0);

  w(dev, INT_STATUS, 0xff);
  target.pointer = 0;
  header(dev, 0x34, 40, HDR_READ);
  ctx.advanceTo(ctx.time + 41 * BYTE_NS);
  assert.equal(r(dev, FIFO_STATUS) & 0xf, 8, 'the FIFO holds eight words');
  assert.equal(r(dev, INT_STATUS) & PACKET_DONE, 0, 'not complete while words wait');
  const words = Array.from({ length: 10 }, () => r(dev, RX_FIFO));
  assert.equal(words[0], 0x04030201);
  assert.equal(words[9], 0x28272625);
  assert.equal(r(dev, INT_STATUS) & PACKET_DONE, PACKET_DONE);
  assert.deepEqual(ctx.errors, []);
});

test('DVC: the I2C registers sit behind the DVC control registers; a NACK also sets DVC_STATUS I2C_DONE_INTR', () => {
  const { dev, ctx } = createDevice(tegraDvc);
  w(dev, 0x08, (1 << 26) | (1 << 30)); // DVC_CTRL_REG3: SW_PROG, I2C_DONE_INTR_EN
  assert.equal(r(dev, 0x08), (1 << 26) | (1 << 30));
  w(dev, 0x40, (1 << 10) | (1 << 11)); // I2C_CNFG at 0x40
  assert.equal(r(dev, 0x40), (1 << 10) | (1 << 11));
  w(dev, 0x6c, 3); // FIFO_CONTROL at 0x5c + 0x10
  assert.equal(r(dev, 0x6c), 0);
  w(dev, 0x74, NO_ACK); // INT_MASK
  header(dev, 0x34, 1, HDR_READ, 0x10);
  ctx.advanceTo(2 * BYTE_NS);
  assert.equal(r(dev, 0x78) & NO_ACK, NO_ACK, 'INT_STATUS at 0x68 + 0x10');
  assert.equal(r(dev, 0x0c), 1 << 30);
  w(dev, 0x0c, 1 << 30);
  assert.equal(r(dev, 0x0c), 0);
  assert.equal(ctx.irqLevels[0], true);
  r(dev, 0x20);
  assert.equal(ctx.errors.length, 1, 'the slave registers are not in the DVC');
});

test('I2C: a packet still on the bus survives a snapshot and completes after restore; reset drops it', () => {
  const { dev, ctx } = createDevice(tegraI2c);
  header(dev, 0x50, 1, HDR_READ);
  const { a, b } = roundTrip(tegraI2c, dev);
  assert.deepEqual(b, a);
  const other = createDevice(tegraI2c);
  other.dev.restore(JSON.parse(JSON.stringify(a)));
  other.ctx.advanceTo(2 * BYTE_NS);
  assert.equal(r(other.dev, INT_STATUS) & NO_ACK, NO_ACK);
  dev.reset();
  ctx.advanceTo(10 * BYTE_NS);
  assert.equal(r(dev, INT_STATUS), TX_REQ);
});

test('DVC with a TPS6586x (tps6586x-address): VERSIONCRC reads back, registers keep writes, SLEEP_MODE in SUPPLYENE powers the board off', () => {
  const { dev, ctx } = createDevice(tegraDvc, { 'tps6586x-address': 0x34 });
  const D = 0x10; // the DVC's FIFO registers sit 0x10 further
  // regmap_read: write the register number (repeated start), then read one byte.
  header(dev, 0x34, 1, 1 << 16, D);
  w(dev, D + TX_FIFO, 0xcd);
  ctx.advanceTo(ctx.time + 2 * BYTE_NS);
  w(dev, D + INT_STATUS, 0xff);
  header(dev, 0x34, 1, HDR_READ, D);
  ctx.advanceTo(ctx.time + 2 * BYTE_NS);
  assert.equal(r(dev, D + RX_FIFO) & 0xff, 0x15, 'TPS658621A');
  w(dev, D + INT_STATUS, 0xff);
  // tps6586x_power_off: clear EXITSLREQ, then set SLEEP_MODE in SUPPLYENE (0x14).
  header(dev, 0x34, 2, 0, D);
  w(dev, D + TX_FIFO, 0x0014);
  ctx.advanceTo(ctx.time + 3 * BYTE_NS);
  assert.equal(ctx.powerOffs, 0);
  header(dev, 0x34, 2, 0, D);
  w(dev, D + TX_FIFO, 0x0814);
  ctx.advanceTo(ctx.time + 3 * BYTE_NS);
  assert.equal(ctx.powerOffs, 1);
  // Its registers are part of the DVC's snapshot.
  const { a, b } = roundTrip(tegraDvc, dev, { 'tps6586x-address': 0x34 });
  assert.deepEqual(b, a);
  assert.throws(() => createDevice(tegraDvc, { 'tps6586x-address': 0x80 }), /tps6586x-address/);
});
