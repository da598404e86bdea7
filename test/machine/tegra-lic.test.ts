import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tegraLic } from '../../machine/devices/tegra/legacy-irq';
import { createDevice, roundTrip } from '../support/device-harness';
import type { Device } from '../../machine/devices/device';

const VIRQ_CPU = 0x00, VIRQ_COP = 0x04, VFIQ_CPU = 0x08, VFIQ_COP = 0x0c, ISR = 0x10;
const FIR = 0x14, FIR_SET = 0x18, FIR_CLR = 0x1c;
const CPU_IER = 0x20, CPU_IER_SET = 0x24, CPU_IER_CLR = 0x28, CPU_IEP_CLASS = 0x2c;
const COP_IER = 0x30, COP_IER_SET = 0x34, COP_IEP_CLASS = 0x3c;
const FIQ = 0, IRQ = 1;

const rd = (dev: Device, bank: number, off: number) => dev.read(0, bank * 0x100 + off, 4);
const wr = (dev: Device, bank: number, off: number, v: number) => dev.write(0, bank * 0x100 + off, 4, v);

test('type, inputs, outputs and reset values', () => {
  assert.equal(tegraLic.type, 'nvidia,tegra20-ictlr');
  assert.equal(tegraLic.irqInputs, 128);
  assert.equal(tegraLic.irqOutputs, 2);
  assert.deepEqual(tegraLic.regionSizes, [0x400]);
  const { dev } = createDevice(tegraLic);
  for (let b = 0; b < 4; b++) {
    for (const off of [VIRQ_CPU, VIRQ_COP, VFIQ_CPU, VFIQ_COP, ISR, FIR, CPU_IER, CPU_IEP_CLASS, COP_IER, COP_IEP_CLASS]) {
      assert.equal(rd(dev, b, off), 0);
    }
  }
});

test('ISR shows raw input levels of the right bank', () => {
  const { dev } = createDevice(tegraLic);
  dev.setInput!(0, true);
  dev.setInput!(37, true); // UARTB
  dev.setInput!(90, true); // UARTD
  dev.setInput!(127, true);
  assert.equal(rd(dev, 0, ISR), 1);
  assert.equal(rd(dev, 1, ISR), 1 << 5);
  assert.equal(rd(dev, 2, ISR), 1 << 26);
  assert.equal(rd(dev, 3, ISR), 0x8000_0000);
  dev.setInput!(37, false);
  assert.equal(rd(dev, 1, ISR), 0);
});

test('enabled source classed IRQ drives the IRQ output and VIRQ_CPU', () => {
  const { dev, ctx } = createDevice(tegraLic);
  dev.setInput!(33, true);
  assert.equal(ctx.irqLevels[IRQ] ?? false, false, 'not enabled yet');
  wr(dev, 1, CPU_IER_SET, 1 << 1);
  assert.equal(rd(dev, 1, CPU_IER), 1 << 1);
  assert.equal(ctx.irqLevels[IRQ], true);
  assert.equal(ctx.irqLevels[FIQ] ?? false, false);
  assert.equal(rd(dev, 1, VIRQ_CPU), 1 << 1);
  assert.equal(rd(dev, 1, VFIQ_CPU), 0);
  dev.setInput!(33, false);
  assert.equal(ctx.irqLevels[IRQ], false);
  dev.setInput!(33, true);
  wr(dev, 1, CPU_IER_CLR, 1 << 1);
  assert.equal(ctx.irqLevels[IRQ], false);
  assert.equal(rd(dev, 1, CPU_IER), 0);
});

test('FIQ routing: the UART receive interrupt classed FIQ drives output 0 only', () => {
  const { dev, ctx } = createDevice(tegraLic);
  const uartd = 90, bank = 2, bit = 1 << (90 & 31);
  wr(dev, bank, CPU_IEP_CLASS, bit);
  wr(dev, bank, CPU_IER_SET, bit);
  assert.equal(ctx.irqLevels[FIQ] ?? false, false);
  dev.setInput!(uartd, true);
  assert.equal(ctx.irqLevels[FIQ], true);
  assert.equal(ctx.irqLevels[IRQ] ?? false, false);
  assert.equal(rd(dev, bank, VFIQ_CPU), bit);
  assert.equal(rd(dev, bank, VIRQ_CPU), 0);
  // Reclassing as IRQ moves it to the other output.
  wr(dev, bank, CPU_IEP_CLASS, 0);
  assert.equal(ctx.irqLevels[FIQ], false);
  assert.equal(ctx.irqLevels[IRQ], true);
  dev.setInput!(uartd, false);
  assert.equal(ctx.irqLevels[IRQ], false);
});

