/**
 * Differential tests of the A32 and Thumb (T16/T32) cores against QEMU
 * (qemu-system-arm -M vexpress-a9): 200,000 random encodings from each
 * table, a fixed seed set, zero mismatches allowed. See test/diff/README.md.
 */

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { runDifferential, ungeneratedRows, mismatchesByRow, type RunSummary } from './driver';
import { formatMismatch, type SimEngine } from './results';
import { tableRows } from './generate';
import { thumbTableRows } from './thumb';
import { INSTALL_HINT, missingTools, toolsRequired } from './toolchain';

const PER_SEED = 50_000;

function differential(isa: 'arm' | 'thumb', title: string, seeds: number[], engine: SimEngine = 'interpreter'): void {
  const table = () => (isa === 'thumb' ? thumbTableRows() : tableRows());
  const how = engine !== 'jit' ? '' : isa === 'arm'
    ? ', every block compiled by the jit engine'
    : ', under the jit engine (Thumb interpreted, its loads and stores through the fast path)';
  describe(`${title} differential test against QEMU (${seeds.length} seeds x ${PER_SEED} instructions${how})`, () => {
    const missing = missingTools();
    const skip = missing.length > 0 && !toolsRequired()
      ? `${missing.join(' and ')} not found; install with: ${INSTALL_HINT}`
      : false;
    let summary: RunSummary | undefined;
    let failure: unknown;

    before(async () => {
      if (missing.length) return;
      try {
        summary = await runDifferential({ seeds, countPerSeed: PER_SEED, isa, engine });
      } catch (e) {
        failure = e;
      }
    });

    const result = (): RunSummary => {
      if (missing.length) assert.fail(`${missing.join(' and ')} not found (BRINGUP_REQUIRE_TOOLS=1); install with: ${INSTALL_HINT}`);
      if (failure) throw failure;
      return summary!;
    };

    it(`runs the ${title} harness to completion on QEMU and on the simulator`, { skip }, (t) => {
      const s = result();
      const { skipped } = table();
      t.diagnostic(`${s.instructions} ${title} cases compared in ${s.seconds.toFixed(1)}s`);
      t.diagnostic(`rows skipped (${skipped.size}): ${[...skipped].map(([n, r]) => `${n} (${r})`).join('; ')}`);
      assert.deepEqual(s.errors, []);
      assert.equal(s.instructions, seeds.length * PER_SEED);
    });

    it(`generates every row of the ${title} tables that is not marked skip`, { skip }, (t) => {
      const s = result();
      const { rows } = table();
      const generated = new Set<string>();
      for (const o of s.outcomes) for (const k of o.batch.counts.keys()) generated.add(k);
      t.diagnostic(`rows generated: ${generated.size} of ${rows.length}`);
      const missingRows = ungeneratedRows(s.outcomes).map((m) => `${m.row}: ${m.reason}`);
      assert.deepEqual(missingRows, []);
      assert.deepEqual(rows.map((r) => r.name).filter((n) => !generated.has(n)), []);
    });

    it(`finds zero ${title} mismatches`, { skip }, () => {
      const s = result();
      if (s.mismatches.length === 0) return;
      const groups = mismatchesByRow(s.mismatches);
      const text = groups.map((g) => `${g.row}: ${g.count} mismatch(es); first:\n${formatMismatch(g.first)}`).join('\n\n');
      const dirs = s.outcomes.filter((o) => o.mismatches.length).map((o) => o.dir).join(' ');
      assert.fail(`${s.mismatches.length} mismatches in ${groups.length} row(s) (harness ELFs kept in ${dirs}):\n\n${text}`);
    });
  });
}

differential('arm', 'A32', [0x5eed0001, 0x5eed0002, 0x5eed0003, 0x5eed0004]);
differential('thumb', 'Thumb', [0x7eed0001, 0x7eed0002, 0x7eed0003, 0x7eed0004]);
// The same cases again (the first seed), each instruction run as part of a compiled block.
differential('arm', 'A32', [0x5eed0001], 'jit');
differential('thumb', 'Thumb', [0x7eed0001], 'jit');
