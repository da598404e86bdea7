import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tegraDisplay, DC, CTRL_MODE_SHIFT, CTRL_MODE_C_DISPLAY, CTRL_MODE_NC_DISPLAY, VBLANK_INT, FRAME_END_INT,
  READ_MUX, WRITE_MUX, GENERAL_ACT_REQ, GENERAL_UPDATE, WIN_A_ACT_REQ, WIN_A_UPDATE, WINDOW_A_SELECT, WIN_ENABLE,
  COLOR_DEPTH_B5G6R5, COLOR_DEPTH_B8G8R8A8, COLOR_DEPTH_R8G8B8A8,
} from '../../machine/devices/tegra/display';
import type { Device } from '../../machine/devices/device';
import { createDevice, roundTrip, type TestContext } from '../support/device-harness';

const FRAME0 = Math.floor(1e9 / 60); // end of the first frame after the display starts
const FB = 0x1c00_0000;

const rd = (dev: Device, word: number) => dev.read(0, word * 4, 4);
const wr = (dev: Device, word: number, v: number) => dev.write(0, word * 4, 4, v);

function setup(props = {}) {
  const { dev, ctx } = createDevice(tegraDisplay, props, 'dc');
  ctx.memoryBase = FB;
  ctx.memory = new Uint8Array(0x10000);
  return { dev, ctx };
}

/** U-Boot's order: window A selected, window registers, act request, then the display started. */
function program(dev: Device, o: { depth: number; x: number; y: number; w: number; h: number; bpp: number; stride?: number; start?: number; active?: [number, number] }) {
  if (o.active) {
    wr(dev, DC.DISP_ACTIVE, (o.active[1] << 16) | o.active[0]);
  }
  wr(dev, DC.CMD_DISPLAY_WINDOW_HEADER, WINDOW_A_SELECT);
  wr(dev, DC.WIN_COLOR_DEPTH, o.depth);
  wr(dev, DC.WIN_POSITION, (o.y << 16) | o.x);
  wr(dev, DC.WIN_SIZE, (o.h << 16) | o.w);
  wr(dev, DC.WIN_PRESCALED_SIZE, (o.h << 16) | (o.w * o.bpp));
  wr(dev, DC.WIN_DDA_INCREMENT, 0x1000_1000);
  wr(dev, DC.WIN_LINE_STRIDE, o.stride ?? o.w * o.bpp);
  wr(dev, DC.WINBUF_START_ADDR, o.start ?? FB);
  wr(dev, DC.WIN_OPTIONS, WIN_ENABLE);
  wr(dev, DC.CMD_STATE_CONTROL, GENERAL_UPDATE | WIN_A_UPDATE);
  wr(dev, DC.CMD_STATE_CONTROL, GENERAL_ACT_REQ | WIN_A_ACT_REQ);
  wr(dev, DC.CMD_DISPLAY_COMMAND, CTRL_MODE_C_DISPLAY << CTRL_MODE_SHIFT);
}

function px(img: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const o = (y * img.width + x) * 4;
  return [...img.data.subarray(o, o + 4)];
}

test('reset values: DISP_ACTIVE from the props, everything else zero, display stopped', () => {
  const { dev } = setup();
  assert.equal(rd(dev, DC.DISP_ACTIVE), (800 << 16) | 1280);
  for (const w of [DC.CMD_DISPLAY_COMMAND, DC.CMD_INT_STATUS, DC.CMD_INT_MASK, DC.CMD_INT_ENABLE,
    DC.CMD_STATE_ACCESS, DC.CMD_STATE_CONTROL, DC.CMD_DISPLAY_WINDOW_HEADER]) {
    assert.equal(rd(dev, w), 0, `word 0x${w.toString(16)}`);
  }
  assert.equal(dev.render!(), undefined);
  const other = setup({ width: 640, height: 480 }).dev;
  assert.equal(rd(other, DC.DISP_ACTIVE), (480 << 16) | 640);
  assert.throws(() => setup({ width: 0 }), /property 'width' must be an integer from 1 to 8191/);
});

