#!/usr/bin/env node
// Runs every test suite (node:test files compiled into dist/test, then the
// Cucumber features) and ends with
// one line counting all of them together: "N passed, N failed, N skipped".
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runFeatures } = require('./run-features');

const root = path.resolve(__dirname, '..');
const filter = process.argv.slice(2);

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  }).sort();
}

let files = findTests(path.join(root, 'dist', 'test'));
// Compiled files whose source was deleted must not run.
files = files.filter((f) => fs.existsSync(path.join(root, path.relative(path.join(root, 'dist'), f)).replace(/\.js$/, '.ts')));
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));

const tap = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-test-')), 'report.tap');
const res = spawnSync(process.execPath, [
  '--test',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
], { stdio: 'inherit', cwd: root });

const counts = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
if (fs.existsSync(tap)) {
  for (const line of fs.readFileSync(tap, 'utf8').split('\n')) {
    const m = /^# (pass|fail|skipped|todo|cancelled) (\d+)$/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
  }
}
// The Cucumber features (features/*.feature), counted by scenario.
const runCucumber = !filter.length || filter.some((x) => /feature|cucumber/.test(x));
const cuke = runCucumber ? runFeatures() : { pass: 0, fail: 0, skipped: 0 };

const failed = counts.fail + counts.cancelled;
const passed = counts.pass + cuke.pass;
const skipped = counts.skipped + counts.todo + cuke.skipped;
if (res.status !== 0 && failed === 0) {
  console.log(`test runner exited with status ${res.status} (signal ${res.signal ?? 'none'})`);
  console.log(`${passed} passed, ${1 + cuke.fail} failed, ${skipped} skipped`);
  process.exit(1);
}
console.log(`${passed} passed, ${failed + cuke.fail} failed, ${skipped} skipped`);
process.exit(failed + cuke.fail === 0 && res.status === 0 ? 0 : 1);
