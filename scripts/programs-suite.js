#!/usr/bin/env node
// Runs every committed bare-metal test program on the simulated vexpress-a9 and
// compares its console output with the expected (QEMU-recorded) output.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Machine } = require('../dist/machine/machine');
const { parseElf } = require('../dist/machine/loaders/elf');

const root = path.resolve(__dirname, '..');
const build = path.join(root, 'test', 'programs', 'build');
const expectedDir = path.join(root, 'test', 'programs', 'expected');
let passed = 0, failed = 0;
for (const f of fs.readdirSync(build).filter((x) => x.endsWith('.elf')).sort()) {
  const name = f.replace(/\.elf$/, '');
  const expectedFile = path.join(expectedDir, `${name}.txt`);
  if (!fs.existsSync(expectedFile)) continue;
  const m = Machine.create('vexpress-a9');
  m.loadElf(parseElf(fs.readFileSync(path.join(build, f)), f));
  let out = '';
  m.enableSemihosting({ host: { console: (_s, d) => { out += Buffer.from(d).toString('latin1'); } } });
  const t0 = Date.now();
  const stop = m.runUntil(2e9);
  const ok = stop.kind === 'exit' && stop.code === 0 && out === fs.readFileSync(expectedFile, 'latin1');
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name.padEnd(12)} ${String(m.cpu.icount).padStart(11)} instructions  ${Date.now() - t0} ms`);
  if (ok) passed++; else failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
