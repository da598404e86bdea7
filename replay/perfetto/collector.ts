/**
 * Watches a replaying machine through its probes and builds a TraceModel:
 * a thread per core with its exceptions (exception-slices.ts), MMIO
 * accesses per core, console lines per device, the input log's entries
 * with a flow to their first effect, and, with a domain table, the domain
 * each core runs (read at each entry to and return from an exception on
 * that core, and when the driver asks, export.ts).
 *
 * The arrow from an input-log entry to its first effect: first-effects.ts.
 */

import type { Machine } from '../../machine/machine';
import type { InjectionEntry } from '../../machine/injections';
import { describeInjection } from '../../machine/injections';
import { CoreExceptions } from './exception-slices';
import { DeviceMap, gicAcknowledgeRegister } from './device-map';
import { ConsoleLines } from './console-lines';
import { FirstEffects } from './first-effects';
import type { ArgValue, Track, TraceEvent, TraceModel } from './trace-model';
import { sortEvents } from './trace-model';

/** Track uuids: fixed bases per kind of track, so that the same run always gives the same trace. */
const PROCESS_TRACK = 1;
const coreTrack = (k: number) => 0x100 + k;
const mmioTrack = (k: number) => 0x200 + k;
const domainsTrack = (k: number) => 0x300 + k;
const INPUT_TRACK = 0x400;
const CONSOLE_TRACK_BASE = 0x500;

export interface CollectorOptions {
  /** The trace's title (the process name is "bringup TITLE"). */
  title: string;
  clockHz: number;
  /** The most events kept; once reached, `full` is set and nothing more is added. */
  maxEvents: number;
  /** The window's start (ticks): instants before it are not kept (the collector may be attached earlier). */
  from?: number;
}

const hex = (v: number, digits = 8) => `0x${(v >>> 0).toString(16).padStart(digits, '0')}`;

export class TraceCollector {
  readonly tracks: Track[] = [];
  private readonly events: TraceEvent[] = [];
  private seq = 0;
  private readonly offs: Array<() => void> = [];
  private readonly cores: CoreExceptions[] = [];
  private readonly devices: DeviceMap;
  /** The GIC CPU interface's interrupt acknowledge register (GICC_IAR), if the board has a GIC. */
  private readonly iar: number | undefined;
  private readonly consoleTracks = new Map<string, number>();
  private readonly consoleLines = new ConsoleLines();
  private readonly effects = new FirstEffects();
  /** Per core: the domain shown now (its slice is open), by the name read from the table. */
  private readonly domainShown: Array<string | undefined>;
  /** Per core: when the domain shown began (a later slice never starts before it). */
  private readonly domainSince: number[];
  /** Set when the event limit is reached: the time it was reached at. */
  full: number | undefined;

  /** `domainOf(k)`: the name of the domain core k runs now (read from the hypervisor's table), if there is a table. */
  constructor(private readonly m: Machine, private readonly options: CollectorOptions, private readonly domainOf?: (core: number) => string | undefined) {
    this.tracks.push({ uuid: PROCESS_TRACK, name: `bringup ${options.title}`, kind: 'process' });
    // A core's thread belongs to the process by its pid (Perfetto groups thread tracks by pid, not by parent_uuid).
    m.cpus.forEach((_c, k) => this.tracks.push({ uuid: coreTrack(k), name: `core ${k}`, kind: 'thread', core: k }));
    m.cpus.forEach((_c, k) => this.tracks.push({ uuid: mmioTrack(k), name: `MMIO core ${k}`, kind: 'track', parent: PROCESS_TRACK }));
    if (domainOf) m.cpus.forEach((_c, k) => this.tracks.push({ uuid: domainsTrack(k), name: `domains core ${k}`, kind: 'track', parent: PROCESS_TRACK }));
    this.tracks.push({ uuid: INPUT_TRACK, name: 'input log', kind: 'track', parent: PROCESS_TRACK });
    this.domainShown = m.cpus.map(() => undefined);
    this.domainSince = m.cpus.map(() => 0);
    this.devices = new DeviceMap(m.board.devices);
    this.iar = gicAcknowledgeRegister(m.board.devices);
  }

  /** Subscribes to the machine's probes (the machine the replay runs from here on). */
  attach(): void {
    const m = this.m;
    m.cpus.forEach((cpu, k) => {
      const ex = new CoreExceptions(cpu, coreTrack(k), (e) => this.add(e), () => m.now(), (ticks) => this.sampleDomain(k, ticks));
      this.cores.push(ex);
      this.offs.push(cpu.exceptionProbe.subscribe((vector, fromPc, fromMode) => {
        if (this.full !== undefined) return;
        // The domain interrupted (the one its `current` pointer names until the hypervisor switches).
        this.sampleDomain(k, m.now());
        const begin = ex.entered(vector, fromPc, fromMode);
        const flows = this.effects.exception(k, vector);
        if (flows.length) begin.flowsIn = flows;
      }));
    });
    this.offs.push(m.probes.mmioRead.subscribe((pa, size, value) => this.mmio(pa, size, value, false)));
    this.offs.push(m.probes.mmioWrite.subscribe((pa, size, value) => this.mmio(pa, size, value, true)));
    this.offs.push(m.probes.console.subscribe((device, data) => this.console(device, data)));
    this.offs.push(m.probes.injection.subscribe((e) => this.injection(e)));
  }

  /** Stops watching the machine (also the return hooks of exceptions still open). */
  detach(): void {
    for (const off of this.offs.splice(0)) off();
    for (const c of this.cores) c.dispose();
  }

