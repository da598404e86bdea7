/**
 * The physical bus: RAM regions backed by typed arrays and MMIO devices,
 * looked up through a per-4KiB-page map. An access to an address with nothing
 * behind it is reported to the caller as a bus error (the CPU turns that into a
 * synchronous external abort).
 */

import { Probe } from './probes';

export interface MmioDevice {
  readonly name: string;
  /** size is 1, 2 or 4; offset is relative to the mapping's base. */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

export class RamRegion {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  /** Other bus addresses at which the same storage appears (e.g. vexpress low-memory alias). */
  readonly aliasBases: number[] = [];
  /** `at`: where the region's bytes start in `buffer` (a page multiple). */
  constructor(readonly name: string, readonly base: number, readonly size: number, buffer?: ArrayBuffer, at = 0) {
    const buf = buffer ?? new ArrayBuffer(size);
    this.u8 = new Uint8Array(buf, at, size);
    // Division, not >>>: a bank may be the whole 4 GiB (size 2^32).
    this.u16 = new Uint16Array(buf, at, Math.floor(size / 2));
    this.i32 = new Int32Array(buf, at, Math.floor(size / 4));
  }
}

/**
 * Views of the one buffer that holds every RAM bank of a board (Bus.addRamBanks),
 * so that the compiled code's fast path (cpu/jit/data-tlb.ts) reaches any
 * of them through the same three arrays, by a byte offset into the buffer.
 * Empty until the banks are allocated; not replaced after that.
 */
export interface RamArena {
  u8: Uint8Array;
  u16: Uint16Array;
  i32: Int32Array;
}

/**
 * The largest arena: offsets into it stay positive int32 values. Banks
 * larger together get a buffer each, and no fast path.
 */
const ARENA_LIMIT = 0x80000000;

interface MmioMapping { device: MmioDevice; base: number; size: number }

/** Thrown by the bus for an access to an unmapped physical address. */
export class BusError {
  constructor(readonly address: number, readonly write: boolean) {}
}

const PAGE_SHIFT = 12;
const PAGES = 1 << (32 - PAGE_SHIFT);

export class Bus {
  readonly regions: RamRegion[] = [];
  readonly mmio: MmioMapping[] = [];
  /**
   * Lists of the MMIO mappings overlapping a page (several devices may share a
   * 4 KiB page). Pages with the same mappings share one list, so a large window
   * (a 128 MiB tagged flash range) costs one list, not one per page.
   */
  private readonly mmioPages: MmioMapping[][] = [];
  /**
   * Per page: 0 = nothing, n > 0 = RAM region n-1, n < 0 = MMIO page list -n-1.
   * 32-bit entries: every one of the 2^20 pages can hold a distinct tag.
   */
  private readonly pageMap = new Int32Array(PAGES);
  /** Pages holding decoded instructions; a write to one is told to codeWriteProbe. */
  readonly codePages = new Uint8Array(PAGES);
  /** A write to a page marked in codePages (the CPU, its first subscriber, drops its decoded copy). */
  readonly codeWriteProbe = new Probe<[page: number]>();
  /**
   * RAM pages whose writes the bus must see again: their dirty marks were
   * cleared, or they came to hold decoded code (watchCode). Whoever writes
   * RAM past the bus (the compiled code's store fast path) forgets them.
   */
  readonly writeWatchProbe = new Probe<[]>();
  /**
   * Pages of RAM written since the last takeDirtyPages (chunk hashes and
   * checkpoints cover only those), as marks and as a list, so that taking
   * them costs the pages written, not the size of RAM. Marked by bus address:
   * an aliased page is marked where it was written.
   */
  private readonly dirtyMarks = new Uint8Array(PAGES);
  private dirtyList: number[] = [];
  /**
   * Pages of RAM ever written (by bus address), so that a snapshot or a
   * restore costs the pages in use, not the size of RAM (1 GiB boards).
   * Marked together with the dirty marks, so the write paths pay nothing more.
   */
  private readonly touchedMarks = new Uint8Array(PAGES);
  private readonly touchedList: number[] = [];
  /** MMIO writes, before the device sees them (recordings of different builds compare them). */
  readonly mmioWriteProbe = new Probe<[pa: number, size: number, value: number]>();
  /** MMIO reads, after the device answered. */
  readonly mmioReadProbe = new Probe<[pa: number, size: number, value: number]>();

