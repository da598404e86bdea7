import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gic } from '../../machine/devices/arm/gic';
import type { Device } from '../../machine/devices/device';
import { roundTrip, TestContext } from '../support/device-harness';
import type { DeviceProps, DeviceType } from '../../machine/devices/device';

/** A GIC of a two-core cluster (the Tegra20's) on a machine that runs one core, as a one-core Tegra run has it. */
function createDevice(type: DeviceType, props: DeviceProps = {}, name = 'gic') {
  const ctx = new TestContext(name, 1, 2);
  return { dev: type.create(ctx, props), ctx };
}

const D = 0; // distributor region
const C = 1; // CPU interface region

const rd = (dev: Device, off: number, size = 4) => dev.read(D, off, size);
const wd = (dev: Device, off: number, v: number, size = 4) => dev.write(D, off, size, v);
const rc = (dev: Device, off: number) => dev.read(C, off, 4);
const wc = (dev: Device, off: number, v: number) => dev.write(C, off, 4, v);

const GICD_CTLR = 0x000, GICD_TYPER = 0x004, GICD_IIDR = 0x008;
const ISENABLER = 0x100, ICENABLER = 0x180, ISPENDR = 0x200, ICPENDR = 0x280, ISACTIVER = 0x300;
const IPRIORITYR = 0x400, ITARGETSR = 0x800, ICFGR = 0xc00, SGIR = 0xf00, CPENDSGIR = 0xf10, SPENDSGIR = 0xf20;
const CTLR = 0x00, PMR = 0x04, BPR = 0x08, IAR = 0x0c, EOIR = 0x10, RPR = 0x14, HPPIR = 0x18, ABPR = 0x1c, IIDR = 0xfc;

function enableBit(dev: Device, base: number, irq: number): void { wd(dev, base + 4 * (irq >> 5), 1 << (irq & 31)); }
function setPriority(dev: Device, irq: number, p: number): void { wd(dev, IPRIORITYR + irq, p, 1); }
function setTarget(dev: Device, irq: number, t: number): void { wd(dev, ITARGETSR + irq, t, 1); }

/** A GIC with both the distributor and CPU interface on, the priority mask open. */
function ready(props: Record<string, unknown> = {}) {
  const { dev, ctx } = createDevice(gic, props, 'gic');
  wd(dev, GICD_CTLR, 1);
  wc(dev, CTLR, 1);
  wc(dev, PMR, 0xff);
  return { dev, ctx };
}

/** An enabled SPI routed to CPU0 with the given priority. */
function spi(dev: Device, irq: number, prio: number): void {
  setPriority(dev, irq, prio);
  setTarget(dev, irq, 1);
  enableBit(dev, ISENABLER, irq);
}

test('reset values: Tegra20 GIC (160 interrupts, 2 CPUs)', () => {
  const { dev, ctx } = createDevice(gic, { 'num-irqs': 160 }, 'gic');
  assert.equal(rd(dev, GICD_CTLR), 0);
  assert.equal(rd(dev, GICD_TYPER), 0x24); // ITLinesNumber 4, CPUNumber 1
  assert.equal(rd(dev, GICD_IIDR), 0x43b);
  assert.equal(rd(dev, ISENABLER), 0x0000ffff, 'SGIs are always enabled');
  assert.equal(rd(dev, ISENABLER + 4), 0);
  assert.equal(rd(dev, ICFGR), 0xaaaaaaaa, 'SGIs are edge-triggered');
  assert.equal(rd(dev, ICFGR + 4), 0);
  assert.equal(rd(dev, ITARGETSR), 0x01010101, 'SGI/PPI targets read as the CPU itself');
  assert.equal(rd(dev, ITARGETSR + 32), 0, 'SPIs target no CPU after reset');
  assert.equal(rd(dev, IPRIORITYR), 0);
  assert.equal(rd(dev, 0xfe0), 0x90);
  assert.equal(rd(dev, 0xfe8), 0x1b);
  assert.equal(rd(dev, 0xff0), 0x0d);
  assert.equal(rd(dev, 0xffc), 0xb1);
  assert.equal(rc(dev, CTLR), 0);
  assert.equal(rc(dev, PMR), 0);
  assert.equal(rc(dev, BPR), 0);
  assert.equal(rc(dev, RPR), 0xff);
  assert.equal(rc(dev, HPPIR), 1023);
  assert.equal(rc(dev, IAR), 1023);
  assert.equal(rc(dev, ABPR), 0);
  assert.equal(rc(dev, IIDR), 0x0001043b);
  assert.deepEqual(ctx.errors, []);
});

