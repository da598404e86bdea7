/**
 * The recording file format (docs/recording-format.md), shared by the writer
 * and the reader: a magic line, then self-delimiting records, each with its
 * own length and CRC-32, so a file cut short by a crash is readable up to its
 * last complete record and a corrupted byte is found and located.
 *
 *   file   := MAGIC record*
 *   record := type:u8 flags:u8 reserved:u16 length:u32 crc32:u32 icount:f64 payload[length]
 *
 * `icount` is the first instruction count the record covers, so the records
 * of any instruction count are found from the frame headers alone, without
 * inflating a payload. Payloads are deflated (flags bit 0). The CRC-32 covers
 * every byte of the record but its own four: type, flags, reserved, length,
 * icount and the stored payload (format 2; format 1 covered the payload only).
 */

import type { Schedule } from '../machine/schedule';
import * as zlib from 'node:zlib';
import { constants as bufferConstants } from 'node:buffer';

export const MAGIC = Buffer.from('BRINGUP-RECORDING\n', 'latin1');
/**
 * The first bytes of a checkpoint index (the side file FILE.idx of a
 * recording whose header says `checkpoints: "index"`): the same records,
 * an index header first, then the checkpoints.
 */
export const INDEX_MAGIC = Buffer.from('BRINGUP-CHECKPOINTS\n', 'latin1');
/**
 * 6: a core's run takes up the fetch translation its last run held
 * (machine/cpu/cpu.ts heldFetch), so that where a run was stopped and
 * resumed does not change the TLB, and the CPU state holds that translation
 * (fetchHeld) when the TLB no longer does; the hashes of all other states are
 * those of format 5. Recordings of formats 3-5 replay as they ran: every run
 * looks its page up afresh.
 * 5: the header says where the checkpoints are: `inline` (in the recording,
 * as in format 4) or `index` (in the side file FILE.idx, which a replay can
 * rebuild: the recording holds the chunks, inputs and hashes only).
 * 4: checkpoint pages are stored by kind (zero, unchanged, XOR with the
 * version the recording stored before, literal), see encodeCheckpoint.
 * 3: the same chunk hashes (the machine's architectural state by name, in
 * canonical order: replay/state-hash.ts), every checkpoint page literal;
 * still read. 2 hashed the simulator's own CPU arrays, so its hashes cannot
 * be checked by this bringup and it is refused.
 */
export const FORMAT_VERSION = 6;
/** The formats this bringup reads. */
export const READ_FORMATS: readonly number[] = [3, 4, 5, 6];
export const FRAME_BYTES = 20;

export enum RecordType {
  Header = 1,
  Chunk = 2,
  Checkpoint = 3,
  Trace = 4,
  End = 5,
  /** An image embedded by `bringup bundle`. */
  Image = 6,
  /** The first record of a checkpoint index: the recording it belongs to. */
  IndexHeader = 7,
}

export const RECORD_NAMES: Record<number, string> = {
  1: 'header', 2: 'chunk', 3: 'checkpoint', 4: 'trace', 5: 'end', 6: 'image', 7: 'index header',
};

/** Checkpoints are deflated at zlib's fastest level: a few bytes more cost less than the time. */
export const CHECKPOINT_LEVEL = 1;

/** Where a recording's checkpoints are (format 5; older formats: inline). */
export type CheckpointPlace = 'inline' | 'index';

/** The payload of an index header record. */
export interface IndexHeader { recording: string; checkpointEvery: number }

/** The side file holding the checkpoints of recording `file`. */
export function indexFileOf(file: string): string { return `${file}.idx`; }

export type TraceLevel = 'off' | 'events' | 'full';

