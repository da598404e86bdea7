/**
 * Register maps as data: each register is one row (offset, datasheet name,
 * reset value, access, and optionally its fields with their own access
 * modes). RegisterMap does the bookkeeping every device needs: sub-word
 * access, read-only, write-only, write-1-to-clear and reserved bits, unknown
 * offsets logged once as guest errors, reset and keyed snapshots.
 */

import type { DeviceContext } from './device';

export type Access = 'rw' | 'ro' | 'wo' | 'w1c';

/**
 * One field of a register: bits [hi:lo] (or the single bit `bit`) and how
 * they behave. rw: a write stores them; ro: writes leave them; w1c: writing
 * 1 clears them; wo: a write stores them, a read returns 0; reserved: read as
 * zero, writes ignored (RAZ/WI). Bits no field covers are reserved.
 */
export interface RegisterField {
  name: string;
  bits: readonly [hi: number, lo: number] | number;
  access: Access | 'reserved';
}

export interface RegisterDef {
  offset: number;
  name: string;
  reset?: number;
  /** The whole register's access mode (when it has no `fields`). */
  access?: Access;
  /** Bits that a write can change (rw) or clear (w1c); others keep their value. */
  writeMask?: number;
  /** The register's fields with their access modes (instead of access/writeMask). */
  fields?: readonly RegisterField[];
  /** A configuration constant (from the device's properties): a snapshot with another value is of a differently configured device. */
  constant?: boolean;
  /** Computed value (e.g. a counter); replaces the stored value on read. */
  read?: () => number;
  /** Side effect after the stored value has been updated. */
  write?: (value: number, previous: number) => void;
}

/** The masks a register's fields come to: bits stored by a write, cleared by writing 1, and hidden from reads. */
interface FieldMasks { store: number; clear: number; hide: number }

/** The bits of a field as a mask. */
export function fieldMask(f: Pick<RegisterField, 'bits'>): number {
  const [hi, lo] = typeof f.bits === 'number' ? [f.bits, f.bits] : f.bits;
  const width = hi - lo + 1;
  return (width >= 32 ? 0xffffffff : ((1 << width) - 1) << lo) >>> 0;
}

function fieldMasks(d: RegisterDef, where: string): FieldMasks | undefined {
  if (!d.fields) return undefined;
  if (d.access !== undefined || d.writeMask !== undefined) throw new Error(`${where}: register ${d.name} has fields and also access/writeMask`);
  const m: FieldMasks = { store: 0, clear: 0, hide: 0 };
  let covered = 0;
  for (const f of d.fields) {
    const mask = fieldMask(f);
    if (covered & mask) throw new Error(`${where}: fields of register ${d.name} overlap at ${f.name}`);
    covered = (covered | mask) >>> 0;
    if (f.access === 'rw' || f.access === 'wo') m.store |= mask;
    if (f.access === 'w1c') m.clear |= mask;
    if (f.access === 'wo' || f.access === 'reserved') m.hide |= mask;
  }
  m.hide |= ~covered;
  m.store >>>= 0; m.clear >>>= 0; m.hide >>>= 0;
  return m;
}

export class RegisterMap {
  /** Each register by offset, with the masks its fields come to (worked out once, found by the same lookup). */
  private readonly byOffset = new Map<number, { def: RegisterDef; masks: FieldMasks | undefined }>();
  private readonly values = new Map<number, number>();

  constructor(private readonly ctx: DeviceContext, readonly defs: RegisterDef[]) {
    for (const d of defs) {
      if (this.byOffset.has(d.offset)) throw new Error(`${ctx.name}: two registers at offset 0x${d.offset.toString(16)}`);
      this.byOffset.set(d.offset, { def: d, masks: fieldMasks(d, ctx.name) });
    }
    this.reset();
  }

  reset(): void {
    for (const d of this.defs) this.values.set(d.offset, (d.reset ?? 0) >>> 0);
  }

  has(offset: number): boolean { return this.byOffset.has(offset & ~3); }

  /** Stored value of a register by name (for device logic). */
  get(name: string): number {
    const d = this.defs.find((x) => x.name === name);
    if (!d) throw new Error(`${this.ctx.name}: no register ${name}`);
    return this.values.get(d.offset)!;
  }

  set(name: string, value: number): void {
    const d = this.defs.find((x) => x.name === name);
    if (!d) throw new Error(`${this.ctx.name}: no register ${name}`);
    this.values.set(d.offset, value >>> 0);
  }

