/**
 * Reads a recording: checks the magic, walks the record frames verifying
 * each CRC-32, and stops at the first record that is cut short or corrupted,
 * keeping everything before it usable and saying exactly what was lost.
 */

import * as fs from 'node:fs';
import {
  FORMAT_VERSION, FRAME_BYTES, MAGIC, RECORD_NAMES, RecordType, decodeCheckpoint, decodeFrame, inflatePayload,
  type ChunkRecord, type EndRecord, type Frame, type RecordingHeader,
} from './format';
import { crc32 } from '../machine/boot/volume';
import { decodeTrace, type TraceEntry } from './trace';
import { headerProblems } from './header-schema';

export class RecordingError extends Error {}

export interface CheckpointRef { icount: number; chunk: number; frame: Frame }

export class RecordingReader {
  readonly header: RecordingHeader;
  readonly chunks: ChunkRecord[] = [];
  readonly checkpoints: CheckpointRef[] = [];
  readonly traces: Frame[] = [];
  readonly images: Frame[] = [];
  /** Every intact record, in file order. */
  readonly frames: Frame[] = [];
  end: EndRecord | undefined;
  /** What is wrong with the file (empty for a complete, intact recording). */
  readonly problems: string[] = [];

  static open(file: string): RecordingReader {
    let buf: Buffer;
    try { buf = fs.readFileSync(file); } catch (e) { throw new RecordingError(`${file}: cannot read: ${(e as Error).message}`); }
    return new RecordingReader(buf, file);
  }

  constructor(private readonly buf: Buffer, readonly file: string) {
    if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new RecordingError(`${file}: not a bringup recording (the file does not start with "${MAGIC.toString('latin1').trim()}")`);
    }
    let header: RecordingHeader | undefined;
    let offset = MAGIC.length;
    let n = 0;
    while (offset < buf.length) {
      if (offset + FRAME_BYTES > buf.length) {
        this.problems.push(`truncated: the file ends inside the frame of record ${n + 1} at byte ${offset} (${buf.length - offset} of ${FRAME_BYTES} bytes)`);
        break;
      }
      const f = decodeFrame(buf, offset);
      const name = RECORD_NAMES[f.type] ?? `of unknown type ${f.type}`;
      const start = offset + FRAME_BYTES;
      if (start + f.length > buf.length) {
        this.problems.push(`truncated: record ${n + 1} (${name}, from instruction ${f.icount}) at byte ${offset} needs ${f.length} bytes, the file has ${buf.length - start}`);
        break;
      }
      const stored = buf.subarray(start, start + f.length);
      if (crc32(stored) !== f.crc || !RECORD_NAMES[f.type]) {
        this.problems.push(`corrupted: record ${n + 1} (${name}) at byte ${offset} fails its CRC-32 check`);
        break;
      }
      try {
        this.take(f, stored, (h) => { header = h; }, n);
      } catch (e) {
        this.problems.push(`corrupted: record ${n + 1} (${name}) at byte ${offset}: ${(e as Error).message}`);
        break;
      }
      this.frames.push(f);
      offset = start + f.length;
      n++;
    }
    if (!header) throw new RecordingError(`${file}: no usable header${this.problems.length ? ` (${this.problems.join('; ')})` : ''}`);
    if (header.format !== FORMAT_VERSION) {
      throw new RecordingError(`${file}: recording format ${header.format} is not supported by this bringup (it reads format ${FORMAT_VERSION})`);
    }
    const wrong = headerProblems(header);
    if (wrong.length) throw new RecordingError(`${file}: the header does not follow schemas/recording.schema.json: ${wrong.join('; ')}`);
    this.header = header;
    if (!this.end && this.problems.length === 0) this.problems.push('incomplete: the recording has no end record (the run was interrupted)');
  }

  private take(f: Frame, stored: Buffer, setHeader: (h: RecordingHeader) => void, n: number): void {
    switch (f.type) {
      case RecordType.Header:
        if (n !== 0) throw new Error('a second header');
        setHeader(JSON.parse(inflatePayload(f, stored).toString('utf8')));
        return;
      case RecordType.Chunk: {
        const c = JSON.parse(inflatePayload(f, stored).toString('utf8')) as ChunkRecord;
        if (c.index !== this.chunks.length) throw new Error(`chunk ${c.index} follows chunk ${this.chunks.length - 1}`);
        this.chunks.push(c);
        return;
      }
      case RecordType.Checkpoint: this.checkpoints.push({ icount: f.icount, chunk: this.chunks.length, frame: f }); return;
      case RecordType.Trace: this.traces.push(f); return;
      case RecordType.Image: this.images.push(f); return;
      case RecordType.End: this.end = JSON.parse(inflatePayload(f, stored).toString('utf8')); return;
    }
  }

  /** The last instruction count the usable part of the file covers. */
  get lastIcount(): number {
    return this.end?.icount ?? (this.chunks.length ? this.chunks[this.chunks.length - 1].to : 0);
  }

  get complete(): boolean { return this.problems.length === 0; }

  payload(f: Frame): Buffer {
    const start = f.offset + FRAME_BYTES;
    return inflatePayload(f, this.buf.subarray(start, start + f.length));
  }

  /** The encoded record as it is in the file (frame and payload). */
  rawRecord(f: Frame): Buffer {
    return this.buf.subarray(f.offset, f.offset + FRAME_BYTES + f.length);
  }

  checkpoint(ref: CheckpointRef): { chunk: number; hash: string; state: unknown; pages: Array<{ page: number; bytes: Uint8Array }> } {
    const { state, pages } = decodeCheckpoint(this.payload(ref.frame));
    const s = state as { chunk: number; hash: string; state: unknown };
    return { chunk: s.chunk, hash: s.hash, state: s.state, pages };
  }

  /** Trace entries from..to (instruction counts), reading only the trace records that cover them. */
  traceBetween(from: number, to: number): TraceEntry[] {
    const out: TraceEntry[] = [];
    for (let i = 0; i < this.traces.length; i++) {
      const f = this.traces[i];
      const next = i + 1 < this.traces.length ? this.traces[i + 1].icount : Infinity;
      if (next <= from || f.icount >= to) continue;
      for (const e of decodeTrace(this.payload(f), f.icount)) if (e.icount >= from && e.icount < to) out.push(e);
    }
    return out;
  }

  /** Embedded images of a bundle by file name. */
  embeddedImages(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const f of this.images) {
      const p = this.payload(f);
      const n = p.readUInt32LE(0);
      out.set(p.subarray(4, 4 + n).toString('utf8'), p.subarray(4 + n));
    }
    return out;
  }

  /** A summary of what is usable, for messages. */
  describeUsable(): string {
    return `header, ${this.chunks.length} chunk(s) up to instruction ${this.lastIcount}, ${this.checkpoints.length} checkpoint(s)${this.traces.length ? `, ${this.traces.length} trace record(s)` : ''}`;
  }
}