test('reset values: vexpress-a9 GIC (96 interrupts, 1 CPU): targets RAZ/WI', () => {
  const { dev } = createDevice(gic, { 'num-irqs': 96, cpus: 1 }, 'gic');
  assert.equal(rd(dev, GICD_TYPER), 0x02);
  assert.equal(rd(dev, ITARGETSR), 0);
  assert.equal(rd(dev, ITARGETSR + 40), 0);
  setTarget(dev, 40, 2);
  assert.equal(rd(dev, ITARGETSR + 40), 0);
});

test('priority fields implement 5 bits; PMR likewise', () => {
  const { dev } = createDevice(gic, {}, 'gic');
  wd(dev, IPRIORITYR + 32, 0xffffffff);
  assert.equal(rd(dev, IPRIORITYR + 32), 0xf8f8f8f8);
  setPriority(dev, 37, 0x47);
  assert.equal(rd(dev, IPRIORITYR + 37, 1), 0x40);
  wc(dev, PMR, 0xff);
  assert.equal(rc(dev, PMR), 0xf8);
  const eight = createDevice(gic, { 'priority-bits': 8 }, 'gic').dev;
  setPriority(eight, 37, 0x47);
  assert.equal(rd(eight, IPRIORITYR + 37, 1), 0x47);
});

test('a level-triggered SPI: pending while the line is high, acknowledged, EOI, re-raised', () => {
  const { dev, ctx } = ready();
  spi(dev, 40, 0xa0);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  dev.setInput!(40, true);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, ISPENDR + 4), 1 << 8);
  assert.equal(rc(dev, HPPIR), 40);
  assert.equal(rc(dev, IAR), 40);
  assert.equal(ctx.irqLevels[0], false, 'an active interrupt is not signalled again');
  assert.equal(rd(dev, ISACTIVER + 4), 1 << 8);
  assert.equal(rc(dev, RPR), 0xa0);
  assert.equal(rc(dev, IAR), 1023, 'nothing else to acknowledge');
  wc(dev, EOIR, 40);
  assert.equal(rd(dev, ISACTIVER + 4), 0);
  assert.equal(rc(dev, RPR), 0xff);
  assert.equal(ctx.irqLevels[0], true, 'the line is still high');
  dev.setInput!(40, false);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, ISPENDR + 4), 0);
  assert.equal(rc(dev, IAR), 1023);
  assert.deepEqual(ctx.errors, []);
});

test('an edge-triggered SPI latches its rising edge until acknowledged', () => {
  const { dev, ctx } = ready();
  spi(dev, 45, 0x80);
  wd(dev, ICFGR + 8, 2 << ((45 - 32) * 2)); // ICFGR2 covers 32..47
  assert.equal(rd(dev, ICFGR + 8), 2 << 26);
  dev.setInput!(45, true);
  dev.setInput!(45, false);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rc(dev, IAR), 45);
  assert.equal(rd(dev, ISPENDR + 4), 0);
  wc(dev, EOIR, 45);
  assert.equal(ctx.irqLevels[0], false);
  // Set and clear pending by register.
  enableBit(dev, ISPENDR, 45);
  assert.equal(ctx.irqLevels[0], true);
  enableBit(dev, ICPENDR, 45);
  assert.equal(ctx.irqLevels[0], false);
});

test('PPIs from the private timers are banked to CPU0 and need no target', () => {
  const { dev, ctx } = ready();
  setPriority(dev, 29, 0x10);
  enableBit(dev, ISENABLER, 29);
  dev.setInput!(29, true);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rc(dev, IAR), 29);
  wc(dev, EOIR, 29);
  dev.setInput!(29, false);
  assert.equal(ctx.irqLevels[0], false);
});

test('the priority mask must be strictly above the interrupt priority', () => {
  const { dev, ctx } = ready();
  spi(dev, 50, 0xa0);
  wc(dev, PMR, 0xa0);
  dev.setInput!(50, true);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  assert.equal(rc(dev, HPPIR), 1023);
  assert.equal(rc(dev, IAR), 1023);
  wc(dev, PMR, 0xa8);
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rc(dev, HPPIR), 50);
});

