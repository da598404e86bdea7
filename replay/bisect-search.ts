/**
 * Binary search for the first bad candidate in an ordered list (commits,
 * images, builds ...), the way `git bisect` searches history: the first
 * candidate is good, the last is bad, every candidate in between is tested at
 * most once and answers good, bad or skip (cannot be tested). The search keeps
 * the last known good and the first known bad candidate and tests the untested,
 * unskipped candidate nearest the middle between them. When only skipped
 * candidates are left between the two, the answer is ambiguous: the first bad
 * candidate is one of those skipped ones or the known bad one, which is what
 * `git bisect` reports as "the first bad commit could be any of".
 *
 * Nothing here knows what a candidate is; the caller's test function does.
 */

export type Outcome = 'good' | 'bad' | 'skip';

export interface SearchStep<T> {
  /** 1-based number of the test. */
  step: number;
  index: number;
  item: T;
  outcome: Outcome;
  /** Candidates that remain untested between the last good and the first bad after this test. */
  left: number;
  /** Roughly how many more tests the search needs (log2 of what is left). */
  stepsLeft: number;
  /** True for the tests of the two ends (only with verifyEnds). */
  end?: 'good' | 'bad';
}

export type BisectSearchResult<T> =
  /** The first bad candidate, with the last good one right before it in the list. */
  | { kind: 'found'; firstBad: number; lastGood: number; items: T[]; outcomes: Map<number, Outcome>; steps: number }
  /** Skipped candidates hide the boundary: the first bad one is one of `candidates` (the last is the first known bad). */
  | { kind: 'ambiguous'; candidates: number[]; lastGood: number; firstKnownBad: number; items: T[]; outcomes: Map<number, Outcome>; steps: number }
  /** verifyEnds found that an end is not what the search assumes. */
  | { kind: 'ends'; end: 'good' | 'bad'; index: number; outcome: Outcome; items: T[]; outcomes: Map<number, Outcome>; steps: number };

export interface BisectSearchOptions<T> {
  /** Test the first candidate (must be good) and the last (must be bad) before searching. */
  verifyEnds?: boolean;
  /** Called after every test. */
  onStep?: (s: SearchStep<T>) => void;
}

/** Roughly how many tests a binary search over n untested candidates still needs. */
export function estimateSteps(n: number): number {
  return n <= 0 ? 0 : Math.ceil(Math.log2(n + 1));
}

/**
 * Searches items (in order: items[0] good, items[n-1] bad) for the first bad
 * one. `test` is called at most once per candidate; it may be async.
 * Throws RangeError for fewer than two candidates (there must be a good end
 * and a bad end).
 */
export async function bisectSearch<T>(items: readonly T[], test: (item: T, index: number) => Outcome | Promise<Outcome>,
  options: BisectSearchOptions<T> = {}): Promise<BisectSearchResult<T>> {
  const list = [...items];
  if (list.length < 2) throw new RangeError(`bisect needs at least two candidates (a good one and a bad one); got ${list.length}`);
  const outcomes = new Map<number, Outcome>();
  let steps = 0;
  let lo = 0;
  let hi = list.length - 1;

  const untested = () => {
    let n = 0;
    for (let i = lo + 1; i < hi; i++) if (!outcomes.has(i)) n++;
    return n;
  };
  const run = async (index: number, end?: 'good' | 'bad'): Promise<Outcome> => {
    const outcome = await test(list[index], index);
    if (outcome !== 'good' && outcome !== 'bad' && outcome !== 'skip') throw new TypeError(`bisect test returned '${String(outcome)}', not good, bad or skip`);
    outcomes.set(index, outcome);
    steps++;
    if (!end) {
      if (outcome === 'good') lo = index;
      else if (outcome === 'bad') hi = index;
    }
    const left = untested();
    options.onStep?.({ step: steps, index, item: list[index], outcome, left, stepsLeft: estimateSteps(left), end });
    return outcome;
  };

  if (options.verifyEnds) {
    for (const [end, index] of [['good', 0], ['bad', list.length - 1]] as const) {
      const outcome = await run(index, end);
      if (outcome !== end) return { kind: 'ends', end, index, outcome, items: list, outcomes, steps };
    }
  }

  for (;;) {
    const next = pick(lo, hi, outcomes);
    if (next === undefined) break;
    await run(next);
  }

  const skipped: number[] = [];
  for (let i = lo + 1; i < hi; i++) if (outcomes.get(i) === 'skip') skipped.push(i);
  if (!skipped.length) return { kind: 'found', firstBad: hi, lastGood: lo, items: list, outcomes, steps };
  return { kind: 'ambiguous', candidates: [...skipped, hi], lastGood: lo, firstKnownBad: hi, items: list, outcomes, steps };
}

/** The untested candidate strictly between lo and hi nearest their middle (the lower one on a tie), if any. */
function pick(lo: number, hi: number, outcomes: Map<number, Outcome>): number | undefined {
  const mid = Math.floor((lo + hi) / 2);
  for (let d = 0; mid - d > lo || mid + d + 1 < hi; d++) {
    if (mid - d > lo && !outcomes.has(mid - d)) return mid - d;
    if (mid + d + 1 < hi && !outcomes.has(mid + d + 1)) return mid + d + 1;
  }
  return undefined;
}
