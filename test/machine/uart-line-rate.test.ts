/**
 * Console input at the line rate, on the device models with a virtual clock
 * (test/support/device-harness.ts): the serial line (machine/serial-line.ts)
 * spaces typed bytes one character time apart at the UART's baud rate, so a
 * reader slower than a FIFO burst allows but faster than the line rate gets
 * every byte in order with no overrun; the same line put into the FIFO at
 * once overruns it. The PL011's line waits for room instead.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ns16550 } from '../../machine/devices/ns16550';
import { pl011 } from '../../machine/devices/arm/pl011';
import { SerialLines, lineTicks, BITS_PER_CHARACTER } from '../../machine/serial-line';
import { PropError, type Device } from '../../machine/devices/device';
import { createDevice, type TestContext } from '../support/device-harness';

const RBR = 0x00, FCR = 0x08, LSR = 0x14;
const LSR_DR = 0x01, LSR_OE = 0x02;
const US = 1_000;
/** A 200-byte line: printable, every byte different from its neighbours so order shows. */
const LINE = Uint8Array.from({ length: 200 }, (_, i) => 0x21 + ((i * 7) % 94));

/** Puts `data` on the device's line at `time`, each byte arriving by its own event as the input log would deliver it. */
function type(lines: SerialLines, dev: Device, ctx: TestContext, time: number, data: Uint8Array): number[] {
  const times = lines.schedule('uart', time, data.length, (n) => dev.lineTicks!(n));
  data.forEach((b, k) => ctx.schedule(times[k], 'byte', () => dev.receive!(Uint8Array.of(b))));
  return times;
}

/**
 * A polling reader: looks at LSR every `gap` ticks; with data ready it reads
 * one byte. Stops once `idle` ticks passed without data after the first byte.
 */
function pollingReader(dev: Device, ctx: TestContext, start: number, gap: number, idle: number): { bytes: number[]; overruns: number } {
  const bytes: number[] = [];
  let overruns = 0;
  let last = start;
  for (let t = start; bytes.length === 0 || t - last < idle; t += gap) {
    ctx.advanceTo(t);
    const lsr = dev.read(0, LSR, 1);
    if (lsr & LSR_OE) overruns++;
    if (lsr & LSR_DR) {
      bytes.push(dev.read(0, RBR, 1));
      last = t;
    }
    if (t > start + 1e9) assert.fail('the reader never finished');
  }
  return { bytes, overruns };
}

function uart(props: Record<string, number> = {}) {
  const { dev, ctx } = createDevice(ns16550, { 'reg-shift': 2, ...props }, 'uart');
  dev.write(0, FCR, 1, 0x07); // FIFO on (32 bytes), cleared
  return { dev, ctx };
}

test('character time: 10 bits per character at the baud rate, in ticks of the virtual clock, without accumulating rounding', () => {
  assert.equal(BITS_PER_CHARACTER, 10);
  assert.equal(lineTicks(1, 115_200, 1e9), 86_806);
  assert.equal(lineTicks(2, 115_200, 1e9), 173_611);
  assert.equal(lineTicks(115_200, 115_200, 1e9), 10e9, '11520 characters a second');
  assert.equal(lineTicks(1e9, 115_200, 1e9), Math.round(1e19 / 115_200), 'exact for very long streams too');
  assert.equal(lineTicks(3, 9600, 1e6), 3125);
  const { dev } = uart();
  assert.equal(dev.lineTicks!(1), 86_806, 'default 115200 baud');
  assert.equal(uart({ baud: 9600 }).dev.lineTicks!(1), 1_041_667);
  assert.throws(() => uart({ baud: 10 }), (e: Error) => e instanceof PropError && /'baud' must be an integer from 50 to 4000000/.test(e.message));
});

test('the serial line: bytes one character time apart from the time typed; a line typed while the wire is busy queues behind it', () => {
  const lines = new SerialLines();
  const T = (n: number) => lineTicks(n, 115_200, 1e9);
  assert.deepEqual(lines.schedule('a', 1000, 3, T), [1000, 1000 + T(1), 1000 + T(2)]);
  // Typed before the third byte's character time is over: queued behind it, in the same stream.
  assert.deepEqual(lines.schedule('a', 1000 + T(2), 2, T), [1000 + T(3), 1000 + T(4)]);
  assert.equal(lines.nextArrival('a', 0, T), 1000 + T(5));
  // Another device has its own wire; once the wire is idle a new stream starts at the time typed.
  assert.deepEqual(lines.schedule('b', 5000, 1, T), [5000]);
  assert.deepEqual(lines.schedule('a', 10_000_000, 1, T), [10_000_000]);
  // A device without a line rate takes everything at once.
  assert.deepEqual(lines.schedule('c', 7, 3, () => 0), [7, 7, 7]);
});

