/**
 * ARM PrimeCell PL111 colour LCD controller, as QEMU 7.2 models it
 * (hw/display/pl110.c in its PL111 variant, pixel formats from
 * pl110_template.h), because vexpress-a9 outputs are compared with QEMU's:
 *
 * - LCDControl is at 0x18 and LCDIMSC at 0x1C (the PL111 order).
 * - The picture is (PPL+1)*16 pixels wide (LCDTiming0[7:2]) and LPP+1 lines
 *   high (LCDTiming1[9:0]); scan-out runs while LcdEn and LcdPwr are both set.
 * - While scan-out runs, a vertical-blank event every 1/60 s of virtual time
 *   sets the LNBU (next base update) and VComp raw interrupts (0x4 | 0x8),
 *   re-armed each time LCDControl is written with scan-out on.
 * - LCDUPCURR/LCDLPCURR read the base registers. The cursor is not modelled.
 * - Formats: 1/2/4/8 bpp through the 256-entry palette (5 bits per colour,
 *   intensity bit ignored), 16 bpp 1:5:5:5, 24 bpp in 32-bit words, 16 bpp
 *   5:6:5 and 12 bpp 4:4:4; the BGR bit selects which end of the pixel holds
 *   blue; BEBO swaps bytes within each word; BEPO reverses pixel order within
 *   bytes for the palette formats. 5- and 6-bit components are shifted up
 *   without replicating their top bits, as QEMU does.
 * - A byte or halfword access reads or writes the low bits of the register
 *   the offset falls in.
 *
 * One interrupt output: CLCDINTR, raised while (RIS & IMSC) != 0.
 */

import type { Device, DeviceContext, DeviceProps, DeviceType, IrqOutput, RgbaImage } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import type { ScheduledEvent } from '../../events';
import { RegisterMap, type RegisterDef } from '../register-map';

const TYPE = 'arm,pl111';

const CR_EN = 0x001;
const CR_BGR = 0x100;
const CR_BEBO = 0x200;
const CR_BEPO = 0x400;
const CR_PWR = 0x800;
const INT_NB = 0x004;
const INT_VC = 0x008;

const BPP_1 = 0;
const BPP_2 = 1;
const BPP_4 = 2;
const BPP_8 = 3;
const BPP_16 = 4;
const BPP_32 = 5;
const BPP_16_565 = 6;
/* 7: 12 bpp 4:4:4 */

