/**
 * Runs a scenario deterministically and evaluates its expectations.
 *
 * The console is matched line by line as the guest prints it, each line
 * stamped with the instruction count at which its last character was written,
 * so a match reports exactly when it happened, whatever the run's slicing.
 */

import { bootKernel } from '../machine/boot/linux-boot';
import { symbolize } from '../machine/loaders/elf';
import type { Machine, StopReason } from '../machine/machine';
import { createMachine } from './boards';
import type { Scenario, DumpExpectation } from './scenario-file';
import { armFaults, type FiredFault } from './faults';
import { formatTime } from './virtual-time';

export interface ConsoleLine { text: string; icount: number }

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
  /** Console lines around where it was expected. */
  context?: string[];
}

export type Verdict = 'pass' | 'fail' | 'limit';

export interface ScenarioResult {
  scenario: Scenario;
  verdict: Verdict;
  stop: StopReason;
  icount: number;
  expectations: ExpectationResult[];
  faults: FiredFault[];
  lines: ConsoleLine[];
  /** Wall time of the run in ms (reported, never asserted). */
  wallMs: number;
}

/** Watches a run from the side (a recorder): told of the machine, every console byte and the end. */
export interface RunObserver {
  /** Called once the machine is booted and armed, before the first instruction. */
  start(machine: Machine, scenario: Scenario): void;
  /** Console output of any device, when it is written. */
  console(device: string, data: Uint8Array, icount: number): void;
  /** The run loop stops at every multiple of this many instructions and calls step. */
  readonly interval: number;
  step(machine: Machine): void;
  /** Called with the result, also when it failed. */
  end(result: ScenarioResult, machine: Machine): void;
}

export interface RunOptions {
  /** A recorder or any other observer of the run. */
  observer?: RunObserver;
  /** Console output as it is printed (raw text, for a live console). */
  onOutput?: (text: string) => void;
  /** Instructions per slice of the run loop. */
  slice?: number;
}

/** Creates the machine, boots the scenario's images and arms input and faults, without running. */
export function prepareScenario(s: Scenario): { machine: Machine; faults: FiredFault[] } {
  const machine = createMachine(s.boardName);
  bootKernel(machine, { kernel: s.kernel.data, kernelName: s.kernel.file, initrd: s.volume, cmdline: s.cmdline });
  for (const inp of s.inputs) machine.addInput(inp.icount, inp.device, inp.data);
  const faults = armFaults(machine, s.faults);
  return { machine, faults };
}

export function runScenario(s: Scenario, options: RunOptions = {}): ScenarioResult {
  const t0 = performance.now();
  const { machine, faults } = prepareScenario(s);
  const cpu = machine.cpu;
  const observer = options.observer;
  observer?.start(machine, s);
  const lines: ConsoleLine[] = [];
  let partial = '';
  const ordered = s.expect.console;
  const matches: Array<{ icount: number; line: number } | undefined> = ordered.map(() => undefined);
  let next = 0; // index of the next ordered pattern
  const neverHits: Array<{ icount: number; line: number } | undefined> = s.expect.never.map(() => undefined);

  const onLine = (text: string, icount: number) => {
    const index = lines.length;
    lines.push({ text, icount });
    let from = 0;
    while (next < ordered.length) {
      const m = ordered[next].regex.exec(text.slice(from));
      if (!m) break;
      matches[next] = { icount, line: index };
      from += m.index + Math.max(m[0].length, 1);
      next++;
    }
    s.expect.never.forEach((p, i) => { if (!neverHits[i] && p.regex.test(text)) neverHits[i] = { icount, line: index }; });
    if (s.expect.end === 'matched' && next === ordered.length) cpu.stopRequested = true;
  };
  machine.onConsole = (device, data) => {
    observer?.console(device, data, cpu.icount);
    if (device !== s.console) return;
    const text = Buffer.from(data).toString('latin1');
    options.onOutput?.(text);
    for (const ch of text) {
      if (ch === '\r') continue;
      if (ch === '\n') { onLine(partial, cpu.icount); partial = ''; } else partial += ch;
    }
  };

  const slice = options.slice ?? 50_000_000;
  let stop: StopReason;
  for (;;) {
    let until = Math.min(s.limit, cpu.icount + slice);
    if (observer) until = Math.min(until, (Math.floor(cpu.icount / observer.interval) + 1) * observer.interval);
    stop = machine.runUntil(until);
    if (observer && stop.kind === 'limit' && cpu.icount % observer.interval === 0) observer.step(machine);
    if (stop.kind !== 'limit' || cpu.icount >= s.limit) break;
  }
  if (partial) { onLine(partial, cpu.icount); partial = ''; }

  const expectations = evaluate(s, stop, cpu.icount, lines, matches, neverHits, machine);
  const failed = expectations.some((e) => !e.ok);
  const hitLimit = stop.kind === 'limit' && s.expect.end !== 'limit';
  const verdict: Verdict = hitLimit ? 'limit' : failed ? 'fail' : 'pass';
  const result: ScenarioResult = { scenario: s, verdict, stop, icount: cpu.icount, expectations, faults, lines, wallMs: performance.now() - t0 };
  observer?.end(result, machine);
  return result;
}

