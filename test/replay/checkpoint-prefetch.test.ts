/**
 * Checkpoints decoded ahead of a verify on a thread (replay/checkpoint-prefetch.ts):
 * the thread gives every checkpoint's pages exactly as the verify's own
 * reader decodes them, in any order of increasing requests, and says
 * "damaged" where the reader would refuse the checkpoint (the verify then
 * decodes it itself, to say why).
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { CheckpointPrefetcher } from '../../replay/checkpoint-prefetch';
import { FRAME_BYTES, frameCrc, indexFileOf } from '../../replay/format';
import { ROOT as root } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-prefetch-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PINGPONG = fs.readFileSync(path.join(scenarios, 'pingpong.yaml'), 'utf8');

let made: string | undefined;
/** A pingpong recording with a checkpoint at every chunk of 200,000 instructions, in its index. */
function recording(): string {
  if (!made) {
    made = path.join(tmp, 'pingpong.bur');
    const s = scenarioFromText(PINGPONG, path.join(scenarios, 'pingpong.yaml'), scenarios);
    assert.equal(runRecorded(s, made, { chunk: 200_000, checkpointEvery: 1, text: PINGPONG }).verdict, 'pass');
  }
  return made;
}

const pagesOf = (cp: { pages: Array<{ page: number; bytes: Uint8Array }> }) => cp.pages.map((p) => [p.page, Buffer.from(p.bytes).toString('hex')]);

/** Every checkpoint from the thread against the same from a reader of its own. */
function assertAllDecoded(rec: RecordingReader): void {
  assert.ok(rec.checkpoints.length >= 4, `${rec.checkpoints.length} checkpoints`);
  const ahead = new CheckpointPrefetcher(rec);
  try {
    const reference = RecordingReader.open(recording());
    rec.checkpoints.forEach((_ref, k) => {
      const got = ahead.get(k);
      assert.ok(!('damaged' in got), `checkpoint ${k} decoded`);
      assert.deepEqual(pagesOf(got), pagesOf(reference.checkpoint(reference.checkpoints[k])), `checkpoint ${k}`);
    });
  } finally {
    ahead.close();
  }
}

test('the thread decodes every checkpoint into the pages the reader decodes', () => {
  const rec = RecordingReader.open(recording());
  assert.ok(rec.contents().recording.buffer instanceof SharedArrayBuffer, 'a file opened is shared with the thread');
  assertAllDecoded(rec);
});

test('a reader made from bytes in ordinary memory gives the thread a copy of them, and keeps its own', () => {
  const file = recording();
  const rec = new RecordingReader(fs.readFileSync(file), file, fs.readFileSync(indexFileOf(file)));
  assertAllDecoded(rec);
  assert.ok(rec.contents().recording.length > 0 && rec.checkpoint(rec.checkpoints[0]).pages.length > 0, 'the reader still reads its bytes');
});

test('checkpoints skipped between two requests are dropped, not mistaken for the one asked for', () => {
  const rec = RecordingReader.open(recording());
  const ahead = new CheckpointPrefetcher(rec);
  try {
    const last = rec.checkpoints.length - 1;
    const got = ahead.get(last);
    assert.ok(!('damaged' in got));
    const reference = RecordingReader.open(recording());
    assert.deepEqual(pagesOf(got), pagesOf(reference.checkpoint(reference.checkpoints[last])));
  } finally {
    ahead.close();
  }
});

test('a checkpoint the reader refuses comes back damaged, and so does every one stored against it', () => {
  const file = path.join(tmp, 'damaged.bur');
  fs.copyFileSync(recording(), file);
  const index = fs.readFileSync(indexFileOf(recording()));
  const rec = RecordingReader.open(recording());
  // The second checkpoint's payload with a byte flipped in the middle, and a CRC made good again (the index reader
  // stops at a CRC failure; what is refused here is the payload).
  const frame = rec.checkpoints[1].frame;
  assert.ok(rec.checkpoints[1].inIndex);
  const damaged = Buffer.from(index);
  const at = frame.offset + FRAME_BYTES + (frame.length >> 1);
  damaged[at] ^= 0xff;
  damaged.writeUInt32LE(frameCrc(damaged, frame.offset, damaged.subarray(frame.offset + FRAME_BYTES, frame.offset + FRAME_BYTES + frame.length)), frame.offset + 8);
  fs.writeFileSync(indexFileOf(file), damaged);
  const bad = RecordingReader.open(file);
  assert.deepEqual(bad.indexProblems, [], 'the frames and CRCs are intact');
  assert.throws(() => bad.checkpoint(bad.checkpoints[1]));
  const ahead = new CheckpointPrefetcher(bad);
  try {
    assert.ok(!('damaged' in ahead.get(0)));
    assert.deepEqual(ahead.get(1), { k: 1, damaged: true });
    assert.deepEqual(ahead.get(2), { k: 2, damaged: true });
  } finally {
    ahead.close();
  }
});
