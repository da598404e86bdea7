/**
 * First divergence between two recorded runs.
 *
 * Same images: the chained chunk hashes are equal up to the chunk where the
 * runs part, so a binary search finds that chunk; both runs are then replayed
 * to its start and stepped one instruction at a time until their registers,
 * input log or console output differ. The instruction count reported is the
 * number of instructions both runs executed identically. Recordings made
 * with different chunk sizes have hash chains over different boundaries,
 * which cannot be compared with each other: then the run with the coarser
 * chunks is replayed (at full speed) against the other's chunk hashes, and
 * the first that does not match bounds the divergence to one fine chunk.
 *
 * Different builds: instruction counts mean nothing across builds, so the
 * observable event streams (console lines, MMIO writes, exceptions, inputs)
 * are compared in order and the first differing event is reported, console
 * output as whole lines (the UART register writes that carry it are left
 * out), console lines matching an ignore list skipped on both sides.
 */

import type { Machine, MachineState } from '../machine/machine';
import { describeInjection, describePoint, injectionFromJson, type InjectionEntry } from '../machine/injections';
import type { RecordingReader } from './reader';
import { Replayer, ReplayDivergence } from './replayer';
import { addressSpaces, cpuView, consoleLinesUntil, disassembleAround, labelExceptions, symbolNow, type CpuView, type SymbolSource } from './inspect';
import { eventAsid } from './targets';
import { hexWord as hex } from '../machine/hex';
import { stateBinary } from './state-binary';

export interface Side { rec: RecordingReader; replayer?: Replayer; symbols: SymbolSource }

export interface StreamEvent {
  icount: number; kind: 'console' | 'mmio' | 'exception' | 'input'; text: string;
  /** Where it happened: the exception's PC, or for a console line or MMIO write the instruction that wrote it (when the run could be replayed). */
  pc?: number; symbol?: string;
  /** Several cores: the core it happened on, as recorded. */
  core?: number;
}

export interface EventOptions {
  kinds?: string[];
  /** Console lines matching any of these are skipped on both sides before comparing. */
  ignoreConsole?: RegExp[];
}

export interface InstructionDivergence {
  mode: 'instruction';
  /** Instructions both runs executed identically. */
  icount: number;
  chunk: number;
  /** Both sides at the last common state (before the differing step). */
  a: SideState; b: SideState;
  /** Both sides' registers after the differing step. */
  after: { a: CpuView; b: CpuView };
  differing: string[];
  commonConsole: Array<{ icount: number; text: string }>;
  firstEvent?: EventDivergence;
  /**
   * Several cores: the core that diverged first (-1: none in particular),
   * and every core's registers after the differing step (`after` holds the
   * diverging core's). `icount` is then the time of the last common state.
   */
  core?: number;
  afterCores?: { a: CpuView[]; b: CpuView[] };
}

/** `cores`/`ran` (several cores): every core's registers at the last common state, and the core that ran the differing step (-1: none). */
export interface SideState { pc: number; symbol?: string; disassembly: string[]; cpu: CpuView; inputs: string[]; cores?: CpuView[]; ran?: number }

export interface EventDivergence {
  mode: 'events';
  /** Index of the first differing event in both streams. */
  index: number;
  a?: StreamEvent; b?: StreamEvent;
  common: StreamEvent[];
  afterA: StreamEvent[]; afterB: StreamEvent[];
  kinds: string[];
  /** The last console line equal on both sides before the difference (A's and B's). */
  lastEqualLine?: { a: StreamEvent; b: StreamEvent };
  /** Console lines skipped by the ignore list (A, B). */
  ignored?: [number, number];
}

export interface Identical { mode: 'identical'; icount: number; chunks: number; compared: 'hashes' | 'events'; events?: number; ignored?: [number, number] }

export type DiffResult = InstructionDivergence | EventDivergence | Identical;

/** Whether two recordings ran the same board and images (then instruction counts are comparable). */
export function sameImages(a: RecordingReader, b: RecordingReader): boolean {
  const key = (r: RecordingReader) => JSON.stringify([r.header.board.sha256, r.header.images.map((i) => [i.role, i.name, i.sha256])]);
  return key(a) === key(b);
}

/**
 * Index of the first chunk whose chained hash differs (binary search), or -1.
 * Only for recordings with the same chunk size (see firstDifferingChunkAcross).
 */
