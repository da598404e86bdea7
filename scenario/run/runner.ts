/**
 * Runs a scenario deterministically and evaluates its expectations.
 *
 * The console is matched line by line as the guest prints it, each line
 * stamped with the instruction count at which its last character was written,
 * so a match reports exactly when it happened, whatever the run's slicing.
 */

import type { Machine, StopReason } from '../../machine/machine';
import { bootMachine } from '../../machine/boot/boot-machine';
import { scenarioBoot } from './boot';
import type { Scenario } from '../file/scenario-file';
import { armFaults, type FiredFault } from './faults';
import { ConsoleTyping } from './console-typing';
import { ConsoleTracker, type ConsoleLine } from './console-log';
import { CoreActivity } from './cores';
import { formatTime } from '../virtual-time';
import { describeStopReason } from '../../machine/stop-reason';
import { evaluateScenario } from '../check/run';
import type { ExpectationResult } from '../check/expectation';

export type { ConsoleLine } from './console-log';

export type { ExpectationResult, Artifact } from '../check/expectation';

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
   * printed (scenario/run/console-log.ts bounds them); lines[0].index is how many
   * earlier lines are not kept.
   */
  lines: ConsoleLine[];
  /** Lines of every console device that printed (the main one too; 'semihosting' for semihosting output), kept the same way. */
  consoles: Map<string, ConsoleLine[]>;
  /** Wall time of the run in ms (reported, never asserted). */
  wallMs: number;
  /** The machine as the run left it (final CPU registers, memory, devices), for checks after the run. */
  machine?: Machine;
  /** What each core did (ran, watched instructions executed), for the checks that name a core. */
  cores?: CoreActivity;
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
  /** Console lines kept per device (default CONSOLE_TAIL_LINES, scenario/run/console-log.ts). */
  consoleTailLines?: number;
  /** Told after every slice how far the run is (instruction count and the run's limit). */
  onProgress?: (icount: number, limit: number) => void;
}

/** Creates the machine, boots the scenario's images and arms input and faults, without running. */
export function prepareScenario(s: Scenario): { machine: Machine; faults: FiredFault[]; typing: ConsoleTyping } {
  const { machine } = bootMachine(scenarioBoot(s));
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

/**
 * A run driven from outside (a debugger): the machine is prepared and armed
 * as for any run and handed to `drive`, which runs it and resolves with how
 * the machine stopped, or undefined when the run was cut short (it is then
 * 'interrupted'). The run is evaluated as far as it got.
 */
export async function runScenarioDriven(s: Scenario, options: RunOptions, drive: (machine: Machine) => Promise<StopReason | undefined>): Promise<ScenarioResult> {
  const run = new ScenarioRun(s, options);
  run.end(await drive(run.machineOf));
  return run.finish();
}

/** One run, advanced a slice (or an observer interval) at a time. */
class ScenarioRun {
  private readonly t0 = performance.now();
  private readonly machine: Machine;
  private readonly faults: FiredFault[];
  private readonly typing: ConsoleTyping;
  private readonly cores: CoreActivity;
  private readonly trackers: Map<string, ConsoleTracker>;
  private readonly main: ConsoleTracker;
  private stop: RunStop | undefined;
  /** The first failure nothing can undo: the verdict is decided and the run ends there. */
  private decided: string | undefined;

  constructor(private readonly s: Scenario, private readonly options: RunOptions) {
    ({ machine: this.machine, faults: this.faults, typing: this.typing } = prepareScenario(s));
    const machine = this.machine;
    const observer = options.observer;
    // The core running (on several cores, the one whose instruction printed or failed) stops after its instruction.
    this.cores = new CoreActivity(machine, s.expect.cores);
    observer?.start(machine, s);
    const failed = (prefix: string) => (what: string) => {
      if (this.decided !== undefined) return;
      this.decided = `${prefix}${what}`;
      machine.requestStop();
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
      const now = machine.now();
      observer?.console(device, data, now);
      let t = trackers.get(device);
      if (!t) trackers.set(device, t = new ConsoleTracker([], [], options.consoleTailLines));
      const text = t.writeBytes(data, now);
      if (!text) return;
      typing.output(device, text);
      if (device === s.console) options.onOutput?.(text);
      if (matchedEnd && t.ordered.length && [...trackers.values()].every((x) => x.done)) machine.requestStop();
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
    const observer = options.observer;
    // Virtual time: on one core its instruction count, on several machine/schedule.ts's time.
    const now = () => machine.now();
    let until = Math.min(s.limit, now() + (options.slice ?? 50_000_000));
    if (observer) until = Math.min(until, (Math.floor(now() / observer.interval) + 1) * observer.interval);
    // A deadline is missed once the run is past it (output stamped at the deadline itself is in time).
    const deadline = this.pendingDeadline();
    if (deadline < until) until = Math.max(now() + 1, deadline + 1);
    const stop = machine.runUntil(until);
    if (this.decided === undefined && now() > this.pendingDeadline()) this.decided = this.missedDeadline();
    if (observer && stop.kind === 'limit' && now() % observer.interval === 0) observer.step(machine);
    options.onProgress?.(now(), s.limit);
    if (this.decided !== undefined && (stop.kind === 'limit' || stop.kind === 'stopped')) this.stop = { kind: 'decided', why: this.decided };
    else if (stop.kind !== 'limit' || now() >= s.limit) this.stop = stop;
    return !this.stop;
  }

  private missedDeadline(): string {
    for (const [device, t] of this.trackers) {
      const p = t.ordered.slice(t.next).find((x) => x.by !== undefined && x.by < this.machine.now());
      if (p) return `${device === this.s.console ? '' : `on ${device}: `}${p.source} was not printed by its deadline ${formatTime(p.by!, this.s.clockHz)}`;
    }
    return 'a deadline was missed';
  }

  get machineOf(): Machine { return this.machine; }

  /** Ends a run driven from outside with how its machine stopped (undefined: cut short). */
  end(stop: StopReason | undefined): void {
    if (!stop) { this.interrupt(); return; }
    if (this.decided !== undefined && (stop.kind === 'limit' || stop.kind === 'stopped')) this.stop ??= { kind: 'decided', why: this.decided };
    else this.stop ??= stop;
  }

  /** Ends the run here (between two advances). */
  interrupt(): void {
    this.stop ??= { kind: 'interrupted' };
  }

  finish(): ScenarioResult {
    const { s, machine, trackers } = this;
    const end = machine.now();
    const stop: RunStop = this.stop ?? { kind: 'interrupted' };
    for (const t of trackers.values()) t.flush(end);
    const expectations = evaluateScenario(s, stop, end, trackers, machine, this.cores);
    const failed = expectations.some((e) => !e.ok);
    const hitLimit = stop.kind === 'limit' && s.expect.end !== 'limit';
    const verdict: Verdict = stop.kind === 'interrupted' ? 'interrupted' : hitLimit ? 'limit' : failed ? 'fail' : 'pass';
    const consoles = new Map([...trackers].filter(([d, t]) => d === s.console || t.count).map(([d, t]) => [d, t.lines]));
    const result: ScenarioResult = {
      scenario: s, verdict, stop, icount: end, expectations, faults: this.faults, lines: this.main.lines, consoles,
      wallMs: performance.now() - this.t0, machine, cores: this.cores,
    };
    this.options.observer?.end(result, machine);
    return result;
  }
}

/** How the run ended, in the words of every report (machine/stop-reason.ts). */
export function describeStop(stop: RunStop): string {
  return describeStopReason(stop);
}
