import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCpu, place } from '../support/cpu-harness';
import type { Cpu } from '../../machine/cpu/cpu';
import { MODE_SVC, MODE_UND, MODE_ABT, MODE_IRQ } from '../../machine/cpu/modes';

/** Writes Thumb instructions at addr (values above 0xffff are hw1:hw2) and enters Thumb state there. */
function thumb(cpu: Cpu, addr: number, insns: number[]): void {
  let a = addr;
  for (const i of insns) {
    if (i > 0xffff) {
      cpu.bus.write16(a, i >>> 16);
      cpu.bus.write16(a + 2, i & 0xffff);
      a += 4;
    } else {
      cpu.bus.write16(a, i);
      a += 2;
    }
  }
  cpu.t = 1;
  cpu.pc = addr;
}

function thumbCpu(insns: number[], addr = 0x1000): Cpu {
  const cpu = makeCpu();
  thumb(cpu, addr, insns);
  return cpu;
}

/** BL (link, Thumb target) or BLX (ARM target) from `from` to `to`, as hw1:hw2. */
function blEnc(from: number, to: number, toArm: boolean): number {
  const off = toArm ? to - ((from + 4) & ~3) : to - (from + 4);
  const s = (off >>> 24) & 1, i1 = (off >>> 23) & 1, i2 = (off >>> 22) & 1;
  const j1 = (i1 ^ 1) ^ s, j2 = (i2 ^ 1) ^ s;
  const hw1 = 0xf000 | (s << 10) | ((off >>> 12) & 0x3ff);
  const hw2 = (toArm ? 0xc000 : 0xd000) | (j1 << 13) | (j2 << 11) | ((off >>> 1) & (toArm ? 0x7fe : 0x7ff));
  return ((hw1 << 16) | hw2) >>> 0;
}

const itBits = (psr: number): number => ((psr >>> 25) & 3) | (((psr >>> 10) & 0x3f) << 2);

test('16-bit data processing sets flags outside an IT block only; ITSTATE advances per instruction', () => {
  // cmp r0, r1; itte eq; addeq r2, r0, r1; moveq r3, #5; movne r3, #6; adds r2, r0, r1
  const cpu = thumbCpu([0x4288, 0xbf06, 0x1842, 0x2305, 0x2306, 0x1842]);
  cpu.r[0] = -1; cpu.r[1] = -1;
  cpu.run(2);
  assert.equal(cpu.it, 0x06);
  assert.equal(cpu.z, 1);
  cpu.run(1);
  assert.equal(cpu.r[2], -2);
  assert.equal(cpu.n, 0, 'ADD inside the block leaves N');
  assert.equal(cpu.it, 0x0c);
  cpu.run(1);
  assert.equal(cpu.r[3], 5);
  assert.equal(cpu.z, 1, 'MOV inside the block leaves Z');
  assert.equal(cpu.it, 0x18);
  cpu.run(1); // movne: condition fails, still one tick
  assert.equal(cpu.r[3], 5);
  assert.equal(cpu.it, 0);
  assert.equal(cpu.icount, 5);
  cpu.run(1);
  assert.equal(cpu.n, 1, 'ADDS outside the block sets the flags');
  assert.equal(cpu.z, 0);
  assert.equal(cpu.c, 1);
  assert.equal(cpu.pc, 0x100c);
});

test('IT block conditions: then/else pattern and a compare inside the block', () => {
  // itete gt; movgt r0, #1; movle r0, #2; movgt r1, #3; movle r1, #4
  for (const [n, z, v, r0, r1] of [[0, 0, 0, 1, 3], [1, 0, 0, 2, 4], [0, 1, 0, 2, 4], [1, 0, 1, 1, 3]]) {
    const cpu = thumbCpu([0xbfcb, 0x2001, 0x2002, 0x2103, 0x2104]);
    cpu.n = n; cpu.z = z; cpu.v = v;
    cpu.run(5);
    assert.deepEqual([cpu.r[0], cpu.r[1], cpu.it], [r0, r1, 0], `NZV=${n}${z}${v}`);
  }
  // itt eq; cmpeq r0, #5 (16-bit CMP sets flags inside the block); moveq r1, #9
  const cpu = thumbCpu([0xbf04, 0x2805, 0x2109]);
  cpu.z = 1; cpu.r[0] = 4;
  cpu.run(3);
  assert.equal(cpu.z, 0);
  assert.equal(cpu.r[1], 0, 'the second instruction sees the flags of the first');
});

