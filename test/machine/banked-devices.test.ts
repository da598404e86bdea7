/**
 * The Cortex-A9 MPCore private peripherals with several cores: the GIC's CPU
 * interfaces and banked distributor state, the private timers and watchdogs,
 * the global timer's comparators and the SCU's core count, each banked by
 * the core whose access the device serves. First through the device harness
 * (ctx.core selects the core of the next access), then on a real two-core
 * machine where each core executes its own loads and stores.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gic } from '../../machine/devices/arm/gic';
import { a9PrivateTimer } from '../../machine/devices/arm/a9-private-timer';
import { a9GlobalTimer } from '../../machine/devices/arm/a9-global-timer';
import { a9Scu } from '../../machine/devices/arm/a9-scu';
import type { DeviceProps, DeviceType } from '../../machine/devices/device';
import { createDevice, TestContext } from '../support/device-harness';
import { boardSpec, bootBoard, loadBoard } from '../../scenario/boards';
import type { Machine } from '../../machine/machine';

const D = 0; // GIC distributor region
const C = 1; // GIC CPU interface region

const GICD_CTLR = 0x000, GICD_TYPER = 0x004, ISENABLER = 0x100, ISPENDR = 0x200, ISACTIVER = 0x300;
const IPRIORITYR = 0x400, ITARGETSR = 0x800, SGIR = 0xf00, CPENDSGIR = 0xf10, SPENDSGIR = 0xf20;
const CTLR = 0x00, PMR = 0x04, IAR = 0x0c, EOIR = 0x10, HPPIR = 0x18;

/** A device of `cores` cores; `on(k)` selects the core of the accesses that follow. */
function banked(type: DeviceType, cores: number, props: DeviceProps = {}) {
  const { dev, ctx } = createDevice(type, props, type.type, cores);
  const on = (k: number) => {
    ctx.core = k;
    return {
      rd: (off: number, size = 4) => dev.read(D, off, size),
      wd: (off: number, v: number, size = 4) => dev.write(D, off, size, v),
      rc: (off: number) => dev.read(C, off, 4),
      wc: (off: number, v: number) => dev.write(C, off, 4, v),
    };
  };
  /** Core k's interrupt output i (core 0's are the context's plain outputs). */
  const out = (k: number, i = 0) => (k === 0 ? ctx.irqLevels[i] : ctx.coreIrqLevels[k]?.[i]) ?? false;
  return { dev, ctx, on, out };
}

/** A GIC of `cores` cores with the distributor and every CPU interface on, priority masks open. */
function readyGic(cores = 2) {
  const g = banked(gic, cores, { 'num-irqs': 96 });
  g.on(0).wd(GICD_CTLR, 1);
  for (let k = 0; k < cores; k++) {
    g.on(k).wc(CTLR, 1);
    g.on(k).wc(PMR, 0xff);
  }
  return g;
}

// ---------------------------------------------------------------- GIC

test('an SGI sent by core 0 to core 1 arrives on core 1 only, with source CPU ID 0', () => {
  const g = readyGic();
  g.on(0).wd(SGIR, (0b10 << 16) | 5); // target list: core 1
  assert.equal(g.out(1), true, 'core 1 is interrupted');
  assert.equal(g.out(0), false, 'core 0 is not');
  assert.equal(g.on(0).rc(IAR), 1023, 'core 0 has nothing to take');
  assert.equal(g.on(1).rd(ISPENDR) & (1 << 5), 1 << 5, 'pending on core 1');
  assert.equal(g.on(0).rd(ISPENDR) & (1 << 5), 0, 'not pending on core 0');
  assert.equal(g.on(1).rc(IAR), 5 | (0 << 10));
  assert.equal(g.out(1), false);
  g.on(1).wc(EOIR, 5);
  assert.equal(g.on(1).rc(IAR), 1023);

  // The other way round: core 1's SGI carries source ID 1.
  g.on(1).wd(SGIR, (0b01 << 16) | 3);
  assert.equal(g.out(0), true);
  assert.equal(g.on(0).rc(IAR), 3 | (1 << 10));
  g.on(0).wc(EOIR, 3);
});

