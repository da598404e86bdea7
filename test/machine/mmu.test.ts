import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, place } from '../support/cpu-harness';
import { ACC_UNPRIV, type Cpu } from '../../machine/cpu/cpu';
import { DATA_ABORT } from '../../machine/cpu/faults';
import { MODE_ABT } from '../../machine/cpu/modes';

// Physical layout (1 MiB of RAM at 0 from the harness):
//   0x4000  first-level table (16 KiB)
//   0x8000  second-level table for VA 0x20000000 (domain 1)
//   0x8400  second-level table for VA 0x70000000 (domain 3)
//   0x50000, 0x60000, 0x70000  target pages
const L1 = 0x4000;
const L2A = 0x8000;
const L2B = 0x8400;

const SECTION_RW = 0xc02; // AP=011, domain 0
const sect = (pa: number, attrs: number): number => ((pa & 0xfff00000) | attrs) >>> 0;

function setL1(cpu: Cpu, va: number, desc: number, base = L1): void {
  cpu.bus.write32(base + ((va >>> 20) << 2), desc >>> 0);
}
function setL2(cpu: Cpu, table: number, va: number, desc: number): void {
  cpu.bus.write32(table + (((va >>> 12) & 0xff) << 2), desc >>> 0);
}

/** A CPU with page tables built in RAM and the MMU enabled. */
function mmuCpu(afe = false): Cpu {
  const cpu = makeCpu();
  setL1(cpu, 0x00000000, sect(0, SECTION_RW)); // identity for code, vectors, tables
  setL1(cpu, 0x10000000, sect(0, SECTION_RW)); // alias
  setL1(cpu, 0x20000000, L2A | (1 << 5) | 1); // page table, domain 1
  setL2(cpu, L2A, 0x20001000, 0x00050000 | 0x30 | 2); // small page, AP=011
  for (let k = 0; k < 16; k++) setL2(cpu, L2A, 0x20010000 + k * 0x1000, 0x00060000 | 0x30 | 1); // large page
  setL2(cpu, L2A, 0x20003000, 0x00050000 | 0x20 | 2); // AP=010: AF=0 under AFE
  setL2(cpu, L2A, 0x20004000, 0x00050000 | 0x200 | 0x30 | 2); // AP=111: read-only
  setL2(cpu, L2A, 0x20005000, 0x00050000 | 0x800 | 0x30 | 2); // nG
  for (let k = 0; k < 16; k++) setL1(cpu, 0x30000000 + k * 0x100000, (1 << 18) | SECTION_RW); // supersection -> PA 0
  setL1(cpu, 0x50000000, 0x802); // AP=010 (AF=0 under AFE)
  setL1(cpu, 0x60000000, sect(0, SECTION_RW | (2 << 5))); // domain 2
  setL1(cpu, 0x70000000, L2B | (3 << 5) | 1); // page table, domain 3
  setL2(cpu, L2B, 0x70000000, 0x00050000 | 0x30 | 2);
  setL1(cpu, 0x80000000, sect(0, 0x402)); // AP=001: privileged only
  setL1(cpu, 0x90000000, sect(0, SECTION_RW | 0x10)); // XN
  setL1(cpu, 0xa0000000, sect(0, 0x002 | (2 << 5))); // AP=000, domain 2
  const cp = cpu.cp15;
  cp.write(0, 2, 0, 0, L1);
  cp.write(0, 3, 0, 0, 0x00000015 | (0 << 4) | (0 << 6)); // D0 client, D1 client, D2 client, D3 no access
  cp.write(0, 1, 0, 0, (cp.sctlr | 1 | (afe ? 1 << 29 : 0)) >>> 0);
  return cpu;
}

function dataFault(cpu: Cpu, f: () => unknown): { dfsr: number; dfar: number } {
  assert.throws(f, (e: unknown) => e === DATA_ABORT);
  return { dfsr: cpu.cp15.dfsr, dfar: cpu.cp15.dfar >>> 0 };
}