/** The header (schemas/recording.schema.json). */
export interface RecordingHeader {
  format: number;
  uuid: string;
  bringup: string;
  /** What one tick of icount means. */
  tick: string;
  clockHz: number;
  board: { name: string; file: string; sha256: string };
  /** Every image the run used: the kernel, the packed boot volume and each image inside it. */
  images: Array<{ role: string; name: string; file: string; sha256: string; size: number; text?: string }>;
  /**
   * cores and schedule: the cores the run had and how they took turns
   * (machine/schedule.ts); absent in recordings of one core.
   */
  boot: { cmdline?: string; console: string; semihosting?: boolean; cores?: number; schedule?: Schedule };
  scenario: { file: string; text: string };
  trace: TraceLevel;
  chunkInstructions: number;
  checkpointEvery: number;
  /** Format 5: where the checkpoints are (absent before: in the recording). */
  checkpoints?: CheckpointPlace;
}

/** `core`: on several cores, the core the machine was serving when the output came (machine.currentCore()); absent on one core. */
export interface ConsoleEntry { device: string; icount: number; text: string; core?: number }

/** Observable events: what different builds are compared by. */
export type RunEvent =
  | { icount: number; kind: 'exception'; vector: string; pc: number; mode: string; regs?: number[]; core?: number }
  | { icount: number; kind: 'mmio'; address: number; size: number; value: number; core?: number };

export interface ChunkRecord {
  index: number;
  from: number;
  to: number;
  /** sha256 chained over all chunks so far: equal hashes mean equal runs up to `to`. */
  hash: string;
  /** Several cores: the core in whose turn the chunk ended, when it ended in the middle of one (a run can stop in any core's turn). */
  core?: number;
  inputs: unknown[];
  console: ConsoleEntry[];
  events: RunEvent[];
}

export interface EndRecord {
  icount: number;
  verdict: string;
  stop: { kind: string; code?: number; by?: string };
  pc: number;
  /** Byte offsets of the records, for seeking without a scan. */
  index: Array<{ type: number; offset: number; icount: number }>;
}

/** The largest inflated payload of each record type the format allows (the reader refuses more before inflating it). */
export const MAX_HEADER_BYTES = 16 << 20;
/** An end record: its index takes ~50 bytes per record. */
export const MAX_END_BYTES = 64 << 20;

/**
 * A chunk record's JSON: 256 bytes per instruction of the header's chunk
 * size (a few events each), at least 16 MiB, at most 256 MiB (V8 parses
 * strings up to ~512 MiB). The default chunk of 32,000,000 instructions: 256 MiB.
 */
export function maxChunkBytes(chunkInstructions: number): number {
  return Math.min(256 << 20, Math.max(16 << 20, chunkInstructions * 256));
}
/** The JSON parts of a checkpoint (the chunk/hash/pages head and the machine state, each). */
export const MAX_CHECKPOINT_JSON_BYTES = 64 << 20;
/** A trace entry at its largest: pc, counts, 16 registers (r0-r14, CPSR), 255 memory words. */
export const MAX_TRACE_ENTRY_BYTES = 6 + 16 * 5 + 255 * 8;
/** Page numbers of a 32-bit physical address space. */
export const MAX_PAGES = 1 << 20;

/**
 * A record with its payload deflated at `level`: checkpoints, written while
 * the run goes on, use the fastest (1); the few bytes more are worth less
 * than the time.
 */
export function encodeRecord(type: RecordType, icount: number, payload: Uint8Array, level = 6): Buffer {
  return frameRecord(type, icount, zlib.deflateRawSync(payload, { level }));
}

/** A record whose payload is already deflated (raw deflate, as encodeRecord makes it): the frame, then `stored`. */
export function frameRecord(type: RecordType, icount: number, stored: Buffer): Buffer {
  const frame = Buffer.alloc(FRAME_BYTES);
  frame.writeUInt8(type, 0);
  frame.writeUInt8(1, 1);
  frame.writeUInt16LE(0, 2);
  frame.writeUInt32LE(stored.length, 4);
  frame.writeDoubleLE(icount, 12);
  frame.writeUInt32LE(frameCrc(frame, 0, stored), 8);
  return Buffer.concat([frame, stored]);
}

export function encodeJson(type: RecordType, icount: number, value: unknown): Buffer {
  return encodeRecord(type, icount, Buffer.from(JSON.stringify(value), 'utf8'));
}

export interface Frame { type: number; flags: number; reserved: number; length: number; crc: number; icount: number; offset: number }

