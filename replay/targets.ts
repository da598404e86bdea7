/**
 * Where a replay stops: an instruction count, the first execution of a
 * symbol, the crash, or the first console line matching a pattern. Each
 * resolves to an instruction count at an instruction boundary, then the
 * replay runs there exactly.
 *
 * The crash is the first abort (data abort, prefetch abort, undefined
 * instruction) whose handler never returns to the context that faulted: the
 * faulting mode, with the stack pointer it had (and, in User mode, the same
 * ASID and TTBR0), never executes the faulting instruction again (a retry) or the one
 * after it (an emulated or skipped instruction) before the run ends; in User
 * mode, that domain or process must resume there first, not elsewhere (a
 * restarted domain runs its code again from its entry). A page
 * fault served on first touch, an access-flag fault, an emulated instruction
 * return there; a fault that kills a domain or panics the hypervisor does not.
 */

import type { Machine } from '../machine/machine';
import { MODE_NAMES } from '../machine/cpu/modes';
import type { RecordingReader } from './reader';
import type { Replayer } from './replayer';
import {
  addressSpaces, consoleLinesUntil, cpuView, disassembleAround, formatRegisters, formatTraceEntries, labelExceptions, symbolNow, type SymbolSource,
  faultRegisters, faultRegistersSet, formatFaultRegisters, type FaultRegisters,
} from './inspect';
import { backtrace, formatBacktrace } from './backtrace';
import type { AddressSpaces } from './symbols';
import type { RunEvent } from './format';
import { describeStopReason } from '../machine/stop-reason';

export type ReplayTarget =
  | { kind: 'icount'; icount: number }
  /** `core`: on several cores, that core's first execution (default: whichever core executes it first). */
  | { kind: 'symbol'; name: string; core?: number }
  | { kind: 'crash' }
  | { kind: 'console'; pattern: RegExp; source: string }
  | { kind: 'end' };

export class TargetError extends Error {}

/** The recording has no crash (`--to-crash`): not bad input, an answer. */
export class NoCrash extends Error {}

const CRASH_VECTORS = new Set(['data-abort', 'prefetch-abort', 'undefined']);

/**
 * `here`: the replayer already stands at the target (on several cores a
 * symbol or crash is reached by stopping the core at the instruction, not by
 * a time, which may name a point of another core's turn); `core`: the core
 * the target is about.
 */
export interface ResolvedTarget {
  icount: number; why: string; note?: string; here?: boolean; core?: number;
  /** The crash: the fault registers as the abort set them (the stop is before the faulting instruction, where they still hold an earlier fault's). */
  fault?: CrashFault;
}

export interface CrashFault { core: number; vector: string; registers: FaultRegisters }

/** What the stop view shows besides the machine: the crash's fault registers. */
export interface StopExtras { fault?: CrashFault }

/** Finds where to stop; may run the replayer (a symbol or the crash is found by executing up to it). */
export function resolveTarget(t: ReplayTarget, rec: RecordingReader, replayer: Replayer, symbols: SymbolSource): ResolvedTarget {
  const spaces = addressSpaces(symbols);
  switch (t.kind) {
    case 'end': return { icount: rec.lastIcount, why: rec.end ? `the end of the recording, where the run ended with ${describeStopReason(rec.end.stop)}` : 'the end of the recording (cut short)' };
    case 'icount':
      // On several cores a position is virtual time (the clock of the core whose turn it is).
      if (rec.header.boot.cores && rec.header.boot.cores > 1) {
        if (t.icount > rec.lastIcount) throw new TargetError(`time ${t.icount} is past the end of the recording (${rec.lastIcount})`);
        return { icount: t.icount, why: `time ${t.icount}` };
      }
      if (t.icount > rec.lastIcount) throw new TargetError(`instruction ${t.icount} is past the end of the recording (${rec.lastIcount})`);
      return { icount: t.icount, why: `instruction ${t.icount}` };
    case 'symbol': return findSymbol(t.name, rec, replayer, spaces, t.core);
    case 'crash': return findCrash(rec, replayer, spaces);
    case 'console': {
      const device = rec.header.boot.console;
      const lines = consoleLinesUntil(rec.chunks.flatMap((c) => c.console), device, Infinity, Infinity);
      const hit = lines.find((l) => t.pattern.test(l.text));
      if (!hit) throw new TargetError(`no console line of ${device} matches ${t.source}`);
      return { icount: hit.icount, why: `the console line "${hit.text}"` };
    }
  }
}

