/**
 * One differential run: for each seed, generate a batch of cases, link the
 * harness ELF, start QEMU on it and, while QEMU runs, run the same ELF on this
 * simulator; then compare the two result files record by record.
 */

import * as fs from 'node:fs';
import { parseElf } from '../../machine/loaders/elf';
import { generate, type Batch } from './generate';
import { generateThumb } from './thumb';
import { batchDir, linkBatch, removeDir, runQemu, type QemuRun } from './toolchain';
import { compareRuns, parseResults, runSimulator, type Mismatch, type SimEngine, type SimRun } from './results';

export interface RunOptions {
  seeds: number[];
  countPerSeed: number;
  rows?: string[];
  unskip?: string[];
  /** Instruction set of the cases: A32 (default) or Thumb (T16 and T32). */
  isa?: 'arm' | 'thumb';
  /**
   * How the simulator runs the harness: the interpreter, or the jit engine
   * compiling every block at its first execution (so each case instruction
   * runs compiled). Default: the interpreter.
   */
  engine?: SimEngine;
  /** Keep the batch directories (ELF, blob, QEMU results) for inspection. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface BatchOutcome {
  batch: Batch;
  qemu: QemuRun;
  sim: SimRun;
  compared: number;
  mismatches: Mismatch[];
  errors: string[];
  dir: string;
  genSeconds: number;
}

export interface RunSummary {
  outcomes: BatchOutcome[];
  instructions: number;
  mismatches: Mismatch[];
  errors: string[];
  seconds: number;
}

/** QEMU needs far less than this per case; the limit only catches a hung harness. */
const QEMU_TIMEOUT_MS_PER_CASE = 2;
const QEMU_TIMEOUT_MS_MIN = 60_000;
/** QEMU processes alive at once (each runs one batch alongside the simulator). */
const MAX_QEMU_RUNNING = 3;

export async function runDifferential(opts: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const pending: Array<Promise<BatchOutcome>> = [];
  const running = new Set<Promise<unknown>>();
  for (const seed of opts.seeds) {
    while (running.size >= MAX_QEMU_RUNNING) await Promise.race(running);
    const g0 = Date.now();
    const gopts = { seed, count: opts.countPerSeed, rows: opts.rows, unskip: opts.unskip };
    const batch = opts.isa === 'thumb' ? generateThumb(gopts) : generate(gopts);
    const genSeconds = (Date.now() - g0) / 1000;
    const dir = batchDir(`${opts.isa === 'thumb' ? 't' : ''}${seed}${opts.engine === 'jit' ? '-jit' : ''}`);
    const elfPath = await linkBatch(dir, batch.blob);
    const qemuP = runQemu(elfPath, Math.max(QEMU_TIMEOUT_MS_MIN, batch.cases.length * QEMU_TIMEOUT_MS_PER_CASE));
    running.add(qemuP);
    void qemuP.then(() => running.delete(qemuP));
    const elfBytes = new Uint8Array(fs.readFileSync(elfPath));
    const sim = runSimulator(elfBytes, batch.cases.length, opts.engine);
    log(`seed ${seed}: ${batch.cases.length} cases generated in ${genSeconds.toFixed(1)}s, simulator ${sim.seconds.toFixed(1)}s`);
    pending.push(qemuP.then((qemu) => {
      const cmp = compareRuns(batch, parseResults(qemu.results, batch), parseResults(sim.results, batch), parseElf(elfBytes));
      const errors = [...cmp.errors];
      if (qemu.timedOut) errors.unshift(`qemu: timed out after ${qemu.seconds.toFixed(0)}s`);
      else if (!qemu.results) errors.unshift(`qemu: exited with ${qemu.code ?? qemu.signal}: ${qemu.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      if (!sim.results) errors.unshift(`simulator: stopped (${sim.stop}) after ${sim.instructions} instructions without results; guest errors: ${sim.guestErrors.join('; ') || 'none'}`);
      for (const c of batch.crashes) errors.push(`simulator threw while probing row ${c.row} word 0x${(c.word >>> 0).toString(16).padStart(8, '0')}: ${c.error}`);
      log(`seed ${seed}: qemu ${qemu.seconds.toFixed(1)}s, ${cmp.compared} compared, ${cmp.mismatches.length} mismatches`);
      const ok = errors.length === 0 && cmp.mismatches.length === 0;
      if (ok && !opts.keep) removeDir(dir);
      return { batch, qemu, sim, compared: cmp.compared, mismatches: cmp.mismatches, errors, dir, genSeconds };
    }));
  }
  const outcomes = await Promise.all(pending);
  return {
    outcomes,
    instructions: outcomes.reduce((n, o) => n + o.compared, 0),
    mismatches: outcomes.flatMap((o) => o.mismatches),
    errors: outcomes.flatMap((o) => o.errors.map((e) => `seed ${o.batch.seed}: ${e}`)),
    seconds: (Date.now() - started) / 1000,
  };
}

/** Rows that no batch generated (and that are not skipped), with the reasons seen. */
export function ungeneratedRows(outcomes: BatchOutcome[]): Array<{ row: string; reason: string }> {
  const generated = new Set<string>();
  for (const o of outcomes) for (const k of o.batch.counts.keys()) generated.add(k);
  const out = new Map<string, string>();
  for (const o of outcomes) for (const f of o.batch.failed) if (!generated.has(f.row)) out.set(f.row, f.reason);
  return [...out.entries()].map(([row, reason]) => ({ row, reason }));
}

/** Mismatches grouped by row: count and the first example of each. */
export function mismatchesByRow(ms: Mismatch[]): Array<{ row: string; count: number; first: Mismatch }> {
  const m = new Map<string, { row: string; count: number; first: Mismatch }>();
  for (const x of ms) {
    const e = m.get(x.c.row.name);
    if (e) e.count++;
    else m.set(x.c.row.name, { row: x.c.row.name, count: 1, first: x });
  }
  return [...m.values()].sort((a, b) => b.count - a.count);
}
