/**
 * The one event queue of a machine, ordered by (time, phase, sequence). Time
 * is in ticks (instructions at 1 GHz = nanoseconds of virtual time). Within a
 * tick the devices' events run first, then the input phase: the entries of
 * the input log and the scenario triggers that make them. Events of one phase
 * and tick run in the order they were scheduled.
 *
 * Why the phases: a replay schedules the whole input log at the boot, the
 * recorded run made some entries mid-run (a fault trigger, input typed after
 * console output). By sequence alone such an entry would replay ahead of a
 * device event of its tick that it followed in the recorded run; in a phase
 * of their own the entries run after the devices' events in both runs, and
 * among themselves in log order.
 */

/** 'input': after the devices' events of the same tick (see above). */
export type EventPhase = 'device' | 'input';

export interface ScheduledEvent {
  time: number;
  /** 0 device, 1 input. */
  phase: number;
  seq: number;
  name: string;
  run: () => void;
}

export class EventQueue {
  private heap: ScheduledEvent[] = [];
  private seq = 0;
  /** Told of every newly scheduled event's time (the machine shortens a running slice). */
  onSchedule: (time: number) => void = () => {};

  get size(): number { return this.heap.length; }

  /** Time of the earliest event, or Infinity. */
  nextTime(): number {
    return this.heap.length ? this.heap[0].time : Infinity;
  }

  schedule(time: number, name: string, run: () => void, phase: EventPhase = 'device'): ScheduledEvent {
    const ev = { time, phase: phase === 'input' ? 1 : 0, seq: this.seq++, name, run };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
    this.onSchedule(time);
    return ev;
  }

  cancel(ev: ScheduledEvent): void {
    const i = this.heap.indexOf(ev);
    if (i < 0) return;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      this.heap.sort(compare); // rare: keep it simple and correct
    }
  }

  /** Runs every event due at or before `now`, in order. */
  runDue(now: number): void {
    while (this.heap.length && this.heap[0].time <= now) {
      const ev = this.pop();
      ev.run();
    }
  }

  private pop(): ScheduledEvent {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  clear(): void { this.heap = []; }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.time < b.time || (a.time === b.time && (a.phase < b.phase || (a.phase === b.phase && a.seq < b.seq)));
}

function compare(a: ScheduledEvent, b: ScheduledEvent): number {
  return a.time - b.time || a.phase - b.phase || a.seq - b.seq;
}
