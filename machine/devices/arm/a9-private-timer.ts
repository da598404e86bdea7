/**
 * Cortex-A9 MPCore private timers and watchdogs (TWD), at PERIPHBASE+0x600:
 * one timer and one watchdog per core. As on the Cortex-A9 (and QEMU's
 * a9mpcore, which maps only these windows), each core sees its own at the
 * same addresses: the registers are banked by the core whose access the
 * device serves (DeviceContext.currentCore); there are no windows onto
 * another core's timer. Each core's timer and watchdog drive that core's
 * outputs (board wiring `irq: [gic:29, gic:30]`: that core's PPIs 29 and 30).
 *
 * Both are 32-bit down counters clocked by PERIPHCLK / (prescaler + 1). When
 * the counter reaches zero the event flag is set; in auto-reload mode the
 * counter shows the load value one count later (period = load + 1 counts), in
 * single-shot mode it stays at zero. The interrupt outputs are level: event
 * flag AND interrupt enable (as QEMU's arm_mptimer). In watchdog mode the
 * watchdog instead sets its reset flag and resets the machine (whichever
 * core's watchdog it is); only the
 * 0x12345678, 0x87654321 sequence written to the disable register leaves
 * watchdog mode.
 *
 * Counter values are computed from virtual time on read; one event is
 * scheduled for the next time a counter reaches zero.
 *
 * Corner cases follow QEMU's arm_mptimer: writing Load also loads the counter;
 * enabling (or writing 0 to the counter of) an auto-reload timer whose counter
 * is 0 reloads it from Load; a single-shot timer at 0 does not fire; an
 * auto-reload timer with load 0 and prescaler 0 stops after the first event.
 */

import type { ScheduledEvent } from '../../events';
import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, type PropRule } from '../device';
import { DeclaredStateDevice, type FieldKind, type FieldSpec, type StateDecl, type Stateful } from '../state';
import { RegisterMap } from '../register-map';

const TYPE = 'arm,cortex-a9-twd-timer';

const CTRL_ENABLE = 1 << 0;
const CTRL_AUTO_RELOAD = 1 << 1;
const CTRL_IRQ_ENABLE = 1 << 2;
const CTRL_WATCHDOG_MODE = 1 << 3;

