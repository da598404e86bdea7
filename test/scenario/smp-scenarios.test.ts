/**
 * Scenarios on several cores: smp: and schedule: keys, faults that act on one
 * core or perturb the interleaving (stall-core), lost SGIs between cores, and
 * the expectations and steps that name a core. The programs are small
 * two-core bare-metal ELFs on vexpress-a9 (every core starts at the entry and
 * reads MPIDR to find its part).
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scenarioFromText, type Scenario } from '../../scenario/file/scenario-file';
import { runScenario, prepareScenario, type ScenarioResult } from '../../scenario/run/runner';
import { scenarioBoot } from '../../scenario/run/boot';
import { formatReport } from '../../scenario/check/report';
import { coreIsOnline, coreExecuted, coreRegisterIs } from '../../scenario/check';
import { InputFileError } from '../../scenario/file/yaml-file';
import { bootMachine } from '../../machine/boot/boot-machine';
import { stateJson } from '../../replay/state-hash';
import { ScenarioDraft } from '../../scenario/draft';
import { tinyElf } from '../support/tiny-elf';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-smp-scenarios-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const VARS = 0x60010000;

/**
 * Both cores add 1 to the word at VARS 2000 times each, without exclusives
 * (ldr, add, nop, nop, str): an update is lost whenever a turn ends between
 * a core's load and its store and the other core stores in between. Core 0
 * then sets VARS+4, core 1 VARS+8; the last to finish writes its number to
 * VARS+12; both end in WFI with r0 = their core number.
 */
const RACE = tinyElf(0x60000000, [
  0xee100fb0, 0xe2000003, 0xe3500000, 0x1a00000d, 0xe59f4068, 0xe3a05e7d, 0xe5941000, 0xe2811001, 0xe1a00000, 0xe1a00000,
  0xe5841000, 0xe2555001, 0x1afffff8, 0xe3a01001, 0xe5841004, 0xe584000c, 0xe320f003, 0xeafffffd, 0xe59f4030, 0xe3a05e7d,
  0xe5941000, 0xe2811001, 0xe1a00000, 0xe1a00000, 0xe5841000, 0xe2555001, 0x1afffff8, 0xe3a01001, 0xe5841008, 0xe584000c,
  0xe320f003, 0xeafffffd, 0x60010000,
], { symbols: [['_start', 0x60000000], ['core0_main', 0x60000010], ['core0_done', 0x60000040], ['core1_main', 0x60000048], ['core1_done', 0x60000078]] });

/**
 * Core 0 enables the GIC (SGIs 0-3), says it is ready at VARS and waits in
 * WFI; its IRQ handler counts interrupts at VARS+4 (the last GICC_IAR at
 * VARS+12). Core 1 waits for ready, then sends SGI 3 to core 0 five times
 * through GICD_SGIR (at send_sgi), 3000 instructions apart, and writes 5 at
 * VARS+8.
 */
const SGI = tinyElf(0x60000000, [
  0xea000006, 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xea000019, 0xeafffffe, 0xee100fb0, 0xe2000003,
  0xe59f10c4, 0xee0c1f10, 0xe3500000, 0x1a00001d, 0xf1020012, 0xe59fd0b4, 0xf1020013, 0xe59f40b0, 0xe3a01001, 0xe5841000,
  0xe3a0100f, 0xe5841100, 0xe59f50a0, 0xe3a010ff, 0xe5851004, 0xe3a01001, 0xe5851000, 0xe59f1090, 0xe3a02001, 0xe5812000,
  0xf1080080, 0xe320f003, 0xeafffffd, 0xe92d000f, 0xe59f2070, 0xe592000c, 0xe59f106c, 0xe5913004, 0xe2833001, 0xe5813004,
  0xe581000c, 0xe5820010, 0xe8bd000f, 0xe25ef004, 0xe59f104c, 0xe5912000, 0xe3520000, 0x0afffffc, 0xe59f4034, 0xe59f303c,
  0xe3a05005, 0xe5843f00, 0xe59f6034, 0xe2566001, 0x1afffffd, 0xe2555001, 0x1afffff9, 0xe3a02005, 0xe5812008, 0xe320f003,
  0xeafffffd, 0x60000000, 0x60020000, 0x1e001000, 0x1e000100, 0x60010000, 0x00010003, 0x000005dc,
], { symbols: [['_start', 0x60000000], ['reset', 0x60000020], ['core0_main', 0x60000038], ['core0_wait', 0x6000007c], ['irq_handler', 0x60000084], ['core1_main', 0x600000b0], ['send_sgi', 0x600000cc], ['core1_done', 0x600000ec]] });

