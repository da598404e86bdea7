/**
 * Tegra20 display controller (DC, 0x5420_0000; DC2 at 0x5424_0000), scanning
 * window A out of a frame buffer in physical memory.
 *
 * Register offsets below are in 32-bit words as in the datasheet and the
 * drivers (byte offset = word * 4). The register file has four parts:
 * - CMD (0x000..0x043) and COM (0x300..0x329): one copy, effective at once.
 * - DISP (0x400..0x4c1): an assembly and an active copy; GENERAL_ACT_REQ in
 *   CMD_STATE_CONTROL copies assembly to active.
 * - Window bank (0x500..0x80a): one set per window A/B/C, reached through
 *   the window(s) selected in CMD_DISPLAY_WINDOW_HEADER bits 4/5/6 (a write
 *   with several selected goes to each of them; a read comes from the first).
 *   Assembly and active copies; WIN_x_ACT_REQ copies assembly to active.
 *   The colour palette (0x500..0x5ff) has one copy per window.
 * CMD_STATE_ACCESS selects the copy that reads (READ_MUX, bit 0) and writes
 * (WRITE_MUX, bit 2) reach: 0 = assembly (the reset state), 1 = active.
 *
 * Simplifications:
 * - Activation happens at the STATE_CONTROL write, not at the next frame
 *   start, so the act-request bits always read back clear (which is what
 *   drivers wait for). The UPDATE bits (8..11) are accepted and stored; they
 *   have no separate "armed" stage because every driver writes them before or
 *   together with the act request.
 * - CMD_DISPLAY_COMMAND takes effect at once: U-Boot and the bring-up order in
 *   docs/tegra2.md (section 6) start the display after the last act request.
 *   Continuous and non-continuous mode both scan out and both produce frames
 *   at 60 Hz (non-continuous frames are not tied to NC_HOST_TRIG).
 * - Scan-out: window A only, 1:1 (the DDA increment, initial DDA, H/V
 *   direction, byte swap and blending registers are stored but not used).
 *   The window shows the part of the source (WIN_PRESCALED_SIZE: bytes per
 *   line, lines) that fits in WIN_SIZE, at WIN_POSITION, clipped to
 *   DISP_ACTIVE; everything else is black. The panel has no alpha: every
 *   pixel of the picture is opaque.
 * - DISP_ACTIVE resets to the 'width' x 'height' props (default 1280 x 800,
 *   the Xoom panel) so that the picture has the panel size until a guest
 *   programs its own mode.
 * - Frames: frame k (k >= 1) ends at display start + floor(k * 1 s / 60), in
 *   virtual time, counted from the write that took CMD_DISPLAY_COMMAND out of
 *   stop mode. At the end of each frame INT_STATUS records FRAME_END (bit 1)
 *   and VBLANK (bit 2) where INT_ENABLE has them. A frame event is scheduled
 *   only while the display runs and INT_ENABLE has one of those bits, so an
 *   idle controller leaves the event queue alone.
 * - Host1x sync points (INCR_SYNCPT, CONT_SYNCPT_VSYNC) are stored only.
 *
 * Interrupt output 0: DC interrupt (SPI 73), level, high while
 * INT_STATUS & INT_MASK is non-zero. INT_STATUS is write-1-to-clear.
 *
 * Props: width, height (DISP_ACTIVE reset value, pixels).
 */

import type { ScheduledEvent } from '../../events';
import type { Device, DeviceContext, DeviceProps, DeviceType, RgbaImage } from '../device';
import { prop, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, subword, type Access, type RegisterDef } from '../register-map';

const TYPE = 'nvidia,tegra20-dc';

/** Register word offsets used by the model's logic. */
export const DC = {
  CMD_DISPLAY_COMMAND: 0x032,
  CMD_DISPLAY_POWER_CONTROL: 0x036,
  CMD_INT_STATUS: 0x037,
  CMD_INT_MASK: 0x038,
  CMD_INT_ENABLE: 0x039,
  CMD_STATE_ACCESS: 0x040,
  CMD_STATE_CONTROL: 0x041,
  CMD_DISPLAY_WINDOW_HEADER: 0x042,
  DISP_ACTIVE: 0x409,
  WIN_COLOR_PALETTE: 0x500,
  WIN_OPTIONS: 0x700,
  WIN_COLOR_DEPTH: 0x703,
  WIN_POSITION: 0x704,
  WIN_SIZE: 0x705,
  WIN_PRESCALED_SIZE: 0x706,
  WIN_DDA_INCREMENT: 0x709,
  WIN_LINE_STRIDE: 0x70a,
  WINBUF_START_ADDR: 0x800,
  WINBUF_ADDR_H_OFFSET: 0x806,
  WINBUF_ADDR_V_OFFSET: 0x808,
} as const;