test('an SGI pending from two source cores is taken once per source, lowest source first (GICD_SPENDSGIR/CPENDSGIR per core)', () => {
  const g = readyGic(3);
  g.on(1).wd(SGIR, (0b001 << 16) | 9);
  g.on(2).wd(SGIR, (0b001 << 16) | 9);
  assert.equal(g.on(0).rd(SPENDSGIR + 9, 1), 0b110, 'core 0 sees sources 1 and 2');
  assert.equal(g.on(1).rd(SPENDSGIR + 9, 1), 0, 'core 1 has nothing pending');
  assert.equal(g.on(0).rc(IAR), 9 | (1 << 10));
  g.on(0).wc(EOIR, 9);
  assert.equal(g.on(0).rc(IAR), 9 | (2 << 10));
  g.on(0).wc(EOIR, 9);
  assert.equal(g.on(0).rc(IAR), 1023);

  // Set and clear pending sources through the distributor, each core on its own bank.
  g.on(2).wd(SPENDSGIR + 4, 0b011, 1); // SGI 4 pending on core 2 from cores 0 and 1
  assert.equal(g.on(2).rd(CPENDSGIR + 4, 1), 0b011);
  assert.equal(g.on(0).rd(CPENDSGIR + 4, 1), 0);
  g.on(2).wd(CPENDSGIR + 4, 0b001, 1);
  assert.equal(g.on(2).rc(IAR), 4 | (1 << 10));
  g.on(2).wc(EOIR, 4);
  assert.equal(g.on(2).rd(ISPENDR) & (1 << 4), 0, 'no source left: no longer pending');
});

test('GICD_SGIR target list filters: the list, every core but the sender, the sender only', () => {
  const pendingOn = (g: ReturnType<typeof readyGic>, irq: number) =>
    [0, 1, 2, 3].filter((k) => (g.on(k).rd(ISPENDR) & (1 << irq)) !== 0);
  const g = readyGic(4);
  g.on(1).wd(SGIR, (0 << 24) | (0b1010 << 16) | 1);
  assert.deepEqual(pendingOn(g, 1), [1, 3], 'filter 0: the listed cores');
  g.on(1).wd(SGIR, (1 << 24) | (0b1111 << 16) | 2);
  assert.deepEqual(pendingOn(g, 2), [0, 2, 3], 'filter 1: all but the sender, whatever the list');
  g.on(1).wd(SGIR, (2 << 24) | (0b1000 << 16) | 6);
  assert.deepEqual(pendingOn(g, 6), [1], 'filter 2: the sender, whatever the list');
  g.on(2).wd(SGIR, (0 << 24) | (0 << 16) | 7);
  assert.deepEqual(pendingOn(g, 7), [], 'an empty list reaches nobody');
  for (const k of [0, 2]) assert.equal(g.on(k).rc(IAR), 2 | (1 << 10), `core ${k} takes SGI 2 from core 1`);
  assert.equal(g.on(3).rc(IAR), 1 | (1 << 10), 'core 3 takes SGI 1 first (same priority, lower ID)');
  g.on(3).wc(EOIR, 1);
  assert.equal(g.on(3).rc(IAR), 2 | (1 << 10));
});

test('a PPI raised on one core is pending and signalled on that core only; enables and priorities of IDs 0-31 are per core', () => {
  const g = readyGic();
  g.on(0).wd(ISENABLER, 1 << 29);
  g.on(1).wd(ISENABLER, 1 << 29);
  g.on(1).wd(IPRIORITYR + 29, 0x40, 1);
  assert.equal(g.on(0).rd(IPRIORITYR + 29, 1), 0, 'core 0 keeps its own priority');
  g.dev.setInput!(29, true, 1);
  assert.equal(g.out(1), true);
  assert.equal(g.out(0), false, 'core 0 does not see core 1\'s PPI');
  assert.equal(g.on(0).rd(ISPENDR) & (1 << 29), 0);
  assert.equal(g.on(0).rc(HPPIR), 1023);
  assert.equal(g.on(1).rc(IAR), 29);
  assert.equal(g.on(1).rd(ISACTIVER) & (1 << 29), 1 << 29);
  assert.equal(g.on(0).rd(ISACTIVER) & (1 << 29), 0);
  g.on(1).wc(EOIR, 29);

  // Core 0 disables its PPI 29: core 1's stays enabled.
  g.on(0).wd(0x180, 1 << 29);
  assert.equal(g.on(0).rd(ISENABLER) & (1 << 29), 0);
  assert.equal(g.on(1).rd(ISENABLER) & (1 << 29), 1 << 29);
  g.dev.setInput!(29, false, 1);
  g.dev.setInput!(29, true, 0);
  assert.equal(g.out(0), false, 'disabled on core 0');
  assert.equal(g.out(1), false, 'core 0\'s line does not reach core 1');
});

