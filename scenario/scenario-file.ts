/**
 * Scenario files (schemas/scenario.schema.json): loaded, validated and
 * resolved into everything a run needs — board, images, the packed boot
 * volume, console input and faults at absolute instruction counts, symbols
 * turned into addresses, expectations as regular expressions. Every problem
 * is reported as file:line:column with what is wrong, before anything runs.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseElf, ImageError, type ElfSymbol } from '../machine/loaders/elf';
import { packVolume, VolumeError, type VolumeImage } from '../machine/boot/volume';
import { FdtError } from '../machine/boot/fdt';
import { checkBootDtb } from '../machine/boot/linux-boot';
import { ATAG_CMDLINE_MAX } from '../machine/boot/atag';
import { checkInputFile, readInputFile, InputFileUnusable } from '../io/input-file';
import * as F from '../machine/cpu/faults';
import type { BoardSpec } from '../machine/boards/board-spec';
import { loadYamlFile, parseYamlText, InputFileError, type LoadedYaml } from './yaml-file';
import { loadBoard, parseSize } from './boards';
import { manifestImages, domainConfigText, DOMAINS_IMAGE } from './volume-manifest';
import { parseVirtualTime, formatTime } from './virtual-time';
import { loadProfile, DEFAULT_PROFILE, type FirmwareProfile } from './profile';
import { decodePng } from './png';
import { DEVICE_TYPES } from '../machine/devices/registry';

/** Device types that scan out a frame buffer (render()). */
const DISPLAY_TYPES = /tegra20-dc|pl111|display|lcd/i;

export const SCENARIO_SCHEMA = 'scenario.schema.json';

// ---- the file as written (follows schemas/scenario.schema.json) -------------

type RawTime = number | string;
type RawAddress = number | string;
interface RawVolume {
  images: Array<{ name: string; role: string; file: string }>;
  domains?: Array<{ name: string; image: string; memory?: number | string; priority?: number; console?: boolean; 'on-fault'?: string; args?: string }>;
  events?: Array<[string, string]>;
}
interface RawFault {
  type: 'data-abort' | 'prefetch-abort' | 'lost-upcall' | 'irq-storm' | 'bit-flip' | 'corrupt-input' | 'lost-interrupt' | 'spurious-interrupt';
  status?: string; level?: 'section' | 'page'; address?: RawAddress; write?: boolean;
  at?: RawTime; 'on-exec'?: { at: RawAddress; nth?: number }; 'on-access'?: { from: RawAddress; to?: RawAddress; nth?: number; write?: boolean };
  function?: string; nth?: number; count?: number | 'all';
  controller?: string; line?: number; start?: RawTime; period?: RawTime; width?: RawTime;
  bit?: number; device?: string; byte?: number; drop?: true; replace?: number; xor?: number;
}
type RawOrdered = Array<string | { text: string; by?: RawTime }>;
interface RawDump { domain?: string; kind?: string; status?: string; symbol?: string; message?: string }
export interface RawScenario {
  $schema?: string;
  name?: string;
  description?: string;
  board: string;
  profile?: string;
  console?: string;
  boot: { kernel: string; cmdline?: string; dtb?: string; initrd?: string; volume?: string | RawVolume; semihosting?: boolean };
  input?: Array<{ at?: RawTime; after?: string; delay?: RawTime; text: string; device?: string }>;
  faults?: RawFault[];
  expect?: {
    console?: RawOrdered;
    never?: string[];
    consoles?: Record<string, RawOrdered | { console?: RawOrdered; never?: string[] }>;
    framebuffer?: { golden: string; device?: string };
    end?: EndKind;
    panic?: RawDump;
    'domain-faults'?: RawDump[];
  };
  limits?: { time?: RawTime; instructions?: RawTime };
}

// ---- the resolved scenario ------------------------------------------------

export type EndKind = 'halt' | 'exit' | 'reset' | 'limit' | 'matched';

export type FaultTrigger =
  | { kind: 'at'; icount: number }
  | { kind: 'exec'; address: number; nth: number; label: string }
  | { kind: 'access'; lo: number; hi: number; nth: number; write?: boolean; label: string };

