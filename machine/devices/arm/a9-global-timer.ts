/**
 * Cortex-A9 MPCore global timer (PERIPHBASE+0x200): a 64-bit up counter
 * clocked by PERIPHCLK / (prescaler + 1), shared by the cores, with a
 * comparator, auto-increment and event flag banked per core.
 *
 * As QEMU's a9gtimer: the counter, the timer enable bit and the prescaler
 * are shared; the comparator, the auto-increment value, the event flag and
 * the comparator enable, IRQ enable and auto-increment bits of the control
 * register are banked by the core whose access the device serves
 * (DeviceContext.currentCore). A read of the control register shows the
 * shared bits with the core's own banked bits.
 *
 * A core's event flag is set while the counter is at or past its comparator
 * (the r2p0+ ">=" comparison); with auto-increment its comparator then
 * advances by whole increments past the counter. Each core's interrupt
 * output (its PPI 27) is level: its event flag AND its IRQ enable. The
 * counter can be written only while the timer is disabled (as QEMU: a write
 * while enabled is a guest error and is ignored).
 *
 * The counter is computed from virtual time on read; one event is scheduled
 * for the time the counter reaches the nearest enabled comparator.
 */

import type { ScheduledEvent } from '../../events';
import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, type PropRule } from '../device';
import { DeclaredStateDevice, type FieldKind, type FieldSpec, type StateDecl, type Stateful } from '../state';
import { RegisterMap } from '../register-map';

const TYPE = 'arm,cortex-a9-global-timer';

const CTRL_TIMER_ENABLE = 1 << 0;
const CTRL_COMP_ENABLE = 1 << 1;
const CTRL_IRQ_ENABLE = 1 << 2;
const CTRL_AUTO_INCREMENT = 1 << 3;
const CTRL_MASK = 0xff0f;
/** Control bits kept per core; the others (enable, prescaler) are shared. */
const CTRL_BANKED = CTRL_COMP_ENABLE | CTRL_IRQ_ENABLE | CTRL_AUTO_INCREMENT;

const MASK64 = (1n << 64n) - 1n;

/** One core's comparator. */
class Comparator implements Stateful {
  readonly stateFields: StateDecl = { control: 'u32', status: 'u32', compare: 'u64', increment: 'u32' };
  /** The banked control bits (CTRL_BANKED). */
  control = 0;
  status = 0;
  compare = 0n;
  increment = 0;

  reset(): void {
    this.control = 0;
    this.status = 0;
    this.compare = 0n;
    this.increment = 0;
  }
}

