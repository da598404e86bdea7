/**
 * What every device implements and what the board builder gives it.
 *
 * Devices see the rest of the machine only through DeviceContext: virtual
 * time, the event queue, their interrupt outputs as wired by the board file,
 * guest-error logging, console output and physical memory for scan-out/DMA.
 */

import type { ScheduledEvent } from '../events';

/** One interrupt output of a device, wired by the board to one or more inputs. */
export interface IrqOutput {
  set(level: boolean): void;
  /** Edge: assert then deassert (for edge-triggered inputs). */
  pulse(): void;
}

export interface DeviceContext {
  /** The device's instance name from the board file (e.g. "uartd"). */
  readonly name: string;
  /** Virtual time in ticks (1 tick = 1 ns at the default 1 GHz CPU clock). */
  now(): number;
  /** Ticks per second of virtual time. */
  readonly ticksPerSecond: number;
  schedule(at: number, what: string, run: () => void): ScheduledEvent;
  cancel(ev: ScheduledEvent): void;
  /** The device's interrupt output number `index` (unwired outputs do nothing). */
  irq(index: number): IrqOutput;
  /** Logs a guest error once per distinct message (e.g. an unknown register offset). */
  guestError(message: string): void;
  /** Bytes sent by a console-capable device (UART transmit). */
  console(data: Uint8Array): void;
  /** Resets the whole machine (e.g. PMC MAIN_RST). Takes effect at the next instruction boundary. */
  requestReset(): void;
  /** Reads physical memory (frame buffer scan-out); unmapped bytes read as 0. */
  readPhysical(address: number, length: number): Uint8Array;
}

/** Keyed, versioned device state: an old recording either restores or is refused clearly. */
export interface DeviceSnapshot {
  type: string;
  version: number;
  state: Record<string, unknown>;
}

export interface Device {
  readonly name: string;
  readonly type: string;
  /** MMIO access to region `region` (index into the type's `regions`). size is 1, 2 or 4. */
  read(region: number, offset: number, size: number): number;
  write(region: number, offset: number, size: number, value: number): void;
  reset(): void;
  snapshot(): DeviceSnapshot;
  restore(s: DeviceSnapshot): void;
  /** Interrupt controllers: an input line changed level. */
  setInput?(line: number, level: boolean): void;
  /** Console devices: bytes received from the input log. */
  receive?(data: Uint8Array): void;
  /** Display devices: the current picture, or undefined when scan-out is off. */
  render?(): RgbaImage | undefined;
}

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major, R G B A. */
  data: Uint8Array;
}

export type DeviceProps = Record<string, unknown>;

export interface DeviceType {
  /** Name used in board files, e.g. "ns16550". */
  type: string;
  description: string;
  /** Names of the MMIO windows, in order (most devices have one: ["registers"]). */
  regions: string[];
  /** Default size of each window in bytes. */
  regionSizes: number[];
  /** Number of interrupt outputs (board files wire them by index). */
  irqOutputs: number;
  /** Interrupt controllers: number of inputs. */
  irqInputs?: number;
  create(ctx: DeviceContext, props: DeviceProps): Device;
}

/** Reads a numeric property with a default, refusing other types. */
export function numberProp(props: DeviceProps, key: string, fallback: number): number {
  const v = props[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`property '${key}' must be a number`);
  return v;
}

export function checkSnapshot(s: DeviceSnapshot, type: string, version: number, name: string): void {
  if (s.type !== type) throw new Error(`device ${name}: snapshot is of a ${s.type}, not a ${type}`);
  if (s.version !== version) {
    throw new Error(`device ${name}: snapshot format ${s.version} is not supported by this bringup (expects ${version})`);
  }
}
