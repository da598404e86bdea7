/**
 * Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
 * Failure-Inducing Input", 2002): ddmin reduces a failing configuration to a
 * 1-minimal failing subset — one that still fails while removing any single
 * element of it makes the failure go away.
 *
 * The configuration is split into n parts; if one part alone fails, the search
 * continues in it (n = 2); else if the configuration without one part (its
 * complement) fails, it continues there (n - 1 parts); else the granularity is
 * doubled, up to one element per part. Subsets keep the input order, and every
 * distinct subset is tested at most once.
 *
 * Before splitting, the whole input is tested (it must fail) and the empty
 * subset too (if nothing at all is needed to fail, the answer is empty).
 */

export interface DdminTest<T> {
  /** 1-based number of the test. */
  test: number;
  subset: T[];
  fails: boolean;
  /** What the test was: the whole input, the empty set, a part or a complement. */
  kind: 'all' | 'empty' | 'subset' | 'complement';
}

export interface DdminResult<T> {
  /** A 1-minimal failing subset (in input order); the input itself when it does not fail. */
  minimal: T[];
  /** False when the whole input does not fail (then nothing was reduced). */
  reproduced: boolean;
  /** Number of distinct subsets tested. */
  tests: number;
}

export interface DdminOptions<T> {
  onTest?: (t: DdminTest<T>) => void;
}

export async function ddmin<T>(items: readonly T[], fails: (subset: T[]) => boolean | Promise<boolean>,
  options: DdminOptions<T> = {}): Promise<DdminResult<T>> {
  const all = [...items];
  const cache = new Map<string, boolean>();
  let tests = 0;
  const check = async (indices: number[], kind: DdminTest<T>['kind']): Promise<boolean> => {
    const key = indices.join(',');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const subset = indices.map((i) => all[i]);
    const f = Boolean(await fails(subset));
    cache.set(key, f);
    tests++;
    options.onTest?.({ test: tests, subset, fails: f, kind });
    return f;
  };

  const everything = all.map((_, i) => i);
  if (!(await check(everything, 'all'))) return { minimal: all, reproduced: false, tests };
  if (all.length === 0) return { minimal: [], reproduced: true, tests };
  if (await check([], 'empty')) return { minimal: [], reproduced: true, tests };

  let c = everything;
  let n = 2;
  while (c.length >= 2) {
    const parts = split(c, n);
    let reduced = false;
    for (const part of parts) {
      if (await check(part, 'subset')) { c = part; n = 2; reduced = true; break; }
    }
    if (!reduced && n > 2) {
      for (let i = 0; i < parts.length; i++) {
        const complement = parts.filter((_, k) => k !== i).flat();
        if (await check(complement, 'complement')) { c = complement; n = Math.max(n - 1, 2); reduced = true; break; }
      }
    }
    if (reduced) continue;
    if (n >= c.length) break;
    n = Math.min(2 * n, c.length);
  }
  return { minimal: c.map((i) => all[i]), reproduced: true, tests };
}

/** Splits a list into n contiguous parts whose sizes differ by at most one. */
function split(c: number[], n: number): number[][] {
  const parts: number[][] = [];
  let start = 0;
  for (let k = 0; k < n; k++) {
    const end = start + Math.floor((c.length - start) / (n - k));
    parts.push(c.slice(start, end));
    start = end;
  }
  return parts.filter((p) => p.length > 0);
}
