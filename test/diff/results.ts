/**
 * Running the harness ELF on this simulator, parsing the result files of both
 * runs, and comparing them case by case.
 */

import { parseElf, symbolize, type ElfImage } from '../../machine/loaders/elf';
import { disassemble } from '../../machine/cpu/a32/table';
import { disassembleThumb } from '../../machine/cpu/t32/table';
import { MODE_NAMES } from '../../machine/cpu/modes';
import type { Batch, Case } from './generate';
import { createMachine } from '../../scenario/boards';
import {
  BLOB_MAGIC, FLAG_WINDOW, R, REC_SIZE, REC_WORDS, RESULT_HEADER, VECTOR_NAMES, WINDOW_SIZE,
} from './layout';

export interface SimRun {
  results: Uint8Array | undefined;
  stop: string;
  instructions: number;
  console: string;
  guestErrors: string[];
  seconds: number;
}

/** Instructions the runtime needs per case, with a wide margin. */
const INSNS_PER_CASE = 400;

/** The interpreter, or the jit engine compiling every block at once (Cpu.hotThreshold 1). */
export type SimEngine = 'interpreter' | 'jit';

export function runSimulator(elf: Uint8Array, cases: number, engine: SimEngine = 'interpreter'): SimRun {
  const started = Date.now();
  const m = createMachine('vexpress-a9');
  for (const cpu of m.cpus) {
    cpu.engine = engine;
    cpu.hotThreshold = 1;
  }
  m.loadElf(parseElf(elf, 'harness.elf'), 'harness.elf');
  const chunks: Uint8Array[] = [];
  let opened = false;
  let consoleText = '';
  m.enableSemihosting({
    host: {
      console: (_s, bytes) => { consoleText += Buffer.from(bytes).toString('latin1'); },
      open: (name) => { if (name !== 'diff-results.bin') return -2; opened = true; return 3; },
      write: (_h, bytes) => { chunks.push(bytes.slice()); return bytes.length; },
      close: () => 0,
    },
  });
  let stopText: string;
  try {
    const stop = m.runUntil(cases * INSNS_PER_CASE + 1_000_000);
    stopText = stop.kind === 'exit' ? `exit ${stop.code}` : stop.kind;
  } catch (e) {
    // A bug in a handler must not take the whole run down: report where it happened.
    const pc = m.cpu.pc >>> 0;
    let insn = '?';
    try { insn = disassemble(m.bus.read32(pc), pc); } catch { /* unmapped */ }
    stopText = `simulator threw ${e instanceof Error ? e.stack ?? e.message : String(e)} at pc 0x${pc.toString(16)} (${insn})`;
  }
  let results: Uint8Array | undefined;
  if (opened) results = Buffer.concat(chunks);
  return {
    results, stop: stopText, instructions: m.cpu.icount, console: consoleText,
    guestErrors: m.guestErrors.slice(0, 20).map((e) => `${e.message} (pc 0x${(e.pc >>> 0).toString(16)}, icount ${e.icount})`),
    seconds: (Date.now() - started) / 1000,
  };
}

export interface ResultRecord {
  vector: number;
  /** r0-r14 of the mode the case ended in. */
  r: number[];
  lr: number;
  cpsr: number;
  spsr: number;
  dfsr: number; dfar: number; ifsr: number; ifar: number;
  index: number;
  /** User-mode r8-r14 (what LDM/STM with ^ access). */
  usr: number[];
  window?: Uint8Array;
}

export interface Parsed {
  status: number;
  done: number;
  fatal?: { vector: number; lr: number; spsr: number };
  records: ResultRecord[];
  error?: string;
}

