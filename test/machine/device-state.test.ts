/**
 * Device state declared as data (machine/devices/state.ts), register fields
 * with access modes (register-map.ts) and snapshot versions: what a restore
 * refuses, what it migrates.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDevice, TestContext } from '../support/device-harness';
import { ns16550 } from '../../machine/devices/ns16550';
import { RegisterMap } from '../../machine/devices/register-map';
import { DeclaredStateDevice, type StateDecl, type StateMigration } from '../../machine/devices/state';
import type { DeviceSnapshot } from '../../machine/devices/device';
import { Cpu, migrateCpuSnapshotV1, type CpuSnapshotV1 } from '../../machine/cpu/cpu';
import { Bus } from '../../machine/bus';
import { MODE_FIQ, MODE_IRQ, MODE_SVC } from '../../machine/cpu/modes';
import { createMachine } from '../../scenario/boards';

test('restoring a device snapshot with a missing, undeclared or mistyped field names the device and the field, and changes nothing', () => {
  const { dev } = createDevice(ns16550, {}, 'uartd');
  dev.write(0, 4 * 7, 1, 0x5a); // SCR
  const s = dev.snapshot();
  const { ier: _ier, ...missing } = s.state;
  assert.throws(() => dev.restore({ ...s, state: missing }), /^Error: device uartd: snapshot lacks field 'ier'$/);
  assert.throws(() => dev.restore({ ...s, state: { ...s.state, ierX: 1 } }), /device uartd: snapshot has field 'ierX', which this device does not declare/);
  assert.throws(() => dev.restore({ ...s, state: { ...s.state, lcr: 'three' } }), /device uartd: snapshot field 'lcr' must be a 32-bit number \(got "three"\)/);
  assert.throws(() => dev.restore({ ...s, state: { ...s.state, rx: [1, 2, 'x'] } }), /device uartd: snapshot field 'rx' must be a list of 32-bit numbers/);
  assert.throws(() => dev.restore({ ...s, state: { ...s.state, fifoEnabled: 1 } }), /device uartd: snapshot field 'fifoEnabled' must be true or false/);
  // A refused snapshot left the device as it was.
  assert.equal(dev.read(0, 4 * 7, 1), 0x5a);
  assert.deepEqual(dev.snapshot(), s);
});

test('register fields declare their access modes: rw stored, ro kept, w1c cleared by writing one, wo read as zero, reserved bits read as zero and ignored', () => {
  const ctx = new TestContext('regs');
  const writes: number[] = [];
  const map = new RegisterMap(ctx, [{
    offset: 0, name: 'CTRL', reset: 0x0000_0f00,
    fields: [
      { name: 'EN', bits: 0, access: 'rw' },
      { name: 'MODE', bits: [3, 1], access: 'rw' },
      { name: 'ID', bits: [11, 8], access: 'ro' },
      { name: 'STATUS', bits: [17, 16], access: 'w1c' },
      { name: 'KICK', bits: 24, access: 'wo' },
    ],
    write: (v) => { writes.push(v); },
  }]);
  map.write(0, 4, 0xffff_ffff);
  // EN and MODE stored, ID kept, STATUS (0) stays 0, KICK stored but not readable, the rest reserved.
  assert.equal(map.read(0, 4), 0x0000_0f0f);
  assert.equal(map.get('CTRL'), 0x0100_0f0f);
  map.set('CTRL', map.get('CTRL') | 0x0003_0000); // the device raises both STATUS bits
  assert.equal(map.read(0, 4), 0x0003_0f0f);
  map.write(0, 4, 0x0001_0000 | 0x0f0f); // clear STATUS bit 16 only
  assert.equal(map.read(0, 4), 0x0002_0f0f);
  map.write(0, 1, 0x00); // a byte write reaches only EN and MODE
  assert.equal(map.read(0, 4), 0x0002_0f00);
  assert.equal(writes.length, 3);
  assert.throws(() => new RegisterMap(ctx, [{ offset: 0, name: 'X', fields: [{ name: 'A', bits: [3, 0], access: 'rw' }, { name: 'B', bits: 2, access: 'ro' }] }]), /fields of register X overlap at B/);
});

/** A fixture device at state version 3 whose version-2 snapshots called `count` `ticks`; version 1 has no migration. */
class Counter extends DeclaredStateDevice {
  readonly name = 'counter0';
  readonly type = 'test,counter';
  readonly stateFields: StateDecl = { count: 'u32', due: 'int?' };
  count = 0;
  due: number | null = null;
  override get stateVersion(): number { return 3; }
  override get stateMigrations(): Record<number, StateMigration> {
    return { 2: ({ ticks, ...rest }) => ({ ...rest, count: ticks }) };
  }
}

