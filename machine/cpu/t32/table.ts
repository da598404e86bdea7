/**
 * The Thumb encoding tables: T16 rows (16-bit patterns, padded with sixteen
 * zero bits above) and T32 rows (first halfword in bits 31:16). The same rows
 * drive the executor's decoder, the disassembler and the random generator.
 *
 * Overlap rule: as for A32, the most specific row wins. Where two rows
 * overlap without nesting (e.g. a load form and the literal form that Rn = PC
 * selects), the table holds a row for exactly their intersection, which is
 * more specific than both; thumbAmbiguities() checks that every such pair is
 * resolved that way.
 */

import { Decoder, overlap, moreSpecific, type EncodingSpec, type EncodingRow } from '../encoding';
import { t16Rows } from './t16';
import { t32DataRows } from './data';
import { t32MemoryRows } from './memory';
import { t32ControlRows } from './control';
import { vfpT32Rows } from '../vfp/rows';

/** T16 rows with their patterns widened to 32 bits (bits 31:16 zero). */
export function t16Specs(): EncodingSpec[] {
  return t16Rows.map((r) => {
    const p = r.pattern.replace(/[ _]/g, '');
    if (p.length !== 16) throw new Error(`T16 encoding ${r.name}: pattern has ${p.length} bits, expected 16`);
    return { ...r, pattern: `0000000000000000${p}` };
  });
}

export function t32Specs(): EncodingSpec[] {
  return [...t32DataRows, ...t32MemoryRows, ...t32ControlRows, ...vfpT32Rows];
}

let t16Shared: Decoder | undefined;
let t32Shared: Decoder | undefined;

/** Decoders are immutable; every CPU shares them. */
export function t16Decoder(): Decoder {
  if (!t16Shared) t16Shared = new Decoder(t16Specs());
  return t16Shared;
}

export function t32Decoder(): Decoder {
  if (!t32Shared) t32Shared = new Decoder(t32Specs());
  return t32Shared;
}

/** A first halfword 0b11101, 0b11110 or 0b11111 starts a 32-bit instruction. */
export function isThumb32(hw1: number): boolean {
  return ((hw1 >>> 11) & 0x1f) >= 0x1d;
}

/**
 * UAL text of one Thumb instruction at pc: a halfword (size 2) or hw1:hw2 with
 * hw1 in bits 31:16 (size 4). Without a size, a value above 0xffff is 32-bit.
 */
export function disassembleThumb(insn: number, pc: number, size?: number): string {
  const wide = size === undefined ? (insn >>> 16) !== 0 : size === 4;
  const word = wide ? insn >>> 0 : insn & 0xffff;
  const d = (wide ? t32Decoder() : t16Decoder()).decode(word);
  const hexText = wide ? word.toString(16).padStart(8, '0') : word.toString(16).padStart(4, '0');
  if (d.kind === 'undefined') return `udf\t; 0x${hexText} (undefined)`;
  const text = d.row.disasm(word, pc >>> 0);
  return d.kind === 'unpredictable' ? `${text}\t; unpredictable` : text;
}

/**
 * Pairs of rows that overlap, neither more specific than the other, with no
 * row for exactly their intersection (such a row is more specific than both
 * and decides every word they share).
 */
export function thumbAmbiguities(decoder: Decoder): Array<[string, string]> {
  const byPattern = new Set<string>();
  for (const r of decoder.rows) byPattern.add(`${r.mask >>> 0}:${r.value >>> 0}`);
  const out: Array<[string, string]> = [];
  const rows: EncodingRow[] = decoder.rows;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i], b = rows[j];
      if (!overlap(a, b) || moreSpecific(a, b) || moreSpecific(b, a)) continue;
      if (byPattern.has(`${(a.mask | b.mask) >>> 0}:${(a.value | b.value) >>> 0}`)) continue;
      out.push([a.name, b.name]);
    }
  }
  return out;
}
