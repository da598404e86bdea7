/**
 * Replays a recording: boots the same images, feeds the recorded input log
 * (no fault triggers, no scripted console: only what the log says happened),
 * restores the newest checkpoint before the target and runs forward to any
 * instruction count, checking the chained state hash of every chunk it
 * passes. A mismatch means the replay is not the recorded run: it stops and
 * says in which chunk.
 */

import type { Machine, StopReason } from '../machine/machine';
import type { Cpu } from '../machine/cpu/cpu';
import { injectionFromJson, type InjectionEntry } from '../machine/injections';
import type { MachineSnapshot, MachineState } from '../machine/machine';
import { GENESIS, canonicalJson, chunkHash, hashedState } from './state-hash';
import { CheckpointIndexWriter } from './checkpoint-index';
import { RecordingWriteError } from './writer';
import { RecordingDamaged, type CheckpointRef, type RecordingReader } from './reader';
import { CheckpointPrefetcher } from './checkpoint-prefetch';
import { describeStopReason } from '../machine/stop-reason';

export class ReplayDivergence extends Error {
  constructor(readonly chunk: number, readonly from: number, readonly to: number, readonly expected: string, readonly actual: string, message?: string) {
    super(message ?? `the replay diverged from the recording in chunk ${chunk} (instructions ${from}..${to}): state hash ${actual.slice(0, 16)}..., recorded ${expected.slice(0, 16)}...`);
  }
}

export interface ReplayPosition { icount: number; stop: StopReason; chunksVerified: number }

export class Replayer {
  machine!: Machine;
  /** The whole recorded input log, in order. */
  readonly inputs: InjectionEntry[];
  /** Told after every chunk checked (for a progress line): where the replay is and where the recording ends. */
  onProgress?: (icount: number, last: number) => void;
  /**
   * Told when a seek cannot use a checkpoint (damaged, or not matching the
   * chunk hash chain) and starts from an earlier one or the boot instead.
   */
  onNotice?: (message: string) => void;
  /** Damage found while replaying: checkpoints that do not match the chain or the replayed machine. */
  readonly damage: string[] = [];
  /**
   * What a verify found wrong with the checkpoints of a checkpoint index
   * (damaged, or not the replayed machine's): the index is a cache, so
   * this is not damage of the recording; the verify writes it anew.
   */
  readonly indexDamage: string[] = [];
  /** The checkpoint index the last verify wrote (checkpoints "index"), or why it could not. */
  indexWritten: { file: string; checkpoints: number } | { error: string } | undefined;
  /** verify() of a recording with a checkpoint index: the index being written anew. */
  private indexOut: CheckpointIndexWriter | undefined;
  private hash = GENESIS;
  /** Index of the chunk being executed. */
  private chunk = 0;
  /** The chunks (by index) whose hash has been checked in this replayer's life, each counted once. */
  private readonly verified = new Set<number>();
  /** Pages written since the last checkpoint boundary (to compare a checkpoint with the replayed machine). */
  private sinceCheckpoint = new Set<number>();
  /** verify(): every checkpoint passed is compared with the replayed machine. */
  private checkCheckpoints = false;
  /** During a verify: the recording's checkpoints, decoded ahead on a thread. */
  private prefetch: CheckpointPrefetcher | undefined;
  private readonly noticed = new Set<number>();
  /**
   * A state kept in memory at a chunk boundary (keep()): a seek to it or
   * past it, before the next checkpoint, restores it instead of a checkpoint.
   */
  private kept: { icount: number; snapshot: MachineSnapshot; hash: string; chunk: number; since: number[] } | undefined;

  constructor(readonly rec: RecordingReader, private readonly boot: () => Machine) {
    this.inputs = rec.chunks.flatMap((c) => c.inputs.map(injectionFromJson));
  }

  /** Where the replay is: virtual time (machine.now(); on one core, the instruction count). */
  get icount(): number { return this.machine.now(); }

  /** How many distinct chunk hashes this replayer has checked (never more than the recording has). */
  get chunksVerified(): number { return this.verified.size; }