class A9GlobalTimer extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl;
  private readonly clockHz: number;

  /** The shared control bits (timer enable, prescaler). */
  private shared = 0;
  /** comparators[k]: core k's. */
  private readonly comparators: Comparator[];
  /** The comparators of cores 1 and up (their snapshot bank). */
  private readonly others: Comparator[];
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
    this.comparators = Array.from({ length: ctx.cores }, () => new Comparator());
    this.others = this.comparators.slice(1);
    // Core 0's comparator keeps the field names of a one-core device ("control"
    // is the whole register as core 0 reads it), so one-core snapshots and the
    // state hashes of recordings are unchanged; the other cores' comparators are
    // kept by core number, only with several cores.
    const decl: Record<string, FieldKind | FieldSpec> = {
      control: { kind: 'u32', field: 'control0' },
      status: { kind: 'u32', field: 'comparators.0.status' },
      compare: { kind: 'u64', field: 'comparators.0.compare' },
      increment: { kind: 'u32', field: 'comparators.0.increment' },
      counterRef: 'u64', refTime: 'int', eventDue: 'int',
    };
    if (ctx.cores > 1) decl.cores = { kind: 'group', field: 'others', each: this.others.map((_, i) => String(i + 1)) };
    this.stateFields = decl;
    const c = () => this.comparators[this.ctx.cores > 1 ? this.ctx.currentCore() : 0];
    this.regs = new RegisterMap(ctx, [
      { offset: 0x00, name: 'Global Timer Counter Low', read: () => Number(this.counter() & 0xffffffffn), write: (v) => this.writeCounter(v, 0) },
      { offset: 0x04, name: 'Global Timer Counter High', read: () => Number(this.counter() >> 32n), write: (v) => this.writeCounter(v, 32) },
      { offset: 0x08, name: 'Global Timer Control', read: () => (this.shared | c().control) >>> 0, write: (v) => this.writeControl(c(), v) },
      {
        offset: 0x0c, name: 'Global Timer Interrupt Status', access: 'w1c', writeMask: 1,
        read: () => c().status, write: (v) => { const k = c(); this.evaluate(); k.status &= ~v & 1; this.evaluate(); },
      },
      { offset: 0x10, name: 'Comparator Value Low', read: () => Number(c().compare & 0xffffffffn), write: (v) => this.writeCompare(c(), v, 0) },
      { offset: 0x14, name: 'Comparator Value High', read: () => Number(c().compare >> 32n), write: (v) => this.writeCompare(c(), v, 32) },
      { offset: 0x18, name: 'Auto-increment Register', read: () => c().increment, write: (v) => { c().increment = v >>> 0; } },
    ]);
  }

  /** The control register as core 0 sees it (its snapshot field). */
  get control0(): number { return (this.shared | this.comparators[0].control) >>> 0; }
  set control0(v: number) {
    this.shared = (v & ~CTRL_BANKED) >>> 0;
    this.comparators[0].control = v & CTRL_BANKED;
  }

  private get prescaler(): number { return (this.shared >>> 8) & 0xff; }
  private get enabled(): boolean { return (this.shared & CTRL_TIMER_ENABLE) !== 0; }

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

  private writeControl(k: Comparator, v: number): void {
    const old = this.shared;
    const next = (v & CTRL_MASK & ~CTRL_BANKED) >>> 0;
    if ((old ^ next) & (CTRL_TIMER_ENABLE | 0xff00)) {
      // Freeze or re-anchor under the old clock, then continue under the new one.
      this.sync();
    }
    this.shared = next;
    k.control = v & CTRL_BANKED;
    this.evaluate();
  }

  private writeCompare(k: Comparator, v: number, shift: 0 | 32): void {
    this.evaluate();
    const keep = shift ? 0xffffffffn : 0xffffffffn << 32n;
    k.compare = (k.compare & keep) | (BigInt(v >>> 0) << BigInt(shift));
    this.evaluate();
  }

  /**
   * Sets each core's event flag if its comparator has been reached, advances
   * it, drives each core's IRQ and schedules the nearest next match.
   */
  private evaluate(): void {
    if (this.event) this.ctx.cancel(this.event);
    this.event = null;
    this.eventDue = -1;
    let next: bigint | undefined;
    if (this.enabled) {
      const now = this.counter();
      for (const k of this.comparators) {
        if (!(k.control & CTRL_COMP_ENABLE)) continue;
        if (k.compare <= now) {
          k.status = 1;
          if ((k.control & CTRL_AUTO_INCREMENT) && k.increment) {
            const inc = BigInt(k.increment);
            const steps = (now - k.compare) / inc + 1n;
            k.compare = (k.compare + steps * inc) & MASK64;
          }
        }
        if (k.compare > now && (next === undefined || k.compare < next)) next = k.compare;
      }
    }
    if (next !== undefined) this.scheduleAt(this.timeOfCounter(next));
    this.driveIrqs();
  }

  private driveIrqs(): void {
    this.comparators.forEach((k, core) => this.ctx.coreIrq(core, 0).set(k.status === 1 && (k.control & CTRL_IRQ_ENABLE) !== 0));
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
    this.shared = 0;
    for (const k of this.comparators) k.reset();
    this.counterRef = 0n;
    this.refTime = this.ctx.now();
    this.evaluate();
  }

  /** After a restore: re-arm the comparator event and drive the interrupts from the restored state. */
  restored(): void {
    if (this.event) this.ctx.cancel(this.event);
    this.event = null;
    if (this.eventDue >= 0) this.scheduleAt(this.eventDue);
    this.driveIrqs();
  }
}

const GLOBAL_TIMER_PROPS = {
  'clock-hz': { default: 250_000_000, min: 1, max: 0xffffffff, description: 'counter clock (PERIPHCLK)' },
} satisfies Record<string, PropRule>;

export const a9GlobalTimer: DeviceType = {
  type: TYPE,
  description: 'Cortex-A9 MPCore global timer: 64-bit up counter shared by the cores, a comparator per core (PERIPHBASE+0x200)',
  regions: ['registers'],
  regionSizes: [0x20],
  irqOutputs: 1,
  perCoreOutputs: true,
  props: GLOBAL_TIMER_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    return new A9GlobalTimer(ctx, props);
  },
};