test('window registers are reached through the window header; unknown offsets are logged once', () => {
  const { dev, ctx } = setup();
  assert.equal(rd(dev, DC.WIN_SIZE), 0);
  assert.match(ctx.errors[0], /no window selected/);
  wr(dev, DC.CMD_DISPLAY_WINDOW_HEADER, WINDOW_A_SELECT);
  wr(dev, DC.WIN_SIZE, 0x0002_0004);
  wr(dev, DC.CMD_DISPLAY_WINDOW_HEADER, WINDOW_A_SELECT << 1); // window B
  assert.equal(rd(dev, DC.WIN_SIZE), 0);
  wr(dev, DC.WIN_SIZE, 0x0010_0010);
  wr(dev, DC.CMD_DISPLAY_WINDOW_HEADER, WINDOW_A_SELECT);
  assert.equal(rd(dev, DC.WIN_SIZE), 0x0002_0004);
  // Several windows selected: writes reach each.
  wr(dev, DC.CMD_DISPLAY_WINDOW_HEADER, 0x70);
  wr(dev, DC.WIN_LINE_STRIDE, 0x140);
  for (const sel of [0x10, 0x20, 0x40]) {
    wr(dev, DC.CMD_DISPLAY_WINDOW_HEADER, sel);
    assert.equal(rd(dev, DC.WIN_LINE_STRIDE), 0x140);
  }
  // Palette entries, byte access.
  dev.write(0, DC.WIN_COLOR_PALETTE * 4 + 4 * 3 + 1, 1, 0xab);
  assert.equal(rd(dev, DC.WIN_COLOR_PALETTE + 3), 0xab00);
  const before = ctx.errors.length;
  rd(dev, 0x1234);
  rd(dev, 0x1234);
  wr(dev, 0x1234, 1);
  assert.equal(ctx.errors.length, before + 2);
  assert.match(ctx.errors[before], /unknown register at offset 0x48d0/);
});

test('assembly values take effect only after the act request', () => {
  const { dev, ctx } = setup();
  ctx.memory.fill(0xff);
  wr(dev, DC.DISP_ACTIVE, (2 << 16) | 4);
  // The display starts with the reset mode: DISP_ACTIVE is still the assembly copy.
  wr(dev, DC.CMD_DISPLAY_COMMAND, CTRL_MODE_C_DISPLAY << CTRL_MODE_SHIFT);
  let img = dev.render!()!;
  assert.deepEqual([img.width, img.height], [1280, 800]);
  assert.equal(rd(dev, DC.DISP_ACTIVE), (2 << 16) | 4, 'reads see the assembly copy by default');
  wr(dev, DC.CMD_STATE_ACCESS, READ_MUX);
  assert.equal(rd(dev, DC.DISP_ACTIVE), (800 << 16) | 1280, 'READ_MUX shows the active copy');
  wr(dev, DC.CMD_STATE_ACCESS, 0);

  // Window A programmed but not yet activated: the picture stays black.
  wr(dev, DC.CMD_DISPLAY_WINDOW_HEADER, WINDOW_A_SELECT);
  wr(dev, DC.WIN_COLOR_DEPTH, COLOR_DEPTH_R8G8B8A8);
  wr(dev, DC.WIN_SIZE, (2 << 16) | 4);
  wr(dev, DC.WIN_PRESCALED_SIZE, (2 << 16) | 16);
  wr(dev, DC.WIN_LINE_STRIDE, 16);
  wr(dev, DC.WINBUF_START_ADDR, FB);
  wr(dev, DC.WIN_OPTIONS, WIN_ENABLE);
  wr(dev, DC.CMD_STATE_CONTROL, GENERAL_UPDATE | WIN_A_UPDATE);
  img = dev.render!()!;
  assert.deepEqual(px(img, 0, 0), [0, 0, 0, 255]);

  // GENERAL alone latches DISP but not the window.
  wr(dev, DC.CMD_STATE_CONTROL, GENERAL_ACT_REQ);
  img = dev.render!()!;
  assert.deepEqual([img.width, img.height], [4, 2]);
  assert.deepEqual(px(img, 3, 1), [0, 0, 0, 255]);
  wr(dev, DC.CMD_STATE_CONTROL, WIN_A_ACT_REQ);
  img = dev.render!()!;
  assert.deepEqual(px(img, 3, 1), [255, 255, 255, 255]);
  // Act requests complete at once and read back clear; update bits stay.
  wr(dev, DC.CMD_STATE_CONTROL, GENERAL_UPDATE | WIN_A_UPDATE | GENERAL_ACT_REQ | WIN_A_ACT_REQ);
  assert.equal(rd(dev, DC.CMD_STATE_CONTROL), GENERAL_UPDATE | WIN_A_UPDATE);

  // A later change in the assembly copy does not show until the next act request.
  wr(dev, DC.WIN_OPTIONS, 0);
  assert.deepEqual(px(dev.render!()!, 0, 0), [255, 255, 255, 255]);
  wr(dev, DC.CMD_STATE_ACCESS, READ_MUX);
  assert.equal(rd(dev, DC.WIN_OPTIONS), WIN_ENABLE);
  wr(dev, DC.CMD_STATE_ACCESS, 0);
  assert.equal(rd(dev, DC.WIN_OPTIONS), 0);
  wr(dev, DC.CMD_STATE_CONTROL, WIN_A_ACT_REQ);
  assert.deepEqual(px(dev.render!()!, 0, 0), [0, 0, 0, 255]);

  // WRITE_MUX writes the active copy directly.
  wr(dev, DC.CMD_STATE_ACCESS, WRITE_MUX | READ_MUX);
  wr(dev, DC.WIN_OPTIONS, WIN_ENABLE);
  assert.equal(rd(dev, DC.WIN_OPTIONS), WIN_ENABLE);
  assert.deepEqual(px(dev.render!()!, 0, 0), [255, 255, 255, 255]);
  wr(dev, DC.CMD_STATE_ACCESS, 0);
  assert.equal(rd(dev, DC.WIN_OPTIONS), 0);
});

