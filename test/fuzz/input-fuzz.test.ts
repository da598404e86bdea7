/**
 * Every input file bringup reads, mutated: a fixed seed and a bounded number
 * of cases (scenarios, board files, volume manifests, packed volumes, ELF
 * images, a device tree and recordings), each run through the real commands. Every outcome
 * must be a valid run or a clean refusal (exit 2 naming the file and what is
 * wrong): never exit 4, a stack trace, an uncaught exception, a hang, runaway
 * memory or a write outside what the command was told to write. A failure lists each distinct
 * defect with the command to rerun its case; `npm run fuzz:inputs` runs longer.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classifyStep, loadSeeds, makeCase, runFuzz, topFrame } from './fuzzer';
import type { StepResult } from './protocol';

const SEED = 1;
// About 20 s here (50 cases per second with two workers); `npm run fuzz:inputs -- --count N` runs longer.
const COUNT = 1000;

test('no mutated input file makes a command crash, hang, print a stack trace or write where it was not told to', { timeout: 10 * 60_000 }, async () => {
  const summary = await runFuzz({ seed: SEED, count: COUNT, jobs: 2 });
  assert.equal(summary.cases, COUNT);
  const lines = summary.defects.map((d) => `${d.signature}\n    ${d.count}x; ${d.kind} from ${d.seedFile}; ${d.mutation}; ${d.detail}\n    rerun: npm run fuzz:inputs -- --seed ${SEED} --case ${d.case}`);
  assert.equal(summary.defects.length, 0, `${summary.outcomes.defect} of ${COUNT} cases are defects:\n${lines.join('\n')}`);
  // The mix reaches past the first check: some mutants are still valid input and some are refused.
  assert.ok(summary.outcomes.ok > 0 && summary.outcomes.refused > 0, JSON.stringify(summary.outcomes));
});

test('the same seed and case index make the same mutant and the same commands', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-fuzz-seeds-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const a = loadSeeds(dir, 5000);
  const b = loadSeeds(dir, 5000);
  assert.deepEqual(a.map((s) => s.bytes), b.map((s) => s.bytes), 'the seeds, the recording made from a short run included, are the same every time');
  const kinds = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const x = makeCase(a, 7, i, 5000);
    const y = makeCase(b, 7, i, 5000);
    assert.deepEqual([x.bytes, x.mutation, x.steps], [y.bytes, y.mutation, y.steps]);
    kinds.add(x.seed.kind);
  }
  assert.deepEqual([...kinds].sort(), ['board', 'dtb', 'elf', 'manifest', 'recording', 'scenario', 'volume']);
  assert.notDeepEqual(makeCase(a, 7, 0, 5000).bytes, makeCase(a, 8, 0, 5000).bytes);
});

test('the fuzzer tells a clean refusal from a crash, a stack trace, an unnamed refusal and a write outside what the command was told to write', () => {
  const file = '/tmp/x/case-1/input.yaml';
  const r = (code: number, err: string, extra: Partial<StepResult> = {}): StepResult => ({ argv: ['validate', file], code, out: '', err, ms: 1, outside: [], ...extra });
  assert.equal(classifyStep(r(2, `${file}:3:7: must be integer\n`), file, '').outcome, 'refused');
  assert.equal(classifyStep(r(2, 'bringup: /dev/zero: is a character device, not a file\n'), file, 'kernel: /dev/zero').outcome, 'refused');
  assert.equal(classifyStep(r(2, 'bringup: bad input\n'), file, '').defect, 'refusal-unnamed');
  assert.equal(classifyStep(r(4, 'bringup: internal error: TypeError: x is undefined\n    at f (/r/scenario/a.ts:1:2)\n'), file, '').defect, 'exit-4');
  assert.equal(classifyStep(r(2, `${file}: bad\nTypeError: boom\n    at g (/r/machine/b.ts:10:3)\n`), file, '').defect, 'stack-trace');
  assert.equal(classifyStep(r(0, '', { outside: [{ op: 'writeFileSync', path: '/etc/escape' }] }), file, '').defect, 'write-outside');
  assert.equal(classifyStep(r(3, 'bringup: instruction limit reached\n'), file, '').outcome, 'ok');
  assert.equal(classifyStep({ ...r(42, ''), argv: ['exec', file] }, file, '').outcome, 'ok');
  assert.equal(classifyStep(r(130, ''), file, '').defect, 'unexpected-exit');
  assert.equal(topFrame('Error: x\n    at Object.openSync (node:fs:573:18)\n    at mfs.openSync (/w/dist/test/fuzz/worker.js:97:25)\n    at volumeCommand (/w/cli/volume.ts:60:14)\n'), 'volumeCommand (/w/cli/volume.ts:60)');
});
