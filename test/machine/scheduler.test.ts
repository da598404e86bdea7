/**
 * Several cores on one machine (machine/machine.ts, machine/schedule.ts):
 * the cores take turns on a fixed grid, so the same machine, images and
 * schedule always interleave the same way; stopping and going on, or
 * restoring a snapshot, never changes the interleaving; a seed varies it;
 * the exclusive monitors, WFE/SEV, holds and stalls work across cores.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine } from '../../machine/boot/boot-machine';
import { Machine } from '../../machine/machine';
import { DEVICE_TYPES } from '../../machine/devices/registry';
import type { Schedule } from '../../machine/schedule';
import { QuantumGrid } from '../../machine/schedule';
import { boardSpec } from '../../scenario/boards';

const VEXPRESS = boardSpec('vexpress-a9');
const XOOM = boardSpec('tegra2-xoom');
const DRAM = 0x60000000;
const CODE = DRAM + 0x1000;
const DATA = DRAM + 0x8000;

/** Both cores add 1 to [r0] r3 times with LDREX/STREX, then set done flag [r0 + 4 + 4 * core], SEV, and wait. */
const COUNTER = [
  0xe1901f9f, 0xe2811001, 0xe1802f91, 0xe3520000, 0x1afffffa, 0xe2533001, 0x1afffff8,
  0xee104fb0, 0xe2044003, 0xe2805004, 0xe3a06001, 0xe7856104, 0xe320f004, 0xe320f003, 0xeafffffd,
];
/** Each core appends its core number r3 times to the byte log at r0 + 4 ([r0] is the next index, taken with LDREX/STREX). */
const LOG = [
  0xe1901f9f, 0xe2812001, 0xe1805f92, 0xe3550000, 0x1afffffa, 0xee104fb0, 0xe2044003, 0xe2806004,
  0xe7c64001, 0xe2533001, 0x1afffff4, 0xe320f003, 0xeafffffd,
];
/** Waits with WFE until [r0] != 0, then stores r1 to [r0 + 4] and waits in WFI. */
const WAITER = [0xe5902000, 0xe3520000, 0x1a000001, 0xe320f002, 0xeafffffa, 0xe5801004, 0xe320f003, 0xeafffffd];
/** Counts r3 down, then stores 1 to [r0], DSB, SEV, and waits in WFI. */
const SETTER = [0xe2533001, 0x1afffffd, 0xe3a02001, 0xe5802000, 0xf57ff04f, 0xe320f004, 0xe320f003, 0xeafffffd];

/** vexpress-a9 with 16 MiB of RAM: these tests use a few pages, and snapshots of a small board are quick to compare. */
const SMALL = { ...VEXPRESS, memory: [{ ...VEXPRESS.memory[0], size: 16 << 20 }] };

function machine(schedule?: Schedule, cores = 2, loneCoreShortcut = true): Machine {
  const m = bootMachine({ board: SMALL, cores, schedule }).machine;
  if (loneCoreShortcut) return m;
  return new Machine(SMALL, DEVICE_TYPES, { cores, schedule, loneCoreShortcut });
}

function load(m: Machine, at: number, words: number[]): void {
  words.forEach((w, i) => m.bus.write32(at + 4 * i, w >>> 0));
}

/** Core k runs the code at `pc` with registers r0..r3 as given. */
function start(m: Machine, k: number, pc: number, regs: number[]): void {
  const cpu = m.cpus[k];
  cpu.pc = pc;
  regs.forEach((v, i) => { cpu.r[i] = v; });
}

function logProgram(schedule: Schedule, per = 200): Machine {
  const m = machine(schedule);
  load(m, CODE, LOG);
  start(m, 0, CODE, [DATA, 0, 0, per]);
  start(m, 1, CODE, [DATA, 0, 0, per]);
  return m;
}

function logOrder(m: Machine, entries: number): string {
  return Array.from({ length: entries }, (_, i) => m.bus.read8(DATA + 4 + i)).join('');
}

/** The whole state of a machine that only uses the test's RAM: comparable between runs. */
function fingerprint(m: Machine, scheduler = true): string {
  const ram = Array.from({ length: 0x100 }, (_, i) => m.bus.read32(DATA + 4 * i));
  const state = m.stateSnapshot();
  if (!scheduler) delete state.scheduler;
  return JSON.stringify({ state, ram, now: m.now() });
}

