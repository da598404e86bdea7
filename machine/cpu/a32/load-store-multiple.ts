/**
 * Load/store multiple: LDM/STM in the IA, IB, DA, DB addressing modes, the
 * User-register forms (STM ^, LDM ^ without PC) and LDM exception return.
 *
 * Loads go into a scratch array first and registers are committed only after
 * every access has succeeded, so an abort leaves the registers unchanged (the
 * base register included). An aborted STM may already have written some words,
 * which the architecture allows.
 */

import { popcount, fieldsOf, fieldMask, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { ACC_ALIGN } from '../access-flags';
import { MODE_USR, MODE_SYS, isValidMode } from '../modes';
import { cond, reg, regList } from './syntax';

/** P, U, S (User registers / exception return), W and Rn; most rows fix P and U, the User rows' W is should-be-zero. */
const LSM = fieldsOf('---- ---p uSw- nnnn ---- ---- ---- ----');
/** The register list (LDM (User registers) fixes bit 15 to 0, LDM (exception return) to 1). */
const LIST = fieldsOf('---- ---- ---- ---- rrrr rrrr rrrr rrrr');

const W = fieldMask(LSM, 'w');
const U = fieldMask(LSM, 'u');
const S_USER = fieldMask(LSM, 'S');

/** Loaded words, indexed by register number. Handlers never nest, so one array serves every CPU. */
const loaded = new Int32Array(16);

/**
 * Lowest address transferred. P:U (bits 24:23, read together as one index):
 * 00 DA, 01 IA, 10 DB, 11 IB.
 * bytes = 4 * number of registers.
 */
function startAddress(insn: number, base: number, bytes: number): number {
  switch ((insn >>> 23) & 3) {
    case 0: return (base - bytes + 4) | 0;
    case 1: return base;
    case 2: return (base - bytes) | 0;
    default: return (base + 4) | 0;
  }
}

function writebackValue(insn: number, base: number, bytes: number): number {
  return (insn & U) !== 0 ? (base + bytes) | 0 : (base - bytes) | 0;
}

/** Reads the words for every register in list into `loaded`. */
function loadList(cpu: Cpu, list: number, addr: number): void {
  for (let l = list; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    loaded[i] = cpu.read32(addr, ACC_ALIGN);
    addr = (addr + 4) | 0;
  }
}

// LDM{IA,IB,DA,DB}: loads, then writeback, then the registers (Rn in the list
// with writeback is UNPREDICTABLE, so the order of the last two does not matter).
function ldm(cpu: Cpu, insn: number): void {
  const n = LSM.n(insn), list = LIST.r(insn);
  const base = cpu.r[n];
  const bytes = popcount(list) << 2;
  loadList(cpu, list, startAddress(insn, base, bytes));
  if ((insn & W) !== 0) cpu.r[n] = writebackValue(insn, base, bytes);
  const r = cpu.r;
  for (let l = list & 0x7fff; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    r[i] = loaded[i];
  }
  if ((list & 0x8000) !== 0) cpu.loadWritePC(loaded[15]);
}

// STM{IA,IB,DA,DB}: a base register in the list is stored with its original
// value (the ARM ARM makes it UNKNOWN unless it is the lowest register);
// PC is stored as the instruction address + 8.
function stm(cpu: Cpu, insn: number): void {
  const n = LSM.n(insn), list = LIST.r(insn);
  const base = cpu.r[n];
  const bytes = popcount(list) << 2;
  let addr = startAddress(insn, base, bytes);
  const r = cpu.r;
  for (let l = list; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    cpu.write32(addr, r[i], ACC_ALIGN);
    addr = (addr + 4) | 0;
  }
  if ((insn & W) !== 0) r[n] = writebackValue(insn, base, bytes);
}

function userOrSystem(cpu: Cpu): boolean {
  return cpu.mode === MODE_USR || cpu.mode === MODE_SYS;
}

// STM (User registers): the User-mode r8-r14 are stored whatever the current mode.
function stmUser(cpu: Cpu, insn: number): void {
  if (userOrSystem(cpu)) {
    cpu.undefinedInstruction('UNPREDICTABLE: STM (User registers) in User or System mode');
    return;
  }
  const list = LIST.r(insn);
  let addr = startAddress(insn, cpu.r[LSM.n(insn)], popcount(list) << 2);
  for (let l = list; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    cpu.write32(addr, cpu.userReg(i), ACC_ALIGN);
    addr = (addr + 4) | 0;
  }
}

// LDM (User registers): loads the User-mode r0-r14 (no writeback, no PC).
function ldmUser(cpu: Cpu, insn: number): void {
  if (userOrSystem(cpu)) {
    cpu.undefinedInstruction('UNPREDICTABLE: LDM (User registers) in User or System mode');
    return;
  }
  const list = LIST.r(insn) & 0x7fff;
  loadList(cpu, list, startAddress(insn, cpu.r[LSM.n(insn)], popcount(list) << 2));
  for (let l = list; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    cpu.setUserReg(i, loaded[i]);
  }
}

// LDM (exception return): loads into the current mode's registers, writes back,
// copies SPSR to CPSR and then branches in the restored instruction set.
function ldmExceptionReturn(cpu: Cpu, insn: number): void {
  if (userOrSystem(cpu)) {
    cpu.undefinedInstruction('UNPREDICTABLE: LDM (exception return) in User or System mode');
    return;
  }
  const spsr = cpu.currentSpsr();
  if (!isValidMode(spsr & 0x1f)) {
    cpu.undefinedInstruction(`UNPREDICTABLE: exception return to invalid mode 0x${(spsr & 0x1f).toString(16)}`);
    return;
  }
  const n = LSM.n(insn), list = LIST.r(insn);
  const base = cpu.r[n];
  const bytes = popcount(list) << 2;
  loadList(cpu, list, startAddress(insn, base, bytes));
  const r = cpu.r;
  for (let l = list & 0x7fff; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    r[i] = loaded[i];
  }
  if ((insn & W) !== 0) r[n] = writebackValue(insn, base, bytes);
  cpu.setCpsr(spsr);
  cpu.branchWritePC(loaded[15]);
}

const MODE_SUFFIX = ['da', '', 'db', 'ib'];

function disasmLsm(mn: string, insn: number): string {
  const n = LSM.n(insn), list = LIST.r(insn);
  const w = (insn & W) !== 0;
  const user = (insn & S_USER) !== 0;
  const pu = (insn >>> 23) & 3;
  if (!user && w && n === 13 && popcount(list) > 1) {
    // PUSH = STMDB sp!, POP = LDMIA sp! with more than one register.
    if (mn === 'stm' && pu === 2) return `push${cond(insn)}\t${regList(list)}`;
    if (mn === 'ldm' && pu === 1) return `pop${cond(insn)}\t${regList(list)}`;
  }
  return `${mn}${MODE_SUFFIX[pu]}${cond(insn)}\t${reg(n)}${w ? '!' : ''}, ${regList(list)}${user ? '^' : ''}`;
}

function disasmStm(insn: number): string { return disasmLsm('stm', insn); }
function disasmLdm(insn: number): string { return disasmLsm('ldm', insn); }

function badStm(insn: number): boolean {
  return (LSM.n(insn)) === 15 || (LIST.r(insn)) === 0;
}

function badLdm(insn: number): boolean {
  const n = LSM.n(insn);
  return n === 15 || (LIST.r(insn)) === 0 || ((insn & W) !== 0 && (insn & (1 << n)) !== 0);
}

export const loadStoreMultipleRows: EncodingSpec[] = [
  {
    // STMDA<c> <Rn>{!}, <registers>
    name: 'STMDA', pattern: 'cccc 1000 00w0 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: stm, disasm: disasmStm, unpredictable: badStm,
    gen: { base: 'n', store: true },
  },
  {
    // STM<c> <Rn>{!}, <registers>   (STMIA, STMEA)
    name: 'STM', pattern: 'cccc 1000 10w0 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: stm, disasm: disasmStm, unpredictable: badStm,
    gen: { base: 'n', store: true },
  },
  {
    // STMDB<c> <Rn>{!}, <registers>   (STMFD; PUSH<c> <registers> for sp! and two or more registers)
    name: 'STMDB', pattern: 'cccc 1001 00w0 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: stm, disasm: disasmStm, unpredictable: badStm,
    gen: { base: 'n', store: true },
  },
  {
    // STMIB<c> <Rn>{!}, <registers>
    name: 'STMIB', pattern: 'cccc 1001 10w0 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: stm, disasm: disasmStm, unpredictable: badStm,
    gen: { base: 'n', store: true },
  },
  {
    // LDMDA<c> <Rn>{!}, <registers>
    name: 'LDMDA', pattern: 'cccc 1000 00w1 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: ldm, disasm: disasmLdm, unpredictable: badLdm,
    gen: { base: 'n', store: false },
  },
  {
    // LDM<c> <Rn>{!}, <registers>   (LDMIA, LDMFD; POP<c> <registers> for sp! and two or more registers)
    name: 'LDM', pattern: 'cccc 1000 10w1 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: ldm, disasm: disasmLdm, unpredictable: badLdm,
    gen: { base: 'n', store: false },
  },
  {
    // LDMDB<c> <Rn>{!}, <registers>
    name: 'LDMDB', pattern: 'cccc 1001 00w1 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: ldm, disasm: disasmLdm, unpredictable: badLdm,
    gen: { base: 'n', store: false },
  },
  {
    // LDMIB<c> <Rn>{!}, <registers>
    name: 'LDMIB', pattern: 'cccc 1001 10w1 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: ldm, disasm: disasmLdm, unpredictable: badLdm,
    gen: { base: 'n', store: false },
  },
  {
    // STM{<amode>}<c> <Rn>, <registers>^
    name: 'STM_user', pattern: 'cccc 100p u1Z0 nnnn rrrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: stmUser, disasm: disasmStm, unpredictable: badStm,
    gen: { base: 'n', store: true, needsSpsr: true },
  },
  {
    // LDM{<amode>}<c> <Rn>, <registers_without_pc>^
    name: 'LDM_user', pattern: 'cccc 100p u1Z1 nnnn 0rrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: ldmUser, disasm: disasmLdm, unpredictable: badStm,
    gen: { base: 'n', store: false, needsSpsr: true },
  },
  {
    // LDM{<amode>}<c> <Rn>{!}, <registers_with_pc>^
    name: 'LDM_eret', pattern: 'cccc 100p u1w1 nnnn 1rrr rrrr rrrr rrrr',
    layouts: [LSM, LIST],
    exec: ldmExceptionReturn, disasm: disasmLdm,
    unpredictable: (insn) => {
      const n = LSM.n(insn);
      return n === 15 || ((insn & W) !== 0 && (insn & (1 << n)) !== 0);
    },
    gen: { base: 'n', store: false, branch: true, needsSpsr: true },
  },
];