test('B5G6R5 window at a position: bit replication to 8 bits, black around it', () => {
  const { dev, ctx } = setup();
  // 4x2 pattern: red, green, blue, white / black, mid grey-ish, 0x0821 (lowest bits), 0x7bef
  const pattern = [0xf800, 0x07e0, 0x001f, 0xffff, 0x0000, 0x8410, 0x0821, 0x7bef];
  const stride = 16; // wider than the 8 bytes of a line
  pattern.forEach((p, i) => {
    const o = Math.floor(i / 4) * stride + (i % 4) * 2;
    ctx.memory[o] = p & 0xff;
    ctx.memory[o + 1] = p >> 8;
  });
  program(dev, { depth: COLOR_DEPTH_B5G6R5, x: 3, y: 1, w: 4, h: 2, bpp: 2, stride, active: [8, 4] });
  const img = dev.render!()!;
  assert.equal(img.width, 8);
  assert.equal(img.height, 4);
  assert.equal(img.data.length, 8 * 4 * 4);
  const expected = [
    [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255],
    [0, 0, 0], [0x84, 0x82, 0x84], [0x08, 0x04, 0x08], [0x7b, 0x7d, 0x7b],
  ];
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 8; x++) {
      const inside = x >= 3 && x < 7 && y >= 1 && y < 3;
      const want = inside ? [...expected[(y - 1) * 4 + (x - 3)], 255] : [0, 0, 0, 255];
      assert.deepEqual(px(img, x, y), want, `pixel ${x},${y}`);
    }
  }
});

test('B8G8R8A8 and R8G8B8A8 byte orders; offsets and clipping to the active area', () => {
  const { dev, ctx } = setup();
  // memory bytes B, G, R, A per pixel; alpha is not shown (the panel is opaque)
  const bgra = [
    [0x10, 0x20, 0x30, 0x00], [0x40, 0x50, 0x60, 0x80], [0x70, 0x80, 0x90, 0xff], [0xa0, 0xb0, 0xc0, 0x01],
    [0x01, 0x02, 0x03, 0x04], [0x05, 0x06, 0x07, 0x08], [0x09, 0x0a, 0x0b, 0x0c], [0x0d, 0x0e, 0x0f, 0x10],
  ];
  bgra.forEach((p, i) => ctx.memory.set(p, i * 4));
  program(dev, { depth: COLOR_DEPTH_B8G8R8A8, x: 0, y: 0, w: 4, h: 2, bpp: 4, active: [4, 2] });
  let img = dev.render!()!;
  bgra.forEach((p, i) => assert.deepEqual(px(img, i % 4, i >> 2), [p[2], p[1], p[0], 255], `pixel ${i}`));

  // R8G8B8A8: bytes in R, G, B order.
  wr(dev, DC.WIN_COLOR_DEPTH, COLOR_DEPTH_R8G8B8A8);
  wr(dev, DC.CMD_STATE_CONTROL, WIN_A_UPDATE | WIN_A_ACT_REQ);
  img = dev.render!()!;
  bgra.forEach((p, i) => assert.deepEqual(px(img, i % 4, i >> 2), [p[0], p[1], p[2], 255], `pixel ${i}`));

  // H offset (bytes) and V offset (lines) move the source; the window is clipped at the right edge.
  wr(dev, DC.WIN_COLOR_DEPTH, COLOR_DEPTH_B8G8R8A8);
  wr(dev, DC.WIN_POSITION, 2);
  wr(dev, DC.WINBUF_ADDR_H_OFFSET, 4);
  wr(dev, DC.WINBUF_ADDR_V_OFFSET, 1);
  wr(dev, DC.CMD_STATE_CONTROL, WIN_A_UPDATE | WIN_A_ACT_REQ);
  img = dev.render!()!;
  assert.deepEqual(px(img, 0, 0), [0, 0, 0, 255]);
  assert.deepEqual(px(img, 1, 0), [0, 0, 0, 255]);
  assert.deepEqual(px(img, 2, 0), [0x07, 0x06, 0x05, 255]);
  assert.deepEqual(px(img, 3, 0), [0x0b, 0x0a, 0x09, 255]);
  assert.deepEqual(px(img, 2, 1), [0, 0, 0, 255], 'line 2 of the source is beyond the written memory');

  // Unsupported depth: logged, window not drawn.
  wr(dev, DC.WIN_COLOR_DEPTH, 3);
  wr(dev, DC.CMD_STATE_CONTROL, WIN_A_ACT_REQ);
  img = dev.render!()!;
  assert.deepEqual(px(img, 2, 0), [0, 0, 0, 255]);
  assert.ok(ctx.errors.some((e) => /colour depth 3/.test(e)));

  // Non-continuous mode scans out too; stop mode gives no picture.
  wr(dev, DC.CMD_DISPLAY_COMMAND, CTRL_MODE_NC_DISPLAY << CTRL_MODE_SHIFT);
  assert.ok(dev.render!());
  wr(dev, DC.CMD_DISPLAY_COMMAND, 0);
  assert.equal(dev.render!(), undefined);
});

