/**
 * Console expectations: patterns printed in order (each optionally by a
 * deadline) and patterns never printed, on the main console or another
 * console device. One check for the runner (which matches while the guest
 * prints) and for the Cucumber steps (which match the lines a finished run
 * kept), so both word a failure the same way.
 */

import { compilePattern, type Pattern } from '../file/scenario-file';
import { parseVirtualTime, formatTime } from '../virtual-time';
import { describeStopReason } from '../../machine/stop-reason';
import { hasCapability } from '../../machine/devices/device';
import { DEVICE_TYPES } from '../../machine/devices/registry';
import type { ConsoleLine, Match } from '../run/console-log';
import type { RunStop, ScenarioResult } from '../run/runner';
import { numberedLines, type ExpectationResult } from './expectation';

/** One console device's output and its patterns' matches (scenario/run/console-log.ts's ConsoleTracker is one). */
export interface ConsoleRecord {
  readonly ordered: ReadonlyArray<Pattern & { by?: number }>;
  readonly never: readonly Pattern[];
  /** Where each ordered pattern matched, each after the previous one's match. */
  readonly matches: ReadonlyArray<Match | undefined>;
  /** Where each never-pattern was first printed. */
  readonly neverHits: ReadonlyArray<Match | undefined>;
  /** The lines kept (the last ones printed; lines[0].index earlier ones are not). */
  readonly lines: ConsoleLine[];
  /** Lines printed in all. */
  readonly count: number;
  /** The kept lines from absolute line `from` (inclusive) to `to` (exclusive). */
  slice(from: number, to: number): ConsoleLine[];
  /** The patterns were matched against the kept lines only (after the run), not as every line was printed. */
  readonly keptOnly?: boolean;
}

/** Patterns matched against the lines a run kept, the way the runner matches them as they are printed. */
export function linesRecord(lines: ConsoleLine[], ordered: Array<Pattern & { by?: number }>, never: Pattern[]): ConsoleRecord {
  const matches: Array<Match | undefined> = ordered.map(() => undefined);
  const neverHits: Array<Match | undefined> = never.map(() => undefined);
  let next = 0;
  for (const l of lines) {
    // Several ordered patterns may match one line, each after the previous match.
    for (let from = 0; next < ordered.length; next++) {
      const m = ordered[next].regex.exec(from ? l.text.slice(from) : l.text);
      if (!m) break;
      matches[next] = { icount: l.icount, line: l.index };
      from += m.index + Math.max(m[0].length, 1);
    }
    never.forEach((p, i) => { if (!neverHits[i] && p.regex.test(l.text)) neverHits[i] = { icount: l.icount, line: l.index }; });
  }
  const first = lines.length ? lines[0].index : 0;
  return {
    ordered, never, matches, neverHits, lines, keptOnly: true,
    count: lines.length ? lines[lines.length - 1].index + 1 : 0,
    slice: (from, to) => lines.slice(Math.max(0, from - first), Math.max(0, to - first)),
  };
}

/** The results of a console's ordered patterns and never-patterns ('' prefix for the main console, else 'NAME '). */
export function checkConsole(tr: ConsoleRecord, prefix: string, clockHz: number, stop: RunStop, end: number): ExpectationResult[] {
  const t = (icount: number) => formatTime(icount, clockHz);
  const around = (line: number, before = 4, after = 4) => numberedLines(tr.slice(line - before, line + after + 1));
  const out = checkOrdered(tr, prefix, t, stop, end);
  tr.never.forEach((p, i) => {
    const h = tr.neverHits[i];
    const what = `${prefix}console never shows ${p.source}`;
    if (h) out.push({ what, ok: false, final: true, icount: h.icount, line: h.line, problem: `printed at ${t(h.icount)} (line ${h.line + 1})`, context: around(h.line) });
    else out.push({ what, ok: true, icount: end });
  });
  // The prefix names the device ('' the main console): a report marks the failure in that device's log.
  const device = prefix.trim();
  return out.map((e) => ({ ...e, console: device }));
}

