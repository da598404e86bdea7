/**
 * Tegra20 clock and reset controller (CAR) at 0x6000_6000.
 *
 * A read/write register file whose reset values describe a running system as
 * a boot loader leaves it, because Linux builds its clock tree from these
 * registers and divides by the PLL DIVM field (which must never read 0):
 * - oscillator 12 MHz by default (prop 'osc-hz': 12, 13, 19.2 or 26 MHz),
 *   OSC_CTRL.OSC_FREQ and OSC_FREQ_DET_STATUS matching it;
 * - PLLC 600 MHz, PLLM 666 MHz, PLLP 216 MHz (with BASE_OVERRIDE), PLLX 1 GHz,
 *   PLLU 480 MHz, PLLA 56.448 MHz (from pll_p_out1 at 28.8 MHz) enabled;
 *   PLLD and PLLE configured but off. DIVM/DIVN are chosen for the oscillator;
 * - CPU clock from PLLX, system clock from pll_c_out1 (120 MHz), pclk = hclk/2;
 * - clocks on and out of reset: CPU, COP, RTC, timers, UARTA, UARTB, GPIO,
 *   CACHE2, MEM, AHB/APB DMA, PMC, FUSE, EMC, UARTD, CSITE; every other
 *   peripheral clock off and held in reset; CPU1 held in reset with its clock
 *   stopped; every CLK_SOURCE register selects source 0 (a valid parent for
 *   every mux) with divider 0.
 *
 * Behaviour: a PLL's LOCK bit (27; PLLE: MISC bits 11 and 15) reads set
 * whenever its ENABLE bit is set; RST_DEV_x_SET/CLR, CLK_ENB_x_SET/CLR and
 * RST_CPU_CMPLX_SET/CLR write-1-set/clear their base registers and read back
 * the base register; setting SWR_TRIG_SYS_RST (RST_DEVICES_L bit 2) resets the
 * machine. Offsets without a named register are plain storage and are logged
 * once each. Peripheral clocks and resets gate nothing in this model.
 *
 * CPU1 (the second Cortex-A9) is held by two of these registers, as Linux's
 * tegra20_boot_secondary and the 2.6.3x boot_secondary release it: while
 * CLK_CPU_CMPLX bit 9 (CPU1 clock stop) is set its clock is stopped (core
 * hold 'clock': it keeps its state and continues where it stopped), and
 * while RST_CPU_CMPLX bit 1 (CPURESET1) is set it is in reset (core hold
 * 'reset': released, it starts from its reset state at the EVP CPU reset
 * vector). Both are set at reset, so CPU1 does not run until software clears
 * its clock-stop bit and its reset through RST_CPU_CMPLX_CLR (Linux clears
 * 0x2222, every CPU1 reset bit). CPU0's bits (8 and 0) and the other reset
 * bits are storage only.
 */

import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, subword, type RegisterDef } from '../register-map';

const TYPE = 'nvidia,tegra20-car';
const SIZE = 0x1000;

const PLL_ENABLE = 1 << 30;
const PLL_OVERRIDE = 1 << 28;
const PLL_LOCK = 1 << 27;
const PLLE_ENABLE = 1 << 31;
const PLLE_MISC_LOCK = 1 << 11;
const PLLE_MISC_READY = 1 << 15;
const RST_L_TRIG_SYS = 1 << 2;
const CLK_CPU_CMPLX = 0x04c;
const RST_CPU_CMPLX = 0x340;
/** CLK_CPU_CMPLX: CPU1 clock stop. */
const CPU1_CLK_STP = 1 << 9;
/** RST_CPU_CMPLX: CPU1 held in reset. */
const CPU1_CPURESET = 1 << 1;

/** OSC_CTRL.OSC_FREQ code per oscillator frequency. */
const OSC_FREQ_CODE = new Map<number, number>([[13_000_000, 0], [19_200_000, 1], [12_000_000, 2], [26_000_000, 3]]);

// Clock enable bits (L: 0..31, H: 32..63, U: 64..95) of the blocks a boot loader leaves running.
const ENB_L = (1 << 0) | (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 31); // CPU COP RTC TMR UARTA UARTB GPIO CACHE2
const ENB_H = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 6) | (1 << 7) | (1 << 25); // MEM AHBDMA APBDMA PMC FUSE EMC
const ENB_U = (1 << 1) | (1 << 9); // UARTD CSITE

