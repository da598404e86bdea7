/** The result of checking one expectation, as every report (run, steps, bisect) shows it. */

import type { ConsoleLine } from '../run/console-log';

export interface ExpectationResult {
  /** What was expected, e.g. 'console shows "ping 10/10" by 5 ms'. */
  what: string;
  ok: boolean;
  /** Where it was met (or, for a failure, where it went wrong). */
  icount?: number;
  /** The matching console line, if any. */
  line?: number;
  /** Why it failed, worded for a person. */
  problem?: string;
  /**
   * Not decided: the run ended early, once another expectation had failed for
   * good, before this one could be met or missed (ok is false; it is not
   * counted as a failure of its own).
   */
  undecided?: boolean;
  /** A failure nothing later in the run could undo (a missed deadline, a never-pattern printed). */
  final?: boolean;
  /** Console lines around where it was expected. */
  context?: string[];
  /** A file that shows what happened (e.g. the actual picture of a framebuffer mismatch), to save next to the report. */
  artifact?: Artifact;
  /**
   * The console device whose output it is about ('' for the scenario's main
   * console), so that a failure report can mark it in that console's log:
   * at `line`, or where the console ended when there is no line.
   */
  console?: string;
  /** The failed expectations this one sums up (e.g. "the scenario passes"), each marked on its own. */
  causes?: ExpectationResult[];
}

export interface Artifact { name: string; mediaType: string; data: Buffer }

/** What a failed expectation throws in a Cucumber step; it carries the result, for the failure report. */
export class ExpectationFailed extends Error {
  constructor(message: string, readonly expectation?: ExpectationResult) {
    super(message);
  }
}

/** Throws ExpectationFailed with a readable report if the expectation was not met. */
export function assertMet(e: ExpectationResult): void {
  if (e.ok) return;
  throw new ExpectationFailed([`expected: ${e.what}`, ...(e.problem ? [`  ${e.problem}`] : []), ...(e.context ?? []).map((c) => `  ${c}`)].join('\n'), e);
}

/** Lines as a report shows them: "   42 | text" (numbered from 1 in everything the device printed). */
export function numberedLines(lines: ConsoleLine[]): string[] {
  return lines.map((l) => `${String(l.index + 1).padStart(5)} | ${l.text}`);
}
