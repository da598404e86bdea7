/**
 * A small two-core program for vexpress-a9, as an ELF (test/support/tiny-elf.ts),
 * and a driver that records runs of it the way the scenario runner does
 * (chunk boundaries at multiples of the chunk size, console to the recorder).
 *
 * The program: every core adds 1 to a shared counter `loops` times (with
 * LDREX/STREX, or, in the racy build, with a plain load and store that
 * another core's turn can come between) and to a counter of its own; then
 * it counts itself done and signals an event (SEV). Core 0 waits for both
 * in WFE, prints "OK" if the shared counter is the sum of both cores' loops
 * (core 1 may run more: `secondaryLoops`) and "BAD" otherwise on uart0, and both cores park in
 * WFI (the run halts). Core 0 also releases the secondaries the way a
 * Linux-style boot on this board expects (system registers' flags register,
 * then SGI 0 to core 1); core 1 started at the entry goes straight to work.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { tinyElf } from './tiny-elf';
import { bootMachine, type BootDescription } from '../../machine/boot/boot-machine';
import { loadBoard, resolveBoardFile } from '../../scenario/boards';
import { buildHeader, sha256 } from '../../replay/boot-record';
import { Recorder } from '../../replay/recorder';
import type { Machine, StopReason } from '../../machine/machine';
import type { InjectionEntry } from '../../machine/injections';
import type { Schedule } from '../../machine/schedule';

export const BASE = 0x60010000;
export const DATA = 0x60020000;

type Item = { label: string } | ((at: number, l: Record<string, number>) => number);

const movw = (rd: number, v: number) => 0xe3000000 | (((v >>> 12) & 0xf) << 16) | (rd << 12) | (v & 0xfff);
const movt = (rd: number, v: number) => movw(rd, v >>> 16) | 0x400000;
const ldr = (rt: number, rn: number, off = 0) => 0xe5900000 | (rn << 16) | (rt << 12) | off;
const str = (rt: number, rn: number, off = 0) => 0xe5800000 | (rn << 16) | (rt << 12) | off;
const ldrex = (rt: number, rn: number) => 0xe1900f9f | (rn << 16) | (rt << 12);
const strex = (rd: number, rt: number, rn: number) => 0xe1800f90 | (rn << 16) | (rd << 12) | rt;
const addi = (rd: number, rn: number, imm: number) => 0xe2800000 | (rn << 16) | (rd << 12) | imm;
const subsi = (rd: number, rn: number, imm: number) => 0xe2500000 | (rn << 16) | (rd << 12) | imm;
const cmpi = (rn: number, imm: number) => 0xe3500000 | (rn << 16) | imm;
const cmpr = (rn: number, rm: number) => 0xe1500000 | (rn << 16) | rm;
const movi = (rd: number, imm: number) => 0xe3a00000 | (rd << 12) | imm;
const NOP = 0xe320f000;
const WFI = 0xe320f003;
const WFENE = 0x1320f002;
const SEV = 0xe320f004;
const DSB = 0xf57ff04f;
const EQ = 0x0, NE = 0x1, AL = 0xe;
const branch = (cond: number, label: string): Item => (at, l) => ((cond << 28) | 0x0a000000 | (((l[label] - (at + 8)) >> 2) & 0xffffff)) >>> 0;
const w = (word: number): Item => () => word >>> 0;
const lo = (rd: number, label: string): Item => (_at, l) => movw(rd, l[label] & 0xffff);
const hi = (rd: number, label: string): Item => (_at, l) => movt(rd, l[label]);

function assemble(items: Item[]): { words: number[]; labels: Record<string, number> } {
  const labels: Record<string, number> = {};
  let at = BASE;
  for (const it of items) { if (typeof it === 'function') at += 4; else labels[it.label] = at; }
  const words: number[] = [];
  at = BASE;
  for (const it of items) { if (typeof it === 'function') { words.push(it(at, labels) >>> 0); at += 4; } }
  return { words, labels };
}

const print = (text: string): Item[] => [...text].flatMap((c) => [w(movi(1, c.charCodeAt(0))), w(str(1, 3))]);

/** The program's ELF and its symbols; `racy` adds without the exclusive monitor. */
export function smpProgram(options: { loops?: number; secondaryLoops?: number; racy?: boolean; crash?: boolean } = {}): { elf: Buffer; labels: Record<string, number> } {
  const loops = options.loops ?? 3000;
  const loops1 = options.secondaryLoops ?? loops;
  const add: Item[] = options.racy
    ? [w(ldr(1, 4)), w(addi(1, 1, 1)), w(NOP), w(NOP), w(str(1, 4)), w(NOP)]
    : [w(ldrex(1, 4)), w(addi(1, 1, 1)), w(strex(2, 1, 4)), w(cmpi(2, 0)), branch(NE, 'add_shared')];
  const items: Item[] = [
    { label: 'entry' },
    w(0xee100fb0), // mrc p15, 0, r0, c0, c0, 5 (MPIDR)
    w(0xe2000003), // and r0, r0, #3
    w(movw(4, DATA & 0xffff)), w(movt(4, DATA)),
    w(cmpi(0, 0)),
    branch(NE, 'worker'),
    // Core 0: the secondaries' entry in SYS_FLAGSSET, then SGI 0 to core 1 (GICD_SGIR).
    w(movw(1, 0x0030)), w(movt(1, 0x10000000)),
    lo(2, 'entry'), hi(2, 'entry'),
    w(str(2, 1)),
    // GICD_CTLR = 1: the distributor forwards the SGI that wakes core 1 in its boot stub.
    w(movw(1, 0x1000)), w(movt(1, 0x1e000000)), w(movi(2, 1)), w(str(2, 1)),
    w(movw(1, 0x1f00)), w(movt(1, 0x1e000000)),
    w(movw(2, 0)), w(movt(2, 0x00020000)),
    w(str(2, 1)),
    { label: 'worker' },
    // GICC_CTLR = 0: the SGI that woke core 1 stays pending in its CPU interface; with the interface off WFI sleeps again.
    w(movw(1, 0x0100)), w(movt(1, 0x1e000000)), w(movi(2, 0)), w(str(2, 1)),
    w(movw(5, loops)),
    w(cmpi(0, 0)),
    w(((movw(5, loops1) & 0x0fffffff) | (NE << 28)) >>> 0), // movwne r5, #loops1 (core 1)
    w(0xe0846100), // add r6, r4, r0, lsl #2
    w(addi(6, 6, 16)),
    w(addi(7, 4, 8)),
    { label: 'loop' },
    { label: 'add_shared' },
    ...add,
    { label: 'add_own' },
    w(ldr(1, 6)), w(addi(1, 1, 1)), w(str(1, 6)),
    w(subsi(5, 5, 1)),
    branch(NE, 'loop'),
    { label: 'count_done' },
    w(ldrex(1, 7)), w(addi(1, 1, 1)), w(strex(2, 1, 7)), w(cmpi(2, 0)), branch(NE, 'count_done'),
    w(DSB), w(SEV),
    w(cmpi(0, 0)),
    branch(NE, 'secondary_end'),
    // Core 0 waits in WFE until both are done (core 1's SEV wakes it).
    { label: 'wait_done' },
    w(ldr(1, 7)), w(cmpi(1, 2)), w(WFENE), branch(NE, 'wait_done'),
    w(ldr(1, 4)), w(movw(2, loops + loops1)), w(cmpr(1, 2)),
    w(movw(3, 0x9000)), w(movt(3, 0x10000000)),
    branch(EQ, 'ok'),
    { label: 'bad' },
    ...print('BAD\n'),
    branch(AL, 'park'),
    { label: 'ok' },
    ...print('OK\n'),
    { label: 'park' },
    w(WFI),
    branch(AL, 'park'),
    // Core 1, done; in the crashing build it loads from where this board has nothing (a data abort nothing handles).
    { label: 'secondary_end' },
    ...(options.crash ? [w(movw(8, 0)), w(movt(8, 0xdead0000)), { label: 'wild_load' } as Item, w(ldr(1, 8))] : []),
    branch(AL, 'park'),
  ];
  const { words, labels } = assemble(items);
  const symbols = Object.entries(labels).filter(([n]) => !['loop'].includes(n)) as Array<[string, number]>;
  const elf = tinyElf(BASE, words, { symbols });
  // .text (section 1) is code: SHF_ALLOC | SHF_EXECINSTR, so that its symbols label code.
  elf.writeUInt32LE(6, elf.readUInt32LE(32) + 40 + 8);
  return { elf, labels };
}

