/**
 * Chunk hashes: at the end of every chunk of execution, sha256 over the
 * previous hash, the CPU and device state and the contents of every RAM page
 * written during the chunk. Chained, so the first differing hash of two runs
 * marks the chunk where they part (a binary search finds it). Recorder and
 * replayer compute it with this one function.
 */

import { createHash } from 'node:crypto';
import type { Machine, MachineState } from '../machine/machine';
import { stringifyState } from './format';

export const GENESIS = '0'.repeat(64);

export function pageBytes(machine: Machine, page: number): Uint8Array {
  return machine.bus.readBytes((page << 12) >>> 0, 4096);
}

/** `state` is machine.stateSnapshot(), taken by the caller (a recorder keeps it for a checkpoint at the same boundary). */
export function chunkHash(previous: string, state: MachineState, machine: Machine, pages: number[]): string {
  const h = createHash('sha256');
  h.update(previous);
  h.update(stringifyState(state));
  const num = Buffer.alloc(4);
  for (const p of pages) {
    num.writeUInt32LE(p >>> 0, 0);
    h.update(num);
    h.update(pageBytes(machine, p));
  }
  return h.digest('hex');
}
