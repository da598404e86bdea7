/**
 * Moving through a recording forwards and backwards, one core's instruction
 * at a time or to the next (or previous) breakpoint or watchpoint hit: what
 * a reverse debugger needs, over positions (replay/positions.ts).
 *
 * The stops a step visits are a core's instruction starts: the positions
 * (k, c) where core k executes an instruction beginning at its clock c.
 * Stepping core k forwards runs it one instruction, then on to its next
 * instruction start (past a WFI wait, a hold in reset, a stall). Stepping it
 * backwards goes to the start of its previous instruction: normally clock
 * c - 1; where the core's clock moved on without it executing (waiting,
 * held, stalled: the machine tells these through clockJumps), the start of
 * the last instruction before that. Both ways reach a position with
 * Position.seek, so a step back gives exactly the state the step forward
 * from there gave.
 *
 * Backwards to a breakpoint or watchpoint: windows before here, newest
 * first and each twice as long as the one before, are re-executed with the
 * breakpoints and watchpoints recording (not stopping); the last hit of the
 * newest window that has one is the answer, on the core that made it. A watchpoint stops forwards
 * before the instruction making the access and backwards just after it:
 * gdb (ARM watchpoints are not steppable) then steps over that instruction
 * in the direction it runs, and shows the old and new value.
 */

import type { Machine } from '../machine/machine';
import type { Replayer } from './replayer';
import { PositionIndex, pauseAt, type Position } from './positions';

export type WatchKind = 'write' | 'read' | 'access';
export interface Watch { lo: number; hi: number; kind: WatchKind }
export interface Triggers { breakpoints: ReadonlySet<number>; watches: readonly Watch[] }

export type Hit =
  | { kind: 'breakpoint'; core: number; clock: number; address: number }
  | { kind: 'watchpoint'; core: number; clock: number; address: number; watch: WatchKind };

export type Motion =
  | { kind: 'step'; core: number }
  | { kind: 'hit'; hit: Hit }
  | { kind: 'edge'; edge: 'begin' | 'end'; core: number }
  | { kind: 'interrupted'; core: number };

/** Ticks run between two looks at the event loop (Ctrl-C) when continuing. */
const SLICE = 2_000_000;

export class ReplayNavigator {
  readonly index: PositionIndex;
  /** Where the debugger is. */
  position: Position = { core: 0, clock: 0 };

  constructor(readonly replayer: Replayer, options: { spacing?: number; maxMarks?: number } = {}) {
    this.index = new PositionIndex(replayer, options);
    this.index.begin();
    this.index.mark();
  }

  get machine(): Machine { return this.replayer.machine; }
  get end(): Position { return this.index.end; }

  /** Goes to a position (clamped to the recording). */
  goto(p: Position): void {
    const clock = Math.max(0, Math.min(p.clock, p.core === this.end.core ? this.end.clock : Infinity));
    this.index.seek({ core: p.core, clock });
    if (this.index.pastEnd()) { this.index.seek(this.end); this.position = { ...this.end }; return; }
    this.position = { core: p.core, clock };
  }

  /**
   * Whether core k, as the machine stands, surely executes an instruction
   * at its clock when its turn goes on: it can run, and no event is due
   * before that (an event due now, e.g. an input-log entry that stalls the
   * core, runs first and may stop it).
   */
  runnable(k: number): boolean {
    const m = this.machine;
    const cpu = m.cpus[k];
    return m.coreRuns(k) && !(cpu.waiting && !cpu.irqLine && !cpu.fiqLine) && m.events.nextTime() > m.now();
  }

  /** Whether the debugger stands at the recording's end (for core k's motion). */
  private atEnd(k: number): boolean {
    const m = this.machine;
    return this.index.pastEnd() || (k === this.end.core && m.cpus[k].icount >= this.end.clock) ||
      (this.position.core === this.end.core && this.position.clock >= this.end.clock && k === this.end.core);
  }

  private toEnd(k: number): Motion {
    this.index.seek(this.end);
    this.position = { ...this.end };
    return { kind: 'edge', edge: 'end', core: k };
  }

  private toBegin(k: number): Motion {
    this.index.seek({ core: k, clock: 0 });
    this.position = { core: k, clock: 0 };
    return { kind: 'edge', edge: 'begin', core: k };
  }

