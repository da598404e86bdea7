/**
 * Recording scenarios and getting their images back for a replay: the
 * header names every image with its sha256, and a replay boots only from
 * images whose hashes match — from the scenario's own files, from a folder
 * the user names, or from the images embedded in a bundle.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { bootKernel } from '../machine/boot/linux-boot';
import { packVolume, readVolume, volumeImage } from '../machine/boot/volume';
import { parseElf, type ElfSymbol } from '../machine/loaders/elf';
import { Machine } from '../machine/machine';
import { DEVICE_TYPES } from '../machine/devices/registry';
import type { BoardSpec } from '../machine/boards/board-spec';
import { FORMAT_VERSION, RecordType, type RecordingHeader, type TraceLevel } from '../replay/format';
import { RecordingWriteError, RecordingWriter } from '../replay/writer';
import { Recorder } from '../replay/recorder';
import { RecordingReader } from '../replay/reader';
import { Replayer } from '../replay/replayer';
import { boardNames, boardsDir, createMachine, loadBoard, resolveBoardFile } from './boards';
import { InputFileUnusable, readInputFile } from '../io/input-file';
import { loadScenario, scenarioFromText, type Scenario } from './scenario-file';
import { runScenario, runScenarioYielding, describeStop, type RunObserver, type RunOptions, type ScenarioResult } from './runner';

const VERSION: string = require('../../package.json').version;

export interface RecordOptions {
  trace?: TraceLevel;
  /** Instructions per chunk (one state hash each). */
  chunk?: number;
  /** A checkpoint every this many chunks. */
  checkpointEvery?: number;
  /** The scenario's YAML when it is not a file (scenarios assembled by steps). */
  text?: string;
}

export const DEFAULT_CHUNK = 250_000;
export const DEFAULT_CHECKPOINT_EVERY = 8;

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

export function recordingHeader(s: Scenario, options: RecordOptions = {}): RecordingHeader {
  const boardFile = path.resolve(resolveBoardFile(s.boardName));
  const images: RecordingHeader['images'] = [
    { role: 'kernel', name: path.basename(s.kernel.file), file: path.resolve(s.kernel.file), sha256: sha256(s.kernel.data), size: s.kernel.data.length },
  ];
  for (const [role, image] of [['dtb', s.dtb], ['initrd', s.initrd]] as const) {
    if (image) images.push({ role, name: path.basename(image.file), file: path.resolve(image.file), sha256: sha256(image.data), size: image.data.length });
  }
  if (s.volume) {
    images.push({ role: 'volume', name: 'boot volume', file: '', sha256: sha256(s.volume), size: s.volume.length });
    for (const e of readVolume(s.volume)) {
      const data = volumeImage(s.volume, e.name);
      // The generated domain configuration has no file of its own: it travels in the header.
      const text = e.role === 'config' ? Buffer.from(data).toString('utf8') : undefined;
      images.push({ role: e.role, name: e.name, file: '', sha256: sha256(data), size: data.length, ...(text !== undefined ? { text } : {}) });
    }
  }
  let text = options.text ?? '';
  if (!text && fs.existsSync(s.file)) text = fs.readFileSync(s.file, 'utf8');
  return {
    format: FORMAT_VERSION, uuid: randomUUID(), bringup: VERSION,
    tick: `1 tick = 1 retired instruction = ${1e9 / s.clockHz} ns of virtual time at ${s.clockHz} Hz`,
    clockHz: s.clockHz,
    board: { name: s.board.name, file: boardFile, sha256: sha256(fs.readFileSync(boardFile)) },
    images,
    boot: { cmdline: s.cmdline, console: s.console, ...(s.semihosting ? { semihosting: true } : {}) },
    scenario: { file: path.resolve(s.file), text },
    trace: options.trace ?? 'events',
    chunkInstructions: options.chunk ?? DEFAULT_CHUNK,
    checkpointEvery: options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY,
  };
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
      try { recorder.writer.close(); } catch (e) { if (!(e instanceof RecordingWriteError)) throw e; recorder.writeError ??= e; }
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
    fs.rmSync(result.recording, { force: true });
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
      if (m.cpu.icount % a.interval === 0) a.step(m);
      if (m.cpu.icount % b.interval === 0) b.step(m);
    },
    end: (r, m) => { a.end(r, m); b.end(r, m); },
  };
}

// ---- replay -----------------------------------------------------------------

export class ImageMismatchError extends Error {}

export interface BootImages {
  kernel: Uint8Array; kernelName: string; cmdline?: string;
  /** A boot volume, or else a plain initrd. */
  volume?: Uint8Array; initrd?: Uint8Array;
  dtb?: Uint8Array; dtbName?: string;
}

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
    boot = rebuildBoot(h, find);
  } else if (sources.scenario) {
    source = 'the scenario in memory';
    boot = fromScenario(sources.scenario);
  } else {
    const s = h.scenario;
    source = `the scenario ${s.file}`;
    let scenario: Scenario;
    // The text recorded is what ran, even if the file has changed since.
    if (s.text) scenario = scenarioFromText(s.text, s.file, path.dirname(s.file));
    else if (fs.existsSync(s.file)) scenario = loadScenario(s.file);
    else throw new ImageMismatchError(`the recorded scenario ${s.file} no longer exists; give --images DIR with the recorded images, or replay a bundle`);
    boot = fromScenario(scenario);
  }
  const problems = checkImages(h, boot);
  if (problems.length) {
    throw new ImageMismatchError(`${rec.file}: images from ${source} differ from the recording:\n${problems.map((p) => `  ${p}`).join('\n')}\n` +
      'give --images DIR with the recorded images (matched by name), or replay a bundle made with `bringup bundle`');
  }
  return { boot, source };
}