test('MPIDR of core k reads 0x8000000k', () => {
  const m = machine(undefined, 4);
  assert.deepEqual(m.cpus.map((c) => c.cp15.mpidr), [0x80000000, 0x80000001, 0x80000002, 0x80000003]);
});

test('LDREX/STREX counters of two cores lose no update however short the turns (the global monitor fails a STREX after the other core stored)', () => {
  for (const schedule of [{ quantum: 1000, seed: 0 }, { quantum: 3, seed: 0 }, { quantum: 5, seed: 7 }, { quantum: 2, seed: 99 }]) {
    const m = machine(schedule);
    load(m, CODE, COUNTER);
    start(m, 0, CODE, [DATA, 0, 0, 500]);
    start(m, 1, CODE, [DATA, 0, 0, 700]);
    const stop = m.runUntil(200_000);
    assert.equal(stop.kind, 'idle', `quantum ${schedule.quantum} seed ${schedule.seed}`);
    assert.equal(m.bus.read32(DATA), 1200, `quantum ${schedule.quantum} seed ${schedule.seed}`);
    assert.deepEqual([m.bus.read32(DATA + 4), m.bus.read32(DATA + 8)], [1, 1]);
  }
});

test('the same schedule always interleaves the same way; another seed interleaves differently', () => {
  const run = (schedule: Schedule): string => {
    const m = logProgram(schedule);
    assert.equal(m.runUntil(100_000).kind, 'idle');
    return logOrder(m, 400);
  };
  const a = run({ quantum: 16, seed: 1 });
  assert.equal(run({ quantum: 16, seed: 1 }), a);
  assert.equal(a.replace(/1/g, '').length, 200, 'every entry of core 0 is there');
  const others = [2, 3, 4].map((seed) => run({ quantum: 16, seed }));
  assert.ok(others.some((o) => o !== a), 'some other seed changes the order');
  // Fixed quanta of 1000 ticks: each turn appends 1000 / 11 = 90 or 91 entries (11 instructions each).
  assert.match(run({ quantum: 1000, seed: 0 }), /^0{90,91}1{90,91}0{90,91}1{90,91}/);
});

test('stopping at any time limit and going on interleaves exactly as running straight through', () => {
  const schedule = { quantum: 37, seed: 5 };
  // Stopped while the cores still run (an idle machine's clocks stand at its last stop).
  const straight = logProgram(schedule, 1000);
  assert.equal(straight.runUntil(6_000).kind, 'limit');
  const stepped = logProgram(schedule, 1000);
  let t = 0;
  let x = 12345;
  let stops = 0;
  for (;;) {
    x = (x * 1103515245 + 12345) >>> 0;
    t = Math.min(6_000, t + 1 + (x % 90));
    const stop = stepped.runUntil(t);
    stops++;
    if (stop.kind !== 'limit' || t === 6_000) break;
  }
  assert.ok(stops > 20, 'the run was cut into many pieces');
  assert.equal(logOrder(stepped, 2000), logOrder(straight, 2000));
  assert.equal(fingerprint(stepped), fingerprint(straight));
});

test('a machine restored from a snapshot taken in mid-turn goes on exactly as the original', () => {
  const schedule = { quantum: 50, seed: 3 };
  const a = logProgram(schedule);
  a.runUntil(1_234);
  const snap = a.snapshot();
  a.runUntil(30_000);
  const b = logProgram(schedule);
  b.restore(snap);
  b.runUntil(30_000);
  assert.equal(fingerprint(b), fingerprint(a));
});

test('a core waiting in WFE gives up its turns and wakes on the other core\'s SEV', () => {
  const m = machine({ quantum: 100, seed: 0 });
  load(m, CODE, WAITER);
  load(m, CODE + 0x100, SETTER);
  start(m, 0, CODE + 0x100, [DATA, 0, 0, 5000]);
  start(m, 1, CODE, [DATA, 0xabcd, 0, 0]);
  m.runUntil(2_000);
  assert.equal(m.cpus[1].waiting, true, 'core 1 waits in WFE');
  assert.equal(m.bus.read32(DATA + 4), 0);
  assert.equal(m.runUntil(100_000).kind, 'idle');
  assert.equal(m.bus.read32(DATA + 4), 0xabcd, 'core 1 went on after the SEV');
});

test('a lone core never waits in WFE (nothing could wake it); it consumes the event register', () => {
  const m = machine(undefined, 1);
  load(m, CODE, [0xe320f002, 0xe3a00007, 0xe320f003]); // wfe; mov r0, #7; wfi
  m.cpu.pc = CODE;
  m.run(10);
  assert.equal(m.cpu.r[0], 7);
});