  /** Core k executes one instruction and stops at its next instruction start. */
  stepForward(k: number): Motion {
    if (this.atEnd(k)) return this.toEnd(k);
    const m = this.machine;
    const c = m.cpus[k].icount;
    pauseAt(m, c + 1, k);
    if (this.index.pastEnd()) return this.toEnd(k);
    if (m.cpus[k].icount === c + 1 && this.runnable(k)) {
      this.position = { core: k, clock: c + 1 };
      return { kind: 'step', core: k };
    }
    // Core k waits, is held or stalled, or an event due now may change that: on to where it executes again.
    const next = this.nextExecution(k);
    if (next === undefined) return this.toEnd(k);
    this.index.seek({ core: k, clock: next });
    this.position = { core: k, clock: next };
    return { kind: 'step', core: k };
  }

  /** The clock at which core k next starts an instruction (running from here), or undefined if not before the end. */
  private nextExecution(k: number): number | undefined {
    const m = this.machine;
    const cpu = m.cpus[k];
    let found: number | undefined;
    const hooked = new Set<number>();
    const offs: Array<() => void> = [];
    const hook = (a: number) => {
      if (hooked.has(a >>> 0)) return;
      hooked.add(a >>> 0);
      offs.push(cpu.execProbe.at(a >>> 0, (c) => {
        if (found === undefined) { found = c.icount - 1; m.requestStop(); }
        return false;
      }));
    };
    // Where its next instruction can be: its pc, an exception vector, its reset vector (set when it is released).
    const base = cpu.vectorBase() >>> 0;
    for (const a of [cpu.pc, m.coreControl.resetVector(k), ...[0x00, 0x04, 0x08, 0x0c, 0x10, 0x18, 0x1c].map((v) => base + v)]) hook(a);
    // Released from reset meanwhile (its clock moves on then): where it starts.
    offs.push(m.clockJumps.subscribe((core) => { if (core === k) { hook(cpu.pc); hook(m.coreControl.resetVector(k)); } }));
    try {
      while (found === undefined && !this.index.pastEnd()) {
        const before = m.now();
        const stop = m.runUntil(Math.min(this.end.clock, before + SLICE), this.end.core);
        if (found !== undefined || stop.kind === 'exit' || stop.kind === 'idle' || stop.kind === 'reset' || stop.kind === 'poweroff') break;
        if (m.now() === before) break;
        hook(cpu.pc);
      }
    } finally {
      for (const off of offs) off();
    }
    return found;
  }

  /** Core k goes back to the start of its previous instruction. */
  stepBackward(k: number): Motion {
    const m = this.machine;
    const p = m.cpus[k].icount;
    if (p <= 0) return this.toBegin(k);
    // Most often the previous tick of core k was an instruction.
    this.index.seek({ core: k, clock: p - 1 });
    if (this.machine.cpus[k].icount === p - 1 && this.runnable(k)) {
      this.position = { core: k, clock: p - 1 };
      return { kind: 'step', core: k };
    }
    // Else it waited, was held or stalled before p: re-execute with the clock jumps of core k in view.
    let startBefore: Position | undefined;
    for (;;) {
      const jumps: Array<[number, number]> = [];
      let start = 0;
      let off: (() => void) | undefined;
      this.index.seek({ core: k, clock: p }, {
        startBefore,
        before: (mm) => {
          start = mm.cpus[k].icount;
          off = mm.clockJumps.subscribe((core, from, to) => { if (core === k) jumps.push([from, to]); });
        },
      });
      off?.();
      let y = p - 1;
      for (;;) {
        const j = jumps.find(([a, b]) => a <= y && y < b);
        if (!j) break;
        y = j[0] - 1;
      }
      if (y < 0) return this.toBegin(k);
      if (y >= start) {
        this.index.seek({ core: k, clock: y });
        this.position = { core: k, clock: y };
        return { kind: 'step', core: k };
      }
      if (start <= 0) return this.toBegin(k);
      // The wait began before this window: a window that starts earlier.
      startBefore = { core: k, clock: start };
    }
  }

