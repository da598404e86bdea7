/**
 * What every section resolver of a scenario file works with: the file (for
 * errors at file:line:column), the board, its clock, the run's limit, the
 * firmware profile, the console device and the images' symbols. Built first,
 * in the order the file's sections depend on each other: board, limits,
 * profile, console.
 */

import * as path from 'node:path';
import type { ElfSymbol } from '../../machine/loaders/elf';
import type { BoardSpec } from '../../machine/boards/board-spec';
import { hasCapability, type DeviceCapability } from '../../machine/devices/device';
import { DEVICE_TYPES } from '../../machine/devices/registry';
import { InputFileError, type LoadedYaml } from './yaml-file';
import type { ProblemList } from './problems';
import { parseVirtualTime, formatTime } from '../virtual-time';
import { loadProfile, DEFAULT_PROFILE, type FirmwareProfile } from '../profile';
import { didYouMean } from './did-you-mean';
import { loadBoard } from '../boards';
import { DEFAULT_SCHEDULE, scheduleProblem, type Schedule } from '../../machine/schedule';
import type { RawScenario, RawTime } from './types';

/** A path into the YAML document (keys and list indexes), for file:line:column. */
export type At = Array<string | number>;

export interface ResolveContext {
  readonly raw: RawScenario;
  /** The scenario file (or the label of a scenario given as text). */
  readonly file: string;
  /** Folder that relative paths in the file resolve against. */
  readonly dir: string;
  /** Bad input at a place in the file. */
  err(at: At, problem: string): InputFileError;
  /**
   * Runs the check of one part of the file (a fault, an input, an
   * expectation): its problem is recorded and the next part is checked. A
   * part the schema refused is not checked again (undefined).
   */
  attempt<T>(at: At, check: () => T): T | undefined;
  /** Every problem found so far. */
  readonly problems: ProblemList;
  /** boot.semihosting (false when boot: is not as the schema wants it). */
  readonly semihosting: boolean;
  /** Set when an image could not be read: symbol lookups then report nothing more (the image's problem is reported). */
  imagesUnread: boolean;
  readonly board: BoardSpec;
  /** Board name or resolved board file path (for createMachine). */
  readonly boardRef: string;
  readonly clockHz: number;
  /** Cores the run has (smp:, default the board's cpu.count), and how they take turns (schedule:). */
  readonly cores: number;
  readonly schedule?: Schedule;
  /** Refuses a core number this run does not have (at the place in the file). */
  checkCore(core: number, at: At): void;
  /** Instruction count at which the run stops. */
  readonly limit: number;
  readonly profile: FirmwareProfile;
  /** The main console device. */
  readonly consoleDevice: string;
  readonly deviceNames: ReadonlySet<string>;
  /** "device 'uartx' is not on board B; did you mean uartd?": a device the board lacks, with the nearest names it has (of a capability, if given). */
  notOnBoard(device: string, what?: string, capability?: DeviceCapability): string;
  /** Whether the board has a device of this name whose type declares the capability. */
  deviceCan(device: string, capability: DeviceCapability): boolean;
  /** ELF symbols per image: '' is the kernel, other keys are volume image names (filled by the image stage). */
  readonly symbols: Map<string, ElfSymbol[]>;
  /** A time (or instruction count) of the file, in instructions. */
  time(v: RawTime, at: At): number;
  /** Refuses a time at or after the end of the run. */
  beforeLimit(t: number, at: At, what: string): void;
}

const DEFAULT_LIMIT_S = 1;

