#!/usr/bin/env node
// The bring-up suite (`npm start`): the scenarios in features/suite/ (the
// reference hypervisor on the simulated Xoom with the boot volumes in
// firmware/volumes/), each run by the scenario runner as `bringup run` runs
// it and checked against what its console must (and must not) show; then the
// bring-up features (features/*.feature: faults injected into the hypervisor
// and its domains, console, FIQ debugger, scheduling, each run replayed to
// prove it deterministic). Nothing but YAML scenarios and the features over
// them: the bare-metal programs compared with QEMU run in `npm test`
// (test/integration/programs.test.ts). Ends with "N passed, N failed".
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { loadScenario } = require('../dist/scenario/file/scenario-file');
const { runScenario } = require('../dist/scenario/run/runner');
const { formatReport } = require('../dist/scenario/check/report');
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


let passed = 0, failed = 0;
const count = (ok) => { if (ok) passed++; else failed++; };
console.log(`# Bring-up scenarios (${path.relative(root, suite)}/)`);
for (const f of fs.readdirSync(suite).filter((x) => /\.ya?ml$/.test(x)).sort()) count(runSuiteScenario(path.join(suite, f)));
const features = runFeatures();
passed += features.pass;
failed += features.fail;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
