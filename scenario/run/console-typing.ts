/**
 * Console input as a scenario types it: at virtual times, or once a pattern
 * has appeared in the device's output (as an expect script does), with the
 * corrupt-input faults applied to the bytes in the order they are delivered,
 * counted per device. Each piece is typed from an event of the input phase
 * (machine/events.ts); its bytes cross the serial line at the UART's line
 * rate (Machine.lineArrivals, machine/serial-line.ts: one character time
 * apart, after whatever is still on the wire), and each byte enters the input
 * log at its own arrival time as the byte that arrived, so a replay needs
 * neither the patterns, the faults nor the line rate.
 */

import type { Machine } from '../../machine/machine';
import type { FaultSpec, Scenario } from '../file/scenario-file';
import type { FiredFault } from './faults';

type Corruption = Extract<FaultSpec, { type: 'corrupt-input' }>;
type Waiting = Scenario['inputsAfterOutput'][number];

/** Output kept per device while waiting: a pattern longer than this cannot match. */
const WINDOW = 64 * 1024;

export class ConsoleTyping {
  /** Bytes typed so far per device (what corrupt-input faults count). */
  private readonly typed = new Map<string, number>();
  /** Per device: the inputs still waiting for their pattern, in the order written, and the output since the last match. */
  private readonly waiting = new Map<string, { entries: Waiting[]; seen: string }>();
  private readonly corruptions: Corruption[];

  constructor(private readonly machine: Machine, s: Pick<Scenario, 'inputs' | 'inputsAfterOutput' | 'faults'>, private readonly fired: FiredFault[]) {
    this.corruptions = s.faults.filter((f): f is Corruption => f.type === 'corrupt-input');
    for (const inp of s.inputs) this.typeAt(inp.icount, inp.device, inp.data, 'console input', inp.burst);
    for (const e of s.inputsAfterOutput) {
      let w = this.waiting.get(e.device);
      if (!w) this.waiting.set(e.device, w = { entries: [], seen: '' });
      w.entries.push(e);
    }
  }

  /** Output of a device as it is printed (\r dropped, as console lines drop it). */
  output(device: string, text: string): void {
    const w = this.waiting.get(device);
    if (!w || !w.entries.length) return;
    w.seen += text.replace(/\r/g, '');
    if (w.seen.length > WINDOW) w.seen = w.seen.slice(-WINDOW);
    for (;;) {
      const e = w.entries[0];
      const m = e?.after.regex.exec(w.seen);
      if (!e || !m) return;
      w.entries.shift();
      w.seen = w.seen.slice(m.index + Math.max(m[0].length, 1));
      this.typeAt(this.machine.now() + e.delay, device, e.data, `typed after ${e.after.source}`, e.burst);
    }
  }

  private typeAt(icount: number, device: string, data: Uint8Array, cause: string, burst = false): void {
    this.machine.events.schedule(icount, `${cause} on ${device}`, () => (burst ? this.burst(device, data, cause) : this.type(device, data, cause)), 'input');
  }

  private type(device: string, data: Uint8Array, cause: string): void {
    const before = this.typed.get(device) ?? 0;
    this.typed.set(device, before + data.length);
    // A byte a fault drops was still sent: it takes its character time on the wire.
    const arrivals = this.machine.lineArrivals(device, this.machine.now(), data.length);
    data.forEach((typed, j) => {
      const faults = this.corruptions.filter((c) => c.device === device && c.byte === before + j + 1);
      this.machine.events.schedule(arrivals[j], `${cause} on ${device}: byte ${before + j + 1}`, () => this.arrive(device, typed, faults, cause), 'input');
    });
  }

  /**
   * `burst: true`: every byte lands in the receive FIFO now, as one input-log
   * entry of the bytes its faults let through (empty if they dropped them
   * all: see arrive).
   */
  private burst(device: string, data: Uint8Array, cause: string): void {
    const before = this.typed.get(device) ?? 0;
    this.typed.set(device, before + data.length);
    const delivered: number[] = [];
    data.forEach((typed, j) => {
      const b = this.corrupt(device, typed, this.corruptions.filter((c) => c.device === device && c.byte === before + j + 1));
      if (b !== undefined) delivered.push(b);
    });
    this.machine.addInput(this.machine.now(), device, Uint8Array.from(delivered), cause);
  }

  /**
   * One byte at the end of the line, logged as it arrived. A byte a fault
   * dropped is logged as an empty entry at its time: nothing reaches the
   * UART, but the replay has an entry, and so an event, wherever this run
   * had one (on several cores an event ends a round of turns, so an event
   * of this run that the replay lacked would interleave the cores
   * differently from there on).
   */
  private arrive(device: string, typed: number, faults: Corruption[], cause: string): void {
    const b = this.corrupt(device, typed, faults);
    this.machine.addInput(this.machine.now(), device, b === undefined ? new Uint8Array(0) : Uint8Array.of(b), cause);
  }

  /** A byte as its faults deliver it (in the order written, each recorded as fired now); undefined when one drops it. */
  private corrupt(device: string, typed: number, faults: Corruption[]): number | undefined {
    let b = typed;
    let dropped = false;
    for (const f of faults) {
      let detail: string;
      if ('drop' in f.action) {
        dropped = true;
        detail = `byte ${f.byte} (${showByte(b)}) on ${device} dropped`;
      } else {
        const was = b;
        b = 'replace' in f.action ? f.action.replace : was ^ f.action.xor;
        detail = `byte ${f.byte} on ${device}: ${showByte(was)} delivered as ${showByte(b)}`;
      }
      this.fired.push({ index: f.index, type: f.type, description: f.description, icount: this.machine.now(), pc: this.machine.cpu.pc >>> 0, detail });
    }
    return dropped ? undefined : b;
  }
}

function showByte(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}${b >= 0x20 && b < 0x7f ? ` '${String.fromCharCode(b)}'` : ''}`;
}