test('a PPI raised for a core the machine does not run is a guest error, not a crash', () => {
  const g = readyGic();
  g.on(0).wd(ISENABLER, 1 << 29);
  g.dev.setInput!(29, true, 2);
  assert.deepEqual(g.ctx.errors, ['PPI 29 of core 2 does not exist (this GIC serves 2 cores)']);
  assert.equal(g.out(0), false);
  assert.equal(g.on(0).rd(ISPENDR) & (1 << 29), 0);
});

test('an SPI routed by GICD_ITARGETSR to core 1 is pending and signalled on core 1 only', () => {
  const g = readyGic();
  g.on(0).wd(ITARGETSR + 40, 0b10, 1);
  g.on(0).wd(ISENABLER + 4, 1 << (40 - 32));
  g.dev.setInput!(40, true);
  assert.equal(g.out(1), true);
  assert.equal(g.out(0), false);
  assert.equal(g.on(0).rc(IAR), 1023);
  assert.equal(g.on(1).rc(IAR), 40);
  g.on(1).wc(EOIR, 40);
  g.dev.setInput!(40, false);

  // Retargeted to core 0, the next edge goes there.
  g.on(1).wd(ITARGETSR + 40, 0b01, 1);
  g.dev.setInput!(40, true);
  assert.equal(g.out(0), true);
  assert.equal(g.out(1), false);
  assert.equal(g.on(0).rc(IAR), 40);
});

test('an SPI line driven by two cores\' banks of a per-core device stays high while either drives it', () => {
  const g = readyGic();
  g.on(0).wd(ITARGETSR + 40, 0b01, 1);
  g.on(0).wd(ISENABLER + 4, 1 << (40 - 32));
  g.dev.setInput!(40, true, 1);
  g.dev.setInput!(40, true, 0);
  g.dev.setInput!(40, false, 0);
  assert.equal(g.out(0), true, 'core 1\'s bank still drives the line');
  assert.equal(g.on(0).rd(ISPENDR + 4) & (1 << 8), 1 << 8);
  g.dev.setInput!(40, false, 1);
  assert.equal(g.out(0), false);
  assert.equal(g.on(0).rd(ISPENDR + 4) & (1 << 8), 0);
});

test('GICD_ITARGETSR0-7 read as the reading core\'s own bit and ignore writes; ITARGETSR8+ are shared', () => {
  const g = readyGic(4);
  for (let k = 0; k < 4; k++) {
    const bit = 1 << k;
    for (let r = 0; r < 8; r++) assert.equal(g.on(k).rd(ITARGETSR + 4 * r), (bit * 0x01010101) >>> 0, `core ${k} ITARGETSR${r}`);
  }
  g.on(2).wd(ITARGETSR + 28, 0x0f0f0f0f);
  assert.equal(g.on(2).rd(ITARGETSR + 28), 0x04040404, 'writes to ITARGETSR0-7 do not change them');
  g.on(3).wd(ITARGETSR + 32, 0x0c030201);
  assert.equal(g.on(0).rd(ITARGETSR + 32), 0x0c030201, 'SPI targets read the same on every core');
});

