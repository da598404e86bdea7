/**
 * Random Thumb test cases from the T16 and T32 encoding tables.
 *
 * The harness (runtime.S) is the one of the A32 cases: it enters a case with
 * `ldm r0, {r0-r15}`, and a Thumb case's r15 is its address | 1, so the LDM
 * (LoadWritePC) interworks into Thumb state. A Thumb slot is 64 bytes of
 * halfwords: landing `svc #0x10+k` before the code, the code (one instruction,
 * or an IT instruction and the 1-4 instructions of its block), landing
 * `svc #k` after it. Branches to ARM state land on a shared block of ARM
 * `svc #0x20+k` words. Exceptions are taken in ARM state (SCTLR.TE = 0), so
 * the vector stubs are the A32 ones; the recorded SPSR holds T and ITSTATE.
 *
 * Every row of both tables that is not skipped is generated round-robin, as
 * for A32; IT_T1 is generated as a family (its gen.skip says why it cannot
 * stand alone): an IT instruction followed by random instructions from the
 * rows that may appear in an IT block, branches only last. Each candidate
 * runs on a private probe CPU, instruction by instruction, until it takes an
 * exception or reaches a landing pad; the same rejections and steering as for
 * A32 apply (window accesses, data-dependent UNPREDICTABLE, branch targets).
 */

import { t16Decoder, t32Decoder } from '../../machine/cpu/t32/table';
import type { EncodingRow } from '../../machine/cpu/encoding';
import { fieldValue, withField } from '../../machine/cpu/encoding';
import { Cpu } from '../../machine/cpu/cpu';
import { MODE_SYS, bankOf } from '../../machine/cpu/modes';
import { Rng } from '../support/prng';
import { ROW_RULES, type RowRule } from './rules';
import {
  MODES, MODE_WEIGHTS, SPSR_MODES, POOL_IMAGES, ProbeBus, randomImage, randomPsr, randomValue,
  type Batch, type Case, type ThumbInsn, type RowFailure,
} from './generate';
import {
  BLOB_HEADER, BLOB_MAGIC, CASES_BASE, CASE_SIZE, CASE_CPSR, CASE_SPSR, CASE_FLAGS, CASE_IMAGE,
  CASE_MONITOR_ADDR, CASE_MONITOR_KIND, FLAG_WINDOW, WINDOW, WINDOW_SIZE, MAX_CASES,
} from './layout';

/** Bytes per Thumb slot, and the two offsets of the code in it (word-aligned or not). */
export const T_SLOT_BYTES = 64;
const T_CODE_OFFSETS = [12, 14];
/** ARM-state landing pads (svc #0x20+k) shared by all cases, after the case records. */
export const ARM_PADS = 16;
const ARM_PAD_SVC = 0x20;
/** Share of the cases that are IT blocks. */
const IT_SHARE = 0.2;

const WORD_TRIES = 48;
const STATE_TRIES = 6;
const STEER_STEPS = 4;
const IT_TRIES = 400;

const T_SVC = (imm: number): number => 0xdf00 | imm;
const ARM_SVC = (imm: number): number => (0xef000000 | imm) >>> 0;

/**
 * Rows that address memory through SP (no gen.base: SP is implied), and the
 * rows whose gen.skip ("moves the stack pointer of the harness") does not
 * apply here: the runtime loads every bank's SP from the case and records it.
 */
const SP_BASE = new Set(['LDR_sp_T2', 'STR_sp_T2', 'PUSH_T1', 'POP_T1']);
const HARNESS_UNSKIP = new Set(['ADD_sp_imm_T2', 'SUB_sp_imm_T1', 'PUSH_T1', 'POP_T1']);

function baseOf(row: EncodingRow, insn: number): number {
  if (SP_BASE.has(row.name)) return 13;
  return row.gen?.base !== undefined ? fieldValue(row, row.gen.base, insn) : -1;
}

const MSR_REG = new Set(['MSR_reg_cpsr_T1', 'MSR_reg_spsr_T1']);

/**
 * Rows the IT family does not draw: UNPREDICTABLE anywhere in an IT block
 * (CBZ/CBNZ, B<c>, SETEND, CPS, IT), BKPT (skipped), and two rows where QEMU
 * 7.2 loses ITSTATE: an SMC (UNDEFINED without the Security Extensions,
 * raised by a helper without restoring the IT bits) and the UNDEFINED
 * encodings of the branch/miscellaneous-control space (cond = 111x of B<c>.W)
 * both enter the Undefined exception with SPSR.IT = 0 inside an IT block,
 * where the ARM ARM (and the simulator) record the instruction's ITSTATE.
 */
const NOT_IN_IT = new Set(['IT_T1', 'CBZ_T1', 'B_T1', 'B_T3', 'SETEND_T1', 'CPS_T1', 'BKPT_T1', 'SMC_T1', 'UNDEF_branch_T32']);

// ---- rows ---------------------------------------------------------------------------------

const wideRows = new WeakSet<EncodingRow>();

function allRows(): EncodingRow[] {
  const t32 = t32Decoder().rows;
  for (const r of t32) wideRows.add(r);
  return [...t16Decoder().rows, ...t32];
}

function isWide(row: EncodingRow): boolean {
  if (!wideRows.has(row)) allRows();
  return wideRows.has(row);
}

