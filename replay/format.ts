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
 * inflating a payload. Payloads are deflated (flags bit 0).
 */

import * as zlib from 'node:zlib';
import { crc32 } from '../machine/boot/volume';

export const MAGIC = Buffer.from('BRINGUP-RECORDING\n', 'latin1');
export const FORMAT_VERSION = 1;
export const FRAME_BYTES = 20;

export enum RecordType {
  Header = 1,
  Chunk = 2,
  Checkpoint = 3,
  Trace = 4,
  End = 5,
  /** An image embedded by `bringup bundle`. */
  Image = 6,
}

export const RECORD_NAMES: Record<number, string> = {
  1: 'header', 2: 'chunk', 3: 'checkpoint', 4: 'trace', 5: 'end', 6: 'image',
};

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
  boot: { cmdline?: string; console: string; semihosting?: boolean };
  scenario: { file: string; text: string };
  trace: TraceLevel;
  chunkInstructions: number;
  checkpointEvery: number;
}

export interface ConsoleEntry { device: string; icount: number; text: string }

/** Observable events: what different builds are compared by. */
export type RunEvent =
  | { icount: number; kind: 'exception'; vector: string; pc: number; mode: string; regs?: number[] }
  | { icount: number; kind: 'mmio'; address: number; size: number; value: number };

export interface ChunkRecord {
  index: number;
  from: number;
  to: number;
  /** sha256 chained over all chunks so far: equal hashes mean equal runs up to `to`. */
  hash: string;
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

export function encodeRecord(type: RecordType, icount: number, payload: Uint8Array): Buffer {
  const stored = zlib.deflateRawSync(payload, { level: 6 });
  const frame = Buffer.alloc(FRAME_BYTES);
  frame.writeUInt8(type, 0);
  frame.writeUInt8(1, 1);
  frame.writeUInt16LE(0, 2);
  frame.writeUInt32LE(stored.length, 4);
  frame.writeUInt32LE(crc32(stored), 8);
  frame.writeDoubleLE(icount, 12);
  return Buffer.concat([frame, stored]);
}

export function encodeJson(type: RecordType, icount: number, value: unknown): Buffer {
  return encodeRecord(type, icount, Buffer.from(JSON.stringify(value), 'utf8'));
}

export interface Frame { type: number; flags: number; length: number; crc: number; icount: number; offset: number }

export function decodeFrame(buf: Buffer, offset: number): Frame {
  return {
    type: buf.readUInt8(offset), flags: buf.readUInt8(offset + 1), length: buf.readUInt32LE(offset + 4),
    crc: buf.readUInt32LE(offset + 8), icount: buf.readDoubleLE(offset + 12), offset,
  };
}

export function inflatePayload(frame: Frame, stored: Uint8Array): Buffer {
  return frame.flags & 1 ? zlib.inflateRawSync(stored) : Buffer.from(stored);
}

/** Checkpoint payload: u32 JSON length, the JSON state, then (u32 page, 4096 bytes) per page. */
export function encodeCheckpoint(state: unknown, pages: Array<{ page: number; bytes: Uint8Array }>): Buffer {
  const json = Buffer.from(stringifyState(state), 'utf8');
  const out = Buffer.alloc(4 + json.length + pages.length * 4100);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  let o = 4 + json.length;
  for (const p of pages) {
    out.writeUInt32LE(p.page >>> 0, o);
    out.set(p.bytes, o + 4);
    o += 4100;
  }
  return out;
}

export function decodeCheckpoint(buf: Buffer): { state: unknown; pages: Array<{ page: number; bytes: Uint8Array }> } {
  const n = buf.readUInt32LE(0);
  const state = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'), reviveTyped);
  const pages: Array<{ page: number; bytes: Uint8Array }> = [];
  for (let o = 4 + n; o + 4100 <= buf.length; o += 4100) pages.push({ page: buf.readUInt32LE(o), bytes: buf.subarray(o + 4, o + 4100) });
  return { state, pages };
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

export function stringifyState(state: unknown): string {
  return JSON.stringify(state, replaceTyped);
}
