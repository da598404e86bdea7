/**
 * Checkpoints kept in a side index (FILE.idx, the default): the recording
 * holds no checkpoint, the index holds the very records an inline recording
 * of the same run holds; an index that is missing, another recording's, cut
 * short or damaged costs seek time only (a seek starts from the boot or an
 * earlier checkpoint and says so), and `replay --verify` writes it anew, byte
 * for byte what the recorder wrote. A bundle carries the checkpoints inline.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { bundleRecording, openReplay, recordingHeader, runRecorded } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { Recorder } from '../../replay/recorder';
import { FRAME_BYTES, RecordType, decodeCheckpoint, encodeCheckpoint, encodeRecord, frameCrc, indexFileOf } from '../../replay/format';
import { stateJson } from '../../replay/state-hash';
import { ROOT as root } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-checkpoint-index-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PINGPONG = fs.readFileSync(path.join(scenarios, 'pingpong.yaml'), 'utf8');
const scenario = () => scenarioFromText(PINGPONG, path.join(scenarios, 'pingpong.yaml'), scenarios);
const OPTIONS = { chunk: 200_000, checkpointEvery: 2, text: PINGPONG };

let made: { file: string; index: Buffer } | undefined;
/** A pingpong recording with its checkpoints in the index (a checkpoint every 2 chunks of 200,000). */
function recording(): { file: string; index: Buffer } {
  if (!made) {
    const file = path.join(tmp, 'indexed.bur');
    assert.equal(runRecorded(scenario(), file, OPTIONS).verdict, 'pass');
    made = { file, index: fs.readFileSync(indexFileOf(file)) };
  }
  return made;
}

/** A copy of the recording under `name` with `index` as its index (null: none). */
function copyWith(name: string, index: Buffer | null): string {
  const file = path.join(tmp, name);
  fs.copyFileSync(recording().file, file);
  fs.rmSync(indexFileOf(file), { force: true });
  if (index) fs.writeFileSync(indexFileOf(file), index);
  return file;
}

/** The machine state and RAM digest a replay of `file` reaches at `icount`. */
function stateAt(file: string, icount: number, notices: string[] = []): string {
  const { replayer } = openReplay(RecordingReader.open(file), { onNotice: (m) => notices.push(m) });
  replayer.runTo(icount);
  return stateJson(replayer.machine);
}

function bringup(...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8', timeout: 120_000 });
}

test('a recording keeps its checkpoints in FILE.idx: none in the recording, the same records an inline recording of the run holds', () => {
  const { file, index } = recording();
  const rec = RecordingReader.open(file);
  assert.equal(rec.header.checkpoints, 'index');
  assert.equal(rec.frames.filter((f) => f.type === RecordType.Checkpoint).length, 0);
  assert.ok(rec.checkpoints.length >= 3, `${rec.checkpoints.length} checkpoints`);
  assert.ok(rec.indexComplete, rec.indexProblems.join('; '));
  assert.ok(rec.checkpoints.every((c) => c.inIndex && c.chunk % 2 === 0));
  // A verify checks a complete, intact index and leaves it alone.
  const checked = openReplay(rec).replayer;
  checked.verify();
  assert.equal(checked.indexWritten, undefined);
  assert.deepEqual(checked.indexDamage, []);

  const inlineFile = path.join(tmp, 'inline.bur');
  assert.equal(runRecorded(scenario(), inlineFile, { ...OPTIONS, checkpoints: 'inline' }).verdict, 'pass');
  assert.ok(!fs.existsSync(indexFileOf(inlineFile)), 'an inline recording has no index');
  const inline = RecordingReader.open(inlineFile);
  assert.equal(inline.checkpoints.length, rec.checkpoints.length);
  inline.checkpoints.forEach((c, i) => assert.ok(inline.rawCheckpoint(c).equals(rec.rawCheckpoint(rec.checkpoints[i])), `checkpoint ${i}`));
  const checkpointBytes = inline.checkpoints.reduce((n, c) => n + FRAME_BYTES + c.frame.length, 0);
  // Smaller by its checkpoints and the end record's entries for them.
  const saved = fs.statSync(inlineFile).size - fs.statSync(file).size;
  assert.ok(saved >= checkpointBytes && saved < checkpointBytes + 64 * inline.checkpoints.length, `${saved} bytes fewer, checkpoints ${checkpointBytes}`);
  assert.ok(index.length > checkpointBytes);
});