/** Rows generated: every T16 and T32 row that is not skipped (IT_T1 as the IT-block family). */
export function thumbTableRows(unskip: string[] = []): { rows: EncodingRow[]; skipped: Map<string, string> } {
  const rows: EncodingRow[] = [];
  const skipped = new Map<string, string>();
  for (const row of allRows()) {
    const reason = row.name === 'IT_T1' || HARNESS_UNSKIP.has(row.name) ? undefined : row.gen?.skip ?? THUMB_RULES[row.name]?.skip;
    if (reason !== undefined && !unskip.includes(row.name)) skipped.set(row.name, reason);
    else rows.push(row);
  }
  return { rows, skipped };
}

// ---- per-row rules --------------------------------------------------------------------------

interface Ctx {
  /** Address of this instruction. */
  addr: number;
  /** Landing pads of the case (Thumb addresses, bit 0 clear). */
  thumbPads: number[];
  armPads: number[];
}

interface ThumbRule extends RowRule {
  /** Word adjustment that needs the instruction's address (branch offsets). */
  place?: (row: EncodingRow, insn: number, rng: Rng, ctx: Ctx) => number | undefined;
}

/** A Thumb landing pad at or after `min`, as an offset from ctx.addr + 4. */
function padOffset(rng: Rng, ctx: Ctx, min = -Infinity, max = Infinity): number | undefined {
  const offs = ctx.thumbPads.map((a) => (a - ctx.addr - 4) | 0).filter((o) => o >= min && o <= max);
  return offs.length ? rng.pick(offs) : undefined;
}

const branchRules: Record<string, ThumbRule> = {
  B_T1: { place: (row, w, rng, ctx) => { const o = padOffset(rng, ctx); return o === undefined ? undefined : withField(row, 'i', w, (o >> 1) & 0xff); } },
  B_T2: { place: (row, w, rng, ctx) => { const o = padOffset(rng, ctx); return o === undefined ? undefined : withField(row, 'i', w, (o >> 1) & 0x7ff); } },
  CBZ_T1: {
    place: (row, w, rng, ctx) => { const o = padOffset(rng, ctx, 0, 126); return o === undefined ? undefined : withField(row, 'i', w, o >> 1); },
    state: (row, c, rng) => { if (rng.chance(0.5)) c.regs[fieldValue(row, 'n', c.word)] = 0; },
  },
  B_T3: {
    place: (row, w, rng, ctx) => {
      const o = padOffset(rng, ctx);
      if (o === undefined) return undefined;
      const v = o & 0x1fffff;
      w = withField(row, 's', w, (v >>> 20) & 1);
      w = withField(row, 'k', w, (v >>> 19) & 1);
      w = withField(row, 'j', w, (v >>> 18) & 1);
      return withField(row, 'i', w, (v >>> 1) & 0x1ffff);
    },
  },
  B_T4: { place: (row, w, rng, ctx) => longBranch(row, w, padOffset(rng, ctx)) },
  BL_T1: { place: (row, w, rng, ctx) => longBranch(row, w, padOffset(rng, ctx)) },
  BLX_imm_T2: {
    place: (row, w, rng, ctx) => {
      const target = rng.pick(ctx.armPads);
      const o = (target - ((ctx.addr + 4) & ~3)) | 0;
      const v = o & 0x1ffffff;
      const s = (v >>> 24) & 1, i1 = (v >>> 23) & 1, i2 = (v >>> 22) & 1;
      w = withField(row, 's', w, s);
      w = withField(row, 'j', w, i1 ^ 1 ^ s);
      w = withField(row, 'k', w, i2 ^ 1 ^ s);
      return withField(row, 'i', w, (v >>> 2) & 0xfffff);
    },
  },
};

/** B.W / BL: S:I1:I2:imm10:imm11:'0' with J1 = NOT(I1) XOR S, J2 = NOT(I2) XOR S. */
function longBranch(row: EncodingRow, w: number, o: number | undefined): number | undefined {
  if (o === undefined) return undefined;
  const v = o & 0x1ffffff;
  const s = (v >>> 24) & 1, i1 = (v >>> 23) & 1, i2 = (v >>> 22) & 1;
  w = withField(row, 's', w, s);
  w = withField(row, 'j', w, i1 ^ 1 ^ s);
  w = withField(row, 'k', w, i2 ^ 1 ^ s);
  return withField(row, 'i', w, (v >>> 1) & 0x1fffff);
}

/** A base address in the middle of the window. */
function windowBase(rng: Rng): number {
  return (WINDOW + WINDOW_SIZE / 2 + (rng.chance(0.85) ? rng.range(-8, 8) * 4 : rng.range(-32, 32))) >>> 0;
}

/**
 * TBB/TBH: the table in the window (Rn), a small index (Rm), and table
 * entries that send the branch to the landing pads after the instruction.
 */
function tableBranch(half: boolean): ThumbRule {
  return {
    state: (row, c, rng) => {
      const n = fieldValue(row, 'n', c.word), m = fieldValue(row, 'm', c.word);
      if (n !== 15) c.regs[n] = windowBase(rng);
      if (m !== 15 && m !== n) c.regs[m] = rng.range(0, half ? 24 : 48);
      const pads = c.thumb!.halfwords.length;
      const post = (c.thumb!.slotAddr + pads * 2 - c.addr - 4) >> 1; // entries 0 .. post-1 land
      const img = new Uint8Array(WINDOW_SIZE);
      for (let i = 0; i < WINDOW_SIZE; i++) img[i] = half && (i & 1) ? 0 : rng.below(Math.max(1, post));
      c.image = img;
    },
  };
}

