/**
 * Bisecting a regression with a scenario as the test.
 *
 * - Across commits: `git bisect` runs in a temporary worktree of the user's
 *   repository (their checkout is never touched); at each commit a build
 *   command runs there, then the scenario is loaded from the worktree and run.
 * - Across a list of images (for users without history): one image of the
 *   scenario (the kernel, or a boot volume image) is replaced by each
 *   candidate in turn, and replay/bisect-search.ts finds the first bad one.
 *
 * Classification: a run that passes is good; a failed expectation or a run
 * that hits its limit is bad; a commit that does not build, or a scenario or
 * image that cannot be loaded at a commit, is skipped.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { parseDocument } from 'yaml';
import { ImageError } from '../../machine/loaders/elf';
import { bisectSearch, estimateSteps, type Outcome } from '../../replay/bisect-search';
import type { ScenarioResult } from '../run/runner';
import { loadScenario, scenarioFromText, type Scenario, type RawScenario } from '../file/scenario-file';
import { InputFileError, loadYamlFile } from '../file/yaml-file';

import { runRecorded, recordingsDir } from '../record/recording';
import { RecordingReader } from '../../replay/reader';
import { diffEvents, formatDiff } from '../../replay/diff';
import { removeRecording, renameRecording } from '../../replay/recording-files';

// ---- classification and comparison -------------------------------------------

/** One tested candidate: what it is and how its run went. */
export interface TestedCandidate {
  /** Commit hash or image path. */
  id: string;
  /** Subject line or file name, for people. */
  label: string;
  outcome: Outcome;
  /** The run (absent when the candidate was skipped before running). */
  result?: ScenarioResult;
  /** Why it was skipped. */
  problem?: string;
}

export type BisectOutcome =
  /** The first bad candidate and the last good one before it, with both runs. */
  | { kind: 'found'; firstBad: TestedCandidate & { result: ScenarioResult }; lastGood: TestedCandidate & { result: ScenarioResult }; tests: number }
  /** Skipped candidates hide the boundary: the first bad one is one of these. */
  | { kind: 'ambiguous'; candidates: Array<{ id: string; label: string }>; lastGood: { id: string; label: string }; tests: number }
  /** An end is not what it was said to be (or cannot be tested). */
  | { kind: 'ends'; problem: string; candidate: TestedCandidate; tests: number };

/** Raised when a bisection is stopped from outside (Ctrl-C); the worktree is cleaned up first. */
export class BisectInterrupted extends Error {
  constructor() { super('bisect interrupted'); }
}

/** pass → good; fail or limit → bad. */
export function classify(result: ScenarioResult): Outcome {
  return result.verdict === 'pass' ? 'good' : 'bad';
}

/** Loads and runs a scenario; problems with the input (bad scenario, bad image) make the candidate a skip. */
export function testScenario(id: string, label: string, load: () => Scenario): TestedCandidate {
  let scenario: Scenario;
  try { scenario = load(); } catch (e) {
    if (e instanceof InputFileError || e instanceof ImageError) return { id, label, outcome: 'skip', problem: `the scenario cannot be loaded: ${e.message}` };
    throw e;
  }
  let result: ScenarioResult;
  // Recorded (and kept), so the report can compare the last good and first bad runs event by event.
  try { result = runRecorded(scenario, bisectRecordingFile(scenario)); } catch (e) {
    if (e instanceof ImageError) return { id, label, outcome: 'skip', problem: `the images cannot be booted: ${e.message}` };
    throw e;
  }
  return { id, label, outcome: classify(result), result };
}

// ---- what a bisection leaves while it runs --------------------------------------
//
// A bisection that is killed (SIGKILL, a crash) cannot clean up after itself.
// Everything it creates is named after its process id, so that the next one
// recognises what a dead bisection left and removes it: its temporary folder
// (bringup-bisect-PID-*), the git worktree registered there, and the
// recordings of its runs (bisect-running-PID-*.bur in the recordings folder).

