/**
 * Differential testing of the VFP rows against QEMU's user-mode emulator
 * (qemu-arm -cpu cortex-a9).
 *
 * Random encodings of every row of vfpRows get random inputs: r0-r12, sp, the
 * flags, FPSCR (Len = 0: QEMU's cortex-a9 implements short vectors, the
 * Cortex-A9 does not), D0-D15 and a 512-byte memory window. A generated static
 * ELF runs each case as `bl load; <insn>; bl store` in User mode; a SIGILL
 * handler on an alternate stack records UNDEFINED and skips the instruction.
 * The same cases run on the simulator one instruction at a time and the final
 * core registers, NZCVQ, FPSCR, D0-D15, window and UNDEFINED flag are compared
 * bit for bit.
 *
 * Cases that QEMU cannot represent are not generated: registers D16-D31
 * (QEMU's cortex-a9 has 32 double registers), pc-relative loads, sp/lr/pc as
 * transfer registers.
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bus } from '../../machine/bus';
import { Cpu } from '../../machine/cpu/cpu';
import { Decoder, compilePattern, withField, type EncodingRow } from '../../machine/cpu/encoding';
import { a32Decoder } from '../../machine/cpu/a32/table';
import { MODE_USR, MODE_UND } from '../../machine/cpu/modes';
import { vfpRows } from '../../machine/cpu/vfp/rows';
import { VfpState, FPEXC_EN } from '../../machine/cpu/vfp/state';
import { Rng } from '../support/prng';
import { missingTools, requireTools, toolSkip } from '../support/environment';

export const WINDOW = 0x00400000;
const WIN_BYTES = 512;
const WIN_WORDS = WIN_BYTES / 4;
/** Record: r0-r12, sp, APSR, FPSCR, D0-D15 (lo, hi), window; the output adds the UNDEFINED flag. */
const OFF_APSR = 14, OFF_FPSCR = 15, OFF_D = 16, OFF_WIN = 48;
const IN_WORDS = OFF_WIN + WIN_WORDS;
const OUT_WORDS = IN_WORDS + 4;
const OFF_UNDEF = IN_WORDS;

export interface Case {
  row: string;
  insn: number;
  /** IN_WORDS words. */
  input: Uint32Array;
}

export interface Outcome {
  words: Uint32Array; // OUT_WORDS per case
}

export function toolsPresent(): string[] {
  return missingTools('arm-none-eabi-gcc', 'qemu-arm');
}

// ---- random values ------------------------------------------------------------------------

function randSingle(rng: Rng): number {
  const s = rng.chance(0.5) ? 0x80000000 : 0;
  switch (rng.below(16)) {
    case 0: return s;
    case 1: return (s | 0x7f800000) >>> 0;
    case 2: return (0x7fc00000 | rng.below(0x400000) | s) >>> 0; // quiet NaN
    case 3: return (0x7f800000 | (1 + rng.below(0x3fffff)) | s) >>> 0; // signalling NaN
    case 4: return (s | (1 + rng.below(0x7fffff))) >>> 0; // denormal
    case 5: return (s | rng.pick([1, 0x7fffff, 0x400000, 0x800000, 0x7f7fffff, 0x3f800000, 0x40000000, 0x3f000000])) >>> 0;
    case 6: return (s | ((rng.range(1, 24) << 23) | rng.below(0x800000))) >>> 0; // near the bottom
    case 7: return (s | ((rng.range(rng.chance(0.5) ? 251 : 230, 254) << 23) | rng.below(0x800000))) >>> 0; // near the top
    case 8: return (s | ((rng.range(120, 134) << 23) | (rng.below(16) << 19))) >>> 0; // short fractions
    case 9: return (s | ((rng.range(100, 160) << 23) | rng.below(0x800000))) >>> 0;
    case 10: return (s | ((rng.range(140, 180) << 23) | rng.below(0x800000))) >>> 0; // integers for VCVT
    default: return rng.u32();
  }
}

