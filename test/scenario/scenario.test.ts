/**
 * Scenarios: every fault kind fires at exactly the same instruction in two
 * runs of the same scenario; every class of bad input is reported as
 * file:line:column with what is wrong; a broken expectation fails with a
 * readable report.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario, scenarioFromText } from '../../scenario/file/scenario-file';
import { runScenario, prepareScenario } from '../../scenario/run/runner';
import { formatReport } from '../../scenario/check/report';
import { checkReplayIdentity } from '../../scenario/record/recording';
import { parseVirtualTime } from '../../scenario/virtual-time';
import { InputFileError } from '../../scenario/file/yaml-file';
import { ROOT } from '../support/environment';

const SCENARIOS = path.join(ROOT, 'features', 'scenarios');
const HYP = path.join(ROOT, 'firmware', 'build', 'hypervisor.elf');
const VOLUMES = path.join(ROOT, 'firmware', 'volumes');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-scenario-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A scenario over the reference hypervisor with the given extra YAML (top-level keys). */
function text(extra: string, cmdline = 'console=ttyS0', volume = 'pingpong.yaml'): string {
  return `# yaml-language-server: $schema=../../schemas/scenario.schema.json
name: test
board: tegra2-xoom
boot:
  kernel: ${HYP}
  cmdline: ${cmdline}
  volume: ${path.join(VOLUMES, volume)}
${extra}`;
}

function runText(t: string) {
  return runScenario(scenarioFromText(t, 'test.yaml', SCENARIOS));
}

test('virtual times: units at the board clock and instruction counts', () => {
  const hz = 1e9;
  assert.equal(parseVirtualTime('250us', hz), 250_000);
  assert.equal(parseVirtualTime('10ms', hz), 10_000_000);
  assert.equal(parseVirtualTime('2s', hz), 2_000_000_000);
  assert.equal(parseVirtualTime('5M insns', hz), 5_000_000);
  assert.equal(parseVirtualTime('200k', hz), 200_000);
  assert.equal(parseVirtualTime(1234, hz), 1234);
  assert.equal(parseVirtualTime('1ms', 500e6), 500_000);
  assert.match(String(parseVirtualTime('3 parsecs', hz)), /not a time or an instruction count/);
});

const FAULTS: Record<string, string> = {
  'data abort at an instruction count': `faults:
  - { type: data-abort, status: translation, address: 0x1000, at: 2M insns }
expect: { end: halt }`,
  'data abort at the Nth execution of a symbol': `faults:
  - { type: data-abort, status: permission, level: page, on-exec: { at: sched_return, nth: 5 } }`,
  'data abort on the Nth access to an address range': `faults:
  - { type: data-abort, status: external, on-access: { from: ticks, nth: 3 } }`,
  'access-flag data abort on the Nth write to a range': `faults:
  - { type: data-abort, status: access-flag, on-access: { from: domains, to: domains+0x100, nth: 2, write: true } }`,
  'prefetch abort at the Nth execution of an address': `faults:
  - { type: prefetch-abort, status: translation, on-exec: { at: kprintf+0x8, nth: 2 } }`,
  'prefetch abort at a virtual time': `faults:
  - { type: prefetch-abort, status: permission, level: page, at: 2500us }`,
  'lost upcall (the 3rd call of deliver_upcall skipped)': `faults:
  - { type: lost-upcall, nth: 3 }`,
  'IRQ storm on the UART interrupt line': `faults:
  - { type: irq-storm, line: 122, start: 1ms, period: 20us, count: 50 }`,
  'bit flip in RAM at a virtual time': `faults:
  - { type: bit-flip, address: ticks, bit: 3, at: 6ms }
  - { type: bit-flip, address: 0x01000000, bit: 17, at: 1234567 }`,
  'corrupted console input (dropped, replaced, XORed bytes)': `input:
  - { at: 5ms, text: "hexp" }
  - { at: 5500us, text: "\r" }
faults:
  - { type: corrupt-input, byte: 2, xor: 0x20 }
  - { type: corrupt-input, byte: 3, replace: 0x6c }
  - { type: corrupt-input, byte: 5, drop: true }`,
  'lost interrupt (the 1st assertion of the timer line)': `faults:
  - { type: lost-interrupt, line: 32, nth: 1 }`,
  'spurious interrupt (one short pulse on the timer line)': `faults:
  - { type: spurious-interrupt, line: 32, at: 6ms, width: 50 }`,
};

