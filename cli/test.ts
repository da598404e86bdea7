/** `bringup test`: runs the Cucumber features (features/*.feature) with the step library. */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT } from './exit-codes';
import { UsageError } from './args';

export const TEST_HELP = `usage: bringup test [--parallel N] [--shard I/N] [--tags EXPR] [--reports DIR | --no-reports] [CUCUMBER ARGS...]

Runs the Gherkin features with bringup's step library (steps/, compiled into
dist/steps). Without paths it runs features/**/*.feature from the repository.

  --parallel N      run scenarios in N worker processes
  --shard I/N       run only the I-th of N deterministic shares of the
                    scenarios (scenario k, counted over all selected features
                    in order, belongs to share k mod N + 1), for spreading a
                    run over N machines
  --tags EXPR       only scenarios whose tags match, e.g. "@faults and not @slow"
  --reports DIR     write DIR/cucumber.html and DIR/junit.xml (default: reports)
  --no-reports      write neither

Everything else is passed to cucumber-js (paths, --name, --format, ...), e.g.

  bringup test features/faults.feature
  bringup test --name "lost upcall"
  bringup test --parallel 2 --shard 1/3

At the end a timing line shows the wall time against the sum of the scenario
times, and how long each worker ran. Every "When it runs" is recorded; a
failed scenario's report carries its console log, the display as PNG and the
path of its recording (in \$BRINGUP_RECORDINGS_DIR, default .bringup/recordings;
replay it with \`bringup replay FILE\`). A passing scenario's recording is
deleted once it has replayed identically.

Exit status: 0 every scenario passed; 1 a scenario failed; 2 bad usage.`;

export function repositoryRoot(): string {
  for (const c of [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..')]) {
    if (fs.existsSync(path.join(c, 'features')) && fs.existsSync(path.join(c, 'package.json'))) return c;
  }
  throw new Error('repository root with features/ not found');
}

/** The cucumber-js command line for the repository's features (extra args appended). */
export function cucumberArgs(extra: string[]): string[] {
  const root = repositoryRoot();
  const bin = path.join(path.dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber-js');
  const hasPaths = extra.some((a, i) => !a.startsWith('-') && !(i > 0 && VALUE_OPTIONS.has(extra[i - 1])));
  const hasSupport = extra.some((a) => a === '--require' || a.startsWith('--require=') || a === '--import' || a.startsWith('--import='));
  return [
    bin,
    ...(hasPaths ? [] : [path.join(root, 'features', '**', '*.feature')]),
    ...(hasSupport ? [] : ['--require', path.join(root, 'dist', 'steps', '**', '*.js')]),
    ...extra,
  ];
}

const VALUE_OPTIONS = new Set(['--format', '-f', '--name', '--tags', '-t', '--require', '-r', '--import', '-i', '--parallel',
  '--profile', '-p', '--config', '-c', '--order', '--retry', '--world-parameters', '--format-options', '--language', '--shard', '--reports']);

export interface TestOptions {
  /** Arguments for cucumber-js. */
  cucumber: string[];
  reports?: string;
}

/** Checks bringup test's own options and turns them into cucumber-js arguments. */
export function testOptions(argv: string[]): TestOptions {
  const out: string[] = [];
  let reports: string | undefined = 'reports';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`test: ${name} needs a value`);
      return argv[++i];
    };
    switch (name) {
      case '--parallel': {
        const v = value();
        if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`test: --parallel needs a number of workers (1 or more), not '${v}'`);
        out.push('--parallel', v);
        break;
      }
      case '--shard': {
        const v = value();
        const m = /^([0-9]+)\/([0-9]+)$/.exec(v);
        if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) {
          throw new UsageError(`test: --shard needs I/N with 1 <= I <= N (e.g. 2/3), not '${v}'`);
        }
        out.push('--shard', v);
        break;
      }
      case '--tags': case '-t': out.push('--tags', value()); break;
      case '--reports': reports = value(); break;
      case '--no-reports': reports = undefined; break;
      default: out.push(a);
    }
  }
  if (reports !== undefined) {
    out.push('--format', `html:${path.join(reports, 'cucumber.html')}`, '--format', `junit:${path.join(reports, 'junit.xml')}`);
  }
  return { cucumber: out, reports };
}

export interface WorkerTiming { worker: string; scenarios: number; busyMs: number; firstMs: number; lastMs: number }
export interface Timing { scenarios: number; sumMs: number; workers: WorkerTiming[] }

/** Scenario times per worker from a cucumber-js message stream (NDJSON). */
export function timingFromMessages(ndjson: string): Timing {
  const ms = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6;
  const started = new Map<string, { at: number; worker: string }>();
  const workers = new Map<string, WorkerTiming>();
  let runStart: number | undefined;
  let scenarios = 0, sumMs = 0;
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    const m = JSON.parse(line) as Record<string, any>;
    if (m.testRunStarted) runStart = ms(m.testRunStarted.timestamp);
    if (m.testCaseStarted) started.set(m.testCaseStarted.id, { at: ms(m.testCaseStarted.timestamp), worker: m.testCaseStarted.workerId ?? 'main' });
    if (m.testCaseFinished && !m.testCaseFinished.willBeRetried) {
      const s = started.get(m.testCaseFinished.testCaseStartedId);
      if (!s) continue;
      const end = ms(m.testCaseFinished.timestamp);
      const base = runStart ?? s.at;
      let w = workers.get(s.worker);
      if (!w) workers.set(s.worker, w = { worker: s.worker, scenarios: 0, busyMs: 0, firstMs: s.at - base, lastMs: end - base });
      w.scenarios++;
      w.busyMs += end - s.at;
      w.firstMs = Math.min(w.firstMs, s.at - base);
      w.lastMs = Math.max(w.lastMs, end - base);
      scenarios++;
      sumMs += end - s.at;
    }
  }
  return { scenarios, sumMs, workers: [...workers.values()].sort((a, b) => a.worker.localeCompare(b.worker, 'en', { numeric: true })) };
}

export function formatTiming(t: Timing, wallMs: number): string {
  const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
  const lines = [`timing: ${t.scenarios} scenario(s) in ${s(wallMs)} wall; their run times add up to ${s(t.sumMs)}${wallMs > 0 ? ` (${(t.sumMs / wallMs).toFixed(2)}x)` : ''}`];
  for (const w of t.workers) {
    lines.push(`  worker ${w.worker}: ${w.scenarios} scenario(s), busy ${s(w.busyMs)}, from +${s(w.firstMs)} to +${s(w.lastMs)}`);
  }
  return lines.join('\n');
}

export async function testCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(TEST_HELP + '\n'); return EXIT.OK; }
  const opts = testOptions(argv);
  const messages = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-test-')), 'messages.ndjson');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, cucumberArgs([...opts.cucumber, '--format', `message:${messages}`]), {
    stdio: 'inherit', cwd: process.cwd(),
    env: { ...process.env, ...(opts.reports ? { BRINGUP_REPORTS_DIR: path.resolve(opts.reports) } : {}) },
  });
  if (r.error) throw r.error;
  const wall = performance.now() - t0;
  if (fs.existsSync(messages)) {
    process.stdout.write(`${formatTiming(timingFromMessages(fs.readFileSync(messages, 'utf8')), wall)}\n`);
    if (opts.reports) process.stdout.write(`reports: ${path.join(opts.reports, 'cucumber.html')}, ${path.join(opts.reports, 'junit.xml')}\n`);
  }
  return r.status === 0 ? EXIT.OK : r.status === 2 ? EXIT.USAGE : EXIT.EXPECTATION_FAILED;
}
