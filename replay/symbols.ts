/**
 * Symbols of a recorded run's images, resolved in the address space in force.
 *
 * Only code is labelled: a function (STT_FUNC) covers its st_size bytes, an
 * assembler label (STT_NOTYPE) in an executable section covers the bytes up
 * to the next code symbol or the end of its section. An address past a
 * function's size, or in .rodata/.data, gets no `func+off`.
 *
 * Domains share virtual addresses, so an address can be in several images.
 * Which one is meant is decided, in this order, by:
 *   1. the machine at that moment: the image whose code is at that address
 *      in the current translation (read through the MMU, compared byte for
 *      byte with the image's file);
 *   2. the ASID: the image of the domain that runs with it, learnt from the
 *      hypervisor's domain table where the firmware profile says where it is,
 *      from the machine whenever one is at hand, else by the reference
 *      hypervisor's rule (domains get ASIDs 1, 2, ... in the configuration's order);
 *   3. the boot volume's domain configuration: only images some domain runs.
 * The hypervisor or kernel (the image booted) is preferred for addresses of
 * privileged modes, the domains' images for User mode.
 */

import type { Machine } from '../machine/machine';
import { readVolume, volumeImage } from '../machine/boot/volume';
import { readVirtualWord } from './trace';

const SHF_EXECINSTR = 0x4;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHT_ARM_EXIDX = 0x70000001;
const STT_NOTYPE = 0, STT_FUNC = 2;

export interface CodeSymbol { name: string; start: number; end: number }

export interface ImageSymbols {
  /** '' for the booted hypervisor or kernel, else the boot volume's image name. */
  image: string;
  /** Code ranges, sorted by start. */
  code: CodeSymbol[];
  /** Executable sections' bytes by virtual address, to recognise the image in memory. */
  text: Array<{ addr: number; bytes: Uint8Array }>;
  /** The ARM exception-handling index (.ARM.exidx, SHT_ARM_EXIDX) by virtual address, when the image has one. */
  exidx?: { addr: number; size: number };
}

/** Where an address is seen: the machine at that moment, or what was recorded about it. */
/** `core`: whose translation `machine` is seen through (default 0). */
export interface AddressContext { machine?: Machine; asid?: number; mode?: string; core?: number }

/** Code symbols and executable bytes of an ELF (empty for anything else: a zImage, a config text). */
export function codeSymbols(image: string, bytes: Uint8Array): ImageSymbols {
  const out: ImageSymbols = { image, code: [], text: [] };
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46 || bytes[4] !== 1 || bytes[5] !== 1) return out;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const shoff = u32(32), shentsize = u16(46), shnum = u16(48);
  if (!shoff || !shnum || shoff + shnum * shentsize > bytes.length) return out;
  const sections = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    return { type: u32(o + 4), flags: u32(o + 8), addr: u32(o + 12), offset: u32(o + 16), size: u32(o + 20), link: u32(o + 24), entsize: u32(o + 36) };
  });
  const exidx = sections.find((s) => s.type === SHT_ARM_EXIDX && s.size >= 8);
  if (exidx) out.exidx = { addr: exidx.addr, size: exidx.size - (exidx.size % 8) };
  for (const s of sections) {
    if (!(s.flags & SHF_EXECINSTR) || s.type === SHT_NOBITS || s.offset + s.size > bytes.length) continue;
    out.text.push({ addr: s.addr, bytes: bytes.subarray(s.offset, s.offset + s.size) });
  }
  const raw: Array<{ name: string; value: number; size: number; sec: number }> = [];
  for (const st of sections) {
    if (st.type !== SHT_SYMTAB || st.link >= shnum) continue;
    const str = sections[st.link];
    const entsize = st.entsize || 16;
    if (st.offset + st.size > bytes.length || str.offset + str.size > bytes.length) continue;
    for (let o = st.offset; o + entsize <= st.offset + st.size; o += entsize) {
      const nameOff = u32(o), value = u32(o + 4), size = u32(o + 8), type = bytes[o + 12] & 0xf, shndx = u16(o + 14);
      if (!nameOff || shndx === 0 || shndx >= shnum || (type !== STT_FUNC && type !== STT_NOTYPE)) continue;
      if (!(sections[shndx].flags & SHF_EXECINSTR)) continue;
      let end = str.offset + nameOff;
      while (end < str.offset + str.size && bytes[end] !== 0) end++;
      const name = Buffer.from(bytes.subarray(str.offset + nameOff, end)).toString('latin1');
      if (!name || name.startsWith('$')) continue; // ARM mapping symbols
      // A sizeless FUNC is a label too; a sized NOTYPE is unusual but means its size.
      raw.push({ name, value: (type === STT_FUNC ? value & ~1 : value) >>> 0, size, sec: shndx });
    }
  }
  raw.sort((a, b) => a.value - b.value || b.size - a.size);
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i];
    const sec = sections[s.sec];
    const secEnd = (sec.addr + sec.size) >>> 0;
    if (s.value < sec.addr || s.value >= secEnd) continue;
    let end: number;
    if (s.size) end = Math.min(s.value + s.size, secEnd);
    else {
      end = secEnd;
      for (let j = i + 1; j < raw.length; j++) if (raw[j].value > s.value) { end = Math.min(end, raw[j].value); break; }
    }
    out.code.push({ name: s.name, start: s.value, end });
  }
  return out;
}

