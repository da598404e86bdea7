/**
 * What recording costs and what a recording gives back, on one scenario
 * (by default the Linux boot `npm run linux:vexpress` writes into
 * .cache/linux): the recording's size in bytes per 1000 instructions, the
 * wall time a recorded run adds to the same run without a recorder and
 * `replay --verify` against the recorded run (rounds in this process after
 * a warm-up run; the medians' ratio, and the median of each round's ratio),
 * the time a seek to a few positions takes on a freshly opened recording,
 * and `bringup diff` of two recordings given with --diff A B. Prints one
 * JSON line per figure.
 *
 *   node dist/bench/recordings.js [SCENARIO.yaml] [--insns N] [--runs K] [--cold-runs K] [--recording FILE [--no-run] [--no-verify]] [--diff A B]
 *
 * --cold-runs K (default 2, 0: none) also compares a run and a recorded run
 * each in a process of its own, as `bringup run` starts one.
 * --insns N runs the scenario's first N instructions; --recording FILE keeps
 * the recording there (with --no-run: measures an existing one, no runs).
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadScenario } from '../scenario/file/scenario-file';
import { runScenario } from '../scenario/run/runner';
import { runRecorded, openReplay } from '../scenario/record/recording';
import { RecordingReader } from '../replay/reader';
import { RecordType } from '../replay/format';

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const value = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const flagged = new Set(['--insns', '--runs', '--cold-runs', '--recording', '--child']);
const positional = args.filter((a, i) => !a.startsWith('--') && !flagged.has(args[i - 1] ?? '') && !(args[i - 1] === '--diff' || args[i - 2] === '--diff'));
const scenarioFile = positional[0] ?? path.join(root, '.cache', 'linux', 'linux-vexpress.yaml');
const insns = value('--insns') ? Number(value('--insns')) : undefined;
const runs = Number(value('--runs') ?? 4);
const coldRuns = Number(value('--cold-runs') ?? 2);

const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (x: number, digits = 3): number => +x.toFixed(digits);
const print = (o: object): void => { console.log(JSON.stringify(o)); };

function scenario() {
  const s = loadScenario(scenarioFile);
  if (insns !== undefined) s.limit = insns;
  return s;
}

/**
 * Run, recorded run and `replay --verify` of that recording, `runs` rounds
 * after a run that warms the process up (the host's JIT compiling
 * bringup's own code is not what recording costs); the recording of the last
 * round is kept for the figures after. The rounds go run, recorded, verify
 * and then verify, recorded, run, alternately: a machine whose speed drifts
 * over the minutes slows neither side of a comparison more than the other.
 * Each figure is given as the ratio of the medians and as the median of
 * each round's ratio (which drift between rounds moves less), with every
 * round's times.
 */
function runRecordVerify(file: string): void {
  const t = process.hrtime.bigint();
  const icount = runScenario(scenario()).icount;
  const warmup = seconds(t);
  const steps: Record<'run' | 'record' | 'verify', () => void> = {
    run: () => { runScenario(scenario()); },
    record: () => { runRecorded(scenario(), file); },
    verify: () => {
      const { replayer } = openReplay(RecordingReader.open(file), { onNotice: () => {} });
      replayer.verify();
    },
  };
  const rounds: Array<Record<'run' | 'record' | 'verify', number>> = [];
  for (let i = 0; i < runs; i++) {
    // (A verify needs a recording: the first round makes it before verifying.)
    const order = i % 2 === 0 ? (['run', 'record', 'verify'] as const) : (['verify', 'record', 'run'] as const);
    const took = { run: 0, record: 0, verify: 0 };
    for (const step of order) {
      const t0 = process.hrtime.bigint();
      steps[step]();
      took[step] = seconds(t0);
    }
    rounds.push(took);
  }
  const of = (k: 'run' | 'record' | 'verify') => rounds.map((r) => r[k]);
  const run = median(of('run')), record = median(of('record')), verify = median(of('verify'));
  const byRound = (a: 'run' | 'record' | 'verify', b: 'run' | 'record' | 'verify') => median(rounds.map((r) => r[a] / r[b]));
  const times = rounds.map((r) => ({ run: round(r.run), record: round(r.record), verify: round(r.verify) }));
  print({
    bench: 'recording-overhead', scenario: path.basename(scenarioFile), instructions: icount, runs, warmup_run_seconds: round(warmup), run_seconds: round(run), record_seconds: round(record),
    overhead_percent: round((record / run - 1) * 100, 1), overhead_percent_median_by_round: round((byRound('record', 'run') - 1) * 100, 1), rounds: times,
  });
  // `bringup run` records every run (kept when it fails), so the run a verify is held against is the recorded one.
  print({
    bench: 'replay-verify', instructions: icount, seconds: round(verify), mips: round(icount / verify / 1e6, 1), recorded_run_seconds: round(record),
    verify_over_recorded_run: round(verify / record), verify_over_recorded_run_median_by_round: round(byRound('verify', 'record')), run_seconds: round(run), verify_over_run: round(verify / run),
  });
}

/**
 * The run against the recorded run, each in a fresh process (`--cold-runs`
 * rounds, alternating which goes first): a process that has just started is
 * still compiling bringup's code and the guest code translated to
 * JavaScript, and recording has measured several times dearer there than in
 * a warm process. Each child times its own run (not the process's start,
 * which is the same for both).
 */