export function decodeFrame(buf: Buffer, offset: number): Frame {
  return {
    type: buf.readUInt8(offset), flags: buf.readUInt8(offset + 1), reserved: buf.readUInt16LE(offset + 2), length: buf.readUInt32LE(offset + 4),
    crc: buf.readUInt32LE(offset + 8), icount: buf.readDoubleLE(offset + 12), offset,
  };
}

let crcTable: Int32Array | undefined;

/** zlib's own CRC-32 where Node has it (20.15 and later): opening a long recording checks every byte. */
const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 (IEEE, as zlib), continued from `crc` (0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  if (nativeCrc32) return nativeCrc32(data, crc) >>> 0;
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** The record CRC (format 2): the frame at `offset` without its CRC field, then the stored payload. */
export function frameCrc(buf: Uint8Array, offset: number, stored: Uint8Array): number {
  let c = crc32(buf.subarray(offset, offset + 8));
  c = crc32(buf.subarray(offset + 12, offset + FRAME_BYTES), c);
  return crc32(stored, c);
}

export class PayloadTooLarge extends Error {}

/** Inflates a stored payload, refusing (without producing them) more than `max` bytes. */
export function inflatePayload(frame: Frame, stored: Uint8Array, max: number): Buffer {
  if (!(frame.flags & 1)) {
    if (stored.length > max) throw new PayloadTooLarge(`its payload is ${stored.length} bytes; a ${RECORD_NAMES[frame.type] ?? 'record'} holds at most ${max}`);
    return Buffer.from(stored);
  }
  try {
    const maxOutputLength = Math.max(1, Math.min(max, bufferConstants.MAX_LENGTH));
    // Output in pieces about the size it inflates to (a checkpoint, some hundreds of KiB), not
    // zlib's 16 KiB: each piece is a call into zlib, and the pieces are copied together at the end.
    const chunkSize = Math.min(maxOutputLength, 4 << 20, Math.max(16 << 10, stored.length * 4));
    return zlib.inflateRawSync(stored, { maxOutputLength, chunkSize: Math.max(64, chunkSize) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new PayloadTooLarge(`its payload inflates to more than ${max} bytes, the most a ${RECORD_NAMES[frame.type] ?? 'record'} may hold (refused before inflating it whole)`);
    }
    throw new Error(`its payload does not inflate: ${(e as Error).message}`);
  }
}

/**
 * Checkpoint payload: u32 n, n bytes of JSON {chunk, hash, dirty} (dirty: the
 * pages written in the checkpoint's last chunk, in the order the chunk hash
 * took them), u32 m, m bytes of the machine state JSON exactly as hashed,
 * then one entry per page written since the previous checkpoint, in
 * increasing page order:
 *
 *   format 3: u32 page, 4096 bytes
 *   format 4: u32 page, u8 kind, then 4096 bytes for kinds literal and xor,
 *             the runs for kind xor-runs
 *
 * A page's *stored version* is its bytes as the last checkpoint holding it
 * (this one excluded) gives them. Kinds: 0 literal (the bytes), 1 zero (4096
 * zero bytes), 2 unchanged (its stored version: written, but back to the
 * same bytes), 3 xor (the 4096 bytes XOR its stored version), 4 xor-runs
 * (the same XOR, as its non-zero stretches: u16 n, then n times u16 offset,
 * u16 length and the bytes, offsets increasing; when that is smaller). A page with no
 * stored version is literal or zero. Decoding a page of kind 2 or 3 takes
 * the checkpoints before it: RecordingReader keeps the stored versions.
 */
export interface CheckpointHead { chunk: number; hash: string; dirty: number[] }

export enum PageKind { Literal = 0, Zero = 1, Unchanged = 2, Xor = 3, XorRuns = 4 }

/** A page entry as stored: `bytes` is the literal page or the XOR delta (4096 bytes), the XOR delta's runs (kind 4), empty for zero and unchanged pages. */
export interface StoredPage { page: number; kind: PageKind; bytes: Uint8Array }

export const PAGE_BYTES = 4096;

/** Pages whose bytes lie back to back in `data`, PAGE_BYTES each in the order of `pages` (how the replay's threads pass them), as views. */
export function pagesIn(pages: readonly number[], data: ArrayBuffer): Array<{ page: number; bytes: Uint8Array }> {
  return pages.map((page, k) => ({ page, bytes: new Uint8Array(data, k * PAGE_BYTES, PAGE_BYTES) }));
}
const EMPTY: Uint8Array = new Uint8Array(0);
const carriesBytes = (kind: PageKind): boolean => kind === PageKind.Literal || kind === PageKind.Xor;

export function encodeCheckpoint(head: CheckpointHead, stateJson: string | Uint8Array, pages: StoredPage[], format = FORMAT_VERSION): Buffer {
  const h = Buffer.from(JSON.stringify(head), 'utf8');
  const json = typeof stateJson === 'string' ? Buffer.from(stateJson, 'utf8') : Buffer.from(stateJson.buffer, stateJson.byteOffset, stateJson.byteLength);
  let size = 8 + h.length + json.length;
  for (const p of pages) {
    if (format < 4 && p.kind !== PageKind.Literal) throw new Error(`a format ${format} checkpoint holds literal pages only`);
    size += format < 4 ? 4 + PAGE_BYTES : 5 + (carriesBytes(p.kind) ? PAGE_BYTES : p.kind === PageKind.XorRuns ? p.bytes.length : 0);
  }
  const out = Buffer.alloc(size);
  out.writeUInt32LE(h.length, 0);
  h.copy(out, 4);
  let o = 4 + h.length;
  out.writeUInt32LE(json.length, o);
  json.copy(out, o + 4);
  o += 4 + json.length;
  for (const p of pages) {
    out.writeUInt32LE(p.page >>> 0, o);
    o += 4;
    if (format >= 4) out[o++] = p.kind;
    if (carriesBytes(p.kind)) {
      if (p.bytes.length !== PAGE_BYTES) throw new Error(`page 0x${p.page.toString(16)} carries ${p.bytes.length} bytes, not ${PAGE_BYTES}`);
      out.set(p.bytes, o);
      o += PAGE_BYTES;
    } else if (p.kind === PageKind.XorRuns) {
      out.set(p.bytes, o);
      o += p.bytes.length;
    }
  }
  return out;
}

export interface DecodedCheckpoint { head: CheckpointHead; stateJson: Buffer; pages: StoredPage[] }

/** Splits a checkpoint payload of recording format `format`, checking its layout; throws an Error saying what is wrong. */
export function decodeCheckpoint(buf: Buffer, format = FORMAT_VERSION): DecodedCheckpoint {
  if (buf.length < 8) throw new Error(`the checkpoint payload is ${buf.length} bytes, too short`);
  const n = buf.readUInt32LE(0);
  if (n > MAX_CHECKPOINT_JSON_BYTES || 4 + n + 4 > buf.length) throw new Error(`the checkpoint head claims ${n} bytes, the payload has ${buf.length}`);
  let head: unknown;
  try { head = JSON.parse(buf.subarray(4, 4 + n).toString('utf8')); } catch (e) { throw new Error(`the checkpoint head is not JSON: ${(e as Error).message}`); }
  const bad = checkpointHeadProblem(head);
  if (bad) throw new Error(`the checkpoint head ${bad}`);
  const m = buf.readUInt32LE(4 + n);
  const stateAt = 8 + n;
  if (m > MAX_CHECKPOINT_JSON_BYTES || stateAt + m > buf.length) throw new Error(`the checkpoint state claims ${m} bytes, the payload has ${buf.length - stateAt}`);
  const pages: StoredPage[] = [];
  let previous = -1;
  for (let o = stateAt + m; o < buf.length;) {
    const at = o;
    if (o + (format < 4 ? 4 : 5) > buf.length) throw new Error(`the checkpoint page entry at byte ${at} is cut short`);
    const page = buf.readUInt32LE(o);
    o += 4;
    const kind: PageKind = format < 4 ? PageKind.Literal : buf[o++];
    if (!(kind in PageKind)) throw new Error(`the checkpoint page entry at byte ${at} has an unknown kind ${kind}`);
    if (page >= MAX_PAGES || page <= previous) throw new Error(`the checkpoint pages are not distinct page numbers in increasing order (page ${page} after ${previous})`);
    previous = page;
    let bytes: Uint8Array = EMPTY;
    if (carriesBytes(kind)) {
      if (o + PAGE_BYTES > buf.length) throw new Error(`the checkpoint page 0x${page.toString(16)} is cut short (${buf.length - o} of ${PAGE_BYTES} bytes)`);
      bytes = buf.subarray(o, o + PAGE_BYTES);
      o += PAGE_BYTES;
    } else if (kind === PageKind.XorRuns) {
      const end = runsEnd(buf, o);
      if (typeof end === 'string') throw new Error(`the checkpoint page 0x${page.toString(16)} ${end}`);
      bytes = buf.subarray(o, end);
      o = end;
    }
    pages.push({ page, kind, bytes });
  }
  return { head: head as CheckpointHead, stateJson: buf.subarray(stateAt, stateAt + m), pages };
}

/**
 * The bytes of a stored page, given its stored version (`before`, undefined
 * when the recording stored none). Throws an Error for an xor or unchanged
 * page without one. The result may share memory with `p` or `before`; do not
 * modify it.
 */
export function resolvePage(p: StoredPage, before: Uint8Array | undefined): Uint8Array {
  switch (p.kind) {
    case PageKind.Literal: return p.bytes;
    case PageKind.Zero: return ZERO_PAGE;
    case PageKind.Unchanged:
    case PageKind.Xor:
    case PageKind.XorRuns: {
      if (!before) throw new Error(`page 0x${p.page.toString(16)} is stored as ${p.kind === PageKind.Unchanged ? 'unchanged from' : 'a difference from'} a version no checkpoint before it holds`);
      if (p.kind === PageKind.Unchanged) return before;
      if (p.kind === PageKind.Xor) return xorPages(p.bytes, before);
      return applyRuns(p.bytes, before);
    }
  }
}

/**
 * How a page with bytes `now` is stored, given its stored version `before`
 * (undefined: none). `now` must not be modified afterwards when it is kept.
 */
export function storePage(page: number, now: Uint8Array, before: Uint8Array | undefined): StoredPage {
  if (isZeroPage(now)) return { page, kind: PageKind.Zero, bytes: EMPTY };
  if (!before) return { page, kind: PageKind.Literal, bytes: now };
  if (Buffer.from(now.buffer, now.byteOffset, PAGE_BYTES).equals(Buffer.from(before.buffer, before.byteOffset, PAGE_BYTES))) return { page, kind: PageKind.Unchanged, bytes: EMPTY };
  const delta = xorPages(now, before);
  const runs = encodeRuns(delta);
  return runs ? { page, kind: PageKind.XorRuns, bytes: runs } : { page, kind: PageKind.Xor, bytes: delta };
}

/** Zero bytes that may sit inside a run: a shorter gap ends it (a run costs 4 bytes of offset and length). */
const RUN_GAP = 4;

/**
 * The non-zero stretches of an XOR delta as `u16 n, (u16 offset, u16
 * length, length bytes)*n`, offsets increasing; undefined when that is not
 * smaller than the delta itself.
 */
function encodeRuns(delta: Uint8Array): Uint8Array | undefined {
  const out = Buffer.allocUnsafe(PAGE_BYTES);
  // Deltas are mostly zero: whole zero words are skipped a word at a time.
  const words = delta.byteOffset % 4 === 0 ? new Uint32Array(delta.buffer, delta.byteOffset, PAGE_BYTES / 4) : undefined;
  let o = 2, n = 0, i = 0;
  while (i < PAGE_BYTES) {
    if (words) {
      while ((i & 3) !== 0 && delta[i] === 0) i++;
      if ((i & 3) === 0) while (i < PAGE_BYTES && words[i >>> 2] === 0) i += 4;
    }
    while (i < PAGE_BYTES && delta[i] === 0) i++;
    if (i === PAGE_BYTES) break;
    const start = i;
    let end = i + 1, zeros = 0;
    for (let j = end; j < PAGE_BYTES; j++) {
      if (delta[j] !== 0) { end = j + 1; zeros = 0; } else if (++zeros > RUN_GAP) break;
    }
    const length = end - start;
    if (o + 4 + length >= PAGE_BYTES) return undefined;
    out.writeUInt16LE(start, o);
    out.writeUInt16LE(length, o + 2);
    out.set(delta.subarray(start, end), o + 4);
    o += 4 + length;
    n++;
    i = end;
  }
  out.writeUInt16LE(n, 0);
  return Uint8Array.prototype.slice.call(out, 0, o);
}

/** Where the runs starting at `o` end, or what is wrong with them. */
function runsEnd(buf: Buffer, o: number): number | string {
  if (o + 2 > buf.length) return 'has its runs cut short';
  const n = buf.readUInt16LE(o);
  let at = o + 2, last = 0;
  for (let k = 0; k < n; k++) {
    if (at + 4 > buf.length) return 'has its runs cut short';
    const offset = buf.readUInt16LE(at), length = buf.readUInt16LE(at + 2);
    if (offset < last || length === 0 || offset + length > PAGE_BYTES) return `has a run at ${offset} of ${length} bytes out of order or outside the page`;
    if (at + 4 + length > buf.length) return 'has its runs cut short';
    last = offset + length;
    at += 4 + length;
  }
  return at;
}

/** `before` with the runs of an XOR delta applied (the runs as runsEnd checked them). */
function applyRuns(runs: Uint8Array, before: Uint8Array): Uint8Array {
  const out = Uint8Array.prototype.slice.call(before, 0, PAGE_BYTES) as Uint8Array;
  const n = runs[0] | (runs[1] << 8);
  let at = 2;
  for (let k = 0; k < n; k++) {
    const offset = runs[at] | (runs[at + 1] << 8), length = runs[at + 2] | (runs[at + 3] << 8);
    at += 4;
    for (let i = 0; i < length; i++) out[offset + i] ^= runs[at + i];
    at += length;
  }
  return out;
}

const ZERO_PAGE = new Uint8Array(PAGE_BYTES);

/**
 * Whether a page resolvePage gave has a buffer of its own (a page made from
 * a difference), which may be kept as it is; a literal page is a view into
 * the payload it came in, and a zero page is shared.
 */
export function ownsItsBuffer(page: Uint8Array): boolean {
  return page !== ZERO_PAGE && page.byteOffset === 0 && page.byteLength === page.buffer.byteLength;
}

function isZeroPage(b: Uint8Array): boolean {
  return Buffer.from(b.buffer, b.byteOffset, PAGE_BYTES).equals(ZERO_PAGE);
}

/** a XOR b, page sized, a word at a time where both are aligned. */
function xorPages(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(PAGE_BYTES);
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const x = new Uint32Array(a.buffer, a.byteOffset, PAGE_BYTES / 4), y = new Uint32Array(b.buffer, b.byteOffset, PAGE_BYTES / 4), o = new Uint32Array(out.buffer);
    for (let i = 0; i < o.length; i++) o[i] = x[i] ^ y[i];
  } else {
    for (let i = 0; i < PAGE_BYTES; i++) out[i] = a[i] ^ b[i];
  }
  return out;
}

// ---- record payload checks (what the reader takes must have the right shape) ----

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isHash = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
/** A core number as events and inputs name it (a machine runs at most a few). */
const isCore = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 64;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkpointHeadProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'is not an object';
  if (!isCount(v.chunk)) return 'has no chunk count';
  if (!isHash(v.hash)) return 'has no sha256 hash';
  if (!Array.isArray(v.dirty) || !v.dirty.every((p) => isCount(p) && p < MAX_PAGES)) return 'has no list of dirty pages';
  return undefined;
}