test('MMU off: identity; on: sections, supersections, small and large pages', () => {
  const cpu = mmuCpu();
  cpu.bus.write32(0x10, 0x11111111);
  cpu.bus.write32(0x50abc, 0x22222222);
  cpu.bus.write32(0x62344, 0x33333333);
  cpu.bus.write32(0x12340, 0x44444444);
  assert.equal(cpu.mmu.enabled, true);
  assert.equal(cpu.read32(0x10000010), 0x11111111);
  assert.equal(cpu.read32(0x20001abc), 0x22222222);
  assert.equal(cpu.read32(0x20012344), 0x33333333);
  assert.equal(cpu.read32(0x30012340), 0x44444444);
  cpu.write32(0x20001ab0, 0x55);
  assert.equal(cpu.bus.read32(0x50ab0), 0x55);

  const off = makeCpu();
  assert.equal(off.mmu.enabled, false);
  assert.equal(off.mmu.translate(0x1234, 0, false), 0x1234);
});

test('code runs through the MMU and exceptions use the mapped vectors', () => {
  const cpu = mmuCpu();
  place(cpu, 0x1000, [0xe320f000, 0xe320f000]); // NOP; NOP
  cpu.pc = 0x10001000; // alias mapping
  cpu.run(2);
  assert.notEqual(cpu.mode, MODE_ABT);
  assert.equal(cpu.pc, 0x10001008);
});

test('translation faults: section and page, read and write', () => {
  const cpu = mmuCpu();
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0x40000004)), { dfsr: 0x005, dfar: 0x40000004 });
  assert.deepEqual(dataFault(cpu, () => cpu.write32(0x40000008, 1)), { dfsr: 0x805, dfar: 0x40000008 });
  assert.deepEqual(dataFault(cpu, () => cpu.read8(0x20002003)), { dfsr: 0x017, dfar: 0x20002003 });
});

test('TTBCR.N selects TTBR1 for high addresses; PD0/PD1 disable walks', () => {
  const cpu = mmuCpu();
  const L1B = 0xc000;
  cpu.bus.write32(0x20, 0xabcd);
  setL1(cpu, 0x80000000, sect(0, SECTION_RW), L1B);
  cpu.cp15.write(0, 2, 0, 1, L1B); // TTBR1
  cpu.cp15.write(0, 2, 0, 2, 1); // N = 1
  assert.equal(cpu.read32(0x80000020), 0xabcd);
  assert.equal(cpu.read32(0x10000020), 0xabcd, 'low half still through TTBR0');
  cpu.cp15.write(0, 2, 0, 2, 1 | 0x20); // PD1
  cpu.cp15.write(0, 8, 7, 0, 0);
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0x80000020)), { dfsr: 0x005, dfar: 0x80000020 });
  cpu.cp15.write(0, 2, 0, 2, 1 | 0x10); // PD0
  cpu.cp15.write(0, 8, 7, 0, 0);
  assert.equal(cpu.read32(0x80000020), 0xabcd);
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0x10000020)), { dfsr: 0x005, dfar: 0x10000020 });
});

test('access flag faults with SCTLR.AFE: section and page', () => {
  const cpu = mmuCpu(true);
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0x50000000)), { dfsr: 0x003, dfar: 0x50000000 });
  assert.deepEqual(dataFault(cpu, () => cpu.write32(0x20003010, 0)), { dfsr: 0x816, dfar: 0x20003010 });
  // Without AFE the same descriptors are ordinary AP=010 mappings.
  const plain = mmuCpu(false);
  assert.equal(plain.read32(0x50000000), plain.bus.read32(0));
});

test('AFE simplified permissions: AP[2:1] = 01 is read/write at both privileges', () => {
  const cpu = mmuCpu(true);
  setL1(cpu, 0xb0000000, sect(0, 0xc02)); // AP=011: AF=1, AP[2:1]=01
  cpu.write32(0xb0000100, 7, ACC_UNPRIV);
  assert.equal(cpu.bus.read32(0x100), 7);
  setL1(cpu, 0xc0000000, sect(0, 0x8402)); // AP=101: AF=1, AP[2:1]=10 privileged read-only
  assert.equal(cpu.read32(0xc0000100), 7);
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0xc0000100, ACC_UNPRIV)), { dfsr: 0x00d, dfar: 0xc0000100 });
  assert.deepEqual(dataFault(cpu, () => cpu.write32(0xc0000100, 1)), { dfsr: 0x80d, dfar: 0xc0000100 });
});

