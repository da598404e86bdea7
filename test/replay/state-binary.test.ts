/**
 * Format 4 hashes the state in binary canonical form: the same values the
 * canonical JSON holds, so a checkpoint's state JSON parsed back gives the
 * same bytes as the live snapshot it was written from.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { canonicalJsonOfBinary, stateBinary } from '../../replay/state-binary';
import { canonicalJson, hashedState } from '../../replay/state-hash';
import { parseTyped, reviveTyped } from '../../replay/format';
import { RecordingReader } from '../../replay/reader';
import { openReplay } from '../../scenario/record/recording';
import { ROOT as root } from '../support/environment';

const bytes = (v: unknown): Buffer => Buffer.from(stateBinary(v));
const roundTrip = (v: unknown): unknown => JSON.parse(canonicalJson(v), reviveTyped);

test('a value and its canonical JSON parsed back have the same binary form', () => {
  const values = [
    { b: 1, a: [1, -0, 2.5, NaN, undefined, null, 'x'], 10: 'ten', 9: 'nine', u: undefined, f: () => 1, roundEnd: Infinity },
    { regs: new Uint32Array([1, 0xffffffff]), d: new Float64Array([1.5, -0, NaN]), n: [1, 2, 3], nested: { z: { y: [true, false] } } },
    [], {}, 'text with ü and "quotes"', 0, -0, null,
  ];
  for (const v of values) assert.deepEqual(bytes(roundTrip(v)), bytes(v), JSON.stringify(canonicalJson(v)));
});

test('parseTyped gives what JSON.parse with reviveTyped gives: typed arrays revived at any depth, inside objects and lists, and nothing else changed', () => {
  const values = [
    { regs: new Uint32Array([1, 0xffffffff]), list: [new Int16Array([-2]), { deep: new Float32Array([0.5]) }, 3, null], n: [1, 2], s: 'x' },
    [new Uint8Array([7]), [[new Int32Array([-1])]]],
    { $typed: 'NoSuchArray', data: [1] }, { __proto__x: { a: 1 } }, 'text', 5, null,
  ];
  for (const v of values) {
    const text = canonicalJson(v);
    const got = parseTyped(text), want = JSON.parse(text, reviveTyped);
    assert.deepEqual(got, want, text);
    assert.deepEqual(bytes(got), bytes(want), text);
  }
  assert.ok((parseTyped(canonicalJson({ a: [{ b: new Uint16Array([1]) }] })) as { a: Array<{ b: unknown }> }).a[0].b instanceof Uint16Array);
});

test('the binary form tells apart what the JSON tells apart: key order does not matter, values and names do', () => {
  assert.deepEqual(bytes({ a: 1, b: 2 }), bytes({ b: 2, a: 1 }));
  assert.notDeepEqual(bytes({ a: 1, b: 2 }), bytes({ a: 2, b: 1 }));
  assert.notDeepEqual(bytes({ a: 1 }), bytes({ b: 1 }));
  assert.notDeepEqual(bytes([1, 2]), bytes([2, 1]));
  assert.notDeepEqual(bytes({ a: '1' }), bytes({ a: 1 }));
  assert.notDeepEqual(bytes({ a: [] }), bytes({ a: {} }));
  assert.notDeepEqual(bytes({ x: new Uint8Array([1]) }), bytes({ x: new Int8Array([1]) }));
  assert.notDeepEqual(bytes({ a: [1, 'b'] }), bytes({ a: [1, 'c'] }));
});

test('a machine state mid-run: the live snapshot and the JSON a checkpoint stores of it hash alike; format 3 hashes the JSON itself', () => {
  const rec = RecordingReader.open(path.join(root, 'recordings', 'divdi3-crash.bur'));
  const { replayer } = openReplay(rec, { onNotice: () => {} });
  replayer.runTo(Math.floor(rec.lastIcount / 2));
  const snapshot = replayer.machine.stateSnapshot();
  assert.deepEqual(Buffer.from(hashedState(roundTrip(snapshot), 4) as Uint8Array), Buffer.from(hashedState(snapshot, 4) as Uint8Array));
  assert.equal(hashedState(snapshot, 3), canonicalJson(snapshot));
});

test('canonical JSON read back from the binary form is canonicalJson of the value, float typed arrays aside', () => {
  const values = [
    { b: 1, a: [1, -0, 2.5, NaN, undefined, null, 'x', [], {}], 10: 'ten', 9: 'nine', u: undefined, f: () => 1, roundEnd: Infinity, big: 2 ** 53, tiny: 5e-324 },
    { regs: new Uint32Array([1, 0xffffffff]), s8: new Int8Array([-128, 127]), c: new Uint8ClampedArray([255]), d: new Float64Array([1.5, 1e300]), f: new Float32Array([0.1]), n: [1, 2, 3], nested: { z: { y: [true, false] } } },
    { i16: new Int16Array([-1]), u16: new Uint16Array([65535]), i32: new Int32Array([-2147483648]), odd: new Uint8Array([1, 2, 3]) },
    [], {}, 'text with ü, "quotes" and \\ \n', 0, -0, null, true, [[1, 'a'], [null]],
  ];
  for (const v of values) assert.equal(canonicalJsonOfBinary(stateBinary(v)), canonicalJson(v));
  // What the binary form does not keep: a float typed array's NaN and infinities come back 0 (canonicalJson: null; both read back as 0).
  assert.equal(canonicalJsonOfBinary(stateBinary({ d: new Float64Array([NaN, Infinity, -0, 2]) })), '{"d":{"$typed":"Float64Array","data":[0,0,0,2]}}');
  assert.throws(() => canonicalJsonOfBinary(Uint8Array.of(9)), /unknown tag 9/);
  assert.throws(() => canonicalJsonOfBinary(Uint8Array.of(0, 0)), /1 bytes after its value/);
});

test('canonical JSON read back from a machine state\'s binary form is the JSON a checkpoint stores of it', () => {
  const rec = RecordingReader.open(path.join(root, 'recordings', 'divdi3-crash.bur'));
  const { replayer } = openReplay(rec, { onNotice: () => {} });
  for (const at of [1, Math.floor(rec.lastIcount / 2), rec.lastIcount]) {
    replayer.runTo(at);
    const snapshot = replayer.machine.stateSnapshot();
    assert.equal(canonicalJsonOfBinary(stateBinary(snapshot)), canonicalJson(snapshot), `at ${at}`);
  }
});
