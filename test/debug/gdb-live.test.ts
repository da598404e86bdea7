/**
 * `bringup exec --gdb` with the real gdb-multiarch in batch mode: break at a
 * symbol, registers (core and VFP), memory, a watchpoint stopping at the
 * write with the old and new value, two cores as two threads, stepi, the
 * stdin/stdout mode (`target remote | bringup ... --gdb -`); Ctrl-C and a
 * second client over a raw connection; the live target in process; and the
 * usage errors of --gdb. Every stub started here is killed when its test
 * ends, and temporary files are removed.
 */

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ROOT, requireTools, toolSkip, toolsOff } from '../support/environment';
import { tinyElf } from '../support/tiny-elf';
import { tempDir } from '../support/temp-dirs';
import { parseElf } from '../../machine/loaders/elf';
import { bootBoard } from '../../scenario/boards';
import { LiveTarget } from '../../debug/live-target';
import { PacketDecoder, framePacket } from '../../debug/rsp/packets';

const BRINGUP = path.join(ROOT, 'bin', 'bringup');
const FP = path.join(ROOT, 'test', 'programs', 'build', 'vfp', 'fp.elf');
const SMP = path.join(ROOT, 'test', 'programs', 'build', 'smp', 'smp_atomics.elf');
const GDB = 'gdb-multiarch';
const gdbSkip = toolSkip(GDB);
/** End-to-end tests (a bringup process) are left out of npm run test:fast, as test/cli's are. */
const processSkip = toolsOff() ? 'starts bringup processes: end-to-end tests are not run by npm run test:fast' : undefined;

interface Stub { port: number; child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> }

/** Starts `bringup ARGS --gdb 0` and waits for the port it listens on; killed when the test ends. */
async function startStub(t: TestContext, args: string[]): Promise<Stub> {
  const child = spawn(process.execPath, [BRINGUP, ...args, '--gdb', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let err = '', out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /waiting for gdb on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    void exit.then((code) => reject(new Error(`bringup ended (${code}) before listening: ${err}`)));
  });
  return { port, child, stdout: () => out, stderr: () => err, exit };
}

/** Runs gdb-multiarch in batch mode with these commands; its stdout and stderr together. */
function gdb(commands: string[], cwd = ROOT): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(GDB, ['-nx', '-batch', ...commands.flatMap((c) => ['-ex', c])], { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('close', (status) => resolve({ status, out }));
  });
}

const value = (out: string, n: number): string | undefined => new RegExp(`^\\$${n} = (.*)$`, 'm').exec(out)?.[1];

test('gdb-multiarch breaks at a symbol of an exec run, shows the core and VFP registers and memory, and steps one instruction', { skip: gdbSkip }, async (t) => {
  requireTools(GDB);
  const stub = await startStub(t, ['exec', '--board', 'vexpress-a9', '--semihosting', FP]);
  const text = parseElf(fs.readFileSync(FP)).segments.find((s) => s.paddr <= 0x60010000 && 0x60010000 < s.paddr + s.data.length)!;
  const words = Array.from({ length: 4 }, (_, i) => Buffer.from(text.data).readUInt32LE(0x60010000 - text.paddr + 4 * i));
  const r = await gdb([
    `target remote 127.0.0.1:${stub.port}`,
    `add-symbol-file ${FP} 0x60010000`,
    'break put_fixed', 'continue',
    'info registers',
    'p $d0', 'p/x $fpexc', 'p/x $fpsid', 'p/x $fpscr',
    'info all-registers',
    'x/s $r0',
    'x/4wx 0x60010000',
    'p/x $pc', 'stepi', 'p/x $pc',
    'x/4wx 0x10009000',
    'monitor phys 0x60010000 16',
    'monitor phys 0x10009000 4',
    'detach',
  ]);
  assert.match(r.out, /Breakpoint 1, 0x[0-9a-f]+ in put_fixed \(\)/, r.out);
  // info registers: the core registers, pc at the breakpoint, a CPSR in SVC mode with the Thumb bit (hard-float code is Thumb-2).
  assert.match(r.out, /^r0\s+0x[0-9a-f]+/m);
  assert.match(r.out, /^sp\s+0x6001[0-9a-f]{4}/m);
  assert.match(r.out, /^pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <put_fixed\+\d+>/m);
  assert.match(r.out, /^cpsr\s+0x[0-9a-f]*(1f3|1d3|33|13)\s/m, 'SVC mode');
  // The first call prints the Leibniz series' pi: its value is the double argument in d0.
  assert.match(value(r.out, 1) ?? '', /^3\.141/, r.out);
  assert.equal(value(r.out, 2), '0x40000000', 'FPEXC.EN set by crt0');
  assert.equal(value(r.out, 3), '0x41033090', 'FPSID of the Cortex-A9 VFP');
  assert.match(value(r.out, 4) ?? '', /^0x[0-9a-f]+$/);
  assert.match(r.out, /^d15\s/m, 'info all-registers lists d0-d15');
  assert.match(r.out, /^fpsid\s+0x41033090/m);
  assert.match(r.out, /^s0\s/m, 'and the single-precision views gdb derives from them');
  assert.match(r.out, /"leibniz pi"/);
  assert.match(r.out, new RegExp(`0x60010000 <_start>:\\s+${words.map((w) => `0x${w.toString(16).padStart(8, '0')}`).join('\\s+')}`));
  const before = Number(value(r.out, 5)), after = Number(value(r.out, 6));
  assert.ok(after === before + 2 || after === before + 4, `stepi went from 0x${before.toString(16)} to 0x${after.toString(16)}`);
  assert.match(r.out, /Cannot access memory at address 0x10009000/, 'device registers are not read');
  assert.match(r.out, new RegExp(`^60010000: ${words.map((w) => w.toString(16).padStart(8, '0')).join(' ')}`, 'm'), 'monitor phys: physical memory as words');
  assert.match(r.out, /phys: 0x10009000 is not RAM/);
  assert.match(r.out, /Inferior 1 \(Remote target\) detached/);
  assert.equal(await stub.exit, 0);
  assert.match(stub.stderr(), /add-symbol-file \S*fp\.elf 0x60010000/, 'the attach line names the image at its text address');
  assert.match(stub.stderr(), /gdb detached after \d+ instructions at pc=0x/);
});

