/** The progress line of long runs and replays (on a terminal, on stderr). */

import { formatTime } from '../scenario/virtual-time';

/** A one-line progress bar on a terminal, redrawn at most ten times a second. */
export class ProgressLine {
  private last = 0;
  private shown = false;
  constructor(private readonly out: NodeJS.WriteStream, private readonly clockHz: number, private readonly now: () => number = () => performance.now()) {}

  update(icount: number, limit: number, force = false): void {
    const t = this.now();
    if (!force && t - this.last < 100) return;
    this.last = t;
    this.out.write(`\r${progressText(icount, limit, this.clockHz, this.out.columns || 80)}\x1b[K`);
    this.shown = true;
  }

  /** Erases the line (before console output, and at the end). */
  clear(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}

/** "[#####.....]  42% 4.2 ms / 10 ms virtual, 4200000 / 10000000 insns" fitted to a width. */
export function progressText(icount: number, limit: number, clockHz: number, columns: number): string {
  const frac = limit > 0 ? Math.min(1, icount / limit) : 0;
  const t = (n: number) => formatTime(n, clockHz).replace(/ \(.*\)$/, '');
  const tail = ` ${String(Math.floor(frac * 100)).padStart(3)}% ${t(icount)} / ${t(limit)} virtual, ${icount} / ${limit} insns`;
  const width = Math.max(10, Math.min(40, columns - tail.length - 3));
  const filled = Math.round(frac * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`.slice(0, Math.max(1, columns - 1));
}
