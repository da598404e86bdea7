/** Replay targets (the crash, IMAGE:SYMBOL), symbols in their address space, and diffs across chunk sizes and builds. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded } from '../../scenario/record/recording';
import { AddressSpaces, codeSymbols } from '../../replay/symbols';
import { parseElf, symbolize } from '../../machine/loaders/elf';
import { ROOT as root, requireTools, toolSkip } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-targets-diff-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PINGPONG = fs.readFileSync(path.join(scenarios, 'pingpong.yaml'), 'utf8');
const NULLDEREF = fs.readFileSync(path.join(scenarios, 'nullderef.yaml'), 'utf8');

const made = new Map<string, string>();
/** A recording of a scenario text (as if it were features/scenarios/NAME.yaml), made once per name. */
function record(name: string, text: string, options: { chunk?: number; trace?: 'off' | 'events' | 'full' } = {}): string {
  const hit = made.get(name);
  if (hit) return hit;
  const file = path.join(tmp, `${name}.bur`);
  runRecorded(scenarioFromText(text, path.join(scenarios, `${name}.yaml`), scenarios), file, { text, ...options });
  made.set(name, file);
  return file;
}

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--to-crash on a run with no crash says so (exit 5) instead of stopping at a harmless access-flag fault', () => {
  const file = record('pingpong', PINGPONG, { chunk: 200_000 });
  const r = bringup('replay', file, '--to-crash');
  assert.equal(r.status, 5, r.stdout + r.stderr);
  assert.match(r.stdout, /^no crash: \d+ abort\(s\) or undefined instruction\(s\) in \d+ instructions, each handled and returned from/m);
  assert.doesNotMatch(r.stdout, /stopped at/);
  const help = bringup('replay', '--help').stdout;
  assert.match(help, /--to-crash +the crash: the first data abort, prefetch abort or\s+undefined instruction whose handler never returns to the\s+faulting context/);
  assert.match(help, /5 --to-crash and the recording has no crash/);
  assert.doesNotMatch(help, /the first data abort, prefetch abort or undefined instruction$/m);
});

test('--to-crash stops at the fault that kills a domain, passing over the first-touch faults handled before it', () => {
  const file = record('nullderef', NULLDEREF);
  const r = bringup('replay', file, '--to-crash');
  assert.equal(r.status, 0, r.stderr);
  // tegra2-xoom runs two cores (CPU1 held in reset: this hypervisor runs on CPU0): positions are times, every core is shown.
  assert.match(r.stdout, /^stopped at time \d+ \(core 0: the data-abort from usr mode at pc 0x80000364 \(nullderef:load\)\), in core 0's turn/m);
  assert.match(r.stdout, /^the crash: the first abort whose handler never returned to the faulting context, on core 0 \([1-9]\d* handled abort\(s\) before it\)$/m);
  assert.match(r.stdout, /^ {2}=> 80000364  e5900000  ldr\tr0, \[r0\]   <nullderef:load>$/m);
  assert.match(r.stdout, /^core 1: held \(clock, reset\)/m);
});

test('--to-crash stops at a domain\'s fault even when the domain is restarted and runs the same code again', () => {
  // dom0 (on-fault: restart) faults in guest_upcall; its next life passes the same instruction with the same stack.
  const text = `${PINGPONG.slice(0, PINGPONG.indexOf('expect:'))}limits:\n  time: 9ms\n` +
    'faults:\n  - { type: data-abort, status: translation, address: 0x1234, on-exec: { at: "pingpong:guest_upcall", nth: 2 } }\n';
  const file = record('pingpong-restart', text);
  const r = bringup('replay', file, '--to-crash');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^stopped at time \d+ \(core 0: the data-abort from usr mode at pc 0x80000398 \(pingpong:guest_upcall\)\)/m);
  assert.match(r.stdout, /^core 0 \(stopped here\): running; pc 80000398 <pingpong:guest_upcall> in usr mode, a domain \(ASID 1, image pingpong\)$/m);
});

test('--to-crash finds the crash in a recording without events (--trace off) by replaying the run', () => {
  const file = record('nullderef-untraced', NULLDEREF, { trace: 'off' });
  const r = bringup('replay', file, '--to-crash');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^stopped at time \d+ \(core 0: the data-abort from usr mode at pc 0x80000364 \(nullderef:load\)\)/m);
});

test('--to-crash on the committed __divdi3 recording still stops at the __divdi3 crash', () => {
  const r = bringup('replay', path.join(root, 'recordings', 'divdi3-crash.bur'), '--to-crash');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^stopped at instruction 6855490 \(the data-abort from svc mode at pc 0x[0-9a-f]{8} \(__divdi3\)\)/m);
});

