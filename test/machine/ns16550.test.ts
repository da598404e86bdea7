import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ns16550 } from '../../machine/devices/ns16550';
import { createDevice, roundTrip } from '../support/device-harness';

// Register offsets with the default reg-shift 2.
const RBR = 0x00, THR = 0x00, DLL = 0x00, IER = 0x04, DLM = 0x04, IIR = 0x08, FCR = 0x08;
const LCR = 0x0c, MCR = 0x10, LSR = 0x14, MSR = 0x18, SCR = 0x1c;

function uart(props = {}) {
  return createDevice(ns16550, props, 'uartd');
}
const rd = (dev: ReturnType<typeof uart>['dev'], off: number, size = 1) => dev.read(0, off, size);
const wr = (dev: ReturnType<typeof uart>['dev'], off: number, v: number, size = 1) => dev.write(0, off, size, v);

test('reset values', () => {
  const { dev, ctx } = uart();
  assert.equal(rd(dev, IER), 0);
  assert.equal(rd(dev, IIR), 0x01);
  assert.equal(rd(dev, LCR), 0);
  assert.equal(rd(dev, MCR), 0);
  assert.equal(rd(dev, LSR), 0x60);
  assert.equal(rd(dev, MSR), 0xb0);
  assert.equal(rd(dev, SCR), 0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  assert.equal(ns16550.type, 'ns16550a');
  assert.equal(ns16550.irqOutputs, 1);
});

test('transmitted bytes go to the console; THR is empty again at once', () => {
  const { dev, ctx } = uart();
  for (const c of Buffer.from('hi\n')) wr(dev, THR, c);
  assert.equal(ctx.text(), 'hi\n');
  assert.equal(rd(dev, LSR) & 0x60, 0x60);
});

test('word accesses reach the registers; other bytes of a slot read zero', () => {
  const { dev, ctx } = uart();
  wr(dev, THR, 0x41424344, 4);
  assert.equal(ctx.text(), 'D');
  wr(dev, SCR, 0x5a, 4);
  assert.equal(rd(dev, SCR, 4), 0x5a);
  assert.equal(rd(dev, SCR + 1), 0);
  assert.equal(rd(dev, LSR, 4), 0x60);
});

test('reg-shift 0 puts registers on a byte stride', () => {
  const { dev } = uart({ 'reg-shift': 0 });
  dev.write(0, 7, 1, 0x33);
  assert.equal(dev.read(0, 7, 1), 0x33);
  assert.equal(dev.read(0, 5, 1), 0x60);
});

test('an unknown register is logged once', () => {
  const { dev, ctx } = uart();
  rd(dev, 0x20);
  rd(dev, 0x20);
  assert.equal(ctx.errors.length, 1);
});

test('DLAB switches offsets 0 and 1 to the divisor latch', () => {
  const { dev, ctx } = uart();
  wr(dev, LCR, 0x83);
  wr(dev, DLL, 0x75);
  wr(dev, DLM, 0x01);
  assert.equal(ctx.output.length, 0);
  assert.equal(rd(dev, DLL), 0x75);
  assert.equal(rd(dev, DLM), 0x01);
  wr(dev, LCR, 0x03);
  assert.equal(rd(dev, IER), 0);
  assert.equal(rd(dev, LCR), 0x03);
});

test('THRE interrupt: raised on enable, cleared by reading IIR, re-armed by writing THR', () => {
  const { dev, ctx } = uart();
  wr(dev, IER, 0x02);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, IIR), 0x02);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, IIR), 0x01);
  wr(dev, THR, 0x41);
  assert.equal(ctx.irqLevels[0], true);
  wr(dev, IER, 0x00);
  assert.equal(ctx.irqLevels[0], false);
});

test('receive without FIFO: data ready, RX interrupt, overrun drops the byte', () => {
  const { dev, ctx } = uart();
  wr(dev, IER, 0x05);
  dev.receive!(Uint8Array.of(0x61));
  assert.equal(rd(dev, LSR) & 1, 1);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, IIR), 0x04);
  dev.receive!(Uint8Array.of(0x62));
  // Line status has priority over received data.
  assert.equal(rd(dev, IIR), 0x06);
  const lsr = rd(dev, LSR);
  assert.equal(lsr & 0x03, 0x03);
  assert.equal(rd(dev, LSR) & 0x02, 0, 'reading LSR clears OE');
  assert.equal(rd(dev, IIR), 0x04);
  assert.equal(rd(dev, RBR), 0x61);
  assert.equal(rd(dev, LSR) & 1, 0);
  assert.equal(ctx.irqLevels[0], false);
});