/** An address as the input log holds it: 32 bits, unsigned or (as a pc taken from a signed register) signed. */
function isLoggedAddress(x: unknown): boolean {
  return Number.isInteger(x) && (x as number) >= -0x80000000 && (x as number) <= 0xffffffff;
}

function inputProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'is not an object';
  if (!isCount(v.icount)) return 'has no instruction count';
  if (typeof v.cause !== 'string') return 'has no cause';
  const p = v.point;
  if (!isObject(p)) return 'has no point';
  if (p.at === 'exec') { if (!isLoggedAddress(p.pc)) return 'has an exec point without a pc'; }
  else if (p.at === 'access') { if (!isLoggedAddress(p.address) || typeof p.write !== 'boolean') return 'has an access point without address and write'; }
  else if (p.at !== 'boundary') return `has an unknown point ${JSON.stringify(p.at)}`;
  if (v.core !== undefined && !isCore(v.core)) return `names core ${JSON.stringify(v.core)}, not a core number`;
  const i = v.injection;
  if (!isObject(i)) return 'has no injection';
  switch (i.kind) {
    case 'console-input': return typeof i.device === 'string' && Array.isArray(i.data) && i.data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? undefined : 'has console input without device and bytes';
    case 'data-abort': return isLoggedAddress(i.address) && isU32(i.status) && typeof i.write === 'boolean' ? undefined : 'has a data abort without address, status and write';
    case 'prefetch-abort': return isLoggedAddress(i.address) && isU32(i.status) ? undefined : 'has a prefetch abort without address and status';
    case 'skip-call': return undefined;
    case 'irq-line': return typeof i.controller === 'string' && isCount(i.line) && typeof i.high === 'boolean' ? undefined : 'has an irq-line without controller, line and level';
    case 'bit-flip': return isLoggedAddress(i.address) && Number.isInteger(i.bit) && (i.bit as number) >= 0 && (i.bit as number) < 8 ? undefined : 'has a bit flip without address and bit 0-7';
    case 'stall-core': return isCore(i.core) && isCount(i.ticks) ? undefined : 'has a core stall without core and ticks';
    case 'lose-sgi': return typeof i.controller === 'string' && Number.isInteger(i.sgi) && (i.sgi as number) >= 0 && (i.sgi as number) < 16 && isCount(i.cores) && (i.cores as number) > 0 && (i.cores as number) < 256
      ? undefined : 'has a lost SGI without controller, SGI 0-15 and core mask';
    default: return `has an unknown injection kind ${JSON.stringify(i.kind)}`;
  }
}

