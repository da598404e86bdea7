import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../machine/cpu/encoding';
import { branchRows } from '../../machine/cpu/a32/branch';
import { dataProcessingRows } from '../../machine/cpu/a32/data-processing';
import { multiplyRows } from '../../machine/cpu/a32/multiply';
import { MODE_SVC, MODE_USR, MODE_IRQ, MODE_UND, MODE_SYS } from '../../machine/cpu/modes';
import type { Cpu } from '../../machine/cpu/cpu';
import { makeCpu, exec } from '../support/cpu-harness';

const decoder = new Decoder([...branchRows, ...dataProcessingRows, ...multiplyRows]);

function flags(cpu: Cpu): string {
  return `${cpu.n ? 'N' : '-'}${cpu.z ? 'Z' : '-'}${cpu.c ? 'C' : '-'}${cpu.v ? 'V' : '-'}`;
}

function setFlags(cpu: Cpu, f: string): void {
  cpu.n = f.includes('N') ? 1 : 0;
  cpu.z = f.includes('Z') ? 1 : 0;
  cpu.c = f.includes('C') ? 1 : 0;
  cpu.v = f.includes('V') ? 1 : 0;
}

/** Runs one instruction with r1, r2, r3 and the flags given; returns the CPU. */
function run1(word: number, r1: number, r2 = 0, f = '', r3 = 0): Cpu {
  const cpu = makeCpu();
  cpu.r[1] = r1; cpu.r[2] = r2; cpu.r[3] = r3;
  setFlags(cpu, f);
  return exec(cpu, [word]);
}

const u = (x: number): number => x >>> 0;

test('branch, data-processing and multiply rows are unambiguous', () => {
  assert.deepEqual(decoder.ambiguities(), []);
});

test('sample words decode to the expected rows', () => {
  const cases: Array<[number, string]> = [
    [0xe2810c01, 'ADD_imm'], // add r0, r1, #256
    [0xe0910102, 'ADD_reg'], // adds r0, r1, r2, lsl #2
    [0x00810312, 'ADD_rsr'], // addeq r0, r1, r2, lsl r3
    [0xe1a00000, 'MOV_reg'], // nop (mov r0, r0)
    [0xe1b00061, 'MOV_reg'], // rrxs r0, r1
    [0xe1a00231, 'MOV_rsr'], // lsr r0, r1, r2
    [0xe3e00000, 'MVN_imm'],
    [0xe35004ff, 'CMP_imm'],
    [0xe11101e2, 'TST_reg'],
    [0xe1310002, 'TEQ_reg'],
    [0xe1710002, 'CMN_reg'],
    [0xe3010234, 'MOVW'],
    [0xe3410234, 'MOVT'],
    [0xe25ef004, 'SUB_imm'], // subs pc, lr, #4
    [0xe1b0f00e, 'MOV_reg'], // movs pc, lr
    [0xe2e10e3f, 'RSC_imm'],
    [0xe1c00001, 'BIC_reg'],
    [0xe3800001, 'ORR_imm'],
    [0xe0203291, 'MLA'],
    [0xe0000291, 'MUL'],
    [0xe0410392, 'UMAAL'],
    [0xe12fff1e, 'BX'],
  ];
  for (const [w, name] of cases) {
    const d = decoder.decode(w);
    assert.equal(d.kind, 'ok', `0x${w.toString(16)}`);
    assert.equal(d.kind === 'ok' && d.row.name, name, `0x${w.toString(16)}`);
  }
});

test('UNPREDICTABLE operand combinations are flagged', () => {
  const bad = [
    0xe0810f12, // add r0, r1, r2, lsl pc
    0xe08f0312, // add r0, pc, r2, lsl r3
    0xe081f312, // add pc, r1, r2, lsl r3
    0xe081031f, // add r0, r1, pc, lsl r3
    0xe1a0f231, // lsr pc, r1, r2
    0xe150031f, // cmp r0, pc, lsl r3
    0xe301f234, // movw pc, #0x1234
    0xe341f234, // movt pc, #0x1234
    0xe1510102 | (1 << 12), // cmp with Rd bits set (should be zero)
    0xe1a10001, // mov r0, r1 with Rn bits set (should be zero)
  ];
  for (const w of bad) assert.equal(decoder.decode(w >>> 0).kind, 'unpredictable', `0x${(w >>> 0).toString(16)}`);
  // PC as an operand of the immediate-shift and immediate forms is fine.
  assert.equal(decoder.decode(0xe08f0002).kind, 'ok'); // add r0, pc, r2
  assert.equal(decoder.decode(0xe28f0008).kind, 'ok'); // add r0, pc, #8
});

