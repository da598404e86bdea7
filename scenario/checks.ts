/**
 * Checks on a finished run (what Cucumber's Then steps ask): each returns an
 * ExpectationResult like the runner's own, and assertMet turns a failed one
 * into an error whose message is the readable report with console context.
 */

import type { ScenarioResult, ExpectationResult, ConsoleLine } from './runner';
import { checkDump, describeStop } from './runner';
import { compilePattern, type Pattern, type DumpExpectation } from './scenario-file';
import { parseVirtualTime, formatTime } from './virtual-time';
import type { FiredFault } from './faults';

export class ExpectationFailed extends Error {}

function pattern(text: string): Pattern {
  const p = compilePattern(text);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

function numbered(lines: ConsoleLine[], from: number, to: number): string[] {
  return lines.slice(Math.max(0, from), Math.max(0, to)).map((l, k) => `${String(Math.max(0, from) + k + 1).padStart(5)} | ${l.text}`);
}

/** The console showed the pattern (on one line), optionally by a deadline ('10ms', '5M insns'). */
export function consoleShows(r: ScenarioResult, text: string, by?: string): ExpectationResult {
  const p = pattern(text);
  const clock = r.scenario.clockHz;
  const t = (n: number) => formatTime(n, clock);
  let deadline: number | undefined;
  if (by !== undefined) {
    const d = parseVirtualTime(by, clock);
    if (typeof d === 'string') throw new Error(d);
    deadline = d;
  }
  const what = `console shows ${p.source}${deadline !== undefined ? ` by ${t(deadline)}` : ''}`;
  const i = r.lines.findIndex((l) => p.regex.test(l.text));
  if (i < 0) {
    return { what, ok: false, problem: `never printed; the run ended at ${t(r.icount)} with ${describeStop(r.stop)}; the last lines:`, context: numbered(r.lines, r.lines.length - 10, r.lines.length) };
  }
  const hit = r.lines[i];
  if (deadline !== undefined && hit.icount > deadline) {
    const at = r.lines.findIndex((l) => l.icount > deadline!);
    return { what, ok: false, icount: hit.icount, line: i, problem: `printed at ${t(hit.icount)} (line ${i + 1}), after the deadline; the console up to the deadline:`, context: numbered(r.lines, at - 8, at) };
  }
  return { what, ok: true, icount: hit.icount, line: i };
}

export function consoleNeverShows(r: ScenarioResult, text: string): ExpectationResult {
  const p = pattern(text);
  const i = r.lines.findIndex((l) => p.regex.test(l.text));
  const what = `console never shows ${p.source}`;
  if (i < 0) return { what, ok: true, icount: r.icount };
  return { what, ok: false, icount: r.lines[i].icount, line: i, problem: `printed at ${formatTime(r.lines[i].icount, r.scenario.clockHz)} (line ${i + 1})`, context: numbered(r.lines, i - 4, i + 5) };
}

/** Count of lines matching the pattern. */
export function consoleCount(r: ScenarioResult, text: string): number {
  const p = pattern(text);
  return r.lines.filter((l) => p.regex.test(l.text)).length;
}

export function endsWith(r: ScenarioResult, kind: 'idle' | 'limit' | 'exit' | 'reset'): ExpectationResult {
  const ok = r.stop.kind === kind;
  return {
    what: `the run ends with ${describeStop({ kind } as ScenarioResult['stop'])}`, ok, icount: r.icount,
    problem: ok ? undefined : `it ended with ${describeStop(r.stop)} at ${formatTime(r.icount, r.scenario.clockHz)}`,
    context: ok ? undefined : numbered(r.lines, r.lines.length - 8, r.lines.length),
  };
}

export function hypervisorPanics(r: ScenarioResult, d: DumpExpectation): ExpectationResult {
  return dump(r, d, 'hypervisor');
}

export function domainFaults(r: ScenarioResult, d: DumpExpectation): ExpectationResult {
  return dump(r, d, 'domain');
}

function dump(r: ScenarioResult, d: DumpExpectation, who: 'hypervisor' | 'domain'): ExpectationResult {
  const around = (line: number, before = 4, after = 4) => numbered(r.lines, line - before, line + after + 1);
  return checkDump(r.scenario, r.lines, d, who, around, (n) => formatTime(n, r.scenario.clockHz));
}

/** Faults of a type that fired. */
export function fired(r: ScenarioResult, type?: FiredFault['type']): FiredFault[] {
  return r.faults.filter((f) => type === undefined || f.type === type);
}

/** The whole run passed (every expectation of the scenario itself). */
export function scenarioPasses(r: ScenarioResult): ExpectationResult {
  const failed = r.expectations.filter((e) => !e.ok);
  return {
    what: `scenario ${r.scenario.name} passes`, ok: r.verdict === 'pass',
    problem: r.verdict === 'limit' ? `the run hit its limit at ${formatTime(r.icount, r.scenario.clockHz)}` : failed.map((e) => `${e.what}: ${e.problem}`).join('\n'),
    context: failed.flatMap((e) => e.context ?? []),
  };
}

/** Throws ExpectationFailed with a readable report if the expectation was not met. */
export function assertMet(e: ExpectationResult): void {
  if (e.ok) return;
  throw new ExpectationFailed([`expected: ${e.what}`, ...(e.problem ? [`  ${e.problem}`] : []), ...(e.context ?? []).map((c) => `  ${c}`)].join('\n'));
}
