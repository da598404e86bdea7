/** Recordings that are damaged, hostile or huge: every damage is found, nothing hangs, nothing escapes its folder. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded, openReplay, bundleRecording } from '../../scenario/record/recording';
import { RecordingReader, RecordingError, RecordingDamaged } from '../../replay/reader';
import { RecordingWriteError, RecordingWriter } from '../../replay/writer';
import {
  FRAME_BYTES, MAGIC, RecordType, decodeCheckpoint, encodeCheckpoint, encodeJson, encodeRecord, frameCrc, type EndRecord,
} from '../../replay/format';
import { ROOT as root } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-integrity-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PINGPONG = fs.readFileSync(path.join(scenarios, 'pingpong.yaml'), 'utf8');
const scenario = () => scenarioFromText(PINGPONG, path.join(scenarios, 'pingpong.yaml'), scenarios);

function bringup(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let small: { file: string; bundle: string } | undefined;
/** A small recording of pingpong (few chunks, a checkpoint every 2, checkpoints in the recording: their damage is what these tests make) and its bundle. */
function smallRecording(): { file: string; bundle: string } {
  if (!small) {
    const file = path.join(tmp, 'small.bur');
    assert.equal(runRecorded(scenario(), file, { chunk: 1_000_000, checkpointEvery: 2, checkpoints: 'inline', text: PINGPONG }).verdict, 'pass');
    const bundle = path.join(tmp, 'small.bundle.bur');
    bundleRecording(RecordingReader.open(file), bundle);
    small = { file, bundle };
  }
  return small;
}

interface Rec { type: number; icount: number; raw: Buffer }

function recordsOf(buf: Buffer): Rec[] {
  const rec = new RecordingReader(buf, 'x.bur');
  return rec.frames.map((f) => ({ type: f.type, icount: f.icount, raw: Buffer.from(rec.rawRecord(f)) }));
}

/** A file from records; the end record (if `end` is given) gets a fresh index of the records before it. */
function assemble(records: Rec[], end?: EndRecord): Buffer {
  const parts: Buffer[] = [MAGIC];
  const index: EndRecord['index'] = [];
  let offset = MAGIC.length;
  for (const r of records) {
    if (r.type === RecordType.End) continue;
    index.push({ type: r.type, offset, icount: r.icount });
    parts.push(r.raw);
    offset += r.raw.length;
  }
  if (end) parts.push(encodeJson(RecordType.End, end.icount, { ...end, index }));
  return Buffer.concat(parts);
}

function endOf(buf: Buffer): EndRecord {
  return new RecordingReader(buf, 'x.bur').end!;
}

function withFreshCrc(raw: Buffer): Buffer {
  const out = Buffer.from(raw);
  out.writeUInt32LE(frameCrc(out, 0, out.subarray(FRAME_BYTES)), 8);
  return out;
}

/** Whether anything in the file is found damaged: by the reader, a checkpoint check, the images or traces. Any other exception fails the test. */
function detected(buf: Buffer): boolean {
  let rec: RecordingReader;
  try { rec = new RecordingReader(buf, 'damaged.bur'); } catch (e) {
    if (e instanceof RecordingError) return true;
    throw e;
  }
  if (rec.problems.length) return true;
  try {
    for (const ref of rec.checkpoints) rec.checkpoint(ref);
    rec.embeddedImages();
    rec.traces.forEach((_f, i) => rec.tracePayload(i));
  } catch (e) {
    if (e instanceof RecordingDamaged) return true;
    throw e;
  }
  return false;
}

