/**
 * A board as data, the shape of a validated board file (schemas/board.schema.json)
 * with sizes and addresses already turned into numbers. Only the board builder
 * turns it into a machine.
 */

export interface MemorySpec {
  name: string;
  base: number;
  size: number;
}

/** One interrupt input: a device (or "cpu") and its input line. */
export interface IrqTarget {
  device: string;
  /** Input number; for the "cpu" target 0 = IRQ, 1 = FIQ. */
  line: number;
}

export interface DeviceSpec {
  name: string;
  type: string;
  /** Region name -> base and size (size defaults to the device type's). */
  regions: Record<string, { base: number; size?: number }>;
  props: Record<string, unknown>;
  /** For each interrupt output of the device, the inputs it drives. */
  irq: IrqTarget[][];
}

export interface TaggedRange {
  name: string;
  base: number;
  size: number;
}

export interface BootSpec {
  protocol: 'atag' | 'dtb';
  /** RAM address where boot protocols place images (first bank's base by default). */
  ramBase: number;
  /** ATAG: machine type number in r1. */
  machineType?: number;
  /** Device whose console output is the main console (stdout of `bringup exec`). */
  console?: string;
}

export interface BoardSpec {
  name: string;
  description: string;
  /** count: cores run by default; maxCount: the most a run may select (--smp / smp:). */
  cpu: { model: string; count: number; maxCount: number; clockHz: number; periphbase?: number };
  memory: MemorySpec[];
  devices: DeviceSpec[];
  tagged: TaggedRange[];
  boot: BootSpec;
}
