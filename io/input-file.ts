/**
 * Reading a file that a person or another tool handed us. Every command reads
 * its inputs through here so that a folder, a character device (/dev/zero), a
 * FIFO or a file of absurd size is refused with a message naming the file,
 * instead of hanging or crashing the simulator. Imports nothing of the
 * project: every layer above machine/ may use it.
 */

import * as fs from 'node:fs';

/** A file that cannot be used as the input it was given as: the message names the file and why. */
export class InputFileUnusable extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
  }
}

/** Larger inputs are refused rather than read (images, recordings, scenarios are all far smaller). */
export const DEFAULT_MAX_INPUT_BYTES = 1 << 30;

export interface ReadInputOptions {
  /** What the file is, for the message ("scenario", "kernel image", "recording"). */
  what?: string;
  /** The largest file accepted (default 1 GiB). */
  maxBytes?: number;
  /**
   * Read into memory that threads share (a SharedArrayBuffer): a thread
   * given the bytes then sees them without a copy.
   */
  shared?: boolean;
}

/** Describes why a path is not a regular file, or undefined when it is one. */
function notRegular(st: fs.Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'is a folder, not a file';
  if (st.isCharacterDevice()) return 'is a character device, not a file';
  if (st.isBlockDevice()) return 'is a block device, not a file';
  if (st.isFIFO()) return 'is a pipe (FIFO), not a file';
  if (st.isSocket()) return 'is a socket, not a file';
  return 'is not a regular file';
}

/**
 * Checks that `file` is a readable regular file no larger than the limit and
 * returns its size. Throws InputFileUnusable otherwise.
 */
export function checkInputFile(file: string, opts: ReadInputOptions = {}): number {
  const what = opts.what ? `${opts.what} ` : '';
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputFileUnusable(file, code === 'ENOENT' ? `${what}file not found` : `cannot read ${what}file (${code ?? (e as Error).message})`);
  }
  const bad = notRegular(st);
  if (bad) throw new InputFileUnusable(file, bad);
  // Files under /proc and /sys report a size of 0 or 4096 whatever they hold:
  // their contents are not stable inputs.
  if (/^\/(proc|sys)\//.test(fs.realpathSync(file))) throw new InputFileUnusable(file, 'is a kernel pseudo-file, not an input file');
  const max = opts.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  if (st.size > max) throw new InputFileUnusable(file, `${what}file is ${st.size} bytes; at most ${max} are accepted`);
  return st.size;
}

/** Reads a regular input file whole, after checkInputFile. */
export function readInputFile(file: string, opts: ReadInputOptions = {}): Buffer {
  const size = checkInputFile(file, opts);
  try { return opts.shared ? readShared(file, size) : fs.readFileSync(file); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputFileUnusable(file, `cannot read ${opts.what ? `${opts.what} ` : ''}file (${code ?? (e as Error).message})`);
  }
}

/**
 * The file's bytes in a SharedArrayBuffer: `size` as checked, or what is
 * there if the file changed size meanwhile (as readFileSync would).
 */
function readShared(file: string, size: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    let buf = Buffer.from(new SharedArrayBuffer(size));
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        // Full: grown since it was checked, unless this read finds the end.
        const probe = Buffer.alloc(1);
        if (fs.readSync(fd, probe, 0, 1, length) === 0) break;
        const bigger = Buffer.from(new SharedArrayBuffer(Math.max(1, buf.length * 2)));
        buf.copy(bigger, 0, 0, length);
        bigger[length++] = probe[0];
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, length, buf.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return buf.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a regular input file as UTF-8 text. */
export function readInputText(file: string, opts: ReadInputOptions = {}): string {
  return readInputFile(file, opts).toString('utf8');
}
