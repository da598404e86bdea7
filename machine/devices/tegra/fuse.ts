/**
 * Tegra20 fuse block at 0x7000_F800.
 *
 * - 0x000-0x034: fuse programming/sense control registers (FUSECTRL ...
 *   PWR_GOOD_SW), plain read/write; nothing is ever burnt or sensed.
 * - 0x100-0x3FF: the fuse word cache, read-only. Every word reads 0 (SKU 0,
 *   speedo and process ids 0, no spare bits) unless a prop sets it:
 *   'production-mode' (+0x100), 'uid-low' (+0x108), 'uid-high' (+0x10C),
 *   'sku-info' (+0x110), or 'word-0xNNN' for the word at offset 0xNNN (e.g.
 *   'word-0x200' for spare bit 0). Writes there are logged once and ignored.
 * - Other offsets are unknown registers (logged once, read 0).
 */

import type { DeviceContext, DeviceProps, DeviceType } from '../device';
import { checkProps, prop, WORD_RULE, type PropRule } from '../device';
import { subword, type RegisterDef } from '../register-map';
import { RegisterDevice } from '../register-device';

const TYPE = 'nvidia,tegra20-fuse';
const VERSION = 1;
const CACHE_START = 0x100;
const CACHE_END = 0x400;

const CONTROL = [
  'FUSECTRL', 'FUSEADDR', 'FUSERDATA', 'FUSEWDATA', 'FUSETIME_RD1', 'FUSETIME_RD2', 'FUSETIME_PGM1',
  'FUSETIME_PGM2', 'PRIV2INTFC_START', 'FUSEBYPASS', 'PRIVATEKEYDISABLE', 'DISABLEREGPROGRAM',
  'WRITE_ACCESS_SW', 'PWR_GOOD_SW',
];

const NAMED_WORDS: Array<[string, number]> = [
  ['production-mode', 0x100], ['uid-low', 0x108], ['uid-high', 0x10c], ['sku-info', 0x110],
];

export class TegraFuse extends RegisterDevice {
  /** Fuse word cache: fixed by the board, never changed by the guest. */
  private readonly words = new Uint32Array((CACHE_END - CACHE_START) / 4);

  constructor(ctx: DeviceContext, props: DeviceProps) {
    super(ctx, TYPE, VERSION, CONTROL.map((n, i): RegisterDef => ({ offset: i * 4, name: `FUSE_${n}` })));
    const bad = checkProps(tegraFuse, props);
    if (bad) throw bad;
    for (const [key, offset] of NAMED_WORDS) this.words[(offset - CACHE_START) / 4] = prop(props, key, FUSE_PROPS[key]) >>> 0;
    for (const key of Object.keys(props)) {
      const offset = fuseWordOffset(key);
      if (offset !== undefined) this.words[(offset - CACHE_START) / 4] = prop(props, key, FUSE_WORD) >>> 0;
    }
  }

  override read(_region: number, offset: number, size: number): number {
    if (offset >= CACHE_START && offset < CACHE_END) return subword(this.words[(offset - CACHE_START) >>> 2], offset, size);
    return this.regs.read(offset, size);
  }

  override write(_region: number, offset: number, size: number, value: number): void {
    if (offset >= CACHE_START && offset < CACHE_END) {
      this.ctx.guestError('write to the fuse word cache ignored');
      return;
    }
    this.regs.write(offset, size, value);
  }

}

const FUSE_PROPS: Record<string, PropRule> = Object.fromEntries(NAMED_WORDS.map(([key, offset]) => [key, WORD_RULE(0, `fuse word 0x${offset.toString(16)}`)]));
const FUSE_WORD = WORD_RULE(0, 'the fuse word at that offset');

/** The offset named by a word-0xNNN property, if it is a fuse word (0x100-0x3fc, word aligned). */
function fuseWordOffset(key: string): number | undefined {
  const m = /^word-0x([0-9a-f]+)$/i.exec(key);
  if (!m) return undefined;
  const offset = parseInt(m[1], 16);
  return offset < CACHE_START || offset >= CACHE_END || (offset & 3) !== 0 ? undefined : offset;
}

export const tegraFuse: DeviceType = {
  type: TYPE,
  description: 'Tegra20 fuses: control registers and a read-only fuse word cache (SKU, UID, spare bits from props, default 0)',
  regions: ['registers'],
  regionSizes: [0x400],
  irqOutputs: 0,
  props: FUSE_PROPS,
  extraProp: (key) => (fuseWordOffset(key) !== undefined ? FUSE_WORD : undefined),
  extraPropNames: 'word-0xNNN for a fuse word 0x100-0x3fc (word aligned)',
  create: (ctx, props) => new TegraFuse(ctx, props),
};