test('GICD_TYPER CPUNumber is the number of cores less one', () => {
  for (const cores of [1, 2, 3, 4]) {
    const g = banked(gic, cores, { 'num-irqs': 160 });
    assert.equal((g.on(cores - 1).rd(GICD_TYPER) >> 5) & 7, cores - 1, `${cores} cores`);
    assert.equal(g.on(0).rd(GICD_TYPER) & 0x1f, 4);
  }
  // A cluster of two cores of which one runs (a Tegra2 run on CPU0) still has two CPU interfaces.
  assert.equal((gic.create(new TestContext('gic', 1, 2), {}).read(D, GICD_TYPER, 4) >> 5) & 7, 1);
});

test('each core has its own GIC CPU interface: enable, priority mask, running priority', () => {
  const g = banked(gic, 2, { 'num-irqs': 96 });
  g.on(0).wd(GICD_CTLR, 1);
  g.on(1).wc(CTLR, 1);
  g.on(1).wc(PMR, 0xf0);
  assert.equal(g.on(0).rc(CTLR), 0, 'core 0\'s interface is still off');
  assert.equal(g.on(0).rc(PMR), 0);
  assert.equal(g.on(1).rc(PMR), 0xf0);
  g.on(0).wd(SGIR, (2 << 24) | 1); // to core 0 itself: its interface is off
  g.on(1).wd(SGIR, (2 << 24) | 2);
  assert.equal(g.out(0), false);
  assert.equal(g.out(1), true);
  assert.equal(g.on(1).rc(IAR), 2 | (1 << 10));
  assert.equal(g.on(1).rc(0x14), 0, 'core 1 runs at the SGI\'s priority');
  assert.equal(g.on(0).rc(0x14), 0xff, 'core 0 is idle');
});

test('the GIC refuses a cpus property below the cores the machine runs, naming it', () => {
  assert.throws(() => gic.create(new TestContext('gic', 2), { cpus: 1 }), /property 'cpus' is 1, fewer than the 2 cores this machine runs/);
  assert.throws(() => a9Scu.create(new TestContext('scu', 4), { cpus: 3 }), /property 'cpus' is 3, fewer than the 4 cores this machine runs/);
  assert.equal((gic.create(new TestContext('gic', 2), { cpus: 4 }).read(D, GICD_TYPER, 4) >> 5) & 7, 3, 'more interfaces than cores run is allowed');
});

test('a board file whose GIC or SCU has fewer CPUs than cpu.max-count is refused at line and column', () => {
  const text = (props: string) => `name: small
cpu: { model: cortex-a9, count: 1, max-count: 2 }
memory:
  - { name: ram, base: 0x60000000, size: 16MiB }
devices:
  - name: gic
    type: arm,gic-v1
    regions: { distributor: 0x1e001000, cpu: 0x1e000100 }
    props: { num-irqs: 96${props} }
    irq: [cpu:irq, cpu:fiq]
boot: { protocol: dtb }
`;
  assert.throws(() => loadBoard('small.yaml', text(', cpus: 1')), /small\.yaml:9:\d+: .*property 'cpus' is 1, fewer than the 2 cores cpu\.max-count lets a run select/);
  assert.equal(loadBoard('small.yaml', text(', cpus: 2')).devices[0].props.cpus, 2);
  assert.equal(loadBoard('small.yaml', text('')).devices.length, 1);
});

test('GIC snapshots with several cores round-trip, banks included; one-core snapshots keep their fields', () => {
  const g = readyGic();
  g.on(1).wd(IPRIORITYR + 20, 0x30, 1);
  g.on(0).wd(SGIR, (0b10 << 16) | 11);
  g.dev.setInput!(29, true, 1);
  g.on(1).wd(ISENABLER, 1 << 29);
  assert.equal(g.on(1).rc(IAR), 11);
  const s = JSON.parse(JSON.stringify(g.dev.snapshot()));
  assert.deepEqual(Object.keys(s.state.cores), ['1']);
  const fresh = banked(gic, 2, { 'num-irqs': 96 });
  fresh.dev.restore(s);
  assert.deepEqual(fresh.dev.snapshot(), g.dev.snapshot());
  assert.equal(fresh.out(1), g.out(1));
  assert.equal(fresh.on(1).rd(IPRIORITYR + 20, 1), 0x30);
  assert.equal(fresh.on(1).rc(0x14), 0, 'core 1 is still in its SGI handler');
  fresh.on(1).wc(EOIR, 11);
  assert.equal(fresh.on(1).rc(IAR), 29);

  const one = createDevice(gic, { 'num-irqs': 96 }).dev.snapshot();
  assert.deepEqual(Object.keys(one.state), ['numIrq', 'numCpu', 'ctlr', 'enabled', 'pending', 'active', 'level', 'edge', 'priority', 'target', 'sgiPending', 'cpu', 'runningPriority', 'apr', 'irqOut']);
  assert.throws(() => createDevice(gic, { 'num-irqs': 96, cpus: 2 }).dev.restore(s), /cores/);
});

