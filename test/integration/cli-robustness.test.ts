/**
 * The command line under conditions other than the happy path: closed and
 * slow pipes, wrong, missing and extra arguments, outputs that are inputs or
 * cannot be written, signals, and what commands leave behind.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { tinyElf } from '../support/tiny-elf';
import { RecordingReader } from '../../replay/reader';
import { ROOT as root, requireTools, toolSkip } from '../support/environment';

const bin = path.join(root, 'bin', 'bringup');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-robustness-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const pingpong = path.join(root, 'features', 'scenarios', 'pingpong.yaml');
const hypervisor = path.join(root, 'firmware', 'build', 'hypervisor.elf');

function bringup(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...opts.env }, cwd: opts.cwd });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at |internal error|EPIPE/, s);

/** A scratch folder inside this file's temporary folder. */
function scratch(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** pingpong.yaml copied into `dir` with absolute paths. */
function pingpongCopy(dir: string, name = 'pingpong.yaml'): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, fs.readFileSync(pingpong, 'utf8').replace(/\.\.\/\.\.\//g, `${root}/`));
  return f;
}

const VEXPRESS_RAM = 0x60010000;
/** Writes 'A' to the vexpress-a9 PL011 forever: two instructions per byte. */
function uartLoopElf(): string {
  const f = path.join(tmp, 'uart-loop.elf');
  if (!fs.existsSync(f)) {
    fs.writeFileSync(f, tinyElf(VEXPRESS_RAM, [
      0xe59f0008, // ldr r0, [pc, #8]   (the UART's address)
      0xe3a01041, // mov r1, #'A'
      0xe5801000, // loop: str r1, [r0]
      0xeafffffd, // b loop
      0x10009000, // PL011 UART0
    ], { symbols: [['uart_loop', VEXPRESS_RAM]] }));
  }
  return f;
}

/** WFI with nothing scheduled: the guest halts. */
function haltElf(): string {
  const f = path.join(tmp, 'halt.elf');
  if (!fs.existsSync(f)) fs.writeFileSync(f, tinyElf(VEXPRESS_RAM, [0xe320f003, 0xeafffffd], { symbols: [['halt', VEXPRESS_RAM]] }));
  return f;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
}

async function until(cond: () => boolean, what: string, child?: ChildProcess): Promise<void> {
  while (!cond()) {
    if (child && child.exitCode !== null) throw new Error(`the command ended (${child.exitCode}) before ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- 1, 7: closed and slow pipes ----------------------------------------------------

test('bringup run into a closed stdout (| true) ends quietly with its verdict and a complete recording', async () => {
  const recording = path.join(scratch('epipe-run'), 'run.bur');
  const child = spawn(process.execPath, [bin, 'run', pingpong, '--quiet', '--record', recording], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.destroy(); // the reader goes away before anything is written
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const r = await exited(child);
  assert.equal(r.code, 0, stderr);
  noStack(stderr);
  const rec = RecordingReader.open(recording);
  assert.deepEqual(rec.problems, [], 'the recording is complete');
  assert.equal(rec.end?.stop.kind, 'idle');
});

test('bringup exec into | head -c 100 (EPIPE) stops quietly with 128+SIGPIPE', () => {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" exec --board vexpress-a9 --max-insns 0 "${uartLoopElf()}" 2>"${tmp}/epipe.err" | head -c 100 >/dev/null; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
  const stderr = fs.readFileSync(path.join(tmp, 'epipe.err'), 'utf8');
  assert.equal(r.status, 141, stderr);
  assert.equal(stderr, '', 'nothing on stderr');
});

/** Semihosting: opens ":tt" for writing, writes 1 MiB of RAM (zeros) to it in one call, exits 0. */
function bigWriteElf(): string {
  const f = path.join(tmp, 'big-write.elf');
  if (!fs.existsSync(f)) {
    fs.writeFileSync(f, tinyElf(VEXPRESS_RAM, [
      0xe3a00001, // mov r0, #SYS_OPEN
      0xe28f1034, // add r1, pc, #0x34   (the open block at +0x40)
      0xef123456, // svc 0x123456
      0xe28f103c, // add r1, pc, #0x3c   (the write block at +0x50)
      0xe5810000, // str r0, [r1]        (the handle)
      0xe3a00005, // mov r0, #SYS_WRITE
      0xef123456, // svc 0x123456
      0xe3a00018, // mov r0, #SYS_EXIT
      0xe59f1004, // ldr r1, [pc, #4]    (ADP_Stopped_ApplicationExit)
      0xef123456, // svc 0x123456
      0xeafffffe, // b .
      0x00020026,
      0, 0, 0, 0,
      VEXPRESS_RAM + 0x60, 4, 3, 0, // open ":tt" for writing
      0, 0x60100000, 0x00100000, 0, // write 1 MiB from 0x60100000
      0x0074743a, // ":tt"
    ]));
  }
  return f;
}

test('bringup exec into a slow non-blocking pipe loses no output (no EAGAIN)', { skip: toolSkip('python3') }, () => {
  requireTools('python3'); // makes the pipe non-blocking
  // stdout is a pipe in non-blocking mode (as a parent's event loop leaves it), read only after a second.
  const nonBlocking = 'import os,fcntl,sys; fcntl.fcntl(1,fcntl.F_SETFL,fcntl.fcntl(1,fcntl.F_GETFL)|os.O_NONBLOCK); os.execvp(sys.argv[1], sys.argv[1:])';
  const r = spawnSync('bash', ['-c',
    `{ python3 -c '${nonBlocking}' "${process.execPath}" "${bin}" exec --board vexpress-a9 --semihosting "${bigWriteElf()}" 2>"${tmp}/slow.err"; echo $? >"${tmp}/slow.status"; } | { sleep 1; wc -c; }`], { encoding: 'utf8' });
  const stderr = fs.readFileSync(path.join(tmp, 'slow.err'), 'utf8');
  noStack(stderr);
  assert.equal(fs.readFileSync(path.join(tmp, 'slow.status'), 'utf8').trim(), '0', stderr);
  // Every byte, plus the newline that ends the console's unterminated line.
  assert.equal(Number(r.stdout.trim()), (1 << 20) + 1, stderr);
});

// ---- 2, 4, 8: exec's stop reasons, default limit, semihosting -------------------------

test('bringup exec: a guest that halts (WFI with nothing scheduled) is exit 0, not the instruction limit', () => {
  const r = bringup(['exec', '--board', 'vexpress-a9', haltElf()]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /the guest ended with a halt \(WFI with nothing scheduled\) after \d+ instructions at pc=0x6001000[0-8]/);
});

test('bringup exec: the README hand-run example (hypervisor powering off) exits 0', () => {
  const dir = scratch('readme-example');
  const vol = path.join(dir, 'pingpong.vol');
  assert.equal(bringup(['volume', 'pack', path.join(root, 'firmware', 'volumes', 'pingpong.yaml'), '-o', vol]).status, 0);
  const r = bringup(['exec', '--board', 'tegra2-xoom', '--kernel', hypervisor, '--initrd', vol, '--append', 'console=ttyS0 evtwd=100']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /power off/);
  assert.match(r.stderr, /the guest ended with a halt/);
});

test('bringup exec --help, README and docs/architecture.md agree on the exit status of each stop reason', () => {
  const help = bringup(['exec', '--help']).stdout;
  assert.match(help, /0 +the program exited with 0 [^\n]*guest halted/);
  assert.match(help, /3 +the instruction limit was hit/);
  assert.match(help, /130 +interrupted by Ctrl-C; 143 by SIGTERM/);
  assert.match(help, /141 +the reader of stdout went away/);
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  assert.match(readme, /halt/);
  assert.match(readme, /143/);
  assert.match(readme, /141/);
  const architecture = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  for (const status of [/0 pass/, /3 the instruction limit/, /130 Ctrl-C/, /141 `exec`/, /143 SIGTERM/]) assert.match(architecture, status);
});

test('bringup exec has a default instruction limit, so a livelocked guest stops (overridable, 0 for none)', () => {
  const { DEFAULT_MAX_INSNS } = require('../../cli/exec') as typeof import('../../cli/exec');
  assert.ok(Number.isFinite(DEFAULT_MAX_INSNS) && DEFAULT_MAX_INSNS > 0);
  const help = bringup(['exec', '--help']).stdout;
  assert.match(help, /default 40G .*\n.*BRINGUP_EXEC_MAX_INSNS; 0 for no limit/);
  const loop = path.join(tmp, 'spin.elf');
  fs.writeFileSync(loop, tinyElf(VEXPRESS_RAM, [0xeafffffe], { symbols: [['spin', VEXPRESS_RAM]] }));
  const r = bringup(['exec', '--board', 'vexpress-a9', loop], { env: { BRINGUP_EXEC_MAX_INSNS: '5000' } });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /instruction limit reached after 5000 instructions at pc=0x60010000 \(spin\)/);
  // --max-insns 0: no limit; the halting guest runs to its halt.
  assert.equal(bringup(['exec', '--board', 'vexpress-a9', '--max-insns', '0', haltElf()], { env: { BRINGUP_EXEC_MAX_INSNS: '1' } }).status, 0);
});

test('bringup exec --help says --semihosting gives the guest the host\'s files', () => {
  assert.match(bringup(['exec', '--help']).stdout, /--semihosting[\s\S]*the guest gets the host's files/);
});

// ---- 3, 12: argument errors ---------------------------------------------------------

test('argument errors name the real mistake: an option that took the input, an extra argument, a misspelt option', () => {
  const rec = bringup(['run', '--record', 'ok.yaml']);
  assert.equal(rec.status, 2);
  assert.match(rec.stderr, /run: --record took 'ok\.yaml' as its FILE; give the SCENARIO\.yaml too/);
  const to = bringup(['replay', 'X', '--to', '5', 'parsecs']);
  assert.equal(to.status, 2);
  assert.match(to.stderr, /replay: unexpected argument 'parsecs'; --to takes one N, '5'/);
  const par = bringup(['test', '--paralel', '2']);
  assert.equal(par.status, 2, par.stderr);
  assert.match(par.stderr, /test: unknown option --paralel \(did you mean --parallel\?\)/);
});

test('every command: wrong, missing and extra arguments are exit 2 with a one-line message', () => {
  const cases: Array<[string[], RegExp]> = [
    [['run'], /run: give the SCENARIO\.yaml/],
    [['run', pingpong, 'extra.yaml'], /run: unexpected argument 'extra\.yaml'/],
    [['run', '--quiet', '--trace', pingpong], /--trace took '.*pingpong\.yaml' as its LEVEL; give the SCENARIO\.yaml too/],
    [['record'], /record: give the SCENARIO\.yaml/],
    [['record', '-o', 'x.yaml'], /record: --output took 'x\.yaml' as its FILE/],
    [['record', pingpong, 'more'], /record: unexpected argument 'more'/],
    [['replay'], /replay: give the RECORDING/],
    [['replay', '--images', 'run.bur'], /replay: --images took 'run\.bur' as its DIR; give the RECORDING too/],
    [['exec', '--board', 'vexpress-a9'], /exec: give the IMAGE\.elf, or --kernel IMAGE/],
    [['exec', '--board', 'vexpress-a9', 'a.elf', 'b.elf'], /exec: unexpected argument 'b\.elf'/],
    [['exec', '--board', 'vexpress-a9', '--kernel', hypervisor, 'extra'], /exec: unexpected argument 'extra'/],
    [['exec', '--board', 'vexpress-a9', '--max-insns', 'lots', haltElf()], /--max-insns: 'lots' is not a number/],
    [['exec', '--bord', 'vexpress-a9', 'x.elf'], /unknown option --bord \(did you mean --board\?\)/],
    [['minimize', '-o', 'out.yaml'], /minimize: --output took 'out\.yaml' as its OUT\.yaml; give the SCENARIO\.yaml too/],
    [['minimize', pingpong, 'x', '-o', 'out.yaml'], /minimize: unexpected argument 'x'/],
    [['bisect', 'extra'], /bisect: unexpected argument 'extra'/],
    [['disasm'], /disasm: give instruction words or an ELF file/],
    [['disasm', 'e0810002', '--count', '3'], /disasm: --count goes with an ELF file/],
    [['disasm', hypervisor, 'extra'], /disasm: unexpected argument 'extra'/],
    [['test', '--shard'], /test: --shard needs a value/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = bringup(args);
    assert.equal(r.status, 2, `bringup ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, `bringup ${args.join(' ')}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `bringup ${args.join(' ')}: ${r.stderr}`);
  }
});

test('bringup disasm: a word that is not hex (0xzz) is a usage error naming it, exit 2', () => {
  for (const w of ['0xzz', '0x123456789', 'zz', '-1']) {
    const r = bringup(['disasm', w]);
    assert.equal(r.status, 2, `${w}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`disasm: '${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is not a 32-bit hex word`));
    noStack(r.stderr);
  }
  const mixed = bringup(['disasm', '0xe0810002', 'zz']);
  assert.equal(mixed.status, 2);
  assert.equal(mixed.stdout, '', 'nothing is printed before the bad word is found');
});

