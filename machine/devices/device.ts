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
  /** Cuts the board's power (a PMU told to power off): the run ends at the next instruction boundary. */
  requestPowerOff(): void;
  /** Reads physical memory (frame buffer scan-out); unmapped bytes read as 0. */
  readPhysical(address: number, length: number): Uint8Array;
  /**
   * A bus master's 32-bit access (DMA engines): RAM or another device's
   * registers at a word-aligned physical address, as a core's access without
   * its MMU would reach them. Undefined / false where nothing answers (the
   * engine reports the bus error its own way).
   */
  dmaRead32(address: number): number | undefined;
  dmaWrite32(address: number, value: number): boolean;
  /** How many cores this machine runs (1 to 4); banked devices keep one bank per core. */
  readonly cores: number;
  /**
   * How many cores the cluster has: the board's cpu.count, or the cores run
   * if a run selects more. A run may keep to fewer cores than the cluster has
   * (the others are not simulated); what reports the cluster (the SCU's CPU
   * number, the GIC's CPU interfaces) reports this.
   */
  readonly clusterCores: number;
  /**
   * The core whose access the device is serving: the core running now (its
   * loads and stores reach the device), 0 outside any core's turn (events,
   * injections, tools). Banked registers (GIC CPU interface, private timers)
   * pick their bank by it.
   */
  currentCore(): number;
  /**
   * Output `index` of core `core`'s bank, for types with perCoreOutputs (the
   * board wires output i of every bank to the same input, on that core: a
   * CPU line of that core, or that core's bank of a banked input such as a
   * GIC PPI). ctx.irq(i) is core 0's.
   */
  coreIrq(core: number, index: number): IrqOutput;
  /** Holding cores in reset and releasing them (the Tegra CPU complex controls). */
  readonly coreControl: CoreControl;
}

/**
 * What devices may do to the cores: keep one from running, for one or more
 * named reasons at once ('reset', 'clock', 'halt', ...), and say where it
 * starts when it leaves reset. A core runs only while no reason holds it.
 * A core that leaves a hold that included 'reset' starts from its reset
 * state (registers, CP15, MMU off) at its reset vector; leaving any other
 * hold it continues where it stopped.
 */
export interface CoreControl {
  hold(core: number, reason: string, held: boolean): void;
  /** Whether `reason` holds `core` now. */
  isHeld(core: number, reason?: string): boolean;
  /** Where `core` starts when it next leaves reset (default: its vector base, 0). */
  setResetVector(core: number, address: number): void;
}

/**
 * Keyed, versioned device state: an old recording either restores (migrated
 * where a migration exists) or is refused clearly. `state` holds the device's
 * declared state fields by name (machine/devices/state.ts).
 */
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
  /** Keyed by declared state name: the board's devices get both from DeclaredStateDevice (state.ts). */
  snapshot(): DeviceSnapshot;
  restore(s: DeviceSnapshot): void;
  /**
   * Interrupt controllers: an input line changed level. `core` names the
   * bank for banked inputs (a GIC's PPIs 16-31 are one per core); inputs that
   * are not banked ignore it. Absent: core 0.
   */
  setInput?(line: number, level: boolean, core?: number): void;
  /** Console devices: bytes received from the input log. */
  receive?(data: Uint8Array): void;
  /**
   * Console devices: the virtual time `characters` characters take on the
   * serial line into the device, at its baud rate (machine/serial-line.ts).
   * Typed input arrives at this pace; absent, it arrives all at once.
   */
  lineTicks?(characters: number): number;
  /**
   * Interrupt controllers with SGIs: the next GICD_SGIR write (in the
   * instruction about to execute) does not make SGI `sgi` pending on the
   * cores in the mask `cores` (a lost SGI of the input log, machine/injections.ts).
   */
  loseNextSgi?(sgi: number, cores: number): void;
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

/**
 * What a device can be used for, declared by its type so that code picking
 * devices by role (scenario files, checks, the command line) asks the type,
 * never its name: 'console' prints what the guest sends and takes console
 * input (receive()), 'display' scans out a frame buffer (render()),
 * 'interrupt-controller' has interrupt inputs (irqInputs, setInput()).
 */
export type DeviceCapability = 'console' | 'display' | 'interrupt-controller';

export interface DeviceType {
  /** Name used in board files, e.g. "ns16550". */
  type: string;
  description: string;
  /** Names of the MMIO windows, in order (most devices have one: ["registers"]). */
  regions: string[];
  /** Default size of each window in bytes. */
  regionSizes: number[];
  /** What devices of this type can do (DeviceCapability); none if absent. */
  capabilities?: readonly DeviceCapability[];
  /** Number of interrupt outputs (board files wire them by index); per core with perCoreOutputs. */
  irqOutputs: number;
  /**
   * A device banked per core (GIC CPU interfaces, private timers): it has
   * irqOutputs outputs for every core (ctx.coreIrq), and the board's wiring of
   * output i applies to each core's output i, on that core.
   */
  perCoreOutputs?: boolean;
  /** Interrupt controllers: number of inputs (the most any configuration has). */
  irqInputs?: number;
  /** Interrupt controllers whose number of inputs is a property: the inputs with these props. */
  irqInputsFor?(props: DeviceProps): number;
  /** Interrupt controllers: the lowest input that is a line (the GIC's IDs 0-15 are software-generated and have none); default 0. */
  irqFirstInput?: number;
  /**
   * The properties a board file may set, with their ranges. Board files are
   * checked against them when loaded (file:line:column), and the device reads
   * its properties through prop(), so a run and `bringup validate` agree.
   */
  props?: Record<string, PropRule>;
  /** Property names beyond `props` (e.g. fuse words by offset): the rule for such a key, or undefined. */
  extraProp?(key: string): PropRule | undefined;
  /** How the keys extraProp accepts are named (for the message about an unknown property). */
  extraPropNames?: string;
  create(ctx: DeviceContext, props: DeviceProps): Device;
}

