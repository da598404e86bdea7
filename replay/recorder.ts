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
import * as fs from 'node:fs';
import {
  INDEX_MAGIC, PAGE_BYTES, RecordType, indexFileOf,
  type ConsoleEntry, type IndexHeader, type RecordingHeader, type RunEvent,
} from './format';
import { hashedState } from './state-hash';
import { ChunkSealer, type SealedRecord } from './chunk-sealer';
import { RecordingWriteError, RecordingWriter } from './writer';
import { TraceCollector } from './trace';

export const VECTOR_NAMES: Record<number, string> = {
  0x00: 'reset', 0x04: 'undefined', 0x08: 'svc', 0x0c: 'prefetch-abort', 0x10: 'data-abort', 0x18: 'irq', 0x1c: 'fiq',
};

/**
 * The most chunks handed to the sealing thread and not written yet: the
 * recording on disk lags the run by no more than these (what a killed run
 * loses), and a thread slower than the run holds the run back here. The
 * Linux boot's heaviest stretch (about 15,000 pages written in 7 chunks, each
 * page deflated into a checkpoint) put the thread more than 4 chunks behind.
 */
const MAX_OUTSTANDING = 8;

export interface RunSummary { verdict: string; stop: { kind: string; code?: number; by?: string }; icount: number }

export class Recorder {
  readonly writer: RecordingWriter;
  /** Where checkpoints go: the recording itself, or (checkpoints "index") the side file FILE.idx. */
  readonly checkpointWriter: RecordingWriter;
  readonly header: RecordingHeader;
  readonly interval: number;
  private machine!: Machine;
  /** Hashes the chunks and encodes their records and the checkpoints (chunk-sealer.ts). */
  private readonly sealer: ChunkSealer;
  private chunkIndex = 0;
  private chunkFrom = 0;
  private inputs: unknown[] = [];
  private consoleOut: ConsoleEntry[] = [];
  private events: RunEvent[] = [];
  private trace: TraceCollector | undefined;
  private ended = false;
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
    this.sealer = new ChunkSealer();
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
      this.writeSealed(0);
      this.write(() => this.writer.json(RecordType.End, this.machine.now(), {
        icount: this.machine.now(), verdict: result.verdict, stop: result.stop, pc: this.machine.cpu.pc >>> 0,
        index: this.writer.index.slice(),
      }));
    }
    this.sealer.close();
    this.write(() => this.writer.close());
    this.write(() => this.checkpointWriter.close());
  }

  /** Writes the chunks still being sealed and closes the files: a run that ended without end(). */
  closeFile(): void {
    if (!this.writeError) this.writeSealed(0);
    this.sealer.close();
    this.writer.close();
    this.checkpointWriter.close();
  }

  /**
   * Writes the records of the chunks sealed so far, in order, waiting until
   * no more than `outstanding` chunks are still being sealed.
   */
  private writeSealed(outstanding: number): void {
    for (const r of this.sealer.take(outstanding)) {
      const writer = r.checkpoint ? this.checkpointWriter : this.writer;
      this.write(() => writer.raw(r.type, r.icount, bytesOf(r)));
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
      this.sealer.close();
      try { this.writer.close(); } catch { /* the first failure is the one reported */ }
      try { this.checkpointWriter.close(); } catch { /* as above */ }
    }
  }

  /**
   * A chunk's end: what the chunk hash and a checkpoint need of the machine
   * (the state as hashed, a copy of each page the chunk wrote) goes to the
   * sealing thread, with the chunk's record but its hash.
   */
  private flushChunk(checkpoint = true): void {
    if (this.writeError) return;
    const m = this.machine;
    const to = m.now();
    const pages = m.bus.takeDirtyPages();
    const data = this.sealer.pageBuffer(pages.length);
    pages.forEach((page, k) => data.set(m.bus.ramPage((page << 12) >>> 0), k * PAGE_BYTES));
    const state = m.stateSnapshot();
    const hashed = hashedState(state, this.header.format);
    const index = this.chunkIndex;
    this.chunkIndex++;
    const checkpointHere = checkpoint && this.chunkIndex % this.header.checkpointEvery === 0;
    this.sealer.seal({
      chunk: {
        index, from: this.chunkFrom, to,
        ...(m.pausedCore !== undefined ? { core: m.pausedCore } : {}),
      },
      rest: JSON.stringify({ inputs: this.inputs, console: this.consoleOut, events: this.events }),
      // A copy: the binary form is reused by the next call.
      state: typeof hashed === 'string' ? hashed : new Uint8Array(hashed),
      pages, data: data.buffer as ArrayBuffer,
      trace: this.trace?.take(),
      ...(checkpointHere ? { checkpoint: { icount: to } } : {}),
    });
    this.chunkFrom = to;
    this.inputs = [];
    this.consoleOut = [];
    this.events = [];
    this.writeSealed(MAX_OUTSTANDING);
  }
}

/** A sealed record's bytes as a Buffer (a message between threads delivers a plain Uint8Array). */
function bytesOf(r: SealedRecord): Buffer {
  return Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
}

/**
 * Whether `file` is a regular file or does not exist yet: not a device, a
 * pipe, a folder, nor a link (/dev/stdout is one, to whatever stdout is:
 * its index would land in /dev).
 */
function isRegularOrAbsent(file: string): boolean {
  try { return fs.lstatSync(file).isFile(); } catch { return true; }
}