export function parseResults(buf: Uint8Array | undefined, batch: Batch): Parsed {
  if (!buf) return { status: -1, done: 0, records: [], error: 'no results file was written' };
  if (buf.length < RESULT_HEADER) return { status: -1, done: 0, records: [], error: `results file too short (${buf.length} bytes)` };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u = (o: number) => dv.getUint32(o, true);
  if (u(0) !== BLOB_MAGIC) return { status: -1, done: 0, records: [], error: 'results file has a bad magic number' };
  const status = u(4), done = u(8);
  const out: Parsed = { status, done, records: [] };
  if (status !== 0) out.fatal = { vector: u(12), lr: u(16), spsr: u(20) };
  let o = RESULT_HEADER;
  for (let i = 0; i < done && i < batch.cases.length; i++) {
    if (o + REC_SIZE > buf.length) { out.error = `results file truncated at case ${i}`; break; }
    const w = (k: number) => u(o + 4 * k);
    const rec: ResultRecord = {
      vector: w(R.VECTOR), r: Array.from({ length: 15 }, (_, k) => w(R.R0 + k)), lr: w(R.LR),
      cpsr: w(R.CPSR), spsr: w(R.SPSR), dfsr: w(R.DFSR), dfar: w(R.DFAR), ifsr: w(R.IFSR), ifar: w(R.IFAR),
      index: w(R.INDEX), usr: Array.from({ length: 7 }, (_, k) => w(R.USR_R8 + k)),
    };
    o += REC_WORDS * 4;
    if (batch.cases[i].flags & FLAG_WINDOW) {
      if (o + WINDOW_SIZE > buf.length) { out.error = `results file truncated at case ${i}`; break; }
      rec.window = buf.slice(o, o + WINDOW_SIZE);
      o += WINDOW_SIZE;
    }
    out.records.push(rec);
  }
  return out;
}

const hex8 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Where the case ended, from the vector and the exception's LR. */
export function endText(c: Case, rec: ResultRecord): string {
  const name = VECTOR_NAMES[rec.vector] ?? `vector 0x${rec.vector.toString(16)}`;
  // SVC and UNDEFINED in Thumb state (SPSR.T) leave LR = address + 2; aborts +4/+8 in both states.
  const thumb = (rec.cpsr & 0x20) !== 0 && (rec.vector === 0x04 || rec.vector === 0x08);
  const at = (rec.lr - (rec.vector === 0x10 ? 8 : thumb ? 2 : 4)) >>> 0;
  const rel = (at - c.addr) | 0;
  const relText = rel === 0 ? 'the instruction' : `insn${rel > 0 ? '+' : ''}${rel}`;
  return `${name} at ${hex8(at)} (${relText})`;
}

export interface Mismatch {
  batchSeed: number;
  c: Case;
  q: ResultRecord;
  s: ResultRecord;
  fields: string[];
}

function hasSpsr(mode: number): boolean {
  return mode !== 0x10 && mode !== 0x1f;
}

/** Names of the fields that differ between the two records. */
export function diffRecords(c: Case, q: ResultRecord, s: ResultRecord): string[] {
  const d: string[] = [];
  if (q.vector !== s.vector) d.push('vector');
  for (let k = 0; k < 15; k++) if (q.r[k] !== s.r[k]) d.push(`r${k}`);
  if (q.lr !== s.lr) d.push('pc');
  for (let k = 0; k < 7; k++) if (q.usr[k] !== s.usr[k]) d.push(`r${8 + k}_usr`);
  if (q.cpsr !== s.cpsr) d.push('cpsr');
  if (hasSpsr(q.cpsr & 0x1f) && q.spsr !== s.spsr) d.push('spsr');
  if (q.vector === 0x10 && (q.dfsr !== s.dfsr || q.dfar !== s.dfar)) d.push('dfsr/dfar');
  if (q.vector === 0x0c && (q.ifsr !== s.ifsr || q.ifar !== s.ifar)) d.push('ifsr/ifar');
  if (c.flags & FLAG_WINDOW) {
    const a = q.window!, b = s.window!;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { d.push('memory'); break; }
  }
  return d;
}

export interface Comparison {
  compared: number;
  mismatches: Mismatch[];
  /** Problems with a whole run (harness fault, missing results). */
  errors: string[];
}

