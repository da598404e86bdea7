/**
 * The packet layer of the GDB remote serial protocol: `$data#cs` framing
 * with a two-digit hex checksum (the sum of the data bytes modulo 256),
 * `+`/`-` acknowledgements, binary escaping (`}` then the byte XOR 0x20 for
 * `}`, `#`, `$` and `*`), the Ctrl-C byte (0x03) sent outside any packet,
 * and hex helpers. No I/O here: bytes in, events out; the session writes.
 */

/** The byte gdb sends, outside any packet, to interrupt a running target. */
export const INTERRUPT_BYTE = 0x03;

/** Longest packet accepted (and advertised as PacketSize): longer ones are dropped and answered with `-`. */
export const MAX_PACKET = 0x4000;

export type Incoming =
  /** A packet whose checksum matched; `data` is unescaped. */
  | { kind: 'packet'; data: Buffer }
  /** `+`: the peer received our last packet. */
  | { kind: 'ack' }
  /** `-`: the peer wants our last packet again. */
  | { kind: 'nack' }
  /** 0x03 outside a packet: Ctrl-C. */
  | { kind: 'interrupt' }
  /** A packet that cannot be used (wrong checksum, not hex, too long, cut by a new `$`): answered with `-` in ack mode. */
  | { kind: 'malformed'; reason: string };

/**
 * Splits a byte stream into packets, acks and interrupts. Bytes between
 * packets that mean nothing (line ends a person typed, noise) are skipped.
 */
export class PacketDecoder {
  private state: 'idle' | 'data' | 'cs1' | 'cs2' = 'idle';
  private raw: number[] = [];
  private sum = 0;
  private cs = '';
  private overflow = false;

  push(bytes: Uint8Array): Incoming[] {
    const out: Incoming[] = [];
    for (const b of bytes) {
      switch (this.state) {
        case 'idle':
          if (b === 0x24) this.start();
          else if (b === 0x2b) out.push({ kind: 'ack' });
          else if (b === 0x2d) out.push({ kind: 'nack' });
          else if (b === INTERRUPT_BYTE) out.push({ kind: 'interrupt' });
          break;
        case 'data':
          if (b === 0x23) { this.state = 'cs1'; this.cs = ''; break; }
          if (b === 0x24) {
            out.push({ kind: 'malformed', reason: 'a packet started before the previous one ended' });
            this.start();
            break;
          }
          this.sum = (this.sum + b) & 0xff;
          if (this.raw.length < MAX_PACKET * 2) this.raw.push(b); else this.overflow = true;
          break;
        case 'cs1':
          this.cs = String.fromCharCode(b);
          this.state = 'cs2';
          break;
        case 'cs2': {
          this.cs += String.fromCharCode(b);
          this.state = 'idle';
          out.push(this.finish());
          break;
        }
      }
    }
    return out;
  }

  private start(): void {
    this.state = 'data';
    this.raw = [];
    this.sum = 0;
    this.overflow = false;
  }

  private finish(): Incoming {
    if (!/^[0-9a-fA-F]{2}$/.test(this.cs)) return { kind: 'malformed', reason: `checksum '${this.cs}' is not two hex digits` };
    if (parseInt(this.cs, 16) !== this.sum) return { kind: 'malformed', reason: `checksum ${this.cs} does not match the data (${hex2(this.sum)})` };
    if (this.overflow) return { kind: 'malformed', reason: `packet longer than ${MAX_PACKET * 2} bytes` };
    const data = unescape(this.raw);
    if (data === undefined) return { kind: 'malformed', reason: 'packet ends in the middle of an escape' };
    return { kind: 'packet', data };
  }
}

function unescape(raw: number[]): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x7d) {
      if (i + 1 >= raw.length) return undefined;
      out.push(raw[++i] ^ 0x20);
    } else {
      out.push(raw[i]);
    }
  }
  return Buffer.from(out);
}

/** Escapes `}`, `#`, `$` and `*` (the last so that no run-length encoding can be read into binary data). */
export function escapeBinary(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of data) {
    if (b === 0x7d || b === 0x23 || b === 0x24 || b === 0x2a) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Buffer.from(out);
}

/** The framed packet `$data#cs` for a payload (escaped as binary, so any bytes are safe). */
export function framePacket(payload: string | Uint8Array): Buffer {
  const body = escapeBinary(typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload);
  let sum = 0;
  for (const b of body) sum = (sum + b) & 0xff;
  return Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${hex2(sum)}`)]);
}

export function hex2(v: number): string {
  return (v & 0xff).toString(16).padStart(2, '0');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Bytes of an even-length hex string; undefined when it is not one. */
export function fromHex(text: string): Buffer | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}

/** A hex number (as in `m addr,length`); undefined when it is not one or does not fit 32 bits. */
export function parseHexNumber(text: string): number | undefined {
  if (!/^[0-9a-fA-F]{1,8}$/.test(text)) return undefined;
  return parseInt(text, 16) >>> 0;
}

/** A 32-bit value as 8 hex digits in target (little-endian) byte order. */
export function wordLE(v: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b.toString('hex');
}

/** A 32-bit value from 8 hex digits in little-endian order; undefined when malformed. */
export function parseWordLE(text: string): number | undefined {
  const b = fromHex(text);
  return b && b.length === 4 ? b.readUInt32LE(0) : undefined;
}

/** Text as hex (qRcmd commands, O packets, qThreadExtraInfo). */
export function textToHex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}