test('a core held in reset does not run; released, it starts from reset at its reset vector', () => {
  const m = machine({ quantum: 10, seed: 0 });
  load(m, CODE, [0xe3a00001, 0xeafffffe]); // mov r0, #1; b .
  load(m, CODE + 0x100, [0xee101fb0, 0xeafffffe]); // mrc MPIDR -> r1; b .
  start(m, 0, CODE, []);
  start(m, 1, CODE, []);
  m.coreControl.hold(1, 'reset', true);
  m.coreControl.hold(1, 'clock', true);
  m.cpus[1].r[5] = 55;
  m.runUntil(1_000);
  assert.equal(m.cpus[0].r[0], 1);
  assert.equal(m.cpus[1].r[0], 0, 'core 1 did not run');
  m.coreControl.setResetVector(1, CODE + 0x100);
  m.coreControl.hold(1, 'reset', false);
  m.runUntil(2_000);
  assert.equal(m.cpus[1].r[1], 0, 'still held by its stopped clock');
  m.coreControl.hold(1, 'clock', false);
  m.runUntil(3_000);
  assert.equal(m.cpus[1].r[1] >>> 0, 0x80000001, 'ran from the reset vector');
  assert.equal(m.cpus[1].r[5], 0, 'from its reset state');
  assert.ok(m.cpus[1].icount >= 2_000, 'its clock followed the machine while held');
});

test('a stall-core entry in the input log keeps that core from running for its ticks, and is replayable', () => {
  const stalled = (): Machine => {
    const m = logProgram({ quantum: 10, seed: 0 }, 300);
    m.inject({ icount: 100, point: { at: 'boundary' }, injection: { kind: 'stall-core', core: 0, ticks: 5_000 }, cause: 'test' });
    return m;
  };
  const m = stalled();
  m.runUntil(3_000);
  // Core 0 stopped at time 100: core 1 took the log over.
  const order = logOrder(m, 600);
  assert.match(order.slice(0, 600), /^[01]{1,40}1{250}/);
  assert.equal(m.injected.length, 1);
  m.runUntil(100_000);
  const again = stalled();
  again.runUntil(100_000);
  assert.equal(fingerprint(again), fingerprint(m));
});

test('a stall-core entry naming a core the machine does not have is refused when scheduled', () => {
  const m = machine();
  assert.throws(() => m.inject({ icount: 1, point: { at: 'boundary' }, injection: { kind: 'stall-core', core: 2, ticks: 5 }, cause: 't' }), /stall of core 2: this machine runs cores 0 to 1/);
});

test('TLBIMVAIS on one core drops the entry from the other core\'s TLB; TLBIMVA does not', () => {
  const m = machine();
  const [c0, c1] = m.cpus;
  // One section table: VA 0x00000000 -> PA 0x60000000 (1 MiB section, full access).
  const TABLE = DRAM + 0x100000;
  const section = (pa: number) => (pa & 0xfff00000) | 0xc02;
  m.bus.write32(TABLE, section(0x60000000) >>> 0);
  for (const c of m.cpus) {
    c.cp15.write(0, 2, 0, 0, TABLE); // TTBR0
    c.cp15.write(0, 3, 0, 0, 0xffffffff); // DACR: manager everywhere
    c.cp15.write(0, 1, 0, 0, c.cp15.sctlr | 1); // SCTLR.M
  }
  assert.equal(c1.translateData(0x10, false), 0x60000010);
  m.bus.write32(TABLE, section(0x60200000) >>> 0);
  assert.equal(c1.translateData(0x10, false), 0x60000010, 'core 1 still holds the old entry');
  c0.cp15.write(0, 8, 7, 1, 0); // TLBIMVA
  assert.equal(c1.translateData(0x10, false), 0x60000010, 'a non-shareable invalidate stays on its core');
  c0.cp15.write(0, 8, 3, 1, 0); // TLBIMVAIS
  assert.equal(c1.translateData(0x10, false), 0x60200010, 'the inner-shareable invalidate reached core 1');
});

