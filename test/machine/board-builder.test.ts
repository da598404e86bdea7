import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../machine/machine';
import type { BoardSpec } from '../../machine/boards/board-spec';
import type { Device, DeviceContext, DeviceType } from '../../machine/devices/device';

/** A device with one register: writing 1/0 to offset 0 drives its interrupt output. */
const source: DeviceType = {
  type: 'test,source', description: 'interrupt source', regions: ['registers'], regionSizes: [0x10], irqOutputs: 1,
  create(ctx: DeviceContext): Device {
    let level = 0;
    return {
      name: ctx.name, type: 'test,source',
      read: () => level,
      write: (_r, _o, _s, v) => { level = v & 1; ctx.irq(0).set(level === 1); },
      reset: () => { level = 0; },
      snapshot: () => ({ type: 'test,source', version: 1, state: { level } }),
      restore: (s) => { level = Number(s.state.level); },
    };
  },
};

/** An interrupt controller that records input levels and forwards "any input high" to its output. */
const intc: DeviceType = {
  type: 'test,intc', description: 'or-gate', regions: ['registers'], regionSizes: [0x10], irqOutputs: 1, irqInputs: 8,
  create(ctx: DeviceContext): Device {
    const inputs = new Array<boolean>(8).fill(false);
    return {
      name: ctx.name, type: 'test,intc',
      read: () => inputs.reduce((acc, l, i) => acc | ((l ? 1 : 0) << i), 0),
      write: () => {},
      setInput: (line, level) => { inputs[line] = level; ctx.irq(0).set(inputs.some(Boolean)); },
      reset: () => inputs.fill(false),
      snapshot: () => ({ type: 'test,intc', version: 1, state: { inputs: [...inputs] } }),
      restore: (s) => { (s.state.inputs as boolean[]).forEach((l, i) => { inputs[i] = l; }); },
    };
  },
};

const TYPES = new Map([[source.type, source], [intc.type, intc]]);

function board(): BoardSpec {
  return {
    name: 'test', description: 'test', cpu: { model: 'cortex-a9', count: 1, maxCount: 1, clockHz: 1e9 },
    memory: [{ name: 'ram', base: 0x60000000, size: 0x100000 }],
    devices: [
      // Listed before the controller on purpose: wiring must not depend on order.
      { name: 'a', type: 'test,source', regions: { registers: { base: 0x10000000 } }, props: {}, irq: [[{ device: 'intc', line: 3 }]] },
      { name: 'b', type: 'test,source', regions: { registers: { base: 0x10000010 } }, props: {}, irq: [[{ device: 'intc', line: 3 }, { device: 'cpu', line: 1 }]] },
      { name: 'intc', type: 'test,intc', regions: { registers: { base: 0x10000100 } }, props: {}, irq: [[{ device: 'cpu', line: 0 }]] },
    ],
    tagged: [{ name: 'hole', base: 0x20000000, size: 0x1000 }],
    boot: { protocol: 'dtb', ramBase: 0x60000000 },
  };
}

test('devices sharing a 4 KiB page are each reached at their own window', () => {
  const m = new Machine(board(), TYPES);
  m.bus.write32(0x10000010, 1);
  assert.equal(m.bus.read32(0x10000000), 0);
  assert.equal(m.bus.read32(0x10000010), 1);
  assert.throws(() => m.bus.read32(0x10000020), /BusError|Object/);
});

test('an input driven by two outputs is the OR of both, and reaches the CPU through the controller', () => {
  const m = new Machine(board(), TYPES);
  m.bus.write32(0x10000000, 1);
  assert.equal(m.bus.read32(0x10000100), 1 << 3);
  assert.equal(m.cpu.irqLine, true);
  m.bus.write32(0x10000010, 1);
  assert.equal(m.cpu.fiqLine, true);
  m.bus.write32(0x10000000, 0);
  assert.equal(m.bus.read32(0x10000100), 1 << 3, 'b still drives line 3');
  assert.equal(m.cpu.irqLine, true);
  m.bus.write32(0x10000010, 0);
  assert.equal(m.bus.read32(0x10000100), 0);
  assert.equal(m.cpu.irqLine, false);
  assert.equal(m.cpu.fiqLine, false);
});

test('tagged ranges read as zero and are logged once per range and direction', () => {
  const m = new Machine(board(), TYPES);
  assert.equal(m.bus.read32(0x20000004), 0);
  m.bus.read32(0x20000008);
  m.bus.write32(0x20000008, 5);
  assert.deepEqual(m.guestErrors.map((e) => e.source), ['hole', 'hole']);
  assert.match(m.guestErrors[0].message, /reads as zero/);
});

test('a snapshot carries device state and interrupt wires; restore brings both back', () => {
  const m = new Machine(board(), TYPES);
  m.bus.write32(0x10000000, 1);
  const snap = m.snapshot();
  m.bus.write32(0x10000000, 0);
  assert.equal(m.cpu.irqLine, false);
  m.restore(JSON.parse(JSON.stringify(snap, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v))));
  assert.equal(m.cpu.irqLine, true);
  assert.equal(m.bus.read32(0x10000000), 1);
  // The wire knows a is asserting: releasing it lowers the line again.
  m.bus.write32(0x10000000, 0);
  assert.equal(m.cpu.irqLine, false);
});

test('console input from the input log reaches the device at its time', () => {
  const received: Array<[number, string]> = [];
  const uart: DeviceType = {
    type: 'test,uart', description: 'uart', regions: ['registers'], regionSizes: [0x10], irqOutputs: 0,
    create: (ctx) => ({
      name: ctx.name, type: 'test,uart', read: () => 0, write: () => {}, reset: () => {},
      snapshot: () => ({ type: 'test,uart', version: 1, state: {} }), restore: () => {},
      receive: (d) => received.push([ctx.now(), Buffer.from(d).toString()]),
    }),
  };
  const spec = board();
  spec.devices.push({ name: 'uart', type: 'test,uart', regions: { registers: { base: 0x10000200 } }, props: {}, irq: [] });
  const m = new Machine(spec, new Map([...TYPES, [uart.type, uart]]));
  m.bus.write32(0x60000000, 0xeafffffe); // b .
  m.cpu.pc = 0x60000000;
  m.addInput(500, 'uart', Buffer.from('hi'));
  m.addInput(100, 'uart', Buffer.from('first'));
  m.runUntil(1000);
  assert.deepEqual(received, [[100, 'first'], [500, 'hi']]);
});
