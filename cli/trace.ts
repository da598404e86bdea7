/** `bringup trace`: replays a recording and writes a Perfetto (or Chrome JSON) trace of it. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseArgs, parseCount, UsageError, expectPositionals } from './args';
import { onStopSignal, stopStatus, type StopSignal } from './signals';
import { EXIT } from './exit-codes';
import { ProgressLine } from './progress';
import { openRecording, recordedDomainTable } from './replay';
import { checkOutputPath, isWriteError, writeErrorReason } from './output-path';
import { openReplay } from '../scenario/record/recording';
import { parseVirtualTime, formatTime } from '../scenario/virtual-time';
import { ReplayDivergence } from '../replay/replayer';
import type { RecordingReader } from '../replay/reader';
import { exportTrace, DEFAULT_MAX_EVENTS } from '../replay/perfetto/export';
import { perfettoTrace } from '../replay/perfetto/perfetto-writer';
import { chromeJsonTrace } from '../replay/perfetto/chrome-json-writer';
import type { TraceModel } from '../replay/perfetto/trace-model';

const FORMATS = ['perfetto', 'json'] as const;

export const TRACE_HELP = `usage: bringup trace RECORDING [-o FILE] [--from T] [--to T] [--format perfetto|json]
                     [--max-events N] [--images DIR]

Replays a recording (docs/recording-format.md) and writes a trace of it that
ui.perfetto.dev opens (Open trace file, or drag the file onto the page);
docs/traces.md says what it holds. Timestamps are the recording's virtual
time in nanoseconds (at the board's clock; 1 GHz: one instruction is 1 ns).

  -o, --output FILE    the trace file (default: RECORDING without .bur, plus
                       .perfetto-trace, or .json with --format json)
  --from T, --to T     only this window of the run: T is an instruction count
                       (or virtual time on several cores) like 2000000 or 5M,
                       or a virtual time like 250us, 2ms. The replay seeks to
                       --from through the recording's checkpoints; an exception
                       or domain in progress there is a slice from --from on
  --format F           perfetto (default): Perfetto's protobuf trace format;
                       json: the Chrome JSON trace format (chrome://tracing,
                       ui.perfetto.dev), for small runs
  --max-events N       stop once the trace holds N events (default ${DEFAULT_MAX_EVENTS});
                       the trace then holds the first part of the window and
                       stderr says where it stopped and how to window the rest
  --images DIR         take the images from DIR (by name) instead of the
                       scenario's files

The trace holds a thread per core with its exceptions and interrupts as
slices (entry to the return to the interrupted context; an instant where
that return is not seen), MMIO accesses per core, console lines per device,
the input log (injected faults, console input) with a flow arrow to each
entry's first effect and, for a hypervisor whose firmware profile gives its
domain table, the domain each core runs (read at every entry to and return
from an exception on that core).

The file is written under a temporary name and renamed at the end: Ctrl-C
leaves no partial trace. On a terminal, a progress line on stderr shows how
far the replay is.

Exit status: 0 written; 1 the replay diverged from the recording; 2 bad usage,
an unreadable recording, images that differ, or an output that cannot be
written; 130 interrupted by Ctrl-C, 143 by SIGTERM.`;

export async function traceCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv.map((a) => (a === '-o' ? '--output' : a)), {
    output: { value: true, meta: 'FILE' }, from: { value: true, meta: 'T' }, to: { value: true, meta: 'T' },
    format: { value: true, meta: 'FORMAT' }, 'max-events': { value: true, meta: 'N' },
    images: { value: true, meta: 'DIR' }, help: {},
  });
  if (args.flags.has('help')) { process.stdout.write(TRACE_HELP + '\n'); return EXIT.OK; }
  expectPositionals(args, 'trace', { names: ['RECORDING'], looksLike: (v) => /\.bur$/i.test(v) });
  const format = args.options.get('format')?.[0] ?? 'perfetto';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`trace: --format ${format}: give perfetto or json`);
  const input = args.positionals[0];
  const out = args.options.get('output')?.[0] ?? `${input.replace(/\.bur$/i, '')}${format === 'json' ? '.json' : '.perfetto-trace'}`;
  checkOutputPath(out, 'trace: --output', [input]);
  const maxEvents = args.options.has('max-events') ? parseCount(args.options.get('max-events')![0], '--max-events') : DEFAULT_MAX_EVENTS;
  if (maxEvents < 1) throw new UsageError('trace: --max-events must be at least 1');

  const rec = openRecording(input);
  const clockHz = rec.header.clockHz;
  const time = (option: string): number | undefined => {
    const v = args.options.get(option)?.[0];
    if (v === undefined) return undefined;
    const t = /^[0-9_]+$/.test(v) ? parseCount(v, `--${option}`) : parseVirtualTime(v, clockHz);
    if (typeof t === 'string') throw new UsageError(`trace: --${option}: ${t}`);
    return t;
  };
  const from = time('from'), to = time('to');
  const last = rec.lastIcount;
  if (from !== undefined && from >= last) throw new UsageError(`trace: --from ${args.options.get('from')![0]} is at or past the end of the recording (${formatTime(last, clockHz)})`);
  if (from !== undefined && to !== undefined && to <= from) throw new UsageError(`trace: --to ${args.options.get('to')![0]} is not after --from ${args.options.get('from')![0]}`);
  if (to === 0) throw new UsageError('trace: --to 0 is the beginning of the recording: give a later time, e.g. --to 2ms');

  const session = openReplay(rec, { imagesDir: args.options.get('images')?.[0] });
  // From here on Ctrl-C (SIGINT) and SIGTERM stop the replay at its next turn of the event loop; nothing is written.
  const interrupt = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const offSignal = onStopSignal((sig) => { stoppedBy ??= sig; interrupt.abort(); });
  const progress = process.stderr.isTTY ? new ProgressLine(process.stderr, clockHz) : undefined;
  try {
    const cores = rec.header.boot.cores ?? 1;
    process.stderr.write(`tracing ${rec.file} (${rec.header.board.name}, ${cores > 1 ? `${cores} cores, ` : ''}${formatTime(last, clockHz)}) with ${session.source}\n`);
    const kernel = session.symbols.get('') ?? [];
    // The profile's table, where the hypervisor has it (a bare-metal program under the default profile has none).
    const profiled = recordedDomainTable(rec);
    const table = profiled && kernel.some((x) => x.name === profiled.symbol) ? profiled : undefined;
    const model = await exportTrace(session.replayer, {
      title: scenarioName(rec), from, to, maxEvents, signal: interrupt.signal,
      domains: table ? { table, symbol: (name) => kernel.find((x) => x.name === name)?.value } : undefined,
      onProgress: progress ? (t, end) => progress.update(t, end) : undefined,
    });
    progress?.clear();
    if (!model || interrupt.signal.aborted) {
      process.stderr.write(`bringup: trace interrupted; ${out} not written\n`);
      return stopStatus(stoppedBy);
    }
    writeAtomically(out, format === 'json' ? chromeJsonTrace(model) : perfettoTrace(model), interrupt.signal);
    if (interrupt.signal.aborted) { process.stderr.write(`bringup: trace interrupted; ${out} not written\n`); return stopStatus(stoppedBy); }
    process.stderr.write(`${out}: ${model.events.length} events from ${formatTime(model.from, clockHz)} to ${formatTime(model.to, clockHz)} (${format === 'json' ? 'Chrome JSON' : 'Perfetto'} format; open it in ui.perfetto.dev)\n`);
    if (model.truncatedAt !== undefined) process.stderr.write(moreHint(model, maxEvents, to ?? last, clockHz));
    return EXIT.OK;
  } catch (e) {
    progress?.clear();
    if (e instanceof ReplayDivergence) { process.stderr.write(`bringup: ${e.message}\n`); return EXIT.EXPECTATION_FAILED; }
    throw e;
  } finally {
    offSignal();
  }
}

/** What to do when the event limit cut the trace short. */
function moreHint(model: TraceModel, maxEvents: number, end: number, clockHz: number): string {
  const at = model.truncatedAt!;
  return `bringup: the trace reached --max-events ${maxEvents} at ${formatTime(at, clockHz)} and holds the run up to there, ` +
    `not up to ${formatTime(end, clockHz)}; trace the rest in windows (--from ${at} --to T), or raise --max-events\n`;
}