// ---------------------------------------------------------------- private timer and watchdog

const TWD_LOAD = 0x00, TWD_COUNTER = 0x04, TWD_CONTROL = 0x08, TWD_STATUS = 0x0c;
const WDT_LOAD = 0x20, WDT_CONTROL = 0x28, WDT_STATUS = 0x2c;

test('each core\'s private timer counts and fires on that core\'s output only', () => {
  const t = banked(a9PrivateTimer, 2, { 'clock-hz': 1_000_000_000 });
  t.on(1).wd(TWD_LOAD, 100);
  t.on(1).wd(TWD_CONTROL, 0b101); // enable, IRQ enable, single-shot
  t.on(0).wd(TWD_LOAD, 500);
  assert.equal(t.on(0).rd(TWD_LOAD), 500);
  assert.equal(t.on(1).rd(TWD_LOAD), 100);
  assert.equal(t.on(0).rd(TWD_CONTROL), 0, 'core 0\'s timer is not enabled');
  t.ctx.advanceTo(100);
  assert.equal(t.out(1, 0), true, 'core 1\'s timer interrupt');
  assert.equal(t.out(0, 0), false);
  assert.equal(t.on(1).rd(TWD_STATUS), 1);
  assert.equal(t.on(0).rd(TWD_STATUS), 0);
  assert.equal(t.on(0).rd(TWD_COUNTER), 500, 'core 0\'s counter is stopped at its load value');
  t.on(1).wd(TWD_STATUS, 1);
  assert.equal(t.out(1, 0), false);

  // Core 0's watchdog (timer mode) fires on core 0's second output.
  t.on(0).wd(WDT_LOAD, 50);
  t.on(0).wd(WDT_CONTROL, 0b101);
  t.ctx.advanceTo(200);
  assert.equal(t.out(0, 1), true);
  assert.equal(t.out(1, 1), false);
  assert.equal(t.on(0).rd(WDT_STATUS), 1);
  assert.equal(t.on(1).rd(WDT_STATUS), 0);
});

test('private timer snapshots with several cores round-trip and re-arm each core\'s timer', () => {
  const t = banked(a9PrivateTimer, 2, { 'clock-hz': 1_000_000_000 });
  t.on(1).wd(TWD_LOAD, 300);
  t.on(1).wd(TWD_CONTROL, 0b111);
  t.ctx.advanceTo(50);
  const s = JSON.parse(JSON.stringify(t.dev.snapshot()));
  assert.deepEqual(Object.keys(s.state), ['timer', 'watchdog', 'resetFlag', 'disableStep', 'cores']);
  const fresh = banked(a9PrivateTimer, 2, { 'clock-hz': 1_000_000_000 });
  fresh.ctx.time = 50;
  fresh.dev.restore(s);
  assert.deepEqual(fresh.dev.snapshot(), t.dev.snapshot());
  fresh.ctx.advanceTo(300);
  assert.equal(fresh.out(1, 0), true);
  assert.equal(fresh.out(0, 0), false);
  assert.deepEqual(Object.keys(createDevice(a9PrivateTimer).dev.snapshot().state), ['timer', 'watchdog', 'resetFlag', 'disableStep']);
});

// ---------------------------------------------------------------- global timer