export function resolveContext(y: LoadedYaml<RawScenario>, dir: string, problems: ProblemList): ResolveContext {
  const raw = y.data;
  const err = (at: At, problem: string) => y.error(at, problem);
  const attempt = <T>(at: At, check: () => T): T | undefined => (y.invalidAt(at) ? undefined : problems.attempt(check));
  const { board, boardRef } = resolveBoard(raw, dir, err);
  const clockHz = board.cpu.clockHz;
  const { cores, schedule } = resolveCores(raw, board, err);
  const checkCore = (core: number, at: At) => {
    if (core >= cores) {
      throw err(at, cores === 1
        ? `core ${core} does not exist: the run has one core (core 0); set smp: ${core + 1} or more to run ${core + 1} cores (board ${board.name} has up to ${board.cpu.maxCount})`
        : `core ${core} does not exist: the run has ${cores} cores (0 to ${cores - 1}, smp: ${cores})`);
    }
  };
  const time = (v: RawTime, at: At): number => {
    const t = parseVirtualTime(v, clockHz);
    if (typeof t === 'string') throw err(at, t);
    return t;
  };
  // Limits first: other times are checked against them.
  const limit = resolveLimit(raw, err, time, clockHz);
  const beforeLimit = (t: number, at: At, what: string) => {
    if (t >= limit) throw err(at, `${what} at ${formatTime(t, clockHz)} can never happen: the run stops at ${formatTime(limit, clockHz)} (limits)`);
  };
  const profile = resolveProfile(raw, dir, err);
  const deviceNames = new Set(board.devices.map((d) => d.name));
  const deviceCan = (device: string, capability: DeviceCapability) =>
    board.devices.some((d) => d.name === device && hasCapability(DEVICE_TYPES.get(d.type), capability));
  const notOnBoard = (device: string, what = 'device', capability?: DeviceCapability) => {
    const names = board.devices.filter((d) => !capability || deviceCan(d.name, capability)).map((d) => d.name);
    return `${what} '${device}' is not on board ${board.name}${didYouMean(device, names)}`;
  };
  const consoleDevice = raw.console ?? profile.console ?? board.boot.console;
  if (!consoleDevice) throw err(raw.console ? ['console'] : [], `board ${board.name} names no console device; set 'console'`);
  if (!deviceNames.has(consoleDevice)) {
    throw err(raw.console ? ['console'] : ['board'], notOnBoard(consoleDevice, 'console device', 'console'));
  }
  if (!deviceCan(consoleDevice, 'console')) {
    const uarts = board.devices.filter((d) => deviceCan(d.name, 'console')).map((d) => d.name).join(', ') || 'none';
    throw err(raw.console ? ['console'] : ['board'], `console device '${consoleDevice}' of board ${board.name} is not a UART; it prints nothing (UARTs: ${uarts})`);
  }
  return {
    raw, file: y.file, dir, err, attempt, problems, imagesUnread: false, notOnBoard,
    semihosting: raw.boot !== null && typeof raw.boot === 'object' && raw.boot.semihosting === true, board, boardRef, clockHz, cores, schedule, checkCore, limit, profile, consoleDevice, deviceNames, deviceCan,
    symbols: new Map(), time, beforeLimit,
  };
}

/** The board: a name of a built-in board, or a board file relative to the scenario. */
function resolveBoard(raw: RawScenario, dir: string, err: ResolveContext['err']): { board: BoardSpec; boardRef: string } {
  const boardRef = /[/\\]|\.ya?ml$/.test(raw.board) ? path.resolve(dir, raw.board) : raw.board;
  try {
    return { board: loadBoard(boardRef), boardRef };
  } catch (e) {
    if (e instanceof InputFileError && e.line === 0) throw err(['board'], `board '${raw.board}': ${e.problem}`);
    throw e;
  }
}

/**
 * smp: (cores, 1 to the board's cpu.max-count; default its cpu.count) and schedule:
 * (quantum and seed, only with several cores; unset keys take the default).
 */
function resolveCores(raw: RawScenario, board: BoardSpec, err: ResolveContext['err']): { cores: number; schedule?: Schedule } {
  const cores = raw.smp ?? board.cpu.count;
  const most = board.cpu.maxCount;
  if (cores > most) {
    throw err(['smp'], `smp: ${cores}, but board ${board.name} has ${most === 1 ? 'one core' : `at most ${most} cores`} (cpu.max-count ${most})`);
  }
  if (raw.schedule === undefined) return { cores };
  if (cores === 1) throw err(['schedule'], `a schedule says how several cores take turns; this run has one core (set smp: 2 or more)`);
  const schedule: Schedule = { quantum: raw.schedule.quantum ?? DEFAULT_SCHEDULE.quantum, seed: raw.schedule.seed ?? DEFAULT_SCHEDULE.seed };
  const bad = scheduleProblem(schedule);
  if (bad) throw err(['schedule'], bad);
  return { cores, schedule };
}

/** The instruction count at which the run stops: the smaller of limits.time and limits.instructions (default 1 s). */
function resolveLimit(raw: RawScenario, err: ResolveContext['err'], time: ResolveContext['time'], clockHz: number): number {
  let limit = Math.round(DEFAULT_LIMIT_S * clockHz);
  if (raw.limits?.time !== undefined) limit = time(raw.limits.time, ['limits', 'time']);
  if (raw.limits?.instructions !== undefined) {
    const n = time(raw.limits.instructions, ['limits', 'instructions']);
    limit = raw.limits.time !== undefined ? Math.min(limit, n) : n;
  }
  if (limit <= 0) throw err(['limits'], 'the limit must be above zero');
  return limit;
}

function resolveProfile(raw: RawScenario, dir: string, err: ResolveContext['err']): FirmwareProfile {
  try { return loadProfile(raw.profile ?? DEFAULT_PROFILE, dir); } catch (e) {
    if (e instanceof InputFileError && e.line === 0) throw err(['profile'], `profile '${raw.profile}': ${e.problem}`);
    throw e;
  }
}