test('domain faults: section and page, with the domain in DFSR', () => {
  const cpu = mmuCpu();
  cpu.cp15.write(0, 3, 0, 0, 0x5); // D0, D1 client; D2, D3 no access
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0x60000000)), { dfsr: 0x029, dfar: 0x60000000 });
  assert.deepEqual(dataFault(cpu, () => cpu.write32(0x70000004, 0)), { dfsr: 0x83b, dfar: 0x70000004 });
});

test('DACR changes take effect without TLB maintenance; Manager skips permission checks', () => {
  const cpu = mmuCpu();
  assert.equal(cpu.read32(0x60000000), cpu.bus.read32(0)); // cached, domain 2 client
  cpu.cp15.write(0, 3, 0, 0, 0x5);
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0x60000000)), { dfsr: 0x029, dfar: 0x60000000 });
  // AP=000 is no access for a Client, but a Manager domain is not checked.
  cpu.cp15.write(0, 3, 0, 0, 0x15);
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0xa0000000)), { dfsr: 0x02d, dfar: 0xa0000000 });
  cpu.cp15.write(0, 3, 0, 0, 0x35);
  cpu.write32(0xa0000040, 9, ACC_UNPRIV);
  assert.equal(cpu.bus.read32(0x40), 9);
});

test('permission faults: User access to a privileged section, write to a read-only page', () => {
  const cpu = mmuCpu();
  assert.equal(cpu.read32(0x80000000), cpu.bus.read32(0));
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0x80000000, ACC_UNPRIV)), { dfsr: 0x00d, dfar: 0x80000000 });
  assert.equal(cpu.read32(0x20004000, ACC_UNPRIV), cpu.bus.read32(0x50000));
  assert.deepEqual(dataFault(cpu, () => cpu.write32(0x20004008, 1)), { dfsr: 0x81f, dfar: 0x20004008 });
  assert.deepEqual(dataFault(cpu, () => cpu.write16(0x2000400a, 1, ACC_UNPRIV)), { dfsr: 0x81f, dfar: 0x2000400a });
});

test('an instruction fetch from an XN section is a Prefetch Abort with IFSR permission fault', () => {
  const cpu = mmuCpu();
  cpu.cp15.dfsr = 0x123;
  cpu.pc = 0x90001000;
  cpu.run(1);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.cp15.ifsr, 0x00d);
  assert.equal(cpu.cp15.ifar >>> 0, 0x90001000);
  assert.equal(cpu.r[14] >>> 0, 0x90001004);
  assert.equal(cpu.pc, 0x0c);
  assert.equal(cpu.cp15.dfsr, 0x123, 'DFSR untouched');
  // The same section is readable as data.
  assert.equal(cpu.read32(0x90001000), cpu.bus.read32(0x1000));
});

test('an instruction fetch from an unmapped address: translation fault in IFSR', () => {
  const cpu = mmuCpu();
  cpu.pc = 0x40000100;
  cpu.run(1);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.cp15.ifsr, 0x005);
  assert.equal(cpu.cp15.ifar >>> 0, 0x40000100);
});

test('external abort on the translation table walk', () => {
  const cpu = mmuCpu();
  cpu.cp15.write(0, 2, 0, 0, 0x40000000); // TTBR0 outside RAM
  cpu.cp15.write(0, 8, 7, 0, 0);
  assert.deepEqual(dataFault(cpu, () => cpu.read32(0x10000000)), { dfsr: 0x00c, dfar: 0x10000000 });
  const c2 = mmuCpu();
  setL1(c2, 0x20000000, 0x40000000 | (1 << 5) | 1); // second-level table outside RAM
  assert.deepEqual(dataFault(c2, () => c2.read32(0x20001000)), { dfsr: 0x01e, dfar: 0x20001000 });
});

test('a changed page table is not seen until TLBIMVA', () => {
  const cpu = mmuCpu();
  cpu.bus.write32(0x50000, 1);
  cpu.bus.write32(0x70000, 2);
  assert.equal(cpu.read32(0x20001000), 1);
  setL2(cpu, L2A, 0x20001000, 0x00070000 | 0x30 | 2);
  assert.equal(cpu.read32(0x20001000), 1, 'stale TLB entry');
  cpu.cp15.write(0, 8, 7, 1, 0x20001000);
  assert.equal(cpu.read32(0x20001000), 2);
});

