/**
 * Per-row generator rules that the rows' own `gen` hints do not express:
 * constraints that keep a case inside what the harness can observe and
 * recover from. Each rule says why it exists.
 */

import { withField, fieldValue, type EncodingRow } from '../../machine/cpu/encoding';
import type { Rng } from '../support/prng';
import type { Case } from './generate';
import { LANDING_OFFSETS, MONITOR, WINDOW, WINDOW_SIZE } from './layout';

export interface RowRule {
  /** Adjusts a freshly drawn instruction word (fields already randomised). */
  word?: (row: EncodingRow, insn: number, rng: Rng) => number;
  /** Rejects a word that must not be generated, with the reason. */
  reject?: (row: EncodingRow, insn: number) => string | undefined;
  /** Adjusts the random input state of a case (registers, monitor, window image) before it is probed. */
  state?: (row: EncodingRow, c: Case, rng: Rng) => void;
  /** Rejects a probed case by its outcome (exception vector, or -1 if none was taken). */
  outcome?: (row: EncodingRow, c: Case, vector: number) => string | undefined;
  /** Never generate the row (in addition to the row's own gen.skip). */
  skip?: string;
}

/** imm24 of B/BL whose target is one of the slot's landing SVCs. */
function branchToLanding(row: EncodingRow, insn: number, rng: Rng): number {
  const off = rng.pick(LANDING_OFFSETS);
  return withField(row, 'i', insn, ((off - 8) >> 2) & 0xffffff);
}

/** SVC #0x123456 is the semihosting call in both QEMU and the simulator. */
const SEMIHOSTING_SVC = 0x123456;

function cp15Key(opc1: number, crn: number, crm: number, opc2: number): string {
  return `${opc1},${crn},${crm},${opc2}`;
}

/**
 * CP15 registers that a random MCR/MRC may touch: thread ID registers (same
 * reset value, fully writable in both), and maintenance operations that are
 * no-ops without caches and with the MMU off. Identification registers differ
 * (QEMU models r0p0: MIDR 0x410fc090; Tegra20 is r1p0) and SCTLR/TTBR/DACR
 * writes would change the harness's own environment.
 */
const SAFE_CP15_RW = new Set([
  cp15Key(0, 13, 0, 2), // TPIDRURW
  cp15Key(0, 13, 0, 3), // TPIDRURO
  cp15Key(0, 13, 0, 4), // TPIDRPRW
]);
const SAFE_CP15_WO = new Set([
  cp15Key(0, 7, 5, 0), // ICIALLU
  cp15Key(0, 7, 5, 1), // ICIMVAU
  cp15Key(0, 7, 5, 6), // BPIALL
  cp15Key(0, 7, 6, 1), // DCIMVAC
  cp15Key(0, 7, 10, 1), // DCCMVAC
  cp15Key(0, 7, 11, 1), // DCCMVAU
  cp15Key(0, 7, 14, 1), // DCCIMVAC
  cp15Key(0, 7, 10, 4), // CP15DSB
  cp15Key(0, 7, 10, 5), // CP15DMB
  cp15Key(0, 7, 5, 4), // CP15ISB
  cp15Key(0, 8, 7, 0), // TLBIALL
  cp15Key(0, 8, 7, 1), // TLBIMVA
  cp15Key(0, 8, 7, 2), // TLBIASID
]);
const SAFE_CP15_LIST = [...SAFE_CP15_RW].map((k) => k.split(',').map(Number));
const SAFE_CP15_WO_LIST = [...SAFE_CP15_WO].map((k) => k.split(',').map(Number));

/** Field letters of the MCR/MRC rows, found by position so that the row's own letters are used. */
function letterAt(row: EncodingRow, bit: number): string | undefined {
  for (const [letter, f] of row.fields) if (f.bits.includes(bit)) return letter;
  return undefined;
}

function setBits(row: EncodingRow, insn: number, hi: number, lo: number, v: number): number {
  for (let b = lo; b <= hi; b++) {
    const letter = letterAt(row, b);
    if (letter === undefined) continue;
    insn = (insn & ~(1 << b)) | (((v >>> (b - lo)) & 1) << b);
  }
  return insn >>> 0;
}

/** MCR/MRC: coprocessor 15 only, one of the safe registers. */
function cp15Word(row: EncodingRow, insn: number, rng: Rng): number {
  const isRead = ((insn >>> 20) & 1) === 1;
  const list = isRead || rng.chance(0.5) ? SAFE_CP15_LIST : SAFE_CP15_WO_LIST;
  const [opc1, crn, crm, opc2] = rng.pick(list);
  insn = setBits(row, insn, 11, 8, 15);
  insn = setBits(row, insn, 23, 21, opc1);
  insn = setBits(row, insn, 19, 16, crn);
  insn = setBits(row, insn, 3, 0, crm);
  insn = setBits(row, insn, 7, 5, opc2);
  return insn;
}

function cp15Reject(row: EncodingRow, insn: number): string | undefined {
  const coproc = (insn >>> 8) & 15;
  if (coproc !== 15) return 'coprocessor other than CP15';
  const key = cp15Key((insn >>> 21) & 7, (insn >>> 16) & 15, insn & 15, (insn >>> 5) & 7);
  const isRead = ((insn >>> 20) & 1) === 1;
  if (SAFE_CP15_RW.has(key)) return undefined;
  if (!isRead && SAFE_CP15_WO.has(key)) return undefined;
  void row;
  return 'CP15 register outside the safe list';
}

/**
 * Unconditional and UNDEFINED coprocessor rows whose coprocessor field is free:
 * never 10/11 (VFP/Advanced SIMD in QEMU's Cortex-A9) nor 14/15.
 */
function otherCoprocWord(row: EncodingRow, insn: number, rng: Rng): number {
  return setBits(row, insn, 11, 8, rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13]));
}