/** RFE: the base in the window, pairs of (landing address, PSR) in ARM or Thumb state. */
const rfe: ThumbRule = {
  state: (row, c, rng) => {
    const n = fieldValue(row, 'n', c.word);
    if (n !== 15) c.regs[n] = windowBase(rng);
    const img = new Uint8Array(WINDOW_SIZE);
    const dv = new DataView(img.buffer);
    const pads = landingSets(c);
    for (let i = 0; i < WINDOW_SIZE; i += 8) {
      const thumb = rng.chance(0.5);
      dv.setUint32(i, thumb ? (rng.pick(pads.thumb) | (rng.below(2))) >>> 0 : rng.pick(pads.arm), true);
      const mode = rng.pick([0x10, 0x11, 0x12, 0x13, 0x17, 0x1b, 0x1f]);
      dv.setUint32(i + 4, ((rng.below(32) << 27) | (rng.below(16) << 16) | (rng.below(8) << 6) | (thumb ? 0x20 : 0) | mode) >>> 0, true);
    }
    c.image = img;
  },
};

/** SUBS PC, LR: half of the SPSRs return to Thumb state. */
const subsPcLr: ThumbRule = {
  state: (_row, c, rng) => { if (rng.chance(0.5)) c.spsr = (c.spsr | 0x20) >>> 0; },
};

/** Thumb SVC #0xAB is the semihosting call in Thumb state. */
const svc: ThumbRule = {
  reject: (_row, insn) => ((insn & 0xff) === 0xab ? 'semihosting SVC' : undefined),
};

export const THUMB_RULES: Record<string, ThumbRule> = {
  ...branchRules,
  TBB_T1: tableBranch(false),
  TBH_T1: tableBranch(true),
  SVC_T1: svc,
  // The Cortex-A9 implements ThumbEE, where LEAVEX in Thumb state has no effect (a NOP, as the
  // simulator does); QEMU 7.2 models no ThumbEE and takes it as UNDEFINED.
  LEAVEX_T1: { skip: 'QEMU has no ThumbEE: UNDEFINED there, a NOP in Thumb state on the Cortex-A9' },
  RFEDB_T1: rfe,
  RFEIA_T2: rfe,
  SRSDB_T1: ROW_RULES.SRS,
  SRSIA_T2: ROW_RULES.SRS,
  SUBS_pc_lr_T1: subsPcLr,
  STREX_T1: ROW_RULES.STREX,
  STREXB_T1: ROW_RULES.STREXB,
  STREXH_T1: ROW_RULES.STREXH,
  STREXD_T1: ROW_RULES.STREXD,
  MSR_reg_cpsr_T1: ROW_RULES.MSR_reg_cpsr,
  MSR_reg_spsr_T1: ROW_RULES.MSR_reg_spsr,
  MCR_p15_T32: ROW_RULES.MCR_p15,
  MRC_p15_T32: ROW_RULES.MRC_p15,
  MCR2_T32: ROW_RULES.MCR2,
  MRC2_T32: ROW_RULES.MRC2,
  MCRR2_T32: ROW_RULES.MCRR2,
  MRRC2_T32: ROW_RULES.MRRC2,
  CDP2_T32: ROW_RULES.CDP2,
  LDC2_T32: ROW_RULES.LDC2,
  STC2_T32: ROW_RULES.STC2,
  COPROC_undef_st_T32: ROW_RULES.COPROC_undef_st,
  COPROC_undef_ld_T32: ROW_RULES.COPROC_undef_ld,
  COPROC2_undef_st_T32: ROW_RULES.COPROC2_undef_st,
  COPROC2_undef_ld_T32: ROW_RULES.COPROC2_undef_ld,
};

// ---- slots ---------------------------------------------------------------------------------

let armPadsBase = 0;

function armPadList(): number[] {
  return Array.from({ length: ARM_PADS }, (_, k) => (armPadsBase + 4 * k) >>> 0);
}

/** The slot's halfwords: pads before, the code, pads after. */
function slotHalfwords(codeOff: number, insns: Array<{ insn: number; size: number }>): number[] {
  const hw: number[] = [];
  for (let k = 0; k < codeOff / 2; k++) hw.push(T_SVC(0x10 + k));
  for (const i of insns) {
    if (i.size === 4) hw.push((i.insn >>> 16) & 0xffff, i.insn & 0xffff);
    else hw.push(i.insn & 0xffff);
  }
  let k = 0;
  while (hw.length < T_SLOT_BYTES / 2) hw.push(T_SVC(k++));
  return hw;
}

function landingSets(c: Case): { thumb: number[]; arm: number[] } {
  const t = c.thumb!;
  const codeEnd = c.addr + t.insns.reduce((n, i) => n + i.size, 0);
  const thumb: number[] = [];
  for (let k = 0; k < t.halfwords.length; k++) {
    const a = (t.slotAddr + 2 * k) >>> 0;
    if (a < c.addr || a >= codeEnd) thumb.push(a);
  }
  return { thumb, arm: armPadList() };
}

/** Where a case may end without an exception. */
function isLanding(c: Case, pc: number, thumb: boolean): boolean {
  const s = landingSets(c);
  return thumb ? s.thumb.includes(pc >>> 0) : s.arm.includes(pc >>> 0);
}

// ---- probe ---------------------------------------------------------------------------------

interface ProbeResult {
  ok: boolean;
  why: string;
  badAddr: number;
  /** Where execution continued when no exception was taken, and in which state. */
  nextPc: number;
  thumb: boolean;
  exception: number;
  wrote: boolean;
  crash?: string;
}

