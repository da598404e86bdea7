/**
 * CP15 system control coprocessor of the Cortex-A9 r1p0 (Tegra20), plus the
 * few CP14 registers the core implements (trivial Jazelle, ThumbEE).
 *
 * Register map as data: one row per (opc1, CRn, CRm, opc2) with its ARM ARM
 * name, reset value, access from PL1 and from User mode, the bits a write can
 * change, and an optional side effect. Identification values follow QEMU's
 * cortex-a9 model with the Tegra20 adjustments of docs/tegra2.md section 10.
 * There are no Security Extensions: SCR, NSACR, MVBAR, ISR and the ATS12NSO*
 * operations are UNDEFINED.
 */

import type { Cpu } from './cpu';

export interface Cp15Options {
  /** Configuration Base Address Register (the SCU/GIC block). */
  cbar?: number;
  /** Affinity level 0 (CPU number in the cluster). */
  cpuId?: number;
}

export const MIDR = 0x411fc090;
export const CTR = 0x80038003;
export const SCTLR_RESET = 0x00c50078;
/** SCTLR bits a write can change: M A C SW Z I V RR EE TRE AFE TE. */
export const SCTLR_WRITABLE = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 10) | (1 << 11) | (1 << 12) |
  (1 << 13) | (1 << 14) | (1 << 25) | (1 << 28) | (1 << 29) | (1 << 30);
export const PMCR_ID = 0x41093000;
const PMU_COUNTERS = 6;
const CCSIDR_L1D = 0xe01fe019;
const CCSIDR_L1I = 0x201fe019;

type Access = 'ro' | 'rw' | 'wo';

/** Numeric state fields of Cp15 that rows may store into. */
type Field =
  'sctlr' | 'actlr' | 'cpacr' | 'ttbr0' | 'ttbr1' | 'ttbcr' | 'dacr' | 'dfsr' | 'ifsr' | 'dfar' | 'ifar' |
  'par' | 'csselr' | 'prrr' | 'nmrr' | 'vbar' | 'contextidr' | 'tpidrurw' | 'tpidruro' | 'tpidrprw' |
  'powerControl' | 'diagnostic' | 'tlbLockdown' | 'pmcr' | 'pmcnten' | 'pmovsr' | 'pmselr' | 'pmccntr' |
  'pmuserenr' | 'pminten' | 'teecr' | 'teehbr';

interface RegSpec {
  name: string;
  opc1: number; crn: number; crm: number; opc2: number;
  /** Access from PL1. */
  access: Access;
  /** Access from User mode: none unless given; 'pmu' = rw when PMUSERENR.EN is set. */
  user?: Access | 'pmu';
  /** Constant value of a read-only register without a field. */
  value?: number;
  /** Storage of the register; read and written through mask. */
  field?: Field;
  reset?: number;
  mask?: number;
  read?: (cp: Cp15) => number;
  /** Replaces the default store; runs after access checks. */
  write?: (cp: Cp15, v: number) => void;
  /** Runs after the default store. */
  effect?: (cp: Cp15, v: number) => void;
}

const translationChanged = (cp: Cp15): void => { cp.cpu.translationChanged(); };
const nop = (): void => {};

function tlbOp(op: (cp: Cp15, v: number) => void): (cp: Cp15, v: number) => void {
  return (cp, v) => { op(cp, v); cp.cpu.translationsSynchronized(); };
}
/**
 * The inner-shareable form of a TLB operation: it acts on this core's TLB
 * and on every other core's of the cluster (the broadcast of an SMP
 * Cortex-A9).
 */
function innerShareable(op: (cp: Cp15, v: number) => void): (cp: Cp15, v: number) => void {
  return (cp, v) => {
    op(cp, v);
    for (const peer of cp.cpu.peers) op(peer.cp15, v);
  };
}
const tlbiAll = tlbOp((cp) => cp.cpu.mmu.flush());
const tlbiMva = tlbOp((cp, v) => cp.cpu.mmu.invalidateMva(v, v & 0xff, false));
const tlbiAsid = tlbOp((cp, v) => cp.cpu.mmu.invalidateAsid(v & 0xff));
const tlbiMvaa = tlbOp((cp, v) => cp.cpu.mmu.invalidateMva(v, 0, true));
const tlbiAllIs = innerShareable(tlbiAll);
const tlbiMvaIs = innerShareable(tlbiMva);
const tlbiAsidIs = innerShareable(tlbiAsid);
const tlbiMvaaIs = innerShareable(tlbiMvaa);