// ---- 5, 6: outputs -----------------------------------------------------------------

test('bringup run --record refuses to overwrite the scenario or any other input of the run (exit 2)', () => {
  const dir = scratch('record-onto-input');
  const s = pingpongCopy(dir, 's.yaml');
  const before = fs.readFileSync(s, 'utf8');
  const r = bringup(['run', '--record', s, s]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /run: --record .*s\.yaml: that is one of the inputs, which the output would overwrite/);
  assert.equal(fs.readFileSync(s, 'utf8'), before, 'the scenario is intact');
  // The kernel image, through a symbolic link, and the boot volume manifest.
  const link = path.join(dir, 'hyp-link.elf');
  fs.symlinkSync(hypervisor, link);
  const k = bringup(['run', '--record', link, s]);
  assert.equal(k.status, 2, k.stderr);
  assert.match(k.stderr, /hyp-link\.elf: that is the same file as .*hypervisor\.elf, one of the inputs/);
  const manifest = path.join(root, 'firmware', 'volumes', 'pingpong.yaml');
  assert.equal(bringup(['record', s, '-o', manifest]).status, 2);
  // The siblings: minimize -o onto an image, exec --screenshot onto the image.
  assert.equal(bringup(['minimize', s, '-o', hypervisor]).status, 2);
  const shot = bringup(['exec', '--board', 'vexpress-a9', '--screenshot', haltElf(), haltElf()]);
  assert.equal(shot.status, 2);
  assert.match(shot.stderr, /--screenshot .*halt\.elf: that is one of the inputs/);
});