/** One down counter: the private timer or the watchdog. */
class DownCounter implements Stateful {
  readonly stateFields: StateDecl = {
    load: 'u32', control: 'u32', status: 'u32', frozen: 'u32', running: 'bool',
    anchorTime: 'int', anchorCount: 'u32', nextZero: 'int', eventDue: 'int',
  };
  load = 0;
  control = 0;
  status = 0;
  /** Counter value while stopped. */
  frozen = 0;
  running = false;
  /** While running: the counter was `anchorCount` at `anchorTime`. */
  anchorTime = 0;
  anchorCount = 0;
  /** Index of the next zero crossing since the anchor (0 = the first time it reaches zero). */
  nextZero = 0;
  event: ScheduledEvent | null = null;
  eventDue = -1;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly clockHz: number,
    readonly label: string,
    private readonly controlMask: number,
    private readonly onZero: () => void,
  ) {}

  get prescaler(): number { return (this.control >>> 8) & 0xff; }
  get periodic(): boolean { return (this.control & CTRL_AUTO_RELOAD) !== 0; }

  /** Counts elapsed since the anchor at time `t`. */
  private countsAt(t: number): bigint {
    const num = BigInt(t - this.anchorTime) * BigInt(this.clockHz);
    return num / (BigInt(this.ctx.ticksPerSecond) * BigInt(this.prescaler + 1));
  }

  /** First time at which `n` counts have elapsed since the anchor. */
  private timeOfCount(n: bigint): number {
    const den = BigInt(this.clockHz);
    const num = n * BigInt(this.ctx.ticksPerSecond) * BigInt(this.prescaler + 1);
    return this.anchorTime + Number((num + den - 1n) / den);
  }

  /** Count index (since the anchor) of zero crossing number `j`. */
  private zeroIndex(j: number): bigint {
    return BigInt(this.anchorCount) + BigInt(j) * (BigInt(this.load) + 1n);
  }

  value(): number {
    if (!this.running) return this.frozen;
    const n = this.countsAt(this.ctx.now());
    const c = BigInt(this.anchorCount);
    if (n <= c) return Number(c - n);
    if (!this.periodic) return 0;
    const period = BigInt(this.load) + 1n;
    const k = (n - c - 1n) % period;
    return Number(BigInt(this.load) - k);
  }

  private cancel(): void {
    if (this.event) this.ctx.cancel(this.event);
    this.event = null;
    this.eventDue = -1;
  }

  private scheduleAt(due: number): void {
    this.eventDue = due;
    this.event = this.ctx.schedule(due, `${this.label} reaches zero`, () => this.fire());
  }

  private stop(value: number): void {
    this.cancel();
    this.running = false;
    this.frozen = value >>> 0;
  }

  /** (Re)starts counting down from `count` now, or leaves the counter stopped at `count`. */
  private start(count: number): void {
    this.cancel();
    count >>>= 0;
    if (!(this.control & CTRL_ENABLE)) { this.stop(count); return; }
    if (count === 0) {
      // A single-shot timer at zero has nothing to count; an auto-reload one reloads,
      // except that with a prescaler the reload happens one count later (below).
      if (!this.periodic) { this.stop(0); return; }
      if (this.prescaler === 0) {
        count = this.load;
        if (count === 0) { this.stop(0); return; }
      }
    }
    this.running = true;
    this.anchorTime = this.ctx.now();
    this.anchorCount = count;
    // Starting at zero is not itself an event.
    this.nextZero = count === 0 ? 1 : 0;
    this.scheduleAt(this.timeOfCount(this.zeroIndex(this.nextZero)));
  }

  private fire(): void {
    this.event = null;
    this.eventDue = -1;
    this.onZero();
    if (!this.running) return; // onZero may have stopped it (watchdog reset)
    if (this.periodic && !(this.load === 0 && this.prescaler === 0)) {
      this.nextZero++;
      this.scheduleAt(this.timeOfCount(this.zeroIndex(this.nextZero)));
    } else {
      this.stop(0);
    }
  }

  writeLoad(v: number): void {
    this.load = v >>> 0;
    this.start(this.load);
  }

  writeCounter(v: number): void {
    this.start(v);
  }

  writeControl(v: number, keepBits = 0): void {
    const old = this.control;
    const current = this.value();
    this.control = ((v & this.controlMask) | (old & keepBits)) >>> 0;
    const changed = (old ^ this.control) & (CTRL_ENABLE | CTRL_AUTO_RELOAD | 0xff00);
    if (!(this.control & CTRL_ENABLE)) {
      if (this.running) this.stop(current);
    } else if (changed) {
      this.start(current);
    }
  }

  reset(): void {
    this.cancel();
    this.load = 0;
    this.control = 0;
    this.status = 0;
    this.frozen = 0;
    this.running = false;
    this.anchorTime = 0;
    this.anchorCount = 0;
    this.nextZero = 0;
  }

  /** After a restore: re-arm the zero-crossing event at its saved time. */
  restored(): void {
    const due = this.eventDue;
    this.cancel();
    if (due >= 0) this.scheduleAt(due);
  }
}

/** One core's timer and watchdog with their registers. */
class TwdBank implements Stateful {
  readonly stateFields: StateDecl = {
    timer: 'group', watchdog: { kind: 'group', field: 'wdt' }, resetFlag: 'u32', disableStep: 'u32',
  };
  readonly timer: DownCounter;
  readonly wdt: DownCounter;
  /** Watchdog reset flag: kept across the reset it causes (only power-on clears it). */
  resetFlag = 0;
  /** Progress through the disable sequence: 1 after 0x12345678. */
  disableStep = 0;
  readonly regs: RegisterMap;

  constructor(private readonly ctx: DeviceContext, clockHz: number, private readonly core: number) {
    const of = core === 0 ? '' : ` of core ${core}`;
    this.timer = new DownCounter(ctx, clockHz, `private timer${of}`, 0xff07, () => {
      this.timer.status = 1;
      this.updateIrq();
    });
    this.wdt = new DownCounter(ctx, clockHz, `watchdog${of}`, 0xff0f, () => {
      if (this.wdt.control & CTRL_WATCHDOG_MODE) {
        this.resetFlag = 1;
        this.wdt.writeControl(this.wdt.control & ~CTRL_ENABLE, CTRL_WATCHDOG_MODE);
        this.ctx.requestReset();
      } else {
        this.wdt.status = 1;
        this.updateIrq();
      }
    });

    const t = this.timer;
    const w = this.wdt;
    this.regs = new RegisterMap(ctx, [
      { offset: 0x00, name: 'Timer Load', read: () => t.load, write: (v) => t.writeLoad(v) },
      { offset: 0x04, name: 'Timer Counter', read: () => t.value(), write: (v) => t.writeCounter(v) },
      { offset: 0x08, name: 'Timer Control', read: () => t.control, write: (v) => { t.writeControl(v); this.updateIrq(); } },
      {
        offset: 0x0c, name: 'Timer Interrupt Status', access: 'w1c', writeMask: 1,
        read: () => t.status, write: (v) => { t.status &= ~v & 1; this.updateIrq(); },
      },
      { offset: 0x20, name: 'Watchdog Load', read: () => w.load, write: (v) => w.writeLoad(v) },
      { offset: 0x24, name: 'Watchdog Counter', read: () => w.value(), write: (v) => w.writeCounter(v) },
      {
        offset: 0x28, name: 'Watchdog Control', read: () => w.control,
        // The watchdog mode bit can be set here but only cleared through the disable register.
        write: (v) => { w.writeControl(v, CTRL_WATCHDOG_MODE); this.updateIrq(); },
      },
      {
        offset: 0x2c, name: 'Watchdog Interrupt Status', access: 'w1c', writeMask: 1,
        read: () => w.status, write: (v) => { w.status &= ~v & 1; this.updateIrq(); },
      },
      {
        offset: 0x30, name: 'Watchdog Reset Status', access: 'w1c', writeMask: 1,
        read: () => this.resetFlag, write: (v) => { this.resetFlag &= ~v & 1; },
      },
      { offset: 0x34, name: 'Watchdog Disable', access: 'wo', write: (v) => this.disableWrite(v) },
    ]);
  }

