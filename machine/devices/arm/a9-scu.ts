/**
 * Cortex-A9 MPCore Snoop Control Unit (PERIPHBASE+0x000).
 *
 * Without caches to keep coherent this is a register file: the configuration
 * register reports the cluster (CPU count - 1 in bits 1:0, one SMP bit per CPU
 * in bits 7:4, no tag RAM size bits, as QEMU's a9scu: 0x31 for two cores;
 * the CPU count is the cluster's cores, DeviceContext.clusterCores, unless
 * the board's `cpus` property says otherwise),
 * control bit 0 enables the SCU (Linux's scu_enable() reads it back), the CPU
 * power status bytes are read/write, invalidate-all completes at once.
 * The diagnostic control register at 0x30 (undocumented in the TRM) is kept
 * because Linux touches it for erratum 764369 on every Cortex-A9.
 */

import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { coresProp, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap } from '../register-map';

const TYPE = 'arm,cortex-a9-scu';

class A9Scu extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = { registers: { kind: 'registers', field: 'regs' } };
  private readonly regs: RegisterMap;

  constructor(ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    const cpus = coresProp(props, 'cpus', SCU_PROPS.cpus, ctx);
    const config = (((1 << cpus) - 1) << 4) | (cpus - 1);
    this.regs = new RegisterMap(ctx, [
      { offset: 0x00, name: 'SCU Control', fields: [{ name: 'SCU enable', bits: 0, access: 'rw' }] },
      { offset: 0x04, name: 'SCU Configuration', access: 'ro', reset: config, constant: true },
      { offset: 0x08, name: 'SCU CPU Power Status', fields: [0, 1, 2, 3].map((n) => ({ name: `CPU${n} status`, bits: [8 * n + 1, 8 * n] as const, access: 'rw' as const })) },
      // Invalidation is immediate: nothing is cached here.
      { offset: 0x0c, name: 'SCU Invalidate All Registers in Secure State', access: 'wo', writeMask: 0 },
      { offset: 0x30, name: 'SCU Diagnostic Control', access: 'rw' },
      { offset: 0x40, name: 'Filtering Start Address', fields: [{ name: 'address', bits: [31, 20], access: 'rw' }] },
      { offset: 0x44, name: 'Filtering End Address', fields: [{ name: 'address', bits: [31, 20], access: 'rw' }] },
      // All CPUs may access the SCU registers after reset.
      { offset: 0x50, name: 'SCU Access Control', fields: [{ name: 'CPUs', bits: [3, 0], access: 'rw' }], reset: 0xf },
      { offset: 0x54, name: 'SCU Non-secure Access Control', fields: [{ name: 'CPUs', bits: [11, 0], access: 'rw' }] },
    ]);
  }

  read(_region: number, offset: number, size: number): number { return this.regs.read(offset, size); }
  write(_region: number, offset: number, size: number, value: number): void { this.regs.write(offset, size, value); }
  reset(): void { this.regs.reset(); }

}

const SCU_PROPS = {
  cpus: { default: 1, min: 1, max: 4, atLeastCores: true, description: "CPUs in the cluster (default: the cluster's cores; at least the cores run)" },
} satisfies Record<string, PropRule>;

export const a9Scu: DeviceType = {
  type: TYPE,
  description: 'Cortex-A9 MPCore Snoop Control Unit (PERIPHBASE+0x000)',
  regions: ['registers'],
  regionSizes: [0x100],
  irqOutputs: 0,
  props: SCU_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    return new A9Scu(ctx, props);
  },
};
