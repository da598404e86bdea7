/**
 * CPU1 of the Tegra20 starts held in reset with its clock stopped and is
 * released the Tegra way (Linux tegra20_boot_secondary, 2.6.3x
 * boot_secondary): EVP CPU reset vector, CAR CLK_CPU_CMPLX and
 * RST_CPU_CMPLX_SET/CLR, flow controller HALT_CPU1_EVENTS.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tegraCar } from '../../machine/devices/tegra/car';
import { tegraFlow } from '../../machine/devices/tegra/flow';
import { tegraEvp } from '../../machine/devices/tegra/evp';
import { bootMachine } from '../../machine/boot/boot-machine';
import { boardSpec } from '../../scenario/boards';
import { createDevice } from '../support/device-harness';

const CLK_CPU_CMPLX = 0x04c;
const RST_CPU_CMPLX_SET = 0x340;
const RST_CPU_CMPLX_CLR = 0x344;
const HALT_CPU1_EVENTS = 0x14;
const CPU1_CSR = 0x18;
const FLOW_CTRL_WAITEVENT = (2 << 29) >>> 0;
const FLOW_CTRL_WAIT_FOR_INTERRUPT = (4 << 29) >>> 0;

test('CAR holds CPU1 in reset with its clock stopped from reset on', () => {
  const { dev, ctx } = createDevice(tegraCar, {}, 'car', 2);
  assert.equal(ctx.coreControl.isHeld(1, 'reset'), true);
  assert.equal(ctx.coreControl.isHeld(1, 'clock'), true);
  assert.equal(ctx.coreControl.isHeld(0), false, 'CPU0 runs');
  assert.equal(dev.read(0, CLK_CPU_CMPLX, 4) & (1 << 9), 1 << 9);
  assert.equal(dev.read(0, RST_CPU_CMPLX_SET, 4) & 0x2222, 0x2222);
});

test('CAR releases CPU1 from its clock stop by CLK_CPU_CMPLX bit 9 and from reset by RST_CPU_CMPLX_CLR', () => {
  const { dev, ctx } = createDevice(tegraCar, {}, 'car', 2);
  const control = ctx.coreControl;
  // tegra20_boot_secondary: force reset, enable the clock, then take it out of reset.
  dev.write(0, RST_CPU_CMPLX_SET, 4, 0x2222);
  assert.equal(control.isHeld(1, 'reset'), true);
  dev.write(0, CLK_CPU_CMPLX, 4, dev.read(0, CLK_CPU_CMPLX, 4) & ~(1 << 9));
  assert.equal(control.isHeld(1, 'clock'), false);
  assert.equal(control.isHeld(1, 'reset'), true, 'still in reset');
  dev.write(0, RST_CPU_CMPLX_CLR, 4, 0x2222);
  assert.equal(control.isHeld(1), false);
  assert.equal(dev.read(0, RST_CPU_CMPLX_CLR, 4) & 0x2222, 0);
  // Putting it back: reset set again, clock stopped again.
  dev.write(0, RST_CPU_CMPLX_SET, 4, 0x0002);
  assert.equal(control.isHeld(1, 'reset'), true);
  dev.write(0, CLK_CPU_CMPLX, 4, 1 << 9);
  assert.equal(control.isHeld(1, 'clock'), true);
  // A device reset puts CPU1 back in reset with its clock stopped.
  dev.write(0, RST_CPU_CMPLX_CLR, 4, 0x2222);
  dev.write(0, CLK_CPU_CMPLX, 4, 0);
  assert.equal(control.isHeld(1), false);
  dev.reset();
  assert.equal(control.isHeld(1, 'reset'), true);
  assert.equal(control.isHeld(1, 'clock'), true);
});

test('CAR, flow controller: byte writes to the CPU1 controls hold and release it like word writes', () => {
  const { dev, ctx } = createDevice(tegraCar, {}, 'car', 2);
  dev.write(0, RST_CPU_CMPLX_CLR, 1, 0x22);
  assert.equal(ctx.coreControl.isHeld(1, 'reset'), false);
  assert.equal(ctx.coreControl.isHeld(1, 'clock'), true);
  dev.write(0, CLK_CPU_CMPLX + 1, 1, 0x00); // bits 15:8: CPU1's clock-stop bit 9 cleared
  assert.equal(ctx.coreControl.isHeld(1, 'clock'), false);
  dev.write(0, CLK_CPU_CMPLX + 1, 1, 0x02);
  assert.equal(ctx.coreControl.isHeld(1, 'clock'), true);
  const flow = createDevice(tegraFlow, {}, 'flow', 2);
  flow.dev.write(0, HALT_CPU1_EVENTS + 3, 1, 0x40); // bits 31:24: mode 2 (wait for event)
  assert.equal(flow.ctx.coreControl.isHeld(1, 'halt'), true);
  flow.dev.write(0, HALT_CPU1_EVENTS + 3, 1, 0x20); // mode 1 (run and interrupt)
  assert.equal(flow.ctx.coreControl.isHeld(1, 'halt'), false);
});

test('flow controller halts CPU1 in the stopping modes of HALT_CPU1_EVENTS and lets it run in modes 0 and 1', () => {
  const { dev, ctx } = createDevice(tegraFlow, {}, 'flow', 2);
  const control = ctx.coreControl;
  assert.equal(control.isHeld(1, 'halt'), false, 'not halted at reset');
  for (let mode = 0; mode < 8; mode++) {
    dev.write(0, HALT_CPU1_EVENTS, 4, (mode << 29) >>> 0);
    assert.equal(control.isHeld(1, 'halt'), mode >= 2, `mode ${mode}`);
  }
  dev.write(0, HALT_CPU1_EVENTS, 4, FLOW_CTRL_WAIT_FOR_INTERRUPT | (1 << 10));
  assert.equal(control.isHeld(1, 'halt'), true);
  dev.write(0, CPU1_CSR, 4, 0);
  assert.equal(control.isHeld(1, 'halt'), true, 'clearing the CSR does not unhalt');
  dev.write(0, HALT_CPU1_EVENTS, 4, 0);
  assert.equal(control.isHeld(1, 'halt'), false);
  dev.write(0, HALT_CPU1_EVENTS, 4, FLOW_CTRL_WAITEVENT);
  dev.reset();
  assert.equal(control.isHeld(1, 'halt'), false, 'a reset leaves mode 0');
  // HALT_CPU0_EVENTS does not hold any core.
  dev.write(0, 0x00, 4, FLOW_CTRL_WAITEVENT);
  assert.equal(control.isHeld(0), false);
});

test('EVP CPU reset vector is where CPU1 starts: set at reset and on every write', () => {
  const { dev, ctx } = createDevice(tegraEvp, { 'reset-vector': 0xfff00000 }, 'evp', 2);
  assert.equal(ctx.coreControl.resetVectors[1], 0xfff00000);
  dev.write(0, 0x100, 4, 0x40000000);
  assert.equal(ctx.coreControl.resetVectors[1], 0x40000000);
  assert.equal(dev.read(0, 0x100, 4), 0x40000000);
  dev.write(0, 0x102, 2, 0x1234);
  assert.equal(ctx.coreControl.resetVectors[1], 0x12340000);
  dev.write(0, 0x104, 4, 0x5555); // another vector: not CPU1's start
  assert.equal(ctx.coreControl.resetVectors[1], 0x12340000);
  dev.reset();
  assert.equal(ctx.coreControl.resetVectors[1], 0xfff00000);
});

// ---- through a real two-core machine ----

const EVP = 0x6000f000;
const CAR = 0x60006000;
const FLOW = 0x60007000;
const CORE0_CODE = 0x1000;
const VECTOR = 0x2000;
const MARK = 0x3000;
const COUNT = 0x3004;

/** movw rd, #imm16 */
const movw = (rd: number, imm: number) => (0xe3000000 | ((imm >>> 12) << 16) | (rd << 12) | (imm & 0xfff)) >>> 0;

