/**
 * Reverse execution with the real gdb-multiarch in batch mode against
 * `bringup replay REC --gdb`: reverse-stepi against stepi, a watchpoint in
 * reverse, reverse-finish, the beginning of the recording, two cores.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, toolSkip, requireTools } from '../support/environment';
import { RecordingReader } from '../../replay/reader';
import { openReplay } from '../../scenario/record/recording';
import { resolveTarget } from '../../replay/targets';
import { AddressSpaces } from '../../replay/symbols';
import { recordDebugSmpRun } from '../support/smp-program';

const GDB = 'gdb-multiarch';
const skip = toolSkip(GDB);
const BRINGUP = path.join(ROOT, 'bin', 'bringup');
const DIVDI3 = path.join(ROOT, 'recordings', 'divdi3-crash.bur');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-gdb-reverse-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The hypervisor image the recording embeds (the one in firmware/build/ may have been rebuilt since), for gdb's symbols. */
const HYPERVISOR = path.join(tmp, 'hypervisor.elf');
fs.writeFileSync(HYPERVISOR, openReplay(RecordingReader.open(DIVDI3), { onNotice: () => {} }).boot.kernel);

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** gdb in batch mode, with the replay served on its stdin/stdout (`target remote | bringup replay ... --gdb -`). */
function gdbOnReplay(replayArgs: string[], commands: string[]): string {
  const server = [process.execPath, BRINGUP, 'replay', ...replayArgs, '--gdb', '-'].map(shellQuote).join(' ');
  // A seek on a long recording can take longer than gdb's default 2 s packet timeout.
  const r = spawnSync(GDB, ['-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set confirm off', '-ex', 'set remotetimeout 60', '-ex', `target remote | ${server} 2>/dev/null`,
    ...commands.flatMap((c) => ['-ex', c])], { encoding: 'utf8', timeout: 120_000, cwd: ROOT });
  assert.equal(r.error, undefined, `gdb: ${r.error}`);
  return `${r.stdout}\n${r.stderr}`;
}

/** The blocks of output between `echo ==N==` markers. */
function blocks(out: string): Map<string, string> {
  const map = new Map<string, string>();
  const parts = out.split(/^==(\w+)==$/m);
  for (let i = 1; i < parts.length; i += 2) map.set(parts[i], parts[i + 1].trim());
  return map;
}

/** Every register gdb shows (core, CPSR, VFP d0-d15, fpscr, fpsid, fpexc), with the value columns only. */
function registerBlock(text: string): string {
  return text.split('\n').filter((l) => /^\w+\s+0x/.test(l) || /^[ds]\d+\s/.test(l) || /^(fpscr|fpsid|fpexc|cpsr)\s/.test(l)).map((l) => l.replace(/\s+/g, ' ')).join('\n');
}

let crashAt: number | undefined;
function crash(): number {
  if (crashAt === undefined) {
    const rec = RecordingReader.open(DIVDI3);
    const s = openReplay(rec, { onNotice: () => {} });
    crashAt = resolveTarget({ kind: 'crash' }, rec, s.replayer, new AddressSpaces(s.boot)).icount;
  }
  return crashAt;
}

/** reverse-stepi n times then stepi n times, every register and two stack words after each: the states must mirror. */
function mirrored(replayArgs: string[], n: number, prelude: string[] = [], memory = '$sp'): { back: string[]; forward: string[]; out: string } {
  const cmds = [...prelude, 'echo ==b0==\\n', 'info all-registers', `x/2wx ${memory}`];
  for (let i = 1; i <= n; i++) cmds.push('reverse-stepi', `echo ==b${i}==\\n`, 'info all-registers', `x/2wx ${memory}`);
  for (let i = 1; i <= n; i++) cmds.push('stepi', `echo ==f${i}==\\n`, 'info all-registers', `x/2wx ${memory}`);
  cmds.push('echo ==end==\\n');
  const out = gdbOnReplay(replayArgs, cmds);
  const b = blocks(out);
  const state = (key: string) => {
    const text = b.get(key);
    assert.ok(text !== undefined, `gdb output has block ${key}:\n${out.slice(-3000)}`);
    return registerBlock(text) + '\n' + (text.match(/^0x[0-9a-f]+(?: <[^>]*>)?:\s.*$/m)?.[0] ?? '');
  };
  const back = Array.from({ length: n + 1 }, (_, i) => state(`b${i}`));
  const forward = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? state(`b${n}`) : state(`f${i}`)));
  return { back, forward, out };
}

