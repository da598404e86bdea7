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
import * as fs from 'node:fs';
import { createMachine } from './boards';
import type { Scenario, DumpExpectation, Pattern } from './scenario-file';
import { armFaults, type FiredFault } from './faults';
import { ConsoleTyping } from './console-typing';
import { formatTime } from './virtual-time';
import { comparePng, decodePng, encodePng } from './png';

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
  /** A file that shows what happened (e.g. the actual picture of a framebuffer mismatch), to save next to the report. */
  artifact?: Artifact;
}

export interface Artifact { name: string; mediaType: string; data: Buffer }

/** 'interrupted': stopped from outside (Ctrl-C) before it ended; expectations are evaluated as far as it got. */
export type Verdict = 'pass' | 'fail' | 'limit' | 'interrupted';

/** How a run ended: the machine stopped, or the run was interrupted from outside (Ctrl-C). */
export type RunStop = StopReason | { kind: 'interrupted' };

export interface ScenarioResult {
  scenario: Scenario;
  verdict: Verdict;
  stop: RunStop;
  icount: number;
  expectations: ExpectationResult[];
  faults: FiredFault[];
  /** Lines of the main console (the scenario's console device). */
  lines: ConsoleLine[];
  /** Lines of every console device that printed (the main one too; 'semihosting' for semihosting output). */
  consoles: Map<string, ConsoleLine[]>;
  /** Wall time of the run in ms (reported, never asserted). */
  wallMs: number;
  /** The machine as the run left it (final CPU registers, memory, devices), for checks after the run. */
  machine?: Machine;
  /** Path of the recording of this run, when it was recorded (set by the recorder). */
  recording?: string;
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
  /** Told after every slice how far the run is (instruction count and the run's limit). */
  onProgress?: (icount: number, limit: number) => void;
}

/** Creates the machine, boots the scenario's images and arms input and faults, without running. */
export function prepareScenario(s: Scenario): { machine: Machine; faults: FiredFault[]; typing: ConsoleTyping } {
  const machine = createMachine(s.boardName);
  bootKernel(machine, {
    kernel: s.kernel.data, kernelName: s.kernel.file, initrd: s.volume ?? s.initrd?.data, cmdline: s.cmdline,
    dtb: s.dtb?.data, dtbName: s.dtb?.file,
  });
  if (s.semihosting) {
    machine.enableSemihosting({ cmdline: s.cmdline, host: { console: (_stream, bytes) => machine.onConsole('semihosting', bytes) } });
  }
  const faults = armFaults(machine, s.faults);
  const typing = new ConsoleTyping(machine, s, faults);
  return { machine, faults, typing };
}

/**
 * One console device's output split into lines (\r dropped), each stamped with
 * the instruction count of its newline, matched against that device's
 * ordered patterns and never-patterns as it is printed.
 */
class ConsoleTracker {
  readonly lines: ConsoleLine[] = [];
  readonly matches: Array<{ icount: number; line: number } | undefined>;
  readonly neverHits: Array<{ icount: number; line: number } | undefined>;
  next = 0;
  private partial = '';
  constructor(readonly ordered: Array<Pattern & { by?: number }>, readonly never: Pattern[]) {
    this.matches = ordered.map(() => undefined);
    this.neverHits = never.map(() => undefined);
  }
  get done(): boolean { return this.next === this.ordered.length; }
  write(text: string, icount: number): void {
    for (const ch of text) {
      if (ch === '\r') continue;
      if (ch === '\n') { this.line(this.partial, icount); this.partial = ''; } else this.partial += ch;
    }
  }
  flush(icount: number): void {
    if (this.partial) { this.line(this.partial, icount); this.partial = ''; }
  }
  private line(text: string, icount: number): void {
    const index = this.lines.length;
    this.lines.push({ text, icount });
    let from = 0;
    while (this.next < this.ordered.length) {
      const m = this.ordered[this.next].regex.exec(text.slice(from));
      if (!m) break;
      this.matches[this.next] = { icount, line: index };
      from += m.index + Math.max(m[0].length, 1);
      this.next++;
    }
    this.never.forEach((p, i) => { if (!this.neverHits[i] && p.regex.test(text)) this.neverHits[i] = { icount, line: index }; });
  }
}

export function runScenario(s: Scenario, options: RunOptions = {}): ScenarioResult {
  const run = new ScenarioRun(s, options);
  while (run.advance()) { /* to the end */ }
  return run.finish();
}

