/**
 * Output files and folders given on the command line (--record, -o,
 * --screenshot, $BRINGUP_RECORDINGS_DIR): checked before the command starts,
 * so that a path that cannot be written, or that is one of the command's own
 * inputs, is refused with the path and the reason (exit 2) instead of being
 * found out (or overwriting the input) halfway through.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './args';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EEXIST: 'exists',
};

/** Whether an error is a failure to write a file (the recording writer's, or a Node errno error). */
export function isWriteError(e: unknown): e is Error & { code?: string; file?: string } {
  if (!(e instanceof Error)) return false;
  if (e.name === 'RecordingWriteError' || e.constructor.name === 'RecordingWriteError') return true;
  const code = (e as NodeJS.ErrnoException).code;
  return code !== undefined && code in REASONS;
}

/** "no space left on the device (ENOSPC)" for an errno error, or the error's own message. */
export function writeErrorReason(e: unknown): string {
  let err = e as NodeJS.ErrnoException & { cause?: unknown };
  // A wrapping error (RecordingWriteError) may carry the errno error as its cause.
  if (!err.code && err.cause && (err.cause as NodeJS.ErrnoException).code) err = err.cause as NodeJS.ErrnoException;
  const code = err.code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return err.message;
}

function sameFile(a: fs.Stats, b: fs.Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try { return fs.statSync(file); } catch { return undefined; }
}

/**
 * Checks that `file` can be written as the output `what` (e.g. "run: --record"):
 * not a folder, in an existing, writable folder, and none of `inputs` (the
 * same file by path, link or hard link). Throws UsageError naming the path
 * and the reason.
 */
export function checkOutputPath(file: string, what: string, inputs: Array<string | undefined>): void {
  const out = statOrUndefined(file);
  for (const input of inputs) {
    if (input === undefined) continue;
    const st = statOrUndefined(input);
    if ((st && out && sameFile(st, out)) || path.resolve(input) === path.resolve(file)) {
      throw new UsageError(`${what} ${file}: that is ${path.resolve(input) === path.resolve(file) ? '' : `the same file as ${input}, `}one of the inputs, which the output would overwrite (give another file)`);
    }
  }
  if (out?.isDirectory()) throw new UsageError(`${what} ${file}: cannot write: ${REASONS.EISDIR} (EISDIR)`);
  const dir = path.dirname(path.resolve(file));
  if (!out) {
    let d: fs.Stats;
    try { d = fs.statSync(dir); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      throw new UsageError(`${what} ${file}: cannot write: ${code === 'ENOENT' ? `the folder ${dir} does not exist` : `${REASONS[code] ?? (e as Error).message}`} (${code})`);
    }
    if (!d.isDirectory()) throw new UsageError(`${what} ${file}: cannot write: ${dir} is not a folder (ENOTDIR)`);
  }
  try {
    fs.accessSync(out ? file : dir, fs.constants.W_OK);
    // Opening says more than the permission bits (a read-only file system, a pseudo-file system):
    // an existing file is opened without truncating it; a new one is created and removed again.
    if (out) fs.closeSync(fs.openSync(file, 'a'));
    else { fs.closeSync(fs.openSync(file, 'wx')); fs.rmSync(file, { force: true }); }
  } catch (e) {
    throw new UsageError(`${what} ${file}: cannot write: ${writeErrorReason(e)}`);
  }
}

/** Checks (creating it if need be) a folder that outputs go into; throws UsageError naming it and the reason. */
export function checkOutputFolder(dir: string, what: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'EEXIST' || (code === 'ENOTDIR' && statOrUndefined(dir)?.isFile()) ? 'is a file, not a folder (ENOTDIR)' : writeErrorReason(e);
    throw new UsageError(`${what} ${dir}: cannot write recordings there: ${reason}`);
  }
}
