import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compilePattern, fieldsOf, fieldValue, withField, layoutFields, layoutProblem, type EncodingSpec,
} from '../../machine/cpu/encoding';
import { a32Decoder } from '../../machine/cpu/a32/table';
import { t16Decoder, t32Decoder } from '../../machine/cpu/t32/table';

const nop = () => {};
const spec = (name: string, pattern: string, layouts: EncodingSpec['layouts']): EncodingSpec =>
  ({ name, pattern, exec: nop, disasm: () => name, layouts });

test('field extractors derived from a pattern read contiguous and split fields', () => {
  const F = fieldsOf('cccc 0011 0000 iiii dddd iiii iiii iiii');
  const word = 0xe30a1bcd; // movw r1, #0xabcd
  assert.equal(F.c(word), 0xe);
  assert.equal(F.d(word), 1);
  assert.equal(F.i(word), 0xabcd);
  const T = fieldsOf('11110 i 0 0010 S nnnn 0 iii dddd iiii iiii');
  const t32 = 0xf5b10f80; // i=1, imm3=000, imm8=0x80 (hw1 0xf5b1, hw2 0x0f80) -> i:imm3:imm8 = 0x880
  assert.equal(T.i(t32), 0x880);
  assert.equal(T.n(t32), 1);
  assert.equal(T.S(t32), 1);
  assert.equal(T.d(t32), 15);
  const T16 = fieldsOf('010001 10 D mmmm ddd');
  assert.equal(T16.D(0x4687), 1); // mov pc, r0: D:Rd = 15
  assert.equal(T16.d(0x4687), 7);
  const many = fieldsOf('a-a-a-a- ---- ---- ---- ---- ---- ---a');
  assert.equal(many.a(0xaa000001), 0b11111);
  const whole = fieldsOf('wwww wwww wwww wwww wwww wwww wwww wwww');
  assert.equal(whole.w(0xdeadbeef), 0xdeadbeef | 0);
  assert.ok(Object.isFrozen(F));
  assert.deepEqual([...layoutFields(F).keys()].sort(), ['c', 'd', 'i']);
  assert.throws(() => fieldsOf('cccc 0011'), /pattern has 8 bits, expected 32 or 16/);
});

test('a row whose field layout disagrees with its pattern is refused when the table is built', () => {
  const RD = fieldsOf('---- ---- ---- ---- dddd ---- ---- ----');
  assert.doesNotThrow(() => compilePattern(spec('OK', 'cccc 0000 000S nnnn dddd iiii itt0 mmmm', [RD])));
  // A field the row fixes (here Rd = 1111) reads as that constant.
  assert.doesNotThrow(() => compilePattern(spec('FIXED', 'cccc 0000 000S nnnn 1111 iiii itt0 mmmm', [RD])));
  // The row's field is narrower than the layout expects (a T16 3-bit register in a 4-bit layout).
  const RD4 = fieldsOf('-------- ---- dddd');
  assert.throws(() => compilePattern(spec('NARROW', '0000000000000000 0001110 iii nnn ddd', [RD4])),
    /encoding NARROW: layout .* reads field 'd' from bits 3:0, but the pattern has bit 3 in field 'n'/);
  // ... or wider.
  const RD2 = fieldsOf('-------- ----- -dd');
  assert.throws(() => compilePattern(spec('WIDE', '0000000000000000 0001110 iii nnn ddd', [RD2])),
    /encoding WIDE: layout .* reads field 'd' from bits 1:0, but the pattern's 'd' is at bits 2:0/);
  // The row has the field somewhere else.
  const RN = fieldsOf('---- ---- ---- nnnn ---- ---- ---- ----');
  assert.throws(() => compilePattern(spec('MOVED', 'cccc 0000 000S dddd nnnn iiii itt0 mmmm', [RN])),
    /encoding MOVED: layout .* reads field 'n' from bits 19:16, but the pattern has bit 19 in field 'd'/);
  // The layout's field lies over another field of the row.
  assert.throws(() => compilePattern(spec('OVER', 'cccc 0000 000S iiii dddd iiii itt0 mmmm', [RN])),
    /encoding OVER: layout .* reads field 'n' from bits 19:16, but the pattern has bit 19 in field 'i'/);
  // Should-be bits read as their required value: a word violating them never reaches the handler.
  assert.doesNotThrow(() => compilePattern(spec('SBZ', 'cccc 0000 000S ZZZZ dddd iiii itt0 mmmm', [RN])));
  // A split field must be split the same way.
  const IMM8 = fieldsOf('---- ---- ---- ---- ---- iiii ---- iiii');
  assert.throws(() => compilePattern(spec('SPLIT', 'cccc 000p u1w1 nnnn tttt iiii 1011 mmmm', [IMM8])),
    /reads field 'i' from bits 11:0 \(11,10,9,8,3,2,1,0\), but the pattern has bit 3 in field 'm'/);
  // A row whose field is part of the layout's, the rest fixed: a literal row named from another form.
  const OFF12 = fieldsOf('---------------- ----iiiiiiiiiiii');
  assert.doesNotThrow(() => compilePattern(spec('PART', '1111 1000 0101 1111 tttt 10i1 iiii iiii', [OFF12])));
  // '-' is for layouts only.
  assert.throws(() => compilePattern(spec('DASH', 'cccc 0000 000S ---- dddd iiii itt0 mmmm', undefined)), /'-' belongs in field layouts/);
});

for (const [name, decoder] of [['A32', a32Decoder], ['T16', t16Decoder], ['T32', t32Decoder]] as const) {
  test(`every ${name} row agrees with the field layouts its handler reads, and their extractors read what the pattern names`, () => {
    let seed = 0x1234567;
    const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
    let checked = 0;
    for (const row of decoder().rows) {
      assert.equal(layoutProblem(row), undefined, row.name);
      for (const layout of row.layouts ?? []) {
        for (const letter of layoutFields(layout).keys()) {
          const extract = (layout as Record<string, (insn: number) => number>)[letter];
          for (let k = 0; k < 20; k++) {
            const w = ((rand() & ~row.mask) | row.value) >>> 0;
            // A field the row fixes reads as the constant in its bits.
            const bits = layoutFields(layout).get(letter)!.bits;
            const own = row.fields.get(letter);
            const expected = own && own.bits.join() === bits.join()
              ? fieldValue(row, letter, w)
              : bits.reduce((v, b) => v * 2 + ((w >>> b) & 1), 0);
            assert.equal(extract(w) >>> 0, expected >>> 0, `${row.name} field '${letter}' of 0x${w.toString(16)}`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 0, `no ${name} row names a field layout`);
  });
}

test('no A32 row gives two operands one letter (load/store register offsets named Rt and the shift type both t, so the generator\'s Rt constraint also bent the shift type)', () => {
  // Letters whose bits may lie in several places: immediates assembled from parts.
  const split = new Set(['i']);
  const bad: string[] = [];
  for (const row of a32Decoder().rows) {
    for (const f of row.fields.values()) {
      const contiguous = f.bits.every((b, k) => k === 0 || b === f.bits[k - 1] - 1);
      if (!contiguous && !split.has(f.letter)) bad.push(`${row.name}: '${f.letter}' at bits ${f.bits.join(',')}`);
    }
  }
  assert.deepEqual(bad, []);
  // The generator's constraint on Rt reaches Rt alone.
  const ldr = a32Decoder().rows.find((r) => r.name === 'LDR_reg')!;
  assert.equal(ldr.fields.get('t')!.bits.join(), '15,14,13,12');
  assert.equal(fieldValue(ldr, 't', withField(ldr, 't', ldr.value, 14)), 14);
});
