/**
 * The board builder: the only place where devices are wired together.
 * It maps RAM and device windows on the bus, creates every device with its
 * context, connects interrupt outputs to inputs (OR-ing several outputs that
 * drive one input) and adds read-as-zero tagged ranges.
 */

import { BusError, type Bus, type MmioDevice } from '../bus';
import type { Cpu } from '../cpu/cpu';
import type { EventQueue } from '../events';
import type { BoardSpec } from './board-spec';
import { checkProps, PropError, type CoreControl, type Device, type DeviceContext, type DeviceType, type IrqOutput } from '../devices/device';
import { Probe, type IrqEdgeArgs } from '../probes';

export interface BuildHooks {
  guestError(source: string, message: string): void;
  console(device: string, data: Uint8Array): void;
  requestReset(device: string): void;
  requestPowerOff(device: string): void;
  /** Told of every level change the wiring drives into an interrupt input (and the device that caused it). */
  irqEdge?: Probe<IrqEdgeArgs>;
}

/** The cores as the board's devices see them. */
export interface BoardCores {
  /** Core k is cpus[k]. */
  readonly cpus: readonly Cpu[];
  /** The core whose access is being served (DeviceContext.currentCore). */
  current(): number;
  /** Virtual time now (DeviceContext.now). */
  now(): number;
  readonly control: CoreControl;
}

/**
 * The key of an interrupt input: `device:line`, and `device:line@core` for
 * core k > 0's bank of a banked input (a CPU line of core k, a GIC PPI of
 * core k). Core 0's keys are those of a one-core board, so its snapshots keep
 * their wiring keys.
 */
function inputKey(device: string, line: number, core: number): string {
  return core === 0 ? `${device}:${line}` : `${device}:${line}@${core}`;
}

/** An interrupt input that is the OR of every output wired to it. */
class WiredInput {
  readonly asserted = new Set<string>();
  constructor(readonly apply: (level: boolean) => void, readonly controller: string, readonly line: number, private readonly edges: Probe<IrqEdgeArgs>) {}
  set(from: WiredOutput, level: boolean): void {
    const before = this.asserted.size > 0;
    if (level) this.asserted.add(from.source); else this.asserted.delete(from.source);
    const after = this.asserted.size > 0;
    if (before === after) return;
    this.apply(after);
    if (this.edges.active) this.edges.emit(this.controller, this.line, after, from.device, from.index);
  }
}

/**
 * The levels on every interrupt wire. Snapshots carry them so that a restored
 * machine sees the same lines asserted without replaying edges into devices
 * (which restore their own input state).
 */
export class Wiring {
  constructor(private readonly inputs: Map<string, WiredInput>, private readonly cpus: readonly Cpu[]) {}

  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, w] of this.inputs) if (w.asserted.size) out[key] = [...w.asserted].sort();
    return out;
  }

  restore(s: Record<string, string[]>): void {
    for (const [key, w] of this.inputs) {
      w.asserted.clear();
      for (const src of s[key] ?? []) w.asserted.add(src);
    }
    this.cpus.forEach((cpu, k) => {
      cpu.irqLine = (this.inputs.get(inputKey('cpu', 0, k))?.asserted.size ?? 0) > 0;
      cpu.fiqLine = (this.inputs.get(inputKey('cpu', 1, k))?.asserted.size ?? 0) > 0;
    });
  }
}

export interface BuiltBoard {
  devices: Map<string, Device>;
  wiring: Wiring;
}

export class BoardError extends Error {}