/** Lines `domain NAME image=IMAGE ...` of a boot volume's domain configuration: image names in order. */
export function configuredDomainImages(config: string): string[] {
  const out: string[] = [];
  for (const line of config.split('\n')) {
    const m = /^\s*domain\s+\S+\s.*?\bimage=("([^"]*)"|\S+)/.exec(line);
    if (m) out.push(m[2] ?? m[1]);
  }
  return out;
}

export class AddressSpaces {
  readonly images = new Map<string, ImageSymbols>();
  /** The booted image's file name (for IMAGE:SYMBOL). */
  readonly kernelName: string;
  /** Images some domain runs (all volume images when the volume has no configuration). */
  private readonly inUse: Set<string>;
  private readonly asidImage = new Map<number, string>();

  constructor(boot: { kernel?: Uint8Array; kernelName: string; volume?: Uint8Array }, prebuilt: ImageSymbols[] = []) {
    this.kernelName = boot.kernelName;
    for (const p of prebuilt) this.images.set(p.image, p);
    if (boot.kernel) this.images.set('', codeSymbols('', boot.kernel));
    const used: string[] = [];
    let configured = false;
    if (boot.volume) {
      for (const e of readVolume(boot.volume)) {
        const data = volumeImage(boot.volume, e.name);
        if (e.role === 'config') { configured = true; used.push(...configuredDomainImages(Buffer.from(data).toString('utf8'))); continue; }
        const syms = codeSymbols(e.name, data);
        if (syms.code.length) this.images.set(e.name, syms);
      }
    }
    this.inUse = new Set(configured ? used : [...this.images.keys()].filter((k) => k));
    used.forEach((image, i) => this.asidImage.set(i + 1, image));
  }

  /**
   * From symbol tables alone (no section headers): functions cover their
   * size, sizeless labels reach the next symbol (at most a page).
   */
  static fromElfSymbols(symbols: Map<string, Array<{ name: string; value: number; size: number; type: number }>>, kernelName = 'kernel'): AddressSpaces {
    const images: ImageSymbols[] = [];
    for (const [image, syms] of symbols) {
      const sorted = syms.filter((s) => s.type === STT_FUNC || s.type === STT_NOTYPE).map((s) => ({ ...s, value: (s.type === STT_FUNC ? s.value & ~1 : s.value) >>> 0 }))
        .sort((a, b) => a.value - b.value);
      const code = sorted.map((s, i) => {
        const next = sorted.slice(i + 1).find((n) => n.value > s.value)?.value ?? s.value + 0x1000;
        return { name: s.name, start: s.value, end: s.size ? s.value + s.size : Math.min(next, s.value + 0x1000) };
      });
      images.push({ image, code, text: [] });
    }
    return new AddressSpaces({ kernelName }, images);
  }

  /** The image a name like `pingpong`, `hypervisor.elf` or `hypervisor` means ('' for the booted image). */
  imageNamed(name: string): string | undefined {
    if (this.images.has(name) && name) return name;
    const k = this.kernelName;
    if (name === k || name === k.replace(/\.elf$/, '') || name === 'hypervisor' || name === 'kernel') return '';
    return undefined;
  }

  /** Display name of an image. */
  label(image: string): string { return image || this.kernelName; }

  /** The code symbols of that name in every image (or in one). */
  find(name: string, image?: string): Array<{ image: string; start: number }> {
    const out: Array<{ image: string; start: number }> = [];
    for (const [key, syms] of this.images) {
      if (image !== undefined && key !== image) continue;
      for (const s of syms.code) if (s.name === name) out.push({ image: key, start: s.start });
    }
    return out;
  }

  /** Whether `image`'s code is what the machine has at `address` now (in the current translation). */
  mapped(image: string, address: number, machine: Machine, words = 16, core = 0): boolean {
    const syms = this.images.get(image);
    if (!syms) return false;
    const a0 = (address & ~3) >>> 0;
    const sec = syms.text.find((t) => a0 >= t.addr && a0 < t.addr + t.bytes.length);
    if (!sec) return false;
    let compared = 0;
    // Within the address's page: the next page may be mapped elsewhere or not at all.
    const limit = Math.min(sec.addr + sec.bytes.length, ((a0 | 0xfff) >>> 0) + 1);
    for (let a = a0; a + 4 <= limit && compared < words; a += 4, compared++) {
      const o = a - sec.addr;
      const want = (sec.bytes[o] | (sec.bytes[o + 1] << 8) | (sec.bytes[o + 2] << 16) | (sec.bytes[o + 3] << 24)) >>> 0;
      if (readVirtualWord(machine, a, core) !== want) return false;
    }
    return compared > 0;
  }

