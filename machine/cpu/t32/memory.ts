/**
 * 32-bit Thumb loads and stores (ARM ARM A6.3.5-A6.3.10): single loads and
 * stores in every size and addressing form (with the unprivileged T variants,
 * the literal forms and the preload hints that share their encodings),
 * LDM/STM, SRS/RFE, LDRD/STRD, the exclusives and TBB/TBH.
 *
 * Single loads and stores are generated from one description per size: the
 * forms are imm12 (positive offset), post-indexed, negative offset,
 * pre-indexed with writeback, unprivileged (T) and register (LSL #0-3).
 * Rn = PC selects the literal form (loads) or is UNDEFINED (stores); Rt = PC
 * in the byte and halfword loads is a preload hint. Those cases are rows for
 * the exact intersection of the encodings they resolve (see table.ts).
 *
 * Every handler performs all memory accesses before writing a register, so
 * an aborted instruction leaves the registers unchanged.
 */

import type { EncodingSpec, Handler } from '../encoding';
import type { Cpu } from '../cpu';
import { ACC_ALIGN, ACC_UNPRIV } from '../access-flags';
import { popcount, fieldsOf, fieldMask, type FieldSet } from '../encoding';
import { T32_RN, T32_RT, T32_RD, T32_RM } from './common';
import { markExclusive, exclusivePass } from '../a32/exclusive';
import {
  inITNotLast, itUnpredictable, a32Row, a32Base, badReg, hwRn, hwRt, hwRd, hwRm, reg, hex, listText, GOOD,
} from './common';

const NOT_PC = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

// ---- field layouts (rows list the ones their handler and disassembler read) ----

/** Unsigned 12-bit offset (imm12 form and literal forms). */
const OFF12 = fieldsOf('---------------- ----iiiiiiiiiiii');
/** 8-bit offset of the other immediate forms, the duals and the exclusives. */
const OFF8 = fieldsOf('---------------- --------iiiiiiii');
/** Add (1) or subtract the 8-bit offset: hw2 bit 9. */
const UP = fieldsOf('---------------- ------u---------');
/** The register form's LSL #0-3. */
const LSL2 = fieldsOf('---------------- ----------ss----');
/** U of the single literal forms: hw1 bit 7. */
const LIT_U = fieldsOf('--------u------- ----------------');
/** Index bits of the duals: P, U, W. */
const PUW = fieldsOf('-------pu-w----- ----------------');
/** W of LDM/STM, SRS and RFE. */
const WBACK = fieldsOf('----------w----- ----------------');
/** Rt2 of the duals: hw2 bits 11:8. */
const RT2 = fieldsOf('---------------- ----TTTT--------');
/** Register list of LDM/STM. */
const LIST = fieldsOf('---------------- rrrrrrrrrrrrrrrr');
/** The status register of STREXB/STREXH/STREXD: hw2 bits 3:0. */
const EX_RD = fieldsOf('---------------- ------------dddd');
/** SRS mode. */
const MODE = fieldsOf('---------------- -----------mmmmm');

type Reader = (cpu: Cpu, addr: number, flags: number) => number;
type Writer = (cpu: Cpu, addr: number, v: number, flags: number) => void;

const read32: Reader = (cpu, a, f) => cpu.read32(a, f);
const read16: Reader = (cpu, a, f) => cpu.read16(a, f);
const read8: Reader = (cpu, a, f) => cpu.read8(a, f);
const readS16: Reader = (cpu, a, f) => (cpu.read16(a, f) << 16) >> 16;
const readS8: Reader = (cpu, a, f) => (cpu.read8(a, f) << 24) >> 24;
const write32: Writer = (cpu, a, v, f) => { cpu.write32(a, v, f); };
const write16: Writer = (cpu, a, v, f) => { cpu.write16(a, v & 0xffff, f); };
const write8: Writer = (cpu, a, v, f) => { cpu.write8(a, v & 0xff, f); };

/** Load Rt from addr; then writeback (if wb) and Rt. A word load to the PC interworks. */
function load(cpu: Cpu, insn: number, read: Reader, addr: number, wb: boolean, base: number, flags: number): void {
  const t = hwRt(insn);
  if (t === 15 && inITNotLast(cpu)) { itUnpredictable(cpu, 'a load to the PC that is not last'); return; }
  const v = read(cpu, addr, flags);
  if (t === 15 && (addr & 3) !== 0) {
    cpu.undefinedInstruction('UNPREDICTABLE: load to PC from an address that is not word aligned');
    return;
  }
  if (wb) cpu.r[hwRn(insn)] = base;
  if (t === 15) cpu.loadWritePC(v); else cpu.r[t] = v;
}

function store(cpu: Cpu, insn: number, write: Writer, addr: number, wb: boolean, base: number, flags: number): void {
  write(cpu, addr, cpu.r[hwRt(insn)], flags);
  if (wb) cpu.r[hwRn(insn)] = base;
}