test('replay --verify fails on a damaged recording (bit flip, truncation), naming the record and its byte offset, never "identical"', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  const rec = RecordingReader.open(file);
  const victim = rec.frames[Math.floor(rec.frames.length / 2)];
  const flipped = Buffer.from(whole);
  flipped[victim.offset + FRAME_BYTES + 3] ^= 0x10;
  const f = path.join(tmp, 'flipped.bur');
  fs.writeFileSync(f, flipped);
  const r = bringup(['replay', f, '--verify']);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /replay identical/);
  assert.match(r.stderr, new RegExp(`not verified, the recording is damaged: corrupted: record \\d+ \\(\\w+\\) at byte ${victim.offset} fails its CRC-32 check`));

  const cut = path.join(tmp, 'cut.bur');
  fs.writeFileSync(cut, whole.subarray(0, victim.offset + 7));
  const t = bringup(['replay', cut, '--verify']);
  assert.equal(t.status, 2, t.stdout + t.stderr);
  assert.doesNotMatch(t.stdout, /replay identical/);
  assert.match(t.stderr, new RegExp(`not verified, the recording is damaged: truncated: .* at byte ${victim.offset}`));
});

test('every bit class of a recording is covered: flips in the magic, every frame field (type, flags, reserved, length, CRC, icount), header, chunk JSON, checkpoint, image and end payloads are detected', () => {
  const { bundle } = smallRecording();
  const whole = fs.readFileSync(bundle);
  assert.equal(detected(whole), false, 'the intact bundle is intact');
  const rec = RecordingReader.open(bundle);
  const types = new Set(rec.frames.map((f) => f.type));
  for (const t of [RecordType.Header, RecordType.Image, RecordType.Chunk, RecordType.Checkpoint, RecordType.End]) assert.ok(types.has(t), `the bundle has a record of type ${t}`);
  const offsets: number[] = [0, 5, MAGIC.length - 1];
  for (const f of rec.frames) {
    for (let i = 0; i < FRAME_BYTES; i++) offsets.push(f.offset + i);
    for (let k = 0; k < 6; k++) offsets.push(f.offset + FRAME_BYTES + Math.floor((f.length - 1) * k / 5));
  }
  let tried = 0;
  for (const at of offsets) {
    for (const bit of [0x01, 0x10, 0x80]) {
      const b = Buffer.from(whole);
      b[at] ^= bit;
      assert.ok(detected(b), `a flip of bit 0x${bit.toString(16)} at byte ${at} is detected`);
      tried++;
    }
  }
  assert.ok(tried > 500, `${tried} flips`);
});

test('truncations at any offset are reported, and replay stays within what is left', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  for (const cut of [MAGIC.length + 3, MAGIC.length + FRAME_BYTES + 1, Math.floor(whole.length / 3), Math.floor(whole.length / 2) + 1, whole.length - 5]) {
    const b = whole.subarray(0, cut);
    assert.ok(detected(b), `a cut at ${cut} of ${whole.length} bytes is detected`);
  }
});

test('a checkpoint frame whose icount is edited (with a fresh CRC) is refused, and --to stops where asked, not at the checkpoint', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  const records = recordsOf(whole);
  const k = records.findIndex((r) => r.type === RecordType.Checkpoint);
  const raw = Buffer.from(records[k].raw);
  raw.writeDoubleLE(200, 12);
  records[k] = { ...records[k], icount: 200, raw: withFreshCrc(raw) };
  const f = path.join(tmp, 'cp-icount.bur');
  fs.writeFileSync(f, assemble(records, endOf(whole)));
  const rec = RecordingReader.open(f);
  assert.match(rec.problems[0], /^corrupted: record \d+ \(checkpoint\) at byte \d+: the checkpoint frame claims instruction 200, its chunk ends at \d+/);
  const r = bringup(['replay', f, '--to', '200']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^stopped at time 200 \(time 200\), in core 0.s turn/);
  assert.equal(bringup(['replay', f, '--verify']).status, 2);
});

