/**
 * A TraceModel as a Perfetto protobuf trace (the format ui.perfetto.dev and
 * trace_processor read): a `Trace` whose `packet`s are TracePackets, first
 * a TrackDescriptor per track, then a TrackEvent per event, every packet on
 * one trusted sequence, timestamps in nanoseconds of virtual time. No
 * interned data: names are written in full.
 *
 * Field numbers are those of perfetto's protos/perfetto/trace/trace.proto,
 * trace_packet.proto and track_event/{track_event,track_descriptor,
 * process_descriptor,thread_descriptor,debug_annotation}.proto.
 */

import { ProtoWriter } from './protobuf-writer';
import { ticksToNs, type ArgValue, type TraceEvent, type TraceModel, type Track } from './trace-model';

/** Trace.packet */
const TRACE_PACKET = 1;
/** TracePacket */
const PACKET = { timestamp: 8, trustedPacketSequenceId: 10, trackEvent: 11, sequenceFlags: 13, trackDescriptor: 60 } as const;
/** TracePacket.SequenceFlags.SEQ_INCREMENTAL_STATE_CLEARED */
const SEQ_INCREMENTAL_STATE_CLEARED = 1;
/** TrackDescriptor */
const TRACK = { uuid: 1, name: 2, process: 3, thread: 4, parentUuid: 5 } as const;
/** ProcessDescriptor */
const PROCESS = { pid: 1, processName: 6 } as const;
/** ThreadDescriptor */
const THREAD = { pid: 1, tid: 2, threadName: 5 } as const;
/** TrackEvent */
const EVENT = { debugAnnotations: 4, type: 9, trackUuid: 11, categories: 22, name: 23, flowIds: 47, terminatingFlowIds: 48 } as const;
/** TrackEvent.Type */
const EVENT_TYPE = { begin: 1, end: 2, instant: 3 } as const;
/** DebugAnnotation */
const ANNOTATION = { boolValue: 2, uintValue: 3, intValue: 4, doubleValue: 5, stringValue: 6, name: 10 } as const;

/** The one packet sequence of the trace. */
const SEQUENCE = 1;
/** The process id the run is shown as; core k is thread PID + 1 + k. */
export const TRACE_PID = 1;

/** Yields the encoded trace in pieces (one per packet): a Trace message is its packets, each a length-delimited field 1. */
export function* perfettoTrace(model: TraceModel): Generator<Buffer> {
  let first = true;
  for (const t of model.tracks) {
    yield packet((p) => {
      if (first) { p.uint(PACKET.sequenceFlags, SEQ_INCREMENTAL_STATE_CLEARED); first = false; }
      p.message(PACKET.trackDescriptor, (d) => trackDescriptor(d, t));
    });
  }
  for (const e of model.events) {
    yield packet((p) => {
      p.uint(PACKET.timestamp, ticksToNs(e.ticks, model.clockHz));
      p.message(PACKET.trackEvent, (w) => trackEvent(w, e));
    });
  }
}

function packet(fill: (p: ProtoWriter) => void): Buffer {
  const p = new ProtoWriter();
  p.uint(PACKET.trustedPacketSequenceId, SEQUENCE);
  fill(p);
  return new ProtoWriter().bytes(TRACE_PACKET, p.finish()).finish();
}

function trackDescriptor(d: ProtoWriter, t: Track): void {
  d.uint(TRACK.uuid, t.uuid);
  if (t.parent !== undefined) d.uint(TRACK.parentUuid, t.parent);
  if (t.kind === 'process') {
    d.message(TRACK.process, (p) => p.uint(PROCESS.pid, TRACE_PID).string(PROCESS.processName, t.name));
  } else if (t.kind === 'thread') {
    d.message(TRACK.thread, (th) => th.uint(THREAD.pid, TRACE_PID).uint(THREAD.tid, TRACE_PID + 1 + (t.core ?? 0)).string(THREAD.threadName, t.name));
  } else {
    d.string(TRACK.name, t.name);
  }
}

function trackEvent(w: ProtoWriter, e: TraceEvent): void {
  w.uint(EVENT.type, EVENT_TYPE[e.type]);
  w.uint(EVENT.trackUuid, e.track);
  if (e.type !== 'end') {
    w.string(EVENT.categories, e.category);
    if (e.name !== undefined) w.string(EVENT.name, e.name);
  }
  for (const [name, value] of Object.entries(e.args ?? {})) w.message(EVENT.debugAnnotations, (a) => annotation(a, name, value));
  for (const f of e.flowsOut ?? []) w.fixed64(EVENT.flowIds, f);
  for (const f of e.flowsIn ?? []) w.fixed64(EVENT.terminatingFlowIds, f);
}

function annotation(a: ProtoWriter, name: string, value: ArgValue): void {
  a.string(ANNOTATION.name, name);
  if (typeof value === 'boolean') a.bool(ANNOTATION.boolValue, value);
  else if (typeof value === 'string') a.string(ANNOTATION.stringValue, value);
  else if (Number.isSafeInteger(value) && value >= 0) a.uint(ANNOTATION.uintValue, value);
  else if (Number.isSafeInteger(value)) a.int(ANNOTATION.intValue, value);
  else a.double(ANNOTATION.doubleValue, value);
}
