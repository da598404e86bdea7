/**
 * The sealing thread of a recorder (replay/chunk-sealer.ts): what it gives
 * back for a chunk (the chained hash in the chunk record, a checkpoint when
 * asked), and the page buffers it hands back for later chunks.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { ChunkSealer, type SealedRecord } from '../../replay/chunk-sealer';
import { FRAME_BYTES, PAGE_BYTES, RecordType, pagesIn } from '../../replay/format';
import { GENESIS, chainHash } from '../../replay/state-hash';
import { stateBinary } from '../../replay/state-binary';

const payload = (r: SealedRecord): Buffer => zlib.inflateRawSync(r.bytes.subarray(FRAME_BYTES));

/** A job's pages: `count` pages from 0x100 on, page k filled with the byte k+1. */
function pagesFor(sealer: ChunkSealer, count: number) {
  const data = sealer.pageBuffer(count);
  const pages = Array.from({ length: count }, (_, k) => 0x100 + k);
  for (let k = 0; k < count; k++) data.fill(k + 1, k * PAGE_BYTES, (k + 1) * PAGE_BYTES);
  // The hash takes exactly these bytes: copied before the buffer moves to the thread.
  const expected = pagesIn(pages, data.slice().buffer);
  return { pages, data: data.buffer as ArrayBuffer, expected, capacity: data.byteLength };
}

test('a sealed chunk carries the chained hash of its state and pages, and a checkpoint when one is due', () => {
  const sealer = new ChunkSealer();
  try {
    const state = { cpu: { r: [1, 2, 3] }, devices: { uart: new Uint8Array([4, 5]) } };
    const one = pagesFor(sealer, 3);
    const state1 = stateBinary(state).slice();
    sealer.seal({ chunk: { index: 0, from: 0, to: 1000 }, rest: '{"inputs":[],"console":[],"events":[]}', state: state1, pages: one.pages, data: one.data });
    const two = pagesFor(sealer, 2);
    const state2 = stateBinary({ ...state, cpu: { r: [7] } }).slice();
    sealer.seal({ chunk: { index: 1, from: 1000, to: 2000 }, rest: '{"inputs":[],"console":[{"device":"uart","icount":1500,"text":"hi"}],"events":[]}', state: state2, pages: two.pages, data: two.data, checkpoint: { icount: 2000 } });
    const records = sealer.take(0);
    assert.deepEqual(records.map((r) => [RecordType[r.type], r.icount, r.checkpoint]), [['Chunk', 0, false], ['Chunk', 1000, false], ['Checkpoint', 2000, true]]);
    const first = chainHash(GENESIS, stateBinary(state), one.expected);
    const second = chainHash(first, stateBinary({ ...state, cpu: { r: [7] } }), two.expected);
    assert.deepEqual(JSON.parse(payload(records[0]).toString()), { index: 0, from: 0, to: 1000, hash: first, inputs: [], console: [], events: [] });
    assert.deepEqual(JSON.parse(payload(records[1]).toString()), { index: 1, from: 1000, to: 2000, hash: second, inputs: [], console: [{ device: 'uart', icount: 1500, text: 'hi' }], events: [] });
    assert.ok(payload(records[2]).includes('{"cpu":{"r":[7]},"devices":{"uart":{"$typed":"Uint8Array","data":[4,5]}}}'), 'the checkpoint holds the state in canonical JSON');
  } finally {
    sealer.close();
  }
});

test('a page buffer has room for twice the pages asked for, and comes back from the thread for a later chunk', () => {
  const sealer = new ChunkSealer();
  try {
    const job = pagesFor(sealer, 200);
    assert.equal(job.capacity, 400 * PAGE_BYTES);
    sealer.seal({ chunk: { index: 0, from: 0, to: 10 }, rest: '{"inputs":[],"console":[],"events":[]}', state: stateBinary({}).slice(), pages: job.pages, data: job.data });
    sealer.take(0);
    const again = sealer.pageBuffer(300);
    assert.equal(again.byteLength, 400 * PAGE_BYTES, 'the buffer given back');
    assert.equal(sealer.pageBuffer(300).byteLength, 600 * PAGE_BYTES, 'no spare left: a new one');
  } finally {
    sealer.close();
  }
});

test('a page buffer is the smallest spare that holds the pages', () => {
  const sealer = new ChunkSealer();
  try {
    const sizes = [10, 300, 100];
    sizes.forEach((n, i) => {
      const job = pagesFor(sealer, n);
      sealer.seal({ chunk: { index: i, from: i * 10, to: i * 10 + 10 }, rest: '{"inputs":[],"console":[],"events":[]}', state: stateBinary({}).slice(), pages: job.pages, data: job.data });
    });
    sealer.take(0);
    const spares = [sealer.pageBuffer(90), sealer.pageBuffer(90), sealer.pageBuffer(1)].map((b) => b.byteLength / PAGE_BYTES);
    // Given back: 64 pages (the least a buffer holds), 600 and 200; 90 pages take 200, then 600; one page takes 64.
    assert.deepEqual(spares, [200, 600, 64]);
  } finally {
    sealer.close();
  }
});