test('bringup run --record into a place that cannot be written is exit 2 before the run, naming the path and the reason', () => {
  const dir = scratch('unwritable');
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  const cases: Array<[string, RegExp]> = [
    [dir, /--record .*unwritable: cannot write: is a folder \(EISDIR\)/],
    [path.join(file, 'x.bur'), /--record .*a-file\/x\.bur: cannot write: .*a-file is not a folder \(ENOTDIR\)/],
    [path.join(dir, 'missing', 'x.bur'), /--record .*missing\/x\.bur: cannot write: the folder .*missing does not exist/],
  ];
  for (const [target, message] of cases) {
    const r = bringup(['run', '--quiet', '--record', target, pingpong]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '', 'refused before the run');
  }
  const env = bringup(['run', '--quiet', pingpong], { env: { BRINGUP_RECORDINGS_DIR: file } });
  assert.equal(env.status, 2, env.stderr);
  assert.match(env.stderr, /\$BRINGUP_RECORDINGS_DIR .*a-file: cannot write recordings there: is a file, not a folder/);
});

test('bringup run --record on a full disk (/dev/full, ENOSPC) still prints the verdict and exits 2 naming the recording', { skip: !fs.existsSync('/dev/full') && 'no /dev/full' }, () => {
  const r = bringup(['run', '--quiet', '--record', '/dev/full', pingpong]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stdout, /^PASS two domains ping-pong an event/m);
  assert.match(r.stderr, /the recording \/dev\/full could not be written: no space left on the device \(ENOSPC\)/);
  noStack(r.stderr);
});

