/**
 * The thread of checkpoint-prefetch.ts: for each verify's channel, a reader
 * of the recording's bytes; for each checkpoint asked for (by its place
 * among the recording's), its pages decoded and checked as
 * RecordingReader.checkpoint decodes and checks them (against no board).
 */

import { PAGE_BYTES } from './format';
import { RecordingDamaged, RecordingReader } from './reader';
import { serveChannels, type Answer } from './side-thread';
import type { PrefetchOpen, PrefetchedCheckpoint } from './checkpoint-prefetch';

const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

serveChannels((open: PrefetchOpen) => {
  const rec = new RecordingReader(asBuffer(open.recording), open.file, open.index ? asBuffer(open.index) : null);
  return (k: number): Answer => {
    let answer: PrefetchedCheckpoint;
    try {
      const cp = rec.checkpoint(rec.checkpoints[k]);
      const data = new Uint8Array(cp.pages.length * PAGE_BYTES);
      cp.pages.forEach((p, i) => data.set(p.bytes, i * PAGE_BYTES));
      answer = { k, pages: cp.pages.map((p) => p.page), data: data.buffer };
    } catch (e) {
      if (!(e instanceof RecordingDamaged)) throw e;
      answer = { k, damaged: true };
    }
    return { message: answer, transfer: 'data' in answer ? [answer.data] : [] };
  };
});