/** The word at addr in an ELF's loadable segments, if any. */
export function elfWord(elf: ElfImage, addr: number): number | undefined {
  for (const seg of elf.segments) {
    const off = addr - seg.paddr;
    if (off >= 0 && off + 4 <= seg.data.length) {
      const d = seg.data;
      return (d[off] | (d[off + 1] << 8) | (d[off + 2] << 16) | (d[off + 3] << 24)) >>> 0;
    }
  }
  return undefined;
}

export function compareRuns(batch: Batch, q: Parsed, s: Parsed, elf?: ElfImage): Comparison {
  const errors: string[] = [];
  const n = batch.cases.length;
  const describe = (who: string, p: Parsed) => {
    if (p.error) errors.push(`${who}: ${p.error}`);
    else if (p.status !== 0) {
      const f = p.fatal!;
      const at = (f.lr - (f.vector === 0x10 ? 8 : 4)) >>> 0;
      const word = elf ? elfWord(elf, at) : undefined;
      const where = elf ? symbolize(elf.symbols, at) : undefined;
      const insn = word === undefined ? '' : `: ${hex8(word)} ${disassemble(word, at)}`;
      errors.push(`${who}: the harness runtime itself took an exception (${VECTOR_NAMES[f.vector] ?? f.vector}) at ` +
        `${hex8(at)}${where ? ` (${where})` : ''}${insn} (spsr ${hex8(f.spsr)}) after ${p.done} cases`);
    } else if (p.done !== n) errors.push(`${who}: completed ${p.done} of ${n} cases`);
  };
  describe('qemu', q);
  describe('simulator', s);
  const mismatches: Mismatch[] = [];
  const m = Math.min(q.records.length, s.records.length);
  for (let i = 0; i < m; i++) {
    const c = batch.cases[i];
    const fields = diffRecords(c, q.records[i], s.records[i]);
    if (fields.length) mismatches.push({ batchSeed: batch.seed, c, q: q.records[i], s: s.records[i], fields });
  }
  return { compared: m, mismatches, errors };
}

const CPSR_BITS: Array<[string, number, number]> = [
  ['N', 31, 1], ['Z', 30, 1], ['C', 29, 1], ['V', 28, 1], ['Q', 27, 1], ['J', 24, 1], ['GE', 16, 4],
  ['E', 9, 1], ['A', 8, 1], ['I', 7, 1], ['F', 6, 1], ['T', 5, 1], ['M', 0, 5],
];

export function psrText(v: number): string {
  const flags = ['N', 'Z', 'C', 'V', 'Q'].map((f, i) => ((v >>> (31 - i)) & 1 ? f : f.toLowerCase())).join('');
  const mode = MODE_NAMES[v & 0x1f] ?? `mode 0x${(v & 0x1f).toString(16)}`;
  const ge = ((v >>> 16) & 15).toString(2).padStart(4, '0');
  const extra = [(v >>> 9) & 1 ? 'E' : '', (v >>> 8) & 1 ? 'A' : '', (v >>> 7) & 1 ? 'I' : '', (v >>> 6) & 1 ? 'F' : '', (v >>> 5) & 1 ? 'T' : '']
    .filter(Boolean).join('');
  return `${hex8(v)} ${flags} GE=${ge} ${mode}${extra ? ` ${extra}` : ''}`;
}

function psrDiff(a: number, b: number): string {
  const out: string[] = [];
  for (const [name, lo, width] of CPSR_BITS) {
    const mask = ((1 << width) - 1) << lo;
    if ((a & mask) !== (b & mask)) out.push(name);
  }
  if ((a ^ b) & ~CPSR_BITS.reduce((m, [, lo, w]) => m | (((1 << w) - 1) << lo), 0)) out.push('other');
  return out.join(',');
}

