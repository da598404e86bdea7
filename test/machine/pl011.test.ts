import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pl011 } from '../../machine/devices/arm/pl011';
import { createDevice, roundTrip } from '../support/device-harness';

const DR = 0x00, RSR = 0x04, FR = 0x18, ILPR = 0x20, IBRD = 0x24, FBRD = 0x28, LCR_H = 0x2c, CR = 0x30, IFLS = 0x34;
const IMSC = 0x38, RIS = 0x3c, MIS = 0x40, ICR = 0x44, DMACR = 0x48;
const TXFE = 0x80, RXFF = 0x40, RXFE = 0x10, INT_TX = 0x20, INT_RX = 0x10, FEN = 0x10;

const rd = (d: ReturnType<typeof createDevice>['dev'], off: number) => d.read(0, off, 4);
const wr = (d: ReturnType<typeof createDevice>['dev'], off: number, v: number) => d.write(0, off, 4, v);

test('pl011: reset values and identification as QEMU 7.2 reports them', () => {
  const { dev, ctx } = createDevice(pl011, {}, 'uart0');
  assert.equal(dev.type, 'arm,pl011');
  const expect: Array<[number, number]> = [
    [DR, 0], [RSR, 0], [FR, 0x90], [ILPR, 0], [IBRD, 0], [FBRD, 0], [LCR_H, 0], [CR, 0x300], [IFLS, 0x12],
    [IMSC, 0], [RIS, 0], [MIS, 0], [DMACR, 0],
  ];
  for (const [off, v] of expect) assert.equal(rd(dev, off), v, `offset 0x${off.toString(16)}`);
  const ids = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => rd(dev, o));
  assert.deepEqual(ids, [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  assert.deepEqual(ctx.errors, []);
});

test('pl011: sub-word accesses use the low bits of the register the offset falls in', () => {
  const { dev } = createDevice(pl011);
  assert.equal(dev.read(0, 0xfe1, 1), 0x11);
  assert.equal(dev.read(0, 0xfe5, 1), 0x10);
  assert.equal(dev.read(0, 0x19, 1), 0x90);
  assert.equal(dev.read(0, 0x1a, 2), 0x90);
  dev.write(0, 0x25, 1, 0x1ab);
  assert.equal(rd(dev, IBRD), 0xab);
});

test('pl011: transmit goes to the console at once and raises the TX interrupt', () => {
  const { dev, ctx } = createDevice(pl011);
  for (const c of 'Hi\n') wr(dev, DR, c.charCodeAt(0));
  assert.equal(ctx.text(), 'Hi\n');
  assert.equal(rd(dev, FR), TXFE | RXFE, 'transmit FIFO never fills');
  assert.equal(rd(dev, RIS), INT_TX);
  assert.equal(rd(dev, MIS), 0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  wr(dev, IMSC, INT_TX);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, MIS), INT_TX);
  wr(dev, ICR, INT_TX);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, RIS), 0);
});

test('pl011: registers keep all written bits (QEMU 7.2 does not mask IBRD/FBRD)', () => {
  const { dev, ctx } = createDevice(pl011);
  for (const off of [ILPR, IBRD, FBRD, IFLS, IMSC, CR]) {
    wr(dev, off, 0xffffffff);
    assert.equal(rd(dev, off), 0xffffffff, `offset 0x${off.toString(16)}`);
  }
  wr(dev, DMACR, 3);
  assert.equal(rd(dev, DMACR), 3);
  assert.deepEqual(ctx.errors, ['DMA not implemented']);
  wr(dev, FR, 0);
  assert.equal(rd(dev, FR), 0x90, 'flag register writes are ignored');
});

test('pl011: without FEN the receive holding register is one byte deep; the rest waits', () => {
  const { dev, ctx } = createDevice(pl011);
  wr(dev, IMSC, INT_RX);
  dev.receive!(Buffer.from('ab'));
  assert.equal(rd(dev, FR), TXFE | RXFF);
  assert.equal(rd(dev, RIS), INT_RX);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, DR), 'a'.charCodeAt(0));
  // The waiting byte moves in as soon as there is room.
  assert.equal(rd(dev, FR), TXFE | RXFF);
  assert.equal(rd(dev, DR), 'b'.charCodeAt(0));
  assert.equal(rd(dev, FR), TXFE | RXFE);
  assert.equal(rd(dev, RIS), 0);
  assert.equal(ctx.irqLevels[0], false);
  // Reading an empty FIFO returns the stale slot and keeps RXFE.
  rd(dev, DR);
  assert.equal(rd(dev, FR), TXFE | RXFE);
  // Masked-in low, high for 'a', low then high again as 'b' moves in, low when drained.
  assert.deepEqual(ctx.irqLog.map(([, l]) => l), [false, true, false, true, false]);
});