  /** Reads the domain every core runs now (at a chunk end: the cores' clocks stand at the machine's time). */
  sampleDomains(): void {
    this.m.cpus.forEach((_c, k) => this.sampleDomain(k, this.m.now()));
  }

  /** Reads the domain core k runs and shows a change as a new slice at `ticks` (core k's clock). */
  private sampleDomain(k: number, ticks: number): void {
    if (!this.domainOf || this.full !== undefined) return;
    const name = this.domainOf(k);
    if (name === this.domainShown[k]) return;
    const t = Math.max(ticks, this.domainSince[k]);
    if (this.domainShown[k] !== undefined) this.add({ ticks: t, track: domainsTrack(k), type: 'end', category: 'domain' });
    if (name !== undefined) this.add({ ticks: t, track: domainsTrack(k), type: 'begin', name, category: 'domain' });
    this.domainShown[k] = name;
    this.domainSince[k] = t;
  }

  get eventCount(): number { return this.events.length; }

  /** The trace, with every open slice ended at `to` (the end of the window, or where the limit was reached). */
  finish(from: number, to: number): TraceModel {
    const end = this.full ?? to;
    for (const c of this.cores) c.closeAll(end);
    this.detach();
    this.domainShown.forEach((name, k) => {
      if (name !== undefined) this.events.push({ ticks: end, track: domainsTrack(k), type: 'end', category: 'domain', seq: this.seq++ });
    });
    return {
      title: this.options.title, clockHz: this.options.clockHz, tracks: this.tracks, events: fromWindowStart(sortEvents(this.events), from),
      from, to: end, truncatedAt: this.full,
    };
  }

  private add(e: Omit<TraceEvent, 'seq'>): TraceEvent {
    const ev = { ...e, seq: this.seq++ } as TraceEvent;
    // Before the window only slices matter (one in progress at its start is shown from there).
    if (ev.type === 'instant' && ev.ticks < (this.options.from ?? 0)) return ev;
    this.events.push(ev);
    if (this.events.length >= this.options.maxEvents && this.full === undefined) {
      this.full = this.m.now();
      // Nothing more is added; the driver stops the replay here.
      this.m.requestStop();
    }
    return ev;
  }

  private mmio(pa: number, size: number, value: number, write: boolean): void {
    if (this.full !== undefined) return;
    const k = this.m.currentCore();
    if (!write && pa === this.iar) {
      const irq = this.cores[k]?.interruptWithoutId();
      if (irq) irq.args = { ...irq.args, gic_interrupt_id: value & 0x3ff };
    }
    const d = this.devices.at(pa);
    const args: Record<string, ArgValue> = {
      device: d?.name ?? 'unknown', offset: hex(d ? pa - d.lo : pa, 3), value: hex(value, size * 2), size, access: write ? 'write' : 'read', address: hex(pa),
    };
    this.add({ ticks: this.m.now(), track: mmioTrack(k), type: 'instant', name: `${d?.name ?? hex(pa)} ${write ? 'write' : 'read'}`, category: 'mmio', args });
  }

  private console(device: string, data: Uint8Array): void {
    this.consoleLines.write(device, data, (text) => {
      if (this.full !== undefined) return;
      const flows = this.effects.consoleLine();
      this.add({
        ticks: this.m.now(), track: this.consoleTrack(device), type: 'instant', name: text, category: 'console',
        args: { device, text }, ...(flows.length ? { flowsIn: flows } : {}),
      });
    });
  }

  private consoleTrack(device: string): number {
    let t = this.consoleTracks.get(device);
    if (t === undefined) {
      t = CONSOLE_TRACK_BASE + this.consoleTracks.size;
      this.consoleTracks.set(device, t);
      this.tracks.push({ uuid: t, name: `console ${device}`, kind: 'track', parent: PROCESS_TRACK });
    }
    return t;
  }

  private injection(e: InjectionEntry): void {
    if (this.full !== undefined) return;
    const inj = e.injection;
    const core = e.core ?? 0;
    const args: Record<string, ArgValue> = { cause: e.cause, what: describeInjection(inj), core, point: e.point.at };
    const flow = this.effects.injected(e, e.point.at === 'boundary' ? core : this.m.currentCore());
    this.add({ ticks: this.m.now(), track: INPUT_TRACK, type: 'instant', name: inj.kind, category: 'input', args, ...(flow !== undefined ? { flowsOut: [flow] } : {}) });
  }
}

/**
 * The events at or after `from` (sorted events in, sorted out): instants and
 * slices that ended before it are dropped; a slice in progress at `from`
 * starts there, with the argument `began: before the window`; an arrow whose
 * start was dropped is dropped at its end too.
 */
export function fromWindowStart(events: TraceEvent[], from: number): TraceEvent[] {
  const first = events.findIndex((e) => e.ticks >= from);
  if (first <= 0) return first < 0 ? [] : events;
  const open = new Map<number, TraceEvent[]>();
  for (const e of events.slice(0, first)) {
    const stack = open.get(e.track) ?? [];
    open.set(e.track, stack);
    if (e.type === 'begin') stack.push(e);
    else if (e.type === 'end') stack.pop();
  }
  const carried = [...open.values()].flat().map((b): TraceEvent => ({ ...b, ticks: from, args: { ...b.args, began: 'before the window' }, flowsIn: undefined }));
  const kept = [...carried, ...events.slice(first)];
  const started = new Set(kept.flatMap((e) => e.flowsOut ?? []));
  return sortEvents(kept.map((e) => (e.flowsIn && e.flowsIn.some((f) => !started.has(f)) ? { ...e, flowsIn: e.flowsIn.filter((f) => started.has(f)) } : e)));
}