const imm8 = OFF8.i;
const up = (insn: number): boolean => UP.u(insn) !== 0;
const rnv = (cpu: Cpu, insn: number): number => cpu.r[hwRn(insn)];
const regOff = (cpu: Cpu, insn: number): number => cpu.r[hwRm(insn)] << LSL2.s(insn);

/** Literal address: Align(PC, 4) +/- imm12, U in hw1 bit 7. */
function litAddr(cpu: Cpu, insn: number): number {
  const base = cpu.r[15] & ~3;
  return (LIT_U.u(insn) !== 0 ? base + OFF12.i(insn) : base - OFF12.i(insn)) | 0;
}

// ---- the forms -----------------------------------------------------------------------------

interface Form {
  /** Row name suffix. */
  suffix: string;
  /** Bit 7 of hw1 (1 only for imm12) and the pattern of hw2 after Rt. */
  b7: string;
  hw2: string;
  /** Layouts of the offset fields the form reads (besides Rn and Rt). */
  layouts: FieldSet<string>[];
  writeback: boolean;
  loadExec(read: Reader): Handler;
  storeExec(write: Writer): Handler;
  text(insn: number): string;
}

const offText = (neg: boolean, v: number): string => (neg ? `#-${v}` : `#${v}`);

const FORMS: Form[] = [
  {
    suffix: '_imm12', b7: '1', hw2: 'iiii iiii iiii', layouts: [OFF12], writeback: false,
    loadExec: (read) => (cpu, insn) => { load(cpu, insn, read, (rnv(cpu, insn) + OFF12.i(insn)) | 0, false, 0, 0); },
    storeExec: (write) => (cpu, insn) => { store(cpu, insn, write, (rnv(cpu, insn) + OFF12.i(insn)) | 0, false, 0, 0); },
    text: (insn) => `[${reg(hwRn(insn))}${OFF12.i(insn) ? `, #${OFF12.i(insn)}` : ''}]`,
  },
  {
    suffix: '_post', b7: '0', hw2: '10u1 iiii iiii', layouts: [UP, OFF8], writeback: true,
    loadExec: (read) => (cpu, insn) => {
      const base = rnv(cpu, insn);
      load(cpu, insn, read, base, true, (up(insn) ? base + imm8(insn) : base - imm8(insn)) | 0, 0);
    },
    storeExec: (write) => (cpu, insn) => {
      const base = rnv(cpu, insn);
      store(cpu, insn, write, base, true, (up(insn) ? base + imm8(insn) : base - imm8(insn)) | 0, 0);
    },
    text: (insn) => `[${reg(hwRn(insn))}], ${offText(!up(insn), imm8(insn))}`,
  },
  {
    suffix: '_neg', b7: '0', hw2: '1100 iiii iiii', layouts: [OFF8], writeback: false,
    loadExec: (read) => (cpu, insn) => { load(cpu, insn, read, (rnv(cpu, insn) - imm8(insn)) | 0, false, 0, 0); },
    storeExec: (write) => (cpu, insn) => { store(cpu, insn, write, (rnv(cpu, insn) - imm8(insn)) | 0, false, 0, 0); },
    text: (insn) => `[${reg(hwRn(insn))}, #-${imm8(insn)}]`,
  },
  {
    suffix: '_pre', b7: '0', hw2: '11u1 iiii iiii', layouts: [UP, OFF8], writeback: true,
    loadExec: (read) => (cpu, insn) => {
      const addr = (up(insn) ? rnv(cpu, insn) + imm8(insn) : rnv(cpu, insn) - imm8(insn)) | 0;
      load(cpu, insn, read, addr, true, addr, 0);
    },
    storeExec: (write) => (cpu, insn) => {
      const addr = (up(insn) ? rnv(cpu, insn) + imm8(insn) : rnv(cpu, insn) - imm8(insn)) | 0;
      store(cpu, insn, write, addr, true, addr, 0);
    },
    text: (insn) => `[${reg(hwRn(insn))}, ${offText(!up(insn), imm8(insn))}]!`,
  },
  {
    suffix: 'T', b7: '0', hw2: '1110 iiii iiii', layouts: [OFF8], writeback: false,
    loadExec: (read) => (cpu, insn) => { load(cpu, insn, read, (rnv(cpu, insn) + imm8(insn)) | 0, false, 0, ACC_UNPRIV); },
    storeExec: (write) => (cpu, insn) => { store(cpu, insn, write, (rnv(cpu, insn) + imm8(insn)) | 0, false, 0, ACC_UNPRIV); },
    text: (insn) => `[${reg(hwRn(insn))}${imm8(insn) ? `, #${imm8(insn)}` : ''}]`,
  },
  {
    suffix: '_reg', b7: '0', hw2: '0000 00ss mmmm', layouts: [T32_RM, LSL2], writeback: false,
    loadExec: (read) => (cpu, insn) => { load(cpu, insn, read, (rnv(cpu, insn) + regOff(cpu, insn)) | 0, false, 0, 0); },
    storeExec: (write) => (cpu, insn) => { store(cpu, insn, write, (rnv(cpu, insn) + regOff(cpu, insn)) | 0, false, 0, 0); },
    text: (insn) => `[${reg(hwRn(insn))}, ${reg(hwRm(insn))}${LSL2.s(insn) ? `, lsl #${LSL2.s(insn)}` : ''}]`,
  },
];

