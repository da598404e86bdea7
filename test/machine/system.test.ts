import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, exec, place } from '../support/cpu-harness';
import { disassemble } from '../../machine/cpu/a32/table';
import { MODE_USR, MODE_SVC, MODE_SYS, MODE_IRQ, MODE_ABT, MODE_UND, bankOf } from '../../machine/cpu/modes';

const MRS_CPSR_R0 = 0xe10f0000;
const MRS_SPSR_R0 = 0xe14f0000;
const MSR_CPSR_FSXC_R1 = 0xe12ff001;
const MSR_CPSR_C_R1 = 0xe121f001;
const MSR_SPSR_F_R1 = 0xe168f001;
const MSR_SPSR_FSXC_R1 = 0xe16ff001;
const MSR_CPSR_F_IMM = 0xe328f20f; // msr CPSR_f, #0xf0000000
const CPSID_I = 0xf10c0080;
const CPSIE_IF = 0xf10800c0;
const CPS_SYS = 0xf102001f;
const CPSID_AIF_SVC = 0xf10e01d3;
const SETEND_BE = 0xf1010200;
const SETEND_LE = 0xf1010000;
const SRSDB_SP_SVC_WB = 0xf96d0513;
const SRSIA_SP_IRQ = 0xf8cd0512;
const RFEIA_R0_WB = 0xf8b00a00;
const SVC_42 = 0xef000042;
const BKPT_1234 = 0xe1212374;
const UDF_0 = 0xe7f000f0;
const WFI = 0xe320f003;
const WFE = 0xe320f002;
const SEV = 0xe320f004;
const NOP = 0xe320f000;
const DMB_ISH = 0xf57ff05b;
const PLD_R0 = 0xf5d0f004;
const PLDW_R0 = 0xf590f008;
const PLI_REG = 0xf6d0f001;
const SMC_5 = 0xe1600075;

function user(cpu: ReturnType<typeof makeCpu>): void {
  cpu.setCpsr(MODE_USR);
}

test('MRS CPSR reads the CPSR with the execution state bits masked', () => {
  const cpu = makeCpu();
  cpu.setCpsr(0xf80f03d3 | (1 << 24) | (3 << 25));
  exec(cpu, [MRS_CPSR_R0]);
  assert.equal(cpu.r[0] >>> 0, 0xf80f03d3);
});

test('MRS SPSR reads the current mode SPSR; in System mode it is UNDEFINED', () => {
  const cpu = makeCpu();
  cpu.setCurrentSpsr(0x600001d0);
  exec(cpu, [MRS_SPSR_R0]);
  assert.equal(cpu.r[0] >>> 0, 0x600001d0);

  const sys = makeCpu();
  sys.setCpsr(MODE_SYS | 0xc0);
  sys.r[0] = 7;
  exec(sys, [MRS_SPSR_R0]);
  assert.equal(sys.mode, MODE_UND);
  assert.equal(sys.r[0], 7);
});

test('MSR in User mode writes only NZCVQ, GE and E', () => {
  const cpu = makeCpu();
  user(cpu);
  cpu.r[1] = 0xf80f03df | 0x20; // every writable bit, mode SYS, T set
  exec(cpu, [MSR_CPSR_FSXC_R1]);
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v, cpu.q], [1, 1, 1, 1, 1]);
  assert.equal(cpu.ge, 0xf);
  assert.equal(cpu.e, 1);
  assert.deepEqual([cpu.a, cpu.i, cpu.f, cpu.t], [0, 0, 0, 0]);
  assert.equal(cpu.mode, MODE_USR);
});

test('MSR in a privileged mode writes A, I, F and the mode but never T', () => {
  const cpu = makeCpu();
  cpu.r[1] = 0x0000003f; // mode SYS, T set, A I F clear
  exec(cpu, [MSR_CPSR_C_R1]);
  assert.equal(cpu.mode, MODE_SYS);
  assert.equal(cpu.i, 0);
  assert.equal(cpu.f, 0);
  assert.equal(cpu.t, 0);
  assert.equal(cpu.a, 1, 'A is in the x field, not written by CPSR_c');

  const cpu2 = makeCpu();
  cpu2.r[1] = 0x00000013 | (1 << 9); // E, A clear
  exec(cpu2, [MSR_CPSR_FSXC_R1]);
  assert.equal(cpu2.e, 1);
  assert.equal(cpu2.a, 0);
});

test('MSR immediate writes the flags', () => {
  const cpu = makeCpu();
  exec(cpu, [MSR_CPSR_F_IMM]);
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v, cpu.q], [1, 1, 1, 1, 0]);
  assert.equal(cpu.mode, MODE_SVC);
});