  private markDirty(page: number): void {
    this.dirtyMarks[page] = 1;
    this.dirtyList.push(page);
    if (this.touchedMarks[page] === 0) this.markTouched(page);
  }

  private markTouched(page: number): void {
    this.touchedMarks[page] = 1;
    this.touchedList.push(page);
  }

  /**
   * The pages of `region` that were ever written, through its own addresses
   * or an alias of it, as page indexes within the region, in order. Every
   * other page of the region is still zero.
   */
  touchedPages(region: RamRegion): number[] {
    const out = new Set<number>();
    for (const p of this.touchedList) {
      const pa = (p << PAGE_SHIFT) >>> 0;
      const r = this.ramAt(pa);
      if (!r || r.u8.buffer !== region.u8.buffer) continue;
      const index = (pa - r.base + (r.u8.byteOffset - region.u8.byteOffset)) >>> PAGE_SHIFT;
      if (index < region.size >>> PAGE_SHIFT) out.add(index);
    }
    return [...out].sort((a, b) => a - b);
  }

  /**
   * Sets a page of a region (restoring a snapshot): the page counts as
   * written from now on (it is not marked dirty: a restore is not a write of
   * the run).
   */
  restorePage(region: RamRegion, index: number, bytes: Uint8Array | undefined): void {
    const off = index << PAGE_SHIFT;
    if (bytes) region.u8.set(bytes, off); else region.u8.fill(0, off, off + (1 << PAGE_SHIFT));
    const page = (region.base + off) >>> PAGE_SHIFT;
    if (this.touchedMarks[page] === 0) this.markTouched(page);
  }

  /** The RAM pages written since the last call, by region (in the order added) then address; clears the marks. */
  takeDirtyPages(): number[] {
    const pages = this.dirtyList;
    this.dirtyList = [];
    if (this.writeWatchProbe.active) this.writeWatchProbe.emit();
    for (const p of pages) this.dirtyMarks[p] = 0;
    const map = this.pageMap;
    return pages.sort((a, b) => map[a] - map[b] || a - b);
  }

  /** The pages takeDirtyPages would return, in its order, without clearing the marks. */
  peekDirtyPages(): number[] {
    const map = this.pageMap;
    return [...this.dirtyList].sort((a, b) => map[a] - map[b] || a - b);
  }

  /** Forgets the writes so far (after boot, after a checkpoint restore). */
  clearDirtyPages(): void {
    for (const p of this.dirtyList) this.dirtyMarks[p] = 0;
    this.dirtyList = [];
    if (this.writeWatchProbe.active) this.writeWatchProbe.emit();
  }

  /** The buffer of every RAM bank, when the board's banks were allocated together (addRamBanks). */
  readonly arena: RamArena = { u8: new Uint8Array(0), u16: new Uint16Array(0), i32: new Int32Array(0) };

  /**
   * Adds the board's RAM banks, in one buffer, the arena, when this bus has
   * no RAM yet and they fit ARENA_LIMIT (each bank then a view of its part),
   * else in a buffer each, outside the arena.
   */
  addRamBanks(banks: ReadonlyArray<{ name: string; base: number; size: number }>): RamRegion[] {
    for (const b of banks) checkWindow(`RAM ${b.name}`, b.base, b.size, 0x1000);
    const total = banks.reduce((sum, b) => sum + b.size, 0);
    const shared = this.regions.length === 0 && total <= ARENA_LIMIT;
    const buffer = shared ? new ArrayBuffer(total) : undefined;
    let at = 0;
    const added = banks.map((b) => {
      const r = buffer === undefined ? new RamRegion(b.name, b.base >>> 0, b.size) : new RamRegion(b.name, b.base >>> 0, b.size, buffer, at);
      at += b.size;
      this.regions.push(r);
      this.mapPages(b.base, b.size, this.regions.length);
      return r;
    });
    if (buffer !== undefined) {
      this.arena.u8 = new Uint8Array(buffer);
      this.arena.u16 = new Uint16Array(buffer);
      this.arena.i32 = new Int32Array(buffer);
    }
    return added;
  }

  /** One RAM bank (addRamBanks): the arena when it is the bus's first. */
  addRam(name: string, base: number, size: number): RamRegion {
    return this.addRamBanks([{ name, base, size }])[0];
  }

