/**
 * The machine never crashes, whatever the board file or the guest does:
 * every address of a shipped board answers as the board says, board files
 * that would fail at run time are refused when loaded, semihosting misuse is
 * an error result for the guest, and a guest stuck taking exceptions behaves
 * architecturally.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BusError } from '../../machine/bus';
import { boardNames, createMachine, loadBoard } from '../../scenario/boards';
import { parseElf } from '../../machine/loaders/elf';
import { SEMIHOSTING_MAX_TRANSFER } from '../../machine/semihosting';
import { nodeSemihostingHost } from '../../cli/semihosting-host';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runScenario } from '../../scenario/run/runner';
import { tinyElf } from '../support/tiny-elf';

// ---- 1. every address of every shipped board's map -----------------------------

type Kind = 'ram' | 'device' | 'tagged' | 'hole';

function mapOf(board: string): Array<{ base: number; end: number; kind: Kind; name: string }> {
  const spec = loadBoard(board);
  const out: Array<{ base: number; end: number; kind: Kind; name: string }> = [];
  for (const m of spec.memory) out.push({ base: m.base, end: m.base + m.size, kind: 'ram', name: m.name });
  for (const d of spec.devices) {
    for (const [rn, r] of Object.entries(d.regions)) out.push({ base: r.base, end: r.base + r.size!, kind: 'device', name: `${d.name}.${rn}` });
  }
  for (const t of spec.tagged) out.push({ base: t.base, end: t.base + t.size, kind: 'tagged', name: t.name });
  return out.sort((a, b) => a.base - b.base);
}

function kindAt(map: ReturnType<typeof mapOf>, a: number): Kind {
  for (const r of map) if (a >= r.base && a < r.end) return r.kind;
  return 'hole';
}

/** Performs an access; returns the value read, 'bus-error', or throws whatever else the bus threw. */
function access(fn: () => number | void): number | 'bus-error' | undefined {
  try {
    const v = fn();
    return v === undefined ? undefined : v;
  } catch (e) {
    if (e instanceof BusError) return 'bus-error';
    throw e;
  }
}

function checkAddress(m: ReturnType<typeof createMachine>, map: ReturnType<typeof mapOf>, a: number, sizes: number[]): void {
  const kind = kindAt(map, a);
  const bus = m.bus;
  const where = `0x${a.toString(16)} (${kind})`;
  for (const size of sizes) {
    const addr = (a & ~(size - 1)) >>> 0;
    const read = () => (size === 4 ? bus.read32(addr) : size === 2 ? bus.read16(addr) : bus.read8(addr));
    const write = (v: number) => (size === 4 ? bus.write32(addr, v) : size === 2 ? bus.write16(addr, v) : bus.write8(addr, v));
    let r: ReturnType<typeof access>;
    let w: ReturnType<typeof access>;
    try {
      r = access(read);
      w = access(() => write(kind === 'ram' ? 0x5a : 0));
    } catch (e) {
      assert.fail(`${where}, ${size}-byte access: the bus threw ${(e as Error)?.stack ?? String(e)}`);
    }
    if (kind === 'hole') {
      assert.equal(r, 'bus-error', `${where}: a ${size}-byte read of a hole must be an external abort`);
      assert.equal(w, 'bus-error', `${where}: a ${size}-byte write to a hole must be an external abort`);
      continue;
    }
    assert.notEqual(r, 'bus-error', `${where}: a ${size}-byte read must not abort`);
    assert.notEqual(w, 'bus-error', `${where}: a ${size}-byte write must not abort`);
    if (kind === 'tagged') assert.equal(r, 0, `${where}: tagged ranges read as zero`);
    if (kind === 'ram') assert.equal(access(read), 0x5a, `${where}: RAM keeps what was written`);
  }
}

for (const board of boardNames()) {
  test(`the ${board} board's map: every page, each device's first and last word and the holes read and write as the board says`, () => {
    const m = createMachine(board);
    const map = mapOf(board);
    // Every page: its first and last word, as words (and bytes at the first).
    for (let page = 0; page < 0x100000; page++) {
      const a = page * 0x1000;
      checkAddress(m, map, a, [4, 1]);
      checkAddress(m, map, a + 0xffc, [4]);
    }
    // Every window's first and last word, and the bytes just outside it, at every size.
    for (const r of map) {
      for (const a of [r.base, r.end - 4, r.end - 2, r.end - 1, r.base - 1, r.end]) {
        if (a < 0 || a > 0xffffffff) continue;
        checkAddress(m, map, a, [4, 2, 1]);
      }
    }
  });
}

