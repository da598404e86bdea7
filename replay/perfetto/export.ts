/**
 * Replays a window of a recording with a TraceCollector attached and returns
 * the trace. The replay seeks through the recording's checkpoints to the end
 * of the chunk the window starts in (Replayer.runTo), attaches there, and
 * runs to the window's end one recorded chunk at a time: it stops only where
 * the recorded run was hashed, which on any number of cores never changes
 * what follows, and gives the event loop a turn now and then (Ctrl-C, a
 * progress line). What happened before the window's start is dropped; a
 * slice in progress there starts at the window's start.
 *
 * The domain each core runs is read from the hypervisor's domain table
 * (where the firmware profile says where it is): its `current` pointer of
 * that core, at every entry to and return from an exception on that core
 * (a hypervisor switches domains between the two) and at every chunk end.
 */

import type { Replayer } from '../replayer';
import { readDomainTable, readHypervisorWord, type DomainTable } from '../domain-table';
import type { Machine } from '../../machine/machine';
import { TraceCollector } from './collector';
import type { TraceModel } from './trace-model';

/** The most events a trace holds unless told otherwise. */
export const DEFAULT_MAX_EVENTS = 500_000;

export interface ExportOptions {
  title: string;
  /** The window, in ticks (default: the whole recording). */
  from?: number;
  to?: number;
  maxEvents?: number;
  /** The hypervisor's domain table and the kernel's symbols to find it. */
  domains?: { table: DomainTable; symbol: (name: string) => number | undefined };
  /** Aborted: the replay stops and exportTrace returns undefined. */
  signal?: AbortSignal;
  onProgress?: (ticks: number, last: number) => void;
}

export async function exportTrace(replayer: Replayer, options: ExportOptions): Promise<TraceModel | undefined> {
  const rec = replayer.rec;
  const last = rec.lastIcount;
  const from = Math.min(options.from ?? 0, last);
  const to = Math.min(options.to ?? last, last);
  // Attached at the chunk end at or before the window, so that the replay stops only where the recorded run was hashed
  // (and nothing in progress at the window's start is missed); the collector drops what comes before `from`.
  const start = rec.chunks.map((c) => c.to).filter((t) => t <= from).pop() ?? 0;
  if (!(await seek(replayer, start, options))) return undefined;
  const m = replayer.machine;
  const domains = options.domains ? domainReader(m, options.domains.table, options.domains.symbol) : undefined;
  const collector = new TraceCollector(m, { title: options.title, clockHz: rec.header.clockHz, maxEvents: options.maxEvents ?? DEFAULT_MAX_EVENTS, from }, domains);
  collector.attach();
  try {
    collector.sampleDomains();
    // The chunk ends inside the window, then the window's end.
    const stops = [...rec.chunks.map((c) => c.to).filter((t) => t > start && t < to), to];
    for (const target of stops) {
      if (replayer.icount >= to || collector.full !== undefined) break;
      const pos = replayer.runTo(target);
      collector.sampleDomains();
      options.onProgress?.(pos.icount, to);
      // The machine stopped by itself (a halt) or at the event limit.
      if (pos.icount < target) break;
      // A turn of the event loop after every chunk (Ctrl-C, the progress line).
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) return undefined;
    }
    return collector.finish(from, Math.min(replayer.icount, to));
  } finally {
    collector.detach();
  }
}

/**
 * Goes to `from` (a chunk end): restores the newest checkpoint at or before
 * it, then replays chunk by chunk with turns of the event loop between them
 * (Ctrl-C stops a long seek too). False when the signal stopped it.
 */
async function seek(replayer: Replayer, from: number, options: ExportOptions): Promise<boolean> {
  const rec = replayer.rec;
  const checkpoint = rec.checkpoints.filter((c) => c.icount <= from).pop();
  replayer.runTo(checkpoint?.icount ?? 0);
  for (const target of [...rec.chunks.map((c) => c.to).filter((t) => t > replayer.icount && t < from), from]) {
    const pos = replayer.runTo(target);
    options.onProgress?.(pos.icount, from);
    if (pos.icount < target) break;
    await new Promise((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) return false;
  }
  return true;
}

/**
 * Reads the name of the domain core k runs: the table entry its `current`
 * pointer points at. The table itself is read again only when a pointer
 * changes to an entry not seen before.
 */
function domainReader(m: Machine, table: DomainTable, symbol: (name: string) => number | undefined): (core: number) => string | undefined {
  const currentAt = table.current === undefined ? undefined : symbol(table.current);
  const names = new Map<number, string>();
  return (core) => {
    if (currentAt === undefined) return undefined;
    const at = readHypervisorWord(m, currentAt + 4 * core);
    if (!at) return undefined;
    let name = names.get(at);
    if (name === undefined) {
      const got = readDomainTable(m, table, symbol);
      if (typeof got === 'string') return undefined;
      const e = got.entries.find((x) => x.at === at);
      if (!e) return undefined;
      name = e.name || `domain ${e.index}`;
      names.set(at, name);
    }
    return name;
  };
}
