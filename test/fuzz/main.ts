/**
 * `npm run fuzz:inputs -- [--count N] [--seed S] [--case K] [--jobs J] [--out DIR]
 *                         [--timeout MS] [--insns N] [--rss-mb MB]`
 *
 * Mutates every kind of input file bringup reads and runs the commands that
 * read them (see fuzzer.ts). Prints a progress line on a terminal, then a JSON
 * summary; exits 1 when any case is a defect (one repro per distinct defect
 * signature is written under --out, default .cache/fuzz/).
 */

import * as os from 'node:os';
import * as path from 'node:path';
import { runFuzz, ROOT } from './fuzzer';

const USAGE = `usage: npm run fuzz:inputs -- [--count N] [--seed S] [--case K] [--jobs J] [--out DIR]
                              [--timeout MS] [--insns N] [--rss-mb MB]

  --count N     cases to run (default 1000)
  --seed S      the seed all cases follow from (default 1)
  --case K      run only case K of the seed (to reproduce it)
  --jobs J      worker threads (default: 2, at most the number of CPUs)
  --out DIR     where repros of defects go (default .cache/fuzz/)
  --timeout MS  a case taking longer is a hang (default 5000)
  --insns N     instruction limit of the runs a case makes (default 5000)
  --rss-mb MB   resident memory bound (default 1536)`;

async function cli(argv: string[]): Promise<number> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { process.stdout.write(USAGE + '\n'); return 0; }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m || !['count', 'seed', 'case', 'jobs', 'out', 'timeout', 'insns', 'rss-mb'].includes(m[1])) {
      process.stderr.write(`fuzz:inputs: unknown argument '${a}'\n${USAGE}\n`);
      return 2;
    }
    const v = m[2] ?? argv[++i];
    if (v === undefined) { process.stderr.write(`fuzz:inputs: --${m[1]} needs a value\n`); return 2; }
    opts[m[1]] = v;
  }
  const num = (k: string, d: number): number => {
    if (opts[k] === undefined) return d;
    const n = Number(opts[k].replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${k}: '${opts[k]}' is not a number`);
    return n;
  };
  let parsed;
  try {
    parsed = {
      count: num('count', 1000), seed: num('seed', 1), only: opts.case !== undefined ? num('case', 0) : undefined,
      jobs: Math.max(1, Math.min(num('jobs', 2), os.cpus().length)), timeoutMs: num('timeout', 5_000),
      insns: num('insns', 5000), rssBytes: num('rss-mb', 1536) * 2 ** 20,
      out: path.resolve(opts.out ?? path.join(ROOT, '.cache', 'fuzz')),
    };
  } catch (e) { process.stderr.write(`fuzz:inputs: ${(e as Error).message}\n`); return 2; }

  const tty = process.stderr.isTTY;
  let last = 0;
  const t0 = performance.now();
  // Ctrl-C: stop after the running cases, clean up, and print what was found so far.
  const interrupt = new AbortController();
  const onSigint = () => { if (interrupt.signal.aborted) process.exit(130); interrupt.abort(); };
  process.on('SIGINT', onSigint);
  const summary = await runFuzz({
    ...parsed, signal: interrupt.signal,
    onProgress: tty ? (done, total, defects) => {
      const now = performance.now();
      if (now - last < 250 && done < total) return;
      last = now;
      const rate = done / Math.max((now - t0) / 1000, 0.001);
      process.stderr.write(`\r\x1b[Kfuzz: ${done}/${total} cases, ${rate.toFixed(1)}/s, ${defects} distinct defect(s)`);
    } : undefined,
  }).finally(() => process.off('SIGINT', onSigint));
  if (tty) process.stderr.write('\r\x1b[K');
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  if (summary.interrupted) return 130;
  return summary.defects.length ? 1 : 0;
}

cli(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`fuzz:inputs: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 4;
});
