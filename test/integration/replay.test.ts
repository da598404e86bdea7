/** Recording and replay: round trips, killed runs, corrupted files, targets, image checks and bundles. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { scenarioFromText, type Scenario } from '../../scenario/file/scenario-file';
import { runRecorded, runRecordedYielding, openReplay, ImageMismatchError, bundleRecording } from '../../scenario/record/recording';
import { RecordingReader, RecordingError } from '../../replay/reader';
import { resolveTarget } from '../../replay/targets';
import { FRAME_BYTES, MAGIC, decodeFrame } from '../../replay/format';
import { ROOT as root } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-replay-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PINGPONG = fs.readFileSync(path.join(scenarios, 'pingpong.yaml'), 'utf8');

function scenario(extra = '', text = PINGPONG): Scenario {
  return scenarioFromText(text + extra, path.join(scenarios, 'pingpong.yaml'), scenarios);
}

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let recorded: { file: string; icount: number } | undefined;
/** One recording of pingpong shared by several tests. */
function pingpongRecording(): { file: string; icount: number } {
  if (!recorded) {
    const file = path.join(tmp, 'pingpong.bur');
    const r = runRecorded(scenario(), file, { chunk: 200_000, checkpointEvery: 4, text: PINGPONG });
    assert.equal(r.verdict, 'pass');
    recorded = { file, icount: r.icount };
  }
  return recorded;
}

test('record then replay --verify: every chunk hash matches and the run ends where it ended', () => {
  const { file, icount } = pingpongRecording();
  const rec = RecordingReader.open(file);
  assert.deepEqual(rec.problems, []);
  assert.ok(rec.chunks.length > 5, `chunks: ${rec.chunks.length}`);
  assert.ok(rec.checkpoints.length >= 2, `checkpoints: ${rec.checkpoints.length}`);
  assert.equal(rec.end?.icount, icount);
  assert.equal(rec.header.images[0].role, 'kernel');
  const replayer = openReplay(rec).replayer;
  const progress: number[] = [];
  replayer.onProgress = (at, last) => { assert.equal(last, icount); progress.push(at); };
  const pos = replayer.verify();
  assert.equal(pos.icount, icount);
  assert.equal(pos.chunksVerified, rec.chunks.length);
  assert.deepEqual(progress, rec.chunks.map((c) => c.to), 'progress after every chunk checked');
});

test('a run recorded while the event loop turns (checkpoints deflated in the background) writes the same records in the same order as one recorded in one go', async () => {
  // A checkpoint after every chunk, so that records queue behind checkpoints still being deflated.
  const options = { chunk: 200_000, checkpointEvery: 1, text: PINGPONG };
  const a = path.join(tmp, 'in-one-go.bur'), b = path.join(tmp, 'yielding.bur');
  runRecorded(scenario(), a, options);
  const r = await runRecordedYielding(scenario(), b, options);
  assert.equal(r.verdict, 'pass');
  const ra = RecordingReader.open(a), rb = RecordingReader.open(b);
  assert.deepEqual(rb.problems, []);
  assert.ok(rb.checkpoints.length > 20, `checkpoints: ${rb.checkpoints.length}`);
  const records = (rec: RecordingReader) => rec.end!.index.map((e) => [e.type, e.icount]);
  assert.deepEqual(records(rb), records(ra));
  // Every record between the header (its uuid differs) and the end record (its offsets) byte for byte.
  const bytes = (file: string, rec: RecordingReader) => {
    const all = fs.readFileSync(file);
    return rec.end!.index.slice(1).map((e) => all.subarray(e.offset, e.offset + FRAME_BYTES + decodeFrame(all, e.offset).length));
  };
  const [xs, ys] = [bytes(a, ra), bytes(b, rb)];
  xs.forEach((x, k) => assert.ok(ys[k].equals(x), `record ${k + 1} (type ${ra.end!.index[k + 1].type}) differs`));
  assert.equal(openReplay(rb).replayer.verify().chunksVerified, rb.chunks.length);
});

test('verify in slices: the same answer as verify(); an abort stops it between slices with what matched so far', async () => {
  const { file, icount } = pingpongRecording();
  const rec = RecordingReader.open(file);
  const pos = await openReplay(rec).replayer.verifyYielding(undefined, 1_000_000);
  assert.equal(pos?.icount, icount);
  assert.equal(pos?.chunksVerified, rec.chunks.length);
  const stopped = openReplay(rec).replayer;
  const abort = new AbortController();
  stopped.onProgress = (at) => { if (at >= 2_000_000) abort.abort(); };
  assert.equal(await stopped.verifyYielding(abort.signal, 1_000_000), undefined);
  assert.ok(stopped.chunksVerified > 0 && stopped.chunksVerified < rec.chunks.length, `${stopped.chunksVerified} chunks`);
  assert.ok(stopped.icount >= 2_000_000 && stopped.icount < icount);
});