test('a watchpoint stops two-core execution at the write with the old and new value; info threads shows both cores, each with its own registers', { skip: gdbSkip }, async (t) => {
  requireTools(GDB);
  const stub = await startStub(t, ['exec', '--board', 'vexpress-a9', '--semihosting', '--smp', '2', SMP]);
  const r = await gdb([
    `target remote 127.0.0.1:${stub.port}`,
    `add-symbol-file ${SMP} 0x60010000`,
    'watch *(unsigned int *)&ldrex_counter', 'continue',
    'x/i $pc - 4',
    'info threads',
    'p/x $sp',
    'thread 2', 'p/x $pc', 'p/x $sp', 'info registers pc',
    'thread 1',
    'delete', 'continue',
  ]);
  assert.match(r.out, /Hardware watchpoint 1: \*\(unsigned int \*\)&ldrex_counter\s+Old value = 0\s+New value = 1/, r.out);
  // Stopped right after the instruction that wrote: the STREX of atomic_add.
  assert.match(r.out, /<atomic_add\+\d+>:\s+strex\s/, r.out);
  const threads = /Id\s+Target Id[^\n]*\n([\s\S]*?)\n\$1/.exec(r.out)?.[1] ?? '';
  assert.match(threads, /^\*\s+1\s+Thread 1 \(core 0, svc, [^)]*\)/m, threads);
  assert.match(threads, /^\s+2\s+Thread 2 \(core 1, svc, [^)]*\) (0x[0-9a-f]+) in /m, threads);
  const pc2 = /^\s+2\s+Thread 2 \([^)]*\) (0x[0-9a-f]+)/m.exec(threads)![1];
  assert.match(r.out, /Switching to thread 2 \(Thread 2\)/);
  assert.equal(Number(value(r.out, 2)), Number(pc2), 'thread 2 shows core 1\'s pc');
  assert.notEqual(value(r.out, 3), value(r.out, 1), 'and its own stack');
  assert.match(r.out, /\[Inferior 1 \(Remote target\) exited normally\]/);
  assert.equal(await stub.exit, 0, 'the program\'s exit code');
});

test('gdb-multiarch attaches through a pipe with --gdb - (target remote | bringup exec ...): the console goes to stderr', { skip: gdbSkip }, async () => {
  requireTools(GDB);
  const r = await gdb([
    `target remote | ${process.execPath} ${BRINGUP} exec --board vexpress-a9 --semihosting --gdb - ${FP}`,
    `add-symbol-file ${FP} 0x60010000`,
    'break main', 'continue', 'monitor icount', 'monitor console', 'continue',
  ]);
  assert.match(r.out, /Breakpoint 1, 0x[0-9a-f]+ in main \(\)/, r.out);
  assert.match(r.out, /core 0 \(selected\): \d+ pc=0x[0-9a-f]{8}\ntime: \d+/);
  assert.match(r.out, /\(no console output yet\)/);
  assert.match(r.out, /fp: PASS/);
  assert.match(r.out, /\[Inferior 1 \(Remote target\) exited normally\]/);
  assert.equal(r.status, 0);
});

