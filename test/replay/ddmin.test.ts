/** replay/ddmin.ts: delta debugging to a 1-minimal failing subset, on synthetic predicates. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ddmin, type DdminTest } from '../../replay/ddmin';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every single element removed from `subset` makes `fails` pass. */
function oneMinimal(subset: number[], fails: (s: number[]) => boolean): boolean {
  return subset.every((_, i) => !fails(subset.filter((__, k) => k !== i)));
}

test('ddmin: the failure needs a specific pair', async () => {
  const fails = (s: number[]) => s.includes(3) && s.includes(7);
  const tested: number[][] = [];
  const r = await ddmin(range(10), (s) => { tested.push(s); return fails(s); });
  assert.deepEqual(r.minimal, [3, 7]);
  assert.equal(r.reproduced, true);
  assert.equal(r.tests, tested.length);
  assert.equal(new Set(tested.map((s) => s.join(','))).size, tested.length, 'a subset was tested twice');
  for (const s of tested) assert.deepEqual(s, [...s].sort((a, b) => a - b), 'subsets keep the input order');
});

test('ddmin: a single culprit, at every position', async () => {
  for (const n of [1, 2, 3, 6, 17]) {
    for (let x = 0; x < n; x++) {
      const r = await ddmin(range(n), (s) => s.includes(x));
      assert.deepEqual(r.minimal, [x], `n=${n} x=${x}`);
    }
  }
});

test('ddmin: objects, and pairs spread apart or adjacent', async () => {
  const items = 'abcdefgh'.split('').map((name) => ({ name }));
  for (const [a, b] of [['a', 'h'], ['d', 'e'], ['a', 'b'], ['g', 'h']]) {
    const r = await ddmin(items, (s) => s.some((i) => i.name === a) && s.some((i) => i.name === b));
    assert.deepEqual(r.minimal.map((i) => i.name), [a, b]);
    assert.ok(r.minimal.every((i) => items.includes(i)), 'the same objects come back');
  }
});

test('ddmin: empty input, a passing input, and a failure that needs nothing', async () => {
  const empty = await ddmin([], () => true);
  assert.deepEqual([empty.minimal, empty.reproduced, empty.tests], [[], true, 1]);
  const emptyPass = await ddmin([], () => false);
  assert.deepEqual([emptyPass.reproduced, emptyPass.tests], [false, 1]);
  const passes = await ddmin(range(5), () => false);
  assert.deepEqual([passes.minimal, passes.reproduced, passes.tests], [range(5), false, 1]);
  const always = await ddmin(range(5), () => true);
  assert.deepEqual([always.minimal, always.tests], [[], 2]);
});

test('ddmin: the result is 1-minimal for "at least k of a set" failures (many minimal answers)', async () => {
  // Fails when at least 2 of {1, 4, 5, 9} are present: any pair of them is 1-minimal.
  const set = new Set([1, 4, 5, 9]);
  const fails = (s: number[]) => s.filter((x) => set.has(x)).length >= 2;
  const r = await ddmin(range(12), fails);
  assert.equal(r.minimal.length, 2);
  assert.ok(fails(r.minimal));
  assert.ok(oneMinimal(r.minimal, fails));
});

test('ddmin: pseudo-random monotone predicates always give a 1-minimal failing subset', async () => {
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x80000000; };
  for (let round = 0; round < 40; round++) {
    const n = 1 + Math.floor(rnd() * 20);
    // Fails when the subset contains all of one of a few random "causes".
    const causes = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => range(n).filter(() => rnd() < 0.25));
    const fails = (s: number[]) => causes.some((c) => c.length > 0 && c.every((x) => s.includes(x)));
    const r = await ddmin(range(n), fails);
    if (!fails(range(n))) { assert.equal(r.reproduced, false); continue; }
    assert.ok(fails(r.minimal), `round ${round}: the result does not fail`);
    assert.ok(oneMinimal(r.minimal, fails), `round ${round}: ${r.minimal} is not 1-minimal`);
  }
});

test('ddmin: progress names each test, async predicates work', async () => {
  const log: DdminTest<number>[] = [];
  const r = await ddmin(range(6), async (s) => s.includes(2) && s.includes(5), { onTest: (t) => log.push(t) });
  assert.deepEqual(r.minimal, [2, 5]);
  assert.deepEqual(log.slice(0, 2).map((t) => [t.kind, t.subset.length, t.fails]), [['all', 6, true], ['empty', 0, false]]);
  assert.ok(log.some((t) => t.kind === 'complement' && t.fails));
  assert.deepEqual(log.map((t) => t.test), log.map((_, i) => i + 1));
});