function eventProblem(v: unknown, from: number, to: number): string | undefined {
  if (!isObject(v)) return 'is not an object';
  if (v.core !== undefined && !isCore(v.core)) return `names core ${JSON.stringify(v.core)}, not a core number`;
  if (!isCount(v.icount) || v.icount < from || v.icount > to) return `has an instruction count outside the chunk (${JSON.stringify(v.icount)})`;
  if (v.kind === 'exception') {
    if (typeof v.vector !== 'string' || !isU32(v.pc) || typeof v.mode !== 'string') return 'is an exception without vector, pc and mode';
    if (v.regs !== undefined && !(Array.isArray(v.regs) && v.regs.every(isU32))) return 'has registers that are not 32-bit numbers';
    return undefined;
  }
  if (v.kind === 'mmio') return isU32(v.address) && isCount(v.size) && isU32(v.value) ? undefined : 'is an MMIO write without address, size and value';
  return `has an unknown kind ${JSON.stringify(v.kind)}`;
}

/** What is wrong with a chunk record's JSON (undefined when it has the right shape). */
export function chunkProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'is not an object';
  if (!isCount(v.index)) return 'has no index';
  if (!isCount(v.from) || !isCount(v.to)) return `has instruction counts that are not counts (from ${JSON.stringify(v.from)}, to ${JSON.stringify(v.to)})`;
  if (v.to < v.from) return `ends (${v.to}) before it starts (${v.from})`;
  if (!isHash(v.hash)) return 'has no sha256 hash';
  if (!Array.isArray(v.inputs) || !Array.isArray(v.console) || !Array.isArray(v.events)) return 'lacks its inputs, console or events list';
  for (let i = 0; i < v.inputs.length; i++) { const p = inputProblem(v.inputs[i]); if (p) return `input ${i} ${p}`; }
  for (let i = 0; i < v.console.length; i++) {
    const c = v.console[i];
    if (!isObject(c) || typeof c.device !== 'string' || typeof c.text !== 'string' || !isCount(c.icount)) return `console entry ${i} has no device, instruction count and text`;
    if (c.core !== undefined && !isCore(c.core)) return `console entry ${i} names core ${JSON.stringify(c.core)}, not a core number`;
  }
  for (let i = 0; i < v.events.length; i++) { const p = eventProblem(v.events[i], v.from, v.to); if (p) return `event ${i} ${p}`; }
  return undefined;
}

