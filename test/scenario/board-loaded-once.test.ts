/**
 * A recorded scenario run reads its board file once: the run boots the board
 * the scenario loaded, and the recording's header hashes the bytes that were
 * parsed (it used to be read three times: scenario, machine, header).
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { loadScenario } from '../../scenario/file/scenario-file';
import { runRecorded } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';

import { ROOT } from '../support/environment';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-board-once-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a recorded scenario run reads its board file once, and the header hashes the bytes that were read', (t) => {
  const board = path.join(tmp, 'xoom.yaml');
  fs.copyFileSync(path.join(ROOT, 'machine', 'boards', 'tegra2-xoom.yaml'), board);
  const scenario = path.join(tmp, 'solo.yaml');
  const text = fs.readFileSync(path.join(ROOT, 'features', 'suite', '2-solo.yaml'), 'utf8')
    .replace('board: tegra2-xoom', `board: ${board}`)
    .replace(/\.\.\/\.\.\/firmware\//g, `${path.join(ROOT, 'firmware')}/`);
  fs.writeFileSync(scenario, text);
  // The module object itself (the import above is a read-only view of it), restored by t.mock after the test.
  const spy = t.mock.method(require('node:fs') as typeof fs, 'readFileSync');
  const r = runRecorded(loadScenario(scenario), path.join(tmp, 'run.bur'));
  const reads = spy.mock.calls.filter((c) => typeof c.arguments[0] === 'string' && path.resolve(c.arguments[0]) === board);
  spy.mock.restore();
  assert.equal(r.verdict, 'pass');
  assert.equal(reads.length, 1, `the board file was read ${reads.length} times`);
  const h = RecordingReader.open(path.join(tmp, 'run.bur')).header;
  assert.equal(h.board.file, board);
  assert.equal(h.board.sha256, createHash('sha256').update(fs.readFileSync(board)).digest('hex'));
});
