/**
 * Chunk hashes: at the end of every chunk of execution, sha256 over the
 * previous hash, the CPU and device state and the contents of every RAM page
 * written during the chunk. Chained, so the first differing hash of two runs
 * marks the chunk where they part (a binary search finds it). Recorder and
 * replayer compute it with this one function.
 */

import { createHash } from 'node:crypto';
import type { Machine } from '../machine/machine';
import { stringifyState } from './format';

export const GENESIS = '0'.repeat(64);

/** Pages written since the last call, in page order; clears the marks. */
export function takeDirtyPages(machine: Machine): number[] {
  const dirty = machine.bus.dirtyPages;
  const out: number[] = [];
  for (const region of machine.bus.regions) {
    const first = region.base >>> 12;
    const last = first + (region.size >>> 12);
    for (let p = first; p < last; p++) {
      if (dirty[p] !== 0) { dirty[p] = 0; out.push(p); }
    }
  }
  return out;
}

/** Forgets writes so far (after boot, after a checkpoint restore). */
export function clearDirtyPages(machine: Machine): void {
  machine.bus.dirtyPages.fill(0);
}

export function pageBytes(machine: Machine, page: number): Uint8Array {
  return machine.bus.readBytes((page << 12) >>> 0, 4096);
}

export function chunkHash(previous: string, machine: Machine, pages: number[]): string {
  const h = createHash('sha256');
  h.update(previous);
  h.update(stringifyState(machine.stateSnapshot()));
  const num = Buffer.alloc(4);
  for (const p of pages) {
    num.writeUInt32LE(p >>> 0, 0);
    h.update(num);
    h.update(pageBytes(machine, p));
  }
  return h.digest('hex');
}
