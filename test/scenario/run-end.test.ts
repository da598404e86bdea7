/**
 * How a run ends: input-log entries after the guest has gone idle (and the
 * halt they move), runs that end once the verdict is decided, the bounded
 * console log, interrupt faults on devices without interrupt inputs, one
 * word for the idle stop everywhere, and UTF-8 console input and output.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scenarioFromText, type Scenario } from '../../scenario/file/scenario-file';
import { runScenario } from '../../scenario/run/runner';
import { runRecorded, openReplay } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { formatReport } from '../../scenario/check/report';
import { consoleShows, receivedInput } from '../../scenario/check';
import { InputFileError } from '../../scenario/file/yaml-file';
import { ConsoleTracker, Utf8Stream } from '../../scenario/run/console-log';
import { describeStopReason } from '../../machine/stop-reason';
import { compilePattern, type Pattern } from '../../scenario/file/scenario-file';
import { tinyElf } from '../support/tiny-elf';
import { ROOT } from '../support/environment';

const BRINGUP = path.join(ROOT, 'bin', 'bringup');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-run-end-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * The reference hypervisor with one domain that has nothing to do: CPU0 waits
 * for good at 4.863374 ms; the machine (two cores, CPU1 held in reset) halts
 * at the end of that round, 4.864 ms.
 */
const SOLO_HALT = 4_864_000;
function solo(extra: string, limit = '20ms'): string {
  return `name: solo
board: tegra2-xoom
boot:
  kernel: ${path.join(ROOT, 'firmware', 'build', 'hypervisor.elf')}
  cmdline: console=ttyS0
  volume: ${path.join(ROOT, 'firmware', 'volumes', 'solo.yaml')}
limits: { time: ${limit} }
${extra}`;
}

const scenario = (text: string, name = 'run-end.yaml'): Scenario => scenarioFromText(text, path.join(tmp, name), tmp);

/**
 * A bare-metal guest for tegra2-xoom that prints `message` on uartd for ever,
 * one byte per store (ldr r0, =uartd; loop: adr r1, msg; next: ldrb; cmp; beq loop; strb; b next).
 */
function printer(message: Buffer): string {
  const code = [0xe59f0014, 0xe28f1014, 0xe4d12001, 0xe3520000, 0x0afffffb, 0xe5c02000, 0xeafffffa, 0x70006300];
  const bytes = Buffer.concat([message, Buffer.alloc(4 - (message.length % 4))]);
  const words = [...code];
  for (let i = 0; i < bytes.length; i += 4) words.push(bytes.readUInt32LE(i));
  const file = path.join(tmp, `printer-${message.toString('hex').slice(0, 16)}.elf`);
  fs.writeFileSync(file, tinyElf(0x00100000, words));
  return file;
}

function printerScenario(message: Buffer, extra: string): string {
  return `name: printer
board: tegra2-xoom
boot: { kernel: ${printer(message)} }
${extra}`;
}

/** Runs recorded, then replays the recording from the boot, checking every chunk hash. */
function recordAndVerify(text: string, name: string) {
  const file = path.join(tmp, `${name}.bur`);
  const r = runRecorded(scenario(text, `${name}.yaml`), file, { chunk: 200_000, checkpointEvery: 4, text });
  const rec = RecordingReader.open(file);
  assert.deepEqual(rec.problems, [], `${name}: the recording is complete`);
  const pos = openReplay(rec, { scenario: r.scenario }).replayer.verify();
  assert.equal(pos.icount, r.icount, `${name}: the replay ends where the run ended`);
  assert.equal(pos.chunksVerified, rec.chunks.length, `${name}: every chunk hash matches`);
  assert.equal(rec.end?.stop.kind, r.stop.kind);
  fs.rmSync(file);
  return { r, pos };
}

// ---- input-log entries after the guest has gone idle --------------------------------

test('a spurious interrupt injected after the guest has gone idle records and replays identically (the halt comes after it)', () => {
  const { r, pos } = recordAndVerify(solo('faults: [ { type: spurious-interrupt, line: 40, at: 5ms } ]\nexpect: { end: halt }\n'), 'spurious-after-idle');
  assert.equal(r.verdict, 'pass');
  assert.equal(r.stop.kind, 'idle');
  assert.equal(pos.stop.kind, 'idle', 'the replay halts too');
  // The machine halts once nothing is left to happen: after the pulse's falling edge.
  assert.equal(r.icount, 5_000_001);
  assert.match(formatReport(r), /ended with a halt \(WFI with nothing scheduled\) at 5\.000001 ms/);
});