function checkOrdered(tr: ConsoleRecord, prefix: string, t: (icount: number) => string, stop: RunStop, end: number): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const lines = tr.lines;
  const around = (line: number, before = 4, after = 4) => numberedLines(tr.slice(line - before, line + after + 1));
  const notKept = lines.length && lines[0].index ? [`      | (the first ${lines[0].index} line(s) printed are not kept)`] : [];
  const tail = (from: number, n = 8) => {
    const start = Math.max(from, tr.count - n);
    const shown = numberedLines(tr.slice(start, tr.count));
    return start > from ? [`      | ... ${start - from} line(s) after the previous match not shown`, ...shown] : shown;
  };
  let prevLine = -1;
  let broken: string | undefined; // an earlier ordered pattern that was never printed
  tr.ordered.forEach((p, i) => {
    const what = `${prefix}console shows ${p.source}${p.by !== undefined ? ` by ${t(p.by)}` : ''}`;
    const m = tr.matches[i];
    if (!m) {
      const anywhere = lines.find((l) => p.regex.test(l.text));
      const missed = p.by !== undefined && end > p.by;
      let problem: string;
      if (broken !== undefined) {
        problem = `not checked: ${broken} before it was never printed${anywhere ? ` (this one appears on line ${anywhere.index + 1})` : ''}`;
      } else if (anywhere) {
        problem = `printed only before ${tr.ordered[i - 1].source} (line ${anywhere.index + 1}), not after it: the order is wrong`;
      } else if (missed) {
        problem = `not printed by the deadline ${t(p.by!)}${i > 0 ? ` after ${tr.ordered[i - 1].source} (line ${prevLine + 1})` : ''}; the last lines before it:`;
      } else {
        // Matched after the run, a pattern may have been printed in a line no longer kept.
        const unkept = tr.keptOnly && lines.length && lines[0].index ? ` (only the last ${lines.length} of ${tr.count} lines printed are kept)` : '';
        const after = i > 0 ? ` after ${tr.ordered[i - 1].source} (line ${prevLine + 1})` : unkept ? '' : ' at all';
        problem = `never printed${after}${unkept}; the run ended at ${t(end)} with ${describeStopReason(stop)}`;
      }
      out.push({
        what, ok: false, problem, final: missed && broken === undefined,
        context: broken !== undefined ? undefined : prevLine + 1 >= tr.count ? [`      | (nothing was printed${prevLine >= 0 ? ' after that' : ''})`] : [...(prevLine + 1 < (lines[0]?.index ?? 0) ? notKept : []), ...tail(prevLine + 1)],
      });
      broken ??= p.source;
      return;
    }
    if (p.by !== undefined && m.icount > p.by) {
      const atDeadline = lines.find((l) => l.icount > p.by!);
      out.push({
        what, ok: false, icount: m.icount, line: m.line, final: true,
        problem: `printed at ${t(m.icount)} (line ${m.line + 1}), after the deadline ${t(p.by)}; the console up to the deadline:`,
        context: around(atDeadline === undefined ? tr.count - 1 : atDeadline.index - 1, 6, 0),
      });
    } else out.push({ what, ok: true, icount: m.icount, line: m.line });
    prevLine = m.line;
  });
  return out;
}

// ---- the same asked of a finished run (Cucumber steps) ----------------------

/** A pattern written in a step; a bad one is an error in the step, not a failed expectation. */
export function stepPattern(text: string): Pattern {
  const p = compilePattern(text);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

/** Lines of a console device ('' or undefined: the main console). */
export function deviceLines(r: ScenarioResult, device?: string): ConsoleLine[] {
  if (!device || device === r.scenario.console) return r.lines;
  if (device === 'semihosting') return r.consoles.get(device) ?? [];
  const { board } = r.scenario;
  const spec = board.devices.find((d) => d.name === device);
  if (!spec) throw new Error(`board ${board.name} has no device '${device}' (it has ${board.devices.map((d) => d.name).join(', ')})`);
  // A device that prints nothing would make "never shows" pass whatever the guest did.
  if (!hasCapability(DEVICE_TYPES.get(spec.type), 'console')) {
    const uarts = board.devices.filter((d) => hasCapability(DEVICE_TYPES.get(d.type), 'console')).map((d) => d.name);
    throw new Error(`device '${device}' of board ${board.name} is not a UART; it prints nothing (UARTs: ${uarts.join(', ') || 'none'})`);
  }
  return r.consoles.get(device) ?? [];
}

const prefixOf = (r: ScenarioResult, device?: string) => (device && device !== r.scenario.console ? `${device} ` : '');

/** The console (or another console device) showed the pattern (on one line), optionally by a deadline ('10ms', '5M insns'). */
export function consoleShows(r: ScenarioResult, text: string, by?: string, device?: string): ExpectationResult {
  const lines = deviceLines(r, device);
  const p: Pattern & { by?: number } = stepPattern(text);
  if (by !== undefined) {
    const d = parseVirtualTime(by, r.scenario.clockHz);
    if (typeof d === 'string') throw new Error(d);
    p.by = d;
  }
  return checkConsole(linesRecord(lines, [p], []), prefixOf(r, device), r.scenario.clockHz, r.stop, r.icount)[0];
}

export function consoleNeverShows(r: ScenarioResult, text: string, device?: string): ExpectationResult {
  const lines = deviceLines(r, device);
  return checkConsole(linesRecord(lines, [], [stepPattern(text)]), prefixOf(r, device), r.scenario.clockHz, r.stop, r.icount)[0];
}

/** Count of lines matching the pattern. */
export function consoleCount(r: ScenarioResult, text: string): number {
  const p = stepPattern(text);
  return r.lines.filter((l) => p.regex.test(l.text)).length;
}

/**
 * A domain's state as its hypervisor reports it on the console: the last line
 * "domN NAME: ..." (the reference hypervisor's convention) contains the text.
 */
export function domainReports(r: ScenarioResult, domain: string, text: string): ExpectationResult {
  const esc = domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^dom\\d+ ${esc}: (.*)$`);
  const said = r.lines.map((l, i) => ({ m: re.exec(l.text), i })).filter((x) => x.m);
  const what = `domain ${domain} reports "${text}"`;
  const hit = said.find((x) => x.m![1].includes(text));
  if (hit) return { what, ok: true, icount: r.lines[hit.i].icount, line: r.lines[hit.i].index };
  return {
    what, ok: false, console: '',
    problem: said.length ? `it only reported: ${said.slice(-5).map((x) => `"${x.m![1]}" (line ${r.lines[x.i].index + 1})`).join('; ')}` : `no console line "domN ${domain}: ..." was printed`,
    context: numberedLines(r.lines.slice(-8)),
  };
}
