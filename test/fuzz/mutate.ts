/**
 * Mutations of bringup's input files: generic byte-level ones (byte and bit
 * flips, truncation, insertion and duplication of ranges, splices between
 * seeds) and structure-aware ones for YAML (values of another type, huge and
 * negative numbers, empty strings, paths out of the folder, /dev/zero, deep
 * nesting, aliases, unknown and duplicate keys), ELF headers and recording
 * frames. Every choice comes from the Rng handed in, so a mutation follows
 * from the case's seed alone.
 */

import { parseDocument, isMap, isSeq, isScalar, isPair, type Document, type Node } from 'yaml';
import { Rng } from '../support/prng';
import { FRAME_BYTES, MAGIC, crc32, decodeFrame, encodeRecord, frameCrc, inflatePayload } from '../../replay/format';

export interface Mutant { bytes: Buffer; mutation: string }

/** 32-bit values that find edge cases in sizes, offsets and counts. */
const INTERESTING32 = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.below(256);
  return b;
}

// ---------------------------------------------------------------------------
// Byte level

export function byteMutation(rng: Rng, input: Buffer, other: Buffer): Mutant {
  const b = Buffer.from(input);
  const n = b.length;
  const at = () => rng.below(Math.max(1, n));
  switch (rng.below(9)) {
    case 0: {
      const k = rng.range(1, 8);
      const where: number[] = [];
      for (let i = 0; i < k && n; i++) { const p = at(); b[p] = rng.below(256); where.push(p); }
      return { bytes: b, mutation: `byte flip at ${where.join(',')}` };
    }
    case 1: {
      const k = rng.range(1, 8);
      const where: string[] = [];
      for (let i = 0; i < k && n; i++) { const p = at(); const bit = rng.below(8); b[p] ^= 1 << bit; where.push(`${p}.${bit}`); }
      return { bytes: b, mutation: `bit flip at ${where.join(',')}` };
    }
    case 2: {
      const len = rng.chance(0.3) ? rng.below(Math.min(n + 1, 64)) : rng.below(n + 1);
      return { bytes: b.subarray(0, len), mutation: `truncate to ${len} of ${n} bytes` };
    }
    case 3: {
      const p = rng.below(n + 1);
      const ins = randomBytes(rng, rng.pick([1, 2, 4, 16, 256, 4096]));
      return { bytes: Buffer.concat([b.subarray(0, p), ins, b.subarray(p)]), mutation: `insert ${ins.length} random bytes at ${p}` };
    }
    case 4: {
      const s = at(); const len = rng.range(1, Math.max(1, Math.min(n - s, 512)));
      const p = rng.below(n + 1); const times = rng.pick([1, 2, 16, 200]);
      const piece = b.subarray(s, s + len);
      return { bytes: Buffer.concat([b.subarray(0, p), ...Array(times).fill(piece), b.subarray(p)]), mutation: `duplicate ${len} bytes from ${s} ${times}x at ${p}` };
    }
    case 5: {
      const s = at(); const len = rng.range(1, Math.max(1, Math.min(n - s, 256)));
      return { bytes: Buffer.concat([b.subarray(0, s), b.subarray(s + len)]), mutation: `delete ${len} bytes at ${s}` };
    }
    case 6: {
      // An interesting 32-bit value over any aligned word.
      if (n < 4) return { bytes: b.subarray(0, 0), mutation: 'truncate to 0 bytes' };
      const p = rng.below(n >> 2) << 2; const v = rng.pick(INTERESTING32);
      b.writeUInt32LE(v, p);
      return { bytes: b, mutation: `word at ${p} = 0x${v.toString(16)}` };
    }
    case 7: {
      const p = rng.below(n + 1); const q = rng.below(other.length + 1);
      return { bytes: Buffer.concat([b.subarray(0, p), other.subarray(q)]), mutation: `splice: first ${p} bytes + other seed from ${q}` };
    }
    default: {
      const p = at(); const len = rng.range(1, 64);
      if (n) b.fill(rng.pick([0, 0xff, 0x0a, 0x20, 0x22, 0x5b]), p, Math.min(n, p + len));
      return { bytes: b, mutation: `fill ${len} bytes at ${p} with one value` };
    }
  }
}

// ---------------------------------------------------------------------------
// YAML structure