interface Space {
  mn: string;
  /** hw1 bits 8 (sign), 6:5 (size), 4 (load). */
  s: number; size: number; load: boolean;
  read?: Reader; write?: Writer;
  /** Preload hint selected by Rt = PC (byte and halfword loads), and its literal form. */
  hint?: string; hintText?: string; hintLitText?: string;
}

const SPACES: Space[] = [
  { mn: 'STRB', s: 0, size: 0, load: false, write: write8 },
  { mn: 'STRH', s: 0, size: 1, load: false, write: write16 },
  { mn: 'STR', s: 0, size: 2, load: false, write: write32 },
  { mn: 'LDRB', s: 0, size: 0, load: true, read: read8, hint: 'PLD', hintText: 'pld', hintLitText: 'pld' },
  { mn: 'LDRH', s: 0, size: 1, load: true, read: read16, hint: 'PLDW', hintText: 'pldw', hintLitText: 'pld' },
  { mn: 'LDR', s: 0, size: 2, load: true, read: read32 },
  { mn: 'LDRSB', s: 1, size: 0, load: true, read: readS8, hint: 'PLI', hintText: 'pli', hintLitText: 'pli' },
  { mn: 'LDRSH', s: 1, size: 1, load: true, read: readS16, hint: 'NOPHINT', hintText: 'nop', hintLitText: 'nop' },
];

const noop = (): void => {};

function hw1(sp: Space, b7: string, rn: string): string {
  return `1111 100${sp.s} ${b7}${sp.size.toString(2).padStart(2, '0')}${sp.load ? 1 : 0} ${rn}`;
}

/** UNPREDICTABLE operands of a single load/store row of `sp` in `form`. */
function badSingle(sp: Space, form: Form): (insn: number) => boolean {
  const word = sp.size === 2;
  return (insn) => {
    const t = hwRt(insn), n = hwRn(insn);
    if (form.writeback && n === t) return true;
    if (form.suffix === '_reg' && badReg(hwRm(insn))) return true;
    if (form.suffix === 'T') return badReg(t);
    if (sp.load) {
      if (word) return false;
      // Byte/halfword loads: Rt = SP always, Rt = PC with writeback (no hint form there).
      return t === 13 || (t === 15 && form.writeback);
    }
    return word ? t === 15 : badReg(t);
  };
}

function literalText(sp: Space, insn: number, pc: number, mn: string): string {
  const off = OFF12.i(insn);
  const neg = LIT_U.u(insn) === 0;
  const target = ((pc + 4) & ~3) + (neg ? -off : off);
  return `${mn}\t${mn === 'pld' || mn === 'pli' || mn === 'nop' ? '' : `${reg(hwRt(insn))}, `}[pc, ${offText(neg, off)}]\t; ${hex(target)}`;
}

/**
 * hw2 of a literal row for the intersection with an addressing form: the
 * form's fixed bits stay, its fields are bits of the literal's imm12.
 */
const litHw2 = (form: Form): string => form.hw2.replace(/[a-z]/g, 'i');
/** The literal rows read Rt, U and imm12 (Rn is 1111). */
const LIT_LAYOUTS = [T32_RT, LIT_U, OFF12];

