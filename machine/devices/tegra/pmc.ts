/**
 * Tegra20 power management controller (PMC) at 0x7000_E400.
 *
 * Plain read/write registers (layout of the Tegra20 TRM as listed by the QEMU
 * tegra2 fork and U-Boot's pmc_ctlr) with three behaviours:
 * - PWRGATE_TOGGLE: writing START (bit 8) with a partition id (bits 2:0:
 *   0 CPU, 1 3D, 2 VENC, 3 PCIE, 4 VDEC, 5 L2, 6 MPE) flips that partition's
 *   bit in PWRGATE_STATUS at once; START reads back clear (the toggle is
 *   complete), which is what Linux polls for. At reset the CPU and L2
 *   partitions are on.
 * - PMC_CNTRL bit 4 (MAIN_RST) resets the machine. SCRATCH registers (and the
 *   secure scratch ones) keep their contents across that reset, as the
 *   always-on domain does on silicon, so reboot-mode flags in SCRATCH0 reach
 *   the next boot; any other reset clears them.
 * - REMOVE_CLAMPING_CMD is stored (clamps have no effect here).
 */

import type { Device, DeviceContext, DeviceType } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, type RegisterDef } from '../register-map';

const TYPE = 'nvidia,tegra20-pmc';

const CNTRL_MAIN_RST = 1 << 4;
const TOGGLE_START = 1 << 8;
const TOGGLE_PARTID = 0x7;
const PWRGATE_STATUS = 0x38;
const PWRGATE_RESET = (1 << 0) | (1 << 5);

function scratch(first: number, offset: number, count: number, prefix = 'SCRATCH'): RegisterDef[] {
  return Array.from({ length: count }, (_, i) => ({ offset: offset + i * 4, name: `${prefix}${first + i}` }));
}

export class TegraPmc extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = { registers: { kind: 'registers', field: 'regs' }, warmReset: 'bool' };
  private readonly regs: RegisterMap;
  private readonly scratchNames: string[];
  /** Set by MAIN_RST: the coming machine reset keeps the scratch registers. */
  private warmReset = false;

  constructor(private readonly ctx: DeviceContext) {
    super();
    this.name = ctx.name;
    const scratchDefs = [
      ...scratch(0, 0x50, 24),
      ...scratch(0, 0xb0, 6, 'SECURE_SCRATCH'),
      ...scratch(24, 0xfc, 19),
    ];
    this.scratchNames = scratchDefs.map((d) => d.name);
    const defs: RegisterDef[] = [
      { offset: 0x00, name: 'PMC_CNTRL', write: (v) => this.writeCntrl(v) },
      { offset: 0x04, name: 'SEC_DISABLE' },
      { offset: 0x08, name: 'PMC_SWRST' },
      { offset: 0x0c, name: 'WAKE_MASK' },
      { offset: 0x10, name: 'WAKE_LVL' },
      { offset: 0x14, name: 'WAKE_STATUS' },
      { offset: 0x18, name: 'SW_WAKE_STATUS' },
      { offset: 0x1c, name: 'DPD_PADS_ORIDE' },
      { offset: 0x20, name: 'DPD_SAMPLE' },
      { offset: 0x24, name: 'DPD_ENABLE' },
      { offset: 0x28, name: 'PWRGATE_TIMER_OFF' },
      { offset: 0x2c, name: 'PWRGATE_TIMER_ON' },
      { offset: 0x30, name: 'PWRGATE_TOGGLE', write: (v) => this.toggle(v) },
      { offset: 0x34, name: 'REMOVE_CLAMPING_CMD' },
      { offset: PWRGATE_STATUS, name: 'PWRGATE_STATUS', access: 'ro', reset: PWRGATE_RESET },
      { offset: 0x3c, name: 'PWRGOOD_TIMER' },
      { offset: 0x40, name: 'BLINK_TIMER' },
      { offset: 0x44, name: 'NO_IOPOWER' },
      { offset: 0x48, name: 'PWR_DET' },
      { offset: 0x4c, name: 'PWR_DET_LATCH' },
      ...scratchDefs,
      { offset: 0xc8, name: 'CPUPWRGOOD_TIMER' },
      { offset: 0xcc, name: 'CPUPWROFF_TIMER' },
      { offset: 0xd0, name: 'PG_MASK' },
      { offset: 0xd4, name: 'PG_MASK_1' },
      { offset: 0xd8, name: 'AUTO_WAKE_LVL' },
      { offset: 0xdc, name: 'AUTO_WAKE_LVL_MASK' },
      { offset: 0xe0, name: 'WAKE_DELAY' },
      { offset: 0xe4, name: 'PWR_DET_VAL' },
      { offset: 0xe8, name: 'DDR_PWR' },
      { offset: 0xec, name: 'USB_DEBOUNCE_DEL' },
      { offset: 0xf0, name: 'USB_AO' },
      { offset: 0xf4, name: 'CRYPTO_OP' },
      { offset: 0xf8, name: 'PLLP_WB0_OVERRIDE' },
      { offset: 0x148, name: 'BONDOUT_MIRROR0' },
      { offset: 0x14c, name: 'BONDOUT_MIRROR1' },
      { offset: 0x150, name: 'BONDOUT_MIRROR2' },
      { offset: 0x154, name: 'SYS_33V_EN' },
      { offset: 0x158, name: 'BONDOUT_MIRROR_ACCESS' },
      { offset: 0x15c, name: 'GATE' },
    ];
    defs.sort((a, b) => a.offset - b.offset);
    this.regs = new RegisterMap(ctx, defs);
  }

  read(_region: number, offset: number, size: number): number { return this.regs.read(offset, size); }
  write(_region: number, offset: number, size: number, value: number): void { this.regs.write(offset, size, value); }

  private writeCntrl(v: number): void {
    if (v & CNTRL_MAIN_RST) {
      this.regs.set('PMC_CNTRL', v & ~CNTRL_MAIN_RST);
      this.warmReset = true;
      this.ctx.requestReset();
    }
  }

  private toggle(v: number): void {
    this.regs.set('PWRGATE_TOGGLE', v & ~TOGGLE_START);
    if (v & TOGGLE_START) {
      const status = this.regs.getAt(PWRGATE_STATUS);
      this.regs.setAt(PWRGATE_STATUS, status ^ (1 << (v & TOGGLE_PARTID)));
    }
  }

  reset(): void {
    const kept = this.warmReset ? this.scratchNames.map((n) => this.regs.get(n)) : null;
    this.regs.reset();
    if (kept) this.scratchNames.forEach((n, i) => this.regs.set(n, kept[i]));
    this.warmReset = false;
  }

}

export const tegraPmc: DeviceType = {
  type: TYPE,
  description: 'Tegra20 power management controller: registers, power-gate toggles, MAIN_RST machine reset, scratch kept across it',
  regions: ['registers'],
  regionSizes: [0x400],
  irqOutputs: 0,
  props: {},
  create: (ctx) => new TegraPmc(ctx),
};
