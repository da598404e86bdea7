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
import type { Scenario, DumpExpectation } from './scenario-file';
import { armFaults, type FiredFault } from './faults';
import { ConsoleTyping } from './console-typing';
import { ConsoleTracker, type ConsoleLine } from './console-log';
import { formatTime } from './virtual-time';
import { describeStopReason } from '../machine/stop-reason';
import { comparePng, decodePng, encodePng } from './png';

export type { ConsoleLine } from './console-log';

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
}

export interface Artifact { name: string; mediaType: string; data: Buffer }

/** 'interrupted': stopped from outside (Ctrl-C) before it ended; expectations are evaluated as far as it got. */
export type Verdict = 'pass' | 'fail' | 'limit' | 'interrupted';

/**
 * How a run ended: the machine stopped, the run was interrupted from outside
 * (Ctrl-C), or the verdict was decided early: an expectation failed in a way
 * nothing later can undo (a missed deadline, a never-pattern printed).
 */
export type RunStop = StopReason | { kind: 'interrupted' } | { kind: 'decided'; why: string };

export interface ScenarioResult {
  scenario: Scenario;
  verdict: Verdict;
  stop: RunStop;
  icount: number;
  expectations: ExpectationResult[];
  faults: FiredFault[];
  /**
   * Lines of the main console (the scenario's console device): the last ones
   * printed (scenario/console-log.ts bounds them); lines[0].index is how many
   * earlier lines are not kept.
   */
  lines: ConsoleLine[];
  /** Lines of every console device that printed (the main one too; 'semihosting' for semihosting output), kept the same way. */
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
  /** Console lines kept per device (default CONSOLE_TAIL_LINES, scenario/console-log.ts). */
  consoleTailLines?: number;
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
    machine.enableSemihosting({ cmdline: s.cmdline, host: { console: (_stream, bytes) => machine.emitConsole('semihosting', bytes) } });
  }
  const faults = armFaults(machine, s.faults);
  const typing = new ConsoleTyping(machine, s, faults);
  return { machine, faults, typing };
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
  /** The first failure nothing can undo: the verdict is decided and the run ends there. */
  private decided: string | undefined;

  constructor(private readonly s: Scenario, private readonly options: RunOptions) {
    ({ machine: this.machine, faults: this.faults, typing: this.typing } = prepareScenario(s));
    const machine = this.machine, cpu = machine.cpu;
    const observer = options.observer;
    observer?.start(machine, s);
    const failed = (prefix: string) => (what: string) => {
      if (this.decided !== undefined) return;
      this.decided = `${prefix}${what}`;
      cpu.stopRequested = true;
    };
    this.main = new ConsoleTracker(s.expect.console, s.expect.never, options.consoleTailLines);
    this.main.onFailure = failed('');
    const trackers = this.trackers = new Map<string, ConsoleTracker>([[s.console, this.main]]);
    for (const [device, c] of s.expect.consoles) {
      const t = new ConsoleTracker(c.console, c.never, options.consoleTailLines);
      t.onFailure = failed(`on ${device}: `);
      trackers.set(device, t);
    }
    const matchedEnd = s.expect.end === 'matched';
    const typing = this.typing;
    machine.probes.console.subscribe((device, data) => {
      observer?.console(device, data, cpu.icount);
      let t = trackers.get(device);
      if (!t) trackers.set(device, t = new ConsoleTracker([], [], options.consoleTailLines));
      const text = t.writeBytes(data, cpu.icount);
      if (!text) return;
      typing.output(device, text);
      if (device === s.console) options.onOutput?.(text);
      if (matchedEnd && t.ordered.length && [...trackers.values()].every((x) => x.done)) cpu.stopRequested = true;
    });
  }

  /** The earliest deadline of a console pattern not printed yet, or Infinity. */
  private pendingDeadline(): number {
    let d = Infinity;
    for (const t of this.trackers.values()) d = Math.min(d, t.pendingDeadline());
    return d;
  }

  /** Runs on to the next slice or observer step; false once the run is over. */
  advance(): boolean {
    if (this.stop) return false;
    const { s, machine, options } = this;
    const cpu = machine.cpu, observer = options.observer;
    let until = Math.min(s.limit, cpu.icount + (options.slice ?? 50_000_000));
    if (observer) until = Math.min(until, (Math.floor(cpu.icount / observer.interval) + 1) * observer.interval);
    // A deadline is missed once the run is past it (output stamped at the deadline itself is in time).
    const deadline = this.pendingDeadline();
    if (deadline < until) until = Math.max(cpu.icount + 1, deadline + 1);
    const stop = machine.runUntil(until);
    if (this.decided === undefined && cpu.icount > this.pendingDeadline()) this.decided = this.missedDeadline();
    if (observer && stop.kind === 'limit' && cpu.icount % observer.interval === 0) observer.step(machine);
    options.onProgress?.(cpu.icount, s.limit);
    if (this.decided !== undefined && (stop.kind === 'limit' || stop.kind === 'stopped')) this.stop = { kind: 'decided', why: this.decided };
    else if (stop.kind !== 'limit' || cpu.icount >= s.limit) this.stop = stop;
    return !this.stop;
  }

  private missedDeadline(): string {
    for (const [device, t] of this.trackers) {
      const p = t.ordered.slice(t.next).find((x) => x.by !== undefined && x.by < this.machine.cpu.icount);
      if (p) return `${device === this.s.console ? '' : `on ${device}: `}${p.source} was not printed by its deadline ${formatTime(p.by!, this.s.clockHz)}`;
    }
    return 'a deadline was missed';
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
    const consoles = new Map([...trackers].filter(([d, t]) => d === s.console || t.count).map(([d, t]) => [d, t.lines]));
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
  const main = trackers.get(s.console)!;
  const lines = main.lines;
  const around = (line: number, before = 4, after = 4) => numberedLines(main.slice(line - before, line + after + 1));

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
    const expected = wanted === 'halt' ? describeStopReason({ kind: 'idle' }) : wanted === 'limit' ? describeStopReason({ kind: 'limit' }) : `a${wanted === 'exit' ? 'n' : ''} ${wanted}`;
    out.push({
      what: `the run ends with ${expected}`,
      ok: endOk, icount: end,
      problem: endOk ? undefined : `it ended with ${describeStop(stop)} at ${t(end)}, pc 0x${(machine.cpu.pc >>> 0).toString(16)}${sym ? ` (${sym})` : ''}`,
      context: endOk ? undefined : around(main.count - 1, 7, 0),
    });
  }
  if (stop.kind !== 'decided') return out;
  // The verdict was decided early: what had not failed for good by then is not decided.
  return out.map((e) => e.ok || e.final ? e : {
    what: e.what, ok: false, undecided: true,
    problem: `not decided: the run ended at ${t(end)}, once another expectation had failed for good`,
  });
}