function reg(name: string, opc1: number, crn: number, crm: number, opc2: number, access: Access,
  rest: Partial<RegSpec> = {}): RegSpec {
  return { name, opc1, crn, crm, opc2, access, ...rest };
}

function idReg(name: string, crm: number, opc2: number, value: number): RegSpec {
  return reg(name, 0, 0, crm, opc2, 'ro', { value });
}

/** The CP15 register map. */
export const CP15_REGS: RegSpec[] = [
  // c0: identification
  reg('MIDR', 0, 0, 0, 0, 'ro', { value: MIDR }),
  reg('CTR', 0, 0, 0, 1, 'ro', { value: CTR }),
  reg('TCMTR', 0, 0, 0, 2, 'ro', { value: 0 }),
  reg('TLBTR', 0, 0, 0, 3, 'ro', { value: 0 }),
  reg('MIDR_alias4', 0, 0, 0, 4, 'ro', { value: MIDR }),
  reg('MPIDR', 0, 0, 0, 5, 'ro', { read: (cp) => cp.mpidr }),
  reg('REVIDR', 0, 0, 0, 6, 'ro', { value: 0 }),
  reg('MIDR_alias7', 0, 0, 0, 7, 'ro', { value: MIDR }),
  idReg('ID_PFR0', 1, 0, 0x00001031),
  idReg('ID_PFR1', 1, 1, 0x00000011),
  idReg('ID_DFR0', 1, 2, 0),
  idReg('ID_AFR0', 1, 3, 0),
  idReg('ID_MMFR0', 1, 4, 0x00100103),
  idReg('ID_MMFR1', 1, 5, 0x20000000),
  idReg('ID_MMFR2', 1, 6, 0x01230000),
  idReg('ID_MMFR3', 1, 7, 0x00002111),
  idReg('ID_ISAR0', 2, 0, 0x00101111),
  idReg('ID_ISAR1', 2, 1, 0x13112111),
  idReg('ID_ISAR2', 2, 2, 0x21232041),
  idReg('ID_ISAR3', 2, 3, 0x11112131),
  idReg('ID_ISAR4', 2, 4, 0x00111142),
  idReg('ID_ISAR5', 2, 5, 0),
  reg('CCSIDR', 1, 0, 0, 0, 'ro', {
    read: (cp) => (cp.csselr === 0 ? CCSIDR_L1D : cp.csselr === 1 ? CCSIDR_L1I : 0),
  }),
  reg('CLIDR', 1, 0, 0, 1, 'ro', { value: 0x09000003 }),
  reg('AIDR', 1, 0, 0, 7, 'ro', { value: 0 }),
  reg('CSSELR', 2, 0, 0, 0, 'rw', { field: 'csselr', mask: 0xf }),

  // c1: system control
  reg('SCTLR', 0, 1, 0, 0, 'rw', {
    field: 'sctlr', reset: SCTLR_RESET, mask: SCTLR_WRITABLE,
    write: (cp, v) => {
      const old = cp.sctlr;
      cp.sctlr = ((old & ~SCTLR_WRITABLE) | (v & SCTLR_WRITABLE)) >>> 0;
      // The TLB holds permissions decoded under the old AP model.
      if (((old ^ cp.sctlr) & (1 << 29)) !== 0) cp.cpu.mmu.flush();
      cp.cpu.translationChanged();
    },
  }),
  reg('ACTLR', 0, 1, 0, 1, 'rw', { field: 'actlr', mask: 0x3cf }),
  reg('CPACR', 0, 1, 0, 2, 'rw', { field: 'cpacr', mask: 0x00f00000 }),

  // c2, c3: translation table control
  reg('TTBR0', 0, 2, 0, 0, 'rw', { field: 'ttbr0', effect: translationChanged }),
  reg('TTBR1', 0, 2, 0, 1, 'rw', { field: 'ttbr1', effect: translationChanged }),
  reg('TTBCR', 0, 2, 0, 2, 'rw', { field: 'ttbcr', mask: 0x37, effect: translationChanged }),
  reg('DACR', 0, 3, 0, 0, 'rw', { field: 'dacr', effect: translationChanged }),

  // c5, c6: fault status and address
  reg('DFSR', 0, 5, 0, 0, 'rw', { field: 'dfsr', mask: 0x1cff }),
  reg('IFSR', 0, 5, 0, 1, 'rw', { field: 'ifsr', mask: 0x140f }),
  reg('ADFSR', 0, 5, 1, 0, 'rw', { read: () => 0, write: nop }),
  reg('AIFSR', 0, 5, 1, 1, 'rw', { read: () => 0, write: nop }),
  reg('DFAR', 0, 6, 0, 0, 'rw', { field: 'dfar' }),
  reg('IFAR', 0, 6, 0, 2, 'rw', { field: 'ifar' }),

  // c7: cache maintenance (the decode cache is kept coherent by the bus), barriers, VA to PA
  reg('CP15WFI', 0, 7, 0, 4, 'wo', { write: nop }),
  reg('ICIALLUIS', 0, 7, 1, 0, 'wo', { write: nop }),
  reg('BPIALLIS', 0, 7, 1, 6, 'wo', { write: nop }),
  reg('PAR', 0, 7, 4, 0, 'rw', { field: 'par' }),
  reg('ICIALLU', 0, 7, 5, 0, 'wo', { write: nop }),
  reg('ICIMVAU', 0, 7, 5, 1, 'wo', { write: nop }),
  reg('CP15ISB', 0, 7, 5, 4, 'wo', { user: 'wo', write: (cp) => cp.cpu.translationsSynchronized() }),
  reg('BPIALL', 0, 7, 5, 6, 'wo', { write: nop }),
  reg('BPIMVA', 0, 7, 5, 7, 'wo', { write: nop }),
  reg('DCIMVAC', 0, 7, 6, 1, 'wo', { write: nop }),
  reg('DCISW', 0, 7, 6, 2, 'wo', { write: nop }),
  reg('ATS1CPR', 0, 7, 8, 0, 'wo', { write: (cp, v) => { cp.par = cp.cpu.mmu.translateForPar(v, false, false); } }),
  reg('ATS1CPW', 0, 7, 8, 1, 'wo', { write: (cp, v) => { cp.par = cp.cpu.mmu.translateForPar(v, true, false); } }),
  reg('ATS1CUR', 0, 7, 8, 2, 'wo', { write: (cp, v) => { cp.par = cp.cpu.mmu.translateForPar(v, false, true); } }),
  reg('ATS1CUW', 0, 7, 8, 3, 'wo', { write: (cp, v) => { cp.par = cp.cpu.mmu.translateForPar(v, true, true); } }),
  reg('DCCMVAC', 0, 7, 10, 1, 'wo', { write: nop }),
  reg('DCCSW', 0, 7, 10, 2, 'wo', { write: nop }),
  reg('CP15DSB', 0, 7, 10, 4, 'wo', { user: 'wo', write: nop }),
  reg('CP15DMB', 0, 7, 10, 5, 'wo', { user: 'wo', write: nop }),
  reg('DCCMVAU', 0, 7, 11, 1, 'wo', { write: nop }),
  reg('DCCIMVAC', 0, 7, 14, 1, 'wo', { write: nop }),
  reg('DCCISW', 0, 7, 14, 2, 'wo', { write: nop }),

  // c8: TLB maintenance (one unified TLB: the I/D variants act on it; the IS forms reach every core)
  reg('TLBIALLIS', 0, 8, 3, 0, 'wo', { write: tlbiAllIs }),
  reg('TLBIMVAIS', 0, 8, 3, 1, 'wo', { write: tlbiMvaIs }),
  reg('TLBIASIDIS', 0, 8, 3, 2, 'wo', { write: tlbiAsidIs }),
  reg('TLBIMVAAIS', 0, 8, 3, 3, 'wo', { write: tlbiMvaaIs }),
  reg('ITLBIALL', 0, 8, 5, 0, 'wo', { write: tlbiAll }),
  reg('ITLBIMVA', 0, 8, 5, 1, 'wo', { write: tlbiMva }),
  reg('ITLBIASID', 0, 8, 5, 2, 'wo', { write: tlbiAsid }),
  reg('DTLBIALL', 0, 8, 6, 0, 'wo', { write: tlbiAll }),
  reg('DTLBIMVA', 0, 8, 6, 1, 'wo', { write: tlbiMva }),
  reg('DTLBIASID', 0, 8, 6, 2, 'wo', { write: tlbiAsid }),
  reg('TLBIALL', 0, 8, 7, 0, 'wo', { write: tlbiAll }),
  reg('TLBIMVA', 0, 8, 7, 1, 'wo', { write: tlbiMva }),
  reg('TLBIASID', 0, 8, 7, 2, 'wo', { write: tlbiAsid }),
  reg('TLBIMVAA', 0, 8, 7, 3, 'wo', { write: tlbiMvaa }),

  // c9: performance monitors (PMUv1, six event counters; counters do not count)
  reg('PMCR', 0, 9, 12, 0, 'rw', {
    user: 'pmu',
    read: (cp) => (PMCR_ID | (cp.pmcr & 0x39)) >>> 0,
    write: (cp, v) => {
      cp.pmcr = v & 0x39; // E D X DP; P and C are actions
      if (v & 2) cp.pmevcntr.fill(0);
      if (v & 4) cp.pmccntr = 0;
    },
  }),
  reg('PMCNTENSET', 0, 9, 12, 1, 'rw', {
    user: 'pmu', read: (cp) => cp.pmcnten >>> 0,
    write: (cp, v) => { cp.pmcnten = (cp.pmcnten | (v & 0x8000003f)) >>> 0; },
  }),
  reg('PMCNTENCLR', 0, 9, 12, 2, 'rw', {
    user: 'pmu', read: (cp) => cp.pmcnten >>> 0,
    write: (cp, v) => { cp.pmcnten = (cp.pmcnten & ~v) >>> 0; },
  }),
  reg('PMOVSR', 0, 9, 12, 3, 'rw', {
    user: 'pmu', read: (cp) => cp.pmovsr >>> 0,
    write: (cp, v) => { cp.pmovsr = (cp.pmovsr & ~v) >>> 0; },
  }),
  reg('PMSWINC', 0, 9, 12, 4, 'wo', { user: 'pmu', write: nop }),
  reg('PMSELR', 0, 9, 12, 5, 'rw', { user: 'pmu', field: 'pmselr', mask: 0x1f }),
  reg('PMCCNTR', 0, 9, 13, 0, 'rw', { user: 'pmu', field: 'pmccntr' }),
  reg('PMXEVTYPER', 0, 9, 13, 1, 'rw', {
    user: 'pmu',
    read: (cp) => (cp.pmselr < PMU_COUNTERS ? cp.pmevtyper[cp.pmselr] >>> 0 : 0),
    write: (cp, v) => { if (cp.pmselr < PMU_COUNTERS) cp.pmevtyper[cp.pmselr] = v & 0xff; },
  }),
  reg('PMXEVCNTR', 0, 9, 13, 2, 'rw', {
    user: 'pmu',
    read: (cp) => (cp.pmselr < PMU_COUNTERS ? cp.pmevcntr[cp.pmselr] >>> 0 : 0),
    write: (cp, v) => { if (cp.pmselr < PMU_COUNTERS) cp.pmevcntr[cp.pmselr] = v; },
  }),
  reg('PMUSERENR', 0, 9, 14, 0, 'rw', { user: 'ro', field: 'pmuserenr', mask: 1 }),
  reg('PMINTENSET', 0, 9, 14, 1, 'rw', {
    read: (cp) => cp.pminten >>> 0,
    write: (cp, v) => { cp.pminten = (cp.pminten | (v & 0x8000003f)) >>> 0; },
  }),
  reg('PMINTENCLR', 0, 9, 14, 2, 'rw', {
    read: (cp) => cp.pminten >>> 0,
    write: (cp, v) => { cp.pminten = (cp.pminten & ~v) >>> 0; },
  }),

  // c10: TLB lockdown, memory region remap
  reg('TLBLOCKDOWN', 0, 10, 0, 0, 'rw', { field: 'tlbLockdown' }),
  reg('PRRR', 0, 10, 2, 0, 'rw', { field: 'prrr', reset: 0x000a81a4 }),
  reg('NMRR', 0, 10, 2, 1, 'rw', { field: 'nmrr', reset: 0x44e048e0 }),

  // c12: vector base
  reg('VBAR', 0, 12, 0, 0, 'rw', { field: 'vbar', mask: 0xffffffe0 }),

  // c13: process, context and thread ID
  reg('FCSEIDR', 0, 13, 0, 0, 'rw', { read: () => 0, write: nop }),
  reg('CONTEXTIDR', 0, 13, 0, 1, 'rw', { field: 'contextidr', effect: translationChanged }),
  reg('TPIDRURW', 0, 13, 0, 2, 'rw', { user: 'rw', field: 'tpidrurw' }),
  reg('TPIDRURO', 0, 13, 0, 3, 'rw', { user: 'ro', field: 'tpidruro' }),
  reg('TPIDRPRW', 0, 13, 0, 4, 'rw', { field: 'tpidrprw' }),

  // c15: Cortex-A9 implementation defined
  reg('POWER_CONTROL', 0, 15, 0, 0, 'rw', { field: 'powerControl' }),
  reg('DIAGNOSTIC', 0, 15, 0, 1, 'rw', { field: 'diagnostic' }),
  reg('CBAR', 4, 15, 0, 0, 'ro', { read: (cp) => cp.cbar }),
];