const CLK_SOURCES: Array<[number, string]> = [
  [0x100, 'I2S1'], [0x104, 'I2S2'], [0x108, 'SPDIF_OUT'], [0x10c, 'SPDIF_IN'], [0x110, 'PWM'], [0x114, 'SPI1'],
  [0x118, 'SBC2'], [0x11c, 'SBC3'], [0x120, 'XIO'], [0x124, 'I2C1'], [0x128, 'DVC_I2C'], [0x12c, 'TWC'],
  [0x134, 'SBC1'], [0x138, 'DISP1'], [0x13c, 'DISP2'], [0x140, 'CVE'], [0x144, 'IDE'], [0x148, 'VI'],
  [0x150, 'SDMMC1'], [0x154, 'SDMMC2'], [0x158, 'G3D'], [0x15c, 'G2D'], [0x160, 'NDFLASH'], [0x164, 'SDMMC4'],
  [0x168, 'VFIR'], [0x16c, 'EPP'], [0x170, 'MPE'], [0x174, 'MIPI'], [0x178, 'UARTA'], [0x17c, 'UARTB'],
  [0x180, 'HOST1X'], [0x188, 'TVO'], [0x18c, 'HDMI'], [0x194, 'TVDAC'], [0x198, 'I2C2'], [0x19c, 'EMC'],
  [0x1a0, 'UARTC'], [0x1a8, 'VI_SENSOR'], [0x1b4, 'SBC4'], [0x1b8, 'I2C3'], [0x1bc, 'SDMMC3'], [0x1c0, 'UARTD'],
  [0x1c4, 'UARTE'], [0x1c8, 'VDE'], [0x1cc, 'OWR'], [0x1d0, 'NOR'], [0x1d4, 'CSITE'], [0x1f8, 'LA'], [0x1fc, 'OSC'],
];

/** Write-1-to-set / write-1-to-clear aliases: [offset, name, base register offset, set?]. */
const ALIASES: Array<[number, string, number, boolean]> = [
  [0x300, 'RST_DEV_L_SET', 0x004, true], [0x304, 'RST_DEV_L_CLR', 0x004, false],
  [0x308, 'RST_DEV_H_SET', 0x008, true], [0x30c, 'RST_DEV_H_CLR', 0x008, false],
  [0x310, 'RST_DEV_U_SET', 0x00c, true], [0x314, 'RST_DEV_U_CLR', 0x00c, false],
  [0x320, 'CLK_ENB_L_SET', 0x010, true], [0x324, 'CLK_ENB_L_CLR', 0x010, false],
  [0x328, 'CLK_ENB_H_SET', 0x014, true], [0x32c, 'CLK_ENB_H_CLR', 0x014, false],
  [0x330, 'CLK_ENB_U_SET', 0x018, true], [0x334, 'CLK_ENB_U_CLR', 0x018, false],
  // The CPU complex reset state has no separate base register: it reads back at both addresses.
  [0x340, 'RST_CPU_CMPLX_SET', 0x340, true], [0x344, 'RST_CPU_CMPLX_CLR', 0x340, false],
];

/** DIVM / DIVN giving `target` Hz from `osc` Hz with a reference of at least 1 MHz. */
export function pllDividers(osc: number, target: number): { m: number; n: number } {
  for (let m = 31; m >= 1; m--) {
    if (osc / m < 1_000_000) continue;
    const n = (target * m) / osc;
    if (Number.isInteger(n) && n >= 1 && n <= 1023) return { m, n };
  }
  return { m: 1, n: Math.max(1, Math.min(1023, Math.round(target / osc))) };
}

function pllBase(osc: number, target: number, p: number, enabled: boolean, extra = 0): number {
  const { m, n } = pllDividers(osc, target);
  return ((enabled ? PLL_ENABLE : 0) | extra | (p << 20) | (n << 8) | m) >>> 0;
}