const GT_LO = 0x00, GT_CONTROL = 0x08, GT_STATUS = 0x0c, GT_CMP_LO = 0x10, GT_CMP_HI = 0x14, GT_INC = 0x18;

test('the global timer counter is shared; comparators, their control bits and event flags are per core', () => {
  const t = banked(a9GlobalTimer, 2, { 'clock-hz': 1_000_000_000 });
  t.on(1).wd(GT_CMP_LO, 300);
  t.on(1).wd(GT_CMP_HI, 0);
  t.on(1).wd(GT_CONTROL, 0b0111); // timer enable (shared), comparator enable + IRQ enable (core 1's)
  t.on(0).wd(GT_CMP_LO, 100);
  assert.equal(t.on(0).rd(GT_CONTROL), 0b0001, 'core 0 sees the shared enable bit only');
  assert.equal(t.on(1).rd(GT_CONTROL), 0b0111);
  t.ctx.advanceTo(150);
  assert.equal(t.on(0).rd(GT_LO), 150);
  assert.equal(t.on(1).rd(GT_LO), 150, 'one counter for both cores');
  assert.equal(t.on(0).rd(GT_STATUS), 0, 'core 0\'s comparator is not enabled');
  t.ctx.advanceTo(300);
  assert.equal(t.on(1).rd(GT_STATUS), 1);
  assert.equal(t.out(1), true);
  assert.equal(t.out(0), false);
  assert.equal(t.on(0).rd(GT_CMP_LO), 100);
  assert.equal(t.on(1).rd(GT_CMP_LO), 300);
  t.on(1).wd(GT_CMP_LO, 10_000); // past the counter again: clearing the flag now sticks
  t.on(1).wd(GT_STATUS, 1);
  assert.equal(t.out(1), false);

  // Core 0 turns on its comparator with auto-increment: it fires on core 0 only.
  t.on(0).wd(GT_CMP_LO, 400);
  t.on(0).wd(GT_INC, 100);
  t.on(0).wd(GT_CONTROL, 0b1111);
  assert.equal(t.on(1).rd(GT_CONTROL), 0b0111, 'core 0\'s banked bits leave core 1\'s');
  assert.equal(t.on(1).rd(GT_INC), 0);
  t.ctx.advanceTo(400);
  assert.equal(t.out(0), true);
  assert.equal(t.out(1), false);
  assert.equal(t.on(0).rd(GT_CMP_LO), 500, 'auto-incremented');

  // The timer enable bit is shared: core 1 stops the counter for both.
  t.on(1).wd(GT_CONTROL, 0b0110);
  assert.equal(t.on(0).rd(GT_CONTROL) & 1, 0);
  const s = JSON.parse(JSON.stringify(t.dev.snapshot()));
  const fresh = banked(a9GlobalTimer, 2, { 'clock-hz': 1_000_000_000 });
  fresh.dev.restore(s);
  assert.deepEqual(fresh.dev.snapshot(), t.dev.snapshot());
  assert.equal(fresh.on(1).rd(GT_CONTROL), 0b0110);
  assert.equal(fresh.on(0).rd(GT_CONTROL), 0b1110);
  assert.deepEqual(Object.keys(createDevice(a9GlobalTimer).dev.snapshot().state), ['control', 'status', 'compare', 'increment', 'counterRef', 'refTime', 'eventDue']);
});

// ---------------------------------------------------------------- SCU

test('the SCU reports the number of cores in SCU_CONFIG (CPU number and SMP bits)', () => {
  for (const [cores, config] of [[1, 0x10], [2, 0x31], [3, 0x72], [4, 0xf3]]) {
    assert.equal(a9Scu.create(new TestContext('scu', cores), {}).read(0, 0x04, 4), config, `${cores} cores`);
  }
  assert.equal(a9Scu.create(new TestContext('scu', 1, 2), {}).read(0, 0x04, 4), 0x31, 'a two-core cluster running one core');
});

// ---------------------------------------------------------------- a real two-core machine

/**
 * A32 code that performs `ops` in order: ['w', address, value] stores a
 * word, ['r', address] loads one and appends it to the buffer r9 points at;
 * then it spins. Addresses and values are loaded from a literal pool after the code.
 */
