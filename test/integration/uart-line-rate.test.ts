/**
 * A 200-byte line typed into tegra2-xoom's UARTD while a bare-metal program
 * (test/programs-tegra/src/uart_slow_reader.c) polls it one byte per 60 us:
 * typed at the line rate (115200 baud, a byte per 86.8 us) every byte
 * arrives, in order, with no overrun; put into the 32-byte FIFO at once the
 * tail is lost with LSR OE set. Typed by a scenario, the run is recorded
 * with one input-log entry per byte and replays identically.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseElf } from '../../machine/loaders/elf';
import { injectionFromJson } from '../../machine/injections';
import { createMachine } from '../../scenario/boards';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded, openReplay } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { ROOT } from '../support/environment';

const ELF = path.join(ROOT, 'test', 'programs-tegra', 'build', 'uart_slow_reader.elf');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-uart-line-rate-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** 200 printable bytes (no quote or backslash, so the line also fits a YAML string), then Enter. */
const TEXT = Array.from({ length: 200 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7) % 36]).join('');
const LINE = Buffer.from(`${TEXT}\n`, 'latin1');
const TYPED_AT = 1_000_000;
const LIMIT = 100_000_000;

function run(deliver: 'typed' | 'burst'): { out: string; stop: string; errors: number } {
  const machine = createMachine('tegra2-xoom');
  machine.loadElf(parseElf(fs.readFileSync(ELF), ELF), ELF);
  let out = '';
  machine.probes.console.subscribe((device, data) => { if (device === 'uartd') out += Buffer.from(data).toString('latin1'); });
  machine.enableSemihosting({ host: { console: () => {} } });
  if (deliver === 'typed') machine.typeInput(TYPED_AT, 'uartd', LINE);
  else machine.addInput(TYPED_AT, 'uartd', LINE);
  const stop = machine.runUntil(LIMIT);
  return { out, stop: stop.kind === 'exit' ? `exit ${stop.code}` : stop.kind, errors: machine.guestErrors.length };
}

test('typed at the line rate, a 200-byte line reaches a reader polling every 60 us whole, in order, without overrun', () => {
  const r = run('typed');
  assert.equal(r.stop, 'exit 0', r.out);
  assert.match(r.out, /^uart_slow_reader: ready\n/);
  // TMRUS sees the second byte one character time (86.8 us) after the first.
  assert.match(r.out, /^received 201 bytes, overruns 0, first gap 8[67] us$/m);
  assert.equal(r.out.split('line: ')[1], `${TEXT}<LF>\n`);
  assert.equal(r.errors, 0);
});

test('the same line put into the FIFO at once overruns it: the reader gets the first 32 bytes and sees OE', () => {
  const r = run('burst');
  assert.equal(r.stop, 'exit 0', r.out);
  assert.match(r.out, /^received 32 bytes, overruns 1, first gap \d+ us$/m);
  assert.equal(r.out.split('line: ')[1], `${TEXT.slice(0, 32)}\n`);
});

test('typed by a scenario: recorded with one input-log entry per byte, one character time apart, and replayed identically', () => {
  const text = `board: tegra2-xoom
smp: 1
boot:
  kernel: ${ELF}
  semihosting: true
input:
  - { at: 1ms, text: "${TEXT}\\n" }
expect:
  console:
    - "received 201 bytes, overruns 0, first gap"
    - "line: ${TEXT}<LF>"
  end: exit
limits: { time: 100ms }
`;
  const file = path.join(tmp, 'typed.bur');
  const r = runRecorded(scenarioFromText(text, path.join(tmp, 'typed.yaml'), tmp), file, { text });
  assert.equal(r.verdict, 'pass', r.expectations.filter((e) => !e.ok).map((e) => `${e.what}: ${e.problem}`).join('\n'));
  const entries = r.machine!.injected.filter((e) => e.injection.kind === 'console-input');
  assert.equal(entries.length, 201);
  assert.equal(entries[0].icount, TYPED_AT);
  for (let k = 1; k < entries.length; k++) assert.ok([86_805, 86_806].includes(entries[k].icount - entries[k - 1].icount), `byte ${k + 1}`);
  const replay = openReplay(RecordingReader.open(file)).replayer.verify();
  assert.equal(replay.icount, r.icount, 'the replay reaches the same end');
  const rec = RecordingReader.open(file);
  const logged = rec.chunks.flatMap((c) => c.inputs.map(injectionFromJson)).filter((e) => e.injection.kind === 'console-input');
  assert.deepEqual(logged.map((e) => e.icount), entries.map((e) => e.icount), 'the recording holds each byte at its arrival time');
});