export class TegraCar extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = { registers: { kind: 'registers', field: 'regs' }, other: 'map' };
  private readonly regs: RegisterMap;
  private readonly aliases = new Map<number, { base: number; set: boolean }>();
  /** Offsets without a named register: plain storage. */
  private other = new Map<number, number>();
  readonly oscHz: number;

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    const osc = prop(props, 'osc-hz', CAR_PROPS['osc-hz']);
    const code = OSC_FREQ_CODE.get(osc)!;
    this.oscHz = osc;

    const withLock = (off: number) => () => {
      const v = this.regs.getAt(off);
      return (v & PLL_ENABLE ? v | PLL_LOCK : v & ~PLL_LOCK) >>> 0;
    };
    const pll = (name: string, base: number, misc: number, reset: number, miscReset = 0x800): RegisterDef[] => [
      { offset: base, name: `${name}_BASE`, reset, read: withLock(base) },
      { offset: misc, name: `${name}_MISC`, reset: miscReset },
    ];

    const defs: RegisterDef[] = [
      { offset: 0x000, name: 'RST_SOURCE', reset: 0 },
      { offset: 0x004, name: 'RST_DEVICES_L', reset: ~ENB_L & ~RST_L_TRIG_SYS, write: (v) => this.checkSysReset(v) },
      { offset: 0x008, name: 'RST_DEVICES_H', reset: ~ENB_H },
      { offset: 0x00c, name: 'RST_DEVICES_U', reset: ~ENB_U },
      { offset: 0x010, name: 'CLK_OUT_ENB_L', reset: ENB_L },
      { offset: 0x014, name: 'CLK_OUT_ENB_H', reset: ENB_H },
      { offset: 0x018, name: 'CLK_OUT_ENB_U', reset: ENB_U },
      // RUN state, PLLX for every CPU state / pll_c_out1 for every system clock state.
      { offset: 0x020, name: 'CCLK_BURST_POLICY', reset: 0x2000_8888 },
      { offset: 0x024, name: 'SUPER_CCLK_DIVIDER', reset: 0 },
      { offset: 0x028, name: 'SCLK_BURST_POLICY', reset: 0x2000_1111 },
      { offset: 0x02c, name: 'SUPER_SCLK_DIVIDER', reset: 0 },
      { offset: 0x030, name: 'CLK_SYSTEM_RATE', reset: 0x1 },
      { offset: 0x034, name: 'PROG_DLY_CLK', reset: 0 },
      { offset: 0x038, name: 'AUDIO_SYNC_CLK_RATE', reset: 0 },
      { offset: 0x03c, name: 'COP_CLK_SKIP_POLICY', reset: 0 },
      { offset: 0x044, name: 'CLK_MASK_ARM', reset: 0 },
      { offset: 0x048, name: 'MISC_CLK_ENB', reset: 0 },
      { offset: CLK_CPU_CMPLX, name: 'CLK_CPU_CMPLX', reset: CPU1_CLK_STP, write: () => this.driveCpu1() },
      // OSC_FREQ, oscillator enabled with the drive strength a boot loader programs.
      { offset: 0x050, name: 'OSC_CTRL', reset: ((code << 30) | 0x3f1) >>> 0 },
      { offset: 0x054, name: 'PLL_LFSR', reset: 0 },
      { offset: 0x058, name: 'OSC_FREQ_DET', reset: 0 },
      // Oscillator cycles in two 32.768 kHz periods (732 at 12 MHz), not busy.
      { offset: 0x05c, name: 'OSC_FREQ_DET_STATUS', access: 'ro', reset: Math.round((osc * 2) / 32768) },
      ...pll('PLLC', 0x080, 0x08c, pllBase(osc, 600_000_000, 0, true)),
      { offset: 0x084, name: 'PLLC_OUT', reset: 0x0000_0803 }, // pll_c_out1 = 600 MHz * 2 / (8 + 2)
      ...pll('PLLM', 0x090, 0x09c, pllBase(osc, 666_000_000, 0, true)),
      { offset: 0x094, name: 'PLLM_OUT', reset: 0x0000_0803 },
      ...pll('PLLP', 0x0a0, 0x0ac, pllBase(osc, 216_000_000, 0, true, PLL_OVERRIDE)),
      // pll_p_out1..4 = 28.8, 48, 72, 24 MHz (ratio in bits 15:8 of each half; override, enable, out of reset).
      { offset: 0x0a4, name: 'PLLP_OUTA', reset: 0x0707_0d07 },
      { offset: 0x0a8, name: 'PLLP_OUTB', reset: 0x1007_0407 },
      // PLLA runs from pll_p_out1 (28.8 MHz): 28.8 * 49 / 25 = 56.448 MHz.
      ...pll('PLLA', 0x0b0, 0x0bc, (PLL_ENABLE | (49 << 8) | 25) >>> 0),
      { offset: 0x0b4, name: 'PLLA_OUT', reset: 0x0000_0803 },
      ...pll('PLLU', 0x0c0, 0x0cc, pllBase(osc, 960_000_000, 1, true)),
      ...pll('PLLD', 0x0d0, 0x0dc, pllBase(osc, 1_000_000_000, 0, false)),
      ...pll('PLLX', 0x0e0, 0x0e4, pllBase(osc, 1_000_000_000, 0, true)),
      // PLLE (PCIe/SATA reference, off): M 7:0, N 15:8, P 21:16, CML 27:24; lock and ready live in MISC.
      { offset: 0x0e8, name: 'PLLE_BASE', reset: ((1 << 24) | (1 << 16) | (200 << 8) | 24) >>> 0 },
      { offset: 0x0ec, name: 'PLLE_MISC', reset: 0, read: () => this.plleMisc() },
      ...CLK_SOURCES.map(([offset, n]): RegisterDef => ({ offset, name: `CLK_SOURCE_${n}`, reset: 0 })),
      ...ALIASES.map(([offset, name, base]): RegisterDef => ({
        offset, name, reset: offset === base ? 0x2222 : 0, read: () => this.regs.getAt(base),
      })),
    ];
    defs.sort((a, b) => a.offset - b.offset);
    this.regs = new RegisterMap(ctx, defs);
    for (const [offset, , base, set] of ALIASES) this.aliases.set(offset, { base, set });
    this.driveCpu1();
  }

  /** Holds CPU1 while its clock is stopped or its reset is asserted (machine/core-control.ts). */
  private driveCpu1(): void {
    const control = this.ctx.coreControl;
    control.hold(1, 'reset', (this.regs.getAt(RST_CPU_CMPLX) & CPU1_CPURESET) !== 0);
    control.hold(1, 'clock', (this.regs.getAt(CLK_CPU_CMPLX) & CPU1_CLK_STP) !== 0);
  }

  private plleMisc(): number {
    const v = this.regs.getAt(0x0ec);
    const on = (this.regs.getAt(0x0e8) & PLLE_ENABLE) !== 0;
    const status = PLLE_MISC_LOCK | PLLE_MISC_READY;
    return (on ? v | status : v & ~status) >>> 0;
  }

  private checkSysReset(v: number): void {
    if (v & RST_L_TRIG_SYS) {
      this.regs.setAt(0x004, this.regs.getAt(0x004) & ~RST_L_TRIG_SYS);
      this.ctx.requestReset();
    }
  }

  read(_region: number, offset: number, size: number): number {
    if (this.regs.has(offset)) return this.regs.read(offset, size);
    if (offset < 0 || offset >= SIZE) return this.regs.read(offset, size);
    this.ctx.guestError(`access to unnamed CAR register at offset 0x${(offset & ~3).toString(16)}`);
    return subword(this.other.get(offset & ~3) ?? 0, offset, size);
  }

  write(_region: number, offset: number, size: number, value: number): void {
    const word = offset & ~3;
    const alias = this.aliases.get(word);
    if (alias) {
      const bits = lane(offset, size, value);
      const old = this.regs.getAt(alias.base);
      const next = alias.set ? (old | bits) >>> 0 : (old & ~bits) >>> 0;
      this.regs.setAt(alias.base, next);
      if (alias.set && alias.base === 0x004) this.checkSysReset(next);
      if (alias.base === RST_CPU_CMPLX) this.driveCpu1();
      return;
    }
    if (this.regs.has(offset) || offset < 0 || offset >= SIZE) { this.regs.write(offset, size, value); return; }
    this.ctx.guestError(`access to unnamed CAR register at offset 0x${word.toString(16)}`);
    const old = this.other.get(word) ?? 0;
    const mask = lane(offset, size, 0xffffffff);
    this.other.set(word, ((old & ~mask) | lane(offset, size, value)) >>> 0);
  }

  reset(): void {
    this.regs.reset();
    this.other = new Map();
    this.driveCpu1();
  }

}

/** The bits of a sub-word write, placed in their byte lanes. */
function lane(offset: number, size: number, value: number): number {
  if (size === 4) return value >>> 0;
  const shift = (offset & 3) * 8;
  const mask = size === 2 ? 0xffff : 0xff;
  return ((value & mask) << shift) >>> 0;
}

const CAR_PROPS = {
  'osc-hz': { default: 12_000_000, min: 12_000_000, max: 26_000_000, oneOf: [12_000_000, 13_000_000, 19_200_000, 26_000_000], description: 'oscillator frequency (OSC_CTRL.OSC_FREQ)' },
} satisfies Record<string, PropRule>;

export const tegraCar: DeviceType = {
  type: TYPE,
  description: 'Tegra20 clock and reset controller: register file with running-system PLL values, SET/CLR aliases, LOCK follows ENABLE',
  regions: ['registers'],
  regionSizes: [SIZE],
  irqOutputs: 0,
  props: CAR_PROPS,
  create: (ctx, props) => new TegraCar(ctx, props),
};