/** Whether devices of the type (undefined: an unknown type) can do this. */
export function hasCapability(type: DeviceType | undefined, capability: DeviceCapability): boolean {
  return type?.capabilities?.includes(capability) ?? false;
}

/** The interrupt inputs of an interrupt controller with these props (0 for any other device). */
export function irqInputCount(type: DeviceType | undefined, props: DeviceProps): number {
  if (!type || !hasCapability(type, 'interrupt-controller')) return 0;
  return type.irqInputsFor ? type.irqInputsFor(props) : type.irqInputs ?? 0;
}

/** What values a numeric device property takes. */
export interface PropRule {
  default: number;
  min: number;
  max: number;
  multipleOf?: number;
  /** The only values accepted (instead of a range). */
  oneOf?: number[];
  /** What the property sets (docs/boards.md). */
  description: string;
  /**
   * The property counts the cores of the cluster: absent, it is the board's
   * cpu.count (or the cores run, if more); given, it must be at least the
   * cores the machine runs (board files: at least cpu.max-count). See coresProp.
   */
  atLeastCores?: boolean;
}

/** A 32-bit register value (IDs, reset values). */
export const WORD_RULE = (dflt: number, description: string): PropRule => ({ default: dflt, min: 0, max: 0xffffffff, description });

/** A device property that breaks its rule; key names it so board files can point at it. */
export class PropError extends Error {
  constructor(readonly key: string, readonly problem: string) {
    super(problem);
  }
}

/** What is wrong with `value` for the property `key`, or undefined if the rule accepts it. */
export function propProblem(key: string, rule: PropRule, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `property '${key}' must be a number (got ${JSON.stringify(value)})`;
  if (rule.oneOf) {
    return rule.oneOf.includes(value) ? undefined : `property '${key}' must be one of ${rule.oneOf.join(', ')} (got ${value})`;
  }
  if (!Number.isInteger(value) || value < rule.min || value > rule.max || (rule.multipleOf !== undefined && value % rule.multipleOf !== 0)) {
    const multiple = rule.multipleOf !== undefined ? `a multiple of ${rule.multipleOf} ` : 'an integer ';
    return `property '${key}' must be ${multiple}from ${rule.min} to ${rule.max} (got ${value})`;
  }
  return undefined;
}

/** The first property of `props` that the device type refuses (unknown, or out of its range), or undefined. */
export function checkProps(type: DeviceType, props: DeviceProps): PropError | undefined {
  const table = type.props;
  if (!table) return undefined; // a type that declares no table reads its props itself
  for (const [key, value] of Object.entries(props)) {
    const rule = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : type.extraProp?.(key);
    if (!rule) {
      const known = Object.keys(table);
      const names = [...known, ...(type.extraPropNames ? [type.extraPropNames] : [])];
      return new PropError(key, `a ${type.type} has no property '${key}' (${names.length ? `it has ${names.join(', ')}` : 'it has none'})`);
    }
    const problem = propProblem(key, rule, value);
    if (problem) return new PropError(key, problem);
  }
  return undefined;
}

/** A device property: its value, or the rule's default; throws PropError if the rule refuses it. */
export function prop(props: DeviceProps, key: string, rule: PropRule): number {
  const v = props[key];
  if (v === undefined) return rule.default;
  const problem = propProblem(key, rule, v);
  if (problem) throw new PropError(key, problem);
  return v as number;
}

/**
 * A property that counts the cores of the cluster (rule.atLeastCores): the
 * cluster's cores (DeviceContext.clusterCores) when absent; throws PropError
 * if the rule refuses it or it is fewer than the cores the machine runs.
 */
export function coresProp(props: DeviceProps, key: string, rule: PropRule, ctx: Pick<DeviceContext, 'cores' | 'clusterCores'>): number {
  if (props[key] === undefined) return Math.max(ctx.clusterCores, ctx.cores);
  const v = prop(props, key, rule);
  if (v < ctx.cores) throw new PropError(key, fewerThanCores(key, v, ctx.cores, 'this machine runs'));
  return v;
}

/** The message for a core-counting property below the cores a machine runs (or a board may run). */
export function fewerThanCores(key: string, value: number, cores: number, which: string): string {
  return `property '${key}' is ${value}, fewer than the ${cores} cores ${which} (leave it out and it follows the cluster's cores)`;
}

/** Reads a numeric property with a default, refusing other types. */
export function numberProp(props: DeviceProps, key: string, fallback: number): number {
  const v = props[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PropError(key, `property '${key}' must be a number (got ${JSON.stringify(v)})`);
  return v;
}
