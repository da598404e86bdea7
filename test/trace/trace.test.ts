/**
 * `bringup trace`: records two-core runs of the reference hypervisor with
 * injected faults, writes their traces with the command, and decodes them
 * with protobufjs and perfetto's own field numbers (test/support/perfetto/,
 * shared with nothing the writer uses), then checks them against the
 * recording: tracks, slices, console lines, timestamps, domains, flows,
 * windows, the event limit and the JSON format.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as protobuf from 'protobufjs';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import type { RunEvent } from '../../replay/format';
import { tempDir } from '../support/temp-dirs';
import { ROOT as root } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = tempDir('bringup-trace-');

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Records a scenario of features/scenarios (its limit replaced by `time` when given). */
function record(name: string, time?: string): string {
  const file = path.join(tmp, `${name}.bur`);
  if (fs.existsSync(file)) return file;
  let text = fs.readFileSync(path.join(scenarios, `${name}.yaml`), 'utf8');
  if (time) text = text.replace(/^limits:\n  time: .*$/m, `limits:\n  time: ${time}`).replace(/, by: 40ms \}/, `, by: ${time} }`);
  runRecorded(scenarioFromText(text, path.join(scenarios, `${name}.yaml`), scenarios), file, { text });
  return file;
}

/** The lost IPI on two cores: a lost SGI whose effect is the event watchdog's console line (at about 26 ms). */
const lostIpi = () => record('hyp-smp-lost-ipi', '30ms');
/** An abort injected into the hypervisor at the 3rd execution of sched_return. */
const injectedAbort = () => record('hyp-data-abort');

// ---- decoding with perfetto's protos ----------------------------------------

const protoRoot = protobuf.loadSync(path.join(root, 'test', 'support', 'perfetto', 'trace.proto'));
const TraceMessage = protoRoot.lookupType('perfetto.protos.Trace');

interface Annotation { name?: string; stringValue?: string; uintValue?: number; intValue?: number; boolValue?: boolean; doubleValue?: number }
interface DecodedEvent {
  ts: number; track: number; type: string; name?: string; category?: string;
  args: Record<string, string | number | boolean | undefined>; flowIds: number[]; terminatingFlowIds: number[];
}
interface DecodedTrack { uuid: number; parent?: number; name: string; thread?: { pid: number; tid: number }; process?: { pid: number } }
interface Decoded { tracks: Map<number, DecodedTrack>; events: DecodedEvent[] }

function decode(file: string): Decoded {
  const obj = TraceMessage.toObject(TraceMessage.decode(fs.readFileSync(file)), { longs: Number, enums: String }) as {
    packet?: Array<{ timestamp?: number; trustedPacketSequenceId?: number; trackDescriptor?: Record<string, any>; trackEvent?: Record<string, any> }>;
  };
  const tracks = new Map<number, DecodedTrack>();
  const events: DecodedEvent[] = [];
  for (const p of obj.packet ?? []) {
    assert.ok(p.trustedPacketSequenceId, 'every packet is on a trusted sequence (trace_processor drops TrackEvents without one)');
    if (p.trackDescriptor) {
      const d = p.trackDescriptor;
      tracks.set(d.uuid, {
        uuid: d.uuid, parent: d.parentUuid || undefined, name: d.name || d.thread?.threadName || d.process?.processName,
        thread: d.thread ? { pid: d.thread.pid, tid: d.thread.tid } : undefined, process: d.process ? { pid: d.process.pid } : undefined,
      });
    }
    if (p.trackEvent) {
      const e = p.trackEvent;
      const args: DecodedEvent['args'] = {};
      for (const a of (e.debugAnnotations ?? []) as Annotation[]) args[a.name!] = a.stringValue ?? a.uintValue ?? a.intValue ?? a.boolValue ?? a.doubleValue;
      events.push({
        ts: p.timestamp!, track: e.trackUuid, type: e.type, name: e.name || undefined, category: e.categories?.[0], args,
        flowIds: e.flowIds ?? [], terminatingFlowIds: e.terminatingFlowIds ?? [],
      });
    }
  }
  return { tracks, events };
}

