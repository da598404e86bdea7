import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  t16Decoder, t32Decoder, t16Specs, thumbAmbiguities, disassembleThumb, isThumb32,
} from '../../machine/cpu/t32/table';
import { t16Rows } from '../../machine/cpu/t32/t16';
import { thumbExpandImm, thumbExpandImmCarry } from '../../machine/cpu/t32/common';

test('T16 and T32 tables have no ambiguous overlaps', () => {
  assert.deepEqual(t16Decoder().ambiguities(), [], 'T16 rows nest or are disjoint');
  assert.deepEqual(thumbAmbiguities(t16Decoder()), []);
  // T32 overlaps (e.g. a load form and the literal form Rn = PC selects) must each
  // be decided by a row for exactly their intersection.
  assert.deepEqual(thumbAmbiguities(t32Decoder()), []);
});

test('an unresolved non-nested overlap is reported', () => {
  const d = t32Decoder();
  const rows = d.rows.filter((r) => r.name === 'LDRB_post_T32' || r.name === 'LDRB_lit_T32');
  assert.equal(rows.length, 2);
  // The two overlap (Rn = PC, hw2 = 10x1) without nesting; the table resolves it with LDRB_lit_post_T32.
  assert.ok(d.rows.some((r) => r.name === 'LDRB_lit_post_T32' && r.mask === ((rows[0].mask | rows[1].mask) >>> 0)));
});

test('T16 rows are 16-bit patterns outside the 32-bit prefixes; T32 rows only match 32-bit first halfwords', () => {
  for (const r of t16Rows) assert.equal(r.pattern.replace(/[ _]/g, '').length, 16, r.name);
  for (const r of t16Decoder().rows) {
    assert.equal(r.mask >>> 16, 0xffff, `${r.name} pads with fixed zeros`);
    // The row must not be able to match a halfword with the 0b11101/0b11110/0b11111 prefix.
    const top5Mask = (r.mask >>> 11) & 0x1f, top5 = (r.value >>> 11) & 0x1f;
    for (const p of [0x1d, 0x1e, 0x1f]) assert.notEqual(p & top5Mask, top5, `${r.name} matches prefix ${p.toString(2)}`);
  }
  for (const r of t32Decoder().rows) {
    const m = r.mask >>> 27, v = r.value >>> 27;
    for (let p = 0; p < 32; p++) {
      if ((p & m) === v) assert.ok(isThumb32(p << 11), `${r.name} can match first halfword prefix ${p.toString(2)}`);
    }
  }
  assert.equal(t16Specs().length, t16Rows.length);
});

test('every row decodes its own pattern, and has a disassembly', () => {
  for (const d of [t16Decoder(), t32Decoder()]) {
    for (const r of d.rows) {
      const res = d.decode(r.value);
      assert.notEqual(res.kind, 'undefined', r.name);
      assert.equal(typeof r.disasm(r.value, 0x1000), 'string');
    }
  }
});

test('ThumbExpandImm: replicated bytes keep the carry, rotated values carry out bit 31', () => {
  assert.equal(thumbExpandImm(0x0ab) >>> 0, 0x000000ab);
  assert.equal(thumbExpandImm(0x1ab) >>> 0, 0x00ab00ab);
  assert.equal(thumbExpandImm(0x2ab) >>> 0, 0xab00ab00);
  assert.equal(thumbExpandImm(0x3ab) >>> 0, 0xabababab);
  assert.equal(thumbExpandImm(0x400) >>> 0, 0x80000000); // '1':0000000 ROR 8
  assert.equal(thumbExpandImm(0xfff) >>> 0, 0x000001fe); // '1':1111111 ROR 31
  assert.equal(thumbExpandImmCarry(0x3ab, 1), 1);
  assert.equal(thumbExpandImmCarry(0x3ab, 0), 0);
  assert.equal(thumbExpandImmCarry(0x400, 0), 1);
  assert.equal(thumbExpandImmCarry(0xfff, 1), 0);
});

