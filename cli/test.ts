/** `bringup test`: runs the Cucumber features (features/*.feature) with the step library. */

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT } from './exit-codes';
import { UsageError, unknownOption } from './args';
import { onStopSignal, stopStatus, signalStatus, type StopSignal } from './signals';
import { writeTestReports } from './test-reports';
import { testSources, type TestSources } from './test-sources';
import { projectRoot } from '../io/project';

export const TEST_HELP = `usage: bringup test [--parallel N] [--shard I/N] [--tags EXPR] [--reports DIR | --no-reports] [CUCUMBER ARGS...]

Runs the Gherkin features with bringup's step library. The project is the
nearest folder upward from the current one with a package.json. Without paths
it runs the project's features/**/*.feature. In a project that installed
bringup (see \`bringup init\`), the project's own step definitions in
steps/ (.ts, .cts, .js, .cjs) load with bringup's: TypeScript through
ts-node (transpile-only, CommonJS), no build step. A bare scenario name in a
step (the scenario "boot.yaml") is looked up in the project's scenarios/
folder (features/scenarios/ in bringup's own repository), a relative path is
relative to the project's folder.

  --parallel N      run scenarios in N worker processes
  --shard I/N       run only the I-th of N deterministic shares of the
                    scenarios (scenario k, counted over all selected features
                    in order, belongs to share k mod N + 1), for spreading a
                    run over N machines
  --tags EXPR       only scenarios whose tags match, e.g. "@faults and not @slow"
  --reports DIR     write DIR/cucumber.html, DIR/junit.xml and DIR/failures.html
                    (default: reports); a failed scenario's logs and pictures
                    go to DIR/failed/.
                    While another bringup test writes to DIR, this run writes
                    to DIR/run-PID instead; the last lines say where they are
  --no-reports      write none of them

Everything else is passed to cucumber-js (paths, --name, --format, ...), e.g.

  bringup test features/faults.feature
  bringup test --name "lost upcall"
  bringup test --parallel 2 --shard 1/3

At the end a timing line shows the wall time against the sum of the scenario
times, and how long each worker ran, then where the reports are and the
replay command of every failed scenario. Every "When it runs" is recorded; a
failed scenario's report carries its console log with the failed expectation
marked, the display as PNG, the path of its recording (in
\$BRINGUP_RECORDINGS_DIR, default .bringup/recordings) and the command that
replays it (\`bringup replay FILE\`, with --to-crash when the run crashed);
junit.xml lists them per failed test case (<properties> and
[[ATTACHMENT|path]] lines), failures.html shows them (docs/scenarios.md,
"Reports"). A passing scenario's recording is deleted once it has replayed
identically.

A step no definition matches is reported at its feature file and line with
the three closest steps of the library (bringup steps lists them all), not
with a snippet; a bad value in a step is reported at the line that wrote it.
This is bringup's progress formatter; a --format that prints to the terminal
(e.g. --format progress) replaces it.

Ctrl-C or SIGTERM stops cucumber-js too; a scenario it cut short leaves no
partial recording.

Exit status: 0 every scenario passed; 1 a scenario failed; 2 bad usage (an
unknown option, a bad --parallel or --shard); 130 interrupted by Ctrl-C, 143
by SIGTERM; 128+N when cucumber-js was killed by signal N (it says which).`;

/**
 * The cucumber-js command line (extra args appended): the project's features
 * unless paths are given, bringup's step library and the project's own steps
 * unless --require or --import is given.
 */
export function cucumberArgs(extra: string[], sources: TestSources = testSources(projectRoot())): string[] {
  const bin = path.join(path.dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber-js');
  const hasPaths = namesPaths(extra);
  const hasSupport = extra.some((a) => a === '--require' || a.startsWith('--require=') || a === '--import' || a.startsWith('--import='));
  return [
    bin,
    ...(hasPaths ? [] : [path.join(sources.featuresDir, '**', '*.feature')]),
    ...sources.requireModules.flatMap((m) => ['--require-module', m]),
    ...(hasSupport ? [] : sources.support.flatMap((f) => ['--require', f])),
    ...extra,
  ];
}

/** True when cucumber-js arguments name features (an argument that is neither an option nor an option's value). */
function namesPaths(args: string[]): boolean {
  return args.some((a, i) => !a.startsWith('-') && !(i > 0 && VALUE_OPTIONS.has(args[i - 1])));
}

/** cucumber-js's own options (bringup test passes them on); anything else starting with -- is a mistake. */
const CUCUMBER_FLAGS = new Set(['--backtrace', '-b', '--dry-run', '-d', '--exit', '--force-exit', '--fail-fast', '--strict', '--no-strict',
  '--publish', '--i18n-languages', '--version', '-v']);

const VALUE_OPTIONS = new Set(['--i18n-keywords', '--loader', '-l', '--plugin', '--plugin-options', '--require-module', '--retry-tag-filter', '--format', '-f', '--name', '--tags', '-t', '--require', '-r', '--import', '-i', '--parallel',
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
      default:
        if (a.startsWith('-') && a !== '-' && !VALUE_OPTIONS.has(name) && !CUCUMBER_FLAGS.has(name)) {
          if (a === '--') { out.push(...argv.slice(i)); i = argv.length; break; }
          const known = [...VALUE_OPTIONS, ...CUCUMBER_FLAGS, '--no-reports'].filter((o) => o.startsWith('--')).map((o) => o.slice(2));
          throw unknownOption(name.replace(/^-+/, ''), known, 'test');
        }
        out.push(a);
        if (inline === undefined && VALUE_OPTIONS.has(name)) out.push(value());
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

/**
 * The folder this run's reports go to: `dir`, unless another bringup test
 * (a live process) is writing there, in which case dir/run-PID. Two runs
 * never write the same junit.xml.
 */
export function claimReportsDir(dir: string): { dir: string; release: () => void; busyBy?: number } {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.bringup-test.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return { dir, release: () => { try { if (fs.readFileSync(lock, 'utf8') === String(process.pid)) fs.rmSync(lock, { force: true }); } catch { /* gone */ } } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(lock, 'utf8'));
      if (pid > 0 && pid !== process.pid && processAlive(pid)) {
        const own = path.join(dir, `run-${process.pid}`);
        fs.mkdirSync(own, { recursive: true });
        return { dir: own, release: () => {}, busyBy: pid };
      }
      fs.rmSync(lock, { force: true }); // left by a run that was killed
    }
  }
  throw new Error(`cannot take the lock ${lock}`);
}

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * bringup's progress formatter (cli/test-formatter.ts: a step no definition
 * matches gets the closest library steps, not a snippet), unless the
 * arguments already name a formatter that prints to the terminal.
 */
