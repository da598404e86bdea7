/**
 * VMSAv7 short-descriptor address translation (ARM ARM B3.5) with an
 * ASID-tagged TLB.
 *
 * The TLB is direct mapped on VA[12+k:12]. Every slot maps one 4 KiB VA page;
 * a section, supersection or large page fills one slot per page touched, and
 * remembers its block size so that TLBIMVA removes every slot the block filled.
 * A slot caches the walk's result: physical page, global flag, ASID, domain and
 * the precomputed permission bits. The domain's DACR field is looked up at
 * access time, because DACR changes take effect without TLB maintenance.
 * Entries are replaced only by later walks or by invalidation, so a changed
 * page table is not seen until the TLB is invalidated (as on hardware), and the
 * contents are a deterministic function of the access sequence.
 *
 * Fault priority follows the ARM ARM pseudocode (TranslationTableWalkSD, then
 * CheckDomain, then CheckPermission): translation or walk external abort,
 * access flag, domain, permission.
 */

import { BusError, type Bus } from '../bus';
import type { Cp15 } from '../cpu/cp15';
import {
  DATA_ABORT, PREFETCH_ABORT, faultStatusRegister,
  FS_TRANSLATION_SECTION, FS_TRANSLATION_PAGE, FS_ACCESS_FLAG_SECTION, FS_ACCESS_FLAG_PAGE,
  FS_DOMAIN_SECTION, FS_DOMAIN_PAGE, FS_PERMISSION_SECTION, FS_PERMISSION_PAGE,
  FS_WALK_EXTERNAL_L1, FS_WALK_EXTERNAL_L2,
} from '../cpu/faults';

export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_FETCH = 2;

const TLB_BITS = 11;
export const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;

// Layout of an attribute word (TLB slot and walk result).
// Bits 5:0: bit (kind << 1 | user) set when the access is allowed in a Client domain.
const A_GLOBAL = 1 << 6;
/** The entry came from a first-level descriptor (section fault codes). */
const A_SECTION = 1 << 7;
const A_DOMAIN_SHIFT = 8;
/** log2 of the block size: 12, 16, 20 or 24. */
const A_SIZE_SHIFT = 12;

const SCTLR_M = 1 << 0;
const SCTLR_EE = 1 << 25;
const SCTLR_TRE = 1 << 28;
const SCTLR_AFE = 1 << 29;

/** Marks a walk result word as a fault: (status | domain << 8 | WALK_FAULT). */
const WALK_FAULT = 1 << 16;

/**
 * Permission bits for AP[2:0] and XN. AFE=0 uses the full AP[2:0] model
 * (B3.7.1 table B3-8); AFE=1 the simplified AP[2:1] model. Execution needs
 * read permission at the same privilege and XN clear.
 */
function permBits(ap: number, afe: boolean, xn: number): number {
  let pr = 0, pw = 0, ur = 0, uw = 0;
  if (afe) {
    switch (ap >>> 1) {
      case 0: pr = pw = 1; break;
      case 1: pr = pw = ur = uw = 1; break;
      case 2: pr = 1; break;
      default: pr = ur = 1; break;
    }
  } else {
    switch (ap) {
      case 1: pr = pw = 1; break;
      case 2: pr = pw = ur = 1; break;
      case 3: pr = pw = ur = uw = 1; break;
      case 5: pr = 1; break;
      case 6: case 7: pr = ur = 1; break;
      default: break; // 000 no access, 100 reserved: no access
    }
  }
  const px = xn ? 0 : pr, ux = xn ? 0 : ur;
  return pr | (ur << 1) | (pw << 2) | (uw << 3) | (px << 4) | (ux << 5);
}

function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0;
}

/** PAR inner attribute encodings (B4.1.113) for the cache policies 00/01/10/11. */
const PAR_INNER_POLICY = [0b000, 0b101, 0b110, 0b111];

export interface MmuSnapshot {
  vpn: number[]; asid: number[]; attr: number[]; pa: number[];
}

