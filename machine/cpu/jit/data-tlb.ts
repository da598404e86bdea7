/**
 * The compiled code's fast path for loads and stores to RAM (a table for
 * each): per virtual page, where its bytes are in the bus's RAM arena (the
 * one buffer of every RAM bank: Bus.addRamBanks), as the last access through
 * the full path found them (a software TLB with host addresses, as QEMU's
 * softmmu keeps). An access whose page is here and that needs nothing else
 * (aligned, little endian) reads or writes the arena directly; any other goes
 * the full way (Cpu.read32, Cpu.write32 and their kin), which fills the entry
 * when the access was a plain one.
 *
 * An entry repeats what the full path computed from the translation, the
 * privilege and the endianness in force when it was filled, so it is dropped
 * whenever one of those may have changed: a write to SCTLR, TTBR, TTBCR,
 * DACR or CONTEXTIDR (Cpu.translationChanged), a change between User and
 * privileged modes, a change of CPSR.E, and the MMU replacing or dropping
 * one of its own TLB entries, by maintenance or by a miss (the next walk may
 * find a page table edited since): then the entry of that page. A store's
 * entry is made only for a page already marked written that holds no decoded
 * code, and the store table is emptied when either may change (Bus
 * writeWatchProbe) and while another core holds an exclusive reservation.
 */

import type { RamArena, RamRegion } from '../../bus';

const ENTRIES = 256;
export const DATA_TLB_MASK = ENTRIES - 1;

export class DataTlb {
  /** Per entry: the virtual page address it translates (low 12 bits clear), or 1 (never matches). */
  readonly page = new Int32Array(ENTRIES).fill(1);
  /** Per entry: the page's byte offset in the arena. */
  readonly offset = new Int32Array(ENTRIES);
  private empty = true;

  /**
   * `arena`: the bus's buffer of all RAM (Bus.arena), which every entry
   * points into: one set of arrays for every page, which compiled code loads
   * once per call (a bank outside it gets no entries).
   */
  constructor(readonly arena: RamArena) {}

  /** Notes where the page of va is: at `offset` bytes into `region` (if the region is in the arena). */
  fill(va: number, region: RamRegion, offset: number): void {
    if (region.u8.buffer !== this.arena.u8.buffer) return;
    const i = (va >>> 12) & DATA_TLB_MASK;
    this.page[i] = va & ~0xfff;
    this.offset[i] = (region.u8.byteOffset + offset) & ~0xfff;
    this.empty = false;
  }

  /** Drops the entry of one virtual page (vpn: the address >>> 12), if it is here. */
  forget(vpn: number): void {
    const i = vpn & DATA_TLB_MASK;
    if (this.page[i] === (vpn << 12)) this.page[i] = 1;
  }

  flush(): void {
    if (this.empty) return;
    this.page.fill(1);
    this.empty = true;
  }
}