test('disassembly of T16 and T32 encodings (checked against objdump)', () => {
  const cases: Array<[number, number, number, string]> = [
    [0x4288, 2, 0, 'cmp\tr0, r1'],
    [0xbf06, 2, 0, 'itte\teq'],
    [0xbfcb, 2, 0, 'itete\tgt'],
    [0x1842, 2, 0, 'adds\tr2, r0, r1'],
    [0xb510, 2, 0, 'push\t{r4, lr}'],
    [0xbd01, 2, 0, 'pop\t{r0, pc}'],
    [0xb110, 2, 0x30, 'cbz\tr0, 0x38'],
    [0x4801, 2, 0x52, 'ldr\tr0, [pc, #4]\t; 0x58'],
    [0xdfab, 2, 0, 'svc\t171'],
    [0xf05f4000, 4, 0, 'movs\tr0, #0x80000000'],
    [0xe8dff000, 4, 0, 'tbb\t[pc, r0]'],
    [0xe8dff010, 4, 0, 'tbh\t[pc, r0, lsl #1]'],
    [0xe9d02302, 4, 0, 'ldrd\tr2, r3, [r0, #8]'],
    [0xe9602302, 4, 0, 'strd\tr2, r3, [r0, #-8]!'],
    [0xe95f2301, 4, 0x3c, 'ldrd\tr2, r3, [pc, #-4]\t; 0x3c'],
    [0xf85dfb04, 4, 0, 'ldr\tpc, [sp], #4'],
    [0xf3de8f00, 4, 0, 'subs\tpc, lr, #0'],
    [0xf7f0a001, 4, 0, 'udf.w\t#1'],
    [0xfb82_0103, 4, 0, 'smull\tr0, r1, r2, r3'],
    [0xfa91_f0a1, 4, 0, 'rbit\tr0, r1'],
    [0xf3c1_001f, 4, 0, 'ubfx\tr0, r1, #0, #32'],
    [0xee11_0f10, 4, 0, 'mrc\t15, 0, r0, cr1, cr0, {0}'],
    [0xf000f882, 4, 0x2, 'bl\t0x10a'],
    [0xf000e882, 4, 0x6, 'blx\t0x10c'],
  ];
  for (const [insn, size, pc, text] of cases) assert.equal(disassembleThumb(insn, pc, size), text);
  assert.match(disassembleThumb(0xb800, 0, 2), /undefined/);
  assert.match(disassembleThumb(0xfb91f0f2, 0, 4), /^sdiv/);
});

test('decoding: literal, preload and base-PC rows take their precedence', () => {
  const name = (insn: number): string => {
    const d = t32Decoder().decode(insn >>> 0);
    return d.kind === 'undefined' ? 'undefined' : d.row.name;
  };
  assert.equal(name(0xf8510c04), 'LDR_neg_T32'); // ldr r0, [r1, #-4]
  assert.equal(name(0xf85f0c04), 'LDR_lit_neg_T32'); // ldr r0, [pc, #-3076]
  assert.equal(name(0xf8910fff), 'LDRB_imm12_T32');
  assert.equal(name(0xf891ffff), 'PLD_imm12_T32');
  assert.equal(name(0xf81ff064), 'PLD_lit_T32'); // pld [pc, #-100]
  assert.equal(name(0xf8401b04), 'STR_post_T32');
  assert.equal(name(0xf84f1b04), 'STR_post_T32_pcbase');
  assert.equal(name(0xf8100c04), 'LDRB_neg_T32');
  assert.equal(name(0xf8100804), 'undefined'); // P = W = 0
  assert.equal(name(0xf3af8000), 'NOP_T2');
  assert.equal(name(0xf3bf8f2f), 'CLREX_T1');
  assert.equal(name(0xf3bf8f0f), 'LEAVEX_T1');
  assert.equal(name(0xf3bf8f7f), 'UNDEF_ctrl_T32');
  assert.equal(name(0xf7f08000), 'SMC_T1');
  assert.equal(name(0xf3808000 | (1 << 8)), 'MSR_reg_cpsr_T1');
});

test('generator hints name fields that exist in their rows', () => {
  for (const d of [t16Decoder(), t32Decoder()]) {
    for (const r of d.rows) {
      if (r.gen?.base) assert.ok(r.fields.has(r.gen.base), `${r.name}: base field '${r.gen.base}'`);
      for (const letter of Object.keys(r.gen?.fields ?? {})) assert.ok(r.fields.has(letter), `${r.name}: field '${letter}'`);
    }
  }
});