/**
 * The same, giving the event loop a turn every 50 ms of wall time so that
 * Ctrl-C (an aborted `signal`) is seen: the run then stops where it is and
 * is evaluated as far as it got, with the verdict 'interrupted'.
 */
export async function runScenarioYielding(s: Scenario, options: RunOptions & { signal?: AbortSignal } = {}): Promise<ScenarioResult> {
  const run = new ScenarioRun(s, options);
  let turn = performance.now();
  while (run.advance()) {
    if (performance.now() - turn < 50) continue;
    await new Promise((resolve) => setImmediate(resolve));
    turn = performance.now();
    if (options.signal?.aborted) { run.interrupt(); break; }
  }
  return run.finish();
}

/** One run, advanced a slice (or an observer interval) at a time. */
class ScenarioRun {
  private readonly t0 = performance.now();
  private readonly machine: Machine;
  private readonly faults: FiredFault[];
  private readonly typing: ConsoleTyping;
  private readonly trackers: Map<string, ConsoleTracker>;
  private readonly main: ConsoleTracker;
  private stop: RunStop | undefined;

  constructor(private readonly s: Scenario, private readonly options: RunOptions) {
    ({ machine: this.machine, faults: this.faults, typing: this.typing } = prepareScenario(s));
    const machine = this.machine, cpu = machine.cpu;
    const observer = options.observer;
    observer?.start(machine, s);
    this.main = new ConsoleTracker(s.expect.console, s.expect.never);
    const trackers = this.trackers = new Map<string, ConsoleTracker>([[s.console, this.main]]);
    for (const [device, c] of s.expect.consoles) trackers.set(device, new ConsoleTracker(c.console, c.never));
    const matchedEnd = s.expect.end === 'matched';
    const typing = this.typing;
    machine.onConsole = (device, data) => {
      observer?.console(device, data, cpu.icount);
      const text = Buffer.from(data).toString('latin1');
      typing.output(device, text);
      if (device === s.console) options.onOutput?.(text);
      let t = trackers.get(device);
      if (!t) trackers.set(device, t = new ConsoleTracker([], []));
      t.write(text, cpu.icount);
      if (matchedEnd && t.ordered.length && [...trackers.values()].every((x) => x.done)) cpu.stopRequested = true;
    };
  }

  /** Runs on to the next slice or observer step; false once the run is over. */
  advance(): boolean {
    if (this.stop) return false;
    const { s, machine, options } = this;
    const cpu = machine.cpu, observer = options.observer;
    let until = Math.min(s.limit, cpu.icount + (options.slice ?? 50_000_000));
    if (observer) until = Math.min(until, (Math.floor(cpu.icount / observer.interval) + 1) * observer.interval);
    const stop = machine.runUntil(until);
    if (observer && stop.kind === 'limit' && cpu.icount % observer.interval === 0) observer.step(machine);
    options.onProgress?.(cpu.icount, s.limit);
    if (stop.kind !== 'limit' || cpu.icount >= s.limit) this.stop = stop;
    return !this.stop;
  }

  /** Ends the run here (between two advances). */
  interrupt(): void {
    this.stop ??= { kind: 'interrupted' };
  }

  finish(): ScenarioResult {
    const { s, machine, trackers } = this;
    const cpu = machine.cpu;
    const stop: RunStop = this.stop ?? { kind: 'interrupted' };
    for (const t of trackers.values()) t.flush(cpu.icount);
    const expectations = evaluate(s, stop, cpu.icount, trackers, machine);
    const failed = expectations.some((e) => !e.ok);
    const hitLimit = stop.kind === 'limit' && s.expect.end !== 'limit';
    const verdict: Verdict = stop.kind === 'interrupted' ? 'interrupted' : hitLimit ? 'limit' : failed ? 'fail' : 'pass';
    const consoles = new Map([...trackers].filter(([d, t]) => d === s.console || t.lines.length).map(([d, t]) => [d, t.lines]));
    const result: ScenarioResult = {
      scenario: s, verdict, stop, icount: cpu.icount, expectations, faults: this.faults, lines: this.main.lines, consoles,
      wallMs: performance.now() - this.t0, machine,
    };
    this.options.observer?.end(result, machine);
    return result;
  }
}