/** Replays a run's input log on a fresh machine with no triggers: same console, same log, same end. */
function replayLog(r: ReturnType<typeof runText>): void {
  const s = { ...r.scenario, inputs: [], inputsAfterOutput: [], faults: [] };
  const { machine } = prepareScenario(s);
  let out = '';
  machine.probes.console.subscribe((device, data) => { if (device === s.console) out += Buffer.from(data).toString('latin1'); });
  for (const e of r.machine!.injected) machine.inject(e);
  machine.runUntil(r.icount);
  assert.equal(machine.cpu.icount, r.icount, 'the replay ends at the same instruction');
  assert.deepEqual(machine.injected, r.machine!.injected, 'the replay logs the same entries');
  const lines = out.replace(/\r/g, '').split('\n');
  assert.deepEqual(lines.slice(0, r.lines.length), r.lines.map((l) => l.text), 'the replay prints the same console');
}

for (const [name, yaml] of Object.entries(FAULTS)) {
  test(`fault determinism: ${name} fires at the same instruction in two runs`, () => {
    const t = text(`${yaml}\nlimits: { time: 50ms }`, 'console=ttyS0 evtwd=20');
    const a = runText(t), b = runText(t);
    assert.ok(a.faults.length >= 1, `the fault fired (${formatReport(a)})`);
    assert.deepEqual(a.faults, b.faults);
    assert.equal(a.icount, b.icount);
    assert.deepEqual(a.lines, b.lines);
    assert.deepEqual(a.machine!.injected, b.machine!.injected, 'the input logs are the same');
    for (const f of a.faults) assert.ok(Number.isInteger(f.icount) && f.icount > 0);
    replayLog(a);
  });
}

test('fault determinism: every fault kind in one scenario, twice: the same fired list and input log', () => {
  const t = text(`input:
  - { at: 5ms, text: "irqs\r" }
faults:
  - { type: data-abort, status: translation, on-access: { from: 0x01000000, nth: 1 } }
  - { type: prefetch-abort, status: translation, at: 6900us }
  - { type: lost-upcall, nth: 1 }
  - { type: irq-storm, line: 122, start: 1ms, period: 20us, count: 20 }
  - { type: bit-flip, address: 0x01000000, bit: 1, at: 2ms }
  - { type: corrupt-input, byte: 1, xor: 0x20 }
  - { type: lost-interrupt, line: 32, nth: 1 }
  - { type: spurious-interrupt, line: 32, at: 5500us, width: 100 }
  - { type: data-abort, status: permission, at: 7ms }
limits: { time: 20ms }`, 'console=ttyS0 evtwd=5');
  const a = runText(t), b = runText(t);
  const kinds = new Set(a.faults.map((f) => f.type));
  // The first abort that hits the hypervisor panics it; the data abort on access and the one at 7 ms may come too late.
  for (const k of ['lost-upcall', 'irq-storm', 'bit-flip', 'corrupt-input', 'lost-interrupt', 'spurious-interrupt', 'prefetch-abort']) {
    assert.ok(kinds.has(k as never), `${k} fired (${formatReport(a)})`);
  }
  assert.deepEqual(a.faults, b.faults);
  assert.deepEqual(a.machine!.injected, b.machine!.injected);
  assert.equal(a.icount, b.icount);
  replayLog(a);
});