const trackNamed = (d: Decoded, name: string) => [...d.tracks.values()].find((t) => t.name === name);
const on = (d: Decoded, name: string) => { const t = trackNamed(d, name); assert.ok(t, `a track named '${name}'`); return d.events.filter((e) => e.track === t.uuid); };

/** Begins and ends pair up on every track (a stack per track); returns the slices. */
function slices(d: Decoded): Array<{ track: number; name?: string; begin: number; end: number; args: DecodedEvent['args'] }> {
  const open = new Map<number, DecodedEvent[]>();
  const out: Array<{ track: number; name?: string; begin: number; end: number; args: DecodedEvent['args'] }> = [];
  for (const e of d.events) {
    const stack = open.get(e.track) ?? [];
    open.set(e.track, stack);
    if (e.type === 'TYPE_SLICE_BEGIN') stack.push(e);
    if (e.type === 'TYPE_SLICE_END') {
      const b = stack.pop();
      assert.ok(b, `an end without a begin on track ${d.tracks.get(e.track)?.name} at ${e.ts}`);
      assert.ok(e.ts >= b.ts, `a slice ends (${e.ts}) before it begins (${b.ts})`);
      out.push({ track: e.track, name: b.name, begin: b.ts, end: e.ts, args: b.args });
    }
  }
  for (const [track, stack] of open) assert.equal(stack.length, 0, `slices left open on track ${d.tracks.get(track)?.name}`);
  return out;
}

/** The recorded console, as lines with the time of the byte that ended each. */
function recordedLines(rec: RecordingReader): Array<{ text: string; icount: number }> {
  const out: Array<{ text: string; icount: number }> = [];
  let line = '';
  for (const c of rec.chunks) {
    for (const entry of (c as unknown as { console: Array<{ text: string; icount: number }> }).console) {
      for (const ch of entry.text) {
        if (ch === '\n') { out.push({ text: Buffer.from(line, 'latin1').toString('utf8'), icount: entry.icount }); line = ''; } else if (ch !== '\r') line += ch;
      }
    }
  }
  return out;
}

const recordedExceptions = (rec: RecordingReader) =>
  rec.chunks.flatMap((c) => ((c as unknown as { events?: RunEvent[] }).events ?? []).filter((e): e is Extract<RunEvent, { kind: 'exception' }> => e.kind === 'exception'));

const VECTOR_BY_NAME: Record<string, string> = { irq: '0x18', fiq: '0x1c', svc: '0x08', 'data-abort': '0x10', 'prefetch-abort': '0x0c', undefined: '0x04' };

let full: { file: string; decoded: Decoded; rec: RecordingReader; stderr: string } | undefined;
/** The whole lost-IPI run, traced by the command (shared by several tests). */
function fullTrace() {
  if (full) return full;
  const rec = lostIpi();
  const file = path.join(tmp, 'ipi.perfetto-trace');
  const r = bringup('trace', rec, '-o', file);
  assert.equal(r.status, 0, r.stderr);
  return (full = { file, decoded: decode(file), rec: RecordingReader.open(rec), stderr: r.stderr });
}

// ---- tests -------------------------------------------------------------------------

