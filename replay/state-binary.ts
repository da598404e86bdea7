/**
 * The machine's state in the binary canonical form the chunk hash of
 * recording format 4 takes (docs/recording-format.md, "Chunk hashes"): the
 * same values canonical JSON holds (replay/state-hash.ts), written as tagged
 * bytes instead of text. Turning a TLB's thousands of numbers into decimal
 * text was most of what hashing a chunk cost; their eight bytes each cost
 * next to nothing.
 *
 * A value and what JSON.parse(canonicalJson(value), reviveTyped) gives back
 * have the same form (a checkpoint's state JSON is checked against the chain
 * this way): properties JSON leaves out (undefined, functions) are left out,
 * numbers that are not finite are null, toJSON is applied, object keys are
 * taken in sorted order; a float typed array's NaN, infinities and -0 are
 * written as 0 (JSON writes null, which comes back as 0).
 *
 *   null 0 | false 1 | true 2 | number 3 f64 | string 4 u32 len utf8
 *   array 5 u32 n value*n | object 6 u32 n (key:string value)*n
 *   typed array 7 name:string u32 byteLength bytes | array of finite numbers 8 u32 n f64*n
 */

const enum Tag { Null = 0, False = 1, True = 2, Number = 3, String = 4, Array = 5, Object = 6, Typed = 7, Numbers = 8 }

let buf = Buffer.allocUnsafe(1 << 17);
let view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
let at = 0;
/** Where a list of numbers is turned into float64s before it is copied in (reused). */
let scratch = new Float64Array(4096);

function room(n: number): void {
  if (at + n <= buf.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + n));
  buf.copy(bigger, 0, 0, at);
  buf = bigger;
  view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function u8(x: number): void { room(1); buf[at++] = x; }
function u32(x: number): void { room(4); view.setUint32(at, x, true); at += 4; }
function f64(x: number): void { room(8); view.setFloat64(at, x, true); at += 8; }
function str(s: string): void {
  const len = s.length;
  room(4 + len * 3);
  // Keys and names are short ASCII: copied by hand, which is quicker than an encoder call for a few bytes.
  if (len <= 32) {
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + 4 + i] = c;
    }
    if (i === len) {
      view.setUint32(at, len, true);
      at += 4 + len;
      return;
    }
  }
  const n = buf.write(s, at + 4, 'utf8');
  view.setUint32(at, n, true);
  at += 4 + n;
}

/** An array index as JavaScript orders object keys (canonical JSON's order). */
const isIndexKey = (k: string): boolean => /^(?:0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 4294967295;

/**
 * Orders already worked out, by an object's first own key: the key lists seen
 * with it and their canonical orders. A machine's snapshots have the same few
 * shapes at every chunk, so an object's keys are almost always found here by
 * comparing the lists, without building a string of them.
 */
const orders = new Map<string, Array<{ own: string[]; order: string[] }>>();
let known = 0;

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Keys in canonical JSON's order: array indices in numeric order, then the others sorted. */
export function canonicalKeys(o: object): string[] {
  const own = Object.keys(o);
  if (own.length === 0) return own;
  let seen = orders.get(own[0]);
  if (seen) for (const e of seen) if (sameKeys(e.own, own)) return e.order;
  const order = sortKeys(own);
  if (known < 4096) {
    if (!seen) orders.set(own[0], (seen = []));
    seen.push({ own, order });
    known++;
  }
  return order;
}

function sortKeys(own: string[]): string[] {
  const keys = [...own].sort();
  let indices = 0;
  for (const k of keys) if (isIndexKey(k)) indices++;
  if (indices === 0) return keys;
  const index = keys.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return [...index, ...keys.filter((k) => !isIndexKey(k))];
}

const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function value(v: unknown, key: string): void {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
  switch (typeof v) {
    case 'string': u8(Tag.String); str(v); return;
    case 'number': if (Number.isFinite(v)) { u8(Tag.Number); f64(v === 0 ? 0 : v); } else u8(Tag.Null); return;
    case 'boolean': u8(v ? Tag.True : Tag.False); return;
    case 'bigint': throw new TypeError('Do not know how to serialize a BigInt');
    case 'undefined': case 'function': case 'symbol': u8(Tag.Null); return; // only reached inside arrays, where JSON writes null
  }
  if (v === null) { u8(Tag.Null); return; }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    u8(Tag.Typed);
    str(v.constructor.name);
    u32(v.byteLength);
    room(v.byteLength);
    if (v instanceof Float32Array || v instanceof Float64Array) {
      // As a JSON round trip leaves them: NaN, the infinities (null) and -0 come back as 0.
      const copy = new (v.constructor as Float64ArrayConstructor)(v.length);
      for (let i = 0; i < v.length; i++) copy[i] = Number.isFinite(v[i]) && v[i] !== 0 ? v[i] : 0;
      v = copy;
    }
    const t = v as ArrayBufferView;
    buf.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), at);
    at += t.byteLength;
    return;
  }
  if (Array.isArray(v)) {
    let numbers = true;
    for (let i = 0; i < v.length && numbers; i++) numbers = typeof v[i] === 'number' && Number.isFinite(v[i]);
    if (numbers) {
      u8(Tag.Numbers);
      u32(v.length);
      // -0 written as 0, as JSON writes it. (The bytes are the host's, little-endian on every platform Node runs on that bringup supports.)
      const n = v.length;
      if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
      for (let i = 0; i < n; i++) { const x = v[i] as number; scratch[i] = x === 0 ? 0 : x; }
      room(n * 8);
      buf.set(new Uint8Array(scratch.buffer, 0, n * 8), at);
      at += n * 8;
      return;
    }
    u8(Tag.Array);
    u32(v.length);
    for (let i = 0; i < v.length; i++) value(v[i], String(i));
    return;
  }
  u8(Tag.Object);
  const countAt = at;
  u32(0);
  let n = 0;
  for (const k of canonicalKeys(v as object)) {
    const x = (v as Record<string, unknown>)[k];
    if (omitted(x)) continue;
    str(k);
    value(x, k);
    n++;
  }
  view.setUint32(countAt, n, true);
}