/** v7 debug registers (CP14, opc1 0) as QEMU's cortex-a9 exposes them; storage only, no debug events. */
export const DBGDIDR = 0x35141000; // 6 breakpoints, 4 watchpoints, 2 context comparators
const DEBUG_BREAKPOINTS = 6;
const DEBUG_WATCHPOINTS = 4;
/** Slots of Cp15.dbg: per-register storage of the debug registers. */
const DBG_DSCR = 0, DBG_WFAR = 1, DBG_VCR = 2, DBG_CLAIM = 3, DBG_BVR = 4, DBG_BCR = DBG_BVR + DEBUG_BREAKPOINTS,
  DBG_WVR = DBG_BCR + DEBUG_BREAKPOINTS, DBG_WCR = DBG_WVR + DEBUG_WATCHPOINTS;
export const DEBUG_SLOTS = DBG_WCR + DEBUG_WATCHPOINTS;

function dbgReg(name: string, crn: number, crm: number, opc2: number, slot: number, user?: Access): RegSpec {
  return reg(name, 0, crn, crm, opc2, 'rw', {
    user, read: (cp) => cp.dbg[slot], write: (cp, v) => { cp.dbg[slot] = v; },
  });
}

function debugRegs(): RegSpec[] {
  const regs: RegSpec[] = [
    reg('DBGDIDR', 0, 0, 0, 0, 'ro', { user: 'ro', value: DBGDIDR }),
    reg('DBGDSCRint', 0, 0, 1, 0, 'ro', { user: 'ro', read: (cp) => cp.dbg[DBG_DSCR] }),
    reg('DBGDRAR', 0, 1, 0, 0, 'ro', { value: 0 }),
    reg('DBGDSAR', 0, 2, 0, 0, 'ro', { value: 0 }),
    dbgReg('DBGDSCRext', 0, 2, 2, DBG_DSCR),
    dbgReg('DBGWFAR', 0, 6, 0, DBG_WFAR),
    dbgReg('DBGVCR', 0, 7, 0, DBG_VCR),
    reg('DBGOSLAR', 0, 1, 0, 4, 'wo', { write: nop }),
    reg('DBGOSLSR', 0, 1, 1, 4, 'ro', { value: 0 }),
    reg('DBGPRCR', 0, 1, 4, 4, 'rw', { read: () => 0, write: nop }),
    reg('DBGCLAIMSET', 0, 7, 8, 6, 'rw', { read: () => 0xff, write: (cp, v) => { cp.dbg[DBG_CLAIM] |= v & 0xff; } }),
    reg('DBGCLAIMCLR', 0, 7, 9, 6, 'rw', { read: (cp) => cp.dbg[DBG_CLAIM], write: (cp, v) => { cp.dbg[DBG_CLAIM] &= ~v; } }),
  ];
  for (let n = 0; n < DEBUG_BREAKPOINTS; n++) {
    regs.push(dbgReg(`DBGBVR${n}`, 0, n, 4, DBG_BVR + n), dbgReg(`DBGBCR${n}`, 0, n, 5, DBG_BCR + n));
  }
  for (let n = 0; n < DEBUG_WATCHPOINTS; n++) {
    regs.push(dbgReg(`DBGWVR${n}`, 0, n, 6, DBG_WVR + n), dbgReg(`DBGWCR${n}`, 0, n, 7, DBG_WCR + n));
  }
  return regs;
}