test('UNPREDICTABLE uses inside an IT block are UNDEFINED: MOVS (LSL #0), CBZ, B<c>, nested IT', () => {
  for (const insn of [0x0001, 0xb110, 0xd000, 0xbf08]) {
    const cpu = thumbCpu([0xbf08, insn]); // it eq
    cpu.z = 1;
    cpu.run(2);
    assert.equal(cpu.mode, MODE_UND, insn.toString(16));
    assert.equal(itBits(cpu.currentSpsr()), 0x08, 'the SPSR holds the IT state of the undefined instruction');
  }
});

test('ThumbExpandImm_C: a rotated immediate sets C from bit 31, a replicated one keeps C', () => {
  const cpu = thumbCpu([0xf05f4000]); // movs.w r0, #0x80000000
  cpu.c = 0;
  cpu.run(1);
  assert.equal(cpu.r[0] >>> 0, 0x80000000);
  assert.equal(cpu.c, 1);
  assert.equal(cpu.n, 1);
  for (const c of [0, 1]) {
    const k = thumbCpu([0xf01221ff]); // ands.w r1, r2, #0xff00ff00
    k.r[2] = 0x0f0f0f0f; k.c = c;
    k.run(1);
    assert.equal(k.r[1] >>> 0, 0x0f000f00);
    assert.equal(k.c, c);
  }
  const k = thumbCpu([0xf412717f]); // ands.w r1, r2, #0x3fc
  k.r[2] = -1; k.c = 1;
  k.run(1);
  assert.equal(k.r[1], 0x3fc);
  assert.equal(k.c, 0);
});

test('interworking: BX lr to ARM, BLX (immediate) to ARM, A32 BLX (immediate) to Thumb', () => {
  const cpu = thumbCpu([0x4770]); // bx lr
  place(cpu, 0x2000, [0xe3a05007]); // mov r5, #7
  thumb(cpu, 0x1000, [0x4770]);
  cpu.r[14] = 0x2000;
  cpu.run(2);
  assert.equal(cpu.t, 0);
  assert.equal(cpu.r[5], 7);
  assert.equal(cpu.pc, 0x2004);

  const b = makeCpu();
  b.bus.write32(0x2000, 0xe3a05007);
  thumb(b, 0x1000, [0xbf00, blEnc(0x1002, 0x2000, true)]); // nop; blx 0x2000 (from a non-word-aligned address)
  b.run(3);
  assert.equal(b.r[14], 0x1007, 'LR = next instruction | 1');
  assert.equal(b.t, 0);
  assert.equal(b.r[5], 7);

  const a = makeCpu();
  // blx 0x2002 at 0x1000: offset 0xffa = imm24 0x3fe, H = 1
  place(a, 0x1000, [0xfb0003fe]);
  a.bus.write16(0x2002, 0x2001); // movs r0, #1
  a.run(2);
  assert.equal(a.t, 1);
  assert.equal(a.r[0], 1);
  assert.equal(a.r[14], 0x1004);
  assert.equal(a.pc, 0x2004);
});

