/**
 * Fault-schedule minimisation: given a scenario that fails with many faults,
 * delta debugging (replay/ddmin.ts) finds a 1-minimal subset of its faults
 * with which it still fails — leaving out any one of them makes it pass — and
 * the scenario is written out again with only those faults (the rest of the
 * file, comments included, as it was).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument, isSeq, isScalar, type Document } from 'yaml';
import { ddmin } from '../../replay/ddmin';
import { runScenario, type ScenarioResult, type Verdict } from '../run/runner';
import type { Scenario } from '../file/scenario-file';

export interface MinimizeTest {
  test: number;
  /** Indices (in the scenario's faults list) of the faults this run had. */
  kept: number[];
  /** Faults in the original scenario. */
  of: number;
  verdict: Verdict;
  /** Whether this run counts as still failing. */
  fails: boolean;
}

export interface MinimizeOptions {
  /** Count a run as failing only if it fails the same way: the same verdict and the same failed expectations. */
  same?: boolean;
  onTest?: (t: MinimizeTest) => void;
}

export interface MinimizeResult {
  /** The run with every fault. */
  full: ScenarioResult;
  /** False when the scenario does not fail with every fault (nothing to minimize). */
  reproduced: boolean;
  /** Indices of the faults kept, in file order. */
  kept: number[];
  /** The run with only the kept faults. */
  minimal: ScenarioResult;
  tests: number;
}

const failedExpectations = (r: ScenarioResult) => r.expectations.filter((e) => !e.ok).map((e) => e.what).sort().join('\n');

/** Runs the scenario with every fault, then ddmin over its faults. */
export async function minimizeFaults(scenario: Scenario, o: MinimizeOptions = {}): Promise<MinimizeResult> {
  const runs = new Map<string, ScenarioResult>();
  const run = (kept: number[]) => {
    const key = kept.join(',');
    let r = runs.get(key);
    if (!r) {
      r = runScenario({ ...scenario, faults: kept.map((i) => scenario.faults[i]) });
      runs.set(key, r);
    }
    return r;
  };
  const all = scenario.faults.map((_, i) => i);
  const full = run(all);
  const stillFails = (r: ScenarioResult) => r.verdict !== 'pass'
    && (!o.same || (r.verdict === full.verdict && failedExpectations(r) === failedExpectations(full)));
  let n = 0;
  const d = await ddmin(all, (kept) => {
    const r = run(kept);
    const fails = stillFails(r);
    o.onTest?.({ test: ++n, kept, of: all.length, verdict: r.verdict, fails });
    return fails;
  });
  return { full, reproduced: d.reproduced, kept: d.minimal, minimal: run(d.minimal), tests: d.tests };
}

/** Fields of a scenario that hold paths relative to the file. */
const PATH_FIELDS: Array<Array<string | number>> = [['board'], ['profile'], ['boot', 'kernel'], ['boot', 'volume'], ['expect', 'framebuffer', 'golden']];
const isPathLike = (field: string, v: string) => (field === 'board' || field === 'profile' ? /[/\\]|\.ya?ml$/.test(v) : true);

/**
 * The scenario file's text with only the faults at `kept` (indices in its
 * faults list), comments kept. Relative paths are rewritten for the output's
 * directory; `note` becomes a comment at the top.
 */
export function minimizedScenarioText(scenarioFile: string, kept: number[], outFile: string, note?: string): string {
  const text = fs.readFileSync(scenarioFile, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`${scenarioFile}: ${doc.errors[0].message}`);
  const faults = doc.get('faults', true);
  const keep = new Set(kept);
  if (isSeq(faults)) {
    // A comment right before the first fault is stored on the list; it goes with that fault.
    if (!keep.has(0)) faults.commentBefore = undefined;
    faults.items = faults.items.filter((_, i) => keep.has(i));
  }
  else if (kept.length) throw new Error(`${scenarioFile} has no faults list`);
  rebasePaths(doc, path.dirname(path.resolve(scenarioFile)), path.dirname(path.resolve(outFile)));
  if (note) doc.commentBefore = doc.commentBefore ? `${doc.commentBefore}\n\n${note}` : note;
  return doc.toString();
}

function rebasePaths(doc: Document, from: string, to: string): void {
  if (from === to) return;
  const rebase = (p: string) => {
    if (path.isAbsolute(p)) return p;
    const r = path.relative(to, path.resolve(from, p));
    return r === '' ? '.' : r.split(path.sep).join('/');
  };
  const set = (at: Array<string | number>) => {
    const node = doc.getIn(at, true);
    if (isScalar(node) && typeof node.value === 'string' && isPathLike(String(at[0]), node.value)) node.value = rebase(node.value);
  };
  for (const at of PATH_FIELDS) set(at);
  const images = doc.getIn(['boot', 'volume', 'images'], true);
  if (isSeq(images)) images.items.forEach((_, i) => set(['boot', 'volume', 'images', i, 'file']));
}