// ---- 9: signals ----------------------------------------------------------------------

test('SIGTERM on bringup run stops it like Ctrl-C: the report so far, a complete recording, exit 143', async () => {
  const dir = scratch('sigterm-run');
  const scenario = path.join(dir, 'long.yaml');
  fs.writeFileSync(scenario, `board: tegra2-xoom
boot:
  kernel: ${hypervisor}
  cmdline: console=ttyS0
  volume:
    images: [ { name: spin, role: domu, file: ${path.join(root, 'firmware', 'build', 'guests', 'spin.elf')} } ]
    domains: [ { name: spin0, image: spin, memory: 1MiB, console: true, args: "rounds=1000000" } ]
expect:
  console: ["[spin0] spin: dom0 round 1/1000000", "never printed"]
limits: { time: 60s }
`);
  const recording = path.join(dir, 'terminated.bur');
  const child = spawn(process.execPath, [bin, 'run', '--record', recording, scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  const done = exited(child);
  await until(() => stdout.includes('round 3/1000000'), 'the run was under way', child);
  child.kill('SIGTERM');
  assert.equal((await done).code, 143, stdout);
  assert.match(stdout, /^INTERRUPTED long/m);
  assert.deepEqual(RecordingReader.open(recording).problems, [], 'the recording is complete');
});

test('SIGTERM on bringup exec stops it at an instruction boundary, exit 143', async () => {
  const child = spawn(process.execPath, [bin, 'exec', '--board', 'vexpress-a9', '--max-insns', '0', uartLoopElf()], { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = 0, stderr = '';
  child.stdout!.on('data', (d: Buffer) => { seen += d.length; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = exited(child);
  await until(() => seen > 0, 'console output', child);
  child.kill('SIGTERM');
  assert.equal((await done).code, 143, stderr);
  assert.match(stderr, /interrupted \(SIGTERM\) after \d+ instructions at pc=0x600100(08|0c)/);
});

/** A feature that runs pingpong (a few seconds) and checks it. */
function pingpongFeature(dir: string): string {
  const f = path.join(dir, 'pingpong.feature');
  fs.writeFileSync(f, `Feature: ping-pong

  Scenario: ping-pong as it is
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    When it runs
    Then the console shows "[dom0] pong 10/10"
`);
  return f;
}

function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`${sig} on bringup test stops cucumber-js too (no orphan), leaves no partial recording, exit ${sig === 'SIGINT' ? 130 : 143}`, async () => {
    const dir = scratch(`test-${sig}`);
    const recordings = scratch(`test-${sig}-recordings`);
    const ownTmp = scratch(`test-${sig}-tmp`);
    const child = spawn(process.execPath, [bin, 'test', '--no-reports', pingpongFeature(dir)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BRINGUP_RECORDINGS_DIR: recordings, TMPDIR: ownTmp } });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    const done = exited(child);
    // Once the scenario's recording exists, the run is in progress.
    await until(() => fs.readdirSync(recordings).length > 0, 'the scenario started', child);
    const cucumber = childrenOf(child.pid!);
    assert.ok(cucumber.length > 0, 'cucumber-js runs as a child');
    child.kill(sig);
    const r = await done;
    assert.equal(r.code, sig === 'SIGINT' ? 130 : 143, out);
    await until(() => !cucumber.some(alive), 'cucumber-js ended');
    assert.deepEqual(fs.readdirSync(recordings), [], 'no recording is left');
    assert.deepEqual(fs.readdirSync(ownTmp), [], 'nothing is left in the temporary folder');
  });
}

test('a cucumber-js killed by a signal is reported as killed by it (128+N), not as a failed scenario', async () => {
  const dir = scratch('test-killed');
  const recordings = scratch('test-killed-recordings');
  const child = spawn(process.execPath, [bin, 'test', '--no-reports', pingpongFeature(dir)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BRINGUP_RECORDINGS_DIR: recordings } });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const done = exited(child);
  await until(() => fs.readdirSync(recordings).length > 0, 'the scenario started', child);
  for (const pid of childrenOf(child.pid!)) process.kill(pid, 'SIGKILL');
  const r = await done;
  assert.equal(r.code, 137, out);
  assert.match(out, /cucumber-js was killed by SIGKILL/);
});

// ---- 10: bringup test's temporary files and reports ----------------------------------

test('two bringup test runs in one checkout keep both runs\' JUnit reports and leave nothing in the temporary folder', async () => {
  const dir = scratch('two-runs');
  const reports = path.join(dir, 'reports');
  const ownTmp = scratch('two-runs-tmp');
  const feature = pingpongFeature(dir);
  const start = () => {
    const c = spawn(process.execPath, [bin, 'test', '--reports', reports, feature],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BRINGUP_RECORDINGS_DIR: scratch('two-runs-recordings'), TMPDIR: ownTmp } });
    let out = '';
    c.stdout!.on('data', (d) => { out += d; });
    c.stderr!.on('data', (d) => { out += d; });
    return exited(c).then((r) => ({ ...r, out }));
  };
  const [a, b] = await Promise.all([start(), start()]);
  assert.equal(a.code, 0, a.out);
  assert.equal(b.code, 0, b.out);
  const where = [a.out, b.out].map((o) => /^reports: .*cucumber\.html, (.*junit\.xml)$/m.exec(o)?.[1]);
  assert.ok(where[0] && where[1], `both say where their reports are:\n${a.out}\n${b.out}`);
  assert.notEqual(path.resolve(where[0]!), path.resolve(where[1]!));
  for (const w of where) assert.match(fs.readFileSync(w!, 'utf8'), /tests="1"/);
  assert.deepEqual(fs.readdirSync(ownTmp), [], 'no messages.ndjson or folder is left');
});

