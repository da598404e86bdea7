/**
 * Replays a recording: boots the same images, feeds the recorded input log
 * (no fault triggers, no scripted console: only what the log says happened),
 * restores the newest checkpoint before the target and runs forward to any
 * instruction count, checking the chained state hash of every chunk it
 * passes. A mismatch means the replay is not the recorded run: it stops and
 * says in which chunk.
 */

import type { Machine, StopReason } from '../machine/machine';
import { injectionFromJson, type InjectionEntry } from '../machine/injections';
import type { MachineState } from '../machine/machine';
import { GENESIS, chunkHash } from './state-hash';
import { describeStopReason } from '../machine/stop-reason';
import type { RecordingReader } from './reader';

export class ReplayDivergence extends Error {
  constructor(readonly chunk: number, readonly from: number, readonly to: number, readonly expected: string, readonly actual: string) {
    super(`the replay diverged from the recording in chunk ${chunk} (instructions ${from}..${to}): state hash ${actual.slice(0, 16)}..., recorded ${expected.slice(0, 16)}...`);
  }
}

export interface ReplayPosition { icount: number; stop: StopReason; chunksVerified: number }

export class Replayer {
  machine!: Machine;
  /** The whole recorded input log, in order. */
  readonly inputs: InjectionEntry[];
  /** Chunks whose hash has been checked in this replayer's life. */
  chunksVerified = 0;
  /** Told after every chunk checked (for a progress line): where the replay is and where the recording ends. */
  onProgress?: (icount: number, last: number) => void;
  private hash = GENESIS;
  /** Index of the chunk being executed. */
  private chunk = 0;

  constructor(readonly rec: RecordingReader, private readonly boot: () => Machine) {
    this.inputs = rec.chunks.flatMap((c) => c.inputs.map(injectionFromJson));
  }

  get icount(): number { return this.machine.cpu.icount; }

  /** Fresh machine at the newest checkpoint at or before `icount` (or the boot state). */
  resetTo(icount: number, useCheckpoints = true): void {
    const m = this.boot();
    for (const e of this.inputs) m.inject(e);
    const refs = useCheckpoints ? this.rec.checkpoints.filter((c) => c.icount <= icount) : [];
    this.hash = GENESIS;
    this.chunk = 0;
    if (refs.length) {
      let last: { chunk: number; hash: string; state: unknown } | undefined;
      for (const ref of refs) {
        const cp = this.rec.checkpoint(ref);
        for (const p of cp.pages) m.bus.loadBytes((p.page << 12) >>> 0, p.bytes);
        last = cp;
      }
      m.restoreState(last!.state as MachineState);
      this.hash = last!.hash;
      this.chunk = last!.chunk;
    }
    m.bus.clearDirtyPages();
    this.machine = m;
  }

  /**
   * Runs to `target` (an instruction count) or until the machine stops,
   * verifying each chunk boundary passed. Restores a checkpoint first when the
   * target is behind the current position.
   */
  runTo(target: number): ReplayPosition {
    if (!this.machine || target < this.icount) this.resetTo(target);
    const m = this.machine;
    target = Math.min(target, this.rec.lastIcount);
    let stop: StopReason = { kind: 'limit' };
    for (;;) {
      // A chunk is checked where the recorder hashed it: at its end, before
      // the events due at that tick run.
      const c = this.rec.chunks[this.chunk];
      if (c && this.icount === c.to) {
        // A run that halted was hashed at the halt, after every event of its
        // last tick (entries of the input log included): run them too.
        if (this.haltsAt(c)) stop = m.runUntil(c.to + 1);
        this.verifyChunk(c);
        continue;
      }
      if (this.icount >= target) break;
      const until = Math.min(target, c ? c.to : Infinity);
      stop = m.runUntil(until);
      if (this.icount < until) break; // the machine stopped by itself (halt, exit, reset)
    }
    return { icount: this.icount, stop, chunksVerified: this.chunksVerified };
  }

  /** Whether the recorded run halted (WFI with nothing scheduled) at the end of this chunk, its last. */
  private haltsAt(c: { index: number; to: number }): boolean {
    const end = this.rec.end;
    return c.index === this.rec.chunks.length - 1 && end !== undefined && end.stop.kind === 'idle' && end.icount === c.to;
  }

  private verifyChunk(c: { index: number; from: number; to: number; hash: string }): void {
    const actual = chunkHash(this.hash, this.machine.stateSnapshot(), this.machine, this.machine.bus.takeDirtyPages());
    if (actual !== c.hash) throw new ReplayDivergence(c.index, c.from, c.to, c.hash, actual);
    this.hash = actual;
    this.chunk++;
    this.chunksVerified++;
    this.onProgress?.(c.to, this.rec.lastIcount);
  }

  /** Replays the whole run from the boot state, checking every chunk: the determinism self-check. */
  verify(): ReplayPosition {
    this.resetTo(0, false);
    return this.complete(this.runTo(this.rec.lastIcount));
  }

  /**
   * verify() in slices, giving the event loop a turn between them (Ctrl-C,
   * a progress line); when `signal` is aborted it stops there and returns
   * undefined, every chunk passed so far having matched.
   */
  async verifyYielding(signal?: AbortSignal, slice = 20_000_000): Promise<ReplayPosition | undefined> {
    this.resetTo(0, false);
    const last = this.rec.lastIcount;
    for (;;) {
      const target = Math.min(last, this.icount + slice);
      const pos = this.runTo(target);
      if (target >= last || pos.icount < target) return this.complete(pos);
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return undefined;
    }
  }

  private complete(pos: ReplayPosition): ReplayPosition {
    if (this.chunk !== this.rec.chunks.length) {
      throw new Error(`the replay ended at instruction ${pos.icount} after ${this.chunk} of ${this.rec.chunks.length} chunks (it ended with ${describeStopReason(pos.stop)})`);
    }
    return pos;
  }

  /** Runs from the current position to the first execution of `address`; returns its instruction count (before it executes). */
  findExecution(address: number, limit = this.rec.lastIcount): number | undefined {
    let found: number | undefined;
    const remove = this.machine.hooks.add(address, (cpu) => {
      if (found === undefined) { found = cpu.icount - 1; cpu.stopRequested = true; }
      return false;
    });
    try {
      while (found === undefined && this.icount < limit) {
        const before = this.icount;
        this.runTo(Math.min(limit, before + 10_000_000));
        if (this.icount === before) break;
      }
    } finally {
      remove();
    }
    return found;
  }

  /** One instruction (or one tick of an idle CPU); false when the machine cannot advance. */
  step(): boolean {
    const before = this.icount;
    this.runTo(before + 1);
    return this.icount > before;
  }
}
