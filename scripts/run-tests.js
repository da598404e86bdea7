#!/usr/bin/env node
// Runs every test suite (node:test files compiled into dist/test, two files
// at a time, then the Cucumber features) and ends with
// one line counting all of them together: "N passed, N failed, N skipped".
//
//   node scripts/run-tests.js [--fast] [FILTER...]
//
// FILTER: run only the test files whose path contains one of the strings
// (Cucumber only when one mentions "feature" or "cucumber").
// --fast (npm run test:fast): only the folders of FAST_FOLDERS, three files at
// a time, no Cucumber, and no external tools: tests needing arm-none-eabi-gcc,
// QEMU or make skip (BRINGUP_NO_TOOLS=1, see test/support/environment.ts).
// Left out: test/cli and test/integration (they run the bringup command as a
// process: end-to-end), test/diff (against QEMU), test/fuzz.
//
// Tests must leave nothing behind: the run gets a temporary folder of its own
// (TMPDIR), which must be empty at the end, and /tmp is listed before and
// after: anything new whose name starts with "bringup" that is still there
// is printed and counted as a failure.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const fast = args.includes('--fast');
const filter = args.filter((a) => a !== '--fast');
/** The test folders (under test/) that --fast runs. */
const FAST_FOLDERS = ['machine', 'replay', 'scenario', 'docs', 'support', 'debug'];

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  }).sort();
}

const systemTmp = os.tmpdir();
const listTmp = () => new Set(fs.readdirSync(systemTmp).filter((n) => n.startsWith('bringup')));
const tmpBefore = listTmp();
// The run's own temporary folder: everything the tests create with os.tmpdir() goes in here.
const runTmp = fs.mkdtempSync(path.join(systemTmp, 'bringup-run-tests-'));
process.env.TMPDIR = runTmp;
// Runs that fail keep their recordings by design (for the user to replay); under
// test they go to a folder of this run, removed with it, never into the checkout's .bringup/.
const keptRecordings = fs.mkdtempSync(path.join(systemTmp, 'bringup-run-recordings-'));
process.env.BRINGUP_RECORDINGS_DIR = keptRecordings;
const { runFeatures } = require('./run-features');

let files = findTests(path.join(root, 'dist', 'test'));
// Compiled files whose source was deleted must not run.
files = files.filter((f) => fs.existsSync(path.join(root, path.relative(path.join(root, 'dist'), f)).replace(/\.js$/, '.ts')));
if (fast) {
  const dirs = FAST_FOLDERS.map((d) => path.join(root, 'dist', 'test', d) + path.sep);
  files = files.filter((f) => dirs.some((d) => f.startsWith(d)));
  process.env.BRINGUP_NO_TOOLS = '1';
}
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));

const tap = path.join(runTmp, 'report.tap');
// With a filter that matches no test file, `node --test` without files would run every test it finds.
const res = !files.length ? { status: 0, signal: null } : spawnSync(process.execPath, [
  '--test',
  // Node runs one file at a time on a two-core machine unless told otherwise;
  // two at a time keep both cores busy (many files wait on child processes).
  `--test-concurrency=${fast ? 3 : 2}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
], { stdio: 'inherit', cwd: root, env: process.env });

const counts = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
if (fs.existsSync(tap)) {
  for (const line of fs.readFileSync(tap, 'utf8').split('\n')) {
    const m = /^# (pass|fail|skipped|todo|cancelled) (\d+)$/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
  }
  fs.rmSync(tap, { force: true });
}
// The Cucumber features (features/*.feature), counted by scenario.
const runCucumber = !fast && (!filter.length || filter.some((x) => /feature|cucumber/.test(x)));
const cuke = runCucumber ? runFeatures() : { pass: 0, fail: 0, skipped: 0 };

// Leftovers: in the run's own temporary folder, and new bringup* entries in /tmp.
const leftovers = fs.readdirSync(runTmp).map((n) => path.join(runTmp, n));
fs.rmSync(runTmp, { recursive: true, force: true });
fs.rmSync(keptRecordings, { recursive: true, force: true });
for (const n of listTmp()) if (!tmpBefore.has(n) && n !== path.basename(runTmp)) leftovers.push(path.join(systemTmp, n));
if (leftovers.length) {
  console.log(`\n# the tests left ${leftovers.length} file(s) or folder(s) in the temporary folder:`);
  for (const l of leftovers) console.log(`#   ${l}`);
}
const leaked = leftovers.length ? 1 : 0;

const failed = counts.fail + counts.cancelled + leaked;
const passed = counts.pass + cuke.pass;
const skipped = counts.skipped + counts.todo + cuke.skipped;
if (res.status !== 0 && counts.fail + counts.cancelled === 0) {
  console.log(`test runner ${res.signal ? `was killed by ${res.signal}` : `exited with status ${res.status}`}`);
  console.log(`${passed} passed, ${1 + failed + cuke.fail} failed, ${skipped} skipped`);
  process.exit(1);
}
console.log(`${passed} passed, ${failed + cuke.fail} failed, ${skipped} skipped`);
process.exit(failed + cuke.fail === 0 && res.status === 0 ? 0 : 1);