fs.writeFileSync(path.join(tmp, 'race.elf'), RACE);
fs.writeFileSync(path.join(tmp, 'sgi.elf'), SGI);

/** A scenario of one of the programs on vexpress-a9, with extra top-level YAML. */
function scenario(program: 'race' | 'sgi', extra = '', label = `${program}.yaml`): Scenario {
  return scenarioFromText(`name: ${program}
board: vexpress-a9
console: uart0
boot:
  kernel: ${program}.elf
limits: { time: 2ms }
${extra}`, path.join(tmp, label), tmp);
}

function refused(program: 'race' | 'sgi', extra: string, message: RegExp): InputFileError {
  try {
    scenario(program, extra, 'bad.yaml');
  } catch (e) {
    assert.ok(e instanceof InputFileError, `expected InputFileError, got ${(e as Error).stack}`);
    assert.match(e.message, message);
    assert.match(e.message, /^.*bad\.yaml:\d+:\d+: /);
    return e;
  }
  assert.fail(`accepted: ${extra}`);
}

const word = (r: ScenarioResult, offset: number) => r.machine!.bus.read32(VARS + offset) >>> 0;

/**
 * The run replayed from its input log alone (a fresh machine of the same boot
 * description, every logged entry injected, run to the same time): the same
 * machine state, RAM included, on every core.
 */
function replaysIdentically(r: ScenarioResult): void {
  const { machine } = bootMachine(scenarioBoot(r.scenario));
  for (const e of r.machine!.injected) machine.inject(e);
  // Step by step beside the same scenario run again with its faults armed: the
  // same state at every step (a limit never changes the interleaving), so the
  // cores interleaved the same way, not only ended the same.
  const again = prepareScenario(r.scenario).machine;
  const same = (when: string) => {
    const a = stateJson(machine), b = stateJson(again);
    if (a === b) return;
    let i = 0;
    while (a[i] === b[i]) i++;
    assert.fail(`${when}: the replayed machine state differs at ${i}:\n  replay: ...${a.slice(Math.max(0, i - 300), i + 100)}\n  run:    ...${b.slice(Math.max(0, i - 300), i + 100)}`);
  };
  // The shared words the programs write (all of RAM is compared at the end).
  const vars = (m: typeof machine) => Array.from({ length: 4 }, (_, i) => m.bus.read32(VARS + 4 * i) >>> 0);
  // The programs, their data and stacks lie in the first MiB of RAM.
  const ram = (when: string) => {
    const mib = (m: typeof machine) => Buffer.from(m.ram.get('dram')!.u8.subarray(0, 1 << 20));
    assert.ok(mib(again).equals(mib(machine)), `${when}: the first MiB of RAM`);
    assert.ok(mib(r.machine!).equals(mib(machine)), `${when}: the first MiB of RAM, as the run left it`);
  };
  for (let t = 97; t < Math.min(r.icount, 30_000); t += 97) {
    machine.runUntil(t);
    again.runUntil(t);
    assert.deepEqual(vars(machine), vars(again), `at ${t}: the shared words`);
    if (t % (97 * 16) === 0) same(`at ${t}`);
  }
  // As the runner ran it: to the scenario's limit (the run may end earlier, idle or stopped).
  const stop = machine.runUntil(r.scenario.limit);
  assert.equal(stop.kind, r.stop.kind, 'the replay ends as the run did');
  again.runUntil(r.scenario.limit);
  same('at the end');
  ram('at the end');
  assert.equal(stateJson(machine), stateJson(r.machine!), 'the replay ends in the state the run ended in');
  assert.deepEqual(machine.injected, r.machine!.injected, 'the input log of the replay');
}

