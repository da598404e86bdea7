/**
 * Where a replay stops: an instruction count, the first execution of a
 * symbol, the crash (the first abort or undefined instruction), or the first
 * console line matching a pattern. Each resolves to an instruction count at
 * an instruction boundary, then the replay runs there exactly.
 */

import type { ElfSymbol } from '../machine/loaders/elf';
import type { RecordingReader } from './reader';
import type { Replayer } from './replayer';
import { consoleLinesUntil, cpuView, disassembleAround, formatRegisters, formatTraceEntries, symbolFor } from './inspect';
import type { RunEvent } from './format';
import { describeStopReason } from '../machine/stop-reason';

export type ReplayTarget =
  | { kind: 'icount'; icount: number }
  | { kind: 'symbol'; name: string }
  | { kind: 'crash' }
  | { kind: 'console'; pattern: RegExp; source: string }
  | { kind: 'end' };

export class TargetError extends Error {}

const CRASH_VECTORS = new Set(['data-abort', 'prefetch-abort', 'undefined']);

export interface ResolvedTarget { icount: number; why: string }

/** Finds where to stop; may run the replayer (a symbol is found by executing up to it). */
export function resolveTarget(t: ReplayTarget, rec: RecordingReader, replayer: Replayer, symbols: Map<string, ElfSymbol[]>): ResolvedTarget {
  switch (t.kind) {
    case 'end': return { icount: rec.lastIcount, why: `the end of the recording (${rec.end ? `the run ended with ${describeStopReason(rec.end.stop)}` : 'cut short'})` };
    case 'icount':
      if (t.icount > rec.lastIcount) throw new TargetError(`instruction ${t.icount} is past the end of the recording (${rec.lastIcount})`);
      return { icount: t.icount, why: `instruction ${t.icount}` };
    case 'symbol': {
      const addresses: Array<{ image: string; value: number }> = [];
      for (const [image, syms] of symbols) for (const s of syms) if (s.name === t.name) addresses.push({ image, value: s.value & ~1 });
      if (!addresses.length) throw new TargetError(`no symbol '${t.name}' in the recorded images`);
      let best: number | undefined;
      for (const a of addresses) {
        replayer.resetTo(0);
        const at = replayer.findExecution(a.value);
        if (at !== undefined && (best === undefined || at < best)) best = at;
      }
      if (best === undefined) throw new TargetError(`'${t.name}' is never executed in this recording`);
      return { icount: best, why: `the first execution of ${t.name}` };
    }
    case 'crash': {
      if (rec.header.trace === 'off') throw new TargetError('this recording has no events (recorded with --trace off): the crash cannot be located; use --to-console or --to');
      // Aborts a kernel handles for itself (first touch of a page, lazy
      // mappings) come from user mode; a crash is the first abort taken in a
      // privileged mode, or else the last abort of the run.
      const aborts = rec.chunks.flatMap((c) => c.events)
        .filter((x): x is Extract<RunEvent, { kind: 'exception' }> => x.kind === 'exception' && CRASH_VECTORS.has(x.vector));
      const e = aborts.find((x) => x.mode !== 'usr') ?? aborts[aborts.length - 1];
      if (!e) throw new TargetError('the recorded run has no crash (no data abort, prefetch abort or undefined instruction)');
      // An abort raised by an instruction is seen once that instruction has
      // started (icount counts it); one injected between instructions is not.
      const injectedHere = replayer.inputs.some((i) => i.icount === e.icount && i.point.at === 'boundary');
      const icount = injectedHere ? e.icount : e.icount - 1;
      return { icount, why: `the ${e.vector} from ${e.mode} mode at pc 0x${e.pc.toString(16).padStart(8, '0')} (${symbolFor(symbols, e.pc) ?? 'no symbol'})` };
    }
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
export function describeStop(rec: RecordingReader, replayer: Replayer, symbols: Map<string, ElfSymbol[]>, why: string): string[] {
  const m = replayer.machine;
  const v = cpuView(m);
  const out: string[] = [];
  out.push(`stopped at instruction ${replayer.icount} (${why}); ${replayer.chunksVerified} chunk hash(es) checked on the way`);
  const sym = symbolFor(symbols, v.pc);
  out.push(`pc ${v.pc.toString(16).padStart(8, '0')}${sym ? ` <${sym}>` : ''} in ${v.mode} mode, ${v.mode === 'usr' ? `a domain (ASID ${v.asid})` : 'the hypervisor or kernel'}`);
  out.push('');
  out.push(...formatRegisters(v));
  out.push('');
  out.push(...disassembleAround(m, symbols));
  out.push('');
  const lines = consoleLinesUntil(rec.chunks.flatMap((c) => c.console), rec.header.boot.console, replayer.icount, 8);
  out.push(`last console lines (${rec.header.boot.console}):`);
  for (const l of lines) out.push(`  [${String(l.icount).padStart(10)}] ${l.text}`);
  if (!lines.length) out.push('  (none yet)');
  if (rec.traces.length) {
    out.push('');
    out.push('last trace entries:');
    out.push(...formatTraceEntries(rec.traceBetween(Math.max(0, replayer.icount - 8), replayer.icount), symbols).map((l) => `  ${l}`));
  } else {
    const events = rec.chunks.flatMap((c) => c.events).filter((e) => e.icount <= replayer.icount && e.kind === 'exception').slice(-5);
    if (events.length) {
      out.push('');
      out.push('last exceptions:');
      for (const e of events) {
        if (e.kind !== 'exception') continue;
        const sym = symbolFor(symbols, e.pc);
        out.push(`  [${String(e.icount).padStart(10)}] ${e.vector} from ${e.mode} at ${e.pc.toString(16).padStart(8, '0')}${sym ? ` <${sym}>` : ''}`);
      }
    }
  }
  return out;
}
