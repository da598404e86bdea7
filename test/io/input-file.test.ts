import { test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputFileUnusable, readInputFile } from '../../io/input-file';

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-input-file-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a file read into shared memory has the bytes readFileSync gives, in a SharedArrayBuffer', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'data.bin');
  // Larger than one read of the file system may return, and not a multiple of a page.
  const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  fs.writeFileSync(file, bytes);
  const shared = readInputFile(file, { shared: true });
  assert.ok(shared.buffer instanceof SharedArrayBuffer);
  assert.ok(shared.equals(fs.readFileSync(file)));
  assert.ok(!(readInputFile(file).buffer instanceof SharedArrayBuffer), 'not shared unless asked');

  const empty = path.join(dir, 'empty.bin');
  fs.writeFileSync(empty, '');
  assert.equal(readInputFile(empty, { shared: true }).length, 0);
});

test('a shared read refuses what a plain read refuses, with the same reason', (t) => {
  const dir = tempDir(t);
  assert.throws(() => readInputFile(dir, { shared: true }), (e: unknown) => e instanceof InputFileUnusable && /is a folder, not a file/.test(e.message));
  assert.throws(() => readInputFile(path.join(dir, 'absent'), { shared: true, what: 'recording' }), /recording file not found/);
  const big = path.join(dir, 'big.bin');
  fs.writeFileSync(big, Buffer.alloc(100));
  assert.throws(() => readInputFile(big, { shared: true, maxBytes: 99 }), /100 bytes; at most 99/);
});
