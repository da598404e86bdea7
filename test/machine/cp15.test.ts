import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, exec } from '../support/cpu-harness';
import { Cp15, SCTLR_WRITABLE } from '../../machine/cpu/cp15';
import { MODE_USR, MODE_SVC, MODE_UND } from '../../machine/cpu/modes';

/** MCR/MRC p<cp>, opc1, Rt, CRn, CRm, opc2 */
function mcr(opc1: number, crn: number, rt: number, crm: number, opc2: number, cp = 15): number {
  return (0xee000010 | (opc1 << 21) | (crn << 16) | (rt << 12) | (cp << 8) | (opc2 << 5) | crm) >>> 0;
}
function mrc(opc1: number, crn: number, rt: number, crm: number, opc2: number, cp = 15): number {
  return (mcr(opc1, crn, rt, crm, opc2, cp) | (1 << 20)) >>> 0;
}

function readReg(opc1: number, crn: number, crm: number, opc2: number): number {
  const cpu = makeCpu();
  exec(cpu, [mrc(opc1, crn, 0, crm, opc2)]);
  assert.equal(cpu.mode, MODE_SVC, `MRC ${opc1}, c${crn}, c${crm}, ${opc2} must not be UNDEFINED`);
  return cpu.r[0] >>> 0;
}

test('identification registers read the Cortex-A9 r1p0 (Tegra20) values', () => {
  const expect: Array<[number, number, number, number, number]> = [
    [0, 0, 0, 0, 0x411fc090], // MIDR
    [0, 0, 0, 1, 0x80038003], // CTR
    [0, 0, 0, 2, 0], [0, 0, 0, 3, 0], // TCMTR, TLBTR
    [0, 0, 0, 4, 0x411fc090], [0, 0, 0, 7, 0x411fc090], // MIDR aliases
    [0, 0, 0, 5, 0x80000000], // MPIDR
    [0, 0, 0, 6, 0], // REVIDR
    [0, 0, 1, 0, 0x1031], [0, 0, 1, 1, 0x11], [0, 0, 1, 2, 0], [0, 0, 1, 3, 0],
    [0, 0, 1, 4, 0x00100103], [0, 0, 1, 5, 0x20000000], [0, 0, 1, 6, 0x01230000], [0, 0, 1, 7, 0x00002111],
    [0, 0, 2, 0, 0x00101111], [0, 0, 2, 1, 0x13112111], [0, 0, 2, 2, 0x21232041],
    [0, 0, 2, 3, 0x11112131], [0, 0, 2, 4, 0x00111142], [0, 0, 2, 5, 0],
    [0, 0, 3, 0, 0], // unallocated ID space reads as zero
    [1, 0, 0, 1, 0x09000003], // CLIDR
    [1, 0, 0, 7, 0], // AIDR
    [0, 1, 0, 0, 0x00c50078], // SCTLR reset
    [0, 9, 12, 0, 0x41093000], // PMCR
    [4, 15, 0, 0, 0x50040000], // CBAR
  ];
  for (const [opc1, crn, crm, opc2, value] of expect) {
    assert.equal(readReg(opc1, crn, crm, opc2), value, `${opc1}, c${crn}, c${crm}, ${opc2}`);
  }
});

test('ISAR0 reports no hardware divide', () => {
  assert.equal((readReg(0, 0, 2, 0) >>> 24) & 0xf, 0);
});

test('CCSIDR follows CSSELR; an invalid selection reads 0', () => {
  const cpu = makeCpu();
  cpu.r[1] = 0; cpu.r[2] = 1; cpu.r[3] = 2;
  exec(cpu, [
    mcr(2, 0, 1, 0, 0), mrc(1, 0, 4, 0, 0),
    mcr(2, 0, 2, 0, 0), mrc(1, 0, 5, 0, 0),
    mcr(2, 0, 3, 0, 0), mrc(1, 0, 6, 0, 0), mrc(2, 0, 7, 0, 0),
  ]);
  assert.equal(cpu.r[4] >>> 0, 0xe01fe019);
  assert.equal(cpu.r[5] >>> 0, 0x201fe019);
  assert.equal(cpu.r[6], 0);
  assert.equal(cpu.r[7], 2);
});

test('CBAR and the CPU number are constructor options', () => {
  const cpu = makeCpu();
  const cp = new Cp15(cpu, { cbar: 0x1e000000, cpuId: 1 });
  assert.equal(cp.read(4, 15, 0, 0), 0x1e000000);
  assert.equal(cp.read(0, 0, 0, 5), 0x80000001);
});

