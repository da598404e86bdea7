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
 * Operand fields: handlers do not shift and mask by hand. A family declares the
 * field layouts of its rows once as patterns (fieldsOf: '-' marks bits the layout
 * leaves to the rows) and reads operands through the extractors derived from
 * them (`RD.d(insn)`); each row names the layouts its handler and disassembler
 * read, and compilePattern refuses a row whose pattern places a layout's field
 * elsewhere, narrower or wider (QEMU decodetree's formats, checked).
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
  /**
   * The field layouts whose extractors the handler and disassembler use; each
   * layout field must be this row's field of that letter or lie on bits the row
   * fixes (checked when the table is built, see layoutProblem).
   */
  layouts?: readonly FieldSet<string>[];
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
  if (p.includes('-')) throw new Error(`encoding ${spec.name}: '-' belongs in field layouts, not in row patterns`);
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
  const row: EncodingRow = {
    ...spec,
    mask: mask >>> 0, value: value >>> 0, sbzMask: sbz >>> 0, sboMask: sbo >>> 0,
    conditional, fields, specificity: popcount(mask),
  };
  const problem = layoutProblem(row);
  if (problem) throw new Error(`encoding ${spec.name}: ${problem}`);
  return row;
}

// ---- field layouts and their extractors ----------------------------------------

/** Reads one operand field out of an instruction word. */
export type Extractor = (insn: number) => number;

/** Characters of a pattern that are not field letters. */
type NotField = '0' | '1' | 'Z' | 'O' | '-' | ' ' | '_';

/** The field letters of a pattern string type. */
export type PatternLetters<P extends string, Acc extends string = never> =
  P extends `${infer C}${infer Rest}` ? PatternLetters<Rest, C extends NotField ? Acc : Acc | C> : Acc;

/** One extractor per field letter of a layout. */
export type FieldSet<L extends string> = { readonly [K in L]: Extractor };

/** Layout of each field set: its normalised pattern and fields, for the row checks. */
const layoutsOf = new WeakMap<object, { pattern: string; fields: Map<string, Field> }>();

/** The fields of a 32-bit pattern, or of a 16-bit (T16) one in bits 15:0. */
function patternFields(pattern: string, what: string): { pattern: string; fields: Map<string, Field> } {
  const p = pattern.replace(/[ _]/g, '');
  if (p.length !== 32 && p.length !== 16) throw new Error(`${what}: pattern has ${p.length} bits, expected 32 or 16`);
  const fields = new Map<string, Field>();
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '0' || ch === '1' || ch === 'Z' || ch === 'O' || ch === '-') continue;
    let f = fields.get(ch);
    if (!f) { f = { letter: ch, bits: [] }; fields.set(ch, f); }
    f.bits.push(p.length - 1 - i);
  }
  return { pattern: p, fields };
}

/** Runs of adjacent bits of a field, MSB first: [lowest bit, width]. */
function runsOf(f: Field): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const b of f.bits) {
    const last = runs[runs.length - 1];
    if (last && last[0] === b + 1) { last[0] = b; last[1]++; } else runs.push([b, 1]);
  }
  return runs;
}

/**
 * The extractor of one field: a contiguous field is one shift and mask; a field
 * in several places concatenates its parts, MSB first. The shifts and masks are
 * constants of the closure, so an optimising compiler inlines the call into the
 * handler as the same instructions a hand-written `(insn >>> lo) & mask` gives.
 */
function extractorOf(f: Field): Extractor {
  const runs = runsOf(f);
  const mask = (width: number): number => (width >= 32 ? -1 : 2 ** width - 1) | 0;
  if (runs.length === 1) {
    const [lo, width] = runs[0];
    if (width === 32) return (insn) => insn | 0;
    if (lo + width === 32) return (insn) => insn >>> lo;
    const m = mask(width);
    return lo === 0 ? (insn) => insn & m : (insn) => (insn >>> lo) & m;
  }
  if (runs.length === 2) {
    const [[lo1, w1], [lo2, w2]] = runs;
    const m1 = mask(w1), m2 = mask(w2);
    return (insn) => (((insn >>> lo1) & m1) << w2) | ((insn >>> lo2) & m2);
  }
  if (runs.length === 3) {
    const [[lo1, w1], [lo2, w2], [lo3, w3]] = runs;
    const m1 = mask(w1), m2 = mask(w2), m3 = mask(w3);
    return (insn) => (((((insn >>> lo1) & m1) << w2) | ((insn >>> lo2) & m2)) << w3) | ((insn >>> lo3) & m3);
  }
  const bits = f.bits.slice();
  return (insn) => {
    let v = 0;
    for (let i = 0; i < bits.length; i++) v = (v << 1) | ((insn >>> bits[i]) & 1);
    return v;
  };
}

