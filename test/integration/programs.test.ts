/**
 * The bare-metal test programs of test/programs, in three variants built from
 * the same sources: A32 soft-float (build/), Thumb-2 soft-float (build/thumb/)
 * and Thumb-2 hard-float on VFPv3-D16 (build/vfp/). Each committed ELF runs in
 * the simulator and must exit with 0 and print exactly
 * test/programs/expected/[<variant>/]<name>.txt (recorded from QEMU running that
 * same ELF). With qemu-system-arm present the same ELF also runs in QEMU and the
 * outputs must be byte-identical; with arm-none-eabi-gcc present the programs
 * are rebuilt and must match the committed ELFs byte for byte.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine } from '../../machine/machine';
import { parseElf, symbolize } from '../../machine/loaders/elf';
import { createMachine } from '../../scenario/boards';
import { ROOT, requireTools, toolSkip } from '../support/environment';

const PROGRAMS = path.join(ROOT, 'test', 'programs');
const BUILD = path.join(PROGRAMS, 'build');
const EXPECTED = path.join(PROGRAMS, 'expected');

/** The variants of test/programs/Makefile: where their ELFs and expected outputs live. */
interface Variant { name: string; build: string; expected: string; what: string }
const VARIANTS: Variant[] = [
  { name: 'arm', build: BUILD, expected: EXPECTED, what: 'A32, soft-float' },
  { name: 'thumb', build: path.join(BUILD, 'thumb'), expected: path.join(EXPECTED, 'thumb'), what: 'Thumb-2, soft-float' },
  { name: 'vfp', build: path.join(BUILD, 'vfp'), expected: path.join(EXPECTED, 'vfp'), what: 'Thumb-2, hard-float VFPv3-D16' },
];
/** Programs every variant must have (the others may leave out A32-only programs, see the Makefile). */
const IN_EVERY_VARIANT = ['arith', 'bench', 'cp15', 'div64', 'exclusives', 'fp', 'mmu', 'sp804_gic'];

/** Instruction budget per program: far above what each needs, low enough to stop a runaway guest. */
const LIMITS: Record<string, number> = { bench: 2_000_000_000 };
const DEFAULT_LIMIT = 200_000_000;

/*
 * QEMU 7.2 writes semihosting console output to stderr by default, mixed with
 * its own diagnostics; a stdio chardev puts it alone on stdout.
 */
const QEMU_ARGS = [
  '-M', 'vexpress-a9,secure=off', '-cpu', 'cortex-a9', '-m', '1024M', '-nographic', '-monitor', 'none', '-serial', 'none',
  '-chardev', 'stdio,id=shout', '-semihosting-config', 'enable=on,target=native,chardev=shout',
];
const QEMU_TIMEOUT_MS = 120_000;

function programNames(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)).sort();
}

/** "div64" for A32, "thumb/div64" for the other variants: the ELF's path below build/. */
function programId(v: Variant, name: string): string {
  return v.name === 'arm' ? name : `${v.name}/${name}`;
}

interface SimResult { output: Buffer; stop: string; code: number | undefined; detail: string }

const simResults = new Map<string, SimResult>();

/** Runs a program once in the simulator; the QEMU comparison reuses the result. */
function runSimulator(v: Variant, name: string): SimResult {
  const id = programId(v, name);
  let r = simResults.get(id);
  if (!r) { r = simulate(v, name); simResults.set(id, r); }
  return r;
}