export function buildBoard(
  spec: BoardSpec, bus: Bus, cores: BoardCores, events: EventQueue, types: ReadonlyMap<string, DeviceType>, hooks: BuildHooks,
): BuiltBoard {
  const cpus = cores.cpus;
  bus.addRamBanks(spec.memory);

  const devices = new Map<string, Device>();
  const typeOf = new Map<string, DeviceType>();
  const specOf = new Map(spec.devices.map((d) => [d.name, d]));
  const inputs = new Map<string, WiredInput>();
  const pendingWiring: Array<() => void> = [];
  const edges = hooks.irqEdge ?? new Probe<IrqEdgeArgs>();

  // `core` is the bank: the core of a per-core output (0 for other devices).
  const inputFor = (device: string, line: number, core: number): WiredInput => {
    const key = inputKey(device, line, core);
    let w = inputs.get(key);
    if (!w) {
      if (device === 'cpu') {
        const cpu = cpus[core];
        if (line === 0) w = new WiredInput((l) => { cpu.irqLine = l; }, device, line, edges);
        else if (line === 1) w = new WiredInput((l) => { cpu.fiqLine = l; }, device, line, edges);
        else throw new BoardError(`board ${spec.name}: cpu has interrupt inputs irq and fiq only`);
      } else {
        const target = devices.get(device);
        const t = typeOf.get(device);
        if (!target || !t) throw new BoardError(`board ${spec.name}: interrupt wired to unknown device '${device}'`);
        if (!target.setInput || !t.irqInputs) throw new BoardError(`board ${spec.name}: device '${device}' (${t.type}) is not an interrupt controller`);
        const count = t.irqInputsFor ? t.irqInputsFor(specOf.get(device)!.props) : t.irqInputs;
        if (line >= count) throw new BoardError(`board ${spec.name}: ${device} has ${count} interrupt inputs; line ${line} does not exist`);
        w = new WiredInput(core === 0 ? (l) => target.setInput!(line, l) : (l) => target.setInput!(line, l, core), device, line, edges);
      }
      inputs.set(key, w);
    }
    return w;
  };

  for (const d of spec.devices) {
    const type = types.get(d.type);
    if (!type) throw new BoardError(`board ${spec.name}: device '${d.name}' has unknown type '${d.type}' (known: ${[...types.keys()].sort().join(', ')})`);
    if (devices.has(d.name) || d.name === 'cpu') throw new BoardError(`board ${spec.name}: device name '${d.name}' is used twice`);
    // Devices may keep their IrqOutput objects from creation on, so every output
    // exists before wiring and forwards to whatever the wiring step connects.
    // A per-core type has a bank of outputs for every core; output i of core k is
    // wired where the board wires output i, on core k. Core 0's bank is `outputs`.
    const banks = type.perCoreOutputs ? cpus.length : 1;
    const outputBanks: WiredOutput[][] = Array.from({ length: banks }, (_, k) =>
      Array.from({ length: type.irqOutputs }, (_, i) => new WiredOutput(d.name, i, k)));
    const outputs = outputBanks[0];
    const errorsSeen = new Set<string>();
    const ctx: DeviceContext = {
      name: d.name,
      ticksPerSecond: spec.cpu.clockHz,
      now: () => cores.now(),
      schedule: (at, what, run) => events.schedule(at, `${d.name}: ${what}`, run),
      cancel: (ev) => events.cancel(ev),
      irq: (index) => outputs[index] ?? NO_IRQ,
      guestError: (message) => {
        if (errorsSeen.has(message)) return;
        errorsSeen.add(message);
        hooks.guestError(d.name, message);
      },
      console: (data) => hooks.console(d.name, data),
      requestReset: () => hooks.requestReset(d.name),
      requestPowerOff: () => hooks.requestPowerOff(d.name),
      readPhysical: (address, length) => readPhysical(bus, address, length),
      dmaRead32: (address) => busAccess(() => bus.read32(address & ~3) >>> 0),
      dmaWrite32: (address, value) => busAccess(() => { bus.write32(address & ~3, value | 0); return true; }) ?? false,
      cores: cpus.length,
      clusterCores: Math.max(spec.cpu.count, cpus.length),
      currentCore: () => cores.current(),
      coreIrq: (core, index) => outputBanks[core]?.[index] ?? NO_IRQ,
      coreControl: cores.control,
    };
    const bad = checkProps(type, d.props);
    if (bad) throw new BoardError(`board ${spec.name}: device '${d.name}': ${bad.problem}`);
    let dev: Device;
    try { dev = type.create(ctx, d.props); } catch (e) {
      if (e instanceof PropError) throw new BoardError(`board ${spec.name}: device '${d.name}': ${e.problem}`);
      throw e;
    }
    devices.set(d.name, dev);
    typeOf.set(d.name, type);

    for (const [regionName, r] of Object.entries(d.regions)) {
      const index = type.regions.indexOf(regionName);
      if (index < 0) throw new BoardError(`board ${spec.name}: device '${d.name}' (${type.type}) has no region '${regionName}' (it has ${type.regions.join(', ')})`);
      const size = r.size ?? type.regionSizes[index];
      const window: MmioDevice = {
        name: `${d.name}.${regionName}`,
        read: (offset, sz) => dev.read(index, offset, sz),
        write: (offset, sz, value) => dev.write(index, offset, sz, value),
      };
      bus.addMmio(window, r.base, size);
    }
    for (const regionName of type.regions) {
      if (!(regionName in d.regions)) throw new BoardError(`board ${spec.name}: device '${d.name}' needs an address for region '${regionName}'`);
    }

    if (d.irq.length > type.irqOutputs) {
      throw new BoardError(`board ${spec.name}: device '${d.name}' (${type.type}) has ${type.irqOutputs} interrupt outputs, ${d.irq.length} are wired`);
    }
    d.irq.forEach((targets, index) => {
      pendingWiring.push(() => {
        outputBanks.forEach((bank, k) => bank[index].connect(targets.map((t) => inputFor(t.device, t.line, k))));
      });
    });
  }
  // Wire after every device exists, so the order of devices in the file does not matter.
  for (const w of pendingWiring) w();

  for (const t of spec.tagged) {
    const logged = { read: false, write: false };
    bus.addMmio({
      name: t.name,
      read: (offset) => {
        if (!logged.read) { logged.read = true; hooks.guestError(t.name, `read at offset 0x${offset.toString(16)} of unmodelled range ${t.name} (reads as zero)`); }
        return 0;
      },
      write: (offset) => {
        if (!logged.write) { logged.write = true; hooks.guestError(t.name, `write at offset 0x${offset.toString(16)} of unmodelled range ${t.name} (ignored)`); }
      },
    }, t.base, t.size);
  }
  return { devices, wiring: new Wiring(inputs, cpus) };
}

