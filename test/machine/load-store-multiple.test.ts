import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../machine/cpu/encoding';
import { loadStoreMultipleRows } from '../../machine/cpu/a32/load-store-multiple';
import { MODE_ABT, MODE_FIQ, MODE_SVC, MODE_SYS, MODE_UND, MODE_USR, bankOf } from '../../machine/cpu/modes';
import { makeCpu, exec } from '../support/cpu-harness';

type Cpu = ReturnType<typeof makeCpu>;

function mem32(cpu: Cpu, addr: number): number {
  return cpu.bus.read32(addr) >>> 0;
}

/** Fills [from, to) with each word's own address. */
function fillAddresses(cpu: Cpu, from: number, to: number): void {
  for (let a = from; a < to; a += 4) cpu.bus.write32(a, a);
}

test('LDM/STM disassembly: push/pop, modes, writeback, ^', () => {
  const d = new Decoder(loadStoreMultipleRows);
  const text = (w: number) => {
    const r = d.decode(w);
    return r.kind === 'undefined' ? 'undefined' : r.row.disasm(w, 0);
  };
  assert.equal(text(0xe92d400f), 'push\t{r0-r3, lr}');
  assert.equal(text(0xe8bd80f0), 'pop\t{r4-r7, pc}');
  assert.equal(text(0xe92d0010), 'stmdb\tsp!, {r4}');
  assert.equal(text(0xe8800006), 'stm\tr0, {r1, r2}');
  assert.equal(text(0xe9b00006), 'ldmib\tr0!, {r1, r2}');
  assert.equal(text(0xe8300006), 'ldmda\tr0!, {r1, r2}');
  assert.equal(text(0xe9000006), 'stmdb\tr0, {r1, r2}');
  assert.equal(text(0xe8c07f00), 'stm\tr0, {r8-lr}^');
  assert.equal(text(0xe8fd8001), 'ldm\tsp!, {r0, pc}^');
  assert.equal(text(0x08bd8010), 'popeq\t{r4, pc}');
});

test('LDM in all four addressing modes, with and without writeback', () => {
  // [word, first address, writeback value]
  const cases: Array<[number, number, number, string]> = [
    [0xe8900006, 0x2010, 0x2010, 'ldm r0, {r1, r2}'],
    [0xe8b00006, 0x2010, 0x2018, 'ldm r0!, {r1, r2}'],
    [0xe9900006, 0x2014, 0x2010, 'ldmib r0, {r1, r2}'],
    [0xe9b00006, 0x2014, 0x2018, 'ldmib r0!, {r1, r2}'],
    [0xe8100006, 0x200c, 0x2010, 'ldmda r0, {r1, r2}'],
    [0xe8300006, 0x200c, 0x2008, 'ldmda r0!, {r1, r2}'],
    [0xe9100006, 0x2008, 0x2010, 'ldmdb r0, {r1, r2}'],
    [0xe9300006, 0x2008, 0x2008, 'ldmdb r0!, {r1, r2}'],
  ];
  for (const [w, first, rn, what] of cases) {
    const cpu = makeCpu();
    fillAddresses(cpu, 0x1f00, 0x2100);
    cpu.r[0] = 0x2010;
    exec(cpu, [w]);
    assert.equal(cpu.r[1], first, what);
    assert.equal(cpu.r[2], first + 4, what);
    assert.equal(cpu.r[0], rn, what);
  }
});

test('STM in all four addressing modes, with and without writeback', () => {
  const cases: Array<[number, number, number, string]> = [
    [0xe8800006, 0x2010, 0x2010, 'stm r0, {r1, r2}'],
    [0xe8a00006, 0x2010, 0x2018, 'stmia r0!, {r1, r2}'],
    [0xe9800006, 0x2014, 0x2010, 'stmib r0, {r1, r2}'],
    [0xe9a00006, 0x2014, 0x2018, 'stmib r0!, {r1, r2}'],
    [0xe8000006, 0x200c, 0x2010, 'stmda r0, {r1, r2}'],
    [0xe8200006, 0x200c, 0x2008, 'stmda r0!, {r1, r2}'],
    [0xe9000006, 0x2008, 0x2010, 'stmdb r0, {r1, r2}'],
    [0xe9200006, 0x2008, 0x2008, 'stmdb r0!, {r1, r2}'],
  ];
  for (const [w, first, rn, what] of cases) {
    const cpu = makeCpu();
    cpu.r[0] = 0x2010; cpu.r[1] = 0x1111; cpu.r[2] = 0x2222;
    exec(cpu, [w]);
    assert.equal(mem32(cpu, first), 0x1111, what);
    assert.equal(mem32(cpu, first + 4), 0x2222, what);
    assert.equal(mem32(cpu, first - 4), 0, what);
    assert.equal(mem32(cpu, first + 8), 0, what);
    assert.equal(cpu.r[0], rn, what);
  }
});