export type FaultSpec =
  | { type: 'data-abort' | 'prefetch-abort'; index: number; status: number; statusName: string; address?: number; write?: boolean; trigger: FaultTrigger; description: string }
  | { type: 'lost-upcall'; index: number; function: string; address: number; nth: number; count: number; description: string }
  | { type: 'irq-storm'; index: number; controller: string; line: number; start: number; period: number; count: number; width: number; description: string }
  | { type: 'bit-flip'; index: number; icount: number; address: number; bit: number; description: string }
  /** The byte-th byte (1-based) of the device's scripted input dropped, replaced or XORed. */
  | { type: 'corrupt-input'; index: number; device: string; byte: number; action: { drop: true } | { replace: number } | { xor: number }; description: string }
  | { type: 'lost-interrupt'; index: number; controller: string; line: number; nth: number; count: number; description: string }
  | { type: 'spurious-interrupt'; index: number; controller: string; line: number; icount: number; width: number; description: string };

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
  /** Console input at virtual times, as scripted (corrupt-input faults act on it as it is delivered). */
  inputs: Array<{ icount: number; device: string; data: Uint8Array }>;
  /**
   * Console input typed once a pattern has appeared in the device's output,
   * `delay` instructions later; per device, in the order written.
   */
  inputsAfterOutput: Array<{ after: Pattern; delay: number; device: string; data: Uint8Array }>;
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
  };
  /** Instruction count at which the run stops. */
  limit: number;
}

const DEFAULT_LIMIT_S = 1;

/** Loads, validates and resolves a scenario file. Throws InputFileError. */
export function loadScenario(file: string): Scenario {
  const y = loadYamlFile<RawScenario>(file, SCENARIO_SCHEMA);
  return resolveScenario(y, path.dirname(path.resolve(file)));
}

/** The same from text (e.g. a scenario assembled by Cucumber steps); paths resolve against baseDir. */
export function scenarioFromText(text: string, label: string, baseDir: string): Scenario {
  return resolveScenario(parseYamlText<RawScenario>(text, label, SCENARIO_SCHEMA), baseDir);
}

