import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { comparePng, decodePng, encodePng } from '../../scenario/check/png';
import type { RgbaImage } from '../../machine/devices/device';

function pattern(width: number, height: number, seed = 1): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (i % 4 === 3) ? ((s >>> 16) & 1 ? 255 : (s >>> 8) & 0xff) : (s >>> 16) & 0xff;
  }
  return { width, height, data };
}

test('encode -> decode gives the same pixels back', () => {
  for (const [w, h] of [[1, 1], [4, 2], [33, 17], [320, 200]]) {
    const img = pattern(w, h, w * 31 + h);
    const back = decodePng(encodePng(img));
    assert.equal(back.width, w);
    assert.equal(back.height, h);
    assert.ok(back.data instanceof Uint8Array);
    assert.deepEqual(back.data, img.data);
  }
});

test('encoding is byte-stable: same picture, same bytes; no ancillary chunks', () => {
  const img = pattern(64, 48, 7);
  const a = encodePng(img);
  const b = encodePng({ width: 64, height: 48, data: new Uint8Array(img.data) });
  assert.deepEqual(a, b);
  // Chunk list: IHDR, IDAT, IEND only; 8-bit RGBA, not interlaced.
  const chunks: string[] = [];
  for (let o = 8; o < a.length;) {
    const len = a.readUInt32BE(o);
    chunks.push(a.toString('latin1', o + 4, o + 8));
    o += 12 + len;
  }
  assert.deepEqual(chunks, ['IHDR', 'IDAT', 'IEND']);
  assert.deepEqual([...a.subarray(24, 29)], [8, 6, 0, 0, 0]);
  // A picture from a subarray view encodes the same as a copy.
  const big = new Uint8Array(8 + img.data.length);
  big.set(img.data, 8);
  assert.deepEqual(encodePng({ width: 64, height: 48, data: big.subarray(8) }), a);
});

test('decodes PNGs written by other encoders (RGB without alpha) as RGBA', () => {
  const png = new PNG({ width: 2, height: 1 });
  png.data = Buffer.from([10, 20, 30, 255, 40, 50, 60, 255]);
  const rgb = PNG.sync.write(png, { colorType: 2 });
  assert.deepEqual(decodePng(rgb), { width: 2, height: 1, data: new Uint8Array([10, 20, 30, 255, 40, 50, 60, 255]) });
  assert.throws(() => decodePng(Buffer.from('not a png')), /not a readable PNG/);
});

test('comparePng counts differing pixels and reports the first one', () => {
  const a = pattern(5, 4, 3);
  assert.deepEqual(comparePng(a, { ...a, data: new Uint8Array(a.data) }), { equal: true, differentPixels: 0 });
  const b = { ...a, data: new Uint8Array(a.data) };
  b.data[(2 * 5 + 3) * 4 + 1] ^= 1; // (3,2) green
  b.data[(3 * 5 + 0) * 4 + 3] ^= 0x80; // (0,3) alpha
  const r = comparePng(b, a);
  assert.equal(r.equal, false);
  assert.equal(r.differentPixels, 2);
  const o = (2 * 5 + 3) * 4;
  assert.deepEqual(r.firstDifference, {
    x: 3, y: 2,
    actual: [b.data[o], b.data[o + 1], b.data[o + 2], b.data[o + 3]],
    expected: [a.data[o], a.data[o + 1], a.data[o + 2], a.data[o + 3]],
  });
  // Different sizes: pixels outside one image count as different.
  const small = pattern(4, 4, 3);
  const s = comparePng(small, pattern(5, 4, 3));
  assert.equal(s.equal, false);
  assert.ok(s.differentPixels >= 4);
  const firstOutside = comparePng({ width: 1, height: 1, data: new Uint8Array([0, 0, 0, 255]) },
    { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 1, 2, 3, 4]) });
  assert.deepEqual(firstOutside, { equal: false, differentPixels: 1, firstDifference: { x: 1, y: 0, actual: null, expected: [1, 2, 3, 4] } });
  assert.throws(() => comparePng({ width: 2, height: 2, data: new Uint8Array(3) }, a), /needs 16/);
});