test('BL stays in Thumb with LR = next | 1; POP {pc} and LDR pc interwork on bit 0', () => {
  const cpu = thumbCpu([blEnc(0x1000, 0x1400, false)]);
  cpu.run(1);
  assert.equal(cpu.pc, 0x1400);
  assert.equal(cpu.r[14], 0x1005);
  assert.equal(cpu.t, 1);

  for (const [target, t, pc] of [[0x2000, 0, 0x2000], [0x2001, 1, 0x2000]]) {
    const p = thumbCpu([0xbd01]); // pop {r0, pc}
    p.r[13] = 0x3000;
    p.bus.write32(0x3000, 0x11);
    p.bus.write32(0x3004, target);
    p.run(1);
    assert.deepEqual([p.r[0], p.r[13], p.t, p.pc], [0x11, 0x3008, t, pc]);
    const l = thumbCpu([0xf85dfb04]); // ldr.w pc, [sp], #4
    l.r[13] = 0x3004;
    l.bus.write32(0x3004, target);
    l.run(1);
    assert.deepEqual([l.r[13], l.t, l.pc], [0x3008, t, pc]);
  }
});

test('TBB and TBH branch forward by twice the table entry from PC', () => {
  const cpu = thumbCpu([0xe8dff000]); // tbb [pc, r0]
  cpu.bus.write8(0x1004, 2); cpu.bus.write8(0x1005, 3); cpu.bus.write8(0x1006, 0x80);
  cpu.r[0] = 1;
  cpu.run(1);
  assert.equal(cpu.pc, 0x100a);
  const c2 = thumbCpu([0xe8dff000]);
  c2.bus.write8(0x1006, 0x80);
  c2.r[0] = 2;
  c2.run(1);
  assert.equal(c2.pc, 0x1104, 'table entries are unsigned');
  const h = thumbCpu([0xe8dff010]); // tbh [pc, r0, lsl #1]
  h.bus.write16(0x1004, 0x10); h.bus.write16(0x1006, 0x200);
  h.r[0] = 1;
  h.run(1);
  assert.equal(h.pc, 0x1404);
});

test('CBZ and CBNZ', () => {
  for (const [insn, r0, pc] of [[0xb110, 0, 0x1008], [0xb110, 1, 0x1002], [0xb910, 0, 0x1002], [0xb910, 5, 0x1008]]) {
    const cpu = thumbCpu([insn]);
    cpu.r[0] = r0;
    cpu.c = 1; cpu.z = 0;
    cpu.run(1);
    assert.equal(cpu.pc, pc);
    assert.equal(cpu.z, 0, 'flags unchanged');
  }
});

test('LDRD/STRD: offset, pre-indexed writeback, literal with Align(PC, 4); unaligned LDRD aborts', () => {
  const cpu = thumbCpu([0xe9d02302, 0xe9602302]); // ldrd r2, r3, [r0, #8]; strd r2, r3, [r0, #-8]!
  cpu.bus.write32(0x3008, 0x11223344); cpu.bus.write32(0x300c, 0x55667788);
  cpu.r[0] = 0x3000;
  cpu.run(1);
  assert.equal(cpu.r[2], 0x11223344);
  assert.equal(cpu.r[3], 0x55667788);
  cpu.r[0] = 0x3100;
  cpu.run(1);
  assert.equal(cpu.r[0], 0x30f8);
  assert.equal(cpu.bus.read32(0x30fc), 0x55667788);

  const lit = makeCpu();
  thumb(lit, 0x1002, [0xe9df2302]); // ldrd r2, r3, [pc, #8] at 0x1002: Align(0x1006, 4) + 8
  lit.bus.write32(0x100c, 0xaaaa5555); lit.bus.write32(0x1010, 0x12345678);
  lit.run(1);
  assert.equal(lit.r[2] >>> 0, 0xaaaa5555);
  assert.equal(lit.r[3], 0x12345678);

  const bad = thumbCpu([0xe9d02302]);
  bad.r[0] = 0x3002; bad.r[2] = 1; bad.r[3] = 2;
  bad.run(1);
  assert.equal(bad.mode, MODE_ABT);
  assert.equal(bad.r[14], 0x1008, 'data abort LR = instruction address + 8');
  assert.equal(bad.cp15.dfsr & 0xf, 1, 'alignment fault');
  assert.equal(bad.cp15.dfar, 0x300a);
  assert.equal(bad.currentSpsr() & 0x20, 0x20);
  bad.changeMode(MODE_SVC);
  assert.deepEqual([bad.r[2], bad.r[3]], [1, 2]);
});

