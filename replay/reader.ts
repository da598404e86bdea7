/**
 * Reads a recording: checks the magic, walks the record frames verifying
 * each CRC-32 (which covers every frame field and the payload), checks that
 * each record has the right shape and fits the ones before it (chunks in
 * order and contiguous, a checkpoint exactly where the header says, the end
 * record's index equal to the records read), and stops at the first record
 * that is cut short, corrupted or out of place, keeping everything before it
 * usable and saying exactly what was lost. Checkpoints are checked against
 * the chunk hash chain before a replay restores one (checkpoint()).
 *
 * A recording whose header says `checkpoints: "index"` keeps its checkpoints
 * in the side file FILE.idx: read after the recording, record by record the
 * same way, as far as it is intact and belongs to this recording (its index
 * header names the recording's uuid). The index is a cache: what is wrong
 * with it goes to `indexProblems`, never makes the recording incomplete, and
 * `replay --verify` writes it anew.
 */

import {
  FORMAT_VERSION, READ_FORMATS, FRAME_BYTES, INDEX_MAGIC, MAGIC, MAX_CHECKPOINT_JSON_BYTES, MAX_END_BYTES, MAX_HEADER_BYTES, MAX_PAGES, MAX_TRACE_ENTRY_BYTES, maxChunkBytes,
  RECORD_NAMES, RecordType, checkTraceLayout, chunkProblem, crc32, decodeCheckpoint, decodeFrame, endProblem, frameCrc, inflatePayload, resolvePage,
  indexFileOf, ownsItsBuffer, parseTyped, type ChunkRecord, type EndRecord, type Frame, type IndexHeader, type RecordingHeader,
} from './format';
import * as fs from 'node:fs';
import { decodeTrace, type TraceEntry } from './trace';
import { headerProblems } from './header-schema';
import { decodeImageRecord, IMAGE_KEY, MAX_IMAGE_KEY_BYTES } from './boot-record';
import { GENESIS, chainHash, hashedState } from './state-hash';
import { InputFileUnusable, readInputFile } from '../io/input-file';

/** What a refusal of another format says this bringup reads. */
function readsFormats(): string {
  const older = READ_FORMATS.filter((f) => f !== FORMAT_VERSION);
  return `it reads format ${FORMAT_VERSION}${older.length ? ` and ${older.length > 1 ? 'formats' : 'format'} ${older.join(', ').replace(/, (\d+)$/, ' and $1')}` : ''}`;
}

/** A recording that cannot be used (or not all of it): names the file and what is wrong. Exit status 2. */
export class RecordingError extends InputFileUnusable {}

/** Damage found in a record the reader did not need to open at first (a checkpoint, a trace, an image). */
export class RecordingDamaged extends RecordingError {}

/** The largest recording read: what one read of a file can take. */
export const MAX_RECORDING_BYTES = 2 ** 31 - 1;

/**
 * A checkpoint record: `chunk` chunks precede it; `record` is its 1-based
 * number in the file that holds it (the recording, or with `inIndex` its
 * index).
 */
export interface CheckpointRef { icount: number; chunk: number; frame: Frame; record: number; inIndex?: boolean }

