/**
 * System instructions: MRS, MSR, CPS, SETEND, SRS, RFE, SVC, BKPT, UDF, SMC,
 * the hints (NOP, YIELD, WFE, WFI, SEV, DBG), barriers and preload hints.
 *
 * CPSR writes follow CPSRWriteByInstr / SPSRWriteByInstr (ARM ARM B1.3.3 and
 * the pseudocode library) for a core without the Security Extensions: every
 * privileged mode may write A and F, and Monitor mode does not exist.
 *
 * WFE: this machine has one core and no event stream, so nothing but SEV can
 * set the event register; WFE clears it and continues instead of waiting for
 * an event that could only arrive with an interrupt.
 */

import type { EncodingSpec } from '../encoding';
import type { Cpu } from '../cpu';
import { ACC_ALIGN } from '../access-flags';
import { MODE_USR, MODE_SYS, bankOf, isValidMode } from '../modes';
import { FS_DEBUG } from '../faults';
import { cond, reg, hex } from './syntax';

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
  const p = (insn >>> 24) & 1, u = (insn >>> 23) & 1;
  let addr = u ? base : base - 8;
  if (p === u) addr += 4;
  return addr | 0;
}

const AMODE = ['da', 'ia', 'db', 'ib'];
function amode(insn: number): string {
  return AMODE[(((insn >>> 24) & 1) << 1) | ((insn >>> 23) & 1)];
}

const BARRIER_OPTIONS: Record<number, string> = {
  15: 'sy', 14: 'st', 11: 'ish', 10: 'ishst', 7: 'nsh', 6: 'nshst', 3: 'osh', 2: 'oshst',
};
function barrierOption(option: number): string {
  return BARRIER_OPTIONS[option] ?? `#${option}`;
}

function preloadImmText(insn: number): string {
  const n = (insn >>> 16) & 15, off = insn & 0xfff, u = (insn >>> 23) & 1;
  return `[${reg(n)}, #${u ? '' : '-'}${off}]`;
}