function assemble(ops: Array<['w', number, number] | ['r', number]>): number[] {
  const code: Array<{ word: number; lit?: number }> = [];
  const pool: number[] = [];
  const literal = (rd: number, v: number) => { code.push({ word: 0xe59f0000 | (rd << 12), lit: pool.length }); pool.push(v >>> 0); };
  for (const op of ops) {
    literal(0, op[1]);
    if (op[0] === 'w') { literal(1, op[2]); code.push({ word: 0xe5801000 }); } // str r1, [r0]
    else code.push({ word: 0xe5901000 }, { word: 0xe4891004 }); // ldr r1, [r0]; str r1, [r9], #4
  }
  code.push({ word: 0xeafffffe }); // b .
  const words = code.map((c, i) => (c.lit === undefined ? c.word : c.word | ((code.length + c.lit) * 4 - (i * 4 + 8))));
  return [...words, ...pool].map((w) => w >>> 0);
}

const VX_GICD = 0x1e001000, VX_GICC = 0x1e000100, VX_TWD = 0x1e000600, VX_SCU = 0x1e000000;
const RAM = 0x60000000;

/**
 * Runs `ops[k]` on core k (code and results in RAM; a core whose ops are
 * undefined goes on with what it was doing) for `ticks`, and returns what
 * each core loaded.
 */
function onCores(m: Machine, ops: Array<Array<['w', number, number] | ['r', number]> | undefined>, ticks = 3000): number[][] {
  const results = ops.map((o, k) => {
    if (!o) return { out: 0, count: 0 };
    const code = RAM + 0x10000 * (k + 1);
    const out = code + 0x8000;
    assemble(o).forEach((w, i) => m.bus.write32(code + 4 * i, w));
    for (let i = 0; i < 16; i++) m.bus.write32(out + 4 * i, 0xdeadbeef);
    const cpu = m.cpus[k];
    cpu.pc = code;
    cpu.r[9] = out;
    return { out, count: o.filter((x) => x[0] === 'r').length };
  });
  m.run(ticks);
  return results.map(({ out, count }) => Array.from({ length: count }, (_, i) => m.bus.read32(out + 4 * i) >>> 0));
}

test('on a two-core vexpress-a9, an SGI from core 0 reaches core 1 with source ID 0, and each core reads its own banked registers', () => {
  const m = bootBoard({ board: boardSpec('vexpress-a9'), cores: 2 }).machine;
  const [c0, c1] = onCores(m, [
    [['w', VX_GICD + GICD_CTLR, 1], ['w', VX_GICC + CTLR, 1], ['w', VX_GICC + PMR, 0xff],
      ['w', VX_GICD + SGIR, (0b10 << 16) | 5], ['r', VX_GICC + IAR], ['r', VX_GICD + ITARGETSR], ['r', VX_GICD + GICD_TYPER], ['r', VX_SCU + 4]],
    [['w', VX_GICC + CTLR, 1], ['w', VX_GICC + PMR, 0xff], ['r', VX_GICC + IAR], ['r', VX_GICD + ITARGETSR], ['r', VX_GICD + GICD_TYPER], ['r', VX_SCU + 4]],
  ]);
  assert.deepEqual(c0, [1023, 0x01010101, 0x22, 0x31], 'core 0: nothing to take, its own target bit, CPUNumber 1, two SMP cores');
  assert.deepEqual(c1, [5, 0x02020202, 0x22, 0x31], 'core 1: SGI 5 from core 0, its own target bit');

  // Core 1 answers with SGI 7 to every core but itself: core 0 takes it with source ID 1.
  const [d0, d1] = onCores(m, [[], [['w', VX_GICC + EOIR, 5], ['w', VX_GICD + SGIR, (1 << 24) | 7]]]);
  assert.deepEqual([d0, d1], [[], []]);
  assert.equal(m.cpus[0].irqLine, true, 'core 0\'s IRQ line is up');
  assert.equal(m.cpus[1].irqLine, false);
  const [e0] = onCores(m, [[['r', VX_GICC + IAR]], []]);
  assert.deepEqual(e0, [7 | (1 << 10)]);
});