export const CTRL_MODE_SHIFT = 5;
export const CTRL_MODE_STOP = 0, CTRL_MODE_C_DISPLAY = 1, CTRL_MODE_NC_DISPLAY = 2;
export const FRAME_END_INT = 1 << 1;
export const VBLANK_INT = 1 << 2;
export const READ_MUX = 1 << 0;
export const WRITE_MUX = 1 << 2;
export const GENERAL_ACT_REQ = 1 << 0;
export const WIN_A_ACT_REQ = 1 << 1;
export const GENERAL_UPDATE = 1 << 8;
export const WIN_A_UPDATE = 1 << 9;
export const WINDOW_A_SELECT = 1 << 4;
export const WIN_ENABLE = 1 << 30;
export const COLOR_DEPTH_B5G6R5 = 6;
export const COLOR_DEPTH_B8G8R8A8 = 12;
export const COLOR_DEPTH_R8G8B8A8 = 13;

/** CURSOR_ACT_REQ (bit 7) and the window/general act requests complete at once. */
const ACT_REQ_BITS = 0x8f;
const FRAME_INTS = FRAME_END_INT | VBLANK_INT;
const PALETTE_ENTRIES = 256;
const FRAMES_PER_SECOND = 60;
/** DISP_ACTIVE holds 13-bit width (12:0) and height (28:16) fields. */
const ACTIVE_MAX = 0x1fff;

interface Row { word: number; name: string; reset?: number; access?: Access }

function rows(first: number, names: string[]): Row[] {
  return names.map((name, i) => ({ word: first + i, name }));
}

function numbered(first: number, prefix: string, count: number, digits = 1): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    word: first + i,
    name: `${prefix}${i.toString(16).toUpperCase().padStart(digits, '0')}`,
  }));
}

/** CMD and COM: one copy, effective at once. Side effects are attached in the device. */
export const DC_CMD_REGISTERS: ReadonlyArray<Row> = [
  ...rows(0x000, ['CMD_GENERAL_INCR_SYNCPT', 'CMD_GENERAL_INCR_SYNCPT_CNTRL', 'CMD_GENERAL_INCR_SYNCPT_ERROR']),
  ...rows(0x008, ['CMD_WIN_A_INCR_SYNCPT', 'CMD_WIN_A_INCR_SYNCPT_CNTRL', 'CMD_WIN_A_INCR_SYNCPT_ERROR']),
  ...rows(0x010, ['CMD_WIN_B_INCR_SYNCPT', 'CMD_WIN_B_INCR_SYNCPT_CNTRL', 'CMD_WIN_B_INCR_SYNCPT_ERROR']),
  ...rows(0x018, ['CMD_WIN_C_INCR_SYNCPT', 'CMD_WIN_C_INCR_SYNCPT_CNTRL', 'CMD_WIN_C_INCR_SYNCPT_ERROR']),
  { word: 0x028, name: 'CMD_CONT_SYNCPT_VSYNC' },
  ...rows(0x030, ['CMD_CTXSW', 'CMD_DISPLAY_COMMAND_OPTION0', 'CMD_DISPLAY_COMMAND', 'CMD_SIGNAL_RAISE']),
  { word: 0x036, name: 'CMD_DISPLAY_POWER_CONTROL' },
  { word: 0x037, name: 'CMD_INT_STATUS', access: 'w1c' },
  ...rows(0x038, ['CMD_INT_MASK', 'CMD_INT_ENABLE', 'CMD_INT_TYPE', 'CMD_INT_POLARITY',
    'CMD_SIGNAL_RAISE1', 'CMD_SIGNAL_RAISE2', 'CMD_SIGNAL_RAISE3']),
  ...rows(0x040, ['CMD_STATE_ACCESS', 'CMD_STATE_CONTROL', 'CMD_DISPLAY_WINDOW_HEADER', 'CMD_REG_ACT_CONTROL']),
  ...rows(0x300, ['COM_CRC_CONTROL', 'COM_CRC_CHECKSUM']),
  ...numbered(0x302, 'COM_PIN_OUTPUT_ENABLE', 4),
  ...numbered(0x306, 'COM_PIN_OUTPUT_POLARITY', 4),
  ...numbered(0x30a, 'COM_PIN_OUTPUT_DATA', 4),
  ...numbered(0x30e, 'COM_PIN_INPUT_ENABLE', 4),
  ...numbered(0x312, 'COM_PIN_INPUT_DATA', 2),
  ...numbered(0x314, 'COM_PIN_OUTPUT_SELECT', 7),
  ...rows(0x31b, ['COM_PIN_MISC_CONTROL', 'COM_PM0_CONTROL', 'COM_PM0_DUTY_CYCLE', 'COM_PM1_CONTROL',
    'COM_PM1_DUTY_CYCLE', 'COM_SPI_CONTROL', 'COM_SPI_START_BYTE', 'COM_HSPI_WRITE_DATA_AB',
    'COM_HSPI_WRITE_DATA_CD', 'COM_HSPI_CS_DC', 'COM_SCRATCH_REGISTER_A', 'COM_SCRATCH_REGISTER_B',
    'COM_GPIO_CTRL', 'COM_GPIO_DEBOUNCE_COUNTER', 'COM_CRC_CHECKSUM_LATCHED']),
];