/** [lo, hi] of a random double. */
function randDouble(rng: Rng): [number, number] {
  const s = rng.chance(0.5) ? 0x80000000 : 0;
  const lo = rng.u32();
  const frac = (): number => rng.below(0x100000);
  switch (rng.below(16)) {
    case 0: return [0, s];
    case 1: return [0, (s | 0x7ff00000) >>> 0];
    case 2: return [lo, (s | 0x7ff80000 | rng.below(0x80000)) >>> 0];
    case 3: return [lo | 1, (s | 0x7ff00000 | rng.below(0x80000)) >>> 0];
    case 4: return [lo, (s | rng.below(0x100000)) >>> 0]; // denormal (or zero)
    case 5: return rng.pick([[1, 0], [0, 0x00100000], [0xffffffff, 0x7fefffff], [0, 0x3ff00000], [0, 0x40000000],
      [0xffffffff, 0x000fffff], [0, 0x3fe00000]]).map((w, i) => i === 1 ? (w | s) >>> 0 : w) as [number, number];
    case 6: return [lo, (s | (rng.range(1, 60) << 20) | frac()) >>> 0];
    case 7: return [lo, (s | (rng.range(rng.chance(0.5) ? 2043 : 1990, 2046) << 20) | frac()) >>> 0];
    case 8: return [0, (s | (rng.range(1010, 1040) << 20) | (rng.below(64) << 14)) >>> 0];
    case 9: return [lo, (s | (rng.range(900, 1150) << 20) | frac()) >>> 0];
    case 10: return [rng.below(16) << 28, (s | (rng.range(1023, 1065) << 20) | frac()) >>> 0];
    case 11: { // a single widened (exact operands for mixed tests)
      const w = randSingle(rng);
      const e = (w >>> 23) & 0xff;
      if (e === 0 || e === 0xff) return [0, w];
      return [((w & 7) << 29) >>> 0, ((w & 0x80000000) | ((e - 127 + 1023) << 20) | ((w >>> 3) & 0xfffff)) >>> 0];
    }
    default: return [rng.u32(), rng.u32()];
  }
}

function randCore(rng: Rng): number {
  switch (rng.below(6)) {
    case 0: return rng.pick([0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0xffff, 0x8000]);
    case 1: return rng.below(256);
    case 2: return randSingle(rng);
    default: return rng.u32();
  }
}

function randFpscr(rng: Rng): number {
  let v = rng.u32() & 0xfff7009f & ~0x00070000;
  if (rng.chance(0.5)) v &= ~0x9f; // flags clear, so that setting them shows
  if (rng.chance(0.4)) v &= ~0x07000000; // IEEE mode: no FZ, DN, AHP
  return v >>> 0;
}

// ---- case generation -------------------------------------------------------------------------

const MEM_ROWS = new Set(['VSTM_ia', 'VSTM_db', 'VLDM_ia', 'VLDM_db', 'VSTR', 'VLDR']);

function randomWord(rng: Rng, row: EncodingRow): number {
  let w = row.value;
  for (const [letter, f] of row.fields) {
    let v: number;
    if (letter === 'c') v = rng.chance(0.7) ? 14 : rng.below(15);
    else if (row.gen?.fields?.[letter]) v = rng.pick(row.gen.fields[letter]);
    else v = rng.below(2 ** f.bits.length);
    w = withField(row, letter, w, v);
  }
  w = (w & ~row.sbzMask) | row.sboMask;
  if (row.name === 'VMRS' || row.name === 'VMSR') {
    w = withField(row, 'r', w, rng.pick([1, 1, 1, 1, 1, 0, 6, 7, 8, rng.below(16)]));
    if (row.name === 'VMRS' && rng.chance(0.3)) w = withField(row, 't', w, 15);
  }
  if (MEM_ROWS.has(row.name)) {
    w = withField(row, 'n', w, rng.below(14));
    if (!row.name.startsWith('VLDR') && !row.name.startsWith('VSTR') && rng.chance(0.8)) {
      // Mostly plausible register counts.
      const dbl = (w >>> 8) & 1;
      const cnt = rng.range(1, dbl ? 8 : 12);
      w = withField(row, 'i', w, dbl ? 2 * cnt + (rng.chance(0.1) ? 1 : 0) : cnt);
    }
  }
  // Double-precision register numbers beyond D15 do not exist on the Cortex-A9 of Tegra20.
  return w >>> 0;
}