const TMP_PREFIX = 'bringup-bisect-';
const RUNNING_PREFIX = 'bisect-running-';

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** A recording file for one tested run, marked as belonging to this (running) bisection. */
function bisectRecordingFile(s: Scenario): string {
  const dir = recordingsDir();
  fs.mkdirSync(dir, { recursive: true });
  const slug = (s.name || path.basename(s.file)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'run';
  return path.join(dir, `${RUNNING_PREFIX}${process.pid}-${slug}-${Math.random().toString(16).slice(2, 10)}.bur`);
}

/** The name a kept recording gets once the bisection is over (no longer marked as running). */
function keptName(file: string): string {
  const base = path.basename(file);
  const m = new RegExp(`^${RUNNING_PREFIX}\\d+-(.*)$`).exec(base);
  return m ? path.join(path.dirname(file), `bisect-${m[1]}`) : file;
}

/** Removes the recordings of bisections whose process is gone. Returns the files removed. */
export function removeStaleBisectRecordings(dir = recordingsDir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return removed; }
  for (const n of names) {
    const m = new RegExp(`^${RUNNING_PREFIX}(\\d+)-.*\\.bur$`).exec(n);
    if (m && !processAlive(Number(m[1]))) { removeRecording(path.join(dir, n)); removed.push(path.join(dir, n)); }
  }
  return removed;
}

/**
 * Removes what bisections that were killed left in `repo` and the temporary
 * folder: registered worktrees in a dead bisection's folder, the folders
 * themselves, then `git worktree prune`. Returns the folders removed.
 */
