/**
 * `bringup minimize`: a scenario with six faults, of which exactly two
 * together make it fail (the first domain faults and is restarted; a third
 * domain load then panics the hypervisor), is reduced to those two; the
 * output keeps the rest of the file and its comments, and fails when run.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { minimizedScenarioText } from '../../scenario/hunt/minimize';
import { minimizeCommand } from '../../cli/minimize';
import { ROOT as root } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-minimize-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SCENARIO = `# yaml-language-server: $schema=${root}/schemas/scenario.schema.json
#
# Ping-pong under six faults.
name: ping-pong under six faults
board: tegra2-xoom
boot:
  kernel: ../firmware/build/hypervisor.elf
  cmdline: console=ttyS0 evtwd=100
  volume: ../firmware/volumes/pingpong.yaml
faults:
  # an interrupt line nothing listens to
  - { type: irq-storm, line: 100, start: 1ms, period: 50us, count: 20 }
  # the first domain to start faults (dom0 is restarted)
  - type: prefetch-abort
    status: translation
    on-exec: { at: "pingpong:main", nth: 1 }
  # never reached
  - { type: lost-upcall, nth: 100000 }
  # a third domain load panics the hypervisor
  - type: data-abort
    status: translation
    on-exec: { at: domain_load, nth: 3 }
  - { type: irq-storm, line: 101, start: 2ms, period: 100us, count: 10 }
  - type: data-abort
    status: permission
    on-exec: { at: sched_return, nth: 500000 }
expect:
  console:
    - "hyp: all domains have shut down; halting"
  never: [HYPERVISOR PANIC]
  end: halt
limits:
  time: 50ms
`;

/** The scenario, as if it lived in a directory next to firmware/ (its paths are relative). */
function scenarioFile(name: string, text = SCENARIO): string {
  const dir = path.join(tmp, 'scenarios');
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, name);
  fs.writeFileSync(f, text.replace(/\.\.\/firmware\//g, `${path.relative(dir, path.join(root, 'firmware'))}/`));
  return f;
}

function minimize(...args: string[]) {
  const script = `require(${JSON.stringify(path.join(root, 'dist', 'cli', 'minimize.js'))}).minimizeCommand(process.argv.slice(1)).then((c) => process.exit(c), (e) => { console.error(e.constructor.name + ': ' + e.message); process.exit(e.constructor.name === 'UsageError' || e.constructor.name === 'InputFileError' ? 2 : 4); })`;
  const r = spawnSync(process.execPath, ['-e', script, '--', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('bringup minimize: six faults reduce to the pair that makes the scenario fail', () => {
  const src = scenarioFile('six.yaml');
  const out = path.join(tmp, 'elsewhere', 'deeper', 'min.yaml');
  const r = minimize(src, '-o', out);
  assert.equal(r.status, 0, r.stderr);
  // Progress: each test with its number of faults and its verdict.
  assert.match(r.stderr, /^minimize: test 1: 6 of 6 fault\(s\): fail \(still fails\)$/m);
  assert.match(r.stderr, /^minimize: test 2: 0 of 6 fault\(s\): pass$/m);
  assert.match(r.stderr, /^minimize: test \d+: 2 of 6 fault\(s\) \[2, 4\]: fail \(still fails\)$/m);
  assert.match(r.stderr, /^minimize: test \d+: 1 of 6 fault\(s\) \[2\]: pass$/m);
  assert.match(r.stderr, /^minimize: test \d+: 1 of 6 fault\(s\) \[4\]: pass$/m);
  assert.match(r.stdout, /^2 of 6 fault\(s\) still make ping-pong under six faults fail \(fail\), after \d+ test runs:$/m);
  assert.match(r.stdout, /fault 2: prefetch-abort \(translation fault, section\) at the 1st execution of pingpong:main/);
  assert.match(r.stdout, /fault 4: data-abort \(translation fault, section\) at the 3rd execution of domain_load/);
  assert.match(r.stdout, /FAILED console never shows "HYPERVISOR PANIC"/);

  const text = fs.readFileSync(out, 'utf8');
  // The same file with two faults: comments of the kept faults stay, those of the dropped ones go.
  assert.match(text, /^# Faults minimized by bringup minimize from six\.yaml: 2 of 6 kept$/m);
  assert.match(text, /# Ping-pong under six faults\./);
  assert.match(text, /# the first domain to start faults \(dom0 is restarted\)\n {2}- type: prefetch-abort/);
  assert.match(text, /# a third domain load panics the hypervisor\n {2}- type: data-abort/);
  assert.doesNotMatch(text, /irq-storm|lost-upcall|sched_return|nothing listens|never reached/);
  // Paths now relative to the output's directory.
  assert.match(text, /kernel: \.\.\/\.\.\/.*firmware\/build\/hypervisor\.elf/);
  assert.equal(path.resolve(path.dirname(out), /kernel: (.*)/.exec(text)![1]), path.join(root, 'firmware', 'build', 'hypervisor.elf'));
  // And it fails when run.
  const run = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'run', '--quiet', out], { encoding: 'utf8' });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /\*\*\* HYPERVISOR PANIC: data abort in the hypervisor/);
});

test('bringup minimize: a scenario that passes has nothing to minimize; bad usage', async () => {
  const passing = scenarioFile('passing.yaml', SCENARIO.replace(/faults:[\s\S]*?expect:/, 'faults:\n  - { type: lost-upcall, nth: 100000 }\nexpect:'));
  const r = minimize(passing, '-o', path.join(tmp, 'never.yaml'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /does not fail with all its faults \(verdict pass\): nothing to minimize/);
  assert.equal(fs.existsSync(path.join(tmp, 'never.yaml')), false);
  await assert.rejects(minimizeCommand([passing]), /-o OUT\.yaml/);
  await assert.rejects(minimizeCommand(['-o', 'x.yaml']), /--output took 'x\.yaml' as its OUT\.yaml; give the SCENARIO\.yaml too/);
  await assert.rejects(minimizeCommand([passing, '-o', passing]), /would overwrite/);
  assert.match(minimize('--help').stdout, /^usage: bringup minimize SCENARIO\.yaml -o OUT\.yaml/);
});

test('minimizedScenarioText: an empty subset leaves an empty faults list; flow-style lists', () => {
  const src = scenarioFile('flow.yaml', SCENARIO.replace(/faults:[\s\S]*?expect:/, 'faults: [{ type: lost-upcall, nth: 3 }, { type: lost-upcall, nth: 100000 }]\nexpect:'));
  const none = minimizedScenarioText(src, [], src);
  assert.match(none, /^faults: \[\]$/m);
  const second = minimizedScenarioText(src, [1], src, ' a note');
  assert.match(second, /^# a note$/m);
  assert.match(second, /^faults: \[ \{ type: lost-upcall, nth: 100000 \} \]$/m);
  assert.match(second, /kernel: \.\.\/.*firmware\/build\/hypervisor\.elf/, 'paths stay as they were in the same directory');
});
