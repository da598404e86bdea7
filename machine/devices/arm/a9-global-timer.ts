/**
 * Cortex-A9 MPCore global timer (PERIPHBASE+0x200): a 64-bit up counter
 * clocked by PERIPHCLK / (prescaler + 1), shared by the cores, with CPU0's
 * banked comparator, auto-increment and event flag.
 *
 * The event flag is set while the counter is at or past the comparator
 * (the r2p0+ ">=" comparison, as QEMU's a9gtimer); with auto-increment the
 * comparator then advances by whole increments past the counter. The interrupt
 * output (PPI 27) is level: event flag AND IRQ enable. The counter can be
 * written only while the timer is disabled (as QEMU: a write while enabled is
 * a guest error and is ignored).
 *
 * The counter is computed from virtual time on read; one event is scheduled
 * for the time the counter reaches the comparator.
 */

import type { ScheduledEvent } from '../../events';
import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap } from '../register-map';

const TYPE = 'arm,cortex-a9-global-timer';

const CTRL_TIMER_ENABLE = 1 << 0;
const CTRL_COMP_ENABLE = 1 << 1;
const CTRL_IRQ_ENABLE = 1 << 2;
const CTRL_AUTO_INCREMENT = 1 << 3;
const CTRL_MASK = 0xff0f;

const MASK64 = (1n << 64n) - 1n;

