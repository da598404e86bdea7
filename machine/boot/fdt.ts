/**
 * Flattened device tree (DTB) parsing and writing, enough for a boot loader:
 * read a blob into a tree, change /chosen and /memory, write it back.
 * Format: devicetree specification v0.4, chapter 5 (version 17 blobs).
 */

export interface FdtNode {
  name: string;
  props: Map<string, Uint8Array>;
  children: FdtNode[];
}

export interface Fdt {
  root: FdtNode;
  reserved: Array<{ address: bigint; size: bigint }>;
  bootCpuId: number;
}

const MAGIC = 0xd00dfeed;
const BEGIN_NODE = 1, END_NODE = 2, PROP = 3, NOP = 4, END = 9;
/** Deeper trees are refused (real ones are a handful of levels deep; the writer recurses). */
const MAX_DEPTH = 256;

export class FdtError extends Error {}

/**
 * Reads a DTB. Every offset, length and name is checked against the blob (and
 * every loop is bounded by its size), so a damaged blob is an FdtError saying
 * what is wrong, never a hang or a RangeError.
 */
export function parseFdt(blob: Uint8Array): Fdt {
  if (blob.length < 40) throw new FdtError('device tree blob is truncated (no header)');
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (dv.getUint32(0) !== MAGIC) throw new FdtError('not a device tree blob (bad magic)');
  const total = dv.getUint32(4);
  if (total > blob.length) throw new FdtError(`device tree blob is truncated (${blob.length} of ${total} bytes)`);
  if (total < 40) throw new FdtError(`device tree header gives a total size of ${total} bytes, less than the header itself`);
  const offStruct = dv.getUint32(8), offStrings = dv.getUint32(12), offRsv = dv.getUint32(16);
  const version = dv.getUint32(20);
  if (version < 16) throw new FdtError(`device tree version ${version} is too old (16 or later needed)`);
  const bootCpuId = dv.getUint32(28);
  // Version 17 gives the sizes of the strings and structure blocks; 16 ends them at the blob's end.
  const sizeStrings = version >= 17 ? dv.getUint32(32) : total - Math.min(offStrings, total);
  const sizeStruct = version >= 17 ? dv.getUint32(36) : total - Math.min(offStruct, total);
  const block = (what: string, off: number, size: number) => {
    if (off > total || size > total - off) throw new FdtError(`device tree ${what} block (offset ${off}, ${size} bytes) is past the end of the blob (${total} bytes)`);
  };
  block('structure', offStruct, sizeStruct);
  block('strings', offStrings, sizeStrings);
  if (offRsv % 8 !== 0) throw new FdtError(`device tree memory reservation map at offset ${offRsv} is not 8-byte aligned`);
  const structEnd = offStruct + sizeStruct, stringsEnd = offStrings + sizeStrings;

  const reserved: Fdt['reserved'] = [];
  for (let o = offRsv; ; o += 16) {
    if (o + 16 > total) throw new FdtError(`device tree memory reservation map (from offset ${offRsv}) runs past the end of the blob without its terminating entry`);
    const address = dv.getBigUint64(o), size = dv.getBigUint64(o + 8);
    if (address === 0n && size === 0n) break;
    reserved.push({ address, size });
  }
  const decoder = new TextDecoder();
  /** A NUL-terminated string in [start, end): its end, or an error if it has no NUL. */
  const terminated = (start: number, end: number, what: () => string): number => {
    const z = blob.subarray(start, end).indexOf(0);
    if (z < 0) throw new FdtError(`device tree ${what()} at offset ${start} has no terminating NUL before the end of its block`);
    return start + z;
  };
  const str = (off: number) => {
    if (off >= sizeStrings) throw new FdtError(`device tree property name offset ${off} is outside the strings block (${sizeStrings} bytes)`);
    const e = terminated(offStrings + off, stringsEnd, () => 'property name');
    return decoder.decode(blob.subarray(offStrings + off, e));
  };
  let p = offStruct;
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  const token = () => {
    if (p % 4 !== 0 || p + 4 > structEnd) throw new FdtError('device tree structure block ends without an FDT_END token');
    const t = dv.getUint32(p); p += 4;
    return t;
  };
  // Each token consumes at least 4 bytes of the structure block, so this ends.
  for (;;) {
    const tok = token();
    if (tok === BEGIN_NODE) {
      if (root && !stack.length) throw new FdtError(`device tree has a second root node at offset ${p - 4}`);
      const e = terminated(p, structEnd, () => 'node name');
      const node: FdtNode = { name: decoder.decode(blob.subarray(p, e)), props: new Map(), children: [] };
      p = (e + 4) & ~3;
      if (stack.length >= MAX_DEPTH) throw new FdtError(`device tree nodes are nested more than ${MAX_DEPTH} deep (offset ${p - 4})`);
      if (stack.length) stack[stack.length - 1].children.push(node); else root = node;
      stack.push(node);
    } else if (tok === END_NODE) {
      if (!stack.length) throw new FdtError(`device tree structure ends a node that was never begun (offset ${p - 4})`);
      stack.pop();
    } else if (tok === PROP) {
      if (p + 8 > structEnd) throw new FdtError(`device tree property at offset ${p - 4} is truncated`);
      const len = dv.getUint32(p), nameOff = dv.getUint32(p + 4);
      p += 8;
      if (!stack.length) throw new FdtError(`device tree property at offset ${p - 12} comes before any node`);
      if (len > structEnd - p) throw new FdtError(`device tree property '${str(nameOff)}' (${len} bytes at offset ${p}) runs past the end of the structure block`);
      stack[stack.length - 1].props.set(str(nameOff), blob.slice(p, p + len));
      p = (p + len + 3) & ~3;
    } else if (tok === NOP) {
      continue;
    } else if (tok === END) {
      break;
    } else {
      throw new FdtError(`device tree structure has an unknown token ${tok} at offset ${p - 4}`);
    }
  }
  if (!root) throw new FdtError('device tree has no root node');
  if (stack.length) throw new FdtError(`device tree node '${stack[stack.length - 1].name || '/'}' is never ended (FDT_END_NODE missing)`);
  return { root, reserved, bootCpuId };
}