export function firstDifferingChunk(a: RecordingReader, b: RecordingReader): number {
  const n = Math.min(a.chunks.length, b.chunks.length);
  if (a.header.chunkInstructions !== b.header.chunkInstructions) return 0;
  let lo = 0, hi = n; // invariant: chunks < lo are equal; the first differing one is < hi or none
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a.chunks[mid].hash === b.chunks[mid].hash) lo = mid + 1; else hi = mid;
  }
  if (lo < n) return lo;
  return a.chunks.length === b.chunks.length ? -1 : n;
}

/**
 * Two recordings of one set of images with different chunk sizes: the run
 * with the coarser chunks (`coarse`) is replayed with its own input log and
 * checked against the chunk hashes of the other (`fine`), whose boundaries
 * and chain it then follows. Returns the instruction count from which the
 * runs may differ (the start of the first fine chunk that does not match),
 * and that chunk's index; or the end both reach when every hash up to it matches.
 */
export function firstDifferingChunkAcross(coarse: Side & { replayer: Replayer }, fine: RecordingReader): { from: number; chunk: number } {
  const last = Math.min(coarse.rec.lastIcount, fine.lastIcount);
  // The coarse replayer builds each machine (with its inputs); the checking one brings no inputs of its own.
  const shim = {
    header: fine.header, chunks: fine.chunks.map((c) => ({ ...c, inputs: [] })), checkpoints: [], traces: [], lastIcount: last,
  } as unknown as RecordingReader;
  const check = new Replayer(shim, () => { coarse.replayer.resetTo(0, false); return coarse.replayer.machine; });
  try {
    check.resetTo(0, false);
    check.runTo(last);
  } catch (e) {
    if (!(e instanceof ReplayDivergence)) throw e;
    return { from: e.from, chunk: e.chunk };
  } finally {
    // The coarse side's replayer lent its machine: put it back at the boot.
    coarse.replayer.resetTo(0);
  }
  const k = fine.chunks.findIndex((c) => c.to > last);
  return k < 0 ? { from: last, chunk: fine.chunks.length } : { from: fine.chunks[k].from, chunk: k };
}

export function diffInstructions(A: Side & { replayer: Replayer }, B: Side & { replayer: Replayer }, options: EventOptions = {}): DiffResult {
  let k: number, from: number;
  if (A.rec.header.chunkInstructions === B.rec.header.chunkInstructions) {
    k = firstDifferingChunk(A.rec, B.rec);
    if (k < 0) return { mode: 'identical', icount: A.rec.lastIcount, chunks: A.rec.chunks.length, compared: 'hashes' };
    const start = k < A.rec.chunks.length ? A.rec.chunks[k].from : A.rec.lastIcount;
    const startB = k < B.rec.chunks.length ? B.rec.chunks[k].from : B.rec.lastIcount;
    from = Math.min(start, startB);
  } else {
    const [coarse, fine] = A.rec.header.chunkInstructions > B.rec.header.chunkInstructions ? [A, B] : [B, A];
    ({ from, chunk: k } = firstDifferingChunkAcross(coarse, fine.rec));
  }
  A.replayer.runTo(from);
  B.replayer.runTo(from);
  // Stepping back to the last common state, and placing the events shown, seek back near here: keep it.
  A.replayer.keep();
  B.replayer.keep();
  const end = Math.max(A.rec.lastIcount, B.rec.lastIcount);
  const offs: Array<() => void> = [];
  const watch = (m: Machine) => {
    const out: string[] = [];
    offs.push(m.probes.console.subscribe((d, data) => { out.push(`${d}:${Buffer.from(data).toString('latin1')}`); }));
    return out;
  };
  const ca = watch(A.replayer.machine), cb = watch(B.replayer.machine);
  try {
    const several = A.replayer.machine.cpus.length > 1 || B.replayer.machine.cpus.length > 1;
    const chunk = Math.min(A.rec.header.chunkInstructions, B.rec.header.chunkInstructions);
    // Runs on different numbers of cores are reported as such at the chunk's start.
    if (A.replayer.machine.cpus.length === B.replayer.machine.cpus.length) {
      const limit = Math.min(from + chunk, A.rec.lastIcount, B.rec.lastIcount);
      skipEqualStrides(A, B, limit, ca, cb, STRIDE);
      // Then through the stride where they part, in finer strides: a step costs far more than a stride.
      skipEqualStrides(A, B, Math.min(A.replayer.icount + STRIDE, limit), ca, cb, FINE_STRIDE);
    }
    return several ? stepCoresToDivergence(A, B, k, end, ca, cb, options) : stepToDivergence(A, B, k, end, ca, cb, options);
  } finally {
    for (const off of offs) off();
  }
}

