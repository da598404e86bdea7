/**
 * Appends records to a recording file as the run goes. Each record is written
 * whole with one write, so a run killed at any moment (SIGKILL, Ctrl-C, a
 * crash) leaves a file readable up to its last complete record.
 */

import * as fs from 'node:fs';
import { MAGIC, RecordType, encodeJson, encodeRecord, type EndRecord } from './format';

export class RecordingWriter {
  private fd: number | undefined;
  private offset = 0;
  readonly index: EndRecord['index'] = [];

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w');
    this.put(MAGIC);
  }

  json(type: RecordType, icount: number, value: unknown): void {
    this.frame(type, icount, encodeJson(type, icount, value));
  }

  binary(type: RecordType, icount: number, payload: Uint8Array): void {
    this.frame(type, icount, encodeRecord(type, icount, payload));
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
    if (this.fd === undefined) throw new Error(`recording ${this.file} is already closed`);
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
    this.offset += bytes.length;
  }

  get closed(): boolean { return this.fd === undefined; }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