test('literal loads and ADR use Align(PC, 4)', () => {
  const cpu = makeCpu();
  thumb(cpu, 0x1002, [0x4801, 0xa001]); // ldr r0, [pc, #4]; adr r0... (add r0, pc, #4)
  cpu.bus.write32(0x1008, 0xdeadbeef); // Align(0x1006, 4) + 4
  cpu.run(1);
  assert.equal(cpu.r[0] >>> 0, 0xdeadbeef);
  cpu.run(1);
  assert.equal(cpu.r[0], 0x100c);
});

test('SVC in Thumb: LR = next instruction, SPSR has T, semihosting hook first', () => {
  const cpu = thumbCpu([0xdf01]);
  const before = cpu.cpsr;
  cpu.run(1);
  assert.equal(cpu.mode, MODE_SVC);
  assert.equal(cpu.r[14], 0x1002);
  assert.equal(cpu.currentSpsr(), before);
  assert.equal(cpu.currentSpsr() & 0x20, 0x20);
  assert.equal(cpu.t, 0, 'SCTLR.TE = 0: the handler runs in ARM state');
  assert.equal(cpu.pc, 0x08);

  const h = thumbCpu([0xdfab, 0x2007]); // svc 0xab; movs r0, #7
  const seen: number[] = [];
  h.svcHook = (c, imm) => { seen.push(imm, c.t); return imm === 0xab; };
  h.run(2);
  assert.deepEqual(seen, [0xab, 1]);
  assert.equal(h.r[0], 7);
  assert.equal(h.t, 1);
});

test('exception return to Thumb: ARM handler with MOVS pc, lr; Thumb handler (SCTLR.TE) with SUBS pc, lr restoring IT', () => {
  const cpu = makeCpu();
  cpu.bus.write32(0x08, 0xe1b0f00e); // movs pc, lr
  thumb(cpu, 0x1000, [0xdf01, 0x2009]); // svc 1; movs r0, #9
  cpu.run(3);
  assert.equal(cpu.t, 1);
  assert.equal(cpu.r[0], 9);
  assert.equal(cpu.pc, 0x1004);

  const t = makeCpu();
  t.cp15.sctlr |= 1 << 30; // TE: exceptions are taken in Thumb state
  thumb(t, 0x08, [0xf3de8f00]); // subs pc, lr, #0
  thumb(t, 0x1000, [0xbf04, 0xdf01, 0x1840]); // itt eq; svceq 1; addeq r0, r0, r1
  t.r[0] = 1; t.r[1] = 2; t.z = 1;
  t.run(2);
  assert.equal(t.mode, MODE_SVC);
  assert.equal(t.t, 1);
  assert.equal(t.pc, 0x08);
  assert.equal(t.it, 0, 'exception entry clears ITSTATE');
  assert.equal(itBits(t.currentSpsr()), 0x08, 'the SPSR holds the IT state after the SVC');
  t.run(2);
  assert.equal(t.pc, 0x1006);
  assert.equal(t.r[0], 3, 'the rest of the IT block runs after the return');
  assert.equal(t.it, 0);
  assert.equal(t.z, 1, 'ADD inside the block did not set flags');
});

test('UNDEFINED in Thumb: LR = instruction address + 2 for 16- and 32-bit encodings', () => {
  for (const insn of [0xde01, 0xf7f0a001, 0xfb91f0f2 /* sdiv */]) {
    const cpu = thumbCpu([insn]);
    cpu.run(1);
    assert.equal(cpu.mode, MODE_UND, insn.toString(16));
    assert.equal(cpu.r[14], 0x1002);
    assert.equal(cpu.pc, 0x04);
  }
});

