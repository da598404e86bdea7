/**
 * Register maps as data: each register is one row (offset, datasheet name,
 * reset value, access). RegisterMap does the bookkeeping every device needs:
 * sub-word access, read-only and write-1-to-clear bits, unknown offsets logged
 * once as guest errors, reset and keyed snapshots.
 */

import type { DeviceContext } from './device';

export type Access = 'rw' | 'ro' | 'wo' | 'w1c';

export interface RegisterDef {
  offset: number;
  name: string;
  reset?: number;
  access?: Access;
  /** Bits that a write can change (rw) or clear (w1c); others keep their value. */
  writeMask?: number;
  /** Computed value (e.g. a counter); replaces the stored value on read. */
  read?: () => number;
  /** Side effect after the stored value has been updated. */
  write?: (value: number, previous: number) => void;
}

export class RegisterMap {
  private readonly byOffset = new Map<number, RegisterDef>();
  private readonly values = new Map<number, number>();

  constructor(private readonly ctx: DeviceContext, readonly defs: RegisterDef[]) {
    for (const d of defs) {
      if (this.byOffset.has(d.offset)) throw new Error(`${ctx.name}: two registers at offset 0x${d.offset.toString(16)}`);
      this.byOffset.set(d.offset, d);
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
    const d = this.byOffset.get(offset & ~3);
    if (!d) {
      this.ctx.guestError(`read of unknown register at offset 0x${offset.toString(16)}`);
      return 0;
    }
    if (d.access === 'wo') {
      this.ctx.guestError(`read of write-only register ${d.name}`);
      return 0;
    }
    const word = d.read ? d.read() >>> 0 : this.values.get(d.offset)!;
    return subword(word, offset, size);
  }

  write(offset: number, size: number, value: number): void {
    const d = this.byOffset.get(offset & ~3);
    if (!d) {
      this.ctx.guestError(`write of unknown register at offset 0x${offset.toString(16)}`);
      return;
    }
    if (d.access === 'ro') {
      this.ctx.guestError(`write to read-only register ${d.name}`);
      return;
    }
    const old = this.values.get(d.offset)!;
    const shift = (offset & 3) * 8;
    const laneMask = size === 4 ? 0xffffffff : (((1 << (size * 8)) - 1) << shift) >>> 0;
    const v = ((value << shift) & laneMask) >>> 0;
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