/** DISP: assembly + active, latched by GENERAL_ACT_REQ. DISP_ACTIVE's reset comes from the props. */
export const DC_DISP_REGISTERS: ReadonlyArray<Row> = [
  ...rows(0x400, ['DISP_DISP_SIGNAL_OPTIONS0', 'DISP_DISP_SIGNAL_OPTIONS1', 'DISP_DISP_WIN_OPTIONS',
    'DISP_MEM_HIGH_PRIORITY', 'DISP_MEM_HIGH_PRIORITY_TIMER', 'DISP_DISP_TIMING_OPTIONS', 'DISP_REF_TO_SYNC',
    'DISP_SYNC_WIDTH', 'DISP_BACK_PORCH', 'DISP_ACTIVE', 'DISP_FRONT_PORCH']),
  ...[0, 1, 2].flatMap((n) => rows(0x40b + 5 * n, [`DISP_H_PULSE${n}_CONTROL`,
    `DISP_H_PULSE${n}_POSITION_A`, `DISP_H_PULSE${n}_POSITION_B`, `DISP_H_PULSE${n}_POSITION_C`,
    `DISP_H_PULSE${n}_POSITION_D`])),
  ...[0, 1].flatMap((n) => rows(0x41a + 4 * n, [`DISP_V_PULSE${n}_CONTROL`,
    `DISP_V_PULSE${n}_POSITION_A`, `DISP_V_PULSE${n}_POSITION_B`, `DISP_V_PULSE${n}_POSITION_C`])),
  ...rows(0x422, ['DISP_V_PULSE2_CONTROL', 'DISP_V_PULSE2_POSITION_A', 'DISP_V_PULSE3_CONTROL',
    'DISP_V_PULSE3_POSITION_A', 'DISP_M0_CONTROL', 'DISP_M1_CONTROL', 'DISP_DI_CONTROL', 'DISP_PP_CONTROL',
    'DISP_PP_SELECT_A', 'DISP_PP_SELECT_B', 'DISP_PP_SELECT_C', 'DISP_PP_SELECT_D',
    'DISP_DISP_CLOCK_CONTROL', 'DISP_DISP_INTERFACE_CONTROL', 'DISP_DISP_COLOR_CONTROL',
    'DISP_SHIFT_CLOCK_OPTIONS', 'DISP_DATA_ENABLE_OPTIONS', 'DISP_SERIAL_INTERFACE_OPTIONS',
    'DISP_LCD_SPI_OPTIONS', 'DISP_BORDER_COLOR', 'DISP_COLOR_KEY0_LOWER', 'DISP_COLOR_KEY0_UPPER',
    'DISP_COLOR_KEY1_LOWER', 'DISP_COLOR_KEY1_UPPER']),
  ...rows(0x43c, ['DISP_CURSOR_FOREGROUND', 'DISP_CURSOR_BACKGROUND', 'DISP_CURSOR_START_ADDR',
    'DISP_CURSOR_START_ADDR_NS', 'DISP_CURSOR_POSITION', 'DISP_CURSOR_POSITION_NS', 'DISP_INIT_SEQ_CONTROL',
    'DISP_SPI_INIT_SEQ_DATA_A', 'DISP_SPI_INIT_SEQ_DATA_B', 'DISP_SPI_INIT_SEQ_DATA_C',
    'DISP_SPI_INIT_SEQ_DATA_D']),
  ...rows(0x480, ['DISP_DC_MCCIF_FIFOCTRL', 'DISP_MCCIF_DISPLAY0A_HYST', 'DISP_MCCIF_DISPLAY0B_HYST',
    'DISP_MCCIF_DISPLAY0C_HYST', 'DISP_MCCIF_DISPLAY1B_HYST']),
  ...rows(0x4c0, ['DISP_DAC_CRT_CTRL', 'DISP_DISP_MISC_CONTROL']),
];