test('quantum grids: fixed quanta lie every quantum ticks; a seed varies them within 1 to 2 * quantum - 1, the same for the same seed', () => {
  const fixed = new QuantumGrid({ quantum: 100, seed: 0 });
  assert.deepEqual([fixed.after(0), fixed.after(100), fixed.after(250)], [100, 200, 300]);
  const bounds = (seed: number) => { const g = new QuantumGrid({ quantum: 10, seed }); const out: number[] = []; let t = 0; for (let i = 0; i < 50; i++) { const n = g.after(t); out.push(n - t); t = n; } return out; };
  const a = bounds(42);
  assert.deepEqual(bounds(42), a);
  assert.ok(a.every((q) => q >= 1 && q <= 19));
  assert.notDeepEqual(bounds(43), a);
});

test('a machine has the board\'s cpu.count cores unless asked for another number: tegra2-xoom two, vexpress-a9 one', () => {
  assert.equal(bootMachine({ board: XOOM }).machine.cpus.length, 2);
  assert.equal(bootMachine({ board: XOOM, cores: 1 }).machine.cpus.length, 1);
  assert.equal(bootMachine({ board: VEXPRESS }).machine.cpus.length, 1);
  assert.equal(bootMachine({ board: VEXPRESS, cores: 4 }).machine.cpus.length, 4);
});

/**
 * Core 0 waits in WFE for SEV; core 1 counts, sends SEV, then sends core 0
 * SGI 3 through the GIC and waits in WFI; core 0 then enables its GIC CPU
 * interface... kept simple: the wake-ups that end a lone core's turn are
 * SEV, a release from reset, the end of a stall and a core starting to wait.
 */
test('a lone core running until the next event interleaves exactly as plain rounds of one quantum', () => {
  for (const schedule of [{ quantum: 1000, seed: 0 }, { quantum: 64, seed: 0 }, { quantum: 40, seed: 11 }, { quantum: 7, seed: 5 }]) {
    const build = (shortcut: boolean): Machine => {
      const m = machine(schedule, 3, shortcut);
      load(m, CODE, WAITER);
      load(m, CODE + 0x100, SETTER);
      load(m, CODE + 0x200, LOG);
      start(m, 0, CODE + 0x100, [DATA, 0, 0, 3_000]); // counts 6000 ticks alone (core 1 waits), then SEV
      start(m, 1, CODE, [DATA, 0x1111, 0, 0]);
      start(m, 2, CODE + 0x200, [DATA + 0x100, 0, 0, 300]);
      // Released from reset, core 2 sets its own registers: movw r0, #0x8100; movt r0, #0x6000; mov r3, #300; b LOG.
      load(m, CODE + 0x300, [0xe3080100, 0xe3460000, 0xe3a03f4b, 0xeaffffbb]);
      m.coreControl.setResetVector(2, CODE + 0x300);
      m.coreControl.hold(2, 'reset', true);
      m.inject({ icount: 2_500, point: { at: 'boundary' }, injection: { kind: 'stall-core', core: 0, ticks: 777 }, cause: 'test' });
      return m;
    };
    const plain = build(false);
    const shortcut = build(true);
    for (const m of [plain, shortcut]) {
      m.runUntil(4_321);
      m.coreControl.hold(2, 'reset', false); // released in mid-run: starts at its reset vector
      m.runUntil(60_000);
    }
    // Everything but how the scheduler keeps its round (a lone core's round is one long round).
    const withoutScheduler = (m: Machine): string => fingerprint(m, false);
    assert.equal(withoutScheduler(shortcut), withoutScheduler(plain), `quantum ${schedule.quantum} seed ${schedule.seed}`);
    assert.equal(shortcut.bus.read32(DATA + 4), 0x1111, 'core 1 woke');
    assert.equal(shortcut.bus.read32(DATA + 0x100), 300, 'core 2 logged its 300 entries');
    assert.equal(shortcut.bus.read8(DATA + 0x104 + 299), 2);
  }
});

test('an interrupt line raised by the lone core for a waiting core ends the round where plain rounds would', () => {
  for (const schedule of [{ quantum: 1000, seed: 0 }, { quantum: 33, seed: 9 }]) {
    const build = (shortcut: boolean): Machine => {
      const m = machine(schedule, 2, shortcut);
      load(m, CODE + 0x100, SETTER);
      load(m, CODE + 0x200, [0xe320f003, 0xe2855001, 0xeafffffc]); // wfi; add r5, r5, #1; b wfi (IRQs masked: WFI wakes, nothing is taken)
      start(m, 0, CODE + 0x100, [DATA, 0, 0, 2_345]);
      start(m, 1, CODE + 0x200, []);
      // As a device would: when core 0 is done counting, core 1's IRQ line goes high.
      m.probes.exec.at(CODE + 0x108, (cpu) => { if (cpu === m.cpus[0]) m.cpus[1].irqLine = true; return false; });
      return m;
    };
    const plain = build(false);
    const shortcut = build(true);
    for (const m of [plain, shortcut]) { m.runUntil(3_333); m.runUntil(20_000); }
    assert.equal(fingerprint(shortcut, false), fingerprint(plain, false), `quantum ${schedule.quantum} seed ${schedule.seed}`);
    assert.ok(shortcut.cpus[1].r[5] > 1000, 'core 1 ran after the line went high');
  }
});