export class Mmu {
  private readonly tlbVpn = new Int32Array(TLB_SIZE).fill(-1);
  private readonly tlbAsid = new Int32Array(TLB_SIZE);
  private readonly tlbAttr = new Int32Array(TLB_SIZE);
  private readonly tlbPa = new Int32Array(TLB_SIZE);
  /** Valid slots whose block is larger than 4 KiB (TLBIMVA must then scan). */
  private bigEntries = 0;
  /**
   * Valid slots of a 16 MiB supersection: their pages span more slots than
   * the TLB has, so TLBIMVA scans them all; without any, the slots of the
   * 1 MiB around the address hold every entry that can contain it.
   */
  private superEntries = 0;

  // Result of the last successful walk.
  private wBase = 0; // block base PA
  private wAttr = 0;
  private wMem = 0; // TEX[2:0] C B in bits 4:0, S in bit 5

  /**
   * `replaced` is told when an entry is replaced or dropped (with its
   * virtual page number, -1 for all): whoever keeps what a translation gave
   * (the compiled code's fast paths) forgets it, since the next walk may find
   * a page table edited since.
   */
  constructor(readonly cp15: Cp15, readonly bus: Bus, private readonly replaced: (vpn: number) => void = () => {}) {}

  get enabled(): boolean {
    return (this.cp15.sctlr & SCTLR_M) !== 0;
  }

  /**
   * Physical address for va (va itself while the MMU is off). On a fault: for data accesses sets DFSR/DFAR and
   * throws DATA_ABORT; for fetches sets IFSR/IFAR and throws PREFETCH_ABORT.
   */
  translate(va: number, kind: number, user: boolean): number {
    if ((this.cp15.sctlr & SCTLR_M) === 0) return va >>> 0;
    const vpn = va >>> 12;
    const i = vpn & TLB_MASK;
    if (this.tlbVpn[i] === vpn) {
      const attr = this.tlbAttr[i];
      if ((attr & A_GLOBAL) !== 0 || this.tlbAsid[i] === (this.cp15.contextidr & 0xff)) {
        const d = (this.cp15.dacr >>> ((attr >>> (A_DOMAIN_SHIFT - 1)) & 0x1e)) & 3;
        if (d === 3 || (d === 1 && (attr & (1 << ((kind << 1) | (user ? 1 : 0)))) !== 0)) {
          return (this.tlbPa[i] | (va & 0xfff)) >>> 0;
        }
        this.raise(va, kind, this.checkFault(attr, kind, user));
      }
    }
    return this.miss(va, kind, user);
  }

  /**
   * Whether the TLB holds an entry for va's page under the current ASID: a
   * translation of va then finds it (and changes nothing).
   */
  holds(va: number): boolean {
    const vpn = va >>> 12;
    const i = vpn & TLB_MASK;
    return this.tlbVpn[i] === vpn && ((this.tlbAttr[i] & A_GLOBAL) !== 0 || this.tlbAsid[i] === (this.cp15.contextidr & 0xff));
  }

  private miss(va: number, kind: number, user: boolean): number {
    const f = this.walk(va);
    if (f !== 0) this.raise(va, kind, f);
    const attr = this.wAttr;
    const size = (attr >>> A_SIZE_SHIFT) & 31;
    const pagePa = (this.wBase | (va & ((1 << size) - 1) & ~0xfff)) | 0;
    const vpn = va >>> 12;
    const i = vpn & TLB_MASK;
    if (this.tlbVpn[i] !== -1) {
      this.uncount(i);
      this.replaced(this.tlbVpn[i]);
    }
    if (size > 12) this.bigEntries++;
    if (size > 20) this.superEntries++;
    this.tlbVpn[i] = vpn;
    this.tlbAsid[i] = this.cp15.contextidr & 0xff;
    this.tlbAttr[i] = attr;
    this.tlbPa[i] = pagePa;
    const fault = this.checkFault(attr, kind, user);
    if (fault !== 0) this.raise(va, kind, fault);
    return (pagePa | (va & 0xfff)) >>> 0;
  }

  /** Domain and permission check of a translation: 0 or a fault word. */
  private checkFault(attr: number, kind: number, user: boolean): number {
    const domain = (attr >>> A_DOMAIN_SHIFT) & 15;
    const d = (this.cp15.dacr >>> (domain << 1)) & 3;
    const section = (attr & A_SECTION) !== 0;
    if (d === 0 || d === 2) {
      return (section ? FS_DOMAIN_SECTION : FS_DOMAIN_PAGE) | (domain << 8) | WALK_FAULT;
    }
    if (d === 3 || (attr & (1 << ((kind << 1) | (user ? 1 : 0)))) !== 0) return 0;
    return (section ? FS_PERMISSION_SECTION : FS_PERMISSION_PAGE) | (domain << 8) | WALK_FAULT;
  }

