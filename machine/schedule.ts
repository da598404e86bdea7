/**
 * How several cores share virtual time, deterministically.
 *
 * Time is cut into rounds. In each round every core that may run takes one
 * turn, in core order (core 0 first), running from its own clock up to the
 * end of the round; a core waiting in WFI/WFE, held (in reset, clock
 * stopped, halted) or stalled gives up its turn, and its clock moves to the
 * end of the round. A round ends at the next quantum boundary or at the next
 * device event, whichever comes first; events run between rounds. Quantum
 * boundaries lie on a fixed grid: every `quantum` ticks from 0, or, with a
 * seed, after quanta drawn from 1 to 2 * quantum - 1 ticks by a PRNG of that
 * seed (the switch points vary from seed to seed; each seed always gives
 * the same ones). Where a run is stopped (a time limit, a breakpoint) never
 * changes where the boundaries are, so stopping and going on gives the same
 * interleaving as running straight through.
 *
 * While only one core can run (the others wait, are held or stalled), its
 * turn lasts until the next event, or until the moment something lets
 * another core run (an interrupt or SEV wakes it, a device releases it, its
 * stall ends), where it ends at the quantum boundary that round would have
 * ended at: the interleaving is the one the rounds give, without stopping
 * every quantum (a one-core workload on a two-core board costs no more
 * than on one core).
 *
 * The schedule (quantum and seed) is part of every recording's header.
 */

/** The schedule a machine with several cores follows. */
export interface Schedule {
  /** Ticks per turn (1 tick = one instruction on the core whose turn it is). */
  quantum: number;
  /** 0: every quantum is `quantum` ticks; otherwise quanta vary, drawn from this seed. */
  seed: number;
}

/** 1000 ticks: 1 µs at 1 GHz. Short enough for spinlocks to hand over quickly, long enough that switching costs little. */
export const DEFAULT_SCHEDULE: Schedule = Object.freeze({ quantum: 1000, seed: 0 });

/** What is wrong with a schedule, or undefined. */
export function scheduleProblem(s: Schedule): string | undefined {
  if (!Number.isInteger(s.quantum) || s.quantum < 1 || s.quantum > 1e9) return `quantum must be a whole number of ticks from 1 to 1000000000 (got ${s.quantum})`;
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff) return `seed must be a whole number from 0 to 4294967295 (got ${s.seed})`;
  return undefined;
}

/** The grid's state: the next boundary, the one before it, and the PRNG after drawing the next. */
export interface GridState { next: number; previous: number; rng: number }

/** The quantum boundaries of a schedule, generated in order. */
export class QuantumGrid {
  private nextBoundary: number;
  private previousBoundary = 0;
  private rng: number;

  constructor(readonly schedule: Schedule) {
    this.rng = schedule.seed >>> 0;
    this.nextBoundary = this.draw();
  }

  /** The first boundary after `time` (asked with times that never decrease). */
  after(time: number): number {
    while (this.nextBoundary <= time) {
      this.previousBoundary = this.nextBoundary;
      this.nextBoundary += this.draw();
    }
    return this.nextBoundary;
  }

  /** The boundary before the one `after` returned last (0 at first). */
  get previous(): number { return this.previousBoundary; }

  /** The first boundary after `time`, without moving the grid (a look ahead). */
  peekAfter(time: number): number {
    const saved = this.snapshot();
    const b = this.after(time);
    this.restore(saved);
    return b;
  }

  private draw(): number {
    const q = this.schedule.quantum;
    if (this.schedule.seed === 0 || q === 1) return q;
    // xorshift32: small, fast and the same on every platform.
    let x = this.rng || 0x9e3779b9;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.rng = x;
    return 1 + (x % (2 * q - 1));
  }

  snapshot(): GridState { return { next: this.nextBoundary, previous: this.previousBoundary, rng: this.rng }; }
  restore(s: GridState): void { this.nextBoundary = s.next; this.previousBoundary = s.previous ?? 0; this.rng = s.rng; }
}
