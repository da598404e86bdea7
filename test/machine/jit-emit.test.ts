/**
 * The rows the block compiler writes out inline (machine/cpu/jit/a32-emit.ts)
 * must do exactly what their handlers do: each case runs one instruction
 * under the interpreter and again as a compiled block of that one
 * instruction, from the same registers and flags, and compares every
 * register, the flags, the next PC and the instruction set.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../machine/bus';
import { Cpu } from '../../machine/cpu/cpu';
import type { Engine } from '../../machine/cpu/engine';

const AT = 0x1000;

/** Operand values where multiplies, extends and shifts go wrong first: signs, carries between limbs, byte and halfword edges, shift amounts about 32. */
const EDGES = [0, 1, 2, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x12345678, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];

/** A small deterministic generator (xorshift32), so a failure names a case that reruns the same. */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

interface Outcome { r: number[]; flags: number[]; pc: number; t: number }

/** A core of the given engine with 64 KiB of RAM at 0, compiling every block at its first execution. */
function core(engine: Engine): Cpu {
  const bus = new Bus();
  bus.addRam('ram', 0, 1 << 16);
  const cpu = new Cpu(bus);
  cpu.engine = engine;
  cpu.hotThreshold = 1;
  return cpu;
}

/**
 * A fresh core per instruction: rewriting the code of a page soon after it
 * ran makes the page volatile, and its code would then stay interpreted.
 */
function coreWith(engine: Engine, insn: number): Cpu {
  const cpu = core(engine);
  cpu.bus.write32(AT, insn >>> 0);
  return cpu;
}

function runOne(cpu: Cpu, regs: number[], flags: number[]): Outcome {
  regs.forEach((v, k) => { cpu.r[k] = v; });
  [cpu.n, cpu.z, cpu.c, cpu.v] = flags;
  cpu.pc = AT;
  assert.equal(cpu.run(1), 1);
  return { r: Array.from(cpu.r.subarray(0, 15)), flags: [cpu.n, cpu.z, cpu.c, cpu.v], pc: cpu.pc >>> 0, t: cpu.t };
}

/** Runs `count` cases of each encoding under both engines and compares them; `fix` may set registers of case k. */
function agree(label: string, encodings: number[], count: number, seed: number, fix?: (regs: number[], k: number) => void): void {
  const next = generator(seed);
  for (const insn of encodings) {
    const interpreter = coreWith('interpreter', insn), jit = coreWith('jit', insn);
    for (let k = 0; k < count; k++) {
      const value = (): number => (k < EDGES.length * 2 && (next() & 1) === 0 ? EDGES[next() % EDGES.length] : next()) | 0;
      const regs = Array.from({ length: 15 }, value);
      fix?.(regs, k);
      const flags = [next() & 1, next() & 1, next() & 1, next() & 1];
      const a = runOne(interpreter, regs, flags);
      const b = runOne(jit, regs, flags);
      assert.deepEqual(b, a, `${label} ${(insn >>> 0).toString(16)} with r0-r14 ${regs.map((v) => (v >>> 0).toString(16)).join(' ')}, nzcv ${flags.join('')}`);
    }
  }
}

/** Register pairs for the long multiplies: RdHi != RdLo, neither the PC. */
const LONG_PAIRS: Array<[number, number, number, number]> = [[0, 1, 2, 3], [1, 0, 0, 1], [4, 5, 4, 4], [12, 2, 3, 12], [7, 8, 8, 7]];

test('UMULL, UMLAL, SMULL, SMLAL (with and without S) and UMAAL compiled inline give the handlers\' results', () => {
  const encodings: number[] = [];
  for (const base of [0xe0800090, 0xe0a00090, 0xe0c00090, 0xe0e00090]) {
    for (const s of [0, 1]) {
      for (const [lo, hi, m, n] of LONG_PAIRS) encodings.push(base | (s << 20) | (hi << 16) | (lo << 12) | (m << 8) | n);
    }
  }
  for (const [lo, hi, m, n] of LONG_PAIRS) encodings.push(0xe0400090 | (hi << 16) | (lo << 12) | (m << 8) | n);
  agree('long multiply', encodings, 60, 0x5eed);
});

test('UXTB, UXTH, SXTB, SXTH and their add forms, at every rotation, compiled inline give the handlers\' results', () => {
  const encodings: number[] = [];
  for (const base of [0xe6ef0070, 0xe6ff0070, 0xe6af0070, 0xe6bf0070]) {
    for (let rot = 0; rot < 4; rot++) encodings.push(base | (3 << 12) | (rot << 10) | 5, base | (5 << 12) | (rot << 10) | 5);
  }
  for (const base of [0xe6e00070, 0xe6f00070, 0xe6a00070, 0xe6b00070]) {
    for (let rot = 0; rot < 4; rot++) encodings.push(base | (2 << 16) | (3 << 12) | (rot << 10) | 5, base | (3 << 16) | (3 << 12) | (rot << 10) | 3);
  }
  agree('extend', encodings, 30, 0xe47e);
});

test('data processing with a register-shifted register (every opcode, shift type, with and without S) compiled inline gives the handlers\' results', () => {
  const encodings: number[] = [];
  for (let opcode = 0; opcode < 16; opcode++) {
    const compare = opcode >= 8 && opcode <= 11;
    for (const s of compare ? [1] : [0, 1]) {
      for (let type = 0; type < 4; type++) {
        // rd r3, rn r4, rs r5, rm r6; and rd = rm = rs (r2) for the operand read before the write.
        encodings.push((0xe0000010 | (opcode << 21) | (s << 20) | (4 << 16) | (3 << 12) | (5 << 8) | (type << 5) | 6) >>> 0);
        encodings.push((0xe0000010 | (opcode << 21) | (s << 20) | (2 << 16) | (2 << 12) | (2 << 8) | (type << 5) | 2) >>> 0);
      }
    }
  }
  // Every amount where the shifts change behaviour, with Rm's top and bottom bits both ways (Rs is r5; r2 when it is Rm too).
  const amounts = [0, 1, 2, 30, 31, 32, 33, 63, 64, 255, 256, 0x120];
  const tops = [0x80000001, 0x7ffffffe, 0xffffffff, 0];
  agree('register-shifted register', encodings, amounts.length * tops.length, 0x5a5, (regs, k) => {
    regs[5] = amounts[k % amounts.length];
    regs[6] = tops[Math.floor(k / amounts.length)] | 0;
  });
});

test('CLZ compiled inline gives the handler\'s result', () => {
  agree('clz', [0xe16f0f10 | (1 << 12) | 2, 0xe16f0f10 | (4 << 12) | 4], 60, 0xc12);
});

test('BX compiled inline branches as the handler does: A32 targets word-aligned, Thumb targets switch T', () => {
  // Rm's low two bits decide: 00 and 10 stay A32 (aligned down), x1 goes to Thumb.
  agree('bx', [0xe12fff10 | 14, 0xe12fff10 | 3, 0x012fff10 | 2], 60, 0xb0);
  const thumb = runOne(coreWith('jit', 0xe12fff13), [0, 0, 0, 0x2001], [0, 0, 0, 0]);
  assert.equal(thumb.t, 1);
  assert.equal(thumb.pc, 0x2000);
  const arm = runOne(coreWith('jit', 0xe12fff13), [0, 0, 0, 0x2006], [0, 0, 0, 0]);
  assert.equal(arm.t, 0);
  assert.equal(arm.pc, 0x2004);
});