function singleRows(): EncodingSpec[] {
  const rows: EncodingSpec[] = [];
  for (const sp of SPACES) {
    const mn = sp.mn.toLowerCase();
    for (const form of FORMS) {
      const name = form.suffix === 'T' ? `${sp.mn}T_T32` : `${sp.mn}${form.suffix}_T32`;
      const fmn = form.suffix === 'T' ? `${mn}t` : mn;
      const pattern = `${hw1(sp, form.b7, 'nnnn')} tttt ${form.hw2}`;
      rows.push({
        // <mn><c>.W <Rt>, <address>   (one row per addressing form)
        name, pattern,
        layouts: [T32_RN, T32_RT, ...form.layouts],
        exec: sp.load ? form.loadExec(sp.read!) : form.storeExec(sp.write!),
        disasm: (insn) => `${fmn}\t${reg(hwRt(insn))}, ${form.text(insn)}`,
        unpredictable: badSingle(sp, form),
        gen: sp.load
          ? { base: 'n', store: false, fields: { t: sp.size === 2 ? NOT_PC : GOOD } }
          : { base: 'n', store: true },
      });
      if (!sp.load) {
        // Rn = PC: UNDEFINED for every store form.
        rows.push({
          name: `${name}_pcbase`, pattern: `${hw1(sp, form.b7, '1111')} tttt ${form.hw2}`,
          exec: (cpu) => { cpu.undefinedInstruction(`${sp.mn} with Rn = PC is UNDEFINED`); },
          disasm: (insn) => `udf\t; ${fmn} with base pc (0x${(insn >>> 0).toString(16)})`,
        });
        continue;
      }
      // Rn = PC: the literal form, whatever the rest of hw2 says.
      rows.push({
        // <mn><c>.W <Rt>, [PC, #+/-<imm12>]
        name: `${sp.mn}_lit${form.suffix === 'T' ? '_t' : form.suffix}_T32`, pattern: `${hw1(sp, form.b7, '1111')} tttt ${litHw2(form)}`,
        layouts: LIT_LAYOUTS,
        exec: litExec(sp.read!),
        disasm: (insn, pc) => literalText(sp, insn, pc, mn),
        unpredictable: sp.size === 2 ? undefined : (insn) => hwRt(insn) === 13,
        gen: { store: false, fields: { t: sp.size === 2 ? NOT_PC : GOOD } },
      });
      if (sp.hint === undefined) continue;
      const hintForm = form.suffix === '_imm12' || form.suffix === '_neg' || form.suffix === '_reg';
      if (hintForm) {
        // PLD/PLDW/PLI [<Rn>, ...]: no access, no fault.
        rows.push({
          name: `${sp.hint}${form.suffix}_T32`, pattern: `${hw1(sp, form.b7, 'nnnn')} 1111 ${form.hw2}`,
          layouts: [T32_RN, ...form.layouts],
          exec: noop,
          disasm: (insn) => `${sp.hintText}\t${form.text(insn)}`,
          unpredictable: form.suffix === '_reg' ? (insn) => badReg(hwRm(insn)) : undefined,
        });
      }
      // Rn = PC and Rt = PC: the literal preload hint.
      rows.push({
        name: `${sp.hint}_lit${form.suffix === 'T' ? '_t' : form.suffix}_T32`, pattern: `${hw1(sp, form.b7, '1111')} 1111 ${litHw2(form)}`,
        layouts: LIT_LAYOUTS,
        exec: noop,
        disasm: (insn, pc) => literalText(sp, insn, pc, sp.hintLitText!),
      });
    }
    if (!sp.load) continue;
    // The literal form with U = 0 covers hw2 patterns that are no addressing form.
    rows.push({
      // <mn><c>.W <Rt>, [PC, #-<imm12>]
      name: `${sp.mn}_lit_T32`, pattern: `${hw1(sp, '0', '1111')} tttt iiii iiii iiii`,
      layouts: LIT_LAYOUTS,
      exec: litExec(sp.read!),
      disasm: (insn, pc) => literalText(sp, insn, pc, mn),
      unpredictable: sp.size === 2 ? undefined : (insn) => hwRt(insn) === 13,
      gen: { store: false, fields: { t: sp.size === 2 ? NOT_PC : GOOD } },
    });
    if (sp.hint !== undefined) {
      rows.push({
        name: `${sp.hint}_lit_T32`, pattern: `${hw1(sp, '0', '1111')} 1111 iiii iiii iiii`,
        layouts: LIT_LAYOUTS,
        exec: noop,
        disasm: (insn, pc) => literalText(sp, insn, pc, sp.hintLitText!),
      });
    }
  }
  return rows;
}

function litExec(read: Reader): Handler {
  return (cpu, insn) => { load(cpu, insn, read, litAddr(cpu, insn), false, 0, 0); };
}

// ---- load/store multiple, SRS, RFE ------------------------------------------------------------

// T32 LDM/STM words are A32 LDM/STM words (cond = 1110, bits 24:23 = P:U, W in 21, list in 15:0).
const LDM = a32Row('LDM').exec;
const STM = a32Row('STM').exec;
const SRS = a32Row('SRS').exec;
const RFE = a32Row('RFE').exec;
const SRS_A32 = a32Base('SRS'), RFE_A32 = a32Base('RFE');

const W = fieldMask(WBACK, 'w');

function ldmExec(cpu: Cpu, insn: number): void {
  if ((insn & 0x8000) !== 0 && inITNotLast(cpu)) { itUnpredictable(cpu, 'LDM with the PC that is not last'); return; }
  LDM(cpu, insn);
}

function lsmText(mn: string, insn: number): string {
  const n = hwRn(insn), list = LIST.r(insn), w = (insn & W) !== 0;
  if (n === 13 && w) {
    if (mn === 'stmdb') return `push.w\t${listText(list)}`;
    if (mn === 'ldmia') return `pop.w\t${listText(list)}`;
  }
  return `${mn}\t${reg(n)}${w ? '!' : ''}, ${listText(list)}`;
}

const badStm = (insn: number): boolean => {
  const n = hwRn(insn);
  return n === 15 || popcount(LIST.r(insn)) < 2 || ((insn & W) !== 0 && (insn & (1 << n)) !== 0);
};
const badLdm = (insn: number): boolean => badStm(insn) || (insn & 0xc000) === 0xc000;

