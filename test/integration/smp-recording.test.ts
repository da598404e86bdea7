/**
 * Two-core recordings end to end: recorded, bisected over builds, diffed (the
 * core that diverged first, every core's registers), replayed to a symbol on
 * a core, verified and bundled, through the bringup command.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bisectSearch } from '../../replay/bisect-search';
import { smpProgram, recordSmp } from '../support/smp-program';
import type { Schedule } from '../../machine/schedule';
import { ROOT as root } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-smp-recording-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A build of the two-core program in a folder of its own, recorded (optionally with a schedule or inputs). */
function build(name: string, program: Parameters<typeof smpProgram>[0]) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const kernel = path.join(dir, 'smp.elf');
  fs.writeFileSync(kernel, smpProgram(program).elf);
  const record = (file: string, extra: { schedule?: Schedule; inputs?: Parameters<typeof recordSmp>[0]['inputs'] } = {}) => {
    const r = recordSmp({ kernel, file: path.join(dir, file), limit: 400_000, ...extra });
    return { ...r, file: path.join(dir, file) };
  };
  return { dir, kernel, record };
}

test('a two-core recording is bisected over builds and diffed end to end: the racy build is found, diff names the core that diverged first', async () => {
  // Builds in order: two with the shared counter added under the exclusive monitor, then two racy ones.
  const builds = [
    build('b0', { loops: 9000 }), build('b1', { loops: 9500 }),
    build('b2', { loops: 9000, racy: true }), build('b3', { loops: 9500, racy: true }),
  ];
  const runs = new Map<number, ReturnType<(typeof builds)[number]['record']>>();
  const found = await bisectSearch(builds, (b, i) => {
    const r = b.record('run.bur');
    runs.set(i, r);
    return r.console === 'OK\n' ? 'good' : 'bad';
  }, { verifyEnds: true });
  assert.equal(found.kind, 'found');
  if (found.kind !== 'found') return;
  assert.equal(found.firstBad, 2);
  assert.equal(found.lastGood, 1);
  assert.equal(runs.get(2)!.console, 'BAD\n');

  // Two builds: the event streams, with the core of each event.
  const good = builds[1], bad = builds[2];
  const events = bringup('diff', runs.get(1)!.file, runs.get(2)!.file, '--images-a', good.dir, '--images-b', bad.dir);
  assert.equal(events.status, 1, events.stderr);
  assert.match(events.stdout, /first differing event/);
  assert.match(events.stdout, /core 0: write32 0x1e001f00|uart0: (OK|BAD)/);

  // One build, two interleaving seeds: the run parts where the schedules do, on the core whose turn differs.
  const seeded = bad.record('seed7.bur', { schedule: { quantum: 1000, seed: 7 } });
  const bySeed = bringup('diff', runs.get(2)!.file, seeded.file, '--images-a', bad.dir, '--images-b', bad.dir);
  assert.equal(bySeed.status, 1, bySeed.stderr);
  assert.match(bySeed.stdout, /^first divergence at time \d+ \(in chunk 0\): core 0 diverged first: the schedule/m);

  // One build, core 1 stalled for a while from a quantum boundary: core 1 is the one that diverged.
  const stalled = bad.record('stalled.bur', { inputs: [{ icount: 31_000, point: { at: 'boundary' }, injection: { kind: 'stall-core', core: 1, ticks: 2500 }, cause: 'stall core 1' }] });
  const byStall = bringup('diff', runs.get(2)!.file, stalled.file, '--images-a', bad.dir, '--images-b', bad.dir);
  assert.equal(byStall.status, 1, byStall.stderr);
  assert.match(byStall.stdout, /^first divergence at time 31000 \(in chunk 1\): core 1 diverged first: input log/m);
  assert.match(byStall.stdout, /registers of every core after the differing step/);
  assert.match(byStall.stdout, /core 0 A\s+core 0 B\s+core 1 A\s+core 1 B/);
  assert.match(byStall.stdout, /input at 31000: core 1 stalled for 2500 ticks between instructions/);
});

test('a two-core recording through the command: replay to a symbol on a core, verify, bundle and verify the bundle', () => {
  const b = build('cli', { loops: 5000 });
  const run = b.record('run.bur');
  const toSymbol = bringup('replay', run.file, '--images', b.dir, '--to-symbol', 'count_done', '--core', '1');
  assert.equal(toSymbol.status, 0, toSymbol.stderr);
  assert.match(toSymbol.stdout, /^stopped at time \d+ \(core 1's first execution of count_done\), in core 1's turn/);
  assert.match(toSymbol.stdout, /core 1 \(stopped here\): running; pc [0-9a-f]{8} <count_done>/);
  assert.match(toSymbol.stdout, /core 0: /);
  assert.match(toSymbol.stderr, /2 cores/);
  const coreWithoutSymbol = bringup('replay', run.file, '--images', b.dir, '--core', '1');
  assert.equal(coreWithoutSymbol.status, 2);
  assert.match(coreWithoutSymbol.stderr, /--core K picks the core for --to-symbol/);
  const noSuchCore = bringup('replay', run.file, '--images', b.dir, '--to-symbol', 'count_done', '--core', '3');
  assert.equal(noSuchCore.status, 2);
  assert.match(noSuchCore.stderr, /core 3: the recorded run has cores 0 to 1/);
  const verify = bringup('replay', run.file, '--images', b.dir, '--verify');
  assert.equal(verify.status, 0, verify.stderr);
  assert.match(verify.stdout, /^replay identical: (\d+) of \1 chunk hashes match/);
  const bundle = path.join(b.dir, 'bundle.bur');
  const made = bringup('bundle', run.file, '-o', bundle, '--images', b.dir);
  assert.equal(made.status, 0, made.stderr);
  const fromBundle = bringup('replay', bundle, '--verify');
  assert.equal(fromBundle.status, 0, fromBundle.stderr);
  assert.match(fromBundle.stdout, /^replay identical/);
});