  /** Runs forwards until a breakpoint or watchpoint hit, the end of the recording, or Ctrl-C. */
  async continueForward(triggers: Triggers, core: number, signal?: AbortSignal): Promise<Motion> {
    if (this.atEnd(this.end.core)) return this.toEnd(core);
    const m = this.machine;
    const start = { ...this.position };
    let found: Hit | undefined;
    const disarm = arm(m, triggers, (hit) => {
      if (found !== undefined) return;
      // Where it starts, a breakpoint or watchpoint is not hit again at once.
      if (hit.core === start.core && hit.clock === start.clock) return;
      found = hit;
      m.requestStop();
    });
    let lastMark = m.now();
    try {
      while (found === undefined) {
        const before = m.now();
        const stop = m.runUntil(Math.min(this.end.clock, before + SLICE), this.end.core);
        if (found !== undefined) break;
        if (this.index.pastEnd() || m.cpus[this.end.core].icount >= this.end.clock || stop.kind === 'exit' || stop.kind === 'idle' || stop.kind === 'reset' || m.now() === before) {
          disarm();
          return this.toEnd(core);
        }
        // A snapshot now and then on the way (not every slice: each costs a copy of the RAM in use).
        if (m.now() - lastMark >= Math.max(this.index.spacing, 8 * SLICE)) { this.index.mark(); lastMark = m.now(); }
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) {
          this.position = this.index.here();
          return { kind: 'interrupted', core };
        }
      }
    } finally {
      disarm();
    }
    const hit = found;
    // Before the instruction at the breakpoint, or the one making the watched access (gdb steps over it).
    const to = { core: hit.core, clock: hit.clock };
    this.index.seek(to);
    this.position = to;
    return { kind: 'hit', hit };
  }

  /**
   * Runs backwards to the last breakpoint or watchpoint hit before here (a
   * watchpoint: the last matching access, stopping before the instruction
   * that made it), else to the recording's beginning.
   */
  async continueBackward(triggers: Triggers, core: number, signal?: AbortSignal): Promise<Motion> {
    let upto: Position = { ...this.position };
    if (upto.clock <= 0) return this.toBegin(core);
    let first = true;
    // Each window back starts twice as far back as the one before (fewer checkpoint restores on a long way back).
    let window = 4 * this.index.spacing;
    for (;;) {
      const hits: Hit[] = [];
      let off: (() => void) | undefined;
      let from: Position = { core: upto.core, clock: 0 };
      let fromBoot = false;
      const startBefore = first ? undefined : { core: upto.core, clock: Math.max(0, upto.clock - window) };
      if (!first) window = Math.min(2 * window, 256_000_000);
      this.index.seek(upto, {
        startBefore,
        noMarks: true,
        before: (mm) => {
          from = this.index.here();
          fromBoot = mm.cpus.every((c) => c.icount === 0);
          off = arm(mm, triggers, (hit) => hits.push(hit));
        },
      });
      off?.();
      first = false;
      if (hits.length) {
        const hit = hits[hits.length - 1];
        // Before the instruction at the breakpoint; after the one that made the watched access (gdb steps back over it).
        const to = { core: hit.core, clock: hit.kind === 'breakpoint' ? hit.clock : hit.clock + 1 };
        this.index.seek(to);
        this.position = to;
        return { kind: 'hit', hit };
      }
      if (fromBoot) return this.toBegin(core);
      upto = from;
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) {
        this.index.seek(upto);
        this.position = upto;
        return { kind: 'interrupted', core };
      }
    }
  }
}

/** Subscribes breakpoints and watchpoints on every core; `onHit` is told of each hit. Returns the function that removes them. */
export function arm(m: Machine, triggers: Triggers, onHit: (hit: Hit) => void): () => void {
  const offs: Array<() => void> = [];
  m.cpus.forEach((cpu, k) => {
    for (const a of triggers.breakpoints) {
      offs.push(cpu.execProbe.at(a, (c) => { onHit({ kind: 'breakpoint', core: k, clock: c.icount - 1, address: a >>> 0 }); return false; }));
    }
    for (const w of triggers.watches) {
      offs.push(cpu.accessProbe.watch(w.lo, w.hi, (va, write) => {
        if (w.kind === 'write' ? !write : w.kind === 'read' ? write : false) return;
        onHit({ kind: 'watchpoint', core: k, clock: cpu.icount - 1, address: va >>> 0, watch: w.kind });
      }));
    }
  });
  return () => { for (const off of offs.splice(0)) off(); };
}