/** The report at a stop: position, registers, code, console and trace. */
export function describeStop(rec: RecordingReader, replayer: Replayer, symbols: SymbolSource, why: string, extras: StopExtras = {}): string[] {
  const spaces = addressSpaces(symbols);
  const m = replayer.machine;
  if (m.cpus.length > 1) return describeCoresStop(rec, replayer, spaces, why, extras);
  spaces.learn(m);
  const v = cpuView(m);
  const out: string[] = [];
  out.push(`stopped at instruction ${replayer.icount} (${why}); ${replayer.chunksVerified} chunk hash(es) checked on the way`);
  const sym = symbolNow(spaces, m, v.pc);
  out.push(`pc ${v.pc.toString(16).padStart(8, '0')}${sym ? ` <${sym}>` : ''} in ${v.mode} mode, ${v.mode === 'usr' ? `a domain (ASID ${v.asid}${spaces.imageOfAsid(v.asid) ? `, image ${spaces.imageOfAsid(v.asid)}` : ''})` : 'the hypervisor or kernel'}`);
  out.push('');
  out.push(...formatRegisters(v));
  out.push('');
  out.push(...disassembleAround(m, spaces));
  out.push('');
  out.push(...faultSection(m, 0, extras));
  out.push('');
  out.push('backtrace:');
  out.push(...formatBacktrace(backtrace(m, spaces, 0)).map((l) => `  ${l}`));
  out.push('');
  const lines = consoleLinesUntil(rec.chunks.flatMap((c) => c.console), rec.header.boot.console, replayer.icount, 8);
  out.push(`last console lines (${rec.header.boot.console}):`);
  for (const l of lines) out.push(`  [${String(l.icount).padStart(10)}] ${l.text}`);
  if (!lines.length) out.push('  (none yet)');
  if (rec.traces.length) {
    out.push('');
    out.push('last trace entries:');
    out.push(...formatTraceEntries(rec.traceBetween(Math.max(0, replayer.icount - 8), replayer.icount), spaces, { asid: v.asid }).map((l) => `  ${l}`));
  } else {
    out.push(...lastExceptions(rec, replayer, spaces, false));
  }
  return out;
}

/** What core `k` is doing: running, waiting (WFI/WFE), held (and why) or stalled. */
export function coreState(m: Machine, k: number): string {
  const cpu = m.cpus[k];
  const holds = m.coreControl.snapshot().holds[k] ?? [];
  if (holds.length) return `held (${holds.join(', ')})`;
  if (!m.coreRuns(k)) return 'stalled (the input log holds it back)';
  if (cpu.waiting && !cpu.irqLine && !cpu.fiqLine) return cpu.waitingForEvent ? 'waiting in WFE' : 'waiting in WFI';
  return 'running';
}

/** The stop view of a machine with several cores: every core's state, registers and code, then console and exceptions. */
function describeCoresStop(rec: RecordingReader, replayer: Replayer, spaces: AddressSpaces, why: string, extras: StopExtras): string[] {
  const m = replayer.machine;
  const here = m.currentCore();
  const out: string[] = [];
  out.push(`stopped at time ${replayer.icount} (${why}), in core ${here}'s turn; ${replayer.chunksVerified} chunk hash(es) checked on the way`);
  out.push(`${m.cpus.length} cores (schedule: quantum ${m.schedule.quantum} ticks${m.schedule.seed ? `, seed ${m.schedule.seed}` : ''}); each core's clock: ${m.cpus.map((c, k) => `core ${k} ${c.icount}`).join(', ')}`);
  m.cpus.forEach((_cpu, k) => {
    spaces.learn(m, k);
    const v = cpuView(m, k);
    const sym = symbolNow(spaces, m, v.pc, k);
    out.push('');
    out.push(`core ${k}${k === here ? ' (stopped here)' : ''}: ${coreState(m, k)}; pc ${v.pc.toString(16).padStart(8, '0')}${sym ? ` <${sym}>` : ''} in ${v.mode} mode, ` +
      `${v.mode === 'usr' ? `a domain (ASID ${v.asid}${spaces.imageOfAsid(v.asid) ? `, image ${spaces.imageOfAsid(v.asid)}` : ''})` : 'the hypervisor or kernel'}`);
    out.push(...formatRegisters(v).map((l) => `  ${l}`));
    out.push(...disassembleAround(m, spaces, 2, 2, k).map((l) => `  ${l}`));
    // The fault registers of the core that stopped, and of any other core where they are set.
    if (k === here || faultRegistersSet(faultRegisters(m, k)) || extras.fault?.core === k) out.push(...faultSection(m, k, extras).map((l) => `  ${l}`));
    out.push(`  backtrace:`);
    out.push(...formatBacktrace(backtrace(m, spaces, k)).map((l) => `    ${l}`));
  });
  out.push('');
  const lines = consoleLinesUntil(rec.chunks.flatMap((c) => c.console), rec.header.boot.console, replayer.icount, 8);
  out.push(`last console lines (${rec.header.boot.console}):`);
  for (const l of lines) out.push(`  [${String(l.icount).padStart(10)}] ${l.text}`);
  if (!lines.length) out.push('  (none yet)');
  out.push(...lastExceptions(rec, replayer, spaces, true));
  return out;
}

