/**
 * A bare CPU with RAM for instruction-level unit tests: place words at an
 * address, set registers, run N instructions, inspect state.
 */

import assert from 'node:assert/strict';
import { Bus } from '../../machine/bus';
import { Cpu } from '../../machine/cpu/cpu';
import type { Decoder } from '../../machine/cpu/encoding';

export const RAM_BASE = 0;
export const RAM_SIZE = 1 << 20;

export function makeCpu(): Cpu {
  const bus = new Bus();
  bus.addRam('ram', RAM_BASE, RAM_SIZE);
  const cpu = new Cpu(bus);
  cpu.pc = 0x1000;
  return cpu;
}

/** Writes instruction words at addr (little-endian) and points the PC there. */
export function place(cpu: Cpu, addr: number, words: number[]): void {
  words.forEach((w, i) => cpu.bus.write32(addr + 4 * i, w >>> 0));
  cpu.pc = addr;
}

/** Places words at 0x1000 and executes exactly words.length instructions (or n). */
export function exec(cpu: Cpu, words: number[], n = words.length): Cpu {
  place(cpu, 0x1000, words);
  cpu.run(n);
  return cpu;
}

/**
 * Executes one word through a family's own decoder with r0.. preset (no fetch):
 * the decode must succeed; returns the CPU.
 */
export function execRow(decoder: Decoder, word: number, regs: number[], setup?: (cpu: Cpu) => void): Cpu {
  const cpu = makeCpu();
  regs.forEach((v, i) => { cpu.r[i] = v | 0; });
  if (setup) setup(cpu);
  const d = decoder.decode(word >>> 0);
  assert.equal(d.kind, 'ok', `0x${(word >>> 0).toString(16)} decodes as ${d.kind}`);
  if (d.kind !== 'ok') throw new Error('unreachable');
  cpu.r[15] = cpu.pc + 8;
  d.row.exec(cpu, word >>> 0);
  return cpu;
}