test('gdb-multiarch attaches to bringup run --gdb: the hypervisor and its domain are named for add-symbol-file, both cores are threads, and the run ends with its verdict', { skip: gdbSkip }, async (t) => {
  requireTools(GDB);
  const scenario = path.join(ROOT, 'features', 'scenarios', 'hyp-smp-pingpong.yaml');
  const stub = await startStub(t, ['run', scenario]);
  const attach = /^  gdb-multiarch .*$/m.exec(stub.stderr())?.[0] ?? '';
  assert.match(attach, /-ex 'add-symbol-file \S*firmware\/build\/hypervisor\.elf 0x100000'/, stub.stderr());
  assert.match(attach, /-ex 'add-symbol-file \S*firmware\/build\/guests\/pingpong\.elf 0x[0-9a-f]+'/);
  const r = await gdb([`target remote 127.0.0.1:${stub.port}`, 'info threads', 'p/x $pc', 'continue']);
  assert.match(r.out, /1\s+Thread 1 \(core 0, svc, runs, clock 0\)/, r.out);
  assert.match(r.out, /2\s+Thread 2 \(core 1, svc, held in reset, clock 0\)/);
  assert.equal(value(r.out, 1), '0x100000', 'stopped at the first instruction');
  assert.match(r.out, /\[Inferior 1 \(Remote target\) exited normally\]/);
  assert.equal(await stub.exit, 0);
  assert.match(stub.stdout(), /^PASS two domains on two CPUs ping-pong an event/m);
});

/** A raw protocol client: sends packets, waits for replies. */
class RawClient {
  private readonly decoder = new PacketDecoder();
  readonly replies: string[] = [];
  private wake: (() => void) | undefined;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      for (const e of this.decoder.push(d)) if (e.kind === 'packet') this.replies.push(e.data.toString('latin1'));
      this.wake?.();
    });
  }
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.on('error', reject);
    });
  }
  async next(): Promise<string> {
    while (!this.replies.length) await new Promise<void>((r) => { this.wake = r; });
    return this.replies.shift()!;
  }
  send(payload: string): void { this.socket.write(framePacket(payload)); }
}