test('ADDS sets N, Z, C, V', () => {
  let cpu = run1(0xe0910002, 0x7fffffff, 1); // adds r0, r1, r2
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(flags(cpu), 'N--V');
  cpu = run1(0xe0910002, 0xffffffff, 1);
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC-');
  cpu = run1(0xe0910002, 0x80000000, 0x80000000);
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZCV');
  cpu = run1(0xe0810002, 0xffffffff, 1, 'NV'); // add (no S) leaves flags
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), 'N--V');
});

test('SUBS: C is NOT borrow', () => {
  let cpu = run1(0xe0510002, 5, 3); // subs r0, r1, r2
  assert.equal(cpu.r[0], 2);
  assert.equal(flags(cpu), '--C-');
  cpu = run1(0xe0510002, 3, 5);
  assert.equal(cpu.r[0], -2);
  assert.equal(flags(cpu), 'N---');
  cpu = run1(0xe0510002, 7, 7);
  assert.equal(flags(cpu), '-ZC-');
  cpu = run1(0xe0510002, 0x80000000, 1);
  assert.equal(cpu.r[0], 0x7fffffff);
  assert.equal(flags(cpu), '--CV');
  cpu = run1(0xe0510002, 0, 0);
  assert.equal(flags(cpu), '-ZC-');
});

test('RSBS, ADCS, SBCS, RSCS', () => {
  let cpu = run1(0xe2710000, 0); // rsbs r0, r1, #0
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC-');
  cpu = run1(0xe2710000, 1);
  assert.equal(cpu.r[0], -1);
  assert.equal(flags(cpu), 'N---');
  cpu = run1(0xe2710000, 0x80000000);
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(flags(cpu), 'N--V');

  cpu = run1(0xe0b10002, 0xffffffff, 0, 'C'); // adcs r0, r1, r2
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC-');
  cpu = run1(0xe0b10002, 0x7ffffffe, 1, 'C');
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(flags(cpu), 'N--V');

  cpu = run1(0xe0d10002, 5, 3, ''); // sbcs r0, r1, r2: 5 - 3 - 1
  assert.equal(cpu.r[0], 1);
  assert.equal(flags(cpu), '--C-');
  cpu = run1(0xe0d10002, 3, 3, '');
  assert.equal(cpu.r[0], -1);
  assert.equal(flags(cpu), 'N---');
  cpu = run1(0xe0d10002, 3, 3, 'C');
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC-');

  cpu = run1(0xe0f10002, 3, 5, ''); // rscs r0, r1, r2: 5 - 3 - 1
  assert.equal(cpu.r[0], 1);
  assert.equal(flags(cpu), '--C-');
  cpu = run1(0xe0f10002, 5, 3, 'C');
  assert.equal(cpu.r[0], -2);
  assert.equal(flags(cpu), 'N---');
});

test('ADC/SBC without S use the carry and leave the flags', () => {
  const cpu = run1(0xe0a10002, 1, 2, 'C'); // adc r0, r1, r2
  assert.equal(cpu.r[0], 4);
  assert.equal(flags(cpu), '--C-');
  const cpu2 = run1(0xe0c10002, 10, 3, ''); // sbc r0, r1, r2
  assert.equal(cpu2.r[0], 6);
});

test('logical ops with S take C from the shifter and leave V', () => {
  // ands r0, r1, #0xff000000: rotated immediate, C = bit 31 of the constant
  let cpu = run1(0xe21104ff, 0x12345678, 0, 'V');
  assert.equal(cpu.r[0], 0x12000000);
  assert.equal(flags(cpu), '--CV');
  // ands r0, r1, #0xff: unrotated immediate, C unchanged
  cpu = run1(0xe21100ff, 0x100, 0, 'C');
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC-');
  cpu = run1(0xe21100ff, 0x1ff, 0, '');
  assert.equal(cpu.r[0], 0xff);
  assert.equal(flags(cpu), '----');
  // orrs r0, r1, r2, lsl #1: C = bit 31 of r2
  cpu = run1(0xe1910082, 0, 0x80000001);
  assert.equal(cpu.r[0], 2);
  assert.equal(flags(cpu), '--C-');
  // eors r0, r1, r2, lsr #32: operand 0, C = bit 31 of r2
  cpu = run1(0xe0310022, 0x80000000, 0x80000000);
  assert.equal(u(cpu.r[0]), 0x80000000);
  assert.equal(flags(cpu), 'N-C-');
  // bics r0, r1, r2, asr #32: operand all ones, C = bit 31
  cpu = run1(0xe1d10042, 0x1234, 0x80000000);
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC-');
  // mvns r0, r1 (lsl #0 keeps C)
  cpu = run1(0xe1f00001, 0xffffffff, 0, 'C');
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC-');
  // and without S leaves every flag
  cpu = run1(0xe0010002, 0xf0, 0x3c, 'NZCV');
  assert.equal(cpu.r[0], 0x30);
  assert.equal(flags(cpu), 'NZCV');
});

