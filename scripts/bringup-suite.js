#!/usr/bin/env node
// The bring-up suite: the reference hypervisor on the simulated Xoom with the
// boot volumes in firmware/volumes/, each run checked against what its console
// must (and must not) show; then the bring-up features (features/*.feature:
// faults injected into the hypervisor and its domains, console, FIQ debugger,
// scheduling, each run replayed to prove it deterministic); then the
// bare-metal programs on vexpress-a9 against QEMU's recorded output. Ends with
// "N passed, N failed".
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createMachine } = require('../dist/scenario/boards');
const { bootKernel } = require('../dist/machine/boot/linux-boot');
const { packManifest } = require('../dist/scenario/volume-manifest');
const { parseElf } = require('../dist/machine/loaders/elf');
const { runFeatures } = require('./run-features');

const root = path.resolve(__dirname, '..');
const firmware = path.join(root, 'firmware');

const RUNS = [
  {
    name: 'xoom: two domains ping-pong an event',
    volume: 'pingpong.yaml', cmdline: 'console=ttyS0 evtwd=100',
    expect: [/bringup reference hypervisor/, /bank 0: 0x00000000/, /dom0 dom0: starting image pingpong/,
      /dom1 dom1: starting image pingpong/, /\[dom1\] ping 10\/10/, /\[dom0\] pong 10\/10/, /all domains have shut down/],
    never: [/WATCHDOG|PANIC|FAULT/],
  },
  {
    name: 'xoom: one domain from the same build',
    volume: 'solo.yaml', cmdline: 'console=ttyS0',
    expect: [/configuration: 1 domains/, /dom0 solo: starting image pingpong/, /all domains have shut down/],
    never: [/dom1/],
  },
  {
    name: 'xoom: a NULL dereference kills its domain, the others finish',
    volume: 'crash.yaml', cmdline: 'console=ttyS0 sched=preempt',
    expect: [/scheduler: preemptive/, /crash: killed/, /\[ping\] pingpong: done after 3 rounds/, /all domains have shut down/],
    never: [/hyp: PANIC/],
  },
  {
    name: 'xoom: a jump into execute-never data is a prefetch abort',
    volume: 'xn.yaml', cmdline: 'console=ttyS0 sched=preempt',
    expect: [/DOMAIN FAULT: dom2 jumper: prefetch abort/, /IFSR 0x0000000f: Permission fault, page/, /jumper: killed/,
      /\[ping\] pingpong: done after 3 rounds/, /all domains have shut down/],
    never: [/returned from a data page/, /HYPERVISOR PANIC/],
  },
  {
    name: 'xoom: two CPU-bound domains are preempted by the tick',
    volume: 'spin.yaml', cmdline: 'console=ttyS0 sched=preempt',
    expect: [/scheduler: preemptive/, /\[spin0\] spin: done after 3 rounds/, /\[spin1\] spin: done after 3 rounds/,
      /dom0 spin0: .* [1-9]\d* preemptions/, /all domains have shut down/],
    never: [/FAULT|PANIC/],
  },
];

function runHypervisor(run) {
  const m = createMachine('tegra2-xoom');
  let out = '';
  m.probes.console.subscribe((device, data) => { if (device === 'uartd') out += Buffer.from(data).toString('latin1'); });
  bootKernel(m, {
    kernel: fs.readFileSync(path.join(firmware, 'build', 'hypervisor.elf')), kernelName: 'hypervisor.elf',
    initrd: packManifest(path.join(firmware, 'volumes', run.volume)), cmdline: run.cmdline,
  });
  const t0 = Date.now();
  const stop = m.runUntil(500e6);
  out = out.replace(/\r\n/g, '\n');
  const missing = run.expect.filter((re) => !re.test(out));
  const forbidden = run.never.filter((re) => re.test(out));
  const ok = stop.kind === 'idle' && missing.length === 0 && forbidden.length === 0;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${run.name.padEnd(62)} ${String(m.cpu.icount).padStart(10)} insns ${Date.now() - t0} ms`);
  if (!ok) {
    if (stop.kind !== 'idle') console.log(`     the run ended with ${JSON.stringify(stop)} instead of halting`);
    for (const re of missing) console.log(`     never printed: ${re}`);
    for (const re of forbidden) console.log(`     printed what must not appear: ${re}`);
    console.log(out.split('\n').slice(-15).map((l) => `     | ${l}`).join('\n'));
  }
  return ok;
}

function runProgram(file, expectedFile, variant) {
  const m = createMachine('vexpress-a9');
  m.loadElf(parseElf(fs.readFileSync(file), file));
  let out = '';
  m.enableSemihosting({ host: { console: (_s, d) => { out += Buffer.from(d).toString('latin1'); } } });
  const t0 = Date.now();
  const stop = m.runUntil(2e9);
  const ok = stop.kind === 'exit' && stop.code === 0 && out === fs.readFileSync(expectedFile, 'latin1');
  const name = `vexpress-a9: ${variant ? `${variant}/` : ''}${path.basename(file, '.elf')} matches QEMU`;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name.padEnd(62)} ${String(m.cpu.icount).padStart(10)} insns ${Date.now() - t0} ms`);
  return ok;
}

let passed = 0, failed = 0;
const count = (ok) => { if (ok) passed++; else failed++; };
for (const run of RUNS) count(runHypervisor(run));
const features = runFeatures();
passed += features.pass;
failed += features.fail;
// The program variants of test/programs/Makefile: A32 (build/), Thumb-2
// (build/thumb/) and Thumb-2 hard-float VFPv3-D16 (build/vfp/).
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