test('the shipped vexpress-a9 board: a guest load from the lan9118 range (0x4e000050) reads zero instead of crashing the bus', () => {
  const m = createMachine('vexpress-a9');
  assert.equal(m.cpu.read32(0x4e000050), 0);
  assert.equal(m.cpu.read32(0x4f000000), 0);
  assert.equal(m.cpu.read32(0x47fffffc), 0);
  assert.equal(m.cpu.read32(0x45fe5000), 0);
});

// ---- 4. a guest stuck taking exceptions ------------------------------------------

function putWords(m: ReturnType<typeof createMachine>, a: number, words: number[]): void {
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  m.bus.loadBytes(a, b);
}

function cpuState(m: ReturnType<typeof createMachine>): unknown {
  const c = m.cpu.cp15;
  return {
    r: Array.from(m.cpu.r), pc: m.cpu.pc >>> 0, cpsr: m.cpu.cpsr, spsr: Array.from(m.cpu.spsr), bankLr: Array.from(m.cpu.bankLr), bankSp: Array.from(m.cpu.bankSp), icount: m.cpu.icount,
    ifsr: c.ifsr, ifar: c.ifar, dfsr: c.dfsr, dfar: c.dfar,
    errs: m.guestErrors.map((e) => `${e.message}@${e.pc.toString(16)}`),
  };
}

// Vectors at 0x60000000 (VBAR): undefined returns to the faulting instruction
// (subs pc, lr, #4), data abort retries it (subs pc, lr, #8).
const VECTORS = [0xeafffffe, 0xe25ef004, 0xeafffffe, 0xeafffffe, 0xe25ef008, 0, 0xeafffffe, 0xeafffffe];
// mov r0, #0x60000000; mcr p15, 0, r0, c12, c0, 0 (VBAR); mov r1, #0; then the instruction under test.
const SETUP = [0xe3a00206, 0xee0c0f10, 0xe3a01000];

test('a guest stuck taking exceptions: the architectural state after N exceptions is what it was before exceptions were made cheap', () => {
  // Figures from the interpreter before the change (same programs, same counts).
  const lr = 0x60000000 + 0x10c;
  const inRam = (extra: Partial<Record<string, unknown>>) => ({
    r: [0x60000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x6000000c], pc: lr, cpsr: 0x1d3,
    spsr: [0, 0, 0, 0, 0, 0x1d3], bankLr: [0, 0, 0, 0, 0, lr + 4], bankSp: [0, 0, 0, 0, 0, 0], icount: 1003,
    ifsr: 0, ifar: 0, dfsr: 0, dfar: 0, errs: [], ...extra,
  });
  const cases: Array<{ what: string; run: () => ReturnType<typeof createMachine>; expect: unknown }> = [
    {
      what: 'udf with every vector unmapped (prefetch abort after prefetch abort)',
      run: () => { const m = createMachine('vexpress-a9'); putWords(m, 0x60000000, [0xe7f000f0]); m.cpu.pc = 0x60000000; m.run(1001); return m; },
      expect: {
        r: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0x60000008], pc: 12, cpsr: 0x1d7, spsr: [0, 0, 0, 0, 0x1d7, 0x1d3],
        bankLr: [0, 0, 0, 0, 0, 0x60000004], bankSp: [0, 0, 0, 0, 0, 0], icount: 1001, ifsr: 8, ifar: 12, dfsr: 0, dfar: 0, errs: [],
      },
    },
    {
      what: 'a load from a hole retried by the data abort handler',
      run: () => runWithVectors(0xe5912000, 1003),
      expect: inRam({ r: [0x60000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x60000018], spsr: [0, 0, 0, 0, 0x1d3, 0], bankLr: [0, 0, 0, 0, lr + 8, 0], dfsr: 8 }),
    },
    {
      what: 'an undefined coprocessor instruction retried by the undefined handler',
      run: () => runWithVectors(0xee000710, 1003),
      expect: inRam({ errs: ['undefined instruction: MCR p7: no such coprocessor operation on Cortex-A9@6000010c'] }),
    },
    { what: 'udf retried by the undefined handler', run: () => runWithVectors(0xe7f000f0, 1003), expect: inRam({}) },
    {
      what: 'an encoding with no A32 row retried by the undefined handler',
      run: () => runWithVectors(0xf7f0a000, 1003),
      expect: inRam({ errs: ['undefined instruction: no A32 encoding matches 0xf7f0a000@6000010c'] }),
    },
    {
      what: 'a branch to Thumb code at an unmapped address',
      run: () => {
        const m = createMachine('vexpress-a9');
        putWords(m, 0x60000000, [0xe3a00201, 0xe2800a71, 0xe12fff10]); // mov r0, #0x10000000; add r0, #0x71000; bx r0
        m.cpu.pc = 0x60000000; m.run(500); return m;
      },
      expect: {
        r: [0x10071000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0x60000010], pc: 12, cpsr: 0x1d7, spsr: [0, 0, 0, 0, 0x1d7, 0],
        bankLr: [0, 0, 0, 0, 0, 0], bankSp: [0, 0, 0, 0, 0, 0], icount: 500, ifsr: 8, ifar: 12, dfsr: 0, dfar: 0, errs: [],
      },
    },
  ];
  for (const c of cases) assert.deepEqual(cpuState(c.run()), c.expect, c.what);
});

