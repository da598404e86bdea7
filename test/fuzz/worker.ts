/**
 * The worker thread of the input fuzzer: runs each case's commands in-process
 * through the real `bringup` entry point (cli/main.ts) with stdout and stderr
 * captured, and reports every write a command attempts outside the files it
 * was told to write (refused, so a defect cannot touch the repository).
 */

import { parentPort } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaseMessage, StepResult, WorkerReply } from './protocol';

process.setSourceMapsEnabled(true);

const OUTPUT_CAP = 64 * 1024;
let out = '';
let err = '';
const cap = (s: string, add: string) => (s.length >= OUTPUT_CAP ? s : s + add.slice(0, OUTPUT_CAP - s.length));
const text = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));

// Output: process.stdout/stderr and fs.writeSync(1|2) (the exec command's console buffer).
process.stdout.write = ((chunk: unknown) => { out = cap(out, text(chunk)); return true; }) as typeof process.stdout.write;
process.stderr.write = ((chunk: unknown) => { err = cap(err, text(chunk)); return true; }) as typeof process.stderr.write;

// Writes outside what the running command may write: recorded and refused.
let writable: string[] = [];
const outside: Array<{ op: string; path: string }> = [];
const fdPaths = new Map<number, string>();
function allowed(p: fs.PathLike | number): boolean {
  if (typeof p === 'number') return true;
  const abs = path.resolve(String(p));
  // An output may be written whole-or-nothing through a hidden temporary file beside it (.NAME.*), renamed over it.
  const beside = (w: string) => path.dirname(abs) === path.dirname(w) && path.basename(abs).startsWith(`.${path.basename(w)}.`);
  return writable.some((w) => abs === w || abs.startsWith(w + path.sep) || beside(w));
}
function guard(op: string, p: fs.PathLike | number): void {
  if (allowed(p)) return;
  outside.push({ op, path: String(p) });
  const e = new Error(`EACCES: write outside the command's output refused by the fuzzer, ${op} '${String(p)}'`) as NodeJS.ErrnoException;
  e.code = 'EACCES'; e.errno = -13;
  throw e;
}
const writesFlags = (flags: unknown) => typeof flags === 'number'
  ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND)) !== 0
  : typeof flags === 'string' && /[wa+]/.test(flags);

type AnyFn = (...a: unknown[]) => unknown;
// The module object itself (an `import * as` binding is a read-only view of it).
const mfs = require('node:fs') as Record<string, AnyFn>;
function wrap(name: string, check: (args: unknown[]) => void): void {
  const orig = mfs[name];
  mfs[name] = function (this: unknown, ...args: unknown[]) { check(args); return orig.apply(this, args); };
}
for (const name of ['writeFileSync', 'appendFileSync', 'mkdirSync', 'rmSync', 'rmdirSync', 'unlinkSync', 'truncateSync', 'mkdtempSync', 'utimesSync', 'chmodSync']) {
  wrap(name, (a) => { if (name === 'writeFileSync' || name === 'appendFileSync') { if (typeof a[0] === 'number') return; } guard(name, a[0] as fs.PathLike); });
}
for (const name of ['renameSync', 'copyFileSync', 'symlinkSync', 'linkSync', 'cpSync']) wrap(name, (a) => guard(name, a[1] as fs.PathLike));
wrap('createWriteStream', (a) => guard('createWriteStream', a[0] as fs.PathLike));
{
  const orig = mfs.openSync;
  mfs.openSync = function (this: unknown, ...a: unknown[]) {
    if (writesFlags(a[1])) guard('openSync', a[0] as fs.PathLike);
    const fd = orig.apply(this, a) as number;
    fdPaths.set(fd, String(a[0]));
    return fd;
  };
  const origWrite = mfs.writeSync;
  mfs.writeSync = function (this: unknown, ...a: unknown[]) {
    const fd = a[0] as number;
    if (fd === 1 || fd === 2) {
      const chunk = a[1];
      const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).subarray((a[2] as number) ?? 0, a[3] !== undefined ? ((a[2] as number) ?? 0) + (a[3] as number) : undefined).toString('latin1');
      if (fd === 1) out = cap(out, s); else err = cap(err, s);
      return typeof chunk === 'string' ? Buffer.byteLength(chunk) : (a[3] as number) ?? (chunk as Uint8Array).length;
    }
    return origWrite.apply(this, a);
  };
}
// The asynchronous forms are not used by the commands; guarded the same way.
for (const name of ['writeFile', 'appendFile', 'mkdir', 'rm', 'unlink', 'rename', 'copyFile']) {
  const orig = mfs[name];
  mfs[name] = function (this: unknown, ...a: unknown[]) { guard(name, (name === 'rename' || name === 'copyFile' ? a[1] : a[0]) as fs.PathLike); return orig.apply(this, a); };
}

// A scenario run is bounded: the limit of every loaded scenario is clamped, so
// a case costs milliseconds whatever limits the mutant asks for.
const root = path.resolve(__dirname, '..', '..');
const scenarioFile = require(path.join(root, 'scenario', 'file', 'scenario-file.js')) as { loadScenario: (f: string) => { limit: number } };
let runLimit = 5000;
{
  const orig = scenarioFile.loadScenario;
  scenarioFile.loadScenario = (f: string) => { const s = orig(f); s.limit = Math.min(s.limit, runLimit); return s; };
}
const { main } = require(path.join(root, 'cli', 'main.js')) as { main: (argv: string[]) => Promise<number> };

let current = -1;
const post = (m: WorkerReply) => parentPort!.postMessage(m);
const fatal = (what: string, e: unknown) => {
  post({ type: 'uncaught', index: current, error: `${what}: ${(e as Error)?.stack ?? String(e)}`, out, err });
  // The thread's state is no longer trustworthy: end it; the pool starts a new one.
  setImmediate(() => process.exit(70));
};
process.on('uncaughtException', (e) => fatal('uncaught exception', e));
process.on('unhandledRejection', (e) => fatal('unhandled rejection', e));

parentPort!.on('message', async (m: CaseMessage) => {
  current = m.index;
  runLimit = m.runLimit;
  outside.length = 0;
  process.env.BRINGUP_RECORDINGS_DIR = path.join(m.dir, 'recordings');
  const results: StepResult[] = [];
  for (let s = 0; s < m.steps.length; s++) {
    const step = m.steps[s];
    if (step.ifOk && results.some((r) => r.code !== 0)) break;
    post({ type: 'step', index: m.index, step: s });
    out = ''; err = '';
    writable = step.writes.map((w) => path.resolve(w));
    const before = outside.length;
    const t0 = performance.now();
    let code: number;
    try { code = await main(step.argv); } catch (e) {
      code = -1;
      err = cap(err, `main threw: ${(e as Error)?.stack ?? String(e)}\n`);
    }
    writable = [];
    results.push({ argv: step.argv, code, out, err, ms: performance.now() - t0, outside: outside.slice(before) });
  }
  post({ type: 'done', index: m.index, results });
});
post({ type: 'ready' });