test('PUSH and POP round trip', () => {
  const cpu = makeCpu();
  cpu.r[13] = 0x3000;
  for (let i = 0; i < 4; i++) cpu.r[i] = 0x100 + i;
  cpu.r[14] = 0x2000;
  exec(cpu, [0xe92d400f]); // push {r0-r3, lr}
  assert.equal(cpu.r[13], 0x3000 - 20);
  assert.equal(mem32(cpu, 0x3000 - 20), 0x100);
  assert.equal(mem32(cpu, 0x3000 - 4), 0x2000);
  exec(cpu, [0xe8bd80f0]); // pop {r4-r7, pc}
  assert.deepEqual([cpu.r[4], cpu.r[5], cpu.r[6], cpu.r[7]], [0x100, 0x101, 0x102, 0x103]);
  assert.equal(cpu.pc, 0x2000);
  assert.equal(cpu.r[13], 0x3000);
});

test('STM stores the original base when it is in the list; PC is stored as address + 8', () => {
  const cpu = makeCpu();
  cpu.r[0] = 0xa; cpu.r[1] = 0x2000; cpu.r[2] = 0xc;
  exec(cpu, [0xe8a10007]); // stmia r1!, {r0, r1, r2}
  assert.equal(mem32(cpu, 0x2000), 0xa);
  assert.equal(mem32(cpu, 0x2004), 0x2000);
  assert.equal(mem32(cpu, 0x2008), 0xc);
  assert.equal(cpu.r[1], 0x200c);

  cpu.r[0] = 0x2100;
  exec(cpu, [0xe8808002]); // stm r0, {r1, pc}
  assert.equal(mem32(cpu, 0x2104), 0x1008);
});

test('LDM without writeback may load its base register', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x2000, 0x77); cpu.bus.write32(0x2004, 0x88);
  cpu.r[0] = 0x2000;
  exec(cpu, [0xe8900003]); // ldm r0, {r0, r1}
  assert.equal(cpu.r[0], 0x77);
  assert.equal(cpu.r[1], 0x88);
});

test('LDM with PC interworks', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x2000, 5); cpu.bus.write32(0x2004, 0x3001);
  cpu.r[0] = 0x2000;
  exec(cpu, [0xe8908002]); // ldm r0, {r1, pc}
  assert.equal(cpu.r[1], 5);
  assert.equal(cpu.t, 1);
  assert.equal(cpu.pc, 0x3000);

  const c2 = makeCpu();
  c2.bus.write32(0x2000, 5); c2.bus.write32(0x2004, 0x3004);
  c2.r[0] = 0x2000;
  exec(c2, [0xe8908002]);
  assert.equal(c2.t, 0);
  assert.equal(c2.pc, 0x3004);
});

test('unaligned LDM takes an alignment fault and leaves registers unchanged', () => {
  const cpu = makeCpu();
  fillAddresses(cpu, 0x2000, 0x2100);
  cpu.r[0] = 0x2002; cpu.r[1] = 0x11; cpu.r[2] = 0x22;
  exec(cpu, [0xe8b00006]); // ldm r0!, {r1, r2}
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.pc, 0x10);
  assert.equal(cpu.r[14], 0x1008);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0b00001);
  assert.equal((cpu.cp15.dfsr >>> 11) & 1, 0); // a read
  assert.equal(cpu.cp15.dfar, 0x2002);
  assert.equal(cpu.r[0], 0x2002);
  assert.equal(cpu.r[1], 0x11);
  assert.equal(cpu.r[2], 0x22);
});

test('unaligned STM takes an alignment fault with WnR set and writes nothing', () => {
  const cpu = makeCpu();
  cpu.r[0] = 0x2006; cpu.r[1] = 0x11; cpu.r[2] = 0x22;
  exec(cpu, [0xe8a00006]); // stmia r0!, {r1, r2}
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0b00001);
  assert.equal((cpu.cp15.dfsr >>> 11) & 1, 1);
  assert.equal(cpu.cp15.dfar, 0x2006);
  assert.equal(mem32(cpu, 0x2004), 0);
  assert.equal(mem32(cpu, 0x2008), 0);
  assert.equal(cpu.r[0], 0x2006);
});

test('an abort on a later word of an LDM leaves every register unchanged', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0xffffc, 0x1234);
  cpu.r[0] = 0xffffc; cpu.r[1] = 0x11; cpu.r[2] = 0x22;
  exec(cpu, [0xe8b00006]); // ldm r0!, {r1, r2}: the second word is past the end of RAM
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0b01000);
  assert.equal(cpu.cp15.dfar, 0x100000);
  assert.equal(cpu.r[0], 0xffffc);
  assert.equal(cpu.r[1], 0x11);
  assert.equal(cpu.r[2], 0x22);
});