function runWithVectors(insn: number, count: number): ReturnType<typeof createMachine> {
  const m = createMachine('vexpress-a9');
  putWords(m, 0x60000000, VECTORS);
  putWords(m, 0x60000100, [...SETUP, insn]);
  m.cpu.pc = 0x60000100;
  m.run(count);
  return m;
}

test('a guest stuck on an undefined instruction: the guest error is reported once and its repeats are counted', () => {
  const m = runWithVectors(0xf7f0a000, 1003);
  assert.equal(m.guestErrors.length, 1);
  assert.equal(m.cpu.repeatedGuestErrors, 499);
});

// ---- 3. semihosting misuse ---------------------------------------------------------

const SVC_SEMI = 0xef123456;
const CODE = 0x60010000;
const DATA = 0x60020000;
const SYS_OPEN = 0x01, SYS_WRITE = 0x05, SYS_READ = 0x06, SYS_ERRNO = 0x13, SYS_HEAPINFO = 0x16, SYS_WRITE0 = 0x04, SYS_ELAPSED = 0x30;

function semihosted(host?: ReturnType<typeof nodeSemihostingHost>) {
  const m = createMachine('vexpress-a9');
  m.loadElf(parseElf(tinyElf(CODE, new Array(64).fill(SVC_SEMI))));
  const out = { bytes: 0, text: '' };
  m.enableSemihosting({ host: host ?? { console: (_s, d) => { out.bytes += d.length; if (d.length < 256) out.text += Buffer.from(d).toString('latin1'); } } });
  const call = (op: number, arg: number) => {
    m.cpu.r[0] = op; m.cpu.r[1] = arg;
    const before = m.cpu.icount;
    m.run(1);
    assert.equal(m.cpu.icount, before + 1, 'a semihosting call is one instruction');
    assert.equal(m.cpu.mode, 0x13, 'no exception was taken');
    return m.cpu.r[0] >>> 0;
  };
  const poke = (addr: number, ...words: number[]) => words.forEach((w, i) => m.bus.write32(addr + 4 * i, w >>> 0));
  const pokeString = (addr: number, str: string) => m.bus.loadBytes(addr, Buffer.from(str + '\0', 'latin1'));
  const open = (name: string, mode: number) => { pokeString(DATA + 0x100, name); poke(DATA + 0x200, DATA + 0x100, mode, name.length); return call(SYS_OPEN, DATA + 0x200); };
  return { m, out, call, poke, pokeString, open };
}

test('semihosting: a SYS_WRITE of length 0xffffffff returns what it did not write instead of hanging', () => {
  const t = semihosted();
  const h = t.open(':tt', 4);
  t.poke(DATA + 0x300, h, DATA, 0xffffffff);
  assert.equal(t.call(SYS_WRITE, DATA + 0x300), 0xffffffff - SEMIHOSTING_MAX_TRANSFER, 'clipped to one bounded transfer');
  assert.equal(t.out.bytes, SEMIHOSTING_MAX_TRANSFER);
  // A buffer running into the end of RAM (vexpress: 0x9fffffff) is clipped there.
  t.out.bytes = 0;
  t.m.bus.loadBytes(0x9ffffff0, Buffer.from('0123456789abcdef'));
  t.poke(DATA + 0x300, h, 0x9ffffff0, 0x100);
  assert.equal(t.call(SYS_WRITE, DATA + 0x300), 0x100 - 16);
  assert.equal(t.out.bytes, 16);
  assert.equal(t.out.text, '0123456789abcdef');
  // A write of 2.5 MiB in one call (the differential harness writes its results so) goes out whole.
  t.out.bytes = 0;
  t.poke(DATA + 0x300, h, 0x60100000, 0x280000);
  assert.equal(t.call(SYS_WRITE, DATA + 0x300), 0);
  assert.equal(t.out.bytes, 0x280000);
});