test('Ctrl-C (0x03) stops a continue that would never end (SIGINT stop reply); a second client is refused while one is attached', { skip: processSkip }, async (t) => {
  const dir = tempDir('bringup-gdb-live-');
  const spin = path.join(dir, 'spin.elf');
  fs.writeFileSync(spin, tinyElf(0x60010000, [0xe2800001, 0xeafffffd], { symbols: [['spin', 0x60010000]] })); // add r0, r0, #1; b spin
  const stub = await startStub(t, ['exec', '--board', 'vexpress-a9', '--max-insns', '0', spin]);
  const c = await RawClient.connect(stub.port);
  t.after(() => c.socket.destroy());
  c.send('QStartNoAckMode');
  assert.equal(await c.next(), 'OK');
  const second = await new Promise<string>((resolve) => {
    const s = net.connect(stub.port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => { text += d.toString(); });
    s.on('close', () => resolve(text));
    s.on('error', () => resolve(text));
  });
  assert.match(second, /already attached/);
  c.send('vCont;c');
  await new Promise((r) => setTimeout(r, 300));
  c.socket.write(Buffer.from([0x03]));
  assert.equal(await c.next(), 'T02thread:1;');
  c.send('p0');
  const r0 = Buffer.from(await c.next(), 'hex').readUInt32LE(0);
  assert.ok(r0 > 1000, `the loop ran (r0 = ${r0})`);
  c.send('D');
  assert.equal(await c.next(), 'OK');
  assert.equal(await stub.exit, 0);
  assert.match(stub.stderr(), /gdb detached after \d+ instructions at pc=0x6001000[04] \(spin/);
  assert.match(stub.stderr(), /connection from 127\.0\.0\.1:\d+ refused: a debugger is already attached/);
});

test('Ctrl-C in the terminal of bringup exec --gdb, while it waits for gdb, ends it cleanly with 130', { skip: processSkip }, async (t) => {
  const stub = await startStub(t, ['exec', '--board', 'vexpress-a9', '--semihosting', FP]);
  stub.child.kill('SIGINT');
  assert.equal(await stub.exit, 130);
  assert.match(stub.stderr(), /interrupted \(SIGINT\) after 0 instructions/);
  assert.doesNotMatch(stub.stderr(), /internal error|at .*\.js:\d+/);
});

test('the live target reads RAM through the core\'s translation and refuses device registers without touching them; it writes registers and memory', () => {
  const elf = tinyElf(0x60010000, [0xe3a00005, 0xe2800001, 0xeafffffd]); // mov r0, #5; add r0, r0, #1; b .-4
  const { machine } = bootBoard({ board: 'vexpress-a9', program: { name: 'tiny', data: elf } });
  const target = new LiveTarget(machine);
  try {
    assert.deepEqual([...target.readMemory(0, 0x60010000, 4)!], [0x05, 0x00, 0xa0, 0xe3]);
    let mmio = 0;
    const off = machine.probes.mmioRead.subscribe(() => { mmio++; });
    assert.equal(target.readMemory(0, 0x10009000, 4), undefined, 'the UART');
    assert.equal(target.readMemory(0, 0x6001fffe, 4) !== undefined, true, 'across a page boundary in RAM');
    off();
    assert.equal(mmio, 0, 'no device was read');
    assert.match(target.writeMemory(0, 0x10009000, Uint8Array.of(0x41)) ?? '', /not RAM/);
    assert.equal(target.writeMemory(0, 0x60010004, Uint8Array.of(0x02, 0x00, 0x80, 0xe2)), undefined, 'add r0, r0, #2');
    assert.equal(target.setRegister(0, 'd3', [0x11111111, 0x22222222]), undefined);
    assert.deepEqual(target.registers(0).d[3], [0x11111111, 0x22222222]);
    assert.equal(target.setRegister(0, 1, 0xabcdef01), undefined);
    assert.equal(target.registers(0).r[1], 0xabcdef01);
    assert.equal(target.describeCore(0), 'core 0, svc, runs, clock 0');
  } finally {
    target.dispose();
  }
});

test('the live target stops before a breakpoint, steps over it, stops at it again after a continue, and is interrupted by its signal', async () => {
  const elf = tinyElf(0x60010000, [0xe3a00005, 0xe2800001, 0xeafffffd]); // mov r0, #5; 1: add r0, r0, #1; b 1b
  const { machine } = bootBoard({ board: 'vexpress-a9', program: { name: 'tiny', data: elf } });
  const target = new LiveTarget(machine, { slice: 1000 });
  const never = new AbortController().signal;
  try {
    target.addBreakpoint('software', 0x60010004);
    assert.deepEqual(await target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: never }), { kind: 'breakpoint', core: 0, type: 'software', address: 0x60010004 });
    assert.equal(target.registers(0).r[15], 0x60010004);
    assert.equal(target.registers(0).r[0], 5, 'stopped before the add');
    assert.equal(machine.cpu.icount, 1);
    assert.deepEqual(await target.resume({ direction: 'forward', mode: 'step', core: 0, interrupt: never }), { kind: 'step', core: 0 });
    assert.equal(target.registers(0).r[0], 6);
    assert.deepEqual(await target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: never }), { kind: 'breakpoint', core: 0, type: 'software', address: 0x60010004 });
    assert.equal(target.registers(0).r[0], 6);
    target.removeBreakpoint('software', 0x60010004);
    const ctl = new AbortController();
    const running = target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: ctl.signal });
    await new Promise((r) => setImmediate(r));
    ctl.abort();
    assert.deepEqual(await running, { kind: 'interrupted', core: 0 });
    assert.ok(target.registers(0).r[0] > 6);
    assert.equal(target.ended, undefined);
  } finally {
    target.dispose();
  }
});