/** SVC-mode CPU with User r8-r14 = 0x100+i and FIQ r8-r14 = 0x200+i, left in FIQ mode. */
function fiqCpu(): Cpu {
  const cpu = makeCpu();
  cpu.changeMode(MODE_SYS);
  for (let i = 8; i < 15; i++) cpu.r[i] = 0x100 + i;
  cpu.changeMode(MODE_FIQ);
  for (let i = 8; i < 15; i++) cpu.r[i] = 0x200 + i;
  cpu.r[0] = 0x2000;
  return cpu;
}

test('STM (User registers) from FIQ mode stores the User bank', () => {
  const cpu = fiqCpu();
  exec(cpu, [0xe8c07f00]); // stm r0, {r8-lr}^
  for (let i = 8; i < 15; i++) assert.equal(mem32(cpu, 0x2000 + 4 * (i - 8)), 0x100 + i, `r${i}`);
  assert.equal(cpu.mode, MODE_FIQ);
  assert.equal(cpu.r[0], 0x2000);
});

test('LDM (User registers) from FIQ mode loads the User bank only', () => {
  const cpu = fiqCpu();
  for (let i = 8; i < 15; i++) cpu.bus.write32(0x2000 + 4 * (i - 8), 0x300 + i);
  exec(cpu, [0xe8d07f00]); // ldm r0, {r8-lr}^
  assert.equal(cpu.mode, MODE_FIQ);
  for (let i = 8; i < 15; i++) assert.equal(cpu.r[i], 0x200 + i, `fiq r${i}`);
  cpu.changeMode(MODE_SYS);
  for (let i = 8; i < 15; i++) assert.equal(cpu.r[i], 0x300 + i, `usr r${i}`);
});

test('LDM (User registers) in User mode is UNPREDICTABLE (taken as UNDEFINED)', () => {
  const cpu = makeCpu();
  cpu.changeMode(MODE_USR);
  cpu.r[0] = 0x2000;
  exec(cpu, [0xe8d07f00]);
  assert.equal(cpu.mode, MODE_UND);
  assert.equal(cpu.pc, 0x4);
});

test('LDM exception return restores CPSR from SPSR and writes back in the old mode', () => {
  const cpu = makeCpu();
  cpu.bankSp[bankOf(MODE_USR)] = 0x7000;
  cpu.r[13] = 0x2000; // SVC sp
  cpu.setCurrentSpsr(0xa0000010); // N, C, User mode, IRQ/FIQ enabled
  cpu.bus.write32(0x2000, 0x55);
  cpu.bus.write32(0x2004, 0x3000);
  exec(cpu, [0xe8fd8001]); // ldm sp!, {r0, pc}^
  assert.equal(cpu.mode, MODE_USR);
  assert.equal(cpu.cpsr >>> 0, 0xa0000010);
  assert.equal(cpu.pc, 0x3000);
  assert.equal(cpu.r[0], 0x55);
  assert.equal(cpu.r[13], 0x7000);
  assert.equal(cpu.bankSp[bankOf(MODE_SVC)], 0x2008);
});

test('LDM exception return to Thumb state aligns the PC to a halfword', () => {
  const cpu = makeCpu();
  cpu.r[0] = 0x2010;
  cpu.setCurrentSpsr(0x00000030 | MODE_SYS); // T set
  cpu.bus.write32(0x2004, 0xa); cpu.bus.write32(0x2008, 0xb); cpu.bus.write32(0x200c, 0x3003);
  exec(cpu, [0xe9508006]); // ldmdb r0, {r1, r2, pc}^
  assert.equal(cpu.mode, MODE_SYS);
  assert.equal(cpu.t, 1);
  assert.equal(cpu.pc, 0x3002);
  assert.equal(cpu.r[1], 0xa);
  assert.equal(cpu.r[2], 0xb);
  assert.equal(cpu.r[0], 0x2010);
});

test('LDM exception return in System mode or to an invalid mode is UNPREDICTABLE', () => {
  const cpu = makeCpu();
  cpu.changeMode(MODE_SYS);
  cpu.r[13] = 0x2000;
  exec(cpu, [0xe8fd8001]);
  assert.equal(cpu.mode, MODE_UND);

  const c2 = makeCpu();
  c2.r[13] = 0x2000; c2.r[0] = 9;
  c2.setCurrentSpsr(0x16); // Monitor mode: not implemented without the Security Extensions
  exec(c2, [0xe8fd8001]);
  assert.equal(c2.mode, MODE_UND);
  c2.changeMode(MODE_SVC);
  assert.equal(c2.r[0], 9);
  assert.equal(c2.r[13], 0x2000);
});