test('FIFO: trigger level, immediate timeout indication below it, FIFO bits in IIR', () => {
  const { dev, ctx } = uart();
  wr(dev, FCR, 0x81); // enable, trigger 8
  wr(dev, IER, 0x01);
  assert.equal(rd(dev, IIR), 0xc1);
  dev.receive!(Buffer.from('abc'));
  assert.equal(rd(dev, IIR), 0xcc);
  assert.equal(ctx.irqLevels[0], true);
  dev.receive!(Buffer.from('defgh'));
  assert.equal(rd(dev, IIR), 0xc4);
  let s = '';
  while (rd(dev, LSR) & 1) s += String.fromCharCode(rd(dev, RBR));
  assert.equal(s, 'abcdefgh');
  assert.equal(rd(dev, IIR), 0xc1);
  assert.equal(ctx.irqLevels[0], false);
});

test('FIFO overrun at fifo-size, and FCR clears the receive FIFO', () => {
  const { dev } = uart({ 'fifo-size': 4 });
  wr(dev, FCR, 0x01);
  dev.receive!(Buffer.from('123456'));
  const lsr = rd(dev, LSR);
  assert.equal(lsr & 0x03, 0x03);
  let s = '';
  while (rd(dev, LSR) & 1) s += String.fromCharCode(rd(dev, RBR));
  assert.equal(s, '1234');
  dev.receive!(Buffer.from('xy'));
  wr(dev, FCR, 0x03);
  assert.equal(rd(dev, LSR) & 1, 0);
});

test('priority: received data before THRE', () => {
  const { dev } = uart();
  wr(dev, IER, 0x03);
  dev.receive!(Uint8Array.of(1));
  assert.equal(rd(dev, IIR), 0x04);
  rd(dev, RBR);
  assert.equal(rd(dev, IIR), 0x02);
});

test('loopback: transmitted bytes are received, modem lines follow MCR, input is disconnected', () => {
  const { dev, ctx } = uart();
  wr(dev, MCR, 0x10);
  // Entering loopback with all MCR outputs low drops CTS, DSR, DCD.
  assert.equal(rd(dev, MSR), 0x0b);
  assert.equal(rd(dev, MSR), 0x00);
  wr(dev, THR, 0x55);
  dev.receive!(Uint8Array.of(0x66));
  assert.equal(ctx.output.length, 0);
  assert.equal(rd(dev, RBR), 0x55);
  assert.equal(rd(dev, LSR) & 1, 0);
  wr(dev, MCR, 0x1f);
  assert.equal(rd(dev, MSR), 0xf0 | 0x0b);
  wr(dev, IER, 0x08);
  wr(dev, MCR, 0x1b); // OUT1 off: trailing edge of RI
  assert.equal(rd(dev, IIR), 0x00);
  assert.equal(rd(dev, MSR), 0xb4);
  assert.equal(rd(dev, IIR), 0x01);
});

test('snapshot round trip, also with received data and pending THRE', () => {
  const { dev } = uart();
  const idle = roundTrip(ns16550, dev);
  assert.deepEqual(idle.a, idle.b);
  wr(dev, FCR, 0x41);
  wr(dev, IER, 0x03);
  wr(dev, LCR, 0x03);
  wr(dev, SCR, 0x99);
  dev.receive!(Buffer.from('xyz'));
  const { a, b } = roundTrip(ns16550, dev);
  assert.deepEqual(a, b);

  const copy = createDevice(ns16550, {}, 'uartd');
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  assert.equal(copy.ctx.irqLevels[0], true);
  for (const d of [dev, copy.dev]) {
    assert.equal(rd(d, IIR), 0xcc);
    assert.equal(String.fromCharCode(rd(d, RBR), rd(d, RBR), rd(d, RBR)), 'xyz');
    assert.equal(rd(d, IIR), 0xc2);
  }
});

test('restore refuses another version', () => {
  const { dev } = uart();
  const s = dev.snapshot();
  assert.throws(() => dev.restore({ ...s, version: 99 }), /format 99/);
  assert.throws(() => dev.restore({ ...s, type: 'pl011' }), /pl011/);
});