test('pl011: with FEN the FIFO holds 16 bytes, RXFF at 16, order kept across the backlog', () => {
  const { dev } = createDevice(pl011);
  wr(dev, LCR_H, 0x70);
  const input = Buffer.from('abcdefghijklmnopqrst'); // 20 bytes
  dev.receive!(input);
  assert.equal(rd(dev, FR), TXFE | RXFF);
  const got: number[] = [];
  for (let i = 0; i < 15; i++) got.push(rd(dev, DR));
  // 5 left in the FIFO after refills from the backlog; not full any more.
  assert.equal(rd(dev, FR) & (RXFF | RXFE), 0);
  for (let i = 0; i < 5; i++) got.push(rd(dev, DR));
  assert.equal(Buffer.from(got).toString(), input.toString());
  assert.equal(rd(dev, FR), TXFE | RXFE);
  assert.equal(rd(dev, RIS) & INT_RX, 0);
});

test('pl011: the RX interrupt triggers at one byte whatever UARTIFLS says', () => {
  const { dev } = createDevice(pl011);
  wr(dev, LCR_H, FEN);
  wr(dev, IFLS, 0x24); // 3/4 full on real hardware
  dev.receive!(Uint8Array.of(1));
  assert.equal(rd(dev, RIS), INT_RX);
  dev.receive!(Uint8Array.of(2));
  assert.equal(rd(dev, DR), 1);
  assert.equal(rd(dev, RIS), INT_RX, 'still one byte in the FIFO');
  assert.equal(rd(dev, DR), 2);
  assert.equal(rd(dev, RIS), 0);
});

test('pl011: toggling FEN empties the FIFO but leaves the flags (QEMU 7.2)', () => {
  const { dev } = createDevice(pl011);
  wr(dev, LCR_H, FEN);
  dev.receive!(Buffer.from('xyz'));
  assert.equal(rd(dev, FR), TXFE);
  wr(dev, LCR_H, 0);
  assert.equal(rd(dev, FR), TXFE, 'RXFE not set on the FIFO reset');
  rd(dev, DR);
  assert.equal(rd(dev, FR), TXFE | RXFE);
  // Received after the toggle: one-byte holding register again.
  dev.receive!(Buffer.from('q'));
  assert.equal(rd(dev, FR), TXFE | RXFF);
  assert.equal(rd(dev, DR), 'q'.charCodeAt(0));
});

test('pl011: the receive status register holds the error bits of the last byte read; ECR clears it', () => {
  const { dev } = createDevice(pl011);
  dev.receive!(Uint8Array.of(0x41));
  rd(dev, DR);
  assert.equal(rd(dev, RSR), 0);
  wr(dev, RSR, 0x1234);
  assert.equal(rd(dev, RSR), 0);
});

test('pl011: unknown offsets are guest errors, logged once', () => {
  const { dev, ctx } = createDevice(pl011);
  assert.equal(rd(dev, 0x08), 0);
  assert.equal(rd(dev, 0x08), 0);
  wr(dev, 0x100, 1);
  assert.equal(rd(dev, ICR), 0);
  assert.equal(ctx.errors.length, 3);
  assert.match(ctx.errors[0], /0x8/);
});

test('pl011: reset returns to the power-on state and lowers the interrupt', () => {
  const { dev, ctx } = createDevice(pl011);
  wr(dev, IMSC, INT_TX);
  wr(dev, DR, 0x41);
  assert.equal(ctx.irqLevels[0], true);
  wr(dev, LCR_H, 0x70);
  dev.receive!(Buffer.from('abc'));
  dev.reset();
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, FR), 0x90);
  assert.equal(rd(dev, LCR_H), 0);
  assert.equal(rd(dev, IMSC), 0);
  assert.equal(rd(dev, RIS), 0);
});

test('pl011: snapshot -> restore -> snapshot, mid-reception, and the copy behaves the same', () => {
  const { dev } = createDevice(pl011, {}, 'uart');
  wr(dev, LCR_H, 0x70);
  wr(dev, IMSC, INT_RX | INT_TX);
  wr(dev, IBRD, 0x27);
  wr(dev, DR, 0x41);
  dev.receive!(Buffer.from('0123456789abcdefXYZ'));
  rd(dev, DR);
  rd(dev, DR);
  const { a, b } = roundTrip(pl011, dev);
  assert.deepEqual(b, a);

  const copy = createDevice(pl011, {}, 'uart');
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  assert.equal(copy.ctx.irqLevels[0], true);
  const drain = (d: typeof dev) => {
    const out: number[] = [];
    while (!(rd(d, FR) & RXFE)) out.push(rd(d, DR));
    return Buffer.from(out).toString();
  };
  assert.equal(drain(copy.dev), '23456789abcdefXYZ');
  assert.equal(drain(dev), '23456789abcdefXYZ');
  assert.deepEqual(copy.dev.snapshot(), dev.snapshot());
});

test('pl011: restore refuses another version or another device type', () => {
  const { dev } = createDevice(pl011, {}, 'uart');
  const s = dev.snapshot();
  assert.throws(() => dev.restore({ ...s, version: 99 }), /uart: snapshot format 99 is not supported/);
  assert.throws(() => dev.restore({ ...s, type: 'arm,sp804' }), /not a arm,pl011/);
});