function simulate(v: Variant, name: string): SimResult {
  const file = path.join(v.build, `${name}.elf`);
  const image = parseElf(fs.readFileSync(file), file);
  const machine = createMachine('vexpress-a9');
  machine.loadElf(image, file);
  const chunks: Buffer[] = [];
  machine.enableSemihosting({ host: { console: (_stream, bytes) => { chunks.push(Buffer.from(bytes)); } } });
  let stop: ReturnType<Machine['runUntil']>;
  let detail = '';
  try {
    stop = machine.runUntil(LIMITS[name] ?? DEFAULT_LIMIT);
  } catch (e) {
    const pc = machine.cpu.pc >>> 0;
    return {
      output: Buffer.concat(chunks), stop: 'internal error', code: undefined,
      detail: `simulator threw at pc=0x${pc.toString(16)} (${symbolize(image.symbols, pc) ?? '?'}) after ${machine.cpu.icount} instructions: ${(e as Error).stack ?? e}`,
    };
  }
  const pc = machine.cpu.pc >>> 0;
  detail = `${stop.kind} after ${machine.cpu.icount} instructions at pc=0x${pc.toString(16)} (${symbolize(image.symbols, pc) ?? '?'})`;
  if (machine.guestErrors.length) {
    detail += '; guest errors: ' + machine.guestErrors.slice(0, 5)
      .map((g) => `${g.message} at pc=0x${(g.pc >>> 0).toString(16)} (${symbolize(image.symbols, g.pc >>> 0) ?? '?'})`).join('; ');
  }
  return { output: Buffer.concat(chunks), stop: stop.kind, code: stop.kind === 'exit' ? stop.code : undefined, detail };
}

function runQemu(elf: string): { output: Buffer; status: number | null; stderr: string } {
  const r = spawnSync('qemu-system-arm', [...QEMU_ARGS, '-kernel', elf], {
    timeout: QEMU_TIMEOUT_MS, maxBuffer: 64 << 20, env: { ...process.env, QEMU_AUDIO_DRV: 'none' },
  });
  if (r.error) throw r.error;
  return { output: r.stdout, status: r.status, stderr: r.stderr.toString() };
}

/** "line N: got ... / want ..." for the first line that differs, so a failure names the instruction family. */
function firstDifference(got: Buffer, want: Buffer): string {
  const g = got.toString('latin1').split('\n');
  const w = want.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(g.length, w.length); i++) {
    if (g[i] !== w[i]) {
      const show = (s: string | undefined) => (s === undefined ? '<end of output>' : JSON.stringify(s));
      return `first difference at line ${i + 1}:\n  got:  ${show(g[i])}\n  want: ${show(w[i])}`;
    }
  }
  return 'outputs differ';
}

const names = new Map(VARIANTS.map((v) => [v.name, programNames(v.build)]));
const allPrograms = (): Array<[Variant, string]> => VARIANTS.flatMap((v) => names.get(v.name)!.map((n): [Variant, string] => [v, n]));

test('test programs: committed ELFs and expected outputs pair up in every variant', () => {
  for (const v of VARIANTS) {
    const elfs = names.get(v.name)!;
    assert.ok(elfs.length > 0, `no ELFs in ${v.build}: run make -C test/programs`);
    const expected = fs.existsSync(v.expected) ? fs.readdirSync(v.expected).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort() : [];
    assert.deepEqual(expected, elfs, `${v.name} (${v.what}): every ELF in ${path.relative(ROOT, v.build)} needs a .txt in ${path.relative(ROOT, v.expected)} and vice versa`);
    for (const n of IN_EVERY_VARIANT) assert.ok(elfs.includes(n), `${v.name} (${v.what}): ${n}.elf is missing`);
  }
});

test('test programs: the variants are what they claim (A32, Thumb-2, hard-float VFP code)', () => {
  // Thumb functions have odd symbol values; hard-float objects carry Tag_ABI_VFP_args = VFP registers.
  for (const v of VARIANTS) {
    for (const name of names.get(v.name)!) {
      const file = path.join(v.build, `${name}.elf`);
      const bytes = fs.readFileSync(file);
      const image = parseElf(bytes, file);
      const main = image.symbols.find((s) => s.name === 'main');
      if (!main) continue; // a program written in assembly
      assert.equal(main.value & 1, v.name === 'arm' ? 0 : 1, `${programId(v, name)}: main is ${main.value & 1 ? 'Thumb' : 'A32'} code`);
    }
  }
  const fp = fs.readFileSync(path.join(BUILD, 'vfp', 'fp.elf'));
  const text = Buffer.concat(parseElf(fp, 'vfp/fp.elf').segments.map((s) => Buffer.from(s.data)));
  // VSQRT.F64 in T32: EEB1 0BC0 (Vd/Vm vary); look for any VSQRT.F64 halfword pair.
  let vsqrt = false;
  for (let i = 0; i + 4 <= text.length && !vsqrt; i += 2) {
    const hw1 = text.readUInt16LE(i), hw2 = text.readUInt16LE(i + 2);
    if ((hw1 & 0xffbf) === 0xeeb1 && (hw2 & 0x0fd0) === 0x0bc0) vsqrt = true;
  }
  assert.ok(vsqrt, 'vfp/fp.elf contains no VSQRT.F64: it is not a hard-float VFP build');
});