/**
 * Code running at VA 0x20001000 (PA 0x50000) points its own page at PA
 * 0x70000, then runs `steps`; the instruction after them is MOV r0, #1 in
 * the old page and MOV r0, #2 in the new one: r0 tells which was fetched.
 */
function remapRunningPage(steps: number[]): number {
  const cpu = mmuCpu();
  const STR_R1_R2 = 0xe5821000;
  const code = [STR_R1_R2, ...steps];
  code.forEach((w, k) => cpu.bus.write32(0x50000 + 4 * k, w));
  cpu.bus.write32(0x50000 + 4 * code.length, 0xe3a00001); // MOV r0, #1
  cpu.bus.write32(0x70000 + 4 * code.length, 0xe3a00002); // MOV r0, #2
  cpu.r[1] = 0x00070000 | 0x30 | 2; // the new small-page descriptor
  cpu.r[2] = L2A + 4; // its place in the table (VA 0x20001000, identity-mapped)
  cpu.r[3] = 0x20001000;
  cpu.r[5] = 0x00001000; // a page sharing 0x20001000's TLB slot
  cpu.r[7] = 0x20001100;
  cpu.pc = 0x20001000;
  cpu.run(code.length + 1);
  assert.equal(cpu.pc, 0x20001000 + 4 * (code.length + 1));
  return cpu.r[0];
}

const TLBIMVA_R3 = 0xee083f37;
const ISB_SY = 0xf57ff06f;

test('a fetch after TLBIMVA and ISB of the running page sees its new translation', () => {
  assert.equal(remapRunningPage([TLBIMVA_R3, ISB_SY]), 2);
});

test('ISB alone leaves the running page on its cached translation', () => {
  assert.equal(remapRunningPage([ISB_SY, ISB_SY]), 1);
});

test('a fetch after ISB sees the running page\'s entry as data accesses refilled it', () => {
  // LDR r4, [r5] evicts the page's entry; LDR r6, [r7] walks the edited table again.
  assert.equal(remapRunningPage([0xe5954000, 0xe5976000, ISB_SY]), 2);
});

/**
 * Code at VA 0x2000 calls a function at VA 0x20001000 (PA 0x50000: MOV r0, #1)
 * a hundred times and adds up r0; after the 51st call it points that page at
 * PA 0x70000 (MOV r0, #2) and invalidates it with TLBIMVA. Compiled (every
 * block at its first run), the calls chain from block to block across the two
 * pages (whose entries in the recent-pages table differ: 0x1000 would share
 * one with 0x20001000, and every call would go back to the run loop): the
 * calls after the remap must fetch from the new page all the same.
 */
function callRemappedPage(engine: 'jit' | 'interpreter'): Cpu {
  const cpu = mmuCpu();
  cpu.engine = engine;
  cpu.hotThreshold = 1;
  cpu.bus.write32(0x50000, 0xe3a00001); // MOV r0, #1
  cpu.bus.write32(0x50004, 0xe12fff1e); // BX lr
  cpu.bus.write32(0x70000, 0xe3a00002); // MOV r0, #2
  cpu.bus.write32(0x70004, 0xe12fff1e); // BX lr
  place(cpu, 0x2000, [
    0xe12fff3a, // BLX r10
    0xe0888000, // ADD r8, r8, r0
    0xe3590032, // CMP r9, #50
    0x05821000, // STREQ r1, [r2]: the new descriptor
    0x0e083f37, // MCREQ p15, 0, r3, c8, c7, 1: TLBIMVA
    ISB_SY,
    0xe2599001, // SUBS r9, r9, #1
    0x1afffff7, // BNE 0x2000
    0xeafffffe, // B .
  ]);
  cpu.r[1] = 0x00070000 | 0x30 | 2;
  cpu.r[2] = L2A + 4;
  cpu.r[3] = 0x20001000;
  cpu.r[9] = 100;
  cpu.r[10] = 0x20001000;
  assert.equal(cpu.run(1000), 1000);
  return cpu;
}

