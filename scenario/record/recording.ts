/**
 * Recording scenarios and getting their images back for a replay: the
 * header names every image with its sha256, and a replay boots only from
 * images whose hashes match — from the scenario's own files, from a folder
 * the user names, or from the images embedded in a bundle.
 */

import { defaultEngine, otherEngine, withDefaultEngine } from '../../machine/cpu/engine';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { readVolume, volumeImage } from '../../machine/boot/volume';
import { parseElf, type ElfSymbol } from '../../machine/loaders/elf';
import type { Machine } from '../../machine/machine';
import { bootMachine } from '../../machine/boot/boot-machine';
import type { BoardSpec } from '../../machine/boards/board-spec';
import { RecordType, type RecordingHeader } from '../../replay/format';
import {
  buildHeader, bundleImages, encodeImageRecord, imageProblems, imagesFromHeader, recordedImages, replayBoot, sha256,
  ImageMismatchError, type HeaderOptions, type RecordedImages,
} from '../../replay/boot-record';
import { RecordingWriteError, RecordingWriter } from '../../replay/writer';
import { Recorder } from '../../replay/recorder';
import { RecordingReader } from '../../replay/reader';
import { Replayer } from '../../replay/replayer';
import { boardNames, boardsDir, boardSource, loadBoard, resolveBoardFile } from '../boards';
import { scenarioBoot } from '../run/boot';
import { InputFileUnusable, readInputFile } from '../../io/input-file';
import { loadScenario, scenarioFromText, type Scenario } from '../file/scenario-file';
import { runScenario, runScenarioYielding, describeStop, type RunObserver, type RunOptions, type ScenarioResult } from '../run/runner';
import { removeRecording } from '../../replay/recording-files';

export { DEFAULT_CHUNK, DEFAULT_CHECKPOINT_EVERY, ImageMismatchError } from '../../replay/boot-record';
/** The images of a replay (replay/boot-record.ts). */
export type BootImages = RecordedImages;

export interface RecordOptions extends HeaderOptions {
  /** The scenario's YAML when it is not a file (scenarios assembled by steps). */
  text?: string;
}

/** The header of a recording of scenario `s` (replay/boot-record.ts builds it from the scenario's boot description). */
export function recordingHeader(s: Scenario, options: RecordOptions = {}): RecordingHeader {
  let text = options.text ?? '';
  if (!text && fs.existsSync(s.file)) text = fs.readFileSync(s.file, 'utf8');
  return buildHeader({ boot: scenarioBoot(s), boardFile: scenarioBoardFile(s), console: s.console, scenario: { file: path.resolve(s.file), text } }, options);
}

/** The scenario's board file and the hash of the bytes it was loaded from (read again only for a board loaded some other way). */
function scenarioBoardFile(s: Scenario): { file: string; sha256: string } {
  const known = boardSource(s.board);
  if (known) return known;
  const file = path.resolve(resolveBoardFile(s.boardName));
  return { file, sha256: sha256(fs.readFileSync(file)) };
}

/**
 * Runs a scenario and records it into `file`. The recording is complete when
 * this returns; if the process dies first, it is readable up to its last chunk.
 */
export function runRecorded(s: Scenario, file: string, options: RunOptions & RecordOptions = {}): ScenarioResult & { recording: string } {
  const recording = startRecording(s, file, options);
  let result: ScenarioResult;
  try {
    result = runScenario(s, recording.options);
  } finally {
    recording.close();
  }
  return recording.finish(result, file);
}

/** runRecorded with runScenarioYielding: Ctrl-C (`signal`) ends the run, and the recording, where it is. */
export async function runRecordedYielding(s: Scenario, file: string, options: RunOptions & RecordOptions & { signal?: AbortSignal } = {}): Promise<ScenarioResult & { recording: string }> {
  const recording = startRecording(s, file, options);
  let result: ScenarioResult;
  try {
    result = await runScenarioYielding(s, recording.options);
  } finally {
    recording.close();
  }
  return recording.finish(result, file);
}

/**
 * A recorder for a run. A file that cannot be created throws
 * RecordingWriteError before the run; a write that fails during the run
 * stops the recording there and the run goes on: finish() then throws that
 * RecordingWriteError with `result` set to the finished run.
 */
function startRecording<O extends RunOptions & RecordOptions>(s: Scenario, file: string, options: O) {
  const recorder = new Recorder(file, recordingHeader(s, options));
  return {
    options: { ...options, observer: options.observer ? bothObservers(recorder, options.observer) : recorder },
    close: () => {
      try { recorder.closeFile(); } catch (e) { if (!(e instanceof RecordingWriteError)) throw e; recorder.writeError ??= e; }
    },
    finish: (result: ScenarioResult, recording: string): ScenarioResult & { recording: string } => {
      const done = Object.assign(result, { recording });
      if (recorder.writeError) {
        recorder.writeError.result = done;
        throw recorder.writeError;
      }
      return done;
    },
  };
}