/** CP14 registers: v7 debug (storage), trivial Jazelle (RAZ) and ThumbEE. */
export const CP14_REGS: RegSpec[] = [
  ...debugRegs(),
  reg('JIDR', 7, 0, 0, 0, 'ro', { value: 0 }),
  reg('JOSCR', 7, 1, 0, 0, 'rw', { read: () => 0, write: nop }),
  reg('JMCR', 7, 2, 0, 0, 'rw', { read: () => 0, write: nop }),
  reg('TEECR', 6, 0, 0, 0, 'rw', { field: 'teecr', mask: 1 }),
  // User access to TEEHBR is UNDEFINED while TEECR.XED is set (checked in access()).
  reg('TEEHBR', 6, 1, 0, 0, 'rw', { user: 'rw', field: 'teehbr' }),
];

function key(opc1: number, crn: number, crm: number, opc2: number): number {
  return (opc1 << 12) | (crn << 8) | (crm << 4) | opc2;
}

function buildMap(regs: RegSpec[]): Map<number, RegSpec> {
  const m = new Map<number, RegSpec>();
  for (const r of regs) {
    const k = key(r.opc1, r.crn, r.crm, r.opc2);
    if (m.has(k)) throw new Error(`cp15: duplicate register ${r.name}`);
    m.set(k, r);
  }
  return m;
}