test('calls chained into another page fetch from its new translation after TLBIMVA', () => {
  const jit = callRemappedPage('jit');
  assert.equal(jit.pc, 0x2020);
  assert.equal(jit.r[8], 51 * 1 + 49 * 2);
  assert.deepEqual(Array.from(jit.r), Array.from(callRemappedPage('interpreter').r));
});

/**
 * Code at VA 0x20001000 (PA 0x50000) calls a function at VA 0x2000 that loads
 * from VA 0x1000, whose TLB entry takes the caller's slot, and returns: each
 * time the caller's page is fetched from again, its translation is walked
 * and its entry is back (the TLB is guest-visible state: recordings hash it).
 * The compiled calls chain from block to block across the pages; the TLB
 * must end as the interpreter leaves it.
 */
function callEvictingCaller(engine: 'jit' | 'interpreter'): Cpu {
  const cpu = mmuCpu();
  cpu.engine = engine;
  cpu.hotThreshold = 1;
  cpu.bus.write32(0x2000, 0xe5954000); // LDR r4, [r5]
  cpu.bus.write32(0x2004, 0xe12fff1e); // BX lr
  [
    0xe12fff3a, // BLX r10
    0xe2899001, // ADD r9, r9, #1
    0xe3590032, // CMP r9, #50
    0x1afffffb, // BNE 0x20001000
    0xeafffffe, // B .
  ].forEach((w, k) => cpu.bus.write32(0x50000 + 4 * k, w));
  cpu.pc = 0x20001000;
  cpu.r[5] = 0x00001000;
  cpu.r[10] = 0x2000;
  assert.equal(cpu.run(300), 300);
  return cpu;
}

test('a caller whose TLB entry its callee evicted is walked again when it runs on, as the interpreter does', () => {
  const jit = callEvictingCaller('jit'), interpreted = callEvictingCaller('interpreter');
  assert.equal(jit.pc, 0x20001010);
  assert.ok(jit.mmu.holds(0x20001000), 'the caller\'s page is in the TLB at the end');
  assert.deepEqual(jit.mmu.snapshot(), interpreted.mmu.snapshot());
});

test('TLBIMVA of any address in a section removes every page cached from it', () => {
  const cpu = mmuCpu();
  cpu.bus.write32(0x3000, 0xaaaa);
  cpu.bus.write32(0x20000 + 0x3000, 0xbbbb);
  assert.equal(cpu.read32(0x10003000), 0xaaaa);
  // Replace the section by a page table that maps the page elsewhere.
  setL1(cpu, 0x10000000, L2B | (0 << 5) | 1);
  setL2(cpu, L2B, 0x10003000, 0x00023000 | 0x30 | 2);
  assert.equal(cpu.read32(0x10003000), 0xaaaa, 'stale section entry');
  cpu.cp15.write(0, 8, 7, 1, 0x10080000);
  assert.equal(cpu.read32(0x10003000), 0xbbbb);
});

test('TLBIMVA finds the cached pages of a block wherever in the block they lie: large page, section end, supersection', () => {
  const cpu = mmuCpu();
  cpu.bus.write32(0x6f000, 0x1111);
  cpu.bus.write32(0xff000, 0x2222);
  cpu.bus.write32(0x3000, 0x3333);
  cpu.bus.write32(0x23000, 0x4444);
  assert.equal(cpu.read32(0x2001f000), 0x1111); // large page at 0x20010000 -> 0x60000
  assert.equal(cpu.read32(0x100ff000), 0x2222); // the section's last page
  assert.equal(cpu.read32(0x30003000), 0x3333); // supersection at 0x30000000
  // New mappings for all three, not seen until each block is invalidated.
  for (let k = 0; k < 16; k++) setL2(cpu, L2A, 0x20010000 + k * 0x1000, 0x00023000 | 0x30 | 2);
  setL1(cpu, 0x10000000, L2B | (0 << 5) | 1);
  setL2(cpu, L2B, 0x100ff000, 0x00023000 | 0x30 | 2);
  const L2C = 0x8800;
  for (let k = 0; k < 16; k++) setL1(cpu, 0x30000000 + k * 0x100000, L2C | 1);
  setL2(cpu, L2C, 0x30003000, 0x00023000 | 0x30 | 2);
  assert.equal(cpu.read32(0x2001f000), 0x1111, 'stale large-page entry');
  assert.equal(cpu.read32(0x100ff000), 0x2222, 'stale section entry');
  assert.equal(cpu.read32(0x30003000), 0x3333, 'stale supersection entry');
  // Each by an address at the other end of its block.
  cpu.cp15.write(0, 8, 7, 1, 0x20010000);
  cpu.cp15.write(0, 8, 7, 1, 0x10000000);
  assert.equal(cpu.read32(0x2001f000), 0x4444);
  assert.equal(cpu.read32(0x100ff000), 0x4444);
  assert.equal(cpu.read32(0x30003000), 0x3333, 'the supersection is still cached');
  cpu.cp15.write(0, 8, 7, 1, 0x30f00000);
  assert.equal(cpu.read32(0x30003000), 0x4444);
});

