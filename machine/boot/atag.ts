/** The ATAG list a Linux-style boot loader hands over in r2 (Documentation/arch/arm/booting.rst). */

import { ImageError } from '../loaders/elf';

/** ATAG_CMDLINE holds at most this many bytes (COMMAND_LINE_SIZE 1024, with the NUL). */
export const ATAG_CMDLINE_MAX = 1023;

export const ATAG = {
  NONE: 0x00000000,
  CORE: 0x54410001,
  MEM: 0x54410002,
  INITRD2: 0x54420005,
  CMDLINE: 0x54410009,
} as const;

export interface AtagInput {
  memory: Array<{ base: number; size: number }>;
  cmdline?: string;
  initrd?: { base: number; size: number };
}

/** CORE, one MEM per bank, CMDLINE, INITRD2, NONE — as little-endian words. */
export function buildAtags(input: AtagInput): Uint8Array {
  const words: number[] = [];
  const tag = (id: number, payload: number[]) => { words.push(payload.length + 2, id, ...payload); };
  tag(ATAG.CORE, [0, 4096, 0]); // flags (not read-only), page size, root device
  for (const m of input.memory) tag(ATAG.MEM, [m.size >>> 0, m.base >>> 0]);
  if (input.cmdline !== undefined && input.cmdline.length) {
    const bytes = new TextEncoder().encode(input.cmdline);
    if (bytes.length > ATAG_CMDLINE_MAX) throw new ImageError(`kernel command line is ${bytes.length} bytes; ATAG_CMDLINE allows ${ATAG_CMDLINE_MAX}`);
    const padded = new Uint8Array((bytes.length + 4) & ~3);
    padded.set(bytes);
    const dv = new DataView(padded.buffer);
    const payload: number[] = [];
    for (let i = 0; i < padded.length; i += 4) payload.push(dv.getUint32(i, true));
    tag(ATAG.CMDLINE, payload);
  }
  if (input.initrd) tag(ATAG.INITRD2, [input.initrd.base >>> 0, input.initrd.size >>> 0]);
  words.push(0, ATAG.NONE);
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}