  /** Maps the first `size` bytes of an existing region again at `base`. */
  addRamAlias(name: string, base: number, target: RamRegion, size: number): RamRegion {
    checkWindow(`RAM alias ${name}`, base, size, 0x1000);
    const r = new RamRegion(name, base >>> 0, Math.min(size, target.size), target.u8.buffer as ArrayBuffer, target.u8.byteOffset);
    target.aliasBases.push(r.base);
    r.aliasBases.push(target.base);
    this.regions.push(r);
    this.mapPages(base, r.size, this.regions.length);
    return r;
  }

  /** Every page number at which the storage of `page` is visible (itself first). */
  pagesSharing(page: number): number[] {
    const r = this.ramAt((page << PAGE_SHIFT) >>> 0);
    if (!r || r.aliasBases.length === 0) return [page];
    const off = ((page << PAGE_SHIFT) >>> 0) - r.base;
    const out = [page];
    for (const b of r.aliasBases) {
      const other = this.ramAt(b);
      if (other && off < other.size) out.push((b + off) >>> PAGE_SHIFT);
    }
    return out;
  }

  /** Maps a device window; windows may share a page but not overlap each other. */
  addMmio(device: MmioDevice, base: number, size: number): void {
    checkWindow(`MMIO ${device.name}`, base, size, 1);
    base >>>= 0;
    const m: MmioMapping = { device, base, size };
    for (const o of this.mmio) {
      if (base < o.base + o.size && o.base < base + size) {
        throw new Error(`bus: ${device.name} at 0x${base.toString(16)} overlaps ${o.device.name} at 0x${o.base.toString(16)}`);
      }
    }
    this.mmio.push(m);
    const first = base >>> PAGE_SHIFT;
    const last = (base + size - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) {
      if (this.pageMap[p] > 0) throw new Error(`bus: ${device.name} at 0x${base.toString(16)} overlaps RAM`);
    }
    // A page this window shares with others gets a list of its own (copied, as
    // lists are shared); the pages only it covers share one list.
    let own = 0;
    for (let p = first; p <= last; p++) {
      const t = this.pageMap[p];
      if (t < 0) {
        this.mmioPages.push([...this.mmioPages[-t - 1], m]);
        this.pageMap[p] = -this.mmioPages.length;
        continue;
      }
      if (own === 0) { this.mmioPages.push([m]); own = -this.mmioPages.length; }
      this.pageMap[p] = own;
    }
  }

  private mapPages(base: number, size: number, tag: number): void {
    const first = base >>> PAGE_SHIFT;
    const last = ((base >>> 0) + size - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) {
      if (this.pageMap[p] !== 0) throw new Error(`bus: overlapping mapping at 0x${(p << PAGE_SHIFT >>> 0).toString(16)}`);
      this.pageMap[p] = tag;
    }
  }

  isRam(pa: number): boolean {
    return this.pageMap[pa >>> PAGE_SHIFT] > 0;
  }

  /** The RAM region containing pa, or undefined. */
  ramAt(pa: number): RamRegion | undefined {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    return t > 0 ? this.regions[t - 1] : undefined;
  }

  // Accesses below are naturally aligned; the CPU splits unaligned ones.

  read32(pa: number): number {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { const r = this.regions[t - 1]; return r.i32[(pa - r.base) >>> 2]; }
    return this.mmioRead(t, pa, 4);
  }

  read16(pa: number): number {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { const r = this.regions[t - 1]; return r.u16[(pa - r.base) >>> 1]; }
    return this.mmioRead(t, pa, 2) & 0xffff;
  }

  read8(pa: number): number {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { const r = this.regions[t - 1]; return r.u8[pa - r.base]; }
    return this.mmioRead(t, pa, 1) & 0xff;
  }

  write32(pa: number, v: number): void {
    const page = pa >>> PAGE_SHIFT;
    const t = this.pageMap[page];
    if (t > 0) {
      const r = this.regions[t - 1]; r.i32[(pa - r.base) >>> 2] = v;
      if (this.dirtyMarks[page] === 0) this.markDirty(page);
      if (this.codePages[page] !== 0) this.codeWriteProbe.emit(page);
      return;
    }
    this.mmioWrite(t, pa, 4, v);
  }

