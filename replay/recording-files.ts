/**
 * A recording on disk is its file and, when its checkpoints are kept in an
 * index, the side file FILE.idx: removing or renaming a recording does both.
 */

import * as fs from 'node:fs';
import { indexFileOf } from './format';

/** Removes recording `file` and its checkpoint index (either may be missing). */
export function removeRecording(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(indexFileOf(file), { force: true });
}

/** Renames recording `from` to `to`, its checkpoint index with it. */
export function renameRecording(from: string, to: string): void {
  fs.renameSync(from, to);
  if (fs.existsSync(indexFileOf(from))) fs.renameSync(indexFileOf(from), indexFileOf(to));
}