test('verify in slices stops the machine only at chunk ends, slices shorter than a chunk included (a stop inside one can refill the TLB differently)', async () => {
  const { file } = pingpongRecording();
  const rec = RecordingReader.open(file);
  const ends = new Set(rec.chunks.map((c) => c.to));
  const { replayer } = openReplay(rec);
  const stops: number[] = [];
  const runTo = replayer.runTo.bind(replayer);
  replayer.runTo = (target: number) => { stops.push(target); return runTo(target); };
  const chunk = rec.header.chunkInstructions;
  const pos = await replayer.verifyYielding(undefined, Math.floor(chunk / 3));
  assert.equal(pos?.chunksVerified, rec.chunks.length);
  assert.ok(stops.length >= rec.chunks.length / 2, `${stops.length} slices`);
  assert.deepEqual(stops.filter((t) => !ends.has(t)), [], 'every slice ends at a chunk end');
});

test('replay seeks from checkpoints: the state at N is the same from the boot and from a checkpoint', () => {
  const { file, icount } = pingpongRecording();
  const rec = RecordingReader.open(file);
  const target = Math.floor(icount * 0.8) + 7;
  const fromCheckpoint = openReplay(rec).replayer;
  fromCheckpoint.runTo(target);
  assert.ok(fromCheckpoint.chunksVerified < rec.chunks.length * 0.5, 'started from a checkpoint, not the boot');
  const fromBoot = openReplay(rec).replayer;
  fromBoot.resetTo(0, false);
  fromBoot.runTo(target);
  assert.deepEqual(fromCheckpoint.machine.cpu.snapshot(), fromBoot.machine.cpu.snapshot());
});

test('a changed image is refused, naming it; --images DIR with the right ones is accepted', () => {
  const { file } = pingpongRecording();
  const rec = RecordingReader.open(file);
  const dir = fs.mkdtempSync(path.join(tmp, 'images-'));
  fs.copyFileSync(path.join(root, 'firmware/build/hypervisor.elf'), path.join(dir, 'hypervisor.elf'));
  fs.copyFileSync(path.join(root, 'firmware/build/guests/pingpong.elf'), path.join(dir, 'pingpong'));
  fs.copyFileSync(path.join(root, 'firmware/build/guests/nullderef.elf'), path.join(dir, 'nullderef.elf'));
  assert.equal(openReplay(rec, { imagesDir: dir }).replayer.verify().chunksVerified, rec.chunks.length);
  const bad = Buffer.from(fs.readFileSync(path.join(dir, 'pingpong')));
  bad[bad.length - 1] ^= 0xff;
  fs.writeFileSync(path.join(dir, 'pingpong'), bad);
  assert.throws(() => openReplay(rec, { imagesDir: dir }), (e: Error) => e instanceof ImageMismatchError && /pingpong: sha256 [0-9a-f]+\.\.\., recorded/.test(e.message));
  const r = bringup('replay', file, '--images', dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /domu pingpong: sha256/);
});

test('a bundle replays with nothing else: images, configuration and board are inside', () => {
  const { file } = pingpongRecording();
  const bundle = path.join(tmp, 'pingpong.bundle.bur');
  bundleRecording(RecordingReader.open(file), bundle);
  const rec = RecordingReader.open(bundle);
  // Pretend the scenario and board moved away: the bundle must not need them.
  const h = rec.header;
  h.scenario.file = '/nonexistent/scenario.yaml';
  h.board.file = '/nonexistent/board.yaml';
  const session = openReplay(rec);
  assert.match(session.source, /embedded/);
  assert.equal(session.replayer.verify().chunksVerified, rec.chunks.length);
});

test('targets: --to N stops exactly there; --to-symbol at the first execution; --to-console at the line', () => {
  const { file } = pingpongRecording();
  const rec = RecordingReader.open(file);
  const s = openReplay(rec);
  s.replayer.runTo(1_234_567);
  assert.equal(s.replayer.icount, 1_234_567);

  const sym = resolveTarget({ kind: 'symbol', name: 'sched_return' }, rec, s.replayer, s.symbols);
  s.replayer.runTo(sym.icount);
  const addr = s.symbols.get('')!.find((x) => x.name === 'sched_return')!.value;
  assert.equal(s.replayer.machine.cpu.pc >>> 0, addr >>> 0);

  const line = resolveTarget({ kind: 'console', pattern: /\[dom1\] ping 3\/10/, source: 'ping 3' }, rec, s.replayer, s.symbols);
  const out: string[] = [];
  s.replayer.resetTo(0);
  s.replayer.machine.probes.console.subscribe((_d, data) => { out.push(Buffer.from(data).toString('latin1')); });
  s.replayer.runTo(line.icount);
  assert.match(out.join(''), /\[dom1\] ping 3\/10\r?\n$/);
});

