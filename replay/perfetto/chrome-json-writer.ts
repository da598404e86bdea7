/**
 * A TraceModel in the Chrome JSON trace event format (chrome://tracing,
 * ui.perfetto.dev): {"traceEvents": [...]}, timestamps in microseconds
 * (fractions for nanoseconds). The run is process 1; core k is thread
 * 2 + k, every other track a thread of its own named like the track.
 * Slices are B/E pairs, instants "i" with thread scope, flows "s" (at the
 * injected fault) and "f" (at its first effect, bound to the enclosing
 * slice).
 */

import { ticksToNs, type TraceEvent, type TraceModel, type Track } from './trace-model';
import { TRACE_PID } from './perfetto-writer';

/** The thread id a track is shown as. */
export function jsonThreadId(t: Track): number {
  return t.kind === 'thread' ? TRACE_PID + 1 + (t.core ?? 0) : t.uuid;
}

/** Yields the JSON text in pieces (one event per piece). */
export function* chromeJsonTrace(model: TraceModel): Generator<string> {
  const tids = new Map(model.tracks.map((t) => [t.uuid, jsonThreadId(t)]));
  const pid = TRACE_PID;
  let first = true;
  const item = (o: object) => { const s = (first ? '\n' : ',\n') + JSON.stringify(o); first = false; return s; };
  yield '{"displayTimeUnit":"ns","traceEvents":[';
  for (const t of model.tracks) {
    if (t.kind === 'process') yield item({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: t.name } });
    else yield item({ ph: 'M', name: 'thread_name', pid, tid: jsonThreadId(t), args: { name: t.name } });
  }
  for (const e of model.events) {
    const tid = tids.get(e.track) ?? 0;
    const ts = ticksToNs(e.ticks, model.clockHz) / 1000;
    yield item(jsonEvent(e, pid, tid, ts));
    for (const id of e.flowsOut ?? []) yield item({ ph: 's', id, name: 'first effect', cat: 'flow', ts, pid, tid });
    for (const id of e.flowsIn ?? []) yield item({ ph: 'f', bp: 'e', id, name: 'first effect', cat: 'flow', ts, pid, tid });
  }
  yield '\n]}\n';
}

function jsonEvent(e: TraceEvent, pid: number, tid: number, ts: number): object {
  switch (e.type) {
    case 'begin': return { ph: 'B', name: e.name, cat: e.category, ts, pid, tid, args: e.args ?? {} };
    case 'end': return { ph: 'E', ts, pid, tid };
    case 'instant': return { ph: 'i', s: 't', name: e.name, cat: e.category, ts, pid, tid, args: e.args ?? {} };
  }
}
