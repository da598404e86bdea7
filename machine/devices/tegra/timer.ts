/**
 * Tegra20 timer block at 0x6000_5000: four down-counting timers TMR1..TMR4
 * and the free-running microsecond counter TMRUS.
 *
 * The timers count at 1 MHz. Writing PTV with the enable bit (31) starts the
 * timer from its trigger value (bits 28:0); it expires after value + 1 µs,
 * asserts its interrupt (level, held until PCR bit 30 is written with 1) and
 * either reloads (periodic, bit 30) or disables itself (one-shot, the enable
 * bit reads back clear afterwards). PCR reads the current down-count in bits
 * 28:0 and the pending interrupt in bit 30.
 *
 * Counting starts at the virtual time of the PTV write, not at the next edge
 * of a shared microsecond tick; each timer has exactly one scheduled event.
 * CNTR_1US is floor(virtual time in µs) as a 32-bit value, whatever USEC_CFG
 * says (the divisor only matters for a real oscillator); CNTR_FREEZE is stored.
 *
 * Interrupt outputs 0..3: TMR1, TMR2, TMR3, TMR4 (SPI 0, 1, 41, 42).
 */

import type { ScheduledEvent } from '../../events';
import type { Device, DeviceContext, DeviceType } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, type RegisterDef } from '../register-map';

const TYPE = 'nvidia,tegra20-timer';

const PTV_EN = 0x8000_0000;
const PTV_PERIODIC = 0x4000_0000;
const PTV_VALUE = 0x1fff_ffff;
const PCR_INTR = 0x4000_0000;

/** PTV offsets of TMR1..TMR4; PCR is at PTV + 4. */
const TIMER_BASES = [0x00, 0x08, 0x50, 0x58];

interface TimerState {
  /** Virtual time of the PTV write that started the count; periodic reloads keep this phase origin. */
  start: number;
  /** Due time of the pending expiry, or null when stopped. */
  due: number | null;
  ev: ScheduledEvent | null;
  pending: boolean;
  /** Count shown while stopped. */
  stopped: number;
}

export class TegraTimer extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    registers: { kind: 'registers', field: 'regs' },
    timers: { kind: 'group', field: 't', each: true, fields: { start: 'int', due: 'int?', pending: 'bool', stopped: 'int' } },
  };
  private readonly regs: RegisterMap;
  private readonly t: TimerState[] = [];
  private readonly ticksPerUs: number;

  constructor(private readonly ctx: DeviceContext) {
    super();
    this.name = ctx.name;
    this.ticksPerUs = ctx.ticksPerSecond / 1_000_000;
    for (let i = 0; i < 4; i++) this.t.push({ start: 0, due: null, ev: null, pending: false, stopped: 0 });
    const defs: RegisterDef[] = [];
    TIMER_BASES.forEach((base, i) => {
      const n = i + 1;
      defs.push(
        { offset: base, name: `TMR${n}_PTV`, reset: 0, write: (v, old) => this.writePtv(i, v, old) },
        { offset: base + 4, name: `TMR${n}_PCR`, reset: 0, read: () => this.pcr(i), write: (v) => this.writePcr(i, v) },
      );
    });
    defs.push(
      { offset: 0x10, name: 'TIMERUS_CNTR_1US', access: 'ro', read: () => this.usCounter() },
      { offset: 0x14, name: 'TIMERUS_USEC_CFG', reset: 0x0c },
      { offset: 0x4c, name: 'TIMERUS_CNTR_FREEZE', reset: 0 },
    );
    defs.sort((a, b) => a.offset - b.offset);
    this.regs = new RegisterMap(ctx, defs);
  }

  read(_region: number, offset: number, size: number): number { return this.regs.read(offset, size); }
  write(_region: number, offset: number, size: number, value: number): void { this.regs.write(offset, size, value); }

  reset(): void {
    for (let i = 0; i < 4; i++) {
      const t = this.t[i];
      if (t.ev) this.ctx.cancel(t.ev);
      t.ev = null; t.due = null; t.start = 0; t.stopped = 0;
      t.pending = false;
      this.ctx.irq(i).set(false);
    }
    this.regs.reset();
  }

  private usCounter(): number {
    return Math.floor(this.ctx.now() / this.ticksPerUs) >>> 0;
  }

  private periodTicks(ptv: number): number {
    return ((ptv & PTV_VALUE) + 1) * this.ticksPerUs;
  }

  /** Down-count of timer i at time `now` for the given PTV value. */
  private count(i: number, ptv: number, now: number): number {
    const t = this.t[i];
    if (t.due === null || !(ptv & PTV_EN)) return t.stopped;
    const value = ptv & PTV_VALUE;
    let elapsed = now - t.start;
    if (ptv & PTV_PERIODIC) elapsed %= this.periodTicks(ptv);
    const c = value - Math.floor(elapsed / this.ticksPerUs);
    return c < 0 ? 0 : c;
  }

  private pcr(i: number): number {
    const ptv = this.regs.getAt(TIMER_BASES[i]);
    return (this.count(i, ptv, this.ctx.now()) | (this.t[i].pending ? PCR_INTR : 0)) >>> 0;
  }

  private writePtv(i: number, v: number, old: number): void {
    const t = this.t[i];
    const now = this.ctx.now();
    const countBefore = this.count(i, old, now);
    if (t.ev) this.ctx.cancel(t.ev);
    t.ev = null;
    t.due = null;
    if (v & PTV_EN) {
      t.start = now;
      this.arm(i, now + this.periodTicks(v));
    } else {
      t.stopped = countBefore;
    }
  }

  private writePcr(i: number, v: number): void {
    // PCR holds no state: the count is live and bit 30 only acknowledges.
    this.regs.setAt(TIMER_BASES[i] + 4, 0);
    if ((v & PCR_INTR) && this.t[i].pending) {
      this.t[i].pending = false;
      this.ctx.irq(i).set(false);
    }
  }

  private arm(i: number, due: number): void {
    const t = this.t[i];
    t.due = due;
    t.ev = this.ctx.schedule(due, `${this.name}.tmr${i + 1}`, () => this.expire(i));
  }

  private expire(i: number): void {
    const t = this.t[i];
    const due = t.due!;
    t.ev = null;
    t.due = null;
    if (!t.pending) {
      t.pending = true;
      this.ctx.irq(i).set(true);
    }
    const base = TIMER_BASES[i];
    const ptv = this.regs.getAt(base);
    if (ptv & PTV_PERIODIC) {
      this.arm(i, due + this.periodTicks(ptv));
    } else {
      this.regs.setAt(base, ptv & ~PTV_EN);
      t.stopped = 0;
    }
  }

  restored(): void {
    // Re-arm each timer's expiry at its saved time and drive its interrupt.
    this.t.forEach((t, i) => {
      if (t.ev) this.ctx.cancel(t.ev);
      t.ev = null;
      const due = t.due;
      t.due = null;
      if (due !== null) this.arm(i, due);
      this.ctx.irq(i).set(t.pending);
    });
  }
}

export const tegraTimer: DeviceType = {
  type: TYPE,
  description: 'Tegra20 timers: TMR1..TMR4 (1 MHz down-counters, level interrupts) and the TMRUS microsecond counter',
  regions: ['registers'],
  regionSizes: [0x60],
  irqOutputs: 4,
  props: {},
  create: (ctx) => new TegraTimer(ctx),
};