test('the highest priority wins, lowest ID on a tie; disabled interrupts do not count', () => {
  const { dev } = ready();
  spi(dev, 60, 0x80);
  spi(dev, 61, 0x40);
  spi(dev, 62, 0x40);
  spi(dev, 63, 0x20);
  enableBit(dev, ICENABLER, 63);
  for (const i of [60, 61, 62, 63]) dev.setInput!(i, true);
  assert.equal(rc(dev, IAR), 61);
  wc(dev, EOIR, 61);
  dev.setInput!(61, false);
  assert.equal(rc(dev, IAR), 62);
});

test('preemption by a higher group priority, and the binary point', () => {
  const { dev, ctx } = ready();
  spi(dev, 40, 0x88);
  spi(dev, 41, 0x80);
  dev.setInput!(40, true);
  assert.equal(rc(dev, IAR), 40);
  assert.equal(rc(dev, RPR), 0x88);
  dev.setInput!(41, true);
  assert.equal(ctx.irqLevels[0], true, '0x80 preempts 0x88 with BPR 0');
  assert.equal(rc(dev, IAR), 41);
  assert.equal(rc(dev, RPR), 0x80);
  wc(dev, EOIR, 41);
  assert.equal(rc(dev, RPR), 0x88);
  wc(dev, EOIR, 40);
  assert.equal(rc(dev, RPR), 0xff);

  // With BPR 3 the group priority is bits 7:4: 0x88 runs at 0x80 and 0x80 does not preempt.
  const b = ready();
  wc(b.dev, BPR, 3);
  assert.equal(rc(b.dev, BPR), 3);
  spi(b.dev, 40, 0x88);
  spi(b.dev, 41, 0x80);
  b.dev.setInput!(40, true);
  assert.equal(rc(b.dev, IAR), 40);
  assert.equal(rc(b.dev, RPR), 0x80);
  b.dev.setInput!(41, true);
  assert.equal(b.ctx.irqLevels[0], false);
  assert.equal(rc(b.dev, HPPIR), 41);
  assert.equal(rc(b.dev, IAR), 1023);
  wc(b.dev, EOIR, 40);
  assert.equal(b.ctx.irqLevels[0], true);
});

test('SPIs are delivered only when targeted at CPU0', () => {
  const { dev, ctx } = ready();
  setPriority(dev, 70, 0x10);
  enableBit(dev, ISENABLER, 70);
  dev.setInput!(70, true);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  assert.equal(rd(dev, ISPENDR + 8), 1 << 6, 'the level still shows as pending');
  setTarget(dev, 70, 2);
  assert.equal(ctx.irqLevels[0] ?? false, false);
  setTarget(dev, 70, 3);
  assert.equal(rd(dev, ITARGETSR + 68), 0x00030000);
  assert.equal(ctx.irqLevels[0], true);
});

test('software-generated interrupts through GICD_SGIR and the SGI pending registers', () => {
  const { dev, ctx } = ready();
  setPriority(dev, 3, 0x20);
  wd(dev, SGIR, (2 << 24) | 3); // to this CPU only
  assert.equal(ctx.irqLevels[0], true);
  assert.equal(rd(dev, ISPENDR), 1 << 3);
  assert.equal(rd(dev, SPENDSGIR), 0x01000000, 'SGI 3 pending from CPU0');
  assert.equal(rc(dev, IAR), 3, 'source CPU 0 in bits 12:10');
  wc(dev, EOIR, 3);
  assert.equal(ctx.irqLevels[0], false);

  wd(dev, SGIR, (0 << 24) | (0x02 << 16) | 5); // to CPU1 only
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, ISPENDR), 0);
  wd(dev, SGIR, (1 << 24) | 6); // all but self
  assert.equal(ctx.irqLevels[0], false);
  wd(dev, SGIR, (0 << 24) | (0x01 << 16) | 7); // target list with CPU0
  assert.equal(rc(dev, IAR), 7);
  wc(dev, EOIR, 7);

  // GICD_SPENDSGIR records another source CPU; the IAR reports it.
  wd(dev, SPENDSGIR + 8, 0x02, 1); // SGI 8 from CPU1
  assert.equal(rc(dev, IAR), 8 | (1 << 10));
  wc(dev, EOIR, 8);
  wd(dev, SPENDSGIR + 8, 0x03, 1);
  wd(dev, CPENDSGIR + 8, 0x03, 1);
  assert.equal(rd(dev, ISPENDR), 0);
  assert.equal(rc(dev, IAR), 1023);
  // Byte writes to GICD_SGIR are not decoded.
  wd(dev, SGIR, 3, 1);
  assert.ok(ctx.errors.some((e) => e.includes('0xf00')));
});