test('forced interrupts: FIR_SET / FIR_CLR, ISR = raw | FIR', () => {
  const { dev, ctx } = createDevice(tegraLic);
  wr(dev, 3, CPU_IER_SET, 0xff);
  wr(dev, 3, FIR_SET, 0x0c);
  assert.equal(rd(dev, 3, FIR), 0x0c);
  assert.equal(rd(dev, 3, ISR), 0x0c);
  assert.equal(ctx.irqLevels[IRQ], true);
  dev.setInput!(96, true);
  assert.equal(rd(dev, 3, ISR), 0x0d);
  wr(dev, 3, FIR_CLR, 0x0c);
  assert.equal(rd(dev, 3, FIR), 0);
  assert.equal(rd(dev, 3, ISR), 0x01);
  dev.setInput!(96, false);
  assert.equal(ctx.irqLevels[IRQ], false);
});

test('COP enables show in the COP views but drive no CPU output', () => {
  const { dev, ctx } = createDevice(tegraLic);
  dev.setInput!(5, true);
  wr(dev, 0, COP_IER_SET, 1 << 5);
  assert.equal(rd(dev, 0, COP_IER), 1 << 5);
  assert.equal(rd(dev, 0, VIRQ_COP), 1 << 5);
  wr(dev, 0, COP_IEP_CLASS, 1 << 5);
  assert.equal(rd(dev, 0, VFIQ_COP), 1 << 5);
  assert.equal(rd(dev, 0, VIRQ_COP), 0);
  assert.equal(ctx.irqLevels[IRQ] ?? false, false);
  assert.equal(ctx.irqLevels[FIQ] ?? false, false);
});

test('byte writes to SET registers affect only the written lane', () => {
  const { dev } = createDevice(tegraLic);
  dev.write(0, CPU_IER_SET + 2, 1, 0x80);
  assert.equal(rd(dev, 0, CPU_IER), 0x0080_0000);
});

test('writes to read-only views and reads of write-only registers are guest errors', () => {
  const { dev, ctx } = createDevice(tegraLic);
  wr(dev, 0, CPU_IER, 1);
  rd(dev, 0, CPU_IER_SET);
  rd(dev, 0, 0x80);
  assert.equal(ctx.errors.length, 3);
  assert.equal(rd(dev, 0, CPU_IER), 0);
});

test('snapshot round trip with inputs, enables, classes; restored outputs match', () => {
  const { dev } = createDevice(tegraLic);
  const idle = roundTrip(tegraLic, dev);
  assert.deepEqual(idle.a, idle.b);
  dev.setInput!(90, true);
  dev.setInput!(1, true);
  wr(dev, 2, CPU_IEP_CLASS, 1 << 26);
  wr(dev, 2, CPU_IER_SET, 1 << 26);
  wr(dev, 0, CPU_IER_SET, 1 << 1);
  wr(dev, 1, FIR_SET, 1 << 3);
  const { a, b } = roundTrip(tegraLic, dev);
  assert.deepEqual(a, b);
  const copy = createDevice(tegraLic);
  copy.dev.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  assert.equal(copy.ctx.irqLevels[FIQ], true);
  assert.equal(copy.ctx.irqLevels[IRQ], true);
  for (const d of [dev, copy.dev]) {
    d.setInput!(1, false);
    assert.equal(rd(d, 0, VIRQ_CPU), 0);
    assert.equal(rd(d, 2, VFIQ_CPU), 1 << 26);
    assert.equal(rd(d, 1, ISR), 1 << 3);
  }
  assert.equal(copy.ctx.irqLevels[IRQ], false);
  assert.throws(() => dev.restore({ ...dev.snapshot(), version: 0 }), /format 0/);
});

test('reset clears enables but keeps input levels', () => {
  const { dev, ctx } = createDevice(tegraLic);
  dev.setInput!(4, true);
  wr(dev, 0, CPU_IER_SET, 1 << 4);
  assert.equal(ctx.irqLevels[IRQ], true);
  dev.reset();
  assert.equal(ctx.irqLevels[IRQ], false);
  assert.equal(rd(dev, 0, CPU_IER), 0);
  assert.equal(rd(dev, 0, ISR), 1 << 4);
});
