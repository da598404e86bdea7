/**
 * Fault dumps and panics on the console, as the firmware profile says they
 * read (scenario/profiles/): the scenario's expect.panic and
 * expect.domain-faults, and the steps that ask the same of a finished run.
 */

import { formatTime } from '../virtual-time';
import type { Scenario, DumpExpectation } from '../file/scenario-file';
import type { ConsoleLine } from '../run/console-log';
import type { ScenarioResult } from '../run/runner';
import { numberedLines, type ExpectationResult } from './expectation';

/** A fault dump (and panic) in the console lines kept; `around` takes absolute line numbers (ConsoleLine.index). */
export function checkDump(s: Scenario, lines: ConsoleLine[], d: DumpExpectation, who: 'hypervisor' | 'domain',
  around: (line: number, before?: number, after?: number) => string[], t: (n: number) => string): ExpectationResult {
  const dumps = s.profile.dumps;
  const header = who === 'hypervisor' ? dumps.hypervisorFault : dumps.domainFault;
  const parts = [d.kind, d.status && `"${d.status}"`, d.symbol && `in ${d.symbol}`, d.message && `saying ${d.message.source}`].filter(Boolean).join(' ');
  const what = who === 'hypervisor' ? `the hypervisor panics${parts ? ` with ${parts}` : ''}` : `domain ${d.domain ?? '(any)'} faults${parts ? ` with ${parts}` : ''}`;
  const seen: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const h = header?.exec(lines[i].text);
    const p = who === 'hypervisor' && !h ? dumps.panic?.exec(lines[i].text) : undefined;
    if (!h && !p) continue;
    if (h) {
      const kind = (h.groups?.kind ?? '').trim().replace(/\s+/g, '-');
      const domain = h.groups?.domain;
      if (d.domain !== undefined && domain !== d.domain) { seen.push(`line ${lines[i].index + 1}: a dump for domain ${domain}`); continue; }
      if (d.kind !== undefined && kind !== d.kind) { seen.push(`line ${lines[i].index + 1}: a ${kind} dump`); continue; }
      let status: string | undefined, symbol: string | undefined, endLine = i;
      for (let k = i + 1; k < Math.min(lines.length, i + 1 + dumps.lines); k++) {
        const st = dumps.status?.exec(lines[k].text);
        if (st && status === undefined) status = st.groups?.status;
        const pc = dumps.pc?.exec(lines[k].text);
        if (pc && symbol === undefined) { symbol = pc.groups?.symbol ?? `0x${pc.groups?.address}`; endLine = k; }
      }
      if (d.status !== undefined && !(status ?? '').toLowerCase().includes(d.status.toLowerCase())) { seen.push(`line ${lines[i].index + 1}: status "${status ?? '?'}"`); continue; }
      if (d.symbol !== undefined && symbol !== d.symbol) { seen.push(`line ${lines[i].index + 1}: pc in ${symbol ?? '?'}`); continue; }
      if (who === 'hypervisor') {
        // The panic line must follow the dump.
        const pl = lines.findIndex((l, k) => k > i && dumps.panic !== undefined && dumps.panic.test(l.text));
        if (dumps.panic && pl < 0) { seen.push(`line ${lines[i].index + 1}: a fault dump but no panic after it`); continue; }
        if (d.message && pl >= 0 && !d.message.regex.test(lines[pl].text)) { seen.push(`line ${lines[pl].index + 1}: panic message "${lines[pl].text}"`); continue; }
        const at = pl >= 0 ? pl : endLine;
        return { what, ok: true, icount: lines[at].icount, line: lines[at].index };
      }
      return { what, ok: true, icount: lines[endLine].icount, line: lines[endLine].index };
    }
    if (p && d.kind === undefined && d.symbol === undefined && d.status === undefined) {
      if (d.message && !d.message.regex.test(lines[i].text)) { seen.push(`line ${lines[i].index + 1}: panic message "${p.groups?.message}"`); continue; }
      return { what, ok: true, icount: lines[i].icount, line: lines[i].index };
    }
  }
  const last = lines.length - 1;
  return {
    what, ok: false, console: '',
    problem: seen.length ? `no matching dump; seen instead: ${seen.join('; ')}` : `no ${who === 'hypervisor' ? 'hypervisor fault dump or panic' : 'domain fault dump'} was printed (the run ended at ${t(lines[last]?.icount ?? 0)})`,
    context: around(lines[last]?.index ?? 0, 7, 0),
  };
}

/** The same asked of a finished run: the context shown is the main console's kept lines. */
function dumpIn(r: ScenarioResult, d: DumpExpectation, who: 'hypervisor' | 'domain'): ExpectationResult {
  const first = r.lines.length ? r.lines[0].index : 0;
  const around = (line: number, before = 4, after = 4) => numberedLines(r.lines.slice(Math.max(0, line - before - first), Math.max(0, line + after + 1 - first)));
  return checkDump(r.scenario, r.lines, d, who, around, (n) => formatTime(n, r.scenario.clockHz));
}

export function hypervisorPanics(r: ScenarioResult, d: DumpExpectation): ExpectationResult {
  return dumpIn(r, d, 'hypervisor');
}

export function domainFaults(r: ScenarioResult, d: DumpExpectation): ExpectationResult {
  return dumpIn(r, d, 'domain');
}
