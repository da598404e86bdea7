/**
 * Makes the payloads of a run's checkpoints (docs/recording-format.md,
 * Checkpoints): the state, and every page written since the previous
 * checkpoint, each stored against the version the last checkpoint holding it
 * stored (unchanged, XOR or literal), as a reader decodes it. One encoder per
 * sequence of checkpoints: the recorder's, or that of a verify writing a
 * checkpoint index anew; both give the same bytes for the same run.
 */

import type { Machine } from '../machine/machine';
import { encodeCheckpoint, storePage, type CheckpointHead } from './format';
import { pageBytes } from './state-hash';

export class CheckpointEncoder {
  /** Pages written since the last checkpoint. */
  private readonly since = new Set<number>();
  /** Each page's stored version: its bytes as the last checkpoint holding it stored them. */
  private readonly stored = new Map<number, Uint8Array>();

  /** The pages a chunk just ended wrote. */
  wrote(pages: Iterable<number>): void {
    for (const p of pages) this.since.add(p);
  }

  /** The payload of a checkpoint of machine `m` here: `head`, the state (as hashed, in canonical JSON) and the pages written since the last one. */
  encode(m: Machine, head: CheckpointHead, stateJson: string): Buffer {
    const pages = [...this.since].sort((a, b) => a - b).map((page) => {
      const now = pageBytes(m, page);
      const stored = storePage(page, now, this.stored.get(page));
      this.stored.set(page, now);
      return stored;
    });
    this.since.clear();
    return encodeCheckpoint(head, stateJson, pages);
  }
}
