/**
 * Tegra20 GPIO controller at 0x6000_D000 (linux drivers/gpio/gpio-tegra.c,
 * tegra20.dtsi `gpio@6000d000`).
 *
 * Seven banks of four 8-bit ports (224 GPIOs), bank b at b * 0x80, port p at
 * + p * 4 in each register group:
 *   0x00 CNF (1: the pin is a GPIO, 0: it belongs to its special function),
 *   0x10 OE (1: output), 0x20 OUT, 0x30 IN (read-only), 0x40 INT_STA,
 *   0x50 INT_ENB, 0x60 INT_LVL, 0x70 INT_CLR (write-only, 1 clears INT_STA).
 * Bits 7:0 of each port register are the port's eight pins; INT_LVL also has
 * bits 15:8 (1: edge, 0: level) and 23:16 (1: both edges); bits 7:0 pick high
 * level / rising edge (1) or low level / falling edge (0).
 * The masked view at + 0x800 (CNF, OE, OUT, INT_STA, INT_ENB, INT_LVL) changes
 * only the pins whose bit is set in 15:8 of the written value to bits 7:0,
 * which is how Linux writes single pins.
 *
 * What a pin reads in IN: its OUT bit when it is a GPIO driven as an output,
 * otherwise the level outside drives on it (drivePin; 0 until something
 * drives it). On a GPIO pin whose interrupt is enabled (INT_ENB), the
 * condition INT_LVL selects (a level, or an edge) on that value latches the
 * pin's INT_STA bit; a level condition that still holds sets it again after
 * INT_CLR. **Model:** detection runs only while the pin's interrupt is
 * enabled, so the moments Linux spends configuring a pin (INT_LVL before
 * INT_ENB) latch nothing; whether the silicon latches status for disabled
 * pins is *unconfirmed*. Interrupt output b is
 * bank b's line (tegra20.dtsi: SPI 32, 33, 34, 35, 55, 87, 89), high while
 * any pin of the bank has both INT_STA and INT_ENB set.
 */

import type { DeviceContext, DeviceType } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import type { Device } from '../device';

const TYPE = 'nvidia,tegra20-gpio';
export const GPIO_BANKS = 7;
const PORTS = GPIO_BANKS * 4;
const BANK_STRIDE = 0x80;
const MASKED = 0x800;
const CNF = 0, OE = 1, OUT = 2, IN = 3, INT_STA = 4, INT_ENB = 5, INT_LVL = 6, INT_CLR = 7;
/** Register groups the masked view at +0x800 writes. */
const MASKABLE = new Set([CNF, OE, OUT, INT_STA, INT_ENB, INT_LVL]);

