/**
 * The boot part of the recording format (replay/boot-record.ts): built from a
 * boot description, it must give the very header and image records the
 * committed recording holds, and read back the images a replay boots.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RecordingReader } from '../../replay/reader';
import { FORMAT_VERSION, RecordType } from '../../replay/format';
import {
  buildHeader, bundleImages, decodeImageRecord, encodeImageRecord, imageProblems, imagesFromHeader, recordedImages, replayBoot,
  ImageMismatchError,
} from '../../replay/boot-record';
import { bootMachine } from '../../machine/boot/boot-machine';
import { loadBoard } from '../../scenario/boards';

import { ROOT } from '../support/environment';
const BUNDLE = path.join(ROOT, 'recordings', 'divdi3-crash.bur');

function open() {
  const rec = RecordingReader.open(BUNDLE);
  const embedded = rec.embeddedImages();
  const board = loadBoard('embedded board', Buffer.from(embedded.get(`board:${rec.header.board.name}`)!).toString('utf8'));
  const images = imagesFromHeader(rec.header, (role, name) => embedded.get(`${role}:${name}`));
  return { rec, embedded, board, images };
}

test('the header built from a boot description is the header the committed recording holds', () => {
  const { rec, board, images } = open();
  const h = rec.header;
  const kernel = h.images.find((i) => i.role === 'kernel')!;
  const boot = { ...replayBoot(h, board, images), kernel: { name: kernel.name, file: kernel.file, data: images.kernel } };
  const built = buildHeader({ boot, boardFile: { file: h.board.file, sha256: h.board.sha256 }, console: h.boot.console, scenario: h.scenario },
    { trace: h.trace, chunk: h.chunkInstructions, checkpointEvery: h.checkpointEvery });
  assert.notEqual(built.uuid, h.uuid, 'each recording has its own uuid');
  // The committed recording is of format 3 (still read); what is built now carries the current
  // format, which also says where the checkpoints go (format 3 had them in the recording).
  assert.equal(built.format, FORMAT_VERSION);
  assert.equal(built.checkpoints, 'index');
  const { checkpoints: _place, ...rest } = built;
  assert.equal(JSON.stringify({ ...rest, uuid: h.uuid, bringup: h.bringup, format: h.format }), JSON.stringify(h));
});

test('the image records built for a bundle are byte for byte those the committed bundle holds', () => {
  const { rec, embedded, images } = open();
  const built = bundleImages(rec.header, images, embedded.get(`board:${rec.header.board.name}`)!);
  const stored = rec.images.map((f) => rec.payload(f, 64 << 20));
  assert.equal(built.length, stored.length);
  built.forEach((b, i) => {
    assert.ok(encodeImageRecord(b.key, b.data).equals(stored[i]), `image record ${i} (${b.key})`);
    assert.equal(decodeImageRecord(stored[i]).key, b.key);
  });
  assert.equal(rec.frames.filter((f) => f.type === RecordType.Image).length, built.length);
});

test('an image record whose name claims more bytes than it holds is refused', () => {
  const p = encodeImageRecord('kernel:k', new Uint8Array(2));
  p.writeUInt32LE(400, 0);
  assert.throws(() => decodeImageRecord(p), /its name claims 400 bytes/);
  assert.throws(() => decodeImageRecord(Buffer.alloc(3)), /too short/);
});

test('the images read back from a recording boot the recorded board, and changed images are named', () => {
  const { rec, board, images } = open();
  assert.deepEqual(imageProblems(rec.header, images), []);
  const { machine } = bootMachine(replayBoot(rec.header, board, images));
  assert.equal(machine.board.name, 'tegra2-xoom');
  assert.deepEqual(recordedImages(replayBoot(rec.header, board, images)).kernel, images.kernel);
  const changed = { ...images, kernel: Uint8Array.from(images.kernel).fill(0, 0, 4) };
  assert.match(imageProblems(rec.header, changed).join('\n'), /^kernel hypervisor\.elf: sha256 [0-9a-f]{16}\.\.\., recorded/);
  assert.throws(() => imagesFromHeader(rec.header, () => undefined), (e: Error) => e instanceof ImageMismatchError && /images not found: kernel hypervisor\.elf, volume image pingpong \(domu\)/.test(e.message));
});