/** An entry of the input log as two runs' logs are compared: where it took effect and what it was. */
const inputKey = (e: InjectionEntry): string => JSON.stringify([e.point, describeInjection(e.injection)]);

/** Instructions both runs go on together at full speed, before their states are compared again (skipEqualStrides). */
const STRIDE = 65_536;
/** The strides through the stride where the runs part: the stepping starts at most these before the step that differs. */
const FINE_STRIDE = 1024;

/**
 * Both runs at the same point, equal there (at the start of the chunk where
 * they part, the chain of hashes up to it says so): runs them on together,
 * `stride` instructions at a time at full speed, while their states stay
 * equal, and leaves them at the last stride where they were, so that the
 * stepping starts there rather than at the chunk's start, at most `stride`
 * instructions before the step that differs. Equal here is what equal chunk
 * hashes say at a chunk's end, at a finer grain: the same registers and
 * devices (the state the chunk hash takes), the same bytes in every page
 * either run wrote since the chunk began, the same inputs and console output.
 * On several cores the state includes every core's and the schedule's (whose
 * turn it is, how far into it), so that two runs equal at a stride also
 * step on in the same order from there.
 */
function skipEqualStrides(A: Side & { replayer: Replayer }, B: Side & { replayer: Replayer }, end: number, ca: string[], cb: string[], stride: number): void {
  const start = A.replayer.icount;
  if (B.replayer.icount !== start) return;
  const ia = A.replayer.machine.injected.length, ib = B.replayer.machine.injected.length;
  const la = ca.length, lb = cb.length;
  let equal = start;
  for (let at = start + stride; at < end; at += stride) {
    A.replayer.runTo(at);
    B.replayer.runTo(at);
    if (A.replayer.icount !== at || B.replayer.icount !== at) break;
    const ma = A.replayer.machine, mb = B.replayer.machine;
    if (ma.injected.slice(ia).map(inputKey).join() !== mb.injected.slice(ib).map(inputKey).join()) break;
    if (ca.slice(la).join('') !== cb.slice(lb).join('')) break;
    if (!sameMachineState(ma, mb)) break;
    equal = at;
  }
  // Back to the last equal stride (from the state kept at the chunk's start).
  if (A.replayer.icount !== equal) A.replayer.runTo(equal);
  if (B.replayer.icount !== equal) B.replayer.runTo(equal);
}

/**
 * Whether two machines at the same time since a common state have the same
 * state: registers, devices, and every page either wrote since then. On
 * several cores, but for where the current round of turns ends: the next
 * scheduled event ends it, and an input one run has further on (a fault at
 * N) is such an event from the start, although nothing differs before N.
 */
function sameMachineState(a: Machine, b: Machine): boolean {
  const stateA = Buffer.from(stateBinary(comparedState(a)));
  if (!stateA.equals(stateBinary(comparedState(b)))) return false;
  for (const page of new Set([...a.bus.peekDirtyPages(), ...b.bus.peekDirtyPages()])) {
    const at = (page << 12) >>> 0;
    if (!Buffer.from(a.bus.ramPage(at)).equals(b.bus.ramPage(at))) return false;
  }
  return true;
}

function comparedState(m: Machine): MachineState {
  const s = m.stateSnapshot();
  return s.scheduler ? { ...s, scheduler: { ...s.scheduler, roundEnd: 0 } } : s;
}

/** Steps both runs together from a common state until a step differs or the runs end. */
function stepToDivergence(A: Side & { replayer: Replayer }, B: Side & { replayer: Replayer }, k: number, end: number,
  ca: string[], cb: string[], options: EventOptions): DiffResult {
  for (;;) {
    const icount = A.replayer.icount;
    if (B.replayer.icount !== icount) {
      return divergence(A, B, Math.min(icount, B.replayer.icount), k, ['instruction count'], options, [cpuView(A.replayer.machine), cpuView(B.replayer.machine)]);
    }
    const ia = A.replayer.machine.injected.length, ib = B.replayer.machine.injected.length;
    const la = ca.length, lb = cb.length;
    const moveA = icount < A.rec.lastIcount && A.replayer.step();
    const moveB = icount < B.replayer.rec.lastIcount && B.replayer.step();
    const differing = compareStep(A.replayer.machine, B.replayer.machine, ia, ib, ca.slice(la).join(''), cb.slice(lb).join(''));
    if (moveA !== moveB) differing.push(moveA ? 'run B ended here' : 'run A ended here');
    if (differing.length) {
      // Registers as they came out of the differing step; code and inputs as
      // they were at the last common state (step back to it).
      const after: [CpuView, CpuView] = [cpuView(A.replayer.machine), cpuView(B.replayer.machine)];
      A.replayer.runTo(icount);
      B.replayer.runTo(icount);
      return divergence(A, B, icount, k, differing, options, after);
    }
    if (!moveA || icount >= end) {
      return { mode: 'identical', icount, chunks: Math.max(A.rec.chunks.length, B.rec.chunks.length), compared: 'hashes' };
    }
  }
}

