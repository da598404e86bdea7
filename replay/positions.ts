/**
 * Positions in a replay, and how to reach any of them quickly.
 *
 * A position is (core, clock): core `core` paused in its turn with its own
 * clock at `clock`, before it executes anything more: where
 * `machine.runUntil(clock, core)` stops when run from any earlier point
 * (docs/multicore.md: stopping never changes the interleaving, so every way
 * there gives the same state). On one core the clock is the instruction
 * count. The recording's beginning is clock 0 of any core (the boot state).
 *
 * Reaching a position restores the nearest state before it and re-executes:
 * a recording checkpoint (Replayer.resetTo, which costs a fresh boot,
 * decoding the checkpoints before it and loading each page they hold once:
 * about a second on a long recording), or
 * one of the machine snapshots kept in memory here ("marks", taken every
 * `spacing` ticks on the way whenever a seek runs far, the way rr keeps
 * checkpoints near where the debugger is). The recording's chunk hashes
 * are not checked on these seeks (replay --verify does that).
 */

import type { Machine, MachineSnapshot, StopReason } from '../machine/machine';
import type { Replayer } from './replayer';

/** Core `core` paused in its turn with its clock at `clock` (one core: the instruction count). */
export interface Position { core: number; clock: number }

/** A machine snapshot kept in memory, and where it stands. */
export interface Mark {
  /** The machine's time there. */
  time: number;
  /** Every core's clock there. */
  clocks: number[];
  /** The core paused there: the mark is the position (core, clocks[core]). */
  core: number;
  snapshot: MachineSnapshot;
}

export interface SeekOptions {
  /** Called once the machine is restored, before it runs to the target (to subscribe probes to the machine that will run). */
  before?: (m: Machine, from: Mark | undefined) => void;
  /** Take no marks on the way. */
  noMarks?: boolean;
  /** Start from a state strictly before this position (a search window that ends there). */
  startBefore?: Position;
}

/** A restore point chosen for a seek: a mark, the current machine, or a recording checkpoint (by instruction count). */
type Origin = { kind: 'here' } | { kind: 'mark'; mark: Mark } | { kind: 'checkpoint'; icount: number };

/** Re-executing this many ticks costs about as much as a Replayer.resetTo (boot + checkpoint pages). */
const RESET_COST_TICKS = 20_000_000;

export class PositionIndex {
  /** Marks by time (ascending). */
  readonly marks: Mark[] = [];
  /** Ticks of machine time between marks taken on the way of a long seek. */
  readonly spacing: number;
  /** The most marks kept; beyond that the one farthest from where the debugger is goes. */
  readonly maxMarks: number;
  /** The recording's end: (core it ended in, its last clock). */
  readonly end: Position;
  private started = false;

  constructor(readonly replayer: Replayer, options: { spacing?: number; maxMarks?: number } = {}) {
    const rec = replayer.rec;
    this.end = { core: rec.chunks.length ? rec.chunks[rec.chunks.length - 1].core ?? 0 : 0, clock: rec.lastIcount };
    this.spacing = options.spacing ?? Math.max(20_000, Math.min(250_000, Math.ceil(rec.lastIcount / 16)));
    this.maxMarks = options.maxMarks ?? 12;
  }

  get machine(): Machine { return this.replayer.machine; }

  /** Number of cores of the recorded machine. */
  get cores(): number { return this.replayer.rec.header.boot.cores ?? 1; }

  /** Every core's clock now. */
  clocks(): number[] { return this.machine.cpus.map((c) => c.icount); }

  /** Where the machine stands: the core paused in its turn (else the current one) and its clock. */
  here(): Position {
    const m = this.machine;
    const core = m.pausedCore ?? (m.cpus.length > 1 ? m.currentCore() : 0);
    return { core, clock: m.cpus[core].icount };
  }

  /** The recording's beginning (the boot state). */
  begin(): void {
    this.replayer.resetTo(0, false);
    this.started = true;
  }

  /** Keeps a snapshot of the machine as it is now. */
  mark(): Mark {
    const m = this.machine;
    const time = m.now();
    const existing = this.marks.find((x) => x.time === time && sameClocks(x.clocks, this.clocks()));
    if (existing) return existing;
    const core = m.pausedCore ?? (m.cpus.length > 1 ? m.currentCore() : 0);
    const mark: Mark = { time, clocks: this.clocks(), core, snapshot: m.snapshot() };
    let i = this.marks.length;
    while (i > 0 && this.marks[i - 1].time > time) i--;
    this.marks.splice(i, 0, mark);
    this.evict(time);
    return mark;
  }

  /** Drops marks beyond the limit: the one farthest from `near` goes first, never the first (the boot) or the newest. */
  private evict(near: number): void {
    while (this.marks.length > this.maxMarks) {
      let worst = -1, far = -1;
      this.marks.forEach((x, i) => {
        if (i === 0) return;
        const d = Math.abs(x.time - near);
        if (d > far && x.time !== near) { far = d; worst = i; }
      });
      if (worst < 0) break;
      this.marks.splice(worst, 1);
    }
  }

  /** Whether the machine state `clocks` lies before position (core, clock), so that runUntil(clock, core) from it reaches that position. */
  private static before(clocks: number[], p: Position): boolean {
    return clocks[p.core] < p.clock;
  }