function twoCoreXoom() {
  const { machine } = bootMachine({ board: boardSpec('tegra2-xoom'), cores: 2 });
  const put = (at: number, words: number[]) => words.forEach((w, i) => machine.bus.write32(at + 4 * i, w));
  put(CORE0_CODE, [0xeafffffe]); // b .
  put(VECTOR, [
    0xee100fb0, // mrc p15, 0, r0, c0, c0, 5   (MPIDR)
    movw(1, MARK),
    0xe5810000, // str r0, [r1]
    movw(1, COUNT),
    0xe2822001, // loop: add r2, r2, #1
    0xe5812000, // str r2, [r1]
    0xeafffffc, // b loop
  ]);
  machine.cpus[0].pc = CORE0_CODE;
  return machine;
}

test('core 1 of a two-core tegra2-xoom does not run until released the Tegra way, then starts at the EVP vector with MPIDR 0x80000001', () => {
  const machine = twoCoreXoom();
  const bus = machine.bus;
  const pc1 = machine.cpus[1].pc;
  machine.run(20_000);
  assert.equal(bus.read32(MARK), 0, 'core 1 has not run');
  assert.equal(machine.cpus[1].pc, pc1);

  // tegra20_boot_secondary, from outside any core's turn (as core 0 would).
  bus.write32(EVP + 0x100, VECTOR);
  bus.write32(CAR + RST_CPU_CMPLX_SET, 0x2222);
  bus.write32(FLOW + HALT_CPU1_EVENTS, 0);
  bus.write32(CAR + CLK_CPU_CMPLX, bus.read32(CAR + CLK_CPU_CMPLX) & ~(1 << 9));
  bus.write32(FLOW + CPU1_CSR, 0);
  machine.run(20_000);
  assert.equal(bus.read32(MARK), 0, 'clock running but still in reset');

  bus.write32(CAR + RST_CPU_CMPLX_CLR, 0x2222);
  machine.run(20_000);
  assert.equal(bus.read32(MARK) >>> 0, 0x80000001, 'core 1 ran from the EVP vector and read its MPIDR');
  assert.ok(bus.read32(COUNT) > 0);
  assert.equal(machine.cpus[0].pc, CORE0_CODE, 'core 0 still in its loop');
});

