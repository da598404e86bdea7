import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pl111 } from '../../machine/devices/arm/pl111';
import type { Device } from '../../machine/devices/device';
import { createDevice, roundTrip, type TestContext } from '../support/device-harness';

const TIM0 = 0x00, TIM1 = 0x04, TIM2 = 0x08, TIM3 = 0x0c, UPBASE = 0x10, LPBASE = 0x14, CONTROL = 0x18, IMSC = 0x1c;
const RIS = 0x20, MIS = 0x24, ICR = 0x28, UPCURR = 0x2c, LPCURR = 0x30, PALETTE = 0x200;
const EN = 0x001, BGR = 0x100, BEBO = 0x200, BEPO = 0x400, PWR = 0x800;
const bpp = (mode: number) => mode << 1;
const FRAME = 16_666_666;
const FB = 0x60100000;

const rd = (d: Device, off: number) => d.read(0, off, 4);
const wr = (d: Device, off: number, v: number) => d.write(0, off, 4, v);

/** A 16x2 panel scanning out of FB, with the frame buffer bytes given. */
function panel(bytes: number[], control: number): { dev: Device; ctx: TestContext } {
  const { dev, ctx } = createDevice(pl111, {}, 'clcd');
  ctx.memoryBase = FB;
  ctx.memory = new Uint8Array(4096);
  ctx.memory.set(bytes);
  wr(dev, TIM0, 0); // (0 + 1) * 16 pixels per line
  wr(dev, TIM1, 1); // 2 lines
  wr(dev, UPBASE, FB);
  wr(dev, CONTROL, control);
  return { dev, ctx };
}

function pixel(img: { width: number; data: Uint8Array }, x: number, y = 0): number[] {
  const o = (y * img.width + x) * 4;
  return [...img.data.subarray(o, o + 4)];
}

function le32(...words: number[]): number[] {
  return words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]);
}

test('pl111: reset values and identification as QEMU 7.2 reports them', () => {
  const { dev, ctx } = createDevice(pl111, {}, 'clcd');
  assert.equal(dev.type, 'arm,pl111');
  for (const off of [TIM0, TIM1, TIM2, TIM3, UPBASE, LPBASE, CONTROL, IMSC, RIS, MIS, UPCURR, LPCURR, PALETTE, 0x3fc]) {
    assert.equal(rd(dev, off), 0, `offset 0x${off.toString(16)}`);
  }
  const ids = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => rd(dev, o));
  assert.deepEqual(ids, [0x11, 0x11, 0x24, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  assert.deepEqual(ctx.errors, []);
  assert.equal(dev.render!(), undefined);
});

test('pl111: PL111 register order (control at 0x18, IMSC at 0x1c), current bases, palette', () => {
  const { dev, ctx } = createDevice(pl111);
  wr(dev, CONTROL, 0x12345);
  wr(dev, IMSC, 0x1f);
  assert.equal(rd(dev, CONTROL), 0x12345);
  assert.equal(rd(dev, IMSC), 0x1f);
  wr(dev, UPBASE, 0x60100000);
  wr(dev, LPBASE, 0x60200000);
  assert.equal(rd(dev, UPCURR), 0x60100000);
  assert.equal(rd(dev, LPCURR), 0x60200000);
  wr(dev, PALETTE + 4, 0x12345678);
  assert.equal(rd(dev, PALETTE + 4), 0x12345678);
  assert.equal(dev.read(0, PALETTE + 5, 1), 0x78, 'sub-word reads give the low bits');
  for (const t of [TIM0, TIM1, TIM2, TIM3]) { wr(dev, t, 0xffffffff); assert.equal(rd(dev, t), 0xffffffff); }
  assert.equal(rd(dev, ICR), 0);
  assert.equal(rd(dev, 0xc00), 0);
  assert.equal(ctx.errors.length, 2);
  assert.equal(ctx.events.size, 0, 'no scan-out without LcdPwr');
});

test('pl111: vertical blank every 1/60 s while scanning out sets NB and VComp', () => {
  const { dev, ctx } = createDevice(pl111);
  ctx.advanceTo(100);
  wr(dev, CONTROL, EN | PWR | bpp(6));
  assert.equal(ctx.events.nextTime(), 100 + FRAME);
  ctx.advanceTo(100 + FRAME - 1);
  assert.equal(rd(dev, RIS), 0);
  ctx.advanceTo(100 + FRAME);
  assert.equal(rd(dev, RIS), 0xc);
  assert.equal(rd(dev, MIS), 0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  wr(dev, IMSC, 0x4);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, MIS), 0x4);
  wr(dev, ICR, 0x4);
  assert.equal(rd(dev, RIS), 0x8);
  assert.equal(ctx.irqLevels[0], false);
  ctx.advanceTo(100 + 2 * FRAME);
  assert.equal(ctx.irqLevels[0], true);
  // Rewriting control re-arms from now; switching scan-out off stops the blanking events.
  ctx.advanceTo(100 + 2 * FRAME + 5);
  wr(dev, CONTROL, EN | PWR | bpp(6));
  assert.equal(ctx.events.nextTime(), 105 + 3 * FRAME);
  wr(dev, CONTROL, EN | bpp(6));
  assert.equal(ctx.events.size, 0);
  assert.deepEqual(ctx.irqLog.map(([, l, t]) => [l, t]), [[false, 100 + FRAME], [true, 100 + FRAME], [false, 100 + FRAME], [true, 100 + 2 * FRAME]]);
});

