/**
 * TI TPS6586x power management unit, as the Tegra20 reference boards
 * (ventana, harmony, seaboard: their device trees put it at 0x34 on the DVC
 * bus) carry it: an I2C target with 8-bit registers (linux
 * drivers/mfd/tps6586x.c, drivers/regulator/tps6586x-regulator.c).
 *
 * A write's first byte selects a register and the bytes after it fill that
 * register and the next ones; a read returns bytes from the selected register
 * on (the register pointer advances with each byte, as regmap's single and
 * bulk accesses expect). VERSIONCRC (0xCD) reads the chip version (prop:
 * 0x15 = TPS658621A by default), which the driver checks at probe; every
 * other register is storage that resets to 0 (the regulators' voltage and
 * enable registers: the regulator drivers program and read them back; the
 * rails themselves are not modelled).
 *
 * Powering off: Linux's tps6586x_power_off clears EXITSLREQ (bit 1) and sets
 * SLEEP_MODE (bit 3) in SUPPLYENE (0x14); the PMU then drops the rails, so
 * the model cuts the board's power (powerOff) when SLEEP_MODE is written set.
 */

import type { I2cTarget } from './i2c';

const SUPPLYENE = 0x14;
const SLEEP_MODE = 1 << 3;
const VERSIONCRC = 0xcd;
/** TPS658621A (include/linux/mfd/tps6586x.h). */
export const TPS6586X_DEFAULT_VERSION = 0x15;

export class Tps6586x implements I2cTarget {
  /** The register file (kept as 32-bit words of one byte each for the snapshot). */
  regs = new Uint32Array(256);
  pointer = 0;

  constructor(private readonly version: number, private readonly powerOff: () => void) {
    this.reset();
  }

  reset(): void {
    this.regs.fill(0);
    this.regs[VERSIONCRC] = this.version & 0xff;
    this.pointer = 0;
  }

  write(bytes: readonly number[]): boolean {
    if (bytes.length === 0) return true;
    this.pointer = bytes[0] & 0xff;
    for (const b of bytes.slice(1)) {
      const reg = this.pointer;
      if (reg !== VERSIONCRC) this.regs[reg] = b & 0xff;
      this.pointer = (reg + 1) & 0xff;
      if (reg === SUPPLYENE && (b & SLEEP_MODE)) this.powerOff();
    }
    return true;
  }

  read(count: number): number[] {
    return Array.from({ length: count }, () => {
      const v = this.regs[this.pointer];
      this.pointer = (this.pointer + 1) & 0xff;
      return v;
    });
  }
}