test('corrupted input: the input log holds the bytes actually delivered', () => {
  const r = runText(text(`input:
  - { at: 5ms, text: "abc" }
  - { at: 6ms, text: "de" }
faults:
  - { type: corrupt-input, byte: 2, drop: true }
  - { type: corrupt-input, byte: 4, replace: 0x58 }
  - { type: corrupt-input, byte: 5, xor: 0x01 }
limits: { time: 20ms }`));
  const delivered = r.machine!.injected.filter((e) => e.injection.kind === 'console-input')
    .map((e) => ({ icount: e.icount, text: Buffer.from((e.injection as { data: Uint8Array }).data).toString('latin1') }));
  // One entry per byte, one character time (86806 ticks at 115200 baud, 1 GHz) apart;
  // the dropped byte still took its time on the line and left an empty entry there.
  assert.deepEqual(delivered, [
    { icount: 5_000_000, text: 'a' }, { icount: 5_086_806, text: '' }, { icount: 5_173_611, text: 'c' },
    { icount: 6_000_000, text: 'X' }, { icount: 6_086_806, text: 'd' },
  ]);
  assert.deepEqual(r.faults.map((f) => [f.icount, f.detail]), [
    [5_086_806, "byte 2 (0x62 'b') on uartd dropped"],
    [6_000_000, "byte 4 on uartd: 0x64 'd' delivered as 0x58 'X'"],
    [6_086_806, "byte 5 on uartd: 0x65 'e' delivered as 0x64 'd'"],
  ]);
});

test('corrupted input typed as a burst: the input log holds one entry of the bytes delivered, at the time typed', () => {
  const r = runText(text(`input:
  - { at: 5ms, text: "abc", burst: true }
faults:
  - { type: corrupt-input, byte: 2, drop: true }
  - { type: corrupt-input, byte: 3, replace: 0x58 }
limits: { time: 20ms }`));
  const delivered = r.machine!.injected.filter((e) => e.injection.kind === 'console-input')
    .map((e) => ({ icount: e.icount, text: Buffer.from((e.injection as { data: Uint8Array }).data).toString('latin1') }));
  assert.deepEqual(delivered, [{ icount: 5_000_000, text: 'aX' }]);
  assert.deepEqual(r.faults.map((f) => f.icount), [5_000_000, 5_000_000]);
});

test('a dropped byte leaves an empty input-log entry at its time, so the two-core run replays identically', () => {
  const r = runText(text(`smp: 2
input:
  - { at: 5ms, text: "domains\r" }
faults:
  - { type: corrupt-input, byte: 1, drop: true }
  - { type: corrupt-input, byte: 4, drop: true }
limits: { time: 20ms }`));
  const entries = r.machine!.injected.filter((e) => e.injection.kind === 'console-input');
  assert.deepEqual(entries.map((e) => (e.injection as { data: Uint8Array }).data.length), [0, 1, 1, 0, 1, 1, 1, 1]);
  assert.equal(entries[0].icount, 5_000_000);
  const identity = checkReplayIdentity(r);
  assert.ok(identity.ok, identity.problem);
});

test('a bit flip inverts exactly one bit of RAM at its time', () => {
  const r = runText(text(`faults:
  - { type: bit-flip, address: 0x01000004, bit: 9, at: 1ms }
limits: { time: 20ms }`));
  assert.equal(r.faults.length, 1);
  assert.equal(r.faults[0].icount, 1_000_000);
  assert.equal(r.machine!.bus.read32(0x01000004), 1 << 9);
});

test('a lost interrupt lowers the line at the instruction the CPU executes next, and the device stays unheard', () => {
  const r = runText(text(`faults:
  - { type: lost-interrupt, line: 32, nth: 1 }
limits: { time: 20ms }`));
  const lost = r.faults.filter((f) => f.type === 'lost-interrupt');
  assert.equal(lost.length, 1);
  const entry = r.machine!.injected.find((e) => e.injection.kind === 'irq-line');
  assert.ok(entry && entry.point.at === 'exec', 'an exec-point irq-line entry');
  assert.equal(entry.icount, lost[0].icount);
  assert.equal((entry.point as { pc: number }).pc, lost[0].pc);
}); 

test('an injected abort at an instruction count fires exactly there', () => {
  const r = runText(text(`faults:\n  - { type: data-abort, status: translation, at: 2000000 }\nlimits: { time: 50ms }`));
  assert.equal(r.faults.length, 1);
  assert.equal(r.faults[0].icount, 2_000_000);
});

test('the example scenarios in features/scenarios all pass', () => {
  for (const f of fs.readdirSync(SCENARIOS).filter((x) => x.endsWith('.yaml'))) {
    const r = runScenario(loadScenario(path.join(SCENARIOS, f)));
    assert.equal(r.verdict, 'pass', formatReport(r));
  }
});

