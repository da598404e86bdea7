/**
 * Chunk hashes: at the end of every chunk of execution, sha256 over the
 * previous hash, the CPU and device state and the contents of every RAM page
 * written during the chunk. Chained, so the first differing hash of two runs
 * marks the chunk where they part (a binary search finds it). Recorder,
 * replayer and the reader's checkpoint check compute it with these functions.
 */

import { createHash } from 'node:crypto';
import type { Machine } from '../machine/machine';

export const GENESIS = '0'.repeat(64);

export function pageBytes(machine: Machine, page: number): Uint8Array {
  return machine.bus.readBytes((page << 12) >>> 0, 4096);
}

/** The chained hash from the state as JSON (stringifyState) and the pages written in the chunk, with their bytes, in the order taken. */
export function chainHash(previous: string, stateJson: string | Uint8Array, pages: Iterable<{ page: number; bytes: Uint8Array }>): string {
  const h = createHash('sha256');
  h.update(previous);
  h.update(stateJson);
  const num = Buffer.alloc(4);
  for (const p of pages) {
    num.writeUInt32LE(p.page >>> 0, 0);
    h.update(num);
    h.update(p.bytes);
  }
  return h.digest('hex');
}

/** `stateJson` is stringifyState(machine.stateSnapshot()), taken by the caller (a recorder keeps it for a checkpoint at the same boundary). */
export function chunkHash(previous: string, stateJson: string, machine: Machine, pages: number[]): string {
  return chainHash(previous, stateJson, (function* () { for (const page of pages) yield { page, bytes: pageBytes(machine, page) }; })());
}