/** Lines as a report shows them: "   42 | text" (numbered from 1 in everything the device printed). */
export function numberedLines(lines: ConsoleLine[]): string[] {
  return lines.map((l) => `${String(l.index + 1).padStart(5)} | ${l.text}`);
}

/** Ordered patterns and never-patterns of one console device ('' prefix for the main console, else 'NAME '). */
function evaluateConsole(tr: ConsoleTracker, prefix: string, s: Scenario, stop: RunStop, end: number): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const lines = tr.lines;
  const t = (icount: number) => formatTime(icount, s.clockHz);
  const around = (line: number, before = 4, after = 4) => numberedLines(tr.slice(line - before, line + after + 1));
  const notKept = lines.length && lines[0].index ? [`      | (the first ${lines[0].index} line(s) printed are not kept)`] : [];
  const tail = (from: number, n = 8) => {
    const start = Math.max(from, tr.count - n);
    const shown = numberedLines(tr.slice(start, tr.count));
    return start > from ? [`      | ... ${start - from} line(s) after the previous match not shown`, ...shown] : shown;
  };

  // Ordered console patterns.
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
        const after = i > 0 ? `after ${tr.ordered[i - 1].source} (line ${prevLine + 1})` : 'at all';
        problem = `never printed ${after}; the run ended at ${t(end)} with ${describeStop(stop)}`;
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

  // Patterns that must never appear.
  tr.never.forEach((p, i) => {
    const h = tr.neverHits[i];
    const what = `${prefix}console never shows ${p.source}`;
    if (h) out.push({ what, ok: false, final: true, icount: h.icount, line: h.line, problem: `printed at ${t(h.icount)} (line ${h.line + 1})`, context: around(h.line) });
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
    what, ok: false,
    problem: seen.length ? `no matching dump; seen instead: ${seen.join('; ')}` : `no ${who === 'hypervisor' ? 'hypervisor fault dump or panic' : 'domain fault dump'} was printed (the run ended at ${t(lines[last]?.icount ?? 0)})`,
    context: around(lines[last]?.index ?? 0, 7, 0),
  };
}

/** How the run ended, in the words of every report (machine/stop-reason.ts). */
export function describeStop(stop: RunStop): string {
  return describeStopReason(stop);
}