test('a two-core recording gives one thread track per core under the run\'s process, with exceptions as matched slices', () => {
  const { decoded, rec } = fullTrace();
  const processes = [...decoded.tracks.values()].filter((t) => t.process);
  assert.equal(processes.length, 1);
  assert.match(processes[0].name, /^bringup a lost IPI leaves CPU1 asleep/);
  const threads = [...decoded.tracks.values()].filter((t) => t.thread);
  assert.deepEqual(threads.map((t) => t.name), ['core 0', 'core 1']);
  assert.equal(rec.header.boot.cores, 2);
  assert.equal(new Set(threads.map((t) => t.thread!.tid)).size, 2, 'one thread id per core');
  for (const t of threads) assert.equal(t.thread!.pid, processes[0].process!.pid, 'the core threads belong to the run\'s process');
  for (const t of [...decoded.tracks.values()].filter((x) => !x.thread && !x.process)) assert.equal(t.parent, processes[0].uuid, `${t.name} is under the process`);
  const all = slices(decoded);
  const exceptionSlices = all.filter((s) => threads.some((t) => t.uuid === s.track));
  assert.ok(exceptionSlices.length >= 10, `exceptions as slices (${exceptionSlices.length})`);
  assert.ok(exceptionSlices.some((s) => s.name === 'irq' && s.args.gic_interrupt_id !== undefined), 'an irq slice names its GIC interrupt ID');
  assert.ok(exceptionSlices.some((s) => s.name === 'prefetch abort' && typeof s.args.fault_address === 'string'), 'an abort names its faulting address');
});

test('every recorded exception is in the trace on its core, at the recorded virtual time', () => {
  const { decoded, rec } = fullTrace();
  const clockNs = 1e9 / rec.header.clockHz;
  const recorded = recordedExceptions(rec).map((e) => `${e.core ?? 0} ${Math.round(e.icount * clockNs)} ${VECTOR_BY_NAME[e.vector]} 0x${e.pc.toString(16).padStart(8, '0')}`);
  const coreOf = new Map([...decoded.tracks.values()].filter((t) => t.thread).map((t) => [t.uuid, Number(t.name.replace('core ', ''))]));
  const traced = decoded.events.filter((e) => e.category === 'exception' && e.type !== 'TYPE_SLICE_END')
    .map((e) => `${coreOf.get(e.track)} ${e.ts} ${e.args.vector} ${e.args.from_pc}`);
  assert.ok(recorded.length >= 10);
  assert.deepEqual(traced.sort(), recorded.sort());
});

test('console lines are instants on a "console DEVICE" track with the recorded text, at the time their last byte was written', () => {
  const { decoded, rec } = fullTrace();
  const lines = on(decoded, 'console uartd').filter((e) => e.type === 'TYPE_INSTANT');
  const recorded = recordedLines(rec);
  assert.ok(recorded.some((l) => /^WATCHDOG: dom1 dom1: event on port \d pending/.test(l.text)));
  assert.deepEqual(lines.map((e) => e.name ?? ''), recorded.map((l) => l.text));
  assert.deepEqual(lines.map((e) => e.args.text), recorded.map((l) => l.text));
  assert.deepEqual(lines.map((e) => e.ts), recorded.map((l) => l.icount));
});

test('timestamps never go back on any track, and stay within the recording', () => {
  const { decoded, rec } = fullTrace();
  const last = new Map<number, number>();
  for (const e of decoded.events) {
    assert.ok(e.ts >= (last.get(e.track) ?? 0), `track ${decoded.tracks.get(e.track)?.name}: ${e.ts} after ${last.get(e.track)}`);
    last.set(e.track, e.ts);
    assert.ok(e.ts <= rec.lastIcount);
  }
  assert.ok(on(decoded, 'MMIO core 0').length > 100, 'MMIO accesses of core 0');
  const mmio = on(decoded, 'MMIO core 0')[0];
  for (const k of ['device', 'offset', 'value', 'access']) assert.notEqual(mmio.args[k], undefined, `an MMIO event has its ${k}`);
});

test('the reference hypervisor\'s domains are slices on a "domains" track per core, read from its domain table', () => {
  const { decoded } = fullTrace();
  const all = slices(decoded);
  const onTrack = (name: string) => all.filter((s) => s.track === trackNamed(decoded, name)?.uuid).map((s) => s.name);
  // The volume pins dom1 to CPU1 (firmware/volumes/pingpong.yaml); dom0 runs on CPU0.
  assert.ok(onTrack('domains core 0').includes('dom0'), `core 0 runs dom0 (${onTrack('domains core 0')})`);
  assert.ok(onTrack('domains core 1').includes('dom1'), `core 1 runs dom1 (${onTrack('domains core 1')})`);
  assert.ok(!onTrack('domains core 1').includes('dom0'));
});

