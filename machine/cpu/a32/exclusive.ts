/**
 * Synchronization primitives: LDREX/STREX in every size, CLREX, and SWP/SWPB.
 *
 * The local exclusive monitor is cpu.monitorActive plus the physical address
 * marked by the last Load-Exclusive. A Store-Exclusive passes only if the
 * monitor is in the Exclusive state for exactly that address (the Cortex-A9
 * tags an 8-word granule; software must not rely on the granule size, so the
 * exact match is a valid, stricter implementation). The access size is not
 * compared: a size mismatch is UNPREDICTABLE in the architecture. Every
 * Store-Exclusive returns the monitor to the Open state, pass or fail.
 *
 * Exception entry and return leave the monitor unchanged: the ARMv7 ARM lets
 * an implementation clear it on an exception return but does not require it,
 * and software must execute CLREX (or a dummy STREX) on a context switch.
 *
 * The alignment and permission checks of a Store-Exclusive come before the
 * monitor check, so an unaligned STREX faults even when it would have failed.
 */

import { fieldsOf, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { ACC_ALIGN } from '../access-flags';
import { cond, reg } from './syntax';

/** SCTLR.SW: SWP/SWPB enable (ARMv7 Multiprocessing Extensions). */
const SCTLR_SW = 1 << 10;

// ---- field layouts (each row lists the ones its handler and disassembler read) ----

/** Exclusive loads: Rn, Rt. */
const LDX = fieldsOf('---- ---- ---- nnnn tttt ---- ---- ----');
/** Exclusive stores: Rn, the status register Rd, Rt. */
const STX = fieldsOf('---- ---- ---- nnnn dddd ---- ---- tttt');
/** SWP, SWPB: Rn, Rt, Rt2. */
const SWP = fieldsOf('---- ---- ---- nnnn tttt ---- ---- mmmm');

/** Marks the physical address of va in the local monitor (after the load has succeeded). */
export function markExclusive(cpu: Cpu, va: number): void {
  cpu.monitorAddr = cpu.translateData(va, false);
  cpu.monitorActive = true;
}

/**
 * ExclusiveMonitorsPass: alignment fault, then translation (which may fault),
 * then the monitor check; the monitor is closed in every case that gets that far.
 */
export function exclusivePass(cpu: Cpu, va: number, size: number): boolean {
  cpu.checkAlignment(va, size, true);
  const pa = cpu.translateData(va, true);
  const pass = cpu.monitorActive && cpu.monitorAddr === pa;
  cpu.monitorActive = false;
  cpu.monitorAddr = -1;
  return pass;
}

function clearExclusive(cpu: Cpu): void {
  cpu.monitorActive = false;
  cpu.monitorAddr = -1;
}

function ldrex(cpu: Cpu, insn: number): void {
  const addr = cpu.r[LDX.n(insn)];
  const v = cpu.read32(addr, ACC_ALIGN);
  markExclusive(cpu, addr);
  cpu.r[LDX.t(insn)] = v;
}

function ldrexh(cpu: Cpu, insn: number): void {
  const addr = cpu.r[LDX.n(insn)];
  const v = cpu.read16(addr, ACC_ALIGN);
  markExclusive(cpu, addr);
  cpu.r[LDX.t(insn)] = v;
}

function ldrexb(cpu: Cpu, insn: number): void {
  const addr = cpu.r[LDX.n(insn)];
  const v = cpu.read8(addr);
  markExclusive(cpu, addr);
  cpu.r[LDX.t(insn)] = v;
}

// LDREXD needs doubleword alignment (MemA[address,8]); Rt from address, Rt2 from address+4.
function ldrexd(cpu: Cpu, insn: number): void {
  const addr = cpu.r[LDX.n(insn)];
  cpu.checkAlignment(addr, 8, false);
  const lo = cpu.read32(addr, ACC_ALIGN);
  const hi = cpu.read32((addr + 4) | 0, ACC_ALIGN);
  markExclusive(cpu, addr);
  const t = LDX.t(insn);
  cpu.r[t] = lo;
  cpu.r[t + 1] = hi;
}

function strex(cpu: Cpu, insn: number): void {
  const addr = cpu.r[STX.n(insn)];
  const d = STX.d(insn);
  if (exclusivePass(cpu, addr, 4)) {
    cpu.write32(addr, cpu.r[STX.t(insn)], ACC_ALIGN);
    cpu.r[d] = 0;
  } else {
    cpu.r[d] = 1;
  }
}

function strexh(cpu: Cpu, insn: number): void {
  const addr = cpu.r[STX.n(insn)];
  const d = STX.d(insn);
  if (exclusivePass(cpu, addr, 2)) {
    cpu.write16(addr, cpu.r[STX.t(insn)] & 0xffff, ACC_ALIGN);
    cpu.r[d] = 0;
  } else {
    cpu.r[d] = 1;
  }
}

function strexb(cpu: Cpu, insn: number): void {
  const addr = cpu.r[STX.n(insn)];
  const d = STX.d(insn);
  if (exclusivePass(cpu, addr, 1)) {
    cpu.write8(addr, cpu.r[STX.t(insn)] & 0xff);
    cpu.r[d] = 0;
  } else {
    cpu.r[d] = 1;
  }
}

function strexd(cpu: Cpu, insn: number): void {
  const addr = cpu.r[STX.n(insn)];
  const d = STX.d(insn), t = STX.t(insn);
  if (exclusivePass(cpu, addr, 8)) {
    cpu.write32(addr, cpu.r[t], ACC_ALIGN);
    cpu.write32((addr + 4) | 0, cpu.r[t + 1], ACC_ALIGN);
    cpu.r[d] = 0;
  } else {
    cpu.r[d] = 1;
  }
}

// SWP/SWPB: the load and the store are one atomic access (nothing else runs
// in between in this simulator); Rt is written only after both succeeded.
function swp(cpu: Cpu, insn: number): void {
  if ((cpu.cp15.sctlr & SCTLR_SW) === 0) {
    cpu.undefinedInstruction('SWP/SWPB with SCTLR.SW clear');
    return;
  }
  const addr = cpu.r[SWP.n(insn)];
  const data = cpu.read32(addr, ACC_ALIGN);
  cpu.write32(addr, cpu.r[SWP.m(insn)], ACC_ALIGN);
  cpu.r[SWP.t(insn)] = data;
}

function swpb(cpu: Cpu, insn: number): void {
  if ((cpu.cp15.sctlr & SCTLR_SW) === 0) {
    cpu.undefinedInstruction('SWP/SWPB with SCTLR.SW clear');
    return;
  }
  const addr = cpu.r[SWP.n(insn)];
  const data = cpu.read8(addr);
  cpu.write8(addr, cpu.r[SWP.m(insn)] & 0xff);
  cpu.r[SWP.t(insn)] = data;
}

function disLoad(mn: string, insn: number): string {
  return `${mn}${cond(insn)}\t${reg(LDX.t(insn))}, [${reg(LDX.n(insn))}]`;
}

function disLoadDual(insn: number): string {
  const t = LDX.t(insn);
  return `ldrexd${cond(insn)}\t${reg(t)}, ${reg((t + 1) & 15)}, [${reg(LDX.n(insn))}]`;
}

function disStore(mn: string, insn: number): string {
  return `${mn}${cond(insn)}\t${reg(STX.d(insn))}, ${reg(STX.t(insn))}, [${reg(STX.n(insn))}]`;
}

function disStoreDual(insn: number): string {
  const t = STX.t(insn);
  return `strexd${cond(insn)}\t${reg(STX.d(insn))}, ${reg(t)}, ${reg((t + 1) & 15)}, [${reg(STX.n(insn))}]`;
}

function disSwap(mn: string, insn: number): string {
  return `${mn}${cond(insn)}\t${reg(SWP.t(insn))}, ${reg(SWP.m(insn))}, [${reg(SWP.n(insn))}]`;
}

function badLoad(insn: number): boolean {
  return LDX.t(insn) === 15 || LDX.n(insn) === 15;
}

function badStore(insn: number): boolean {
  const d = STX.d(insn), n = STX.n(insn), t = STX.t(insn);
  return d === 15 || t === 15 || n === 15 || d === n || d === t;
}

/** Rt even and not r14, so that Rt2 = Rt + 1 is not the PC. */
function badPair(t: number): boolean {
  return (t & 1) !== 0 || t === 14;
}

function badSwap(insn: number): boolean {
  const t = SWP.t(insn), n = SWP.n(insn), t2 = SWP.m(insn);
  return t === 15 || t2 === 15 || n === 15 || n === t || n === t2;
}

export const exclusiveRows: EncodingSpec[] = [
  {
    // LDREX<c> <Rt>, [<Rn>]
    name: 'LDREX', pattern: 'cccc 0001 1001 nnnn tttt OOOO 1001 OOOO',
    layouts: [LDX],
    exec: ldrex, disasm: (insn) => disLoad('ldrex', insn), unpredictable: badLoad,
    gen: { base: 'n', store: false },
  },
  {
    // STREX<c> <Rd>, <Rt>, [<Rn>]
    name: 'STREX', pattern: 'cccc 0001 1000 nnnn dddd OOOO 1001 tttt',
    layouts: [STX],
    exec: strex, disasm: (insn) => disStore('strex', insn), unpredictable: badStore,
    gen: { base: 'n', store: true },
  },
  {
    // LDREXB<c> <Rt>, [<Rn>]
    name: 'LDREXB', pattern: 'cccc 0001 1101 nnnn tttt OOOO 1001 OOOO',
    layouts: [LDX],
    exec: ldrexb, disasm: (insn) => disLoad('ldrexb', insn), unpredictable: badLoad,
    gen: { base: 'n', store: false },
  },
  {
    // STREXB<c> <Rd>, <Rt>, [<Rn>]
    name: 'STREXB', pattern: 'cccc 0001 1100 nnnn dddd OOOO 1001 tttt',
    layouts: [STX],
    exec: strexb, disasm: (insn) => disStore('strexb', insn), unpredictable: badStore,
    gen: { base: 'n', store: true },
  },
  {
    // LDREXH<c> <Rt>, [<Rn>]
    name: 'LDREXH', pattern: 'cccc 0001 1111 nnnn tttt OOOO 1001 OOOO',
    layouts: [LDX],
    exec: ldrexh, disasm: (insn) => disLoad('ldrexh', insn), unpredictable: badLoad,
    gen: { base: 'n', store: false },
  },
  {
    // STREXH<c> <Rd>, <Rt>, [<Rn>]
    name: 'STREXH', pattern: 'cccc 0001 1110 nnnn dddd OOOO 1001 tttt',
    layouts: [STX],
    exec: strexh, disasm: (insn) => disStore('strexh', insn), unpredictable: badStore,
    gen: { base: 'n', store: true },
  },
  {
    // LDREXD<c> <Rt>, <Rt2>, [<Rn>]
    name: 'LDREXD', pattern: 'cccc 0001 1011 nnnn tttt OOOO 1001 OOOO',
    layouts: [LDX],
    exec: ldrexd, disasm: disLoadDual,
    unpredictable: (insn) => badPair(LDX.t(insn)) || LDX.n(insn) === 15,
    gen: { base: 'n', store: false },
  },
  {
    // STREXD<c> <Rd>, <Rt>, <Rt2>, [<Rn>]
    name: 'STREXD', pattern: 'cccc 0001 1010 nnnn dddd OOOO 1001 tttt',
    layouts: [STX],
    exec: strexd, disasm: disStoreDual,
    unpredictable: (insn) => {
      const d = STX.d(insn), n = STX.n(insn), t = STX.t(insn);
      return d === 15 || badPair(t) || n === 15 || d === n || d === t || d === t + 1;
    },
    gen: { base: 'n', store: true },
  },
  {
    // CLREX
    name: 'CLREX', pattern: '1111 0101 0111 OOOO OOOO ZZZZ 0001 OOOO',
    exec: (cpu) => { clearExclusive(cpu); },
    disasm: () => 'clrex',
  },
  {
    // SWP<c> <Rt>, <Rt2>, [<Rn>]
    name: 'SWP', pattern: 'cccc 0001 0000 nnnn tttt ZZZZ 1001 mmmm',
    layouts: [SWP],
    exec: swp, disasm: (insn) => disSwap('swp', insn), unpredictable: badSwap,
    gen: { base: 'n', store: true, skip: 'UNDEFINED unless SCTLR.SW is set (clear at reset)' },
  },
  {
    // SWPB<c> <Rt>, <Rt2>, [<Rn>]
    name: 'SWPB', pattern: 'cccc 0001 0100 nnnn tttt ZZZZ 1001 mmmm',
    layouts: [SWP],
    exec: swpb, disasm: (insn) => disSwap('swpb', insn), unpredictable: badSwap,
    gen: { base: 'n', store: true, skip: 'UNDEFINED unless SCTLR.SW is set (clear at reset)' },
  },
];