test('IRQ between Thumb instructions: LR = next instruction + 4; IT state saved unadvanced', () => {
  const cpu = thumbCpu([0xbf04, 0x2001, 0x2102]); // itt eq; moveq r0, #1; moveq r1, #2
  cpu.i = 0; cpu.z = 1;
  cpu.run(1);
  cpu.irqLine = true;
  cpu.run(1);
  assert.equal(cpu.mode, MODE_IRQ);
  assert.equal(cpu.r[14], 0x1002 + 4);
  assert.equal(itBits(cpu.currentSpsr()), 0x04);
  assert.equal(cpu.currentSpsr() & 0x20, 0x20);
  assert.equal(cpu.r[0], 0, 'the interrupted instruction has not run');
});

test('prefetch abort on the second halfword of an instruction straddling into an unmapped page', () => {
  const cpu = makeCpu();
  const L1 = 0x4000, L2 = 0x8000;
  cpu.bus.write32(L1, L2 | 1); // VA 0-1 MiB: page table, domain 0
  for (let p = 0; p < 256; p++) if (p !== 0x11) cpu.bus.write32(L2 + p * 4, (p << 12) | 0x30 | 2);
  cpu.cp15.write(0, 2, 0, 0, L1);
  cpu.cp15.write(0, 3, 0, 0, 1);
  cpu.cp15.write(0, 1, 0, 0, (cpu.cp15.sctlr | 1) >>> 0);
  thumb(cpu, 0x10ffe, [0xf05f4000]); // movs.w r0, #0x80000000 across 0x10ffe..0x11001
  cpu.run(1);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.pc, 0x0c);
  assert.equal(cpu.r[14], 0x10ffe + 4);
  assert.equal(cpu.cp15.ifar, 0x11000);
  assert.equal(cpu.cp15.ifsr & 0xf, 7, 'translation fault (page)');
  assert.equal(cpu.r[0], 0);
  assert.equal(cpu.icount, 1);

  // A 16-bit instruction at the end of the page runs; the next fetch faults.
  cpu.changeMode(MODE_SVC);
  thumb(cpu, 0x10ffe, [0x2005]); // movs r0, #5
  cpu.run(2);
  assert.equal(cpu.r[0], 5);
  assert.equal(cpu.mode, MODE_ABT);
  assert.equal(cpu.r[14], 0x11004);
});

test('an instruction straddling two pages is not cached: a write to the second page takes effect', () => {
  const cpu = thumbCpu([0xf05f4000], 0x1ffe); // movs.w r0, #0x80000000
  cpu.run(1);
  assert.equal(cpu.r[0] >>> 0, 0x80000000);
  cpu.bus.write16(0x2000, 0x4080); // movs.w r0, #0x40000000 (second halfword)
  cpu.pc = 0x1ffe;
  cpu.run(1);
  assert.equal(cpu.r[0], 0x40000000);
});

test('self-modifying Thumb code: a store into decoded code is seen by the next fetch', () => {
  // str r1, [r0, #0]; nop; movs r3, #5; nop
  const cpu = thumbCpu([0x6001, 0xbf00, 0x2305, 0xbf00]);
  cpu.r[0] = 0x1004; cpu.r[1] = 0xbf002305;
  cpu.run(4);
  assert.equal(cpu.r[3], 5);
  cpu.pc = 0x1000; cpu.r[1] = 0xbf002307; // movs r3, #7
  cpu.run(3);
  assert.equal(cpu.r[3], 7);
});

test('snapshot restore drops decoded Thumb pages', () => {
  const cpu = thumbCpu([0x2305]); // movs r3, #5
  const snap = cpu.snapshot();
  cpu.run(1);
  assert.equal(cpu.r[3], 5);
  // Memory changes behind the bus (as a RAM restore does), then the CPU state is restored.
  const ram = cpu.bus.regions[0];
  ram.u8[0x1000] = 0x07; // movs r3, #7
  cpu.restore(snap);
  cpu.run(1);
  assert.equal(cpu.r[3], 7);
});