  private raise(va: number, kind: number, fault: number): never {
    const status = fault & 0x1f;
    const cp = this.cp15;
    if (kind === ACCESS_FETCH) {
      // IFSR has no domain field.
      cp.ifsr = faultStatusRegister(status, 0, false);
      cp.ifar = va >>> 0;
      throw PREFETCH_ABORT;
    }
    cp.dfsr = faultStatusRegister(status, (fault >>> 8) & 15, kind === ACCESS_WRITE);
    cp.dfar = va >>> 0;
    throw DATA_ABORT;
  }

  /** A descriptor at a physical address (in SCTLR.EE byte order), or undefined on a bus error. */
  private readDesc(pa: number): number | undefined {
    let d: number;
    try {
      d = this.bus.read32(pa >>> 0);
    } catch (e) {
      if (e instanceof BusError) return undefined;
      throw e;
    }
    return (this.cp15.sctlr & SCTLR_EE) !== 0 ? bswap32(d) : d | 0;
  }

  /**
   * Translation table walk for va. Returns 0 and sets wBase/wAttr/wMem, or a
   * fault word (status | domain << 8 | WALK_FAULT). The domain of a fault
   * where the ARM ARM says it is not valid is reported as 0.
   */
  private walk(va: number): number {
    const cp = this.cp15;
    const n = cp.ttbcr & 7;
    let l1: number;
    if (n !== 0 && (va >>> (32 - n)) !== 0) {
      if ((cp.ttbcr & 0x20) !== 0) return FS_TRANSLATION_SECTION | WALK_FAULT; // PD1
      l1 = (cp.ttbr1 & 0xffffc000) | ((va >>> 18) & 0x3ffc);
    } else {
      if ((cp.ttbcr & 0x10) !== 0) return FS_TRANSLATION_SECTION | WALK_FAULT; // PD0
      const baseMask = ~((1 << (14 - n)) - 1);
      const indexMask = (0x1000 >>> n) - 1;
      l1 = (cp.ttbr0 & baseMask) | (((va >>> 20) & indexMask) << 2);
    }
    const d1 = this.readDesc(l1);
    if (d1 === undefined) return FS_WALK_EXTERNAL_L1 | WALK_FAULT;
    const type = d1 & 3;
    // 0b11 is reserved without the PXN extension (Cortex-A9): translation fault.
    if (type === 0 || type === 3) return FS_TRANSLATION_SECTION | WALK_FAULT;
    let domain: number, ap: number, xn: number, ng: number, mem: number, size: number, base: number;
    let section: boolean;
    if (type === 1) {
      domain = (d1 >>> 5) & 15;
      const d2 = this.readDesc((d1 & 0xfffffc00) | ((va >>> 10) & 0x3fc));
      if (d2 === undefined) return FS_WALK_EXTERNAL_L2 | (domain << 8) | WALK_FAULT;
      const t2 = d2 & 3;
      if (t2 === 0) return FS_TRANSLATION_PAGE | (domain << 8) | WALK_FAULT;
      ap = ((d2 >>> 4) & 3) | ((d2 >>> 7) & 4);
      ng = (d2 >>> 11) & 1;
      if (t2 === 1) { // large page, 64 KiB
        size = 16; base = d2 & 0xffff0000; xn = (d2 >>> 15) & 1;
        mem = (((d2 >>> 12) & 7) << 2) | ((d2 >>> 2) & 3) | (((d2 >>> 10) & 1) << 5);
      } else { // small page, 4 KiB
        size = 12; base = d2 & 0xfffff000; xn = d2 & 1;
        mem = (((d2 >>> 6) & 7) << 2) | ((d2 >>> 2) & 3) | (((d2 >>> 10) & 1) << 5);
      }
      section = false;
    } else {
      if ((d1 & (1 << 18)) !== 0) { // supersection, 16 MiB, domain 0; extended PA bits ignored
        size = 24; base = d1 & 0xff000000; domain = 0;
      } else {
        size = 20; base = d1 & 0xfff00000; domain = (d1 >>> 5) & 15;
      }
      ap = ((d1 >>> 10) & 3) | ((d1 >>> 13) & 4);
      xn = (d1 >>> 4) & 1;
      ng = (d1 >>> 17) & 1;
      mem = (((d1 >>> 12) & 7) << 2) | ((d1 >>> 2) & 3) | (((d1 >>> 16) & 1) << 5);
      section = true;
    }
    const afe = (cp.sctlr & SCTLR_AFE) !== 0;
    if (afe && (ap & 1) === 0) {
      return (section ? FS_ACCESS_FLAG_SECTION : FS_ACCESS_FLAG_PAGE) | (domain << 8) | WALK_FAULT;
    }
    this.wBase = base | 0;
    this.wMem = mem;
    this.wAttr = permBits(ap, afe, xn) | (ng ? 0 : A_GLOBAL) | (section ? A_SECTION : 0) |
      (domain << A_DOMAIN_SHIFT) | (size << A_SIZE_SHIFT);
    return 0;
  }

