/**
 * Console input that waits for console output, as an expect script does:
 * each entry is typed once its pattern has appeared in its device's output,
 * looked for only in what was printed after the previous entry of that device
 * matched. The bytes go through machine.addInput, so the input log holds them
 * at the instruction where they arrived and a replay needs no pattern at all.
 */

import type { Machine } from '../machine/machine';
import type { Scenario } from './scenario-file';

type Entry = Scenario['inputsAfterOutput'][number];

/** Output kept per device while waiting: a pattern longer than this cannot match. */
const WINDOW = 64 * 1024;

export class InputAfterOutput {
  private readonly waiting = new Map<string, { entries: Entry[]; seen: string }>();

  constructor(private readonly machine: Machine, entries: Entry[]) {
    for (const e of entries) {
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
      this.machine.addInput(this.machine.cpu.icount + e.delay, device, e.data, `typed after ${e.after.source}`);
    }
  }
}