test('RRX shifts the carry in and bit 0 out', () => {
  let cpu = run1(0xe1b00061, 2, 0, 'C'); // rrxs r0, r1
  assert.equal(u(cpu.r[0]), 0x80000001);
  assert.equal(flags(cpu), 'N---');
  cpu = run1(0xe1b00061, 3, 0, '');
  assert.equal(cpu.r[0], 1);
  assert.equal(flags(cpu), '--C-');
  // add r0, r1, r2, rrx uses the old carry without changing it
  cpu = run1(0xe0810062, 1, 4, 'C');
  assert.equal(u(cpu.r[0]), 0x80000003);
  assert.equal(flags(cpu), '--C-');
});

test('register shifts by 0, 32, more than 32 and only the bottom byte of Rs', () => {
  const LSLS = 0xe1b00211, LSRS = 0xe1b00231, ASRS = 0xe1b00251, RORS = 0xe1b00271; // <op>s r0, r1, r2
  const v = 0x80000001;
  const check = (w: number, amount: number, f: string, res: number, out: string): void => {
    const cpu = run1(w, v, amount, f);
    assert.equal(u(cpu.r[0]), u(res), `0x${w.toString(16)} by ${amount}`);
    assert.equal(flags(cpu), out, `0x${w.toString(16)} by ${amount}`);
  };
  // by 0: value and C unchanged
  check(LSLS, 0, 'C', v, 'N-C-');
  check(LSRS, 0, '', v, 'N---');
  check(ASRS, 0x100, 'C', v, 'N-C-'); // 256 is 0 in the bottom byte
  check(RORS, 0, '', v, 'N---');
  // by 32
  check(LSLS, 32, '', 0, '-ZC-'); // C = bit 0
  check(LSRS, 32, '', 0, '-ZC-'); // C = bit 31
  check(ASRS, 32, '', 0xffffffff, 'N-C-');
  check(RORS, 32, '', v, 'N-C-'); // C = bit 31
  // by more than 32
  check(LSLS, 33, 'C', 0, '-Z--');
  check(LSRS, 33, 'C', 0, '-Z--');
  check(ASRS, 200, '', 0xffffffff, 'N-C-');
  check(RORS, 33, '', 0xc0000000, 'N-C-'); // ror by 1
  check(RORS, 64, '', v, 'N-C-');
  // ordinary amounts
  check(LSLS, 1, '', 2, '--C-');
  check(LSRS, 1, '', 0x40000000, '--C-');
  check(ASRS, 4, '', 0xf8000000, 'N---');
  check(LSLS, 0x101, '', 2, '--C-'); // bottom byte only
  // an arithmetic op with a register shift: add r0, r1, r2, lsl r3
  const cpu = run1(0xe0810312, 1, 3, '', 4);
  assert.equal(cpu.r[0], 49);
});

test('immediate shifts: LSR/ASR #32 encodings', () => {
  // movs r0, r1, lsr #32 ; movs r0, r1, asr #32
  let cpu = run1(0xe1b00021, 0x80000000);
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-ZC-');
  cpu = run1(0xe1b00041, 0x40000000, 0, 'C');
  assert.equal(cpu.r[0], 0);
  assert.equal(flags(cpu), '-Z--');
  // movs r0, r1, ror #3
  cpu = run1(0xe1b001e1, 0x0000000c);
  assert.equal(u(cpu.r[0]), 0x80000001);
  assert.equal(flags(cpu), 'N-C-');
});

test('TST, TEQ, CMP, CMN set flags only', () => {
  let cpu = run1(0xe3110102, 0x80000000, 0, 'V'); // tst r1, #0x80000000 (C from the rotation)
  assert.equal(flags(cpu), 'N-CV');
  cpu = run1(0xe1310002, 0x1234, 0x1234, 'N'); // teq r1, r2
  assert.equal(flags(cpu), '-Z--');
  cpu = run1(0xe1510002, 1, 2); // cmp r1, r2
  assert.equal(flags(cpu), 'N---');
  cpu = run1(0xe1510002, 2, 1);
  assert.equal(flags(cpu), '--C-');
  cpu = run1(0xe1710002, 0xffffffff, 1); // cmn r1, r2
  assert.equal(flags(cpu), '-ZC-');
  cpu = run1(0xe1710002, 0x7fffffff, 1);
  assert.equal(flags(cpu), 'N--V');
  for (const w of [0xe3110102, 0xe1310002, 0xe1510002, 0xe1710002]) {
    const c = run1(w, 5, 6);
    assert.equal(c.r[0], 0);
    assert.equal(c.r[1], 5);
  }
});