const NO_IRQ: IrqOutput = { set: () => {}, pulse: () => {} };

/** A device's interrupt output: drives every input it is wired to. */
class WiredOutput implements IrqOutput {
  private targets: WiredInput[] = [];
  private level = false;
  /** The key of this output in an input's set of asserted outputs (and in snapshots). */
  readonly source: string;
  constructor(readonly device: string, readonly index: number, core = 0) {
    this.source = core === 0 ? `${device}#${index}` : `${device}#${index}@${core}`;
  }
  connect(targets: WiredInput[]): void {
    this.targets = targets;
    if (this.level) for (const w of targets) w.set(this, true);
  }
  set(level: boolean): void {
    this.level = level;
    for (const w of this.targets) w.set(this, level);
  }
  pulse(): void {
    for (const w of this.targets) { w.set(this, true); w.set(this, false); }
  }
}

/** A bus master's access: its result, or undefined where nothing answers (a bus error). */
function busAccess<T>(access: () => T): T | undefined {
  try { return access(); } catch (e) {
    if (e instanceof BusError) return undefined;
    throw e;
  }
}

function readPhysical(bus: Bus, address: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length;) {
    const a = (address + i) >>> 0;
    const r = bus.ramAt(a);
    if (!r) { i++; continue; }
    const off = a - r.base;
    const n = Math.min(length - i, r.size - off);
    out.set(r.u8.subarray(off, off + n), i);
    i += n;
  }
  return out;
}
