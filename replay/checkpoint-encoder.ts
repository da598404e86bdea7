/**
 * Makes the payloads of a run's checkpoints (docs/recording-format.md,
 * Checkpoints): the state, and every page written since the previous
 * checkpoint, each stored against the version the last checkpoint holding it
 * stored (unchanged, XOR or literal), as a reader decodes it. One encoder per
 * sequence of checkpoints: the recording's (chunk-sealer-thread.ts), or
 * that of a verify writing a checkpoint index anew; both give the same bytes
 * for the same run.
 */

import { encodeCheckpoint, storePage, type CheckpointHead } from './format';

/**
 * The bytes of a page now, as a copy the encoder may keep (it becomes the
 * page's stored version, compared against at the next checkpoint).
 */
export type PageCopy = (page: number) => Uint8Array;

export class CheckpointEncoder {
  /** Pages written since the last checkpoint. */
  private readonly since = new Set<number>();
  /** Each page's stored version: its bytes as the last checkpoint holding it stored them. */
  private readonly stored = new Map<number, Uint8Array>();

  /** The pages a chunk just ended wrote. */
  wrote(pages: Iterable<number>): void {
    for (const p of pages) this.since.add(p);
  }

  /** The payload of a checkpoint here: `head`, the state (as hashed, in canonical JSON) and the pages written since the last one, read with `copyOf`. */
  encode(head: CheckpointHead, stateJson: string, copyOf: PageCopy): Buffer {
    const pages = [...this.since].sort((a, b) => a - b).map((page) => {
      const now = copyOf(page);
      const stored = storePage(page, now, this.stored.get(page));
      this.stored.set(page, now);
      return stored;
    });
    this.since.clear();
    return encodeCheckpoint(head, stateJson, pages);
  }
}