// ---- smp: and schedule: ----------------------------------------------------

test('smp: 2 runs both cores of a bare-metal ELF from its entry; the default is one core', () => {
  const one = runScenario(scenario('race'));
  assert.equal(one.verdict, 'pass', formatReport(one));
  assert.equal(one.machine!.cpus.length, 1);
  assert.equal(word(one, 0), 2000, 'one core adds 2000');
  assert.equal(word(one, 8), 0, 'core 1 never ran');
  const two = runScenario(scenario('race', 'smp: 2'));
  assert.equal(two.verdict, 'pass', formatReport(two));
  assert.equal(two.machine!.cpus.length, 2);
  assert.equal(word(two, 4), 1);
  assert.equal(word(two, 8), 1);
  assert.ok(word(two, 0) <= 4000 && word(two, 0) > 2000, `counter ${word(two, 0)}`);
  assert.equal(scenarioBoot(two.scenario).cores, 2);
  // One core is said (left out, a run has the board's cpu.count cores); no schedule, so its recording header is as before.
  assert.equal(scenarioBoot(one.scenario).cores, 1);
  assert.equal(scenarioBoot(one.scenario).schedule, undefined);
});

test('smp: more cores than the board has, or a schedule on one core, is refused at its line', () => {
  refused('race', 'smp: 5', /'smp' must be <= 4/);
  refused('race', 'smp: 0', /'smp' must be >= 1/);
  const e = scenarioError(() => scenarioFromText(`board: tegra2-xoom\nboot: { kernel: race.elf }\nsmp: 3\n`, path.join(tmp, 'bad.yaml'), tmp));
  assert.match(e.message, /bad\.yaml:3:6: smp: 3, but board tegra2-xoom has at most 2 cores \(cpu\.max-count 2\)/);
  refused('race', 'schedule: { quantum: 100 }', /bad\.yaml:7:11: a schedule says how several cores take turns; this run has one core \(set smp: 2 or more\)/);
  refused('race', 'smp: 2\nschedule: { quantum: 0 }', /'quantum' must be >= 1/);
  refused('race', 'smp: 2\nschedule: { seed: -1 }', /'seed' must be >= 0/);
  refused('race', 'smp: 2\nschedule: { slice: 3 }', /unknown key 'slice'/);
});

function scenarioError(fn: () => unknown): InputFileError {
  try { fn(); } catch (e) {
    assert.ok(e instanceof InputFileError, String(e));
    return e;
  }
  assert.fail('accepted');
}

test('schedule: quantum and seed reach the machine and the recording header, and change the interleaving deterministically', () => {
  const runs = (extra: string) => runScenario(scenario('race', `smp: 2\n${extra}`));
  const base = runs('');
  const seeded = runs('schedule: { quantum: 7, seed: 12345 }');
  assert.deepEqual(seeded.machine!.schedule, { quantum: 7, seed: 12345 });
  assert.deepEqual(scenarioBoot(seeded.scenario).schedule, { quantum: 7, seed: 12345 });
  assert.notEqual(word(seeded, 0), word(base, 0), 'another interleaving loses other updates');
  assert.equal(word(runs('schedule: { quantum: 7, seed: 12345 }'), 0), word(seeded, 0), 'the same seed, the same interleaving');
  replaysIdentically(seeded);
});

// ---- expectations that name a core ------------------------------------------