/** Writes a scenario file and returns the InputFileError loading it gives. */
function badInput(name: string, content: string): InputFileError {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  try {
    loadScenario(file);
  } catch (e) {
    assert.ok(e instanceof InputFileError, `expected an InputFileError, got ${(e as Error).stack}`);
    assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
    return e;
  }
  assert.fail(`${name} was accepted`);
}

const lineOf = (t: string, needle: string) => t.split('\n').findIndex((l) => l.includes(needle)) + 1;

test('bad input: an unknown key names the key and its line', () => {
  const t = text('expect:\n  consol: ["x"]\n');
  const e = badInput('unknown-key.yaml', t);
  assert.equal(e.line, lineOf(t, 'consol:'));
  assert.equal(e.column, 3);
  assert.match(e.problem, /unknown key 'consol'/);
});

test('bad input: a wrong type', () => {
  const t = text('faults:\n  - { type: irq-storm, line: "many", start: 1ms, period: 10us, count: 3 }\n');
  const e = badInput('wrong-type.yaml', t);
  assert.equal(e.line, lineOf(t, 'irq-storm'));
  assert.match(e.problem, /'line' must be integer/);
});

test('bad input: an unknown symbol, with similar names', () => {
  const t = text('faults:\n  - type: data-abort\n    status: translation\n    on-exec: { at: sched_retrun }\n');
  const e = badInput('unknown-symbol.yaml', t);
  assert.equal(e.line, lineOf(t, 'sched_retrun'));
  assert.match(e.problem, /unknown symbol 'sched_retrun' in the kernel/);
  const t2 = text('faults:\n  - { type: lost-upcall, function: deliver }\n');
  assert.match(badInput('similar.yaml', t2).problem, /similar: .*deliver_upcall/);
});

test('bad input: a missing image file', () => {
  const t = text('').replace(HYP, path.join(tmp, 'missing.elf'));
  const e = badInput('missing-kernel.yaml', t);
  assert.equal(e.line, lineOf(t, 'kernel:'));
  assert.match(e.problem, /kernel file .*missing\.elf does not exist/);
  const inline = `board: tegra2-xoom
boot:
  kernel: ${HYP}
  volume:
    images:
      - { name: a, role: domu, file: nowhere.elf }
`;
  const e2 = badInput('missing-image.yaml', inline);
  assert.equal(e2.line, 6);
  assert.match(e2.problem, /image file nowhere\.elf does not exist/);
});

test('bad input: a fault that can never fire', () => {
  const t = text('faults:\n  - { type: data-abort, status: translation, at: 2s }\nlimits: { time: 100ms }\n');
  const e = badInput('never-fires.yaml', t);
  assert.equal(e.line, lineOf(t, 'at: 2s'));
  assert.match(e.problem, /can never happen: the run stops at 100 ms/);
  const t2 = text('faults:\n  - { type: data-abort, status: translation }\n');
  assert.match(badInput('no-trigger.yaml', t2).problem, /never fires: give it a trigger/);
  const t3 = text('faults:\n  - { type: data-abort, status: translation, on-access: { from: 0x2000, to: 0x1000 } }\n');
  assert.match(badInput('empty-range.yaml', t3).problem, /no access can ever be in it/);
});

test('bad input: a bad time, a deadline after the limit, YAML syntax, a bad regex', () => {
  assert.match(badInput('bad-time.yaml', text('limits: { time: 10 parsecs }\n')).problem, /'10 parsecs' is not a time/);
  assert.match(badInput('late-deadline.yaml', text('expect:\n  console: [{ text: x, by: 2s }]\nlimits: { time: 1s }\n')).problem, /deadline 2 s .* is after the end of the run/);
  const syntax = badInput('syntax.yaml', 'board: tegra2-xoom\nboot: [\n');
  assert.match(syntax.problem, /YAML syntax/);
  assert.match(badInput('regex.yaml', text('expect:\n  never: ["/(/"]\n')).problem, /bad regular expression/);
});

