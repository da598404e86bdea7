/**
 * Scenarios: every fault kind fires at exactly the same instruction in two
 * runs of the same scenario; every class of bad input is reported as
 * file:line:column with what is wrong; a broken expectation fails with a
 * readable report.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario, scenarioFromText } from '../../scenario/scenario-file';
import { runScenario } from '../../scenario/runner';
import { formatReport } from '../../scenario/report';
import { parseVirtualTime } from '../../scenario/virtual-time';
import { InputFileError } from '../../scenario/yaml-file';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCENARIOS = path.join(ROOT, 'features', 'scenarios');
const HYP = path.join(ROOT, 'firmware', 'build', 'hypervisor.elf');
const VOLUMES = path.join(ROOT, 'firmware', 'volumes');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-scenario-'));

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
};

for (const [name, yaml] of Object.entries(FAULTS)) {
  test(`fault determinism: ${name} fires at the same instruction in two runs`, () => {
    const t = text(`${yaml}\nlimits: { time: 50ms }`, 'console=ttyS0 evtwd=20');
    const a = runText(t), b = runText(t);
    assert.ok(a.faults.length >= 1, `the fault fired (${formatReport(a)})`);
    assert.deepEqual(a.faults, b.faults);
    assert.equal(a.icount, b.icount);
    assert.deepEqual(a.lines, b.lines);
    for (const f of a.faults) assert.ok(Number.isInteger(f.icount) && f.icount > 0);
  });
}

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
  never: ["pong 5/10"]
limits: { time: 100ms }`, 'console=ttyS0 evtwd=100'));
  assert.equal(r.verdict, 'fail');
  const report = formatReport(r);
  assert.match(report, /ok {5}console shows "\[dom1\] ping 3\/10": at [\d.]+ ms \(\d+ insns\), line \d+/);
  assert.match(report, /FAILED console shows "\[dom1\] ping 11\/10"\n {9}never printed after "\[dom1\] ping 3\/10" \(line \d+\); the run ended at/);
  assert.match(report, / \| hyp: all domains have shut down; halting/, 'console context');
  assert.match(report, /FAILED console shows "all domains have shut down"\n {9}not checked: "\[dom1\] ping 11\/10" before it was never printed/);
  assert.match(report, /FAILED console never shows "pong 5\/10"\n {9}printed at .* \(line \d+\)/);
  assert.match(report, /^FAIL test: 3 of \d+ expectations failed/m);
});

test('a missed deadline reports when it appeared and the console up to the deadline', () => {
  const r = runText(text(`expect:\n  console: [{ text: "[dom0] pong 10/10", by: 2ms }]\nlimits: { time: 100ms }`));
  assert.equal(r.verdict, 'fail');
  assert.match(formatReport(r), /printed at [\d.]+ ms \(\d+ insns\) \(line \d+\), after the deadline 2 ms/);
});

test('a run that hits its limit is a limit verdict, unless the limit is the expected end', () => {
  const t = text('limits: { instructions: 1M }\n');
  assert.equal(runText(t).verdict, 'limit');
  assert.equal(runText(text('expect: { end: limit }\nlimits: { instructions: 1M }\n')).verdict, 'pass');
});