/**
 * Several cores: both runs step one instruction at a time in the order of
 * the schedule (whichever core executes next); after each step the core
 * that executed, every core's registers, the input log and the console are
 * compared. The first core found different is the core that diverged.
 */
function stepCoresToDivergence(A: Side & { replayer: Replayer }, B: Side & { replayer: Replayer }, k: number, end: number,
  ca: string[], cb: string[], options: EventOptions): DiffResult {
  const ma = A.replayer.machine, mb = B.replayer.machine;
  const views = (m: Machine) => m.cpus.map((_c, i) => cpuView(m, i));
  if (ma.cpus.length !== mb.cpus.length) {
    return coresDivergence(A, B, A.replayer.icount, k, -1, [`the number of cores (A ${ma.cpus.length}, B ${mb.cpus.length})`], options, views(ma), views(mb), views(ma), views(mb), [-1, -1]);
  }
  for (;;) {
    const icount = A.replayer.icount;
    const beforeA = views(ma), beforeB = views(mb);
    if (B.replayer.icount !== icount) {
      return coresDivergence(A, B, Math.min(icount, B.replayer.icount), k, ma.currentCore(), ['time'], options, beforeA, beforeB, beforeA, beforeB, [-1, -1]);
    }
    const ia = ma.injected.length, ib = mb.injected.length;
    const la = ca.length, lb = cb.length;
    const ranA = icount < A.rec.lastIcount ? A.replayer.stepAny() : -1;
    const ranB = icount < B.rec.lastIcount ? B.replayer.stepAny() : -1;
    const afterA = views(ma), afterB = views(mb);
    const differing: string[] = [];
    let core = -1;
    // An entry of the input log that only one run has: the core it acts on is the one that diverged.
    const newA = ma.injected.slice(ia), newB = mb.injected.slice(ib);
    const key = (e: InjectionEntry) => JSON.stringify([e.point, describeInjection(e.injection), e.core ?? 0]);
    if (newA.map(key).join() !== newB.map(key).join()) {
      differing.push('input log');
      const only = [...newA.filter((e) => !newB.map(key).includes(key(e))), ...newB.filter((e) => !newA.map(key).includes(key(e)))][0];
      if (only) core = only.injection.kind === 'stall-core' ? only.injection.core : only.core ?? -1;
    }
    if (ranA !== ranB) {
      differing.push(`the core that ran next (A: ${ranA < 0 ? 'none' : `core ${ranA}`}, B: ${ranB < 0 ? 'none' : `core ${ranB}`})`);
      if (core < 0) core = Math.max(ranA, ranB);
    }
    // The core that ran first, then the others.
    const order = [...new Set([ranA, ...ma.cpus.map((_c, i) => i)])].filter((i) => i >= 0);
    for (const i of order) {
      const regs = registerDifferences(afterA[i], afterB[i]);
      if (!regs.length) continue;
      if (core < 0) core = i;
      differing.push(`core ${i}: ${regs.join(', ')}`);
    }
    // The same step, but the schedule goes on differently (a round ended early in one run: an event, an input, a stall).
    if (ranA === ranB && ranA >= 0 && (A.replayer.icount !== B.replayer.icount || ma.currentCore() !== mb.currentCore() || ma.turnOver !== mb.turnOver)) {
      const goesOn = (m: Machine) => m.turnOver ? `the turn after core ${m.currentCore()}'s` : `core ${m.currentCore()}`;
      differing.push(`the schedule (after core ${ranA}'s step, A goes on with ${goesOn(ma)} at time ${A.replayer.icount}, B with ${goesOn(mb)} at time ${B.replayer.icount})`);
      if (core < 0) core = ranA;
    }
    if (ca.slice(la).join('') !== cb.slice(lb).join('')) differing.push('console output');
    if ((ranA < 0) !== (ranB < 0) && A.replayer.icount !== B.replayer.icount) differing.push(ranA < 0 ? 'run A ended here' : 'run B ended here');
    if (differing.length) {
      if (core < 0) core = ranA >= 0 ? ranA : ranB;
      return coresDivergence(A, B, icount, k, core, differing, options, beforeA, beforeB, afterA, afterB, [ranA, ranB]);
    }
    if (ranA < 0 || A.replayer.icount >= end) {
      return { mode: 'identical', icount: A.replayer.icount, chunks: Math.max(A.rec.chunks.length, B.rec.chunks.length), compared: 'hashes' };
    }
  }
}