for (const [v, name] of allPrograms()) {
  const id = programId(v, name);
  test(`test program ${id}: bringup output matches QEMU's`, () => {
    const want = fs.readFileSync(path.join(v.expected, `${name}.txt`));
    const r = runSimulator(v, name);
    if (!r.output.equals(want)) assert.fail(`${id}: ${firstDifference(r.output, want)}\n(${r.detail})`);
    assert.equal(r.stop, 'exit', `${id}: ${r.detail}`);
    assert.equal(r.code, 0, `${id}: exit code ${r.code}`);
  });
}

test('test programs: QEMU prints the expected outputs', { skip: toolSkip('qemu-system-arm') }, async (t) => {
  requireTools('qemu-system-arm');
  for (const [v, name] of allPrograms()) {
    const id = programId(v, name);
    await t.test(id, () => {
      const q = runQemu(path.join(v.build, `${name}.elf`));
      const want = fs.readFileSync(path.join(v.expected, `${name}.txt`));
      if (!q.output.equals(want)) assert.fail(`${id} under QEMU: ${firstDifference(q.output, want)}\n${q.stderr}`);
      assert.equal(q.status, 0, `${id}: QEMU exit status ${q.status}\n${q.stderr}`);
      const ours = runSimulator(v, name);
      if (!ours.output.equals(q.output)) assert.fail(`${id}: bringup vs QEMU: ${firstDifference(ours.output, q.output)}\n(${ours.detail})`);
    });
  }
});

test('test programs: the build is reproducible', { skip: toolSkip('arm-none-eabi-gcc', 'make') }, (t) => {
  requireTools('arm-none-eabi-gcc', 'make');
  const recorded = fs.readFileSync(path.join(BUILD, 'toolchain.txt'), 'latin1');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-programs-'));
  try {
    const r = spawnSync('make', ['-s', '-C', PROGRAMS, `BUILD=${tmp}`, 'all', `${tmp}/toolchain.txt`], { encoding: 'latin1' });
    assert.equal(r.status, 0, `make failed:\n${r.stdout}${r.stderr}`);
    const current = fs.readFileSync(path.join(tmp, 'toolchain.txt'), 'latin1');
    if (current !== recorded) {
      // Another compiler legitimately produces other bytes; only the recorded one must reproduce them.
      t.skip(`the committed ELFs were built with ${recorded.trim().replace(/\n/g, ', ')}; this toolchain is ${current.trim().replace(/\n/g, ', ')}`);
      return;
    }
    for (const [v, name] of allPrograms()) {
      const rel = path.relative(BUILD, path.join(v.build, `${name}.elf`));
      const a = fs.readFileSync(path.join(BUILD, rel));
      const b = fs.readFileSync(path.join(tmp, rel));
      assert.ok(a.equals(b), `${rel} rebuilt differs from the committed one (run make -C test/programs and commit, or check for non-determinism)`);
    }
    // Nothing committed that the Makefile no longer builds, nothing built that is not committed.
    for (const v of VARIANTS) {
      const rebuilt = programNames(path.join(tmp, path.relative(BUILD, v.build)));
      assert.deepEqual(rebuilt, names.get(v.name), `${v.name}: the Makefile builds ${rebuilt.join(' ')}; committed: ${names.get(v.name)!.join(' ')}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
