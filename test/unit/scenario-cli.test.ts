/** `bringup run`, `bringup validate` and `bringup test`: output and exit statuses. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(__dirname, '..', '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-scenario-cli-'));
const pingpong = path.join(root, 'features', 'scenarios', 'pingpong.yaml');

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** pingpong.yaml with some text replaced, written next to it in a temp dir (paths made absolute). */
function variant(name: string, from: string | RegExp, to: string): string {
  const t = fs.readFileSync(pingpong, 'utf8').replace(/\.\.\/\.\.\//g, `${root}/`).replace(from, to);
  const f = path.join(tmp, name);
  fs.writeFileSync(f, t);
  return f;
}

test('bringup run: a passing scenario shows the console and the verdict, exit 0', () => {
  const r = bringup('run', pingpong);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\[dom1\] ping 10\/10\r?\n/);
  assert.match(r.stdout, /ok {5}console shows "\[dom1\] ping 10\/10" by 10 ms \(10000000 insns\): at [\d.]+ ms/);
  assert.match(r.stdout, /^PASS two domains ping-pong an event/m);
});

test('bringup run --quiet: only the report', () => {
  const r = bringup('run', '--quiet', pingpong);
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stdout, /^\[dom1\] ping/m);
  assert.match(r.stdout, /^scenario two domains ping-pong an event/);
});

test('bringup run: a failed expectation is exit 1 with the context', () => {
  const r = bringup('run', '--quiet', variant('fail.yaml', '[dom0] pong 10/10', '[dom0] pong 11/10'));
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAILED console shows "\[dom0\] pong 11\/10"/);
  assert.match(r.stdout, / +\d+ \| /);
});

test('bringup run: an invalid scenario is exit 2 with file:line:column', () => {
  const f = variant('bad.yaml', 'never:', 'nevr:');
  const r = bringup('run', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:3: unknown key 'nevr'`));
});

test('bringup run: hitting the limit is exit 3', () => {
  const f = variant('limit.yaml', 'time: 500ms', 'instructions: 2M');
  fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(', by: 10ms', ''));
  const r = bringup('run', '--quiet', f);
  assert.equal(r.status, 3);
  assert.match(r.stdout, /^LIMIT /m);
});

test('bringup validate: ok files and bad files, exit 2 if any is bad', () => {
  const ok = bringup('validate', pingpong, path.join(root, 'firmware', 'volumes', 'solo.yaml'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /pingpong\.yaml: ok \(scenario/);
  assert.match(ok.stdout, /solo\.yaml: ok \(boot volume manifest/);
  const bad = variant('bad-symbol.yaml', 'expect:', 'faults:\n  - { type: lost-upcall, function: no_such_fn }\nexpect:');
  const r = bringup('validate', pingpong, bad);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad-symbol\.yaml:\d+:\d+: unknown symbol 'no_such_fn'/);
});

test('bringup help lists run, validate and test', () => {
  const r = bringup('--help');
  assert.match(r.stdout, /\n  run +run a scenario/);
  assert.match(r.stdout, /\n  validate +check/);
  assert.match(r.stdout, /\n  test +run the Cucumber features/);
  assert.match(bringup('run', '--help').stdout, /usage: bringup run SCENARIO\.yaml \[--quiet\]/);
});
