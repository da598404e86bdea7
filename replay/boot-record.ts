/**
 * The boot part of a recording: the header that names the board and every
 * image with its sha256, and the image records a bundle embeds. Both are
 * built here from a boot description (machine/boot/boot-machine.ts), the
 * same plain data a machine is booted from, and read back here into the
 * images a replay boots: whoever records (a scenario run today) only says
 * what it booted, never how the format spells it.
 *
 * Byte layout of an image record's payload (docs/recording-format.md):
 * u32 n, n bytes of UTF-8 key ROLE:NAME, then the image's bytes.
 */

import { DEFAULT_SCHEDULE } from '../machine/schedule';
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { packVolume, readVolume, volumeImage } from '../machine/boot/volume';
import type { BootDescription, BootImage } from '../machine/boot/boot-machine';
import type { BoardSpec } from '../machine/boards/board-spec';
import { FORMAT_VERSION, type CheckpointPlace, type RecordingHeader, type TraceLevel } from './format';

const VERSION: string = require('../../package.json').version;

/**
 * A state hash every 32 million instructions. At each, the run itself
 * pays for a snapshot of the machine state and its binary form (about 32 KB
 * on vexpress-a9 in a Linux boot, most of it the TLB) and a copy of the
 * pages written; their hashing and the checkpoints are made on another
 * thread (chunk-sealer.ts). At 250,000 instructions hashing on the run's
 * thread was a third of a recorded Linux boot's time under the jit engine,
 * at a million about a tenth; with the thread, what is left at each chunk's
 * end was 5-6 % of the boot at four million; at eight, sixteen and 32
 * million 0.69, 0.55-0.60 and 0.43-0.44 s of a boot of about 20 s (a page
 * written in two chunks is copied once, a checkpoint's JSON made once). The
 * chunk does not bound a diff's work: it runs both runs through the chunk
 * where they part at full speed, comparing their states every 64 K
 * instructions, and steps through at most those (replay/diff.ts).
 */
export const DEFAULT_CHUNK = 32_000_000;
/**
 * A checkpoint at every chunk's end: 32 M instructions apart at the default
 * chunk, so a seek re-executes at most that (well under a second at the
 * jit's speed), while a long run stores each page's versions far less often
 * than a checkpoint every million instructions would.
 */
export const DEFAULT_CHECKPOINT_EVERY = 1;

export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** What a recording says about the run besides its boot description. */
export interface RecordedRun {
  boot: BootDescription;
  /** The board file the board was loaded from, and the sha256 of its bytes. */
  boardFile: { file: string; sha256: string };
  /** The main console device. */
  console: string;
  /** The scenario that ran: its file and text (replays without --images rebuild from it). */
  scenario: { file: string; text: string };
}

export interface HeaderOptions {
  trace?: TraceLevel;
  /** Instructions per chunk (one state hash each). */
  chunk?: number;
  /** A checkpoint every this many chunks. */
  checkpointEvery?: number;
  /** Where the checkpoints go (default: the side index, FILE.idx). */
  checkpoints?: CheckpointPlace;
}

/**
 * The images of a replay as a recording knows them: bytes by role, and the
 * names the header gives them. (A boot volume travels packed.)
 */
export interface RecordedImages {
  kernel: Uint8Array; kernelName: string; cmdline?: string;
  /** A boot volume, or else a plain initrd. */
  volume?: Uint8Array; initrd?: Uint8Array;
  dtb?: Uint8Array; dtbName?: string;
}

/** Header image roles that are not entries of a boot volume. */
const BOOT_ROLES = new Set(['kernel', 'volume', 'dtb', 'initrd']);