test('MSR to an invalid mode (Monitor, no Security Extensions) is UNDEFINED', () => {
  const cpu = makeCpu();
  const errors: string[] = [];
  cpu.guestError = (m) => errors.push(m);
  cpu.r[1] = 0x16;
  exec(cpu, [MSR_CPSR_C_R1]);
  assert.equal(cpu.mode, MODE_UND);
  assert.equal(cpu.r[14], 0x1004);
  assert.equal(cpu.pc, 0x04);
  assert.equal(cpu.spsr[bankOf(MODE_UND)] & 0x1f, MODE_SVC);
  assert.match(errors[0], /invalid mode/);
});

test('MSR SPSR writes the selected bytes; in User mode it is UNDEFINED', () => {
  const cpu = makeCpu();
  cpu.setCurrentSpsr(0x000001d3);
  cpu.r[1] = 0xa50f0210;
  exec(cpu, [MSR_SPSR_F_R1]);
  assert.equal(cpu.currentSpsr(), 0xa50001d3);
  cpu.r[1] = 0x1234567f; // mode field 0x1f (System)
  exec(cpu, [MSR_SPSR_FSXC_R1]);
  assert.equal(cpu.currentSpsr(), 0x1204567f, 'bits 23:20 are reserved');

  const u = makeCpu();
  user(u);
  u.r[1] = 0xf0000000;
  exec(u, [MSR_SPSR_F_R1]);
  assert.equal(u.mode, MODE_UND);
});

test('CPS changes the masks and mode in privileged modes and is a NOP in User mode', () => {
  const cpu = makeCpu();
  exec(cpu, [CPSIE_IF]);
  assert.deepEqual([cpu.a, cpu.i, cpu.f], [1, 0, 0]);
  exec(cpu, [CPSID_I]);
  assert.deepEqual([cpu.a, cpu.i, cpu.f], [1, 1, 0]);
  exec(cpu, [CPS_SYS]);
  assert.equal(cpu.mode, MODE_SYS);
  cpu.setCpsr(MODE_SYS);
  exec(cpu, [CPSID_AIF_SVC]);
  assert.deepEqual([cpu.a, cpu.i, cpu.f, cpu.mode], [1, 1, 1, MODE_SVC]);

  const u = makeCpu();
  user(u);
  exec(u, [CPSID_AIF_SVC, CPS_SYS]);
  assert.deepEqual([u.a, u.i, u.f, u.mode], [0, 0, 0, MODE_USR]);
  assert.equal(u.pc, 0x1008);
});

test('SRS then RFE round trip returns to the saved mode and address', () => {
  const cpu = makeCpu();
  cpu.r[13] = 0x8000;
  cpu.r[14] = 0x2000;
  cpu.setCurrentSpsr(0x60000010);
  exec(cpu, [SRSDB_SP_SVC_WB]);
  assert.equal(cpu.bus.read32(0x7ff8), 0x2000);
  assert.equal(cpu.bus.read32(0x7ffc), 0x60000010);
  assert.equal(cpu.r[13], 0x7ff8);

  cpu.r[0] = 0x7ff8;
  place(cpu, 0x1000, [RFEIA_R0_WB]);
  cpu.run(1);
  assert.equal(cpu.r[0], 0x8000, 'writeback happens in the old mode');
  assert.equal(cpu.mode, MODE_USR);
  assert.equal(cpu.z, 1);
  assert.equal(cpu.c, 1);
  assert.equal(cpu.pc, 0x2000);
  assert.equal(cpu.bankSp[bankOf(MODE_SVC)], 0x7ff8);
});

test('SRS to another mode uses that mode\'s banked SP', () => {
  const cpu = makeCpu();
  cpu.bankSp[bankOf(MODE_IRQ)] = 0x6000;
  cpu.r[13] = 0x9000;
  cpu.r[14] = 0x1234;
  cpu.setCurrentSpsr(0x1f);
  exec(cpu, [SRSIA_SP_IRQ]);
  assert.equal(cpu.bus.read32(0x6000), 0x1234);
  assert.equal(cpu.bus.read32(0x6004), 0x1f);
  assert.equal(cpu.bankSp[bankOf(MODE_IRQ)], 0x6000, 'no writeback');
  assert.equal(cpu.r[13], 0x9000);
});

test('SRS in User or System mode and RFE in User mode are UNDEFINED', () => {
  const sys = makeCpu();
  sys.setCpsr(MODE_SYS);
  exec(sys, [SRSDB_SP_SVC_WB]);
  assert.equal(sys.mode, MODE_UND);

  const u = makeCpu();
  user(u);
  u.r[0] = 0x100;
  exec(u, [RFEIA_R0_WB]);
  assert.equal(u.mode, MODE_UND);
  assert.equal(u.r[0], 0x100);
});