test('--to-crash stops before the aborting instruction, in the function it hit', () => {
  const file = path.join(tmp, 'crash.bur');
  const s = scenarioFromText(fs.readFileSync(path.join(scenarios, 'hyp-data-abort.yaml'), 'utf8'), path.join(scenarios, 'hyp-data-abort.yaml'), scenarios);
  assert.equal(runRecorded(s, file).verdict, 'pass');
  const r = bringup('replay', file, '--to-crash');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /stopped at time \d+ \(core 0: the data-abort from svc mode at pc 0x[0-9a-f]+ \(sched_return\)\), in core 0's turn/);
  assert.match(r.stdout, /^core 0 \(stopped here\): running; pc [0-9a-f]{8} <sched_return> in svc mode/m);
  assert.match(r.stdout, /^ {2}=> [0-9a-f]{8} .*<sched_return>$/m);
  assert.match(r.stdout, /last console lines/);
});

test('a recording cut at any byte reads up to its last complete record and replays that far', () => {
  const { file } = pingpongRecording();
  const whole = fs.readFileSync(file);
  const full = RecordingReader.open(file);
  for (const cut of [Math.floor(whole.length * 0.3), Math.floor(whole.length * 0.6) + 3, whole.length - 1]) {
    const f = path.join(tmp, `cut-${cut}.bur`);
    fs.writeFileSync(f, whole.subarray(0, cut));
    const rec = RecordingReader.open(f);
    assert.match(rec.problems[0], /^truncated: /);
    assert.ok(rec.chunks.length < full.chunks.length || !rec.end);
    const pos = openReplay(rec).replayer.runTo(rec.lastIcount);
    assert.equal(pos.icount, rec.lastIcount);
  }
});

test('a corrupted byte is found by its record CRC and reported with what is still usable', () => {
  const { file } = pingpongRecording();
  const bytes = Buffer.from(fs.readFileSync(file));
  const full = RecordingReader.open(file);
  const victim = full.frames[Math.floor(full.frames.length / 2)];
  bytes[victim.offset + FRAME_BYTES + Math.floor(victim.length / 2)] ^= 0x40;
  const f = path.join(tmp, 'corrupt.bur');
  fs.writeFileSync(f, bytes);
  const rec = RecordingReader.open(f);
  assert.match(rec.problems[0], new RegExp(`^corrupted: record \\d+ \\(\\w+\\) at byte ${victim.offset} fails its CRC-32 check$`));
  assert.ok(rec.chunks.length > 0 && rec.chunks.length < full.chunks.length);
  // --verify replays the intact part but fails: a damaged recording is never "identical".
  const r = bringup('replay', f, '--verify');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`corrupted: record \\d+ \\(\\w+\\) at byte ${victim.offset} fails its CRC-32 check; usable: header, ${rec.chunks.length} chunk\\(s\\)`));
  assert.match(r.stderr, new RegExp(`not verified, the recording is damaged: corrupted: record \\d+ \\(\\w+\\) at byte ${victim.offset} fails its CRC-32 check \\(the ${rec.chunks.length} chunk hash\\(es\\) of its intact part match the replay\\)`));
  assert.doesNotMatch(r.stdout, /replay identical/);

  const notOurs = path.join(tmp, 'not-a-recording.bur');
  fs.writeFileSync(notOurs, 'hello');
  assert.throws(() => RecordingReader.open(notOurs), (e: Error) => e instanceof RecordingError && /not a bringup recording/.test(e.message));
  const headerOnly = Buffer.from(bytes.subarray(0, MAGIC.length + 5));
  fs.writeFileSync(notOurs, headerOnly);
  assert.throws(() => RecordingReader.open(notOurs), /no usable header \(truncated/);
});