test('MOVW and MOVT', () => {
  const cpu = makeCpu();
  cpu.r[3] = 0x11112222;
  exec(cpu, [0xe30b3eef, 0xe34d3ead]); // movw r3, #0xbeef ; movt r3, #0xdead
  assert.equal(u(cpu.r[3]), 0xdeadbeef);
  const cpu2 = makeCpu();
  cpu2.r[3] = 0x11112222;
  exec(cpu2, [0xe34d3ead]);
  assert.equal(u(cpu2.r[3]), 0xdead2222);
});

test('conditional execution skips a failing instruction', () => {
  const cpu = run1(0x00810002, 1, 2, ''); // addeq r0, r1, r2 with Z clear
  assert.equal(cpu.r[0], 0);
  assert.equal(cpu.pc, 0x1004);
});

test('reading PC gives the address + 8; Rd = PC without S branches', () => {
  let cpu = run1(0xe28f0008, 0); // add r0, pc, #8
  assert.equal(cpu.r[0], 0x1000 + 8 + 8);
  cpu = run1(0xe1a0f001, 0x2000); // mov pc, r1
  assert.equal(cpu.pc, 0x2000);
  assert.equal(cpu.t, 0);
  cpu = run1(0xe281f004, 0x3000, 0, 'NZ'); // add pc, r1, #4 (no flags)
  assert.equal(cpu.pc, 0x3004);
  assert.equal(flags(cpu), 'NZ--');
  // ALU writes to the PC interwork in ARM state.
  cpu = makeCpu();
  cpu.r[1] = 0x2001;
  exec(cpu, [0xe1a0f001], 1);
  assert.equal(cpu.t, 1);
  assert.equal(cpu.pc, 0x2000);
});

test('SUBS PC, LR, #4 restores CPSR from SPSR', () => {
  const cpu = makeCpu();
  assert.equal(cpu.mode, MODE_SVC);
  cpu.r[14] = 0x2004;
  cpu.setCurrentSpsr((0xa0000000 | MODE_USR) >>> 0); // N, C; User mode; IRQs and FIQs enabled
  exec(cpu, [0xe25ef004]);
  assert.equal(cpu.pc, 0x2000);
  assert.equal(cpu.mode, MODE_USR);
  assert.equal(flags(cpu), 'N-C-');
  assert.equal(cpu.i, 0);
  assert.equal(cpu.f, 0);
});

test('MOVS PC, LR reads the banked LR before the mode change', () => {
  const cpu = makeCpu();
  cpu.r[14] = 0x5000; // SVC's LR
  cpu.changeMode(MODE_IRQ);
  cpu.r[14] = 0x3000; // IRQ's LR
  cpu.setCurrentSpsr(MODE_SVC | 0x40000000 | 0xc0);
  exec(cpu, [0xe1b0f00e]);
  assert.equal(cpu.mode, MODE_SVC);
  assert.equal(cpu.pc, 0x3000);
  assert.equal(cpu.r[14], 0x5000);
  assert.equal(flags(cpu), '-Z--');
});

test('exception return in User or System mode is treated as UNDEFINED', () => {
  for (const mode of [MODE_USR, MODE_SYS]) {
    const cpu = makeCpu();
    cpu.changeMode(mode);
    cpu.r[14] = 0x2004;
    setFlags(cpu, 'ZV');
    exec(cpu, [0xe25ef004]); // subs pc, lr, #4
    assert.equal(cpu.mode, MODE_UND);
    assert.equal(cpu.r[14], 0x1004);
    assert.equal(cpu.spsr[5] & 0xf000001f, (0x50000000 | mode) >>> 0 & 0xf000001f);
  }
});

test('disassembly', () => {
  const d = (w: number): string => {
    const r = decoder.decode(w >>> 0);
    assert.notEqual(r.kind, 'undefined');
    return r.kind === 'undefined' ? '' : r.row.disasm(w >>> 0, 0x1000);
  };
  assert.equal(d(0xe0910102), 'adds\tr0, r1, r2, lsl #2');
  assert.equal(d(0x00810312), 'addeq\tr0, r1, r2, lsl r3');
  assert.equal(d(0xe1b00061), 'rrxs\tr0, r1');
  assert.equal(d(0xe1a00231), 'lsr\tr0, r1, r2');
  assert.equal(d(0xe1a00101), 'lsl\tr0, r1, #2');
  assert.equal(d(0xe1a00001), 'mov\tr0, r1');
  assert.equal(d(0xe35004ff), 'cmp\tr0, #0xff000000');
  assert.equal(d(0xe11101e2), 'tst\tr1, r2, ror #3');
  assert.equal(d(0xe25ef004), 'subs\tpc, lr, #4');
  assert.equal(d(0xe3e00000), 'mvn\tr0, #0');
  assert.equal(d(0xe3010234), 'movw\tr0, #0x1234');
  assert.equal(d(0xe3410234), 'movt\tr0, #0x1234');
  assert.equal(d(0xc0fed2c2), 'rscsgt\tsp, lr, r2, asr #5');
});