test('a device snapshot of an older version is migrated; one that no migration reaches is refused naming both versions', () => {
  const dev = new Counter();
  dev.restore({ type: 'test,counter', version: 2, state: { ticks: 41, due: 5 } } as DeviceSnapshot);
  assert.equal(dev.count, 41);
  assert.deepEqual(dev.snapshot(), { type: 'test,counter', version: 3, state: { count: 41, due: 5 } });
  assert.throws(() => dev.restore({ type: 'test,counter', version: 1, state: {} }), /device counter0: snapshot format 1 is not supported by this bringup \(it reads format 3; no migration from 1\)/);
  assert.throws(() => dev.restore({ type: 'test,counter', version: 4, state: {} }), /device counter0: snapshot format 4 is not supported by this bringup \(it reads format 3 and migrates format 2\)/);
});

function cpuWithBanks(): Cpu {
  const cpu = new Cpu(new Bus());
  cpu.changeMode(MODE_FIQ);
  for (let k = 8; k < 15; k++) cpu.r[k] = 0xf000 + k;
  cpu.setCurrentSpsr(0x60000010);
  cpu.changeMode(MODE_IRQ);
  cpu.r[13] = 0x1113; cpu.r[14] = 0x1114;
  cpu.changeMode(MODE_SVC);
  for (let k = 0; k < 13; k++) cpu.r[k] = 0x100 + k;
  cpu.r[13] = 0x3313; cpu.r[14] = 0x3314;
  cpu.pc = 0x8000;
  return cpu;
}

test('a CPU snapshot names registers architecturally (every bank, CPSR, SPSRs); version 1 is migrated, other versions refused naming both', () => {
  const cpu = cpuWithBanks();
  const s = cpu.snapshot();
  assert.equal(s.version, 2);
  assert.equal(s.registers.r8_fiq, 0xf008);
  assert.equal(s.registers.r8_usr, 0x108);
  assert.equal(s.registers.sp_irq, 0x1113);
  assert.equal(s.registers.lr_svc, 0x3314);
  assert.equal(s.registers.pc, 0x8000);
  assert.equal(s.spsr.fiq, 0x60000010);
  assert.equal(s.cpsr & 0x1f, MODE_SVC);
  // The version-1 form of the same state (the simulator's arrays) migrates to exactly it.
  const v1: CpuSnapshotV1 = {
    version: 1, r: Array.from(cpu.r), pc: cpu.pc, n: cpu.n, z: cpu.z, c: cpu.c, v: cpu.v, q: cpu.q, ge: cpu.ge,
    mode: cpu.mode, t: cpu.t, e: cpu.e, a: cpu.a, i: cpu.i, f: cpu.f, it: cpu.it,
    spsr: Array.from(cpu.spsr), bankSp: Array.from(cpu.bankSp), bankLr: Array.from(cpu.bankLr),
    usrHigh: Array.from(cpu.usrHigh), fiqHigh: Array.from(cpu.fiqHigh),
    icount: cpu.icount, waiting: cpu.waiting, eventRegister: cpu.eventRegister,
    monitorAddr: cpu.monitorAddr, monitorActive: cpu.monitorActive,
    cp15: s.cp15, mmu: s.mmu, vfp: s.vfp,
  };
  assert.deepEqual(migrateCpuSnapshotV1(v1), s);
  const other = new Cpu(new Bus());
  other.restore(v1);
  assert.deepEqual(other.snapshot(), s);
  other.changeMode(MODE_FIQ);
  assert.equal(other.r[8], 0xf008);
  assert.throws(() => other.restore({ ...s, version: 3 }), /CPU snapshot version 3 is not supported by this bringup \(it reads version 2 and migrates version 1\)/);
});

test('a machine snapshot of format 3 is migrated (its CPU part); older formats are refused naming both versions', () => {
  const m = createMachine('tegra2-xoom');
  const state = m.stateSnapshot();
  assert.equal(state.version, 4);
  const cpu = m.cpu;
  const v3 = {
    ...state, version: 3,
    cpu: {
      version: 1, r: Array.from(cpu.r), pc: cpu.pc, n: cpu.n, z: cpu.z, c: cpu.c, v: cpu.v, q: cpu.q, ge: cpu.ge,
      mode: cpu.mode, t: cpu.t, e: cpu.e, a: cpu.a, i: cpu.i, f: cpu.f, it: cpu.it,
      spsr: Array.from(cpu.spsr), bankSp: Array.from(cpu.bankSp), bankLr: Array.from(cpu.bankLr),
      usrHigh: Array.from(cpu.usrHigh), fiqHigh: Array.from(cpu.fiqHigh),
      icount: cpu.icount, waiting: cpu.waiting, eventRegister: cpu.eventRegister,
      monitorAddr: cpu.monitorAddr, monitorActive: cpu.monitorActive,
      cp15: state.cpu.cp15, mmu: state.cpu.mmu, vfp: state.cpu.vfp,
    },
  };
  const fresh = createMachine('tegra2-xoom');
  fresh.restoreState(JSON.parse(JSON.stringify(v3)));
  assert.deepEqual(fresh.stateSnapshot(), state);
  assert.throws(() => fresh.restoreState({ ...state, version: 2 }), /machine snapshot format 2 is not supported by this bringup \(it reads format 4 and migrates format 3\)/);
});