test('semihosting misuse (bad pointers, huge lengths) returns the architected error result, never an abort or a crash', () => {
  const t = semihosted();
  const dfsr = t.m.cpu.cp15.dfsr;
  // The parameter block itself in a hole.
  assert.equal(t.call(SYS_OPEN, 0x00000100), 0xffffffff);
  assert.equal(t.call(SYS_ERRNO, 0), 14, 'EFAULT');
  assert.equal(t.call(SYS_HEAPINFO, 0x00000100), 0xffffffff);
  assert.equal(t.call(SYS_ELAPSED, 0x00000100), 0xffffffff);
  // A parameter block pointing at a hole.
  t.poke(DATA + 0x400, 0x100);
  assert.equal(t.call(SYS_HEAPINFO, DATA + 0x400), 0xffffffff);
  const h = t.open(':tt', 4);
  t.poke(DATA + 0x300, h, 0x100, 64);
  assert.equal(t.call(SYS_WRITE, DATA + 0x300), 64, 'nothing written from a hole');
  const input = t.open(':tt', 0);
  t.poke(DATA + 0x300, input, 0x100, 0xffffffff);
  assert.equal(t.call(SYS_READ, DATA + 0x300), 0xffffffff, 'nothing read into a hole');
  // A name longer than any path, a string with no end in sight.
  t.poke(DATA + 0x200, DATA + 0x100, 0, 0xffffffff);
  assert.equal(t.call(SYS_OPEN, DATA + 0x200), 0xffffffff);
  t.m.bus.loadBytes(0x9ffffff0, Buffer.from('0123456789abcdef'));
  t.out.text = '';
  assert.equal(t.call(SYS_WRITE0, 0x9ffffff0) >>> 0, SYS_WRITE0, 'WRITE0 stops at the end of RAM');
  assert.equal(t.out.text, '0123456789abcdef');
  assert.equal(t.m.cpu.cp15.dfsr, dfsr, 'the fault status registers are untouched');
});

test('semihosting misuse of host files (a folder, a read-only handle, huge lengths) is an error result for the guest', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-semi-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'in.txt');
  fs.writeFileSync(file, 'hello');
  const s = semihosted(nodeSemihostingHost(() => {}));
  // A folder, for reading and for writing.
  assert.equal(s.open(dir, 0), 0xffffffff);
  assert.equal(s.call(SYS_ERRNO, 0), 21, 'EISDIR');
  assert.equal(s.open(dir, 4), 0xffffffff);
  // A write to a handle opened for reading.
  const h = s.open(file, 0);
  assert.notEqual(h, 0xffffffff);
  s.poke(DATA + 0x300, h, DATA, 4);
  assert.equal(s.call(SYS_WRITE, DATA + 0x300), 4, 'nothing written');
  assert.equal(s.call(SYS_ERRNO, 0), 9, 'EBADF');
  // A read of 0xffffffff bytes: the file's 5, the rest reported as not read.
  s.poke(DATA + 0x300, h, DATA + 0x1000, 0xffffffff);
  assert.equal(s.call(SYS_READ, DATA + 0x300), 0xffffffff - 5);
  assert.equal(Buffer.from(s.m.bus.readBytes(DATA + 0x1000, 5)).toString(), 'hello');
  // A read of a folder opened some other way (a handle whose reads fail).
  const w = s.open(path.join(dir, 'out.txt'), 4);
  s.poke(DATA + 0x300, w, DATA + 0x1000, 16);
  assert.equal(s.call(SYS_READ, DATA + 0x300), 16, 'reading a write-only handle reads nothing');
  // /dev/zero is not a file.
  assert.equal(s.open('/dev/zero', 0), 0xffffffff);
});