test('gdb: reverse-stepi N times from the divdi3 crash gives exactly the states stepi gave from the earlier point (every register)', { skip }, () => {
  requireTools(GDB);
  const n = 12;
  const { back, forward, out } = mirrored([DIVDI3, '--to-crash'], n, [`add-symbol-file ${HYPERVISOR} 0x100000`]);
  assert.match(back[0], /^pc\s+0x106318/m, 'starts at the crash, in __divdi3');
  assert.match(back[0], /^d15 /m, 'VFP registers are shown');
  assert.match(back[0], /^fpexc /m);
  for (let i = 0; i <= n; i++) assert.equal(forward[n - i], back[i], `state after ${i} reverse-stepi(s) and after ${n - i} stepi(s):\n${out.slice(0, 2000)}`);
  assert.notEqual(back[0], back[n]);
});

test('gdb: reverse-continue with a watchpoint stops at the instruction that last wrote the address', { skip }, () => {
  requireTools(GDB);
  // The last write to the word below the stack pointer at the crash, found independently.
  const rec = RecordingReader.open(DIVDI3);
  const s = openReplay(rec, { onNotice: () => {} });
  s.replayer.resetTo(0, false);
  const m = s.replayer.machine;
  m.runUntil(crash());
  const address = (m.cpu.r[13] - 4) >>> 0;
  s.replayer.resetTo(0, false);
  const writes: Array<{ clock: number; pc: number }> = [];
  s.replayer.machine.probes.access.watch(address, address + 3, (_va, write) => {
    if (write) writes.push({ clock: s.replayer.machine.cpu.icount - 1, pc: s.replayer.machine.cpu.pc >>> 0 });
  });
  s.replayer.machine.runUntil(crash());
  const last = writes[writes.length - 1];

  const out = gdbOnReplay([DIVDI3, '--to-crash'], [
    `add-symbol-file ${HYPERVISOR} 0x100000`,
    `watch *(int *)0x${address.toString(16)}`,
    'reverse-continue',
    'echo ==stop==\\n', 'info registers pc', 'x/i $pc', 'monitor icount',
  ]);
  const stop = blocks(out).get('stop') ?? '';
  assert.match(out, /Hardware watchpoint 1: \*\(int \*\)0x/);
  assert.match(stop, new RegExp(`^pc\\s+0x${last.pc.toString(16)}\\b`, 'm'), `stopped at the store at 0x${last.pc.toString(16)}:\n${out}`);
  assert.match(stop, /\b(str|push|stm|strd|stmdb)\w*\b/, 'the instruction is a store');
  assert.match(out, new RegExp(`core 0 \\(selected\\): clock ${last.clock} `));
});