// ---- 9: bisect leftovers ---------------------------------------------------------------

function git(cwd: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[k];
  const r = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository of two commits whose scenario is pingpong (passing at both: the bisect stops at its ends). */
function bisectRepo(name: string): { dir: string; scenario: string; commits: string[] } {
  const dir = scratch(name);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'config', 'user.email', 'test@example.invalid');
  const scenario = pingpongCopy(dir, 'scenario.yaml');
  const commits: string[] = [];
  for (const n of ['one', 'two']) {
    fs.writeFileSync(path.join(dir, 'NOTES'), `${n}\n`);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', n);
    commits.push(git(dir, 'rev-parse', 'HEAD'));
  }
  return { dir, scenario, commits };
}

for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
  test(`${sig} on bisect leaves no worktree, checkout or recordings that the next bisect does not remove`, async () => {
    const { dir, scenario, commits } = bisectRepo(`bisect-${sig}`);
    const ownTmp = scratch(`bisect-${sig}-tmp`);
    const recordings = scratch(`bisect-${sig}-recordings`);
    const buildPid = path.join(tmp, `bisect-${sig}-build.pid`);
    const env = { ...process.env, TMPDIR: ownTmp, BRINGUP_RECORDINGS_DIR: recordings };
    const child = spawn(process.execPath, [bin, 'bisect', '--good', commits[0], '--bad', commits[1], '--scenario', scenario,
      '--build', `echo $$ > "${buildPid}"; exec sleep 30`], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    const done = exited(child);
    try {
      await until(() => fs.existsSync(buildPid) && fs.readFileSync(buildPid, 'utf8').trim() !== '', 'the build started', child);
      assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 2, 'a worktree is registered');
      child.kill(sig);
      const r = await done;
      if (sig === 'SIGTERM') {
        assert.equal(r.code, 143, out);
      } else {
        assert.equal(r.signal, 'SIGKILL');
        // Killed outright: the worktree is left; the next bisect removes it.
        const next = bringup(['bisect', '--good', commits[0], '--bad', commits[1], '--scenario', scenario], { env });
        assert.match(next.stderr, /bisect: removed .*bringup-bisect-\d+-.*, left by a bisection that was killed/);
      }
      assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1, 'only the main worktree');
      assert.deepEqual(fs.readdirSync(ownTmp), [], 'no checkout is left in the temporary folder');
      assert.deepEqual(fs.readdirSync(recordings).filter((f) => f.startsWith('bisect-running-')), [], 'no recording of a running bisection is left');
    } finally {
      try { process.kill(Number(fs.readFileSync(buildPid, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
}
