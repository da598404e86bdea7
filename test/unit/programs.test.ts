/**
 * The bare-metal test programs of test/programs: each committed ELF runs in the
 * simulator and must exit with 0 and print exactly test/programs/expected/<name>.txt
 * (recorded from QEMU). With qemu-system-arm present the same ELF also runs in
 * QEMU and the outputs must be byte-identical; with arm-none-eabi-gcc present the
 * programs are rebuilt and must match the committed ELFs byte for byte.
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

const ROOT = findRoot();
const PROGRAMS = path.join(ROOT, 'test', 'programs');
const BUILD = path.join(PROGRAMS, 'build');
const EXPECTED = path.join(PROGRAMS, 'expected');
const REQUIRE_TOOLS = process.env.BRINGUP_REQUIRE_TOOLS === '1';

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

function findRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'programs'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the repository root above ${__dirname}`);
}

function hasTool(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** Skip reason for a missing tool, or undefined if the test can run (it fails instead under BRINGUP_REQUIRE_TOOLS=1). */
function toolSkip(cmd: string, pkg: string): string | undefined {
  if (hasTool(cmd) || REQUIRE_TOOLS) return undefined;
  return `${cmd} not found: install ${pkg} (apt-get install ${pkg})`;
}

function programNames(): string[] {
  if (!fs.existsSync(BUILD)) return [];
  return fs.readdirSync(BUILD).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)).sort();
}

interface SimResult { output: Buffer; stop: string; code: number | undefined; detail: string }

const simResults = new Map<string, SimResult>();

/** Runs a program once in the simulator; the QEMU comparison reuses the result. */
function runSimulator(name: string): SimResult {
  let r = simResults.get(name);
  if (!r) { r = simulate(name); simResults.set(name, r); }
  return r;
}

function simulate(name: string): SimResult {
  const file = path.join(BUILD, `${name}.elf`);
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

const names = programNames();

test('test programs: committed ELFs and expected outputs pair up', () => {
  assert.ok(names.length > 0, `no ELFs in ${BUILD}: run make -C test/programs`);
  const expected = fs.readdirSync(EXPECTED).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort();
  assert.deepEqual(expected, names, 'every build/<name>.elf needs expected/<name>.txt and vice versa');
});

for (const name of names) {
  test(`test program ${name}: bringup output matches QEMU's`, () => {
    const want = fs.readFileSync(path.join(EXPECTED, `${name}.txt`));
    const r = runSimulator(name);
    if (!r.output.equals(want)) assert.fail(`${name}: ${firstDifference(r.output, want)}\n(${r.detail})`);
    assert.equal(r.stop, 'exit', `${name}: ${r.detail}`);
    assert.equal(r.code, 0, `${name}: exit code ${r.code}`);
  });
}

test('test programs: QEMU prints the expected outputs', { skip: toolSkip('qemu-system-arm', 'qemu-system-arm') }, async (t) => {
  assert.ok(hasTool('qemu-system-arm'), 'qemu-system-arm is required (BRINGUP_REQUIRE_TOOLS=1): apt-get install qemu-system-arm');
  for (const name of names) {
    await t.test(name, () => {
      const q = runQemu(path.join(BUILD, `${name}.elf`));
      const want = fs.readFileSync(path.join(EXPECTED, `${name}.txt`));
      if (!q.output.equals(want)) assert.fail(`${name} under QEMU: ${firstDifference(q.output, want)}\n${q.stderr}`);
      assert.equal(q.status, 0, `${name}: QEMU exit status ${q.status}\n${q.stderr}`);
      const ours = runSimulator(name);
      if (!ours.output.equals(q.output)) assert.fail(`${name}: bringup vs QEMU: ${firstDifference(ours.output, q.output)}\n(${ours.detail})`);
    });
  }
});

test('test programs: the build is reproducible', { skip: toolSkip('arm-none-eabi-gcc', 'gcc-arm-none-eabi') }, (t) => {
  assert.ok(hasTool('arm-none-eabi-gcc'), 'arm-none-eabi-gcc is required (BRINGUP_REQUIRE_TOOLS=1): apt-get install gcc-arm-none-eabi');
  assert.ok(hasTool('make'), 'make is required to rebuild test/programs: apt-get install make');
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
    for (const name of names) {
      const a = fs.readFileSync(path.join(BUILD, `${name}.elf`));
      const b = fs.readFileSync(path.join(tmp, `${name}.elf`));
      assert.ok(a.equals(b), `${name}.elf rebuilt differs from the committed one (run make -C test/programs and commit, or check for non-determinism)`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