  /** A fresh machine at the boot state with the input log scheduled. */
  private fresh(): Machine {
    const m = this.boot();
    this.inputs.forEach((e, i) => {
      try { m.inject(e); } catch (err) {
        throw new RecordingDamaged(this.rec.file, `input ${i} of the recording (${e.cause}) cannot be replayed on this board: ${(err as Error).message}`);
      }
    });
    return m;
  }

  /**
   * Fresh machine at the newest usable checkpoint at or before `icount` (or
   * the boot state). A checkpoint is usable when it and every one before it
   * match the chunk hash chain (RecordingReader.checkpoint); at the first
   * that does not, the seek starts from the one before it (or the boot) and
   * says so through onNotice.
   */
  resetTo(icount: number, useCheckpoints = true): void {
    let m = this.fresh();
    this.hash = GENESIS;
    this.chunk = 0;
    this.sinceCheckpoint = new Set();
    const kept = this.kept;
    const checkpointBefore = this.rec.checkpoints.reduce((t, r) => (r.icount <= icount ? r.icount : t), 0);
    if (useCheckpoints && kept && kept.icount <= icount && kept.icount >= checkpointBefore) {
      m.restore(kept.snapshot);
      this.hash = kept.hash;
      this.chunk = kept.chunk;
      this.sinceCheckpoint = new Set(kept.since);
    } else if (useCheckpoints) {
      const isRam = (page: number) => m.bus.isRam((page << 12) >>> 0);
      const refs = this.rec.checkpoints;
      let k = -1;
      while (k + 1 < refs.length && refs[k + 1].icount <= icount) k++;
      while (k >= 0) {
        const ref = refs[k];
        let restored;
        try {
          restored = this.rec.restore(ref, ramPages(m), isRam);
        } catch (e) {
          if (!(e instanceof RecordingDamaged)) throw e;
          // The first damaged checkpoint (this one or one it depends on): start from the one before it.
          let bad = 0;
          while (bad < k && this.rec.checkpointProblem(refs[bad]) === undefined) bad++;
          this.notice(refs[bad], `${this.rec.checkpointProblem(refs[bad]) ?? e.reason}; the replay starts from ${bad > 0 ? `the checkpoint at instruction ${refs[bad - 1].icount}` : 'the boot'} instead`);
          k = bad - 1;
          continue;
        }
        // Each page once, as the checkpoints up to this one leave it.
        for (const [page, bytes] of restored.pages) m.bus.loadBytes((page << 12) >>> 0, bytes);
        try {
          m.restoreState(restored.checkpoint.state as MachineState);
          this.hash = restored.checkpoint.hash;
          this.chunk = restored.checkpoint.chunk;
        } catch (e) {
          this.notice(ref, `the state of the checkpoint at instruction ${ref.icount} cannot be restored (${(e as Error).message}); the replay starts from the boot instead`);
          m = this.fresh();
        }
        break;
      }
    }
    m.bus.clearDirtyPages();
    this.machine = m;
  }

  /**
   * Keeps the machine's state in memory (a snapshot: its CPU, devices and
   * every page it ever wrote, a tenth of a second on a Linux boot), so that
   * seeking back here or a little past (before the next checkpoint) costs a
   * restore instead of a checkpoint and a run from it. Only at a chunk
   * boundary, where the chunk hash holds no pending page; false elsewhere.
   * One state is kept; keeping another replaces it.
   */
  keep(): boolean {
    const c = this.rec.chunks[this.chunk];
    if (!this.machine || !c || c.from !== this.icount || this.machine.bus.peekDirtyPages().length) return false;
    this.kept = { icount: this.icount, snapshot: this.machine.snapshot(), hash: this.hash, chunk: this.chunk, since: [...this.sinceCheckpoint] };
    return true;
  }

  private notice(ref: CheckpointRef, message: string): void {
    if (this.noticed.has(ref.frame.offset)) return;
    this.noticed.add(ref.frame.offset);
    this.damage.push(message);
    this.onNotice?.(message);
  }

