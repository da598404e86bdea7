/**
 * Decodes a recording's checkpoints ahead of a verify, on a thread of its own
 * (side-thread.ts): a verify compares the pages of every checkpoint with
 * the replayed machine's, and decoding them (inflating the record, each page
 * against its stored version, the state checked against the chunk hash
 * chain) was most of what a verify of a Linux boot did besides replaying it.
 * The thread opens the same bytes the verify's reader has and decodes the
 * next checkpoints while the machine replays up to them; the verify then
 * only compares.
 *
 * The thread knows nothing of the board: a checkpoint it finds damaged, or
 * one holding more pages than the board's RAM or a page that is not RAM, is
 * not described from here: the verify decodes it itself
 * (RecordingReader.checkpoint), which says what is wrong exactly as a verify
 * without the thread does.
 */

import { pagesIn } from './format';
import type { RecordingReader } from './reader';
import { SideChannel } from './side-thread';

/** What the thread is opened with: the recording's bytes. */
export interface PrefetchOpen {
  file: string;
  recording: Uint8Array;
  index: Uint8Array | undefined;
}

/** A checkpoint decoded: its pages, their bytes in `data` at 4096 each in that order; or damaged. */
export type PrefetchedCheckpoint = { k: number; pages: number[]; data: ArrayBuffer } | { k: number; damaged: true };

const isShared = (b: Uint8Array): boolean => b.buffer instanceof SharedArrayBuffer;

/**
 * Bytes for the thread: shared memory as it is (RecordingReader.open reads
 * files into it), anything else copied (a Buffer may sit in a larger pool)
 * to be moved there.
 */
const forThread = (b: Uint8Array): Uint8Array => (isShared(b) ? b : Uint8Array.prototype.slice.call(b));

/** Checkpoints decoded before they are asked for: a Linux boot's first hold some MB of pages each. */
const AHEAD = 2;

export class CheckpointPrefetcher {
  private readonly channel: SideChannel;
  /** Checkpoints asked of the thread (the first `requested` of the recording's). */
  private requested = 0;
  private readonly count: number;

  /** Starts decoding `rec`'s checkpoints (before the replay's machine is booted: the thread takes a moment to start). */
  constructor(rec: RecordingReader) {
    const { recording, index } = rec.contents();
    const open: PrefetchOpen = { file: rec.file, recording: forThread(recording), index: index && forThread(index) };
    const moved = [open.recording, open.index].filter((b) => b && !isShared(b)).map((b) => b!.buffer as ArrayBuffer);
    this.channel = new SideChannel('checkpoint-prefetch-thread.js', 'decoding checkpoints for the verify', open, moved);
    this.count = rec.checkpoints.length;
    this.ask(-1);
  }

  /**
   * The `k`-th checkpoint of the recording, decoded; asked for in increasing
   * `k` (answers for checkpoints skipped are dropped).
   */
  get(k: number): { pages: Array<{ page: number; bytes: Uint8Array }> } | { damaged: true } {
    this.ask(k);
    for (;;) {
      const a = this.channel.next() as PrefetchedCheckpoint;
      if (a.k < k) continue;
      if ('damaged' in a) return a;
      return { pages: pagesIn(a.pages, a.data) };
    }
  }

  /** Asks for the checkpoints up to `k` and those ahead of it that are not asked for yet. */
  private ask(k: number): void {
    for (; this.requested < Math.min(this.count, k + 1 + AHEAD); this.requested++) this.channel.post(this.requested);
  }

  close(): void {
    this.channel.close();
  }
}
