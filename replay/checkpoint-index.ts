/**
 * Writes a recording's checkpoint index anew (the side file FILE.idx of a
 * recording whose checkpoints are kept there): `replay --verify` replays the
 * whole run from the boot and takes a checkpoint wherever the recorder took
 * one, so a missing, stale or damaged index is rebuilt by a verify. The file
 * is written beside its final name and renamed over it at the end: a failed
 * or interrupted verify leaves the old index (or none) as it was.
 */

import type { Machine } from '../machine/machine';
import { CHECKPOINT_LEVEL, INDEX_MAGIC, RecordType, indexFileOf, type CheckpointHead, type IndexHeader, type RecordingHeader } from './format';
import { CheckpointEncoder } from './checkpoint-encoder';
import { pageBytes } from './state-hash';
import { RecordingWriter } from './writer';

export class CheckpointIndexWriter {
  readonly file: string;
  private readonly writer: RecordingWriter;
  private readonly encoder = new CheckpointEncoder();
  /** Checkpoints written so far. */
  checkpoints = 0;

  /** Starts the index of `recording` (throws RecordingWriteError when it cannot be created). */
  constructor(recording: string, header: RecordingHeader) {
    this.file = indexFileOf(recording);
    this.writer = new RecordingWriter(this.file, { atomic: true, magic: INDEX_MAGIC });
    const head: IndexHeader = { recording: header.uuid, checkpointEvery: header.checkpointEvery };
    try { this.writer.json(RecordType.IndexHeader, 0, head); } catch (e) { this.writer.abandon(); throw e; }
  }

  /** The pages a chunk just replayed wrote. */
  wrote(pages: Iterable<number>): void { this.encoder.wrote(pages); }

  /** A checkpoint of `m` at a checkpoint boundary (the end of chunk head.chunk - 1). */
  checkpoint(m: Machine, head: CheckpointHead, stateJson: string): void {
    this.writer.binary(RecordType.Checkpoint, m.now(), this.encoder.encode(head, stateJson, (page) => pageBytes(m, page)), CHECKPOINT_LEVEL);
    this.checkpoints++;
  }

  /** Puts the index in place. */
  close(): void { this.writer.close(); }

  /** Gives up: the index written so far is removed, the one in place stays. */
  abandon(): void { this.writer.abandon(); }
}
