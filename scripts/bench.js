#!/usr/bin/env node
// The benchmarks, each printing JSON lines with its peer's figure from the
// same run: the engines on bench.elf against QEMU -icount (bench/interpreter.ts)
// and, when `npm run linux:vexpress` has fetched Debian's kernel into
// .cache/linux, the boot to the shell against QEMU plain and in its record
// mode with the replay's verification (scripts/linux-vexpress.js --replay),
// then what recording that boot costs: size, overhead, seeks
// (bench/recordings.ts). --no-linux skips the boot (it takes minutes).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (file, args = []) => {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exitCode = 1;
};

run(path.join(root, 'dist', 'bench', 'interpreter.js'));
const cache = path.join(root, '.cache', 'linux');
const haveKernel = fs.existsSync(cache) && fs.readdirSync(cache).some((f) => /^vmlinuz-.*-armmp$/.test(f));
if (process.argv.includes('--no-linux')) {
  console.log(JSON.stringify({ bench: 'linux-vexpress', skipped: '--no-linux' }));
} else if (!haveKernel) {
  console.log(JSON.stringify({ bench: 'linux-vexpress', skipped: 'Debian\'s kernel is not in .cache/linux: run npm run linux:vexpress once' }));
} else {
  run(path.join(root, 'scripts', 'linux-vexpress.js'), ['--replay']);
  // The recording's size, what recording adds to the run, seeks and verify, on the boot just written.
  run(path.join(root, 'dist', 'bench', 'recordings.js'), [path.join(cache, 'linux-vexpress.yaml'), '--runs', '2']);
}
