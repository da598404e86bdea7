/**
 * `npm run fuzz -- [--isa arm|thumb] --count N --seed S [--row NAME]... [--unskip NAME]... [--batch B] [--all] [--keep]`
 *
 * Runs N random instructions (in batches of B, seeds S, S+1, ...) on this
 * simulator and on QEMU (A32 encodings, or with --isa thumb T16/T32 ones) and prints the first mismatch with both register
 * files side by side and the disassembly (--all: one example per row, and the
 * count of mismatches per row). --unskip generates a row despite its gen.skip
 * hint, for trying out whether the harness can handle it. Exit status: 0 no mismatch, 1 mismatch or
 * harness error, 2 bad usage or a missing tool.
 */

import { runDifferential, ungeneratedRows, mismatchesByRow } from './driver';
import { formatMismatch } from './results';
import { tableRows } from './generate';
import { thumbTableRows } from './thumb';
import { INSTALL_HINT, missingTools } from './toolchain';
import { MAX_CASES } from './layout';

interface Args { isa: 'arm' | 'thumb'; count: number; seed: number; rows: string[]; unskip: string[]; batch: number; all: boolean; keep: boolean }

function usage(msg?: string): never {
  if (msg) console.error(`fuzz: ${msg}`);
  console.error('usage: npm run fuzz -- [--isa arm|thumb] [--count N] [--seed S] [--row NAME]... [--unskip NAME]... [--batch B] [--all] [--keep]');
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { isa: 'arm', count: 100_000, seed: 1, rows: [], unskip: [], batch: 50_000, all: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = (): string => { if (i + 1 >= argv.length) usage(`${k} needs a value`); return argv[++i]; };
    const num = (v: string): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) usage(`${k}: '${v}' is not a non-negative integer`);
      return n;
    };
    switch (k) {
      case '--isa': {
        const v = val();
        if (v !== 'arm' && v !== 'thumb') usage(`--isa: '${v}' is not arm or thumb`);
        a.isa = v;
        break;
      }
      case '--count': a.count = num(val()); break;
      case '--seed': a.seed = num(val()); break;
      case '--row': a.rows.push(...val().split(',').filter(Boolean)); break;
      case '--unskip': a.unskip.push(...val().split(',').filter(Boolean)); break;
      case '--batch': a.batch = num(val()); break;
      case '--all': a.all = true; break;
      case '--keep': a.keep = true; break;
      case '-h': case '--help': usage();
      // falls through (usage exits)
      default: usage(`unknown argument '${k}'`);
    }
  }
  if (a.count < 1) usage('--count must be at least 1');
  if (a.batch < 1 || a.batch > MAX_CASES) usage(`--batch must be in 1..${MAX_CASES}`);
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const missing = missingTools();
  if (missing.length) {
    console.error(`fuzz: ${missing.join(' and ')} not found; install with: ${INSTALL_HINT}`);
    process.exit(2);
  }
  const { rows, skipped } = args.isa === 'thumb' ? thumbTableRows(args.unskip) : tableRows(args.unskip);
  const known = new Set(rows.map((r) => r.name));
  for (const r of [...args.rows, ...args.unskip]) {
    if (skipped.has(r) && !args.unskip.includes(r)) usage(`row '${r}' is skipped (${skipped.get(r)}); add --unskip ${r} to generate it anyway`);
    if (!known.has(r)) usage(`row '${r}' is not a row of the ${args.isa === 'thumb' ? 'T16/T32' : 'A32'} table`);
  }
  const seeds: number[] = [];
  const batches = Math.ceil(args.count / args.batch);
  for (let i = 0; i < batches; i++) seeds.push((args.seed + i) >>> 0);
  const perSeed = Math.ceil(args.count / batches);
  const summary = await runDifferential({
    isa: args.isa, seeds, countPerSeed: perSeed, rows: args.rows.length ? args.rows : undefined, unskip: args.unskip, keep: args.keep,
    log: (l) => console.log(l),
  });
  for (const e of summary.errors) console.log(`ERROR ${e}`);
  const missingRows = ungeneratedRows(summary.outcomes);
  for (const m of missingRows) console.log(`not generated: ${m.row} (${m.reason})`);
  if (summary.mismatches.length) {
    if (args.all) {
      for (const g of mismatchesByRow(summary.mismatches)) {
        console.log(`\n${g.row}: ${g.count} mismatch(es)`);
        console.log(formatMismatch(g.first));
      }
    } else {
      console.log(`\n${formatMismatch(summary.mismatches[0])}`);
    }
    const dirs = summary.outcomes.filter((o) => o.mismatches.length).map((o) => o.dir);
    console.log(`\nharness ELFs kept in: ${dirs.join(' ')}`);
  }
  console.log(`${summary.instructions} instructions compared, ${summary.mismatches.length} mismatches, ` +
    `${summary.errors.length} errors, ${summary.seconds.toFixed(1)}s`);
  process.exit(summary.mismatches.length || summary.errors.length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(4); });