/**
 * Extractors for the named fields of a layout pattern: '0', '1', 'Z', 'O' and
 * '-' are not fields, every other letter is (its value is the concatenation of
 * its bits, MSB first, as in row patterns). A 16-character pattern describes a
 * T16 halfword. The result is frozen: handlers read `LAYOUT.d(insn)`.
 */
export function fieldsOf<P extends string>(pattern: P): FieldSet<PatternLetters<P>> {
  const layout = patternFields(pattern, `field layout '${pattern}'`);
  const set: Record<string, Extractor> = {};
  for (const [letter, f] of layout.fields) {
    if (f.bits.length > 32) throw new Error(`field layout '${pattern}': field '${letter}' is wider than 32 bits`);
    set[letter] = extractorOf(f);
  }
  Object.freeze(set);
  layoutsOf.set(set, layout);
  return set as FieldSet<PatternLetters<P>>;
}

/** The fields of a layout made by fieldsOf (for the table checks). */
export function layoutFields(set: FieldSet<string>): Map<string, Field> {
  const l = layoutsOf.get(set);
  if (!l) throw new Error('not a field layout made by fieldsOf');
  return l.fields;
}

/** Bits of a pattern, MSB first, as text for messages. */
function bitsText(bits: number[]): string {
  return bits.length === 1 ? `bit ${bits[0]}` : `bits ${bits[0]}:${bits[bits.length - 1]}${runsOf({ letter: '', bits }).length > 1 ? ` (${bits.join(',')})` : ''}`;
}

/**
 * Why a row's layouts disagree with its pattern, or undefined. Every bit of a
 * layout's field must be in the row's field of the same letter or fixed in
 * the row: 0/1 (the row is then the instance with those bits constant: a
 * literal load's Rn = 1111, a T variant's P = 0) or a should-be bit (a word
 * that violates it never reaches the handler), never in another field; and
 * the row's field of that letter must lie entirely inside the layout's (no
 * bit of the operand left unread). So a layout never reads a field that is
 * narrower, wider or elsewhere in the row. T16 rows' patterns are read in
 * bits 15:0.
 */
export function layoutProblem(row: Pick<EncodingRow, 'pattern' | 'layouts'>): string | undefined {
  if (!row.layouts || row.layouts.length === 0) return undefined;
  const own = patternFields(row.pattern, 'row');
  const p = own.pattern;
  for (const set of row.layouts) {
    const l = layoutsOf.get(set);
    if (!l) return 'a layout was not made by fieldsOf';
    for (const [letter, f] of l.fields) {
      const what = `layout '${l.pattern}' reads field '${letter}' from ${bitsText(f.bits)}`;
      for (const b of f.bits) {
        const ch = p[p.length - 1 - b];
        if (ch === undefined) return `${what}, beyond the pattern's ${p.length} bits`;
        if (ch === letter || ch === '0' || ch === '1' || ch === 'Z' || ch === 'O') continue;
        return `${what}, but the pattern has bit ${b} in field '${ch}'`;
      }
      const mine = own.fields.get(letter);
      if (mine && mine.bits.some((b) => !f.bits.includes(b))) {
        return `${what}, but the pattern's '${letter}' is at ${bitsText(mine.bits)}`;
      }
    }
  }
  return undefined;
}

/** The bit mask of a field of a layout (e.g. a single flag bit to test with `&`). */
export function fieldMask(set: FieldSet<string>, letter: string): number {
  const f = layoutFields(set).get(letter);
  if (!f) throw new Error(`field layout has no field '${letter}'`);
  let m = 0;
  for (const b of f.bits) m |= 1 << b;
  return m;
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
