import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tegraApbDma } from '../../machine/devices/tegra/apb-dma';
import { tegraAhb } from '../../machine/devices/tegra/ahb';
import { tegraSecureBoot } from '../../machine/devices/tegra/secure-boot';
import type { Device } from '../../machine/devices/device';
import { createDevice, roundTrip } from '../support/device-harness';

const r = (dev: Device, off: number) => dev.read(0, off, 4);
const w = (dev: Device, off: number, v: number) => dev.write(0, off, 4, v);

// tegra20-apb-dma.c's registers and bits.
const GENERAL = 0x000, IRQ_STA_CPU = 0x014, IRQ_MASK = 0x01c, IRQ_MASK_SET = 0x020, IRQ_MASK_CLR = 0x024;
const ch = (n: number, reg: number) => 0x1000 + n * 0x20 + reg;
const CSR = 0x00, STATUS = 0x04, AHB_PTR = 0x10, AHB_SEQ = 0x14, APB_PTR = 0x18, APB_SEQ = 0x1c;
const ENB = 1 << 31, IE_EOC = 1 << 30, DIR = 1 << 28, ONCE = 1 << 27, FLOW = 1 << 21;
const BUSY = 1 << 31, ISE_EOC = 1 << 30;
const WRAP_WORD_1 = 1 << 16, BUS_WIDTH_32 = 2 << 28;

/** A DMA context with 64 bytes of RAM at 0x1000 and one device register (a fuse word) at 0x7000f900. */
function setup() {
  const made = createDevice(tegraApbDma);
  made.ctx.memory = new Uint8Array(64);
  made.ctx.memoryBase = 0x1000;
  const written: number[] = [];
  let fuse = 0xcafe0001;
  made.ctx.busDevices.set(0x7000f900, { read: () => fuse++, write: (v) => { written.push(v); } });
  w(made.dev, GENERAL, 1 << 31);
  w(made.dev, IRQ_MASK_SET, 0xffffffff);
  return { ...made, written };
}

test('APB DMA: a device-to-memory transfer as the fuse driver starts it copies the word, then EOC status and interrupt', () => {
  const { dev, ctx } = setup();
  // tegra_dma_start for one word: APB side fixed (WRAP_WORD_1), no flow control (the fuse has no request line).
  w(dev, ch(3, CSR), IE_EOC | ONCE);
  w(dev, ch(3, APB_SEQ), BUS_WIDTH_32 | WRAP_WORD_1);
  w(dev, ch(3, APB_PTR), 0x7000f900);
  w(dev, ch(3, AHB_SEQ), BUS_WIDTH_32);
  w(dev, ch(3, AHB_PTR), 0x1010);
  w(dev, ch(3, CSR), ENB | IE_EOC | ONCE);
  assert.equal(r(dev, ch(3, STATUS)) & BUSY, BUSY);
  ctx.advanceTo(100);
  assert.equal(ctx.memory[0x10] | (ctx.memory[0x11] << 8) | (ctx.memory[0x12] << 16) | (ctx.memory[0x13] << 24), 0xcafe0001 | 0);
  assert.equal(r(dev, ch(3, STATUS)) & (BUSY | ISE_EOC), ISE_EOC);
  assert.equal(r(dev, ch(3, CSR)) & ENB, 0, 'ONCE: the channel disables itself');
  assert.equal(r(dev, IRQ_STA_CPU), 1 << 3);
  assert.equal(ctx.irqLevels[3], true);
  w(dev, ch(3, STATUS), ISE_EOC);
  assert.equal(ctx.irqLevels[3], false);
  assert.equal(r(dev, IRQ_STA_CPU), 0);
  assert.deepEqual(ctx.errors, []);
});

test('APB DMA: memory to device writes every word to the fixed device address, in order, after 100 ns a word', () => {
  const { dev, ctx, written } = setup();
  for (let i = 0; i < 12; i++) ctx.memory[i] = i + 1;
  w(dev, ch(0, APB_SEQ), BUS_WIDTH_32 | WRAP_WORD_1);
  w(dev, ch(0, APB_PTR), 0x7000f900);
  w(dev, ch(0, AHB_PTR), 0x1000);
  w(dev, ch(0, CSR), ENB | IE_EOC | ONCE | DIR | (2 << 2)); // WCOUNT 2: three words
  ctx.advanceTo(299);
  assert.deepEqual(written, []);
  ctx.advanceTo(300);
  assert.deepEqual(written, [0x04030201, 0x08070605, 0x0c0b0a09]);
});

