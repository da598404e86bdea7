/**
 * System instructions: MRS, MSR, CPS, SETEND, SRS, RFE, SVC, BKPT, UDF, SMC,
 * the hints (NOP, YIELD, WFE, WFI, SEV, DBG), barriers and preload hints.
 *
 * CPSR writes follow CPSRWriteByInstr / SPSRWriteByInstr (ARM ARM B1.3.3 and
 * the pseudocode library) for a core without the Security Extensions: every
 * privileged mode may write A and F, and Monitor mode does not exist.
 *
 * WFE and SEV: see Cpu.wfe and Cpu.sev (a lone core never waits in WFE;
 * with several cores WFE waits for SEV from another core or an interrupt).
 */

import { fieldsOf, fieldMask, type EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { ACC_ALIGN } from '../access-flags';
import { MODE_USR, MODE_SYS, bankOf, isValidMode } from '../modes';
import { FS_DEBUG } from '../faults';
import { cond, reg, hex } from './syntax';

// ---- field layouts (each row lists the ones its handler and disassembler read) ----

/** MRS: Rd. */
const MRS = fieldsOf('---- ---- ---- ---- dddd ---- ---- ----');
/** MSR: the field mask, the immediate or Rn. */
const MSR_IMM = fieldsOf('---- ---- ---- mmmm ---- iiii iiii iiii');
const MSR_REG = fieldsOf('---- ---- ---- mmmm ---- ---- ---- nnnn');
/** CPS: imod, M, the A/I/F bits and the mode. */
const CPS = fieldsOf('---- ---- ---- kkM- ---- ---a if-x xxxx');
const SETEND = fieldsOf('---- ---- ---- ---- ---- --E- ---- ----');
/** SRS/RFE: P, U, W, Rn (RFE) and the mode (SRS; 'x'). */
const SRS_RFE = fieldsOf('---- ---P U-W- nnnn ---- ---- ---x xxxx');
/** SVC's 24-bit comment field. */
const SVC = fieldsOf('---- ---- iiii iiii iiii iiii iiii iiii');
/** BKPT and UDF: imm12:imm4 as one immediate. */
const IMM16 = fieldsOf('---- ---- ---- iiii iiii iiii ---- iiii');
const SMC = fieldsOf('---- ---- ---- ---- ---- ---- ---- iiii');
const HINT = fieldsOf('---- ---- ---- ---- ---- ---- hhhh hhhh');
/** DBG and the barriers: the option. */
const OPTION = fieldsOf('---- ---- ---- ---- ---- ---- ---- oooo');
/** Preload hints: U, Rn and the immediate or shifted-register offset. */
const PRELOAD = fieldsOf('---- ---- U--- nnnn ---- ---- ---- ----');
const PRELOAD_IMM = fieldsOf('---- ---- ---- ---- ---- iiii iiii iiii');
const PRELOAD_REG = fieldsOf('---- ---- ---- ---- ---- iiii itt- mmmm');

const W_BIT = fieldMask(SRS_RFE, 'W');
const U_BIT = fieldMask(SRS_RFE, 'U');

/** CPSR bits an MRS returns: the execution state bits other than E read as zero. */
const MRS_CPSR_MASK = 0xf80f03df;

/** ARMExpandImm without the carry side effect. */
function expandImm12(imm12: number): number {
  const rot = (imm12 >>> 8) * 2;
  const v = imm12 & 0xff;
  return rot === 0 ? v : ((v >>> rot) | (v << (32 - rot))) >>> 0;
}

/**
 * CPSRWriteByInstr. `mask` is the 4-bit field mask (f s x c). The caller has
 * checked that a privileged write of the mode field names a valid mode.
 */
export function cpsrWriteByInstr(cpu: Cpu, value: number, mask: number, excReturn: boolean): void {
  const priv = cpu.isPrivileged();
  if (mask & 8) {
    cpu.setFlags(value);
    if (excReturn) cpu.it = (cpu.it & ~3) | ((value >>> 25) & 3);
  }
  if (mask & 4) cpu.ge = (value >>> 16) & 0xf;
  if (mask & 2) {
    if (excReturn) cpu.it = (cpu.it & 3) | (((value >>> 10) & 0x3f) << 2);
    cpu.e = (value >>> 9) & 1;
    if (priv) cpu.a = (value >>> 8) & 1;
  }
  if (mask & 1) {
    if (priv) {
      cpu.i = (value >>> 7) & 1;
      const nmfi = (cpu.cp15.sctlr >>> 27) & 1;
      if (!nmfi || (value & 0x40) === 0) cpu.f = (value >>> 6) & 1;
    }
    if (excReturn) { cpu.t = (value >>> 5) & 1; if (cpu.t) cpu.codeGen++; }
    if (priv) {
      cpu.changeMode(value & 0x1f);
      // Fetch permissions depend on the privilege the cached fetch translation was made with.
      if (cpu.mode === MODE_USR) cpu.translationChanged();
    }
  }
}

/** A privileged CPSR write of the mode field to a mode that does not exist is UNPREDICTABLE. */
function badCpsrMode(cpu: Cpu, value: number, mask: number): boolean {
  return (mask & 1) !== 0 && cpu.isPrivileged() && !isValidMode(value & 0x1f);
}

function hasNoSpsr(cpu: Cpu): boolean {
  return cpu.mode === MODE_USR || cpu.mode === MODE_SYS;
}

function msrCpsr(cpu: Cpu, value: number, mask: number): void {
  if (badCpsrMode(cpu, value, mask)) {
    cpu.undefinedInstruction(`MSR to CPSR with invalid mode 0x${(value & 0x1f).toString(16)} is UNPREDICTABLE`);
    return;
  }
  cpsrWriteByInstr(cpu, value, mask, false);
}

/** SPSRWriteByInstr. */
function msrSpsr(cpu: Cpu, value: number, mask: number): void {
  if (hasNoSpsr(cpu)) { cpu.undefinedInstruction('MSR to SPSR in a mode without an SPSR is UNPREDICTABLE'); return; }
  if ((mask & 1) !== 0 && !isValidMode(value & 0x1f)) {
    cpu.undefinedInstruction(`MSR to SPSR with invalid mode 0x${(value & 0x1f).toString(16)} is UNPREDICTABLE`);
    return;
  }
  let s = cpu.currentSpsr();
  if (mask & 8) s = (s & 0x00ffffff) | (value & 0xff000000);
  if (mask & 4) s = (s & ~0x000f0000) | (value & 0x000f0000);
  if (mask & 2) s = (s & ~0x0000ff00) | (value & 0x0000ff00);
  if (mask & 1) s = (s & ~0x000000ff) | (value & 0x000000ff);
  cpu.setCurrentSpsr(s | 0);
}

/** objdump prints the MSR immediate as a signed decimal. */
function immText(v: number): string {
  return `#${v | 0}`;
}

function psrName(spsr: boolean, mask: number): string {
  return `${spsr ? 'SPSR' : 'CPSR'}_${mask & 8 ? 'f' : ''}${mask & 4 ? 's' : ''}${mask & 2 ? 'x' : ''}${mask & 1 ? 'c' : ''}`;
}

/** Address of the lower word of SRS/RFE: P, U from bits 24, 23. */
function srsRfeAddress(insn: number, base: number): number {
  const p = SRS_RFE.P(insn), u = SRS_RFE.U(insn);
  let addr = u ? base : base - 8;
  if (p === u) addr += 4;
  return addr | 0;
}

const AMODE = ['da', 'ia', 'db', 'ib'];
function amode(insn: number): string {
  return AMODE[(SRS_RFE.P(insn) << 1) | SRS_RFE.U(insn)];
}

const BARRIER_OPTIONS: Record<number, string> = {
  15: 'sy', 14: 'st', 11: 'ish', 10: 'ishst', 7: 'nsh', 6: 'nshst', 3: 'osh', 2: 'oshst',
};
function barrierOption(option: number): string {
  return BARRIER_OPTIONS[option] ?? `#${option}`;
}

function preloadImmText(insn: number): string {
  const n = PRELOAD.n(insn), off = PRELOAD_IMM.i(insn), u = PRELOAD.U(insn);
  return `[${reg(n)}, #${u ? '' : '-'}${off}]`;
}

const SHIFTS = ['lsl', 'lsr', 'asr', 'ror'];
function preloadRegText(insn: number): string {
  const n = PRELOAD.n(insn), m = PRELOAD_REG.m(insn), u = PRELOAD.U(insn);
  const type = PRELOAD_REG.t(insn), imm5 = PRELOAD_REG.i(insn);
  let sh = '';
  if (type === 3 && imm5 === 0) sh = ', rrx';
  else if (!(type === 0 && imm5 === 0)) sh = `, ${SHIFTS[type]} #${imm5 === 0 ? 32 : imm5}`;
  return `[${reg(n)}, ${u ? '' : '-'}${reg(m)}${sh}]`;
}

function hint(name: string, exec: (cpu: Cpu) => void, op: number, gen?: EncodingSpec['gen']): EncodingSpec {
  const bits = op.toString(2).padStart(8, '0');
  return {
    // <name><c>
    name, pattern: `cccc 0011 0010 0000 OOOO ZZZZ ${bits.slice(0, 4)} ${bits.slice(4)}`,
    exec: (cpu) => exec(cpu),
    disasm: (insn) => `${name.toLowerCase()}${cond(insn)}`,
    gen,
  };
}

const noop = (): void => {};

export const systemRows: EncodingSpec[] = [
  {
    // MRS<c> <Rd>, CPSR
    name: 'MRS_cpsr', pattern: 'cccc 0001 0000 OOOO dddd ZZZZ 0000 ZZZZ',
    layouts: [MRS],
    exec: (cpu, insn) => { cpu.r[MRS.d(insn)] = cpu.cpsr & MRS_CPSR_MASK; },
    disasm: (insn) => `mrs${cond(insn)}\t${reg(MRS.d(insn))}, CPSR`,
    unpredictable: (insn) => (MRS.d(insn)) === 15,
  },
  {
    // MRS<c> <Rd>, SPSR
    name: 'MRS_spsr', pattern: 'cccc 0001 0100 OOOO dddd ZZZZ 0000 ZZZZ',
    layouts: [MRS],
    exec: (cpu, insn) => {
      if (hasNoSpsr(cpu)) { cpu.undefinedInstruction('MRS of SPSR in a mode without an SPSR is UNPREDICTABLE'); return; }
      cpu.r[MRS.d(insn)] = cpu.currentSpsr();
    },
    disasm: (insn) => `mrs${cond(insn)}\t${reg(MRS.d(insn))}, SPSR`,
    unpredictable: (insn) => (MRS.d(insn)) === 15,
    gen: { needsSpsr: true },
  },
  {
    // MSR<c> CPSR_<fields>, #<const>   (mask 0000 is the hint space)
    name: 'MSR_imm_cpsr', pattern: 'cccc 0011 0010 mmmm OOOO iiii iiii iiii',
    layouts: [MSR_IMM],
    exec: (cpu, insn) => { msrCpsr(cpu, expandImm12(MSR_IMM.i(insn)), MSR_IMM.m(insn)); },
    disasm: (insn) => `msr${cond(insn)}\t${psrName(false, MSR_IMM.m(insn))}, ${immText(expandImm12(MSR_IMM.i(insn)))}`,
    gen: { fields: { m: [4, 8, 12] } },
  },
  {
    // MSR<c> SPSR_<fields>, #<const>
    name: 'MSR_imm_spsr', pattern: 'cccc 0011 0110 mmmm OOOO iiii iiii iiii',
    layouts: [MSR_IMM],
    exec: (cpu, insn) => { msrSpsr(cpu, expandImm12(MSR_IMM.i(insn)), MSR_IMM.m(insn)); },
    disasm: (insn) => `msr${cond(insn)}\t${psrName(true, MSR_IMM.m(insn))}, ${immText(expandImm12(MSR_IMM.i(insn)))}`,
    unpredictable: (insn) => (MSR_IMM.m(insn)) === 0,
    gen: { needsSpsr: true },
  },
  {
    // MSR<c> CPSR_<fields>, <Rn>
    name: 'MSR_reg_cpsr', pattern: 'cccc 0001 0010 mmmm OOOO ZZZZ 0000 nnnn',
    layouts: [MSR_REG],
    exec: (cpu, insn) => { msrCpsr(cpu, cpu.r[MSR_REG.n(insn)], MSR_REG.m(insn)); },
    disasm: (insn) => `msr${cond(insn)}\t${psrName(false, MSR_REG.m(insn))}, ${reg(MSR_REG.n(insn))}`,
    unpredictable: (insn) => (MSR_REG.m(insn)) === 0 || (MSR_REG.n(insn)) === 15,
    gen: { fields: { m: [4, 8, 12] } },
  },
  {
    // MSR<c> SPSR_<fields>, <Rn>
    name: 'MSR_reg_spsr', pattern: 'cccc 0001 0110 mmmm OOOO ZZZZ 0000 nnnn',
    layouts: [MSR_REG],
    exec: (cpu, insn) => { msrSpsr(cpu, cpu.r[MSR_REG.n(insn)], MSR_REG.m(insn)); },
    disasm: (insn) => `msr${cond(insn)}\t${psrName(true, MSR_REG.m(insn))}, ${reg(MSR_REG.n(insn))}`,
    unpredictable: (insn) => (MSR_REG.m(insn)) === 0 || (MSR_REG.n(insn)) === 15,
    gen: { needsSpsr: true },
  },
  {
    // CPS<effect> <iflags>{, #<mode>}   /   CPS #<mode>
    name: 'CPS', pattern: '1111 0001 0000 kkM0 ZZZZ ZZZa if0x xxxx',
    layouts: [CPS],
    exec: (cpu, insn) => {
      if (!cpu.isPrivileged()) return;
      const imod = CPS.k(insn), changeMode = CPS.M(insn), mode = CPS.x(insn);
      if (changeMode && !isValidMode(mode)) {
        cpu.undefinedInstruction(`CPS to invalid mode 0x${mode.toString(16)} is UNPREDICTABLE`);
        return;
      }
      if (imod >= 2) {
        const v = imod === 3 ? 1 : 0;
        if (CPS.a(insn)) cpu.a = v;
        if (CPS.i(insn)) cpu.i = v;
        // With SCTLR.NMFI set, CPSR.F cannot be cleared by an instruction.
        if ((CPS.f(insn)) && (v === 1 || ((cpu.cp15.sctlr >>> 27) & 1) === 0)) cpu.f = v;
      }
      if (changeMode) {
        cpu.changeMode(mode);
        if (mode === MODE_USR) cpu.translationChanged();
      }
    },
    disasm: (insn) => {
      const imod = CPS.k(insn), m = CPS.M(insn);
      const flags = `${CPS.a(insn) ? 'a' : ''}${CPS.i(insn) ? 'i' : ''}${CPS.f(insn) ? 'f' : ''}`;
      const mode = m ? `#${CPS.x(insn)}` : '';
      if (imod < 2) return `cps\t${mode}`;
      return `cps${imod === 2 ? 'ie' : 'id'}\t${flags}${m ? `,${mode}` : ''}`;
    },
    unpredictable: (insn) => {
      const imod = CPS.k(insn), m = CPS.M(insn), aif = ((CPS.a(insn) << 2) | (CPS.i(insn) << 1) | CPS.f(insn)), mode = CPS.x(insn);
      return (mode !== 0 && m === 0) || ((imod & 2) !== 0 && aif === 0) || ((imod & 2) === 0 && aif !== 0) ||
        (imod === 0 && m === 0) || imod === 1;
    },
    gen: {},
  },
  {
    // SETEND <endian_specifier>
    name: 'SETEND', pattern: '1111 0001 0000 0001 ZZZZ ZZEZ 0000 ZZZZ',
    layouts: [SETEND],
    exec: (cpu, insn) => { cpu.e = SETEND.E(insn); },
    disasm: (insn) => `setend\t${SETEND.E(insn) ? 'be' : 'le'}`,
    gen: {},
  },
  {
    // SRS{<amode>} SP{!}, #<mode>
    name: 'SRS', pattern: '1111 100P U1W0 1101 ZZZZ ZOZO ZZZx xxxx',
    layouts: [SRS_RFE],
    exec: (cpu, insn) => {
      if (hasNoSpsr(cpu)) { cpu.undefinedInstruction('SRS in User or System mode is UNPREDICTABLE'); return; }
      const mode = SRS_RFE.x(insn);
      if (!isValidMode(mode)) {
        cpu.undefinedInstruction(`SRS to invalid mode 0x${mode.toString(16)} is UNPREDICTABLE`);
        return;
      }
      const b = bankOf(mode);
      const base = b === bankOf(cpu.mode) ? cpu.r[13] : cpu.bankSp[b];
      const addr = srsRfeAddress(insn, base);
      cpu.write32(addr, cpu.r[14], ACC_ALIGN);
      cpu.write32(addr + 4, cpu.currentSpsr(), ACC_ALIGN);
      if (insn & W_BIT) {
        const sp = (insn & U_BIT ? base + 8 : base - 8) | 0;
        if (b === bankOf(cpu.mode)) cpu.r[13] = sp; else cpu.bankSp[b] = sp;
      }
    },
    disasm: (insn) => `srs${amode(insn)}\tsp${insn & W_BIT ? '!' : ''}, #${SRS_RFE.x(insn)}`,
    gen: { store: true, needsSpsr: true },
  },
  {
    // RFE{<amode>} <Rn>{!}
    name: 'RFE', pattern: '1111 100P U0W1 nnnn ZZZZ OZOZ ZZZZ ZZZZ',
    layouts: [SRS_RFE],
    exec: (cpu, insn) => {
      if (!cpu.isPrivileged()) { cpu.undefinedInstruction('RFE in User mode is UNPREDICTABLE'); return; }
      const n = SRS_RFE.n(insn);
      const base = cpu.r[n];
      const addr = srsRfeAddress(insn, base);
      const newPc = cpu.read32(addr, ACC_ALIGN);
      const psr = cpu.read32(addr + 4, ACC_ALIGN);
      if (!isValidMode(psr & 0x1f)) {
        cpu.undefinedInstruction(`RFE to invalid mode 0x${(psr & 0x1f).toString(16)} is UNPREDICTABLE`);
        return;
      }
      if (insn & W_BIT) cpu.r[n] = insn & U_BIT ? base + 8 : base - 8;
      cpsrWriteByInstr(cpu, psr, 0xf, true);
      cpu.branchWritePC(newPc);
    },
    disasm: (insn) => `rfe${amode(insn)}\t${reg(SRS_RFE.n(insn))}${insn & W_BIT ? '!' : ''}`,
    unpredictable: (insn) => (SRS_RFE.n(insn)) === 15,
    gen: { branch: true },
  },
  {
    // SVC<c> #<imm24>
    name: 'SVC', pattern: 'cccc 1111 iiii iiii iiii iiii iiii iiii',
    layouts: [SVC],
    exec: (cpu, insn) => {
      const hook = cpu.svcHook;
      if (hook !== undefined && hook(cpu, SVC.i(insn))) return;
      cpu.supervisorCall();
    },
    disasm: (insn) => `svc${cond(insn)}\t0x${(SVC.i(insn)).toString(16).padStart(8, '0')}`,
    gen: { branch: true },
  },
  {
    // BKPT #<imm16>
    name: 'BKPT', pattern: 'cccc 0001 0010 iiii iiii iiii 0111 iiii',
    layouts: [IMM16],
    exec: (cpu, insn) => {
      const imm16 = IMM16.i(insn);
      const hook = cpu.bkptHook;
      if (hook !== undefined && hook(cpu, imm16)) {
        cpu.stopRequested = true;
        cpu.nextPc = cpu.pc;
        return;
      }
      // A BKPT debug event is taken as a Prefetch Abort; IFAR is UNKNOWN (0 here, as QEMU).
      cpu.prefetchAbort(FS_DEBUG, 0);
    },
    disasm: (insn) => `bkpt\t0x${(IMM16.i(insn)).toString(16).padStart(4, '0')}`,
    unpredictable: (insn) => (insn >>> 28) !== 0xe,
    gen: { skip: 'debug event: stops the harness' },
  },
  {
    // UDF #<imm16>   (permanently UNDEFINED)
    name: 'UDF', pattern: '1110 0111 1111 iiii iiii iiii 1111 iiii',
    layouts: [IMM16],
    exec: (cpu) => { cpu.undefinedInstruction(); },
    disasm: (insn) => `udf\t#${IMM16.i(insn)}`,
  },
  {
    // SMC<c> #<imm4>   (no Security Extensions: UNDEFINED)
    name: 'SMC', pattern: 'cccc 0001 0110 ZZZZ ZZZZ ZZZZ 0111 iiii',
    layouts: [SMC],
    exec: (cpu) => { cpu.undefinedInstruction('SMC: this core has no Security Extensions'); },
    disasm: (insn) => `smc${cond(insn)}\t${SMC.i(insn)}`,
  },

  // Hints. Unallocated hint numbers execute as NOP.
  {
    // NOP<c> {#<hint>}   (unallocated hint)
    name: 'HINT', pattern: 'cccc 0011 0010 0000 OOOO ZZZZ hhhh hhhh',
    layouts: [HINT],
    exec: noop,
    disasm: (insn) => `nop${cond(insn)}\t{${HINT.h(insn)}}`,
  },
  {
    // NOP<c>
    name: 'NOP', pattern: 'cccc 0011 0010 0000 OOOO ZZZZ 0000 0000',
    exec: noop,
    disasm: (insn) => `nop${cond(insn)}\t{0}`,
  },
  hint('YIELD', noop, 1),
  hint('WFE', (cpu) => { cpu.wfe(); }, 2),
  hint('WFI', (cpu) => { cpu.waiting = true; }, 3, { skip: 'waits for an interrupt' }),
  hint('SEV', (cpu) => { cpu.sev(); }, 4),
  {
    // DBG<c> #<option>
    name: 'DBG', pattern: 'cccc 0011 0010 0000 OOOO ZZZZ 1111 oooo',
    layouts: [OPTION],
    exec: noop,
    disasm: (insn) => `dbg${cond(insn)}\t#${OPTION.o(insn)}`,
  },

  // Barriers.
  {
    // DMB #<option>
    name: 'DMB', pattern: '1111 0101 0111 OOOO OOOO ZZZZ 0101 oooo',
    layouts: [OPTION],
    exec: noop,
    disasm: (insn) => `dmb\t${barrierOption(OPTION.o(insn))}`,
  },
  {
    // DSB #<option>
    name: 'DSB', pattern: '1111 0101 0111 OOOO OOOO ZZZZ 0100 oooo',
    layouts: [OPTION],
    exec: noop,
    disasm: (insn) => `dsb\t${barrierOption(OPTION.o(insn))}`,
  },
  {
    // ISB #<option>   (later fetches see translation and SCTLR changes)
    name: 'ISB', pattern: '1111 0101 0111 OOOO OOOO ZZZZ 0110 oooo',
    layouts: [OPTION],
    exec: (cpu) => { cpu.translationsSynchronized(); },
    disasm: (insn) => `isb\t${(OPTION.o(insn)) === 15 ? 'sy' : `#${OPTION.o(insn)}`}`,
  },

  // Preload hints: no access, no fault.
  {
    // PLD [<Rn>, #+/-<imm12>]   /   PLD <label>
    name: 'PLD_imm', pattern: '1111 0101 U101 nnnn OOOO iiii iiii iiii',
    layouts: [PRELOAD, PRELOAD_IMM],
    exec: noop,
    disasm: (insn) => `pld\t${preloadImmText(insn)}`,
  },
  {
    // PLDW [<Rn>, #+/-<imm12>]   (multiprocessing extensions)
    name: 'PLDW_imm', pattern: '1111 0101 U001 nnnn OOOO iiii iiii iiii',
    layouts: [PRELOAD, PRELOAD_IMM],
    exec: noop,
    disasm: (insn) => `pldw\t${preloadImmText(insn)}`,
    unpredictable: (insn) => (PRELOAD.n(insn)) === 15,
  },
  {
    // PLI [<Rn>, #+/-<imm12>]   /   PLI <label>
    name: 'PLI_imm', pattern: '1111 0100 U101 nnnn OOOO iiii iiii iiii',
    layouts: [PRELOAD, PRELOAD_IMM],
    exec: noop,
    disasm: (insn) => `pli\t${preloadImmText(insn)}`,
  },
  {
    // PLD [<Rn>, +/-<Rm>{, <shift>}]
    name: 'PLD_reg', pattern: '1111 0111 U101 nnnn OOOO iiii itt0 mmmm',
    layouts: [PRELOAD, PRELOAD_REG],
    exec: noop,
    disasm: (insn) => `pld\t${preloadRegText(insn)}`,
    unpredictable: (insn) => (PRELOAD_REG.m(insn)) === 15,
  },
  {
    // PLDW [<Rn>, +/-<Rm>{, <shift>}]
    name: 'PLDW_reg', pattern: '1111 0111 U001 nnnn OOOO iiii itt0 mmmm',
    layouts: [PRELOAD, PRELOAD_REG],
    exec: noop,
    disasm: (insn) => `pldw\t${preloadRegText(insn)}`,
    unpredictable: (insn) => (PRELOAD_REG.m(insn)) === 15 || (PRELOAD.n(insn)) === 15,
  },
  {
    // PLI [<Rn>, +/-<Rm>{, <shift>}]
    name: 'PLI_reg', pattern: '1111 0110 U101 nnnn OOOO iiii itt0 mmmm',
    layouts: [PRELOAD, PRELOAD_REG],
    exec: noop,
    disasm: (insn) => `pli\t${preloadRegText(insn)}`,
    unpredictable: (insn) => (PRELOAD_REG.m(insn)) === 15,
  },
  {
    // Unallocated memory hint (immediate form): executes as NOP
    name: 'MEMHINT_imm', pattern: '1111 0100 U001 nnnn OOOO iiii iiii iiii',
    exec: noop,
    disasm: (insn) => `nop\t; unallocated memory hint ${hex(insn)}`,
  },
  {
    // Unallocated memory hint (register form): executes as NOP
    name: 'MEMHINT_reg', pattern: '1111 0110 U001 nnnn OOOO iiii itt0 mmmm',
    exec: noop,
    disasm: (insn) => `nop\t; unallocated memory hint ${hex(insn)}`,
  },
];
