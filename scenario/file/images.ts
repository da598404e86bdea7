/**
 * The boot section of a scenario: the kernel, its command line, a device
 * tree, an initrd or a boot volume (a manifest file or written inline), each
 * read and checked now, and the ELF symbols of every image.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseElf, ImageError, type ElfSymbol } from '../../machine/loaders/elf';
import { packVolume, VolumeError, type VolumeImage } from '../../machine/boot/volume';
import { FdtError } from '../../machine/boot/fdt';
import { checkBootDtb } from '../../machine/boot/linux-boot';
import { ATAG_CMDLINE_MAX } from '../../machine/boot/atag';
import { checkInputFile, readInputFile, InputFileUnusable } from '../../io/input-file';
import { InputFileError } from './yaml-file';
import { didYouMean } from './did-you-mean';
import { FollowsFromEarlierProblem } from './problems';
import { parseSize } from '../boards';
import { manifestImages, domainConfigText, DOMAINS_IMAGE } from '../volume-manifest';
import type { ResolveContext, At } from './context';
import type { RawVolume, Scenario } from './types';

type ImageFile = { file: string; data: Uint8Array };

export type BootImages = Pick<Scenario, 'kernel' | 'dtb' | 'initrd' | 'volume'>;

/**
 * Reads and checks every image of boot:, filling ctx.symbols. Each image is
 * checked even when one before it has a problem; when an image with symbols
 * cannot be read, ctx.imagesUnread is set (its symbols are unknown).
 */
export function resolveBootImages(ctx: ResolveContext): BootImages {
  const { raw, board, err, problems } = ctx;
  problems.attempt(() => {
    if (board.boot.protocol === 'atag' && raw.boot.dtb === undefined && raw.boot.cmdline !== undefined && Buffer.byteLength(raw.boot.cmdline) > ATAG_CMDLINE_MAX) {
      throw err(['boot', 'cmdline'], `the command line is ${Buffer.byteLength(raw.boot.cmdline)} bytes; ATAG_CMDLINE (board ${board.name}) holds at most ${ATAG_CMDLINE_MAX}`);
    }
  });
  const kernel = problems.attempt(() => resolveKernel(ctx));
  const dtb = problems.attempt(() => resolveDtb(ctx));
  const initrd = problems.attempt(() => {
    if (raw.boot.initrd === undefined) return undefined;
    if (raw.boot.volume !== undefined) throw err(['boot', 'initrd'], `a boot has an initrd or a boot volume (the volume is the initrd), not both`);
    return readImage(ctx, raw.boot.initrd, ['boot', 'initrd'], 'initrd');
  });
  const v = raw.boot.volume;
  const volume = v === undefined ? undefined : problems.attempt(() => (typeof v === 'string' ? manifestVolume(ctx, v) : inlineVolume(ctx, v)));
  if (!kernel || (v !== undefined && !volume)) ctx.imagesUnread = true;
  // Without a kernel the run is never built: the problems recorded are thrown first.
  return { kernel: kernel!, dtb, initrd, volume };
}

/** An image file relative to the scenario, read through io/input-file. */
function readImage(ctx: ResolveContext, rel: string, at: At, what: string): ImageFile {
  const file = path.resolve(ctx.dir, rel);
  if (!fs.existsSync(file)) throw ctx.err(at, `${what} file ${rel} does not exist (resolved to ${file})`);
  try {
    return { file, data: new Uint8Array(readInputFile(file, { what })) };
  } catch (e) {
    if (e instanceof InputFileUnusable) throw ctx.err(at, `${what} ${rel}: ${e.reason}`);
    throw e;
  }
}