  /**
   * Runs to `target` (an instruction count) or until the machine stops,
   * verifying each chunk boundary passed. Restores a checkpoint first when the
   * target is behind the current position. Never runs past the end of the
   * recording's last chunk.
   */
  runTo(target: number): ReplayPosition {
    if (!this.machine || target < this.icount || (target > this.icount && this.resumeUnlikeRecorded())) this.resetTo(target);
    const m = this.machine;
    target = Math.min(target, this.rec.lastIcount);
    let stop: StopReason = { kind: 'limit' };
    for (;;) {
      // A chunk is checked where the recorder hashed it: at its end, before
      // the events due at that tick run.
      const c = this.rec.chunks[this.chunk];
      if (c && this.icount === c.to) {
        // A run that halted was hashed at the halt, after every event of its
        // last tick (entries of the input log included): run them too. A run
        // a device powered off from an event (a PMU's I2C transfer ending)
        // was hashed after that event: run the tick's events up to it.
        if (this.haltsAt(c) && stop.kind !== 'poweroff') stop = m.runUntil(c.to + 1);
        const halted = this.verifyChunk(c, this.mayHaltAt(c));
        if (halted) stop = halted;
        continue;
      }
      if (this.icount >= target) break;
      const until = Math.min(target, c ? c.to : Infinity);
      // To a chunk's end: in the turn of the core it ended in (several cores).
      stop = m.runUntil(until, c && until === c.to ? c.core : undefined);
      // The machine stopped by itself (halt, exit, reset), or an execution hook stopped it.
      if (this.icount < until || stop.kind === 'stopped') break;
    }
    return { icount: this.icount, stop, chunksVerified: this.chunksVerified };
  }

  /**
   * Whether going on from here would not do what the recorded run did: the
   * replay stopped inside a chunk where a core of a recording of format 5
   * or before would look its page up again (Cpu.resumeRefillsFetch). The
   * replay then starts again from a checkpoint (or the state kept) at or
   * before where it is going, and runs there without stopping inside a chunk.
   */
  private resumeUnlikeRecorded(): boolean {
    const c = this.rec.chunks[this.chunk];
    return c !== undefined && this.icount > c.from && this.machine.cpus.some((cpu) => cpu.resumeRefillsFetch);
  }

  /** Whether the recorded run halted (WFI with nothing scheduled) or was powered off at the end of this chunk, its last. */
  private haltsAt(c: { index: number; to: number }): boolean {
    const end = this.rec.end;
    return c.index === this.rec.chunks.length - 1 && end !== undefined && (end.stop.kind === 'idle' || end.stop.kind === 'poweroff') && end.icount === c.to;
  }

  /**
   * Whether the recorded run may have halted at the end of this chunk without
   * the recording saying so: its last chunk, and no end record to tell (a
   * recording cut short, or whose end record was refused).
   */
  private mayHaltAt(c: { index: number; to: number }): boolean {
    return c.index === this.rec.chunks.length - 1 && this.rec.end === undefined;
  }

  /**
   * Checks the chunk's hash. With `mayHalt`, a mismatch may be a run that
   * halted there (hashed after the events of its last tick): the machine
   * runs them, and if it halts at that very tick the hash is taken again
   * (returns the halt). Anything else is a divergence.
   */
  private verifyChunk(c: { index: number; from: number; to: number; hash: string }, mayHalt = false): StopReason | undefined {
    const m = this.machine;
    let state = m.stateSnapshot();
    let actual = chunkHash(this.hash, hashedState(state, this.rec.header.format), m, m.bus.peekDirtyPages());
    let halted: StopReason | undefined;
    if (actual !== c.hash && mayHalt) {
      const first = actual;
      const stop = m.runUntil(c.to + 1);
      if (stop.kind === 'idle' && this.icount === c.to) {
        state = m.stateSnapshot();
        actual = chunkHash(this.hash, hashedState(state, this.rec.header.format), m, m.bus.peekDirtyPages());
        halted = stop;
      }
      if (actual !== c.hash) throw new ReplayDivergence(c.index, c.from, c.to, c.hash, first);
    }
    if (actual !== c.hash) throw new ReplayDivergence(c.index, c.from, c.to, c.hash, actual);
    const dirty = m.bus.takeDirtyPages();
    for (const p of dirty) this.sinceCheckpoint.add(p);
    this.indexOut?.wrote(dirty);
    this.hash = actual;
    this.chunk++;
    this.verified.add(c.index);
    if (this.chunk % this.rec.header.checkpointEvery === 0) {
      if (this.checkCheckpoints) this.compareCheckpoint();
      // Where the recorder took one: never after a run that halted (its last tick's entries are still to come there).
      const haltedHere = halted !== undefined || (this.haltsAt(c) && this.rec.end!.stop.kind === 'idle');
      if (this.indexOut && !haltedHere) this.indexOut.checkpoint(m, { chunk: this.chunk, hash: this.hash, dirty }, canonicalJson(state));
      this.sinceCheckpoint = new Set();
    }
    this.onProgress?.(c.to, this.rec.lastIcount);
    return halted;
  }