const CP15_MAP = buildMap(CP15_REGS);
const CP14_MAP = buildMap(CP14_REGS);

/** Fields saved in snapshots, with their reset values. */
const STATE_FIELDS: Field[] = [
  'sctlr', 'actlr', 'cpacr', 'ttbr0', 'ttbr1', 'ttbcr', 'dacr', 'dfsr', 'ifsr', 'dfar', 'ifar', 'par',
  'csselr', 'prrr', 'nmrr', 'vbar', 'contextidr', 'tpidrurw', 'tpidruro', 'tpidrprw', 'powerControl',
  'diagnostic', 'tlbLockdown', 'pmcr', 'pmcnten', 'pmovsr', 'pmselr', 'pmccntr', 'pmuserenr', 'pminten',
  'teecr', 'teehbr',
];

function resetValue(f: Field): number {
  for (const r of CP15_REGS) if (r.field === f) return r.reset ?? 0;
  return 0;
}

export class Cp15 {
  sctlr = SCTLR_RESET;
  actlr = 0; cpacr = 0;
  vbar = 0;
  dfsr = 0; dfar = 0; ifsr = 0; ifar = 0;
  ttbr0 = 0; ttbr1 = 0; ttbcr = 0; dacr = 0;
  contextidr = 0;
  tpidrurw = 0; tpidruro = 0; tpidrprw = 0;
  prrr = 0x000a81a4; nmrr = 0x44e048e0;
  par = 0;
  csselr = 0;
  powerControl = 0; diagnostic = 0; tlbLockdown = 0;
  pmcr = 0; pmcnten = 0; pmovsr = 0; pmselr = 0; pmccntr = 0; pmuserenr = 0; pminten = 0;
  readonly pmevtyper = new Int32Array(PMU_COUNTERS);
  readonly pmevcntr = new Int32Array(PMU_COUNTERS);
  // CP14 ThumbEE state.
  teecr = 0; teehbr = 0;
  /** CP14 debug register storage (see the DBG_* slots). */
  readonly dbg = new Int32Array(DEBUG_SLOTS);