test('a broken expectation fails with a readable report and console context', () => {
  const r = runText(text(`expect:
  console:
    - "[dom1] ping 3/10"
    - "[dom1] ping 11/10"
    - "all domains have shut down"
  never: ["pong 11/10"]
limits: { time: 100ms }`, 'console=ttyS0 evtwd=100'));
  assert.equal(r.verdict, 'fail');
  const report = formatReport(r);
  assert.match(report, /ok {5}console shows "\[dom1\] ping 3\/10": at [\d.]+ ms \(\d+ insns\), line \d+/);
  assert.match(report, /FAILED console shows "\[dom1\] ping 11\/10"\n {9}never printed after "\[dom1\] ping 3\/10" \(line \d+\); the run ended at/);
  assert.match(report, / \| hyp: all domains have shut down; halting/, 'console context');
  assert.match(report, /FAILED console shows "all domains have shut down"\n {9}not checked: "\[dom1\] ping 11\/10" before it was never printed/);
  assert.match(report, /ok {5}console never shows "pong 11\/10"/);
  assert.match(report, /^FAIL test: 2 of \d+ expectations failed/m);
});

test('a missed deadline reports the console up to the deadline (the run ends there)', () => {
  const r = runText(text(`expect:\n  console: [{ text: "[dom0] pong 10/10", by: 2ms }]\nlimits: { time: 100ms }`));
  assert.equal(r.verdict, 'fail');
  assert.match(formatReport(r), /FAILED console shows "\[dom0\] pong 10\/10" by 2 ms .*\n {9}not printed by the deadline 2 ms \(2000000 insns\); the last lines before it:\n/);
  assert.equal(r.icount, 2_000_001, 'the run ends once past the deadline');
});

test('a run that hits its limit is a limit verdict, unless the limit is the expected end', () => {
  const t = text('limits: { instructions: 1M }\n');
  assert.equal(runText(t).verdict, 'limit');
  assert.equal(runText(text('expect: { end: limit }\nlimits: { instructions: 1M }\n')).verdict, 'pass');
});

/** The error a scenario text gives, checked to be at the line holding `needle` (file:line:column in the message). */
function badAt(name: string, t: string, needle: string, problem: RegExp): void {
  const e = badInput(name, t);
  assert.equal(e.line, lineOf(t, needle), `line of ${needle}: ${e.message}`);
  assert.ok(e.column >= 1, 'a column');
  assert.match(e.problem, problem);
}