/** Sets the base register of a memory case so that every access falls in the window. */
function placeBase(rng: Rng, insn: number, input: Uint32Array): void {
  const n = (insn >>> 16) & 15;
  const imm8 = insn & 0xff;
  const isLdrStr = ((insn >>> 24) & 1) === 1 && ((insn >>> 21) & 1) === 0;
  if (isLdrStr) {
    const size = (insn >>> 8) & 1 ? 8 : 4;
    const addr = WINDOW + 4 * rng.below((WIN_BYTES - size) / 4 + 1);
    const u = (insn >>> 23) & 1;
    input[n] = (u ? addr - imm8 * 4 : addr + imm8 * 4) >>> 0;
  } else {
    const bytes = imm8 * 4;
    const db = (insn >>> 24) & 1;
    const start = WINDOW + 4 * rng.below(Math.max(1, (WIN_BYTES - bytes) / 4 + 1));
    input[n] = (db ? start + bytes : start) >>> 0;
  }
}

export class Sim {
  readonly cpu: Cpu;
  lastReason = '';

  constructor() {
    const bus = new Bus();
    bus.addRam('ram', 0, 8 << 20);
    this.cpu = new Cpu(bus);
    const c = this.cpu as unknown as { vfp?: VfpState; decoder: Decoder };
    if (c.vfp === undefined) c.vfp = new VfpState();
    c.decoder = vfpDecoder();
    this.cpu.guestError = (m) => { this.lastReason = m; };
  }

  /** Runs one case; returns OUT_WORDS words. */
  run(insn: number, input: Uint32Array): Uint32Array {
    const cpu = this.cpu, vfp = cpu.vfp;
    this.lastReason = '';
    (cpu as unknown as { reportedOnce: Set<string> }).reportedOnce.clear();
    cpu.setCpsr(((input[OFF_APSR] & 0xf8000000) | MODE_USR | 0x1c0) >>> 0);
    for (let i = 0; i < 14; i++) cpu.r[i] = input[i];
    cpu.cp15.cpacr = 0x00f00000;
    vfp.fpexc = FPEXC_EN;
    vfp.setFpscr(input[OFF_FPSCR]);
    for (let i = 0; i < 32; i++) vfp.s[i] = input[OFF_D + i];
    for (let i = 0; i < WIN_WORDS; i++) cpu.bus.write32(WINDOW + 4 * i, input[OFF_WIN + i]);
    cpu.bus.write32(0x1000, insn);
    cpu.pc = 0x1000;
    cpu.run(1);
    const out = new Uint32Array(OUT_WORDS);
    const undef = cpu.mode === MODE_UND;
    if (undef) cpu.setCpsr(cpu.currentSpsr());
    for (let i = 0; i < 14; i++) out[i] = cpu.r[i];
    out[OFF_APSR] = cpu.cpsr & 0xf8000000;
    out[OFF_FPSCR] = vfp.fpscr;
    for (let i = 0; i < 32; i++) out[OFF_D + i] = vfp.s[i];
    for (let i = 0; i < WIN_WORDS; i++) out[OFF_WIN + i] = cpu.bus.read32(WINDOW + 4 * i);
    out[OFF_UNDEF] = undef ? 1 : 0;
    return out;
  }
}

let sharedDecoder: Decoder | undefined;
export function vfpDecoder(): Decoder {
  if (!sharedDecoder) sharedDecoder = a32Decoder();
  return sharedDecoder;
}