export interface RecordRun {
  /** The kernel file (its name is what the recording names). */
  kernel: string;
  file: string;
  schedule?: Schedule;
  chunk?: number;
  checkpointEvery?: number;
  /** Entries of the input log scheduled before the run (e.g. a core stall). */
  inputs?: InjectionEntry[];
  limit?: number;
  /** Stops the run (as a met console expectation would) when this core is about to execute this address. */
  stopAt?: { core: number; address: number };
}

export function vexpress() {
  const file = path.resolve(resolveBoardFile('vexpress-a9'));
  const text = fs.readFileSync(file, 'utf8');
  return { spec: loadBoard(file, text), file, sha256: sha256(text) };
}

/** Records a two-core run of `kernel` as the scenario runner would; returns the end and the console text. */
export function recordSmp(r: RecordRun): { stop: StopReason; icount: number; console: string; machine: Machine } {
  const board = vexpress();
  const data = fs.readFileSync(r.kernel);
  const boot: BootDescription = { board: board.spec, kernel: { name: path.basename(r.kernel), file: r.kernel, data }, cores: 2, schedule: r.schedule };
  const header = buildHeader({ boot, boardFile: { file: board.file, sha256: board.sha256 }, console: 'uart0', scenario: { file: '', text: '' } },
    { chunk: r.chunk ?? 20_000, checkpointEvery: r.checkpointEvery ?? 2 });
  const recorder = new Recorder(r.file, header);
  const { machine } = bootMachine(boot);
  for (const e of r.inputs ?? []) machine.inject(e);
  const stopAt = r.stopAt;
  if (stopAt) machine.probes.exec.at(stopAt.address, (cpu) => { if (cpu === machine.cpus[stopAt.core]) machine.requestStop(); return false; });
  recorder.start(machine);
  let text = '';
  machine.probes.console.subscribe((d, bytes) => { recorder.console(d, bytes, machine.now()); text += Buffer.from(bytes).toString('latin1'); });
  const limit = r.limit ?? 5_000_000;
  let stop: StopReason = { kind: 'limit' };
  for (;;) {
    const until = Math.min(limit, (Math.floor(machine.now() / recorder.interval) + 1) * recorder.interval);
    stop = machine.runUntil(until);
    if (stop.kind === 'limit' && machine.now() % recorder.interval === 0) recorder.step(machine);
    if (stop.kind !== 'limit' || machine.now() >= limit) break;
  }
  const verdict = text.includes('OK') ? 'pass' : 'fail';
  recorder.end({ verdict, stop, icount: machine.now() });
  return { stop, icount: machine.now(), console: text, machine };
}

/**
 * The two-core run the debugger tests step through: the program (core 1
 * loops longer while core 0 waits) built into `dir` as smp.elf and recorded
 * to run.bur there, in chunks of 20,000 ticks with a checkpoint every two,
 * turns of 700 ticks varied by seed 5, and the given input log.
 */
export function recordDebugSmpRun(dir: string, inputs: InjectionEntry[] = []): { file: string; labels: Record<string, number> } {
  fs.mkdirSync(dir);
  const kernel = path.join(dir, 'smp.elf');
  const built = smpProgram({ loops: 2000, secondaryLoops: 6000 });
  fs.writeFileSync(kernel, built.elf);
  const file = path.join(dir, 'run.bur');
  recordSmp({ kernel, file, limit: 400_000, chunk: 20_000, checkpointEvery: 2, schedule: { quantum: 700, seed: 5 }, inputs });
  return { file, labels: built.labels };
}
