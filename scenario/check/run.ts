/**
 * Every expectation of a scenario checked at the end of its run, and what the
 * steps ask of a finished run as a whole: did it pass, which faults fired,
 * what input was delivered.
 */

import { formatTime, parseVirtualTime } from '../virtual-time';
import type { Machine } from '../../machine/machine';
import type { Scenario } from '../file/scenario-file';
import type { FiredFault } from '../run/faults';
import type { RunStop, ScenarioResult } from '../run/runner';
import { checkConsole, type ConsoleRecord } from './console';
import { checkDump } from './dump';
import { checkFramebuffer } from './framebuffer';
import { checkEnd } from './end';
import { finalMachine } from './machine-state';
import { checkCores } from './cores';
import type { CoreActivity } from '../run/cores';
import { numberedLines, type ExpectationResult } from './expectation';

/**
 * The scenario's expectations at the end of a run that stopped with `stop` at
 * instruction count `end`; `consoles` holds the main console (s.console) and
 * the console devices that printed.
 */
export function evaluateScenario(s: Scenario, stop: RunStop, end: number, consoles: ReadonlyMap<string, ConsoleRecord>, machine: Machine, cores?: CoreActivity): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const main = consoles.get(s.console)!;
  for (const [device, record] of consoles) {
    if (device !== s.console && !s.expect.consoles.has(device)) continue;
    out.push(...checkConsole(record, device === s.console ? '' : `${device} `, s.clockHz, stop, end));
  }
  // Fault dumps.
  const t = (icount: number) => formatTime(icount, s.clockHz);
  const around = (line: number, before = 4, after = 4) => numberedLines(main.slice(line - before, line + after + 1));
  if (s.expect.panic) out.push(checkDump(s, main.lines, s.expect.panic, 'hypervisor', around, t));
  for (const d of s.expect.domainFaults) out.push(checkDump(s, main.lines, d, 'domain', around, t));
  // The picture on the display.
  if (s.expect.framebuffer) out.push(checkFramebuffer(s, machine));
  // What the cores did.
  if (cores) out.push(...checkCores(s, machine, cores));
  // How the run ended.
  if (s.expect.end !== 'matched') out.push(checkEnd(s, s.expect.end, stop, end, machine, main));
  if (stop.kind !== 'decided') return out;
  // The verdict was decided early: what had not failed for good by then is not decided.
  return out.map((e) => e.ok || e.final ? e : {
    what: e.what, ok: false, undecided: true,
    problem: `not decided: the run ended at ${t(end)}, once another expectation had failed for good`,
  });
}

/** The whole run passed (every expectation of the scenario itself). */
export function scenarioPasses(r: ScenarioResult): ExpectationResult {
  const failed = r.expectations.filter((e) => !e.ok);
  return {
    what: `scenario ${r.scenario.name} passes`, ok: r.verdict === 'pass',
    problem: r.verdict === 'limit' ? `the run hit its limit at ${formatTime(r.icount, r.scenario.clockHz)}` : failed.map((e) => `${e.what}: ${e.problem}`).join('\n'),
    context: failed.flatMap((e) => e.context ?? []),
    causes: failed,
  };
}

/** Faults of a type that fired. */
export function fired(r: ScenarioResult, type?: FiredFault['type']): FiredFault[] {
  return r.faults.filter((f) => type === undefined || f.type === type);
}

/** A fault of this type fired exactly at this time (or instruction count). */
export function faultFiredAt(r: ScenarioResult, type: string, at: string): ExpectationResult {
  const t = parseVirtualTime(at, r.scenario.clockHz);
  if (typeof t === 'string') throw new Error(t);
  const all = r.faults.filter((f) => f.type === type);
  const what = `a ${type} fault fires at ${formatTime(t, r.scenario.clockHz)}`;
  if (all.some((f) => f.icount === t)) return { what, ok: true, icount: t };
  return {
    what, ok: false,
    problem: all.length ? `it fired at ${all.slice(0, 5).map((f) => formatTime(f.icount, r.scenario.clockHz)).join(', ')}` : `no ${type} fault fired (fired: ${r.faults.map((f) => f.type).join(', ') || 'none'})`,
  };
}

/** Every byte of console input the device received, from the machine's input log (what was delivered, not what was scripted), as UTF-8 text. */
export function receivedInput(r: ScenarioResult, device: string): string {
  const m = finalMachine(r);
  return Buffer.concat(m.injected.filter((e) => e.injection.kind === 'console-input' && e.injection.device === device)
    .map((e) => (e.injection as { data: Uint8Array }).data)).toString('utf8');
}