interface Slot { node: Node; parent: Node | null; key?: unknown; path: string }

function collectSlots(doc: Document): Slot[] {
  const out: Slot[] = [];
  const walk = (node: unknown, parent: Node | null, key: unknown, p: string) => {
    if (!node || typeof node !== 'object') return;
    out.push({ node: node as Node, parent, key, path: p || '/' });
    if (isMap(node)) for (const it of node.items) { if (isPair(it)) walk(it.value, node, isScalar(it.key) ? it.key.value : it.key, `${p}/${isScalar(it.key) ? String(it.key.value) : '?'}`); }
    else if (isSeq(node)) node.items.forEach((it, i) => walk(it, node, i, `${p}/${i}`));
  };
  walk(doc.contents, null, undefined, '');
  return out;
}

const REPLACEMENTS: Array<[string, () => unknown]> = [
  ['a string', () => 'fuzz'],
  ['an empty string', () => ''],
  ['an integer', () => 7],
  ['zero', () => 0],
  ['a negative number', () => -1],
  ['a big negative number', () => -2147483649],
  ['a huge number', () => 1e308],
  ['2^32', () => 4294967296],
  ['2^53+2', () => 9007199254740994],
  ['0xffffffff', () => 0xffffffff],
  ['a fraction', () => 0.5],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['true', () => true],
  ['null', () => null],
  ['an empty map', () => ({})],
  ['an empty list', () => []],
  ['a list', () => ['fuzz', 1]],
  ['a map', () => ({ fuzz: 1 })],
  ['a ../ path', () => '../../../../../../etc/passwd'],
  ['a ../ path to a folder', () => '../..'],
  ['/dev/zero', () => '/dev/zero'],
  ['/dev/null', () => '/dev/null'],
  ['/proc/self/mem', () => '/proc/self/mem'],
  ['/proc/self/maps', () => '/proc/self/maps'],
  ['a folder', () => '/'],
  ['a huge size string', () => '4096MiB'],
  ['a huge time', () => '99999999999s'],
  ['a huge instruction count', () => '99999999999999999999 insns'],
  ['a negative time', () => '-5ms'],
  ['a regex that cannot compile', () => '/(/'],
  ['a catastrophic regex', () => '/(a+)+$/'],
  ['a long string', () => 'x'.repeat(100_000)],
  ['a NUL byte string', () => 'a\u0000b'],
  ['a symbol with an offset', () => 'main+0xffffffff'],
];

/** A YAML document mutated by its structure; comments at the top (the $schema line) are kept. */
export function yamlMutation(rng: Rng, input: Buffer, other: Buffer): Mutant {
  const text = input.toString('utf8');
  const kind = rng.below(10);
  if (kind === 7) return yamlTextMutation(rng, text, 'duplicate-key');
  if (kind === 8) return yamlTextMutation(rng, text, 'alias');
  if (kind === 9) return yamlTextMutation(rng, text, rng.pick(['deep-nesting', 'alias-bomb', 'merge-key', 'tag']));
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) return byteMutation(rng, input, other);
  const slots = collectSlots(doc);
  if (!slots.length) return byteMutation(rng, input, other);
  const slot = rng.pick(slots);
  let mutation: string;
  if (kind <= 4) {
    // Replace the value with one of another type, or an extreme of the same.
    const [what, make] = rng.pick(REPLACEMENTS);
    const node = doc.createNode(make());
    if (slot.parent === null) (doc as unknown as { contents: unknown }).contents = node;
    else if (isMap(slot.parent)) slot.parent.set(slot.key, node);
    else if (isSeq(slot.parent)) slot.parent.set(slot.key as number, node);
    mutation = `yaml: ${slot.path} = ${what}`;
  } else if (kind === 5) {
    // An unknown key in a map, or an extra item in a list.
    const maps = slots.filter((s) => isMap(s.node) || isSeq(s.node));
    const target = maps.length ? rng.pick(maps) : slot;
    if (isMap(target.node)) { target.node.set(rng.pick(['fuzz', 'x-unknown', '', '__proto__', 'constructor']), rng.pick([1, 'y', null])); mutation = `yaml: unknown key in ${target.path}`; }
    else if (isSeq(target.node)) {
      const items = target.node.items;
      const copy = items.length ? doc.createNode(JSON.parse(JSON.stringify((items[rng.below(items.length)] as Node).toJSON() ?? null))) : doc.createNode('fuzz');
      for (let i = rng.pick([1, 1, 2, 500]); i > 0; i--) items.push(copy);
      mutation = `yaml: extra items in ${target.path}`;
    } else mutation = 'yaml: no container';
  } else {
    // Remove a key or an item.
    if (slot.parent === null) { (doc as unknown as { contents: unknown }).contents = null; mutation = 'yaml: empty document'; }
    else if (isMap(slot.parent)) { slot.parent.delete(slot.key); mutation = `yaml: delete ${slot.path}`; }
    else { (slot.parent as { items: unknown[] }).items.splice(slot.key as number, 1); mutation = `yaml: delete ${slot.path}`; }
  }
  const head = /^(#[^\n]*\n)*/.exec(text)?.[0] ?? '';
  let out: string;
  try { out = doc.toString({ lineWidth: 0 }); } catch { out = String(doc); }
  return { bytes: Buffer.from(head + out, 'utf8'), mutation };
}