function otherCoprocReject(_row: EncodingRow, insn: number): string | undefined {
  const coproc = (insn >>> 8) & 15;
  if (coproc === 10 || coproc === 11) return 'VFP/Advanced SIMD coprocessor';
  if (coproc === 14 || coproc === 15) return 'debug/system coprocessor';
  return undefined;
}

/**
 * Store-Exclusive: half of the cases run with the monitor armed by a
 * Load-Exclusive of the same size at the same (aligned) address, so that the
 * passing store is tested too; the rest with the monitor open.
 * An unaligned Store-Exclusive is not generated: the ARM ARM checks alignment
 * before the monitor (ExclusiveMonitorsPass), but QEMU checks the monitor first
 * and fails without an abort, so the two would differ for a reason outside
 * this core.
 */
function storeExclusive(kind: number, size: number): RowRule {
  return {
    state: (row, c, rng) => {
      if (!rng.chance(0.5)) return;
      const n = fieldValue(row, 'n', c.word);
      if (n === 15) return;
      c.regs[n] = (c.regs[n] & ~(size - 1)) >>> 0;
      c.monitorKind = kind;
      c.monitorAddr = c.regs[n];
    },
    outcome: (_row, _c, vector) => (vector === 0x10 ? 'unaligned Store-Exclusive (QEMU checks the monitor before alignment)' : undefined),
  };
}

/** PSR bits 23:20 are reserved (SBZP) in ARMv7; QEMU stores bit 20 (the ARMv8 IL bit) where the core ignores it. */
const PSR_RESERVED = 0x00f00000;

function expandImm12(imm12: number): number {
  const rot = (imm12 >>> 8) * 2;
  const v = imm12 & 0xff;
  return rot === 0 ? v : ((v >>> rot) | (v << (32 - rot))) >>> 0;
}

const msrImm: RowRule = {
  reject: (_row, insn) => ((expandImm12(insn & 0xfff) & PSR_RESERVED) !== 0 ? 'writes the reserved PSR bits 23:20' : undefined),
};

const msrReg: RowRule = {
  state: (row, c) => {
    const n = fieldValue(row, 'n', c.word);
    if (n !== 15) c.regs[n] = (c.regs[n] & ~PSR_RESERVED) >>> 0;
  },
};

/** A base address in the middle of the window, usually word-aligned. */
function windowBase(rng: Rng): number {
  return (WINDOW + WINDOW_SIZE / 2 + (rng.chance(0.85) ? rng.range(-8, 8) * 4 : rng.range(-32, 32))) >>> 0;
}

/** SRS (if unskipped): every bank's SP is the case's r13, so it is the store address. */
const srs: RowRule = {
  state: (_row, c, rng) => { c.regs[13] = windowBase(rng); },
};

/**
 * RFE (if unskipped): the base in the window, and a window of alternating
 * landing addresses and PSR values an exception return may load.
 */
const rfe: RowRule = {
  state: (row, c, rng) => {
    const n = fieldValue(row, 'n', c.word);
    if (n !== 15) c.regs[n] = windowBase(rng);
    const img = new Uint8Array(WINDOW_SIZE);
    const dv = new DataView(img.buffer);
    for (let i = 0; i < WINDOW_SIZE; i += 8) {
      dv.setUint32(i, (c.addr + rng.pick(LANDING_OFFSETS)) >>> 0, true);
      const mode = rng.pick([0x10, 0x11, 0x12, 0x13, 0x17, 0x1b, 0x1f]);
      dv.setUint32(i + 4, ((rng.below(32) << 27) | (rng.below(16) << 16) | (rng.below(8) << 6) | mode) >>> 0, true);
    }
    c.image = img;
  },
};

export const ROW_RULES: Record<string, RowRule> = {
  SRS: srs,
  RFE: rfe,
  // Branch targets: one of the landing SVCs around the instruction (never itself).
  B: { word: branchToLanding },
  BL: { word: branchToLanding },
  STREX: storeExclusive(MONITOR.WORD, 4),
  STREXB: storeExclusive(MONITOR.BYTE, 1),
  STREXH: storeExclusive(MONITOR.HALF, 2),
  STREXD: storeExclusive(MONITOR.DOUBLE, 8),
  MSR_imm_cpsr: msrImm,
  MSR_imm_spsr: msrImm,
  MSR_reg_cpsr: msrReg,
  MSR_reg_spsr: msrReg,
  SVC: {
    reject: (row, insn) => (fieldValue(row, 'i', insn) === SEMIHOSTING_SVC ? 'semihosting SVC' : undefined),
  },
  // MCR_p15/MRC_p15 carry gen.skip; with --unskip they use the safe register list.
  MCR_p15: { word: cp15Word, reject: cp15Reject },
  MRC_p15: { word: cp15Word, reject: cp15Reject },
  MCR2: { word: otherCoprocWord, reject: otherCoprocReject },
  MRC2: { word: otherCoprocWord, reject: otherCoprocReject },
  MCRR2: { word: otherCoprocWord, reject: otherCoprocReject },
  MRRC2: { word: otherCoprocWord, reject: otherCoprocReject },
  CDP2: { word: otherCoprocWord, reject: otherCoprocReject },
  LDC2: { word: otherCoprocWord, reject: otherCoprocReject },
  STC2: { word: otherCoprocWord, reject: otherCoprocReject },
  COPROC_undef_st: { word: otherCoprocWord, reject: otherCoprocReject },
  COPROC_undef_ld: { word: otherCoprocWord, reject: otherCoprocReject },
  COPROC2_undef_st: { word: otherCoprocWord, reject: otherCoprocReject },
  COPROC2_undef_ld: { word: otherCoprocWord, reject: otherCoprocReject },
};
