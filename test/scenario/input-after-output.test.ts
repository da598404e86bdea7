/**
 * Console input that waits for console output (input: after): typed at the
 * instruction its pattern appeared plus the delay, in the order written,
 * identical in every run and replayed from the input log; bad combinations
 * are reported at their line.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runScenario } from '../../scenario/run/runner';
import { checkReplayIdentity } from '../../scenario/record/recording';
import { receivedInput } from '../../scenario/check';
import { InputFileError } from '../../scenario/file/yaml-file';
import { ROOT } from '../support/environment';

const SCENARIOS = path.join(ROOT, 'features', 'scenarios');

function text(extra: string): string {
  return `board: tegra2-xoom
boot:
  kernel: ${path.join(ROOT, 'firmware', 'build', 'hypervisor.elf')}
  cmdline: console=ttyS0
  volume: ${path.join(ROOT, 'firmware', 'volumes', 'console.yaml')}
limits: { time: 60ms }
${extra}`;
}

const run = (t: string) => runScenario(scenarioFromText(t, 'after.yaml', SCENARIOS));

/** The console-input entries of the run's input log: [icount, text]. */
function typed(r: ReturnType<typeof run>): Array<[number, string]> {
  return r.machine!.injected.filter((e) => e.injection.kind === 'console-input')
    .map((e) => [e.icount, Buffer.from((e.injection as { data: Uint8Array }).data).toString('latin1')]);
}

const SESSION = text(`input:
  - { after: "type lines (quit", text: "console shell\\n" }
  - { after: "(Ctrl-A switches)", delay: 1ms, text: "hello world\\n" }
  - { after: '/reversed "dlrow olleh"/', text: "quit\\n" }
expect:
  console:
    - "[shell] echo: line 1: \\"hello world\\" (11 bytes), reversed \\"dlrow olleh\\""
    - "[shell] echo: quit after 2 lines"
`);

test('input after output: each line is typed once its pattern is printed, delay instructions later', () => {
  const r = run(SESSION);
  assert.equal(r.verdict, 'pass', r.expectations.filter((e) => !e.ok).map((e) => `${e.what}: ${e.problem}`).join('\n'));
  // One entry per byte, as it arrived over the line.
  const log = typed(r);
  assert.ok(log.every(([, t]) => t.length === 1));
  assert.equal(log.map(([, t]) => t).join(''), 'console shell\nhello world\nquit\n');
  const lineAt = (needle: string) => r.lines.find((l) => l.text.includes(needle))!.icount;
  // The pattern matches at the byte that completes it, a few instructions before the line's newline;
  // the first byte of the typed line arrives then.
  const near = (icount: number, from: number, what: string) =>
    assert.ok(icount <= from && icount > from - 5_000, `${what}: typed at ${icount}, the line ends at ${from}`);
  // A line typed while the one before is still on the wire (its last byte arrived less than a
  // character time ago) waits for the wire: its first byte comes one character time after that byte.
  const T = (10 * 1e9) / 115_200;
  const nearOrQueued = (k: number, from: number, what: string) => {
    if (k > 0 && Math.abs(log[k][0] - log[k - 1][0] - T) <= 1 && log[k][0] > from - 5_000 && log[k][0] <= from + T) return;
    near(log[k][0], from, what);
  };
  const starts = [0, 'console shell\n'.length, 'console shell\nhello world\n'.length];
  nearOrQueued(starts[0], lineAt('type lines (quit'), 'no delay');
  nearOrQueued(starts[1], lineAt('(Ctrl-A switches)') + 1_000_000, '1 ms later');
  nearOrQueued(starts[2], lineAt('reversed "dlrow olleh"'), 'no delay');
  // Within a line the bytes follow one character time apart: 10 bits at 115200 baud, 86805.6 ticks at 1 GHz.
  // (Rounded to whole ticks from the start of the stream: 86805 or 86806 apart.)
  for (const [from, to] of [[0, 14], [14, 26], [26, 31]]) {
    for (let k = from + 1; k < to; k++) assert.ok([86_805, 86_806].includes(log[k][0] - log[k - 1][0]), `byte ${k + 1}: ${log[k][0] - log[k - 1][0]} ticks after the one before`);
  }
  assert.equal(receivedInput(r, 'uartd'), 'console shell\nhello world\nquit\n');
});

