/**
 * The one way to turn a boot description into a booted machine. Every
 * command (run, record, replay, diff, bisect, minimize, bundle, exec), the
 * Cucumber steps (through the scenario runner), the bench and the bring-up
 * suite boot through here; nothing else constructs a Machine or loads an
 * image into one.
 *
 * A description is plain data: the board (an already-loaded BoardSpec; the
 * layers above load board files by name), the images by role, the kernel
 * command line, semihosting and the number of cores. It is checked as a
 * whole before anything is built, so a combination that cannot boot is
 * refused with a message saying which part is wrong, not halfway through.
 *
 * Roles:
 * - `kernel`: a kernel or hypervisor (ELF, zImage or raw image) booted with
 *   the board's boot protocol (machine/boot/linux-boot.ts: ATAGs or a DTB).
 * - `program`: a bare-metal ELF loaded as QEMU's -kernel loads an ELF
 *   (segments at their physical addresses, entry in SVC mode, MMU off), with
 *   no boot protocol: the registers stay at their reset values.
 * - `dtb`, `initrd`, `volume`: handed to the kernel by the boot protocol; a
 *   packed boot volume (machine/boot/volume.ts) travels where an initrd does.
 *   A device tree on a board that boots with ATAGs selects the DTB protocol.
 * - none: a bare machine at its reset state (tools and tests that put code
 *   into RAM themselves).
 *
 * Pure, like the rest of machine/: images arrive as bytes, nothing is read.
 */

import { Machine } from '../machine';
import { scheduleProblem, type Schedule } from '../schedule';
import type { BoardSpec } from '../boards/board-spec';
import type { DeviceType } from '../devices/device';
import { DEVICE_TYPES } from '../devices/registry';
import { parseElf, ImageError, type ElfSymbol } from '../loaders/elf';
import type { SemihostingHost } from '../semihosting';
import { bootKernel, type BootLayout } from './linux-boot';

/** One image: its bytes, the name messages call it by, and (when it came from a file) that file. */
export interface BootImage {
  name: string;
  data: Uint8Array;
  /** The file it was read from, as given (recordings name it). */
  file?: string;
}

export interface BootSemihosting {
  /** Where output and host files go; default: output is console output of the device 'semihosting'. */
  host?: SemihostingHost;
  /** Scripted console input for SYS_READC and reads of ":tt". */
  input?: Uint8Array;
  /** What SYS_GET_CMDLINE returns (default: the description's cmdline). */
  cmdline?: string;
}

export interface BootDescription {
  board: BoardSpec;
  /** A kernel or hypervisor booted with the board's boot protocol. */
  kernel?: BootImage;
  /** A bare-metal ELF loaded without a boot protocol (not with `kernel`). */
  program?: BootImage;
  /** A device tree (boards booting with a DTB). */
  dtb?: BootImage;
  /** An initial ramdisk handed over as it is (not with `volume`). */
  initrd?: BootImage;
  /** A packed boot volume, handed over where an initrd goes. */
  volume?: BootImage;
  /** The kernel command line. */
  cmdline?: string;
  /** Serve ARM semihosting calls (SVC 0x123456 / Thumb SVC 0xab). */
  semihosting?: BootSemihosting;
  /** Cores to run (default 1; at most the board's cpu.max-count). */
  cores?: number;
  /** How several cores take turns (default: machine/schedule.ts DEFAULT_SCHEDULE). */
  schedule?: Schedule;
  /** MachineOptions.holdFetchAcrossRuns (default true; false for replays of recordings before format 6). */
  holdFetchAcrossRuns?: boolean;
  /** Device models by type name (default: the shipped ones). */
  deviceTypes?: ReadonlyMap<string, DeviceType>;
}

export interface BootedMachine {
  machine: Machine;
  /** Where the boot protocol put the images (only with a kernel). */
  layout?: BootLayout;
  /** Symbols of the kernel or program, when it is an ELF. */
  symbols: ElfSymbol[];
}