/** SRS/RFE: T32 bits 24:23 are 00 for DB and 11 for IA; A32 P:U is 10 and 01. */
const puA32 = (insn: number): number => (((insn >>> 23) & 3) ^ 2) << 23;

function rfeExec(cpu: Cpu, insn: number): void {
  if (inITNotLast(cpu)) { itUnpredictable(cpu, 'RFE not last'); return; }
  cpu.itWritten = 1;
  RFE(cpu, RFE_A32 | puA32(insn) | (insn & W) | (insn & 0xf0000));
}

const multipleRows: EncodingSpec[] = [
  {
    // STM<c>.W <Rn>{!}, <registers>   (STMIA, STMEA)
    name: 'STM_T2', pattern: '1110 1000 10w0 nnnn ZrZr rrrr rrrr rrrr',
    layouts: [T32_RN, WBACK, LIST],
    exec: STM, disasm: (insn) => lsmText('stmia', insn), unpredictable: badStm,
    gen: { base: 'n', store: true },
  },
  {
    // LDM<c>.W <Rn>{!}, <registers>   (LDMIA, LDMFD; POP.W <registers> for SP!)
    name: 'LDM_T2', pattern: '1110 1000 10w1 nnnn rrZr rrrr rrrr rrrr',
    layouts: [T32_RN, WBACK, LIST],
    exec: ldmExec, disasm: (insn) => lsmText('ldmia', insn), unpredictable: badLdm,
    gen: { base: 'n', store: false },
  },
  {
    // STMDB<c> <Rn>{!}, <registers>   (STMFD; PUSH.W <registers> for SP!)
    name: 'STMDB_T1', pattern: '1110 1001 00w0 nnnn ZrZr rrrr rrrr rrrr',
    layouts: [T32_RN, WBACK, LIST],
    exec: STM, disasm: (insn) => lsmText('stmdb', insn), unpredictable: badStm,
    gen: { base: 'n', store: true },
  },
  {
    // LDMDB<c> <Rn>{!}, <registers>
    name: 'LDMDB_T1', pattern: '1110 1001 00w1 nnnn rrZr rrrr rrrr rrrr',
    layouts: [T32_RN, WBACK, LIST],
    exec: ldmExec, disasm: (insn) => lsmText('ldmdb', insn), unpredictable: badLdm,
    gen: { base: 'n', store: false },
  },
  {
    // SRSDB<c> SP{!}, #<mode>
    name: 'SRSDB_T1', pattern: '1110 1000 00w0 OOZO OOZZ ZZZZ ZZZm mmmm',
    layouts: [WBACK, MODE],
    exec: (cpu, insn) => { SRS(cpu, SRS_A32 | puA32(insn) | (insn & W) | MODE.m(insn)); },
    disasm: (insn) => `srsdb\tsp${insn & W ? '!' : ''}, #${MODE.m(insn)}`,
    gen: { store: true, needsSpsr: true },
  },
  {
    // SRS{IA}<c> SP{!}, #<mode>
    name: 'SRSIA_T2', pattern: '1110 1001 10w0 OOZO OOZZ ZZZZ ZZZm mmmm',
    layouts: [WBACK, MODE],
    exec: (cpu, insn) => { SRS(cpu, SRS_A32 | puA32(insn) | (insn & W) | MODE.m(insn)); },
    disasm: (insn) => `srsia\tsp${insn & W ? '!' : ''}, #${MODE.m(insn)}`,
    gen: { store: true, needsSpsr: true },
  },
  {
    // RFEDB<c> <Rn>{!}
    name: 'RFEDB_T1', pattern: '1110 1000 00w1 nnnn OOZZ ZZZZ ZZZZ ZZZZ',
    layouts: [T32_RN, WBACK],
    exec: rfeExec,
    disasm: (insn) => `rfedb\t${reg(hwRn(insn))}${insn & W ? '!' : ''}`,
    unpredictable: (insn) => hwRn(insn) === 15,
    gen: { branch: true, needsSpsr: true },
  },
  {
    // RFE{IA}<c> <Rn>{!}
    name: 'RFEIA_T2', pattern: '1110 1001 10w1 nnnn OOZZ ZZZZ ZZZZ ZZZZ',
    layouts: [T32_RN, WBACK],
    exec: rfeExec,
    disasm: (insn) => `rfeia\t${reg(hwRn(insn))}${insn & W ? '!' : ''}`,
    unpredictable: (insn) => hwRn(insn) === 15,
    gen: { branch: true, needsSpsr: true },
  },
];

// ---- load/store dual ---------------------------------------------------------------------------

const rt2 = RT2.T;
const dualOff = (insn: number): number => OFF8.i(insn) << 2;
const P = fieldMask(PUW, 'p'), U = fieldMask(PUW, 'u');

