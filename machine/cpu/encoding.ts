/**
 * Instruction encodings as data.
 *
 * Each encoding is one row: a name, a 32-character bit pattern (MSB first)
 * and a handler. In a pattern:
 *   '0' / '1'   fixed bits
 *   'c'         the condition field; a row containing it never matches cond 0b1111
 *   'Z' / 'O'   should-be-zero / should-be-one bits: don't-care for matching, but a
 *               violation makes the instruction UNPREDICTABLE
 *   other letters  named fields; a letter may appear in several places and its
 *               value is the concatenation of its bits, MSB first
 * Spaces and underscores are ignored, so patterns can be grouped for reading.
 *
 * Overlap rule: when several rows match a word, the row whose fixed-bit mask is a
 * strict superset of the others' wins ("most specific wins"). Two rows that can
 * match the same word but whose masks are not nested are a table error; the
 * table test checks every pair.
 */

import type { Cpu } from './cpu';

/** Executes one decoded instruction. The condition has already passed. */
export type Handler = (cpu: Cpu, insn: number) => void;

export interface EncodingSpec {
  /** Unique row name, e.g. "ADD_imm". */
  name: string;
  pattern: string;
  exec: Handler;
  /** Assembler text in ARM UAL syntax; pc is the instruction's address. */
  disasm: (insn: number, pc: number) => string;
  /** Extra UNPREDICTABLE conditions beyond the should-be bits (e.g. Rd == PC). */
  unpredictable?: (insn: number) => boolean;
  /** Flags used by the random-encoding generator. */
  gen?: GenHints;
}

/** What the differential generator needs to know to build a safe test around a row. */
export interface GenHints {
  /** Field letter of the base address register, for loads and stores. */
  base?: string;
  /** The instruction writes memory (the harness then compares the scratch window). */
  store?: boolean;
  /** The instruction can transfer control; the generator steers its target. */
  branch?: boolean;
  /** The row is executed only in a privileged mode that has an SPSR. */
  needsSpsr?: boolean;
  /** Never generate this row (e.g. it halts the harness); reason is shown in the coverage report. */
  skip?: string;
  /** Free-form constraints applied by the generator: field letter -> allowed values. */
  fields?: Record<string, number[]>;
}

export interface Field {
  letter: string;
  /** Bit positions, MSB first. */
  bits: number[];
}

export interface EncodingRow extends EncodingSpec {
  mask: number;
  value: number;
  sbzMask: number;
  sboMask: number;
  conditional: boolean;
  fields: Map<string, Field>;
  /** Number of fixed bits; a higher number is more specific. */
  specificity: number;
}

export function compilePattern(spec: EncodingSpec): EncodingRow {
  const p = spec.pattern.replace(/[ _]/g, '');
  if (p.length !== 32) throw new Error(`encoding ${spec.name}: pattern has ${p.length} bits, expected 32`);
  let mask = 0, value = 0, sbz = 0, sbo = 0;
  const fields = new Map<string, Field>();
  let conditional = false;
  for (let i = 0; i < 32; i++) {
    const ch = p[i];
    const bit = 31 - i;
    if (ch === '0' || ch === '1') {
      mask |= 1 << bit;
      if (ch === '1') value |= 1 << bit;
    } else if (ch === 'Z') {
      sbz |= 1 << bit;
    } else if (ch === 'O') {
      sbo |= 1 << bit;
    } else {
      if (ch === 'c') conditional = true;
      let f = fields.get(ch);
      if (!f) { f = { letter: ch, bits: [] }; fields.set(ch, f); }
      f.bits.push(bit);
    }
  }
  if (conditional) {
    const c = fields.get('c')!;
    if (c.bits.join() !== '31,30,29,28') throw new Error(`encoding ${spec.name}: 'c' must be bits 31:28`);
  }
  return {
    ...spec,
    mask: mask >>> 0, value: value >>> 0, sbzMask: sbz >>> 0, sboMask: sbo >>> 0,
    conditional, fields, specificity: popcount(mask),
  };
}

export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Value of a named field of a row in an instruction word. */
export function fieldValue(row: EncodingRow, letter: string, insn: number): number {
  const f = row.fields.get(letter);
  if (!f) throw new Error(`encoding ${row.name} has no field '${letter}'`);
  let v = 0;
  for (const b of f.bits) v = (v * 2) + ((insn >>> b) & 1);
  return v;
}

