/**
 * ARM SP804 dual timer, as QEMU 7.2 models it (hw/timer/arm_timer.c on top of
 * hw/core/ptimer.c with PTIMER_POLICY_LEGACY), because vexpress-a9 outputs are
 * compared byte for byte with QEMU's. The behaviours that differ from the
 * ARM TRM are QEMU's and are kept on purpose:
 *
 * - TimerValue reads 0 after reset (not 0xFFFFFFFF). A write to TimerLoad
 *   sets the count to the limit at once: in free-running mode (neither
 *   periodic nor one-shot) that limit is 0xFFFF or 0xFFFFFFFF, not the load.
 * - Writing TimerControl while enabled reloads the count from the limit;
 *   disabling freezes the count, and enabling again starts from the limit.
 * - The 16-bit size only affects the free-running wrap value; periodic and
 *   one-shot modes count down from the full 32-bit load.
 * - A periodic or free-running timer whose period would be under 10 us is
 *   slowed to 10 us per period (QEMU does this when not using -icount).
 * - Writing a zero load to a running timer raises the interrupt and stops
 *   the count (QEMU prints "Timer with delta zero, disabling").
 * - The prescaler divides the clock by shifting (1 MHz / 256 = 3906 Hz), and
 *   periods are 64.32 fixed-point nanoseconds, exactly as ptimer computes.
 * - A byte or halfword access reads or writes the low bits of the register
 *   the offset falls in.
 *
 * Counter values are computed from virtual time on read; exactly one event
 * per running timer is scheduled, for its next expiry.
 *
 * One interrupt output: the OR of both timers' masked interrupts (TIMINTC).
 * Prop 'clock-hz' (default 1 MHz, as on vexpress) clocks both timers.
 */

import { prop, type PropRule, type Device, type DeviceContext, type DeviceProps, type DeviceType, type IrqOutput } from '../device';
import { DeclaredStateDevice, type StateDecl, type Stateful } from '../state';
import type { ScheduledEvent } from '../../events';
import { RegisterMap, type RegisterDef } from '../register-map';

const TYPE = 'arm,sp804';

const CTRL_ONESHOT = 1 << 0;
const CTRL_32BIT = 1 << 1;
const CTRL_IE = 1 << 5;
const CTRL_PERIODIC = 1 << 6;
const CTRL_ENABLE = 1 << 7;

