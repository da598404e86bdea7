/**
 * Tegra20 flow controller at 0x6000_7000.
 *
 * Read/write registers: HALT_CPU0_EVENTS, HALT_COP_EVENTS, CPU0_CSR, COP_CSR,
 * XRQ_EVENTS, HALT_CPU1_EVENTS, CPU1_CSR. In the CSRs bit 14 (event flag) and
 * bit 15 (interrupt flag) are write-1-to-clear and every other bit is plain
 * read/write. Halting has no effect on the CPUs here: the model keeps what
 * software programs so that it reads back, and the flags are raised only
 * through setFlag() by whatever models CPU halts.
 */

import type { DeviceContext, DeviceType } from '../device';
import type { RegisterDef, RegisterField } from '../register-map';
import { RegisterDevice } from '../register-device';

const TYPE = 'nvidia,tegra20-flowctrl';
const VERSION = 1;
const CSR_OFFSETS = new Set([0x08, 0x0c, 0x18]);
/** CSR fields: the event and interrupt flags are write-1-to-clear, every other bit read/write. */
const CSR_FIELDS: RegisterField[] = [
  { name: 'low', bits: [13, 0], access: 'rw' },
  { name: 'EVENT_FLAG', bits: 14, access: 'w1c' },
  { name: 'INTR_FLAG', bits: 15, access: 'w1c' },
  { name: 'high', bits: [31, 16], access: 'rw' },
];

export class TegraFlow extends RegisterDevice {
  constructor(ctx: DeviceContext) {
    const csr = (offset: number, name: string): RegisterDef => ({ offset, name, fields: CSR_FIELDS });
    super(ctx, TYPE, VERSION, [
      { offset: 0x00, name: 'HALT_CPU0_EVENTS' },
      { offset: 0x04, name: 'HALT_COP_EVENTS' },
      csr(0x08, 'CPU0_CSR'),
      csr(0x0c, 'COP_CSR'),
      { offset: 0x10, name: 'XRQ_EVENTS' },
      { offset: 0x14, name: 'HALT_CPU1_EVENTS' },
      csr(0x18, 'CPU1_CSR'),
    ]);
  }

  /** Hardware side: a CPU halted on an event / interrupt sets its CSR flag (bit 14 / 15). */
  setFlag(csrOffset: number, bit: 14 | 15): void {
    if (CSR_OFFSETS.has(csrOffset)) this.regs.setAt(csrOffset, this.regs.getAt(csrOffset) | (1 << bit));
  }
}

export const tegraFlow: DeviceType = {
  type: TYPE,
  description: 'Tegra20 flow controller: halt-event and CSR registers (CSR bits 14/15 write-1-to-clear)',
  regions: ['registers'],
  regionSizes: [0x100],
  irqOutputs: 0,
  props: {},
  create: (ctx) => new TegraFlow(ctx),
};
