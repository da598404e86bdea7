/**
 * Tegra20 exception vector processor registers (EVP) at 0x6000_F000.
 *
 * 0x000-0x01C are the COP (AVP) exception vectors, 0x100-0x11C the CPU ones;
 * EVP_CPU_RESET_VECTOR (+0x100) is where a CPU released from reset starts
 * (Linux writes the address of its IRAM reset handler there before releasing
 * CPU1). Every word in 0x000-0x1FF is plain read/write; the CPU reset vector
 * resets to prop 'reset-vector' (default 0), all others to 0. Offsets above
 * 0x1FF are unknown registers.
 *
 * The CPU reset vector is where CPU1 starts: its value (at reset, and after
 * every write) is CPU1's reset vector for the machine (core-control), so a
 * CPU1 released from reset by the clock and reset controller starts there.
 */

import type { DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, WORD_RULE, type PropRule } from '../device';
import type { RegisterDef } from '../register-map';
import { RegisterDevice } from '../register-device';

const TYPE = 'nvidia,tegra20-evp';
const VERSION = 1;
const CPU_RESET_VECTOR = 0x100;
const VECTORS = ['RESET', 'UNDEF', 'SWI', 'PREFETCH_ABORT', 'DATA_ABORT', 'RSVD', 'IRQ', 'FIQ'];

function vectorName(offset: number): string {
  const i = (offset & 0xff) >>> 2;
  if (i < VECTORS.length && (offset & 0xf00) <= 0x100) {
    return `EVP_${offset < 0x100 ? 'COP' : 'CPU'}_${VECTORS[i]}_VECTOR`;
  }
  return `EVP_0x${offset.toString(16).padStart(3, '0')}`;
}

export class TegraEvp extends RegisterDevice {

  constructor(ctx: DeviceContext, props: DeviceProps) {
    const resetVector = prop(props, 'reset-vector', EVP_PROPS['reset-vector']);
    const defs: RegisterDef[] = Array.from({ length: 0x200 / 4 }, (_, i) => {
      const offset = i * 4;
      return { offset, name: vectorName(offset), reset: offset === CPU_RESET_VECTOR ? resetVector : 0 };
    });
    super(ctx, TYPE, VERSION, defs);
    const vector = defs.find((d) => d.offset === CPU_RESET_VECTOR)!;
    vector.write = () => this.driveResetVector();
    this.driveResetVector();
  }

  override reset(): void {
    super.reset();
    this.driveResetVector();
  }

  private driveResetVector(): void {
    this.ctx.coreControl.setResetVector(1, this.regs.getAt(CPU_RESET_VECTOR));
  }

  /** Where a CPU leaving reset starts executing. */
  cpuResetVector(): number { return this.regs.getAt(CPU_RESET_VECTOR); }

}

const EVP_PROPS = {
  'reset-vector': WORD_RULE(0, 'CPU reset vector at reset'),
} satisfies Record<string, PropRule>;

export const tegraEvp: DeviceType = {
  type: TYPE,
  description: 'Tegra20 exception vector registers: COP and CPU vectors, CPU reset vector at +0x100',
  regions: ['registers'],
  regionSizes: [0x1000],
  irqOutputs: 0,
  props: EVP_PROPS,
  create: (ctx, props) => new TegraEvp(ctx, props),
};