test('core 1 of a two-core tegra2-xoom stops while the flow controller halts it and continues where it stopped', () => {
  const machine = twoCoreXoom();
  const bus = machine.bus;
  bus.write32(EVP + 0x100, VECTOR);
  bus.write32(CAR + CLK_CPU_CMPLX, 0);
  bus.write32(CAR + RST_CPU_CMPLX_CLR, 0x2222);
  machine.run(20_000);
  assert.equal(bus.read32(MARK) >>> 0, 0x80000001);

  bus.write32(FLOW + HALT_CPU1_EVENTS, FLOW_CTRL_WAITEVENT);
  const counted = bus.read32(COUNT);
  machine.run(20_000);
  assert.equal(bus.read32(COUNT), counted, 'halted');
  bus.write32(MARK, 0);
  bus.write32(FLOW + HALT_CPU1_EVENTS, 0);
  machine.run(20_000);
  assert.ok(bus.read32(COUNT) > counted, 'runs again');
  assert.equal(bus.read32(MARK), 0, 'continued where it stopped, not from its reset vector');

  // Stopping its clock pauses it the same way; a reset restarts it from the vector.
  bus.write32(CAR + CLK_CPU_CMPLX, 1 << 9);
  const paused = bus.read32(COUNT);
  machine.run(20_000);
  assert.equal(bus.read32(COUNT), paused, 'clock stopped');
  bus.write32(CAR + RST_CPU_CMPLX_SET, 0x2222);
  bus.write32(CAR + CLK_CPU_CMPLX, 0);
  bus.write32(CAR + RST_CPU_CMPLX_CLR, 0x2222);
  machine.run(20_000);
  assert.equal(bus.read32(MARK) >>> 0, 0x80000001, 'restarted from the EVP vector');
});