/** out.push(...bytes) without spreading (a large property would exceed the argument limit). */
function append(out: number[], bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]);
}

export function serializeFdt(fdt: Fdt): Uint8Array {
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const strOff = (s: string) => {
    let o = stringOffsets.get(s);
    if (o === undefined) {
      o = strings.length;
      append(strings, new TextEncoder().encode(s)); strings.push(0);
      stringOffsets.set(s, o);
    }
    return o;
  };
  const struct: number[] = [];
  const u32 = (v: number) => struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const pad = () => { while (struct.length % 4) struct.push(0); };
  const emit = (n: FdtNode) => {
    u32(BEGIN_NODE);
    append(struct, new TextEncoder().encode(n.name)); struct.push(0);
    pad();
    for (const [name, value] of n.props) {
      u32(PROP); u32(value.length); u32(strOff(name));
      append(struct, value);
      pad();
    }
    for (const c of n.children) emit(c);
    u32(END_NODE);
  };
  emit(fdt.root);
  u32(END);
  const rsvSize = (fdt.reserved.length + 1) * 16;
  const offRsv = 40;
  const offStruct = offRsv + rsvSize;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array((total + 7) & ~7);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC); dv.setUint32(4, out.length); dv.setUint32(8, offStruct); dv.setUint32(12, offStrings);
  dv.setUint32(16, offRsv); dv.setUint32(20, 17); dv.setUint32(24, 16); dv.setUint32(28, fdt.bootCpuId);
  dv.setUint32(32, strings.length); dv.setUint32(36, struct.length);
  fdt.reserved.forEach((r, i) => { dv.setBigUint64(offRsv + 16 * i, r.address); dv.setBigUint64(offRsv + 16 * i + 8, r.size); });
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}

export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  let n: FdtNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    n = n.children.find((c) => c.name === part || c.name.split('@')[0] === part);
    if (!n) return undefined;
  }
  return n;
}

export function ensureNode(root: FdtNode, name: string): FdtNode {
  let n = root.children.find((c) => c.name === name);
  if (!n) { n = { name, props: new Map(), children: [] }; root.children.push(n); }
  return n;
}

export function cells(values: number[], cellsPer = 1): Uint8Array {
  const out = new Uint8Array(values.length * cellsPer * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const o = i * cellsPer * 4;
    if (cellsPer === 2) { dv.setUint32(o, Math.floor(v / 0x100000000)); dv.setUint32(o + 4, v >>> 0); }
    else dv.setUint32(o, v >>> 0);
  });
  return out;
}

export function stringProp(s: string): Uint8Array {
  return new TextEncoder().encode(s + '\0');
}

export function readCell(value: Uint8Array | undefined, fallback: number): number {
  if (!value || value.length < 4) return fallback;
  return new DataView(value.buffer, value.byteOffset).getUint32(0);
}
