/**
 * Appends records to a recording file as the run goes. Each record is written
 * whole with one write, so a run killed at any moment (SIGKILL, Ctrl-C, a
 * crash) leaves a file readable up to its last complete record.
 *
 * Every failure to create, write or close the file is a RecordingWriteError
 * naming the file and the reason (a full disk, a read-only file system...).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAGIC, RecordType, encodeJson, encodeRecord, type EndRecord } from './format';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is not a folder',
  ENOENT: 'its folder does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'the file is too large for the file system',
  EIO: 'an I/O error',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links in its path',
};

/** A recording that could not be written: `file` as the user named it, `reason` in words, `code` the errno code. */
export class RecordingWriteError extends Error {
  /** The run whose recording failed, when the run went on to its end (set by scenario/record/recording.ts). */
  result?: unknown;
  constructor(readonly file: string, readonly reason: string, readonly code?: string) {
    super(`cannot write the recording ${file}: ${reason}`);
  }

  static from(file: string, e: unknown): RecordingWriteError {
    if (e instanceof RecordingWriteError) return e;
    const code = (e as NodeJS.ErrnoException).code;
    return new RecordingWriteError(file, code && REASONS[code] ? `${REASONS[code]} (${code})` : (e as Error).message, code);
  }
}

export interface WriterOptions {
  /**
   * Write a hidden file next to `file` and rename it over `file` on close(),
   * so that `file` is either the complete recording or untouched (bundles).
   * Used only where `file` is or will be a regular file.
   */
  atomic?: boolean;
  /** The first bytes of the file: MAGIC (a recording), or INDEX_MAGIC (a checkpoint index). */
  magic?: Buffer;
}

export class RecordingWriter {
  private fd: number | undefined;
  private offset = 0;
  /** The file written to: `file`, or the hidden one renamed over it. */
  private readonly target: string;
  readonly index: EndRecord['index'] = [];

  constructor(readonly file: string, options: WriterOptions = {}) {
    let atomic = options.atomic ?? false;
    if (atomic) {
      let st: fs.Stats | undefined;
      try { st = fs.statSync(file); } catch { st = undefined; }
      if (st?.isDirectory()) throw new RecordingWriteError(file, `${REASONS.EISDIR} (EISDIR)`, 'EISDIR');
      // A device or pipe (/dev/stdout) is written as it is.
      if (st && !st.isFile()) atomic = false;
    }
    this.target = atomic ? path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`) : file;
    try { this.fd = fs.openSync(this.target, 'w'); } catch (e) { throw RecordingWriteError.from(file, e); }
    this.put(options.magic ?? MAGIC);
  }

  json(type: RecordType, icount: number, value: unknown): void {
    this.frame(type, icount, encodeJson(type, icount, value));
  }

  /** A binary payload, deflated at `level` (encodeRecord). */
  binary(type: RecordType, icount: number, payload: Uint8Array, level?: number): void {
    this.frame(type, icount, encodeRecord(type, icount, payload, level));
  }

  /** Copies an already encoded record (bundling). */
  raw(type: RecordType, icount: number, encoded: Buffer): void {
    this.frame(type, icount, encoded);
  }

  private frame(type: RecordType, icount: number, bytes: Buffer): void {
    this.index.push({ type, offset: this.offset, icount });
    this.put(bytes);
  }

  private put(bytes: Buffer): void {
    if (this.fd === undefined) throw new RecordingWriteError(this.file, 'the recording is already closed');
    let done = 0;
    try {
      while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (e) {
      throw RecordingWriteError.from(this.file, e);
    }
    this.offset += bytes.length;
  }

  get closed(): boolean { return this.fd === undefined; }

  /** Closes the file (and, when atomic, puts it in place). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (this.target !== this.file) fs.fsyncSync(fd);
      fs.closeSync(fd);
      if (this.target !== this.file) fs.renameSync(this.target, this.file);
    } catch (e) {
      this.removeTarget();
      throw RecordingWriteError.from(this.file, e);
    }
  }

  /**
   * Gives up on the file after a failure: closes it and removes what was
   * written when it is a regular file this writer made (never a device).
   */
  abandon(): void {
    if (this.fd !== undefined) {
      let regular = false;
      try { regular = fs.fstatSync(this.fd).isFile(); } catch { /* closed below */ }
      try { fs.closeSync(this.fd); } catch { /* already failing */ }
      this.fd = undefined;
      if (regular) this.removeTarget();
    } else if (this.target !== this.file) {
      this.removeTarget();
    }
  }

  private removeTarget(): void {
    try { fs.rmSync(this.target, { force: true }); } catch { /* nothing more to do */ }
  }
}
