/**
 * Records a run as it happens: the input log, console output, observable
 * events, a chained state hash per chunk of execution, incremental
 * checkpoints and (optionally) the instruction trace. It is a run observer:
 * the scenario runner calls it at every chunk boundary (or every instruction
 * for a full trace) and at the end.
 */

import type { Machine } from '../machine/machine';
import { MODE_NAMES } from '../machine/cpu/modes';
import { injectionToJson } from '../machine/injections';
import * as zlib from 'node:zlib';
import * as fs from 'node:fs';
import {
  CHECKPOINT_LEVEL, INDEX_MAGIC, RecordType, encodeJson, encodeRecord, frameRecord, indexFileOf,
  type ChunkRecord, type ConsoleEntry, type IndexHeader, type RecordingHeader, type RunEvent,
} from './format';
import { GENESIS, canonicalJson, chunkHash, hashedState } from './state-hash';
import { CheckpointEncoder } from './checkpoint-encoder';
import { RecordingWriteError, RecordingWriter } from './writer';
import { TraceCollector } from './trace';

export const VECTOR_NAMES: Record<number, string> = {
  0x00: 'reset', 0x04: 'undefined', 0x08: 'svc', 0x0c: 'prefetch-abort', 0x10: 'data-abort', 0x18: 'irq', 0x1c: 'fiq',
};

/**
 * The most bytes of records kept waiting behind checkpoints being deflated
 * in the background (then the first is deflated in place): while the
 * engine's compiler threads keep the other core busy, a deflate can wait
 * for its thread for a second or more.
 */
const MAX_PENDING_BYTES = 16 << 20;

/** A record waiting to be written to `writer`: its bytes, or (a checkpoint still being deflated) its payload. */
interface PendingRecord { writer: RecordingWriter; type: RecordType; icount: number; bytes?: Buffer; payload?: Uint8Array }

export interface RunSummary { verdict: string; stop: { kind: string; code?: number; by?: string }; icount: number }

export class Recorder {
  readonly writer: RecordingWriter;
  /** Where checkpoints go: the recording itself, or (checkpoints "index") the side file FILE.idx. */
  readonly checkpointWriter: RecordingWriter;
  readonly header: RecordingHeader;
  readonly interval: number;
  private machine!: Machine;
  private hash = GENESIS;
  private chunkIndex = 0;
  private chunkFrom = 0;
  private inputs: unknown[] = [];
  private consoleOut: ConsoleEntry[] = [];
  private events: RunEvent[] = [];
  private readonly checkpoints = new CheckpointEncoder();
  private trace: TraceCollector | undefined;
  private ended = false;
  /**
   * Set by a caller that gives the event loop turns while the run goes on
   * (runScenarioYielding): checkpoints are then deflated on a worker thread
   * of libuv's pool while the machine runs. A record made while one is
   * being deflated waits behind it, so that the file's order stays the
   * same; `pending` is what waits.
   */
  deflateInBackground = false;
  private readonly pending: PendingRecord[] = [];
  /** The size of what waits: the records' bytes, the checkpoints' payloads. */
  private pendingBytes = 0;
  /** Unsubscribes from the machine's probes. */
  private readonly unsubscribe: Array<() => void> = [];
  /**
   * The first write that failed: recording stops there (the file keeps the
   * records before it) and the run goes on; whoever runs it reports this.
   */
  writeError: RecordingWriteError | undefined;

  constructor(file: string, header: RecordingHeader) {
    // A recording written to a device or a pipe has no place beside it for an index.
    if (header.checkpoints === 'index' && !isRegularOrAbsent(file)) header = { ...header, checkpoints: 'inline' };
    this.header = header;
    this.writer = new RecordingWriter(file);
    this.checkpointWriter = this.writer;
    try {
      this.writer.json(RecordType.Header, 0, header);
      if (header.checkpoints === 'index') {
        // Made now, so that an index left by an earlier recording of the same name is replaced at once.
        this.checkpointWriter = new RecordingWriter(indexFileOf(file), { magic: INDEX_MAGIC });
        const head: IndexHeader = { recording: header.uuid, checkpointEvery: header.checkpointEvery };
        this.checkpointWriter.json(RecordType.IndexHeader, 0, head);
      }
    } catch (e) {
      this.writer.close();
      this.checkpointWriter.close();
      throw e;
    }
    this.interval = header.trace === 'full' ? 1 : header.chunkInstructions;
  }

