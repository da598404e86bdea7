/**
 * A console log with the failed expectations marked in it, for the report of
 * a failed scenario: the line that matched a forbidden pattern (or came after
 * a deadline) is flagged, and what failed is written right under it; an
 * expected line that never came is written where the console ended.
 *
 * The text is readable as it is (the Cucumber report and the file under the
 * reports folder show it) and parsed back (parseMarkedLog) by the HTML
 * failure page, which highlights the same lines. Every line starts with a
 * two-character flag:
 *
 *   "# " a note about the log           "  " a console line ("     42 | text")
 *   ">>" a line a failure points at      "!!" what failed, under that line or at the end
 */

import type { ConsoleLine } from '../run/console-log';
import type { ExpectationResult } from './expectation';

/** A failed expectation placed in a log: after absolute line `line`, or at the end when there is none. */
export interface LogMark { line?: number; text: string[] }

export type MarkedLineKind = 'note' | 'line' | 'hit' | 'mark';
export interface MarkedLine { kind: MarkedLineKind; text: string }

const FLAGS: Record<MarkedLineKind, string> = { note: '# ', line: '  ', hit: '>>', mark: '!!' };

/** The failed expectations, each one that sums up others (causes) replaced by them. */
export function failedLeaves(failed: ExpectationResult[]): ExpectationResult[] {
  return failed.flatMap((e) => (e.ok || e.undecided ? [] : e.causes?.length ? failedLeaves(e.causes) : [e]));
}

/** What failed, as the mark says it: "FAILED what: problem" (a problem of several lines gives several). */
function markText(e: ExpectationResult): string[] {
  const [first, ...rest] = (e.problem ?? '').split('\n');
  return [`FAILED ${e.what}${first ? `: ${first}` : ''}`, ...rest.map((r) => `  ${r}`)];
}

/**
 * The marks on each console device's log ('' and the main console's name
 * both mean the main console): only expectations about a console are marked.
 */
export function consoleMarks(failed: ExpectationResult[], mainConsole: string): Map<string, LogMark[]> {
  const out = new Map<string, LogMark[]>();
  for (const e of failedLeaves(failed)) {
    if (e.console === undefined) continue;
    const device = e.console || mainConsole;
    if (!out.has(device)) out.set(device, []);
    out.get(device)!.push({ line: e.line, text: markText(e) });
  }
  return out;
}

/**
 * The log of one console device with its marks. `ended` says how the run
 * ended, for the mark of an expected line that never came (e.g. "the run
 * ended at 6.9 ms").
 */
export function markedLog(device: string, lines: ConsoleLine[], marks: LogMark[], ended: string): MarkedLine[] {
  const out: MarkedLine[] = [];
  const total = lines.length ? lines[lines.length - 1].index + 1 : 0;
  out.push({ kind: 'note', text: `${device}: ${total} line(s) printed; ">>" flags a line a failed expectation points at, "!!" says what failed` });
  if (lines.length && lines[0].index) out.push({ kind: 'note', text: `the first ${lines[0].index} line(s) printed are not kept; the log starts at line ${lines[0].index + 1}` });
  const at = new Map<number, LogMark[]>();
  const atEnd: LogMark[] = [];
  const first = lines.length ? lines[0].index : 0;
  for (const m of marks) {
    // A line no longer kept cannot be flagged: its mark goes to the end, which says the line number.
    if (m.line !== undefined && m.line >= first && m.line < total) {
      if (!at.has(m.line)) at.set(m.line, []);
      at.get(m.line)!.push(m);
    } else atEnd.push(m);
  }
  for (const l of lines) {
    const hits = at.get(l.index);
    out.push({ kind: hits ? 'hit' : 'line', text: `${String(l.index + 1).padStart(5)} | ${l.text}` });
    for (const m of hits ?? []) for (const t of m.text) out.push({ kind: 'mark', text: `      | ${t}` });
  }
  if (atEnd.length) {
    out.push({ kind: 'mark', text: `      | the console ends here${total ? ` (after line ${total})` : ' (nothing was printed)'}: ${ended}` });
    for (const m of atEnd) for (const t of m.text) out.push({ kind: 'mark', text: `      | ${t}` });
  }
  return out;
}

export function formatMarkedLog(lines: MarkedLine[]): string {
  return lines.map((l) => FLAGS[l.kind] + l.text).join('\n') + '\n';
}

/** formatMarkedLog's text read back (a line without a known flag is a console line). */
export function parseMarkedLog(text: string): MarkedLine[] {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (!body) return [];
  return body.split('\n').map((l) => {
    const flag = l.slice(0, 2);
    const kind = (Object.keys(FLAGS) as MarkedLineKind[]).find((k) => FLAGS[k] === flag);
    return kind ? { kind, text: l.slice(2) } : { kind: 'line', text: l };
  });
}