function registerDifferences(a: CpuView, b: CpuView): string[] {
  const out: string[] = [];
  if (a.pc !== b.pc) out.push('pc');
  if (a.cpsr !== b.cpsr) out.push('cpsr');
  for (let i = 0; i < 15; i++) if (a.r[i] !== b.r[i]) out.push(`r${i}`);
  return out;
}

function coresDivergence(A: Side & { replayer: Replayer }, B: Side & { replayer: Replayer }, icount: number, chunk: number, core: number, differing: string[],
  options: EventOptions, beforeA: CpuView[], beforeB: CpuView[], afterA: CpuView[], afterB: CpuView[], ran: [number, number]): InstructionDivergence {
  const device = A.rec.header.boot.console;
  const all = A.rec.chunks.flatMap((c) => c.console);
  const ev = diffEvents(A.rec, B.rec, options);
  const side = (s: Side & { replayer: Replayer }, before: CpuView[], ranCore: number): SideState => {
    const m = s.replayer.machine;
    const k = core >= 0 && core < before.length ? core : 0;
    const v = before[k];
    const spaces = addressSpaces(s.symbols);
    spaces.learn(m, k);
    const inputs = s.replayer.inputs.filter((e) => e.icount === icount)
      .map((e) => `${describeInjection(e.injection)} ${describePoint(e.point)}${e.core !== undefined ? ` on core ${e.core}` : ''} (${e.cause})`);
    return {
      pc: v.pc, symbol: symbolNow(spaces, m, v.pc, k), disassembly: disassembleAround(m, spaces, 2, 2, k, { pc: v.pc, thumb: v.thumb }), cpu: v, inputs,
      cores: before, ran: ranCore,
    };
  };
  return {
    mode: 'instruction', icount, chunk, a: side(A, beforeA, ran[0]), b: side(B, beforeB, ran[1]), differing,
    after: { a: afterA[Math.max(0, core)] ?? afterA[0], b: afterB[Math.max(0, core)] ?? afterB[0] },
    commonConsole: consoleLinesUntil(all, device, icount, 5),
    firstEvent: ev.mode === 'events' ? ev : undefined,
    core, afterCores: { a: afterA, b: afterB },
  };
}

function compareStep(a: Machine, b: Machine, ia: number, ib: number, consoleA: string, consoleB: string): string[] {
  const out: string[] = [];
  // What cpuView shows, read straight from the CPUs: this runs after every step.
  const ca = a.cpu, cb = b.cpu;
  if ((ca.pc >>> 0) !== (cb.pc >>> 0)) out.push('pc');
  if ((ca.cpsr >>> 0) !== (cb.cpsr >>> 0)) out.push('cpsr');
  for (let i = 0; i < 15; i++) if ((ca.r[i] >>> 0) !== (cb.r[i] >>> 0)) out.push(`r${i}`);
  if (a.injected.length === ia && b.injected.length === ib) {
    if (consoleA !== consoleB) out.push('console output');
    return out;
  }
  const inA = a.injected.slice(ia).map(inputKey);
  const inB = b.injected.slice(ib).map(inputKey);
  if (inA.join() !== inB.join()) out.push('input log');
  if (consoleA !== consoleB) out.push('console output');
  return out;
}

function sideState(s: Side & { replayer: Replayer }, from: number): SideState {
  const m = s.replayer.machine;
  const cpu = cpuView(m);
  const spaces = addressSpaces(s.symbols);
  spaces.learn(m);
  const inputs = s.replayer.inputs.filter((e) => e.icount === from)
    .map((e) => `${describeInjection(e.injection)} ${describePoint(e.point)} (${e.cause})`);
  return { pc: cpu.pc, symbol: symbolNow(spaces, m, cpu.pc), disassembly: disassembleAround(m, spaces, 2, 2), cpu, inputs };
}