  /** The cheapest way to `p`: go on from here, restore a mark, or restore a recording checkpoint. */
  private origin(p: Position, startBefore?: Position): Origin {
    const costFrom = (time: number) => Math.max(0, p.clock - time);
    const q = startBefore ?? p;
    let best: Origin | undefined;
    let bestCost = Infinity;
    if (this.started && PositionIndex.before(this.clocks(), q)) { best = { kind: 'here' }; bestCost = costFrom(this.machine.now()); }
    for (const mk of this.marks) {
      if (!PositionIndex.before(mk.clocks, q) && (startBefore || !(mk.core === p.core && mk.clocks[p.core] === p.clock))) continue;
      const c = costFrom(mk.time) + 1;
      if (c < bestCost) { best = { kind: 'mark', mark: mk }; bestCost = c; }
    }
    // A checkpoint: the newest at least a round before the target (the machine's time there may be past a core's clock).
    const slack = this.cores > 1 ? 4 * this.machine.schedule.quantum : 0;
    const cps = this.replayer.rec.checkpoints.filter((r) => r.icount + slack < q.clock);
    if (cps.length) {
      const cp = cps[cps.length - 1];
      const c = costFrom(cp.icount) + RESET_COST_TICKS;
      if (c < bestCost) { best = { kind: 'checkpoint', icount: cp.icount }; bestCost = c; }
    }
    return best ?? { kind: 'checkpoint', icount: 0 };
  }

  /**
   * Goes to position `p` (forwards or backwards). Returns the mark it
   * started from (undefined when it went on from where it was or restored a
   * checkpoint).
   */
  seek(p: Position, options: SeekOptions = {}): Mark | undefined {
    if (p.clock <= 0) {
      this.restoreBegin();
      options.before?.(this.machine, undefined);
      return undefined;
    }
    const o = this.origin(p, options.startBefore);
    let from: Mark | undefined;
    if (o.kind === 'mark') { this.restore(o.mark); from = o.mark; }
    else if (o.kind === 'checkpoint') {
      this.replayer.resetTo(o.icount);
      this.started = true;
      // A machine of several cores restored at a checkpoint past the target's core clock: start earlier.
      if (!PositionIndex.before(this.clocks(), options.startBefore ?? p)) { this.replayer.resetTo(0, false); }
      // Restoring a checkpoint costs a boot and the pages of every checkpoint before it: keep the result.
      this.mark();
    }
    options.before?.(this.machine, from);
    this.runTo(p, options.noMarks);
    return from;
  }

  /** Restores a mark. */
  restore(mark: Mark): void {
    if (!this.started) { this.replayer.resetTo(0, false); this.started = true; }
    this.machine.restore(mark.snapshot);
  }

  private restoreBegin(): void {
    const boot = this.marks.find((x) => x.time === 0 && x.clocks.every((c) => c === 0));
    if (boot) this.restore(boot);
    else { this.begin(); this.mark(); }
  }

  /** Runs from here to `p`, taking a mark every `spacing` ticks of the way. */
  runTo(p: Position, noMarks = false): void {
    const m = this.machine;
    let last = this.marks.reduce((t, x) => (x.time <= m.now() ? Math.max(t, x.time) : t), 0);
    // Marks in the last few spacings before the target: where the debugger will look next.
    if (!noMarks && p.clock - m.now() > 4 * this.spacing) pauseAt(m, p.clock - 4 * this.spacing, p.core);
    if (m.cpus[p.core].icount >= p.clock) return;
    while (!noMarks && p.clock - m.now() > this.spacing) {
      const t = Math.max(m.now(), last) + this.spacing;
      if (t >= p.clock) break;
      const before = m.now();
      const stop = pauseAt(m, t, p.core);
      if (stop.kind !== 'limit' || m.now() === before) return;
      if (m.cpus[p.core].icount >= p.clock) return;
      this.mark();
      last = m.now();
    }
    // And one just before it: the steps back from here (reverse-stepi, one after another) start there.
    const near = Math.floor(this.spacing / 16);
    if (!noMarks && p.clock - m.now() > 4 * near) {
      pauseAt(m, p.clock - near, p.core);
      if (m.cpus[p.core].icount >= p.clock) return;
      this.mark();
    }
    pauseAt(m, p.clock, p.core);
  }

  /** Whether the machine stands past the recording's end. */
  pastEnd(): boolean {
    return this.machine.cpus[this.end.core].icount > this.end.clock;
  }
}

/**
 * Runs the machine to position (core, clock): runUntil(clock, core), again
 * while it paused in another core's turn (a lone core's round pauses that
 * core at the limit, whichever core was asked for), until core `core` is
 * paused in its turn with its clock at `clock` or past it, the run stands
 * between rounds at that time, core `core` cannot run (held, waiting), or
 * the machine stops by itself.
 */
export function pauseAt(m: Machine, clock: number, core: number): StopReason {
  for (;;) {
    const before = m.now(), paused = m.pausedCore;
    const stop = m.runUntil(clock, core);
    if (stop.kind !== 'limit' || m.cpus.length === 1) return stop;
    const at = m.pausedCore;
    if (at === undefined || at === core) return stop;
    if (m.now() === before && at === paused) return stop;
    // Only a core that can run gets a turn to pause in (one held or waiting is found by running on, replay/reverse.ts).
    const cpu = m.cpus[core];
    if (!m.coreRuns(core) || (cpu.waiting && !cpu.irqLine && !cpu.fiqLine) || cpu.icount >= clock) return stop;
  }
}

function sameClocks(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