test('pl111: render is undefined until both LcdEn and LcdPwr are set; size from PPL and LPP', () => {
  const { dev } = panel([], EN | bpp(6));
  assert.equal(dev.render!(), undefined);
  wr(dev, CONTROL, PWR | bpp(6));
  assert.equal(dev.render!(), undefined);
  wr(dev, CONTROL, EN | PWR | bpp(6));
  wr(dev, TIM0, (39 << 2) | 0xffffff00); // PPL 39: 640 pixels; other fields ignored
  wr(dev, TIM1, 479 | 0xfc00);
  const img = dev.render!()!;
  assert.equal(img.width, 640);
  assert.equal(img.height, 480);
  assert.equal(img.data.length, 640 * 480 * 4);
});

test('pl111: 16 bpp 5:6:5, the BGR bit picks which end holds blue', () => {
  const words = le32(0x07e0f800, 0x0000001f);
  let img = panel(words, EN | PWR | bpp(6)).dev.render!()!;
  // BGR clear: the low bits are red, as in QEMU.
  assert.deepEqual(pixel(img, 0), [0, 0, 0xf8, 255]);
  assert.deepEqual(pixel(img, 1), [0, 0xfc, 0, 255]);
  assert.deepEqual(pixel(img, 2), [0xf8, 0, 0, 255]);
  img = panel(words, EN | PWR | BGR | bpp(6)).dev.render!()!;
  assert.deepEqual(pixel(img, 0), [0xf8, 0, 0, 255]);
  assert.deepEqual(pixel(img, 2), [0, 0, 0xf8, 255]);
  assert.deepEqual(pixel(img, 3), [0, 0, 0, 255]);
});

test('pl111: 24 bpp in 32-bit words, with BGR and with BEBO', () => {
  const bytes = le32(0x00112233, 0xff445566);
  let img = panel(bytes, EN | PWR | bpp(5)).dev.render!()!;
  assert.deepEqual(pixel(img, 0), [0x33, 0x22, 0x11, 255]);
  assert.deepEqual(pixel(img, 1), [0x66, 0x55, 0x44, 255]);
  img = panel(bytes, EN | PWR | BGR | bpp(5)).dev.render!()!;
  assert.deepEqual(pixel(img, 0), [0x11, 0x22, 0x33, 255]);
  img = panel([0x11, 0x22, 0x33, 0x44], EN | PWR | BEBO | bpp(5)).dev.render!()!;
  assert.deepEqual(pixel(img, 0), [0x44, 0x33, 0x22, 255]);
});

test('pl111: second line starts PPL pixels later in memory', () => {
  const bytes = new Array(16 * 4).fill(0).concat(le32(0x000000ff));
  const img = panel(bytes, EN | PWR | bpp(5)).dev.render!()!;
  assert.deepEqual(pixel(img, 0, 0), [0, 0, 0, 255]);
  assert.deepEqual(pixel(img, 0, 1), [0xff, 0, 0, 255]);
});