test('without its index a recording replays and seeks from the boot (and says so); replay --verify writes the index anew, byte for byte', () => {
  const { file, index } = recording();
  const target = RecordingReader.open(file).checkpoints[2].icount + 777;
  const want = stateAt(file, target);
  const bare = copyWith('bare.bur', null);
  const rec = RecordingReader.open(bare);
  assert.equal(rec.checkpoints.length, 0);
  assert.match(rec.indexProblems[0], /bare\.bur\.idx: missing \(seeks replay from the boot; `bringup replay FILE --verify` writes it again\)/);
  assert.equal(rec.problems.length, 0, 'the recording itself is intact');
  assert.equal(stateAt(bare, target), want);

  const seek = bringup('replay', bare, '--to', String(target));
  assert.equal(seek.status, 0, seek.stderr);
  assert.match(seek.stderr, /bringup: checkpoint index .*bare\.bur\.idx: missing/);
  const v = bringup('replay', bare, '--verify');
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^replay identical: /m);
  assert.match(v.stdout, new RegExp(`^checkpoint index written: .*bare\\.bur\\.idx \\(${RecordingReader.open(file).checkpoints.length} checkpoint\\(s\\)\\)$`, 'm'));
  assert.ok(fs.readFileSync(indexFileOf(bare)).equals(index), 'the index written by the verify is the recorder\'s');
  assert.equal(RecordingReader.open(bare).checkpoints.length, RecordingReader.open(file).checkpoints.length);
});

test('an index cut short or with a flipped byte keeps its checkpoints before the damage; another recording\'s index is not used', () => {
  const { file, index } = recording();
  const rec = RecordingReader.open(file);
  const second = rec.checkpoints[1].frame.offset;

  const cut = RecordingReader.open(copyWith('cut.bur', index.subarray(0, second + 30)));
  assert.equal(cut.checkpoints.length, 1);
  assert.match(cut.indexProblems[0], /cut\.bur\.idx: truncated: record 3 \(checkpoint\) at byte \d+ needs \d+ bytes/);

  const flipped = Buffer.from(index);
  flipped[second + FRAME_BYTES + 5] ^= 0x08;
  const flip = RecordingReader.open(copyWith('flip.bur', flipped));
  assert.equal(flip.checkpoints.length, 1);
  assert.match(flip.indexProblems[0], new RegExp(`flip\\.bur\\.idx: corrupted: record 3 \\(checkpoint\\) at byte ${second} fails its CRC-32 check`));
  const target = rec.checkpoints[2].icount + 99;
  assert.equal(stateAt(path.join(tmp, 'flip.bur'), target), stateAt(file, target));

  // An index that cannot be read (a folder) is no index: the recording opens, with no checkpoint.
  const folder = copyWith('folder.bur', null);
  fs.mkdirSync(indexFileOf(folder));
  const unreadable = RecordingReader.open(folder);
  assert.equal(unreadable.checkpoints.length, 0);
  assert.match(unreadable.indexProblems[0], /folder\.bur\.idx: .*folder.*\(seeks replay from the boot\)/);

  const other = path.join(tmp, 'other.bur');
  assert.equal(runRecorded(scenario(), other, OPTIONS).verdict, 'pass');
  const foreign = RecordingReader.open(copyWith('foreign.bur', fs.readFileSync(indexFileOf(other))));
  assert.equal(foreign.checkpoints.length, 0);
  assert.match(foreign.indexProblems[0], new RegExp(`the index of another recording \\(${RecordingReader.open(other).header.uuid}\\), not of this one \\(${rec.header.uuid}\\)`));
});