function isElfData(data: Uint8Array): boolean {
  return data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

/** The symbol table of an ELF image (undefined for any other image). */
function elfSymbols(ctx: ResolveContext, data: Uint8Array, name: string, at: At): ElfSymbol[] | undefined {
  if (!isElfData(data)) return undefined;
  try { return parseElf(data, name).symbols; } catch (e) {
    if (e instanceof ImageError) throw ctx.err(at, e.message);
    throw e;
  }
}

function resolveKernel(ctx: ResolveContext): ImageFile {
  const { raw, board, err } = ctx;
  const kernel = readImage(ctx, raw.boot.kernel, ['boot', 'kernel'], 'kernel');
  ctx.symbols.set('', elfSymbols(ctx, kernel.data, raw.boot.kernel, ['boot', 'kernel']) ?? []);
  if (isElfData(kernel.data)) {
    // A segment that starts in RAM must end in RAM without crossing a hole
    // (the boot loader would refuse it; say so before the run).
    const bankAt = (a: number) => board.memory.find((m) => a >= m.base && a - m.base < m.size);
    for (const seg of parseElf(kernel.data, raw.boot.kernel).segments) {
      if (!bankAt(seg.paddr)) continue;
      for (let a = seg.paddr; a < seg.paddr + seg.memsz;) {
        const bank = bankAt(a);
        if (!bank) throw err(['boot', 'kernel'], `${raw.boot.kernel}: segment at 0x${seg.paddr.toString(16)} (${seg.memsz} bytes) runs over 0x${a.toString(16)}, where board ${board.name} has no RAM`);
        a = bank.base + bank.size;
      }
    }
  }
  return kernel;
}

function resolveDtb(ctx: ResolveContext): ImageFile | undefined {
  const { raw, err } = ctx;
  if (raw.boot.dtb === undefined) return undefined;
  const dtb = readImage(ctx, raw.boot.dtb, ['boot', 'dtb'], 'device tree');
  const magic = dtb.data.length >= 4 ? Buffer.from(dtb.data.subarray(0, 4)).readUInt32BE(0) : 0;
  if (magic !== 0xd00dfeed) throw err(['boot', 'dtb'], `${raw.boot.dtb} is not a flattened device tree (no 0xd00dfeed magic)`);
  // The boot loader parses it before the run: a damaged tree is bad input now, not a failed run later.
  try { checkBootDtb(dtb.data); } catch (e) {
    if (e instanceof FdtError) throw err(['boot', 'dtb'], `${raw.boot.dtb}: ${e.message}`);
    throw e;
  }
  return dtb;
}

function pack(ctx: ResolveContext, images: VolumeImage[], at: At): Uint8Array {
  try { return packVolume(images); } catch (e) {
    if (e instanceof VolumeError) throw ctx.err(at, e.message);
    throw e;
  }
}

/** boot.volume naming a manifest file (schemas/boot-volume.schema.json). */
function manifestVolume(ctx: ResolveContext, v: string): Uint8Array {
  const { err } = ctx;
  const manifest = path.resolve(ctx.dir, v);
  if (!fs.existsSync(manifest)) throw err(['boot', 'volume'], `boot volume manifest ${v} does not exist (resolved to ${manifest})`);
  try { checkInputFile(manifest, { what: 'boot volume manifest' }); } catch (e) {
    if (e instanceof InputFileUnusable) throw err(['boot', 'volume'], `boot volume manifest ${v}: ${e.reason}`);
    throw e;
  }
  let images: VolumeImage[];
  // A manifest's own error names the manifest; say which line of the scenario led there too.
  try { images = manifestImages(manifest); } catch (e) {
    if (e instanceof InputFileError && e.file !== ctx.file) throw err(['boot', 'volume'], `boot volume manifest ${v}: ${e.message}`);
    throw e;
  }
  for (const im of images) if (im.role !== 'config') ctx.symbols.set(im.name, elfSymbols(ctx, im.data, im.name, ['boot', 'volume']) ?? []);
  return pack(ctx, images, ['boot', 'volume']);
}

/** boot.volume written in the scenario: images, and optionally domains and event channels. */
function inlineVolume(ctx: ResolveContext, v: RawVolume): Uint8Array {
  const images: VolumeImage[] = [];
  // Each image on its own: a missing file does not hide the problems of the others.
  let unread = 0;
  v.images.forEach((im, i) => ctx.problems.attempt(() => {
    const at = ['boot', 'volume', 'images', i];
    if (images.some((x) => x.name === im.name)) throw ctx.err([...at, 'name'], `image name '${im.name}' is used twice`);
    try {
      const { data } = readImage(ctx, im.file, [...at, 'file'], 'image');
      images.push({ name: im.name, role: im.role, data });
      if (im.role !== 'config') ctx.symbols.set(im.name, elfSymbols(ctx, data, im.file, [...at, 'file']) ?? []);
    } catch (e) {
      unread++;
      throw e;
    }
  }));
  if (v.domains) images.push(domainsImage(ctx, v));
  // Packing what could be read would only report the missing images again.
  if (unread) throw new FollowsFromEarlierProblem();
  return pack(ctx, images, ['boot', 'volume']);
}

/**
 * The domain configuration image of an inline volume, after checking its
 * domains and event channels, each on its own (their problems are recorded;
 * the scenario is refused with them at the end).
 */
function domainsImage(ctx: ResolveContext, v: RawVolume): VolumeImage {
  const { err, problems } = ctx;
  // The images as written (one that could not be read is still in the volume).
  const declared = v.images.map((x) => x.name);
  if (declared.includes(DOMAINS_IMAGE)) throw err(['boot', 'volume', 'domains'], `an image is already named '${DOMAINS_IMAGE}', which the domain configuration needs`);
  const names = new Set<string>();
  v.domains!.forEach((d, i) => problems.attempt(() => {
    if (names.has(d.name)) throw err(['boot', 'volume', 'domains', i, 'name'], `domain name '${d.name}' is used twice`);
    // The domain exists (its event channels are checked against it) even if its image or memory is wrong.
    names.add(d.name);
    if (!declared.includes(d.image)) throw err(['boot', 'volume', 'domains', i, 'image'], `domain ${d.name} runs image '${d.image}', which is not in this volume${didYouMean(d.image, declared)}`);
    if (d.memory !== undefined && !(parseSize(d.memory) <= 0xffffffff)) throw err(['boot', 'volume', 'domains', i, 'memory'], `domain ${d.name}: memory ${d.memory} is more than the 4 GiB a 32-bit domain can address`);
  }));
  (v.events ?? []).forEach((pair, i) => pair.forEach((port, j) => problems.attempt(() => {
    const dom = port.split(':')[0];
    if (!names.has(dom)) throw err(['boot', 'volume', 'events', i, j], `event channel end ${port}: no domain '${dom}'${didYouMean(dom, names)}`);
  })));
  return { name: DOMAINS_IMAGE, role: 'config', data: new TextEncoder().encode(domainConfigText(v)) };
}