/** Mutations that only exist in the text: duplicate keys, anchors and aliases, nesting depth, tags. */
function yamlTextMutation(rng: Rng, text: string, what: string): Mutant {
  const lines = text.split('\n');
  const keyLines = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*(- )?[\w-]+:\s*\S/.test(l) && !/^\s*#/.test(l));
  const pickLine = () => (keyLines.length ? rng.pick(keyLines) : { l: 'fuzz: 1', i: 0 });
  switch (what) {
    case 'duplicate-key': {
      const { l, i } = pickLine();
      const m = /^(\s*)(- )?([\w-]+):/.exec(l)!;
      const dup = `${m[1]}${m[2] ? '  ' : ''}${m[3]}: ${rng.pick(['1', 'dup', '[]', '{}', '/dev/zero'])}`;
      lines.splice(i + 1, 0, dup);
      return { bytes: Buffer.from(lines.join('\n')), mutation: `yaml: duplicate key ${m[3]} at line ${i + 2}` };
    }
    case 'alias': {
      if (keyLines.length < 2) break;
      const a = rng.pick(keyLines); const b = rng.pick(keyLines);
      const [first, second] = a.i <= b.i ? [a, b] : [b, a];
      const m1 = /^(\s*(?:- )?[\w-]+:\s*)(.*)$/.exec(first.l)!;
      const m2 = /^(\s*(?:- )?[\w-]+:\s*)(.*)$/.exec(second.l)!;
      lines[first.i] = `${m1[1]}&fz ${m1[2]}`;
      if (second.i !== first.i) lines[second.i] = `${m2[1]}*fz`;
      else lines[first.i] += '\nfuzz-alias: *fz';
      return { bytes: Buffer.from(lines.join('\n')), mutation: `yaml: alias of line ${first.i + 1} at line ${second.i + 1}` };
    }
    case 'deep-nesting': {
      const depth = rng.pick([100, 1000, 10_000, 50_000]);
      const flow = rng.chance(0.5);
      const value = flow ? '['.repeat(depth) + ']'.repeat(depth) : '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
      const { l, i } = pickLine();
      lines[i] = l.replace(/^(\s*(?:- )?[\w-]+:\s*).*$/, `$1${value}`);
      return { bytes: Buffer.from(lines.join('\n')), mutation: `yaml: ${flow ? 'list' : 'map'} nested ${depth} deep at line ${i + 1}` };
    }
    case 'alias-bomb': {
      const levels = rng.pick([5, 9]);
      const bomb = ['bomb0: &b0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let k = 1; k < levels; k++) bomb.push(`bomb${k}: &b${k} [${Array(10).fill(`*b${k - 1}`).join(', ')}]`);
      const { l, i } = pickLine();
      lines.splice(0, 0, ...bomb);
      lines[i + levels] = l.replace(/^(\s*(?:- )?[\w-]+:\s*).*$/, `$1*b${levels - 1}`);
      return { bytes: Buffer.from(lines.join('\n')), mutation: `yaml: alias bomb (${levels} levels) at line ${i + levels + 1}` };
    }
    case 'merge-key': {
      const { l, i } = pickLine();
      lines[i] = l.replace(/^(\s*(?:- )?[\w-]+:\s*).*$/, '$1{<<: {a: 1}, b: 2}');
      return { bytes: Buffer.from(lines.join('\n')), mutation: `yaml: merge key at line ${i + 1}` };
    }
    default: {
      const { l, i } = pickLine();
      const tag = rng.pick(['!!binary', '!!set', '!!omap', '!!timestamp', '!!float', '!custom', '!!js/function']);
      lines[i] = l.replace(/^(\s*(?:- )?[\w-]+:\s*)(.*)$/, `$1${tag} $2`);
      return { bytes: Buffer.from(lines.join('\n')), mutation: `yaml: tag ${tag} at line ${i + 1}` };
    }
  }
  return { bytes: Buffer.from(text), mutation: 'yaml: unchanged' };
}

// ---------------------------------------------------------------------------
// ELF (32-bit little-endian, as the loader reads it)

const EHDR_FIELDS: Array<[string, number, 1 | 2 | 4]> = [
  ['e_ident[EI_CLASS]', 4, 1], ['e_ident[EI_DATA]', 5, 1], ['e_ident[EI_VERSION]', 6, 1],
  ['e_type', 16, 2], ['e_machine', 18, 2], ['e_version', 20, 4], ['e_entry', 24, 4],
  ['e_phoff', 28, 4], ['e_shoff', 32, 4], ['e_flags', 36, 4], ['e_ehsize', 40, 2],
  ['e_phentsize', 42, 2], ['e_phnum', 44, 2], ['e_shentsize', 46, 2], ['e_shnum', 48, 2], ['e_shstrndx', 50, 2],
];
const PHDR_FIELDS: Array<[string, number]> = [['p_type', 0], ['p_offset', 4], ['p_vaddr', 8], ['p_paddr', 12], ['p_filesz', 16], ['p_memsz', 20], ['p_flags', 24], ['p_align', 28]];
const SHDR_FIELDS: Array<[string, number]> = [['sh_name', 0], ['sh_type', 4], ['sh_flags', 8], ['sh_addr', 12], ['sh_offset', 16], ['sh_size', 20], ['sh_link', 24], ['sh_info', 28], ['sh_addralign', 32], ['sh_entsize', 36]];

function put(b: Buffer, off: number, size: 1 | 2 | 4, v: number): void {
  if (off + size > b.length) return;
  if (size === 1) b.writeUInt8(v & 0xff, off);
  else if (size === 2) b.writeUInt16LE(v & 0xffff, off);
  else b.writeUInt32LE(v >>> 0, off);
}

function elfValue(rng: Rng, size: number, fileSize: number, old: number): number {
  const choices = [...INTERESTING32, fileSize - 1, fileSize, fileSize + 1, old + 1, old - 1, old * 2, old + 0x1000, rng.u32()];
  const v = rng.pick(choices) >>> 0;
  return size === 4 ? v : v & (size === 2 ? 0xffff : 0xff);
}

export function elfMutation(rng: Rng, input: Buffer, other: Buffer): Mutant {
  const b = Buffer.from(input);
  if (b.length < 52 || b.readUInt32BE(0) !== 0x7f454c46) return byteMutation(rng, input, other);
  const k = rng.range(1, 3);
  const done: string[] = [];
  for (let n = 0; n < k; n++) {
    const where = rng.below(3);
    if (where === 0) {
      const [name, off, size] = rng.pick(EHDR_FIELDS);
      const old = size === 1 ? b[off] : size === 2 ? b.readUInt16LE(off) : b.readUInt32LE(off);
      const v = elfValue(rng, size, b.length, old);
      put(b, off, size, v);
      done.push(`${name}=0x${v.toString(16)}`);
    } else if (where === 1) {
      const phoff = b.readUInt32LE(28); const phnum = b.readUInt16LE(44);
      if (!phnum || phoff + 32 > b.length) continue;
      const i = rng.below(phnum); const [name, off] = rng.pick(PHDR_FIELDS);
      const at = phoff + 32 * i + off;
      if (at + 4 > b.length) continue;
      const v = elfValue(rng, 4, b.length, b.readUInt32LE(at));
      put(b, at, 4, v);
      done.push(`phdr[${i}].${name}=0x${v.toString(16)}`);
    } else {
      const shoff = b.readUInt32LE(32); const shnum = b.readUInt16LE(48);
      if (!shnum || shoff + 40 > b.length) continue;
      const i = rng.below(shnum); const [name, off] = rng.pick(SHDR_FIELDS);
      const at = shoff + 40 * i + off;
      if (at + 4 > b.length) continue;
      const v = elfValue(rng, 4, b.length, b.readUInt32LE(at));
      put(b, at, 4, v);
      done.push(`shdr[${i}].${name}=0x${v.toString(16)}`);
    }
  }
  return { bytes: b, mutation: `elf: ${done.join(', ') || 'unchanged'}` };
}

// ---------------------------------------------------------------------------
// Recordings: frames, and the JSON inside their (deflated, CRC-checked) payloads

interface RawFrame { type: number; flags: number; icount: number; payload: Buffer; head: Buffer; stored: Buffer }

function splitFrames(b: Buffer): RawFrame[] | undefined {
  if (b.length < MAGIC.length || !b.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const out: RawFrame[] = [];
  let o = MAGIC.length;
  while (o + FRAME_BYTES <= b.length) {
    const f = decodeFrame(b, o);
    const stored = b.subarray(o + FRAME_BYTES, o + FRAME_BYTES + f.length);
    let payload: Buffer;
    try { payload = inflatePayload(f, stored, 1 << 30); } catch { return undefined; }
    out.push({ type: f.type, flags: f.flags, icount: f.icount, payload, head: b.subarray(o, o + FRAME_BYTES), stored });
    o += FRAME_BYTES + f.length;
  }
  return out;
}

/** Mutates a JS value (parsed JSON) at one random place. */
function jsonMutation(rng: Rng, value: unknown): { value: unknown; where: string } {
  const slots: Array<{ parent: Record<string, unknown> | unknown[] | null; key: string | number; path: string; v: unknown }> = [];
  const walk = (v: unknown, parent: Record<string, unknown> | unknown[] | null, key: string | number, p: string, depth: number) => {
    slots.push({ parent, key, path: p || '/', v });
    if (depth > 6 || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) { const n = Math.min(v.length, 40); for (let i = 0; i < n; i++) walk(v[i], v, i, `${p}/${i}`, depth + 1); }
    else for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], v as Record<string, unknown>, k, `${p}/${k}`, depth + 1);
  };
  walk(value, null, '', '', 0);
  const s = rng.pick(slots);
  const [what, make] = rng.chance(0.15) ? ['deleted', () => undefined] as [string, () => unknown] : rng.pick(REPLACEMENTS);
  let v = make();
  if (typeof v === 'number' && !Number.isFinite(v)) v = rng.pick([-1, 1e308, 2 ** 53]);
  if (s.parent === null) return { value: v, where: `/ = ${what}` };
  if (v === undefined) { if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1); else delete s.parent[s.key as string]; }
  else (s.parent as Record<string, unknown>)[s.key as string] = v;
  return { value, where: `${s.path} = ${what}` };
}