test('ns16550: a 200-byte line typed at 115200 baud reaches a reader polling every 60 us whole, in order, without overrun', () => {
  const { dev, ctx } = uart();
  const times = type(new SerialLines(), dev, ctx, 1_000 * US, LINE);
  assert.equal(times[199] - times[0], lineTicks(199, 115_200, 1e9), '199 character times from the first byte to the last');
  const r = pollingReader(dev, ctx, 1_000 * US, 60 * US, 5_000 * US);
  assert.deepEqual(Buffer.from(r.bytes), Buffer.from(LINE));
  assert.equal(r.overruns, 0);
  assert.deepEqual(ctx.errors, []);
});

test('ns16550: the same line put into the FIFO at once overruns it: 32 bytes kept, the rest lost, LSR OE set', () => {
  const { dev, ctx } = uart();
  ctx.schedule(1_000 * US, 'burst', () => dev.receive!(LINE));
  const r = pollingReader(dev, ctx, 1_000 * US, 60 * US, 5_000 * US);
  assert.deepEqual(Buffer.from(r.bytes), Buffer.from(LINE.subarray(0, 32)));
  assert.equal(r.overruns, 1);
});

test('ns16550: the wire keeps pace when the guest stops reading: bytes beyond the FIFO are lost with OE, as on the hardware', () => {
  const { dev, ctx } = uart();
  type(new SerialLines(), dev, ctx, 0, LINE);
  ctx.advanceTo(lineTicks(200, 115_200, 1e9));
  assert.equal(dev.read(0, LSR, 1) & (LSR_DR | LSR_OE), LSR_DR | LSR_OE);
  const kept: number[] = [];
  while (dev.read(0, LSR, 1) & LSR_DR) kept.push(dev.read(0, RBR, 1));
  assert.deepEqual(Buffer.from(kept), Buffer.from(LINE.subarray(0, 32)));
});

test('ns16550: a reader slower than the line rate overruns even at the line rate (the line does not wait)', () => {
  const { dev, ctx } = uart();
  type(new SerialLines(), dev, ctx, 0, LINE);
  // 120 us per byte: the FIFO fills by 33 us a byte; 32 slots last about 32 * 86.8 / 33 bytes read.
  const r = pollingReader(dev, ctx, 0, 120 * US, 5_000 * US);
  assert.ok(r.overruns > 0);
  assert.ok(r.bytes.length < 200);
});

test('pl011: typed bytes arrive at the line rate; while its FIFO is full they wait on the line, none lost', () => {
  const { dev, ctx } = createDevice(pl011, {}, 'uart');
  const DR = 0x00, FR = 0x18, LCR_H = 0x2c, FR_RXFE = 0x10;
  dev.write(0, LCR_H, 4, 0x70); // 8 bits, FIFOs on (16 entries)
  assert.equal(dev.lineTicks!(1), 86_806);
  const times = type(new SerialLines(), dev, ctx, 0, LINE.subarray(0, 40));
  ctx.advanceTo(times[0]);
  assert.equal(dev.read(0, FR, 4) & FR_RXFE, 0, 'the first byte is there at once');
  assert.equal(dev.read(0, DR, 4), LINE[0]);
  assert.equal(dev.read(0, FR, 4) & FR_RXFE, FR_RXFE, 'the second is still on the wire');
  ctx.advanceTo(times[1]);
  assert.equal(dev.read(0, DR, 4), LINE[1]);
  // Nobody reads for the rest of the line: the FIFO fills, the rest waits; then everything comes, in order.
  ctx.advanceTo(times[39] + 1);
  const got = [LINE[0], LINE[1]];
  while (!(dev.read(0, FR, 4) & FR_RXFE)) got.push(dev.read(0, DR, 4) & 0xff);
  assert.deepEqual(Buffer.from(got), Buffer.from(LINE.subarray(0, 40)));
  assert.equal(createDevice(pl011, { baud: 9600 }, 'u').dev.lineTicks!(1), 1_041_667);
});