test('semihosting inside a scenario run cannot open host files: only the console and exit are served', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-semi-scenario-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const victim = path.join(dir, 'created-by-guest.txt');
  const secret = path.join(dir, 'secret.txt');
  fs.writeFileSync(secret, 'secret');
  // open(victim, "w"); store r0; open(secret, "r"); store r0; exit(0)
  const code = [
    0xe3001100, 0xe3461001, 0xe3a00001, SVC_SEMI, 0xe3002400, 0xe3462001, 0xe5820000, // r1 = block 1; open; [0x60010400] = r0
    0xe3001110, 0xe3461001, 0xe3a00001, SVC_SEMI, 0xe5820004, // r1 = block 2; open; [0x60010404] = r0
    0xe3a00018, 0xe3001026, 0xe3401002, SVC_SEMI, 0xeafffffe, // exit(ADP_Stopped_ApplicationExit)
  ];
  const words = [...code, ...new Array(0x40 - code.length).fill(0)];
  const names = Buffer.alloc(0x200);
  names.write(victim + '\0', 0, 'latin1');
  names.write(secret + '\0', 0x100, 'latin1');
  words.push(0x60010200, 4, victim.length, 0, 0x60010300, 0, secret.length, 0); // blocks at 0x60010100 and 0x60010110
  while (words.length < 0x80) words.push(0);
  for (let i = 0; i < names.length; i += 4) words.push(names.readUInt32LE(i));
  words.push(0x12345678, 0x12345678);
  const elf = path.join(dir, 'prog.elf');
  fs.writeFileSync(elf, tinyElf(0x60010000, words));
  const s = scenarioFromText('name: no host files\nboard: vexpress-a9\nconsole: uart0\nboot:\n  kernel: prog.elf\n  semihosting: true\nexpect:\n  end: exit\n', 'no-host-files.yaml', dir);
  const r = runScenario(s);
  assert.ok(r.machine, 'the run keeps its machine');
  assert.equal(r.machine!.bus.read32(0x60010400) >>> 0, 0xffffffff, 'opening a host file for writing fails');
  assert.equal(r.machine!.bus.read32(0x60010404) >>> 0, 0xffffffff, 'opening a host file for reading fails');
  assert.equal(fs.existsSync(victim), false, 'no file was created');
});

// ---- 2. board files that validate but would crash at run time ---------------------------

import { spawnSync } from 'node:child_process';
import { Machine } from '../../machine/machine';
import { DEVICE_TYPES } from '../../machine/devices/registry';
import { InputFileError } from '../../scenario/file/yaml-file';
import { ROOT } from '../support/environment';

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bringup'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = `name: tiny
cpu: { model: cortex-a9 }
memory:
  - { name: ram, base: 0x60000000, size: 16MiB }
devices:
  - name: gic
    type: arm,gic-v1
    regions: { distributor: 0x1e001000, cpu: 0x1e000100 }
    props: { num-irqs: 96, cpus: 1 }
    irq: [cpu:irq, cpu:fiq]
  - name: timer
    type: arm,sp804
    regions: { registers: 0x10011000 }
    props: { clock-hz: 1000000 }
    irq: [gic:34]
tagged:
  - { name: flash, base: 0x40000000, size: 0x8000000 }