function evaluate(s: Scenario, stop: RunStop, end: number, trackers: Map<string, ConsoleTracker>, machine: Machine): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const t = (icount: number) => formatTime(icount, s.clockHz);
  const lines = trackers.get(s.console)!.lines;
  const around = (line: number, before = 4, after = 4) => lines.slice(Math.max(0, line - before), line + after + 1)
    .map((l, k) => `${String(Math.max(0, line - before) + k + 1).padStart(5)} | ${l.text}`);

  for (const [device, tracker] of trackers) {
    if (device !== s.console && !s.expect.consoles.has(device)) continue;
    out.push(...evaluateConsole(tracker, device === s.console ? '' : `${device} `, s, stop, end));
  }

  // Fault dumps.
  if (s.expect.panic) out.push(checkDump(s, lines, s.expect.panic, 'hypervisor', around, t));
  for (const d of s.expect.domainFaults) out.push(checkDump(s, lines, d, 'domain', around, t));

  // The picture on the display.
  if (s.expect.framebuffer) out.push(checkFramebuffer(s, machine));

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

/** Ordered patterns and never-patterns of one console device ('' prefix for the main console, else 'NAME '). */
function evaluateConsole(tr: ConsoleTracker, prefix: string, s: Scenario, stop: RunStop, end: number): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const lines = tr.lines;
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
  tr.ordered.forEach((p, i) => {
    const what = `${prefix}console shows ${p.source}${p.by !== undefined ? ` by ${t(p.by)}` : ''}`;
    const m = tr.matches[i];
    if (!m) {
      const anywhere = lines.findIndex((l) => p.regex.test(l.text));
      let problem: string;
      if (broken !== undefined) {
        problem = `not checked: ${broken} before it was never printed${anywhere >= 0 ? ` (this one appears on line ${anywhere + 1})` : ''}`;
      } else if (anywhere >= 0) {
        problem = `printed only before ${tr.ordered[i - 1].source} (line ${anywhere + 1}), not after it: the order is wrong`;
      } else {
        const after = i > 0 ? `after ${tr.ordered[i - 1].source} (line ${prevLine + 1})` : 'at all';
        problem = `never printed ${after}; the run ended at ${t(end)} with ${describeStop(stop)}`;
      }
      out.push({
        what, ok: false, problem,
        context: broken !== undefined ? undefined : prevLine + 1 >= lines.length ? [`      | (nothing was printed${prevLine >= 0 ? ' after that' : ''})`] : tail(prevLine + 1),
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
  tr.never.forEach((p, i) => {
    const h = tr.neverHits[i];
    const what = `${prefix}console never shows ${p.source}`;
    if (h) out.push({ what, ok: false, icount: h.icount, line: h.line, problem: `printed at ${t(h.icount)} (line ${h.line + 1})`, context: around(h.line) });
    else out.push({ what, ok: true, icount: end });
  });
  return out;
}

/** The display scans out exactly the golden picture (compared pixel by pixel). */
export function checkFramebuffer(s: Scenario, machine: Machine): ExpectationResult {
  const fb = s.expect.framebuffer!;
  const what = `${fb.device} shows the picture ${fb.golden}`;
  const picture = machine.device(fb.device).render?.();
  if (!picture) return { what, ok: false, problem: `${fb.device} is not scanning out a frame buffer at the end of the run` };
  const golden = decodePng(fs.readFileSync(fb.golden));
  const c = comparePng(picture, golden);
  if (c.equal) return { what, ok: true, icount: machine.cpu.icount };
  const d = c.firstDifference!;
  const px = (p: number[] | null) => (p ? `rgba(${p.join(', ')})` : 'nothing');
  const size = picture.width !== golden.width || picture.height !== golden.height
    ? `; the picture is ${picture.width}x${picture.height}, the golden one ${golden.width}x${golden.height}` : '';
  return {
    what, ok: false, icount: machine.cpu.icount,
    problem: `${c.differentPixels} pixel(s) differ${size}; the first at (${d.x}, ${d.y}): ${px(d.actual)} where the golden picture has ${px(d.expected)}`,
    artifact: { name: `${s.name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.${fb.device}.actual.png`, mediaType: 'image/png', data: encodePng(picture) },
  };
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

export function describeStop(stop: RunStop): string {
  switch (stop.kind) {
    case 'interrupted': return 'Ctrl-C (interrupted)';
    case 'idle': return 'a halt (WFI with nothing scheduled)';
    case 'limit': return 'the limit';
    case 'exit': return `exit code ${stop.code}`;
    case 'reset': return `a reset by ${stop.by}`;
    default: return 'a stop (all console expectations met)';
  }
}