/** The fault registers of core `k` decoded; at a crash, the ones its abort set first. */
function faultSection(m: Machine, k: number, extras: StopExtras): string[] {
  const out: string[] = [];
  // An undefined instruction sets no fault register: its crash shows them as they are.
  if (extras.fault && extras.fault.core === k && extras.fault.vector !== 'undefined') {
    out.push(`fault registers as the ${extras.fault.vector} set them:`);
    out.push(...formatFaultRegisters(extras.fault.registers).map((l) => `  ${l}`));
    const now = faultRegisters(m, k);
    const same = (['dfsr', 'dfar', 'ifsr', 'ifar'] as const).every((f) => now[f] === extras.fault!.registers[f]);
    if (!same) {
      out.push('fault registers now (before the faulting instruction; an earlier fault\'s):');
      out.push(...formatFaultRegisters(now).map((l) => `  ${l}`));
    }
    return out;
  }
  out.push('fault registers:');
  out.push(...formatFaultRegisters(faultRegisters(m, k)).map((l) => `  ${l}`));
  return out;
}

/** The ASID recorded with an exception event (recordings made before it was recorded have none). */
export function eventAsid(e: RunEvent): number | undefined {
  return (e as { asid?: number }).asid;
}

/** IMAGE:SYMBOL or SYMBOL: the first execution of that code, in an address space where that image is mapped. */
function findSymbol(name: string, rec: RecordingReader, replayer: Replayer, spaces: AddressSpaces, core?: number): ResolvedTarget {
  let image: string | undefined;
  let symbol = name;
  const colon = name.indexOf(':');
  if (colon > 0) {
    image = spaces.imageNamed(name.slice(0, colon));
    if (image === undefined) {
      const known = [spaces.kernelName, ...[...spaces.images.keys()].filter((k) => k)].join(', ');
      throw new TargetError(`no image '${name.slice(0, colon)}' in this recording (images: ${known}); give IMAGE:SYMBOL or SYMBOL`);
    }
    symbol = name.slice(colon + 1);
  }
  const addresses = spaces.find(symbol, image);
  if (!addresses.length) {
    throw new TargetError(image === undefined
      ? `no function or code label '${symbol}' in the recorded images`
      : `no function or code label '${symbol}' in ${spaces.label(image)}`);
  }
  replayer.resetTo(0);
  const m = replayer.machine;
  if (core !== undefined && !(Number.isInteger(core) && core >= 0 && core < m.cpus.length)) {
    throw new TargetError(`core ${core}: the recorded run has ${m.cpus.length === 1 ? 'one core (core 0)' : `cores 0 to ${m.cpus.length - 1}`}`);
  }
  if (m.cpus.length > 1) {
    // Stopped at the instruction, on the core that executes it.
    const hit = replayer.runToExecution(addresses.map((a) => a.start), (_cpu, k, at) => addresses.some((a) => a.start === at &&
      (spaces.images.size === 1 || !spaces.images.get(a.image)!.text.length || spaces.mapped(a.image, a.start, m, 16, k))), core === undefined ? undefined : [core]);
    if (!hit) throw new TargetError(`'${name}' is never executed${core === undefined ? '' : ` by core ${core}`} in this recording`);
    const a = addresses.find((x) => x.start === hit.address)!;
    const label = a.image ? `${a.image}:${symbol}` : symbol;
    return { icount: hit.icount, why: `core ${hit.core}'s first execution of ${label}${core === undefined ? ' (the first core to execute it)' : ''}`, here: true, core: hit.core };
  }
  let found: { icount: number; image: string } | undefined;
  const removers = addresses.map((a) => m.probes.exec.at(a.start, (cpu) => {
    // The address is the symbol's only where that image's code is mapped.
    if (found === undefined && (spaces.images.size === 1 || !spaces.images.get(a.image)!.text.length || spaces.mapped(a.image, a.start, m))) {
      found = { icount: cpu.icount - 1, image: a.image };
      cpu.stopRequested = true;
    }
    return false;
  }));
  try {
    while (found === undefined && replayer.icount < rec.lastIcount) {
      const before = replayer.icount;
      replayer.runTo(Math.min(rec.lastIcount, before + 10_000_000));
      if (replayer.icount === before) break;
    }
  } finally {
    for (const r of removers) r();
  }
  if (found === undefined) throw new TargetError(`'${name}' is never executed in this recording`);
  const label = found.image ? `${found.image}:${symbol}` : symbol;
  return { icount: found.icount, why: `the first execution of ${label}` };
}