  /**
   * The ATS1C* operations: translates va as a privileged or User read or write
   * without touching the TLB or the fault registers, and returns the PAR value
   * (B4.1.113, short-descriptor format): PA[31:12] and attributes with bit 0
   * clear, or FS in bits 6:1 with bit 0 set.
   */
  translateForPar(va: number, write: boolean, user: boolean): number {
    va >>>= 0;
    if (!this.enabled) {
      // Flat mapping; data accesses are Strongly-ordered (shareable).
      return ((va & 0xfffff000) | (1 << 7) | (0b001 << 4)) >>> 0;
    }
    let f = this.walk(va);
    if (f === 0) f = this.checkFault(this.wAttr, write ? ACCESS_WRITE : ACCESS_READ, user);
    if (f !== 0) {
      const status = f & 0x1f;
      return (((status & 0xf) << 1) | ((status & 0x10) << 1) | 1) >>> 0;
    }
    const size = (this.wAttr >>> A_SIZE_SHIFT) & 31;
    const pa = (this.wBase | (va & ((1 << size) - 1))) >>> 0;
    const attrs = this.parAttributes(this.wMem);
    if (size === 24) return ((pa & 0xff000000) | attrs | 2) >>> 0; // SS: PA[39:32] = 0
    return ((pa & 0xfffff000) | attrs) >>> 0;
  }

  /** NOS, SH, Inner[2:0], Outer[1:0] fields of PAR for TEX/C/B/S (with TEX remap when SCTLR.TRE). */
  private parAttributes(mem: number): number {
    const tex = (mem >>> 2) & 7, cb = mem & 3, s = (mem >>> 5) & 1;
    let inner = 0, outer = 0, sh = 0, nos = 0;
    if ((this.cp15.sctlr & SCTLR_TRE) !== 0) {
      const n = ((tex & 1) << 2) | cb;
      const prrr = this.cp15.prrr, nmrr = this.cp15.nmrr;
      switch ((prrr >>> (2 * n)) & 3) {
        case 0: inner = 0b001; sh = 1; break;
        case 1: inner = 0b011; sh = s ? (prrr >>> 17) & 1 : (prrr >>> 16) & 1; break;
        case 2:
          inner = PAR_INNER_POLICY[(nmrr >>> (2 * n)) & 3];
          outer = (nmrr >>> (16 + 2 * n)) & 3;
          sh = s ? (prrr >>> 19) & 1 : (prrr >>> 18) & 1;
          nos = sh ? (prrr >>> (24 + n)) & 1 : 0;
          break;
        default: break;
      }
    } else if ((tex & 4) !== 0) {
      inner = PAR_INNER_POLICY[cb]; outer = tex & 3; sh = s;
    } else {
      switch ((tex << 2) | cb) {
        case 0b00000: inner = 0b001; sh = 1; break; // Strongly-ordered
        case 0b00001: inner = 0b011; sh = 1; break; // Shareable Device
        case 0b00010: inner = 0b110; outer = 0b10; sh = s; break; // WT, no WA
        case 0b00011: inner = 0b111; outer = 0b11; sh = s; break; // WB, no WA
        case 0b00100: sh = s; break; // Non-cacheable
        case 0b00111: inner = 0b101; outer = 0b01; sh = s; break; // WB, WA
        case 0b01000: inner = 0b011; break; // Non-shareable Device
        default: break; // reserved encodings
      }
    }
    return (nos << 10) | (sh << 7) | (inner << 4) | (outer << 2);
  }

