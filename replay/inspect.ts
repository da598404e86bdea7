/**
 * What a person wants to see where a replay stops: registers, the
 * instructions around the PC with symbols, the current address space, the
 * last console lines and the last trace entries.
 */

import type { Machine } from '../machine/machine';
import { MODE_NAMES } from '../machine/cpu/modes';
import { disassemble } from '../machine/cpu/a32/table';
import { disassembleThumb } from '../machine/cpu/t32/table';
import type { ElfSymbol } from '../machine/loaders/elf';
import { AddressSpaces } from './symbols';
import type { ConsoleEntry } from './format';
import { readVirtualWord, virtualToPhysical, type TraceEntry } from './trace';
import type { Replayer } from './replayer';

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

export interface CpuView { pc: number; cpsr: number; mode: string; thumb: boolean; r: number[]; asid: number; ttbr0: number }

/** Core `core`'s registers (default core 0). */
export function cpuView(m: Machine, core = 0): CpuView {
  const c = m.cpus[core] ?? m.cpu;
  return {
    pc: c.pc >>> 0, cpsr: c.cpsr >>> 0, mode: MODE_NAMES[c.mode] ?? String(c.mode), thumb: c.t === 1,
    r: Array.from({ length: 15 }, (_, i) => c.r[i] >>> 0), asid: c.cp15.contextidr & 0xff, ttbr0: c.cp15.ttbr0 >>> 0,
  };
}

/** Symbols for the replay's images, or a bare symbol map (then without section information). */
export type SymbolSource = AddressSpaces | Map<string, ElfSymbol[]>;

export function addressSpaces(symbols: SymbolSource): AddressSpaces {
  return symbols instanceof AddressSpaces ? symbols : AddressSpaces.fromElfSymbols(symbols);
}

/** The code symbol at an address, with the address space of the machine as it is now. */
export function symbolNow(spaces: AddressSpaces, m: Machine, address: number, core = 0): string | undefined {
  const v = m.cpus[core] ?? m.cpu;
  return spaces.symbolAt(address, { machine: m, asid: v.cp15.contextidr & 0xff, mode: MODE_NAMES[v.mode], core });
}

export function formatRegisters(v: CpuView): string[] {
  const out: string[] = [];
  for (let i = 0; i < 15; i += 4) {
    out.push(v.r.slice(i, i + 4).map((x, k) => `${(i + k < 13 ? `r${i + k}` : ['sp', 'lr'][i + k - 13]).padStart(3)} ${hex(x)}`).join('  ') + (i + 4 > 15 ? `   pc ${hex(v.pc)}` : ''));
  }
  const f = v.cpsr >>> 0;
  const flags = `${f & 0x80000000 ? 'N' : 'n'}${f & 0x40000000 ? 'Z' : 'z'}${f & 0x20000000 ? 'C' : 'c'}${f & 0x10000000 ? 'V' : 'v'}`;
  out.push(`cpsr ${hex(f)} (${flags}, mode ${v.mode}${v.thumb ? ', Thumb' : ''}${f & 0x80 ? ', IRQs masked' : ''})   asid ${v.asid}  ttbr0 ${hex(v.ttbr0)}`);
  return out;
}

/** Instructions around the PC, disassembled, the PC's line marked. */
export function disassembleAround(m: Machine, spaces: AddressSpaces, before = 4, after = 4, core = 0, at?: { pc: number; thumb: boolean }): string[] {
  const c = m.cpus[core] ?? m.cpu;
  const pc = at ? at.pc >>> 0 : c.pc >>> 0;
  const thumb = at ? at.thumb : c.t === 1;
  const out: string[] = [];
  const size = thumb ? 2 : 4;
  for (let a = (pc - before * size) >>> 0; out.length < before + after + 1; a = (a + size) >>> 0) {
    const word = readVirtualWord(m, a, core);
    const marker = a === pc ? '=>' : '  ';
    const sym = symbolNow(spaces, m, a, core);
    if (word === undefined) { out.push(`${marker} ${hex(a)}  (not mapped)`); continue; }
    let text: string;
    if (thumb) {
      const hw = (a & 2) ? word >>> 16 : word & 0xffff;
      text = `${hw.toString(16).padStart(4, '0')}      ${disassembleThumb(hw, a, 2)}`;
    } else text = `${hex(word)}  ${disassemble(word, a)}`;
    out.push(`${marker} ${hex(a)}  ${text}${sym ? `   <${sym}>` : ''}`);
  }
  return out;
}

/** A line of recorded console text (one character per byte) as the UTF-8 text the guest printed. */
function decodeLine(bytesAsText: string): string {
  return Buffer.from(bytesAsText, 'latin1').toString('utf8');
}