test('a checkpoint whose state is edited with a fresh CRC does not match the chunk hash chain: a seek falls back to the boot and says so, --verify fails', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  const records = recordsOf(whole);
  const k = records.findIndex((r) => r.type === RecordType.Checkpoint);
  const stored = records[k].raw.subarray(FRAME_BYTES);
  const cp = decodeCheckpoint(zlib.inflateRawSync(stored));
  const state = JSON.parse(cp.stateJson.toString('utf8'));
  state.cpu.registers.r0 = (state.cpu.registers.r0 ^ 0x55) >>> 0;
  const edited = encodeRecord(RecordType.Checkpoint, records[k].icount, encodeCheckpoint(cp.head, JSON.stringify(state), cp.pages));
  records[k] = { ...records[k], raw: edited };
  const f = path.join(tmp, 'cp-state.bur');
  fs.writeFileSync(f, assemble(records, endOf(whole)));
  const rec = RecordingReader.open(f);
  assert.deepEqual(rec.problems, [], 'every frame and CRC is intact');
  assert.throws(() => rec.checkpoint(rec.checkpoints[0]), (e: Error) => e instanceof RecordingDamaged && /does not match the chunk hash chain/.test(e.message));

  const target = rec.checkpoints[0].icount + 1234;
  const notices: string[] = [];
  const seek = openReplay(rec, { onNotice: (m) => notices.push(m) }).replayer;
  seek.runTo(target);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /^checkpoint at instruction \d+ \(record \d+ \(checkpoint\) at byte \d+\) does not match the chunk hash chain.*; the replay starts from the boot instead$/);
  const fromBoot = openReplay(RecordingReader.open(file)).replayer;
  fromBoot.resetTo(0, false);
  fromBoot.runTo(target);
  assert.deepEqual(seek.machine.cpu.snapshot(), fromBoot.machine.cpu.snapshot(), 'the seek reached the recorded state, not the edited one');

  const r = bringup(['replay', f, '--to', String(target)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /does not match the chunk hash chain.*the replay starts from the boot instead/);
  assert.match(r.stdout, new RegExp(`^stopped at time ${target} `));
  const v = bringup(['replay', f, '--verify']);
  assert.equal(v.status, 2, v.stdout + v.stderr);
  assert.match(v.stderr, /not verified, the recording is damaged: checkpoint at instruction \d+ .* does not match the chunk hash chain/);
});

test('a checkpoint page that the last chunk did not write, edited with a fresh CRC, is found by --verify', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  const records = recordsOf(whole);
  let done = false;
  for (let k = 0; k < records.length && !done; k++) {
    if (records[k].type !== RecordType.Checkpoint) continue;
    const cp = decodeCheckpoint(zlib.inflateRawSync(records[k].raw.subarray(FRAME_BYTES)));
    // A page stored with its bytes (literal, or XOR with its version before): flipping one changes the page.
    const victim = cp.pages.find((p) => !cp.head.dirty.includes(p.page) && p.bytes.length === 4096);
    if (!victim) continue;
    const bytes = Buffer.from(victim.bytes);
    bytes[100] ^= 0xff;
    const pages = cp.pages.map((p) => (p === victim ? { ...p, bytes } : p));
    records[k] = { ...records[k], raw: encodeRecord(RecordType.Checkpoint, records[k].icount, encodeCheckpoint(cp.head, cp.stateJson.toString('utf8'), pages)) };
    done = true;
  }
  assert.ok(done, 'a checkpoint holds a page its last chunk did not write');
  const rec = new RecordingReader(assemble(records, endOf(whole)), 'cp-page.bur');
  assert.deepEqual(rec.problems, []);
  assert.throws(() => openReplay(rec).replayer.verify(), (e: Error) => e instanceof RecordingDamaged && /not verified, the recording is damaged: checkpoint at instruction \d+ .* holds page 0x[0-9a-f]+ with bytes the replayed machine does not have/.test(e.message));
});

