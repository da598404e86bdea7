/**
 * Watches a replaying machine through its probes and builds a TraceModel:
 * a thread per core with its exceptions (exception-slices.ts), MMIO
 * accesses per core, console lines per device, the input log's entries
 * with a flow to their first effect, and, with a domain table, the domain
 * each core runs (read at each entry to and return from an exception on
 * that core, and when the driver asks, export.ts).
 *
 * First effect of an input-log entry (a flow arrow from the entry):
 * - an injected data or prefetch abort: the abort exception it raises on
 *   the core it acts on (taken at once, so this is exact);
 * - an interrupt line raised (IRQ storms): the next irq or fiq exception
 *   taken by any core (a line lowered has no arrow);
 * - anything else (a lost upcall, a lost SGI, a bit flip, a stall, console
 *   input): the next console line, of any device. The entry's effect may
 *   come later than that line, or never show on the console.
 */

import type { Machine } from '../../machine/machine';
import type { InjectionEntry } from '../../machine/injections';
import { describeInjection } from '../../machine/injections';
import { CoreExceptions } from './exception-slices';
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
}

interface DeviceRange { lo: number; hi: number; name: string }

const hex = (v: number, digits = 8) => `0x${(v >>> 0).toString(16).padStart(digits, '0')}`;

export class TraceCollector {
  readonly tracks: Track[] = [];
  private readonly events: TraceEvent[] = [];
  private seq = 0;
  private readonly offs: Array<() => void> = [];
  private readonly cores: CoreExceptions[] = [];
  private readonly devices: DeviceRange[];
  /** The GIC CPU interface's interrupt acknowledge register (GICC_IAR), if the board has a GIC. */
  private readonly iar: number | undefined;
  private readonly consoleTracks = new Map<string, number>();
  private readonly consoleLines = new Map<string, { text: string }>();
  /** Flows waiting for their first effect. */
  private pendingAbort: Array<{ core: number; flow: number }> = [];
  private pendingInterrupt: number[] = [];
  private pendingConsole: number[] = [];
  private nextFlow = 1;
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
    this.devices = m.board.devices.flatMap((d) => Object.entries(d.regions).map(([region, r]) => {
      const name = Object.keys(d.regions).length > 1 ? `${d.name}.${region}` : d.name;
      return { lo: r.base >>> 0, hi: (r.base + (r.size ?? 0x1000) - 1) >>> 0, name };
    })).sort((a, b) => a.lo - b.lo);
    const gic = m.board.devices.find((d) => /gic/i.test(d.type) && d.regions.cpu);
    this.iar = gic ? (gic.regions.cpu.base + 0x0c) >>> 0 : undefined;
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
        this.firstEffectOfException(k, vector, begin);
      }));
    });
    this.offs.push(m.probes.mmioRead.subscribe((pa, size, value) => this.mmio(pa, size, value, false)));
    this.offs.push(m.probes.mmioWrite.subscribe((pa, size, value) => this.mmio(pa, size, value, true)));
    this.offs.push(m.probes.console.subscribe((device, data) => this.console(device, data)));
    this.offs.push(m.probes.injection.subscribe((e) => this.injection(e)));
  }

  /** Stops watching the machine. */
  detach(): void {
    for (const off of this.offs.splice(0)) off();
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
    this.detach();
    const end = this.full ?? to;
    for (const c of this.cores) c.closeAll(end);
    this.domainShown.forEach((name, k) => {
      if (name !== undefined) this.events.push({ ticks: end, track: domainsTrack(k), type: 'end', category: 'domain', seq: this.seq++ });
    });
    return {
      title: this.options.title, clockHz: this.options.clockHz, tracks: this.tracks, events: sortEvents(this.events),
      from, to: end, truncatedAt: this.full,
    };
  }

  private add(e: Omit<TraceEvent, 'seq'>): TraceEvent {
    const ev = { ...e, seq: this.seq++ } as TraceEvent;
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
      if (irq) irq.args = { ...irq.args, 'gic interrupt id': value & 0x3ff };
    }
    const d = this.deviceAt(pa);
    const args: Record<string, ArgValue> = {
      device: d?.name ?? 'unknown', offset: hex(d ? pa - d.lo : pa, 3), value: hex(value, size * 2), size, access: write ? 'write' : 'read', address: hex(pa),
    };
    this.add({ ticks: this.m.now(), track: mmioTrack(k), type: 'instant', name: `${d?.name ?? hex(pa)} ${write ? 'write' : 'read'}`, category: 'mmio', args });
  }

  private deviceAt(pa: number): DeviceRange | undefined {
    const a = pa >>> 0;
    for (const d of this.devices) if (a >= d.lo && a <= d.hi) return d;
    return undefined;
  }

  private console(device: string, data: Uint8Array): void {
    let line = this.consoleLines.get(device);
    if (!line) { line = { text: '' }; this.consoleLines.set(device, line); }
    for (const b of data) {
      if (b !== 0x0a) { if (b !== 0x0d) line.text += String.fromCharCode(b); continue; }
      const text = Buffer.from(line.text, 'latin1').toString('utf8');
      line.text = '';
      if (this.full !== undefined) continue;
      const flows = this.pendingConsole.splice(0);
      this.add({
        ticks: this.m.now(), track: this.consoleTrack(device), type: 'instant', name: text, category: 'console',
        args: { device, text }, ...(flows.length ? { flowsIn: flows } : {}),
      });
    }
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
    // A line lowered causes nothing to point at.
    const flow = inj.kind === 'irq-line' && !inj.high ? undefined : this.nextFlow++;
    this.add({ ticks: this.m.now(), track: INPUT_TRACK, type: 'instant', name: inj.kind, category: 'input', args, ...(flow !== undefined ? { flowsOut: [flow] } : {}) });
    if (flow === undefined) return;
    if (inj.kind === 'data-abort' || inj.kind === 'prefetch-abort') this.pendingAbort.push({ core: e.point.at === 'boundary' ? core : this.m.currentCore(), flow });
    else if (inj.kind === 'irq-line') this.pendingInterrupt.push(flow);
    else this.pendingConsole.push(flow);
  }

  /** An exception entered on core k: the first effect of the injected aborts and raised interrupt lines waiting for one. */
  private firstEffectOfException(k: number, vector: number, begin: TraceEvent): void {
    const flows: number[] = [];
    if (vector === 0x10 || vector === 0x0c) {
      this.pendingAbort = this.pendingAbort.filter((p) => { if (p.core !== k) return true; flows.push(p.flow); return false; });
    }
    if (vector === 0x18 || vector === 0x1c) flows.push(...this.pendingInterrupt.splice(0));
    if (flows.length) begin.flowsIn = [...(begin.flowsIn ?? []), ...flows];
  }
}
