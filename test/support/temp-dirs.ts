/** Temporary folders for a test file, removed when its tests end (also when they fail). */

import { after } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];
// Registered when the test file loads this module, so the hook belongs to the file, not to a test.
after(() => { for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

/** A new folder in the temporary folder, named PREFIX + random; removed after the file's tests. */
export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