const TYPE_NAMES: Record<number, string> = { 1: 'header', 2: 'chunk', 3: 'checkpoint', 4: 'trace', 5: 'end', 6: 'image' };

export function recordingMutation(rng: Rng, input: Buffer, other: Buffer): Mutant {
  const frames = splitFrames(input);
  if (!frames || !frames.length) return byteMutation(rng, input, other);
  const i = rng.below(frames.length);
  const f = frames[i];
  const name = `${TYPE_NAMES[f.type] ?? `type-${f.type}`} record ${i}`;
  const rebuild = (list: Array<Buffer<ArrayBufferLike>>) => Buffer.concat([MAGIC, ...list]);
  const keep = (): Array<Buffer<ArrayBufferLike>> => frames.map((x) => Buffer.concat([x.head, x.stored]));
  switch (rng.below(7)) {
    case 0: case 1: case 2: {
      // The payload's JSON (header, chunk, end), re-deflated with a valid CRC.
      let payload: Buffer<ArrayBufferLike>;
      let where: string;
      if (f.type === 3) {
        const n = f.payload.length >= 4 ? f.payload.readUInt32LE(0) : 0;
        const p = Buffer.from(f.payload);
        if (rng.chance(0.5) && p.length >= 4) { const v = rng.pick(INTERESTING32); p.writeUInt32LE(v, 0); where = `json length = 0x${v.toString(16)}`; }
        else if (p.length > 4 + n + 4 && rng.chance(0.5)) { const v = rng.pick(INTERESTING32); p.writeUInt32LE(v, 4 + n); where = `first page number = 0x${v.toString(16)}`; }
        else {
          let state: unknown;
          try { state = JSON.parse(p.subarray(4, 4 + n).toString('utf8')); } catch { state = null; }
          const m = jsonMutation(rng, state);
          const json = Buffer.from(JSON.stringify(m.value) ?? '', 'utf8');
          const len = Buffer.alloc(4); len.writeUInt32LE(json.length, 0);
          payload = Buffer.concat([len, json, p.subarray(4 + n)]);
          where = `state ${m.where}`;
          const list = keep(); list[i] = encodeRecord(f.type, f.icount, payload);
          return { bytes: rebuild(list), mutation: `recording: ${name}: ${where}` };
        }
        payload = p;
      } else if (f.type === 4 || f.type === 6) {
        payload = byteMutation(rng, f.payload, other).bytes;
        where = 'payload bytes';
      } else {
        let json: unknown;
        try { json = JSON.parse(f.payload.toString('utf8')); } catch { json = null; }
        const m = jsonMutation(rng, json);
        payload = Buffer.from(JSON.stringify(m.value) ?? '', 'utf8');
        where = m.where;
      }
      const list = keep(); list[i] = encodeRecord(f.type, f.icount, payload);
      return { bytes: rebuild(list), mutation: `recording: ${name}: ${where}` };
    }
    case 3: {
      // A frame field: type, flags, length, icount (CRC left as it was).
      const list = keep();
      const head = Buffer.from(f.head);
      const field = rng.pick(['type', 'flags', 'length', 'icount', 'crc']);
      let v: number;
      if (field === 'type') { v = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 255]); head.writeUInt8(v, 0); }
      else if (field === 'flags') { v = rng.pick([0, 2, 255]); head.writeUInt8(v, 1); }
      else if (field === 'length') { v = rng.pick(INTERESTING32); head.writeUInt32LE(v, 4); }
      else if (field === 'crc') { v = rng.u32(); head.writeUInt32LE(v, 8); }
      else { v = rng.pick([-1, 0, 1e300, NaN, Infinity, 2 ** 53, f.icount + 1, f.icount - 1]); head.writeDoubleLE(v, 12); }
      // Half the time the CRC is made to match, so the reader's checks beyond the CRC are what must catch it.
      const fresh = field !== 'crc' && rng.chance(0.5);
      if (fresh) head.writeUInt32LE(frameCrc(head, 0, f.stored), 8);
      list[i] = Buffer.concat([head, f.stored]);
      return { bytes: rebuild(list), mutation: `recording: ${name}: frame ${field} = ${v}${fresh ? ', CRC recomputed' : ''}` };
    }
    case 4: {
      const list = keep(); list.splice(i, 1);
      return { bytes: rebuild(list), mutation: `recording: drop ${name}` };
    }
    case 5: {
      const list = keep(); const j = rng.below(frames.length);
      if (rng.chance(0.5)) { list.splice(j, 0, list[i]); return { bytes: rebuild(list), mutation: `recording: copy ${name} to ${j}` }; }
      [list[i], list[j]] = [list[j], list[i]];
      return { bytes: rebuild(list), mutation: `recording: swap ${name} and record ${j}` };
    }
    default: {
      // The payload's stored (deflated) bytes with a recomputed CRC: an inflate error, not a CRC mismatch.
      const list = keep();
      const stored = byteMutation(rng, f.stored, other).bytes;
      const head = Buffer.from(f.head);
      head.writeUInt32LE(stored.length, 4);
      head.writeUInt32LE(frameCrc(head, 0, stored), 8);
      list[i] = Buffer.concat([head, stored]);
      return { bytes: rebuild(list), mutation: `recording: ${name}: deflated bytes changed, CRC recomputed` };
    }
  }
}