export interface Checkpoint { chunk: number; hash: string; state: unknown; pages: Array<{ page: number; bytes: Uint8Array }> }


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
  /**
   * Checkpoints "index": the side file (FILE.idx), and what is wrong with it
   * (missing, another recording's, cut short, damaged): the checkpoints
   * before the first problem are used.
   */
  readonly indexFile: string | undefined;
  readonly indexProblems: string[] = [];
  private indexBuf: Buffer | undefined;
  /** Instructions of the chunk each trace record covers (parallel to `traces`). */
  private readonly traceCounts: number[] = [];
  /** Checkpoints found damaged when opened (by frame offset). */
  private readonly badCheckpoints = new Map<number, string>();
  /**
   * The stored version of every page the first `storedThrough` checkpoints
   * hold (the bytes the last of them holding it gives): what a format 4
   * checkpoint's pages decode against, and what a seek loads into RAM.
   */
  private readonly stored = new Map<number, Uint8Array>();
  private storedThrough = 0;
  /** The checkpoint decoded last (a seek and a verify ask for the same one in turn). */
  private lastDecoded: { index: number; cp: Checkpoint } | undefined;
  private parsedHeader: RecordingHeader | undefined;
  /** What the next record must be: a trace after a chunk of a full-trace recording, a checkpoint at the interval. */
  private expect: 'trace' | 'checkpoint' | undefined;

  static open(file: string): RecordingReader {
    // Read into shared memory: a verify's checkpoint prefetcher (its own thread) reads the same bytes without a copy.
    const buf = readInputFile(file, { what: 'recording', maxBytes: MAX_RECORDING_BYTES, shared: true });
    let index: Buffer | string | null = null;
    const indexFile = indexFileOf(file);
    if (fs.existsSync(indexFile)) {
      // An index that cannot be read costs seek time only, as a missing one.
      try { index = readInputFile(indexFile, { what: 'checkpoint index', maxBytes: MAX_RECORDING_BYTES, shared: true }); } catch (e) {
        if (!(e instanceof InputFileUnusable)) throw e;
        index = e.reason;
      }
    }
    return new RecordingReader(buf, file, index);
  }

  /**
   * `index`: the contents of the recording's checkpoint index (null: there
   * is none; a string: why it cannot be read), used only when the header
   * says the checkpoints are there.
   */
  constructor(private readonly buf: Buffer, readonly file: string, index: Buffer | string | null = null) {
    if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new RecordingError(file, `not a bringup recording (the file does not start with "${MAGIC.toString('latin1').trim()}")`);
    }
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
      if (frameCrc(buf, offset, stored) !== f.crc) {
        if (n === 0) this.refuseOldFormat(f, stored);
        this.problems.push(`corrupted: record ${n + 1} (${name}) at byte ${offset} fails its CRC-32 check`);
        break;
      }
      try {
        if (!RECORD_NAMES[f.type]) throw new Error(`unknown record type ${f.type}`);
        if (f.flags & ~1 || f.reserved !== 0) throw new Error(`unknown flags 0x${f.flags.toString(16)} or reserved bits 0x${f.reserved.toString(16)} set`);
        this.take(f, stored, n);
      } catch (e) {
        if (e instanceof RecordingError) throw e;
        this.problems.push(`corrupted: record ${n + 1} (${name}) at byte ${offset}: ${(e as Error).message}`);
        break;
      }
      this.frames.push(f);
      offset = start + f.length;
      n++;
    }
    const header = this.parsedHeader;
    if (!header) throw new RecordingError(file, `no usable header${this.problems.length ? ` (${this.problems.join('; ')})` : ''}`);
    this.header = header;
    if (!this.end && this.problems.length === 0) this.problems.push('incomplete: the recording has no end record (the run was interrupted)');
    if (header.checkpoints === 'index') {
      this.indexFile = indexFileOf(file);
      this.readIndex(index);
    }
  }

  /** Whether the checkpoints are in a side index. */
  get checkpointsInIndex(): boolean { return this.indexFile !== undefined; }

  /**
   * Takes the checkpoints of the index: after its index header (which must
   * name this recording), one checkpoint after every `checkpointEvery`-th
   * chunk, in order, up to the chunks the recording holds; stops at the
   * first record that is not that.
   */
  private readIndex(buf: Buffer | string | null): void {
    const name = this.indexFile!;
    const stop = (why: string) => { this.indexProblems.push(`${name}: ${why}`); };
    if (buf === null) { stop('missing (seeks replay from the boot; `bringup replay FILE --verify` writes it again)'); return; }
    if (typeof buf === 'string') { stop(`${buf} (seeks replay from the boot)`); return; }
    if (buf.length < INDEX_MAGIC.length || !buf.subarray(0, INDEX_MAGIC.length).equals(INDEX_MAGIC)) { stop('not a checkpoint index'); return; }
    this.indexBuf = buf;
    const every = this.header.checkpointEvery;
    let offset = INDEX_MAGIC.length;
    for (let n = 0; offset < buf.length; n++) {
      if (offset + FRAME_BYTES > buf.length) { stop(`truncated: the file ends inside the frame of record ${n + 1} at byte ${offset}`); return; }
      const f = decodeFrame(buf, offset);
      const start = offset + FRAME_BYTES;
      const label = `record ${n + 1} (${RECORD_NAMES[f.type] ?? `of unknown type ${f.type}`}) at byte ${offset}`;
      if (start + f.length > buf.length) { stop(`truncated: ${label} needs ${f.length} bytes, the file has ${buf.length - start}`); return; }
      const stored = buf.subarray(start, start + f.length);
      if (frameCrc(buf, offset, stored) !== f.crc) { stop(`corrupted: ${label} fails its CRC-32 check`); return; }
      if (f.flags & ~1 || f.reserved !== 0) { stop(`corrupted: ${label} has unknown flags or reserved bits set`); return; }
      if (n === 0) {
        let head: IndexHeader;
        try {
          if (f.type !== RecordType.IndexHeader) throw new Error('the first record is not the index header');
          head = JSON.parse(inflatePayload(f, stored, MAX_HEADER_BYTES).toString('utf8')) as IndexHeader;
        } catch (e) { stop(`corrupted: ${label}: ${(e as Error).message}`); return; }
        if (head?.recording !== this.header.uuid) { stop(`the index of another recording (${String(head?.recording)}), not of this one (${this.header.uuid})`); return; }
        if (head.checkpointEvery !== every) { stop(`its checkpoints are ${head.checkpointEvery} chunks apart, the recording's header says ${every}`); return; }
      } else {
        const chunk = n * every;
        if (f.type !== RecordType.Checkpoint) { stop(`corrupted: ${label} is not a checkpoint`); return; }
        // The recording may end before the index does only where the run was cut short.
        if (chunk > this.chunks.length) return;
        const at = this.chunks[chunk - 1].to;
        if (f.icount !== at) { stop(`corrupted: ${label}: the checkpoint frame claims instruction ${f.icount}, chunk ${chunk - 1} ends at ${at}`); return; }
        this.checkpoints.push({ icount: f.icount, chunk, frame: f, record: n + 1, inIndex: true });
      }
      offset = start + f.length;
    }
  }

  /** A first record whose CRC is a format 1 CRC (payload only): say which format the file is. */
  private refuseOldFormat(f: Frame, stored: Buffer): void {
    if (f.type !== RecordType.Header || crc32(stored) !== f.crc) return;
    let format: unknown;
    try { format = (JSON.parse(inflatePayload(f, stored, MAX_HEADER_BYTES).toString('utf8')) as { format?: unknown }).format; } catch { return; }
    if (typeof format === 'number' && !READ_FORMATS.includes(format)) {
      throw new RecordingError(this.file, `recording format ${format} is not supported by this bringup (${readsFormats()}); record the scenario again`);
    }
  }

  private json(f: Frame, stored: Buffer, max: number): unknown {
    const text = inflatePayload(f, stored, max).toString('utf8');
    try { return JSON.parse(text); } catch (e) { throw new Error(`its payload is not JSON (${(e as Error).message})`); }
  }

  private take(f: Frame, stored: Buffer, n: number): void {
    if (n === 0 && f.type !== RecordType.Header) throw new Error('the first record is not the header');
    if (this.end) throw new Error('a record follows the end record');
    const h = this.parsedHeader;
    const last = this.chunks[this.chunks.length - 1];
    const lastTo = last ? last.to : 0;
    if (this.expect === 'trace' && f.type !== RecordType.Trace) throw new Error(`chunk ${last.index} of this full-trace recording has no trace record`);
    // A run that ended in a halt has no checkpoint after its last chunk (the recorder takes none there).
    const missingCheckpoint = () => new Error(`the checkpoint after chunk ${last.index} (at instruction ${lastTo}) is missing`);
    if (this.expect === 'checkpoint' && f.type !== RecordType.Checkpoint && f.type !== RecordType.End) throw missingCheckpoint();
    switch (f.type) {
      case RecordType.Header: {
        if (n !== 0) throw new Error('a second header');
        if (f.icount !== 0) throw new Error(`the header frame claims instruction ${f.icount}`);
        const header = this.json(f, stored, MAX_HEADER_BYTES) as RecordingHeader;
        if (!READ_FORMATS.includes(header?.format)) {
          throw new RecordingError(this.file, `recording format ${header?.format} is not supported by this bringup (${readsFormats()})`);
        }
        const wrong = headerProblems(header);
        if (wrong.length) throw new RecordingError(this.file, `the header does not follow schemas/recording.schema.json: ${wrong.join('; ')}`);
        this.parsedHeader = header;
        return;
      }
      case RecordType.Chunk: {
        const c = this.json(f, stored, maxChunkBytes(h!.chunkInstructions)) as ChunkRecord;
        const bad = chunkProblem(c);
        if (bad) throw new Error(`the chunk ${bad}`);
        if (c.index !== this.chunks.length) throw new Error(`chunk ${c.index} follows chunk ${this.chunks.length - 1}`);
        if (c.from !== lastTo) throw new Error(`chunk ${c.index} starts at instruction ${c.from}, the previous one ended at ${lastTo}`);
        if (f.icount !== c.from) throw new Error(`the frame of chunk ${c.index} claims instruction ${f.icount}, the chunk starts at ${c.from}`);
        if (c.to - c.from > h!.chunkInstructions) throw new Error(`chunk ${c.index} claims ${c.to - c.from} instructions; chunks hold at most ${h!.chunkInstructions}`);
        this.chunks.push(c);
        this.expect = h!.trace === 'full' ? 'trace' : this.checkpointDue() ? 'checkpoint' : undefined;
        return;
      }
      case RecordType.Trace: {
        if (this.expect !== 'trace') throw new Error(h!.trace === 'full' ? 'a trace record that follows no chunk' : `a trace record in a recording made with --trace ${h!.trace}`);
        if (f.icount !== last.from) throw new Error(`the trace frame claims instruction ${f.icount}, its chunk starts at ${last.from}`);
        this.traces.push(f);
        this.traceCounts.push(last.to - last.from);
        this.expect = this.checkpointDue() ? 'checkpoint' : undefined;
        return;
      }
      case RecordType.Checkpoint: {
        if (h!.checkpoints === 'index') throw new Error('a checkpoint in a recording whose checkpoints are in its index');
        if (this.expect !== 'checkpoint') {
          throw new Error(`a checkpoint after chunk ${last ? last.index : '(none)'}, where none belongs (one every ${h!.checkpointEvery} chunk(s))`);
        }
        if (f.icount !== lastTo) throw new Error(`the checkpoint frame claims instruction ${f.icount}, its chunk ends at ${lastTo}`);
        this.checkpoints.push({ icount: f.icount, chunk: this.chunks.length, frame: f, record: n + 1 });
        this.expect = undefined;
        return;
      }
      case RecordType.Image:
        if (this.chunks.length) throw new Error('an embedded image after the first chunk');
        if (f.icount !== 0) throw new Error(`the image frame claims instruction ${f.icount}`);
        this.images.push(f);
        return;
      case RecordType.End: {
        const e = this.json(f, stored, MAX_END_BYTES) as EndRecord;
        const bad = endProblem(e);
        if (bad) throw new Error(`the end record ${bad}`);
        if (e.icount !== lastTo || f.icount !== lastTo) throw new Error(`the end record claims instruction ${e.icount} (frame ${f.icount}), the last chunk ends at ${lastTo}`);
        if (this.expect === 'checkpoint' && e.stop.kind !== 'idle') throw missingCheckpoint();
        if (e.index.length !== this.frames.length) throw new Error(`the end record's index lists ${e.index.length} records, ${this.frames.length} precede it`);
        e.index.forEach((x, i) => {
          const g = this.frames[i];
          if (x.type !== g.type || x.offset !== g.offset || x.icount !== g.icount) {
            throw new Error(`entry ${i} of the end record's index (${RECORD_NAMES[x.type] ?? x.type} at byte ${x.offset}, instruction ${x.icount}) is not record ${i + 1} (${RECORD_NAMES[g.type]} at byte ${g.offset}, instruction ${g.icount})`);
          }
        });
        this.end = e;
        return;
      }
    }
  }

  /** Whether a checkpoint record of the recording follows the chunk just read (never where they are in an index). */
  private checkpointDue(): boolean {
    return this.parsedHeader!.checkpoints !== 'index' && this.chunks.length % this.parsedHeader!.checkpointEvery === 0;
  }

  /** The last instruction count the usable part of the file covers (the end of its last chunk). */
  get lastIcount(): number {
    return this.chunks.length ? this.chunks[this.chunks.length - 1].to : 0;
  }

  get complete(): boolean { return this.problems.length === 0; }

  /** Where a record is, for messages: "record 7 (checkpoint) at byte 20544". */
  where(f: Frame): string {
    return `record ${this.frames.indexOf(f) + 1} (${RECORD_NAMES[f.type]}) at byte ${f.offset}`;
  }

  payload(f: Frame, max: number): Buffer {
    const start = f.offset + FRAME_BYTES;
    return inflatePayload(f, this.buf.subarray(start, start + f.length), max);
  }

  /** The payload of checkpoint `ref`, from the file that holds it. */
  private checkpointPayload(ref: CheckpointRef, max: number): Buffer {
    if (!ref.inIndex) return this.payload(ref.frame, max);
    const start = ref.frame.offset + FRAME_BYTES;
    return inflatePayload(ref.frame, this.indexBuf!.subarray(start, start + ref.frame.length), max);
  }

  /** The encoded checkpoint record as it is in the file that holds it (frame and payload). */
  rawCheckpoint(ref: CheckpointRef): Buffer {
    const f = ref.frame;
    return (ref.inIndex ? this.indexBuf! : this.buf).subarray(f.offset, f.offset + FRAME_BYTES + f.length);
  }

  /**
   * Whether the index holds every checkpoint the recorder took: one after
   * every `checkpointEvery`-th chunk, but none after the last chunk of a run
   * that halted.
   */
  get indexComplete(): boolean {
    const every = this.header.checkpointEvery;
    const n = this.chunks.length;
    const haltedOnOne = n % every === 0 && this.end?.stop.kind === 'idle';
    return this.checkpointsInIndex && this.indexProblems.length === 0 && this.checkpoints.length === Math.floor(n / every) - (haltedOnOne ? 1 : 0);
  }

  /** Where checkpoint `ref` is, for messages: "record 7 (checkpoint) at byte 20544" (of FILE.idx when it is in the index). */
  whereCheckpoint(ref: CheckpointRef): string {
    return ref.inIndex ? `record ${ref.record} (checkpoint) of ${this.indexFile} at byte ${ref.frame.offset}` : this.where(ref.frame);
  }

  /** The encoded record as it is in the file (frame and payload). */
  rawRecord(f: Frame): Buffer {
    return this.buf.subarray(f.offset, f.offset + FRAME_BYTES + f.length);
  }

  /**
   * Checkpoint `ref`, checked against the chunk hash chain: it must be the
   * checkpoint of the chunk it follows, carry that chunk's hash, and its
   * state and the pages written in its last chunk must hash (with the
   * previous chunk's hash) to it. Pages must be RAM pages (`isRamPage`), at
   * most `maxPages` of them. Throws RecordingDamaged naming the record.
   */
  /** The bytes the reader was made from: the recording, and the checkpoint index it reads (if any). */
  contents(): { recording: Buffer; index: Buffer | undefined } {
    return { recording: this.buf, index: this.indexBuf };
  }

  checkpoint(ref: CheckpointRef, maxPages = MAX_PAGES, isRamPage?: (page: number) => boolean): Checkpoint {
    return this.decodeCheckpoint(ref, maxPages, isRamPage, false)!;
  }

  /**
   * checkpoint(), or with `pagesOnly` just its pages into the stored versions
   * (a checkpoint before the one restored: its state is never used, so it is
   * not parsed nor checked against the chain; its frame, layout, chunk number
   * and hash are).
   */
  private decodeCheckpoint(ref: CheckpointRef, maxPages: number, isRamPage: ((page: number) => boolean) | undefined, pagesOnly: boolean): Checkpoint | undefined {
    const index = this.checkpoints.indexOf(ref);
    if (this.lastDecoded && this.lastDecoded.index === index) return this.lastDecoded.cp;
    const known = this.badCheckpoints.get(ref.frame.offset);
    const fail = (why: string) => {
      const message = `checkpoint at instruction ${ref.icount} (${this.whereCheckpoint(ref)}) ${why}`;
      this.badCheckpoints.set(ref.frame.offset, message);
      return new RecordingDamaged(this.file, message);
    };
    if (known) throw new RecordingDamaged(this.file, known);
    // Its pages decode against the versions the checkpoints before it stored: decode those first, in order.
    if (this.storedThrough > index) { this.stored.clear(); this.storedThrough = 0; this.lastDecoded = undefined; }
    while (this.storedThrough < index) {
      const before = this.checkpoints[this.storedThrough];
      try {
        this.decodeCheckpoint(before, maxPages, isRamPage, true);
      } catch (e) {
        if (!(e instanceof RecordingDamaged)) throw e;
        throw fail(`cannot be decoded: it stores its pages against the checkpoint at instruction ${before.icount}, which is damaged (${e.reason})`);
      }
    }
    let cp;
    try {
      cp = decodeCheckpoint(this.checkpointPayload(ref, 8 + 2 * MAX_CHECKPOINT_JSON_BYTES + maxPages * 4101), this.header.format);
    } catch (e) { throw fail(`is damaged: ${(e as Error).message}`); }
    const chunk = this.chunks[ref.chunk - 1];
    if (cp.head.chunk !== ref.chunk || !chunk) throw fail(`claims to follow chunk ${cp.head.chunk - 1}, it follows chunk ${ref.chunk - 1}`);
    if (cp.head.hash !== chunk.hash) throw fail(`carries hash ${cp.head.hash.slice(0, 16)}..., chunk ${chunk.index} has ${chunk.hash.slice(0, 16)}...`);
    if (cp.pages.length > maxPages) throw fail(`holds ${cp.pages.length} pages, more than the board's RAM has (${maxPages})`);
    let pages: Array<{ page: number; bytes: Uint8Array }>;
    try {
      pages = cp.pages.map((p) => ({ page: p.page, bytes: resolvePage(p, this.stored.get(p.page)) }));
    } catch (e) { throw fail(`is damaged: ${(e as Error).message}`); }
    const byPage = new Map(pages.map((p) => [p.page, p]));
    const dirty = cp.head.dirty.map((page) => byPage.get(page));
    if (dirty.some((p) => !p)) throw fail('lacks pages written in its last chunk');
    if (isRamPage) for (const p of cp.pages) if (!isRamPage(p.page)) throw fail(`holds page 0x${p.page.toString(16)}, which is not RAM`);
    if (pagesOnly) {
      this.keepStored(pages);
      this.storedThrough = index + 1;
      return undefined;
    }
    let state: unknown, hashed: string | Uint8Array;
    try {
      state = parseTyped(cp.stateJson.toString('utf8'));
      // Format 3 hashed these very bytes; format 4 the binary form of the state they hold.
      hashed = this.header.format >= 4 ? hashedState(state, this.header.format) : cp.stateJson;
    } catch (e) { throw fail(`has a state that is not JSON: ${(e as Error).message}`); }
    const previous = ref.chunk >= 2 ? this.chunks[ref.chunk - 2].hash : GENESIS;
    if (chainHash(previous, hashed, dirty as Array<{ page: number; bytes: Uint8Array }>) !== chunk.hash) {
      throw fail(`does not match the chunk hash chain: its state and pages do not hash to the hash of chunk ${chunk.index}`);
    }
    this.keepStored(pages);
    this.storedThrough = index + 1;
    const result = { chunk: cp.head.chunk, hash: cp.head.hash, state, pages };
    this.lastDecoded = { index, cp: result };
    return result;
  }

  /** Makes `pages` the stored versions, as own copies: a stored version outlives the inflated payload it came from. */
  private keepStored(pages: Array<{ page: number; bytes: Uint8Array }>): void {
    for (const p of pages) {
      const own = p.bytes === this.stored.get(p.page) || ownsItsBuffer(p.bytes) ? p.bytes : new Uint8Array(p.bytes);
      this.stored.set(p.page, own);
      p.bytes = own;
    }
  }

  /**
   * What restoring checkpoint `ref` takes: the checkpoint (as checkpoint()
   * gives it) and every page the checkpoints up to it hold, each as its
   * stored version at `ref` (RAM as restoring it leaves it, boot contents
   * aside). The checkpoints before it are decoded and checked first, going
   * on from where the last restore or checkpoint() left off when that is
   * not past `ref` (a seek forward decodes only the checkpoints it passes).
   * Throws RecordingDamaged as checkpoint() does.
   */
  restore(ref: CheckpointRef, maxPages = MAX_PAGES, isRamPage?: (page: number) => boolean): { checkpoint: Checkpoint; pages: ReadonlyMap<number, Uint8Array> } {
    const index = this.checkpoints.indexOf(ref);
    if (this.storedThrough !== index + 1 || this.lastDecoded?.index !== index) {
      this.lastDecoded = undefined;
      this.checkpoint(ref, maxPages, isRamPage);
    }
    return { checkpoint: this.lastDecoded!.cp, pages: this.stored };
  }

  /** Why checkpoint `ref` was found unusable, if it was. */
  checkpointProblem(ref: CheckpointRef): string | undefined {
    return this.badCheckpoints.get(ref.frame.offset);
  }

  /** Trace entries from..to (instruction counts), reading only the trace records that cover them. Throws RecordingDamaged for a damaged trace record. */
  traceBetween(from: number, to: number): TraceEntry[] {
    const out: TraceEntry[] = [];
    for (let i = 0; i < this.traces.length; i++) {
      const f = this.traces[i];
      const next = i + 1 < this.traces.length ? this.traces[i + 1].icount : Infinity;
      if (next <= from || f.icount >= to) continue;
      for (const e of decodeTrace(this.tracePayload(i), f.icount)) if (e.icount >= from && e.icount < to) out.push(e);
    }
    return out;
  }

  /** Trace record i, inflated and its layout checked. */
  tracePayload(i: number): Buffer {
    const f = this.traces[i];
    const count = this.traceCounts[i];
    try {
      const p = this.payload(f, count * MAX_TRACE_ENTRY_BYTES);
      checkTraceLayout(p, count);
      return p;
    } catch (e) {
      throw new RecordingDamaged(this.file, `${this.where(f)} is damaged: ${(e as Error).message}`);
    }
  }

  /**
   * Embedded images of a bundle by ROLE:NAME. Each must be one the header
   * names (or its board), no larger than recorded, and named once; a damaged
   * image record throws RecordingDamaged.
   */
  embeddedImages(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    const sizes = new Map<string, number>(this.header.images.map((i) => [`${i.role}:${i.name}`, i.size]));
    const boardKey = `board:${this.header.board.name}`;
    const largest = Math.max(16 << 20, ...sizes.values());
    for (const f of this.images) {
      const bad = (why: string) => new RecordingDamaged(this.file, `${this.where(f)} is damaged: ${why}`);
      let key: string, data: Buffer;
      try { ({ key, data } = decodeImageRecord(this.payload(f, 4 + MAX_IMAGE_KEY_BYTES + largest))); } catch (e) { throw bad((e as Error).message); }
      if (!IMAGE_KEY.test(key) || (key !== boardKey && !sizes.has(key))) throw bad(`it holds ${JSON.stringify(key)}, which is not an image of this recording`);
      if (out.has(key)) throw bad(`${JSON.stringify(key)} is embedded twice`);
      const size = sizes.get(key);
      if (size !== undefined && data.length !== size) throw bad(`${key} is ${data.length} bytes, recorded as ${size}`);
      out.set(key, data);
    }
    return out;
  }

  /** A summary of what is usable, for messages. */
  describeUsable(): string {
    return `header, ${this.chunks.length} chunk(s) up to instruction ${this.lastIcount}, ${this.checkpoints.length} checkpoint(s)${this.traces.length ? `, ${this.traces.length} trace record(s)` : ''}`;
  }
}
