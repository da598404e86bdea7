/** replay/bisect-search.ts: binary search with good/bad/skip outcomes, on synthetic predicates. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bisectSearch, estimateSteps, type Outcome, type SearchStep } from '../../replay/bisect-search';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Good before `first`, bad from it on. */
const monotonic = (first: number) => (x: number): Outcome => (x < first ? 'good' : 'bad');

test('bisect search: finds the first bad candidate in every position, testing each at most once', async () => {
  for (const n of [2, 3, 4, 7, 16, 33, 100]) {
    for (let first = 1; first < n; first++) {
      const seen: number[] = [];
      const r = await bisectSearch(range(n), (x) => { seen.push(x); return monotonic(first)(x); });
      assert.equal(r.kind, 'found', `n=${n} first=${first}`);
      if (r.kind !== 'found') continue;
      assert.equal(r.firstBad, first);
      assert.equal(r.lastGood, first - 1);
      assert.equal(new Set(seen).size, seen.length, 'a candidate was tested twice');
      assert.ok(!seen.includes(0) && !seen.includes(n - 1), 'the assumed ends are not tested');
      assert.ok(seen.length <= Math.ceil(Math.log2(n)) + 1, `n=${n}: ${seen.length} tests`);
    }
  }
});

test('bisect search: two candidates need no test', async () => {
  const r = await bisectSearch(['good', 'bad'], () => { throw new Error('tested'); });
  assert.deepEqual(r.kind === 'found' && [r.lastGood, r.firstBad, r.steps], [0, 1, 0]);
});

test('bisect search: empty and one-element lists are refused', async () => {
  await assert.rejects(bisectSearch([], () => 'good'), RangeError);
  await assert.rejects(bisectSearch(['only'], () => 'bad'), /at least two candidates/);
});

test('bisect search: verifyEnds tests both ends and reports an end that is not what was assumed', async () => {
  const ok = await bisectSearch(range(10), monotonic(6), { verifyEnds: true });
  assert.equal(ok.kind, 'found');
  assert.equal(ok.kind === 'found' && ok.firstBad, 6);
  assert.equal(ok.outcomes.get(0), 'good');
  assert.equal(ok.outcomes.get(9), 'bad');

  const allBad = await bisectSearch(range(10), () => 'bad', { verifyEnds: true });
  assert.deepEqual(allBad.kind === 'ends' && [allBad.end, allBad.index, allBad.outcome], ['good', 0, 'bad']);
  const allGood = await bisectSearch(range(10), () => 'good', { verifyEnds: true });
  assert.deepEqual(allGood.kind === 'ends' && [allGood.end, allGood.index, allGood.outcome], ['bad', 9, 'good']);
  const skippedEnd = await bisectSearch(range(10), (x) => (x === 9 ? 'skip' : 'good'), { verifyEnds: true });
  assert.deepEqual(skippedEnd.kind === 'ends' && [skippedEnd.end, skippedEnd.outcome], ['bad', 'skip']);
});

test('bisect search: skipped candidates are stepped around, and the answer is still exact when they are not at the boundary', async () => {
  const skip = new Set([4, 5, 6, 12]);
  const r = await bisectSearch(range(20), (x) => (skip.has(x) ? 'skip' : monotonic(9)(x)));
  assert.equal(r.kind, 'found');
  assert.deepEqual(r.kind === 'found' && [r.lastGood, r.firstBad], [8, 9]);
});

test('bisect search: a skipped candidate next to the boundary makes the answer ambiguous, as git says "could be any of"', async () => {
  // 8 cannot be tested; 7 is good, 9 is bad: the first bad is 8 or 9.
  const r = await bisectSearch(range(20), (x) => (x === 8 ? 'skip' : monotonic(9)(x)));
  assert.equal(r.kind, 'ambiguous');
  if (r.kind !== 'ambiguous') return;
  assert.deepEqual(r.candidates, [8, 9]);
  assert.equal(r.lastGood, 7);
  assert.equal(r.firstKnownBad, 9);
  // Everything skipped: every inner candidate and the bad end.
  const all = await bisectSearch(range(5), () => 'skip');
  assert.deepEqual(all.kind === 'ambiguous' && [all.lastGood, all.candidates], [0, [1, 2, 3, 4]]);
});

test('bisect search: with the monotonic assumption violated it still ends at a good/bad transition', async () => {
  // good bad good bad ...: several transitions; the search must return one of them, consistently with its tests.
  const alternating = (x: number): Outcome => (x === 0 ? 'good' : x % 2 ? 'bad' : 'good');
  for (const n of [5, 8, 13, 31]) {
    const last = n - 1;
    const pred = (x: number): Outcome => (x === last ? 'bad' : alternating(x));
    const r = await bisectSearch(range(n), pred);
    assert.equal(r.kind, 'found');
    if (r.kind !== 'found') continue;
    assert.equal(r.firstBad, r.lastGood + 1);
    assert.equal(pred(r.lastGood), 'good');
    assert.equal(pred(r.firstBad), 'bad');
    for (const [i, o] of r.outcomes) assert.equal(o, pred(i));
  }
  // A bad island before a good stretch: the search may land on either transition, never in the middle of a run.
  const island = (x: number): Outcome => (x >= 2 && x <= 3) || x >= 12 ? 'bad' : 'good';
  const r = await bisectSearch(range(16), island);
  assert.ok(r.kind === 'found' && island(r.lastGood) === 'good' && island(r.firstBad) === 'bad' && r.firstBad === r.lastGood + 1);
});

test('bisect search: progress reports each step with what is left', async () => {
  const steps: SearchStep<number>[] = [];
  await bisectSearch(range(64), monotonic(40), { onStep: (s) => steps.push(s), verifyEnds: true });
  assert.deepEqual(steps.slice(0, 2).map((s) => [s.end, s.index, s.outcome]), [['good', 0, 'good'], ['bad', 63, 'bad']]);
  assert.deepEqual(steps.map((s) => s.step), steps.map((_, i) => i + 1));
  const inner = steps.slice(2);
  assert.equal(inner[0].left, 31); // 62 untested inner candidates, halved by the first test
  assert.equal(inner[inner.length - 1].left, 0);
  assert.equal(inner[inner.length - 1].stepsLeft, 0);
  for (let i = 1; i < inner.length; i++) assert.ok(inner[i].left < inner[i - 1].left);
  assert.equal(estimateSteps(0), 0);
  assert.equal(estimateSteps(1), 1);
  assert.equal(estimateSteps(7), 3);
});

test('bisect search: async tests and a bad outcome value', async () => {
  const r = await bisectSearch(range(9), async (x) => monotonic(3)(x));
  assert.equal(r.kind === 'found' && r.firstBad, 3);
  await assert.rejects(bisectSearch(range(9), () => 'maybe' as Outcome), /not good, bad or skip/);
});
