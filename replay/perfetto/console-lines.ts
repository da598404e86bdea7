/**
 * Console output as lines: bytes per device, cut at each newline, carriage
 * returns dropped, each line decoded as UTF-8 (as replay and diff read the
 * console). A line still open when output stops is not given.
 */

export class ConsoleLines {
  private readonly open = new Map<string, string>();

  /** Feeds bytes a device wrote; `line` is told of every line they complete. */
  write(device: string, data: Uint8Array, line: (text: string) => void): void {
    let text = this.open.get(device) ?? '';
    for (const b of data) {
      if (b === 0x0d) continue;
      if (b !== 0x0a) { text += String.fromCharCode(b); continue; }
      line(Buffer.from(text, 'latin1').toString('utf8'));
      text = '';
    }
    this.open.set(device, text);
  }
}
