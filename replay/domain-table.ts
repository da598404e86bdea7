/**
 * A hypervisor's table of domains read from a machine's memory, by the
 * layout its firmware profile gives (scenario/profiles/NAME.yaml,
 * `domain-table`, as a plain object): which domains exist, their names,
 * images, states, ASIDs and CPUs, and which one each CPU runs. Used by the
 * debugger's `monitor domains` and to learn which image runs with which ASID.
 *
 * Read through core 0's translation (where the hypervisor's own symbols
 * are) from RAM only: reading never touches a device, the TLB or the fault
 * registers.
 */

import type { Machine } from '../machine/machine';

/** A field of a domain table entry: where it is and how to read it. */
export interface DomainField {
  offset: number;
  type: 'u32' | 'string' | 'enum';
  /** 'string': the size of the char array. */
  size?: number;
  /** 'enum': the names of the values 0, 1, 2, ... */
  values?: string[];
}

/**
 * An array of `entrySize`-byte entries at `symbol`, `count` of them in use
 * (a u32 variable's symbol, or a number), with fields name (required),
 * image, state, asid, cpu and id; `current`: an array of pointers, one per
 * CPU, to the entry each CPU runs.
 */
export interface DomainTable {
  symbol: string;
  count: string | number;
  entrySize: number;
  fields: { name: DomainField; image?: DomainField; state?: DomainField; asid?: DomainField; cpu?: DomainField; id?: DomainField };
  current?: string;
}

export interface DomainEntry {
  /** The entry's address. */
  at: number;
  index: number;
  name?: string; image?: string; state?: string | number; asid?: number; cpu?: number; id?: number;
}

export interface DomainTableContents {
  base: number;
  count: number;
  entries: DomainEntry[];
  /** Per core: the address of the entry `current` points at (0: none), or undefined without `current`. */
  current: Array<number | undefined>;
}

/** A word of the hypervisor's memory (core 0's translation), or undefined where that is not RAM. */
export function readHypervisorWord(m: Machine, va: number): number | undefined {
  const par = m.cpus[0].mmu.translateForPar(va >>> 0, false, false);
  if (par & 1) return undefined;
  const pa = (par & 2) ? ((par & 0xff000000) | (va & 0x00ffffff)) >>> 0 : ((par & 0xfffff000) | (va & 0xfff)) >>> 0;
  return m.bus.isRam(pa) ? m.bus.read32((pa & ~3) >>> 0) >>> 0 : undefined;
}

/** The table's entries, or a sentence saying why it cannot be read (a symbol missing, memory not set up, a count no table has). */
export function readDomainTable(m: Machine, table: DomainTable, symbol: (name: string) => number | undefined): DomainTableContents | string {
  const read = (va: number) => readHypervisorWord(m, va);
  const readBytes = (va: number, n: number): number[] | undefined => {
    const out: number[] = [];
    for (let a = (va & ~3) >>> 0; a < va + n; a += 4) {
      const w = read(a);
      if (w === undefined) return undefined;
      out.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
    }
    return out.slice(va & 3, (va & 3) + n);
  };
  const base = symbol(table.symbol);
  if (base === undefined) return `no symbol '${table.symbol}' (the domain table) in the hypervisor's image`;
  let count: number | undefined;
  if (typeof table.count === 'number') count = table.count;
  else {
    const at = symbol(table.count);
    if (at === undefined) return `no symbol '${table.count}' (the number of domains) in the hypervisor's image`;
    count = read(at);
  }
  if (count === undefined) return `the domain table at 0x${base.toString(16).padStart(8, '0')} is not readable memory now (before the hypervisor set up its memory?)`;
  if (count > 64) return `the domain count reads ${count}: not a domain table (yet)`;
  const field = (entry: number, f: DomainField | undefined): string | number | undefined => {
    if (!f) return undefined;
    if (f.type === 'string') {
      const b = readBytes(entry + f.offset, f.size ?? 16);
      if (!b) return undefined;
      const end = b.indexOf(0);
      return Buffer.from(b.slice(0, end < 0 ? b.length : end)).toString('latin1');
    }
    const v = read(entry + f.offset);
    if (v === undefined) return undefined;
    return f.type === 'enum' ? (f.values?.[v] ?? `state ${v}`) : v;
  };
  const entries: DomainEntry[] = Array.from({ length: count }, (_, index) => {
    const at = (base + index * table.entrySize) >>> 0;
    const f = table.fields;
    return {
      at, index, name: field(at, f.name) as string | undefined, image: field(at, f.image) as string | undefined, state: field(at, f.state),
      asid: field(at, f.asid) as number | undefined, cpu: field(at, f.cpu) as number | undefined, id: field(at, f.id) as number | undefined,
    };
  });
  const currentAt = table.current === undefined ? undefined : symbol(table.current);
  const current = m.cpus.map((_, k) => (currentAt === undefined ? undefined : read(currentAt + 4 * k)));
  return { base, count, entries, current };
}