  get file(): string { return this.writer.file; }

  start(machine: Machine): void {
    this.machine = machine;
    this.chunkFrom = machine.now();
    machine.bus.clearDirtyPages();
    const probes = machine.probes;
    // On several cores every event names the core it happened on.
    const several = machine.cpus.length > 1;
    this.unsubscribe.push(probes.injection.subscribe((e) => { this.inputs.push(injectionToJson(e)); }));
    if (this.header.trace !== 'off') {
      machine.cpus.forEach((cpu, k) => {
        this.unsubscribe.push(cpu.exceptionProbe.subscribe((vector, pc, mode) => {
          const ev: RunEvent = { icount: machine.now(), kind: 'exception', vector: VECTOR_NAMES[vector] ?? String(vector), pc, mode: MODE_NAMES[mode] ?? String(mode) };
          // Hypercall arguments: the ABI passes them in r0-r3 and the number in r7 (docs/hypercalls.md).
          if (vector === 0x08) ev.regs = [cpu.r[0] >>> 0, cpu.r[1] >>> 0, cpu.r[2] >>> 0, cpu.r[3] >>> 0, cpu.r[7] >>> 0];
          if (several) ev.core = k;
          this.events.push(ev);
        }));
      });
      this.unsubscribe.push(probes.mmioWrite.subscribe((address, size, value) => {
        const ev: RunEvent = { icount: machine.now(), kind: 'mmio', address, size, value: value >>> 0 };
        if (several) ev.core = machine.currentCore();
        this.events.push(ev);
      }));
    }
    if (this.header.trace === 'full') this.trace = new TraceCollector(machine);
  }

  /** Stops observing the machine (what was collected so far can still be written). */
  private detach(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.trace?.close();
  }

  console(device: string, data: Uint8Array, icount: number): void {
    if (this.writeError) return;
    const last = this.consoleOut[this.consoleOut.length - 1];
    const text = Buffer.from(data).toString('latin1');
    // On several cores the entry names the core the machine was serving (machine.currentCore()).
    const core = this.machine && this.machine.cpus.length > 1 ? this.machine.currentCore() : undefined;
    if (last && last.device === device && last.icount === icount && last.core === core) last.text += text;
    else this.consoleOut.push(core === undefined ? { device, icount, text } : { device, icount, text, core });
  }

  step(machine: Machine): void {
    if (this.writeError) return;
    this.trace?.step();
    if (machine.now() - this.chunkFrom >= this.header.chunkInstructions) this.flushChunk();
  }

  /** Ends the recording: the last partial chunk, then the end record with an index of every record. */
  end(result: RunSummary): void {
    if (this.ended) return;
    this.ended = true;
    this.detach();
    if (this.machine && !this.writeError) {
      // A halt comes after every event of its tick: its state is hashed, but no
      // checkpoint is taken there (a checkpoint's entries at its tick are still to come).
      const halted = result.stop.kind === 'idle';
      if (this.machine.now() > this.chunkFrom || this.chunkIndex === 0 || this.inputs.length || this.consoleOut.length || halted) this.flushChunk(!halted);
      this.drain(true);
      this.write(() => this.writer.json(RecordType.End, this.machine.now(), {
        icount: this.machine.now(), verdict: result.verdict, stop: result.stop, pc: this.machine.cpu.pc >>> 0,
        index: this.writer.index.slice(),
      }));
    }
    this.write(() => this.writer.close());
    this.write(() => this.checkpointWriter.close());
  }

  /** Writes what waits (deflating now what is still being deflated) and closes the files: a run that ended without end(). */
  closeFile(): void {
    this.drain(true);
    this.writer.close();
    this.checkpointWriter.close();
  }

  /**
   * A record for `writer` (the recording unless told): written now, or
   * queued behind a checkpoint for the same file still being deflated (the
   * queue holds only the index's records when checkpoints go to an index).
   */
  private record(type: RecordType, icount: number, bytes: Buffer, writer = this.writer): void {
    if (this.pending.length === 0 || this.pending[0].writer !== writer) {
      this.write(() => writer.raw(type, icount, bytes));
      return;
    }
    this.pending.push({ writer, type, icount, bytes });
    this.pendingBytes += bytes.length;
    // Records are not held back without bound: behind a slow deflate the queue is emptied here.
    if (this.pendingBytes > MAX_PENDING_BYTES) this.drain(true);
  }

