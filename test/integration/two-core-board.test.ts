/** tegra2-xoom runs its two cores by default: replay, the stop view and --trace full on a default scenario. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded, openReplay } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { scenarioBoot } from '../../scenario/run/boot';
import { bootMachine } from '../../machine/boot/boot-machine';
import { ROOT as root } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-two-core-board-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const made = new Map<string, string>();
/** A recording of features/scenarios/NAME.yaml as it is (no smp: the board's two cores), made once. */
function record(name: string): string {
  const hit = made.get(name);
  if (hit) return hit;
  const source = path.join(scenarios, `${name}.yaml`);
  const text = fs.readFileSync(source, 'utf8');
  const file = path.join(tmp, `${name}.bur`);
  runRecorded(scenarioFromText(text, source, scenarios), file, { text });
  made.set(name, file);
  return file;
}

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8', cwd: tmp });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a tegra2-xoom scenario with smp: 1 runs one core, not the board\'s two', () => {
  const source = path.join(scenarios, 'pingpong.yaml');
  const text = fs.readFileSync(source, 'utf8');
  const one = scenarioFromText(text.replace('board: tegra2-xoom\n', 'board: tegra2-xoom\nsmp: 1\n'), source, scenarios);
  assert.equal(one.cores, 1);
  assert.equal(bootMachine(scenarioBoot(one)).machine.cpus.length, 1);
  // Without smp: the board's cpu.count.
  const two = scenarioFromText(text, source, scenarios);
  assert.equal(two.cores, 2);
  assert.equal(bootMachine(scenarioBoot(two)).machine.cpus.length, 2);
});

test('a two-core recording of a run that halted, cut before its end record, replays to its last chunk instead of diverging there', () => {
  const file = record('pingpong');
  const full = RecordingReader.open(file);
  assert.equal(full.header.boot.cores, 2);
  assert.equal(full.end?.stop.kind, 'idle');
  const whole = fs.readFileSync(file);
  // Cut inside the end record: every chunk is there, the halt is not said.
  const cut = path.join(tmp, 'pingpong-cut.bur');
  fs.writeFileSync(cut, whole.subarray(0, whole.length - 1));
  const rec = RecordingReader.open(cut);
  assert.equal(rec.end, undefined);
  assert.equal(rec.chunks.length, full.chunks.length);
  const pos = openReplay(rec).replayer.runTo(rec.lastIcount);
  assert.equal(pos.icount, full.lastIcount);
  assert.equal(pos.stop.kind, 'idle');
  // The command line too: replayed to the end, not "diverged".
  const r = bringup('replay', cut);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^stopped at time ${full.lastIcount} `, 'm'));
  assert.doesNotMatch(r.stderr, /diverged/);
});

test('the stop view of a two-core run names each exception\'s symbol in the address space in force on its core, never "A or B"', () => {
  const r = bringup('replay', record('nullderef'), '--to-crash');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^2 cores /m);
  assert.doesNotMatch(r.stdout, /<[^>]* or [^>]*>/, 'no ambiguous symbol');
  assert.match(r.stdout, /^ {2}\[ *\d+\] core 0: data-abort from usr at 800003ac <nullderef:walk\+0x30>$/m);
  assert.match(r.stdout, /^ {2}\[ *\d+\] core 0: svc from usr at 80000010 <pingpong:_start\+0x10>$/m);
});

test('--trace full on a tegra2-xoom scenario without smp: 1 is refused naming the scenario and saying to give smp: 1', () => {
  const source = path.join(scenarios, 'pingpong.yaml');
  const out = path.join(tmp, 'full.bur');
  const r = bringup('record', source, '-o', out, '--trace', 'full', '--quiet');
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /pingpong\.yaml: --trace full records the instructions of one core; this run has 2 cores: give the scenario smp: 1 to run it on one core/);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.equal(fs.existsSync(out), false);
});