/** Address and writeback value of LDRD/STRD (imm8 scaled by 4). */
function dualAddr(insn: number, base: number): number {
  const off = (insn & U) !== 0 ? (base + dualOff(insn)) | 0 : (base - dualOff(insn)) | 0;
  return (insn & P) !== 0 ? off : base;
}
function dualWb(insn: number, base: number): number {
  return (insn & U) !== 0 ? (base + dualOff(insn)) | 0 : (base - dualOff(insn)) | 0;
}

function ldrd(cpu: Cpu, insn: number): void {
  const n = hwRn(insn);
  const base = n === 15 ? cpu.r[15] & ~3 : cpu.r[n];
  const addr = dualAddr(insn, base);
  const lo = cpu.read32(addr, ACC_ALIGN);
  const hi = cpu.read32((addr + 4) | 0, ACC_ALIGN);
  if ((insn & W) !== 0) cpu.r[n] = dualWb(insn, base);
  cpu.r[hwRt(insn)] = lo;
  cpu.r[rt2(insn)] = hi;
}

function strd(cpu: Cpu, insn: number): void {
  const n = hwRn(insn);
  const base = cpu.r[n];
  const addr = dualAddr(insn, base);
  cpu.write32(addr, cpu.r[hwRt(insn)], ACC_ALIGN);
  cpu.write32((addr + 4) | 0, cpu.r[rt2(insn)], ACC_ALIGN);
  if ((insn & W) !== 0) cpu.r[n] = dualWb(insn, base);
}

function dualText(mn: string, insn: number, pc: number): string {
  const n = hwRn(insn), off = dualOff(insn), neg = (insn & U) === 0;
  const regs = `${reg(hwRt(insn))}, ${reg(rt2(insn))}`;
  if (n === 15 && (insn & W) === 0) {
    return `${mn}\t${regs}, [pc, ${offText(neg, off)}]\t; ${hex(((pc + 4) & ~3) + (neg ? -off : off))}`;
  }
  if ((insn & P) === 0) return `${mn}\t${regs}, [${reg(n)}], ${offText(neg, off)}`;
  const o = off === 0 && !neg ? '' : `, ${offText(neg, off)}`;
  return `${mn}\t${regs}, [${reg(n)}${o}]${insn & W ? '!' : ''}`;
}

const badStrd = (insn: number): boolean => {
  const n = hwRn(insn), t = hwRt(insn), t2 = rt2(insn);
  return ((insn & W) !== 0 && (n === t || n === t2)) || n === 15 || badReg(t) || badReg(t2);
};
const badLdrd = (insn: number): boolean => {
  const n = hwRn(insn), t = hwRt(insn), t2 = rt2(insn);
  return ((insn & W) !== 0 && (n === t || n === t2 || n === 15)) || badReg(t) || badReg(t2) || t === t2;
};

const dualRows: EncodingSpec[] = [
  {
    // STRD<c> <Rt>, <Rt2>, [<Rn>], #+/-<imm>
    name: 'STRD_post_T1', pattern: '1110 1000 u110 nnnn tttt TTTT iiii iiii',
    layouts: [T32_RN, T32_RT, RT2, PUW, OFF8],
    exec: strd, disasm: (insn, pc) => dualText('strd', insn, pc), unpredictable: badStrd,
    gen: { base: 'n', store: true },
  },
  {
    // STRD<c> <Rt>, <Rt2>, [<Rn>{, #+/-<imm>}]{!}
    name: 'STRD_imm_T1', pattern: '1110 1001 u1w0 nnnn tttt TTTT iiii iiii',
    layouts: [T32_RN, T32_RT, RT2, PUW, OFF8],
    exec: strd, disasm: (insn, pc) => dualText('strd', insn, pc), unpredictable: badStrd,
    gen: { base: 'n', store: true },
  },
  {
    // LDRD<c> <Rt>, <Rt2>, [<Rn>], #+/-<imm>
    name: 'LDRD_post_T1', pattern: '1110 1000 u111 nnnn tttt TTTT iiii iiii',
    layouts: [T32_RN, T32_RT, RT2, PUW, OFF8],
    exec: ldrd, disasm: (insn, pc) => dualText('ldrd', insn, pc), unpredictable: badLdrd,
    gen: { base: 'n', store: false },
  },
  {
    // LDRD<c> <Rt>, <Rt2>, [<Rn>{, #+/-<imm>}]{!}
    name: 'LDRD_imm_T1', pattern: '1110 1001 u1w1 nnnn tttt TTTT iiii iiii',
    layouts: [T32_RN, T32_RT, RT2, PUW, OFF8],
    exec: ldrd, disasm: (insn, pc) => dualText('ldrd', insn, pc), unpredictable: badLdrd,
    gen: { base: 'n', store: false },
  },
  {
    // LDRD<c> <Rt>, <Rt2>, <label>   (LDRD <Rt>, <Rt2>, [PC, #+/-<imm>])
    name: 'LDRD_lit_T1', pattern: '1110 1001 u1Z1 1111 tttt TTTT iiii iiii',
    layouts: [T32_RN, T32_RT, RT2, OFF8],
    exec: ldrd, disasm: (insn, pc) => dualText('ldrd', insn, pc),
    unpredictable: (insn) => badReg(hwRt(insn)) || badReg(rt2(insn)) || hwRt(insn) === rt2(insn),
    gen: { store: false },
  },
];