function divergence(A: Side & { replayer: Replayer }, B: Side & { replayer: Replayer }, icount: number, chunk: number, differing: string[],
  options: EventOptions, after: [CpuView, CpuView]): InstructionDivergence {
  const device = A.rec.header.boot.console;
  const all = A.rec.chunks.flatMap((c) => c.console);
  const ev = diffEvents(A.rec, B.rec, options);
  return {
    mode: 'instruction', icount, chunk, a: sideState(A, icount), b: sideState(B, icount), differing, after: { a: after[0], b: after[1] },
    commonConsole: consoleLinesUntil(all, device, icount, 5),
    firstEvent: ev.mode === 'events' ? ev : undefined,
  };
}

// ---- event streams ------------------------------------------------------------

/**
 * The observable events of a recording, in order; console output as whole
 * lines per device. MMIO writes that are console output (a byte written at
 * the same instruction as that character appears on a console) are left to
 * the console lines.
 */
export function eventStream(rec: RecordingReader, kinds?: string[], ignoreConsole: RegExp[] = [], ignored?: { count: number }): StreamEvent[] {
  const want = (k: string) => !kinds || kinds.includes(k);
  const out: StreamEvent[] = [];
  const entries = rec.chunks.flatMap((c) => c.console);
  const consoleAt = new Map<number, string>();
  for (const e of entries) consoleAt.set(e.icount, (consoleAt.get(e.icount) ?? '') + e.text);
  for (const c of rec.chunks) {
    if (want('input')) for (const j of c.inputs) {
      const e = injectionFromJson(j);
      out.push({ icount: e.icount, kind: 'input', text: `${describeInjection(e.injection)} ${describePoint(e.point)}${e.core !== undefined ? ` on core ${e.core}` : ''}` });
    }
    for (const e of c.events) {
      if (e.kind === 'exception' && want('exception')) {
        out.push({ icount: e.icount, kind: 'exception', pc: e.pc, core: e.core, text: `${e.core !== undefined ? `core ${e.core}: ` : ''}${e.vector} from ${e.mode} at ${hex(e.pc)}${e.regs ? ` (r0-r3 ${e.regs.slice(0, 4).map(hex).join(' ')}, r7 ${hex(e.regs[4])})` : ''}` });
      } else if (e.kind === 'mmio' && want('mmio')) {
        const chars = consoleAt.get(e.icount);
        if (chars !== undefined && chars.includes(String.fromCharCode(e.value & 0xff))) continue;
        out.push({ icount: e.icount, kind: 'mmio', core: e.core, text: `${e.core !== undefined ? `core ${e.core}: ` : ''}write${e.size * 8} ${hex(e.address)} = ${hex(e.value)}` });
      }
    }
  }
  if (want('console')) {
    for (const device of new Set(entries.map((e) => e.device))) {
      for (const l of consoleLinesUntil(entries, device, Infinity, Infinity)) {
        if (ignoreConsole.some((r) => r.test(l.text))) { if (ignored) ignored.count++; continue; }
        out.push({ icount: l.icount, kind: 'console', text: `${device}: ${l.text}` });
      }
    }
  }
  // Stable: events of the same tick keep their order (inputs, then exceptions and MMIO, then console).
  return out.sort((x, y) => x.icount - y.icount);
}

/** First differing event of two recordings. */
export function diffEvents(a: RecordingReader, b: RecordingReader, options: EventOptions | string[] = {}): DiffResult {
  const o: EventOptions = Array.isArray(options) ? { kinds: options } : options;
  const ia = { count: 0 }, ib = { count: 0 };
  const ea = eventStream(a, o.kinds, o.ignoreConsole, ia), eb = eventStream(b, o.kinds, o.ignoreConsole, ib);
  const n = Math.min(ea.length, eb.length);
  let i = 0;
  while (i < n && ea[i].kind === eb[i].kind && ea[i].text === eb[i].text) i++;
  const used = o.kinds ?? ['console', 'mmio', 'exception', 'input'];
  const ignored = o.ignoreConsole?.length ? { ignored: [ia.count, ib.count] as [number, number] } : {};
  if (i === n && ea.length === eb.length) return { mode: 'identical', icount: a.lastIcount, chunks: a.chunks.length, compared: 'events', events: n, ...ignored };
  let lastEqualLine: EventDivergence['lastEqualLine'];
  for (let j = i - 1; j >= 0; j--) if (ea[j].kind === 'console') { lastEqualLine = { a: ea[j], b: eb[j] }; break; }
  return {
    mode: 'events', index: i, a: ea[i], b: eb[i], common: ea.slice(Math.max(0, i - 5), i),
    afterA: ea.slice(i + 1, i + 4), afterB: eb.slice(i + 1, i + 4), kinds: used, lastEqualLine,
    ...ignored,
  };
}