test('SGIs cannot be disabled or made pending through ISENABLER/ICENABLER/ISPENDR', () => {
  const { dev } = ready();
  wd(dev, ICENABLER, 0xffffffff);
  assert.equal(rd(dev, ISENABLER), 0x0000ffff);
  wd(dev, ISPENDR, 0x0000ffff);
  assert.equal(rd(dev, ISPENDR), 0);
  wd(dev, ICFGR, 0);
  assert.equal(rd(dev, ICFGR), 0xaaaaaaaa);
});

test('nothing is signalled with the distributor or the CPU interface disabled; FIQ stays low', () => {
  const { dev, ctx } = ready();
  spi(dev, 40, 0);
  dev.setInput!(40, true);
  assert.equal(ctx.irqLevels[0], true);
  wd(dev, GICD_CTLR, 0);
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rc(dev, IAR), 1023);
  wd(dev, GICD_CTLR, 1);
  wc(dev, CTLR, 0);
  assert.equal(ctx.irqLevels[0], false);
  wc(dev, CTLR, 0xffffffff);
  assert.equal(rc(dev, CTLR), 1, 'only the enable bit exists without Security Extensions');
  assert.equal(ctx.irqLevels[0], true);
  assert.ok(!ctx.irqLog.some(([line, level]) => line === 1 && level));
});

test('EOI of 1023, of a nonexistent ID or with nothing active is ignored', () => {
  const { dev } = ready();
  spi(dev, 40, 0x40);
  dev.setInput!(40, true);
  assert.equal(rc(dev, IAR), 40);
  wc(dev, EOIR, 1023);
  wc(dev, EOIR, 500);
  assert.equal(rc(dev, RPR), 0x40);
  wc(dev, EOIR, 40);
  assert.equal(rc(dev, RPR), 0xff);
  wc(dev, EOIR, 40);
  assert.equal(rc(dev, RPR), 0xff);
});

test('inputs that are SGIs or beyond num-irqs are refused as guest errors', () => {
  const { dev, ctx } = ready({ 'num-irqs': 96 });
  dev.setInput!(5, true);
  dev.setInput!(96, true);
  assert.equal(ctx.errors.length, 2);
  assert.ok(ctx.errors[1].includes('96'));
  assert.equal(ctx.irqLevels[0] ?? false, false);
  assert.equal(gic.irqInputs, 1020);
});

test('unknown and read-only distributor offsets, write-only CPU registers are guest errors', () => {
  const { dev, ctx } = createDevice(gic, { 'num-irqs': 96 }, 'gic');
  rd(dev, 0x0c);
  wd(dev, GICD_TYPER, 0);
  rd(dev, ISENABLER + 12); // IDs 96..127 do not exist
  wd(dev, ISACTIVER, 1);
  rc(dev, EOIR);
  wc(dev, IAR, 0);
  rc(dev, 0x40);
  assert.equal(ctx.errors.length, 7, ctx.errors.join('\n'));
  // Each distinct message is logged once.
  rd(dev, 0x0c);
  assert.equal(ctx.errors.length, 7);
  // Group registers are RAZ/WI without a complaint.
  wd(dev, 0x80, 0xffffffff);
  assert.equal(rd(dev, 0x80), 0);
  assert.equal(ctx.errors.length, 7);
});

test('0x380-0x3fc (GICv2 ICACTIVER, reserved in GICv1) is RAZ/WI without a guest error and deactivates nothing', () => {
  const { dev, ctx } = ready({ 'num-irqs': 160 });
  spi(dev, 40, 0x10);
  dev.setInput!(40, true);
  assert.equal(rc(dev, IAR), 40);
  assert.equal(rd(dev, ISACTIVER + 4), 1 << 8, 'IRQ 40 is active');
  // What Linux's gic_cpu_config and gic_dist_config write at boot: all-ones to the
  // SGI/PPI word and to one word per 32 SPIs.
  wd(dev, 0x380, 0xffffffff);
  for (let irq = 32; irq < 160; irq += 32) wd(dev, 0x380 + irq / 8, 0xffffffff);
  // Every width and every offset of the range.
  for (let o = 0x380; o < 0x400; o += 4) {
    wd(dev, o, 0xffffffff);
    wd(dev, o + 1, 0xff, 1);
    wd(dev, o + 2, 0xffff, 2);
    assert.equal(rd(dev, o), 0);
    assert.equal(rd(dev, o + 3, 1), 0);
  }
  assert.deepEqual(ctx.errors, []);
  assert.equal(rd(dev, ISACTIVER + 4), 1 << 8, 'IRQ 40 is still active: GICv1 has no clear-active register');
  wc(dev, EOIR, 40);
  assert.equal(rd(dev, ISACTIVER + 4), 0);
  // The neighbours are still decoded as before.
  wd(dev, ISACTIVER, 1);
  assert.equal(ctx.errors.length, 1, 'a write to GICD_ISACTIVER (read-only) is still reported');
});