/** Writes the pieces to a temporary file beside `file` and renames it over `file`: an interrupted or failed write leaves nothing. */
function writeAtomically(file: string, pieces: Iterable<Buffer | string>, signal: AbortSignal): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx');
    let batch: Array<Buffer | string> = [];
    let bytes = 0;
    const flush = () => { if (batch.length) fs.writeSync(fd!, Buffer.concat(batch.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)))); batch = []; bytes = 0; };
    for (const p of pieces) {
      batch.push(p);
      bytes += p.length;
      if (bytes >= 1 << 20) flush();
      if (signal.aborted) break;
    }
    flush();
    fs.closeSync(fd);
    fd = undefined;
    if (signal.aborted) { fs.rmSync(tmp, { force: true }); return; }
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    if (isWriteError(e)) throw new UsageError(`trace: cannot write ${file}: ${writeErrorReason(e)}`);
    throw e;
  }
}

/** The recorded scenario's name (its YAML's `name`), else the recording's file name. */
function scenarioName(rec: RecordingReader): string {
  try {
    const doc = parseYaml(rec.header.scenario.text) as { name?: unknown } | null;
    if (typeof doc?.name === 'string' && doc.name.trim()) return doc.name.trim();
  } catch { /* a scenario text that is not YAML: named by the file */ }
  return path.basename(rec.file);
}

