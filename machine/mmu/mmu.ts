/**
 * Short-descriptor address translation with an ASID-tagged TLB.
 * SKELETON: identity mapping until the translation walk is written.
 */

import type { Bus } from '../bus';
import type { Cp15 } from '../cpu/cp15';

export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_FETCH = 2;

export class Mmu {
  constructor(readonly cp15: Cp15, readonly bus: Bus) {}

  get enabled(): boolean {
    return (this.cp15.sctlr & 1) !== 0;
  }

  /**
   * Physical address for va. On a fault: for data accesses sets DFSR/DFAR and
   * throws DATA_ABORT; for fetches sets IFSR/IFAR and throws PREFETCH_ABORT.
   */
  translate(va: number, _kind: number, _user: boolean): number {
    return va >>> 0;
  }

  /** Invalidates every TLB entry. */
  flush(): void {}
}