test('an injected fault is an instant on the input log with a flow to its first effect', () => {
  const { decoded } = fullTrace();
  const lost = on(decoded, 'input log').filter((e) => e.name === 'lose-sgi');
  assert.equal(lost.length, 1);
  assert.match(String(lost[0].args.cause), /lost interrupt/);
  assert.equal(lost[0].flowIds.length, 1);
  // A lost SGI raises nothing: its first effect is the next console line, the event watchdog's report.
  const effect = decoded.events.filter((e) => e.terminatingFlowIds.includes(lost[0].flowIds[0]));
  assert.equal(effect.length, 1);
  assert.match(effect[0].name ?? '', /^WATCHDOG: dom1 dom1/);
  assert.ok(effect[0].ts > lost[0].ts);

  // An injected abort's first effect is the abort it raises, on the same core, at once.
  const file = path.join(tmp, 'abort.perfetto-trace');
  const r = bringup('trace', injectedAbort(), '-o', file);
  assert.equal(r.status, 0, r.stderr);
  const d = decode(file);
  const injected = on(d, 'input log').find((e) => e.name === 'data-abort');
  assert.ok(injected);
  const raised = d.events.filter((e) => e.terminatingFlowIds.includes(injected.flowIds[0]));
  assert.equal(raised.length, 1);
  assert.equal(raised[0].name, 'data abort');
  assert.equal(raised[0].args.fault_address, '0xdead0000');
  assert.equal(raised[0].ts, injected.ts);
  assert.equal(d.tracks.get(raised[0].track)?.name, 'core 0');
  slices(d);
});

test('--from and --to trace only that window: what is in progress at --from starts there, the rest matches the whole trace', () => {
  const { decoded } = fullTrace();
  const from = 6_700_000, to = 7_200_000;
  const file = path.join(tmp, 'window.perfetto-trace');
  const r = bringup('trace', lostIpi(), '-o', file, '--from', '6.7ms', '--to', String(to));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /from 6\.7 ms \(6700000 insns\) to 7\.2 ms \(7200000 insns\)/);
  const w = decode(file);
  assert.ok(w.events.length > 0);
  for (const e of w.events) assert.ok(e.ts >= from && e.ts <= to, `${e.ts} in the window`);
  slices(w);
  const carried = (e: DecodedEvent) => e.args.began === 'before the window';
  // The window holds what the whole trace holds there (slices begun and instants inside it).
  const inside = (d: Decoded) => d.events.filter((e) => e.ts >= from && e.ts < to && e.type !== 'TYPE_SLICE_END' && !carried(e))
    .map((e) => `${e.ts} ${d.tracks.get(e.track)?.name} ${e.type} ${e.name}`);
  assert.ok(inside(w).length > 10);
  assert.deepEqual(inside(w), inside(decoded));
  // Slices of the whole trace that span --from start at --from in the window.
  const spanning = slices(decoded).filter((s) => s.begin < from && s.end > from).map((s) => `${decoded.tracks.get(s.track)?.name} ${s.name}`);
  assert.ok(spanning.some((x) => x.startsWith('domains core')), 'a domain runs across --from');
  assert.deepEqual(w.events.filter(carried).map((e) => `${w.tracks.get(e.track)?.name} ${e.name}`).sort(), spanning.sort());
  for (const e of w.events.filter(carried)) assert.equal(e.ts, from);
});