  private disableWrite(v: number): void {
    if (v === 0x12345678) {
      this.disableStep = 1;
    } else if (v === 0x87654321 && this.disableStep === 1) {
      this.disableStep = 0;
      this.wdt.control &= ~CTRL_WATCHDOG_MODE;
    } else {
      this.disableStep = 0;
    }
  }

  /** Drives this core's outputs: 0 the timer, 1 the watchdog. */
  updateIrq(): void {
    this.ctx.coreIrq(this.core, 0).set(this.timer.status === 1 && (this.timer.control & CTRL_IRQ_ENABLE) !== 0);
    this.ctx.coreIrq(this.core, 1).set(this.wdt.status === 1 && (this.wdt.control & CTRL_IRQ_ENABLE) !== 0
      && !(this.wdt.control & CTRL_WATCHDOG_MODE));
  }

  reset(): void {
    this.timer.reset();
    this.wdt.reset();
    this.disableStep = 0;
    this.updateIrq();
  }
}

class A9PrivateTimer extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl;
  /** banks[k]: core k's timer and watchdog. */
  private readonly banks: TwdBank[];
  /** The banks of cores 1 and up (their snapshot bank). */
  private readonly otherBanks: TwdBank[];

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    const clockHz = prop(props, 'clock-hz', TWD_PROPS['clock-hz']);
    this.banks = Array.from({ length: ctx.cores }, (_, k) => new TwdBank(ctx, clockHz, k));
    this.otherBanks = this.banks.slice(1);
    // Core 0's bank keeps the field names of a one-core device (its snapshots
    // and the state hashes of recordings are unchanged); the other cores' banks
    // are kept by core number, only with several cores.
    const decl: Record<string, FieldKind | FieldSpec> = {
      timer: { kind: 'group', field: 'banks.0.timer' },
      watchdog: { kind: 'group', field: 'banks.0.wdt' },
      resetFlag: { kind: 'u32', field: 'banks.0.resetFlag' },
      disableStep: { kind: 'u32', field: 'banks.0.disableStep' },
    };
    if (ctx.cores > 1) decl.cores = { kind: 'group', field: 'otherBanks', each: this.otherBanks.map((_, i) => String(i + 1)) };
    this.stateFields = decl;
  }

  private bank(): TwdBank {
    return this.banks[this.ctx.cores > 1 ? this.ctx.currentCore() : 0];
  }

  read(_region: number, offset: number, size: number): number { return this.bank().regs.readWord(offset, size); }

  write(_region: number, offset: number, size: number, value: number): void { this.bank().regs.writeWord(offset, size, value); }

  reset(): void {
    for (const b of this.banks) b.reset();
  }

  restored(): void { for (const b of this.banks) b.updateIrq(); }
}

const TWD_PROPS = {
  'clock-hz': { default: 250_000_000, min: 1, max: 0xffffffff, description: 'counter clock (PERIPHCLK)' },
} satisfies Record<string, PropRule>;

export const a9PrivateTimer: DeviceType = {
  type: TYPE,
  description: 'Cortex-A9 MPCore private timer and watchdog, one of each per core (PERIPHBASE+0x600)',
  regions: ['registers'],
  regionSizes: [0x100],
  irqOutputs: 2,
  perCoreOutputs: true,
  props: TWD_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    return new A9PrivateTimer(ctx, props);
  },
};