  readonly cbar: number;
  readonly mpidr: number;

  constructor(readonly cpu: Cpu, options: Cp15Options = {}) {
    this.cbar = (options.cbar ?? 0x50040000) >>> 0;
    // Bit 31: MP extensions format; bit 30 (U) clear: part of a cluster.
    this.mpidr = (0x80000000 | ((options.cpuId ?? 0) & 3)) >>> 0;
    this.reset();
  }

  reset(): void {
    for (const f of STATE_FIELDS) this[f] = resetValue(f);
    this.pmevtyper.fill(0);
    this.pmevcntr.fill(0);
    this.dbg.fill(0);
  }

  /** MRC p15: the register's value, or undefined if the access is UNDEFINED. */
  read(opc1: number, crn: number, crm: number, opc2: number): number | undefined {
    const r = CP15_MAP.get(key(opc1, crn, crm, opc2));
    if (!r) {
      // Unallocated ID registers in CRn=c0, CRm=c1..c7 read as zero (B3.17.1).
      if (opc1 === 0 && crn === 0 && crm >= 1 && crm <= 7 && this.cpu.isPrivileged()) return 0;
      return undefined;
    }
    return this.readReg(r);
  }

  /** MCR p15: false if the access is UNDEFINED. */
  write(opc1: number, crn: number, crm: number, opc2: number, value: number): boolean {
    const r = CP15_MAP.get(key(opc1, crn, crm, opc2));
    return r ? this.writeReg(r, value) : false;
  }

