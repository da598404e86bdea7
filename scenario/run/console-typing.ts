/**
 * Console input as a scenario types it: at virtual times, or once a pattern
 * has appeared in the device's output (as an expect script does), with the
 * corrupt-input faults applied to the bytes in the order they are delivered,
 * counted per device. Each piece is typed from an event of the input phase
 * (machine/events.ts) and enters the input log as the bytes that arrived, so
 * a replay needs neither the patterns nor the faults.
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
    for (const inp of s.inputs) this.typeAt(inp.icount, inp.device, inp.data, 'console input');
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
      this.typeAt(this.machine.now() + e.delay, device, e.data, `typed after ${e.after.source}`);
    }
  }

  private typeAt(icount: number, device: string, data: Uint8Array, cause: string): void {
    this.machine.events.schedule(icount, `${cause} on ${device}`, () => this.type(device, data, cause), 'input');
  }

  private type(device: string, data: Uint8Array, cause: string): void {
    const cpu = this.machine.cpu;
    const before = this.typed.get(device) ?? 0;
    this.typed.set(device, before + data.length);
    const bytes = data.slice();
    const drop = new Set<number>();
    for (const f of this.corruptions) {
      if (f.device !== device || f.byte <= before || f.byte > before + data.length) continue;
      const j = f.byte - before - 1;
      const was = bytes[j];
      let detail: string;
      if ('drop' in f.action) {
        drop.add(j);
        detail = `byte ${f.byte} (${showByte(was)}) on ${device} dropped`;
      } else {
        bytes[j] = 'replace' in f.action ? f.action.replace : was ^ f.action.xor;
        detail = `byte ${f.byte} on ${device}: ${showByte(was)} delivered as ${showByte(bytes[j])}`;
      }
      this.fired.push({ index: f.index, type: f.type, description: f.description, icount: this.machine.now(), pc: cpu.pc >>> 0, detail });
    }
    const delivered = drop.size ? bytes.filter((_b, j) => !drop.has(j)) : bytes;
    if (delivered.length) this.machine.addInput(this.machine.now(), device, delivered, cause);
  }
}

function showByte(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}${b >= 0x20 && b < 0x7f ? ` '${String.fromCharCode(b)}'` : ''}`;
}
