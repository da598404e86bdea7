/**
 * Console output as the checks see it: bytes decoded as UTF-8 (a character
 * split across transmit writes still arrives whole), split into lines (\r
 * dropped), each stamped with the instruction count of its newline and
 * matched as it is printed against the device's ordered patterns and
 * never-patterns. Only a bounded tail of the lines is kept: a guest that
 * prints for hours costs the run no more memory than one that prints a page.
 * The matchers keep what the expectations need (where each pattern matched),
 * and the number of lines no longer kept is known, so a report can say so.
 */

import type { Pattern } from '../file/scenario-file';

export interface ConsoleLine {
  text: string;
  /** Instruction count at which the line's newline was written. */
  icount: number;
  /** 0-based number of the line in everything the device printed (kept or not). */
  index: number;
}

/** Lines kept per console device: the last this many... */
export const CONSOLE_TAIL_LINES = 20_000;
/** ...and no more characters than this in all. */
export const CONSOLE_TAIL_CHARS = 4 << 20;
/** A line that grows longer than this without a newline is cut here (the rest goes on as the next line). */
export const CONSOLE_MAX_LINE = 64 << 10;

/**
 * A streaming UTF-8 decoder: bytes in as they are written, characters out as
 * soon as they are complete (TextDecoder in streaming mode; malformed
 * sequences become U+FFFD).
 */
export class Utf8Stream {
  private readonly decoder = new TextDecoder('utf-8');
  /** Bytes of an unfinished character are held by the decoder. */
  private pending = false;

  decode(data: Uint8Array): string {
    // Consoles mostly write one ASCII byte at a time.
    if (!this.pending && data.length === 1 && data[0] < 0x80) return String.fromCharCode(data[0]);
    const s = this.decoder.decode(data, { stream: true });
    this.pending = data.length > 0 && data[data.length - 1] >= 0x80;
    return s;
  }

  /** The end of the stream: an unfinished sequence is one replacement character. */
  end(): string {
    this.pending = false;
    return this.decoder.decode();
  }
}

export interface Match { icount: number; line: number }

/**
 * One console device's output: lines (a bounded tail of them), matched as
 * they are printed against the device's ordered patterns (in order, several
 * per line) and never-patterns.
 */
export class ConsoleTracker {
  readonly matches: Array<Match | undefined>;
  readonly neverHits: Array<Match | undefined>;
  /** Index of the next ordered pattern to look for. */
  next = 0;
  /** Told of a match found after its deadline, or of a never-pattern printed: failures nothing can undo. */
  onFailure: (what: string) => void = () => {};
  private readonly decoder = new Utf8Stream();
  /** The line being written, in pieces (joined once, at its end: no string built a character at a time). */
  private pieces: string[] = [];
  private partialLength = 0;
  private kept: ConsoleLine[] = [];
  /** kept[0 .. head) are dropped (compacted now and then). */
  private head = 0;
  private keptChars = 0;
  private total = 0;

  constructor(readonly ordered: Array<Pattern & { by?: number }>, readonly never: Pattern[], private readonly tailLines = CONSOLE_TAIL_LINES) {
    this.matches = ordered.map(() => undefined);
    this.neverHits = never.map(() => undefined);
  }

  get done(): boolean { return this.next === this.ordered.length; }

  /** The lines kept: the last ones printed (lines[0].index says how many came before). */
  get lines(): ConsoleLine[] {
    if (this.head) { this.kept = this.kept.slice(this.head); this.head = 0; }
    return this.kept;
  }

  /** Lines printed in all (kept or not). */
  get count(): number { return this.total; }

  /** Lines printed but no longer kept (the first ones). */
  get dropped(): number { return this.total - (this.kept.length - this.head); }

  /** Bytes as the device wrote them; returns them decoded. */
  writeBytes(data: Uint8Array, icount: number): string {
    const text = this.decoder.decode(data);
    this.write(text, icount);
    return text;
  }

  write(text: string, icount: number): void {
    const n = text.length;
    for (let k = 0; k < n;) {
      const c = text.charCodeAt(k);
      if (c === 13) { k++; continue; }
      if (c === 10) { this.endLine(icount); k++; continue; }
      let j = k + 1;
      while (j < n && j - k < CONSOLE_MAX_LINE - this.partialLength) {
        const d = text.charCodeAt(j);
        if (d === 10 || d === 13) break;
        j++;
      }
      this.pieces.push(j - k === n ? text : text.slice(k, j));
      this.partialLength += j - k;
      k = j;
      if (this.partialLength >= CONSOLE_MAX_LINE) this.endLine(icount);
    }
  }

  /** The end of the output: an unfinished character and an unterminated line count as printed. */
  flush(icount: number): void {
    const rest = this.decoder.end();
    if (rest) this.write(rest, icount);
    if (this.partialLength) this.endLine(icount);
  }

  private endLine(icount: number): void {
    const text = this.pieces.length === 1 ? this.pieces[0] : this.pieces.join('');
    this.pieces = [];
    this.partialLength = 0;
    const index = this.total++;
    this.keep({ text, icount, index });
    let from = 0;
    while (this.next < this.ordered.length) {
      const p = this.ordered[this.next];
      const m = p.regex.exec(from ? text.slice(from) : text);
      if (!m) break;
      this.matches[this.next] = { icount, line: index };
      if (p.by !== undefined && icount > p.by) this.onFailure(`${p.source} was printed after its deadline`);
      from += m.index + Math.max(m[0].length, 1);
      this.next++;
    }
    for (let i = 0; i < this.never.length; i++) {
      if (this.neverHits[i] || !this.never[i].regex.test(text)) continue;
      this.neverHits[i] = { icount, line: index };
      this.onFailure(`${this.never[i].source}, which must never be printed, was printed`);
    }
  }

  private keep(line: ConsoleLine): void {
    this.kept.push(line);
    this.keptChars += line.text.length;
    while (this.kept.length - this.head > 1 && (this.kept.length - this.head > this.tailLines || this.keptChars > CONSOLE_TAIL_CHARS)) {
      this.keptChars -= this.kept[this.head].text.length;
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.kept.length) { this.kept = this.kept.slice(this.head); this.head = 0; }
  }

  /** The earliest deadline of a pattern not printed yet (later patterns cannot match before the next one), or Infinity. */
  pendingDeadline(): number {
    let d = Infinity;
    for (let i = this.next; i < this.ordered.length; i++) {
      const by = this.ordered[i].by;
      if (by !== undefined && by < d) d = by;
    }
    return d;
  }

  /** The kept lines from absolute line `from` (inclusive) to `to` (exclusive). */
  slice(from: number, to: number): ConsoleLine[] {
    const lines = this.lines;
    const first = lines.length ? lines[0].index : this.total;
    return lines.slice(Math.max(0, from - first), Math.max(0, to - first));
  }
}

/** "line N" of a console, or, for a line no longer kept, that it is not kept. */
export function droppedNote(lines: ConsoleLine[], device = 'the console'): string | undefined {
  const dropped = lines.length ? lines[0].index : 0;
  return dropped ? `${device}: the first ${dropped} line(s) are not kept (only the last ${lines.length} are)` : undefined;
}