test('dropped, duplicated and swapped checkpoints are found by the reader and never restored', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  const records = recordsOf(whole);
  const cps = records.map((r, i) => (r.type === RecordType.Checkpoint ? i : -1)).filter((i) => i >= 0);
  assert.ok(cps.length >= 2, `${cps.length} checkpoints`);
  const variants: Array<[string, Rec[]]> = [
    ['dropped', records.filter((_r, i) => i !== cps[0])],
    ['duplicated', records.flatMap((r, i) => (i === cps[0] ? [r, r] : [r]))],
    ['swapped', records.map((r, i) => (i === cps[0] ? records[cps[1]] : i === cps[1] ? records[cps[0]] : r))],
  ];
  for (const [what, list] of variants) {
    const rec = new RecordingReader(assemble(list, endOf(whole)), `${what}.bur`);
    assert.equal(rec.problems.length, 1, what);
    assert.match(rec.problems[0], /^corrupted: record \d+ \(\w+\) at byte \d+: .*checkpoint/, `${what}: ${rec.problems[0]}`);
    // Only checkpoints before the damage are kept, so a seek never restores a misplaced one.
    for (const ref of rec.checkpoints) assert.equal(rec.checkpoint(ref).chunk, ref.chunk, what);
    assert.throws(() => openReplay(rec).replayer.verify(), RecordingDamaged, what);
  }
});