test('nG entries are tagged with the ASID from CONTEXTIDR', () => {
  const cpu = mmuCpu();
  const va = 0x20005000;
  cpu.bus.write32(0x50000, 1);
  cpu.bus.write32(0x60000, 2);
  cpu.bus.write32(0x70000, 3);
  cpu.cp15.write(0, 13, 0, 1, 1);
  assert.equal(cpu.read32(va), 1);
  setL2(cpu, L2A, va, 0x00060000 | 0x800 | 0x30 | 2);
  assert.equal(cpu.read32(va), 1, 'cached for ASID 1');
  cpu.cp15.write(0, 8, 7, 2, 2); // TLBIASID 2
  assert.equal(cpu.read32(va), 1);
  cpu.cp15.write(0, 13, 0, 1, 2);
  assert.equal(cpu.read32(va), 2, 'another ASID misses');
  setL2(cpu, L2A, va, 0x00070000 | 0x800 | 0x30 | 2);
  cpu.cp15.write(0, 8, 7, 1, va | 1); // TLBIMVA for ASID 1 leaves ASID 2's entry
  assert.equal(cpu.read32(va), 2);
  cpu.cp15.write(0, 8, 7, 2, 2); // TLBIASID 2
  assert.equal(cpu.read32(va), 3);
});

test('global entries survive TLBIASID and hit under any ASID', () => {
  const cpu = mmuCpu();
  cpu.bus.write32(0x50000, 1);
  cpu.bus.write32(0x70000, 3);
  assert.equal(cpu.read32(0x20001000), 1);
  setL2(cpu, L2A, 0x20001000, 0x00070000 | 0x30 | 2);
  cpu.cp15.write(0, 13, 0, 1, 7);
  cpu.cp15.write(0, 8, 7, 2, 0);
  assert.equal(cpu.read32(0x20001000), 1);
  cpu.cp15.write(0, 8, 7, 3, 0x20001000); // TLBIMVAA
  assert.equal(cpu.read32(0x20001000), 3);
});

test('ATS1CPR/ATS1CUR/ATS1CPW write PAR without touching DFSR/DFAR', () => {
  const cpu = mmuCpu();
  cpu.cp15.dfsr = 0x77; cpu.cp15.dfar = 0x88;
  cpu.cp15.write(0, 7, 8, 0, 0x20001234);
  assert.equal(cpu.cp15.read(0, 7, 4, 0), 0x00050090, 'PA | SH | Inner=Strongly-ordered');
  cpu.cp15.write(0, 7, 8, 0, 0x40000000);
  assert.equal(cpu.cp15.par, (0x5 << 1) | 1);
  cpu.cp15.write(0, 7, 8, 2, 0x80000010); // User read of a privileged section
  assert.equal(cpu.cp15.par, (0xd << 1) | 1);
  cpu.cp15.write(0, 7, 8, 1, 0x20004000); // privileged write of a read-only page
  assert.equal(cpu.cp15.par, (0xf << 1) | 1);
  cpu.cp15.write(0, 7, 8, 0, 0x30123456); // supersection
  assert.equal(cpu.cp15.par, 0x00000090 | 2);
  setL2(cpu, L2A, 0x20006000, 0x00050000 | (1 << 6) | 0xc | 0x30 | 2); // TEX=001 C=1 B=1: WBWA
  cpu.cp15.write(0, 7, 8, 0, 0x20006000);
  assert.equal(cpu.cp15.par, 0x00050054);
  assert.equal(cpu.cp15.dfsr, 0x77);
  assert.equal(cpu.cp15.dfar, 0x88);
});