// ---- exclusives and table branches ---------------------------------------------------------------

const exAddr = (cpu: Cpu, insn: number): number => (cpu.r[hwRn(insn)] + (OFF8.i(insn) << 2)) | 0;

function ldrexOf(read: Reader): Handler {
  return (cpu, insn) => {
    const addr = cpu.r[hwRn(insn)];
    const v = read(cpu, addr, ACC_ALIGN);
    markExclusive(cpu, addr);
    cpu.r[hwRt(insn)] = v;
  };
}

function strexOf(size: number, write: Writer): Handler {
  return (cpu, insn) => {
    const addr = cpu.r[hwRn(insn)];
    const d = EX_RD.d(insn);
    if (exclusivePass(cpu, addr, size)) {
      write(cpu, addr, cpu.r[hwRt(insn)], ACC_ALIGN);
      cpu.r[d] = 0;
    } else {
      cpu.r[d] = 1;
    }
  };
}

function tableBranch(cpu: Cpu, insn: number, half: boolean): void {
  if (inITNotLast(cpu)) { itUnpredictable(cpu, 'TBB/TBH not last'); return; }
  const n = cpu.r[hwRn(insn)], m = cpu.r[hwRm(insn)];
  const off = half ? cpu.read16((n + (m << 1)) | 0) : cpu.read8((n + m) | 0);
  cpu.branchWritePC((cpu.r[15] + (off << 1)) | 0);
}

const exText = (mn: string, insn: number): string => `${mn}\t${reg(hwRt(insn))}, [${reg(hwRn(insn))}]`;
const badExLoad = (insn: number): boolean => badReg(hwRt(insn)) || hwRn(insn) === 15;
/** STREX{B,H,D}: Rd in bits 3:0. */
const badExStore = (insn: number): boolean => {
  const d = EX_RD.d(insn), t = hwRt(insn), n = hwRn(insn);
  return badReg(d) || badReg(t) || n === 15 || d === n || d === t;
};

