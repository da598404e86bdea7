/**
 * Tegra20 secure boot registers at 0x6000_C200 (linux arch/arm/mach-tegra/iomap.h
 * TEGRA_SB_BASE, reset.c tegra_cpu_reset_handler_set).
 *
 * SB_CSR (+0x00): Linux sets bit 1 after writing the EVP CPU reset vector,
 * which locks the vector on later chips and "has no effect on chips prior to
 * Tegra30" (reset.c). **Model:** SB_CSR is read/write storage with no effect;
 * other offsets are unknown registers (logged once, read 0).
 */

import type { DeviceContext, DeviceType } from '../device';
import { RegisterDevice } from '../register-device';

const TYPE = 'nvidia,tegra20-sb';

export class TegraSecureBoot extends RegisterDevice {
  constructor(ctx: DeviceContext) {
    super(ctx, TYPE, 1, [{ offset: 0x00, name: 'SB_CSR' }]);
  }
}

export const tegraSecureBoot: DeviceType = {
  type: TYPE,
  description: 'Tegra20 secure boot registers: SB_CSR storage (its reset-vector lock has no effect on the Tegra20)',
  regions: ['registers'],
  regionSizes: [0x200],
  irqOutputs: 0,
  props: {},
  create: (ctx) => new TegraSecureBoot(ctx),
};