/** What is wrong with an end record's JSON. */
export function endProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'is not an object';
  if (!isCount(v.icount)) return `has an instruction count that is not a count (${JSON.stringify(v.icount)})`;
  if (typeof v.verdict !== 'string') return 'has no verdict';
  if (!isObject(v.stop) || typeof v.stop.kind !== 'string') return 'has no stop';
  if (!isU32(v.pc)) return 'has no pc';
  if (!Array.isArray(v.index) || !v.index.every((e) => isObject(e) && isCount(e.type) && isCount(e.offset) && isCount(e.icount))) return 'has no index of records';
  return undefined;
}

/** Checks a trace payload's layout: whole entries filling it, at most one per instruction of its chunk (`count`). Throws an Error saying what is wrong. */
export function checkTraceLayout(buf: Buffer, count: number): void {
  let o = 0;
  let n = 0;
  while (o < buf.length) {
    if (n >= count) throw new Error(`the trace holds more entries than its chunk has instructions (${count})`);
    if (o + 6 > buf.length) throw new Error(`trace entry ${n} is cut short at byte ${o} of ${buf.length}`);
    const nr = buf.readUInt8(o + 4);
    const nm = buf.readUInt8(o + 5);
    if (nr > 16) throw new Error(`trace entry ${n} claims ${nr} registers (at most 16)`);
    o += 6;
    for (let i = 0; i < nr; i++) if (o + i * 5 < buf.length && buf.readUInt8(o + i * 5) > 16) throw new Error(`trace entry ${n} names register ${buf.readUInt8(o + i * 5)}`);
    o += nr * 5 + nm * 8;
    if (o > buf.length) throw new Error(`trace entry ${n} is cut short (needs ${o} bytes of ${buf.length})`);
    n++;
  }
  if (n > count) throw new Error(`the trace holds ${n} entries for a chunk of ${count} instructions`);
}