export class TegraGpio extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    cnf: 'u32[]', oe: 'u32[]', out: 'u32[]', intSta: 'u32[]', intEnb: 'u32[]', intLvl: 'u32[]', external: 'u32[]',
  };
  private cnf = new Uint32Array(PORTS);
  private oe = new Uint32Array(PORTS);
  private out = new Uint32Array(PORTS);
  private intSta = new Uint32Array(PORTS);
  private intEnb = new Uint32Array(PORTS);
  private intLvl = new Uint32Array(PORTS);
  /** Levels driven from outside on each port's pins (drivePin). */
  private external = new Uint32Array(PORTS);

  constructor(private readonly ctx: DeviceContext) {
    super();
    this.name = ctx.name;
  }

  read(_region: number, offset: number, size: number): number {
    const at = this.decode(offset, size);
    if (!at || at.masked) {
      this.ctx.guestError(at?.masked ? `read of the write-only masked view at offset 0x${offset.toString(16)}` : `read of unknown register at offset 0x${offset.toString(16)}`);
      return 0;
    }
    const p = at.port;
    switch (at.reg) {
      case CNF: return this.cnf[p];
      case OE: return this.oe[p];
      case OUT: return this.out[p];
      case IN: return this.pins(p);
      case INT_STA: return this.intSta[p];
      case INT_ENB: return this.intEnb[p];
      case INT_LVL: return this.intLvl[p];
      default:
        this.ctx.guestError(`read of write-only register INT_CLR at offset 0x${offset.toString(16)}`);
        return 0;
    }
  }

  write(_region: number, offset: number, size: number, value: number): void {
    const at = this.decode(offset, size);
    if (!at || (at.masked && !MASKABLE.has(at.reg))) {
      this.ctx.guestError(`write to unknown register at offset 0x${offset.toString(16)}`);
      return;
    }
    const p = at.port;
    const before = this.pins(p);
    let v = value >>> 0;
    if (at.masked) {
      const mask = (v >>> 8) & 0xff;
      v = ((this.regArray(at.reg)![p] & ~mask) | (v & mask)) & 0xff;
    }
    switch (at.reg) {
      case IN: this.ctx.guestError(`write to read-only register IN at offset 0x${offset.toString(16)}`); return;
      case INT_CLR: this.intSta[p] &= ~(v & 0xff); break;
      case INT_LVL: this.intLvl[p] = at.masked ? (this.intLvl[p] & ~0xff) | v : v & 0xffffff; break;
      default: this.regArray(at.reg)![p] = v & 0xff;
    }
    this.update(p, before);
  }

  /**
   * The level driven from outside on pin `line` (bank * 32 + port * 8 + bit,
   * Linux's GPIO number): a button, a PMIC's interrupt line, a test.
   */
  drivePin(line: number, level: boolean): void {
    if (line < 0 || line >= PORTS * 8) return;
    const p = line >>> 3;
    const before = this.pins(p);
    const bit = 1 << (line & 7);
    this.external[p] = level ? this.external[p] | bit : this.external[p] & ~bit;
    this.update(p, before);
  }

  reset(): void {
    for (const a of [this.cnf, this.oe, this.out, this.intSta, this.intEnb, this.intLvl]) a.fill(0);
    for (let b = 0; b < GPIO_BANKS; b++) this.ctx.irq(b).set(false);
    // External levels are the world outside the chip: a reset leaves them, and their level interrupts.
    for (let p = 0; p < PORTS; p++) this.update(p, this.pins(p));
  }

  restored(): void {
    for (let b = 0; b < GPIO_BANKS; b++) this.driveBank(b);
  }

  private regArray(reg: number): Uint32Array | undefined {
    return [this.cnf, this.oe, this.out, undefined, this.intSta, this.intEnb, this.intLvl][reg];
  }

  /** Register group, port and view of an offset; undefined for offsets that hold nothing. */
  private decode(offset: number, size: number): { reg: number; port: number; masked: boolean } | undefined {
    if (size !== 4 || (offset & 3) !== 0) return undefined;
    const masked = offset >= MASKED;
    const o = masked ? offset - MASKED : offset;
    const bank = Math.floor(o / BANK_STRIDE);
    if (bank >= GPIO_BANKS) return undefined;
    const within = o % BANK_STRIDE;
    return { reg: within >>> 4, port: bank * 4 + ((within >>> 2) & 3), masked };
  }

  /** What IN reads: OUT for GPIO outputs, the outside level for everything else. */
  private pins(p: number): number {
    const driven = this.cnf[p] & this.oe[p];
    return ((this.out[p] & driven) | (this.external[p] & ~driven)) & 0xff;
  }

  /** Latches the interrupt conditions of port p (its pins were `before`) and drives its bank's line. */
  private update(p: number, before: number): void {
    const now = this.pins(p);
    const lvl = this.intLvl[p];
    const high = lvl & 0xff, edge = (lvl >>> 8) & 0xff, both = (lvl >>> 16) & 0xff;
    const rose = now & ~before, fell = before & ~now;
    const levelHit = ~edge & ((now & high) | (~now & ~high & 0xff));
    const edgeHit = edge & ((both & (rose | fell)) | (~both & ((rose & high) | (fell & ~high))));
    this.intSta[p] |= (levelHit | edgeHit) & this.cnf[p] & this.intEnb[p] & 0xff;
    this.driveBank(p >>> 2);
  }

  private driveBank(bank: number): void {
    let active = false;
    for (let p = bank * 4; p < bank * 4 + 4; p++) if (this.intSta[p] & this.intEnb[p]) active = true;
    this.ctx.irq(bank).set(active);
  }
}

export const tegraGpio: DeviceType = {
  type: TYPE,
  description: 'Tegra20 GPIO: 7 banks of 4 ports, CNF/OE/OUT/IN, level and edge interrupts per bank, masked writes at +0x800',
  regions: ['registers'],
  regionSizes: [0x1000],
  irqOutputs: GPIO_BANKS,
  props: {},
  create: (ctx) => new TegraGpio(ctx),
};