function resolveScenario(y: LoadedYaml<RawScenario>, dir: string): Scenario {
  const raw = y.data;
  const err = (at: Array<string | number>, problem: string) => y.error(at, problem);

  // Board and clock.
  let board: BoardSpec;
  const boardRef = /[/\\]|\.ya?ml$/.test(raw.board) ? path.resolve(dir, raw.board) : raw.board;
  try {
    board = loadBoard(boardRef);
  } catch (e) {
    if (e instanceof InputFileError && e.line === 0) throw err(['board'], `board '${raw.board}': ${e.problem}`);
    throw e;
  }
  const clockHz = board.cpu.clockHz;
  const time = (v: RawTime, at: Array<string | number>): number => {
    const t = parseVirtualTime(v, clockHz);
    if (typeof t === 'string') throw err(at, t);
    return t;
  };

  // Limits first: other times are checked against them.
  let limit = Math.round(DEFAULT_LIMIT_S * clockHz);
  if (raw.limits?.time !== undefined) limit = time(raw.limits.time, ['limits', 'time']);
  if (raw.limits?.instructions !== undefined) {
    const n = time(raw.limits.instructions, ['limits', 'instructions']);
    limit = raw.limits.time !== undefined ? Math.min(limit, n) : n;
  }
  if (limit <= 0) throw err(['limits'], 'the limit must be above zero');
  const beforeLimit = (t: number, at: Array<string | number>, what: string) => {
    if (t >= limit) throw err(at, `${what} at ${formatTime(t, clockHz)} can never happen: the run stops at ${formatTime(limit, clockHz)} (limits)`);
  };

  // Profile and console.
  let profile: FirmwareProfile;
  try { profile = loadProfile(raw.profile ?? DEFAULT_PROFILE, dir); } catch (e) {
    if (e instanceof InputFileError && e.line === 0) throw err(['profile'], `profile '${raw.profile}': ${e.problem}`);
    throw e;
  }
  const deviceNames = new Set(board.devices.map((d) => d.name));
  const isUart = (name: string) => board.devices.some((d) => d.name === name && /uart|ns16550|pl011|serial/i.test(`${d.type} ${d.name}`));
  const consoleDevice = raw.console ?? profile.console ?? board.boot.console;
  if (!consoleDevice) throw err(raw.console ? ['console'] : [], `board ${board.name} names no console device; set 'console'`);
  if (!deviceNames.has(consoleDevice)) {
    throw err(raw.console ? ['console'] : ['board'], `console device '${consoleDevice}' is not on board ${board.name}`);
  }

  // Images.
  const readImage = (rel: string, at: Array<string | number>, what: string): { file: string; data: Uint8Array } => {
    const file = path.resolve(dir, rel);
    if (!fs.existsSync(file)) throw err(at, `${what} file ${rel} does not exist (resolved to ${file})`);
    try {
      return { file, data: new Uint8Array(readInputFile(file, { what })) };
    } catch (e) {
      if (e instanceof InputFileUnusable) throw err(at, `${what} ${rel}: ${e.reason}`);
      throw e;
    }
  };
  const pack = (images: VolumeImage[], at: Array<string | number>): Uint8Array => {
    try { return packVolume(images); } catch (e) {
      if (e instanceof VolumeError) throw err(at, e.message);
      throw e;
    }
  };
  if (board.boot.protocol === 'atag' && raw.boot.cmdline !== undefined && Buffer.byteLength(raw.boot.cmdline) > ATAG_CMDLINE_MAX) {
    throw err(['boot', 'cmdline'], `the command line is ${Buffer.byteLength(raw.boot.cmdline)} bytes; ATAG_CMDLINE (board ${board.name}) holds at most ${ATAG_CMDLINE_MAX}`);
  }
  const kernel = readImage(raw.boot.kernel, ['boot', 'kernel'], 'kernel');
  const symbols = new Map<string, ElfSymbol[]>();
  const elfSymbols = (data: Uint8Array, name: string, at: Array<string | number>): ElfSymbol[] | undefined => {
    if (!(data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46)) return undefined;
    try { return parseElf(data, name).symbols; } catch (e) {
      if (e instanceof ImageError) throw err(at, e.message);
      throw e;
    }
  };
  symbols.set('', elfSymbols(kernel.data, raw.boot.kernel, ['boot', 'kernel']) ?? []);
  if (isElfData(kernel.data)) {
    // A segment that starts in RAM must end in RAM without crossing a hole
    // (the boot loader would refuse it; say so before the run).
    const bankAt = (a: number) => board.memory.find((m) => a >= m.base && a - m.base < m.size);
    for (const seg of parseElf(kernel.data, raw.boot.kernel).segments) {
      if (!bankAt(seg.paddr)) continue;
      for (let a = seg.paddr; a < seg.paddr + seg.memsz;) {
        const bank = bankAt(a);
        if (!bank) throw err(['boot', 'kernel'], `${raw.boot.kernel}: segment at 0x${seg.paddr.toString(16)} (${seg.memsz} bytes) runs over 0x${a.toString(16)}, where board ${board.name} has no RAM`);
        a = bank.base + bank.size;
      }
    }
  }
  let dtb: { file: string; data: Uint8Array } | undefined;
  if (raw.boot.dtb !== undefined) {
    if (board.boot.protocol !== 'dtb') throw err(['boot', 'dtb'], `board ${board.name} boots with ${board.boot.protocol.toUpperCase()}s, not a device tree`);
    dtb = readImage(raw.boot.dtb, ['boot', 'dtb'], 'device tree');
    const magic = dtb.data.length >= 4 ? Buffer.from(dtb.data.subarray(0, 4)).readUInt32BE(0) : 0;
    if (magic !== 0xd00dfeed) throw err(['boot', 'dtb'], `${raw.boot.dtb} is not a flattened device tree (no 0xd00dfeed magic)`);
    // The boot loader parses it before the run: a damaged tree is bad input now, not a failed run later.
    try { checkBootDtb(dtb.data); } catch (e) {
      if (e instanceof FdtError) throw err(['boot', 'dtb'], `${raw.boot.dtb}: ${e.message}`);
      throw e;
    }
  }
  let initrd: { file: string; data: Uint8Array } | undefined;
  if (raw.boot.initrd !== undefined) {
    if (raw.boot.volume !== undefined) throw err(['boot', 'initrd'], `a boot has an initrd or a boot volume (the volume is the initrd), not both`);
    initrd = readImage(raw.boot.initrd, ['boot', 'initrd'], 'initrd');
  }

  let volume: Uint8Array | undefined;
  const v = raw.boot.volume;
  if (typeof v === 'string') {
    const manifest = path.resolve(dir, v);
    if (!fs.existsSync(manifest)) throw err(['boot', 'volume'], `boot volume manifest ${v} does not exist (resolved to ${manifest})`);
    try { checkInputFile(manifest, { what: 'boot volume manifest' }); } catch (e) {
      if (e instanceof InputFileUnusable) throw err(['boot', 'volume'], `boot volume manifest ${v}: ${e.reason}`);
      throw e;
    }
    let images: VolumeImage[];
    // A manifest's own error names the manifest; say which line of the scenario led there too.
    try { images = manifestImages(manifest); } catch (e) {
      if (e instanceof InputFileError && e.file !== y.file) throw err(['boot', 'volume'], `boot volume manifest ${v}: ${e.message}`);
      throw e;
    }
    for (const im of images) if (im.role !== 'config') symbols.set(im.name, elfSymbols(im.data, im.name, ['boot', 'volume']) ?? []);
    volume = pack(images, ['boot', 'volume']);
  } else if (v) {
    const images: VolumeImage[] = [];
    v.images.forEach((im, i) => {
      const at = ['boot', 'volume', 'images', i];
      if (images.some((x) => x.name === im.name)) throw err([...at, 'name'], `image name '${im.name}' is used twice`);
      const { data } = readImage(im.file, [...at, 'file'], 'image');
      images.push({ name: im.name, role: im.role, data });
      if (im.role !== 'config') symbols.set(im.name, elfSymbols(data, im.file, [...at, 'file']) ?? []);
    });
    if (v.domains) {
      if (images.some((x) => x.name === DOMAINS_IMAGE)) throw err(['boot', 'volume', 'domains'], `an image is already named '${DOMAINS_IMAGE}', which the domain configuration needs`);
      const names = new Set<string>();
      v.domains.forEach((d, i) => {
        if (!images.some((x) => x.name === d.image)) throw err(['boot', 'volume', 'domains', i, 'image'], `domain ${d.name} runs image '${d.image}', which is not in this volume`);
        if (names.has(d.name)) throw err(['boot', 'volume', 'domains', i, 'name'], `domain name '${d.name}' is used twice`);
        if (d.memory !== undefined && !(parseSize(d.memory) <= 0xffffffff)) throw err(['boot', 'volume', 'domains', i, 'memory'], `domain ${d.name}: memory ${d.memory} is more than the 4 GiB a 32-bit domain can address`);
        names.add(d.name);
      });
      (v.events ?? []).forEach((pair, i) => pair.forEach((port, j) => {
        const dom = port.split(':')[0];
        if (!names.has(dom)) throw err(['boot', 'volume', 'events', i, j], `event channel end ${port}: no domain '${dom}'`);
      }));
      images.push({ name: DOMAINS_IMAGE, role: 'config', data: new TextEncoder().encode(domainConfigText(v)) });
    }
    volume = pack(images, ['boot', 'volume']);
  }

  // Symbols: 'name', 'name+0x10', 'IMAGE:name'; integers are addresses.
  const address = (a: RawAddress, at: Array<string | number>): { value: number; label: string } => {
    if (typeof a === 'number') {
      if (!Number.isInteger(a) || a < 0 || a > 0xffffffff) throw err(at, `address ${a} is outside the 32-bit address space (0 to 0xffffffff)`);
      return { value: a >>> 0, label: `0x${a.toString(16)}` };
    }
    const m = /^(?:([A-Za-z0-9_.-]+):)?([A-Za-z_.$][A-Za-z0-9_.$]*)(?:\s*\+\s*(0x[0-9a-fA-F]+|[0-9]+))?$/.exec(a.trim());
    if (!m) {
      if (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(a.trim())) {
        const n = Number(a.trim());
        if (!(n <= 0xffffffff)) throw err(at, `address ${a.trim()} is outside the 32-bit address space (0 to 0xffffffff)`);
        return { value: n >>> 0, label: a.trim() };
      }
      throw err(at, `'${a}' is neither an address nor a symbol (name, name+0x10 or IMAGE:name)`);
    }
    const [, image, name, off] = m;
    const table = symbols.get(image ?? '');
    const where = image ? `image '${image}'` : `the kernel ${raw.boot.kernel}`;
    if (!table) throw err(at, `no image '${image}' in the boot volume (images: ${[...symbols.keys()].filter((k) => k).join(', ') || 'none'})`);
    if (!table.length) throw err(at, `unknown symbol '${name}': ${where} has no ELF symbol table`);
    const sym = table.find((s) => s.name === name && s.type === 2) ?? table.find((s) => s.name === name);
    if (!sym) {
      const near = table.filter((s) => s.name.includes(name) || name.includes(s.name) && s.name.length > 3).slice(0, 5).map((s) => s.name);
      throw err(at, `unknown symbol '${name}' in ${where}${near.length ? ` (similar: ${near.join(', ')})` : ''}`);
    }
    const sum = sym.value + (off ? Number(off) : 0);
    if (!(sum <= 0xffffffff)) throw err(at, `${name}${off ? `+${off}` : ''} is 0x${sum.toString(16)}, outside the 32-bit address space (0 to 0xffffffff)`);
    const value = sum >>> 0;
    return { value: value & ~1, label: `${image ? `${image}:` : ''}${name}${off ? `+${off}` : ''}` };
  };

  // Console input: at a time, or after a pattern in the output.
  const inputs: Scenario['inputs'] = [];
  const inputsAfterOutput: Scenario['inputsAfterOutput'] = [];
  (raw.input ?? []).forEach((inp, i) => {
    const device = inp.device ?? consoleDevice;
    if (!deviceNames.has(device)) throw err(['input', i, 'device'], `device '${device}' is not on board ${board.name}`);
    if (!isUart(device)) throw err(['input', i, 'device'], `device '${device}' of board ${board.name} is not a UART; it takes no console input (UARTs: ${board.devices.filter((d) => isUart(d.name)).map((d) => d.name).join(', ')})`);
    // Typed text is sent as its UTF-8 bytes.
    const data = new Uint8Array(Buffer.from(inp.text, 'utf8'));
    if (inp.at !== undefined && inp.after !== undefined) throw err(['input', i, 'after'], `console input is typed at a time or after a pattern; this one has at and after`);
    if (inp.at === undefined && inp.after === undefined) throw err(['input', i], `this console input is never typed: give it 'at' (a time) or 'after' (a pattern in the output)`);
    if (inp.at !== undefined) {
      if (inp.delay !== undefined) throw err(['input', i, 'delay'], `'delay' counts from the 'after' match; with 'at', put the time in 'at'`);
      const icount = time(inp.at, ['input', i, 'at']);
      beforeLimit(icount, ['input', i, 'at'], 'console input');
      inputs.push({ icount, device, data });
      return;
    }
    const after = compilePattern(inp.after!);
    if (typeof after === 'string') throw err(['input', i, 'after'], after);
    const delay = inp.delay !== undefined ? time(inp.delay, ['input', i, 'delay']) : 0;
    inputsAfterOutput.push({ after, delay, device, data });
  });

  // Faults.
  const faults = (raw.faults ?? []).map((f, i): FaultSpec => {
    const at = ['faults', i];
    if (f.type === 'data-abort' || f.type === 'prefetch-abort') {
      const triggers = (['at', 'on-exec', 'on-access'] as const).filter((k) => f[k] !== undefined);
      if (triggers.length !== 1) {
        throw err(triggers.length ? [...at, triggers[1]] : at, triggers.length
          ? `a fault has one trigger; this one has ${triggers.join(' and ')}`
          : `this ${f.type} never fires: give it a trigger (at, on-exec${f.type === 'data-abort' ? ' or on-access' : ''})`);
      }
      const { code, name } = statusCode(f.status!, f.level, f.type === 'data-abort');
      let trigger: FaultTrigger;
      if (f.at !== undefined) {
        const icount = time(f.at, [...at, 'at']);
        beforeLimit(icount, [...at, 'at'], `the ${f.type}`);
        trigger = { kind: 'at', icount };
      } else if (f['on-exec']) {
        const a = address(f['on-exec'].at, [...at, 'on-exec', 'at']);
        trigger = { kind: 'exec', address: a.value, nth: f['on-exec'].nth ?? 1, label: a.label };
      } else {
        const acc = f['on-access']!;
        const lo = address(acc.from, [...at, 'on-access', 'from']);
        const hi = acc.to !== undefined ? address(acc.to, [...at, 'on-access', 'to']) : lo;
        if (hi.value < lo.value) throw err([...at, 'on-access', 'to'], `the range ends (${hi.label}) before it starts (${lo.label}): no access can ever be in it`);
        trigger = { kind: 'access', lo: lo.value, hi: hi.value, nth: acc.nth ?? 1, write: acc.write, label: acc.to !== undefined ? `${lo.label}..${hi.label}` : lo.label };
      }
      const addr = f.address !== undefined ? address(f.address, [...at, 'address']).value : undefined;
      return { type: f.type, index: i, status: code, statusName: name, address: addr, write: f.write, trigger, description: describeAbort(f.type, name, trigger, clockHz) };
    }
    if (f.type === 'lost-upcall') {
      const fn = f.function ?? profile.lostUpcall;
      if (!fn) throw err(at, `profile ${profile.name} names no lost-upcall function; give 'function'`);
      const a = address(fn, f.function !== undefined ? [...at, 'function'] : [...at, 'type']);
      const nth = f.nth ?? 1;
      const rawCount = f.count;
      const count = rawCount === 'all' ? Infinity : rawCount ?? 1;
      const which = count === Infinity ? `every call from the ${ordinal(nth)} on` : count === 1 ? `the ${ordinal(nth)} call` : `${count} calls from the ${ordinal(nth)} on`;
      return { type: 'lost-upcall', index: i, function: a.label, address: a.value, nth, count, description: `lost upcall: ${which} of ${a.label} skipped` };
    }
    if (f.type === 'bit-flip') {
      const icount = time(f.at!, [...at, 'at']);
      beforeLimit(icount, [...at, 'at'], 'the bit flip');
      const a = address(f.address!, [...at, 'address']);
      const bit = f.bit!;
      // Bits 8-31 are bits of the little-endian word at the address.
      const byteAddress = (a.value + (bit >> 3)) >>> 0;
      const bank = board.memory.find((m) => byteAddress >= m.base && byteAddress - m.base < m.size);
      if (!bank) {
        const banks = board.memory.map((m) => `${m.name} 0x${m.base.toString(16)}-0x${(m.base + m.size - 1).toString(16)}`).join(', ');
        throw err([...at, 'address'], `bit flip at ${a.label}${bit >= 8 ? ` (byte 0x${byteAddress.toString(16)})` : ''}: no RAM there on board ${board.name} (RAM: ${banks})`);
      }
      return {
        type: 'bit-flip', index: i, icount, address: byteAddress, bit: bit & 7,
        description: `bit flip: bit ${bit} of ${a.label}${bit >= 8 ? ` (bit ${bit & 7} of byte 0x${byteAddress.toString(16)})` : ''} at ${formatTime(icount, clockHz)}`,
      };
    }
    if (f.type === 'corrupt-input') {
      const device = f.device ?? consoleDevice;
      if (!deviceNames.has(device)) throw err([...at, 'device'], `device '${device}' is not on board ${board.name}`);
      const actions = (['drop', 'replace', 'xor'] as const).filter((k) => f[k] !== undefined);
      if (actions.length !== 1) {
        throw err(actions.length ? [...at, actions[1]] : at, actions.length
          ? `corrupt-input does one thing to the byte; this one has ${actions.join(' and ')}`
          : `this corrupt-input does nothing: give drop: true, replace: BYTE or xor: MASK`);
      }
      const total = [...inputs, ...inputsAfterOutput].filter((x) => x.device === device).reduce((n, x) => n + x.data.length, 0);
      if (f.byte! > total) {
        throw err([...at, 'byte'], `byte ${f.byte} of the input to ${device} can never be corrupted: the scenario types only ${total} byte(s) there`);
      }
      const hex2 = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;
      const action = f.drop ? { drop: true as const } : f.replace !== undefined ? { replace: f.replace } : { xor: f.xor! };
      const what = f.drop ? 'dropped' : f.replace !== undefined ? `replaced by ${hex2(f.replace)}` : `XORed with ${hex2(f.xor!)}`;
      return { type: 'corrupt-input', index: i, device, byte: f.byte!, action, description: `corrupt input: the ${ordinal(f.byte!)} byte typed on ${device} ${what}` };
    }
    // Interrupt faults.
    const controller = f.controller ?? 'gic';
    const ctl = board.devices.find((d) => d.name === controller);
    const inputsOf = (d: { type: string; props: unknown }) => Math.min(DEVICE_TYPES.get(d.type)?.irqInputs ?? 0, Number((d.props as Record<string, unknown>)['num-irqs'] ?? 1020));
    const controllers = () => board.devices.filter((d) => inputsOf(d)).map((d) => `${d.name} (lines 0-${inputsOf(d) - 1})`).join(', ') || 'none';
    if (!ctl) throw err([...at, f.controller ? 'controller' : 'type'], `interrupt controller '${controller}' is not on board ${board.name} (its interrupt controllers: ${controllers()})`);
    if (!inputsOf(ctl)) {
      throw err([...at, f.controller ? 'controller' : 'type'], `device '${controller}' (${ctl.type}) has no interrupt inputs, so this ${f.type} fault cannot drive its lines; the interrupt controllers of board ${board.name} are ${controllers()}`);
    }
    const numIrqs = inputsOf(ctl);
    if (f.line! >= numIrqs) throw err([...at, 'line'], `${controller} has interrupt IDs 0-${numIrqs - 1}; line ${f.line} does not exist`);
    if (controller === 'gic' && f.line! < 16) throw err([...at, 'line'], `GIC IDs 0-15 are software-generated interrupts and have no input line`);
    if (f.type === 'lost-interrupt') {
      const drivers = board.devices.filter((d) => d.irq.some((outs) => outs.some((t) => t.device === controller && t.line === f.line)));
      if (!drivers.length) throw err([...at, 'line'], `no device of board ${board.name} drives ${controller} line ${f.line}, so no assertion of it can ever be lost`);
      const nth = f.nth ?? 1;
      const count = f.count === 'all' ? Infinity : f.count ?? 1;
      const which = count === Infinity ? `every assertion from the ${ordinal(nth)} on` : count === 1 ? `the ${ordinal(nth)} assertion` : `${count} assertions from the ${ordinal(nth)} on`;
      return {
        type: 'lost-interrupt', index: i, controller, line: f.line!, nth, count,
        description: `lost interrupt: ${which} of ${controller} line ${f.line} (${drivers.map((d) => d.name).join(', ')})`,
      };
    }
    if (f.type === 'spurious-interrupt') {
      const icount = time(f.at!, [...at, 'at']);
      beforeLimit(icount, [...at, 'at'], 'the spurious interrupt');
      const width = f.width !== undefined ? time(f.width, [...at, 'width']) : 1;
      if (width < 1) throw err([...at, 'width'], 'the pulse must last at least 1 instruction');
      return {
        type: 'spurious-interrupt', index: i, controller, line: f.line!, icount, width,
        description: `spurious interrupt: one ${formatTime(width, clockHz)} pulse on ${controller} line ${f.line} at ${formatTime(icount, clockHz)}`,
      };
    }
    // irq-storm
    const start = time(f.start!, [...at, 'start']);
    beforeLimit(start, [...at, 'start'], 'the IRQ storm');
    const period = time(f.period!, [...at, 'period']);
    if (period < 2) throw err([...at, 'period'], 'the period must be at least 2 instructions');
    const width = f.width !== undefined ? time(f.width, [...at, 'width']) : Math.max(1, Math.floor(period / 2));
    if (width < 1 || width >= period) throw err([...at, 'width'], `the pulse width must be at least 1 instruction and shorter than the period (${period})`);
    return {
      type: 'irq-storm', index: i, controller, line: f.line!, start, period, count: f.count as number, width,
      description: `IRQ storm: ${f.count} pulses on ${controller} line ${f.line} every ${formatTime(period, clockHz)} from ${formatTime(start, clockHz)}`,
    };
  });

  // Expectations.
  const pattern = (s: string, at: Array<string | number>): Pattern => {
    const p = compilePattern(s);
    if (typeof p === 'string') throw err(at, p);
    return p;
  };
  const ex = raw.expect ?? {};
  const ordered = (list: RawOrdered, at0: Array<string | number>) => list.map((c, i) => {
    const at = [...at0, i];
    if (typeof c === 'string') return pattern(c, at);
    const p = pattern(c.text, [...at, 'text']);
    if (c.by === undefined) return p;
    const by = time(c.by, [...at, 'by']);
    if (by > limit) throw err([...at, 'by'], `the deadline ${formatTime(by, clockHz)} is after the end of the run at ${formatTime(limit, clockHz)} (limits)`);
    return { ...p, by };
  });
  const consoleExp = ordered(ex.console ?? [], ['expect', 'console']);
  const consoles = new Map<string, ConsoleExpectations>();
  for (const [device, c] of Object.entries(ex.consoles ?? {})) {
    const at = ['expect', 'consoles', device];
    if (device === 'semihosting') {
      if (!raw.boot.semihosting) throw err(at, `the semihosting console needs boot.semihosting: true`);
    } else if (!deviceNames.has(device)) {
      throw err(at, `device '${device}' is not on board ${board.name}`);
    } else if (!isUart(device)) {
      throw err(at, `device '${device}' of board ${board.name} is not a UART; it prints nothing`);
    }
    if (device === consoleDevice) throw err(at, `${device} is the main console: put these under expect.console and expect.never`);
    const list = Array.isArray(c) ? { console: c } : c;
    consoles.set(device, {
      console: ordered(list.console ?? [], Array.isArray(c) ? at : [...at, 'console']),
      never: (list.never ?? []).map((s, i) => pattern(s, [...at, 'never', i])),
    });
  }
  let framebuffer: Scenario['expect']['framebuffer'];
  if (ex.framebuffer) {
    const at = ['expect', 'framebuffer'];
    const golden = path.resolve(dir, ex.framebuffer.golden);
    if (!fs.existsSync(golden)) throw err([...at, 'golden'], `golden picture ${ex.framebuffer.golden} does not exist (resolved to ${golden})`);
    try { decodePng(readInputFile(golden, { what: 'golden picture' })); } catch (e) {
      throw err([...at, 'golden'], `golden picture ${ex.framebuffer.golden}: ${e instanceof InputFileUnusable ? e.reason : (e as Error).message}`);
    }
    const displays = board.devices.filter((d) => DISPLAY_TYPES.test(d.type));
    const device = ex.framebuffer.device ?? (displays.length === 1 ? displays[0].name : undefined);
    if (!device) {
      throw err(at, displays.length ? `board ${board.name} has several displays (${displays.map((d) => d.name).join(', ')}); give 'device'` : `board ${board.name} has no display`);
    }
    if (!board.devices.some((d) => d.name === device)) throw err([...at, 'device'], `device '${device}' is not on board ${board.name}`);
    if (!DISPLAY_TYPES.test(board.devices.find((d) => d.name === device)!.type)) throw err([...at, 'device'], `device '${device}' of board ${board.name} is not a display`);
    framebuffer = { golden, device };
  }
  const dump = (d: RawDump, at: Array<string | number>): DumpExpectation => ({
    domain: d.domain, kind: d.kind, status: d.status, symbol: d.symbol,
    message: d.message !== undefined ? pattern(d.message, [...at, 'message']) : undefined,
  });
  if (ex.end === 'exit' && !raw.boot.semihosting) throw err(['expect', 'end'], `a run can only end with an exit through semihosting (SYS_EXIT); set boot.semihosting: true`);
  if (ex.panic && !profile.dumps.panic && !profile.dumps.hypervisorFault) throw err(['expect', 'panic'], `profile ${profile.name} does not say how a panic reads (dumps.panic)`);
  if (ex.panic?.domain !== undefined) throw err(['expect', 'panic', 'domain'], `a hypervisor panic has no domain; use domain-faults`);
  if (ex['domain-faults'] && !profile.dumps.domainFault) throw err(['expect', 'domain-faults'], `profile ${profile.name} does not say how a domain fault dump reads (dumps.domain-fault)`);

  return {
    file: y.file,
    name: raw.name ?? path.basename(y.file).replace(/\.ya?ml$/, ''),
    board, boardName: boardRef, clockHz, profile, console: consoleDevice,
    kernel, cmdline: raw.boot.cmdline, dtb, initrd, volume, symbols, inputs, inputsAfterOutput, semihosting: raw.boot.semihosting ?? false, faults,
    expect: {
      console: consoleExp,
      never: (ex.never ?? []).map((s, i) => pattern(s, ['expect', 'never', i])),
      consoles,
      framebuffer,
      end: ex.end ?? 'halt',
      panic: ex.panic ? dump(ex.panic, ['expect', 'panic']) : undefined,
      domainFaults: (ex['domain-faults'] ?? []).map((d, i) => dump(d, ['expect', 'domain-faults', i])),
    },
    limit,
  };
}