test('a recording run killed with SIGKILL mid-way is read and replayed up to its last chunk', async () => {
  const file = path.join(tmp, 'killed.bur');
  // --trace full records one core: the scenario runs tegra2-xoom on CPU0 alone (the two-core case: the cut recordings above).
  const scenario = path.join(tmp, 'pingpong-one-core.yaml');
  fs.writeFileSync(scenario, PINGPONG.replace('board: tegra2-xoom\n', 'board: tegra2-xoom\nsmp: 1\n').replaceAll('../../', `${root}/`));
  const child = spawn(process.execPath, [path.join(root, 'bin', 'bringup'), 'record', scenario,
    '-o', file, '--trace', 'full', '--chunk', '50000', '--quiet'], { stdio: 'ignore' });
  // Kill it once a few chunks are on disk.
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      let chunks = 0;
      try { chunks = RecordingReader.open(file).chunks.length; } catch { /* not written yet */ }
      if (chunks >= 4) { clearInterval(timer); child.kill('SIGKILL'); resolve(); }
    }, 20);
    child.on('exit', () => { clearInterval(timer); reject(new Error('the run ended before it could be killed')); });
  });
  await new Promise((r) => child.on('exit', r));
  const rec = RecordingReader.open(file);
  assert.equal(rec.end, undefined);
  assert.ok(rec.problems.length === 1 && /^(truncated|incomplete)/.test(rec.problems[0]), rec.problems.join('; '));
  assert.ok(rec.chunks.length >= 4);
  const s = openReplay(rec);
  const pos = s.replayer.runTo(rec.lastIcount);
  assert.equal(pos.icount, rec.lastIcount);
  // The full trace of what is left: one entry per instruction, the first at the kernel's entry point.
  const entries = rec.traceBetween(0, 10);
  assert.equal(entries.length, 10);
  assert.equal(entries[0].pc, 0x00100000);
  assert.deepEqual(entries.map((e) => e.icount), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('the committed recording of the hypervisor crashing in __divdi3 replays to the crash with nothing but bringup', () => {
  const file = path.join(root, 'recordings', 'divdi3-crash.bur');
  const r = bringup('replay', file, '--to-crash');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /with the images embedded in/);
  assert.match(r.stdout, /^stopped at instruction \d+ \(the data-abort from svc mode at pc 0x[0-9a-f]{8} \(__divdi3\)\)/);
  assert.match(r.stdout, /^=> [0-9a-f]{8}  [0-9a-f]{8}  \S.*<__divdi3>$/m);
  const v = bringup('replay', file, '--verify');
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^replay identical: (\d+) of \1 chunk hashes match/);
});

test('a header that breaks the schema is refused with the schema rule', () => {
  const bytes = fs.readFileSync(path.join(root, 'recordings', 'divdi3-crash.bur'));
  const rec = RecordingReader.open(path.join(root, 'recordings', 'divdi3-crash.bur'));
  const header = { ...rec.header, trace: 'everything' };
  const { encodeJson, RecordType } = require('../../replay/format') as typeof import('../../replay/format');
  const first = rec.frames[0];
  const f = path.join(tmp, 'bad-header.bur');
  fs.writeFileSync(f, Buffer.concat([MAGIC, encodeJson(RecordType.Header, 0, header), bytes.subarray(first.offset + FRAME_BYTES + first.length)]));
  assert.throws(() => RecordingReader.open(f), /does not follow schemas\/recording.schema.json: \/trace: must be equal to one of the allowed values/);
});

test('bringup run --record FILE writes a recording; a failing run keeps one and the report names it', () => {
  const file = path.join(tmp, 'run-record.bur');
  const ok = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'run', '--quiet', '--record', file, '--chunk', '100000', '--checkpoint-every', '3', path.join(scenarios, 'pingpong.yaml')], { encoding: 'utf8', cwd: tmp });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^recording: run-record\.bur/m);
  const rec = RecordingReader.open(file);
  assert.equal(rec.header.chunkInstructions, 100_000);
  assert.equal(rec.header.checkpointEvery, 3);
  assert.ok(rec.checkpoints.length >= Math.floor(rec.chunks.length / 3) - 1 && rec.checkpoints.length <= Math.ceil(rec.chunks.length / 3),
    `${rec.checkpoints.length} checkpoints for ${rec.chunks.length} chunks`);
  assert.equal(bringup('replay', file, '--verify').status, 0);
  assert.match(bringup('run', '--checkpoint-every', '0', path.join(scenarios, 'pingpong.yaml')).stderr, /--checkpoint-every: must be at least 1/);

  const failing = path.join(tmp, 'failing.yaml');
  fs.writeFileSync(failing, PINGPONG.replace(/\.\.\/\.\.\//g, `${root}/`).replace('[dom1] ping 10/10', '[dom1] ping 11/10'));
  const dir = fs.mkdtempSync(path.join(tmp, 'kept-'));
  const bad = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'run', '--quiet', failing], { encoding: 'utf8', cwd: tmp, env: { ...process.env, BRINGUP_RECORDINGS_DIR: dir } });
  assert.equal(bad.status, 1);
  // The recording and its checkpoint index.
  const kept = fs.readdirSync(dir).sort();
  assert.deepEqual(kept.map((f) => f.replace(/^.*?(\.bur(\.idx)?)$/, '$1')), ['.bur', '.bur.idx']);
  assert.match(bad.stdout, new RegExp(`^recording: .*${kept[0]} \\(bringup replay --to-crash FILE\\)$`, 'm'));
  const passing = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'run', '--quiet', path.join(scenarios, 'pingpong.yaml')], { encoding: 'utf8', cwd: tmp, env: { ...process.env, BRINGUP_RECORDINGS_DIR: dir } });
  assert.equal(passing.status, 0);
  assert.equal(fs.readdirSync(dir).length, 2, 'a passing run leaves no recording behind');
});