const spaceOf = (cpu: Machine['cpu']) => `${cpu.cp15.contextidr & 0xff}:${(cpu.cp15.ttbr0 & ~0x7f) >>> 0}`;

const CRASH_VECTOR_NUMBERS = new Set([0x04, 0x0c, 0x10]);
const VECTOR_WORDS: Record<number, string> = { 0x04: 'undefined', 0x0c: 'prefetch-abort', 0x10: 'data-abort' };

interface Abort {
  icount: number; vector: string; pc: number; mode: string; modeNumber: number; sp: number; asid: number; thumb: boolean; symbol?: string;
  /** The address space: ASID and translation table base (a hypervisor without ASIDs still switches TTBR0). */
  space: string;
  returned: boolean;
  /** A User-mode abort: the CPU has been back in User mode since (its handling is over, one way or the other). */
  userAgain?: boolean;
  /** A privileged abort taken while this User-mode abort was still being handled. */
  during?: Abort;
  /** The core that took it. */
  core: number;
  /** Its fault registers as it set them. */
  fault: FaultRegisters;
}

/**
 * Replays from before the first recorded abort, following each abort until
 * its context resumes; the first that never does is the crash.
 */
function findCrash(rec: RecordingReader, replayer: Replayer, spaces: AddressSpaces): ResolvedTarget {
  const recorded = rec.header.trace === 'off' ? undefined : rec.chunks.flatMap((c) => c.events)
    .filter((x): x is Extract<RunEvent, { kind: 'exception' }> => x.kind === 'exception' && CRASH_VECTORS.has(x.vector));
  if (recorded && !recorded.length) {
    throw new NoCrash(`the recorded run has no crash: no data abort, prefetch abort or undefined instruction in ${rec.lastIcount} instructions`);
  }
  // Without recorded events (--trace off) the whole run is replayed from the boot.
  const first = recorded ? Math.max(0, recorded[0].icount - 1) : 0;
  const lastRecorded = recorded ? recorded[recorded.length - 1].icount : Infinity;
  replayer.resetTo(first);
  const m: Machine = replayer.machine;
  let cpu = m.cpu;
  const aborts: Abort[] = [];
  const pending = new Set<Abort>();
  const unhook = new Map<Abort, Array<() => void>>();
  const off = m.probes.exception.subscribe((vector, pc, mode) => {
    // The core taking the exception (on several cores, the one the machine is serving).
    const core = m.currentCore();
    cpu = m.cpus[core];
    const fromUser = MODE_NAMES[mode] === 'usr';
    if (fromUser) {
      const space = spaceOf(cpu);
      for (const p of [...pending]) {
        if (p.core !== core) continue;
        p.userAgain = true;
        if (p.mode !== 'usr' || p.space !== space) continue;
        // That User context ran again. At the faulting instruction or the next
        // (an interrupt taken as it resumes) it is the return; anywhere else
        // the handler went on elsewhere (a restarted domain, a signal handler).
        const at = (pc >>> 0) - p.pc;
        if ((at === 0 || at === 4 || (p.thumb && at === 2)) && (cpu.r[13] >>> 0) === p.sp) p.returned = true;
        pending.delete(p);
        for (const r of unhook.get(p) ?? []) r();
      }
    }
    if (!CRASH_VECTOR_NUMBERS.has(vector)) return;
    const a: Abort = {
      icount: cpu.icount, vector: VECTOR_WORDS[vector], pc: pc >>> 0, mode: MODE_NAMES[mode] ?? String(mode), modeNumber: mode,
      sp: cpu.r[13] >>> 0, asid: cpu.cp15.contextidr & 0xff, space: spaceOf(cpu), thumb: cpu.t === 1, returned: false, core,
      fault: faultRegisters(m, core),
    };
    a.symbol = spaces.symbolAt(a.pc, { machine: m, asid: a.asid, mode: a.mode, core });
    if (a.mode === 'usr') spaces.learn(m, core);
    // The hypervisor or kernel faulting (on that core) while it handles a domain's abort.
    if (!fromUser) for (const p of pending) if (p.core === core && p.mode === 'usr' && !p.userAgain && !p.during) p.during = a;
    aborts.push(a);
    pending.add(a);
    const resume = (c: typeof cpu) => {
      if (!a.returned && c === m.cpus[a.core] && c.mode === a.modeNumber && (c.r[13] >>> 0) === a.sp && (a.mode !== 'usr' || spaceOf(c) === a.space)) {
        a.returned = true;
        pending.delete(a);
        for (const r of unhook.get(a) ?? []) r();
      }
      return false;
    };
    const next = a.thumb ? [0, 2, 4] : [0, 4];
    unhook.set(a, next.map((d) => m.probes.exec.at((a.pc + d) >>> 0, resume)));
  });
  try {
    // Follow until every abort seen has resumed and no recorded one is ahead, or the run ends.
    while (replayer.icount < rec.lastIcount && (pending.size || replayer.icount <= lastRecorded)) {
      const before = replayer.icount;
      replayer.runTo(Math.min(rec.lastIcount, before + 1_000_000));
      if (replayer.icount === before) break;
    }
  } finally {
    off();
    for (const list of unhook.values()) for (const r of list) r();
  }
  // An abort whose handling was cut short by a privileged one that never returned: that one is the crash.
  const crash = aborts.find((a) => !a.returned && !(a.during && !a.during.returned));
  const handled = aborts.filter((a) => a.returned && (!crash || a.icount < crash.icount)).length;
  if (!crash) {
    throw new NoCrash(`the recorded run has no crash: ${aborts.length} abort(s) or undefined instruction(s) in ${rec.lastIcount} instructions, ` +
      'each handled and returned from (the crash is an abort whose handler never returns to the faulting context)');
  }
  // An abort raised by an instruction is seen once that instruction has
  // started (icount counts it); one injected between instructions is not.
  const injectedHere = replayer.inputs.some((i) => i.icount === crash.icount && i.point.at === 'boundary');
  const icount = injectedHere ? crash.icount : crash.icount - 1;
  if (m.cpus.length > 1) {
    const where = `core ${crash.core}: the ${crash.vector} from ${crash.mode} mode at pc 0x${crash.pc.toString(16).padStart(8, '0')} (${crash.symbol ?? 'no symbol'})`;
    const note = `the crash: the first abort whose handler never returned to the faulting context, on core ${crash.core} (${handled} handled abort(s) before it)`;
    const fault: CrashFault = { core: crash.core, vector: crash.vector, registers: crash.fault };
    if (injectedHere) return { icount, why: where, note, core: crash.core, fault };
    // Stopped at the faulting instruction on the core that executes it.
    replayer.resetTo(icount);
    const hit = replayer.runToExecution([crash.pc], (c) => c.icount === crash.icount, [crash.core]);
    return hit ? { icount: hit.icount, why: where, note, here: true, core: crash.core, fault } : { icount, why: where, note, core: crash.core, fault };
  }
  return {
    icount,
    why: `the ${crash.vector} from ${crash.mode} mode at pc 0x${crash.pc.toString(16).padStart(8, '0')} (${crash.symbol ?? 'no symbol'})`,
    note: `the crash: the first abort whose handler never returned to the faulting context (${handled} handled abort(s) before it)`,
    fault: { core: crash.core, vector: crash.vector, registers: crash.fault },
  };
}

/**
 * The last five exceptions before the stop, each labelled in the address
 * space in force on its core when it was taken (replayed over once more),
 * with the core named on a run of several cores.
 */
function lastExceptions(rec: RecordingReader, replayer: Replayer, spaces: AddressSpaces, withCore: boolean): string[] {
  const events = rec.chunks.flatMap((c) => c.events)
    .filter((e): e is Extract<RunEvent, { kind: 'exception' }> => e.icount <= replayer.icount && e.kind === 'exception').slice(-5);
  if (!events.length) return [];
  const out = ['', 'last exceptions:'];
  const labels = labelExceptions(replayer, spaces, events, replayer.icount);
  for (const e of events) {
    const key = `${e.icount}:${e.pc >>> 0}`;
    const sym = labels.has(key) ? labels.get(key) : spaces.symbolAt(e.pc, { mode: e.mode, asid: eventAsid(e) });
    out.push(`  [${String(e.icount).padStart(10)}] ${withCore ? `core ${e.core ?? 0}: ` : ''}${e.vector} from ${e.mode} at ${e.pc.toString(16).padStart(8, '0')}${sym ? ` <${sym}>` : ''}`);
  }
  return out;
}
