/**
 * The serial lines into the machine's UARTs, as a terminal drives them: a
 * byte typed into a console goes onto the wire after the bytes typed before
 * it, and bytes arrive one character time apart at the UART's line rate
 * (Device.lineTicks: at 115200 baud, 8N1, one character is 10 bits, about
 * 86.8 us). A person typing a long line therefore never overruns a receive
 * FIFO whose owner keeps up with the line rate, while a guest that stops
 * reading still loses bytes the way the hardware does: the wire keeps pace,
 * whatever the receiver does, as a terminal without flow control does.
 *
 * The first byte of what is typed arrives at the time it is typed (or, if the
 * wire is still busy with earlier bytes, one character time after the last
 * of them); byte k of an unbroken stream arrives k character times after the
 * stream's first, computed from the start of the stream so that rounding a
 * character time to whole ticks never accumulates.
 *
 * This only decides *when* bytes arrive. Each byte enters the input log as
 * its own console-input entry at its arrival time (Machine.typeInput), so a
 * replay delivers every byte at the same instruction without this module and
 * a recording made before line-rate delivery replays as it was recorded.
 */

/** Where one device's wire stands: the stream of back-to-back bytes it is sending. */
interface Stream {
  /** Arrival time of the stream's first byte. */
  start: number;
  /** Bytes of the stream scheduled so far. */
  sent: number;
}

export class SerialLines {
  private readonly streams = new Map<string, Stream>();

  /**
   * Puts `count` bytes typed at `time` onto `device`'s wire and returns the
   * time each arrives. `lineTicks(n)` is the time n characters take on the
   * line (0: the device takes everything at once).
   */
  schedule(device: string, time: number, count: number, lineTicks: (characters: number) => number): number[] {
    let s = this.streams.get(device);
    // The wire is free again once the last byte of its stream has arrived and its character time has passed.
    if (!s || time >= s.start + lineTicks(s.sent)) {
      s = { start: time, sent: 0 };
      this.streams.set(device, s);
    }
    const stream = s;
    const times: number[] = [];
    for (let k = 0; k < count; k++) times.push(stream.start + lineTicks(stream.sent + k));
    stream.sent += count;
    return times;
  }

  /** When the next byte typed into `device` would arrive at the earliest (`time` if the wire is idle then). */
  nextArrival(device: string, time: number, lineTicks: (characters: number) => number): number {
    const s = this.streams.get(device);
    return s ? Math.max(time, s.start + lineTicks(s.sent)) : time;
  }
}

/** Bits on the wire per character with 8N1 framing: a start bit, 8 data bits, a stop bit. */
export const BITS_PER_CHARACTER = 10;

/**
 * Time `characters` characters take at `baud` on a machine whose virtual time
 * runs at `ticksPerSecond`, rounded to the nearest tick.
 */
export function lineTicks(characters: number, baud: number, ticksPerSecond: number): number {
  // Whole seconds apart from the rest, so that the products stay exact integers for any stream length.
  const bits = characters * BITS_PER_CHARACTER;
  const seconds = Math.floor(bits / baud);
  return seconds * ticksPerSecond + Math.round(((bits - seconds * baud) * ticksPerSecond) / baud);
}