test('a chunk whose `to` is not a number, or an end record claiming 1e15 instructions, is refused instead of hanging the replay', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  const records = recordsOf(whole);
  const k = records.findIndex((r) => r.type === RecordType.Chunk);
  const chunk = JSON.parse(zlib.inflateRawSync(records[k].raw.subarray(FRAME_BYTES)).toString('utf8'));
  for (const [what, to] of [['not a number', 'soon'], ['1e15', 1e15], ['negative', -5]] as const) {
    const list = [...records];
    list[k] = { ...records[k], raw: encodeJson(RecordType.Chunk, records[k].icount, { ...chunk, to }) };
    const rec = new RecordingReader(assemble(list, endOf(whole)), `${what}.bur`);
    assert.match(rec.problems[0], /^corrupted: record \d+ \(chunk\) at byte \d+: /, what);
    assert.equal(rec.chunks.length, 0);
    assert.equal(rec.lastIcount, 0);
  }
  const end = endOf(whole);
  const rec = new RecordingReader(assemble(records, { ...end, icount: 1e15 }), 'end-1e15.bur');
  assert.match(rec.problems[0], /the end record claims instruction 1000000000000000 .*, the last chunk ends at \d+/);
  const real = RecordingReader.open(file).lastIcount;
  assert.equal(rec.lastIcount, real);
  const f = path.join(tmp, 'end-1e15.bur');
  fs.writeFileSync(f, assemble(records, { ...end, icount: 1e15 }));
  const r = bringup(['replay', f]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^stopped at time ${real} `));
  // A header claiming absurd chunks is refused by its schema.
  const header = new RecordingReader(whole, 'x').header;
  const bad = assemble([{ type: RecordType.Header, icount: 0, raw: encodeJson(RecordType.Header, 0, { ...header, chunkInstructions: 1e15 }) }, ...records.slice(1)], end);
  assert.throws(() => new RecordingReader(bad, 'chunk-1e15.bur'), /\/chunkInstructions: must be <= 1000000000/);
});

/** A raw deflate stream of `n` MiB of spaces, made without holding them: one sync-flushed MiB block repeated, then an empty final block. */
function deflateBomb(n: number): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(1 << 20, 0x20), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array(n).fill(block), zlib.deflateRawSync(Buffer.alloc(0))]);
}

function bombRecord(type: RecordType, icount: number, stored: Buffer): Buffer {
  const frame = Buffer.alloc(FRAME_BYTES);
  frame.writeUInt8(type, 0);
  frame.writeUInt8(1, 1);
  frame.writeUInt32LE(stored.length, 4);
  frame.writeDoubleLE(icount, 12);
  const raw = Buffer.concat([frame, stored]);
  return withFreshCrc(raw);
}

test('a decompression bomb (a small record inflating to 1.5 GB) is refused before it is inflated whole', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  const records = recordsOf(whole);
  const bomb = deflateBomb(1536);
  assert.ok(bomb.length < 4 << 20, `${bomb.length} bytes`);
  const chunkBomb = assemble([records[0], { type: RecordType.Chunk, icount: 0, raw: bombRecord(RecordType.Chunk, 0, bomb) }]);
  const rec = new RecordingReader(chunkBomb, 'bomb.bur');
  assert.match(rec.problems[0], /^corrupted: record 2 \(chunk\) at byte \d+: its payload inflates to more than \d+ bytes, the most a chunk may hold/);
  const f = path.join(tmp, 'bomb.bur');
  fs.writeFileSync(f, chunkBomb);
  const r = bringup(['replay', f, '--verify']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /inflates to more than/);

  const headerBomb = Buffer.concat([MAGIC, bombRecord(RecordType.Header, 0, bomb)]);
  assert.throws(() => new RecordingReader(headerBomb, 'header-bomb.bur'), /no usable header \(corrupted: record 1 \(header\) at byte \d+: its payload inflates to more than 16777216 bytes/);

  // A checkpoint may hold at most the board's RAM: a bomb there is refused when a seek opens it.
  const k = records.findIndex((x) => x.type === RecordType.Checkpoint);
  const list = [...records];
  list[k] = { ...records[k], raw: bombRecord(RecordType.Checkpoint, records[k].icount, bomb) };
  const cpBomb = new RecordingReader(assemble(list, endOf(whole)), 'cp-bomb.bur');
  assert.throws(() => cpBomb.checkpoint(cpBomb.checkpoints[0], 1000), (e: Error) => e instanceof RecordingDamaged && /inflates to more than/.test(e.message));
});

test('replay refuses a character device, a FIFO-like or a folder as the recording (exit 2) instead of reading it forever', () => {
  const r = bringup(['replay', '/dev/zero']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /\/dev\/zero: is a character device, not a file/);
  const d = bringup(['replay', tmp, '--verify']);
  assert.equal(d.status, 2);
  assert.match(d.stderr, /is a folder, not a file/);
  const b = bringup(['bundle', '/dev/zero', '-o', path.join(tmp, 'never.bur')]);
  assert.equal(b.status, 2);
  assert.equal(fs.existsSync(path.join(tmp, 'never.bur')), false);
});

test('the count of chunk hashes checked is the recording\'s real count, not inflated by seeking back', () => {
  const { file } = smallRecording();
  const rec = RecordingReader.open(file);
  const s = openReplay(rec);
  s.replayer.resetTo(0, false);
  s.replayer.runTo(rec.lastIcount);
  assert.equal(s.replayer.chunksVerified, rec.chunks.length);
  // Back to before the end: a checkpoint, then the chunks after it are checked again.
  s.replayer.runTo(rec.lastIcount - 1);
  s.replayer.runTo(rec.lastIcount);
  assert.equal(s.replayer.chunksVerified, rec.chunks.length);
  assert.equal(s.replayer.verify().chunksVerified, rec.chunks.length);
  const r = bringup(['replay', file, '--to-symbol', 'sched_return']);
  assert.equal(r.status, 0, r.stderr);
  const n = Number(/; (\d+) chunk hash\(es\) checked on the way/.exec(r.stdout)?.[1]);
  assert.ok(n >= 0 && n <= rec.chunks.length, `${n} of ${rec.chunks.length}`);
});

/** The small bundle with its header replaced (and its board image renamed to match), records re-framed, a fresh end index. */
function craftBundle(edit: (h: RecordingReader['header']) => { header: RecordingReader['header']; board?: Buffer }): Buffer {
  const { bundle } = smallRecording();
  const whole = fs.readFileSync(bundle);
  const rec = new RecordingReader(whole, 'x');
  const { header, board } = edit(JSON.parse(JSON.stringify(rec.header)));
  const records = recordsOf(whole).map((r) => {
    if (r.type === RecordType.Header) return { ...r, raw: encodeJson(RecordType.Header, 0, header) };
    if (r.type !== RecordType.Image) return r;
    const p = zlib.inflateRawSync(r.raw.subarray(FRAME_BYTES));
    const name = p.subarray(4, 4 + p.readUInt32LE(0)).toString('utf8');
    if (!name.startsWith('board:')) return r;
    const key = Buffer.from(`board:${header.board.name}`, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(key.length, 0);
    return { ...r, raw: encodeRecord(RecordType.Image, 0, Buffer.concat([head, key, board ?? p.subarray(4 + p.readUInt32LE(0))])) };
  });
  return assemble(records, rec.end);
}

test('replaying a crafted bundle whose board name climbs out with ../ writes nothing outside its folder and leaves nothing in the temp folder', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'crafted-'));
  const tmpdir = path.join(dir, 'tmp');
  fs.mkdirSync(tmpdir);
  const payload = Buffer.from('name: evil\n# attacker-chosen bytes\n');
  const bad = craftBundle((h) => ({ header: { ...h, board: { name: '../../evil', file: '/nonexistent/board.yaml', sha256: createHash('sha256').update(payload).digest('hex') } }, board: payload }));
  const f = path.join(dir, 'crafted.bur');
  fs.writeFileSync(f, bad);
  const r = bringup(['replay', f], { ...process.env, TMPDIR: tmpdir });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /\/board\/name: must match pattern/);
  assert.deepEqual(fs.readdirSync(tmpdir), [], 'nothing left in the temp folder');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['crafted.bur', 'tmp'], 'nothing written beside it');

  // Image names become paths with --images DIR: a name with a folder in it is refused.
  const img = craftBundle((h) => ({ header: { ...h, images: h.images.map((i, n) => (n === 0 ? { ...i, name: '../../etc/passwd' } : i)) } }));
  assert.throws(() => new RecordingReader(img, 'img.bur'), /\/images\/0\/name: must match pattern/);
  const role = craftBundle((h) => ({ header: { ...h, images: h.images.map((i, n) => (n === 2 ? { ...i, role: '../x' } : i)) } }));
  assert.throws(() => new RecordingReader(role, 'role.bur'), /\/images\/2\/role: must match pattern/);
});

test('a bundle whose board is not installed replays from the embedded board, in memory: no /tmp/bringup-board-* folder is left', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'custom-board-'));
  const tmpdir = path.join(dir, 'tmp');
  fs.mkdirSync(tmpdir);
  // The recorded board differs from the installed one of its name (a local edit) and its file is gone.
  const board = Buffer.concat([fs.readFileSync(path.join(root, 'machine', 'boards', 'tegra2-xoom.yaml')), Buffer.from('# a local copy\n')]);
  const sha256 = createHash('sha256').update(board).digest('hex');
  const f = path.join(dir, 'custom.bur');
  fs.writeFileSync(f, craftBundle((h) => ({ header: { ...h, board: { name: h.board.name, file: path.join(dir, 'gone', 'board.yaml'), sha256 } }, board })));
  const r = bringup(['replay', f, '--verify'], { ...process.env, TMPDIR: tmpdir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^replay identical: (\d+) of \1 chunk hashes match/);
  assert.deepEqual(fs.readdirSync(tmpdir), [], 'nothing left in the temp folder');
});

test('bundle -o into a full device, a folder or a path under a file fails with the file and the reason, exit 2, and leaves no partial file', () => {
  const { file } = smallRecording();
  const dir = fs.mkdtempSync(path.join(tmp, 'out-'));
  if (fs.existsSync('/dev/full')) {
    const r = bringup(['bundle', file, '-o', '/dev/full']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^bringup: bundle: cannot write the recording \/dev\/full: no space left on the device \(ENOSPC\)$/m);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    assert.ok(fs.statSync('/dev/full').isCharacterDevice(), '/dev/full is left as it is');
  }
  const folder = bringup(['bundle', file, '-o', dir]);
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, new RegExp(`cannot write the recording ${dir}: it is a folder \\(EISDIR\\)`));
  const plain = path.join(dir, 'plain');
  fs.writeFileSync(plain, 'x');
  const under = bringup(['bundle', file, '-o', path.join(plain, 'b.bur')]);
  assert.equal(under.status, 2);
  assert.match(under.stderr, /cannot write the recording .*plain\/b\.bur: a part of its path is not a folder \(ENOTDIR\)/);
  const missing = bringup(['bundle', file, '-o', path.join(dir, 'no', 'such', 'b.bur')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /its folder does not exist \(ENOENT\)/);
  assert.deepEqual(fs.readdirSync(dir), ['plain'], 'no partial file');
  // An existing bundle is replaced only by a complete one.
  const ok = bringup(['bundle', file, '-o', path.join(dir, 'good.bur')]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['good.bur', 'plain']);
});

test('a recording that cannot be written raises RecordingWriteError naming the file and the reason; a write failing mid-run ends the recording and the run still gives its verdict', () => {
  if (fs.existsSync('/dev/full')) {
    assert.throws(() => new RecordingWriter('/dev/full'), (e: Error) => e instanceof RecordingWriteError && e.file === '/dev/full' && e.code === 'ENOSPC');
    assert.throws(() => runRecorded(scenario(), '/dev/full', { text: PINGPONG }), (e: Error) => e instanceof RecordingWriteError && /\/dev\/full: no space left on the device/.test(e.message));
  }
  const file = path.join(tmp, 'disk-full.bur');
  // The disk fills up after a few records (the module object, which every importer of node:fs reads through).
  const nodeFs = require('node:fs') as { writeSync: unknown };
  const realWrite = nodeFs.writeSync;
  let writes = 0;
  nodeFs.writeSync = (...args: unknown[]) => {
    if (++writes === 6) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return (realWrite as (...a: unknown[]) => number)(...args);
  };
  let caught: unknown;
  try {
    runRecorded(scenario(), file, { chunk: 500_000, checkpointEvery: 2, text: PINGPONG });
  } catch (e) {
    caught = e;
  } finally {
    nodeFs.writeSync = realWrite;
  }
  assert.ok(caught instanceof RecordingWriteError, String(caught));
  assert.equal(caught.file, file);
  assert.match(caught.message, /no space left on the device \(ENOSPC\)/);
  assert.equal((caught.result as { verdict: string }).verdict, 'pass', 'the run went on to its verdict');
  const rec = RecordingReader.open(file);
  assert.ok(rec.chunks.length >= 1 && !rec.end, 'the recording keeps what was written before the failure');
});

test('a recording of an older format is refused with both versions named', () => {
  const { file } = smallRecording();
  const whole = fs.readFileSync(file);
  const rec = new RecordingReader(whole, 'x');
  // Format 1 framed the header with a CRC over the payload only.
  const stored = zlib.deflateRawSync(Buffer.from(JSON.stringify({ ...rec.header, format: 1 })));
  const frame = Buffer.alloc(FRAME_BYTES);
  frame.writeUInt8(RecordType.Header, 0);
  frame.writeUInt8(1, 1);
  frame.writeUInt32LE(stored.length, 4);
  const { crc32 } = require('../../replay/format') as typeof import('../../replay/format');
  frame.writeUInt32LE(crc32(stored), 8);
  const old = Buffer.concat([MAGIC, frame, stored]);
  assert.throws(() => new RecordingReader(old, 'old.bur'), (e: Error) => e instanceof RecordingError && /recording format 1 is not supported by this bringup \(it reads format 6 and formats 3, 4 and 5\)/.test(e.message));
});