const exclusiveRows: EncodingSpec[] = [
  {
    // LDREX<c> <Rt>, [<Rn>{, #<imm>}]
    name: 'LDREX_T1', pattern: '1110 1000 0101 nnnn tttt OOOO iiii iiii',
    layouts: [T32_RN, T32_RT, OFF8],
    exec: (cpu, insn) => {
      const addr = exAddr(cpu, insn);
      const v = cpu.read32(addr, ACC_ALIGN);
      markExclusive(cpu, addr);
      cpu.r[hwRt(insn)] = v;
    },
    disasm: (insn) => `ldrex\t${reg(hwRt(insn))}, [${reg(hwRn(insn))}${OFF8.i(insn) ? `, #${(OFF8.i(insn)) << 2}` : ''}]`,
    unpredictable: badExLoad,
    gen: { base: 'n', store: false },
  },
  {
    // STREX<c> <Rd>, <Rt>, [<Rn>{, #<imm>}]
    name: 'STREX_T1', pattern: '1110 1000 0100 nnnn tttt dddd iiii iiii',
    layouts: [T32_RN, T32_RT, T32_RD, OFF8],
    exec: (cpu, insn) => {
      const addr = exAddr(cpu, insn);
      const d = hwRd(insn);
      if (exclusivePass(cpu, addr, 4)) {
        cpu.write32(addr, cpu.r[hwRt(insn)], ACC_ALIGN);
        cpu.r[d] = 0;
      } else {
        cpu.r[d] = 1;
      }
    },
    disasm: (insn) => `strex\t${reg(hwRd(insn))}, ${reg(hwRt(insn))}, [${reg(hwRn(insn))}${OFF8.i(insn) ? `, #${(OFF8.i(insn)) << 2}` : ''}]`,
    unpredictable: (insn) => {
      const d = hwRd(insn), t = hwRt(insn), n = hwRn(insn);
      return badReg(d) || badReg(t) || n === 15 || d === n || d === t;
    },
    gen: { base: 'n', store: true },
  },
  {
    // LDREXB<c> <Rt>, [<Rn>]
    name: 'LDREXB_T1', pattern: '1110 1000 1101 nnnn tttt OOOO 0100 OOOO',
    layouts: [T32_RN, T32_RT],
    exec: ldrexOf(read8), disasm: (insn) => exText('ldrexb', insn), unpredictable: badExLoad,
    gen: { base: 'n', store: false },
  },
  {
    // LDREXH<c> <Rt>, [<Rn>]
    name: 'LDREXH_T1', pattern: '1110 1000 1101 nnnn tttt OOOO 0101 OOOO',
    layouts: [T32_RN, T32_RT],
    exec: ldrexOf(read16), disasm: (insn) => exText('ldrexh', insn), unpredictable: badExLoad,
    gen: { base: 'n', store: false },
  },
  {
    // LDREXD<c> <Rt>, <Rt2>, [<Rn>]   (doubleword aligned)
    name: 'LDREXD_T1', pattern: '1110 1000 1101 nnnn tttt TTTT 0111 OOOO',
    layouts: [T32_RN, T32_RT, RT2],
    exec: (cpu, insn) => {
      const addr = cpu.r[hwRn(insn)];
      cpu.checkAlignment(addr, 8, false);
      const lo = cpu.read32(addr, ACC_ALIGN);
      const hi = cpu.read32((addr + 4) | 0, ACC_ALIGN);
      markExclusive(cpu, addr);
      cpu.r[hwRt(insn)] = lo;
      cpu.r[rt2(insn)] = hi;
    },
    disasm: (insn) => `ldrexd\t${reg(hwRt(insn))}, ${reg(rt2(insn))}, [${reg(hwRn(insn))}]`,
    unpredictable: (insn) => badReg(hwRt(insn)) || badReg(rt2(insn)) || hwRt(insn) === rt2(insn) || hwRn(insn) === 15,
    gen: { base: 'n', store: false },
  },
  {
    // STREXB<c> <Rd>, <Rt>, [<Rn>]
    name: 'STREXB_T1', pattern: '1110 1000 1100 nnnn tttt OOOO 0100 dddd',
    layouts: [T32_RN, T32_RT, EX_RD],
    exec: strexOf(1, write8),
    disasm: (insn) => `strexb\t${reg(EX_RD.d(insn))}, ${reg(hwRt(insn))}, [${reg(hwRn(insn))}]`,
    unpredictable: badExStore,
    gen: { base: 'n', store: true },
  },
  {
    // STREXH<c> <Rd>, <Rt>, [<Rn>]
    name: 'STREXH_T1', pattern: '1110 1000 1100 nnnn tttt OOOO 0101 dddd',
    layouts: [T32_RN, T32_RT, EX_RD],
    exec: strexOf(2, write16),
    disasm: (insn) => `strexh\t${reg(EX_RD.d(insn))}, ${reg(hwRt(insn))}, [${reg(hwRn(insn))}]`,
    unpredictable: badExStore,
    gen: { base: 'n', store: true },
  },
  {
    // STREXD<c> <Rd>, <Rt>, <Rt2>, [<Rn>]
    name: 'STREXD_T1', pattern: '1110 1000 1100 nnnn tttt TTTT 0111 dddd',
    layouts: [T32_RN, T32_RT, RT2, EX_RD],
    exec: (cpu, insn) => {
      const addr = cpu.r[hwRn(insn)];
      const d = EX_RD.d(insn);
      if (exclusivePass(cpu, addr, 8)) {
        cpu.write32(addr, cpu.r[hwRt(insn)], ACC_ALIGN);
        cpu.write32((addr + 4) | 0, cpu.r[rt2(insn)], ACC_ALIGN);
        cpu.r[d] = 0;
      } else {
        cpu.r[d] = 1;
      }
    },
    disasm: (insn) => `strexd\t${reg(EX_RD.d(insn))}, ${reg(hwRt(insn))}, ${reg(rt2(insn))}, [${reg(hwRn(insn))}]`,
    unpredictable: (insn) => badExStore(insn) || badReg(rt2(insn)) || (EX_RD.d(insn)) === rt2(insn),
    gen: { base: 'n', store: true },
  },
  {
    // TBB<c> [<Rn>, <Rm>]
    name: 'TBB_T1', pattern: '1110 1000 1101 nnnn OOOO ZZZZ 0000 mmmm',
    layouts: [T32_RN, T32_RM],
    exec: (cpu, insn) => { tableBranch(cpu, insn, false); },
    disasm: (insn) => `tbb\t[${reg(hwRn(insn))}, ${reg(hwRm(insn))}]`,
    unpredictable: (insn) => hwRn(insn) === 13 || badReg(hwRm(insn)),
    gen: { branch: true },
  },
  {
    // TBH<c> [<Rn>, <Rm>, LSL #1]
    name: 'TBH_T1', pattern: '1110 1000 1101 nnnn OOOO ZZZZ 0001 mmmm',
    layouts: [T32_RN, T32_RM],
    exec: (cpu, insn) => { tableBranch(cpu, insn, true); },
    disasm: (insn) => `tbh\t[${reg(hwRn(insn))}, ${reg(hwRm(insn))}, lsl #1]`,
    unpredictable: (insn) => hwRn(insn) === 13 || badReg(hwRm(insn)),
    gen: { branch: true },
  },
];

export const t32MemoryRows: EncodingSpec[] = [
  ...singleRows(),
  ...multipleRows,
  ...dualRows,
  ...exclusiveRows,
];
