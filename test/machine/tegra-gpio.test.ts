import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tegraGpio, TegraGpio } from '../../machine/devices/tegra/gpio';
import { createDevice, roundTrip } from '../support/device-harness';

const r = (dev: { read(r: number, o: number, s: number): number }, off: number) => dev.read(0, off, 4);
const w = (dev: { write(r: number, o: number, s: number, v: number): void }, off: number, v: number) => dev.write(0, off, 4, v);

// Linux's register layout: bank * 0x80 + port * 4 + group; masked writes at + 0x800.
const CNF = 0x00, OE = 0x10, OUT = 0x20, IN = 0x30, INT_STA = 0x40, INT_ENB = 0x50, INT_LVL = 0x60, INT_CLR = 0x70, MSK = 0x800;
/** The mask-and-value word Linux's tegra_gpio_mask_write writes for one pin. */
const pin = (bit: number, value: 0 | 1) => (0x100 << bit) | (value << bit);

test('GPIO: a pin configured as an output reads back its OUT level in IN; masked writes change only their pin', () => {
  const { dev, ctx } = createDevice(tegraGpio);
  // GPIO 10 = bank 0, port 1, bit 2 (as gpio-tegra.c composes it).
  const port = 0x04;
  w(dev, MSK + CNF + port, pin(2, 1));
  w(dev, MSK + OE + port, pin(2, 1));
  w(dev, MSK + OUT + port, pin(2, 1));
  assert.equal(r(dev, CNF + port), 0x04);
  assert.equal(r(dev, OE + port), 0x04);
  assert.equal(r(dev, IN + port) & 0x04, 0x04);
  w(dev, MSK + OUT + port, pin(5, 1)); // another pin's OUT bit, not an output: IN keeps it 0
  assert.equal(r(dev, OUT + port), 0x24);
  assert.equal(r(dev, IN + port), 0x04);
  w(dev, MSK + OUT + port, pin(2, 0));
  assert.equal(r(dev, IN + port), 0x00);
  assert.equal(r(dev, OUT + port), 0x20, 'the masked write left bit 5 alone');
  // Plain writes replace the port's eight bits; the last bank is 6 (0x300).
  w(dev, 0x300 + OUT, 0xa5);
  assert.equal(r(dev, 0x300 + OUT), 0xa5);
  assert.deepEqual(ctx.errors, []);
});

test('GPIO: an input reads the level driven outside; a level-high interrupt stays pending while the level holds', () => {
  const { dev, ctx } = createDevice(tegraGpio);
  const gpio = dev as TegraGpio;
  // GPIO 33 = bank 1, port 0, bit 1: interrupt line 1 (SPI 33).
  const port = 0x80;
  w(dev, MSK + CNF + port, pin(1, 1));
  w(dev, MSK + INT_LVL + port, pin(1, 1)); // level high
  w(dev, MSK + INT_ENB + port, pin(1, 1));
  assert.equal(ctx.irqLevels[1] ?? false, false);
  gpio.drivePin(33, true);
  assert.equal(r(dev, IN + port), 0x02);
  assert.equal(r(dev, INT_STA + port), 0x02);
  assert.equal(ctx.irqLevels[1], true);
  assert.equal(ctx.irqLevels[0] ?? false, false, 'bank 0 stays quiet');
  w(dev, INT_CLR + port, 0x02);
  assert.equal(r(dev, INT_STA + port), 0x02, 'the level still holds: pending again');
  gpio.drivePin(33, false);
  w(dev, INT_CLR + port, 0x02);
  assert.equal(r(dev, INT_STA + port), 0);
  assert.equal(ctx.irqLevels[1], false);
});

test('GPIO: edge interrupts latch on the selected edge (rising, falling, both) and INT_CLR clears them', () => {
  const { dev, ctx } = createDevice(tegraGpio);
  const gpio = dev as TegraGpio;
  const port = 0x100 + 0x08; // bank 2, port 2: GPIOs 80-87
  w(dev, CNF + port, 0x07);
  w(dev, INT_LVL + port, 0x000101 | 0x000200 | 0x040400); // bit 0 rising, bit 1 falling, bit 2 both
  w(dev, INT_ENB + port, 0x07);
  gpio.drivePin(80, true);
  gpio.drivePin(81, true);
  assert.equal(r(dev, INT_STA + port), 0x01, 'rising edge on bit 0 only');
  gpio.drivePin(81, false);
  assert.equal(r(dev, INT_STA + port), 0x03, 'falling edge on bit 1');
  assert.equal(ctx.irqLevels[2], true);
  w(dev, INT_CLR + port, 0x03);
  assert.equal(r(dev, INT_STA + port), 0, 'edges stay cleared');
  assert.equal(ctx.irqLevels[2], false);
  gpio.drivePin(82, true);
  gpio.drivePin(82, false);
  assert.equal(r(dev, INT_STA + port), 0x04, 'both edges');
  // A disabled interrupt latches nothing: an edge while it is off is not seen once it is on.
  w(dev, INT_CLR + port, 0x04);
  w(dev, MSK + INT_ENB + port, pin(0, 0));
  gpio.drivePin(80, false);
  gpio.drivePin(80, true);
  w(dev, MSK + INT_ENB + port, pin(0, 1));
  assert.equal(r(dev, INT_STA + port), 0);
  assert.equal(ctx.irqLevels[2], false);
});

test('GPIO: a pin left to its special function (CNF 0) raises no interrupt; unknown offsets are guest errors', () => {
  const { dev, ctx } = createDevice(tegraGpio);
  const gpio = dev as TegraGpio;
  w(dev, INT_LVL, 0x01);
  w(dev, INT_ENB, 0x01);
  gpio.drivePin(0, true);
  assert.equal(r(dev, INT_STA), 0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  r(dev, 0x380);
  w(dev, MSK + IN, 0x101);
  r(dev, MSK + CNF);
  assert.equal(ctx.errors.length, 3);
});

test('GPIO: reset clears the registers, and a snapshot restores them and the interrupt line', () => {
  const { dev, ctx } = createDevice(tegraGpio);
  const gpio = dev as TegraGpio;
  w(dev, CNF + 0x0c, 0xff);
  w(dev, INT_LVL + 0x0c, 0xff);
  w(dev, INT_ENB + 0x0c, 0x80);
  gpio.drivePin(31, true);
  assert.equal(ctx.irqLevels[0], true);
  const { a, b } = roundTrip(tegraGpio, dev);
  assert.deepEqual(b, a);
  const other = createDevice(tegraGpio);
  other.dev.restore(JSON.parse(JSON.stringify(a)));
  assert.equal(other.ctx.irqLevels[0], true, 'restore drives the bank line');
  dev.reset();
  assert.equal(r(dev, CNF + 0x0c), 0);
  assert.equal(r(dev, INT_STA + 0x0c), 0);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(r(dev, IN + 0x0c), 0x80, 'the outside level survives a reset of the chip');
});