  /**
   * At a checkpoint boundary of a verify(): the checkpoint must match the
   * chain and hold exactly the pages the replay wrote since the previous
   * one, with the bytes the replayed machine has now.
   */
  private compareCheckpoint(): void {
    const k = this.rec.checkpoints.findIndex((r) => r.chunk === this.chunk);
    if (k < 0) return; // the file ends before it (a problem the reader reported)
    const ref = this.rec.checkpoints[k];
    const m = this.machine;
    let cp: { pages: Array<{ page: number; bytes: Uint8Array }> };
    const ahead = this.prefetch?.get(k);
    const maxPages = ramPages(m);
    if (ahead && !('damaged' in ahead) && ahead.pages.length <= maxPages && ahead.pages.every((p) => m.bus.isRam((p.page << 12) >>> 0))) cp = ahead;
    else {
      // Damaged, or wrong for this board (or no thread): decoded here, which says how.
      try {
        cp = this.rec.checkpoint(ref, maxPages, (page) => m.bus.isRam((page << 12) >>> 0));
      } catch (e) {
        if (!(e instanceof RecordingDamaged)) throw e;
        (ref.inIndex ? this.indexDamage : this.damage).push(e.reason);
        return;
      }
    }
    const where = `checkpoint at instruction ${ref.icount} (${this.rec.whereCheckpoint(ref)})`;
    const found = ref.inIndex ? this.indexDamage : this.damage;
    const want = [...this.sinceCheckpoint].sort((a, b) => a - b);
    const got = new Set(cp.pages.map((p) => p.page));
    const missing = want.filter((p) => !got.has(p));
    if (missing.length) { found.push(`${where} lacks page 0x${missing[0].toString(16)}, written since the previous checkpoint`); return; }
    for (const p of cp.pages) {
      // Compared in place: neither side is copied.
      if (!Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength).equals(m.bus.ramPage((p.page << 12) >>> 0))) {
        found.push(`${where} holds page 0x${p.page.toString(16)} with bytes the replayed machine does not have`);
        return;
      }
    }
  }

  /**
   * The start of a pass that writes the checkpoint index anew as the replay
   * goes (checkpoints at the same places, the same bytes the recorder
   * wrote), put in place only if the pass passes.
   */
  private startIndex(): void {
    if (!this.rec.checkpointsInIndex) return;
    try {
      this.indexOut = new CheckpointIndexWriter(this.rec.file, this.rec.header);
    } catch (e) {
      if (!(e instanceof RecordingWriteError)) throw e;
      this.indexWritten = { error: e.message };
    }
  }

  /** The end of a verify: the index written in place when `passed`, else dropped. */
  private endIndex(passed: boolean): void {
    const out = this.indexOut;
    this.indexOut = undefined;
    if (!out) return;
    if (!passed) { out.abandon(); return; }
    try {
      out.close();
      this.indexWritten = { file: out.file, checkpoints: out.checkpoints };
    } catch (e) {
      if (!(e instanceof RecordingWriteError)) throw e;
      this.indexWritten = { error: e.message };
    }
  }

  /**
   * Replays the whole run from the boot state, checking every chunk and every
   * checkpoint: the determinism self-check. A recording whose checkpoint
   * index is not complete gets it written as the replay goes; one whose
   * index turned out damaged gets it written by a second replay (the index
   * is a cache: its damage does not fail the verify).
   */
  verify(): ReplayPosition {
    this.indexWritten = undefined;
    const pos = runThrough(this.wholePass(true, this.indexWanted(), Infinity));
    if (this.indexToRewrite()) runThrough(this.wholePass(false, true, Infinity));
    return pos;
  }

  /**
   * verify() in slices, giving the event loop a turn between them (Ctrl-C,
   * a progress line); when `signal` is aborted it stops there and returns
   * undefined, every chunk passed so far having matched.
   */
  async verifyYielding(signal?: AbortSignal, slice = 20_000_000): Promise<ReplayPosition | undefined> {
    this.indexWritten = undefined;
    const pos = await runYielding(this.wholePass(true, this.indexWanted(), slice), signal);
    if (pos && this.indexToRewrite()) await runYielding(this.wholePass(false, true, slice), signal);
    return pos;
  }

  /** Whether a verify writes the checkpoint index as it goes: the recording has one, and it is not complete. */
  private indexWanted(): boolean {
    return this.rec.checkpointsInIndex && !this.rec.indexComplete;
  }

  /** Whether a verify that passed found the checkpoint index damaged without having written it. */
  private indexToRewrite(): boolean {
    return this.rec.checkpointsInIndex && this.indexWritten === undefined && this.indexDamage.length > 0;
  }

  /**
   * A replay of the whole run from the boot, checking checkpoints (`check`)
   * and writing the index (`writeIndex`), `slice` instructions per step of
   * the generator; it returns where the run ended. Abandoned before its end
   * (return()), it drops the index it was writing.
   */
  private *wholePass(check: boolean, writeIndex: boolean, slice: number): Generator<void, ReplayPosition> {
    this.checkCheckpoints = check;
    if (writeIndex) this.startIndex();
    let passed = false;
    try {
      if (check && this.rec.checkpoints.length) this.prefetch = new CheckpointPrefetcher(this.rec);
      this.resetTo(0, false);
      const last = this.rec.lastIcount;
      for (;;) {
        const target = this.sliceEnd(slice);
        const pos = this.runTo(target);
        if (target >= last || pos.icount < target) {
          const done = this.complete(pos);
          passed = true;
          return done;
        }
        yield;
      }
    } finally {
      this.checkCheckpoints = false;
      this.prefetch?.close();
      this.prefetch = undefined;
      this.endIndex(passed);
    }
  }

  /**
   * Where a slice of a whole pass ends: the end of the chunk at least
   * `slice` instructions on (or of the run). Never inside a chunk: in a
   * replay of a recording before format 6 a run stopped and resumed there
   * can leave the TLB unlike the recorded run, which did not stop there
   * (when the MMU replaced its entry for the page being executed, the run
   * loop goes on with the translation it holds, but a run starting looked
   * the page up again and refilled the entry), and the TLB is hashed state.
   */
  private sliceEnd(slice: number): number {
    const at = this.icount + slice;
    const chunks = this.rec.chunks;
    for (let i = this.chunk; i < chunks.length; i++) if (chunks[i].to >= at) return chunks[i].to;
    return this.rec.lastIcount;
  }

  /**
   * The end of a verify: every chunk replayed, and a recording with no
   * damage at all; otherwise a ReplayDivergence (the run went elsewhere) or
   * RecordingDamaged (the file is not intact), never "identical".
   */
  private complete(pos: ReplayPosition): ReplayPosition {
    if (this.chunk !== this.rec.chunks.length) {
      const c = this.rec.chunks[this.chunk];
      throw new ReplayDivergence(this.chunk, c.from, c.to, c.hash, '',
        `the replay diverged from the recording: the machine stopped (${describeStopReason(pos.stop)}) at instruction ${pos.icount}, in chunk ${this.chunk} of ${this.rec.chunks.length}, which the recording has running to ${c.to}`);
    }
    // Records the replay itself does not read: every trace record and embedded image must be intact too.
    const records: string[] = [];
    const check = (fn: () => unknown) => {
      try { fn(); } catch (e) { if (e instanceof RecordingDamaged) records.push(e.reason); else throw e; }
    };
    this.rec.traces.forEach((_f, i) => check(() => this.rec.tracePayload(i)));
    check(() => this.rec.embeddedImages());
    const damage = [...new Set([...this.rec.problems, ...this.damage, ...records])];
    if (damage.length) {
      throw new RecordingDamaged(this.rec.file, `not verified, the recording is damaged: ${damage.join('; ')} ` +
        `(the ${this.chunksVerified} chunk hash(es) of its intact part match the replay)`);
    }
    return pos;
  }

  /** Runs from the current position to the first execution of `address`; returns its instruction count (before it executes). */
  findExecution(address: number, limit = this.rec.lastIcount): number | undefined {
    let found: number | undefined;
    const remove = this.machine.probes.exec.at(address, (cpu) => {
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

  /**
   * Runs from the current position until a core (one of `cores`, default
   * every core) is about to execute an instruction at one of `addresses`
   * for which `accept` holds, and stops there, before that instruction:
   * the core is paused in its turn with its clock where it was (the
   * machine's time; the schedule is not changed). Returns the core, its
   * clock and the address; undefined if no such execution comes by `limit`.
   * This is how a position "core K at this instruction" is reached on
   * several cores, where a time alone may name a point of another core's turn.
   */
  runToExecution(addresses: number[], accept: (cpu: Cpu, core: number, address: number) => boolean = () => true,
    cores?: number[], limit = this.rec.lastIcount): { core: number; icount: number; address: number } | undefined {
    if (!this.machine) this.resetTo(0);
    const m = this.machine;
    let found: { core: number; icount: number; address: number } | undefined;
    const offs: Array<() => void> = [];
    for (const k of cores ?? m.cpus.map((_c, i) => i)) {
      const cpu = m.cpus[k];
      if (!cpu) continue;
      for (const a of new Set(addresses.map((x) => x >>> 0))) {
        offs.push(cpu.execProbe.at(a, (c) => {
          if (found !== undefined || !accept(c, k, a)) return false;
          // The hook runs before the instruction, its tick already counted:
          // give the tick back and stop with the PC still at the instruction.
          c.icount -= 1;
          found = { core: k, icount: c.icount, address: a };
          c.nextPc = a;
          c.stopRequested = true;
          return true;
        }));
      }
    }
    try {
      while (found === undefined && this.icount < limit) {
        const before = this.icount;
        this.runTo(Math.min(limit, before + 10_000_000));
        if (found === undefined && this.icount === before) break;
      }
    } finally {
      for (const off of offs) off();
    }
    return found;
  }

  /**
   * Several cores: the next instruction executed by any core, in the order
   * of the schedule. Returns the core that executed it, or -1 when none did
   * (the machine stopped, or the chunk or recording ended first).
   */
  stepAny(limit = this.rec.lastIcount): number {
    const m = this.machine;
    let core = -1;
    const offs: Array<() => void> = [];
    m.cpus.forEach((cpu, k) => {
      // Where the core's next instruction can be: its PC, an exception vector, its reset vector.
      const base = cpu.vectorBase() >>> 0;
      const at = new Set([cpu.pc >>> 0, m.coreControl.resetVector(k) >>> 0, ...[0x04, 0x08, 0x0c, 0x10, 0x18, 0x1c].map((v) => (base + v) >>> 0)]);
      for (const a of at) {
        offs.push(cpu.execProbe.at(a, (c) => {
          if (core < 0) { core = k; c.stopRequested = true; }
          return false;
        }));
      }
    });
    try {
      const before = this.icount;
      if (before < limit) this.runTo(limit);
    } finally {
      for (const off of offs) off();
    }
    return core;
  }

  /** One instruction (or one tick of an idle CPU); false when the machine cannot advance. */
  step(): boolean {
    const before = this.icount;
    this.runTo(before + 1);
    return this.icount > before;
  }
}

/** Runs a pass to its end at once. */
function runThrough<T>(pass: Generator<void, T>): T {
  for (;;) {
    const r = pass.next();
    if (r.done) return r.value;
  }
}

/** Runs a pass giving the event loop a turn between its slices; stops it (undefined) once `signal` is aborted. */
async function runYielding<T>(pass: Generator<void, T>, signal?: AbortSignal): Promise<T | undefined> {
  for (;;) {
    const r = pass.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) { pass.return(undefined as T); return undefined; }
  }
}

/** The most pages a checkpoint may hold: the board's RAM. */
function ramPages(m: Machine): number {
  return m.board.memory.reduce((n, r) => n + Math.ceil(r.size / 4096), 0);
}