export function defaultFormat(args: string[]): string[] {
  const formats = args.flatMap((a, i) => (a === '--format' || a === '-f') && i + 1 < args.length ? [args[i + 1]] : a.startsWith('--format=') ? [a.slice(9)] : []);
  // "name:file" writes to a file; a bare name (or a module's path or file: URL) writes to the terminal.
  const toTerminal = formats.some((f) => !/^[^:]+:./.test(f.replace(/^file:\/\//, '')));
  return toTerminal ? [] : ['--format', path.join(__dirname, 'test-formatter.js')];
}

export async function testCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(TEST_HELP + '\n'); return EXIT.OK; }
  const opts = testOptions(argv);
  const sources = testSources(projectRoot());
  if (!namesPaths(opts.cucumber) && !fs.existsSync(sources.featuresDir)) {
    throw new UsageError(`test: ${sources.project} has no features/ folder (its .feature files are what bringup test runs); \`bringup init\` writes one with an example, or name feature files on the command line`);
  }
  let reports = opts.reports;
  let release = () => {};
  if (reports !== undefined) {
    const claimed = claimReportsDir(reports);
    release = claimed.release;
    if (claimed.dir !== reports) {
      process.stderr.write(`bringup: ${reports} is in use by another bringup test (pid ${claimed.busyBy}); this run's reports go to ${claimed.dir}\n`);
      const from = reports, to = claimed.dir;
      opts.cucumber = opts.cucumber.map((a) => a === `html:${path.join(from, 'cucumber.html')}` ? `html:${path.join(to, 'cucumber.html')}`
        : a === `junit:${path.join(from, 'junit.xml')}` ? `junit:${path.join(to, 'junit.xml')}` : a);
      reports = to;
    }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-test-'));
  const messages = path.join(tmp, 'messages.ndjson');
  try {
    const t0 = performance.now();
    // cucumber-js runs as a child that is stopped with us: Ctrl-C or SIGTERM is passed on, and we wait for it to end.
    const child = spawn(process.execPath, cucumberArgs([...opts.cucumber, ...defaultFormat(opts.cucumber), '--format', `message:${messages}`], sources), {
      stdio: 'inherit', cwd: process.cwd(),
      env: { ...process.env, ...sources.env, ...(reports ? { BRINGUP_REPORTS_DIR: path.resolve(reports) } : {}) },
    });
    let stoppedBy: StopSignal | undefined;
    const offSignal = onStopSignal((sig) => {
      stoppedBy ??= sig;
      try { child.kill(sig); } catch { /* already gone */ }
    });
    const r = await new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal }));
    }).finally(offSignal);
    const wall = performance.now() - t0;
    if (fs.existsSync(messages) && stoppedBy === undefined) {
      try {
        process.stdout.write(`${formatTiming(timingFromMessages(fs.readFileSync(messages, 'utf8')), wall)}\n`);
      } catch { /* a message stream cut short: no timing line */ }
    }
    // junit.xml and failures.html with what every failed scenario left (cli/test-reports.ts).
    const failures = reports && stoppedBy === undefined ? writeTestReports(messages, reports) : [];
    if (reports && fs.existsSync(path.join(reports, 'junit.xml'))) {
      process.stdout.write(`reports: ${path.join(reports, 'cucumber.html')}, ${path.join(reports, 'junit.xml')}\n${failures.map((l) => `${l}\n`).join('')}`);
    }
    if (stoppedBy) {
      process.stderr.write(`bringup: test ${stoppedBy === 'SIGINT' ? 'interrupted' : 'stopped by SIGTERM'}\n`);
      return stopStatus(stoppedBy);
    }
    if (r.signal) {
      process.stderr.write(`bringup: cucumber-js was killed by ${r.signal}\n`);
      return signalStatus(r.signal);
    }
    return r.status === 0 ? EXIT.OK : r.status === 2 ? EXIT.USAGE : EXIT.EXPECTATION_FAILED;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    release();
  }
}