/**
 * The binary canonical form of `state`. The bytes returned are reused by
 * the next call: hash them (or copy them) before calling again.
 */
export function stateBinary(state: unknown): Uint8Array {
  at = 0;
  value(state, '');
  return buf.subarray(0, at);
}

/** The typed arrays the binary form may name, by name. */
const TYPED_ARRAYS: Record<string, { new (buffer: ArrayBuffer): ArrayLike<number | bigint> }> = {
  Uint8Array, Uint8ClampedArray, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array,
  Float32Array, Float64Array, BigUint64Array, BigInt64Array,
};

/**
 * Canonical JSON (canonicalJson in state-hash.ts) of the value whose binary
 * form `bytes` is, read from the bytes alone: a thread that was handed only
 * the binary form writes a checkpoint's state JSON from it. The text is
 * canonicalJson's for every machine state; the one thing the binary form
 * does not keep is a float typed array's NaN, infinities and -0, written
 * here as 0 where canonicalJson writes null (and 0): both read back as 0.
 */
export function canonicalJsonOfBinary(bytes: Uint8Array): string {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const count = (): number => { const n = data.getUint32(p, true); p += 4; return n; };
  const text = (): string => {
    const n = count();
    const s = Buffer.from(bytes.buffer, bytes.byteOffset + p, n).toString('utf8');
    p += n;
    return s;
  };
  // A copy of the next n bytes in a buffer of their own: typed arrays need their element alignment.
  // (Uint8Array's slice, which copies: a Buffer's is a view.)
  const aligned = (n: number): ArrayBuffer => { const b = Uint8Array.prototype.slice.call(bytes, p, p + n).buffer as ArrayBuffer; p += n; return b; };
  const json = (): string => {
    const tag = bytes[p++] as Tag;
    switch (tag) {
      case Tag.Null: return 'null';
      case Tag.False: return 'false';
      case Tag.True: return 'true';
      case Tag.Number: { const x = data.getFloat64(p, true); p += 8; return String(x); }
      case Tag.String: return JSON.stringify(text());
      case Tag.Numbers: return `[${Array.prototype.join.call(new Float64Array(aligned(count() * 8)), ',')}]`;
      case Tag.Array: {
        const n = count();
        const items: string[] = [];
        for (let i = 0; i < n; i++) items.push(json());
        return `[${items.join(',')}]`;
      }
      case Tag.Object: {
        const n = count();
        const items: string[] = [];
        for (let i = 0; i < n; i++) { const k = text(); items.push(`${JSON.stringify(k)}:${json()}`); }
        return `{${items.join(',')}}`;
      }
      case Tag.Typed: {
        const name = text();
        const Typed = TYPED_ARRAYS[name];
        if (!Typed) throw new Error(`the binary state names an unknown typed array ${JSON.stringify(name)}`);
        return `{"$typed":${JSON.stringify(name)},"data":[${Array.prototype.join.call(new Typed(aligned(count())), ',')}]}`;
      }
      default: throw new Error(`the binary state has an unknown tag ${tag} at byte ${p - 1}`);
    }
  };
  const s = json();
  if (p !== bytes.length) throw new Error(`the binary state has ${bytes.length - p} bytes after its value`);
  return s;
}