export async function removeStaleBisectWorktrees(repo: string): Promise<string[]> {
  const removed: string[] = [];
  const tmp = fs.realpathSync(os.tmpdir());
  const ours = new RegExp(`^${TMP_PREFIX}(\\d+)-`);
  const stale = (dir: string) => { const m = ours.exec(path.basename(dir)); return m !== null && !processAlive(Number(m[1])); };
  const list = await git(repo, ['worktree', 'list', '--porcelain']);
  for (const line of list.split('\n')) {
    if (!line.startsWith('worktree ')) continue;
    const wt = line.slice('worktree '.length);
    const owner = path.dirname(wt);
    if (path.dirname(owner) !== tmp || !stale(owner)) continue;
    try { await git(repo, ['worktree', 'remove', '--force', wt]); } catch { /* pruned below */ }
    fs.rmSync(owner, { recursive: true, force: true });
    removed.push(owner);
  }
  for (const n of fs.readdirSync(tmp)) {
    const dir = path.join(tmp, n);
    if (!stale(dir) || removed.includes(dir)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  await git(repo, ['worktree', 'prune']);
  return removed;
}

/**
 * Every tested run is recorded, so that the report can compare the last good
 * and the first bad run event by event. Once the search is over only the
 * recordings the report names stay (those two, or a failing end's); after an
 * error or an interruption none does.
 */
async function pruningRecordings(tested: () => Iterable<TestedCandidate>, search: () => Promise<BisectOutcome>): Promise<BisectOutcome> {
  let outcome: BisectOutcome | undefined;
  try {
    outcome = await search();
    return outcome;
  } finally {
    const keep = new Set<string>();
    if (outcome?.kind === 'found') for (const r of [outcome.firstBad.result, outcome.lastGood.result]) if (r.recording) keep.add(r.recording);
    if (outcome?.kind === 'ends' && outcome.candidate.result?.recording) keep.add(outcome.candidate.result.recording);
    for (const c of tested()) {
      const file = c.result?.recording;
      if (!file) continue;
      if (!keep.has(file)) { removeRecording(file); continue; }
      // Kept for the report: no longer a running bisection's file.
      const to = keptName(file);
      if (to !== file) {
        renameRecording(file, to);
        for (const r of [outcome?.kind === 'found' ? outcome.firstBad.result : undefined, outcome?.kind === 'found' ? outcome.lastGood.result : undefined,
          outcome?.kind === 'ends' ? outcome.candidate.result : undefined]) if (r?.recording === file) r.recording = to;
        c.result!.recording = to;
      }
    }
  }
}

const verdictWord = (r: ScenarioResult) => (r.verdict === 'pass' ? 'PASS' : r.verdict === 'limit' ? 'LIMIT' : 'FAIL');

/**
 * What differs between the last good run and the first bad one, as lines for
 * a person: the verdicts, the first console line that differs (number and
 * both texts), and the expectations that failed in the bad run.
 */
export function explainDifference(goodRun: ScenarioResult, badRun: ScenarioResult): string[] {
  const out: string[] = [];
  out.push(`verdict: ${verdictWord(goodRun)} (last good) -> ${verdictWord(badRun)} (first bad)`);
  const g = goodRun.lines, b = badRun.lines;
  let i = 0;
  while (i < g.length && i < b.length && g[i].text === b[i].text) i++;
  if (i === g.length && i === b.length) {
    out.push(`console: the same ${g.length} line(s) in both runs`);
  } else {
    const show = (lines: typeof g, who: string) => (i < lines.length
      ? JSON.stringify(lines[i].text)
      : `(no such line: the ${who} console ended after ${lines.length} line(s))`);
    out.push(`first differing console line: line ${i + 1}`);
    out.push(`  good: ${show(g, 'good')}`);
    out.push(`  bad:  ${show(b, 'bad')}`);
  }
  if (goodRun.recording && badRun.recording) {
    const d = diffEvents(RecordingReader.open(goodRun.recording), RecordingReader.open(badRun.recording), ['console', 'mmio', 'exception', 'input']);
    out.push(...formatDiff(d, ['last good', 'first bad']));
    out.push(`recordings: ${goodRun.recording} (last good), ${badRun.recording} (first bad); \`bringup diff\` compares them further`);
  }
  const failed = badRun.expectations.filter((e) => !e.ok);
  if (badRun.verdict === 'limit') out.push(`the bad run hit its limit (expect.end is ${badRun.scenario.expect.end})`);
  if (failed.length) {
    out.push(`failed in the bad run (${failed.length} of ${badRun.expectations.length} expectations):`);
    for (const e of failed) {
      out.push(`  FAILED ${e.what}`);
      if (e.problem) out.push(`         ${e.problem}`);
    }
  }
  return out;
}

/** The report of a bisection, as lines (what `bringup bisect` prints at the end). */
export function formatBisectOutcome(o: BisectOutcome, what: 'commit' | 'image'): string[] {
  const name = (c: { id: string; label: string }) => (what === 'commit' ? `${c.id} ${c.label}` : c.label === c.id ? c.id : `${c.id} (${c.label})`);
  switch (o.kind) {
    case 'found':
      return [
        `first bad ${what}: ${name(o.firstBad)}`,
        `last good ${what}: ${name(o.lastGood)}`,
        `(${o.tests} test${o.tests === 1 ? '' : 's'})`,
        '',
        'what differs between the last good and the first bad run:',
        ...explainDifference(o.lastGood.result, o.firstBad.result).map((l) => `  ${l}`),
      ];
    case 'ambiguous':
      return [
        `no single answer: skipped ${what}s hide the first bad one; it is one of:`,
        ...o.candidates.map((c) => `  ${name(c)}`),
        `last good ${what}: ${name(o.lastGood)}`,
        `(${o.tests} test${o.tests === 1 ? '' : 's'})`,
      ];
    case 'ends': {
      const r = o.candidate.result;
      if (!r || r.verdict === 'pass') return [o.problem];
      const failed = r.expectations.filter((e) => !e.ok);
      return [o.problem, ...(r.verdict === 'limit' ? [`  the run hit its limit (expect.end is ${r.scenario.expect.end})`] : []),
        ...failed.flatMap((e) => [`  FAILED ${e.what}`, ...(e.problem ? [`         ${e.problem}`] : [])]),
        ...(r.recording ? [`  recording: ${r.recording}`] : [])];
    }
  }
}

// ---- running commands ----------------------------------------------------------

interface Finished { code: number | null; signal: string | null; output: string }

/** Runs a program (or a shell command) with its stdout and stderr captured together; killed on abort. */
function runProcess(file: string, args: string[], cwd: string, opts: { shell?: boolean; signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) { reject(new BisectInterrupted()); return; }
    // A shell command gets its own process group, so that all of it can be stopped.
    const child = spawn(file, args, { cwd, shell: opts.shell, detached: opts.shell, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => chunks.push(d));
    const onAbort = () => {
      try {
        if (opts.shell && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        else child.kill('SIGTERM');
      } catch { /* already gone */ }
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => { opts.signal?.removeEventListener('abort', onAbort); reject(e); });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) { reject(new BisectInterrupted()); return; }
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** The environment for git: no GIT_DIR and friends inherited (every call names its directory). */
function gitEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR']) delete env[k];
  return env;
}

export class GitError extends Error {}

async function git(cwd: string, args: string[], signal?: AbortSignal, okCodes = [0]): Promise<string> {
  const r = await runProcess('git', ['-C', cwd, ...args], cwd, { signal, env: gitEnv() });
  if (r.code === null || !okCodes.includes(r.code)) {
    throw new GitError(`git ${args.join(' ')} (in ${cwd}) failed${r.code !== null ? ` with status ${r.code}` : ` (${r.signal})`}:\n${r.output.trimEnd()}`);
  }
  return r.output;
}

/** The last n lines of a command's output, indented, for a failure message. */
export function tailLines(output: string, n = 40): string[] {
  const lines = output.replace(/\s+$/, '').split('\n');
  const shown = lines.slice(-n).map((l) => `    | ${l}`);
  return lines.length > n ? [`    | ... ${lines.length - n} earlier line(s) not shown`, ...shown] : output.trim() ? shown : ['    | (no output)'];
}

// ---- across commits ------------------------------------------------------------

export interface CommitBisectOptions {
  good: string;
  bad: string;
  /** Shell command run in the worktree at each commit before the scenario (none: nothing is built). */
  build?: string;
  scenario: string;
  /** The repository (default: the one containing the scenario file). */
  repo?: string;
  /** Use each commit's own version of the scenario file instead of the one given. */
  committedScenario?: boolean;
  /** Progress lines (for stderr). */
  progress?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Bisects the commits between good and bad with the scenario as the test,
 * in a temporary worktree. Both ends are tested first. The worktree and the
 * bisect state are removed when it ends, also on error or interruption.
 * Throws GitError for git problems and BisectInterrupted when aborted.
 */
export async function bisectCommits(o: CommitBisectOptions): Promise<BisectOutcome> {
  const cache = new Map<string, TestedCandidate>();
  return pruningRecordings(() => cache.values(), () => searchCommits(o, cache));
}

/** bisectCommits with the tested commits in `cache` (by hash). */
async function searchCommits(o: CommitBisectOptions, cache: Map<string, TestedCandidate>): Promise<BisectOutcome> {
  const say = o.progress ?? (() => {});
  const signal = o.signal;
  const scenarioAbs = fs.realpathSync(path.resolve(o.scenario));
  const top = (await git(o.repo ? path.resolve(o.repo) : path.dirname(scenarioAbs), ['rev-parse', '--show-toplevel'], signal)).trim();
  const repo = fs.realpathSync(top);
  const rel = path.relative(repo, scenarioAbs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new GitError(`the scenario ${o.scenario} is not inside the repository ${repo}`);
  const resolve = async (rev: string) => {
    try { return (await git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], signal)).trim(); } catch (e) {
      if (e instanceof GitError) throw new GitError(`'${rev}' is not a commit in ${repo}`);
      throw e;
    }
  };
  const good = await resolve(o.good);
  const bad = await resolve(o.bad);
  if (good === bad) throw new GitError(`--good and --bad are the same commit (${good.slice(0, 12)})`);
  // The scenario as given, used at every commit (unless each commit's own version is wanted).
  const scenarioText = o.committedScenario ? undefined : fs.readFileSync(scenarioAbs);

  // What killed bisections left in this repository (worktrees, checkouts in the temporary folder, recordings).
  for (const d of await removeStaleBisectWorktrees(repo)) say(`bisect: removed ${d}, left by a bisection that was killed`);
  const staleRecordings = removeStaleBisectRecordings();
  if (staleRecordings.length) say(`bisect: removed ${staleRecordings.length} recording(s) left by a bisection that was killed`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${TMP_PREFIX}${process.pid}-`));
  const wt = path.join(tmp, 'worktree');
  let worktreeAdded = false;
  let bisecting = false;
  let tests = 0;

  const subject = async (hash: string) => (await git(wt, ['log', '-1', '--format=%s', hash], signal)).trim();
  const head = async () => (await git(wt, ['rev-parse', 'HEAD'], signal)).trim();

  /** Builds and runs the scenario at the worktree's HEAD, then leaves the worktree clean for the next checkout. */
  const testHead = async (): Promise<TestedCandidate> => {
    const id = await head();
    const hit = cache.get(id);
    if (hit) return hit;
    const label = await subject(id);
    const wtScenario = path.join(wt, rel);
    let candidate: TestedCandidate;
    try {
      if (scenarioText) {
        fs.mkdirSync(path.dirname(wtScenario), { recursive: true });
        fs.writeFileSync(wtScenario, scenarioText);
      }
      let built = true;
      if (o.build) {
        const r = await runProcess(o.build, [], wt, { shell: true, signal });
        if (r.code !== 0) {
          built = false;
          candidate = { id, label, outcome: 'skip', problem: `the build failed (${r.code !== null ? `status ${r.code}` : `killed by ${r.signal}`}): ${o.build}` };
          say(`  build failed at ${id.slice(0, 12)}; its output:`);
          for (const l of tailLines(r.output)) say(l);
        }
      }
      if (built) {
        if (!fs.existsSync(wtScenario)) candidate = { id, label, outcome: 'skip', problem: `there is no ${rel} at this commit` };
        else candidate = testScenario(id, label, () => loadScenario(wtScenario));
      }
    } finally {
      // Undo what the test changed in tracked files (the scenario copy, build products that are committed).
      if (scenarioText) fs.rmSync(wtScenario, { force: true });
      await git(wt, ['reset', '--quiet', '--hard', 'HEAD']);
    }
    if (signal?.aborted) throw new BisectInterrupted();
    tests++;
    cache.set(id, candidate!);
    return candidate!;
  };
  /** Untested, unskipped commits that could still be the first bad one (besides the known bad one). */
  const suspectsLeft = async (): Promise<number> => {
    const refs = (await git(wt, ['for-each-ref', '--format=%(refname)', 'refs/bisect/'], signal)).trim().split('\n').filter(Boolean);
    const goods = refs.filter((r) => r.startsWith('refs/bisect/good-'));
    const skips = new Set(await Promise.all(refs.filter((r) => r.startsWith('refs/bisect/skip-')).map(async (r) => (await git(wt, ['rev-parse', r], signal)).trim())));
    const range = (await git(wt, ['rev-list', 'refs/bisect/bad', '--not', ...goods], signal)).trim().split('\n').filter(Boolean);
    return Math.max(0, range.filter((h) => !skips.has(h)).length - 1);
  };
  const verdictText = (c: TestedCandidate) => (c.result ? `${c.result.verdict}` : 'skipped');
  const describe = (c: TestedCandidate, as?: Outcome) => `${c.id.slice(0, 12)} "${c.label}": ${verdictText(c)}${c.problem ? ` (${c.problem.split('\n')[0]})` : ''}${as ? ` -> ${as}` : ''}`;

  try {
    say(`bisect: ${rel} in ${repo}, good ${good.slice(0, 12)}, bad ${bad.slice(0, 12)}${o.build ? `, build: ${o.build}` : ''}`);
    await git(repo, ['worktree', 'add', '--detach', wt, bad], signal);
    worktreeAdded = true;

    // The ends first: the search is only meaningful when good passes and bad fails.
    const badEnd = await testHead();
    say(`bisect: bad end ${describe(badEnd)}`);
    if (badEnd.outcome !== 'bad') {
      return { kind: 'ends', candidate: badEnd, tests, problem: badEnd.outcome === 'skip'
        ? `the bad end ${bad.slice(0, 12)} cannot be tested: ${badEnd.problem}`
        : `the bad end ${bad.slice(0, 12)} "${badEnd.label}" passes the scenario: nothing to bisect (is the scenario the one that fails?)` };
    }
    await git(wt, ['checkout', '--quiet', '--detach', good], signal);
    const goodEnd = await testHead();
    say(`bisect: good end ${describe(goodEnd)}`);
    if (goodEnd.outcome !== 'good') {
      return { kind: 'ends', candidate: goodEnd, tests, problem: goodEnd.outcome === 'skip'
        ? `the good end ${good.slice(0, 12)} cannot be tested: ${goodEnd.problem}`
        : `the good end ${good.slice(0, 12)} "${goodEnd.label}" fails the scenario too (${goodEnd.result!.verdict}): the regression is older, or the scenario fails for another reason` };
    }

    bisecting = true;
    let out = await git(wt, ['bisect', 'start', bad, good, '--'], signal);
    let step = 0;
    for (;;) {
      const first = /^([0-9a-f]{40}) is the first bad commit/m.exec(out);
      if (first) {
        const firstBad = cache.get(first[1]);
        if (!firstBad?.result) throw new GitError(`git named ${first[1]} as the first bad commit, which was not tested bad`);
        const lastGood = await lastGoodParent(first[1]);
        say(`bisect: first bad commit ${first[1].slice(0, 12)} "${firstBad.label}"`);
        return { kind: 'found', firstBad: firstBad as TestedCandidate & { result: ScenarioResult }, lastGood, tests };
      }
      if (/only 'skip'ped commits left to test/.test(out)) {
        const hashes = [...out.matchAll(/^([0-9a-f]{7,40})$/gm)].map((m) => m[1]);
        const candidates = [];
        for (const h of hashes) {
          const full = (await git(wt, ['rev-parse', h], signal)).trim();
          candidates.push({ id: full, label: await subject(full) });
        }
        // The last good commit: a parent of one of the candidates that was tested good.
        let lastGoodId = good;
        for (const c of candidates) {
          const parents = (await git(wt, ['rev-list', '--parents', '-n', '1', c.id], signal)).trim().split(/\s+/).slice(1);
          const p = parents.find((h) => cache.get(h)?.outcome === 'good');
          if (p) { lastGoodId = p; break; }
        }
        say(`bisect: only skipped commits are left`);
        return { kind: 'ambiguous', candidates, lastGood: { id: lastGoodId, label: await subject(lastGoodId) }, tests };
      }
      step++;
      const c = await testHead();
      out = await git(wt, ['bisect', c.outcome, c.id], signal, [0, 1, 2]);
      const left = await suspectsLeft();
      say(`bisect: step ${step}: ${describe(c, c.outcome)}; ${left} commit(s) left to test, roughly ${estimateSteps(left)} step(s)`);
    }
  } finally {
    // Clean up whatever happened: the bisect state, the worktree, the temporary directory.
    const quiet = async (dir: string, args: string[]) => { try { await git(dir, args); } catch { /* best effort */ } };
    if (bisecting) await quiet(wt, ['bisect', 'reset', '--quiet']);
    if (worktreeAdded) await quiet(repo, ['worktree', 'remove', '--force', wt]);
    fs.rmSync(tmp, { recursive: true, force: true });
    if (worktreeAdded) await quiet(repo, ['worktree', 'prune']);
  }

  /** The parent of the first bad commit that was tested good (or, if none was, its first parent, tested now). */
  async function lastGoodParent(firstBad: string): Promise<TestedCandidate & { result: ScenarioResult }> {
    const parents = (await git(wt, ['rev-list', '--parents', '-n', '1', firstBad], signal)).trim().split(/\s+/).slice(1);
    for (const p of parents) {
      const c = cache.get(p);
      if (c?.outcome === 'good' && c.result) return c as TestedCandidate & { result: ScenarioResult };
    }
    if (!parents.length) throw new GitError(`the first bad commit ${firstBad.slice(0, 12)} has no parent`);
    await git(wt, ['checkout', '--quiet', '--detach', parents[0]], signal);
    const c = await testHead();
    say(`bisect: parent of the first bad commit ${describe(c)}`);
    if (!c.result) throw new GitError(`the parent ${parents[0].slice(0, 12)} of the first bad commit cannot be tested: ${c.problem}`);
    return c as TestedCandidate & { result: ScenarioResult };
  }
}

// ---- across images -------------------------------------------------------------

/**
 * The scenario with one image replaced, resolved afresh (so that symbols in
 * faults resolve against the new image). `role` is `kernel`, the name of a
 * boot volume image, the name of a domain (the image it runs is replaced, for
 * every domain that runs it), or an image role that exactly one image has.
 */
export function scenarioWithImage(scenarioFile: string, role: string, imageFile: string): Scenario {
  const { text, note } = substituteImageText(scenarioFile, role, imageFile);
  void note;
  try {
    return scenarioFromText(text, `${scenarioFile} (${role} = ${imageFile})`, path.dirname(path.resolve(scenarioFile)));
  } catch (e) {
    if (e instanceof InputFileError) {
      throw new InputFileError(scenarioFile, 0, 0, `with ${imageFile} as ${role}: ${e.problem}`);
    }
    throw e;
  }
}

/** Where an image sits in the scenario, for the message that says what is replaced. */
export function describeImageRole(scenarioFile: string, role: string): string {
  return substituteImageText(scenarioFile, role, '/dev/null').note;
}

interface RawVolumeSpec {
  images: Array<{ name: string; role: string; file: string }>;
  domains?: Array<Record<string, unknown> & { name: string; image: string }>;
  events?: Array<[string, string]>;
}

/** The scenario's text with the image replaced (a volume manifest becomes an inline volume with absolute paths). */
export function substituteImageText(scenarioFile: string, role: string, imageFile: string): { text: string; note: string } {
  const file = path.resolve(scenarioFile);
  const dir = path.dirname(file);
  const raw = loadYamlFile<RawScenario>(file, 'scenario.schema.json');
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  const image = path.resolve(imageFile);
  if (role === 'kernel') {
    doc.setIn(['boot', 'kernel'], image);
    return { text: doc.toString(), note: `the kernel (boot.kernel, ${raw.data.boot.kernel})` };
  }
  const v = raw.data.boot.volume;
  if (v === undefined) throw new InputFileError(file, 0, 0, `there is no boot volume, so no image '${role}' to replace (use --role kernel for the kernel)`);
  let vol: RawVolumeSpec;
  let base: string;
  if (typeof v === 'string') {
    const manifest = path.resolve(dir, v);
    vol = loadYamlFile<RawVolumeSpec>(manifest, 'boot-volume.schema.json').data;
    base = path.dirname(manifest);
  } else {
    vol = JSON.parse(JSON.stringify(v)) as RawVolumeSpec;
    base = dir;
  }
  for (const im of vol.images) im.file = path.resolve(base, im.file);
  let targets = vol.images.filter((im) => im.name === role);
  let how = `the boot volume image '${role}'`;
  if (!targets.length) {
    const dom = vol.domains?.find((d) => d.name === role);
    if (dom) {
      targets = vol.images.filter((im) => im.name === dom.image);
      const sharing = (vol.domains ?? []).filter((d) => d.image === dom.image).map((d) => d.name);
      how = `image '${dom.image}' of domain ${role}${sharing.length > 1 ? ` (also run by ${sharing.filter((d) => d !== role).join(', ')})` : ''}`;
    }
  }
  if (!targets.length) {
    targets = vol.images.filter((im) => im.role === role);
    if (targets.length > 1) {
      throw new InputFileError(file, 0, 0, `${targets.length} boot volume images have role '${role}' (${targets.map((t) => t.name).join(', ')}): name one of them`);
    }
    how = `the boot volume image '${targets[0]?.name}' (role ${role})`;
  }
  if (!targets.length) {
    const names = [
      'kernel',
      ...vol.images.map((im) => `${im.name} (image, role ${im.role})`),
      ...(vol.domains ?? []).map((d) => `${d.name} (domain)`),
    ];
    throw new InputFileError(file, 0, 0, `no image '${role}' to replace; the scenario has: ${names.join(', ')}`);
  }
  targets[0].file = image;
  doc.setIn(['boot', 'volume'], doc.createNode(vol));
  return { text: doc.toString(), note: how };
}

export interface ImageBisectOptions {
  scenario: string;
  /** Images in chronological order: the first should pass, the last fail. */
  images: string[];
  role: string;
  progress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Binary search for the first image (of the list) with which the scenario fails. Both ends are tested first. */
export async function bisectImages(o: ImageBisectOptions): Promise<BisectOutcome> {
  const tested = new Map<number, TestedCandidate>();
  return pruningRecordings(() => tested.values(), () => searchImages(o, tested));
}

/** bisectImages with the tested images in `tested` (by index). */
async function searchImages(o: ImageBisectOptions, tested: Map<number, TestedCandidate>): Promise<BisectOutcome> {
  const say = o.progress ?? (() => {});
  const staleRecordings = removeStaleBisectRecordings();
  if (staleRecordings.length) say(`bisect: removed ${staleRecordings.length} recording(s) left by a bisection that was killed`);
  const label = (i: number) => `#${i + 1} ${path.basename(o.images[i])}`;
  say(`bisect: ${o.images.length} images as ${describeImageRole(o.scenario, o.role)} of ${o.scenario}`);
  const r = await bisectSearch(o.images, (image, index) => {
    if (o.signal?.aborted) throw new BisectInterrupted();
    const c = testScenario(image, label(index), () => scenarioWithImage(o.scenario, o.role, image));
    tested.set(index, c);
    return c.outcome;
  }, {
    verifyEnds: true,
    onStep: (s) => {
      const c = tested.get(s.index)!;
      const what = `${c.label}: ${c.result ? c.result.verdict : 'skipped'}${c.problem ? ` (${c.problem})` : ''} -> ${s.outcome}`;
      if (s.end) say(`bisect: ${s.end} end ${what}`);
      else say(`bisect: step ${s.step - 2}: ${what}; ${s.left} image(s) left, roughly ${s.stepsLeft} step(s)`);
    },
  });
  const cand = (i: number) => ({ id: o.images[i], label: label(i) });
  if (r.kind === 'ends') {
    const c = tested.get(r.index)!;
    const problem = r.end === 'good'
      ? (c.outcome === 'skip' ? `the first image ${o.images[0]} (assumed good) cannot be tested: ${c.problem}`
        : `the first image ${o.images[0]} fails the scenario (${c.result!.verdict}): the assumption that the first image is good does not hold`)
      : (c.outcome === 'skip' ? `the last image ${o.images[r.index]} (assumed bad) cannot be tested: ${c.problem}`
        : `the last image ${o.images[r.index]} passes the scenario: the assumption that the last image is bad does not hold`);
    return { kind: 'ends', problem, candidate: c, tests: r.steps };
  }
  if (r.kind === 'ambiguous') {
    return { kind: 'ambiguous', candidates: r.candidates.map(cand), lastGood: cand(r.lastGood), tests: r.steps };
  }
  const firstBad = tested.get(r.firstBad)!, lastGood = tested.get(r.lastGood)!;
  return { kind: 'found', firstBad: firstBad as TestedCandidate & { result: ScenarioResult }, lastGood: lastGood as TestedCandidate & { result: ScenarioResult }, tests: r.steps };
}
