/**
 * A trace of a replayed run, independent of the file format it is written
 * in: tracks (the process, a thread per core, and named tracks under the
 * process) and events on them (slice begins and ends, instants), each at a
 * virtual time in ticks. The Perfetto protobuf writer and the Chrome JSON
 * writer both take this.
 */

/** A value shown with an event (a debug annotation). */
export type ArgValue = string | number | boolean;

export interface Track {
  /** Unique in the trace (Perfetto's TrackDescriptor.uuid). */
  uuid: number;
  name: string;
  /** The process of the run, a core's thread, or a named track under the process. */
  kind: 'process' | 'thread' | 'track';
  parent?: number;
  /** kind 'thread': the core. */
  core?: number;
}

export interface TraceEvent {
  /** Virtual time in ticks (the machine's clock). */
  ticks: number;
  track: number;
  type: 'begin' | 'end' | 'instant';
  /** Begins and instants. */
  name?: string;
  category: string;
  args?: Record<string, ArgValue>;
  /** Flows that start at this event (an injected fault). */
  flowsOut?: number[];
  /** Flows that end at this event (a fault's first effect). */
  flowsIn?: number[];
  /** Order of creation: ties in time keep it (a begin before its end, an instant before what follows it). */
  seq: number;
}

export interface TraceModel {
  /** The trace's title: the scenario's name. */
  title: string;
  /** Ticks per second of virtual time (the board's CPU clock). */
  clockHz: number;
  tracks: Track[];
  /** In time order (per time, in order of creation). */
  events: TraceEvent[];
  /** The virtual time the trace covers: from, to (ticks). */
  from: number;
  to: number;
  /** Set when the event limit cut the trace short: where it stopped (ticks). */
  truncatedAt?: number;
}

/** Nanoseconds of virtual time for a tick count, as bringup converts everywhere (1 GHz: one tick is 1 ns). */
export function ticksToNs(ticks: number, clockHz: number): number {
  return clockHz === 1e9 ? ticks : Math.round((ticks * 1e9) / clockHz);
}

/** Sorts events by time, then by creation (stable; the writers need begins and ends in order on each track). */
export function sortEvents(events: TraceEvent[]): TraceEvent[] {
  return events.sort((a, b) => a.ticks - b.ticks || a.seq - b.seq);
}