test('a window may start anywhere, also right after an injected fault on two cores', () => {
  // The lost SGI takes effect at about 6.74 ms: the window starts 2.5 us after it.
  const file = path.join(tmp, 'after-fault.perfetto-trace');
  const r = bringup('trace', lostIpi(), '-o', file, '--from', '6742000', '--to', '6.9ms');
  assert.equal(r.status, 0, r.stderr);
  const d = decode(file);
  slices(d);
  for (const e of d.events) assert.ok(e.ts >= 6_742_000 && e.ts <= 6_900_000);
  // Both cores are inside a hypercall there (core 1 waits for the kick that was lost): shown from the window's start.
  const carried = d.events.filter((e) => e.args.began === 'before the window' && e.category === 'exception');
  assert.deepEqual(carried.map((e) => `${d.tracks.get(e.track)?.name} ${e.name}`).sort(), ['core 0 svc', 'core 1 svc']);
});

test('--max-events cuts the trace at the limit and says how to window the rest', () => {
  const file = path.join(tmp, 'limited.perfetto-trace');
  const r = bringup('trace', lostIpi(), '-o', file, '--max-events', '500');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /reached --max-events 500 at .*; trace the rest in windows \(--from \d+ --to T\)/);
  const d = decode(file);
  const begins = d.events.filter((e) => e.type !== 'TYPE_SLICE_END').length;
  assert.ok(begins <= 500, `${begins} events begun`);
  slices(d);
});

test('--format json writes the Chrome JSON trace with the same events', () => {
  const { decoded } = fullTrace();
  const file = path.join(tmp, 'ipi.json');
  const r = bringup('trace', lostIpi(), '--format', 'json', '-o', file);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: Array<{ ph: string; name?: string; ts?: number; tid: number; args?: Record<string, unknown>; id?: number }> };
  const threadNames = new Map(json.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args!.name as string]));
  const PH: Record<string, string> = { B: 'TYPE_SLICE_BEGIN', E: 'TYPE_SLICE_END', i: 'TYPE_INSTANT' };
  const fromJson = json.traceEvents.filter((e) => PH[e.ph]).map((e) => `${Math.round(e.ts! * 1000)} ${threadNames.get(e.tid)} ${PH[e.ph]} ${e.name ?? ''}`);
  const fromProto = decoded.events.map((e) => `${e.ts} ${decoded.tracks.get(e.track)?.name} ${e.type} ${e.name ?? ''}`);
  assert.deepEqual(fromJson, fromProto);
  const starts = json.traceEvents.filter((e) => e.ph === 's');
  assert.equal(starts.length, 1);
  assert.equal(json.traceEvents.filter((e) => e.ph === 'f' && e.id === starts[0].id).length, 1);
});

test('bad options are refused with what is wrong, and nothing is written', () => {
  const rec = lostIpi();
  const out = path.join(tmp, 'never.perfetto-trace');
  let r = bringup('trace', rec, '-o', out, '--format', 'xml');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format xml: give perfetto or json/);
  r = bringup('trace', rec, '-o', out, '--from', '1s');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--from 1s is at or past the end of the recording \(30 ms/);
  r = bringup('trace', rec, '-o', out, '--from', '2ms', '--to', '1ms');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--to 1ms is not after --from 2ms/);
  r = bringup('trace', rec, '-o', out, '--formt', 'json');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /did you mean --format/);
  assert.ok(!fs.existsSync(out));
  assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  r = bringup('trace', '--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: bringup trace RECORDING/);
});

test('Ctrl-C stops the replay and leaves no trace file, not even a partial one', async () => {
  const rec = lostIpi();
  const out = path.join(tmp, 'interrupted.perfetto-trace');
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [path.join(root, 'bin', 'bringup'), 'trace', rec, '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  // The command says "tracing ..." once its Ctrl-C handler is in place, before the replay starts.
  let sent = false;
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (!sent && stderr.includes('tracing ')) { sent = true; child.kill('SIGINT'); }
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  assert.equal(status, 130, stderr);
  assert.match(stderr, /trace interrupted; .* not written/);
  assert.ok(!fs.existsSync(out));
  assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
});