function fromScenario(s: Scenario): BootImages {
  return {
    kernel: s.kernel.data, kernelName: path.basename(s.kernel.file), volume: s.volume, cmdline: s.cmdline,
    initrd: s.initrd?.data, dtb: s.dtb?.data, dtbName: s.dtb && path.basename(s.dtb.file),
  };
}

/** Header image roles that are not entries of a boot volume. */
const BOOT_ROLES = new Set(['kernel', 'volume', 'dtb', 'initrd']);

/** The volume is rebuilt entry by entry from the images found, in the recorded order. */
function rebuildBoot(h: RecordingHeader, find: (role: string, name: string) => Uint8Array | undefined): BootImages {
  const k = h.images.find((i) => i.role === 'kernel')!;
  const missing: string[] = [];
  const kernel = find('kernel', k.name);
  if (!kernel) missing.push(`kernel ${k.name}`);
  let volume: Uint8Array | undefined;
  const plain = (role: 'dtb' | 'initrd') => {
    const want = h.images.find((i) => i.role === role);
    if (!want) return undefined;
    const data = find(role, want.name);
    if (!data) missing.push(`${role} ${want.name}`);
    return data;
  };
  const initrd = plain('initrd');
  const dtb = plain('dtb');
  const dtbName = h.images.find((i) => i.role === 'dtb')?.name;
  const entries = h.images.filter((i) => !BOOT_ROLES.has(i.role));
  if (h.images.some((i) => i.role === 'volume')) {
    const parts = entries.map((e) => {
      const data = find(e.role, e.name) ?? (e.text !== undefined ? Buffer.from(e.text, 'utf8') : undefined);
      if (!data) missing.push(`volume image ${e.name} (${e.role})`);
      return { name: e.name, role: e.role, data: data ?? new Uint8Array(0) };
    });
    if (!missing.length) volume = packVolume(parts);
  }
  if (missing.length) throw new ImageMismatchError(`images not found: ${missing.join(', ')}`);
  return { kernel: kernel!, kernelName: k.name, volume, initrd, dtb, dtbName, cmdline: h.boot.cmdline };
}

function checkImages(h: RecordingHeader, boot: BootImages): string[] {
  const out: string[] = [];
  const check = (want: RecordingHeader['images'][number], data: Uint8Array | undefined) => {
    if (!data) { out.push(`${want.role} ${want.name}: missing`); return; }
    const got = sha256(data);
    if (got !== want.sha256) out.push(`${want.role} ${want.name}: sha256 ${got.slice(0, 16)}..., recorded ${want.sha256.slice(0, 16)}... (${data.length} bytes, recorded ${want.size})`);
  };
  for (const want of h.images) {
    if (want.role === 'kernel') check(want, boot.kernel);
    else if (want.role === 'volume') check(want, boot.volume);
    else if (want.role === 'dtb') check(want, boot.dtb);
    else if (want.role === 'initrd') check(want, boot.initrd);
    else {
      let data: Uint8Array | undefined;
      try { data = boot.volume && volumeImage(boot.volume, want.name); } catch { data = undefined; }
      check(want, data);
    }
  }
  return out;
}

/** A name usable as one file name in a folder: no separators, not '.' or '..', no NUL. */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** The board of a replay: a board file on disk, or the contents of one (from a bundle), never written anywhere. */
type ReplayBoard = { file: string; spec?: undefined } | { file?: undefined; spec: BoardSpec; bytes: Uint8Array };

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
    if (sha256(data) === h.board.sha256) return { file: f };
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
  const factory = (): Machine => {
    const m = board.spec ? new Machine(board.spec, DEVICE_TYPES) : createMachine(board.file);
    bootKernel(m, { kernel: boot.kernel, kernelName: boot.kernelName, initrd: boot.volume ?? boot.initrd, cmdline: boot.cmdline, dtb: boot.dtb, dtbName: boot.dtbName });
    // As the scenario runner sets it up: semihosting output is console output.
    if (rec.header.boot.semihosting) m.enableSemihosting({ cmdline: boot.cmdline, host: { console: (_stream, bytes) => m.emitConsole('semihosting', bytes) } });
    return m;
  };
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
  const boardBytes = board.spec ? board.bytes : readInputFile(board.file, { what: 'board', maxBytes: 16 << 20 });
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
  const h = rec.header;
  const embed = (name: string, data: Uint8Array) => {
    const n = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(n.length, 0);
    w.binary(RecordType.Image, 0, Buffer.concat([head, n, data]));
  };
  let images = 0;
  for (const f of rec.frames) {
    if (f.type === RecordType.End || f.type === RecordType.Image) continue;
    w.raw(f.type, f.icount, rec.rawRecord(f));
    if (f.type !== RecordType.Header) continue;
    const k = h.images.find((i) => i.role === 'kernel')!;
    embed(`kernel:${k.name}`, boot.kernel); images++;
    for (const role of ['dtb', 'initrd'] as const) {
      const want = h.images.find((i) => i.role === role);
      const data = boot[role];
      if (want && data) { embed(`${role}:${want.name}`, data); images++; }
    }
    if (boot.volume) {
      for (const e of readVolume(boot.volume)) { embed(`${e.role}:${e.name}`, volumeImage(boot.volume, e.name)); images++; }
    }
    embed(`board:${h.board.name}`, boardBytes); images++;
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
 * deleted when all holds and kept (and named) when not.
 */
export function checkReplayIdentity(first: ScenarioResult): ReplayIdentity {
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
    if (own) fs.rmSync(file, { force: true });
    return { ok: true, chunks: pos.chunksVerified, icount: pos.icount };
  } catch (e) {
    return fail((e as Error).message);
  }
}