test('APB DMA: the interrupt needs IE_EOC and the channel\'s IRQ_MASK bit; clearing ENB stops a running transfer', () => {
  const { dev, ctx } = setup();
  w(dev, IRQ_MASK_CLR, 1 << 5);
  assert.equal(r(dev, IRQ_MASK), (0xffffffff & ~(1 << 5)) >>> 0);
  w(dev, ch(5, APB_PTR), 0x7000f900);
  w(dev, ch(5, AHB_PTR), 0x1000);
  w(dev, ch(5, CSR), ENB | IE_EOC | ONCE);
  ctx.advanceTo(100);
  assert.equal(r(dev, ch(5, STATUS)) & ISE_EOC, ISE_EOC);
  assert.equal(ctx.irqLevels[5] ?? false, false, 'masked');
  w(dev, IRQ_MASK_SET, 1 << 5);
  assert.equal(ctx.irqLevels[5], true);

  w(dev, ch(6, APB_PTR), 0x7000f900);
  w(dev, ch(6, AHB_PTR), 0x1000);
  w(dev, ch(6, CSR), ENB | IE_EOC | ONCE | (15 << 2));
  ctx.advanceTo(500);
  w(dev, ch(6, CSR), IE_EOC | ONCE);
  ctx.advanceTo(10_000);
  assert.equal(r(dev, ch(6, STATUS)) & (BUSY | ISE_EOC), 0, 'stopped before its end: no EOC');
});

test('APB DMA: flow-controlled transfers and a disabled controller are reported, not run; a bus error ends the transfer', () => {
  const { dev, ctx } = setup();
  w(dev, ch(1, CSR), ENB | ONCE | FLOW | (21 << 16));
  ctx.advanceTo(10_000);
  assert.equal(r(dev, ch(1, STATUS)) & BUSY, BUSY);
  assert.match(ctx.errors.join('\n'), /REQ_SEL 21\) are not modelled/);
  w(dev, ch(2, APB_PTR), 0x7000f000); // nothing there
  w(dev, ch(2, AHB_PTR), 0x1000);
  w(dev, ch(2, CSR), ENB | IE_EOC | ONCE);
  ctx.advanceTo(20_000);
  assert.equal(r(dev, ch(2, STATUS)) & ISE_EOC, ISE_EOC);
  assert.match(ctx.errors.join('\n'), /nothing answers at 0x7000f000/);
  w(dev, GENERAL, 0);
  w(dev, ch(4, CSR), ENB | ONCE);
  assert.equal(r(dev, ch(4, STATUS)) & BUSY, 0);
  assert.match(ctx.errors.join('\n'), /controller is disabled/);
});

test('APB DMA: a running transfer survives a snapshot; reset stops everything', () => {
  const { dev, ctx } = setup();
  w(dev, ch(7, APB_PTR), 0x7000f900);
  w(dev, ch(7, AHB_PTR), 0x1000);
  w(dev, ch(7, CSR), ENB | IE_EOC | ONCE);
  const { a, b } = roundTrip(tegraApbDma, dev);
  assert.deepEqual(b, a);
  dev.reset();
  ctx.advanceTo(1000);
  assert.equal(r(dev, ch(7, STATUS)), 0);
  assert.equal(r(dev, GENERAL), 0);
});

test('AHB gizmo: every register keeps what Linux writes, by name, without guest errors', () => {
  const { dev, ctx } = createDevice(tegraAhb);
  // tegra_ahb_gizmo_init: read-modify-write of the gizmos and the prefetch configuration.
  for (const off of [0x10, 0x14, 0x20, 0x7c, 0x80, 0x08, 0xf0, 0xf4, 0xe4, 0xe8, 0xdc]) {
    w(dev, off, r(dev, off) | 0x80000004);
    assert.equal(r(dev, off), 0x80000004);
  }
  assert.deepEqual(ctx.errors, []);
  r(dev, 0x110);
  assert.equal(ctx.errors.length, 1);
  const { a, b } = roundTrip(tegraAhb, dev);
  assert.deepEqual(b, a);
  assert.equal((dev.snapshot().state.registers as Record<string, number>).GIZMO_USB, 0x80000004);
});

test('secure boot: SB_CSR keeps what Linux writes (the reset-vector lock, bit 1), other offsets are guest errors', () => {
  const { dev, ctx } = createDevice(tegraSecureBoot);
  w(dev, 0x00, r(dev, 0x00) | 2);
  assert.equal(r(dev, 0x00), 2);
  assert.deepEqual(ctx.errors, []);
  r(dev, 0x04);
  assert.equal(ctx.errors.length, 1);
});
