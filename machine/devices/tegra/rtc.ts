/**
 * Tegra20 real-time clock at 0x7000_E000.
 *
 * SECONDS counts whole seconds of virtual time from prop 'epoch-seconds'
 * (default 0) at time 0; writing it sets the count and restarts the
 * millisecond phase. MILLISECONDS reads the milliseconds within the current
 * second and, as on silicon, latches the seconds count into SHADOW_SECONDS at
 * the same instant, so Linux's read order (MILLISECONDS, then SHADOW_SECONDS)
 * yields a consistent pair. BUSY always reads 0: writes complete at once.
 *
 * SECONDS_ALARM0/1 (0 = disabled, the Linux convention) set INTR_STATUS bit
 * 0/1 when the seconds count advances to their value; INTR_STATUS is
 * write-1-to-clear, INTR_SET sets status bits, INTR_SOURCE reads status & mask,
 * and interrupt output 0 (SPI 2, level) is high while status & mask is non-zero.
 * The millisecond and countdown alarms are stored but never fire.
 *
 * The counter lives in the always-on domain: reset() clears the registers and
 * alarms but the time keeps running.
 */

import type { ScheduledEvent } from '../../events';
import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, WORD_RULE, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap } from '../register-map';

const TYPE = 'nvidia,tegra20-rtc';

const SECONDS = 0x08, SHADOW_SECONDS = 0x0c, ALARM0 = 0x14, ALARM1 = 0x18;
const INTR_MASK = 0x28, INTR_STATUS = 0x2c, INTR_SET = 0x34;
const ALARM_OFFSETS = [ALARM0, ALARM1];

export class TegraRtc extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = { registers: { kind: 'registers', field: 'regs' }, base: 'u32', baseTime: 'int', alarmDue: 'int?[]' };
  private readonly regs: RegisterMap;
  /** Seconds count at baseTime. */
  private base: number;
  private baseTime = 0;
  private readonly alarmDue: Array<number | null> = [null, null];
  private readonly alarmEv: Array<ScheduledEvent | null> = [null, null];
  private irqLevel = false;

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    this.base = prop(props, 'epoch-seconds', RTC_PROPS['epoch-seconds']) >>> 0;
    this.regs = new RegisterMap(ctx, [
      { offset: 0x00, name: 'CONTROL' },
      { offset: 0x04, name: 'BUSY', access: 'ro' },
      { offset: SECONDS, name: 'SECONDS', read: () => this.seconds(), write: (v) => this.setSeconds(v) },
      { offset: SHADOW_SECONDS, name: 'SHADOW_SECONDS', access: 'ro' },
      { offset: 0x10, name: 'MILLI_SECONDS', access: 'ro', read: () => this.readMilliseconds() },
      { offset: ALARM0, name: 'SECONDS_ALARM0', write: () => this.armAlarm(0) },
      { offset: ALARM1, name: 'SECONDS_ALARM1', write: () => this.armAlarm(1) },
      { offset: 0x1c, name: 'MILLI_SECONDS_ALARM' },
      { offset: 0x20, name: 'SECONDS_COUNTDOWN_ALARM' },
      { offset: 0x24, name: 'MILLI_SECONDS_COUNTDOWN_ALARM' },
      { offset: INTR_MASK, name: 'INTR_MASK', write: () => this.update() },
      { offset: INTR_STATUS, name: 'INTR_STATUS', access: 'w1c', write: () => this.update() },
      { offset: 0x30, name: 'INTR_SOURCE', access: 'ro', read: () => this.regs.getAt(INTR_STATUS) & this.regs.getAt(INTR_MASK) },
      { offset: INTR_SET, name: 'INTR_SET', write: (v) => this.intrSet(v) },
      { offset: 0x38, name: 'CORRECTION_FACTOR' },
    ]);
  }

  read(_region: number, offset: number, size: number): number { return this.regs.read(offset, size); }
  write(_region: number, offset: number, size: number, value: number): void { this.regs.write(offset, size, value); }

  private elapsedSeconds(now: number): number {
    return Math.floor((now - this.baseTime) / this.ctx.ticksPerSecond);
  }

  private seconds(): number {
    return (this.base + this.elapsedSeconds(this.ctx.now())) >>> 0;
  }

  private readMilliseconds(): number {
    const now = this.ctx.now();
    this.regs.setAt(SHADOW_SECONDS, (this.base + this.elapsedSeconds(now)) >>> 0);
    const tps = this.ctx.ticksPerSecond;
    return Math.floor(((now - this.baseTime) % tps) / (tps / 1000));
  }

  private setSeconds(v: number): void {
    this.base = v >>> 0;
    this.baseTime = this.ctx.now();
    this.regs.setAt(SECONDS, 0);
    this.armAlarm(0);
    this.armAlarm(1);
  }

  private intrSet(v: number): void {
    this.regs.setAt(INTR_SET, 0);
    this.regs.setAt(INTR_STATUS, this.regs.getAt(INTR_STATUS) | v);
    this.update();
  }

  /** Schedules alarm k for the moment the seconds count next advances to its value. */
  private armAlarm(k: number): void {
    this.cancelAlarm(k);
    const target = this.regs.getAt(ALARM_OFFSETS[k]);
    if (target === 0) return;
    const e = this.elapsedSeconds(this.ctx.now());
    let d = (target - ((this.base + e) >>> 0)) >>> 0;
    if (d === 0) d = 2 ** 32;
    const due = this.baseTime + (e + d) * this.ctx.ticksPerSecond;
    if (due > Number.MAX_SAFE_INTEGER) return;
    this.schedule(k, due);
  }

  private schedule(k: number, due: number): void {
    this.alarmDue[k] = due;
    this.alarmEv[k] = this.ctx.schedule(due, `${this.name}.alarm${k}`, () => {
      this.alarmEv[k] = null;
      this.alarmDue[k] = null;
      this.regs.setAt(INTR_STATUS, this.regs.getAt(INTR_STATUS) | (1 << k));
      this.update();
    });
  }

  private cancelAlarm(k: number): void {
    const ev = this.alarmEv[k];
    if (ev) this.ctx.cancel(ev);
    this.alarmEv[k] = null;
    this.alarmDue[k] = null;
  }

  private update(force = false): void {
    const level = (this.regs.getAt(INTR_STATUS) & this.regs.getAt(INTR_MASK) & 0x1f) !== 0;
    if (force || level !== this.irqLevel) {
      this.irqLevel = level;
      this.ctx.irq(0).set(level);
    }
  }

  reset(): void {
    this.cancelAlarm(0);
    this.cancelAlarm(1);
    this.regs.reset();
    this.update(true);
  }

  restored(): void {
    // Re-arm the alarms at their saved times.
    for (let k = 0; k < 2; k++) {
      const due = this.alarmDue[k];
      this.cancelAlarm(k);
      if (due !== null) this.schedule(k, due);
    }
    this.update(true);
  }
}

const RTC_PROPS = {
  'epoch-seconds': WORD_RULE(0, 'seconds counter at time 0'),
} satisfies Record<string, PropRule>;

export const tegraRtc: DeviceType = {
  type: TYPE,
  description: 'Tegra20 RTC: seconds/milliseconds from virtual time, shadow latch, two seconds alarms with a level interrupt',
  regions: ['registers'],
  regionSizes: [0x100],
  irqOutputs: 1,
  props: RTC_PROPS,
  create: (ctx, props) => new TegraRtc(ctx, props),
};