/** Returns insn with the named field set to v. */
export function withField(row: EncodingRow, letter: string, insn: number, v: number): number {
  const f = row.fields.get(letter);
  if (!f) throw new Error(`encoding ${row.name} has no field '${letter}'`);
  for (let i = f.bits.length - 1; i >= 0; i--) {
    const b = f.bits[i];
    insn = (insn & ~(1 << b)) | ((v & 1) << b);
    v = Math.floor(v / 2);
  }
  return insn >>> 0;
}

export function matches(row: EncodingRow, insn: number): boolean {
  if (((insn & row.mask) >>> 0) !== row.value) return false;
  if (row.conditional && (insn >>> 28) === 0xf) return false;
  return true;
}

/** Two rows can match a common word. */
export function overlap(a: EncodingRow, b: EncodingRow): boolean {
  const common = a.mask & b.mask;
  if (((a.value ^ b.value) & common) !== 0) return false;
  // A conditional row never matches cond 1111; a row fixing cond to 1111 then cannot overlap it.
  const condMask = 0xf0000000 | 0;
  if (a.conditional && (b.mask & condMask) === condMask && (b.value >>> 28) === 0xf) return false;
  if (b.conditional && (a.mask & condMask) === condMask && (a.value >>> 28) === 0xf) return false;
  return true;
}

/** a's fixed bits strictly include b's: a wins wherever both match. */
export function moreSpecific(a: EncodingRow, b: EncodingRow): boolean {
  return ((a.mask & b.mask) >>> 0) === b.mask && a.mask !== b.mask;
}

export type DecodeResult =
  | { kind: 'ok'; row: EncodingRow }
  | { kind: 'undefined'; reason: string }
  | { kind: 'unpredictable'; row: EncodingRow; reason: string };

/**
 * A decoder over a set of rows. Candidate lists are bucketed by bits 27:20 and
 * 7:4 (plus whether cond is 1111), then sorted most specific first.
 */
export class Decoder {
  readonly rows: EncodingRow[];
  private buckets: EncodingRow[][] = [];

  constructor(specs: EncodingSpec[]) {
    this.rows = specs.map(compilePattern);
    const seen = new Set<string>();
    for (const r of this.rows) {
      if (seen.has(r.name)) throw new Error(`duplicate encoding name ${r.name}`);
      seen.add(r.name);
    }
    for (let key = 0; key < 8192; key++) {
      const uncond = (key >> 12) === 1;
      const word = Decoder.wordForKey(key);
      const cands = this.rows.filter((r) => {
        if (((r.value ^ word) & r.mask & 0x0ff000f0) !== 0) return false;
        const condMask = (r.mask >>> 28) & 0xf;
        const condValue = (r.value >>> 28) & 0xf;
        if (uncond) return !r.conditional && (condValue & condMask) === condMask;
        return r.conditional || condMask !== 0xf || condValue !== 0xf;
      });
      cands.sort((a, b) => b.specificity - a.specificity);
      this.buckets.push(cands);
    }
  }

  /** Bucket key of an instruction word. */
  static key(insn: number): number {
    return (((insn >>> 28) === 0xf ? 1 : 0) << 12) | (((insn >>> 20) & 0xff) << 4) | ((insn >>> 4) & 0xf);
  }

  private static wordForKey(key: number): number {
    const uncond = (key >> 12) & 1;
    return ((uncond ? 0xf0000000 : 0xe0000000) | (((key >> 4) & 0xff) << 20) | ((key & 0xf) << 4)) >>> 0;
  }

  decode(insn: number): DecodeResult {
    insn >>>= 0;
    const cands = this.buckets[Decoder.key(insn)];
    for (let i = 0; i < cands.length; i++) {
      const r = cands[i];
      if (!matches(r, insn)) continue;
      if ((insn & r.sbzMask) !== 0 || ((insn & r.sboMask) >>> 0) !== r.sboMask) {
        return { kind: 'unpredictable', row: r, reason: `${r.name}: should-be-zero/one bits violated` };
      }
      if (r.unpredictable && r.unpredictable(insn)) {
        return { kind: 'unpredictable', row: r, reason: `${r.name}: UNPREDICTABLE operands` };
      }
      return { kind: 'ok', row: r };
    }
    return { kind: 'undefined', reason: 'no encoding matches' };
  }

  /** Pairs of rows that overlap without one being strictly more specific. */
  ambiguities(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.rows.length; i++) {
      for (let j = i + 1; j < this.rows.length; j++) {
        const a = this.rows[i], b = this.rows[j];
        if (overlap(a, b) && !moreSpecific(a, b) && !moreSpecific(b, a)) out.push([a.name, b.name]);
      }
    }
    return out;
  }
}
