/**
 * The two shapes of a scenario: the file as written (follows
 * schemas/scenario.schema.json) and the scenario resolved from it, which is
 * everything a run needs.
 */

import type { ElfSymbol } from '../../machine/loaders/elf';
import type { BoardSpec } from '../../machine/boards/board-spec';
import type { FirmwareProfile } from '../profile';
import type { Schedule } from '../../machine/schedule';

// ---- the file as written (follows schemas/scenario.schema.json) -------------

export type RawTime = number | string;
export type RawAddress = number | string;
export interface RawVolume {
  images: Array<{ name: string; role: string; file: string }>;
  domains?: Array<{ name: string; image: string; memory?: number | string; priority?: number; console?: boolean; 'on-fault'?: string; args?: string }>;
  events?: Array<[string, string]>;
}
export interface RawFault {
  type: 'data-abort' | 'prefetch-abort' | 'lost-upcall' | 'irq-storm' | 'bit-flip' | 'corrupt-input' | 'lost-interrupt' | 'spurious-interrupt' | 'stall-core';
  status?: string; level?: 'section' | 'page'; address?: RawAddress; write?: boolean;
  at?: RawTime; 'on-exec'?: { at: RawAddress; nth?: number; core?: number };
  core?: number; for?: RawTime; 'on-access'?: { from: RawAddress; to?: RawAddress; nth?: number; write?: boolean };
  function?: string; nth?: number; count?: number | 'all';
  controller?: string; line?: number; start?: RawTime; period?: RawTime; width?: RawTime;
  bit?: number; device?: string; byte?: number; drop?: true; replace?: number; xor?: number;
}
export type RawOrdered = Array<string | { text: string; by?: RawTime }>;
export interface RawCoreExpectation { core: number; online?: boolean; executes?: RawAddress[]; registers?: Record<string, number> }
export interface RawDump { domain?: string; kind?: string; status?: string; symbol?: string; message?: string }
export interface RawScenario {
  $schema?: string;
  name?: string;
  description?: string;
  board: string;
  profile?: string;
  console?: string;
  smp?: number;
  schedule?: { quantum?: number; seed?: number };
  boot: { kernel: string; cmdline?: string; dtb?: string; initrd?: string; volume?: string | RawVolume; semihosting?: boolean };
  input?: Array<{ at?: RawTime; after?: string; delay?: RawTime; text: string; device?: string; burst?: boolean }>;
  faults?: RawFault[];
  expect?: {
    console?: RawOrdered;
    never?: string[];
    consoles?: Record<string, RawOrdered | { console?: RawOrdered; never?: string[] }>;
    framebuffer?: { golden: string; device?: string };
    end?: EndKind;
    panic?: RawDump;
    'domain-faults'?: RawDump[];
    cores?: RawCoreExpectation[];
  };
  limits?: { time?: RawTime; instructions?: RawTime };
}

// ---- the resolved scenario ------------------------------------------------

export type EndKind = 'halt' | 'exit' | 'reset' | 'poweroff' | 'limit' | 'matched';

export type FaultTrigger =
  | { kind: 'at'; icount: number }
  /** The nth execution of the instruction (by core `core` only, when given). */
  | { kind: 'exec'; address: number; nth: number; label: string; core?: number }
  | { kind: 'access'; lo: number; hi: number; nth: number; write?: boolean; label: string };

export type FaultSpec =
  /** `core`: the core that takes an abort fired at a time ('at' trigger). */
  | { type: 'data-abort' | 'prefetch-abort'; index: number; status: number; statusName: string; address?: number; write?: boolean; core: number; trigger: FaultTrigger; description: string }
  | { type: 'lost-upcall'; index: number; function: string; address: number; nth: number; count: number; description: string }
  | { type: 'irq-storm'; index: number; controller: string; line: number; start: number; period: number; count: number; width: number; description: string }
  | { type: 'bit-flip'; index: number; icount: number; address: number; bit: number; description: string }
  /** The byte-th byte (1-based) of the device's scripted input dropped, replaced or XORed. */
  | { type: 'corrupt-input'; index: number; device: string; byte: number; action: { drop: true } | { replace: number } | { xor: number }; description: string }
  /** For an SGI (sgi: true), `core` is the core that loses it and nth counts the GICD_SGIR writes sending it there. */
  | { type: 'lost-interrupt'; index: number; controller: string; line: number; nth: number; count: number; sgi?: { core: number; sgir: number }; description: string }
  /** A schedule perturbation: core `core` gives up its turns for `ticks` ticks from the trigger on. */
  | { type: 'stall-core'; index: number; core: number; ticks: number; trigger: Extract<FaultTrigger, { kind: 'at' | 'exec' }>; description: string }
  | { type: 'spurious-interrupt'; index: number; controller: string; line: number; icount: number; width: number; description: string };

/** What a core must (or must not) do in a run. */
export interface CoreExpectation {
  core: number;
  online?: boolean;
  executes: Array<{ address: number; label: string }>;
  registers: Array<{ name: string; value: number }>;
}

/** Console expectations of one device: patterns in order (each optionally by a deadline) and patterns never shown. */
export interface ConsoleExpectations { console: Array<Pattern & { by?: number }>; never: Pattern[] }

export interface Pattern { source: string; regex: RegExp }
export interface DumpExpectation { domain?: string; kind?: string; status?: string; symbol?: string; message?: Pattern }

export interface Scenario {
  file: string;
  name: string;
  board: BoardSpec;
  /** Board name or resolved board file path (for createMachine). */
  boardName: string;
  clockHz: number;
  profile: FirmwareProfile;
  console: string;
  kernel: { file: string; data: Uint8Array };
  cmdline?: string;
  /** A device tree for the kernel (boards booting with a DTB). */
  dtb?: { file: string; data: Uint8Array };
  /** An initrd handed over as it is (a scenario has this or a volume, not both). */
  initrd?: { file: string; data: Uint8Array };
  volume?: Uint8Array;
  /** ELF symbols per image: '' is the kernel, other keys are volume image names. */
  symbols: Map<string, ElfSymbol[]>;
  /**
   * Console input at virtual times, as scripted (corrupt-input faults act on it as it is delivered).
   * It crosses the serial line at the UART's line rate, unless `burst`: then it lands in the receive FIFO at once.
   */
  inputs: Array<{ icount: number; device: string; data: Uint8Array; burst?: boolean }>;
  /**
   * Console input typed once a pattern has appeared in the device's output,
   * `delay` instructions later; per device, in the order written.
   */
  inputsAfterOutput: Array<{ after: Pattern; delay: number; device: string; data: Uint8Array; burst?: boolean }>;
  /** Cores the machine runs (smp:), and how they take turns (schedule:; undefined: the default). */
  cores: number;
  schedule?: Schedule;
  /** Serve semihosting calls (output goes to the console device 'semihosting'). */
  semihosting: boolean;
  faults: FaultSpec[];
  expect: {
    console: Array<Pattern & { by?: number }>;
    never: Pattern[];
    /** Other console devices (and 'semihosting'), by name. */
    consoles: Map<string, ConsoleExpectations>;
    framebuffer?: { golden: string; device: string };
    end: EndKind;
    panic?: DumpExpectation;
    domainFaults: DumpExpectation[];
    cores: CoreExpectation[];
  };
  /** Instruction count at which the run stops. */
  limit: number;
}
