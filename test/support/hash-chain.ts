/**
 * Runs a machine to a stop or an instruction limit, hashing its state every
 * `chunk` instructions as a recording hashes its chunks (replay/state-hash.ts):
 * two runs are the same run exactly when their chains are equal.
 */

import type { Machine } from '../../machine/machine';
import { GENESIS, chunkHash, stateJson } from '../../replay/state-hash';

export interface HashedRun { hashes: string[]; icount: number; stop: string }

export function runHashed(m: Machine, limit: number, chunk: number): HashedRun {
  const hashes: string[] = [];
  let hash = GENESIS;
  m.bus.clearDirtyPages();
  let stop;
  for (;;) {
    stop = m.runUntil(Math.min(limit, m.now() + chunk));
    hash = chunkHash(hash, stateJson(m), m, m.bus.takeDirtyPages());
    hashes.push(`${m.now()} ${hash}`);
    if (stop.kind !== 'limit' || m.now() >= limit) break;
  }
  return { hashes, icount: m.now(), stop: JSON.stringify(stop) };
}