test('SCTLR: only M A C SW Z I V RR EE TRE AFE TE are writable', () => {
  const cpu = makeCpu();
  cpu.r[0] = 0xffffffff >>> 0;
  cpu.r[1] = 0;
  exec(cpu, [mcr(0, 1, 1, 0, 0), mrc(0, 1, 2, 0, 0)]);
  assert.equal(cpu.r[2] >>> 0, 0x00c50078);
  // Writing all ones with M set would enable the MMU under the running code: check with the map directly.
  const cp = cpu.cp15;
  assert.equal(cp.write(0, 1, 0, 0, 0xffffffff), true);
  assert.equal(cp.sctlr >>> 0, (0x00c50078 | SCTLR_WRITABLE) >>> 0);
  assert.equal(cp.sctlr >>> 0, 0x72c57c7f);
  assert.equal((cp.sctlr >>> 27) & 1, 0, 'NMFI reads as zero');
});

test('writes to registers that affect translation bump the code generation', () => {
  const cpu = makeCpu();
  for (const [crn, crm, opc2] of [[1, 0, 0], [2, 0, 0], [2, 0, 1], [2, 0, 2], [3, 0, 0], [13, 0, 1], [8, 7, 0], [8, 7, 1]]) {
    const gen = cpu.codeGen;
    assert.equal(cpu.cp15.write(0, crn, crm, opc2, crn === 1 ? 0x00c50078 : 0), true);
    assert.ok(cpu.codeGen > gen, `c${crn}, c${crm}, ${opc2}`);
  }
});

test('register masks: TTBCR, CPACR, VBAR, CSSELR, DFSR', () => {
  const cp = makeCpu().cp15;
  const cases: Array<[number, number, number, number, number]> = [
    [0, 2, 0, 2, 0x37], [0, 1, 0, 2, 0x00f00000], [0, 12, 0, 0, 0xffffffe0], [2, 0, 0, 0, 0xf], [0, 5, 0, 0, 0x1cff],
    [0, 5, 0, 1, 0x140f],
  ];
  for (const [opc1, crn, crm, opc2, mask] of cases) {
    cp.write(opc1, crn, crm, opc2, 0xffffffff);
    assert.equal(cp.read(opc1, crn, crm, opc2), mask >>> 0, `${opc1}, c${crn}, c${crm}, ${opc2}`);
  }
  cp.write(0, 5, 1, 0, 0x1234);
  assert.equal(cp.read(0, 5, 1, 0), 0, 'ADFSR reads as zero');
});

test('UNDEFINED: unknown registers, writes to read-only ones, reads of operations', () => {
  for (const w of [mrc(0, 1, 0, 1, 0), mcr(0, 0, 0, 0, 0), mrc(0, 8, 0, 7, 0), mrc(0, 12, 0, 0, 1), mcr(0, 7, 0, 8, 4)]) {
    const cpu = makeCpu();
    exec(cpu, [w]);
    assert.equal(cpu.mode, MODE_UND, `0x${w.toString(16)}`);
    assert.equal(cpu.r[14], 0x1004);
  }
});

test('User mode: only TPIDRURW, TPIDRURO (read) and the c7 barriers are accessible', () => {
  const cpu = makeCpu();
  cpu.cp15.tpidruro = 0x5678;
  cpu.setCpsr(MODE_USR);
  cpu.r[1] = 0x1234;
  exec(cpu, [
    mcr(0, 13, 1, 0, 2), mrc(0, 13, 2, 0, 2), mrc(0, 13, 3, 0, 3),
    mcr(0, 7, 0, 5, 4), mcr(0, 7, 0, 10, 4), mcr(0, 7, 0, 10, 5),
  ]);
  assert.equal(cpu.mode, MODE_USR);
  assert.equal(cpu.r[2], 0x1234);
  assert.equal(cpu.r[3], 0x5678);

  const undef = [
    mcr(0, 13, 1, 0, 3), mrc(0, 0, 0, 0, 0), mrc(0, 1, 0, 0, 0), mcr(0, 7, 0, 5, 0), mcr(0, 8, 0, 7, 0),
    mrc(0, 13, 0, 0, 4), mrc(0, 9, 0, 12, 0), mrc(0, 0, 0, 3, 0),
  ];
  for (const w of undef) {
    const c = makeCpu();
    c.setCpsr(MODE_USR);
    exec(c, [w]);
    assert.equal(c.mode, MODE_UND, `0x${w.toString(16)}`);
  }
});

test('PMU registers are readable from User mode only when PMUSERENR.EN is set', () => {
  const cpu = makeCpu();
  cpu.cp15.write(0, 9, 14, 0, 1); // PMUSERENR.EN
  cpu.setCpsr(MODE_USR);
  exec(cpu, [mrc(0, 9, 0, 12, 0), mrc(0, 9, 1, 14, 0)]);
  assert.equal(cpu.mode, MODE_USR);
  assert.equal(cpu.r[0] >>> 0, 0x41093000);
  assert.equal(cpu.r[1], 1);
  exec(cpu, [mcr(0, 9, 0, 14, 0)]); // PMUSERENR is read-only from User mode
  assert.equal(cpu.mode, MODE_UND);
});

