#!/usr/bin/env node
// The bring-up suite (`npm start`): the scenarios in features/suite/ (the
// reference hypervisor on the simulated Xoom with the boot volumes in
// firmware/volumes/), each run by the scenario runner as `bringup run` runs
// it and checked against what its console must (and must not) show; then the
// bring-up features (features/*.feature: faults injected into the hypervisor
// and its domains, console, FIQ debugger, scheduling, each run replayed to
// prove it deterministic); then the bare-metal programs on vexpress-a9
// against QEMU's recorded output. Ends with "N passed, N failed".
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { loadScenario } = require('../dist/scenario/file/scenario-file');
const { runScenario } = require('../dist/scenario/run/runner');
const { formatReport } = require('../dist/scenario/check/report');
const { bootBoard } = require('../dist/scenario/boards');
const { runFeatures } = require('./run-features');

const root = path.resolve(__dirname, '..');
const suite = path.join(root, 'features', 'suite');

function runSuiteScenario(file) {
  const t0 = Date.now();
  let result;
  try {
    result = runScenario(loadScenario(file));
  } catch (e) {
    console.log(`FAIL ${path.relative(root, file)}: ${e.message}`);
    return false;
  }
  const ok = result.verdict === 'pass';
  console.log(`${ok ? 'PASS' : 'FAIL'} ${result.scenario.name.padEnd(62)} ${String(result.icount).padStart(10)} insns ${Date.now() - t0} ms`);
  if (!ok) console.log(formatReport(result).split('\n').map((l) => `     ${l}`).join('\n'));
  return ok;
}

function runProgram(file, expectedFile, variant) {
  let out = '';
  const { machine: m } = bootBoard({
    board: 'vexpress-a9',
    program: { name: file, file, data: fs.readFileSync(file) },
    semihosting: { host: { console: (_s, d) => { out += Buffer.from(d).toString('latin1'); } } },
  });
  const t0 = Date.now();
  const stop = m.runUntil(2e9);
  const ok = stop.kind === 'exit' && stop.code === 0 && out === fs.readFileSync(expectedFile, 'latin1');
  const name = `vexpress-a9: ${variant ? `${variant}/` : ''}${path.basename(file, '.elf')} matches QEMU`;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name.padEnd(62)} ${String(m.cpu.icount).padStart(10)} insns ${Date.now() - t0} ms`);
  return ok;
}

let passed = 0, failed = 0;
const count = (ok) => { if (ok) passed++; else failed++; };
console.log(`# Bring-up scenarios (${path.relative(root, suite)}/)`);
for (const f of fs.readdirSync(suite).filter((x) => /\.ya?ml$/.test(x)).sort()) count(runSuiteScenario(path.join(suite, f)));
const features = runFeatures();
passed += features.pass;
failed += features.fail;
// The program variants of test/programs/Makefile: A32 (build/), Thumb-2
// (build/thumb/) and Thumb-2 hard-float VFPv3-D16 (build/vfp/).
console.log('\n# Bare-metal programs against QEMU');
const programs = path.join(root, 'test', 'programs');
for (const variant of ['', 'thumb', 'vfp']) {
  const build = path.join(programs, 'build', variant);
  for (const f of fs.readdirSync(build).filter((x) => x.endsWith('.elf')).sort()) {
    const expected = path.join(programs, 'expected', variant, f.replace(/\.elf$/, '.txt'));
    if (fs.existsSync(expected)) count(runProgram(path.join(build, f), expected, variant));
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
