/** `bringup diff`: first divergence of two runs (same images: exact instruction; two builds: first differing event). */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { openReplay, runRecorded } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { AddressSpaces } from '../../replay/symbols';
import { diffInstructions, type InstructionDivergence, type Side } from '../../replay/diff';
import type { Replayer } from '../../replay/replayer';
import { ROOT as root, requireTools, toolSkip } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-diff-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PINGPONG = fs.readFileSync(path.join(scenarios, 'pingpong.yaml'), 'utf8');

function record(name: string, text: string): string {
  const file = path.join(tmp, `${name}.bur`);
  runRecorded(scenarioFromText(text, path.join(scenarios, `${name}.yaml`), scenarios), file, { text });
  return file;
}

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('two runs that differ only by a fault injected at instruction N diverge at N exactly', () => {
  const plain = record('plain', PINGPONG);
  for (const n of [1_500_123, 2_222_222]) {
    const faulty = record(`fault-${n}`, `${PINGPONG}\nfaults:\n  - { type: data-abort, status: translation, address: 0x1234, at: ${n} }\n`);
    const r = bringup('diff', '--json', plain, faulty);
    assert.equal(r.status, 1, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.mode, 'instruction');
    assert.equal(d.icount, n);
    assert.ok(d.differing.includes('input log'));
    assert.deepEqual(d.a.inputs, []);
    assert.match(d.b.inputs[0], /^data abort \(status 0x5, read\) at 0x00001234 between instructions/);
  }
  const text = bringup('diff', plain, record('fault-text', `${PINGPONG}\nfaults:\n  - { type: data-abort, status: translation, address: 0x1234, at: 1500123 }\n`));
  // tegra2-xoom runs two cores (CPU1 held in reset): the divergence is at time N, on core 0, with every core's registers.
  assert.match(text.stdout, /^first divergence at time 1500123 \(in chunk \d+\): core 0 diverged first: input log; core 0: pc, cpsr, /m);
  assert.match(text.stdout, /^ {2}pc {4}\*[0-9a-f]{8} {2}[0-9a-f]{8} {4}00100000 {2}00100000$/m);
  assert.match(text.stdout, /^last common console output:$/m);
});

test('on two cores, both runs go on together in strides while equal: a divergence 1.5 M instructions in is stepped to through at most one fine stride', () => {
  const plain = record('plain-strides', PINGPONG);
  const faulty = record('fault-strides', `${PINGPONG}\nfaults:\n  - { type: data-abort, status: translation, address: 0x1234, at: 1500123 }\n`);
  const side = (file: string): Side & { replayer: Replayer } => {
    const rec = RecordingReader.open(file);
    const { replayer, boot } = openReplay(rec);
    return { rec, replayer, symbols: new AddressSpaces(boot) };
  };
  const A = side(plain), B = side(faulty);
  assert.ok(A.rec.header.boot.cores === 2 && A.rec.header.chunkInstructions > 1_500_123, 'two cores, one chunk up to the fault');
  // Counted: the instructions the diff steps one at a time (a fault scheduled
  // in one run ends its rounds of turns early, which must not stop the strides).
  let steps = 0;
  for (const r of [A.replayer, B.replayer]) {
    const stepAny = r.stepAny.bind(r);
    r.stepAny = (limit?: number) => { steps++; return stepAny(limit); };
  }
  const d = diffInstructions(A, B);
  assert.equal(d.mode, 'instruction');
  assert.equal((d as InstructionDivergence).icount, 1_500_123);
  assert.ok(steps <= 2 * 1024 + 2, `${steps} steps`);
});

test('on one core, a divergence deep inside a chunk is found at its exact instruction', () => {
  // One chunk of the default size holds the whole run: the diff compares the
  // runs' states at strides through it and steps only the last stride.
  const one = `${PINGPONG}\nsmp: 1\n`;
  const plain = record('plain-1core', one);
  // A data abort the hypervisor dies of; a bit flipped in memory nothing reads, after which both runs go on alike.
  const faults: Array<[number, string, RegExp]> = [
    [1_500_123, 'data-abort, status: translation, address: 0x1234', /^data abort \(status 0x5, read\) at 0x00001234 between instructions/],
    [2_222_222, 'bit-flip, address: 0x10000000, bit: 3', /^bit 3 of physical 0x10000000 flipped between instructions/],
  ];
  for (const [n, fault, input] of faults) {
    const faulty = record(`fault-1core-${n}`, `${one}faults:\n  - { type: ${fault}, at: ${n} }\n`);
    const r = bringup('diff', '--json', plain, faulty);
    assert.equal(r.status, 1, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.mode, 'instruction');
    assert.equal(d.chunk, 0);
    assert.equal(d.icount, n);
    assert.ok(d.differing.includes('input log'));
    assert.match(d.b.inputs[0], input);
  }
});

test('two recordings of the same scenario are identical', () => {
  const a = record('same-a', PINGPONG), b = record('same-b', PINGPONG);
  const r = bringup('diff', a, b);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^no divergence: the runs are identical \(\d+ chunk hashes equal, \d+ instructions\)$/m);
});

test('two builds of the hypervisor differing by one line: the first differing console or MMIO event', { skip: toolSkip('arm-none-eabi-gcc', 'make') }, () => {
  requireTools('arm-none-eabi-gcc', 'make');
  const src = path.join(tmp, 'firmware');
  fs.cpSync(path.join(root, 'firmware'), src, { recursive: true, filter: (f) => !f.includes(`${path.sep}build`) });
  const boot = path.join(src, 'hyp', 'boot.c');
  const original = fs.readFileSync(boot, 'utf8');
  assert.ok(original.includes('kprintf("starting %u domains\\n", ndomains);'), 'the line to change is in boot.c');
  fs.writeFileSync(boot, original.replace('kprintf("starting %u domains\\n", ndomains);', 'kprintf("launching %u domains\\n", ndomains);'));
  const made = spawnSync('make', ['-C', src, `BUILD=${path.join(src, 'changed')}`], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const changed = PINGPONG.replace('kernel: ../../firmware/build/hypervisor.elf', `kernel: ${path.join(src, 'changed', 'hypervisor.elf')}`);
  assert.notEqual(changed, PINGPONG);
  const a = record('build-a', PINGPONG), b = record('build-b', changed);
  const r = bringup('diff', '--json', a, b);
  assert.equal(r.status, 1, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.mode, 'events');
  assert.ok(['console', 'mmio'].includes(d.a.kind) && d.a.kind === d.b.kind, `${d.a.kind} / ${d.b.kind}`);
  // The UART gets 's' in one build and 'l' in the other, right after the same common output.
  if (d.a.kind === 'mmio') {
    assert.match(d.a.text, /= 0x00000073$/);
    assert.match(d.b.text, /= 0x0000006c$/);
  } else {
    assert.match(d.a.text, /starting 2 domains/);
    assert.match(d.b.text, /launching 2 domains/);
  }
  const console = bringup('diff', '--events', 'console', a, b);
  assert.match(console.stdout, /> \[ *\d+\] console +uartd: starting 2 domains/);
  assert.match(console.stdout, /> \[ *\d+\] console +uartd: launching 2 domains/);
});