function startWithVblank(dev: Device, ctx: TestContext, at: number) {
  ctx.advanceTo(at);
  wr(dev, DC.CMD_INT_ENABLE, VBLANK_INT);
  wr(dev, DC.CMD_INT_MASK, VBLANK_INT);
  wr(dev, DC.CMD_DISPLAY_COMMAND, CTRL_MODE_C_DISPLAY << CTRL_MODE_SHIFT);
}

test('vblank: first at display start + 1/60 s, level interrupt until written 1 to clear', () => {
  const { dev, ctx } = setup();
  const t0 = 5000;
  startWithVblank(dev, ctx, t0);
  assert.equal(ctx.events.size, 1);
  ctx.advanceTo(t0 + FRAME0 - 1);
  assert.equal(rd(dev, DC.CMD_INT_STATUS), 0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  ctx.advanceTo(t0 + FRAME0);
  assert.equal(rd(dev, DC.CMD_INT_STATUS), VBLANK_INT);
  assert.deepEqual(ctx.irqLog.filter(([, level]) => level), [[0, true, t0 + FRAME0]]);
  wr(dev, DC.CMD_INT_STATUS, 0); // writing 0 clears nothing
  assert.equal(rd(dev, DC.CMD_INT_STATUS), VBLANK_INT);
  wr(dev, DC.CMD_INT_STATUS, VBLANK_INT);
  assert.equal(rd(dev, DC.CMD_INT_STATUS), 0);
  assert.equal(ctx.irqLevels[0], false);
  // Frames stay on the exact 60 Hz grid: frame 60 ends exactly one second after the start.
  for (let k = 2; k <= 60; k++) {
    const end = t0 + Math.floor((k * 1e9) / 60);
    ctx.advanceTo(end - 1);
    assert.equal(rd(dev, DC.CMD_INT_STATUS), 0, `frame ${k} not yet over`);
    ctx.advanceTo(end);
    assert.equal(rd(dev, DC.CMD_INT_STATUS), VBLANK_INT, `frame ${k} over`);
    assert.equal(ctx.irqLevels[0], true);
    wr(dev, DC.CMD_INT_STATUS, VBLANK_INT);
  }
  assert.equal(ctx.irqLog.filter(([, level]) => level).at(-1)![2], t0 + 1e9);
  assert.equal(ctx.events.size, 1, 'exactly one pending frame event');
});

test('vblank: masked status is recorded without interrupt; FRAME_END too; no events while disabled or stopped', () => {
  const { dev, ctx } = setup();
  wr(dev, DC.CMD_DISPLAY_COMMAND, CTRL_MODE_C_DISPLAY << CTRL_MODE_SHIFT);
  assert.equal(ctx.events.size, 0, 'no frame interrupt enabled: queue stays empty');
  wr(dev, DC.CMD_INT_ENABLE, VBLANK_INT | FRAME_END_INT);
  assert.equal(ctx.events.size, 1);
  ctx.advanceTo(FRAME0);
  assert.equal(rd(dev, DC.CMD_INT_STATUS), VBLANK_INT | FRAME_END_INT);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  wr(dev, DC.CMD_INT_MASK, FRAME_END_INT);
  assert.equal(ctx.irqLevels[0], true, 'unmasking a recorded status raises the line');
  wr(dev, DC.CMD_INT_MASK, 0);
  assert.equal(ctx.irqLevels[0], false);
  wr(dev, DC.CMD_INT_STATUS, 0xffff_ffff);
  // Enabling again later keeps the phase of the frame grid.
  wr(dev, DC.CMD_INT_ENABLE, 0);
  assert.equal(ctx.events.size, 0);
  ctx.advanceTo(FRAME0 * 3 + 100);
  wr(dev, DC.CMD_INT_ENABLE, VBLANK_INT);
  assert.equal(ctx.events.nextTime(), Math.floor(4e9 / 60));
  // Stopping the display cancels the event; restarting starts a new grid.
  wr(dev, DC.CMD_DISPLAY_COMMAND, 0);
  assert.equal(ctx.events.size, 0);
  ctx.advanceTo(1_000_000_000);
  wr(dev, DC.CMD_DISPLAY_COMMAND, CTRL_MODE_NC_DISPLAY << CTRL_MODE_SHIFT);
  assert.equal(ctx.events.nextTime(), 1_000_000_000 + FRAME0);
  // Switching between continuous and non-continuous keeps the grid.
  wr(dev, DC.CMD_DISPLAY_COMMAND, CTRL_MODE_C_DISPLAY << CTRL_MODE_SHIFT);
  assert.equal(ctx.events.size, 1);
  assert.equal(ctx.events.nextTime(), 1_000_000_000 + FRAME0);
  // Reset drops everything.
  ctx.advanceTo(1_000_000_000 + FRAME0);
  wr(dev, DC.CMD_INT_MASK, VBLANK_INT);
  assert.equal(ctx.irqLevels[0], true);
  dev.reset();
  assert.equal(ctx.events.size, 0);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, DC.CMD_INT_STATUS), 0);
});