const SHIFTS = ['lsl', 'lsr', 'asr', 'ror'];
function preloadRegText(insn: number): string {
  const n = (insn >>> 16) & 15, m = insn & 15, u = (insn >>> 23) & 1;
  const type = (insn >>> 5) & 3, imm5 = (insn >>> 7) & 31;
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
    exec: (cpu, insn) => { cpu.r[(insn >>> 12) & 15] = cpu.cpsr & MRS_CPSR_MASK; },
    disasm: (insn) => `mrs${cond(insn)}\t${reg((insn >>> 12) & 15)}, CPSR`,
    unpredictable: (insn) => ((insn >>> 12) & 15) === 15,
  },
  {
    // MRS<c> <Rd>, SPSR
    name: 'MRS_spsr', pattern: 'cccc 0001 0100 OOOO dddd ZZZZ 0000 ZZZZ',
    exec: (cpu, insn) => {
      if (hasNoSpsr(cpu)) { cpu.undefinedInstruction('MRS of SPSR in a mode without an SPSR is UNPREDICTABLE'); return; }
      cpu.r[(insn >>> 12) & 15] = cpu.currentSpsr();
    },
    disasm: (insn) => `mrs${cond(insn)}\t${reg((insn >>> 12) & 15)}, SPSR`,
    unpredictable: (insn) => ((insn >>> 12) & 15) === 15,
    gen: { needsSpsr: true },
  },
  {
    // MSR<c> CPSR_<fields>, #<const>   (mask 0000 is the hint space)
    name: 'MSR_imm_cpsr', pattern: 'cccc 0011 0010 mmmm OOOO iiii iiii iiii',
    exec: (cpu, insn) => { msrCpsr(cpu, expandImm12(insn & 0xfff), (insn >>> 16) & 15); },
    disasm: (insn) => `msr${cond(insn)}\t${psrName(false, (insn >>> 16) & 15)}, ${immText(expandImm12(insn & 0xfff))}`,
    gen: { fields: { m: [4, 8, 12] } },
  },
  {
    // MSR<c> SPSR_<fields>, #<const>
    name: 'MSR_imm_spsr', pattern: 'cccc 0011 0110 mmmm OOOO iiii iiii iiii',
    exec: (cpu, insn) => { msrSpsr(cpu, expandImm12(insn & 0xfff), (insn >>> 16) & 15); },
    disasm: (insn) => `msr${cond(insn)}\t${psrName(true, (insn >>> 16) & 15)}, ${immText(expandImm12(insn & 0xfff))}`,
    unpredictable: (insn) => ((insn >>> 16) & 15) === 0,
    gen: { needsSpsr: true },
  },
  {
    // MSR<c> CPSR_<fields>, <Rn>
    name: 'MSR_reg_cpsr', pattern: 'cccc 0001 0010 mmmm OOOO ZZZZ 0000 nnnn',
    exec: (cpu, insn) => { msrCpsr(cpu, cpu.r[insn & 15], (insn >>> 16) & 15); },
    disasm: (insn) => `msr${cond(insn)}\t${psrName(false, (insn >>> 16) & 15)}, ${reg(insn & 15)}`,
    unpredictable: (insn) => ((insn >>> 16) & 15) === 0 || (insn & 15) === 15,
    gen: { fields: { m: [4, 8, 12] } },
  },
  {
    // MSR<c> SPSR_<fields>, <Rn>
    name: 'MSR_reg_spsr', pattern: 'cccc 0001 0110 mmmm OOOO ZZZZ 0000 nnnn',
    exec: (cpu, insn) => { msrSpsr(cpu, cpu.r[insn & 15], (insn >>> 16) & 15); },
    disasm: (insn) => `msr${cond(insn)}\t${psrName(true, (insn >>> 16) & 15)}, ${reg(insn & 15)}`,
    unpredictable: (insn) => ((insn >>> 16) & 15) === 0 || (insn & 15) === 15,
    gen: { needsSpsr: true },
  },
  {
    // CPS<effect> <iflags>{, #<mode>}   /   CPS #<mode>
    name: 'CPS', pattern: '1111 0001 0000 kkM0 ZZZZ ZZZa if0x xxxx',
    exec: (cpu, insn) => {
      if (!cpu.isPrivileged()) return;
      const imod = (insn >>> 18) & 3, changeMode = (insn >>> 17) & 1, mode = insn & 0x1f;
      if (changeMode && !isValidMode(mode)) {
        cpu.undefinedInstruction(`CPS to invalid mode 0x${mode.toString(16)} is UNPREDICTABLE`);
        return;
      }
      if (imod >= 2) {
        const v = imod === 3 ? 1 : 0;
        if (insn & 0x100) cpu.a = v;
        if (insn & 0x80) cpu.i = v;
        // With SCTLR.NMFI set, CPSR.F cannot be cleared by an instruction.
        if ((insn & 0x40) && (v === 1 || ((cpu.cp15.sctlr >>> 27) & 1) === 0)) cpu.f = v;
      }
      if (changeMode) {
        cpu.changeMode(mode);
        if (mode === MODE_USR) cpu.translationChanged();
      }
    },
    disasm: (insn) => {
      const imod = (insn >>> 18) & 3, m = (insn >>> 17) & 1;
      const flags = `${insn & 0x100 ? 'a' : ''}${insn & 0x80 ? 'i' : ''}${insn & 0x40 ? 'f' : ''}`;
      const mode = m ? `#${insn & 0x1f}` : '';
      if (imod < 2) return `cps\t${mode}`;
      return `cps${imod === 2 ? 'ie' : 'id'}\t${flags}${m ? `,${mode}` : ''}`;
    },
    unpredictable: (insn) => {
      const imod = (insn >>> 18) & 3, m = (insn >>> 17) & 1, aif = (insn >>> 6) & 7, mode = insn & 0x1f;
      return (mode !== 0 && m === 0) || ((imod & 2) !== 0 && aif === 0) || ((imod & 2) === 0 && aif !== 0) ||
        (imod === 0 && m === 0) || imod === 1;
    },
    gen: {},
  },
  {
    // SETEND <endian_specifier>
    name: 'SETEND', pattern: '1111 0001 0000 0001 ZZZZ ZZEZ 0000 ZZZZ',
    exec: (cpu, insn) => { cpu.e = (insn >>> 9) & 1; },
    disasm: (insn) => `setend\t${insn & 0x200 ? 'be' : 'le'}`,
    gen: {},
  },
  {
    // SRS{<amode>} SP{!}, #<mode>
    name: 'SRS', pattern: '1111 100P U1W0 1101 ZZZZ ZOZO ZZZx xxxx',
    exec: (cpu, insn) => {
      if (hasNoSpsr(cpu)) { cpu.undefinedInstruction('SRS in User or System mode is UNPREDICTABLE'); return; }
      const mode = insn & 0x1f;
      if (!isValidMode(mode)) {
        cpu.undefinedInstruction(`SRS to invalid mode 0x${mode.toString(16)} is UNPREDICTABLE`);
        return;
      }
      const b = bankOf(mode);
      const base = b === bankOf(cpu.mode) ? cpu.r[13] : cpu.bankSp[b];
      const addr = srsRfeAddress(insn, base);
      cpu.write32(addr, cpu.r[14], ACC_ALIGN);
      cpu.write32(addr + 4, cpu.currentSpsr(), ACC_ALIGN);
      if (insn & (1 << 21)) {
        const sp = (insn & (1 << 23) ? base + 8 : base - 8) | 0;
        if (b === bankOf(cpu.mode)) cpu.r[13] = sp; else cpu.bankSp[b] = sp;
      }
    },
    disasm: (insn) => `srs${amode(insn)}\tsp${insn & (1 << 21) ? '!' : ''}, #${insn & 0x1f}`,
    gen: { store: true, needsSpsr: true },
  },
  {
    // RFE{<amode>} <Rn>{!}
    name: 'RFE', pattern: '1111 100P U0W1 nnnn ZZZZ OZOZ ZZZZ ZZZZ',
    exec: (cpu, insn) => {
      if (!cpu.isPrivileged()) { cpu.undefinedInstruction('RFE in User mode is UNPREDICTABLE'); return; }
      const n = (insn >>> 16) & 15;
      const base = cpu.r[n];
      const addr = srsRfeAddress(insn, base);
      const newPc = cpu.read32(addr, ACC_ALIGN);
      const psr = cpu.read32(addr + 4, ACC_ALIGN);
      if (!isValidMode(psr & 0x1f)) {
        cpu.undefinedInstruction(`RFE to invalid mode 0x${(psr & 0x1f).toString(16)} is UNPREDICTABLE`);
        return;
      }
      if (insn & (1 << 21)) cpu.r[n] = insn & (1 << 23) ? base + 8 : base - 8;
      cpsrWriteByInstr(cpu, psr, 0xf, true);
      cpu.branchWritePC(newPc);
    },
    disasm: (insn) => `rfe${amode(insn)}\t${reg((insn >>> 16) & 15)}${insn & (1 << 21) ? '!' : ''}`,
    unpredictable: (insn) => ((insn >>> 16) & 15) === 15,
    gen: { branch: true },
  },
  {
    // SVC<c> #<imm24>
    name: 'SVC', pattern: 'cccc 1111 iiii iiii iiii iiii iiii iiii',
    exec: (cpu, insn) => {
      const hook = cpu.svcHook;
      if (hook !== undefined && hook(cpu, insn & 0xffffff)) return;
      cpu.supervisorCall();
    },
    disasm: (insn) => `svc${cond(insn)}\t0x${(insn & 0xffffff).toString(16).padStart(8, '0')}`,
    gen: { branch: true },
  },
  {
    // BKPT #<imm16>
    name: 'BKPT', pattern: 'cccc 0001 0010 iiii iiii iiii 0111 iiii',
    exec: (cpu, insn) => {
      const imm16 = ((insn >>> 4) & 0xfff0) | (insn & 0xf);
      const hook = cpu.bkptHook;
      if (hook !== undefined && hook(cpu, imm16)) {
        cpu.stopRequested = true;
        cpu.nextPc = cpu.pc;
        return;
      }
      // A BKPT debug event is taken as a Prefetch Abort; IFAR is UNKNOWN (0 here, as QEMU).
      cpu.prefetchAbort(FS_DEBUG, 0);
    },
    disasm: (insn) => `bkpt\t0x${(((insn >>> 4) & 0xfff0) | (insn & 0xf)).toString(16).padStart(4, '0')}`,
    unpredictable: (insn) => (insn >>> 28) !== 0xe,
    gen: { skip: 'debug event: stops the harness' },
  },
  {
    // UDF #<imm16>   (permanently UNDEFINED)
    name: 'UDF', pattern: '1110 0111 1111 iiii iiii iiii 1111 iiii',
    exec: (cpu) => { cpu.undefinedInstruction(); },
    disasm: (insn) => `udf\t#${((insn >>> 4) & 0xfff0) | (insn & 0xf)}`,
  },
  {
    // SMC<c> #<imm4>   (no Security Extensions: UNDEFINED)
    name: 'SMC', pattern: 'cccc 0001 0110 ZZZZ ZZZZ ZZZZ 0111 iiii',
    exec: (cpu) => { cpu.undefinedInstruction('SMC: this core has no Security Extensions'); },
    disasm: (insn) => `smc${cond(insn)}\t${insn & 0xf}`,
  },

  // Hints. Unallocated hint numbers execute as NOP.
  {
    // NOP<c> {#<hint>}   (unallocated hint)
    name: 'HINT', pattern: 'cccc 0011 0010 0000 OOOO ZZZZ hhhh hhhh',
    exec: noop,
    disasm: (insn) => `nop${cond(insn)}\t{${insn & 0xff}}`,
  },
  {
    // NOP<c>
    name: 'NOP', pattern: 'cccc 0011 0010 0000 OOOO ZZZZ 0000 0000',
    exec: noop,
    disasm: (insn) => `nop${cond(insn)}\t{0}`,
  },
  hint('YIELD', noop, 1),
  hint('WFE', (cpu) => { cpu.eventRegister = 0; }, 2),
  hint('WFI', (cpu) => { cpu.waiting = true; }, 3, { skip: 'waits for an interrupt' }),
  hint('SEV', (cpu) => { cpu.eventRegister = 1; }, 4),
  {
    // DBG<c> #<option>
    name: 'DBG', pattern: 'cccc 0011 0010 0000 OOOO ZZZZ 1111 oooo',
    exec: noop,
    disasm: (insn) => `dbg${cond(insn)}\t#${insn & 15}`,
  },

  // Barriers.
  {
    // DMB #<option>
    name: 'DMB', pattern: '1111 0101 0111 OOOO OOOO ZZZZ 0101 oooo',
    exec: noop,
    disasm: (insn) => `dmb\t${barrierOption(insn & 15)}`,
  },
  {
    // DSB #<option>
    name: 'DSB', pattern: '1111 0101 0111 OOOO OOOO ZZZZ 0100 oooo',
    exec: noop,
    disasm: (insn) => `dsb\t${barrierOption(insn & 15)}`,
  },
  {
    // ISB #<option>   (later fetches see translation and SCTLR changes)
    name: 'ISB', pattern: '1111 0101 0111 OOOO OOOO ZZZZ 0110 oooo',
    exec: (cpu) => { cpu.translationChanged(); },
    disasm: (insn) => `isb\t${(insn & 15) === 15 ? 'sy' : `#${insn & 15}`}`,
  },

  // Preload hints: no access, no fault.
  {
    // PLD [<Rn>, #+/-<imm12>]   /   PLD <label>
    name: 'PLD_imm', pattern: '1111 0101 U101 nnnn OOOO iiii iiii iiii',
    exec: noop,
    disasm: (insn) => `pld\t${preloadImmText(insn)}`,
  },
  {
    // PLDW [<Rn>, #+/-<imm12>]   (multiprocessing extensions)
    name: 'PLDW_imm', pattern: '1111 0101 U001 nnnn OOOO iiii iiii iiii',
    exec: noop,
    disasm: (insn) => `pldw\t${preloadImmText(insn)}`,
    unpredictable: (insn) => ((insn >>> 16) & 15) === 15,
  },
  {
    // PLI [<Rn>, #+/-<imm12>]   /   PLI <label>
    name: 'PLI_imm', pattern: '1111 0100 U101 nnnn OOOO iiii iiii iiii',
    exec: noop,
    disasm: (insn) => `pli\t${preloadImmText(insn)}`,
  },
  {
    // PLD [<Rn>, +/-<Rm>{, <shift>}]
    name: 'PLD_reg', pattern: '1111 0111 U101 nnnn OOOO iiii itt0 mmmm',
    exec: noop,
    disasm: (insn) => `pld\t${preloadRegText(insn)}`,
    unpredictable: (insn) => (insn & 15) === 15,
  },
  {
    // PLDW [<Rn>, +/-<Rm>{, <shift>}]
    name: 'PLDW_reg', pattern: '1111 0111 U001 nnnn OOOO iiii itt0 mmmm',
    exec: noop,
    disasm: (insn) => `pldw\t${preloadRegText(insn)}`,
    unpredictable: (insn) => (insn & 15) === 15 || ((insn >>> 16) & 15) === 15,
  },
  {
    // PLI [<Rn>, +/-<Rm>{, <shift>}]
    name: 'PLI_reg', pattern: '1111 0110 U101 nnnn OOOO iiii itt0 mmmm',
    exec: noop,
    disasm: (insn) => `pli\t${preloadRegText(insn)}`,
    unpredictable: (insn) => (insn & 15) === 15,
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