test('symbols are resolved in the address space in force: one image per domain address, never "pingpong:... or nullderef:..."', () => {
  const file = record('nullderef', NULLDEREF);
  const r = bringup('replay', file, '--to-crash');
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /<[^>]* or [^>]*>/, 'no ambiguous symbol');
  // The exceptions before the crash: the other domains run pingpong, the crashing one nullderef.
  assert.match(r.stdout, /^ {2}\[ *\d+\] core 0: data-abort from usr at 800003ac <nullderef:walk\+0x30>$/m);
  assert.match(r.stdout, /^ {2}\[ *\d+\] core 0: svc from usr at 80000010 <pingpong:_start\+0x10>$/m);
  const committed = bringup('replay', path.join(root, 'recordings', 'divdi3-crash.bur'), '--to-crash');
  assert.doesNotMatch(committed.stdout, /<[^>]* or [^>]*>/);
  assert.match(committed.stdout, /svc from usr at 80000024 <pingpong:upcall_entry\+0xc>/);
});

test('--to-symbol accepts IMAGE:SYMBOL for any image\'s function and stops where that image runs it', () => {
  const file = record('nullderef', NULLDEREF);
  const load = bringup('replay', file, '--to-symbol', 'nullderef:load');
  assert.equal(load.status, 0, load.stderr);
  assert.match(load.stdout, /^stopped at time \d+ \(core 0's first execution of nullderef:load \(the first core to execute it\)\)/m);
  assert.match(load.stdout, /^core 0 \(stopped here\): running; pc 80000364 <nullderef:load> in usr mode, a domain \(ASID 3, image nullderef\)$/m);
  // guest_upcall of pingpong shares its address range with nullderef's walk: it must stop in a pingpong domain.
  const upcall = bringup('replay', file, '--to-symbol', 'pingpong:guest_upcall');
  assert.equal(upcall.status, 0, upcall.stderr);
  assert.match(upcall.stdout, /^core 0 \(stopped here\): running; pc [0-9a-f]{8} <pingpong:guest_upcall> in usr mode, a domain \(ASID [12], image pingpong\)$/m);
  const hyp = bringup('replay', file, '--to-symbol', 'hypervisor.elf:sched_return');
  assert.equal(hyp.status, 0, hyp.stderr);
  assert.match(hyp.stdout, /^core 0 \(stopped here\): running; pc [0-9a-f]{8} <sched_return> in svc mode/m);
  const unknown = bringup('replay', file, '--to-symbol', 'nosuch:load');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no image 'nosuch' in this recording \(images: hypervisor\.elf, pingpong, nullderef\)/);
  const missing = bringup('replay', file, '--to-symbol', 'pingpong:load');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no function or code label 'load' in pingpong/);
});

test('rodata and bytes past a function\'s size are not labelled as the preceding function', () => {
  const hyp = fs.readFileSync(path.join(root, 'firmware', 'build', 'hypervisor.elf'));
  const guest = fs.readFileSync(path.join(root, 'firmware', 'build', 'guests', 'nullderef.elf'));
  const spaces = new AddressSpaces({ kernel: hyp, kernelName: 'hypervisor.elf' });
  const syms = parseElf(hyp).symbols;
  const textEnd = syms.find((s) => s.name === '__text_end')!.value;
  // .rodata follows .text: the old lookup called it __text_end+0x10 (or the last function).
  assert.ok(symbolize(syms, textEnd + 0x10), 'the plain ELF lookup labels it');
  assert.equal(spaces.symbolAt(textEnd + 0x10), undefined);
  assert.equal(spaces.symbolAt(syms.find((s) => s.name === 'sched_return')!.value + 4), 'sched_return+0x4');
  const nd = codeSymbols('nullderef', guest);
  const main = parseElf(guest).symbols.find((s) => s.name === 'main')!;
  const past = main.value + main.size + 8;
  assert.ok(symbolize(parseElf(guest).symbols, past), 'the plain ELF lookup labels it');
  const spacesGuest = new AddressSpaces({ kernelName: 'k' }, [nd]);
  assert.equal(spacesGuest.symbolAt(past), undefined);
  assert.equal(spacesGuest.symbolAt(main.value + 8), 'nullderef:main+0x8');
});