test('a one-core tegra2-xoom ignores the CPU1 controls', () => {
  const { machine } = bootMachine({ board: boardSpec('tegra2-xoom') });
  machine.bus.write32(CORE0_CODE, 0xeafffffe);
  machine.cpu.pc = CORE0_CODE;
  machine.bus.write32(CAR + CLK_CPU_CMPLX, 0);
  machine.bus.write32(CAR + RST_CPU_CMPLX_CLR, 0x2222);
  machine.bus.write32(FLOW + HALT_CPU1_EVENTS, FLOW_CTRL_WAITEVENT);
  assert.equal(machine.run(1000).kind, 'limit');
  assert.equal(machine.cpu.pc, CORE0_CODE);
});

test('the reference hypervisor with maxcpus=2 brings CPU1 up the Tegra way and runs a pinned domain on it', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { ROOT } = await import('../support/environment');
  const { packManifest } = await import('../../scenario/volume-manifest');
  const elf = fs.readFileSync(path.join(ROOT, 'firmware', 'build', 'hypervisor.elf'));
  const { machine, symbols } = bootMachine({
    board: boardSpec('tegra2-xoom'), cores: 2,
    kernel: { name: 'hypervisor.elf', data: elf },
    volume: { name: 'pingpong', data: packManifest(path.join(ROOT, 'firmware', 'volumes', 'pingpong.yaml')) },
    cmdline: 'console=ttyS0 maxcpus=2',
  });
  const start = symbols.find((s) => s.name === 'secondary_start')!.value >>> 0;
  const firstOnCore1: number[] = [];
  machine.probes.exec.at(start, (cpu) => { firstOnCore1.push(machine.cpus.indexOf(cpu)); return false; });
  let out = '';
  machine.probes.console.subscribe((_d, data) => { out += Buffer.from(data).toString('latin1'); });
  let stop;
  do stop = machine.run(1_000_000); while (stop.kind === 'limit' && machine.now() < 50_000_000);
  assert.equal(stop.kind, 'idle', out);
  assert.deepEqual(firstOnCore1, [1], 'core 1 (and only core 1) starts at the EVP vector, secondary_start');
  assert.match(out, /^smp: CPU1 up \(MPIDR 0x80000001\)$/m);
  assert.match(out, /^smp: CPU1 online \(started at 0x[0-9a-f]{8} by the EVP reset vector\), 2 CPUs; CPU1 tick: TMR2 \(ID 33\)$/m);
  assert.match(out, /^dom1 dom1: pinned to CPU1$/m);
  assert.match(out, /^\[dom1\] ping 10\/10$/m);
  assert.match(out, /^bringup-hyp: power off$/m);
  assert.doesNotMatch(out, /WATCHDOG|FAULT|PANIC/);
});

test('a snapshot of a two-core tegra2-xoom keeps CPU1 held and its EVP vector: restored, it is released the same way', () => {
  const a = twoCoreXoom();
  a.bus.write32(EVP + 0x100, VECTOR);
  a.bus.write32(CAR + CLK_CPU_CMPLX, 0); // clock on, still in reset
  a.run(10_000);
  const snap = a.snapshot();
  const b = twoCoreXoom();
  b.bus.write32(EVP + 0x100, 0x4000); // overwritten by the restore
  b.restore(snap);
  assert.equal(b.coreControl.isHeld(1, 'reset'), true);
  assert.equal(b.coreControl.isHeld(1, 'clock'), false);
  b.bus.write32(CAR + RST_CPU_CMPLX_CLR, 0x2222);
  b.run(20_000);
  assert.equal(b.bus.read32(MARK) >>> 0, 0x80000001, 'started at the restored EVP vector');
});