/** The last `n` console lines of a device written at or before `icount`, decoded as UTF-8. */
export function consoleLinesUntil(entries: ConsoleEntry[], device: string, icount: number, n = 8): Array<{ icount: number; text: string }> {
  const lines: Array<{ icount: number; text: string }> = [];
  let partial = '';
  let at = 0;
  for (const e of entries) {
    if (e.device !== device || e.icount > icount) continue;
    for (const ch of e.text) {
      if (ch === '\r') continue;
      if (ch === '\n') { lines.push({ icount: e.icount, text: decodeLine(partial) }); partial = ''; } else { partial += ch; at = e.icount; }
    }
  }
  if (partial) lines.push({ icount: at, text: decodeLine(partial) });
  return lines.slice(-n);
}

/** Trace entries; their PCs are labelled in the address space `where` (the one at the stop). */
export function formatTraceEntries(entries: TraceEntry[], spaces: AddressSpaces, where: { asid?: number; mode?: string } = {}): string[] {
  return entries.map((e) => {
    const regs = e.regs.map(([r, v]) => `${r === 16 ? 'cpsr' : `r${r}`}=${hex(v)}`).join(' ');
    const mem = e.mem.map(([a, v]) => `[${hex(a)}]=${hex(v)}`).join(' ');
    const sym = spaces.symbolAt(e.pc, where);
    return `${String(e.icount).padStart(12)}  ${hex(e.pc)}${sym ? ` <${sym}>` : ''}  ${regs}${mem ? `  ${mem}` : ''}`.trimEnd();
  });
}

/**
 * Labels recorded exceptions by replaying over them, each PC in the address
 * space in force when it was taken (domains share virtual addresses; the
 * recording keeps only the PC and mode). Leaves the replayer at `end` (at
 * least just past the last exception). Exceptions it does not see keep no label.
 */
export function labelExceptions(replayer: Replayer, spaces: AddressSpaces, events: Array<{ icount: number; pc: number }>, end = 0): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (!events.length) return out;
  const first = Math.min(...events.map((e) => e.icount));
  const last = Math.max(...events.map((e) => e.icount));
  const wanted = new Set(events.map((e) => `${e.icount}:${e.pc >>> 0}`));
  replayer.resetTo(Math.max(0, first - 1));
  const m = replayer.machine;
  const off = m.probes.exception.subscribe((_vector, pc, mode) => {
    const key = `${m.now()}:${pc >>> 0}`;
    if (!wanted.has(key) || out.has(key)) return;
    // The core taking it (on several cores, the one the machine is serving).
    const core = m.currentCore();
    const where = { machine: m, asid: m.cpus[core].cp15.contextidr & 0xff, mode: MODE_NAMES[mode], core };
    if (where.mode === 'usr') spaces.learn(m, core);
    out.set(key, spaces.symbolAt(pc, where));
  });
  try {
    replayer.runTo(Math.max(end, Math.min(last + 1, replayer.rec.lastIcount)));
  } finally {
    off();
  }
  if (end && replayer.icount > end) replayer.runTo(end);
  return out;
}

/** Fault status names, short-descriptor format (ARM ARM B3.13.3, FS[4:0]). */
const FAULT_NAMES: Record<number, string> = {
  0x01: 'Alignment fault',
  0x02: 'Debug event',
  0x03: 'Access flag fault, section',
  0x04: 'Instruction cache maintenance fault',
  0x05: 'Translation fault, section',
  0x06: 'Access flag fault, page',
  0x07: 'Translation fault, page',
  0x08: 'Synchronous external abort, non-translation',
  0x09: 'Domain fault, section',
  0x0b: 'Domain fault, page',
  0x0c: 'Synchronous external abort on translation table walk, first level',
  0x0d: 'Permission fault, section',
  0x0e: 'Synchronous external abort on translation table walk, second level',
  0x0f: 'Permission fault, page',
  0x10: 'TLB conflict abort',
  0x14: 'Implementation defined fault (lockdown)',
  0x16: 'Asynchronous external abort',
  0x18: 'Asynchronous parity error on memory access',
  0x19: 'Synchronous parity error on memory access',
  0x1a: 'Implementation defined fault (coprocessor abort)',
  0x1c: 'Synchronous parity error on translation table walk, first level',
  0x1e: 'Synchronous parity error on translation table walk, second level',
};

/** FS values whose Domain field is valid: faults found in or after the second level, and domain, permission and section access-flag faults. */
const DOMAIN_VALID = new Set([0x03, 0x06, 0x07, 0x09, 0x0b, 0x0d, 0x0e, 0x0f]);
/** External aborts: ExT (bit 12) tells the AXI response (DECERR or SLVERR). */
const EXTERNAL = new Set([0x08, 0x0c, 0x0e, 0x16]);

export interface FaultStatus { status: number; name: string; domain?: number; write?: boolean; external?: string }