/** The header's list of images: the kernel, dtb and initrd by file, the packed volume and each image in it. */
export function headerImages(boot: BootDescription): RecordingHeader['images'] {
  if (!boot.kernel) throw new Error('a recording needs a kernel image (a bare-metal program is not recorded)');
  const byFile = (role: string, image: BootImage) => {
    const file = image.file ?? image.name;
    return { role, name: path.basename(file), file: image.file !== undefined ? path.resolve(image.file) : '', sha256: sha256(image.data), size: image.data.length };
  };
  const images: RecordingHeader['images'] = [byFile('kernel', boot.kernel)];
  for (const role of ['dtb', 'initrd'] as const) {
    const image = boot[role];
    if (image) images.push(byFile(role, image));
  }
  const volume = boot.volume?.data;
  if (volume) {
    images.push({ role: 'volume', name: 'boot volume', file: '', sha256: sha256(volume), size: volume.length });
    for (const e of readVolume(volume)) {
      const data = volumeImage(volume, e.name);
      // The generated domain configuration has no file of its own: it travels in the header.
      const text = e.role === 'config' ? Buffer.from(data).toString('utf8') : undefined;
      images.push({ role: e.role, name: e.name, file: '', sha256: sha256(data), size: data.length, ...(text !== undefined ? { text } : {}) });
    }
  }
  return images;
}

/** The cores a boot description runs. */
function cores(b: BootDescription): number {
  return b.cores ?? b.board.cpu.count;
}

/** A recording that cannot be made as asked (bad input, exit status 2). */
export class RecordingRefused extends Error {}

/** A new recording's header for a run booted from `run.boot`. */
export function buildHeader(run: RecordedRun, options: HeaderOptions = {}): RecordingHeader {
  const b = run.boot;
  if (options.trace === 'full' && cores(b) > 1) {
    throw new RecordingRefused(`${run.scenario.file ? `${run.scenario.file}: ` : ''}--trace full records the instructions of one core; this run has ${cores(b)} cores: give the scenario smp: 1 to run it on one core, or record it with --trace events (the default) or off`);
  }
  const clockHz = b.board.cpu.clockHz;
  return {
    format: FORMAT_VERSION, uuid: randomUUID(), bringup: VERSION,
    tick: `1 tick = 1 retired instruction = ${1e9 / clockHz} ns of virtual time at ${clockHz} Hz`,
    clockHz,
    board: { name: b.board.name, file: run.boardFile.file, sha256: run.boardFile.sha256 },
    images: headerImages(b),
    boot: {
      cmdline: b.cmdline, console: run.console, ...(b.semihosting ? { semihosting: true } : {}),
      ...(cores(b) > 1 ? { cores: cores(b), schedule: { ...(b.schedule ?? DEFAULT_SCHEDULE) } } : {}),
    },
    scenario: run.scenario,
    trace: options.trace ?? 'events',
    chunkInstructions: options.chunk ?? DEFAULT_CHUNK,
    checkpointEvery: options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY,
    checkpoints: options.checkpoints ?? 'index',
  };
}

/** The images of a boot description, as a recording names them. */
export function recordedImages(boot: BootDescription): RecordedImages {
  if (!boot.kernel) throw new Error('a recording needs a kernel image');
  const base = (image: BootImage | undefined) => image && path.basename(image.file ?? image.name);
  return {
    kernel: boot.kernel.data, kernelName: base(boot.kernel)!, volume: boot.volume?.data, cmdline: boot.cmdline,
    initrd: boot.initrd?.data, dtb: boot.dtb?.data, dtbName: base(boot.dtb),
  };
}

/** The boot description a replay boots from: the recorded images on the board, semihosting as recorded. */
export function replayBoot(h: RecordingHeader, board: BoardSpec, images: RecordedImages): BootDescription {
  return {
    board,
    kernel: { name: images.kernelName, data: images.kernel },
    volume: images.volume && { name: 'boot volume', data: images.volume },
    initrd: images.initrd && { name: h.images.find((i) => i.role === 'initrd')?.name ?? 'initrd', data: images.initrd },
    dtb: images.dtb && { name: images.dtbName ?? 'dtb', data: images.dtb },
    cmdline: images.cmdline,
    // As the scenario runner sets it up: semihosting output is console output.
    semihosting: h.boot.semihosting ? {} : undefined,
    // A header without cores is of a one-core run (whatever the board's default is now).
    cores: h.boot.cores ?? 1,
    schedule: h.boot.schedule,
    // Runs of older recordings looked their page up afresh at every start.
    holdFetchAcrossRuns: h.format >= 6,
  };
}