/** Every fault type of the scenario schema, firing (or due) after the guest went idle at 4.85 ms. */
const AFTER_IDLE: Array<[string, string, boolean]> = [
  ['data-abort at a time', 'faults: [ { type: data-abort, status: translation, address: 0x10, at: 5ms } ]', true],
  ['prefetch-abort at a time', 'faults: [ { type: prefetch-abort, status: permission, at: 5ms } ]', true],
  ['lost upcall (never called after the halt)', 'faults: [ { type: lost-upcall, count: all } ]', false],
  ['IRQ storm that outlasts the guest', 'faults: [ { type: irq-storm, line: 32, start: 4800us, period: 4us, count: 100 } ]', true],
  ['bit flip', 'faults: [ { type: bit-flip, address: 0x1000, bit: 3, at: 5ms } ]', true],
  ['corrupt input typed after the halt', 'input: [ { at: 5ms, text: "help\\r" } ]\nfaults: [ { type: corrupt-input, byte: 2, xor: 0x20 } ]', true],
  ['lost interrupt (console input after the halt)', 'input: [ { at: 5ms, text: "x" } ]\nfaults: [ { type: lost-interrupt, controller: lic, line: 90 } ]', false],
  ['spurious interrupt', 'faults: [ { type: spurious-interrupt, line: 122, at: 5ms, width: 10us } ]', true],
  ['console input at a time', 'input: [ { at: 6ms, text: "help\\r" } ]', false],
  ['console input after output, delayed past the halt', 'input: [ { after: "power off", delay: 1ms, text: "x" } ]', false],
];

for (const [what, yaml, fires] of AFTER_IDLE) {
  test(`a fault after the guest has gone idle records and replays identically: ${what}`, () => {
    const { r } = recordAndVerify(solo(`${yaml}\nexpect: { end: halt }\n`), what.replace(/[^a-z]+/gi, '-'));
    if (fires) assert.ok(r.faults.length > 0 && r.faults.every((f) => f.icount > SOLO_HALT - 100_000), `${what}: fired after the guest went idle`);
    const log = r.machine!.injected;
    if (log.length && r.stop.kind === 'idle') {
      assert.ok(r.icount >= log[log.length - 1].icount, 'the halt comes after the last input-log entry');
    }
  });
}

// ---- a run ends once its verdict is decided -------------------------------------------

test('a missed deadline ends the run at the deadline, and the recording ends there too', () => {
  const text = solo('expect:\n  console:\n    - { text: "hyp: all domains have shut down", by: 1ms }\n    - "bringup-hyp: power off"\n  end: halt\n', '100ms');
  const { r } = recordAndVerify(text, 'missed-deadline');
  assert.equal(r.verdict, 'fail');
  assert.equal(r.stop.kind, 'decided');
  assert.equal(r.icount, 1_000_001, 'one instruction past the deadline, not the limit');
  const report = formatReport(r);
  assert.match(report, /FAILED console shows "hyp: all domains have shut down" by 1 ms .*\n {9}not printed by the deadline 1 ms/);
  assert.match(report, /-- {5}console shows "bringup-hyp: power off"\n {9}not decided: the run ended at 1\.000001 ms/);
  assert.match(report, /-- {5}the run ends with a halt/);
  assert.match(report, /^FAIL solo: 1 of 3 expectations failed — ended with an early end, the verdict decided: "hyp: all domains have shut down" was not printed by its deadline 1 ms/m);
});

test('a never-pattern printed ends the run at the line that printed it', () => {
  const r = runScenario(scenario(solo('expect:\n  never: ["starting 1 domains"]\n  end: halt\n', '100ms')));
  assert.equal(r.verdict, 'fail');
  assert.equal(r.stop.kind, 'decided');
  const hit = r.lines.find((l) => l.text.includes('starting 1 domains'))!;
  assert.ok(r.icount - hit.icount < 10, `ended right after the line (${hit.icount}), at ${r.icount}`);
  assert.equal(r.lines.at(-1), hit, 'nothing printed after it');
});

test('a deadline met keeps the run going to its end', () => {
  const r = runScenario(scenario(solo('expect:\n  console: [ { text: "hyp: all domains have shut down", by: 10ms } ]\n  end: halt\n', '100ms')));
  assert.equal(r.verdict, 'pass');
  assert.equal(r.stop.kind, 'idle');
  assert.equal(r.icount, SOLO_HALT);
});

// ---- the console log is bounded ---------------------------------------------------------

