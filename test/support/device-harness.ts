/**
 * A stand-alone context for device unit tests: manual virtual time, a real
 * event queue, recorded interrupt levels, guest errors and console bytes.
 */

import { EventQueue } from '../../machine/events';
import type { CoreControl, Device, DeviceContext, DeviceProps, DeviceType, IrqOutput } from '../../machine/devices/device';

/** Core control that records what devices asked: the reasons holding each core and its reset vector. */
export class TestCoreControl implements CoreControl {
  readonly holds: Array<Set<string>> = [];
  readonly resetVectors: number[] = [];
  /** Every hold change, in order: [core, reason, held]. */
  readonly log: Array<[number, string, boolean]> = [];
  hold(core: number, reason: string, held: boolean): void {
    const set = this.holds[core] ??= new Set();
    if (held === set.has(reason)) return;
    if (held) set.add(reason); else set.delete(reason);
    this.log.push([core, reason, held]);
  }
  isHeld(core: number, reason?: string): boolean {
    const set = this.holds[core];
    return reason === undefined ? (set?.size ?? 0) > 0 : set?.has(reason) ?? false;
  }
  setResetVector(core: number, address: number): void { this.resetVectors[core] = address >>> 0; }
}

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

  /** The core whose access is being served: set it before an access to test banked registers. */
  core = 0;
  readonly coreControl = new TestCoreControl();
  /** Levels of per-core outputs: coreIrqLevels[core][index]. */
  readonly coreIrqLevels: boolean[][] = [];

  /** `clusterCores`: the board's cpu.count as devices see it (default: the cores run). */
  constructor(readonly name = 'dev', readonly cores = 1, readonly clusterCores = cores) {}

  currentCore(): number { return this.core; }
  coreIrq(core: number, index: number): IrqOutput {
    if (core === 0) return this.irq(index);
    const levels = this.coreIrqLevels[core] ??= [];
    return {
      set: (level: boolean) => { levels[index] = level; },
      pulse: () => { levels[index] = false; },
    };
  }

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
  powerOffs = 0;
  requestPowerOff(): void { this.powerOffs++; }
  readPhysical(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const o = address + i - this.memoryBase;
      out[i] = o >= 0 && o < this.memory.length ? this.memory[o] : 0;
    }
    return out;
  }

  /** What a DMA engine writes lands in `memory` (at memoryBase); `busDevices` answer for register addresses. */
  readonly busDevices = new Map<number, { read(): number; write(v: number): void }>();
  dmaRead32(address: number): number | undefined {
    const dev = this.busDevices.get(address);
    if (dev) return dev.read() >>> 0;
    const o = address - this.memoryBase;
    if (o < 0 || o + 4 > this.memory.length) return undefined;
    return (this.memory[o] | (this.memory[o + 1] << 8) | (this.memory[o + 2] << 16) | (this.memory[o + 3] << 24)) >>> 0;
  }
  dmaWrite32(address: number, value: number): boolean {
    const dev = this.busDevices.get(address);
    if (dev) { dev.write(value >>> 0); return true; }
    const o = address - this.memoryBase;
    if (o < 0 || o + 4 > this.memory.length) return false;
    for (let i = 0; i < 4; i++) this.memory[o + i] = (value >>> (8 * i)) & 0xff;
    return true;
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

export function createDevice(type: DeviceType, props: DeviceProps = {}, name = type.type, cores = 1): { dev: Device; ctx: TestContext } {
  const ctx = new TestContext(name, cores);
  return { dev: type.create(ctx, props), ctx };
}

/** snapshot -> restore into a fresh instance -> snapshot must be equal. */
export function roundTrip(type: DeviceType, dev: Device, props: DeviceProps = {}): { a: unknown; b: unknown } {
  const a = dev.snapshot();
  const fresh = createDevice(type, props).dev;
  fresh.restore(JSON.parse(JSON.stringify(a)));
  return { a, b: fresh.snapshot() };
}