test('snapshot round trip: idle, programmed, and with a pending vblank', () => {
  const idle = setup();
  const r0 = roundTrip(tegraDisplay, idle.dev);
  assert.deepEqual(r0.b, r0.a);

  const { dev, ctx } = setup();
  ctx.memory.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
  program(dev, { depth: COLOR_DEPTH_B8G8R8A8, x: 1, y: 1, w: 2, h: 1, bpp: 4, active: [4, 3] });
  wr(dev, DC.WIN_COLOR_PALETTE + 7, 0x123456);
  wr(dev, DC.WIN_POSITION, 0); // assembly differs from active
  wr(dev, DC.CMD_INT_ENABLE, VBLANK_INT);
  wr(dev, DC.CMD_INT_MASK, VBLANK_INT);
  ctx.advanceTo(FRAME0 + 10);
  assert.equal(ctx.irqLevels[0], true);
  const r = roundTrip(tegraDisplay, dev);
  assert.deepEqual(r.b, r.a);
  assert.equal((r.a as { state: { frameDue: number } }).state.frameDue, Math.floor(2e9 / 60));

  // A restored copy behaves like the original as time advances.
  const copy = setup();
  copy.ctx.memory = ctx.memory;
  copy.ctx.time = ctx.time;
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  assert.equal(copy.ctx.irqLevels[0], true);
  assert.equal(copy.ctx.events.nextTime(), Math.floor(2e9 / 60));
  assert.deepEqual(copy.dev.render!(), dev.render!());
  assert.deepEqual(px(copy.dev.render!()!, 1, 1), [3, 2, 1, 255]);
  for (const c of [ctx, copy.ctx]) c.advanceTo(Math.floor(3e9 / 60));
  for (const d of [dev, copy.dev]) wr(d, DC.CMD_INT_STATUS, VBLANK_INT);
  for (const c of [ctx, copy.ctx]) c.advanceTo(Math.floor(5e9 / 60) + 1);
  assert.deepEqual(copy.ctx.irqLog.slice(-2), ctx.irqLog.slice(-2));
  assert.deepEqual(copy.dev.snapshot(), dev.snapshot());
  wr(copy.dev, DC.CMD_DISPLAY_WINDOW_HEADER, WINDOW_A_SELECT);
  assert.equal(rd(copy.dev, DC.WIN_COLOR_PALETTE + 7), 0x123456);

  // Other versions and types are refused clearly.
  const snap = dev.snapshot();
  assert.throws(() => copy.dev.restore({ ...snap, version: 99 }), /snapshot format 99 is not supported/);
  assert.throws(() => copy.dev.restore({ ...snap, type: 'ns16550a' }), /not a nvidia,tegra20-dc/);
});
