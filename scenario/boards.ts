/**
 * Board files: machine/boards/NAME.yaml (or any path), validated against
 * schemas/board.schema.json, turned into the BoardSpec the board builder
 * consumes, and machines created from them.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { BoardSpec, DeviceSpec, IrqTarget } from '../machine/boards/board-spec';
import type { Machine } from '../machine/machine';
import { DEVICE_TYPES } from '../machine/devices/registry';
import { checkProps, fewerThanCores } from '../machine/devices/device';
import { bootMachine, type BootDescription, type BootedMachine } from '../machine/boot/boot-machine';
import { readInputFile, InputFileUnusable } from '../io/input-file';
import { parseYamlText, InputFileError, ProblemList, MAX_YAML_BYTES } from './file/yaml-file';
import { didYouMean } from './file/did-you-mean';

export function boardsDir(): string {
  for (const c of [path.resolve(__dirname, '..', 'machine', 'boards'), path.resolve(__dirname, '..', '..', 'machine', 'boards')]) {
    if (fs.existsSync(path.join(c, 'vexpress-a9.yaml'))) return c;
  }
  throw new Error('machine/boards/ with the board files not found');
}

/** Names of the boards shipped in machine/boards/. */
export function boardNames(): string[] {
  return fs.readdirSync(boardsDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
}

/** A board by name (machine/boards/NAME.yaml) or by path to a board file. */
export function resolveBoardFile(nameOrPath: string): string {
  if (nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml') || nameOrPath.includes('/')) return nameOrPath;
  const file = path.join(boardsDir(), `${nameOrPath}.yaml`);
  if (!fs.existsSync(file)) throw new InputFileError(nameOrPath, 0, 0, `unknown board${didYouMean(nameOrPath, boardNames())} (known: ${boardNames().join(', ')})`);
  return file;
}

interface RawBoard {
  name: string;
  description?: string;
  cpu: { model: string; count?: number; 'max-count'?: number; 'clock-hz'?: number; periphbase?: number };
  memory: Array<{ name: string; base: number; size: number | string }>;
  devices?: Array<{ name: string; type: string; regions: Record<string, number | { base: number; size?: number | string }>; props?: Record<string, unknown>; irq?: Array<string | string[] | null> }>;
  tagged?: Array<{ name: string; base: number; size: number | string }>;
  boot: { protocol: 'atag' | 'dtb'; 'ram-base'?: number; 'machine-type'?: number; console?: string };
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, KiB: 1024, M: 1 << 20, MiB: 1 << 20, G: 1 << 30, GiB: 1 << 30 };

export function parseSize(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^(0x[0-9a-fA-F]+|[0-9]+)\s*(B|K|KiB|M|MiB|G|GiB)?$/.exec(v.trim());
  if (!m) throw new Error(`bad size '${v}'`);
  return Number(m[1]) * UNITS[m[2] ?? ''];
}

/** Why a size cannot be used (a size is 1 byte to 4 GiB), or undefined. */
function sizeProblem(size: number): string | undefined {
  if (!Number.isSafeInteger(size) || size < 1) return `a size must be at least 1 byte (got ${size})`;
  if (size > 0x100000000) return `a size must be at most 4 GiB (got 0x${size.toString(16)} bytes)`;
  return undefined;
}

/** Where a loaded board came from: its file and the sha256 of the bytes that were parsed (recordings name both). */
export interface BoardSource { file: string; sha256: string }

const sources = new WeakMap<BoardSpec, BoardSource>();

/** The file a board was loaded from by loadBoard, and the hash of what was read (undefined for a board given as text). */
export function boardSource(spec: BoardSpec): BoardSource | undefined {
  return sources.get(spec);
}

/** A board by name or file; with `text`, the board file's contents are taken from memory (`nameOrPath` names it in messages). */
export function loadBoard(nameOrPath: string, text?: string): BoardSpec {
  if (text !== undefined) return boardFromText(text, nameOrPath);
  const file = resolveBoardFile(nameOrPath);
  let bytes: Buffer;
  try {
    bytes = readInputFile(file, { what: 'YAML', maxBytes: MAX_YAML_BYTES });
  } catch (e) {
    if (e instanceof InputFileUnusable) throw new InputFileError(file, 0, 0, e.reason);
    throw e;
  }
  // Read once: the board that runs is the one whose bytes a recording hashes.
  const spec = boardFromText(bytes.toString('utf8'), file);
  sources.set(spec, { file: path.resolve(file), sha256: createHash('sha256').update(bytes).digest('hex') });
  return spec;
}

/**
 * A board from its text: schema problems, then each memory bank, device and
 * tagged range checked on its own, so that every problem of the file is
 * reported at once (InputFileErrors, in line order).
 */
function boardFromText(text: string, file: string): BoardSpec {
  const problems = new ProblemList();
  const y = parseYamlText<RawBoard>(text, file, 'board.schema.json', problems);
  const raw = y.data;
  // A part the schema refused is not checked again: its problem is reported already.
  const part = <T>(at: Array<string | number>, check: () => T): T | undefined => (y.invalidAt(at) ? undefined : problems.attempt(check));
  const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
  // Not a mapping at all: nothing more to check than the schema's problem.
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) problems.throwIfAny();
  const ranges: Array<{ what: string; base: number; size: number; at: Array<string | number> }> = [];
  const size = (v: number | string, at: Array<string | number>): number => {
    const n = parseSize(v);
    const problem = sizeProblem(n);
    if (problem) throw y.error(at, problem);
    return n;
  };
  const addRange = (what: string, base: number, size: number, at: Array<string | number>, align = 4) => {
    if (base + size > 0x100000000) throw y.error(at, `${what} ends past the 4 GiB address space`);
    if (base % align !== 0 || size % align !== 0) {
      throw y.error(at, `${what}: base and size must be multiples of ${align === 0x1000 ? '4 KiB' : `${align} bytes`} (0x${base.toString(16)}, 0x${size.toString(16)})`);
    }
    for (const r of ranges) {
      if (base < r.base + r.size && r.base < base + size) {
        throw y.error(at, `${what} (0x${base.toString(16)}..0x${(base + size - 1).toString(16)}) overlaps ${r.what}`);
      }
    }
    ranges.push({ what, base, size, at });
  };

  const memory = list(raw.memory).flatMap((m, i) => part(['memory', i], () => {
    const bytes = size(m.size, ['memory', i, 'size']);
    addRange(`memory ${m.name}`, m.base, bytes, ['memory', i, 'base'], 0x1000);
    return { name: m.name, base: m.base, size: bytes };
  }) ?? []);

  const cpu = y.invalidAt(['cpu']) ? {} as Partial<RawBoard['cpu']> : raw.cpu;
  const maxCores = Math.max(cpu['max-count'] ?? cpu.count ?? 1, cpu.count ?? 1);
  const names = new Set<string>(['cpu']);
  const devices: DeviceSpec[] = list(raw.devices).flatMap((d, i) => part(['devices', i], (): DeviceSpec => {
    if (names.has(d.name)) throw y.error(['devices', i, 'name'], `device name '${d.name}' is used twice (or is reserved)`);
    names.add(d.name);
    const type = DEVICE_TYPES.get(d.type);
    if (!type) throw y.error(['devices', i, 'type'], `unknown device type '${d.type}'${didYouMean(d.type, [...DEVICE_TYPES.keys()].sort())} (known: ${[...DEVICE_TYPES.keys()].sort().join(', ')})`);
    const regions: DeviceSpec['regions'] = {};
    for (const [rn, rv] of Object.entries(d.regions)) {
      const index = type.regions.indexOf(rn);
      if (index < 0) throw y.error(['devices', i, 'regions', rn], `a ${d.type} has no region '${rn}' (it has ${type.regions.join(', ')})`);
      const base = typeof rv === 'number' ? rv : rv.base;
      const bytes = typeof rv === 'number' || rv.size === undefined ? type.regionSizes[index] : size(rv.size, ['devices', i, 'regions', rn, 'size']);
      addRange(`${d.name}.${rn}`, base, bytes, ['devices', i, 'regions', rn]);
      regions[rn] = { base, size: bytes };
    }
    for (const rn of type.regions) {
      if (!(rn in regions)) throw y.error(['devices', i, 'regions'], `a ${d.type} needs an address for its region '${rn}'`);
    }
    const irq: IrqTarget[][] = (d.irq ?? []).map((entry, k) => {
      const list = entry === null ? [] : Array.isArray(entry) ? entry : [entry];
      return list.map((t, j) => {
        const [dev, line] = t.split(':');
        const at = Array.isArray(entry) ? ['devices', i, 'irq', k, j] : ['devices', i, 'irq', k];
        if (dev === 'cpu') {
          if (line !== 'irq' && line !== 'fiq') throw y.error(at, `the cpu's interrupt inputs are cpu:irq and cpu:fiq`);
          return { device: 'cpu', line: line === 'irq' ? 0 : 1 };
        }
        if (line === 'irq' || line === 'fiq') throw y.error(at, `only the cpu has inputs named irq/fiq; use ${dev}:NUMBER`);
        return { device: dev, line: Number(line) };
      });
    });
    if (irq.length > type.irqOutputs) throw y.error(['devices', i, 'irq'], `a ${d.type} has ${type.irqOutputs} interrupt outputs, ${irq.length} are wired`);
    // The device's own rules for its properties: what a run would refuse is refused here.
    const bad = checkProps(type, d.props ?? {});
    if (bad) throw y.error(['devices', i, 'props', bad.key], bad.problem);
    // A property counting the cluster's cores must cover every core a run may select.
    for (const [key, rule] of Object.entries(type.props ?? {})) {
      const v = d.props?.[key];
      if (rule.atLeastCores && typeof v === 'number' && v < maxCores) throw y.error(['devices', i, 'props', key], fewerThanCores(key, v, maxCores, 'cpu.max-count lets a run select'));
    }
    return { name: d.name, type: d.type, regions, props: d.props ?? {}, irq };
  }) ?? []);

  // Interrupt targets must exist and be interrupt controllers with that input.
  list(raw.devices).forEach((rd, i) => devices.find((d) => d.name === rd.name)?.irq.forEach((targets, k) => targets.forEach((t) => problems.attempt(() => {
    if (t.device === 'cpu') return;
    const target = devices.find((x) => x.name === t.device);
    const at = ['devices', i, 'irq', k];
    if (!target) throw y.error(at, `interrupt wired to unknown device '${t.device}'${didYouMean(t.device, devices.map((x) => x.name))}`);
    const tt = DEVICE_TYPES.get(target.type)!;
    if (!tt.irqInputs) throw y.error(at, `'${t.device}' (${target.type}) is not an interrupt controller`);
    const count = tt.irqInputsFor ? tt.irqInputsFor(target.props) : tt.irqInputs;
    if (t.line >= count) throw y.error(at, `'${t.device}' has ${count} interrupt inputs; ${t.line} does not exist`);
  }))));

  const tagged = list(raw.tagged).flatMap((t, i) => part(['tagged', i], () => {
    const bytes = size(t.size, ['tagged', i, 'size']);
    addRange(`tagged range ${t.name}`, t.base, bytes, ['tagged', i, 'base']);
    return { name: t.name, base: t.base, size: bytes };
  }) ?? []);

  part(['boot'], () => {
    const ramBase = raw.boot['ram-base'];
    if (ramBase !== undefined && !memory.some((m) => ramBase >= m.base && ramBase < m.base + m.size)) {
      throw y.error(['boot', 'ram-base'], `boot RAM base 0x${ramBase.toString(16)} is not in any memory bank`);
    }
    if (raw.boot.console && !devices.some((d) => d.name === raw.boot.console)) {
      throw y.error(['boot', 'console'], `console device '${raw.boot.console}' is not on this board${didYouMean(raw.boot.console, devices.map((d) => d.name))}`);
    }
  });
  problems.throwIfAny();
  return {
    name: raw.name,
    description: raw.description ?? raw.name,
    cpu: { model: raw.cpu.model, count: raw.cpu.count ?? 1, maxCount: maxCores, clockHz: raw.cpu['clock-hz'] ?? 1_000_000_000, periphbase: raw.cpu.periphbase },
    memory, devices, tagged,
    boot: {
      protocol: raw.boot.protocol,
      ramBase: raw.boot['ram-base'] ?? memory[0].base,
      machineType: raw.boot['machine-type'],
      console: raw.boot.console,
    },
  };
}

const boardCache = new Map<string, BoardSpec>();

/** A board by name or path, loaded once per process; a BoardSpec is taken as it is. */
export function boardSpec(board: string | BoardSpec): BoardSpec {
  if (typeof board !== 'string') return board;
  let spec = boardCache.get(board);
  if (!spec) { spec = loadBoard(board); boardCache.set(board, spec); }
  return spec;
}

/** A boot description whose board may also be a board name or board file path. */
export type NamedBootDescription = Omit<BootDescription, 'board'> & { board: string | BoardSpec };

/** bootMachine (machine/boot/boot-machine.ts) with the board named or given as a loaded spec. */
export function bootBoard(d: NamedBootDescription): BootedMachine {
  return bootMachine({ ...d, board: boardSpec(d.board) });
}

/** A bare machine for a board name or board file path, at its reset state with nothing loaded. */
export function createMachine(nameOrPath: string): Machine {
  return bootBoard({ board: nameOrPath }).machine;
}