/** Per-window bank (without the palette): assembly + active, latched by WIN_x_ACT_REQ. */
export const DC_WINDOW_REGISTERS: ReadonlyArray<Row> = [
  { word: 0x600, name: 'WIN_PALETTE_COLOR_EXT' },
  ...numbered(0x601, 'WIN_H_FILTER_P', 16, 2),
  ...rows(0x611, ['WIN_CSC_YOF', 'WIN_CSC_KYRGB', 'WIN_CSC_KUR', 'WIN_CSC_KVR', 'WIN_CSC_KUG',
    'WIN_CSC_KVG', 'WIN_CSC_KUB', 'WIN_CSC_KVB']),
  ...numbered(0x619, 'WIN_V_FILTER_P', 16, 2),
  ...rows(0x700, ['WIN_OPTIONS', 'WIN_BYTE_SWAP', 'WIN_BUFFER_CONTROL', 'WIN_COLOR_DEPTH', 'WIN_POSITION',
    'WIN_SIZE', 'WIN_PRESCALED_SIZE', 'WIN_H_INITIAL_DDA', 'WIN_V_INITIAL_DDA', 'WIN_DDA_INCREMENT',
    'WIN_LINE_STRIDE', 'WIN_BUF_STRIDE', 'WIN_UV_BUF_STRIDE', 'WIN_BUFFER_ADDR_MODE', 'WIN_DV_CONTROL',
    'WIN_BLEND_NOKEY', 'WIN_BLEND_1WIN', 'WIN_BLEND_2WIN_X', 'WIN_BLEND_2WIN_Y', 'WIN_BLEND_3WIN_XY',
    'WIN_HP_FETCH_CONTROL']),
  ...rows(0x800, ['WINBUF_START_ADDR', 'WINBUF_START_ADDR_NS', 'WINBUF_START_ADDR_U', 'WINBUF_START_ADDR_U_NS',
    'WINBUF_START_ADDR_V', 'WINBUF_START_ADDR_V_NS', 'WINBUF_ADDR_H_OFFSET', 'WINBUF_ADDR_H_OFFSET_NS',
    'WINBUF_ADDR_V_OFFSET', 'WINBUF_ADDR_V_OFFSET_NS', 'WINBUF_UFLOW_STATUS']),
];

const WINDOW_NAMES = ['a', 'b', 'c'] as const;

/** Word ranges of the register parts (inclusive); the window bank without the palette follows up to WINDOW_LAST. */
const DISP_FIRST = 0x400, DISP_LAST = 0x4ff;
const PALETTE_FIRST = 0x500, PALETTE_LAST = 0x5ff;
const WINDOW_LAST = 0x9ff;

function toDefs(list: ReadonlyArray<Row>, extra: Partial<Record<string, Partial<RegisterDef>>> = {}): RegisterDef[] {
  return list.map((r) => ({ offset: r.word * 4, name: r.name, reset: r.reset ?? 0, access: r.access ?? 'rw', ...extra[r.name] }));
}

/** An assembly and an active copy of one group of double-buffered registers. */
interface Shadowed { assembly: RegisterMap; active: RegisterMap }

interface Window extends Shadowed { palette: Uint32Array }