boot: { protocol: dtb }
`;

function withBoardDir(t: { after(fn: () => void): void }): (name: string, text: string) => string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-robust-board-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return (name, text) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
}

test('a board file with a 4 GiB RAM bank loads an image and runs instead of looping in loadBytes', (t) => {
  const write = withBoardDir(t);
  const f = write('all-ram.yaml', 'name: all-ram\ncpu: { model: cortex-a9 }\nmemory:\n  - { name: ram, base: 0, size: 4GiB }\nboot: { protocol: dtb }\n');
  const m = createMachine(f);
  m.loadElf(parseElf(tinyElf(0x1000, [0xe3a00005, 0xeafffffe]))); // mov r0, #5; b .
  m.run(10);
  assert.equal(m.cpu.r[0], 5);
  assert.equal(m.bus.read32(0xfffffffc), 0, 'the last word is RAM too');
});

test('board files that validate but would fail at run time are refused when loaded, with file:line:column and the rule', (t) => {
  const write = withBoardDir(t);
  const cases: Array<[string, string, string, RegExp]> = [
    ['zero-ram', TINY.replace('size: 16MiB', 'size: "0"'), 'size: "0"', /a size must be at least 1 byte/],
    ['huge-ram', TINY.replace('size: 16MiB', 'size: 8GiB'), 'size: 8GiB', /a size must be at most 4 GiB/],
    ['num-irqs', TINY.replace('num-irqs: 96', 'num-irqs: 33'), 'num-irqs: 33', /property 'num-irqs' must be a multiple of 32 from 32 to 992 \(got 33\)/],
    ['priority-bits', TINY.replace('cpus: 1 }', 'cpus: 1, priority-bits: 3 }'), 'priority-bits: 3', /property 'priority-bits' must be an integer from 4 to 8 \(got 3\)/],
    ['clock-hz', TINY.replace('clock-hz: 1000000', 'clock-hz: 0'), 'clock-hz: 0', /property 'clock-hz' must be an integer from 1 to 4294967295 \(got 0\)/],
    ['cpus', TINY.replace('cpus: 1 }', 'cpus: 1e11 }'), 'cpus: 1e11', /property 'cpus' must be an integer from 1 to 8 \(got 100000000000\)/],
    ['unknown-prop', TINY.replace('clock-hz: 1000000', 'clock-hz: 1000000, clock: 5'), 'clock: 5', /a arm,sp804 has no property 'clock' \(it has clock-hz\)/],
    ['tagged-zero', TINY.replace('size: 0x8000000', 'size: "0"'), 'size: "0"', /a size must be at least 1 byte/],
    ['region-zero', TINY.replace('regions: { registers: 0x10011000 }', 'regions: { registers: { base: 0x10011000, size: "0" } }'), 'size: "0"', /a size must be at least 1 byte/],
    ['unaligned-region', TINY.replace('registers: 0x10011000', 'registers: 0x10011002'), 'registers: 0x10011002', /timer.registers: base and size must be multiples of 4 bytes/],
    ['unaligned-ram', TINY.replace('base: 0x60000000', 'base: 0x60000800'), 'base: 0x60000800', /memory ram: base and size must be multiples of 4 KiB/],
    ['tagged-past-4g', TINY.replace('base: 0x40000000, size: 0x8000000', 'base: 0xfffff000, size: 0x2000'), 'base: 0xfffff000', /ends past the 4 GiB address space/],
    ['overlap', TINY.replace('base: 0x40000000, size: 0x8000000', 'base: 0x10011000, size: 0x1000'), 'base: 0x10011000, size: 0x1000', /overlaps timer.registers/],
    ['irq-past-num-irqs', TINY.replace('gic:34', 'gic:100'), 'gic:100', /'gic' has 96 interrupt inputs; 100 does not exist/],
    ['ram-base', TINY.replace('boot: { protocol: dtb }', 'boot: { protocol: dtb, ram-base: 0x20000000 }'), 'ram-base', /boot RAM base 0x20000000 is not in any memory bank/],
    ['string-prop', TINY.replace('clock-hz: 1000000', 'clock-hz: "1MHz"'), 'clock-hz: "1MHz"', /must be number/],
  ];
  for (const [name, text, needle, problem] of cases) {
    const f = write(`${name}.yaml`, text);
    const line = text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    try {
      loadBoard(f);
      assert.fail(`${name}: accepted`);
    } catch (e) {
      assert.ok(e instanceof InputFileError, `${name}: ${String(e)}`);
      assert.match(e.problem, problem, name);
      assert.equal(e.line, line, `${name}: ${e.message}`);
      assert.ok(e.column > 0, `${name}: ${e.message}`);
    }
  }
  // The same file through the command line: exit 2 with file:line:column, for validate and for a run.
  const f = write('cli.yaml', TINY.replace('num-irqs: 96', 'num-irqs: 33'));
  const elf = write('spin.elf', '');
  fs.writeFileSync(elf, tinyElf(0x60010000, [0xeafffffe]));
  const v = bringup('validate', f);
  const x = bringup('exec', '--board', f, '--max-insns', '1000', elf);
  for (const r of [v, x]) {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:9:\\d+: .*property 'num-irqs' must be a multiple of 32 from 32 to 992 \\(got 33\\)`));
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  }
});

test('a device refuses the same property values with the same message when a board skips the board-file check', () => {
  const spec = loadBoard('vexpress-a9');
  for (const [type, props, problem] of [
    ['arm,gic-v1', { 'num-irqs': 33 }, "property 'num-irqs' must be a multiple of 32 from 32 to 992 (got 33)"],
    ['arm,sp804', { 'clock-hz': 0 }, "property 'clock-hz' must be an integer from 1 to 4294967295 (got 0)"],
    ['arm,cortex-a9-scu', { cpus: 1e11 }, "property 'cpus' must be an integer from 1 to 4 (got 100000000000)"],
  ] as const) {
    const bad = { ...spec, devices: spec.devices.map((d) => (d.type === type ? { ...d, props: { ...d.props, ...props } } : d)) };
    assert.throws(() => new Machine(bad, DEVICE_TYPES), (e: Error) => e.message.endsWith(problem), type);
  }
});