/** Thrown when the images found are not those recorded (or cannot be found). */
export class ImageMismatchError extends Error {}

/**
 * The images of the header found by `find` (ROLE, NAME -> bytes); a boot
 * volume is rebuilt entry by entry from them, in the recorded order.
 */
export function imagesFromHeader(h: RecordingHeader, find: (role: string, name: string) => Uint8Array | undefined): RecordedImages {
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

/** How the images differ from those the header records (empty when all match). */
export function imageProblems(h: RecordingHeader, images: RecordedImages): string[] {
  const out: string[] = [];
  const check = (want: RecordingHeader['images'][number], data: Uint8Array | undefined) => {
    if (!data) { out.push(`${want.role} ${want.name}: missing`); return; }
    const got = sha256(data);
    if (got !== want.sha256) out.push(`${want.role} ${want.name}: sha256 ${got.slice(0, 16)}..., recorded ${want.sha256.slice(0, 16)}... (${data.length} bytes, recorded ${want.size})`);
  };
  for (const want of h.images) {
    if (want.role === 'kernel') check(want, images.kernel);
    else if (want.role === 'volume') check(want, images.volume);
    else if (want.role === 'dtb') check(want, images.dtb);
    else if (want.role === 'initrd') check(want, images.initrd);
    else {
      let data: Uint8Array | undefined;
      try { data = images.volume && volumeImage(images.volume, want.name); } catch { data = undefined; }
      check(want, data);
    }
  }
  return out;
}

// ---- image records (bundles) ----------------------------------------------------

/** An embedded image name: ROLE:NAME. */
export const IMAGE_KEY = /^([^:\0]{1,64}):([^\0]{1,255})$/;
/** The longest key an image record may carry, in bytes. */
export const MAX_IMAGE_KEY_BYTES = 320;

/** The image records a bundle embeds after the header, in order: kernel, dtb, initrd, each volume entry, the board file. */
export function bundleImages(h: RecordingHeader, images: RecordedImages, boardBytes: Uint8Array): Array<{ key: string; data: Uint8Array }> {
  const out: Array<{ key: string; data: Uint8Array }> = [];
  const k = h.images.find((i) => i.role === 'kernel')!;
  out.push({ key: `kernel:${k.name}`, data: images.kernel });
  for (const role of ['dtb', 'initrd'] as const) {
    const want = h.images.find((i) => i.role === role);
    const data = images[role];
    if (want && data) out.push({ key: `${role}:${want.name}`, data });
  }
  if (images.volume) {
    for (const e of readVolume(images.volume)) out.push({ key: `${e.role}:${e.name}`, data: volumeImage(images.volume, e.name) });
  }
  out.push({ key: `board:${h.board.name}`, data: boardBytes });
  return out;
}

/** An image record's payload. */
export function encodeImageRecord(key: string, data: Uint8Array): Buffer {
  const n = Buffer.from(key, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32LE(n.length, 0);
  return Buffer.concat([head, n, data]);
}

/** Splits an image record's payload into key and bytes; throws an Error saying what is wrong with its layout. */
export function decodeImageRecord(p: Buffer): { key: string; data: Buffer } {
  if (p.length < 4) throw new Error('too short');
  const n = p.readUInt32LE(0);
  if (n > MAX_IMAGE_KEY_BYTES || 4 + n > p.length) throw new Error(`its name claims ${n} bytes`);
  return { key: p.subarray(4, 4 + n).toString('utf8'), data: p.subarray(4 + n) };
}
