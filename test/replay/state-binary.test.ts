/**
 * Format 4 hashes the state in binary canonical form: the same values the
 * canonical JSON holds, so a checkpoint's state JSON parsed back gives the
 * same bytes as the live snapshot it was written from.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { stateBinary } from '../../replay/state-binary';
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