function isElfData(data: Uint8Array): boolean {
  return data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

/**
 * A regular expression compiled now: V8 compiles lazily, at the first match,
 * and only then refuses one past its size limit; a pattern must fail when the
 * scenario is loaded, not in the middle of a run.
 */
function compiled(source: string, flags?: string): RegExp {
  const re = new RegExp(source, flags);
  re.test('');
  return re;
}

/** A console pattern: plain text, or /regex/flags. Returns a problem description if the regex is bad. */
export function compilePattern(s: string): Pattern | string {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(s);
  if (!m) {
    // Plain text is matched as an escaped regular expression; V8 refuses one past its size limit.
    try { return { source: JSON.stringify(s), regex: compiled(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }; } catch (e) {
      return `pattern of ${s.length} characters cannot be matched: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/: /s, '')}`;
    }
  }
  // g and y make a regular expression remember where its last match ended
  // (lastIndex), so the same pattern would match a line or not depending on
  // the lines tested before it.
  const stateful = [...new Set(m[2].replace(/[^gy]/g, ''))];
  if (stateful.length) {
    return `bad regular expression ${s}: flag${stateful.length > 1 ? 's' : ''} ${stateful.map((f) => `'${f}' (${f === 'g' ? 'global' : 'sticky'})`).join(' and ')} cannot be used: each line is matched on its own (flags allowed: i, m, s, u, v, d)`;
  }
  try { return { source: s, regex: compiled(m[1], m[2]) }; } catch (e) {
    return `bad regular expression ${s}: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

/** Short-descriptor fault status (machine/cpu/faults.ts) for a status name and level. */
export function statusCode(status: string, level: 'section' | 'page' | undefined, data: boolean): { code: number; name: string } {
  const page = level === 'page';
  switch (status) {
    case 'translation': return page ? { code: F.FS_TRANSLATION_PAGE, name: 'translation fault, page' } : { code: F.FS_TRANSLATION_SECTION, name: 'translation fault, section' };
    case 'permission': return page ? { code: F.FS_PERMISSION_PAGE, name: 'permission fault, page' } : { code: F.FS_PERMISSION_SECTION, name: 'permission fault, section' };
    case 'access-flag': return page ? { code: F.FS_ACCESS_FLAG_PAGE, name: 'access flag fault, page' } : { code: F.FS_ACCESS_FLAG_SECTION, name: 'access flag fault, section' };
    case 'domain': return page ? { code: F.FS_DOMAIN_PAGE, name: 'domain fault, page' } : { code: F.FS_DOMAIN_SECTION, name: 'domain fault, section' };
    case 'external': return { code: F.FS_SYNC_EXTERNAL, name: 'synchronous external abort' };
    case 'alignment': return { code: F.FS_ALIGNMENT, name: data ? 'alignment fault' : 'alignment fault (not architected for prefetch aborts)' };
    default: throw new Error(`unknown fault status ${status}`);
  }
}

function describeAbort(type: string, status: string, t: FaultTrigger, clockHz: number): string {
  const when = t.kind === 'at' ? `at ${formatTime(t.icount, clockHz)}`
    : t.kind === 'exec' ? `at the ${ordinal(t.nth)} execution of ${t.label}`
      : `on the ${ordinal(t.nth)} ${t.write === true ? 'write' : t.write === false ? 'read' : 'access'} to ${t.label}`;
  return `${type} (${status}) ${when}`;
}

export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}