/** CLCDPeriphID0-3, CLCDPCellID0-3 of QEMU's "pl111". */
const ID = [0x11, 0x11, 0x24, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

interface State {
  timing: number[];
  cr: number;
  upbase: number;
  lpbase: number;
  intStatus: number;
  intMask: number;
  rawPalette: number[];
}

function powerOnState(): State {
  return { timing: [0, 0, 0, 0], cr: 0, upbase: 0, lpbase: 0, intStatus: 0, intMask: 0, rawPalette: new Array(128).fill(0) };
}

class Pl111 extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    timing: { kind: 'u32[]', field: 's.timing', length: 4 },
    ...Object.fromEntries(['cr', 'upbase', 'lpbase', 'intStatus', 'intMask'].map((k) => [k, { kind: 'u32', field: `s.${k}` }])),
    rawPalette: { kind: 'u32[]', field: 's.rawPalette', length: 128 },
    vblankDue: 'int?',
  };
  private s: State = powerOnState();
  private readonly regs: RegisterMap;
  private readonly irq: IrqOutput;
  private vblank: ScheduledEvent | undefined;
  private readonly frameTicks: number;

  constructor(private readonly ctx: DeviceContext) {
    super();
    this.name = ctx.name;
    this.irq = ctx.irq(0);
    // QEMU re-arms the vertical blank NANOSECONDS_PER_SECOND / 60 ns later.
    this.frameTicks = Math.max(1, Math.round((Math.floor(1e9 / 60) * ctx.ticksPerSecond) / 1e9));
    const s = () => this.s;
    const defs: RegisterDef[] = [
      ...[0, 1, 2, 3].map((i): RegisterDef => ({
        offset: 4 * i, name: `LCDTiming${i}`, read: () => s().timing[i], write: (v) => { s().timing[i] = v; },
      })),
      { offset: 0x10, name: 'LCDUPBASE', read: () => s().upbase, write: (v) => { s().upbase = v; } },
      { offset: 0x14, name: 'LCDLPBASE', read: () => s().lpbase, write: (v) => { s().lpbase = v; } },
      { offset: 0x18, name: 'LCDControl', read: () => s().cr, write: (v) => this.writeControl(v) },
      { offset: 0x1c, name: 'LCDIMSC', read: () => s().intMask, write: (v) => { s().intMask = v; this.update(); } },
      { offset: 0x20, name: 'LCDRIS', access: 'ro', read: () => s().intStatus },
      { offset: 0x24, name: 'LCDMIS', access: 'ro', read: () => (s().intStatus & s().intMask) >>> 0 },
      { offset: 0x28, name: 'LCDICR', access: 'wo', write: (v) => { s().intStatus = (s().intStatus & ~v) >>> 0; this.update(); } },
      { offset: 0x2c, name: 'LCDUPCURR', access: 'ro', read: () => s().upbase },
      { offset: 0x30, name: 'LCDLPCURR', access: 'ro', read: () => s().lpbase },
      ...s().rawPalette.map((_, i): RegisterDef => ({
        offset: 0x200 + 4 * i, name: `LCDPalette${i}`, read: () => s().rawPalette[i], write: (v) => { s().rawPalette[i] = v; },
      })),
      ...['CLCDPeriphID0', 'CLCDPeriphID1', 'CLCDPeriphID2', 'CLCDPeriphID3', 'CLCDPCellID0', 'CLCDPCellID1', 'CLCDPCellID2', 'CLCDPCellID3']
        .map((name, i): RegisterDef => ({ offset: 0xfe0 + 4 * i, name, reset: ID[i], access: 'ro', read: () => ID[i] })),
    ];
    this.regs = new RegisterMap(ctx, defs);
  }

  read(_region: number, offset: number, size: number): number {
    const v = this.regs.read(offset & ~3, 4);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  write(_region: number, offset: number, size: number, value: number): void {
    this.regs.write(offset & ~3, 4, size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff));
  }

  private enabled(): boolean { return (this.s.cr & CR_EN) !== 0 && (this.s.cr & CR_PWR) !== 0; }

  private writeControl(v: number): void {
    this.s.cr = v >>> 0;
    this.cancelVblank();
    if (this.enabled()) this.scheduleVblank(this.ctx.now() + this.frameTicks);
  }

  private scheduleVblank(at: number): void {
    this.vblank = this.ctx.schedule(at, `${this.name}.vblank`, () => this.onVblank());
  }

  private cancelVblank(): void {
    if (this.vblank) this.ctx.cancel(this.vblank);
    this.vblank = undefined;
  }

  private onVblank(): void {
    this.vblank = undefined;
    this.s.intStatus = (this.s.intStatus | INT_NB | INT_VC) >>> 0;
    this.scheduleVblank(this.ctx.now() + this.frameTicks);
    this.update();
  }

  private update(): void {
    this.irq.set((this.s.intStatus & this.s.intMask) !== 0);
  }

  /** Picture size from the timing registers. */
  private size(): { cols: number; rows: number } {
    return { cols: ((this.s.timing[0] & 0xfc) + 4) * 4, rows: (this.s.timing[1] & 0x3ff) + 1 };
  }

  render(): RgbaImage | undefined {
    if (!this.enabled()) return undefined;
    const { cols, rows } = this.size();
    const cr = this.s.cr;
    const bpp = (cr >>> 1) & 7;
    const bgr = (cr & CR_BGR) !== 0;
    const bebo = (cr & CR_BEBO) !== 0;
    const bepo = !bebo && (cr & CR_BEPO) !== 0;
    let lineBytes: number;
    switch (bpp) {
      case BPP_1: lineBytes = cols >> 3; break;
      case BPP_2: lineBytes = cols >> 2; break;
      case BPP_4: lineBytes = cols >> 1; break;
      case BPP_8: lineBytes = cols; break;
      case BPP_32: lineBytes = cols << 2; break;
      default: lineBytes = cols << 1; break;
    }
    // Whole words per line, as QEMU's line converters read them.
    const wordsPerLine = Math.ceil(lineBytes / 4);
    const lastLineStart = this.s.upbase + (rows - 1) * lineBytes;
    const fb = this.ctx.readPhysical(this.s.upbase >>> 0, lastLineStart - this.s.upbase + wordsPerLine * 4);
    const out = new Uint8Array(cols * rows * 4);
    const palette = this.palette();
    for (let y = 0; y < rows; y++) {
      const line = y * lineBytes;
      const word = (w: number): number => {
        const o = line + 4 * w;
        const d = (fb[o] | (fb[o + 1] << 8) | (fb[o + 2] << 16) | (fb[o + 3] << 24)) >>> 0;
        return bebo ? bswap32(d) : d;
      };
      for (let x = 0; x < cols; x++) {
        let r: number, g: number, b: number;
        if (bpp <= BPP_8) {
          const bits = 1 << bpp;
          const perWord = 32 / bits;
          const j = x % perWord;
          const data = word(Math.floor(x / perWord));
          const bitPos = j * bits;
          // BEPO: pixels fill each byte from its top bits down.
          const shift = bepo ? (bitPos & ~7) + 8 - bits - (bitPos & 7) : bitPos;
          const p = palette[(data >>> shift) & ((1 << bits) - 1)];
          r = (p >>> 16) & 0xff; g = (p >>> 8) & 0xff; b = p & 0xff;
        } else {
          let lsb: number, msb: number;
          if (bpp === BPP_32) {
            const d = word(x);
            lsb = d & 0xff; g = (d >>> 8) & 0xff; msb = (d >>> 16) & 0xff;
          } else {
            const d = word(x >> 1);
            const second = (x & 1) !== 0;
            if (bpp === BPP_16_565) {
              const h = second ? d >>> 16 : d & 0xffff;
              lsb = (h & 0x1f) << 3; g = ((h >>> 5) & 0x3f) << 2; msb = ((h >>> 11) & 0x1f) << 3;
            } else if (bpp === BPP_16) {
              // QEMU consumes 15 bits for the first pixel, so the second starts at bit 15.
              const h = second ? d >>> 15 : d;
              lsb = (h & 0x1f) << 3; g = ((h >>> 5) & 0x1f) << 3; msb = ((h >>> 10) & 0x1f) << 3;
            } else {
              // BPP_12: 4:4:4 in the low 12 bits of each halfword.
              const h = second ? d >>> 16 : d & 0xffff;
              lsb = (h & 0xf) << 4; g = ((h >>> 4) & 0xf) << 4; msb = ((h >>> 8) & 0xf) << 4;
            }
          }
          if (bgr) { b = lsb; r = msb; } else { r = lsb; b = msb; }
        }
        const o = (y * cols + x) * 4;
        out[o] = r; out[o + 1] = g; out[o + 2] = b; out[o + 3] = 255;
      }
    }
    return { width: cols, height: rows, data: out };
  }

  /** 256 entries as 0xRRGGBB; each palette word holds two 5:5:5 entries plus an ignored intensity bit. */
  private palette(): number[] {
    const p: number[] = [];
    for (const word of this.s.rawPalette) {
      let raw = word >>> 0;
      for (let i = 0; i < 2; i++) {
        const r = (raw & 0x1f) << 3;
        const g = ((raw >>> 5) & 0x1f) << 3;
        const b = ((raw >>> 10) & 0x1f) << 3;
        p.push((r << 16) | (g << 8) | b);
        raw >>>= 16;
      }
    }
    return p;
  }

  reset(): void {
    this.cancelVblank();
    this.s = powerOnState();
    this.update();
  }

  /** Declared state: when the next vertical blank is due (null: none); setting it re-arms it. */
  get vblankDue(): number | null { return this.vblank ? this.vblank.time : null; }
  set vblankDue(time: number | null) {
    this.cancelVblank();
    if (time !== null) this.scheduleVblank(time);
  }

  restored(): void {
    this.update();
  }
}

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

export const pl111: DeviceType = {
  type: TYPE,
  description: 'ARM PrimeCell PL111 colour LCD controller (QEMU 7.2 model, frame buffer scan-out to RGBA)',
  capabilities: ['display'],
  regions: ['registers'],
  regionSizes: [0x1000],
  irqOutputs: 1,
  props: {},
  create(ctx: DeviceContext, _props: DeviceProps): Device {
    return new Pl111(ctx);
  },
};
