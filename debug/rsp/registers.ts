/**
 * The registers gdb sees and their numbers: the target description
 * (qXfer:features:read) and the layout of the `g` packet and of `p N` agree
 * on one table. ARM core registers r0-r15 are 0-15 and CPSR 25, as in gdb's
 * own arm-core.xml (the numbers in between belonged to the FPA registers,
 * which this core does not have); VFPv3-D16 follows: d0-d15 are 26-41,
 * fpscr 42, then fpsid 43 and fpexc 44. The `g` packet holds the registers in
 * that order, without gaps.
 */

import type { CoreRegisters, RegisterName } from '../target';
import { wordLE, parseWordLE } from './packets';

export interface RegisterInfo {
  /** The number gdb uses in `p N` / `P N=` (the XML's regnum). */
  regnum: number;
  name: string;
  bits: 32 | 64;
  read(r: CoreRegisters): number | [number, number];
  /** What setRegister is given; undefined for a read-only register (fpsid). */
  writeAs?: RegisterName;
}

function core(n: number, name: string): RegisterInfo {
  return { regnum: n, name, bits: 32, read: (r) => r.r[n], writeAs: n };
}

export const REGISTERS: readonly RegisterInfo[] = [
  ...Array.from({ length: 13 }, (_, n) => core(n, `r${n}`)),
  core(13, 'sp'), core(14, 'lr'), core(15, 'pc'),
  { regnum: 25, name: 'cpsr', bits: 32, read: (r) => r.cpsr, writeAs: 'cpsr' },
  ...Array.from({ length: 16 }, (_, n): RegisterInfo => ({ regnum: 26 + n, name: `d${n}`, bits: 64, read: (r) => r.d[n], writeAs: `d${n}` })),
  { regnum: 42, name: 'fpscr', bits: 32, read: (r) => r.fpscr, writeAs: 'fpscr' },
  { regnum: 43, name: 'fpsid', bits: 32, read: (r) => r.fpsid },
  { regnum: 44, name: 'fpexc', bits: 32, read: (r) => r.fpexc, writeAs: 'fpexc' },
];

const BY_NUMBER = new Map(REGISTERS.map((r) => [r.regnum, r]));

export function registerByNumber(n: number): RegisterInfo | undefined {
  return BY_NUMBER.get(n);
}

/** One register's value as the protocol sends it (target byte order). */
export function encodeRegister(info: RegisterInfo, regs: CoreRegisters): string {
  const v = info.read(regs);
  return typeof v === 'number' ? wordLE(v) : wordLE(v[0]) + wordLE(v[1]);
}

/** A register value from hex: a number, or [low, high] for a d register; undefined when malformed. */
export function decodeRegister(info: RegisterInfo, text: string): number | [number, number] | undefined {
  if (info.bits === 32) return text.length === 8 ? parseWordLE(text) : undefined;
  if (text.length !== 16) return undefined;
  const lo = parseWordLE(text.slice(0, 8)), hi = parseWordLE(text.slice(8));
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** The `g` reply: every register in regnum order. */
export function encodeAll(regs: CoreRegisters): string {
  return REGISTERS.map((r) => encodeRegister(r, regs)).join('');
}

/** Splits a `G` payload into values per register (a shorter payload covers the first registers); undefined when malformed. */
export function decodeAll(text: string): Array<{ info: RegisterInfo; value: number | [number, number] }> | undefined {
  const out: Array<{ info: RegisterInfo; value: number | [number, number] }> = [];
  let at = 0;
  for (const info of REGISTERS) {
    if (at >= text.length) break;
    const width = info.bits / 4;
    const value = decodeRegister(info, text.slice(at, at + width));
    if (value === undefined) return undefined;
    out.push({ info, value });
    at += width;
  }
  return at === text.length ? out : undefined;
}

const CORE_XML = `<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.arm.core">
${REGISTERS.filter((r) => r.regnum <= 25).map((r) => `  <reg name="${r.name}" bitsize="32" regnum="${r.regnum}"${r.name === 'sp' ? ' type="data_ptr"' : r.name === 'pc' ? ' type="code_ptr"' : ''}/>`).join('\n')}
</feature>
`;

const VFP_XML = `<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.arm.vfp">
${REGISTERS.filter((r) => r.regnum > 25).map((r) => r.bits === 64
    ? `  <reg name="${r.name}" bitsize="64" type="ieee_double" regnum="${r.regnum}"/>`
    : `  <reg name="${r.name}" bitsize="32" type="int" group="float" regnum="${r.regnum}"/>`).join('\n')}
</feature>
`;

const TARGET_XML = `<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>arm</architecture>
  <xi:include href="arm-core.xml"/>
  <xi:include href="arm-vfpv3-d16.xml"/>
</target>
`;

/** The target description files by annex name (target.xml includes the others). */
export const TARGET_FILES: ReadonlyMap<string, string> = new Map([
  ['target.xml', TARGET_XML],
  ['arm-core.xml', CORE_XML],
  ['arm-vfpv3-d16.xml', VFP_XML],
]);