/** TimerPeriphID0-3, TimerPCellID0-3. */
const ID = [0x04, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

const NS_PER_S = 1_000_000_000n;
const U64 = (1n << 64n) - 1n;
/** QEMU's floor on the period of a repeating ptimer when not in icount mode. */
const MIN_PERIOD_NS = 10_000n;

function clz64(v: bigint): number {
  if (v === 0n) return 64;
  return 64 - v.toString(2).length;
}

/**
 * QEMU's ptimer (legacy policy): a down-counter with a limit, a period in
 * 64.32 fixed-point nanoseconds, and one expiry timer. Changes are grouped in
 * transactions; a reload at commit restarts the countdown from "now".
 */
class PTimer implements Stateful {
  readonly stateFields: StateDecl = {
    enabled: 'int', limit: 'bigint', delta: 'bigint', period: 'bigint', periodFrac: 'bigint',
    lastEvent: 'bigint', nextEvent: 'bigint', due: 'int?',
  };
  /** 0 = stopped, 1 = periodic (repeating), 2 = one-shot. */
  enabled = 0;
  limit = 0n;
  delta = 0n;
  period = 0n;
  periodFrac = 0n;
  lastEvent = 0n;
  nextEvent = 0n;
  /** Set inside a begin/commit group when the countdown must restart at commit. */
  private needReload = false;
  private event: ScheduledEvent | undefined;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly what: string,
    private readonly trigger: () => void,
  ) {}

  nowNs(): bigint {
    const t = this.ctx.now();
    const tps = this.ctx.ticksPerSecond;
    return tps === 1e9 ? BigInt(t) : (BigInt(t) * NS_PER_S) / BigInt(tps);
  }

  private nsToTick(ns: bigint): number {
    const tps = this.ctx.ticksPerSecond;
    if (tps === 1e9) return Number(ns);
    return Number((ns * BigInt(tps) + NS_PER_S - 1n) / NS_PER_S);
  }

  begin(): void {
    this.needReload = false;
  }

  commit(): void {
    while (this.needReload && this.enabled) {
      this.needReload = false;
      this.nextEvent = this.nowNs();
      this.reload();
    }
  }

  getCount(): bigint {
    if (!this.enabled || this.delta === 0n) return this.delta;
    const now = this.nowNs();
    const next = this.nextEvent;
    if (now - next >= 0n) return 0n;
    let period = this.period;
    let frac = this.periodFrac;
    if (this.enabled !== 2 && this.delta * period < MIN_PERIOD_NS) {
      period = MIN_PERIOD_NS / this.delta;
      frac = 0n;
    }
    // Divide by the 64.32 fixed-point period the way QEMU does (scaled, rounded down).
    let rem = next - now;
    let div = period;
    const shift = Math.min(clz64(rem), clz64(div));
    const sh = BigInt(shift);
    rem = (rem << sh) & U64;
    div = (div << sh) & U64;
    if (shift >= 32) {
      div |= (frac << (sh - 32n)) & U64;
    } else {
      if (shift !== 0) div |= frac >> (32n - sh);
      if (((frac << sh) & 0xffffffffn) !== 0n) div += 1n;
    }
    if (div === 0n) return 0n;
    return rem / div;
  }

  setLimit(limit: bigint, reload: boolean): void {
    this.limit = limit;
    if (reload) this.delta = limit;
    if (this.enabled && reload) this.needReload = true;
  }

  setFreq(freq: number): void {
    this.delta = this.getCount();
    if (freq <= 0) {
      this.period = 0n;
      this.periodFrac = 0n;
    } else {
      const f = BigInt(freq);
      this.period = NS_PER_S / f;
      this.periodFrac = ((NS_PER_S << 32n) / f) & 0xffffffffn;
    }
    if (this.enabled) this.needReload = true;
  }

  run(oneshot: boolean): void {
    const wasDisabled = !this.enabled;
    if (wasDisabled && this.period === 0n) {
      this.ctx.guestError('Timer with period zero, disabling');
      return;
    }
    this.enabled = oneshot ? 2 : 1;
    if (wasDisabled) this.needReload = true;
  }

  stop(): void {
    if (!this.enabled) return;
    this.delta = this.getCount();
    this.unschedule();
    this.enabled = 0;
    this.needReload = false;
  }

  private reload(): void {
    if (this.delta === 0n) this.trigger();
    let delta = this.delta;
    let period = this.period;
    let frac = this.periodFrac;
    if (delta === 0n) delta = this.delta = this.limit;
    if (this.period === 0n) {
      this.ctx.guestError('Timer with period zero, disabling');
      this.unschedule();
      this.enabled = 0;
      return;
    }
    if (delta === 0n) {
      if (this.enabled === 0) return;
      this.ctx.guestError('Timer with delta zero, disabling');
      this.unschedule();
      this.enabled = 0;
      return;
    }
    if (this.enabled === 1 && delta * period < MIN_PERIOD_NS) {
      period = MIN_PERIOD_NS / delta;
      frac = 0n;
    }
    this.lastEvent = this.nextEvent;
    this.nextEvent = this.lastEvent + delta * period;
    if (frac) this.nextEvent += ((frac * delta) & U64) >> 32n;
    this.schedule();
  }

  /** The expiry event. */
  private tick(): void {
    this.event = undefined;
    let trigger = true;
    this.begin();
    if (this.enabled === 2) {
      this.delta = 0n;
      this.enabled = 0;
    } else {
      // A reload that finds a zero limit raises the interrupt itself.
      trigger = this.delta !== 0n && this.limit !== 0n;
      this.delta = this.limit;
      this.reload();
    }
    if (trigger) this.trigger();
    this.commit();
  }

  private schedule(): void {
    this.unschedule();
    this.event = this.ctx.schedule(this.nsToTick(this.nextEvent), this.what, () => this.tick());
  }

  private unschedule(): void {
    if (this.event) this.ctx.cancel(this.event);
    this.event = undefined;
  }

  clear(): void {
    this.unschedule();
    this.enabled = 0;
    this.limit = this.delta = this.period = this.periodFrac = this.lastEvent = this.nextEvent = 0n;
    this.needReload = false;
  }

  /** Declared state: when the pending expiry is due (null: none); setting it re-arms the expiry. */
  get due(): number | null { return this.event ? this.event.time : null; }
  set due(time: number | null) {
    this.unschedule();
    if (time !== null) this.event = this.ctx.schedule(time, this.what, () => this.tick());
  }

  restored(): void { this.needReload = false; }
}