test('a chatty guest: the console kept for checks is a bounded tail, matches in dropped lines still count, and the report says what was dropped', () => {
  const line = 'chatty: the quick brown fox jumps over the lazy dog';
  const s = scenario(printerScenario(Buffer.from(`${line}\n`), `expect:\n  console: ["${line}"]\n  never: [WATCHDOG]\n  end: limit\nlimits: { instructions: 2M }\n`));
  const r = runScenario(s, { consoleTailLines: 100 });
  assert.equal(r.verdict, 'pass');
  assert.equal(r.lines.length, 100, 'only the last 100 lines kept');
  const printed = r.lines.at(-1)!.index + 1;
  assert.ok(printed > 5_000, `${printed} lines printed`);
  assert.ok(r.lines.every((l, i) => l.index === printed - 100 + i), 'the kept lines are the last ones, numbered as printed');
  assert.ok(r.lines.slice(0, -1).every((l) => l.text === line) && line.startsWith(r.lines.at(-1)!.text), 'whole lines (the last one cut by the limit)');
  const report = formatReport(r);
  assert.match(report, /ok {5}console shows "chatty: the quick[^"]*": at [^,]+ \(\d+ insns\), line 1\n/, 'the match on line 1 is reported though line 1 is no longer kept');
  assert.match(report, new RegExp(`note   uartd printed ${printed} lines; the first ${printed - 100} are not kept`));
  assert.match(consoleShows(r, 'no such text').problem!, new RegExp(`only the last 100 of ${printed} lines printed are kept`));
});

test('a console line is cut at 64 KiB and a tracker keeps at most its tail of lines', () => {
  const t = new ConsoleTracker([], [], 3);
  for (let i = 0; i < 70_000; i++) t.write('x', i);
  t.write('\n', 70_000);
  for (let i = 0; i < 10; i++) t.write(`line ${i}\n`, 80_000 + i);
  t.flush(90_000);
  assert.equal(t.count, 12, 'the 70000-character line became two lines, then ten more');
  assert.deepEqual(t.lines.map((l) => [l.index, l.text]), [[9, 'line 7'], [10, 'line 8'], [11, 'line 9']]);
  assert.equal(t.dropped, 9);
});

// ---- interrupt faults on devices without interrupt inputs -------------------------------

/** The InputFileError a scenario text gives: at the line holding `needle`. */
function badAt(text: string, needle: string, problem: RegExp): void {
  let e: unknown;
  try { scenario(text, 'bad.yaml'); } catch (x) { e = x; }
  assert.ok(e instanceof InputFileError, `an InputFileError, not ${String(e)}`);
  const lineNo = text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  assert.equal(e.line, lineNo, `line of ${needle}: ${e.message}`);
  assert.ok(e.column >= 1);
  assert.match(e.problem, problem);
}

