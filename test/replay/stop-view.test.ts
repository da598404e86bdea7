/** The replay stop view: fault registers decoded, backtraces, memory dumps, screenshots, and their errors. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded, openReplay } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { consoleLinesUntil, decodeFaultStatus, describeFaultStatus, dumpMemory } from '../../replay/inspect';
import { AddressSpaces } from '../../replay/symbols';
import { resolveTarget, describeStop, type ReplayTarget } from '../../replay/targets';
import { readDomainTable } from '../../replay/domain-table';
import { loadProfile } from '../../scenario/profile';
import { backtrace, formatBacktrace } from '../../replay/backtrace';
import { decodePng } from '../../scenario/check/png';
import { createMachine } from '../../scenario/boards';
import { parseElf } from '../../machine/loaders/elf';
import { tinyElf } from '../support/tiny-elf';
import { parseDump } from '../../cli/replay';
import { UsageError } from '../../cli/args';
import { tempDir } from '../support/temp-dirs';
import { ROOT as root, requireTools, toolSkip } from '../support/environment';

const DIVDI3 = path.join(root, 'recordings', 'divdi3-crash.bur');
const scenarios = path.join(root, 'features', 'scenarios');
const tmp = tempDir('bringup-stop-view-');

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A scenario's text run on one core (tegra2-xoom has two): the one-core stop view. */
const oneCore = (text: string) => text.replace(/^board: (.*)$/m, 'board: $1\nsmp: 1');

/** Records a scenario text (as if it were the file `like` in features/scenarios) into the test's folder. */
function record(name: string, text: string, like = 'pingpong.yaml'): string {
  const file = path.join(tmp, `${name}.bur`);
  if (!fs.existsSync(file)) runRecorded(scenarioFromText(text, path.join(scenarios, like), scenarios), file, { text });
  return file;
}

let divdi3Crash: ReturnType<typeof bringup> | undefined;
/** One replay to the committed crash, with a dump of the hypervisor's first code bytes and a screenshot, shared by several tests. */
const atDivdi3Crash = () => (divdi3Crash ??= bringup('replay', DIVDI3, '--to-crash', '--dump', '0x00100000,40', '--screenshot', path.join(tmp, 'divdi3.png')));

const nullderefFile = () => record('nullderef', oneCore(fs.readFileSync(path.join(scenarios, 'nullderef.yaml'), 'utf8')), 'nullderef.yaml');
let nullderefCrash: { stdout: string; stderr: string; status: number } | undefined;
/** The stop view at the domain's crash (as `replay --to-crash --dump 0x80000000,16` prints it), replayed in this process. */
const atNullderefCrash = () => (nullderefCrash ??= stopView(nullderefFile(), { kind: 'crash' }, { address: 0x80000000, length: 16 }));

/** The stop view of a recording at a target, and a dump through the stopped core's translation, without running the command. */
function stopView(file: string, target: ReplayTarget, dump?: { address: number; length: number }): { stdout: string; stderr: string; status: number } {
  const rec = RecordingReader.open(file);
  const session = openReplay(rec);
  const spaces = new AddressSpaces(session.boot);
  const resolved = resolveTarget(target, rec, session.replayer, spaces);
  if (!resolved.here) session.replayer.runTo(resolved.icount);
  const out = describeStop(rec, session.replayer, spaces, resolved.why, { fault: resolved.fault });
  if (dump) out.push('', `memory at 0x${dump.address.toString(16).padStart(8, '0')}:`, ...dumpMemory(session.replayer.machine, dump.address, dump.length, resolved.core ?? session.replayer.machine.currentCore()).map((l) => `  ${l}`));
  return { stdout: out.join('\n') + '\n', stderr: '', status: 0 };
}