/** Where runs keep their recordings: $BRINGUP_RECORDINGS_DIR, else .bringup/recordings in the working directory. */
export function recordingsDir(): string {
  return path.resolve(process.env.BRINGUP_RECORDINGS_DIR ?? path.join('.bringup', 'recordings'));
}

/**
 * Runs a scenario recorded into recordingsDir(); the recording is kept when
 * the scenario does not pass (the result names it) or when `keep` says so,
 * and deleted otherwise.
 */
export function runKeepingFailures(s: Scenario, options: RunOptions & RecordOptions & { keep?: boolean } = {}): ScenarioResult & { recording?: string } {
  return keepIfNotPassed(runRecorded(s, recordingFileFor(s), options), options.keep);
}

/** runKeepingFailures with runScenarioYielding (an interrupted run keeps its recording). */
export async function runKeepingFailuresYielding(s: Scenario, options: RunOptions & RecordOptions & { keep?: boolean; signal?: AbortSignal } = {}): Promise<ScenarioResult & { recording?: string }> {
  return keepIfNotPassed(await runRecordedYielding(s, recordingFileFor(s), options), options.keep);
}

/** A new file in recordingsDir() named after the scenario. */
function recordingFileFor(s: Scenario): string {
  const dir = recordingsDir();
  fs.mkdirSync(dir, { recursive: true });
  const slug = (s.name || path.basename(s.file)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'run';
  return path.join(dir, `${slug}-${randomUUID().slice(0, 8)}.bur`);
}

function keepIfNotPassed(result: ScenarioResult & { recording?: string }, keep?: boolean): ScenarioResult & { recording?: string } {
  if (result.verdict === 'pass' && !keep && result.recording) {
    removeRecording(result.recording);
    result.recording = undefined;
  }
  return result;
}

/** Two observers of one run: each is stepped at its own interval. */
export function bothObservers(a: RunObserver, b: RunObserver): RunObserver {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return {
    interval: gcd(a.interval, b.interval),
    start: (m, sc) => { a.start(m, sc); b.start(m, sc); },
    console: (d, data, icount) => { a.console(d, data, icount); b.console(d, data, icount); },
    step: (m) => {
      if (m.now() % a.interval === 0) a.step(m);
      if (m.now() % b.interval === 0) b.step(m);
    },
    end: (r, m) => { a.end(r, m); b.end(r, m); },
  };
}

// ---- replay -----------------------------------------------------------------

export interface ReplaySession {
  replayer: Replayer;
  boot: BootImages;
  /** Symbols per image: '' is the kernel, others are volume image names. */
  symbols: Map<string, ElfSymbol[]>;
  /** Where the images came from. */
  source: string;
}

export interface ReplaySources {
  /** The scenario in memory (features replay the run they just made). */
  scenario?: Scenario;
  /** A folder holding the right images, by name. */
  imagesDir?: string;
  /** Told when a seek passes over a damaged checkpoint (default: a line on stderr). */
  onNotice?: (message: string) => void;
}

/** Images for a replay, checked against the recording's hashes. */
export function replayImages(rec: RecordingReader, sources: ReplaySources = {}): { boot: BootImages; source: string } {
  const h = rec.header;
  const embedded = rec.embeddedImages();
  let boot: BootImages;
  let source: string;
  if (embedded.size || sources.imagesDir) {
    const dir = sources.imagesDir;
    source = embedded.size ? `the images embedded in ${rec.file}` : `the images in ${dir}`;
    const find = (role: string, name: string): Uint8Array | undefined => {
      const e = embedded.get(`${role}:${name}`);
      if (e) return e;
      if (!dir) return undefined;
      // The header's names are plain file names (the schema refuses folders, '.' and '..'); checked again here
      // because they become paths: nothing named in a recording may lead outside DIR.
      if (!isPlainFileName(name)) throw new ImageMismatchError(`${rec.file}: image name ${JSON.stringify(name)} is not a plain file name`);
      for (const candidate of [name, `${name}.elf`]) {
        const f = path.join(dir, candidate);
        if (fs.existsSync(f)) return readInputFile(f, { what: `${role} image` });
      }
      return undefined;
    };
    boot = imagesFromHeader(h, find);
  } else if (sources.scenario) {
    source = 'the scenario in memory';
    boot = recordedImages(scenarioBoot(sources.scenario));
  } else {
    const s = h.scenario;
    source = `the scenario ${s.file}`;
    let scenario: Scenario;
    // The text recorded is what ran, even if the file has changed since.
    if (s.text) scenario = scenarioFromText(s.text, s.file, path.dirname(s.file));
    else if (fs.existsSync(s.file)) scenario = loadScenario(s.file);
    else throw new ImageMismatchError(`the recorded scenario ${s.file} no longer exists; give --images DIR with the recorded images, or replay a bundle`);
    boot = recordedImages(scenarioBoot(scenario));
  }
  const problems = imageProblems(h, boot);
  if (problems.length) {
    throw new ImageMismatchError(`${rec.file}: images from ${source} differ from the recording:\n${problems.map((p) => `  ${p}`).join('\n')}\n` +
      'give --images DIR with the recorded images (matched by name), or replay a bundle made with `bringup bundle`');
  }
  return { boot, source };
}

/** A name usable as one file name in a folder: no separators, not '.' or '..', no NUL. */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** The board of a replay, loaded once: from a board file on disk, or from the contents of one (from a bundle), never written anywhere. */
type ReplayBoard = { spec: BoardSpec; file: string; bytes?: undefined } | { spec: BoardSpec; file?: undefined; bytes: Uint8Array };

/**
 * The recorded board: the file where it was, the shipped board of that name
 * (looked up in the list of shipped boards, never by building a path from
 * the name), or the copy embedded in a bundle, loaded from memory.
 */
function boardFor(h: RecordingHeader, rec?: RecordingReader): ReplayBoard {
  const candidates = [h.board.file];
  if (boardNames().includes(h.board.name)) candidates.push(path.join(boardsDir(), `${h.board.name}.yaml`));
  for (const f of candidates) {
    let data: Buffer;
    try { data = readInputFile(f, { what: 'board', maxBytes: 16 << 20 }); } catch (e) { if (e instanceof InputFileUnusable) continue; throw e; }
    if (sha256(data) === h.board.sha256) return { spec: loadBoard(f, data.toString('utf8')), file: f };
  }
  const embedded = rec?.embeddedImages().get(`board:${h.board.name}`);
  if (embedded && sha256(embedded) === h.board.sha256) {
    return { spec: loadBoard(`${rec!.file} (embedded board ${h.board.name})`, Buffer.from(embedded).toString('utf8')), bytes: embedded };
  }
  throw new ImageMismatchError(`board file ${h.board.file} is missing or differs from the one recorded (sha256 ${h.board.sha256.slice(0, 16)}...)`);
}

/** A replayer over a recording, with its images found and checked. */
export function openReplay(rec: RecordingReader, sources: ReplaySources = {}): ReplaySession {
  const { boot, source } = replayImages(rec, sources);
  const board = boardFor(rec.header, rec);
  const description = replayBoot(rec.header, board.spec, boot);
  const factory = (): Machine => bootMachine(description).machine;
  const replayer = new Replayer(rec, factory);
  // A seek that cannot use a damaged checkpoint says so (and starts from an earlier one).
  replayer.onNotice = sources.onNotice ?? ((message) => process.stderr.write(`bringup: ${rec.file}: ${message}\n`));
  return { replayer, boot, symbols: imageSymbols(boot), source };
}

export function imageSymbols(boot: BootImages): Map<string, ElfSymbol[]> {
  const out = new Map<string, ElfSymbol[]>();
  const add = (key: string, data: Uint8Array) => {
    try { out.set(key, parseElf(data, key).symbols); } catch { /* not an ELF (a zImage, a config text) */ }
  };
  add('', boot.kernel);
  if (boot.volume) for (const e of readVolume(boot.volume)) if (e.role !== 'config') add(e.name, volumeImage(boot.volume, e.name));
  return out;
}

// ---- bundles ------------------------------------------------------------------

/**
 * Writes a bundle: the recording with its images, board file and scenario
 * embedded, so it replays on a machine that has only bringup.
 */
export function bundleRecording(rec: RecordingReader, out: string, sources: ReplaySources = {}): { images: number; bytes: number } {
  const { boot } = replayImages(rec, sources);
  const h = rec.header;
  const board = boardFor(h, rec);
  const boardBytes = board.bytes ?? readInputFile(board.file, { what: 'board', maxBytes: 16 << 20 });
  // Written beside `out` and renamed over it at the end: a failure leaves no partial bundle.
  const w = new RecordingWriter(out, { atomic: true });
  try {
    const images = writeBundle(rec, w, boot, boardBytes);
    w.close();
    return { images, bytes: fs.statSync(out).size };
  } catch (e) {
    w.abandon();
    throw e;
  }
}

function writeBundle(rec: RecordingReader, w: RecordingWriter, boot: BootImages, boardBytes: Uint8Array): number {
  let images = 0;
  // A bundle is one file: the checkpoints of a complete index go into it, each after its chunk
  // (and that chunk's trace). Without them it stays a recording whose index a verify writes.
  const inline = rec.indexComplete ? new Map(rec.checkpoints.map((c) => [c.chunk, c])) : undefined;
  let chunks = 0;
  for (const f of rec.frames) {
    if (f.type === RecordType.End || f.type === RecordType.Image) continue;
    if (f.type === RecordType.Header && inline) w.json(RecordType.Header, 0, { ...rec.header, checkpoints: 'inline' });
    else w.raw(f.type, f.icount, rec.rawRecord(f));
    if (f.type === RecordType.Chunk) chunks++;
    const checkpoint = inline?.get(chunks);
    if (checkpoint && (f.type === RecordType.Trace || (f.type === RecordType.Chunk && rec.header.trace !== 'full'))) {
      w.raw(RecordType.Checkpoint, checkpoint.icount, rec.rawCheckpoint(checkpoint));
    }
    if (f.type !== RecordType.Header) continue;
    for (const { key, data } of bundleImages(rec.header, boot, boardBytes)) { w.binary(RecordType.Image, 0, encodeImageRecord(key, data)); images++; }
  }
  if (rec.end) w.json(RecordType.End, rec.end.icount, { ...rec.end, index: w.index.slice() });
  return images;
}

// ---- replay identity ------------------------------------------------------------

export interface ReplayIdentity { ok: boolean; problem?: string; chunks: number; icount: number; recording?: string }

/**
 * The determinism self-check on a finished run: the same scenario run again
 * must give the same console (line by line, at the same instruction counts),
 * the same faults at the same instructions and the same end; then a
 * recording, replayed from the boot, must match every chunk hash. The
 * recording replayed is the first run's when it was recorded (the second run
 * then goes unrecorded), else the second run's. A recording this makes is
 * deleted when all holds and kept (and named) when not. The second run and
 * the replay use the other engine than the default (interpreter or jit), so
 * the check also proves both engines give this run, chunk hash for chunk hash.
 */
export function checkReplayIdentity(first: ScenarioResult): ReplayIdentity {
  // The second run and the replay use the other engine (docs/translator.md):
  // every scenario checked this way is also a check that the engines agree.
  return withDefaultEngine(otherEngine(defaultEngine()), () => checkAgain(first));
}

function checkAgain(first: ScenarioResult): ReplayIdentity {
  let file = first.recording && fs.existsSync(first.recording) ? first.recording : undefined;
  const own = !file;
  let second: ScenarioResult;
  if (!file) {
    const dir = recordingsDir();
    fs.mkdirSync(dir, { recursive: true });
    file = path.join(dir, `replay-check-${randomUUID().slice(0, 8)}.bur`);
    second = runRecorded(first.scenario, file);
  } else {
    second = runScenario(first.scenario);
  }
  const recording = file;
  const fail = (problem: string): ReplayIdentity => ({ ok: false, problem: `${problem} (recording kept: ${recording})`, chunks: 0, icount: second.icount, recording });
  if (second.icount !== first.icount || second.stop.kind !== first.stop.kind) {
    return fail(`a second run ended at instruction ${second.icount} with ${describeStop(second.stop)}, the first at ${first.icount} with ${describeStop(first.stop)}`);
  }
  const line = first.lines.findIndex((l, i) => l.text !== second.lines[i]?.text || l.icount !== second.lines[i]?.icount);
  if (line >= 0 || first.lines.length !== second.lines.length) {
    const i = line >= 0 ? line : Math.min(first.lines.length, second.lines.length);
    return fail(`console line ${i + 1} differs between two runs: ${JSON.stringify(first.lines[i])} / ${JSON.stringify(second.lines[i])}`);
  }
  const faults = (r: ScenarioResult) => JSON.stringify(r.faults.map((f) => [f.index, f.icount, f.pc, f.detail]));
  if (faults(first) !== faults(second)) return fail(`faults fired differently: ${faults(first)} / ${faults(second)}`);
  const rec = RecordingReader.open(file);
  try {
    const pos = openReplay(rec, { scenario: first.scenario }).replayer.verify();
    if (pos.icount !== first.icount) return fail(`the replay ended at instruction ${pos.icount}, the run at ${first.icount}`);
    if (own) removeRecording(file);
    return { ok: true, chunks: pos.chunksVerified, icount: pos.icount };
  } catch (e) {
    return fail((e as Error).message);
  }
}