  /** Learns which image the current ASID (of core `core`) runs, from the code the machine has mapped. */
  learn(machine: Machine, core = 0): void {
    const asid = (machine.cpus[core] ?? machine.cpu).cp15.contextidr & 0xff;
    if (!asid) return;
    const hits = [...this.inUse].filter((image) => {
      const first = this.images.get(image)?.code[0];
      return first !== undefined && this.mapped(image, first.start, machine, 64, core);
    });
    if (hits.length === 1) this.asidImage.set(asid, hits[0]);
  }

  /**
   * Learns which image runs with which ASID from the hypervisor's own table of
   * domains (replay/domain-table.ts, by the firmware profile's layout): each
   * entry with an ASID and the name of an image of this run.
   */
  learnDomains(entries: Array<{ asid?: number; image?: string }>): void {
    for (const e of entries) {
      if (e.asid && e.asid < 256 && e.image && this.images.has(e.image)) this.asidImage.set(e.asid, e.image);
    }
  }

  /** The image the domain with this ASID runs, when known. */
  imageOfAsid(asid: number): string | undefined { return this.asidImage.get(asid); }

  /** `func+0xoff`, `image:func+0xoff` for a domain image, or undefined (no code symbol there). */
  symbolAt(address: number, where: AddressContext = {}): string | undefined {
    const a = address >>> 0;
    const pick = this.candidates(a, where);
    const texts = [...new Set(pick.map((h) => `${h.image ? `${h.image}:` : ''}${h.symbol.name}${a === h.symbol.start ? '' : `+0x${(a - h.symbol.start).toString(16)}`}`))];
    return texts.join(' or ') || undefined;
  }

  /**
   * The code symbol containing `address` and its image, when the address
   * space decides on one (undefined when no code symbol is there, or when
   * several images remain possible).
   */
  codeAt(address: number, where: AddressContext = {}): { image: string; symbol: CodeSymbol } | undefined {
    const pick = this.candidates(address >>> 0, where);
    if (!pick.length) return undefined;
    const first = pick[0];
    return pick.every((h) => h.image === first.image && h.symbol === first.symbol) ? first : undefined;
  }

  /** The unwind table (.ARM.exidx) of an image, if it has one. */
  unwindTable(image: string): { addr: number; size: number } | undefined {
    return this.images.get(image)?.exidx;
  }

  /** The images whose code symbols may be meant at `a`, by the rules in the header of this file. */
  private candidates(a: number, where: AddressContext): Array<{ image: string; symbol: CodeSymbol }> {
    const hits: Array<{ image: string; symbol: CodeSymbol }> = [];
    for (const [image, syms] of this.images) {
      const s = containing(syms.code, a);
      if (s) hits.push({ image, symbol: s });
    }
    let pick = hits;
    if (where.machine && hits.length) {
      // The machine at hand says which image's code is there; memory that
      // reads as something else is no image's code. Memory it cannot read
      // (not mapped yet, a first-touch fault) leaves the question to the rules below.
      const m = where.machine;
      const core = where.core ?? 0;
      const live = pick.filter((h) => !this.images.get(h.image)!.text.length || this.mapped(h.image, a, m, 16, core));
      if (live.length || readVirtualWord(m, (a & ~3) >>> 0, core) !== undefined) pick = live;
    }
    if (pick.length > 1) {
      const privileged = where.mode !== undefined && where.mode !== 'usr';
      const user = where.mode === 'usr';
      const kernel = pick.filter((h) => !h.image);
      if (kernel.length && !user) return [kernel[0]];
      let guests = pick.filter((h) => h.image);
      if (privileged && kernel.length) return [kernel[0]];
      const inUse = guests.filter((h) => this.inUse.has(h.image));
      if (inUse.length) guests = inUse;
      const byAsid = where.asid ? this.asidImage.get(where.asid) : undefined;
      const mine = guests.filter((h) => h.image === byAsid);
      if (mine.length) guests = mine;
      pick = guests.length ? guests : kernel;
    }
    return pick;
  }
}

function containing(code: CodeSymbol[], a: number): CodeSymbol | undefined {
  let lo = 0, hi = code.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (code[mid].start <= a) lo = mid + 1; else hi = mid; }
  // The innermost (latest-starting) symbol that still contains a.
  for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) if (a < code[i].end) return code[i];
  return undefined;
}
