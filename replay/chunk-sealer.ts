/**
 * Seals a recorded run's chunks on a thread of their own: the chained chunk
 * hash (sha256 over the state and the pages the chunk wrote), the chunk
 * record's deflated JSON, and at checkpoint boundaries the checkpoint (each
 * page against its stored version, deflated). The recorder hands over, at
 * each chunk boundary, what only the running machine can give (the state as
 * hashed, a copy of the pages written) and writes the sealed records it gets
 * back, in the order of the chunks, itself: every write to the recording
 * stays on the recorder's thread, as do its failures.
 *
 * Why a thread: those computations were most of what recording added to a
 * run (a Linux boot writes about 190 MB of pages in 922 chunks; their hashes,
 * the checkpoints' encoding and deflating took about a seventh of the run's
 * time), and none of it has to hold the machine up.
 *
 * One thread serves every recorder of the process (it is started with the
 * first and does not keep the process alive); each recorder talks to it over
 * a channel of its own, and collects its results synchronously
 * (receiveMessageOnPort), so that a run that never gives the event loop a
 * turn records as well as one that does.
 */

import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ChunkRecord, RecordType } from './format';

/** A chunk as the recorder hands it over. */
export interface ChunkJob {
  /** The chunk record's fields before its hash, which the thread computes. */
  chunk: Pick<ChunkRecord, 'index' | 'from' | 'to' | 'core'>;
  /**
   * The JSON of the fields after it, `{"inputs":…,"console":…,"events":…}`:
   * text crosses to the thread as one copy, where the same lists as objects
   * would be cloned piece by piece.
   */
  rest: string;
  /** The machine's state as hashed (hashedState), a copy. */
  state: string | Uint8Array;
  /** The pages the chunk wrote, in the order the hash takes them; their bytes begin `data`, 4096 each in that order (pageBuffer). */
  pages: number[];
  data: ArrayBuffer;
  /** The trace record's payload (a full trace), if any. */
  trace?: Uint8Array;
  /** A checkpoint at the chunk's end: its time and the state in canonical JSON. */
  checkpoint?: { icount: number; stateJson: string };
}

/** What the thread gives back for a chunk: its records, encoded, to be written in this order. */
export interface SealedRecord {
  type: RecordType;
  icount: number;
  bytes: Uint8Array;
  /** A checkpoint: it goes where the recording keeps its checkpoints (the recording, or its index). */
  checkpoint: boolean;
}

/** The thread's answer to a chunk: its records and, given back, the buffer its pages came in. */
export type SealedChunk = { records: SealedRecord[]; data: ArrayBuffer } | { error: string };

const PAGE = 4096;

/** Page buffers kept for reuse: enough for the chunks that can be outstanding at once. */
const SPARE_BUFFERS = 16;

/** How long a recorder waits for an answer before it gives up on the thread. */
const STALL_MS = 120_000;

let thread: Worker | undefined;
/** Why the thread ended, when it did. */
let threadEnded: string | undefined;

function sealerThread(): Worker {
  if (thread === undefined) {
    const t = new Worker(path.join(__dirname, 'chunk-sealer-thread.js'));
    t.unref();
    t.on('error', (e) => { threadEnded = e.stack ?? String(e); });
    t.on('exit', (code) => {
      threadEnded ??= `it exited with code ${code}`;
      if (thread === t) thread = undefined;
    });
    thread = t;
    threadEnded = undefined;
  }
  return thread;
}

export class ChunkSealer {
  private readonly port: MessagePort;
  /** How many answers the thread has sent on this channel (it wakes a recorder waiting on it). */
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));
  private posted = 0;
  private received = 0;
  private closed = false;
  /**
   * Page buffers the thread gave back, for the next chunks: memory freshly
   * allocated for every chunk costs the host a page fault per 4 KiB touched,
   * several times what copying the pages into it does.
   */
  private readonly spare: ArrayBuffer[] = [];

  constructor() {
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    sealerThread().postMessage({ port: port2, answered: this.answered }, [port2]);
    this.port = port1;
  }

  /** Chunks handed over and not answered yet. */
  get outstanding(): number { return this.posted - this.received; }

  /** A buffer for the bytes of `pages` pages (ChunkJob.data). */
  pageBuffer(pages: number): Uint8Array {
    const k = this.spare.findIndex((b) => b.byteLength >= pages * PAGE);
    // Room to spare, so that a buffer serves the next chunks too.
    const buffer = k >= 0 ? this.spare.splice(k, 1)[0] : new ArrayBuffer(Math.max(64, pages + (pages >> 2)) * PAGE);
    return new Uint8Array(buffer);
  }

  /** Hands a chunk over; `job.data` is moved to the thread (unusable here afterwards). */
  seal(job: ChunkJob): void {
    const transfer: ArrayBuffer[] = [job.data];
    if (job.state instanceof Uint8Array) transfer.push(job.state.buffer as ArrayBuffer);
    this.port.postMessage(job, transfer);
    this.posted++;
  }

  /**
   * The records of the chunks answered so far, in order; waits until no more
   * than `outstanding` chunks are left unanswered (0: all of them). Throws
   * when the thread failed.
   */
  take(outstanding = Infinity): SealedRecord[] {
    const records: SealedRecord[] = [];
    let waitedSince: number | undefined;
    for (;;) {
      for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
        this.received++;
        const answer = m.message as SealedChunk;
        if ('error' in answer) throw new Error(`sealing a recorded chunk failed: ${answer.error}`);
        for (const r of answer.records) records.push(r);
        if (this.spare.length < SPARE_BUFFERS) this.spare.push(answer.data);
      }
      if (this.outstanding <= outstanding) return records;
      const seen = Atomics.load(this.answered, 0);
      if (seen !== this.received) { waitedSince = undefined; continue; }
      // How long the thread has not answered: a wait for many slow chunks that keep coming is no stall.
      waitedSince ??= Date.now();
      if (Date.now() - waitedSince > STALL_MS) {
        throw new Error(`the thread sealing recorded chunks has not answered for ${STALL_MS / 1000} s${threadEnded ? ` (${threadEnded})` : ''}`);
      }
      Atomics.wait(this.answered, 0, seen, 100);
    }
  }

  /** Ends the channel, on both sides (what is still outstanding is dropped). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
  }
}