export class TegraDisplay extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    registers: { kind: 'registers', field: 'cmd' },
    disp: { kind: 'group', fields: { assembly: 'registers', active: 'registers' } },
    windows: { kind: 'group', each: WINDOW_NAMES, fields: { assembly: 'registers', active: 'registers', palette: 'u32{}' } },
    frameOrigin: 'int?',
    frameDue: 'int?',
  };
  private readonly cmd: RegisterMap;
  private readonly disp: Shadowed;
  private readonly windows: Window[];
  private readonly dispActiveReset: number;
  /** Virtual time at which the display left stop mode (frame 0 starts), or null while stopped. */
  private frameOrigin: number | null = null;
  /** Due time of the pending end-of-frame event. */
  private frameDue: number | null = null;
  private frameEvent: ScheduledEvent | null = null;

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    const width = prop(props, 'width', DISPLAY_PROPS.width);
    const height = prop(props, 'height', DISPLAY_PROPS.height);
    this.dispActiveReset = ((height << 16) | width) >>> 0;

    this.cmd = new RegisterMap(ctx, toDefs(DC_CMD_REGISTERS, {
      CMD_DISPLAY_COMMAND: { write: (v, old) => this.displayCommandWritten(v, old) },
      CMD_INT_STATUS: { write: () => this.updateIrq() },
      CMD_INT_MASK: { write: () => this.updateIrq() },
      CMD_INT_ENABLE: { write: () => this.scheduleFrame() },
      CMD_STATE_CONTROL: { write: (v) => this.stateControlWritten(v) },
    }));
    const dispDefs = () => toDefs(DC_DISP_REGISTERS, { DISP_ACTIVE: { reset: this.dispActiveReset } });
    this.disp = { assembly: new RegisterMap(ctx, dispDefs()), active: new RegisterMap(ctx, dispDefs()) };
    this.windows = WINDOW_NAMES.map(() => ({
      assembly: new RegisterMap(ctx, toDefs(DC_WINDOW_REGISTERS)),
      active: new RegisterMap(ctx, toDefs(DC_WINDOW_REGISTERS)),
      palette: new Uint32Array(PALETTE_ENTRIES),
    }));
  }

  // ---- MMIO ----

  read(_region: number, offset: number, size: number): number {
    const word = offset >>> 2;
    if (word >= DISP_FIRST && word <= DISP_LAST) return this.readCopy(this.disp).read(offset, size);
    if (word >= PALETTE_FIRST && word <= WINDOW_LAST) {
      const w = this.selectedWindows(offset)[0];
      if (w === undefined) return 0;
      const win = this.windows[w];
      if (word <= PALETTE_LAST) return subword(win.palette[word - PALETTE_FIRST], offset, size);
      return this.readCopy(win).read(offset, size);
    }
    return this.cmd.read(offset, size);
  }

  write(_region: number, offset: number, size: number, value: number): void {
    const word = offset >>> 2;
    if (word >= DISP_FIRST && word <= DISP_LAST) {
      this.writeCopy(this.disp).write(offset, size, value);
      return;
    }
    if (word >= PALETTE_FIRST && word <= WINDOW_LAST) {
      for (const w of this.selectedWindows(offset)) {
        const win = this.windows[w];
        if (word <= PALETTE_LAST) {
          const i = word - PALETTE_FIRST;
          win.palette[i] = mergeSubword(win.palette[i], offset, size, value);
        } else {
          this.writeCopy(win).write(offset, size, value);
        }
      }
      return;
    }
    this.cmd.write(offset, size, value);
  }

  private readCopy(s: Shadowed): RegisterMap {
    return this.cmd.getAt(DC.CMD_STATE_ACCESS * 4) & READ_MUX ? s.active : s.assembly;
  }

  private writeCopy(s: Shadowed): RegisterMap {
    return this.cmd.getAt(DC.CMD_STATE_ACCESS * 4) & WRITE_MUX ? s.active : s.assembly;
  }

  /** Indices of the windows selected in DISPLAY_WINDOW_HEADER, A first. */
  private selectedWindows(offset: number): number[] {
    const header = this.cmd.getAt(DC.CMD_DISPLAY_WINDOW_HEADER * 4);
    const out: number[] = [];
    for (let w = 0; w < 3; w++) if (header & (WINDOW_A_SELECT << w)) out.push(w);
    if (out.length === 0) {
      this.ctx.guestError(`window register at offset 0x${(offset & ~3).toString(16)} accessed with no window selected in CMD_DISPLAY_WINDOW_HEADER`);
    }
    return out;
  }

  // ---- register side effects ----

  private stateControlWritten(v: number): void {
    if (v & GENERAL_ACT_REQ) latch(this.disp);
    for (let w = 0; w < 3; w++) if (v & (WIN_A_ACT_REQ << w)) latch(this.windows[w]);
    this.cmd.setAt(DC.CMD_STATE_CONTROL * 4, v & ~ACT_REQ_BITS);
  }

  private displayCommandWritten(v: number, old: number): void {
    const wasRunning = ctrlMode(old) !== CTRL_MODE_STOP;
    const running = ctrlMode(v) !== CTRL_MODE_STOP;
    if (running === wasRunning) return;
    this.frameOrigin = running ? this.ctx.now() : null;
    this.scheduleFrame();
  }

  private running(): boolean {
    return ctrlMode(this.cmd.getAt(DC.CMD_DISPLAY_COMMAND * 4)) !== CTRL_MODE_STOP;
  }

  /** End of frame k, counted from the display start; exact 60 Hz without accumulated rounding. */
  private frameEnd(k: number): number {
    return this.frameOrigin! + Math.floor((k * this.ctx.ticksPerSecond) / FRAMES_PER_SECOND);
  }

  /** The first end of frame strictly after `t`. */
  private nextFrameEndAfter(t: number): number {
    let k = Math.floor(((t - this.frameOrigin!) * FRAMES_PER_SECOND) / this.ctx.ticksPerSecond);
    if (k < 1) k = 1;
    while (this.frameEnd(k) <= t) k++;
    return this.frameEnd(k);
  }

  /** (Re)arms the end-of-frame event when the display runs and a frame interrupt is enabled. */
  private scheduleFrame(): void {
    const wanted = this.frameOrigin !== null && this.running() && (this.cmd.getAt(DC.CMD_INT_ENABLE * 4) & FRAME_INTS) !== 0;
    if (!wanted) {
      this.cancelFrame();
      return;
    }
    if (this.frameEvent) return;
    this.armFrame(this.nextFrameEndAfter(this.ctx.now()));
  }

  private armFrame(due: number): void {
    this.frameDue = due;
    this.frameEvent = this.ctx.schedule(due, `${this.name}.vblank`, () => this.frameEnded());
  }

  private cancelFrame(): void {
    if (this.frameEvent) this.ctx.cancel(this.frameEvent);
    this.frameEvent = null;
    this.frameDue = null;
  }

  private frameEnded(): void {
    const due = this.frameDue!;
    this.frameEvent = null;
    this.frameDue = null;
    const enabled = this.cmd.getAt(DC.CMD_INT_ENABLE * 4) & FRAME_INTS;
    const status = this.cmd.getAt(DC.CMD_INT_STATUS * 4);
    this.cmd.setAt(DC.CMD_INT_STATUS * 4, status | enabled);
    this.updateIrq();
    if (enabled && this.running()) this.armFrame(this.nextFrameEndAfter(due));
  }

  private updateIrq(): void {
    const pending = (this.cmd.getAt(DC.CMD_INT_STATUS * 4) & this.cmd.getAt(DC.CMD_INT_MASK * 4)) !== 0;
    this.ctx.irq(0).set(pending);
  }

  // ---- scan-out ----

  render(): RgbaImage | undefined {
    if (!this.running()) return undefined;
    const active = this.disp.active.getAt(DC.DISP_ACTIVE * 4);
    const width = active & ACTIVE_MAX;
    const height = (active >>> 16) & ACTIVE_MAX;
    if (width === 0 || height === 0) return undefined;
    const data = new Uint8Array(width * height * 4);
    for (let i = 3; i < data.length; i += 4) data[i] = 0xff;
    this.compose(this.windows[0].active, data, width, height);
    return { width, height, data };
  }

  private compose(win: RegisterMap, data: Uint8Array, width: number, height: number): void {
    const r = (word: number) => win.getAt(word * 4);
    if (!(r(DC.WIN_OPTIONS) & WIN_ENABLE)) return;
    const depth = r(DC.WIN_COLOR_DEPTH) & 0x1f;
    const bpp = depth === COLOR_DEPTH_B5G6R5 ? 2 : depth === COLOR_DEPTH_B8G8R8A8 || depth === COLOR_DEPTH_R8G8B8A8 ? 4 : 0;
    if (bpp === 0) {
      this.ctx.guestError(`window A colour depth ${depth} is not supported for scan-out (6, 12 and 13 are)`);
      return;
    }
    const pos = r(DC.WIN_POSITION), size = r(DC.WIN_SIZE), pre = r(DC.WIN_PRESCALED_SIZE);
    const x0 = pos & 0x1fff, y0 = (pos >>> 16) & 0x1fff;
    const cols = Math.min(size & 0x1fff, Math.floor((pre & 0x7fff) / bpp), width - x0);
    const lines = Math.min((size >>> 16) & 0x1fff, (pre >>> 16) & 0x1fff, height - y0);
    if (cols <= 0 || lines <= 0) return;
    const stride = r(DC.WIN_LINE_STRIDE) & 0xffff;
    const base = (r(DC.WINBUF_START_ADDR) + r(DC.WINBUF_ADDR_V_OFFSET) * stride + r(DC.WINBUF_ADDR_H_OFFSET)) >>> 0;
    for (let line = 0; line < lines; line++) {
      const src = this.ctx.readPhysical((base + line * stride) >>> 0, cols * bpp);
      let o = ((y0 + line) * width + x0) * 4;
      if (bpp === 2) {
        for (let i = 0; i < src.length; i += 2, o += 4) {
          const p = src[i] | (src[i + 1] << 8);
          const r5 = p >>> 11, g6 = (p >>> 5) & 0x3f, b5 = p & 0x1f;
          data[o] = (r5 << 3) | (r5 >>> 2);
          data[o + 1] = (g6 << 2) | (g6 >>> 4);
          data[o + 2] = (b5 << 3) | (b5 >>> 2);
        }
      } else if (depth === COLOR_DEPTH_B8G8R8A8) {
        for (let i = 0; i < src.length; i += 4, o += 4) {
          data[o] = src[i + 2];
          data[o + 1] = src[i + 1];
          data[o + 2] = src[i];
        }
      } else {
        for (let i = 0; i < src.length; i += 4, o += 4) {
          data[o] = src[i];
          data[o + 1] = src[i + 1];
          data[o + 2] = src[i + 2];
        }
      }
    }
  }

  // ---- lifecycle ----

  reset(): void {
    this.cancelFrame();
    this.frameOrigin = null;
    this.cmd.reset();
    this.disp.assembly.reset();
    this.disp.active.reset();
    for (const w of this.windows) {
      w.assembly.reset();
      w.active.reset();
      w.palette.fill(0);
    }
    this.ctx.irq(0).set(false);
  }

  restored(): void {
    // Re-arm the end-of-frame event at its saved time.
    const due = this.frameDue;
    this.cancelFrame();
    if (due !== null) this.armFrame(due);
    this.updateIrq();
  }
}