export function generate(seed: number, count: number, sim: Sim, only?: string): Case[] {
  const rng = new Rng(seed);
  const rows = vfpRows.map(compilePattern).filter((r) => !only || r.name === only);
  const dec = vfpDecoder();
  const cases: Case[] = [];
  let k = rng.below(rows.length);
  while (cases.length < count) {
    const row = rows[k++ % rows.length];
    for (let attempt = 0; attempt < 50; attempt++) {
      const insn = randomWord(rng, row);
      const d = dec.decode(insn);
      if (d.kind !== 'ok' || d.row.name !== row.name) continue;
      const input = new Uint32Array(IN_WORDS);
      for (let i = 0; i < 14; i++) input[i] = randCore(rng);
      input[13] = (WINDOW + WIN_BYTES / 2 + 4 * rng.range(-16, 16)) >>> 0;
      input[OFF_APSR] = (rng.u32() & 0xf8000000) >>> 0;
      input[OFF_FPSCR] = randFpscr(rng);
      for (let i = 0; i < 16; i++) {
        if (rng.chance(0.5)) {
          const [lo, hi] = randDouble(rng);
          input[OFF_D + 2 * i] = lo; input[OFF_D + 2 * i + 1] = hi;
        } else {
          input[OFF_D + 2 * i] = randSingle(rng); input[OFF_D + 2 * i + 1] = randSingle(rng);
        }
      }
      for (let i = 0; i < WIN_WORDS; i++) input[OFF_WIN + i] = rng.chance(0.5) ? randSingle(rng) : rng.u32();
      if (MEM_ROWS.has(row.name)) placeBase(rng, insn, input);
      // Registers D16-D31 exist in QEMU's model: keep to the cases valid on both.
      sim.run(insn, input);
      if (sim.lastReason.includes('D16-D31')) continue;
      cases.push({ row: row.name, insn, input });
      break;
    }
  }
  return cases;
}

// ---- the QEMU side -----------------------------------------------------------------------------

const HARNESS_HEAD = `
    .syntax unified
    .arm
    .fpu vfpv3-d16
    .equ WINDOW, ${WINDOW}
    .equ IN_BYTES, ${IN_WORDS * 4}
    .equ OUT_BYTES, ${OUT_WORDS * 4}
    .section .window, "aw"
window: .space ${WIN_BYTES}
    .data
    .align 3
cur_in: .word cases
cur_out: .word results
undef_flag: .word 0
act: .word ill_handler, 0x0c000004, restorer, 0, 0
altstack: .word altmem, 0, 65536
    .bss
    .align 3
altmem: .space 65536
    .text
    .global _start
_start:
    ldr r0, =altstack
    mov r1, #0
    mov r7, #186            @ sigaltstack
    svc #0
    mov r0, #4              @ SIGILL
    ldr r1, =act
    mov r2, #0
    mov r3, #8
    mov r7, #174            @ rt_sigaction
    svc #0
    b run_cases

ill_handler:
    ldr r3, =undef_flag
    mov r1, #1
    str r1, [r3]
    ldr r1, [r2, #92]       @ uc_mcontext.arm_pc
    add r1, r1, #4
    str r1, [r2, #92]
    bx lr

restorer:
    mov r7, #173            @ rt_sigreturn
    svc #0

load:
    ldr r0, =cur_in
    ldr r1, [r0]
    add r2, r1, #IN_BYTES
    str r2, [r0]
    add r2, r1, #${OFF_WIN * 4}
    ldr r3, =WINDOW
    mov r4, #${WIN_WORDS}
1:  ldr r5, [r2], #4
    str r5, [r3], #4
    subs r4, r4, #1
    bne 1b
    add r2, r1, #${OFF_D * 4}
    vldmia r2, {d0-d15}
    ldr r2, [r1, #${OFF_FPSCR * 4}]
    vmsr fpscr, r2
    ldr r2, [r1, #${OFF_APSR * 4}]
    msr APSR_nzcvq, r2
    ldr sp, [r1, #52]
    ldmia r1, {r0-r12}
    bx lr

store:
    mcr p15, 0, r0, c13, c0, 2
    ldr r0, =cur_out
    ldr r0, [r0]
    str r1, [r0, #4]
    str r2, [r0, #8]
    str r3, [r0, #12]
    str r4, [r0, #16]
    str r5, [r0, #20]
    str r6, [r0, #24]
    str r7, [r0, #28]
    str r8, [r0, #32]
    str r9, [r0, #36]
    str r10, [r0, #40]
    str r11, [r0, #44]
    str r12, [r0, #48]
    str sp, [r0, #52]
    mrc p15, 0, r1, c13, c0, 2
    str r1, [r0]
    mrs r1, APSR
    str r1, [r0, #${OFF_APSR * 4}]
    vmrs r1, fpscr
    str r1, [r0, #${OFF_FPSCR * 4}]
    add r1, r0, #${OFF_D * 4}
    vstmia r1, {d0-d15}
    add r2, r0, #${OFF_WIN * 4}
    ldr r3, =WINDOW
    mov r4, #${WIN_WORDS}
1:  ldr r5, [r3], #4
    str r5, [r2], #4
    subs r4, r4, #1
    bne 1b
    ldr r3, =undef_flag
    ldr r1, [r3]
    str r1, [r0, #${OFF_UNDEF * 4}]
    mov r1, #0
    str r1, [r3]
    add r0, r0, #OUT_BYTES
    ldr r1, =cur_out
    str r0, [r1]
    bx lr

finish:
    ldr r1, =results
    ldr r2, =results_end
    sub r2, r2, r1
2:  mov r0, #1
    mov r7, #4              @ write
    svc #0
    cmp r0, #0
    ble 3f
    add r1, r1, r0
    subs r2, r2, r0
    bne 2b
3:  mov r0, #0
    mov r7, #248            @ exit_group
    svc #0
    .ltorg

run_cases:
`;