test('BKPT inside an IT block runs even when the condition fails; WFI stops the loop', () => {
  const cpu = thumbCpu([0xbf18, 0xbe02]); // it ne; bkpt 2
  cpu.z = 1;
  const seen: number[] = [];
  cpu.bkptHook = (_c, imm) => { seen.push(imm); return true; };
  cpu.run(5);
  assert.deepEqual(seen, [2]);
  assert.equal(cpu.pc, 0x1002);

  const w = thumbCpu([0xbf30, 0xbf00]); // wfi; nop
  assert.equal(w.run(10), 1);
  assert.equal(w.waiting, true);
});

test('the run budget counts Thumb instructions exactly and stops mid-block', () => {
  const cpu = thumbCpu([0x2001, 0x2102, 0x2203, 0x2304]);
  assert.equal(cpu.run(3), 3);
  assert.equal(cpu.pc, 0x1006);
  assert.equal(cpu.r[3], 0);
  assert.equal(cpu.run(1), 1);
  assert.equal(cpu.r[3], 4);
});

test('LDREX/STREX with offset; SEV and CLREX', () => {
  // ldrex r1, [r0]; adds r1, #1; strex r2, r1, [r0]; strex r2, r1, [r0]
  const cpu = thumbCpu([0xe8501f00, 0x3101, 0xe8401200, 0xe8401200]);
  cpu.r[0] = 0x3000;
  cpu.bus.write32(0x3000, 41);
  cpu.run(3);
  assert.equal(cpu.r[2], 0);
  assert.equal(cpu.bus.read32(0x3000), 42);
  cpu.run(1);
  assert.equal(cpu.r[2], 1, 'the monitor is open after a STREX');
});

test('MRS reads no execution-state bits; CPS changes the masks from Thumb', () => {
  const cpu = thumbCpu([0xf3ef8000, 0xb672, 0xb662]); // mrs r0, cpsr; cpsid i; cpsie i
  cpu.i = 0;
  cpu.run(1);
  assert.equal(cpu.r[0] & 0x20, 0);
  assert.equal(cpu.r[0] & 0x1f, MODE_SVC);
  cpu.run(1);
  assert.equal(cpu.i, 1);
  cpu.run(1);
  assert.equal(cpu.i, 0);
});

test('SRSDB, MSR/MRS SPSR and RFEIA from Thumb', () => {
  // srsdb sp!, #19; msr SPSR_fsxc, r0; mrs r1, SPSR; rfeia sp!
  const cpu = thumbCpu([0xe82dc013, 0xf3908f00, 0xf3ff8100, 0xe9bdc000]);
  cpu.r[13] = 0x3000;
  cpu.r[14] = 0x2001;
  cpu.setCurrentSpsr(0x30 | MODE_SVC);
  cpu.r[0] = 0x12345678;
  cpu.run(1);
  assert.equal(cpu.r[13], 0x2ff8);
  assert.equal(cpu.bus.read32(0x2ff8), 0x2001);
  assert.equal(cpu.bus.read32(0x2ffc), 0x30 | MODE_SVC);
  cpu.r[0] = 0xf0000000 | 0x20 | MODE_SVC;
  cpu.run(2);
  assert.equal(cpu.r[1] >>> 0, (0xf0000000 | 0x20 | MODE_SVC) >>> 0);
  cpu.bus.write16(0x2000, 0x2405); // movs r4, #5
  cpu.run(2);
  assert.equal(cpu.r[13], 0x3000);
  assert.equal(cpu.t, 1);
  assert.equal(cpu.r[4], 5);
  assert.equal(cpu.pc, 0x2002);
  assert.equal(cpu.n, 0, 'flags come from the loaded CPSR (then MOVS sets N from 5)');
});