/** A mismatch as text: the case, both register files side by side, the disassembly. */
export function formatMismatch(mm: Mismatch): string {
  const { c, q, s } = mm;
  const lines: string[] = [];
  lines.push(`MISMATCH seed ${mm.batchSeed} case ${c.index}: row ${c.row.name}, ${c.thumb ? 'Thumb ' : ''}word ${hex8(c.word)} at ${hex8(c.addr)}`);
  if (c.thumb) {
    for (const i of c.thumb.insns) {
      const enc = i.size === 4 ? `${hex4(i.insn >>> 16)} ${hex4(i.insn & 0xffff)}` : hex4(i.insn);
      lines.push(`  ${hex8(i.addr)}: ${enc.padEnd(10)} ${disassembleThumb(i.insn, i.addr, i.size)}${i.row !== c.row ? `   [${i.row.name}]` : ''}`);
    }
  } else {
    lines.push(`  ${disassemble(c.word, c.addr)}`);
  }
  lines.push(`  input: mode ${MODE_NAMES[c.cpsr & 0x1f]}, cpsr ${psrText(c.cpsr)}, spsr ${psrText(c.spsr)}`);
  lines.push(`  differs: ${mm.fields.join(', ')}`);
  lines.push(`          ${'input'.padEnd(12)}${'qemu'.padEnd(12)}${'simulator'.padEnd(12)}`);
  for (let k = 0; k < 15; k++) {
    const mark = q.r[k] !== s.r[k] ? '  <--' : '';
    lines.push(`  ${`r${k}`.padEnd(7)} ${hex8(c.regs[k])}  ${hex8(q.r[k])}  ${hex8(s.r[k])}${mark}`);
  }
  lines.push(`  ${'pc'.padEnd(7)} ${hex8(c.addr)}  ${hex8(q.lr)}  ${hex8(s.lr)}${q.lr !== s.lr ? '  <--' : ''}   (exception LR)`);
  const finalMode = q.cpsr & 0x1f;
  for (let k = 0; k < 7; k++) {
    if (q.usr[k] === s.usr[k] && (finalMode === 0x10 || finalMode === 0x1f)) continue;
    const mark = q.usr[k] !== s.usr[k] ? '  <--' : '';
    lines.push(`  ${`r${8 + k}_usr`.padEnd(7)} ${hex8(c.regs[8 + k])}  ${hex8(q.usr[k])}  ${hex8(s.usr[k])}${mark}`);
  }
  lines.push(`  end     qemu: ${endText(c, q)}`);
  lines.push(`          simulator: ${endText(c, s)}`);
  lines.push(`  cpsr    qemu: ${psrText(q.cpsr)}`);
  lines.push(`          simulator: ${psrText(s.cpsr)}${q.cpsr !== s.cpsr ? `  <-- ${psrDiff(q.cpsr, s.cpsr)}` : ''}`);
  if (hasSpsr(q.cpsr & 0x1f) || hasSpsr(s.cpsr & 0x1f)) {
    lines.push(`  spsr    qemu: ${psrText(q.spsr)}`);
    lines.push(`          simulator: ${psrText(s.spsr)}${q.spsr !== s.spsr ? '  <--' : ''}`);
  }
  if (q.vector === 0x10 || s.vector === 0x10) lines.push(`  dfsr/dfar  qemu ${hex8(q.dfsr)}/${hex8(q.dfar)}  simulator ${hex8(s.dfsr)}/${hex8(s.dfar)}`);
  if (q.vector === 0x0c || s.vector === 0x0c) lines.push(`  ifsr/ifar  qemu ${hex8(q.ifsr)}/${hex8(q.ifar)}  simulator ${hex8(s.ifsr)}/${hex8(s.ifar)}`);
  if (q.window && s.window) {
    const diffs: string[] = [];
    for (let i = 0; i < q.window.length; i++) {
      if (q.window[i] !== s.window[i]) diffs.push(`+${i}: ${hex2(c.image[i])} -> qemu ${hex2(q.window[i])} / sim ${hex2(s.window[i])}`);
    }
    if (diffs.length) {
      lines.push(`  memory (window offset: initial -> results), ${diffs.length} byte(s) differ:`);
      for (const d of diffs.slice(0, 16)) lines.push(`    ${d}`);
    }
  }
  return lines.join('\n');
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}