  /**
   * Writes the records waiting, in order, up to the first still being
   * deflated; with `now`, deflates that one here and goes on to the end.
   */
  private drain(now: boolean): void {
    while (this.pending.length) {
      const p = this.pending[0];
      if (p.bytes === undefined) {
        if (!now) return;
        p.bytes = encodeRecord(p.type, p.icount, p.payload!, CHECKPOINT_LEVEL);
      }
      this.pending.shift();
      this.pendingBytes -= p.payload?.length ?? p.bytes.length;
      this.write(() => p.writer.raw(p.type, p.icount, p.bytes!));
    }
  }

  /** A write to the file; the first failure is kept in writeError and ends the recording. */
  private write(fn: () => void): void {
    if (this.writeError) return;
    try {
      fn();
    } catch (e) {
      if (!(e instanceof RecordingWriteError)) throw e;
      this.writeError = e;
      this.detach();
      this.trace = undefined;
      try { this.writer.close(); } catch { /* the first failure is the one reported */ }
      try { this.checkpointWriter.close(); } catch { /* as above */ }
    }
  }

  private flushChunk(checkpoint = true): void {
    if (this.writeError) return;
    const m = this.machine;
    const to = m.now();
    const pages = m.bus.takeDirtyPages();
    this.checkpoints.wrote(pages);
    const state = m.stateSnapshot();
    this.hash = chunkHash(this.hash, hashedState(state, this.header.format), m, pages);
    const chunk: ChunkRecord = {
      index: this.chunkIndex, from: this.chunkFrom, to, hash: this.hash,
      ...(m.pausedCore !== undefined ? { core: m.pausedCore } : {}),
      inputs: this.inputs, console: this.consoleOut, events: this.events,
    };
    this.record(RecordType.Chunk, this.chunkFrom, encodeJson(RecordType.Chunk, this.chunkFrom, chunk));
    const trace = this.trace?.take();
    if (trace) this.record(RecordType.Trace, this.chunkFrom, encodeRecord(RecordType.Trace, this.chunkFrom, trace));
    this.chunkIndex++;
    this.chunkFrom = to;
    this.inputs = [];
    this.consoleOut = [];
    this.events = [];
    if (checkpoint && this.chunkIndex % this.header.checkpointEvery === 0) this.checkpoint(canonicalJson(state), pages);
  }

  /**
   * A checkpoint at a chunk boundary: the state (as hashed), the pages
   * written since the previous one, and which of them the last chunk wrote
   * (so that a reader can check it against that chunk's hash).
   */
  private checkpoint(stateJson: string, dirty: number[]): void {
    const m = this.machine;
    const payload = this.checkpoints.encode(m, { chunk: this.chunkIndex, hash: this.hash, dirty }, stateJson);
    const icount = m.now();
    const writer = this.checkpointWriter;
    if (!this.deflateInBackground) {
      this.record(RecordType.Checkpoint, icount, encodeRecord(RecordType.Checkpoint, icount, payload, CHECKPOINT_LEVEL), writer);
      return;
    }
    const entry: PendingRecord = { writer, type: RecordType.Checkpoint, icount, payload };
    this.pending.push(entry);
    this.pendingBytes += payload.length;
    // Output room for the whole result: zlib's asynchronous form otherwise comes back to
    // this thread for every 16 KiB it writes, and this thread turns the event loop only
    // every few tens of milliseconds.
    const chunkSize = payload.length + (payload.length >> 8) + 1024;
    zlib.deflateRaw(payload, { level: CHECKPOINT_LEVEL, chunkSize }, (err, stored) => {
      // Written already (drain deflated it itself), or failed (drain will).
      if (entry.bytes !== undefined || err) return;
      entry.bytes = frameRecord(entry.type, entry.icount, stored);
      this.drain(false);
    });
  }
}

/**
 * Whether `file` is a regular file or does not exist yet: not a device, a
 * pipe, a folder, nor a link (/dev/stdout is one, to whatever stdout is:
 * its index would land in /dev).
 */
function isRegularOrAbsent(file: string): boolean {
  try { return fs.lstatSync(file).isFile(); } catch { return true; }
}