function ctrlMode(v: number): number {
  return (v >>> CTRL_MODE_SHIFT) & 3;
}

function latch(s: Shadowed): void {
  for (const d of s.assembly.defs) s.active.setAt(d.offset, s.assembly.getAt(d.offset));
}

function mergeSubword(old: number, offset: number, size: number, value: number): number {
  if (size === 4) return value >>> 0;
  const shift = (offset & 3) * 8;
  const mask = (((1 << (size * 8)) - 1) << shift) >>> 0;
  return ((old & ~mask) | ((value << shift) & mask)) >>> 0;
}

const DISPLAY_PROPS = {
  width: { default: 1280, min: 1, max: ACTIVE_MAX, description: 'DISP_ACTIVE width at reset' },
  height: { default: 800, min: 1, max: ACTIVE_MAX, description: 'DISP_ACTIVE height at reset' },
} satisfies Record<string, PropRule>;

export const tegraDisplay: DeviceType = {
  type: TYPE,
  description: 'Tegra20 display controller: window A scan-out from a frame buffer (B5G6R5, B8G8R8A8, R8G8B8A8), assembly/active register copies, 60 Hz frame-end and vblank interrupts',
  capabilities: ['display'],
  regions: ['registers'],
  regionSizes: [0x40000],
  irqOutputs: 1,
  props: DISPLAY_PROPS,
  create: (ctx, props) => new TegraDisplay(ctx, props),
};