// ---------------------------------------------------------------------------
// Boot volumes (docs/boot-volume.md): header and entry fields, mostly with the
// header CRC recomputed so that the reader gets past it.

const VOLUME_HEADER: Array<[string, number]> = [['version', 8], ['header size', 12], ['entry count', 16], ['entry size', 20], ['table offset', 24], ['total size', 28]];
const VOLUME_ENTRY: Array<[string, number]> = [['offset', 48], ['size', 52], ['crc', 56]];
const ENTRY_NAMES = ['../escape', '../../escape', '..', '.', '', '/tmp/abs', 'a/b', 'x'.repeat(32), 'name with space', '\u00e9t\u00e9', 'domains', 'pingpong'];

export function volumeMutation(rng: Rng, input: Buffer, other: Buffer): Mutant {
  const b = Buffer.from(input);
  if (b.length < 64 || b.toString('latin1', 0, 8) !== 'BRVOLUME' || rng.chance(0.25)) return byteMutation(rng, input, other);
  const n = Math.min(b.readUInt32LE(16), 64);
  const k = rng.range(1, 2);
  const done: string[] = [];
  for (let j = 0; j < k; j++) {
    if (!n || rng.chance(0.3)) {
      const [name, off] = rng.pick(VOLUME_HEADER);
      const v = elfValue(rng, 4, b.length, b.readUInt32LE(off));
      b.writeUInt32LE(v, off);
      done.push(`${name}=0x${v.toString(16)}`);
      continue;
    }
    const e = rng.below(n); const base = 64 + 64 * e;
    if (base + 64 > b.length) continue;
    const what = rng.below(3);
    if (what === 0) {
      const name = rng.pick(ENTRY_NAMES);
      const raw = Buffer.alloc(32); Buffer.from(name, 'latin1').copy(raw, 0, 0, 32);
      raw.copy(b, base);
      done.push(`entry ${e} name='${name}'`);
    } else if (what === 1) {
      const role = rng.pick(['hypervisor', 'dom0', 'domu', 'config', 'data', 'bogus', '']);
      const raw = Buffer.alloc(16); raw.write(role, 'latin1'); raw.copy(b, base + 32);
      done.push(`entry ${e} role='${role}'`);
    } else {
      const [name, off] = rng.pick(VOLUME_ENTRY);
      const v = elfValue(rng, 4, b.length, b.readUInt32LE(base + off));
      b.writeUInt32LE(v, base + off);
      done.push(`entry ${e} ${name}=0x${v.toString(16)}`);
    }
  }
  if (rng.chance(0.85)) {
    const count = b.readUInt32LE(16);
    const end = Math.min(b.length, 64 + 64 * Math.min(count, 1 << 16));
    const copy = Buffer.from(b.subarray(0, end)); copy.writeUInt32LE(0, 32);
    b.writeUInt32LE(crc32(copy), 32);
    done.push('header CRC recomputed');
  }
  return { bytes: b, mutation: `volume: ${done.join(', ')}` };
}