/**
 * The probe's RAM mirrors the blob only where it is final: the case records
 * and slots of the cases accepted so far, the ARM pads and the images. A read
 * of a record or slot not generated yet (or of the header, whose case count
 * is written last) would see different bytes than the real run, so it counts
 * as an access outside the allowed ranges.
 */
class ThumbProbeBus extends ProbeBus {
  /** Forbidden blob ranges [start, end) for the case being probed. */
  holes: Array<[number, number]> = [];

  private hole(pa: number, size: number): void {
    if (!this.recording || this.badAddr !== -1) return;
    for (const [a, b] of this.holes) {
      if (pa + size > a && pa < b) {
        this.badAddr = pa >>> 0;
        this.badWhy = `load from 0x${(pa >>> 0).toString(16)}, a part of the case blob not generated yet`;
        return;
      }
    }
  }

  override read32(pa: number): number { this.hole(pa, 4); return super.read32(pa); }
  override read16(pa: number): number { this.hole(pa, 2); return super.read16(pa); }
  override read8(pa: number): number { this.hole(pa, 1); return super.read8(pa); }
  override readData32(pa: number, va: number): number { this.hole(pa, 4); return super.readData32(pa, va); }
  override readData16(pa: number, va: number): number { this.hole(pa, 2); return super.readData16(pa, va); }
  override readData8(pa: number, va: number): number { this.hole(pa, 1); return super.readData8(pa, va); }
}

class ThumbProbe {
  readonly bus: ThumbProbeBus;
  readonly cpu: Cpu;
  private exception = -1;
  private report = '';

  constructor(readOnlyEnd: number) {
    this.bus = new ThumbProbeBus(readOnlyEnd);
    this.bus.addRam('ram', 0x60000000, 0x04000000);
    this.cpu = new Cpu(this.bus);
    // Every data access must reach ThumbProbeBus's checks: the jit engine's fast path goes around the bus.
    this.cpu.engine = 'interpreter';
    this.cpu.cp15.vbar = 0x60000000;
    const cpu = this.cpu;
    cpu.reportOnce = (message: string) => { this.report = message; };
    const bx = cpu.bxWritePC;
    cpu.bxWritePC = (addr: number) => {
      if ((addr & 3) === 2) this.report = `UNPREDICTABLE interworking branch to 0x${(addr >>> 0).toString(16)}`;
      bx.call(cpu, addr);
    };
    const enter = cpu.enterException;
    cpu.enterException = (vector, mode, lr) => {
      this.exception = vector;
      enter.call(cpu, vector, mode, lr);
    };
  }

  run(c: Case): ProbeResult {
    const { bus, cpu } = this;
    const t = c.thumb!;
    const ram = bus.regions[0];
    ram.u8.set(c.image, WINDOW - 0x60000000);
    for (let k = 0; k < t.halfwords.length; k++) bus.write16(t.slotAddr + 2 * k, t.halfwords[k]);
    const r = c.regs;
    cpu.changeMode(MODE_SYS);
    for (let b = 0; b < 6; b++) {
      cpu.bankSp[b] = r[13]; cpu.bankLr[b] = r[14]; cpu.spsr[b] = c.spsr;
    }
    for (let k = 0; k < 5; k++) { cpu.usrHigh[k] = r[8 + k]; cpu.fiqHigh[k] = r[8 + k]; }
    cpu.mode = c.cpsr & 0x1f;
    for (let k = 0; k < 15; k++) cpu.r[k] = r[k];
    cpu.setFlags(c.cpsr);
    cpu.ge = (c.cpsr >>> 16) & 15;
    cpu.e = (c.cpsr >>> 9) & 1; cpu.it = 0; cpu.a = 1; cpu.i = 1; cpu.f = 1;
    cpu.t = 1; cpu.codeGen++;
    cpu.pc = c.addr;
    cpu.waiting = false;
    cpu.stopRequested = false;
    cpu.monitorActive = c.monitorKind !== 0;
    cpu.monitorAddr = c.monitorKind !== 0 ? c.monitorAddr : -1;
    this.exception = -1;
    this.report = '';
    bus.recording = true;
    bus.wrote = false;
    bus.badAddr = -1;
    const res: ProbeResult = { ok: false, why: '', badAddr: -1, nextPc: 0, thumb: true, exception: -1, wrote: false };
    const seq: number[] = [];
    let a = c.addr;
    for (const i of t.insns) { seq.push(a); a += i.size; }
    try {
      for (let step = 0; ; step++) {
        cpu.run(1);
        if (this.exception !== -1 || bus.badAddr !== -1 || this.report) break;
        if (cpu.waiting || cpu.stopRequested) break;
        // Still inside the case's own code, in order: go on with the next instruction.
        if (cpu.t === 1 && step + 1 < seq.length && (cpu.pc >>> 0) === seq[step + 1]) continue;
        break;
      }
    } catch (e) {
      res.crash = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    } finally {
      bus.recording = false;
    }
    res.badAddr = bus.badAddr;
    res.nextPc = cpu.pc >>> 0;
    res.thumb = cpu.t === 1;
    res.exception = this.exception;
    res.wrote = bus.wrote;
    if (res.crash) { res.why = `simulator threw ${res.crash}`; return res; }
    if (bus.badAddr !== -1) { res.why = bus.badWhy; return res; }
    if (/unpredictable/i.test(this.report)) { res.why = `data-dependent UNPREDICTABLE (${this.report})`; return res; }
    if (this.exception !== -1) {
      if (this.exception >= 0x04 && this.exception <= 0x10) { res.ok = true; return res; }
      res.why = `unexpected exception vector 0x${this.exception.toString(16)}`;
      return res;
    }
    if (cpu.waiting || cpu.stopRequested) { res.why = 'the instruction waits or stops the machine'; return res; }
    if (cpu.it !== 0) { res.why = 'ends with IT bits set'; return res; }
    if (bankOf(cpu.mode) < 0) { res.why = `ends in invalid mode 0x${cpu.mode.toString(16)}`; return res; }
    if (!isLanding(c, cpu.pc, cpu.t === 1)) {
      res.why = `continues at 0x${(cpu.pc >>> 0).toString(16)} in ${cpu.t ? 'Thumb' : 'ARM'} state, not a landing SVC`;
      return res;
    }
    res.ok = true;
    return res;
  }
}