test('halfword and byte access to the distributor', () => {
  const { dev } = createDevice(gic, {}, 'gic');
  wd(dev, IPRIORITYR + 40, 0x8040, 2);
  assert.equal(rd(dev, IPRIORITYR + 40, 2), 0x8040);
  assert.equal(rd(dev, IPRIORITYR + 40), 0x8040);
  wd(dev, ISENABLER + 5, 0x81, 1); // IDs 40 and 47
  assert.equal(rd(dev, ISENABLER + 4), 0x8100);
});

test('reset clears the state but keeps the input levels', () => {
  const { dev, ctx } = ready();
  spi(dev, 40, 0x40);
  dev.setInput!(40, true);
  assert.equal(rc(dev, IAR), 40);
  dev.reset();
  assert.equal(ctx.irqLevels[0], false);
  assert.equal(rd(dev, ISACTIVER + 4), 0);
  assert.equal(rc(dev, RPR), 0xff);
  assert.equal(rd(dev, ISPENDR + 4), 1 << 8, 'the line is still high');
  wd(dev, GICD_CTLR, 1);
  wc(dev, CTLR, 1);
  wc(dev, PMR, 0xff);
  spi(dev, 40, 0x40);
  assert.equal(ctx.irqLevels[0], true);
});

test('snapshot -> restore -> snapshot, mid-activity, and the restored GIC continues identically', () => {
  const { dev, ctx } = ready();
  spi(dev, 40, 0x80);
  spi(dev, 41, 0x40);
  spi(dev, 42, 0x60);
  wd(dev, ICFGR + 8, 2 << ((42 - 32) * 2));
  wc(dev, BPR, 2);
  setPriority(dev, 2, 0x50);
  dev.setInput!(40, true);
  assert.equal(rc(dev, IAR), 40);
  dev.setInput!(41, true);
  dev.setInput!(42, true);
  wd(dev, SGIR, (2 << 24) | 2);

  const { a, b } = roundTrip(gic, dev, { cpus: 2 });
  assert.deepEqual(b, a);

  const ctx2 = new TestContext('gic', 1, 2);
  const dev2 = gic.create(ctx2, {});
  dev2.restore(JSON.parse(JSON.stringify(dev.snapshot())));
  assert.equal(ctx2.irqLevels[0], ctx.irqLevels[0]);
  const script = (d: Device): number[] => {
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = rc(d, IAR);
      out.push(id, rc(d, RPR), rd(d, ISPENDR + 4), rd(d, ISACTIVER + 4));
      if (id !== 1023) wc(d, EOIR, id & 0x3ff);
    }
    d.setInput!(41, false);
    out.push(rc(d, IAR), rc(d, HPPIR));
    return out;
  };
  assert.deepEqual(script(dev2), script(dev));
  assert.equal(ctx2.irqLevels[0], ctx.irqLevels[0]);
});

test('restore refuses another snapshot version or shape', () => {
  const { dev } = createDevice(gic, {}, 'gic');
  const s = dev.snapshot();
  assert.throws(() => dev.restore({ ...s, version: 99 }), /format 99 is not supported/);
  const other = createDevice(gic, { 'num-irqs': 96 }, 'gic').dev;
  assert.throws(() => other.restore(s), /gic: snapshot field 'numIrq' is 160, this device's is 96/);
});

test('bad properties are refused', () => {
  assert.throws(() => createDevice(gic, { 'num-irqs': 100 }), /num-irqs/);
  assert.throws(() => createDevice(gic, { 'num-irqs': '160' }), /must be a number/);
  assert.throws(() => createDevice(gic, { cpus: 9 }), /cpus/);
});