function evaluate(s: Scenario, stop: StopReason, end: number, lines: ConsoleLine[],
  matches: Array<{ icount: number; line: number } | undefined>, neverHits: Array<{ icount: number; line: number } | undefined>,
  machine: Machine): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const t = (icount: number) => formatTime(icount, s.clockHz);
  const around = (line: number, before = 4, after = 4) => lines.slice(Math.max(0, line - before), line + after + 1)
    .map((l, k) => `${String(Math.max(0, line - before) + k + 1).padStart(5)} | ${l.text}`);
  const tail = (from: number, n = 8) => {
    const start = Math.max(from, lines.length - n);
    const shown = lines.slice(start).map((l, k) => `${String(start + k + 1).padStart(5)} | ${l.text}`);
    return start > from ? [`      | ... ${start - from} line(s) after the previous match not shown`, ...shown] : shown;
  };

  // Ordered console patterns.
  let prevLine = -1;
  let broken: string | undefined; // an earlier ordered pattern that was never printed
  s.expect.console.forEach((p, i) => {
    const what = `console shows ${p.source}${p.by !== undefined ? ` by ${t(p.by)}` : ''}`;
    const m = matches[i];
    if (!m) {
      const anywhere = lines.findIndex((l) => p.regex.test(l.text));
      let problem: string;
      if (broken !== undefined) {
        problem = `not checked: ${broken} before it was never printed${anywhere >= 0 ? ` (this one appears on line ${anywhere + 1})` : ''}`;
      } else if (anywhere >= 0) {
        problem = `printed only before ${s.expect.console[i - 1].source} (line ${anywhere + 1}), not after it: the order is wrong`;
      } else {
        const after = i > 0 ? `after ${s.expect.console[i - 1].source} (line ${prevLine + 1})` : 'at all';
        problem = `never printed ${after}; the run ended at ${t(end)} with ${describeStop(stop)}`;
      }
      out.push({
        what, ok: false, problem,
        context: broken !== undefined ? undefined : prevLine + 1 >= lines.length ? ['      | (nothing was printed after that)'] : tail(prevLine + 1),
      });
      broken ??= p.source;
      return;
    }
    if (p.by !== undefined && m.icount > p.by) {
      const atDeadline = lines.findIndex((l) => l.icount > p.by!);
      out.push({
        what, ok: false, icount: m.icount, line: m.line,
        problem: `printed at ${t(m.icount)} (line ${m.line + 1}), after the deadline ${t(p.by)}; the console up to the deadline:`,
        context: around(atDeadline < 0 ? lines.length - 1 : atDeadline - 1, 6, 0),
      });
    } else out.push({ what, ok: true, icount: m.icount, line: m.line });
    prevLine = m.line;
  });

  // Patterns that must never appear.
  s.expect.never.forEach((p, i) => {
    const h = neverHits[i];
    const what = `console never shows ${p.source}`;
    if (h) out.push({ what, ok: false, icount: h.icount, line: h.line, problem: `printed at ${t(h.icount)} (line ${h.line + 1})`, context: around(h.line) });
    else out.push({ what, ok: true, icount: end });
  });

  // Fault dumps.
  if (s.expect.panic) out.push(checkDump(s, lines, s.expect.panic, 'hypervisor', around, t));
  for (const d of s.expect.domainFaults) out.push(checkDump(s, lines, d, 'domain', around, t));

  // How the run ended.
  const wanted = s.expect.end;
  const endOk = wanted === 'matched' ? true
    : wanted === 'halt' ? stop.kind === 'idle'
      : wanted === 'exit' ? stop.kind === 'exit'
        : wanted === 'reset' ? stop.kind === 'reset' : stop.kind === 'limit';
  if (wanted !== 'matched') {
    const sym = symbolize(s.symbols.get('') ?? [], machine.cpu.pc >>> 0);
    out.push({
      what: `the run ends with ${wanted === 'halt' ? 'a halt (WFI with nothing scheduled)' : wanted === 'limit' ? 'the limit' : `a${wanted === 'exit' ? 'n' : ''} ${wanted}`}`,
      ok: endOk, icount: end,
      problem: endOk ? undefined : `it ended with ${describeStop(stop)} at ${t(end)}, pc 0x${(machine.cpu.pc >>> 0).toString(16)}${sym ? ` (${sym})` : ''}`,
      context: endOk ? undefined : around(lines.length - 1, 7, 0),
    });
  }
  return out;
}

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
      if (d.domain !== undefined && domain !== d.domain) { seen.push(`line ${i + 1}: a dump for domain ${domain}`); continue; }
      if (d.kind !== undefined && kind !== d.kind) { seen.push(`line ${i + 1}: a ${kind} dump`); continue; }
      let status: string | undefined, symbol: string | undefined, endLine = i;
      for (let k = i + 1; k < Math.min(lines.length, i + 1 + dumps.lines); k++) {
        const st = dumps.status?.exec(lines[k].text);
        if (st && status === undefined) status = st.groups?.status;
        const pc = dumps.pc?.exec(lines[k].text);
        if (pc && symbol === undefined) { symbol = pc.groups?.symbol ?? `0x${pc.groups?.address}`; endLine = k; }
      }
      if (d.status !== undefined && !(status ?? '').toLowerCase().includes(d.status.toLowerCase())) { seen.push(`line ${i + 1}: status "${status ?? '?'}"`); continue; }
      if (d.symbol !== undefined && symbol !== d.symbol) { seen.push(`line ${i + 1}: pc in ${symbol ?? '?'}`); continue; }
      if (who === 'hypervisor') {
        // The panic line must follow the dump.
        const pl = lines.findIndex((l, k) => k > i && dumps.panic !== undefined && dumps.panic.test(l.text));
        if (dumps.panic && pl < 0) { seen.push(`line ${i + 1}: a fault dump but no panic after it`); continue; }
        if (d.message && pl >= 0 && !d.message.regex.test(lines[pl].text)) { seen.push(`line ${pl + 1}: panic message "${lines[pl].text}"`); continue; }
        const at = pl >= 0 ? pl : endLine;
        return { what, ok: true, icount: lines[at].icount, line: at };
      }
      return { what, ok: true, icount: lines[endLine].icount, line: endLine };
    }
    if (p && d.kind === undefined && d.symbol === undefined && d.status === undefined) {
      if (d.message && !d.message.regex.test(lines[i].text)) { seen.push(`line ${i + 1}: panic message "${p.groups?.message}"`); continue; }
      return { what, ok: true, icount: lines[i].icount, line: i };
    }
  }
  const last = lines.length - 1;
  return {
    what, ok: false,
    problem: seen.length ? `no matching dump; seen instead: ${seen.join('; ')}` : `no ${who === 'hypervisor' ? 'hypervisor fault dump or panic' : 'domain fault dump'} was printed (the run ended at ${t(lines[last]?.icount ?? 0)})`,
    context: around(last, 7, 0),
  };
}

export function describeStop(stop: StopReason): string {
  switch (stop.kind) {
    case 'idle': return 'a halt (WFI with nothing scheduled)';
    case 'limit': return 'the limit';
    case 'exit': return `exit code ${stop.code}`;
    case 'reset': return `a reset by ${stop.by}`;
    default: return 'a stop (all console expectations met)';
  }
}