function freshProcessRounds(file: string): void {
  if (coldRuns <= 0) return;
  const once = (kind: 'run' | 'record'): number => {
    const r = spawnSync(process.execPath, [__filename, scenarioFile, '--child', kind, '--recording', file, ...(insns !== undefined ? ['--insns', String(insns)] : [])], { encoding: 'utf8' });
    const took = Number(r.stdout.trim());
    if (r.status !== 0 || !Number.isFinite(took)) throw new Error(`the ${kind} process failed (${r.status}): ${r.stderr || r.stdout}`);
    return took;
  };
  const rounds: Array<{ run: number; record: number }> = [];
  for (let i = 0; i < coldRuns; i++) {
    const took = { run: 0, record: 0 };
    for (const kind of i % 2 === 0 ? (['run', 'record'] as const) : (['record', 'run'] as const)) took[kind] = once(kind);
    rounds.push(took);
  }
  const run = median(rounds.map((r) => r.run)), record = median(rounds.map((r) => r.record));
  print({
    bench: 'recording-overhead-fresh-process', scenario: path.basename(scenarioFile), runs: coldRuns, run_seconds: round(run), record_seconds: round(record),
    overhead_percent: round((record / run - 1) * 100, 1), overhead_percent_median_by_round: round((median(rounds.map((r) => r.record / r.run)) - 1) * 100, 1),
    rounds: rounds.map((r) => ({ run: round(r.run), record: round(r.record) })),
  });
}

/** A child of freshProcessRounds: one run (or recorded run into --recording), its seconds printed. */
function child(kind: string): void {
  const t0 = process.hrtime.bigint();
  if (kind === 'record') runRecorded(scenario(), value('--recording')!); else runScenario(scenario());
  console.log(seconds(t0));
}

function size(file: string): void {
  const rec = RecordingReader.open(file);
  const bytes = fs.statSync(file).size;
  const byType: Record<string, number> = {};
  for (const f of rec.frames) {
    const name = RecordType[f.type] ?? String(f.type);
    byType[name] = (byType[name] ?? 0) + 20 + f.length;
  }
  // The checkpoint index is a cache beside the recording (rebuilt by replay --verify): counted apart.
  const index = rec.checkpointsInIndex && fs.existsSync(rec.indexFile!) ? fs.statSync(rec.indexFile!).size : 0;
  for (const c of rec.checkpoints.filter((x) => x.inIndex)) byType['Checkpoint (index)'] = (byType['Checkpoint (index)'] ?? 0) + 20 + c.frame.length;
  print({
    bench: 'recording-size', file: path.relative(root, file), instructions: rec.lastIcount, bytes, bytes_per_1000_instructions: round(bytes / rec.lastIcount * 1000),
    checkpoints_in: rec.header.checkpoints ?? 'inline', index_bytes: index, index_bytes_per_1000_instructions: round(index / rec.lastIcount * 1000),
    checkpoints: rec.checkpoints.length, chunks: rec.chunks.length, by_record: byType,
  });
}

/** Seeks on a freshly opened recording each time: the end, just before the last checkpoint, and midway between two checkpoints. */
function seeks(file: string): void {
  const probe = RecordingReader.open(file);
  const last = probe.lastIcount;
  const cps = probe.checkpoints.map((c) => c.icount);
  const lastCp = cps[cps.length - 1] ?? 0;
  const beforeCp = cps.length >= 2 ? lastCp - 1 : Math.floor(last / 2);
  const targets = [...new Set([Math.floor(last / 2), beforeCp, last])];
  for (const target of targets) {
    const t0 = process.hrtime.bigint();
    const rec = RecordingReader.open(file);
    const opened = seconds(t0);
    const { replayer } = openReplay(rec, { onNotice: () => {} });
    const pos = replayer.runTo(target);
    print({ bench: 'replay-seek', target, reached: pos.icount, open_seconds: round(opened), seconds: round(seconds(t0)) });
  }
}

function verify(file: string): void {
  const t0 = process.hrtime.bigint();
  const rec = RecordingReader.open(file);
  const { replayer } = openReplay(rec, { onNotice: () => {} });
  const pos = replayer.verify();
  const s = seconds(t0);
  print({ bench: 'replay-verify', instructions: pos.icount, seconds: round(s), mips: round(pos.icount / s / 1e6, 1) });
}

function diff(a: string, b: string): void {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'diff', a, b], { encoding: 'utf8' });
  print({ bench: 'diff', a: path.relative(root, a), b: path.relative(root, b), status: r.status, seconds: round(seconds(t0)), first_line: (r.stdout || r.stderr).trim().split('\n')[0] });
}

function main(): void {
  const kind = value('--child');
  if (kind !== undefined) { child(kind); return; }
  const d = value('--diff') !== undefined ? args.indexOf('--diff') : -1;
  if (d >= 0) { diff(args[d + 1], args[d + 2]); if (!value('--recording') && args.includes('--no-run')) return; }
  let file = value('--recording');
  let temp: string | undefined;
  const ran = !file || !args.includes('--no-run');
  try {
    if (ran) {
      temp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-recordings-'));
      file = file ?? path.join(temp, 'run.bur');
      freshProcessRounds(file);
      runRecordVerify(file);
    }
    size(file!);
    seeks(file!);
    if (!ran && !args.includes('--no-verify')) verify(file!);
  } finally {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  }
}

main();