test('bad input: a bit flip outside the RAM of the board', () => {
  badAt('flip-outside.yaml', text('faults:\n  - { type: bit-flip, address: 0x70006300, bit: 0, at: 1ms }\n'), '0x70006300',
    /bit flip at 0x70006300: no RAM there on board tegra2-xoom \(RAM: dram-bank0/);
  badAt('flip-bit.yaml', text('faults:\n  - { type: bit-flip, address: 0x1000, bit: 32, at: 1ms }\n'), 'bit: 32', /'bit' must be <= 31/);
  badAt('flip-late.yaml', text('faults:\n  - { type: bit-flip, address: 0x1000, bit: 1, at: 2s }\nlimits: { time: 1s }\n'), 'at: 2s', /the bit flip at 2 s .* can never happen/);
});

test('bad input: a corrupted input byte that is never typed, or a corruption doing two things', () => {
  badAt('corrupt-beyond.yaml', text('input:\n  - { at: 1ms, text: "ab" }\nfaults:\n  - { type: corrupt-input, byte: 3, drop: true }\n'), 'byte: 3',
    /byte 3 of the input to uartd can never be corrupted: the scenario types only 2 byte\(s\) there/);
  badAt('corrupt-two.yaml', text('input:\n  - { at: 1ms, text: "ab" }\nfaults:\n  - { type: corrupt-input, byte: 1, drop: true, xor: 1 }\n'), 'xor: 1',
    /does one thing to the byte; this one has drop and xor/);
  badAt('corrupt-device.yaml', text('faults:\n  - { type: corrupt-input, device: uartz, byte: 1, drop: true }\n'), 'uartz', /device 'uartz' is not on board/);
});

test('bad input: a lost interrupt on a line no device drives, a spurious interrupt after the end', () => {
  badAt('lost-undriven.yaml', text('faults:\n  - { type: lost-interrupt, line: 155 }\n'), 'line: 155', /no device of board tegra2-xoom drives gic line 155, so no assertion of it can ever be lost/);
  // An SGI has no input line: lost-interrupt loses SGIs sent through GICD_SGIR (test/scenario/smp-scenarios.test.ts); the others refuse it.
  badAt('spurious-sgi.yaml', text('faults:\n  - { type: spurious-interrupt, line: 3, at: 1ms }\n'), 'line: 3', /software-generated interrupts/);
  badAt('spurious-late.yaml', text('faults:\n  - { type: spurious-interrupt, line: 32, at: 3s }\n'), 'at: 3s', /spurious interrupt at 3 s .* can never happen/);
  badAt('spurious-controller.yaml', text('faults:\n  - { type: spurious-interrupt, controller: pic, line: 32, at: 1ms }\n'), 'pic', /interrupt controller 'pic' is not on board/);
});

test('bad input: a bad time unit in a fault', () => {
  badAt('bad-unit.yaml', text('faults:\n  - { type: spurious-interrupt, line: 32, at: 5 fortnights }\n'), 'fortnights', /'5 fortnights' is not a time or an instruction count/);
});

test('bad input: per-device consoles and the framebuffer', () => {
  badAt('console-unknown.yaml', text('expect:\n  consoles:\n    uartq: ["x"]\n'), 'uartq', /device 'uartq' is not on board tegra2-xoom/);
  badAt('console-not-uart.yaml', text('expect:\n  consoles:\n    gic: ["x"]\n'), 'gic:', /not a UART/);
  badAt('console-main.yaml', text('expect:\n  consoles:\n    uartd: ["x"]\n'), 'uartd:', /is the main console/);
  badAt('console-semihosting.yaml', text('expect:\n  consoles:\n    semihosting: ["x"]\n'), 'semihosting:', /needs boot.semihosting: true/);
  badAt('golden-missing.yaml', text('expect:\n  framebuffer: { golden: nowhere.png }\n'), 'nowhere.png', /golden picture nowhere\.png does not exist/);
  const notPng = path.join(tmp, 'not.png');
  fs.writeFileSync(notPng, 'not a picture');
  badAt('golden-bad.yaml', text(`expect:\n  framebuffer: { golden: ${notPng} }\n`), 'not.png', /not a readable PNG/);
  badAt('exit-no-semihosting.yaml', text('expect:\n  end: exit\n'), 'end: exit', /only end with an exit through semihosting/);
});

test('a framebuffer mismatch reports the differing pixels and carries the actual picture', () => {
  const golden = path.join(ROOT, 'test', 'programs-tegra', 'expected', 'tegra_devices.png');
  const other = path.join(tmp, 'other.png');
  const { decodePng, encodePng } = require('../../scenario/check/png') as typeof import('../../scenario/check/png');
  const img = decodePng(fs.readFileSync(golden));
  for (let i = 0; i < 10; i++) img.data[i * 4] ^= 0xff;
  fs.writeFileSync(other, encodePng(img));
  const t = fs.readFileSync(path.join(SCENARIOS, 'tegra-devices.yaml'), 'utf8').replace(/\.\.\/\.\.\//g, `${ROOT}/`)
    .replace(/golden: .*tegra_devices\.png/, `golden: ${other}`);
  const r = runText(t);
  assert.equal(r.verdict, 'fail');
  const fb = r.expectations.find((e) => /shows the picture/.test(e.what))!;
  assert.equal(fb.ok, false);
  assert.match(fb.problem!, /^10 pixel\(s\) differ; the first at \(0, 0\)/);
  assert.ok(fb.artifact && fb.artifact.mediaType === 'image/png');
  assert.equal(decodePng(fb.artifact.data).width, img.width);
});

test('per-device console expectations see only that device', () => {
  const r = runText(text(`expect:
  console: ["starting 2 domains"]
  consoles:
    uarta: ["starting 2 domains"]
limits: { time: 50ms }`));
  const a = r.expectations.find((e) => e.what.startsWith('uarta console shows'))!;
  assert.equal(a.ok, false);
  assert.match(a.problem!, /never printed at all/);
  assert.ok(r.expectations.find((e) => e.what === 'console shows "starting 2 domains"')!.ok);
});