test('on a two-core vexpress-a9, core 1\'s private timer interrupts core 1 through its PPI 29, not core 0', () => {
  const m = bootBoard({ board: boardSpec('vexpress-a9'), cores: 2 }).machine;
  const [, loaded] = onCores(m, [
    [['w', VX_GICD + GICD_CTLR, 1], ['w', VX_GICC + CTLR, 1], ['w', VX_GICC + PMR, 0xff], ['w', VX_GICD + ISENABLER, 1 << 29]],
    [['w', VX_GICC + CTLR, 1], ['w', VX_GICC + PMR, 0xff], ['w', VX_GICD + ISENABLER, 1 << 29],
      ['w', VX_TWD + TWD_LOAD, 100], ['w', VX_TWD + TWD_CONTROL, 0b101], ['r', VX_TWD + TWD_LOAD]],
  ]);
  assert.deepEqual(loaded, [100], 'core 1 reads back its own load value');
  const [a0] = onCores(m, [[['r', VX_TWD + TWD_LOAD], ['r', VX_TWD + TWD_CONTROL]], undefined]);
  assert.deepEqual(a0, [0, 0], 'core 0 sees its own, idle timer');
  assert.equal(m.cpus[1].irqLine, true, 'core 1 is interrupted');
  assert.equal(m.cpus[0].irqLine, false, 'core 0 is not');
  const [b0, b1] = onCores(m, [[['r', VX_GICC + IAR], ['r', VX_TWD + TWD_STATUS]], [['r', VX_GICC + IAR], ['r', VX_TWD + TWD_STATUS]]]);
  assert.deepEqual(b0, [1023, 0]);
  assert.deepEqual(b1, [29, 1]);
});


test('a two-core machine restored from a snapshot mid-activity continues like the original (banked GIC and timer state)', () => {
  const setUp = () => {
    const m = bootBoard({ board: boardSpec('vexpress-a9'), cores: 2 }).machine;
    onCores(m, [
      [['w', VX_GICD + GICD_CTLR, 1], ['w', VX_GICC + CTLR, 1], ['w', VX_GICC + PMR, 0xff], ['w', VX_GICD + SGIR, (0b10 << 16) | 4]],
      [['w', VX_GICC + CTLR, 1], ['w', VX_GICC + PMR, 0xf0], ['w', VX_GICD + ISENABLER, 1 << 29],
        ['w', VX_TWD + TWD_LOAD, 400], ['w', VX_TWD + TWD_CONTROL, 0b111]],
    ], 1500);
    return m;
  };
  const a = setUp();
  // The state without RAM (each run below writes the code it executes).
  const b = bootBoard({ board: boardSpec('vexpress-a9'), cores: 2 }).machine;
  b.restoreState(JSON.parse(JSON.stringify(a.stateSnapshot())));
  assert.deepEqual(b.stateSnapshot(), a.stateSnapshot());
  type Ops = Array<Array<['w', number, number] | ['r', number]> | undefined>;
  const first: Ops = [[['r', VX_GICC + IAR], ['r', VX_TWD + TWD_CONTROL]], [['r', VX_GICC + IAR], ['r', VX_GICC + IAR], ['w', VX_GICC + EOIR, 4]]];
  const then: Ops = [undefined, [['r', VX_GICC + IAR], ['r', VX_TWD + TWD_STATUS], ['r', VX_GICC + PMR]]];
  const ra = [onCores(a, first, 6000), onCores(a, then)];
  const rb = [onCores(b, first, 6000), onCores(b, then)];
  assert.deepEqual(rb, ra);
  assert.deepEqual(ra[0], [[1023, 0], [4, 1023]], 'core 1 takes the SGI from core 0; nothing preempts it');
  assert.deepEqual(ra[1][1], [29, 1, 0xf0], 'then its own timer\'s PPI, with its own priority mask');
  assert.deepEqual(b.stateSnapshot(), a.stateSnapshot());
});
