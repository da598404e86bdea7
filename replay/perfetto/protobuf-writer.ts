/**
 * The little of the protocol buffers wire format a Perfetto trace needs:
 * varints, fixed64, length-delimited fields (strings, bytes, nested
 * messages) and doubles. A message is built with a ProtoWriter and taken as
 * bytes; a nested message is another writer's bytes written as a
 * length-delimited field.
 *
 * Wire types (developers.google.com/protocol-buffers/docs/encoding):
 * 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit.
 */

const VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2;

export class ProtoWriter {
  private buf = Buffer.alloc(256);
  private used = 0;

  /** An unsigned integer (uint32, uint64, enum, bool) as a varint; numbers up to 2^53 exactly. */
  uint(field: number, value: number): this {
    this.tag(field, VARINT);
    this.varint(value);
    return this;
  }

  /** A signed int64 (negative numbers take ten bytes, two's complement, as the format says). */
  int(field: number, value: number): this {
    if (value >= 0) return this.uint(field, value);
    this.tag(field, VARINT);
    this.varintBig(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  /** A fixed64 (the flow ids of a TrackEvent). */
  fixed64(field: number, value: number): this {
    this.tag(field, FIXED64);
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt(value), this.used);
    this.used += 8;
    return this;
  }

  double(field: number, value: number): this {
    this.tag(field, FIXED64);
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.used);
    this.used += 8;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.used);
    this.used += value.length;
    return this;
  }

  /** A nested message: `build` fills a fresh writer whose bytes become the field. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  /** The message's bytes. */
  finish(): Buffer {
    return this.buf.subarray(0, this.used);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`a varint must be a whole number from 0 to 2^53 - 1, not ${value}`);
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.used++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.used++] = v;
  }

  private varintBig(value: bigint): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80n) {
      this.buf[this.used++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.used++] = Number(v);
  }

  private ensure(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}