  getAt(offset: number): number { return this.values.get(offset) ?? 0; }
  setAt(offset: number, value: number): void { this.values.set(offset, value >>> 0); }

  read(offset: number, size: number): number {
    const row = this.byOffset.get(offset & ~3);
    if (!row) {
      this.ctx.guestError(`read of unknown register at offset 0x${offset.toString(16)}`);
      return 0;
    }
    const d = row.def;
    if (d.access === 'wo') {
      this.ctx.guestError(`read of write-only register ${d.name}`);
      return 0;
    }
    let word = d.read ? d.read() >>> 0 : this.values.get(d.offset)!;
    const m = row.masks;
    if (m) word = (word & ~m.hide) >>> 0;
    return subword(word, offset, size);
  }

  write(offset: number, size: number, value: number): void {
    const row = this.byOffset.get(offset & ~3);
    if (!row) {
      this.ctx.guestError(`write of unknown register at offset 0x${offset.toString(16)}`);
      return;
    }
    const d = row.def;
    if (d.access === 'ro') {
      this.ctx.guestError(`write to read-only register ${d.name}`);
      return;
    }
    const old = this.values.get(d.offset)!;
    const shift = (offset & 3) * 8;
    const laneMask = size === 4 ? 0xffffffff : (((1 << (size * 8)) - 1) << shift) >>> 0;
    const v = ((value << shift) & laneMask) >>> 0;
    const fm = row.masks;
    if (fm) {
      const store = (fm.store & laneMask) >>> 0;
      const cleared = (v & fm.clear) >>> 0;
      const next = (((old & ~store) | (v & store)) & ~cleared) >>> 0;
      this.values.set(d.offset, next);
      if (d.write) d.write(next, old);
      return;
    }
    const mask = ((d.writeMask ?? 0xffffffff) & laneMask) >>> 0;
    let next: number;
    if (d.access === 'w1c') next = (old & ~(v & mask)) >>> 0;
    else next = ((old & ~mask) | (v & mask)) >>> 0;
    this.values.set(d.offset, next);
    if (d.write) d.write(d.access === 'w1c' ? v : next, old);
  }

  /** For blocks that decode only 32-bit accesses: other sizes are guest errors and read 0. */
  readWord(offset: number, size: number): number {
    if (size !== 4) {
      this.ctx.guestError(`${size}-byte read at offset 0x${offset.toString(16)} (registers are 32-bit only)`);
      return 0;
    }
    return this.read(offset, 4);
  }

  writeWord(offset: number, size: number, value: number): void {
    if (size !== 4) {
      this.ctx.guestError(`${size}-byte write at offset 0x${offset.toString(16)} ignored (registers are 32-bit only)`);
      return;
    }
    this.write(offset, 4, value >>> 0);
  }

  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const d of this.defs) out[d.name] = this.values.get(d.offset)!;
    return out;
  }

  /** What is wrong with `s` as a snapshot of this map (a register missing, unknown or not a 32-bit number), or undefined. */
  stateProblem(s: Record<string, unknown>): string | undefined {
    for (const d of this.defs) {
      const v = s[d.name];
      if (v === undefined) return `lacks register '${d.name}'`;
      if (!Number.isInteger(v) || (v as number) < -0x80000000 || (v as number) > 0xffffffff) return `has register '${d.name}' = ${JSON.stringify(v)}, not a 32-bit number`;
      const mine = this.values.get(d.offset)!;
      if (d.constant && ((v as number) >>> 0) !== mine) {
        return `has register '${d.name}' configured as 0x${((v as number) >>> 0).toString(16)}, this device as 0x${mine.toString(16)} (a snapshot of a differently configured device)`;
      }
    }
    for (const k of Object.keys(s)) if (!this.defs.some((d) => d.name === k)) return `has register '${k}', which this device does not have`;
    return undefined;
  }

  restore(s: Record<string, unknown>): void {
    for (const d of this.defs) {
      const v = s[d.name];
      if (v === undefined) throw new Error(`${this.ctx.name}: snapshot lacks register ${d.name}`);
      this.values.set(d.offset, Number(v) >>> 0);
    }
  }
}

/** The bytes of a 32-bit register selected by a sub-word access. */
export function subword(word: number, offset: number, size: number): number {
  if (size === 4) return word >>> 0;
  const shift = (offset & 3) * 8;
  return (word >>> shift) & (size === 2 ? 0xffff : 0xff);
}
