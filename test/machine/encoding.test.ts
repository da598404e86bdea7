import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, fieldValue, withField, Decoder, matches, type EncodingSpec } from '../../machine/cpu/encoding';
import { a32Decoder, a32Specs } from '../../machine/cpu/a32/table';

const nop = () => {};
const spec = (name: string, pattern: string): EncodingSpec => ({ name, pattern, exec: nop, disasm: () => name });

test('patterns derive masks, values and split fields', () => {
  const row = compilePattern(spec('MOVW', 'cccc 0011 0000 iiii dddd iiii iiii iiii'));
  assert.equal(row.mask >>> 0, 0x0ff00000);
  assert.equal(row.value >>> 0, 0x03000000);
  assert.equal(row.conditional, true);
  const word = 0xe30a1bcd; // movw r1, #0xabcd
  assert.equal(fieldValue(row, 'i', word), 0xabcd);
  assert.equal(fieldValue(row, 'd', word), 1);
  assert.equal(withField(row, 'i', word & ~0x000f0fff, 0xabcd) >>> 0, word >>> 0);
});

test('should-be bits are recorded and make a word UNPREDICTABLE, not a different instruction', () => {
  const d = new Decoder([spec('BX', 'cccc 0001 0010 OOOO OOOO OOOO 0001 mmmm')]);
  assert.equal(d.decode(0xe12fff1e).kind, 'ok');
  const bad = d.decode(0xe120001e);
  assert.equal(bad.kind, 'unpredictable');
});

test('conditional rows never match the unconditional space', () => {
  const row = compilePattern(spec('B', 'cccc 1010 iiii iiii iiii iiii iiii iiii'));
  assert.equal(matches(row, 0xea000000), true);
  assert.equal(matches(row, 0xfa000000), false);
});

test('the most specific row wins and non-nested overlaps are reported', () => {
  const general = spec('GEN', 'cccc 0000 nnnn dddd iiii iiii iiii iiii');
  const special = spec('SPECIAL', 'cccc 0000 0000 1111 iiii iiii iiii iiii');
  const d = new Decoder([general, special]);
  const r = d.decode(0xe00f1234);
  assert.equal(r.kind === 'ok' && r.row.name, 'SPECIAL');
  const r2 = d.decode(0xe0011234);
  assert.equal(r2.kind === 'ok' && r2.row.name, 'GEN');
  assert.deepEqual(d.ambiguities(), []);
  const crossing = new Decoder([spec('A', 'cccc 0000 1xxx xxxx xxxx xxxx xxxx xxxx'), spec('B', 'cccc 0000 xxx1 xxxx xxxx xxxx xxxx xxxx')]);
  assert.deepEqual(crossing.ambiguities(), [['A', 'B']]);
});

test('the A32 table has unique names and no ambiguous overlaps', () => {
  const names = a32Specs().map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(a32Decoder().ambiguities(), []);
});

test('every A32 row decodes instances of itself (or a documented more specific row)', () => {
  const d = a32Decoder();
  let seed = 12345;
  const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
  for (const row of d.rows) {
    for (let k = 0; k < 50; k++) {
      let w = ((rand() & ~row.mask) | row.value) >>> 0;
      if (row.conditional && (w >>> 28) === 0xf) w = (w & 0x0fffffff | 0xe0000000) >>> 0;
      const r = d.decode(w);
      assert.notEqual(r.kind, 'undefined', `${row.name}: 0x${w.toString(16)} decodes to nothing`);
      if (r.kind !== 'undefined' && r.row !== row) {
        assert.ok(((r.row.mask & row.mask) >>> 0) === (row.mask >>> 0) && r.row.mask !== row.mask,
          `${row.name}: 0x${w.toString(16)} decoded as ${r.row.name}, which is not more specific`);
      }
    }
  }
});