test('TLB contents survive snapshot and restore', () => {
  const cpu = mmuCpu();
  cpu.bus.write32(0x50000, 1);
  cpu.bus.write32(0x70000, 3);
  assert.equal(cpu.read32(0x20001000), 1);
  const snap = cpu.mmu.snapshot();
  setL2(cpu, L2A, 0x20001000, 0x00070000 | 0x30 | 2);
  cpu.mmu.flush();
  cpu.mmu.restore(JSON.parse(JSON.stringify(snap)));
  assert.equal(cpu.read32(0x20001000), 1);
});

/**
 * A loop at VA 0x20001000 whose load from VA 0x1000 replaces the loop's own
 * TLB entry every time round (the two share an entry): the run loop goes on
 * with the fetch translation it holds. The core runs `stops` instructions at
 * a time; with `viaSnapshot` each time on a fresh core restored from the
 * last one's snapshot.
 */
function loopEvictingItsPage(engine: 'jit' | 'interpreter', stops: number[], viaSnapshot = false): Cpu {
  const build = () => {
    const cpu = mmuCpu();
    cpu.engine = engine;
    cpu.hotThreshold = 1;
    [
      0xe5954000, // LDR r4, [r5]
      0xe2899001, // ADD r9, r9, #1
      0xe3590032, // CMP r9, #50
      0x1afffffb, // BNE 0x20001000
      0xeafffffe, // B .
    ].forEach((w, k) => cpu.bus.write32(0x50000 + 4 * k, w));
    return cpu;
  };
  let cpu = build();
  cpu.pc = 0x20001000;
  cpu.r[5] = 0x00001000;
  for (const n of stops) {
    if (viaSnapshot) {
      const s = cpu.snapshot();
      cpu = build();
      cpu.restore(s);
    }
    assert.equal(cpu.run(n), n);
  }
  return cpu;
}

test('a run stopped and resumed where the TLB no longer holds the running page goes on as if it had not stopped, a restored snapshot too', () => {
  for (const engine of ['jit', 'interpreter'] as const) {
    // Two times round (8 instructions) and the third load, stopped there; then its ADD and CMP.
    const whole = loopEvictingItsPage(engine, [11]);
    assert.ok(!whole.mmu.holds(0x20001000), `${engine}: the loop runs on from a translation the TLB no longer has`);
    for (const viaSnapshot of [false, true]) {
      const stopped = loopEvictingItsPage(engine, [9, 2], viaSnapshot);
      assert.equal(stopped.icount, whole.icount);
      assert.deepEqual(stopped.mmu.snapshot(), whole.mmu.snapshot(), `${engine}${viaSnapshot ? ', restored' : ''}: the TLB as without the stop`);
      assert.deepEqual(stopped.snapshot(), whole.snapshot(), `${engine}${viaSnapshot ? ', restored' : ''}: the state as without the stop`);
    }
  }
});

test('a core whose runs do not take up the held fetch says when resuming would look its page up again (recordings of format 5 and before)', () => {
  for (const engine of ['jit', 'interpreter'] as const) {
    const holding = loopEvictingItsPage(engine, [9]);
    assert.equal(holding.resumeRefillsFetch, false, `${engine}: a core that takes up its held fetch resumes as it would go on`);
    for (const n of [1, 9]) {
      const cpu = loopEvictingItsPage(engine, [n]);
      cpu.holdsFetchAcrossRuns = false;
      assert.equal(cpu.resumeRefillsFetch, true, `${engine}: stopped after ${n}, past a load that replaced the loop's entry`);
    }
    const before = loopEvictingItsPage(engine, []);
    before.holdsFetchAcrossRuns = false;
    assert.equal(before.resumeRefillsFetch, false, `${engine}: nothing run, nothing held`);
  }
});
