/**
 * Chunk hashes: at the end of every chunk of execution, sha256 over the
 * previous hash, the machine's architectural state and the contents of every
 * RAM page written during the chunk. Chained, so the first differing hash of
 * two runs marks the chunk where they part (a binary search finds it).
 * The recorder (on its sealing thread, chunk-sealer-thread.ts), the replayer
 * and the reader's checkpoint check compute it with these functions.
 *
 * The state hashed is architectural, by name, in a canonical order
 * (stateJson): the CPU's registers by architectural name (every bank, CPSR,
 * SPSRs), CP15 registers by name, VFP, the TLB, each device's declared state
 * by declared name (machine/devices/state.ts) and the interrupt wire levels;
 * object keys sorted at every level. How a device or the CPU keeps that state
 * in private fields does not enter it, so renaming one leaves recordings
 * replaying.
 */

import { createHash } from 'node:crypto';
import type { Machine } from '../machine/machine';
import { replaceTyped } from './format';
import { canonicalKeys, stateBinary } from './state-binary';

export const GENESIS = '0'.repeat(64);

export function pageBytes(machine: Machine, page: number): Uint8Array {
  return machine.bus.readBytes((page << 12) >>> 0, 4096);
}

/**
 * JSON of `value` with the keys of every object sorted (arrays keep their
 * order); typed arrays as replaceTyped writes them. Byte for byte what
 * JSON.stringify gives with a replacer that applies replaceTyped and copies
 * every object with its keys inserted in sorted order (so, as JavaScript
 * orders an object's keys, array-index keys first in numeric order, then the
 * others sorted), which is how recordings of format 3 were hashed; written
 * out directly because it runs at every chunk of a recorded run and a replay.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, '') ?? (undefined as unknown as string);
}

function numberJson(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

function allFinite(a: ArrayLike<unknown>): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number' || !Number.isFinite(a[i])) return false;
  return true;
}

/** The elements of a typed array as JSON numbers, comma separated (a float that is not finite is null, as in JSON). */
function numbersJson(a: ArrayLike<number>): string {
  if (allFinite(a)) return Array.prototype.join.call(a, ',');
  let s = '';
  for (let i = 0; i < a.length; i++) s += (i ? ',' : '') + numberJson(a[i]);
  return s;
}

/** The JSON of `v` at `key`, or undefined where JSON.stringify leaves a property out. */
function canonical(v: unknown, key: string): string | undefined {
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint') && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
  }
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return numberJson(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'undefined': case 'function': case 'symbol': return undefined;
    case 'bigint': return JSON.stringify(v); // throws as JSON.stringify does
  }
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return `{"$typed":${JSON.stringify(v.constructor.name)},"data":[${numbersJson(v as unknown as ArrayLike<number>)}]}`;
  }
  if (Array.isArray(v)) {
    // Registers, TLB columns: arrays of finite numbers, which join() writes as JSON does.
    if (allFinite(v)) return `[${v.join(',')}]`;
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + (canonical(v[i], String(i)) ?? 'null');
    return `${s}]`;
  }
  let s = '{';
  let first = true;
  for (const k of canonicalKeys(v as object)) {
    const c = canonical((v as Record<string, unknown>)[k], k);
    if (c === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${c}`;
    first = false;
  }
  return `${s}}`;
}

/** canonicalJson as format 3 defined it, with JSON.stringify and a replacer (the reference the direct writer is tested against). */
export function canonicalJsonReference(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    const w = replaceTyped(key, v);
    if (w === null || typeof w !== 'object' || Array.isArray(w)) return w;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(w).sort()) out[k] = (w as Record<string, unknown>)[k];
    return out;
  });
}

/** The machine's state (all but RAM) as hashed and as checkpoints store it: canonical JSON of machine.stateSnapshot(). */
export function stateJson(machine: Machine): string {
  return canonicalJson(machine.stateSnapshot());
}

/**
 * What the chunk hash takes of a state snapshot (machine.stateSnapshot()):
 * in format 4 its binary canonical form (replay/state-binary.ts), in format 3
 * its canonical JSON. A Uint8Array returned is reused by the next call.
 */
export function hashedState(snapshot: unknown, format: number): string | Uint8Array {
  return format >= 4 ? stateBinary(snapshot) : canonicalJson(snapshot);
}

/** The chained hash from the state as hashed (hashedState) and the pages written in the chunk, with their bytes, in the order taken. */
export function chainHash(previous: string, state: string | Uint8Array, pages: Iterable<{ page: number; bytes: Uint8Array }>): string {
  const h = createHash('sha256');
  h.update(previous);
  h.update(state);
  const num = Buffer.alloc(4);
  for (const p of pages) {
    num.writeUInt32LE(p.page >>> 0, 0);
    h.update(num);
    h.update(p.bytes);
  }
  return h.digest('hex');
}

/** `state` is hashedState of the machine's snapshot, taken by the caller (a recorder keeps the snapshot for a checkpoint at the same boundary). */
export function chunkHash(previous: string, state: string | Uint8Array, machine: Machine, pages: number[]): string {
  return chainHash(previous, state, (function* () { for (const page of pages) yield { page, bytes: machine.bus.ramPage((page << 12) >>> 0) }; })());
}
