/**
 * The "did you mean" of validation messages: the known names nearest to a
 * mistyped one (io/nearest.ts ranks them), only those as near as the nearest,
 * so that "uartdd" gets uartd and not uarta too.
 */

import { nearest, editDistance } from '../../io/nearest';

/** The nearest known names (ties only), at most `count`; empty when none is near. */
export function nearestNames(name: string, known: Iterable<string>, count = 3): string[] {
  const near = nearest(name, known, { count });
  if (!near.length) return near;
  const best = editDistance(name, near[0]);
  return near.filter((n) => editDistance(name, n) === best);
}

/** "; did you mean X?" (or "X or Y" for a tie), or '' when no known name is near. */
export function didYouMean(name: string, known: Iterable<string>, count = 3): string {
  const near = nearestNames(name, known, count);
  return near.length ? `; did you mean ${near.length > 1 ? `${near.slice(0, -1).join(', ')} or ${near[near.length - 1]}` : near[0]}?` : '';
}
