/**
 * A stand-alone context for device unit tests: manual virtual time, a real
 * event queue, recorded interrupt levels, guest errors and console bytes.
 */

import { EventQueue } from '../../machine/events';
import type { Device, DeviceContext, DeviceProps, DeviceType, IrqOutput } from '../../machine/devices/device';

export class TestContext implements DeviceContext {
  readonly ticksPerSecond = 1_000_000_000;
  time = 0;
  readonly events = new EventQueue();
  /** Current level of each interrupt output. */
  readonly irqLevels: boolean[] = [];
  /** Every level change, in order: [output, level, time]. */
  readonly irqLog: Array<[number, boolean, number]> = [];
  readonly errors: string[] = [];
  readonly output: number[] = [];
  resets = 0;
  memory = new Uint8Array(0);
  memoryBase = 0;

  constructor(readonly name = 'dev') {}

  now(): number { return this.time; }
  schedule(at: number, what: string, run: () => void) { return this.events.schedule(at, what, run); }
  cancel(ev: Parameters<EventQueue['cancel']>[0]): void { this.events.cancel(ev); }
  irq(index: number): IrqOutput {
    return {
      set: (level: boolean) => {
        if (this.irqLevels[index] !== level) this.irqLog.push([index, level, this.time]);
        this.irqLevels[index] = level;
      },
      pulse: () => { this.irqLog.push([index, true, this.time], [index, false, this.time]); },
    };
  }
  guestError(message: string): void { if (!this.errors.includes(message)) this.errors.push(message); }
  console(data: Uint8Array): void { this.output.push(...data); }
  requestReset(): void { this.resets++; }
  readPhysical(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const o = address + i - this.memoryBase;
      out[i] = o >= 0 && o < this.memory.length ? this.memory[o] : 0;
    }
    return out;
  }

  /** Advances virtual time to `t`, running due events in order. */
  advanceTo(t: number): void {
    while (this.events.nextTime() <= t) {
      this.time = Math.max(this.time, this.events.nextTime());
      this.events.runDue(this.time);
    }
    this.time = t;
  }

  text(): string { return Buffer.from(this.output).toString('latin1'); }
}

export function createDevice(type: DeviceType, props: DeviceProps = {}, name = type.type): { dev: Device; ctx: TestContext } {
  const ctx = new TestContext(name);
  return { dev: type.create(ctx, props), ctx };
}

/** snapshot -> restore into a fresh instance -> snapshot must be equal. */
export function roundTrip(type: DeviceType, dev: Device, props: DeviceProps = {}): { a: unknown; b: unknown } {
  const a = dev.snapshot();
  const fresh = createDevice(type, props).dev;
  fresh.restore(JSON.parse(JSON.stringify(a)));
  return { a, b: fresh.snapshot() };
}