// ---- generation ----------------------------------------------------------------------------

export interface ThumbGenerateOptions {
  seed: number;
  count: number;
  rows?: string[];
  unskip?: string[];
}

function decoderFor(row: EncodingRow) {
  return isWide(row) ? t32Decoder() : t16Decoder();
}

/** A random word of the row that decodes back to it (undefined: no luck this time, with the reason). */
function randomWord(rng: Rng, row: EncodingRow, ctx: Ctx, reject: (why: string) => void): number | undefined {
  let w = ((rng.u32() & ~row.mask) | row.value) >>> 0;
  if (!isWide(row)) w &= 0xffff;
  w = (w & ~row.sbzMask) | row.sboMask;
  const fields = row.gen?.fields;
  if (fields) for (const [letter, allowed] of Object.entries(fields)) w = withField(row, letter, w, rng.pick(allowed));
  // REV, REV16, RBIT, REVSH, CLZ (T32) repeat Rm in hw1 (k); a different value is UNPREDICTABLE.
  if (row.fields.get('k')?.bits.length === 4 && row.fields.get('m')?.bits.length === 4 && rng.chance(0.95)) {
    w = withField(row, 'k', w, fieldValue(row, 'm', w));
  }
  const rule = THUMB_RULES[row.name];
  if (rule?.word) w = rule.word(row, w, rng);
  if (rule?.place) {
    const p = rule.place(row, w >>> 0, rng, ctx);
    if (p === undefined) { reject('no landing pad in reach'); return undefined; }
    w = p;
  }
  w >>>= 0;
  const d = decoderFor(row).decode(w);
  if (d.kind !== 'ok') { reject(d.kind === 'undefined' ? 'words decode as UNDEFINED' : d.reason); return undefined; }
  if (d.row !== row) { reject(`words decode as ${d.row.name}`); return undefined; }
  const why = rule?.reject?.(row, w);
  if (why) { reject(why); return undefined; }
  return w;
}

function randomRegs(rng: Rng, c: Case, memory: boolean, branch: boolean): void {
  const pads = landingSets(c);
  for (let k = 0; k < 15; k++) {
    if (memory && rng.chance(0.6)) c.regs[k] = rng.range(-80, 80) >>> 0;
    else if (branch && rng.chance(0.3)) c.regs[k] = rng.chance(0.7) ? (rng.pick(pads.thumb) | 1) >>> 0 : rng.pick(pads.arm);
    else c.regs[k] = randomValue(rng);
  }
  c.regs[15] = (c.addr | 1) >>> 0;
}

/** Words mostly landing addresses (Thumb | 1, or ARM), for loads into the PC. */
function landingImage(rng: Rng, c: Case): Uint8Array {
  const pads = landingSets(c);
  const img = new Uint8Array(WINDOW_SIZE);
  const dv = new DataView(img.buffer);
  for (let i = 0; i < WINDOW_SIZE; i += 4) {
    const v = rng.chance(0.75) ? (rng.chance(0.7) ? rng.pick(pads.thumb) | 1 : rng.pick(pads.arm)) : randomValue(rng);
    dv.setUint32(i, v >>> 0, (c.cpsr & (1 << 9)) === 0);
  }
  return img;
}

type MakeResult = { case: Case; privateImage: boolean } | { crash: string; word: number } | undefined;

interface Env {
  rng: Rng;
  pool: Uint8Array[];
  poolOff: number;
  probe: ThumbProbe;
}

function newCase(index: number, row: EncodingRow, word: number, slotAddr: number, codeOff: number): Case {
  return {
    index, row, word, addr: (slotAddr + codeOff) >>> 0, regs: new Uint32Array(16), cpsr: 0, spsr: 0, flags: 0,
    imageAddr: 0, image: new Uint8Array(0), monitorKind: 0, monitorAddr: 0,
    thumb: { insns: [], slotAddr, halfwords: [] },
  };
}

/** Random mode, flags, E (memory rows), SPSR and window image; returns the pool index used. */
function randomState(env: Env, c: Case, memory: boolean, needsSpsr: boolean): number {
  const { rng, pool } = env;
  const mode = needsSpsr ? rng.pick(SPSR_MODES) : MODES[rng.weighted(MODE_WEIGHTS)];
  const e = memory && rng.chance(0.25) ? 1 << 9 : 0;
  c.cpsr = ((rng.below(32) << 27) | (rng.below(16) << 16) | e | mode) >>> 0;
  // A quarter of the SPSRs say Thumb (what MRS, SUBS PC, LR and SRS then see).
  c.spsr = (randomPsr(rng, MODES) | (rng.chance(0.25) ? 0x20 : 0)) >>> 0;
  const imgIndex = rng.below(pool.length);
  c.image = pool[imgIndex];
  c.imageAddr = (CASES_BASE + env.poolOff + imgIndex * WINDOW_SIZE) >>> 0;
  c.monitorKind = 0; c.monitorAddr = 0;
  return imgIndex;
}

