/**
 * Tegra20 flow controller at 0x6000_7000.
 *
 * Read/write registers: HALT_CPU0_EVENTS, HALT_COP_EVENTS, CPU0_CSR, COP_CSR,
 * XRQ_EVENTS, HALT_CPU1_EVENTS, CPU1_CSR. In the CSRs bit 14 (event flag) and
 * bit 15 (interrupt flag) are write-1-to-clear and every other bit is plain
 * read/write; the flags are raised only through setFlag().
 *
 * HALT_CPU1_EVENTS halts CPU1. Its mode field (bits 31:29, Linux flowctrl.h
 * FLOW_CTRL_WAITEVENT = 2 << 29, FLOW_CTRL_WAIT_FOR_INTERRUPT = 4 << 29) says
 * whether the CPU runs: 0 (none) and 1 (run and interrupt) let it run; every
 * mode with bit 30 or 31 set (2 wait for event, 3 wait for event and
 * interrupt, 4 stop until IRQ, 5, 6, 7) stops it (core hold 'halt': it keeps
 * its state and continues where it stopped once a running mode is written).
 * Linux's tegra20_boot_secondary writes 0 there before releasing CPU1 from
 * reset. The model halts CPU1 as soon as such a mode is written; the silicon
 * halts it at its next WFE/WFI and wakes it on the programmed events, which
 * are not modelled: only writing a running mode resumes it. CPU0's halt
 * register is storage (CPU0 is the boot CPU).
 */

import type { DeviceContext, DeviceType } from '../device';
import type { RegisterDef, RegisterField } from '../register-map';
import { RegisterDevice } from '../register-device';

const TYPE = 'nvidia,tegra20-flowctrl';
const VERSION = 1;
const CSR_OFFSETS = new Set([0x08, 0x0c, 0x18]);
const HALT_CPU1_EVENTS = 0x14;
/** Mode bits that stop the CPU (FLOW_MODE_WAITEVENT 2, FLOW_MODE_STOP_UNTIL_IRQ 4, and the modes combining them). */
const MODE_STOPS = (6 << 29) >>> 0;
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
      { offset: HALT_CPU1_EVENTS, name: 'HALT_CPU1_EVENTS', write: () => this.driveCpu1() },
      csr(0x18, 'CPU1_CSR'),
    ]);
    this.driveCpu1();
  }

  /** Hardware side: a CPU halted on an event / interrupt sets its CSR flag (bit 14 / 15). */
  setFlag(csrOffset: number, bit: 14 | 15): void {
    if (CSR_OFFSETS.has(csrOffset)) this.regs.setAt(csrOffset, this.regs.getAt(csrOffset) | (1 << bit));
  }

  override reset(): void {
    super.reset();
    this.driveCpu1();
  }

  /** CPU1 is halted while HALT_CPU1_EVENTS holds a stopping mode. */
  private driveCpu1(): void {
    this.ctx.coreControl.hold(1, 'halt', (this.regs.getAt(HALT_CPU1_EVENTS) & MODE_STOPS) !== 0);
  }
}

export const tegraFlow: DeviceType = {
  type: TYPE,
  description: 'Tegra20 flow controller: halt-event and CSR registers (CSR bits 14/15 write-1-to-clear); a stopping mode in HALT_CPU1_EVENTS halts CPU1',
  regions: ['registers'],
  regionSizes: [0x100],
  irqOutputs: 0,
  props: {},
  create: (ctx) => new TegraFlow(ctx),
};
