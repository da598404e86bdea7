/**
 * The thread of chunk-sealer.ts: for each recorder's channel, the chain of
 * chunk hashes and the checkpoint encoder, and for each chunk handed over,
 * its records encoded (chunk, trace, checkpoint), sent back in order.
 */

import { CHECKPOINT_LEVEL, RecordType, encodeRecord, pagesIn, type ChunkRecord } from './format';
import { GENESIS, chainHash } from './state-hash';
import { canonicalJsonOfBinary } from './state-binary';
import { CheckpointEncoder } from './checkpoint-encoder';
import { serveChannels, type Answer } from './side-thread';
import type { ChunkJob, SealedChunk, SealedRecord } from './chunk-sealer';

class Sealing {
  private hash = GENESIS;
  private readonly encoder = new CheckpointEncoder();
  /** The bytes of each page written since the last checkpoint, as the last chunk writing it left them. */
  private readonly latest = new Map<number, Uint8Array>();

  /** A chunk's records, and its page buffer given back to the recorder for a later chunk. */
  answer(job: ChunkJob): Answer {
    const sealed: SealedChunk = { records: this.seal(job), data: job.data };
    return { message: sealed, transfer: [job.data] };
  }

  private seal(job: ChunkJob): SealedRecord[] {
    const pages = pagesIn(job.pages, job.data);
    this.hash = chainHash(this.hash, job.state, pages);
    const c = job.chunk;
    // The record's JSON as JSON.stringify writes a ChunkRecord: its keys in this order.
    const head: Omit<ChunkRecord, 'inputs' | 'console' | 'events'> = { index: c.index, from: c.from, to: c.to, hash: this.hash, ...(c.core !== undefined ? { core: c.core } : {}) };
    const json = `${JSON.stringify(head).slice(0, -1)},${job.rest.slice(1)}`;
    const records: SealedRecord[] = [{ type: RecordType.Chunk, icount: c.from, bytes: encodeRecord(RecordType.Chunk, c.from, Buffer.from(json, 'utf8')), checkpoint: false }];
    if (job.trace) records.push({ type: RecordType.Trace, icount: c.from, bytes: encodeRecord(RecordType.Trace, c.from, job.trace), checkpoint: false });
    this.encoder.wrote(job.pages);
    // Copies: the buffer goes back, and a page's bytes become its stored version at the checkpoint.
    for (const p of pages) this.latest.set(p.page, p.bytes.slice());
    if (job.checkpoint) {
      const { icount } = job.checkpoint;
      // The state in canonical JSON: in format 3 the state hashed is that text; from format 4 on it is read back from the binary form.
      const stateJson = typeof job.state === 'string' ? job.state : canonicalJsonOfBinary(job.state);
      const payload = this.encoder.encode({ chunk: c.index + 1, hash: this.hash, dirty: job.pages }, stateJson, (page) => this.latest.get(page)!);
      this.latest.clear();
      records.push({ type: RecordType.Checkpoint, icount, bytes: encodeRecord(RecordType.Checkpoint, icount, payload, CHECKPOINT_LEVEL), checkpoint: true });
    }
    return records;
  }
}

serveChannels(() => {
  const sealing = new Sealing();
  return (job: ChunkJob) => sealing.answer(job);
});