/**
 * Device and CPU snapshots hold typed arrays; JSON keeps them as
 * {"$typed":"Uint8Array","data":[...]} so they come back as the same type.
 */
export function replaceTyped(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return { $typed: value.constructor.name, data: Array.from(value as unknown as ArrayLike<number>) };
  }
  return value;
}

const TYPED: Record<string, new (data: number[]) => unknown> = {
  Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array,
};

export function reviveTyped(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && '$typed' in value) {
    const v = value as { $typed: string; data: number[] };
    const T = TYPED[v.$typed];
    if (T) return new T(v.data);
  }
  return value;
}

/**
 * JSON.parse(text, reviveTyped), without a call into the reviver for every
 * value: a machine state's TLB columns are long lists of numbers, and those
 * calls were most of the time a checkpoint's state took to read. The parsed
 * value is walked once instead, objects only, bottom up as JSON.parse calls
 * a reviver.
 */
export function parseTyped(text: string): unknown {
  return revive(JSON.parse(text));
}

function revive(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      if (e !== null && typeof e === 'object') v[i] = revive(e);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const e = o[k];
    if (e === null || typeof e !== 'object') continue;
    const r = revive(e);
    // Assigned only when replaced (a key named __proto__ would otherwise set the prototype).
    if (r !== e) o[k] = r;
  }
  return reviveTyped('', o);
}