test('SETEND BE makes data loads big-endian', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x3000, 0x44332211);
  exec(cpu, [SETEND_BE]);
  assert.equal(cpu.e, 1);
  assert.equal(cpu.read32(0x3000) >>> 0, 0x11223344);
  assert.equal(cpu.read16(0x3000), 0x1122);
  exec(cpu, [SETEND_LE]);
  assert.equal(cpu.e, 0);
  assert.equal(cpu.read32(0x3000) >>> 0, 0x44332211);
});

test('SVC offered to the hook first: handled calls continue at the next instruction', () => {
  const cpu = makeCpu();
  let seen = -1;
  cpu.svcHook = (_c, imm) => { seen = imm; return true; };
  exec(cpu, [SVC_42]);
  assert.equal(seen, 0x42);
  assert.equal(cpu.mode, MODE_SVC);
  assert.equal(cpu.pc, 0x1004);
});

test('SVC exception entry: mode, LR, SPSR, masks and vector (low, high, VBAR)', () => {
  const cpu = makeCpu();
  cpu.setCpsr(0x80000010); // User, N set, interrupts enabled
  exec(cpu, [SVC_42]);
  assert.equal(cpu.mode, MODE_SVC);
  assert.equal(cpu.r[14], 0x1004);
  assert.equal(cpu.currentSpsr(), 0x80000010);
  assert.equal(cpu.i, 1);
  assert.equal(cpu.a, 0, 'SVC does not mask asynchronous aborts');
  assert.equal(cpu.pc, 0x08);

  const hi = makeCpu();
  hi.cp15.sctlr |= 1 << 13; // V
  exec(hi, [SVC_42]);
  assert.equal(hi.pc >>> 0, 0xffff0008);

  const vb = makeCpu();
  vb.cp15.write(0, 12, 0, 0, 0x10020);
  exec(vb, [SVC_42]);
  assert.equal(vb.pc, 0x10028);
});

test('BKPT with a hook stops at the BKPT; without one it is a Prefetch Abort (debug event)', () => {
  const cpu = makeCpu();
  let imm = -1;
  cpu.bkptHook = (_c, i) => { imm = i; return true; };
  place(cpu, 0x1000, [NOP, BKPT_1234, NOP]);
  const n = cpu.run(10);
  assert.equal(imm, 0x1234);
  assert.equal(n, 2);
  assert.equal(cpu.pc, 0x1004);
  assert.equal(cpu.stopRequested, true);

  const c2 = makeCpu();
  exec(c2, [NOP, BKPT_1234]);
  assert.equal(c2.mode, MODE_ABT);
  assert.equal(c2.r[14], 0x1008);
  assert.equal(c2.cp15.ifsr, 0x002);
  assert.equal(c2.pc, 0x0c);
});

test('UDF and SMC are UNDEFINED', () => {
  for (const w of [UDF_0, SMC_5]) {
    const cpu = makeCpu();
    exec(cpu, [w]);
    assert.equal(cpu.mode, MODE_UND);
    assert.equal(cpu.r[14], 0x1004);
    assert.equal(cpu.pc, 0x04);
  }
});

test('WFI waits; SEV sets and WFE clears the event register; hints and preloads are NOPs', () => {
  const cpu = makeCpu();
  place(cpu, 0x1000, [WFI, NOP]);
  assert.equal(cpu.run(5), 1);
  assert.equal(cpu.waiting, true);

  const c2 = makeCpu();
  exec(c2, [SEV]);
  assert.equal(c2.eventRegister, 1);
  exec(c2, [WFE]);
  assert.equal(c2.eventRegister, 0);
  assert.equal(c2.waiting, false);

  const c3 = makeCpu();
  c3.r[0] = 0xdead0000; // unmapped: a preload must not fault
  c3.r[1] = 4;
  exec(c3, [PLD_R0, PLDW_R0, PLI_REG, DMB_ISH, NOP, 0xe320f0f5, 0xe320f07f]);
  assert.equal(c3.pc, 0x101c);
  assert.equal(c3.mode, MODE_SVC);
});

test('disassembly of system instructions', () => {
  assert.equal(disassemble(MSR_CPSR_C_R1, 0), 'msr\tCPSR_c, r1');
  assert.equal(disassemble(CPSID_AIF_SVC, 0), 'cpsid\taif,#19');
  assert.equal(disassemble(SRSDB_SP_SVC_WB, 0), 'srsdb\tsp!, #19');
  assert.equal(disassemble(RFEIA_R0_WB, 0), 'rfeia\tr0!');
  assert.equal(disassemble(SVC_42, 0), 'svc\t0x00000042');
  assert.equal(disassemble(BKPT_1234, 0), 'bkpt\t0x1234');
  assert.equal(disassemble(DMB_ISH, 0), 'dmb\tish');
  assert.equal(disassemble(0xf7d0f101, 0), 'pld\t[r0, r1, lsl #2]');
  assert.equal(disassemble(WFI, 0), 'wfi');
});