/**
 * Puts PCs and symbols on the events a divergence shows: an exception's own
 * PC, and for a console line or MMIO write the PC of the instruction that
 * wrote it, found by replaying each run to that instruction.
 */
export function locateEvents(d: EventDivergence, A: Side, B: Side): void {
  const place = (side: Side, list: Array<StreamEvent | undefined>) => {
    const spaces = addressSpaces(side.symbols);
    const shown = [...new Set(list.filter((e): e is StreamEvent => e !== undefined))].sort((x, y) => x.icount - y.icount);
    const exceptions = shown.filter((e) => e.kind === 'exception' && e.pc !== undefined) as Array<StreamEvent & { pc: number }>;
    const labels = side.replayer ? labelExceptions(side.replayer, spaces, exceptions) : new Map<string, string | undefined>();
    const recorded = side.rec.chunks.flatMap((c) => c.events);
    for (const e of exceptions) {
      const key = `${e.icount}:${e.pc >>> 0}`;
      if (labels.has(key)) { e.symbol = labels.get(key); continue; }
      const raw = recorded.find((x) => x.kind === 'exception' && x.icount === e.icount && x.pc === e.pc);
      e.symbol = spaces.symbolAt(e.pc, raw && raw.kind === 'exception' ? { mode: raw.mode, asid: eventAsid(raw) } : {});
    }
    if (!side.replayer) return;
    for (const e of shown) {
      if (e.kind !== 'console' && e.kind !== 'mmio') continue;
      // The instruction that wrote it is the last one before the count it is stamped with.
      side.replayer.runTo(Math.max(0, e.icount - 1));
      const m = side.replayer.machine;
      // On several cores, the core the event names (else the one whose turn it is there).
      const k = m.cpus.length > 1 ? e.core ?? m.currentCore() : 0;
      spaces.learn(m, k);
      e.pc = m.cpus[k].pc >>> 0;
      e.symbol = symbolNow(spaces, m, e.pc, k);
    }
  };
  place(A, [d.lastEqualLine?.a, ...d.common, d.a, ...d.afterA]);
  place(B, [d.lastEqualLine?.b, d.b, ...d.afterB]);
}

// ---- text ---------------------------------------------------------------------

export function formatDiff(d: DiffResult, labels: [string, string]): string[] {
  const [la, lb] = labels;
  if (d.mode === 'identical') {
    return d.compared === 'hashes'
      ? [`no divergence: the runs are identical (${d.chunks} chunk hashes equal, ${d.icount} instructions)`]
      : [`no divergence: the event streams are identical (${d.events} events${d.ignored ? `; console lines ignored: ${d.ignored[0]} in A, ${d.ignored[1]} in B` : ''})`];
  }
  if (d.mode === 'events') return formatEvents(d, la, lb);
  if (d.core !== undefined) return formatCoresDiff(d, la, lb);
  const out: string[] = [];
  out.push(`first divergence after ${d.icount} identical instructions (in chunk ${d.chunk}): ${d.differing.join(', ')} differ`);
  out.push('');
  for (const [label, s] of [[la, d.a], [lb, d.b]] as Array<[string, SideState]>) {
    out.push(`${label}: pc ${hex(s.pc)}${s.symbol ? ` <${s.symbol}>` : ''}, mode ${s.cpu.mode}`);
    for (const l of s.disassembly) out.push(`  ${l}`);
    for (const inp of s.inputs) out.push(`  input at ${d.icount}: ${inp}`);
  }
  out.push('');
  out.push(`registers after the differing step (* marks a difference):`);
  out.push(`         ${'A'.padEnd(8)}    B`);
  REGISTER_NAMES.forEach((n, i) => {
    const x = registerValue(d.after.a, i), y = registerValue(d.after.b, i);
    out.push(`  ${x !== y ? '*' : ' '} ${n.padEnd(4)} ${hex(x).slice(2)}    ${hex(y).slice(2)}`);
  });
  out.push(...formatCommonTail(d, la, lb));
  return out;
}

/** The registers a divergence report lists, in order: r0-r12, sp, lr, pc, cpsr. */
const REGISTER_NAMES = [...Array.from({ length: 13 }, (_, i) => `r${i}`), 'sp', 'lr', 'pc', 'cpsr'];
const registerValue = (v: CpuView, i: number): number => i < 15 ? v.r[i] : i === 15 ? v.pc : v.cpsr;