/** A DFSR (`data`) or IFSR value decoded: FS[4:0], the domain (DFSR, where it is valid), WnR (DFSR), ExT on external aborts. */
export function decodeFaultStatus(fsr: number, register: 'data' | 'instruction'): FaultStatus {
  const status = (fsr & 0xf) | ((fsr >>> 6) & 0x10);
  const out: FaultStatus = { status, name: FAULT_NAMES[status] ?? `reserved fault status 0x${status.toString(16).padStart(2, '0')}` };
  // IFSR has no Domain field.
  if (register === 'data' && DOMAIN_VALID.has(status)) out.domain = (fsr >>> 4) & 0xf;
  if (register === 'data' && status !== 0x04 && status !== 0x16 && status !== 0x18) out.write = (fsr & (1 << 11)) !== 0;
  if (EXTERNAL.has(status)) out.external = (fsr & (1 << 12)) ? 'SLVERR (slave error)' : 'DECERR (decode error)';
  return out;
}

/** `Translation fault, page, domain 0, write`: the parts of a decoded status, one phrase. */
export function describeFaultStatus(f: FaultStatus): string {
  return [f.name, f.domain === undefined ? '' : `domain ${f.domain}`, f.write === undefined ? '' : f.write ? 'write' : 'read', f.external ? `external abort type ${f.external}` : '']
    .filter((s) => s).join(', ');
}

/** The fault registers of a core: DFSR/DFAR and IFSR/IFAR as words. */
export interface FaultRegisters { dfsr: number; dfar: number; ifsr: number; ifar: number }

export function faultRegisters(m: Machine, core = 0): FaultRegisters {
  const cp = (m.cpus[core] ?? m.cpu).cp15;
  return { dfsr: cp.dfsr >>> 0, dfar: cp.dfar >>> 0, ifsr: cp.ifsr >>> 0, ifar: cp.ifar >>> 0 };
}

/** Whether a core's fault registers hold anything (they reset to zero and are written only by aborts, or by software). */
export function faultRegistersSet(f: FaultRegisters): boolean {
  return (f.dfsr | f.dfar | f.ifsr | f.ifar) !== 0;
}

/**
 * The fault registers decoded, two lines: the data side (DFSR, DFAR) and the
 * instruction side (IFSR, IFAR). A side whose status is zero says so.
 */
export function formatFaultRegisters(f: FaultRegisters): string[] {
  const data = f.dfsr || f.dfar
    ? `DFSR ${hex(f.dfsr)}: ${describeFaultStatus(decodeFaultStatus(f.dfsr, 'data'))}; DFAR ${hex(f.dfar)}`
    : 'DFSR 00000000, DFAR 00000000 (no data abort recorded)';
  const instr = f.ifsr || f.ifar
    ? `IFSR ${hex(f.ifsr)}: ${describeFaultStatus(decodeFaultStatus(f.ifsr, 'instruction'))}; IFAR ${hex(f.ifar)}`
    : 'IFSR 00000000, IFAR 00000000 (no prefetch abort recorded)';
  return [data, instr];
}

/** Why a virtual address does not translate on a core (the fault a privileged read would raise), or undefined when it does. */
export function translationFault(m: Machine, va: number, core = 0): string | undefined {
  const cpu = m.cpus[core] ?? m.cpu;
  const par = cpu.mmu.translateForPar(va >>> 0, false, false);
  if (!(par & 1)) return undefined;
  return faultStatusName((par >>> 1) & 0x1f);
}

/** The name of a fault status FS[4:0] (as PAR bits 5:1 give it). */
export function faultStatusName(fs: number): string {
  return FAULT_NAMES[fs & 0x1f] ?? `reserved fault status 0x${(fs & 0x1f).toString(16).padStart(2, '0')}`;
}

/**
 * `LEN` bytes at virtual address `va` read through core `core`'s current
 * translation, as hex and ASCII, 16 to a line. Throws an Error naming the
 * first address that does not translate, or that is not memory (a device
 * register, which a read could change).
 */
export function dumpMemory(m: Machine, va: number, length: number, core = 0): string[] {
  const bytes: number[] = [];
  for (let a = va >>> 0, left = length; left > 0;) {
    const fault = translationFault(m, a, core);
    if (fault) throw new Error(`address 0x${hex(a)} does not translate on core ${core} (${fault})`);
    const pa = virtualToPhysical(m, a, core)!;
    if (!m.bus.isRam(pa)) throw new Error(`address 0x${hex(a)} (physical 0x${hex(pa)}) is not memory on core ${core}: a device or unmapped bus range, not dumped`);
    const n = Math.min(left, 0x1000 - (a & 0xfff));
    const chunk = m.bus.readBytes(pa, n);
    for (const b of chunk) bytes.push(b);
    left -= n;
    a = (a + n) >>> 0;
  }
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.slice(i, i + 16);
    const hexPart = row.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out.push(`${hex((va + i) >>> 0)}  ${hexPart.padEnd(47)}  |${ascii}|`);
  }
  return out;
}
