/**
 * Tegra20 AHB arbitration and gizmo registers at 0x6000_C000 (linux
 * drivers/amba/tegra-ahb.c, tegra20.dtsi `ahb@6000c000`, 0x110 bytes).
 *
 * The arbiter's priorities and the "gizmos" (the AHB bridges of each master:
 * split transactions, fast re-arbitration, prefetch) shape bus traffic and
 * nothing a program can observe but timing, which this machine does not
 * model. So every register is plain read/write storage: Linux's tegra-ahb
 * driver reads, modifies and writes them at probe (gizmo enables, the USB
 * masters' priorities and prefetch) and reads back what it wrote. Names
 * follow the driver; words between them keep their offset as name. All
 * reset to 0 (the silicon's reset values are *unconfirmed*).
 */

import type { DeviceContext, DeviceType } from '../device';
import type { RegisterDef } from '../register-map';
import { RegisterDevice } from '../register-device';

const TYPE = 'nvidia,tegra20-ahb';
const VERSION = 1;
const SIZE = 0x110;

const NAMES: Record<number, string> = {
  0x04: 'ARBITRATION_DISABLE', 0x08: 'ARBITRATION_PRIORITY_CTRL', 0x0c: 'ARBITRATION_USR_PROTECT',
  0x10: 'GIZMO_AHB_MEM', 0x14: 'GIZMO_APB_DMA', 0x1c: 'GIZMO_IDE', 0x20: 'GIZMO_USB', 0x24: 'GIZMO_AHB_XBAR_BRIDGE',
  0x28: 'GIZMO_CPU_AHB_BRIDGE', 0x2c: 'GIZMO_COP_AHB_BRIDGE', 0x30: 'GIZMO_XBAR_APB_CTLR', 0x34: 'GIZMO_VCP_AHB_BRIDGE',
  0x40: 'GIZMO_NAND', 0x48: 'GIZMO_SDMMC4', 0x4c: 'GIZMO_XIO', 0x64: 'GIZMO_BSEV', 0x74: 'GIZMO_BSEA', 0x78: 'GIZMO_NOR',
  0x7c: 'GIZMO_USB2', 0x80: 'GIZMO_USB3', 0x84: 'GIZMO_SDMMC1', 0x88: 'GIZMO_SDMMC2', 0x8c: 'GIZMO_SDMMC3',
  0xdc: 'MEM_PREFETCH_CFG_X', 0xe0: 'ARBITRATION_XBAR_CTRL', 0xe4: 'MEM_PREFETCH_CFG3', 0xe8: 'MEM_PREFETCH_CFG4',
  0xf0: 'MEM_PREFETCH_CFG1', 0xf4: 'MEM_PREFETCH_CFG2', 0xfc: 'ARBITRATION_AHB_MEM_WRQUE_MST_ID',
};

export class TegraAhb extends RegisterDevice {
  constructor(ctx: DeviceContext) {
    const defs: RegisterDef[] = Array.from({ length: SIZE / 4 }, (_, i) => ({
      offset: i * 4, name: NAMES[i * 4] ?? `AHB_0x${(i * 4).toString(16).padStart(3, '0')}`,
    }));
    super(ctx, TYPE, VERSION, defs);
  }
}

export const tegraAhb: DeviceType = {
  type: TYPE,
  description: 'Tegra20 AHB arbitration and gizmo registers: read/write storage (bus timing is not modelled)',
  regions: ['registers'],
  regionSizes: [SIZE],
  irqOutputs: 0,
  props: {},
  create: (ctx) => new TegraAhb(ctx),
};