/** The end of every divergence report: the last console output both runs share, then the first differing event. */
function formatCommonTail(d: InstructionDivergence, la: string, lb: string): string[] {
  const out = ['', 'last common console output:'];
  for (const l of d.commonConsole) out.push(`  [${String(l.icount).padStart(10)}] ${l.text}`);
  if (!d.commonConsole.length) out.push('  (none)');
  if (d.firstEvent) {
    out.push('');
    out.push(...formatEvents(d.firstEvent, la, lb));
  }
  return out;
}

/** A divergence of two runs on several cores: the core that diverged, then every core's registers on both sides. */
function formatCoresDiff(d: InstructionDivergence, la: string, lb: string): string[] {
  const out: string[] = [];
  const who = d.core !== undefined && d.core >= 0 ? `core ${d.core} diverged first` : 'the runs diverged';
  out.push(`first divergence at time ${d.icount} (in chunk ${d.chunk}): ${who}: ${d.differing.join('; ')} differ`);
  out.push('');
  for (const [label, s] of [[la, d.a], [lb, d.b]] as Array<[string, SideState]>) {
    out.push(`${label}: core ${d.core !== undefined && d.core >= 0 ? d.core : 0} at pc ${hex(s.pc)}${s.symbol ? ` <${s.symbol}>` : ''}, mode ${s.cpu.mode}; next instruction ran by ${s.ran !== undefined && s.ran >= 0 ? `core ${s.ran}` : 'no core'}`);
    for (const l of s.disassembly) out.push(`  ${l}`);
    for (const inp of s.inputs) out.push(`  input at ${d.icount}: ${inp}`);
  }
  const a = d.afterCores?.a ?? [d.after.a], b = d.afterCores?.b ?? [d.after.b];
  out.push('');
  out.push('registers of every core after the differing step (* marks a difference):');
  out.push(`         ${a.map((_v, k) => `${`core ${k} A`.padEnd(8)}  ${`core ${k} B`.padEnd(8)}`).join('    ')}`);
  REGISTER_NAMES.forEach((n, i) => {
    const cells = a.map((va, k) => {
      const x = registerValue(va, i);
      const y = b[k] ? registerValue(b[k], i) : undefined;
      return `${x !== y ? '*' : ' '}${hex(x).slice(2)}  ${y === undefined ? '-'.padEnd(8) : hex(y).slice(2)}`;
    });
    out.push(`  ${n.padEnd(5)} ${cells.join('   ')}`);
  });
  out.push(`  mode  ${a.map((va, k) => `${va.mode.padEnd(8)}   ${(b[k]?.mode ?? '-').padEnd(8)}`).join('    ')}`);
  out.push(...formatCommonTail(d, la, lb));
  return out;
}

function formatEvents(d: EventDivergence, la: string, lb: string): string[] {
  const where = (e: StreamEvent) => e.kind === 'exception'
    ? (e.symbol ? ` <${e.symbol}>` : '')
    : e.pc !== undefined ? `   (pc ${hex(e.pc)}${e.symbol ? ` <${e.symbol}>` : ''})` : '';
  const line = (e: StreamEvent) => `[${String(e.icount).padStart(10)}] ${e.kind.padEnd(9)} ${e.text}${where(e)}`;
  const ignored = d.ignored ? ` (console lines ignored: ${d.ignored[0]} in A, ${d.ignored[1]} in B)` : '';
  const out = [`first differing event: #${d.index + 1} of the ${d.kinds.join('/')} streams${ignored}`];
  if (d.lastEqualLine) {
    out.push('  last equal console line:');
    out.push(`      ${la}: ${line(d.lastEqualLine.a)}`);
    out.push(`      ${lb}: ${line(d.lastEqualLine.b)}`);
  }
  out.push('  common before it:');
  for (const e of d.common) out.push(`      ${line(e)}`);
  if (!d.common.length) out.push('      (none)');
  out.push(`  ${la}:`);
  out.push(`    > ${d.a ? line(d.a) : '(the stream ends)'}`);
  for (const e of d.afterA) out.push(`      ${line(e)}`);
  out.push(`  ${lb}:`);
  out.push(`    > ${d.b ? line(d.b) : '(the stream ends)'}`);
  for (const e of d.afterB) out.push(`      ${line(e)}`);
  return out;
}