test('diff of two recordings of one run with different --chunk sizes narrows to one fine chunk instead of stepping from 0', () => {
  const n = 1_500_123;
  const plain = record('pingpong', PINGPONG, { chunk: 200_000 });
  const faulty = record('pingpong-fault-50k', `${PINGPONG}\nfaults:\n  - { type: data-abort, status: translation, address: 0x1234, at: ${n} }\n`, { chunk: 50_000 });
  for (const [a, b] of [[plain, faulty], [faulty, plain]]) {
    const r = bringup('diff', '--json', a, b);
    assert.equal(r.status, 1, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.mode, 'instruction');
    assert.equal(d.icount, n);
    // Chunk numbers of the finer recording: the one holding instruction n.
    assert.equal(d.chunk, Math.floor(n / 50_000));
    assert.ok(d.differing.includes('input log'));
  }
  const same = bringup('diff', plain, record('pingpong-100k', PINGPONG, { chunk: 100_000 }));
  assert.equal(same.status, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /^no divergence: the runs are identical/m);
});

test('the end of a run that halted is called "halt", not "idle"', () => {
  const r = bringup('replay', record('pingpong', PINGPONG, { chunk: 200_000 }));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^stopped at time \d+ \(the end of the recording, where the run ended with a halt \(WFI with nothing scheduled\)\)/m);
  assert.doesNotMatch(r.stdout, /idle/);
});

test('a two-build diff shows the differing console line with PCs and symbols, not its first differing UART byte; --ignore-console skips known differences', { skip: toolSkip('arm-none-eabi-gcc', 'make') }, () => {
  requireTools('arm-none-eabi-gcc', 'make');
  const src = path.join(tmp, 'firmware');
  fs.cpSync(path.join(root, 'firmware'), src, { recursive: true, filter: (f) => !f.includes(`${path.sep}build`) });
  const boot = path.join(src, 'hyp', 'boot.c');
  const original = fs.readFileSync(boot, 'utf8');
  const line = 'kprintf("starting %u domains\\n", ndomains);';
  assert.ok(original.includes(line), 'the line to change is in boot.c');
  fs.writeFileSync(boot, original.replace(line, 'kprintf("launching %u domains\\n", ndomains);'));
  const built = spawnSync('make', ['-C', src, `BUILD=${path.join(src, 'changed')}`], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const changed = PINGPONG.replace('kernel: ../../firmware/build/hypervisor.elf', `kernel: ${path.join(src, 'changed', 'hypervisor.elf')}`);
  const a = record('pingpong', PINGPONG, { chunk: 200_000 }), b = record('pingpong-changed', changed);

  const json = bringup('diff', '--json', a, b);
  assert.equal(json.status, 1, json.stderr);
  const d = JSON.parse(json.stdout);
  assert.equal(d.mode, 'events');
  assert.equal(d.a.kind, 'console');
  assert.equal(d.a.text, 'uartd: starting 2 domains');
  assert.equal(d.b.text, 'uartd: launching 2 domains');
  assert.equal(d.lastEqualLine.a.text, d.lastEqualLine.b.text);

  const text = bringup('diff', a, b);
  assert.equal(text.status, 1, text.stderr);
  assert.match(text.stdout, /^first differing event: #\d+ of the console\/mmio\/exception\/input streams$/m);
  assert.match(text.stdout, /^ {2}last equal console line:\n {6}A .*: \[ *\d+\] console +uartd: event channel: dom0:1 <-> dom1:1 +\(pc 0x[0-9a-f]{8} <uart_putc\+0x[0-9a-f]+>\)$/m);
  assert.match(text.stdout, /^ {4}> \[ *\d+\] console +uartd: starting 2 domains +\(pc 0x[0-9a-f]{8} <uart_putc\+0x[0-9a-f]+>\)$/m);
  assert.match(text.stdout, /^ {4}> \[ *\d+\] console +uartd: launching 2 domains +\(pc 0x[0-9a-f]{8} <uart_putc\+0x[0-9a-f]+>\)$/m);
  assert.doesNotMatch(text.stdout, /^ {4}> .*mmio/m, 'not a raw UART byte');

  const ignoring = bringup('diff', a, b, '--ignore-console', '^(starting|launching) \\d+ domains$', '--ignore-console', 'never matches');
  assert.equal(ignoring.status, 0, ignoring.stdout + ignoring.stderr);
  assert.match(ignoring.stdout, /^no divergence: the event streams are identical \(\d+ events; console lines ignored: 1 in A, 1 in B\)$/m);
  const bad = bringup('diff', a, b, '--ignore-console', '(unclosed');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--ignore-console: '\(unclosed' is not a regular expression/);
});