  // ---- TLB maintenance ------------------------------------------------------

  /** Invalidates every TLB entry (TLBIALL and reset). */
  flush(): void {
    this.tlbVpn.fill(-1);
    this.bigEntries = 0;
    this.superEntries = 0;
    this.replaced(-1);
  }

  /** Takes slot i out of the counts of big entries (it is being replaced or dropped). */
  private uncount(i: number): void {
    const size = (this.tlbAttr[i] >>> A_SIZE_SHIFT) & 31;
    if (size > 12) this.bigEntries--;
    if (size > 20) this.superEntries--;
  }

  private drop(i: number): void {
    this.uncount(i);
    this.replaced(this.tlbVpn[i]);
    this.tlbVpn[i] = -1;
  }

  /**
   * Invalidates the entries that translate mva: global ones and, unless
   * allAsids, non-global ones only for the given ASID (TLBIMVA / TLBIMVAA).
   */
  invalidateMva(mva: number, asid: number, allAsids: boolean): void {
    const vpn = mva >>> 12;
    asid &= 0xff;
    if (this.bigEntries === 0) {
      const i = vpn & TLB_MASK;
      if (this.tlbVpn[i] === vpn && this.asidMatches(i, asid, allAsids)) this.drop(i);
      return;
    }
    // An entry holding mva has its page in the block around it: with no
    // supersection, in the 256 pages of its 1 MiB, each in a slot of its own.
    const first = this.superEntries === 0 ? vpn & ~0xff : 0;
    const slots = this.superEntries === 0 ? 256 : TLB_SIZE;
    for (let k = 0; k < slots; k++) {
      const i = (first + k) & TLB_MASK;
      const v = this.tlbVpn[i];
      if (v === -1) continue;
      const shift = ((this.tlbAttr[i] >>> A_SIZE_SHIFT) & 31) - 12;
      if (((v ^ vpn) >>> shift) === 0 && this.asidMatches(i, asid, allAsids)) this.drop(i);
    }
  }

  /** Invalidates the non-global entries of an ASID (TLBIASID). */
  invalidateAsid(asid: number): void {
    asid &= 0xff;
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.tlbVpn[i] !== -1 && (this.tlbAttr[i] & A_GLOBAL) === 0 && this.tlbAsid[i] === asid) this.drop(i);
    }
  }

  private asidMatches(i: number, asid: number, allAsids: boolean): boolean {
    return allAsids || (this.tlbAttr[i] & A_GLOBAL) !== 0 || this.tlbAsid[i] === asid;
  }

  /** Number of valid TLB slots (for tests and statistics). */
  validEntries(): number {
    let n = 0;
    for (let i = 0; i < TLB_SIZE; i++) if (this.tlbVpn[i] !== -1) n++;
    return n;
  }

  // ---- snapshots --------------------------------------------------------------

  /** TLB contents: a guest may rely on stale entries, so replay needs them. */
  snapshot(): MmuSnapshot {
    // Counted first, so that each list is made at its size (recordings take one per chunk).
    let n = 0;
    for (let i = 0; i < TLB_SIZE; i++) if (this.tlbVpn[i] !== -1) n++;
    const vpn = new Array<number>(n), asid = new Array<number>(n), attr = new Array<number>(n), pa = new Array<number>(n);
    for (let i = 0, k = 0; i < TLB_SIZE; i++) {
      if (this.tlbVpn[i] === -1) continue;
      vpn[k] = this.tlbVpn[i]; asid[k] = this.tlbAsid[i]; attr[k] = this.tlbAttr[i]; pa[k] = this.tlbPa[i];
      k++;
    }
    return { vpn, asid, attr, pa };
  }

  restore(s: MmuSnapshot): void {
    this.flush();
    for (let k = 0; k < s.vpn.length; k++) {
      const i = s.vpn[k] & TLB_MASK;
      this.tlbVpn[i] = s.vpn[k]; this.tlbAsid[i] = s.asid[k]; this.tlbAttr[i] = s.attr[k]; this.tlbPa[i] = s.pa[k];
      const size = (s.attr[k] >>> A_SIZE_SHIFT) & 31;
      if (size > 12) this.bigEntries++;
      if (size > 20) this.superEntries++;
    }
  }
}
