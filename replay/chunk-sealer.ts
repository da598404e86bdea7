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
 * The thread is side-thread.ts's kind: one per process, a channel per
 * recorder, answers collected synchronously.
 */

import { PAGE_BYTES, type ChunkRecord, type RecordType } from './format';
import { SideChannel } from './side-thread';

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
  /** A checkpoint at the chunk's end, at this time; its state JSON is written from `state`. */
  checkpoint?: { icount: number };
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
export interface SealedChunk { records: SealedRecord[]; data: ArrayBuffer }

/** Page buffers kept for reuse: enough for the chunks that can be outstanding at once. */
const SPARE_BUFFERS = 16;

export class ChunkSealer {
  private readonly channel = new SideChannel('chunk-sealer-thread.js', 'sealing recorded chunks');
  private posted = 0;
  private received = 0;
  /**
   * Page buffers the thread gave back, for the next chunks: memory freshly
   * allocated for every chunk costs the host a page fault per 4 KiB touched,
   * several times what copying the pages into it does. A buffer is made
   * with room for twice the pages asked for: memory never written costs
   * nothing, and a later chunk that writes more pages fits in it.
   */
  private readonly spare: ArrayBuffer[] = [];

  /** Chunks handed over and not answered yet. */
  get outstanding(): number { return this.posted - this.received; }

  /** A buffer for the bytes of `pages` pages (ChunkJob.data). */
  pageBuffer(pages: number): Uint8Array {
    // The smallest that will do, keeping the bigger ones for the chunks that need them.
    let k = -1;
    this.spare.forEach((b, i) => { if (b.byteLength >= pages * PAGE_BYTES && (k < 0 || b.byteLength < this.spare[k].byteLength)) k = i; });
    // Room to spare, so that a buffer serves the next chunks too.
    const buffer = k >= 0 ? this.spare.splice(k, 1)[0] : new ArrayBuffer(Math.max(64, 2 * pages) * PAGE_BYTES);
    return new Uint8Array(buffer);
  }

  /** Hands a chunk over; `job.data` is moved to the thread (unusable here afterwards). */
  seal(job: ChunkJob): void {
    const transfer: ArrayBuffer[] = [job.data];
    if (job.state instanceof Uint8Array) transfer.push(job.state.buffer as ArrayBuffer);
    this.channel.post(job, transfer);
    this.posted++;
  }

  /**
   * The records of the chunks answered so far, in order; waits until no more
   * than `outstanding` chunks are left unanswered (0: all of them). Throws
   * when the thread failed.
   */
  take(outstanding = Infinity): SealedRecord[] {
    const records: SealedRecord[] = [];
    const collect = (answer: SealedChunk) => {
      this.received++;
      for (const r of answer.records) records.push(r);
      this.spare.push(answer.data);
      // Too many: the smallest goes.
      if (this.spare.length > SPARE_BUFFERS) this.spare.splice(this.spare.reduce((m, b, i, all) => (b.byteLength < all[m].byteLength ? i : m), 0), 1);
    };
    for (let a = this.channel.poll(); a !== undefined; a = this.channel.poll()) collect(a as SealedChunk);
    while (this.outstanding > outstanding) collect(this.channel.next() as SealedChunk);
    return records;
  }

  /** Ends the channel, on both sides (what is still outstanding is dropped). */
  close(): void {
    this.channel.close();
  }
}