/**
 * A boot description that cannot be booted: which part is wrong and why. An
 * ImageError, so the command line reports it as bad input (exit 2).
 */
export class BootDescriptionError extends ImageError {}

/** The most cores a machine runs (the Cortex-A9 MPCore has up to four). */
export const MAX_CORES = 4;

/** What is wrong with a description, or undefined when it can be booted. */
export function bootDescriptionProblem(d: BootDescription): string | undefined {
  const board = d.board;
  if (!board || typeof board !== 'object' || !Array.isArray(board.memory)) return 'no board given';
  const cores = d.cores ?? board.cpu.count;
  const most = board.cpu.maxCount ?? board.cpu.count;
  if (!Number.isInteger(cores) || cores < 1) return `cores must be a whole number of at least 1 (got ${cores})`;
  if (cores > most) return `cores: ${cores}, but board ${board.name} has ${most} core${most === 1 ? '' : 's'}`;
  if (cores > MAX_CORES) return `cores: ${cores}, but a Cortex-A9 cluster has at most ${MAX_CORES}`;
  if (d.schedule) {
    const bad = scheduleProblem(d.schedule);
    if (bad) return `schedule: ${bad}`;
  }
  for (const role of ['kernel', 'program', 'dtb', 'initrd', 'volume'] as const) {
    const image = d[role];
    if (image === undefined) continue;
    if (!(image.data instanceof Uint8Array)) return `the ${role} image${image.name ? ` ${image.name}` : ''} has no bytes`;
  }
  if (d.kernel && d.program) return `a kernel (${d.kernel.name}) and a bare-metal program (${d.program.name}) were both given; boot one of them`;
  if (!d.kernel) {
    const extra = (['dtb', 'initrd', 'volume'] as const).find((r) => d[r] !== undefined) ?? (d.cmdline !== undefined ? 'cmdline' : undefined);
    if (extra) return `a ${extra === 'cmdline' ? 'command line' : extra} is handed over by a boot protocol, which needs a kernel image`;
  }
  if (d.initrd && d.volume) return `an initrd (${d.initrd.name}) and a boot volume were both given; the boot protocol hands over one of them`;
  return undefined;
}

/** Checks a description; throws BootDescriptionError saying what is wrong. */
export function checkBootDescription(d: BootDescription): void {
  const problem = bootDescriptionProblem(d);
  if (problem) throw new BootDescriptionError(`boot: ${problem}`);
}

/** Builds the board's machine and boots the described images into it, ready to run. */
export function bootMachine(d: BootDescription): BootedMachine {
  checkBootDescription(d);
  const machine = new Machine(d.board, d.deviceTypes ?? DEVICE_TYPES, { cores: d.cores ?? d.board.cpu.count, schedule: d.schedule, holdFetchAcrossRuns: d.holdFetchAcrossRuns });
  let layout: BootLayout | undefined;
  let symbols: ElfSymbol[] = [];
  if (d.kernel) {
    layout = bootKernel(machine, {
      kernel: d.kernel.data, kernelName: d.kernel.name,
      initrd: (d.volume ?? d.initrd)?.data,
      dtb: d.dtb?.data, dtbName: d.dtb?.name,
      cmdline: d.cmdline,
    });
    symbols = layout.elf?.symbols ?? [];
  } else if (d.program) {
    const elf = parseElf(d.program.data, d.program.name);
    machine.loadElf(elf, d.program.name);
    symbols = elf.symbols;
  }
  if (d.semihosting) {
    const sh = d.semihosting;
    machine.enableSemihosting({
      // As a scenario run sees it: semihosting output is console output of its own device.
      host: sh.host ?? { console: (_stream, bytes) => machine.emitConsole('semihosting', bytes) },
      input: sh.input,
      cmdline: sh.cmdline ?? d.cmdline,
    });
  }
  return { machine, layout, symbols };
}