test('input after output: identical in two runs and replayed from the input log', () => {
  const first = run(SESSION);
  assert.deepEqual(typed(run(SESSION)), typed(first));
  const identity = checkReplayIdentity(first);
  assert.ok(identity.ok, identity.problem);
});

test('input after output: a pattern printed before the previous one matched does not count', () => {
  const r = run(text(`input:
  - { after: "[ping] pong 3/3", text: "help\\n" }
  - { after: "[ping] pong 1/3", text: "regs\\n" }
  - { after: "Ctrl-A: console input", text: "irqs\\n" }
expect: { end: limit }
`));
  assert.equal(typed(r).map(([, t]) => t).join(''), 'help\n', 'pong 1/3 came before pong 3/3; the third waits behind the second');
});

test('input after output: bad combinations are reported at their line', () => {
  const bad = (t: string, problem: RegExp, needle: string) => {
    try { run(t); } catch (e) {
      assert.ok(e instanceof InputFileError, String(e));
      assert.match(e.problem, problem);
      assert.equal(e.line, t.split('\n').findIndex((l) => l.includes(needle)) + 1, `line of ${needle}: ${e.message}`);
      assert.ok(e.column >= 1);
      return;
    }
    assert.fail(`accepted: ${t}`);
  };
  bad(text('input:\n  - { at: 1ms, after: "x", text: "y" }\n'), /typed at a time or after a pattern; this one has at and after/, 'after: "x"');
  bad(text('input:\n  - { text: "y" }\n'), /never typed: give it 'at' \(a time\) or 'after'/, '{ text: "y" }');
  bad(text('input:\n  - { at: 1ms, delay: 2ms, text: "y" }\n'), /'delay' counts from the 'after' match/, 'delay: 2ms');
  bad(text('input:\n  - { after: "/(/", text: "y" }\n'), /bad regular expression/, 'after: "/(/"');
  bad(text('input:\n  - { after: "x", delay: 3 parsecs, text: "y" }\n'), /'3 parsecs' is not a time/, 'parsecs');
  bad(text('input:\n  - { after: "x", text: "yz" }\nfaults:\n  - { type: corrupt-input, byte: 3, drop: true }\n'),
    /byte 3 of the input to uartd can never be corrupted: the scenario types only 2 byte\(s\) there/, 'byte: 3');
});

test('input after output: corrupt-input counts its bytes in delivery order, and the run replays from the log', () => {
  // "console shell\n" is bytes 1-14; byte 15 is the "h" of "hello world", typed after the hand-over.
  const r = run(SESSION.replace('expect:', `faults:
  - { type: corrupt-input, byte: 15, xor: 0x20 }
expect:`).replace(/"\[shell\] echo: line 1: .*\n/, '"[shell] echo: line 1: \\"Hello world\\" (11 bytes), reversed \\"dlrow olleH\\""\n')
    .replace('/reversed "dlrow olleh"/', '/reversed "dlrow olleH"/'));
  assert.equal(r.verdict, 'pass', r.expectations.filter((e) => !e.ok).map((e) => `${e.what}: ${e.problem}`).join('\n'));
  assert.equal(receivedInput(r, 'uartd'), 'console shell\nHello world\nquit\n');
  assert.deepEqual(r.faults.map((f) => [f.type, f.detail]), [['corrupt-input', "byte 15 on uartd: 0x68 'h' delivered as 0x48 'H'"]]);
  assert.equal(r.faults[0].icount, typed(r)[14][0], 'recorded where the corrupted byte was delivered');
  assert.equal(typed(r)[14][1], 'H');
  const identity = checkReplayIdentity(r);
  assert.ok(identity.ok, identity.problem);
});