// ---------------------------------------------------------------------------
// Device tree blobs: the big-endian header fields, tokens and property lengths.

const FDT_HEADER = ['magic', 'totalsize', 'off_dt_struct', 'off_dt_strings', 'off_mem_rsvmap', 'version', 'last_comp_version', 'boot_cpuid_phys', 'size_dt_strings', 'size_dt_struct'];

export function dtbMutation(rng: Rng, input: Buffer, other: Buffer): Mutant {
  const b = Buffer.from(input);
  if (b.length < 40 || rng.chance(0.3)) return byteMutation(rng, input, other);
  const done: string[] = [];
  for (let k = rng.range(1, 2); k > 0; k--) {
    if (rng.chance(0.5)) {
      const i = rng.below(FDT_HEADER.length);
      const v = elfValue(rng, 4, b.length, b.readUInt32BE(4 * i));
      b.writeUInt32BE(v, 4 * i);
      done.push(`${FDT_HEADER[i]}=0x${v.toString(16)}`);
    } else {
      // A word of the structure block: a token, a property length or a name offset.
      const off = b.readUInt32BE(8); const size = b.readUInt32BE(36);
      if (off >= b.length || size < 4) continue;
      const p = off + (rng.below(Math.max(1, Math.min(size, b.length - off) >> 2)) << 2);
      if (p + 4 > b.length) continue;
      const v = rng.pick([1, 2, 3, 4, 9, 0, 0xffffffff, 0x7fffffff, b.length, rng.u32()]);
      b.writeUInt32BE(v >>> 0, p);
      done.push(`struct word@${p}=0x${(v >>> 0).toString(16)}`);
    }
  }
  return { bytes: b, mutation: `dtb: ${done.join(', ') || 'unchanged'}` };
}