  write16(pa: number, v: number): void {
    const page = pa >>> PAGE_SHIFT;
    const t = this.pageMap[page];
    if (t > 0) {
      const r = this.regions[t - 1]; r.u16[(pa - r.base) >>> 1] = v;
      if (this.dirtyMarks[page] === 0) this.markDirty(page);
      if (this.codePages[page] !== 0) this.codeWriteProbe.emit(page);
      return;
    }
    this.mmioWrite(t, pa, 2, v & 0xffff);
  }

  write8(pa: number, v: number): void {
    const page = pa >>> PAGE_SHIFT;
    const t = this.pageMap[page];
    if (t > 0) {
      const r = this.regions[t - 1]; r.u8[pa - r.base] = v;
      if (this.dirtyMarks[page] === 0) this.markDirty(page);
      if (this.codePages[page] !== 0) this.codeWriteProbe.emit(page);
      return;
    }
    this.mmioWrite(t, pa, 1, v & 0xff);
  }

  private findMapping(t: number, pa: number): MmioMapping | undefined {
    if (t === 0) return undefined;
    const list = this.mmioPages[-t - 1];
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      if (((pa - m.base) >>> 0) < m.size) return m;
    }
    return undefined;
  }

  private mmioRead(t: number, pa: number, size: number): number {
    const m = this.findMapping(t, pa);
    if (m === undefined) throw new BusError(pa >>> 0, false);
    const v = m.device.read((pa >>> 0) - m.base, size) | 0;
    if (this.mmioReadProbe.active) this.mmioReadProbe.emit(pa >>> 0, size, size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff));
    return v;
  }

  private mmioWrite(t: number, pa: number, size: number, v: number): void {
    const m = this.findMapping(t, pa);
    if (m === undefined) throw new BusError(pa >>> 0, true);
    if (this.mmioWriteProbe.active) this.mmioWriteProbe.emit(pa >>> 0, size, v);
    m.device.write((pa >>> 0) - m.base, size, v);
  }

  // Data accesses of the CPU: as above, but an access with nothing behind it
  // calls dataAbort with the virtual address, which raises the abort itself:
  // one throw per abort instead of a BusError caught and turned into another.

  /** Raises the synchronous external abort of a CPU data access to va (set by the CPU; must throw). */
  dataAbort: (va: number, write: boolean) => never = (va, write) => { throw new BusError(va >>> 0, write); };

  /** Flags the page of decoded code (and its aliases): writes to it reach codeWriteProbe. */
  watchCode(page: number): void {
    for (const q of this.pagesSharing(page)) this.codePages[q] = 1;
    if (this.writeWatchProbe.active) this.writeWatchProbe.emit();
  }

  /**
   * The RAM region of pa's page when a write there needs nothing from the
   * bus but the store: the page is already marked written and holds no
   * decoded code; else undefined.
   */
  quietRamAt(pa: number): RamRegion | undefined {
    const page = pa >>> PAGE_SHIFT;
    const t = this.pageMap[page];
    return t > 0 && this.dirtyMarks[page] !== 0 && this.codePages[page] === 0 ? this.regions[t - 1] : undefined;
  }

  /** The RAM region holding the page of pa, or undefined when a device or nothing is there. */
  ramRegionAt(pa: number): RamRegion | undefined {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    return t > 0 ? this.regions[t - 1] : undefined;
  }

  readData32(pa: number, va: number): number {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { const r = this.regions[t - 1]; return r.i32[(pa - r.base) >>> 2]; }
    return this.mmioReadData(t, pa, 4, va);
  }

  readData16(pa: number, va: number): number {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { const r = this.regions[t - 1]; return r.u16[(pa - r.base) >>> 1]; }
    return this.mmioReadData(t, pa, 2, va) & 0xffff;
  }

  readData8(pa: number, va: number): number {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { const r = this.regions[t - 1]; return r.u8[pa - r.base]; }
    return this.mmioReadData(t, pa, 1, va) & 0xff;
  }

  writeData32(pa: number, v: number, va: number): void {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { this.write32(pa, v); return; }
    this.mmioWriteData(t, pa, 4, v, va);
  }

  writeData16(pa: number, v: number, va: number): void {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { this.write16(pa, v); return; }
    this.mmioWriteData(t, pa, 2, v & 0xffff, va);
  }

  writeData8(pa: number, v: number, va: number): void {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t > 0) { this.write8(pa, v); return; }
    this.mmioWriteData(t, pa, 1, v & 0xff, va);
  }

  private mmioReadData(t: number, pa: number, size: number, va: number): number {
    const m = this.findMapping(t, pa);
    if (m === undefined) this.dataAbort(va, false);
    const v = m.device.read((pa >>> 0) - m.base, size) | 0;
    if (this.mmioReadProbe.active) this.mmioReadProbe.emit(pa >>> 0, size, size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff));
    return v;
  }

  private mmioWriteData(t: number, pa: number, size: number, v: number, va: number): void {
    const m = this.findMapping(t, pa);
    if (m === undefined) this.dataAbort(va, true);
    if (this.mmioWriteProbe.active) this.mmioWriteProbe.emit(pa >>> 0, size, v);
    m.device.write((pa >>> 0) - m.base, size, v);
  }

  /** True if anything (RAM or a device window) answers at pa. */
  isMapped(pa: number): boolean {
    const t = this.pageMap[pa >>> PAGE_SHIFT];
    if (t >= 0) return t > 0;
    const list = this.mmioPages[-t - 1];
    for (let i = 0; i < list.length; i++) if ((((pa >>> 0) - list[i].base) >>> 0) < list[i].size) return true;
    return false;
  }

  /** Copies bytes into RAM (loaders); throws if any byte is not RAM. */
  loadBytes(pa: number, data: Uint8Array): void {
    if (pa + data.length > 0x100000000) throw new Error(`no RAM at physical address 0x100000000 (past the 4 GiB address space)`);
    for (let i = 0; i < data.length;) {
      const r = this.ramAt((pa + i) >>> 0);
      if (!r) throw new Error(`no RAM at physical address 0x${((pa + i) >>> 0).toString(16)}`);
      const off = ((pa + i) >>> 0) - r.base;
      const n = Math.min(data.length - i, r.size - off);
      r.u8.set(data.subarray(i, i + n), off);
      for (let p = (r.base + off) >>> PAGE_SHIFT; p <= ((r.base + off + n - 1) >>> PAGE_SHIFT); p++) {
        if (this.dirtyMarks[p] === 0) this.markDirty(p);
        if (this.codePages[p] !== 0) this.codeWriteProbe.emit(p);
      }
      i += n;
    }
  }

  /**
   * The 4 KiB RAM page holding pa as a view into its region, not a copy
   * (hashing the pages a chunk wrote need not copy them): read it before
   * the page is written again.
   */
  ramPage(pa: number): Uint8Array {
    const page = (pa & ~0xfff) >>> 0;
    const r = this.ramAt(page);
    if (!r) throw new Error(`no RAM at physical address 0x${page.toString(16)}`);
    const off = page - r.base;
    return r.u8.subarray(off, off + 0x1000);
  }

  /** Reads bytes from RAM for inspection (debuggers, tests, semihosting). */
  readBytes(pa: number, len: number): Uint8Array {
    if (pa + len > 0x100000000) throw new Error(`no RAM at physical address 0x100000000 (past the 4 GiB address space)`);
    const out = new Uint8Array(len);
    for (let i = 0; i < len;) {
      const r = this.ramAt((pa + i) >>> 0);
      if (!r) throw new Error(`no RAM at physical address 0x${((pa + i) >>> 0).toString(16)}`);
      const off = ((pa + i) >>> 0) - r.base;
      const n = Math.min(len - i, r.size - off);
      out.set(r.u8.subarray(off, off + n), i);
      i += n;
    }
    return out;
  }
}

/**
 * Refuses a window the page map cannot represent: empty, not aligned, or
 * reaching past the 4 GiB physical address space (board files are checked
 * earlier, with file and line; this guards other callers).
 */
function checkWindow(what: string, base: number, size: number, align: number): void {
  if (!Number.isInteger(base) || base < 0 || base > 0xffffffff) throw new Error(`${what}: base 0x${base.toString(16)} is not a 32-bit address`);
  if (!Number.isInteger(size) || size <= 0) throw new Error(`${what}: size must be a positive integer (got ${size})`);
  if (base + size > 0x100000000) throw new Error(`${what}: 0x${base.toString(16)} + 0x${size.toString(16)} ends past the 4 GiB address space`);
  if (align > 1 && (base % align !== 0 || size % align !== 0)) throw new Error(`${what}: base and size must be multiples of ${align === 0x1000 ? '4 KiB' : align}`);
}