test('a run stopped by a request in a lone core\'s round stands exactly where a run to that time in that core\'s turn stands', () => {
  for (const schedule of [{ quantum: 1000, seed: 0 }, { quantum: 64, seed: 7 }]) {
    // Stop times inside a quantum, one tick before a boundary and on a boundary.
    for (const at of [2_345, 1_999, 2_000, 4_096]) {
      const build = (): Machine => {
        const m = machine(schedule);
        load(m, CODE, WAITER);
        load(m, CODE + 0x100, SETTER);
        start(m, 0, CODE + 0x100, [DATA, 0, 0, 6_000]); // counts alone (core 1 waits in WFE), then SEV
        start(m, 1, CODE, [DATA, 0x1111, 0, 0]);
        return m;
      };
      // As the recorder stops a run (a console match): a request from inside the running core's turn.
      const stopped = build();
      let asked = false;
      stopped.probes.exec.at(CODE + 0x100, (cpu) => {
        if (!asked && cpu.icount >= at) { asked = true; stopped.requestStop(); }
        return false;
      });
      assert.equal(stopped.runUntil(100_000).kind, 'stopped');
      const when = stopped.now();
      const core = stopped.pausedCore;
      // As the replayer reaches the same point: a limit in that core's turn.
      const limited = build();
      limited.runUntil(when, core);
      const label = `quantum ${schedule.quantum} seed ${schedule.seed}, stop at ${at} (time ${when}, core ${core})`;
      assert.equal(limited.now(), when, label);
      assert.equal(limited.pausedCore, core, label);
      assert.equal(fingerprint(limited), fingerprint(stopped), label);
      for (const m of [stopped, limited]) m.runUntil(30_000);
      assert.equal(fingerprint(limited), fingerprint(stopped), `${label}, and after going on`);
    }
  }
});

test('a limit on a round\'s end ends the round: every core runs its turn up to it, so nothing later is stamped before the limit', () => {
  const m = logProgram({ quantum: 1000, seed: 0 }, 5000);
  assert.equal(m.runUntil(5_000).kind, 'limit');
  assert.deepEqual(m.cpus.map((c) => c.icount), [5_000, 5_000]);
  assert.equal(m.pausedCore, undefined, 'between rounds');
  // Asked for in core 0's turn (as a replay reaches a stop recorded there), the same limit pauses core 0 at its turn's end.
  const asked = logProgram({ quantum: 1000, seed: 0 }, 5000);
  asked.runUntil(5_000, 0);
  assert.equal(asked.pausedCore, 0);
  assert.deepEqual(asked.cpus.map((c) => c.icount), [5_000, 4_000]);
});

test('many input-log entries at one instruction of one core each take effect at their tick, behind one hook (a log of every lost upcall replays in linear time)', () => {
  const m = machine();
  load(m, CODE, WAITER);
  load(m, CODE + 0x100, SETTER);
  start(m, 0, CODE + 0x100, [DATA, 0, 0, 20_000]); // subs at every even tick of core 0
  start(m, 1, CODE, [DATA, 0x1111, 0, 0]);
  const entries = 4_000;
  for (let k = 0; k < entries; k++) {
    m.inject({ icount: 100 + 8 * k, point: { at: 'exec', pc: CODE + 0x100 }, core: 0, injection: { kind: 'bit-flip', address: DATA + 0x80 + (k >> 3), bit: k & 7 }, cause: 'test' });
  }
  assert.equal(m.cpus[0].execHooks.size, 1, 'one hook at the instruction, however many entries');
  m.runUntil(40_000);
  const flipped = Array.from({ length: entries / 8 }, (_, i) => m.bus.read8(DATA + 0x80 + i));
  assert.ok(flipped.every((b) => b === 0xff), 'every entry flipped its bit once');
  assert.equal(m.injected.length, entries);
  assert.equal(m.cpus[0].execHooks.size, 0, 'the hook leaves with the last entry');
});