function makeSingle(env: Env, row: EncodingRow, index: number, slotAddr: number, reject: (why: string) => void): MakeResult {
  const { rng, probe } = env;
  const gen = row.gen ?? {};
  const rule = THUMB_RULES[row.name];
  const isMemory = gen.base !== undefined || SP_BASE.has(row.name);
  const size = isWide(row) ? 4 : 2;
  for (let wt = 0; wt < WORD_TRIES; wt++) {
    const codeOff = rng.pick(T_CODE_OFFSETS);
    const c = newCase(index, row, 0, slotAddr, codeOff);
    c.thumb!.insns = [{ row, insn: 0, size, addr: c.addr }];
    c.thumb!.halfwords = slotHalfwords(codeOff, [{ insn: 0, size }]);
    const ctx: Ctx = { addr: c.addr, thumbPads: landingSets(c).thumb, armPads: armPadList() };
    const word = randomWord(rng, row, ctx, reject);
    if (word === undefined) continue;
    c.word = word;
    c.thumb!.insns[0].insn = word;
    c.thumb!.halfwords = slotHalfwords(codeOff, [{ insn: word, size }]);
    const baseReg = baseOf(row, word);

    for (let st = 0; st < STATE_TRIES; st++) {
      const poolImage = randomState(env, c, isMemory, !!gen.needsSpsr);
      randomRegs(rng, c, isMemory, !!gen.branch);
      if (baseReg >= 0 && baseReg < 15) {
        const off = rng.chance(0.5) ? rng.range(-16, 15) * 4 : rng.range(-64, 63);
        c.regs[baseReg] = (WINDOW + WINDOW_SIZE / 2 + off) >>> 0;
      }
      c.flags = isMemory || gen.store ? FLAG_WINDOW : 0;
      const image = c.image;
      let privateImage = false;
      if (isMemory && (gen.branch || row.name === 'POP_T1') && rng.chance(0.7)) { c.image = landingImage(rng, c); privateImage = true; }
      rule?.state?.(row, c, rng);
      if (c.image !== image) privateImage = true;

      let res = probe.run(c);
      for (let step = 0; step < STEER_STEPS && !res.ok && !res.crash; step++) {
        if (res.badAddr !== -1) {
          if (baseReg < 0 || baseReg === 15) break;
          const target = WINDOW + WINDOW_SIZE / 2 + rng.range(-48, 47);
          c.regs[baseReg] = (c.regs[baseReg] + (target - res.badAddr)) >>> 0;
        } else if (res.exception === -1 && /not a landing/.test(res.why)) {
          if (isMemory && !privateImage) {
            c.image = landingImage(rng, c); privateImage = true;
          } else if (!steerBranch(rng, probe, c, res)) {
            break;
          }
        } else {
          break;
        }
        res = probe.run(c);
      }
      if (res.crash) return { crash: res.crash, word };
      if (!res.ok) { reject(res.why); continue; }
      const outcomeWhy = rule?.outcome?.(row, c, res.exception);
      if (outcomeWhy) { reject(outcomeWhy); continue; }
      if (res.wrote) c.flags |= FLAG_WINDOW;
      if (!privateImage) c.imageAddr = (CASES_BASE + env.poolOff + poolImage * WINDOW_SIZE) >>> 0;
      return { case: c, privateImage };
    }
  }
  return undefined;
}