const LINKER_SCRIPT = `
ENTRY(_start)
SECTIONS {
  . = 0x10000;
  .text : { *(.text) }
  .window ${WINDOW} : { *(.window) }
  .data : { *(.data) }
  .bss : { *(.bss) }
}
`;

/** Builds and runs the harness on qemu-arm; returns OUT_WORDS words per case. */
export function runQemu(cases: Case[], keepDir?: string): Uint32Array {
  const dir = keepDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vfp-diff-'));
  try {
    const lines = [HARNESS_HEAD];
    for (const c of cases) lines.push(`    bl load\n    .word 0x${c.insn.toString(16)}\n    bl store`);
    lines.push('    b finish\n');
    lines.push(`    .data\n    .align 3\ncases:\n    .incbin "cases.bin"\n    .bss\n    .align 3\nresults:\n    .space ${cases.length * OUT_WORDS * 4}\nresults_end:\n`);
    fs.writeFileSync(path.join(dir, 'harness.S'), lines.join('\n'));
    fs.writeFileSync(path.join(dir, 'link.ld'), LINKER_SCRIPT);
    const blob = new Uint32Array(cases.length * IN_WORDS);
    cases.forEach((c, i) => blob.set(c.input, i * IN_WORDS));
    fs.writeFileSync(path.join(dir, 'cases.bin'), Buffer.from(blob.buffer));
    execFileSync('arm-none-eabi-gcc', ['-nostdlib', '-nostartfiles', '-static', '-mcpu=cortex-a9', '-marm',
      '-mfloat-abi=hard', '-mfpu=vfpv3-d16', '-Wl,--no-warn-rwx-segments', '-T', 'link.ld', '-o', 'harness.elf', 'harness.S'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    const out = execFileSync('qemu-arm', ['-cpu', 'cortex-a9', 'harness.elf'],
      { cwd: dir, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
    if (out.length !== cases.length * OUT_WORDS * 4) {
      throw new Error(`qemu-arm wrote ${out.length} bytes, expected ${cases.length * OUT_WORDS * 4}`);
    }
    const words = new Uint32Array(out.length / 4);
    for (let i = 0; i < words.length; i++) words[i] = out.readUInt32LE(4 * i);
    return words;
  } finally {
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const FIELD_NAMES = (i: number): string => {
  if (i < 13) return `r${i}`;
  if (i === 13) return 'sp';
  if (i === OFF_APSR) return 'APSR';
  if (i === OFF_FPSCR) return 'FPSCR';
  if (i < OFF_WIN) return `s${i - OFF_D}`;
  if (i < OFF_UNDEF) return `mem[${(i - OFF_WIN) * 4}]`;
  return 'UNDEFINED';
};

export interface Mismatch { index: number; row: string; insn: number; text: string }

export function compare(cases: Case[], sim: Sim, qemu: Uint32Array, disasm: (insn: number) => string): Mismatch[] {
  const bad: Mismatch[] = [];
  cases.forEach((c, k) => {
    const ours = sim.run(c.insn, c.input);
    const ref = qemu.subarray(k * OUT_WORDS, (k + 1) * OUT_WORDS);
    const diffs: string[] = [];
    for (let i = 0; i <= OFF_UNDEF; i++) {
      const a = i === OFF_APSR ? ours[i] & 0xf8000000 : ours[i];
      const b = i === OFF_APSR ? ref[i] & 0xf8000000 : ref[i];
      if ((a >>> 0) !== (b >>> 0)) diffs.push(`${FIELD_NAMES(i)}: ours ${hex8(a)} qemu ${hex8(b)} (in ${hex8(c.input[i] ?? 0)})`);
    }
    if (diffs.length) {
      const ins = [`FPSCR in ${hex8(c.input[OFF_FPSCR])}`];
      for (let i = 0; i < 32; i += 2) ins.push(`d${i / 2}=${hex8(c.input[OFF_D + i + 1])}${hex8(c.input[OFF_D + i]).slice(2)}`);
      bad.push({ index: k, row: c.row, insn: c.insn, text: `${c.row} ${hex8(c.insn)} ${disasm(c.insn)}\n  ${diffs.join('\n  ')}\n  ${ins.join(' ')}` });
    }
  });
  return bad;
}

function hex8(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

// ---- the test ------------------------------------------------------------------------------------

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

function disasmVfp(insn: number): string {
  const d = vfpDecoder().decode(insn);
  return d.kind === 'undefined' ? 'undefined' : d.row.disasm(insn, 0x1000);
}

const missing = toolsPresent();
const CASES = Number(process.env.VFP_DIFF_CASES ?? 100000);
const SEED = Number(process.env.VFP_DIFF_SEED ?? 1);
const BATCH = 20000;

describe('VFP differential test against qemu-arm -cpu cortex-a9', () => {
  it('needs arm-none-eabi-gcc and qemu-arm', { skip: toolSkip('arm-none-eabi-gcc', 'qemu-arm') ?? false }, () => {
    requireTools('arm-none-eabi-gcc', 'qemu-arm');
  });

  it(`finds no mismatch in ${CASES} random VFP instructions`, { skip: missing.length > 0 ? 'tools missing' : false }, (t) => {
    const sim = new Sim();
    const all: Mismatch[] = [];
    const perRow = new Map<string, number>();
    for (let done = 0, b = 0; done < CASES; done += BATCH, b++) {
      const n = Math.min(BATCH, CASES - done);
      const cases = generate(SEED + b, n, sim, process.env.VFP_DIFF_ROW);
      for (const c of cases) perRow.set(c.row, (perRow.get(c.row) ?? 0) + 1);
      const ref = runQemu(cases, process.env.VFP_DIFF_KEEP);
      all.push(...compare(cases, sim, ref, disasmVfp));
    }
    t.diagnostic(`cases per row: ${[...perRow].map(([r, n]) => `${r} ${n}`).join(', ')}`);
    const byRow = new Map<string, number>();
    for (const m of all) byRow.set(m.row, (byRow.get(m.row) ?? 0) + 1);
    if (all.length) {
      const shown = new Set<string>();
      const examples = all.filter((m) => { if (shown.has(m.row)) return false; shown.add(m.row); return true; });
      assert.fail(`${all.length} mismatches (${[...byRow].map(([r, n]) => `${r} ${n}`).join(', ')}):\n${examples.map((m) => m.text).join('\n')}`);
    }
  });
});