test('expect.cores: core 1 online, executing core1_main, with its registers at the end; a failure says what core 1 did', () => {
  const ok = runScenario(scenario('race', `smp: 2
expect:
  cores:
    - { core: 0, online: true, executes: [core0_done], registers: { r0: 0 } }
    - { core: 1, online: true, executes: [core1_main, core1_done], registers: { r0: 1, r5: 0 } }`));
  assert.equal(ok.verdict, 'pass', formatReport(ok));
  assert.ok(ok.expectations.some((e) => e.ok && e.what === 'core 1 executes core1_main'));
  assert.ok(ok.expectations.some((e) => e.ok && e.what === 'register r0 of core 1 is 0x00000001 at the end of the run'));
  const bad = runScenario(scenario('race', `smp: 2
expect:
  cores:
    - { core: 1, executes: [core0_main], registers: { r0: 0 } }`));
  assert.equal(bad.verdict, 'fail');
  const report = formatReport(bad);
  assert.match(report, /FAILED core 1 executes core0_main\n\s+it never did \(core 0 did, first at /);
  assert.match(report, /FAILED register r0 of core 1 is 0x00000000 at the end of the run\n\s+it is 0x00000001/);
});

test('a report of a run on several cores shows every core\'s registers', () => {
  const r = runScenario(scenario('race', 'smp: 2'));
  const report = formatReport(r);
  assert.match(report, /core 0 waiting \(WFI\/WFE\): pc 0x60000044 cpsr 600001d3 /);
  assert.match(report, /core 1 waiting \(WFI\/WFE\): pc 0x6000007c cpsr 600001d3 .*\n +r0=00000001 r1=00000001 /);
  assert.doesNotMatch(formatReport(runScenario(scenario('race'))), /core 0 /, 'one-core reports are as before');
});

test('expect.cores naming a core the run does not have, or expecting nothing, is refused at its line', () => {
  refused('race', 'expect:\n  cores:\n    - { core: 1, online: true }', /bad\.yaml:9:15: core 1 does not exist: the run has one core \(core 0\); set smp: 2 or more to run 2 cores \(board vexpress-a9 has up to 4\)/);
  refused('race', 'smp: 2\nexpect:\n  cores:\n    - { core: 2, online: true }', /core 2 does not exist: the run has 2 cores \(0 to 1, smp: 2\)/);
  refused('race', 'smp: 2\nexpect:\n  cores:\n    - { core: 1 }', /this entry expects nothing of core 1/);
  refused('race', 'smp: 2\nexpect:\n  cores:\n    - { core: 1, executes: [nowhere] }', /unknown symbol 'nowhere'/);
  refused('race', 'smp: 2\nexpect:\n  cores:\n    - { core: 1, registers: { r16: 1 } }', /bad\.yaml:10:29: 'registers' does not match the expected form \^\(r\[0-9\]\|r1\[0-5\]\|sp\|lr\|pc\|cpsr\)\$/);
});

test('core steps: online, registers of a core, an instruction a core executed', () => {
  const r = runScenario(scenario('race', `smp: 2
expect:
  cores:
    - { core: 1, executes: [core1_main] }`));
  assert.ok(coreIsOnline(r, 1).ok);
  assert.ok(coreIsOnline(r, 0).ok);
  assert.ok(coreRegisterIs(r, 1, 'r0', 1).ok);
  assert.equal(coreRegisterIs(r, 0, 'r0', 1).ok, false);
  assert.ok(coreExecuted(r, 1, 'core1_main').ok);
  assert.equal(coreExecuted(r, 0, 'core1_main').ok, false);
  assert.throws(() => coreExecuted(r, 1, 'core0_main'), /core0_main was not watched in this run/);
  assert.throws(() => coreIsOnline(r, 2), /core 2 does not exist: the run had 2 cores/);
  const one = runScenario(scenario('race'));
  assert.throws(() => coreRegisterIs(one, 1, 'r0', 1), /core 1 does not exist: the run had one core/);
});

test('a core held in reset for the whole run is not online', () => {
  const s = scenario('race', 'smp: 2\nexpect:\n  end: limit');
  const r = runScenarioHolding(s, 1);
  assert.equal(coreIsOnline(r, 1).ok, false);
  assert.match(coreIsOnline(r, 1).problem!, /it is held \(reset\)/);
  assert.ok(coreIsOnline(r, 0).ok);
  assert.match(formatReport(r), /core 1 held \(reset\)/);
});

/** A run of s with core k held in reset from the start (as a board holds a secondary core). */
function runScenarioHolding(s: Scenario, k: number): ScenarioResult {
  const hold = (m: { coreControl: { hold(core: number, reason: string, held: boolean): void } }) => m.coreControl.hold(k, 'reset', true);
  let held = false;
  return runScenario(s, {
    observer: {
      interval: 1 << 30,
      start: (m) => { hold(m); held = true; },
      console: () => {},
      step: () => {},
      end: () => { assert.ok(held); },
    },
  });
}

// ---- faults on several cores ------------------------------------------------

test('stall-core at a time: core 1 gives up its turns, core 0 runs alone, and the stall is in the input log', () => {
  const plain = runScenario(scenario('race', 'smp: 2'));
  const r = runScenario(scenario('race', `smp: 2
faults:
  - { type: stall-core, core: 1, at: 0, for: 100us }`));
  assert.equal(r.verdict, 'pass', formatReport(r));
  assert.equal(word(r, 0), 4000, 'no update lost: core 0 finished before core 1 started');
  assert.notEqual(word(plain, 0), 4000);
  assert.equal(word(r, 12), 1, 'core 1 finished last');
  const stalls = r.machine!.injected.filter((e) => e.injection.kind === 'stall-core');
  assert.deepEqual(stalls.map((e) => [e.icount, e.injection]), [[0, { kind: 'stall-core', core: 1, ticks: 100_000 }]]);
  assert.equal(r.faults.length, 1);
  assert.equal(r.faults[0].core, 1);
  assert.match(formatReport(r), /fault {2}stall-core: core 1 gives up its turns for 100 us \(100000 insns\) at 0 ns \(0 insns\): fired at 0 ns \(0 insns\), pc 0x60000000 \(_start\): core 1 stalled for 100000 ticks/);
  replaysIdentically(r);
});

test('stall-core at the nth execution of a symbol by one core starts where that core executes it', () => {
  const r = runScenario(scenario('race', `smp: 2
faults:
  - { type: stall-core, core: 0, for: 50us, on-exec: { at: core1_main, core: 1 } }`));
  assert.equal(r.verdict, 'pass', formatReport(r));
  const [e] = r.machine!.injected;
  assert.equal(e.core, 1, 'logged on the core that executed core1_main');
  assert.deepEqual(e.point, { at: 'exec', pc: 0x60000048 });
  assert.equal(word(r, 12), 0, 'core 0 stalled while core 1 ran alone: core 0 finished last');
  assert.equal(word(r, 0), 4000);
  replaysIdentically(r);
  // Counting only core 0's executions of core1_main: it never executes it, so the stall never fires.
  const never = runScenario(scenario('race', `smp: 2
faults:
  - { type: stall-core, core: 1, for: 50us, on-exec: { at: core1_main, core: 0 } }`));
  assert.equal(never.faults.length, 0);
  assert.equal(never.machine!.injected.length, 0);
});

test('stall-core on one core, on a core the run lacks, or without a trigger is refused at its line', () => {
  refused('race', 'faults:\n  - { type: stall-core, core: 0, at: 0, for: 1us }', /bad\.yaml:8:13: a stall changes how several cores take turns; this run has one core \(set smp: 2 or more\)/);
  refused('race', 'smp: 2\nfaults:\n  - { type: stall-core, core: 2, at: 0, for: 1us }', /core 2 does not exist: the run has 2 cores/);
  refused('race', 'smp: 2\nfaults:\n  - { type: stall-core, core: 1, for: 1us }', /this stall-core never fires: give it a trigger \(at or on-exec\)/);
  refused('race', 'smp: 2\nfaults:\n  - { type: stall-core, core: 1, for: 1us, at: 0, on-exec: { at: core1_main } }', /a fault has one trigger; this one has at and on-exec/);
  refused('race', 'smp: 2\nfaults:\n  - { type: stall-core, core: 1, for: 0, at: 0 }', /a stall lasts at least 1 tick/);
  refused('race', 'smp: 2\nfaults:\n  - { type: stall-core, core: 1, for: 1us, at: 5ms }', /the stall at 5 ms \(5000000 insns\) can never happen: the run stops at 2 ms/);
  refused('race', 'smp: 2\nfaults:\n  - { type: stall-core, core: 1, for: 1us, on-exec: { at: core1_main, core: 3 } }', /core 3 does not exist/);
});

test('a data abort at a time is taken by the core the fault names, and replays so', () => {
  const r = runScenario(scenario('race', `smp: 2
faults:
  - { type: data-abort, status: translation, at: 3000, core: 1 }
expect: { end: limit }`));
  const [e] = r.machine!.injected;
  assert.equal(e.core, 1);
  assert.equal(e.injection.kind, 'data-abort');
  assert.equal(r.machine!.cpus[1].cp15.dfsr, 5, 'core 1 took the abort (DFSR: translation fault, section)');
  assert.equal(r.machine!.cpus[1].cpsr & 0x1f, 0x17, 'core 1 is in abort mode');
  assert.equal(r.machine!.cpus[0].cp15.dfsr, 0, 'core 0 took no abort');
  assert.equal(word(r, 4), 1, 'core 0 finished its loop');
  assert.equal(word(r, 8), 0, 'core 1 did not');
  replaysIdentically(r);
});

test('abort faults on several cores: core with on-exec or on-access, or naming a core the run lacks, is refused', () => {
  refused('race', 'smp: 2\nfaults:\n  - { type: data-abort, status: translation, on-exec: { at: core1_main }, core: 1 }', /'core' says which core takes an abort fired at a time; with on-exec the core that executes the instruction takes it/);
  refused('race', 'faults:\n  - { type: prefetch-abort, status: translation, at: 100, core: 1 }', /core 1 does not exist: the run has one core/);
});

test('a prefetch abort at the nth execution of a symbol by core 1 hits core 1 there', () => {
  const r = runScenario(scenario('race', `smp: 2
faults:
  - { type: prefetch-abort, status: translation, on-exec: { at: core1_done, core: 1 } }
expect: { end: limit }`));
  assert.equal(r.faults.length, 1);
  assert.equal(r.faults[0].core, 1);
  const [e] = r.machine!.injected;
  assert.equal(e.core, 1);
  assert.equal(r.machine!.cpus[1].r[0], 1);
  assert.equal(word(r, 8), 1, 'core 1 finished its loop before the abort');
  assert.equal(r.machine!.cpus[1].cpsr & 0x1f, 0x17, 'core 1 is in abort mode');
  assert.equal(r.machine!.cpus[0].cpsr & 0x1f, 0x13, 'core 0 is not');
  replaysIdentically(r);
});

// ---- lost SGIs ---------------------------------------------------------------

test('the 2nd SGI 3 sent from core 1 to core 0 is lost: core 0 takes four of five, and the loss replays', () => {
  const plain = runScenario(scenario('sgi', 'smp: 2'));
  assert.equal(plain.verdict, 'pass', formatReport(plain));
  assert.equal(word(plain, 8), 5, 'core 1 sent five');
  assert.equal(word(plain, 4), 5, 'core 0 took five');
  assert.equal(word(plain, 12), (1 << 10) | 3, 'GICC_IAR: SGI 3 from CPU 1 (source ID in bits 12:10)');
  const r = runScenario(scenario('sgi', `smp: 2
faults:
  - { type: lost-interrupt, line: 3, core: 0, nth: 2 }`));
  assert.equal(r.verdict, 'pass', formatReport(r));
  assert.equal(word(r, 4), 4, 'core 0 took four');
  assert.equal(r.faults.length, 1);
  assert.match(r.faults[0].detail, /SGI 3 from core 1 to core 0 lost \(GICD_SGIR write 2 sending it there\)/);
  assert.equal(r.faults[0].core, 1);
  assert.equal(r.faults[0].pc, 0x600000cc, 'at the store in send_sgi');
  const [e] = r.machine!.injected;
  assert.deepEqual(e.injection, { kind: 'lose-sgi', controller: 'gic', sgi: 3, cores: 1 });
  assert.deepEqual(e.point, { at: 'exec', pc: 0x600000cc });
  assert.equal(e.core, 1);
  replaysIdentically(r);
  const all = runScenario(scenario('sgi', `smp: 2
faults:
  - { type: lost-interrupt, line: 3, core: 0, nth: 2, count: all }`));
  assert.equal(word(all, 4), 1, 'only the first arrives');
  // SGI 3 is never sent to core 1.
  const none = runScenario(scenario('sgi', `smp: 2
faults:
  - { type: lost-interrupt, line: 3, core: 1 }`));
  assert.equal(none.faults.length, 0);
  assert.equal(word(none, 4), 5);
});

test('a lost SGI on a core the run lacks, or core on a device line, is refused at its line', () => {
  refused('sgi', 'faults:\n  - { type: lost-interrupt, line: 3, core: 1 }', /core 1 does not exist: the run has one core/);
  refused('sgi', 'smp: 2\nfaults:\n  - { type: lost-interrupt, line: 44, core: 1 }', /'core' names the core that loses an SGI \(gic IDs 0-15\); line 44 is not one/);
  refused('sgi', 'smp: 2\nfaults:\n  - { type: spurious-interrupt, line: 3, at: 100 }', /IDs 0-15 are software-generated interrupts and have no input line; of the interrupt faults only lost-interrupt applies to them/);
});

test('a fault fired by core 1 in the middle of a round replays with the same interleaving', () => {
  // The 150th load of core 1's loop (at 0x60000050), while core 0's turn of that round has run ahead of it.
  const r = runScenario(scenario('race', `smp: 2
faults:
  - { type: stall-core, core: 0, for: 1, on-exec: { at: 0x60000050, nth: 150, core: 1 } }`));
  assert.equal(r.faults.length, 1);
  replaysIdentically(r);
});

test('the steps\' draft: 2 cores, turns of 500 ticks varied by seed 7, core 1 must execute core1_main, a stall and a lost SGI', () => {
  const file = path.join(tmp, 'draft.yaml');
  fs.writeFileSync(file, `name: draft\nboard: vexpress-a9\nconsole: uart0\nboot: { kernel: race.elf }\nlimits: { time: 2ms }\n`);
  const draft = ScenarioDraft.fromFile(file).smp(2).schedule(500, 7).expectCoreExecutes(1, 'core1_main').expectCoreExecutes(1, 'core1_done')
    .addFault({ type: 'stall-core', core: 1, for: '10us', 'on-exec': { at: 'core0_main', nth: 1, core: 0 } })
    .addFault({ type: 'lost-interrupt', line: 3, core: 1, nth: 2 });
  const s = draft.build();
  assert.equal(s.cores, 2);
  assert.deepEqual(s.schedule, { quantum: 500, seed: 7 });
  assert.deepEqual(s.expect.cores, [{ core: 1, online: undefined, executes: [{ address: 0x60000048, label: 'core1_main' }, { address: 0x60000078, label: 'core1_done' }], registers: [] }]);
  assert.deepEqual(s.faults.map((f) => f.description), [
    'stall-core: core 1 gives up its turns for 10 us (10000 insns) at the 1st execution of core0_main by core 0',
    'lost interrupt: the 2nd SGI 3 sent to core 1 (gic GICD_SGIR)',
  ]);
  const r = runScenario(s);
  assert.equal(r.verdict, 'pass', formatReport(r));
  assert.ok(coreExecuted(r, 1, 'core1_done').ok);
});