test('an index checkpoint that does not match the chunk hash chain is never restored, and a verify passes, says so and writes the index anew (a second replay)', () => {
  const { file, index } = recording();
  const rec = RecordingReader.open(file);
  const ref = rec.checkpoints[1];
  const cp = decodeCheckpoint(zlib.inflateRawSync(rec.rawCheckpoint(ref).subarray(FRAME_BYTES)));
  const state = JSON.parse(cp.stateJson.toString('utf8'));
  state.cpu.registers.r0 = (state.cpu.registers.r0 + 1) >>> 0;
  const edited = encodeRecord(RecordType.Checkpoint, ref.icount, encodeCheckpoint(cp.head, JSON.stringify(state), cp.pages), 1);
  const end = ref.frame.offset + FRAME_BYTES + ref.frame.length;
  const bad = copyWith('edited.bur', Buffer.concat([index.subarray(0, ref.frame.offset), edited, index.subarray(end)]));
  assert.equal(frameCrc(edited, 0, edited.subarray(FRAME_BYTES)), edited.readUInt32LE(8));

  const target = ref.icount + 5;
  const notices: string[] = [];
  assert.equal(stateAt(bad, target, notices), stateAt(file, target));
  assert.match(notices[0], /checkpoint at instruction \d+ \(record 3 \(checkpoint\) of .*edited\.bur\.idx at byte \d+\) does not match the chunk hash chain.*; the replay starts from the checkpoint at instruction \d+ instead/);

  const { replayer } = openReplay(RecordingReader.open(bad));
  const pos = replayer.verify();
  assert.equal(pos.icount, rec.lastIcount);
  assert.match(replayer.indexDamage[0], /does not match the chunk hash chain/);
  assert.deepEqual(replayer.indexWritten, { file: indexFileOf(bad), checkpoints: rec.checkpoints.length });
  assert.ok(fs.readFileSync(indexFileOf(bad)).equals(index));
});

test('a bundle of a recording with a complete index carries the checkpoints inline; without the index it has none and its verify writes its own', () => {
  const { file } = recording();
  const rec = RecordingReader.open(file);
  const out = path.join(tmp, 'bundle.bur');
  bundleRecording(rec, out);
  assert.ok(!fs.existsSync(indexFileOf(out)));
  const b = RecordingReader.open(out);
  assert.equal(b.header.checkpoints, 'inline');
  assert.equal(b.header.uuid, rec.header.uuid);
  assert.deepEqual(b.problems, []);
  assert.equal(b.checkpoints.length, rec.checkpoints.length);
  b.checkpoints.forEach((c, i) => assert.ok(b.rawCheckpoint(c).equals(rec.rawCheckpoint(rec.checkpoints[i])), `checkpoint ${i}`));
  assert.equal(openReplay(b).replayer.verify().icount, rec.lastIcount);

  const bare = RecordingReader.open(copyWith('bare-source.bur', null));
  const out2 = path.join(tmp, 'bundle-bare.bur');
  bundleRecording(bare, out2);
  const b2 = RecordingReader.open(out2);
  assert.equal(b2.header.checkpoints, 'index');
  assert.equal(b2.checkpoints.length, 0);
  const { replayer } = openReplay(b2);
  replayer.verify();
  assert.equal(RecordingReader.open(out2).checkpoints.length, rec.checkpoints.length);
});

test('a recording written to a device or through a link (/dev/stdout) keeps its checkpoints inline (there is no place beside it for an index)', () => {
  // /dev/stdout of a process whose stdout is a file is a link to that file: still no index in /dev.
  const target = path.join(tmp, 'stdout-target.bur');
  fs.writeFileSync(target, '');
  const link = path.join(tmp, 'link.bur');
  fs.symlinkSync(target, link);
  for (const file of ['/dev/null', link]) {
    const r = new Recorder(file, recordingHeader(scenario(), OPTIONS));
    try {
      assert.equal(r.header.checkpoints, 'inline', file);
      assert.ok(!fs.existsSync(indexFileOf(file)), file);
    } finally {
      r.closeFile();
    }
  }
});
