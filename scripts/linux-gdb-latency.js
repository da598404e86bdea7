#!/usr/bin/env node
// How long reverse-stepi takes on the Linux boot recording that
// `npm run linux:vexpress` keeps in .cache/linux (linux-vexpress.bur, or
// linux-vexpress-smpN.bur with --smp N): the replay debug target of
// `bringup replay --gdb` (debug/replay-target.ts) is put at the start, the
// middle and the end of the recording (monitor goto), then steps back
// --steps times (default 5) on the core stopped there, as gdb's
// reverse-stepi does. Prints one JSON line per position: the seek there
// (restoring the recording's nearest checkpoint: seconds), then each
// reverse-stepi in milliseconds and the worst of them. The goal is under
// 500 ms each.
//
//   npm run linux:gdb-latency [-- --smp N] [--steps N] [--recording FILE]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { RecordingReader } = require(path.join(root, 'dist', 'replay', 'reader'));
const { openReplay } = require(path.join(root, 'dist', 'scenario', 'record', 'recording'));
const { ReplayTarget } = require(path.join(root, 'dist', 'debug', 'replay-target'));

const args = process.argv.slice(2);
const argValue = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const smp = Number(argValue('--smp', '0'));
const steps = Number(argValue('--steps', '5'));
const cache = path.join(root, '.cache', 'linux');
const candidates = argValue('--recording') ? [argValue('--recording')]
  : smp ? [path.join(cache, smp > 1 ? `linux-vexpress-smp${smp}.bur` : 'linux-vexpress.bur')]
    : ['linux-vexpress.bur', 'linux-vexpress-smp2.bur', 'linux-vexpress-smp4.bur'].map((f) => path.join(cache, f));
const file = candidates.find((f) => fs.existsSync(f));
if (!file) {
  console.error(`no Linux recording (looked for ${candidates.map((f) => path.relative(root, f)).join(', ')}): make one with npm run linux:vexpress${smp > 1 ? ` -- --smp ${smp}` : ''}`);
  process.exit(2);
}

const rec = RecordingReader.open(file);
const session = openReplay(rec, { onNotice: (m) => console.error(`bringup: ${m}`) });
const target = new ReplayTarget(session.replayer);
const last = rec.lastIcount;
const cores = rec.header.boot.cores ?? 1;
console.error(`${path.relative(root, file)}: ${cores} core(s), ${last} ticks, ${rec.chunks.length} chunks, ${rec.checkpoints.length} checkpoints`);

const positions = [
  { name: 'start', clock: Math.min(last, 10_000_000) },
  { name: 'middle', clock: Math.floor(last / 2) },
  { name: 'end', clock: last },
];
for (const p of positions) {
  const core = p.clock >= last ? target.navigator.end.core : 0;
  let t0 = performance.now();
  target.goto({ core, clock: p.clock });
  const gotoSeconds = (performance.now() - t0) / 1000;
  const at = { ...target.position };
  const times = [];
  for (let i = 0; i < steps; i++) {
    t0 = performance.now();
    const stop = target.navigator.stepBackward(at.core);
    times.push(+(performance.now() - t0).toFixed(1));
    if (stop.kind !== 'step') break;
  }
  console.log(JSON.stringify({
    position: p.name, core: at.core, clock: at.clock, goto_s: +gotoSeconds.toFixed(2), reverse_stepi_ms: times,
    worst_ms: Math.max(...times), under_500ms: Math.max(...times) < 500, now: target.position.clock, marks: target.navigator.index.marks.length,
  }));
}