/** One of the two timers: QEMU's arm_timer_state. */
class ArmTimer implements Stateful {
  readonly stateFields: StateDecl = { control: 'u32', load: { kind: 'u32', field: 'limit' }, intLevel: 'u32', ptimer: 'group' };
  control = CTRL_IE;
  limit = 0;
  intLevel = 0;
  readonly ptimer: PTimer;

  constructor(ctx: DeviceContext, what: string, private readonly freq: number, private readonly changed: () => void) {
    this.ptimer = new PTimer(ctx, what, () => { this.intLevel = 1; this.changed(); });
  }

  level(): boolean { return this.intLevel !== 0 && (this.control & CTRL_IE) !== 0; }

  value(): number { return Number(this.ptimer.getCount() & 0xffffffffn); }

  /** Sets the ptimer limit from the mode: free-running wraps at the counter size. */
  private recalibrate(reload: boolean): void {
    let limit: number;
    if ((this.control & (CTRL_PERIODIC | CTRL_ONESHOT)) === 0) limit = this.control & CTRL_32BIT ? 0xffffffff : 0xffff;
    else limit = this.limit;
    this.ptimer.setLimit(BigInt(limit), reload);
  }

  writeLoad(v: number): void {
    this.limit = v >>> 0;
    this.ptimer.begin();
    this.recalibrate(true);
    this.ptimer.commit();
    this.changed();
  }

  writeBgLoad(v: number): void {
    this.limit = v >>> 0;
    this.ptimer.begin();
    this.recalibrate(false);
    this.ptimer.commit();
    this.changed();
  }

  writeControl(v: number): void {
    this.ptimer.begin();
    if (this.control & CTRL_ENABLE) this.ptimer.stop();
    this.control = v >>> 0;
    let freq = this.freq;
    const prescale = (v >>> 2) & 3;
    if (prescale === 1) freq = Math.floor(freq / 16);
    else if (prescale === 2) freq = Math.floor(freq / 256);
    this.recalibrate((this.control & CTRL_ENABLE) !== 0);
    this.ptimer.setFreq(freq);
    if (this.control & CTRL_ENABLE) this.ptimer.run((this.control & CTRL_ONESHOT) !== 0);
    this.ptimer.commit();
    this.changed();
  }

  clearInterrupt(): void {
    this.intLevel = 0;
    this.changed();
  }

  reset(): void {
    this.ptimer.clear();
    this.control = CTRL_IE;
    this.limit = 0;
    this.intLevel = 0;
  }
}

