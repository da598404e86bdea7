/**
 * "Did you mean": the known names closest to a mistyped one, by edit
 * distance (insertions, deletions and substitutions of one character each).
 * Used for options, YAML keys, symbols and Gherkin steps alike, so that every
 * suggestion the tool makes is ranked the same way.
 */

/** The number of single-character edits that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

export interface NearestOptions {
  /** At most this many names (default 1). */
  count?: number;
  /** Only names at most this many edits away (default: a third of the longer name, at least 2). */
  maxDistance?: number;
}

/** The known names closest to `name`, nearest first (ties in the order given); empty when none is near. */
export function nearest(name: string, known: Iterable<string>, opts: NearestOptions = {}): string[] {
  const count = opts.count ?? 1;
  const scored: { k: string; d: number; i: number }[] = [];
  let i = 0;
  for (const k of known) {
    const limit = opts.maxDistance ?? Math.max(2, Math.floor(Math.max(name.length, k.length) / 3));
    const d = editDistance(name, k);
    if (d <= limit && k !== name) scored.push({ k, d, i });
    i++;
  }
  scored.sort((x, y) => x.d - y.d || x.i - y.i);
  return [...new Set(scored.map((s) => s.k))].slice(0, count);
}