  /** MRC p14: the register's value, or undefined if the access is UNDEFINED. */
  read14(opc1: number, crn: number, crm: number, opc2: number): number | undefined {
    const r = CP14_MAP.get(key(opc1, crn, crm, opc2));
    return r ? this.readReg(r) : undefined;
  }

  /** MCR p14: false if the access is UNDEFINED. */
  write14(opc1: number, crn: number, crm: number, opc2: number, value: number): boolean {
    const r = CP14_MAP.get(key(opc1, crn, crm, opc2));
    return r ? this.writeReg(r, value) : false;
  }

  /** The access rights of the current mode to r. */
  private access(r: RegSpec): Access | undefined {
    if (this.cpu.isPrivileged()) return r.access;
    if (r.user === 'pmu') return (this.pmuserenr & 1) !== 0 ? r.access : undefined;
    if (r.field === 'teehbr' && (this.teecr & 1) !== 0) return undefined;
    return r.user;
  }

  private readReg(r: RegSpec): number | undefined {
    const a = this.access(r);
    if (a === undefined || a === 'wo') return undefined;
    if (r.read) return r.read(this) >>> 0;
    if (r.field) return this[r.field] >>> 0;
    return (r.value ?? 0) >>> 0;
  }

  private writeReg(r: RegSpec, v: number): boolean {
    const a = this.access(r);
    if (a === undefined || a === 'ro') return false;
    if (r.write) {
      r.write(this, v);
    } else if (r.field) {
      const mask = r.mask ?? 0xffffffff;
      this[r.field] = ((this[r.field] & ~mask) | (v & mask)) >>> 0;
    }
    if (r.effect) r.effect(this, v);
    return true;
  }

  snapshot(): Record<string, number> {
    const s: Record<string, number> = {};
    for (const f of STATE_FIELDS) s[f] = this[f] >>> 0;
    for (let k = 0; k < PMU_COUNTERS; k++) {
      s[`pmevtyper${k}`] = this.pmevtyper[k] >>> 0;
      s[`pmevcntr${k}`] = this.pmevcntr[k] >>> 0;
    }
    for (let k = 0; k < DEBUG_SLOTS; k++) if (this.dbg[k] !== 0) s[`dbg${k}`] = this.dbg[k] >>> 0;
    return s;
  }

  /** Restores a snapshot; registers it does not mention take their reset values. */
  restore(s: Record<string, number>): void {
    this.reset();
    for (const f of STATE_FIELDS) if (typeof s[f] === 'number') this[f] = s[f] >>> 0;
    for (let k = 0; k < PMU_COUNTERS; k++) {
      if (typeof s[`pmevtyper${k}`] === 'number') this.pmevtyper[k] = s[`pmevtyper${k}`];
      if (typeof s[`pmevcntr${k}`] === 'number') this.pmevcntr[k] = s[`pmevcntr${k}`];
    }
    for (let k = 0; k < DEBUG_SLOTS; k++) if (typeof s[`dbg${k}`] === 'number') this.dbg[k] = s[`dbg${k}`];
  }
}
