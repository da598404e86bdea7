import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { editDistance, nearest } from '../../io/nearest';

test('edit distance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('expct', 'expect'), 1);
  assert.equal(editDistance('sched_retrun', 'sched_return'), 2);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
});

test('nearest names come closest first, only when near, at most count of them', () => {
  const keys = ['expect', 'faults', 'board', 'boot', 'profile'];
  assert.deepEqual(nearest('expct', keys), ['expect']);
  assert.deepEqual(nearest('bood', keys, { count: 2 }), ['boot', 'board']);
  assert.deepEqual(nearest('zzzzzz', keys), []);
  assert.deepEqual(nearest('boot', keys), [], 'the name itself is no suggestion');
});