class Sp804 extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = { timers: { kind: 'group', each: true } };
  private readonly timers: [ArmTimer, ArmTimer];
  private readonly regs: RegisterMap;
  private readonly irq: IrqOutput;

  constructor(private readonly ctx: DeviceContext, freq: number) {
    super();
    this.name = ctx.name;
    this.irq = ctx.irq(0);
    const update = () => this.update();
    this.timers = [
      new ArmTimer(ctx, `${ctx.name}.timer1`, freq, update),
      new ArmTimer(ctx, `${ctx.name}.timer2`, freq, update),
    ];
    const defs: RegisterDef[] = [];
    this.timers.forEach((t, i) => {
      const base = 0x20 * i;
      const n = `Timer${i + 1}`;
      defs.push(
        // Load and BGLoad read the same value.
        { offset: base + 0x00, name: `${n}Load`, read: () => t.limit, write: (v) => t.writeLoad(v) },
        // The value register is read-only; QEMU ignores writes silently (Linux writes it).
        { offset: base + 0x04, name: `${n}Value`, reset: 0, read: () => t.value(), write: () => {} },
        { offset: base + 0x08, name: `${n}Control`, reset: CTRL_IE, read: () => t.control, write: (v) => t.writeControl(v) },
        { offset: base + 0x0c, name: `${n}IntClr`, access: 'wo', write: () => t.clearInterrupt() },
        { offset: base + 0x10, name: `${n}RIS`, access: 'ro', read: () => t.intLevel },
        { offset: base + 0x14, name: `${n}MIS`, access: 'ro', read: () => (t.control & CTRL_IE ? t.intLevel : 0) },
        { offset: base + 0x18, name: `${n}BGLoad`, read: () => t.limit, write: (v) => t.writeBgLoad(v) },
      );
    });
    defs.push(
      { offset: 0xf00, name: 'TimerITCR', read: () => this.integrationTest(), write: () => this.integrationTest() },
      { offset: 0xf04, name: 'TimerITOP', read: () => this.integrationTest(), write: () => this.integrationTest() },
      ...['TimerPeriphID0', 'TimerPeriphID1', 'TimerPeriphID2', 'TimerPeriphID3', 'TimerPCellID0', 'TimerPCellID1', 'TimerPCellID2', 'TimerPCellID3']
        .map((name, i): RegisterDef => ({ offset: 0xfe0 + 4 * i, name, reset: ID[i], access: 'ro', read: () => ID[i] })),
    );
    this.regs = new RegisterMap(ctx, defs);
  }

  private integrationTest(): number {
    this.ctx.guestError('integration test registers unimplemented');
    return 0;
  }

  read(_region: number, offset: number, size: number): number {
    // Above the timers QEMU decodes exact offsets, except for the ID block.
    if (offset >= 0x40 && (offset > 0xffc || (offset < 0xfe0 && offset & 3))) {
      this.ctx.guestError(`read of unknown register at offset 0x${offset.toString(16)}`);
      return 0;
    }
    const v = this.regs.read(offset & ~3, 4);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  write(_region: number, offset: number, size: number, value: number): void {
    const v = size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
    if (offset >= 0x40) {
      // QEMU accepts no writes above the two timers, not even to the test registers.
      this.ctx.guestError(`write of unknown register at offset 0x${offset.toString(16)}`);
      return;
    }
    this.regs.write(offset & ~3, 4, v);
    // Every write to a timer re-evaluates its interrupt, also a bad offset.
    this.update();
  }

  reset(): void {
    for (const t of this.timers) t.reset();
    this.update();
  }

  private update(): void {
    this.irq.set(this.timers[0].level() || this.timers[1].level());
  }

  restored(): void { this.update(); }
}

const SP804_PROPS = {
  'clock-hz': { default: 1_000_000, min: 1, max: 0xffffffff, description: 'TIMCLK' },
} satisfies Record<string, PropRule>;

export const sp804: DeviceType = {
  type: TYPE,
  description: 'ARM SP804 dual timer (QEMU 7.2 model: ptimer semantics, both timers on one interrupt)',
  regions: ['registers'],
  regionSizes: [0x1000],
  irqOutputs: 1,
  props: SP804_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    const hz = prop(props, 'clock-hz', SP804_PROPS['clock-hz']);
    return new Sp804(ctx, hz);
  },
};