test('pl111: palette formats, pixel order in bytes with BEPO and in words with BEBO', () => {
  // 8 bpp: palette word 0 holds entries 0 (low half) and 1 (high half), 5:5:5 with r in the low bits.
  const p8 = panel([1, 0, 2, 0], EN | PWR | bpp(3));
  wr(p8.dev, PALETTE, (0x03e0 << 16) | 0x001f);
  wr(p8.dev, PALETTE + 4, 0x7c00);
  let img = p8.dev.render!()!;
  assert.deepEqual(pixel(img, 0), [0, 0xf8, 0, 255]);
  assert.deepEqual(pixel(img, 1), [0xf8, 0, 0, 255]);
  assert.deepEqual(pixel(img, 2), [0, 0, 0xf8, 255]);
  // The palette ignores BGR.
  wr(p8.dev, CONTROL, EN | PWR | BGR | bpp(3));
  assert.deepEqual(pixel(p8.dev.render!()!, 1), [0xf8, 0, 0, 255]);

  const white = [0xf8, 0xf8, 0xf8, 255], black = [0, 0, 0, 255];
  const p1 = panel([0x80, 0x01], EN | PWR | bpp(0));
  wr(p1.dev, PALETTE, 0x7fff << 16);
  img = p1.dev.render!()!;
  assert.deepEqual([0, 7, 8, 15].map((x) => pixel(img, x)), [black, white, white, black], 'LSB first');
  wr(p1.dev, CONTROL, EN | PWR | BEPO | bpp(0));
  img = p1.dev.render!()!;
  assert.deepEqual([0, 7, 8, 15].map((x) => pixel(img, x)), [white, black, black, white], 'MSB first in each byte');
  // Bytes swapped within the word: pixels 0-7 come from byte 3, 8-15 from byte 2.
  const p1b = panel([0, 0, 0x80, 0x01], EN | PWR | BEBO | bpp(0));
  wr(p1b.dev, PALETTE, 0x7fff << 16);
  img = p1b.dev.render!()!;
  assert.deepEqual([0, 1, 14, 15].map((x) => pixel(img, x)), [white, black, black, white]);

  const p4 = panel([0x21], EN | PWR | bpp(2));
  wr(p4.dev, PALETTE, (0x7c00 << 16) | 0x001f);
  wr(p4.dev, PALETTE + 4, 0x03e0);
  img = p4.dev.render!()!;
  assert.deepEqual([pixel(img, 0), pixel(img, 1)], [[0, 0, 0xf8, 255], [0, 0xf8, 0, 255]]);
  wr(p4.dev, CONTROL, EN | PWR | BEPO | bpp(2));
  img = p4.dev.render!()!;
  assert.deepEqual([pixel(img, 0), pixel(img, 1)], [[0, 0xf8, 0, 255], [0, 0, 0xf8, 255]]);
});

test('pl111: 16 bpp 1:5:5:5 reads the second pixel from bit 15 (QEMU), 12 bpp 4:4:4', () => {
  let img = panel(le32(0x00018000, 0x7fff7fff), EN | PWR | bpp(4)).dev.render!()!;
  assert.deepEqual(pixel(img, 0), [0, 0, 0, 255]);
  assert.deepEqual(pixel(img, 1), [24, 0, 0, 255]);
  assert.deepEqual(pixel(img, 2), [0xf8, 0xf8, 0xf8, 255]);
  img = panel(le32(0x0f000f0f), EN | PWR | bpp(7)).dev.render!()!;
  assert.deepEqual(pixel(img, 0), [0xf0, 0, 0xf0, 255]);
  assert.deepEqual(pixel(img, 1), [0, 0, 0xf0, 255]);
});

test('pl111: reset stops scan-out and lowers the interrupt', () => {
  const { dev, ctx } = panel([], EN | PWR | bpp(6));
  wr(dev, IMSC, 0xc);
  ctx.advanceTo(FRAME);
  assert.equal(ctx.irqLevels[0], true);
  dev.reset();
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(ctx.events.size, 0);
  assert.equal(rd(dev, CONTROL), 0);
  assert.equal(dev.render!(), undefined);
});

test('pl111: snapshot -> restore -> snapshot with a pending vertical blank; the copy runs identically', () => {
  const { dev, ctx } = panel(le32(0x12345678), EN | PWR | bpp(6));
  wr(dev, IMSC, 0x8);
  wr(dev, PALETTE + 8, 0xabcdef);
  ctx.advanceTo(FRAME + 1000);
  const { a, b } = roundTrip(pl111, dev);
  assert.deepEqual(b, a);

  const copy = createDevice(pl111, {}, 'clcd');
  copy.ctx.memory = ctx.memory;
  copy.ctx.memoryBase = ctx.memoryBase;
  copy.ctx.time = ctx.time;
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  assert.equal(copy.ctx.irqLevels[0], true);
  assert.deepEqual(copy.dev.render!(), dev.render!());
  const run = (d: Device, c: TestContext) => {
    const seen: number[] = [];
    for (let t = FRAME + 1000; t < 6 * FRAME; t += 7_000_001) {
      c.advanceTo(t);
      seen.push(rd(d, RIS));
      if (t % 3 === 0) wr(d, ICR, 0xc);
    }
    return seen;
  };
  const from = ctx.irqLog.length;
  assert.deepEqual(run(copy.dev, copy.ctx), run(dev, ctx));
  assert.deepEqual(copy.ctx.irqLog.slice(1), ctx.irqLog.slice(from));
  assert.deepEqual(copy.dev.snapshot(), dev.snapshot());
  const s = dev.snapshot();
  assert.throws(() => dev.restore({ ...s, version: 0 }), /clcd: snapshot format 0 is not supported/);
});