test('gdb: reverse-finish returns to the call in the caller (from the crash: out of cycles_to_us into domain_report)', { skip }, () => {
  requireTools(GDB);
  const out = gdbOnReplay([DIVDI3, '--to-crash'], [
    `add-symbol-file ${HYPERVISOR} 0x100000`,
    'echo ==crash==\\n', 'bt 1',
    // Back over the call into __divdi3: inside cycles_to_us, at its call.
    'reverse-stepi',
    'echo ==before==\\n', 'x/i $pc',
    'reverse-finish',
    'echo ==after==\\n', 'x/i $pc', 'bt 1',
  ]);
  const b = blocks(out);
  assert.match(b.get('crash') ?? '', /#0\s+(0x0*106318 in )?__divdi3/);
  assert.match(b.get('before') ?? '', /<cycles_to_us\+\d+>:\s+bl\s+0x106318 <__divdi3>/, out);
  assert.match(b.get('after') ?? '', /<domain_report\+\d+>:\s+bl\s+0x[0-9a-f]+ <cycles_to_us>/, out);
});

test('gdb: reverse-continue with no breakpoint reaches the beginning of the recording ("No more reverse-execution history")', { skip }, () => {
  requireTools(GDB);
  const out = gdbOnReplay([DIVDI3, '--to-crash'], [
    `add-symbol-file ${HYPERVISOR} 0x100000`,
    'reverse-continue',
    'echo ==begin==\\n', 'info registers pc', 'monitor icount',
    'continue',
    'echo ==end==\\n', 'monitor icount',
  ]);
  const b = blocks(out);
  assert.match(out, /No more reverse-execution history\.\n0x00100000 in _start \(\)/);
  assert.match(b.get('begin') ?? '', /^pc\s+0x100000\s+0x100000 <_start>/m);
  // (gdb writes monitor output to stderr.)
  assert.match(out, /core 0 \(selected\): clock 0 /);
  // Forwards: the end of the recording, where the hypervisor halted after its panic.
  assert.match(out, /No more reverse-execution history\.\n0x[0-9a-f]+ in hyp_halt \(\)/);
  assert.match(out, /core 0 \(selected\): clock 7172734 /);
});

test('gdb: two cores are two threads; reverse-stepi of thread 2 gives the states stepi gave, and a reverse watchpoint names the core that wrote', { skip }, () => {
  requireTools(GDB);
  const dir = path.join(tmp, 'smp');
  const { file } = recordDebugSmpRun(dir);
  const args = [file, '--images', dir, '--to', '40000'];
  const n = 8;
  // The shared counter: the memory both cores write.
  const { back, forward, out } = mirrored(args, n, ['info threads', 'thread 2'], '0x60020000');
  assert.match(out, /\* ?1\s+Thread 1\b[\s\S]*\n\s*2\s+Thread 2\b|\s1\s+Thread 1[\s\S]*\*\s*2\s+Thread 2/, 'two threads');
  for (let i = 0; i <= n; i++) assert.equal(forward[n - i], back[i], `thread 2, state ${i}`);

  const w = gdbOnReplay([file, '--images', dir], [
    'monitor goto 60000',
    'flushregs',
    'watch *(int *)0x60020000',
    'reverse-continue',
    'echo ==stop==\\n', 'info threads', 'x/wx 0x60020000',
  ]);
  const stop = blocks(w).get('stop') ?? '';
  assert.match(stop, /\*\s*2\s+Thread 2/, `the core that wrote the counter last (core 1) is the selected thread:\n${w}`);
});

test('gdb: replay --gdb PORT prints the attach line with the images of the recording, serves gdb on TCP and ends with 0 when gdb detaches, leaving no symbol files', { skip }, async (t) => {
  requireTools(GDB);
  const server = spawn(process.execPath, [BRINGUP, 'replay', DIVDI3, '--to', '5000', '--gdb', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL'); });
  let stderr = '';
  server.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 600 && !/attach with:\n.*\n/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
  const line = stderr.match(/^ {2}gdb-multiarch .*$/m)?.[0] ?? '';
  assert.match(stderr, /waiting for gdb on 127\.0\.0\.1:\d+ \(the replay is at instruction 5000\)/);
  assert.match(line, /-ex 'set remotetimeout 60' -ex 'target remote 127\.0\.0\.1:\d+'/);
  const symbolFiles = [...line.matchAll(/add-symbol-file (\S+) 0x([0-9a-f]+)/g)].map((m) => ({ file: m[1], address: m[2] }));
  assert.deepEqual(symbolFiles.map((s) => `${path.basename(s.file)}@${s.address}`), ['hypervisor.elf@100000', 'pingpong.elf@80000000', 'nullderef.elf@80000000']);
  for (const s of symbolFiles) assert.ok(fs.existsSync(s.file), `${s.file} is there while the command runs`);
  const port = /127\.0\.0\.1:(\d+)/.exec(line)![1];
  const r = spawnSync(GDB, ['-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set remotetimeout 60', '-ex', `target remote 127.0.0.1:${port}`,
    '-ex', 'reverse-stepi', '-ex', 'monitor icount', '-ex', 'set $r0 = 1', '-ex', 'detach'], { encoding: 'utf8', timeout: 60_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.match(out, /core 0 \(selected\): clock 4999 \(stopped here\)/);
  assert.match(out, /Could not write register "r0"/, "a register write is refused");
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /gdb detached/);
  for (const s of symbolFiles) assert.ok(!fs.existsSync(s.file), `${s.file} removed at the end`);
});