test('PMU set/clear registers and counter selection', () => {
  const cp = makeCpu().cp15;
  cp.write(0, 9, 12, 1, 0x80000005);
  cp.write(0, 9, 12, 2, 0x1);
  assert.equal(cp.read(0, 9, 12, 1), 0x80000004);
  cp.write(0, 9, 12, 5, 3); // PMSELR
  cp.write(0, 9, 13, 2, 77); // PMXEVCNTR
  cp.write(0, 9, 12, 5, 0);
  assert.equal(cp.read(0, 9, 13, 2), 0);
  cp.write(0, 9, 12, 5, 3);
  assert.equal(cp.read(0, 9, 13, 2), 77);
  cp.write(0, 9, 12, 0, 2); // PMCR.P resets the event counters
  assert.equal(cp.read(0, 9, 13, 2), 0);
});

test('MRC with Rt = 15 sets the flags from bits 31:28', () => {
  const cpu = makeCpu();
  exec(cpu, [mrc(0, 0, 15, 0, 0)]); // MIDR 0x4...
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v], [0, 1, 0, 0]);
  cpu.cp15.tpidrprw = 0xb0000000;
  exec(cpu, [mrc(0, 13, 15, 0, 4)]);
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v], [1, 0, 1, 1]);
});

test('CP14: trivial Jazelle reads zero; ThumbEE TEEHBR is User-accessible unless TEECR.XED', () => {
  const cpu = makeCpu();
  cpu.r[0] = 99;
  exec(cpu, [mrc(7, 0, 0, 0, 0, 14)]);
  assert.equal(cpu.r[0], 0);
  cpu.setCpsr(MODE_USR);
  cpu.r[1] = 0x4000;
  exec(cpu, [mcr(6, 1, 1, 0, 0, 14), mrc(6, 1, 2, 0, 0, 14)]);
  assert.equal(cpu.mode, MODE_USR);
  assert.equal(cpu.r[2], 0x4000);
  exec(cpu, [mrc(7, 0, 0, 0, 0, 14)]);
  assert.equal(cpu.mode, MODE_UND, 'JIDR is privileged');

  const c2 = makeCpu();
  c2.cp15.write14(6, 0, 0, 0, 1); // TEECR.XED
  c2.setCpsr(MODE_USR);
  exec(c2, [mrc(6, 1, 2, 0, 0, 14)]);
  assert.equal(c2.mode, MODE_UND);
});

test('other coprocessors, MCRR, CDP, LDC and the VFP coprocessors are UNDEFINED', () => {
  const words = [
    mcr(0, 1, 0, 0, 0, 10), mrc(7, 0, 0, 0, 0, 11), mcr(0, 0, 0, 0, 0, 5), 0xec410f02, 0xee1325a4,
    0xed905e01, 0xec921603, 0xfe010510, 0xec000e00,
  ];
  for (const w of words) {
    const cpu = makeCpu();
    exec(cpu, [w]);
    assert.equal(cpu.mode, MODE_UND, `0x${(w >>> 0).toString(16)}`);
  }
});

test('the v7 debug ID register reads as on QEMU\'s Cortex-A9; breakpoint registers hold their values', () => {
  const cpu = makeCpu();
  assert.equal(cpu.cp15.read14(0, 0, 0, 0), 0x35141000);
  assert.equal(cpu.cp15.write14(0, 0, 3, 4, 0xc0001234), true); // DBGBVR3
  assert.equal(cpu.cp15.read14(0, 0, 3, 4), 0xc0001234);
  const restored = makeCpu();
  restored.cp15.restore(cpu.cp15.snapshot());
  assert.equal(restored.cp15.read14(0, 0, 3, 4), 0xc0001234);
  assert.equal(cpu.cp15.read14(0, 0, 9, 4), undefined, 'only six breakpoints');
});

test('snapshot and restore round trip', () => {
  const a = makeCpu();
  a.cp15.write(0, 2, 0, 0, 0x4000);
  a.cp15.write(0, 3, 0, 0, 0x55555555);
  a.cp15.write(0, 13, 0, 1, 0x42);
  a.cp15.write(0, 9, 12, 5, 2);
  a.cp15.write(0, 9, 13, 1, 0x11);
  const s = a.cp15.snapshot();
  const b = makeCpu();
  b.cp15.restore(JSON.parse(JSON.stringify(s)));
  assert.deepEqual(b.cp15.snapshot(), s);
  assert.equal(b.cp15.read(0, 9, 13, 1), 0x11);
  b.cp15.reset();
  assert.equal(b.cp15.ttbr0, 0);
  assert.equal(b.cp15.sctlr, 0x00c50078);
});
