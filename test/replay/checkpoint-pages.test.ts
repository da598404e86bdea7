/**
 * Checkpoint pages of format 4 are stored by kind (zero, unchanged, XOR with
 * the version stored before, literal) and decode to the bytes the machine
 * had; format 3 checkpoints (every page literal) still read; the state JSON
 * written directly is byte for byte the format 3 definition.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded, openReplay } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { FORMAT_VERSION, FRAME_BYTES, PageKind, decodeCheckpoint, encodeCheckpoint, resolvePage, storePage } from '../../replay/format';
import { canonicalJson, canonicalJsonReference, pageBytes, stateJson } from '../../replay/state-hash';
import { ROOT as root } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-checkpoint-pages-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PINGPONG = fs.readFileSync(path.join(scenarios, 'pingpong.yaml'), 'utf8');

const page = (fill: (i: number) => number): Uint8Array => Uint8Array.from({ length: 4096 }, (_v, i) => fill(i) & 0xff);

test('each kind of stored page decodes to the bytes it was stored from, and a payload round-trips in both formats', () => {
  const before = page((i) => i * 7);
  const changed = Uint8Array.from(before);
  changed[10] ^= 0x40;
  changed[4000] = 1;
  const cases: Array<[string, Uint8Array, Uint8Array | undefined, PageKind]> = [
    ['zero', new Uint8Array(4096), before, PageKind.Zero],
    ['unchanged', Uint8Array.from(before), before, PageKind.Unchanged],
    ['xor runs (a few bytes changed)', changed, before, PageKind.XorRuns],
    ['xor (every byte changed)', before.map((b) => b ^ 0x5a), before, PageKind.Xor],
    ['literal (no version before)', changed, undefined, PageKind.Literal],
  ];
  const stored = cases.map(([what, now, prev, kind], i) => {
    const p = storePage(i, now, prev);
    assert.equal(p.kind, kind, what);
    assert.deepEqual(resolvePage(p, prev), now, what);
    return p;
  });
  const head = { chunk: 4, hash: 'a'.repeat(64), dirty: [1, 2] };
  const payload = encodeCheckpoint(head, '{"x":1}', stored);
  // The xor and the literal page carry their 4096 bytes; the runs two stretches (u16 count, then offset, length and bytes each).
  assert.equal(stored[2].bytes.length, 2 + (4 + 1) + (4 + 1));
  assert.equal(payload.length, 8 + JSON.stringify(head).length + 7 + 5 * 5 + 2 * 4096 + stored[2].bytes.length);
  const back = decodeCheckpoint(payload);
  assert.deepEqual(back.head, head);
  assert.equal(back.stateJson.toString(), '{"x":1}');
  assert.deepEqual(back.pages.map((p) => [p.page, p.kind, Buffer.from(p.bytes)]), stored.map((p) => [p.page, p.kind, Buffer.from(p.bytes)]));
  assert.throws(() => resolvePage(stored[3], undefined), /page 0x3 is stored as a difference from a version no checkpoint before it holds/);
  // Runs out of order or past the page are refused.
  const bad = Buffer.from(stored[2].bytes);
  bad.writeUInt16LE(5, 2 + 4 + 1); // the second run before the first one ends
  assert.throws(() => decodeCheckpoint(encodeCheckpoint(head, '{}', [{ ...stored[2], bytes: bad }])), /has a run at 5 of 1 bytes out of order or outside the page/);

  const literal = [{ page: 3, kind: PageKind.Literal, bytes: before }];
  const v3 = encodeCheckpoint(head, '{}', literal, 3);
  assert.equal(v3.length, 8 + JSON.stringify(head).length + 2 + 4100);
  assert.deepEqual(Buffer.from(decodeCheckpoint(v3, 3).pages[0].bytes), Buffer.from(before));
  assert.throws(() => encodeCheckpoint(head, '{}', stored, 3), /a format 3 checkpoint holds literal pages only/);
  assert.throws(() => decodeCheckpoint(Buffer.concat([payload, Buffer.from([9, 0, 0, 0, 7])])), /unknown kind 7/);
});

test('the state JSON written directly is the format 3 definition, byte for byte', () => {
  const tricky = {
    b: 1, a: [1, -0, 2.5, NaN, undefined, () => 1, { z: 1, y: [new Uint16Array([1, 2])] }], 10: 'ten', 9: 'nine', '01': 'not an index',
    f: new Float64Array([1.5, Infinity, NaN]), i: new Int32Array([-1, 0x7fffffff]), u: undefined, n: null, s: 'quote " and \u0001',
    buf: Buffer.from([1, 2]), nested: { '2': { c: true, a: false }, '1': [] },
  };
  assert.equal(canonicalJson(tricky), canonicalJsonReference(tricky));
  const file = path.join(tmp, 'state.bur');
  runRecorded(scenarioFromText(PINGPONG, path.join(scenarios, 'pingpong.yaml'), scenarios), file, { chunk: 500_000, checkpointEvery: 2, text: PINGPONG });
  const { replayer } = openReplay(RecordingReader.open(file));
  replayer.resetTo(0, false);
  replayer.runTo(1_234_567);
  const m = replayer.machine;
  assert.equal(stateJson(m), canonicalJsonReference(m.stateSnapshot()));
});

test('a recording stores pages written again as unchanged or XOR, seeks from every checkpoint reach the state a replay from the boot reaches, and verify passes', () => {
  const file = path.join(tmp, 'kinds.bur');
  const s = scenarioFromText(PINGPONG, path.join(scenarios, 'pingpong.yaml'), scenarios);
  assert.equal(runRecorded(s, file, { chunk: 200_000, checkpointEvery: 2, text: PINGPONG }).verdict, 'pass');
  const rec = RecordingReader.open(file);
  assert.equal(rec.header.format, FORMAT_VERSION);
  assert.equal(rec.header.checkpoints, 'index');
  assert.ok(rec.checkpoints.length >= 3, `${rec.checkpoints.length} checkpoints`);
  assert.ok(rec.indexComplete, rec.indexProblems.join('; '));
  const kinds = new Set<PageKind>();
  for (const ref of rec.checkpoints) {
    for (const p of decodeCheckpoint(zlib.inflateRawSync(rec.rawCheckpoint(ref).subarray(FRAME_BYTES))).pages) kinds.add(p.kind);
  }
  assert.ok(kinds.has(PageKind.Literal) && (kinds.has(PageKind.Xor) || kinds.has(PageKind.XorRuns) || kinds.has(PageKind.Unchanged)), `kinds stored: ${[...kinds].map((k) => PageKind[k]).join(', ')}`);

  const fromBoot = openReplay(RecordingReader.open(file)).replayer;
  fromBoot.resetTo(0, false);
  const seek = openReplay(rec).replayer;
  // Forward and back again: the reader rebuilds the stored versions when a seek goes back.
  const targets = [...rec.checkpoints.map((c) => c.icount + 1000), rec.checkpoints[0].icount + 5];
  const states = new Map<number, string>();
  for (const t of [...targets].sort((a, b) => a - b)) { fromBoot.runTo(t); states.set(t, stateJson(fromBoot.machine) + ramDigest(fromBoot.machine)); }
  for (const t of targets) {
    seek.runTo(t);
    assert.equal(stateJson(seek.machine) + ramDigest(seek.machine), states.get(t), `seek to ${t}`);
  }
  const verified = openReplay(RecordingReader.open(file)).replayer.verify();
  assert.equal(verified.icount, rec.lastIcount);
});

/** A digest of the first 16 MiB of RAM (where the pingpong run writes). */
function ramDigest(m: Parameters<typeof pageBytes>[0]): string {
  const base = m.board.memory[0].base >>> 12;
  const h = createHash('sha256');
  for (let p = base; p < base + 4096; p++) h.update(pageBytes(m, p));
  return h.digest('hex');
}

test('the committed recording of format 3 still reads and every checkpoint decodes and matches the chain', () => {
  const rec = RecordingReader.open(path.join(root, 'recordings', 'divdi3-crash.bur'));
  assert.equal(rec.header.format, 3);
  for (const ref of rec.checkpoints) assert.equal(rec.checkpoint(ref).chunk, ref.chunk);
});