test('a breakpoint or watchpoint stop does not make another hook or watcher at that place (a scenario fault counting executions) see the instruction twice', async () => {
  // movw r1, #0; movt r1, #0x6002; mov r0, #7; str r0, [r1]; b .
  const elf = tinyElf(0x60010000, [0xe3001000, 0xe3461002, 0xe3a00007, 0xe5810000, 0xeafffffe]);
  const { machine } = bootBoard({ board: 'vexpress-a9', program: { name: 'tiny', data: elf } });
  let executions = 0, accesses = 0;
  const offExec = machine.probes.exec.at(0x60010008, () => { executions++; return false; });
  const offAccess = machine.probes.access.watch(0x60020000, 0x60020003, () => { accesses++; });
  const target = new LiveTarget(machine, { limit: 10_000, slice: 1000 });
  const never = new AbortController().signal;
  try {
    target.addBreakpoint('software', 0x60010008);
    target.addWatchpoint('write', 0x60020000, 4);
    assert.equal((await target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: never })).kind, 'breakpoint');
    assert.equal(executions, 0, 'the stop came first');
    assert.equal((await target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: never })).kind, 'watchpoint');
    assert.equal(executions, 1);
    assert.equal(accesses, 0, 'the stop came first');
    assert.equal((await target.resume({ direction: 'forward', mode: 'step', core: 0, interrupt: never })).kind, 'step');
    assert.equal(accesses, 1);
    assert.equal((await target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: never })).kind, 'exited');
    assert.deepEqual([executions, accesses], [1, 1], 'each seen once, as without a debugger');
  } finally {
    target.dispose();
    offExec();
    offAccess();
  }
});

test('a live watchpoint stops before the instruction that writes (memory unchanged, pc at it), and the step after it makes the write once', async () => {
  // movw r1, #0; movt r1, #0x6002; mov r0, #7; str r0, [r1]; b .
  const elf = tinyElf(0x60010000, [0xe3001000, 0xe3461002, 0xe3a00007, 0xe5810000, 0xeafffffe]);
  const { machine } = bootBoard({ board: 'vexpress-a9', program: { name: 'tiny', data: elf } });
  const target = new LiveTarget(machine, { limit: 10_000, slice: 1000 });
  const never = new AbortController().signal;
  const word = () => Buffer.from(target.readMemory(0, 0x60020000, 4)!).readUInt32LE(0);
  try {
    assert.ok(target.addWatchpoint('write', 0x60020000, 4));
    assert.ok(target.addWatchpoint('read', 0x60020000, 4), 'a read watchpoint is not hit by a write');
    assert.deepEqual(await target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: never }), { kind: 'watchpoint', core: 0, type: 'write', address: 0x60020000 });
    assert.equal(target.registers(0).r[15], 0x6001000c, 'at the STR');
    assert.equal(machine.cpu.icount, 3, 'the STR has not executed');
    assert.equal(word(), 0);
    assert.deepEqual(await target.resume({ direction: 'forward', mode: 'step', core: 0, interrupt: never }), { kind: 'step', core: 0 });
    assert.equal(word(), 7);
    assert.equal(target.registers(0).r[15], 0x60010010);
    assert.equal(machine.cpu.icount, 4);
    assert.equal((await target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: never })).kind, 'exited', 'no second hit: the loop does not write');
  } finally {
    target.dispose();
  }
});

test('the live target reports the end of the run (the instruction limit here) as an exit, and every resume after it the same', async () => {
  const elf = tinyElf(0x60010000, [0xeafffffe]);
  const { machine } = bootBoard({ board: 'vexpress-a9', program: { name: 'tiny', data: elf } });
  const target = new LiveTarget(machine, { limit: 5000, slice: 1000 });
  const never = new AbortController().signal;
  try {
    assert.deepEqual(await target.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: never }), { kind: 'exited', code: 3, reason: 'the instruction limit' });
    assert.equal(target.ended?.kind, 'limit');
    assert.equal((await target.resume({ direction: 'forward', mode: 'step', core: 0, interrupt: never })).kind, 'exited');
    assert.equal(machine.cpu.icount, 5000);
  } finally {
    target.dispose();
  }
});

test('--gdb with a value that is not a port is a usage error, as is --gdb with --record on bringup run, and a port in use', { skip: processSkip }, async (t) => {
  const run = (args: string[]) => new Promise<{ status: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BRINGUP, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (status) => resolve({ status, err }));
  });
  const bad = await run(['exec', '--board', 'vexpress-a9', '--gdb=abc', FP]);
  assert.equal(bad.status, 2);
  assert.match(bad.err, /--gdb abc: give a TCP port/);
  const scenario = path.join(ROOT, 'features', 'scenarios', 'hyp-smp-pingpong.yaml');
  const rec = await run(['run', scenario, '--gdb', '--record', 'x.bur']);
  assert.equal(rec.status, 2);
  assert.match(rec.err, /--gdb and --record/);
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const busy = await run(['exec', '--board', 'vexpress-a9', '--gdb', String(port), FP]);
  assert.equal(busy.status, 2);
  assert.match(busy.err, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
  assert.doesNotMatch(busy.err, /internal error/);
});