/** The target is often affine in one register (BX, MOV PC, SUBS PC, LR...): solve for a landing pad. */
function steerBranch(rng: Rng, probe: ThumbProbe, c: Case, res: ProbeResult): boolean {
  const order = Array.from({ length: 15 }, (_, k) => k);
  for (let i = order.length - 1; i > 0; i--) { const j = rng.below(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  const pads = landingSets(c);
  const landing = res.thumb ? rng.pick(pads.thumb) : rng.pick(pads.arm);
  const pcNow = res.nextPc;
  for (const k of order) {
    const a = c.regs[k];
    c.regs[k] = (a + 4) >>> 0;
    const moved = probe.run(c);
    c.regs[k] = a;
    if (moved.exception !== -1 || moved.crash || moved.thumb !== res.thumb) continue;
    const delta = (moved.nextPc - pcNow) | 0;
    if (delta === 0) continue;
    const need = (landing - pcNow) | 0;
    if ((need * 4) % delta !== 0) continue;
    c.regs[k] = (a + (need * 4) / delta) >>> 0;
    return true;
  }
  return false;
}

/** An IT instruction and the 1-4 instructions of its block (branches only last). */
function makeIt(env: Env, itRow: EncodingRow, inner: EncodingRow[], index: number, slotAddr: number, reject: (why: string) => void): MakeResult {
  const { rng, probe } = env;
  const innerNoBranch = inner.filter((r) => !r.gen?.branch);
  for (let tries = 0; tries < IT_TRIES; tries++) {
    const codeOff = rng.pick(T_CODE_OFFSETS);
    const c = newCase(index, itRow, 0, slotAddr, codeOff);
    const itWord = randomWord(rng, itRow, { addr: c.addr, thumbPads: [], armPads: [] }, reject);
    if (itWord === undefined) continue;
    const mask = itWord & 15;
    const n = mask & 1 ? 4 : mask & 2 ? 3 : mask & 4 ? 2 : 1;
    const rows = Array.from({ length: n }, (_, k) => rng.pick(k === n - 1 && rng.chance(0.3) ? inner : innerNoBranch));
    // MSR (register) only first: the rule that keeps the reserved PSR bits 23:20 clear in the
    // source register (rules.ts) cannot see a value an earlier instruction of the block loads.
    if (rows.some((r, k) => k > 0 && MSR_REG.has(r.name))) { reject('IT block: MSR after another instruction'); continue; }
    // A Store-Exclusive after a Load-Exclusive of another size or address is UNPREDICTABLE
    // (ARM ARM A3.4.5); pairs are tested through the monitor the runtime arms instead.
    if (rows.some((r) => r.name.startsWith('LDREX')) && rows.some((r) => r.name.startsWith('STREX'))) {
      reject('IT block: Load- and Store-Exclusive'); continue;
    }
    const insns: ThumbInsn[] = [{ row: itRow, insn: itWord, size: 2, addr: c.addr }];
    let a = c.addr + 2;
    for (const r of rows) { const size = isWide(r) ? 4 : 2; insns.push({ row: r, insn: 0, size, addr: a }); a += size; }
    c.word = itWord;
    c.thumb!.insns = insns;
    c.thumb!.halfwords = slotHalfwords(codeOff, insns);
    const pads = landingSets(c);
    let ok = true;
    for (let k = 1; k < insns.length && ok; k++) {
      const w = randomWord(rng, insns[k].row, { addr: insns[k].addr, thumbPads: pads.thumb, armPads: pads.arm }, () => {});
      if (w === undefined) ok = false;
      else insns[k].insn = w;
    }
    if (!ok) { reject('no valid block instructions'); continue; }
    c.thumb!.halfwords = slotHalfwords(codeOff, insns);
    const memory = rows.some((r) => r.gen?.base !== undefined || r.gen?.store || SP_BASE.has(r.name));
    const branch = rows.some((r) => r.gen?.branch);
    randomState(env, c, memory, rows.some((r) => r.gen?.needsSpsr));
    const poolImage = c.imageAddr;
    randomRegs(rng, c, memory, branch);
    c.flags = memory ? FLAG_WINDOW : 0;
    const image = c.image;
    for (const i of insns.slice(1)) {
      const b = baseOf(i.row, i.insn);
      if (b >= 0 && b < 15) c.regs[b] = windowBase(rng);
    }
    // Row rules last (e.g. MSR's reserved-bit rule must see the final register values).
    for (const i of insns.slice(1)) {
      const rule = THUMB_RULES[i.row.name];
      if (rule?.state) { c.word = i.insn; rule.state(i.row, c, rng); c.word = itWord; }
    }
    // A plain store inside the exclusive granule between Load- and Store-Exclusive: whether it
    // clears the local monitor is IMPLEMENTATION DEFINED (QEMU compares the loaded value, so a
    // store that changes it fails the STREX). Blocks with another store run with the monitor open.
    if (c.monitorKind !== 0 && rows.filter((r) => r.gen?.store).length > 1) { c.monitorKind = 0; c.monitorAddr = 0; }
    const res = probe.run(c);
    if (res.crash) return { crash: res.crash, word: itWord };
    if (!res.ok) { reject(`IT block: ${res.why}`); continue; }
    if (insns.slice(1).some((i) => THUMB_RULES[i.row.name]?.outcome?.(i.row, c, res.exception))) continue;
    if (res.wrote) c.flags |= FLAG_WINDOW;
    const privateImage = c.image !== image;
    if (!privateImage) c.imageAddr = poolImage;
    return { case: c, privateImage };
  }
  return undefined;
}

/** A case's input record (r0-r15 in the case's data endianness, as the runtime loads them). */
function writeRecord(dv: DataView, o: number, c: Case): void {
  const little = (c.cpsr & (1 << 9)) === 0;
  for (let k = 0; k < 16; k++) dv.setUint32(o + 4 * k, c.regs[k], little);
  dv.setUint32(o + CASE_CPSR, c.cpsr, true);
  dv.setUint32(o + CASE_SPSR, c.spsr, true);
  dv.setUint32(o + CASE_FLAGS, c.flags, true);
  dv.setUint32(o + CASE_IMAGE, c.imageAddr, true);
  dv.setUint32(o + CASE_MONITOR_ADDR, c.monitorAddr, true);
  dv.setUint32(o + CASE_MONITOR_KIND, c.monitorKind, true);
}

export function generateThumb(opts: ThumbGenerateOptions): Batch {
  const { seed, count } = opts;
  if (count < 1 || count > MAX_CASES) throw new Error(`case count ${count} out of range 1..${MAX_CASES}`);
  const rng = new Rng(seed);
  let { rows, skipped } = thumbTableRows(opts.unskip);
  const all = allRows();
  if (opts.rows && opts.rows.length) {
    const want = new Set(opts.rows);
    const unknown = opts.rows.filter((n) => !all.some((r) => r.name === n));
    if (unknown.length) throw new Error(`unknown row(s): ${unknown.join(', ')}`);
    const skippedWanted = opts.rows.filter((n) => skipped.has(n));
    if (skippedWanted.length) throw new Error(`row(s) ${skippedWanted.join(', ')} are never generated: ${skippedWanted.map((n) => skipped.get(n)).join('; ')}`);
    rows = rows.filter((r) => want.has(r.name));
    skipped = new Map();
  }
  const itRow = rows.find((r) => r.name === 'IT_T1');
  const single = rows.filter((r) => r !== itRow);
  // Rows an IT block draws from (with --row, the chosen rows if any may appear in a block).
  const innerSource = single.length ? single : thumbTableRows(opts.unskip).rows;
  const inner = innerSource.filter((r) => !NOT_IN_IT.has(r.name));
  for (let i = single.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [single[i], single[j]] = [single[j], single[i]];
  }

  const casesOff = BLOB_HEADER;
  const armOff = casesOff + count * CASE_SIZE;
  const slotsOff = armOff + ARM_PADS * 4;
  const poolOff = slotsOff + count * T_SLOT_BYTES;
  const privOff = poolOff + POOL_IMAGES * WINDOW_SIZE;
  armPadsBase = (CASES_BASE + armOff) >>> 0;
  const pool: Uint8Array[] = [];
  for (let i = 0; i < POOL_IMAGES; i++) pool.push(randomImage(rng));
  const privates: Uint8Array[] = [];

  const probe = new ThumbProbe(CASES_BASE + privOff);
  const ramU8 = probe.bus.regions[0].u8;
  const ramView = new DataView(ramU8.buffer, ramU8.byteOffset, ramU8.byteLength);
  for (let i = 0; i < POOL_IMAGES; i++) ramU8.set(pool[i], CASES_BASE - 0x60000000 + poolOff + i * WINDOW_SIZE);
  for (let k = 0; k < ARM_PADS; k++) probe.bus.write32(armPadsBase + 4 * k, ARM_SVC(ARM_PAD_SVC + k));
  const env: Env = { rng, pool, poolOff, probe };

  const cases: Case[] = [];
  const counts = new Map<string, number>();
  const lastWhy = new Map<string, string>();
  const crashes: Batch['crashes'] = [];
  const crashedRows = new Map<string, number>();
  const dead = new Set<string>();
  const nRows = single.length + (itRow ? 1 : 0);

  let rr = 0;
  let sinceProgress = 0;
  while (cases.length < count) {
    if (dead.size === nRows) break;
    const useIt = itRow !== undefined && !dead.has(itRow.name) && (single.length === 0 || rng.chance(IT_SHARE)) && inner.length > 0;
    const row = useIt ? itRow : single[rr++ % single.length];
    if (dead.has(row.name)) continue;
    const index = cases.length;
    const slotAddr = (CASES_BASE + slotsOff + index * T_SLOT_BYTES) >>> 0;
    const why = (w: string) => lastWhy.set(row.name, w);
    // Reads of blob parts not generated yet are refused where the value read can steer the
    // case (branches, loads to the PC, IT blocks where a later instruction may use it).
    const strict = useIt || !!row.gen?.branch || /^(LDM|POP)/.test(row.name);
    probe.bus.holes = !strict ? [] : [
      [CASES_BASE, CASES_BASE + casesOff],
      [CASES_BASE + casesOff + index * CASE_SIZE, CASES_BASE + armOff],
      [slotAddr + T_SLOT_BYTES, CASES_BASE + poolOff],
    ];
    const c = useIt ? makeIt(env, row, inner, index, slotAddr, why) : makeSingle(env, row, index, slotAddr, why);
    if (c === undefined) {
      if (!counts.has(row.name)) dead.add(row.name);
      if (++sinceProgress > nRows * 4) break;
      continue;
    }
    sinceProgress = 0;
    if ('crash' in c) {
      const seen = crashedRows.get(row.name) ?? 0;
      if (seen === 0) crashes.push({ row: row.name, word: c.word, error: c.crash });
      crashedRows.set(row.name, seen + 1);
      if (seen + 1 >= 10) dead.add(row.name);
      continue;
    }
    if (c.privateImage) {
      c.case.imageAddr = (CASES_BASE + privOff + privates.length * WINDOW_SIZE) >>> 0;
      privates.push(c.case.image);
    }
    // The probe's RAM now holds this case's record and slot as the blob will.
    writeRecord(ramView, CASES_BASE - 0x60000000 + casesOff + index * CASE_SIZE, c.case);
    c.case.thumb!.halfwords.forEach((h, k) => ramView.setUint16(slotAddr - 0x60000000 + 2 * k, h, true));
    cases.push(c.case);
    counts.set(row.name, (counts.get(row.name) ?? 0) + 1);
  }

  const failed: RowFailure[] = [...single, ...(itRow ? [itRow] : [])]
    .filter((r) => !counts.has(r.name) && !crashedRows.has(r.name))
    .map((r) => ({ row: r.name, reason: lastWhy.get(r.name) ?? 'not reached' }));

  const n = cases.length;
  const blob = new Uint8Array(privOff + privates.length * WINDOW_SIZE);
  const dv = new DataView(blob.buffer);
  dv.setUint32(0, BLOB_MAGIC, true);
  dv.setUint32(4, n, true);
  dv.setUint32(8, CASES_BASE + casesOff, true);
  dv.setUint32(12, seed >>> 0, true);
  for (let k = 0; k < ARM_PADS; k++) dv.setUint32(armOff + 4 * k, ARM_SVC(ARM_PAD_SVC + k), true);
  for (const c of cases) {
    writeRecord(dv, casesOff + c.index * CASE_SIZE, c);
    const t = c.thumb!;
    const s = t.slotAddr - CASES_BASE;
    for (let k = 0; k < t.halfwords.length; k++) dv.setUint16(s + 2 * k, t.halfwords[k], true);
  }
  for (let i = 0; i < POOL_IMAGES; i++) blob.set(pool[i], poolOff + i * WINDOW_SIZE);
  for (let i = 0; i < privates.length; i++) blob.set(privates[i], privOff + i * WINDOW_SIZE);
  return { seed, cases, blob, skipped, failed, crashes, counts };
}