test('the stop view at the __divdi3 crash shows the fault registers the abort set: a translation fault reading 0x10, not the earlier fault still in them', () => {
  const r = atDivdi3Crash();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^fault registers as the data-abort set them:\n {2}DFSR 00000007: Translation fault, page, domain 0, read; DFAR 00000010$/m);
  // The stop is before the faulting instruction: the registers still hold the last first-touch fault.
  assert.match(r.stdout, /^fault registers now \(before the faulting instruction; an earlier fault's\):\n {2}DFSR 00000806: Access flag fault, page, domain 0, write; DFAR 80001458$/m);
});

test('the backtrace at the __divdi3 crash walks out of libgcc (no frame pointer) and through every hypervisor frame its own panic dump names', () => {
  const r = atDivdi3Crash();
  assert.equal(r.status, 0, r.stderr);
  const section = r.stdout.slice(r.stdout.indexOf('\nbacktrace:\n'));
  const frames = [...section.matchAll(/^ {2}#(\d+) +([0-9a-f]{8}) +sp [0-9a-f]{8} +<([^>]+)>$/gm)].map((m) => ({ pc: m[2], symbol: m[3] }));
  assert.deepEqual(frames.slice(0, 2), [{ pc: '00106318', symbol: '__divdi3' }, { pc: '00104a6c', symbol: 'cycles_to_us+0x20' }]);
  // The hypervisor printed its own dump before it panicked: lr, then its frame-pointer backtrace from fp.
  const rec = RecordingReader.open(DIVDI3);
  const lines = consoleLinesUntil(rec.chunks.flatMap((c) => c.console), rec.header.boot.console, Infinity, 1000).map((l) => l.text);
  assert.ok(lines.includes('  lr 0x00104a6c <cycles_to_us+0x20>'), 'the dump names lr as cycles_to_us+0x20');
  const printed = lines.map((l) => /^ {4}called from 0x([0-9a-f]{8}) <([^>]+)>/.exec(l)).filter((m) => m !== null).map((m) => ({ pc: m![1], symbol: m![2] }));
  assert.ok(printed.length >= 5, `the hypervisor's backtrace: ${JSON.stringify(printed)}`);
  assert.deepEqual(frames.slice(2), printed);
  assert.match(section, /\(return address 0 \(the outermost frame\)\)/);
});

test('a domain\'s NULL dereference: DFSR decoded as a section translation fault reading 0, and the backtrace through the domain\'s own ELF, including the frame of a function faulting before its prologue', () => {
  const r = atNullderefCrash();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}DFSR 00000005: Translation fault, section, read; DFAR 00000000$/m);
  const section = r.stdout.slice(r.stdout.indexOf('\nbacktrace:\n'));
  const symbols = [...section.matchAll(/^ {2}#\d+ +[0-9a-f]{8} +sp [0-9a-f]{8} +<([^>]+)>$/gm)].map((m) => m[1]);
  // load faults on its first instruction, before its frame: its caller is in lr.
  assert.deepEqual(symbols, ['nullderef:load', 'nullderef:walk+0x38', 'nullderef:walk+0x1c', 'nullderef:walk+0x1c', 'nullderef:main+0x20', 'nullderef:_start+0x8']);
});

test('a domain\'s call into an execute-never data page: IFSR decoded as a page permission fault at IFAR, and the backtrace from the wild address goes on through lr to the caller', () => {
  const suite = path.join(root, 'features', 'suite');
  const text = oneCore(fs.readFileSync(path.join(suite, '4-xn.yaml'), 'utf8'));
  const file = path.join(tmp, 'xn.bur');
  runRecorded(scenarioFromText(text, path.join(suite, '4-xn.yaml'), suite), file, { text });
  const r = stopView(file, { kind: 'crash' });
  assert.match(r.stdout, /^fault registers as the prefetch-abort set them:\n {2}DFSR [0-9a-f]{8}: [^\n]*\n {2}IFSR 0000000f: Permission fault, page; IFAR 80001000$/m);
  const section = r.stdout.slice(r.stdout.indexOf('\nbacktrace:\n'));
  assert.match(section, /^ {2}#0 +80001000 +sp [0-9a-f]{8} +\(no symbol\)$/m);
  const symbols = [...section.matchAll(/^ {2}#\d+ +[0-9a-f]{8} +sp [0-9a-f]{8} +<([^>]+)>$/gm)].map((m) => m[1].replace(/\+0x[0-9a-f]+$/, ''));
  assert.deepEqual(symbols, ['xnexec:main', 'xnexec:_start']);
});

test('fault status decoding: kinds of the short-descriptor format, the domain only where valid (never in IFSR), WnR for data aborts, the AXI response of external aborts', () => {
  assert.equal(describeFaultStatus(decodeFaultStatus(0x80f, 'data')), 'Permission fault, page, domain 0, write');
  assert.equal(describeFaultStatus(decodeFaultStatus(0x0f5, 'data')), 'Translation fault, section, read');
  assert.equal(describeFaultStatus(decodeFaultStatus(0x039, 'data')), 'Domain fault, section, domain 3, read');
  assert.equal(describeFaultStatus(decodeFaultStatus(0x001, 'data')), 'Alignment fault, read');
  assert.equal(describeFaultStatus(decodeFaultStatus(0x1808, 'data')), 'Synchronous external abort, non-translation, write, external abort type SLVERR (slave error)');
  assert.equal(describeFaultStatus(decodeFaultStatus(0x406, 'data')), 'Asynchronous external abort, external abort type DECERR (decode error)');
  assert.equal(describeFaultStatus(decodeFaultStatus(0x0fd, 'instruction')), 'Permission fault, section', 'IFSR has no domain field');
  assert.equal(describeFaultStatus(decodeFaultStatus(0x00a, 'data')), 'reserved fault status 0x0a, read');
});

test('--dump shows memory through the stopped core\'s translation as hex and ASCII: the hypervisor\'s first code bytes as in its ELF', () => {
  const r = atDivdi3Crash();
  assert.equal(r.status, 0, r.stderr);
  const elf = fs.readFileSync(path.join(root, 'firmware', 'build', 'hypervisor.elf'));
  const text = parseElf(elf);
  const want = Buffer.from(elf.subarray(0x80, 0x80 + 40));
  assert.equal(text.entry >>> 0, 0x00100000);
  const section = r.stdout.slice(r.stdout.indexOf('memory at 0x00100000, 40 byte(s), through core 0\'s translation:'));
  assert.ok(section.length > 0, r.stdout);
  const rows = [...section.matchAll(/^ {2}([0-9a-f]{8}) {2}((?:[0-9a-f]{2} ?)+) +\|(.*)\|$/gm)];
  assert.deepEqual(rows.map((m) => m[1]), ['00100000', '00100010', '00100020']);
  const bytes = Buffer.from(rows.map((m) => m[2].trim().split(' ').join('')).join(''), 'hex');
  assert.deepEqual(bytes, want);
  assert.equal(rows[0][3].length, 16);
});

test('--dump in a domain reads that domain\'s memory (its ASID\'s translation)', () => {
  const r = atNullderefCrash();
  assert.equal(r.status, 0, r.stderr);
  const elf = fs.readFileSync(path.join(root, 'firmware', 'build', 'guests', 'nullderef.elf'));
  const want = Buffer.from(elf.subarray(0x74, 0x74 + 16)).toString('hex').match(/../g)!.join(' ');
  assert.match(r.stdout, new RegExp(`^ {2}80000000 {2}${want} {2}\\|`, 'm'));
});

test('--dump refuses an address that does not translate, a device, a range past 4 GiB and malformed values (exit 2, naming the address)', () => {
  const untranslated = bringup('replay', DIVDI3, '--to', '6855490', '--dump', '0x10');
  assert.equal(untranslated.status, 2);
  assert.match(untranslated.stderr, /--dump: address 0x00000010 does not translate on core 0 \(Translation fault, section\)/);
  assert.doesNotMatch(untranslated.stderr, /\n\s+at /, 'no stack trace');
  // The same check without the command: a device is not read (a read could change it), a range crossing into an unmapped page is refused.
  const session = openReplay(RecordingReader.open(DIVDI3));
  session.replayer.runTo(6855490);
  const m = session.replayer.machine;
  assert.throws(() => dumpMemory(m, 0x70006300, 8), /address 0x70006300 \(physical 0x70006300\) is not memory on core 0/);
  assert.deepEqual(dumpMemory(m, 0x00100000, 4), [`00100000  ${[...m.bus.readBytes(0x00100000, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(47)}  |${[...m.bus.readBytes(0x00100000, 4)].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')}|`]);
  const malformed = bringup('replay', DIVDI3, '--to-crash', '--dump', '0x100000,0');
  assert.equal(malformed.status, 2);
  assert.match(malformed.stderr, /--dump 0x100000,0: LEN must be a number of bytes from 1 to 65536/);
  for (const bad of ['zz', '0x100000,70000', '0xfffffff0,64', '0x1,2,3', '0x100000000', '-4']) {
    assert.throws(() => parseDump(bad), (e: Error) => e instanceof UsageError && e.message.startsWith(`replay: --dump ${bad}: `), bad);
  }
  assert.deepEqual(parseDump('0x8000_0000'), { address: 0x80000000, length: 64 });
  assert.deepEqual(parseDump('4096,16'), { address: 4096, length: 16 });
  const verify = bringup('replay', DIVDI3, '--verify', '--dump', '0x100000');
  assert.equal(verify.status, 2);
  assert.match(verify.stderr, /--dump shows the machine at a stop; --verify has none/);
});

test('--screenshot saves the display at the stop as a PNG of the panel\'s size, showing the frame buffer console', () => {
  const file = path.join(tmp, 'divdi3.png');
  const r = atDivdi3Crash();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /dc screenshot \(1280x800\) saved to /);
  const img = decodePng(fs.readFileSync(file));
  assert.equal(img.width, 1280);
  assert.equal(img.height, 800);
  let lit = 0;
  for (let i = 0; i < img.data.length; i += 4) if (img.data[i] | img.data[i + 1] | img.data[i + 2]) lit++;
  assert.ok(lit > 1000, `${lit} lit pixels: the console text`);
});

const LOOP = () => {
  const elf = path.join(tmp, 'loop.elf');
  if (!fs.existsSync(elf)) fs.writeFileSync(elf, tinyElf(0x00100000, [0xeafffffe])); // b .
  return elf;
};
const loopScenario = (board: string) => `name: a kernel that loops\nboard: ${board}\nboot:\n  kernel: ${LOOP()}\nlimits:\n  time: 100us\n`;

test('--screenshot on a board without a display, or with the display not scanning out, says so (exit 2) and writes nothing', () => {
  const xoom = fs.readFileSync(path.join(root, 'machine', 'boards', 'tegra2-xoom.yaml'), 'utf8');
  const headless = xoom.replace(/^name: tegra2-xoom$/m, 'name: xoom-headless').replace(/ {2}- name: dc\n(?: {4}.*\n)+/, '');
  assert.doesNotMatch(headless, /tegra20-dc/);
  const boardFile = path.join(tmp, 'xoom-headless.yaml');
  fs.writeFileSync(boardFile, headless);
  const noDisplay = record('headless', loopScenario(boardFile));
  const shot = path.join(tmp, 'none.png');
  const r = bringup('replay', noDisplay, '--to', '1000', '--screenshot', shot);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--screenshot: board xoom-headless has no display/);
  assert.equal(fs.existsSync(shot), false);
  const dark = record('dark', loopScenario('tegra2-xoom'));
  const off = bringup('replay', dark, '--to', '1000', '--screenshot', shot);
  assert.equal(off.status, 2, off.stderr);
  assert.match(off.stderr, /the display dc of board tegra2-xoom is not scanning out a frame buffer at the stop/);
  assert.equal(fs.existsSync(shot), false);
  const nowhere = bringup('replay', DIVDI3, '--to', '1000', '--screenshot', path.join(tmp, 'no', 'such', 'x.png'));
  assert.equal(nowhere.status, 2);
  assert.match(nowhere.stderr, /--screenshot .*x\.png: cannot write: the folder .* does not exist/);
});

test('on two cores the stop view shows the fault registers and a backtrace of each core whose registers are set', () => {
  const text = fs.readFileSync(path.join(scenarios, 'hyp-smp-pingpong.yaml'), 'utf8').replace(/^expect:[\s\S]*?^limits:\n {2}time: .*$/m, 'limits:\n  time: 7ms');
  const file = record('smp', text, 'hyp-smp-pingpong.yaml');
  const r = stopView(file, { kind: 'icount', icount: 6_900_000 });
  assert.equal(r.status, 0, r.stderr);
  for (const k of [0, 1]) {
    const core = r.stdout.slice(r.stdout.indexOf(`\ncore ${k}`));
    assert.match(core, /^ {2}fault registers:\n {4}DFSR [0-9a-f]{8}: [A-Z][^;]+; DFAR [0-9a-f]{8}\n {4}IFSR /m, `core ${k}`);
    assert.match(core, /^ {2}backtrace:\n {4}#0 +[0-9a-f]{8} +sp [0-9a-f]{8} +<[^>]+>$/m, `core ${k}`);
  }
});

test('symbols by ASID alone: an address of a domain resolves through that domain\'s ELF, never as "A or B"', () => {
  const session = openReplay(RecordingReader.open(nullderefFile()));
  const spaces = new AddressSpaces(session.boot);
  // pingpong and nullderef are both linked at 0x80000000; domains ping, pong, crash get ASIDs 1, 2, 3.
  assert.equal(spaces.symbolAt(0x80000364, { asid: 3, mode: 'usr' }), 'nullderef:load');
  const inPingpong = spaces.symbolAt(0x80000364, { asid: 1, mode: 'usr' });
  assert.match(inPingpong ?? '', /^pingpong:[a-z_]+\+0x[0-9a-f]+$/);
  assert.equal(spaces.symbolAt(0x80000364, { asid: 2, mode: 'usr' }), inPingpong);
  assert.deepEqual(spaces.codeAt(0x80000364, { asid: 3, mode: 'usr' })?.image, 'nullderef');
  assert.deepEqual(spaces.codeAt(0x80000364, { asid: 3, mode: 'usr' })?.symbol.name, 'load');
});

test('the ASID of each domain\'s image comes from the hypervisor\'s domain table where the profile says where it is, over the configuration-order rule', () => {
  const rec = RecordingReader.open(nullderefFile());
  const session = openReplay(rec);
  session.replayer.runTo(rec.lastIcount);
  const table = loadProfile('reference-hypervisor').domainTable!;
  const kernel = session.symbols.get('')!;
  const got = readDomainTable(session.replayer.machine, table, (n) => kernel.find((x) => x.name === n)?.value);
  assert.ok(typeof got !== 'string', String(got));
  assert.deepEqual(got.entries.map((e) => [e.name, e.asid, e.image]), [['ping', 1, 'pingpong'], ['pong', 2, 'pingpong'], ['crash', 3, 'nullderef']]);
  // A hypervisor that numbered its ASIDs otherwise: the table wins over the configuration order.
  const spaces = new AddressSpaces(session.boot);
  assert.equal(spaces.symbolAt(0x80000364, { asid: 1, mode: 'usr' })?.startsWith('pingpong:'), true);
  spaces.learnDomains([{ asid: 1, image: 'nullderef' }, { asid: 7, image: 'no-such-image' }]);
  assert.equal(spaces.symbolAt(0x80000364, { asid: 1, mode: 'usr' }), 'nullderef:load');
  assert.equal(spaces.imageOfAsid(7), undefined, 'an image the run does not have is not learnt');
});

/** Builds the three-deep test program with the given code generation flags; runs it on vexpress-a9 to `leaf+offset`. */
function stoppedInLeaf(dir: string, name: string, flags: string[], offset: number) {
  const src = path.join(dir, 't.c');
  fs.writeFileSync(src, [
    '__asm__(".global _start\\n_start:\\n ldr sp, =0x60100000\\n bl main\\n1: b 1b\\n");',
    'volatile int sink;',
    'void __aeabi_unwind_cpp_pr0(void) {}',
    '__attribute__((noinline)) int leaf(int x) { volatile int a[6]; a[0] = x; for (int i = 1; i < 6; i++) a[i] = a[i - 1] * 3; return a[5]; }',
    '__attribute__((noinline)) int middle(int x) { volatile int b[3]; b[0] = x; int r = leaf(b[0] + 1); sink = b[1]; return r + 1; }',
    '__attribute__((noinline)) int outer(int x) { int r = middle(x * 2); sink = r; return r + 2; }',
    'int main(void) { sink = outer(5); return 0; }',
  ].join('\n'));
  const elfFile = path.join(dir, `${name}.elf`);
  const cc = spawnSync('arm-none-eabi-gcc', ['-marm', '-mcpu=cortex-a9', '-O2', ...flags, '-ffreestanding', '-nostdlib',
    '-Wl,-Ttext=0x60010000', '-Wl,--build-id=none', '-o', elfFile, src], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const bytes = fs.readFileSync(elfFile);
  const elf = parseElf(bytes);
  const m = createMachine('vexpress-a9');
  m.loadElf(elf);
  const leaf = elf.symbols.find((s) => s.name === 'leaf')!.value & ~1;
  let stopped = false;
  m.probes.exec.at(leaf + offset, (cpu) => { stopped = true; cpu.stopRequested = true; return false; });
  m.run(10_000);
  assert.ok(stopped, 'leaf reached');
  const spaces = new AddressSpaces({ kernel: bytes, kernelName: `${name}.elf` });
  return { m, spaces };
}

test('a backtrace through the unwind table (.ARM.exidx) of an image built without frame pointers', { skip: toolSkip('arm-none-eabi-gcc') }, () => {
  requireTools('arm-none-eabi-gcc');
  // leaf: mov r3, #1; sub sp, sp, #24; ... (no frame pointer, lr not saved): stopped after the sub.
  const { m, spaces } = stoppedInLeaf(tempDir('bringup-exidx-'), 'exidx', ['-fomit-frame-pointer', '-funwind-tables'], 0xc);
  assert.ok(spaces.unwindTable(''), 'the image has .ARM.exidx');
  const bt = backtrace(m, spaces, 0);
  assert.deepEqual(bt.frames.map((f) => f.symbol?.replace(/\+0x[0-9a-f]+$/, '')), ['leaf', 'middle', 'outer', 'main', '_start'], formatBacktrace(bt).join('\n'));
  assert.deepEqual(bt.frames.slice(0, 3).map((f) => f.how), ['unwind table', 'unwind table', 'unwind table']);
  // _start's entry says it cannot be unwound (EXIDX_CANTUNWIND).
  assert.equal(bt.end, 'cannot unwind _start further');
});

test('a backtrace through AAPCS frame pointers (push {fp, lr}; add fp, sp, #4), including a leaf that saves only fp', { skip: toolSkip('arm-none-eabi-gcc') }, () => {
  requireTools('arm-none-eabi-gcc');
  // leaf: mov r3, #1; push {fp}; add fp, sp, #0; sub sp, sp, #28: stopped after the sub (lr still holds the return address).
  const { m, spaces } = stoppedInLeaf(tempDir('bringup-aapcs-'), 'aapcs', ['-fno-omit-frame-pointer', '-mno-apcs-frame', '-fno-unwind-tables', '-fno-asynchronous-unwind-tables'], 0x10);
  assert.equal(spaces.unwindTable(''), undefined);
  const bt = backtrace(m, spaces, 0);
  assert.deepEqual(bt.frames.map((f) => f.symbol?.replace(/\+0x[0-9a-f]+$/, '')), ['leaf', 'middle', 'outer', 'main', '_start'], formatBacktrace(bt).join('\n'));
  assert.deepEqual(bt.frames.slice(0, 3).map((f) => f.how), ['frame pointer', 'frame pointer', 'frame pointer']);
  // The return addresses are the instructions after each call.
  for (const f of bt.frames.slice(1, 4)) assert.equal(m.bus.read32((f.pc - 4) >>> 0) >>> 24 & 0x0f, 0x0b, `a BL before ${f.symbol}`);
});