test('an IRQ storm (or lost or spurious interrupt) on a device without interrupt inputs is refused as bad input at its line', () => {
  const controllers = /the interrupt controllers of board tegra2-xoom are gic \(lines 0-159\), lic \(lines 0-127\)/;
  badAt(solo('faults:\n  - { type: irq-storm, controller: uartd, line: 3, start: 1ms, period: 4us, count: 10 }\n'), 'controller: uartd',
    new RegExp(`device 'uartd' \\(ns16550a\\) has no interrupt inputs, so this irq-storm fault cannot drive its lines; ${controllers.source}`));
  badAt(solo('faults:\n  - { type: spurious-interrupt, controller: timer, line: 3, at: 1ms }\n'), 'controller: timer', /device 'timer' .* has no interrupt inputs/);
  badAt(solo('faults:\n  - { type: lost-interrupt, controller: uartd, line: 3 }\n'), 'controller: uartd', /device 'uartd' .* has no interrupt inputs/);
  // Siblings: a line the controller does not have, an unknown controller, console input to a device that takes none.
  badAt(solo('faults:\n  - { type: irq-storm, controller: lic, line: 500, start: 1ms, period: 4us, count: 10 }\n'), 'line: 500', /lic has interrupt IDs 0-127; line 500 does not exist/);
  badAt(solo('faults:\n  - { type: spurious-interrupt, controller: lic, line: 128, at: 1ms }\n'), 'line: 128', /lic has interrupt IDs 0-127/);
  badAt(solo('faults:\n  - { type: irq-storm, controller: nosuch, line: 40, start: 1ms, period: 4us, count: 10 }\n'), 'controller: nosuch', /'nosuch' is not on board tegra2-xoom \(its interrupt controllers: gic/);
  badAt(solo('input:\n  - { at: 1ms, text: "x", device: gic }\n'), 'device: gic', /device 'gic' of board tegra2-xoom is not a UART; it takes no console input \(UARTs: uarta, uartb, uartc, uartd, uarte\)/);
});

test('bringup run refuses an IRQ storm on a UART with exit 2, file:line:column and no stack trace', () => {
  const file = path.join(tmp, 'storm-on-uart.yaml');
  fs.writeFileSync(file, solo('faults:\n  - { type: irq-storm, controller: uartd, line: 3, start: 1ms, period: 4us, count: 10 }\n'));
  const p = spawnSync(process.execPath, [BRINGUP, 'run', '--quiet', file], { encoding: 'utf8', cwd: tmp });
  assert.equal(p.status, 2, p.stderr);
  assert.match(p.stderr, /storm-on-uart\.yaml:9:\d+: device 'uartd' \(ns16550a\) has no interrupt inputs/);
  assert.doesNotMatch(p.stderr, /internal error|at \w+ \(/);
});

// ---- one word for the idle stop -----------------------------------------------------------

test('the machine\'s idle stop is called a halt in run reports, exec and replay --verify', () => {
  assert.equal(describeStopReason({ kind: 'idle' }), 'a halt (WFI with nothing scheduled)');
  const text = solo('expect: { end: halt }\n');
  const file = path.join(tmp, 'halt-words.yaml');
  fs.writeFileSync(file, text);
  const bur = path.join(tmp, 'halt-words.bur');
  const run = spawnSync(process.execPath, [BRINGUP, 'run', '--quiet', file, '--record', bur], { encoding: 'utf8', cwd: tmp });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /ended with a halt \(WFI with nothing scheduled\)/);
  const verify = spawnSync(process.execPath, [BRINGUP, 'replay', bur, '--verify'], { encoding: 'utf8', cwd: tmp });
  assert.equal(verify.status, 0, verify.stderr);
  assert.match(verify.stdout, /ends with a halt \(WFI with nothing scheduled\)/);
  assert.doesNotMatch(verify.stdout, /idle/);
  const toEnd = spawnSync(process.execPath, [BRINGUP, 'replay', bur], { encoding: 'utf8', cwd: tmp });
  assert.match(toEnd.stdout, /the end of the recording, where the run ended with a halt/);
  const wfi = path.join(tmp, 'wfi.elf');
  fs.writeFileSync(wfi, tinyElf(0x00100000, [0xe320f003, 0xeafffffe])); // wfi; b .
  const exec = spawnSync(process.execPath, [BRINGUP, 'exec', '--board', 'tegra2-xoom', wfi], { encoding: 'utf8', cwd: tmp });
  assert.match(exec.stderr, /ended with a halt \(WFI with nothing scheduled\)/);
  assert.doesNotMatch(exec.stderr, /idle/);
});

// ---- UTF-8 console input and output --------------------------------------------------------

test('console input is typed as UTF-8 bytes: "€é🙂" arrives as its 9 UTF-8 bytes', () => {
  const r = runScenario(scenario(solo('input: [ { at: 1ms, text: "€é🙂" } ]\nexpect: { end: halt }\n')));
  // One input-log entry per byte, each as it arrived over the line.
  const bytes = r.machine!.injected.filter((e) => e.injection.kind === 'console-input').flatMap((e) => [...(e.injection as { data: Uint8Array }).data]);
  assert.deepEqual(bytes, [0xe2, 0x82, 0xac, 0xc3, 0xa9, 0xf0, 0x9f, 0x99, 0x82]);
  assert.equal(receivedInput(r, 'uartd'), '€é🙂');
});

test('console output is decoded as UTF-8 for expectations and reports, a character split across transmit writes included', () => {
  const r = runScenario(scenario(printerScenario(Buffer.from('grüße €5 🙂 ok\n', 'utf8'), 'expect:\n  console: ["grüße €5 🙂 ok"]\n  end: matched\n')));
  assert.equal(r.verdict, 'pass', formatReport(r));
  assert.equal(r.lines[0].text, 'grüße €5 🙂 ok');
  assert.match(formatReport(r), /ok {5}console shows "grüße €5 🙂 ok"/);
  // Byte by byte, and malformed sequences as U+FFFD.
  const d = new Utf8Stream();
  assert.equal([0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x99, 0x82].map((b) => d.decode(Uint8Array.of(b))).join(''), '€🙂');
  assert.equal(d.decode(Uint8Array.of(0xc3, 0x41, 0xff)), '\ufffdA\ufffd');
  assert.equal(d.decode(Uint8Array.of(0xe2, 0x82)) + d.end(), '\ufffd');
  const p = compilePattern('€') as Pattern;
  const t = new ConsoleTracker([p], []);
  t.writeBytes(Uint8Array.of(0xe2), 1);
  t.writeBytes(Uint8Array.of(0x82), 2);
  t.writeBytes(Uint8Array.of(0xac, 0x0a), 3);
  assert.deepEqual(t.matches[0], { icount: 3, line: 0 });
});