class A9GlobalTimer extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    control: 'u32', status: 'u32', compare: 'u64', increment: 'u32', counterRef: 'u64', refTime: 'int', eventDue: 'int',
  };
  private readonly clockHz: number;

  private control = 0;
  private status = 0;
  private compare = 0n;
  private increment = 0;
  /** Counter while disabled; while enabled, its value at `refTime`. */
  private counterRef = 0n;
  private refTime = 0;
  private event: ScheduledEvent | null = null;
  private eventDue = -1;
  private readonly regs: RegisterMap;

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    this.clockHz = prop(props, 'clock-hz', GLOBAL_TIMER_PROPS['clock-hz']);
    this.regs = new RegisterMap(ctx, [
      { offset: 0x00, name: 'Global Timer Counter Low', read: () => Number(this.counter() & 0xffffffffn), write: (v) => this.writeCounter(v, 0) },
      { offset: 0x04, name: 'Global Timer Counter High', read: () => Number(this.counter() >> 32n), write: (v) => this.writeCounter(v, 32) },
      { offset: 0x08, name: 'Global Timer Control', read: () => this.control, write: (v) => this.writeControl(v) },
      {
        offset: 0x0c, name: 'Global Timer Interrupt Status', access: 'w1c', writeMask: 1,
        read: () => this.status, write: (v) => { this.evaluate(); this.status &= ~v & 1; this.evaluate(); },
      },
      { offset: 0x10, name: 'Comparator Value Low', read: () => Number(this.compare & 0xffffffffn), write: (v) => this.writeCompare(v, 0) },
      { offset: 0x14, name: 'Comparator Value High', read: () => Number(this.compare >> 32n), write: (v) => this.writeCompare(v, 32) },
      { offset: 0x18, name: 'Auto-increment Register', read: () => this.increment, write: (v) => { this.increment = v >>> 0; } },
    ]);
  }

  private get prescaler(): number { return (this.control >>> 8) & 0xff; }
  private get enabled(): boolean { return (this.control & CTRL_TIMER_ENABLE) !== 0; }

  counter(): bigint {
    if (!this.enabled) return this.counterRef;
    const elapsed = BigInt(this.ctx.now() - this.refTime) * BigInt(this.clockHz)
      / (BigInt(this.ctx.ticksPerSecond) * BigInt(this.prescaler + 1));
    return (this.counterRef + elapsed) & MASK64;
  }

  /** First time at which the counter shows `value` (which must not be behind it). */
  private timeOfCounter(value: bigint): number {
    const n = (value - this.counterRef) & MASK64;
    const den = BigInt(this.clockHz);
    const num = n * BigInt(this.ctx.ticksPerSecond) * BigInt(this.prescaler + 1);
    return this.refTime + Number((num + den - 1n) / den);
  }

  /** Re-anchors the running counter at the current time (before the clock changes). */
  private sync(): void {
    this.counterRef = this.counter();
    this.refTime = this.ctx.now();
  }

  private writeCounter(v: number, shift: 0 | 32): void {
    if (this.enabled) {
      this.ctx.guestError('write to the global timer counter while it is enabled ignored');
      return;
    }
    const keep = shift ? 0xffffffffn : 0xffffffffn << 32n;
    this.counterRef = (this.counterRef & keep) | (BigInt(v >>> 0) << BigInt(shift));
    this.evaluate();
  }

  private writeControl(v: number): void {
    const old = this.control;
    const next = (v & CTRL_MASK) >>> 0;
    if ((old ^ next) & (CTRL_TIMER_ENABLE | 0xff00)) {
      // Freeze or re-anchor under the old clock, then continue under the new one.
      this.sync();
    }
    this.control = next;
    this.evaluate();
  }

  private writeCompare(v: number, shift: 0 | 32): void {
    this.evaluate();
    const keep = shift ? 0xffffffffn : 0xffffffffn << 32n;
    this.compare = (this.compare & keep) | (BigInt(v >>> 0) << BigInt(shift));
    this.evaluate();
  }

  /** Sets the event flag if the comparator has been reached, advances it, drives the IRQ and schedules the next match. */
  private evaluate(): void {
    if (this.event) this.ctx.cancel(this.event);
    this.event = null;
    this.eventDue = -1;
    if (this.enabled && (this.control & CTRL_COMP_ENABLE)) {
      const now = this.counter();
      if (this.compare <= now) {
        this.status = 1;
        if ((this.control & CTRL_AUTO_INCREMENT) && this.increment) {
          const inc = BigInt(this.increment);
          const steps = (now - this.compare) / inc + 1n;
          this.compare = (this.compare + steps * inc) & MASK64;
        }
      }
      if (this.compare > now) this.scheduleAt(this.timeOfCounter(this.compare));
    }
    this.ctx.irq(0).set(this.status === 1 && (this.control & CTRL_IRQ_ENABLE) !== 0);
  }

  private scheduleAt(due: number): void {
    this.eventDue = due;
    this.event = this.ctx.schedule(due, 'global timer comparator', () => {
      this.event = null;
      this.eventDue = -1;
      this.evaluate();
    });
  }

  read(_region: number, offset: number, size: number): number { return this.regs.readWord(offset, size); }

  write(_region: number, offset: number, size: number, value: number): void { this.regs.writeWord(offset, size, value); }

  reset(): void {
    this.control = 0;
    this.status = 0;
    this.compare = 0n;
    this.increment = 0;
    this.counterRef = 0n;
    this.refTime = this.ctx.now();
    this.evaluate();
  }

  /** After a restore: re-arm the comparator event and drive the interrupt from the restored state. */
  restored(): void {
    if (this.event) this.ctx.cancel(this.event);
    this.event = null;
    if (this.eventDue >= 0) this.scheduleAt(this.eventDue);
    this.ctx.irq(0).set(this.status === 1 && (this.control & CTRL_IRQ_ENABLE) !== 0);
  }
}

const GLOBAL_TIMER_PROPS = {
  'clock-hz': { default: 250_000_000, min: 1, max: 0xffffffff, description: 'counter clock (PERIPHCLK)' },
} satisfies Record<string, PropRule>;

export const a9GlobalTimer: DeviceType = {
  type: TYPE,
  description: 'Cortex-A9 MPCore global timer: 64-bit up counter with CPU0\'s comparator (PERIPHBASE+0x200)',
  regions: ['registers'],
  regionSizes: [0x20],
  irqOutputs: 1,
  props: GLOBAL_TIMER_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    return new A9GlobalTimer(ctx, props);
  },
};
