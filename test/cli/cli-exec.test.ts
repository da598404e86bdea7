import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tinyElf } from '../support/tiny-elf';
import { ROOT as root } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a missing image is a one-line error naming the file, exit 2', () => {
  const r = bringup('exec', '--board', 'vexpress-a9', path.join(tmp, 'nope.elf'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nope\.elf: image file not found/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a truncated ELF is refused with the reason, exit 2', () => {
  const f = path.join(tmp, 'trunc.elf');
  fs.writeFileSync(f, tinyElf(0x60010000, [0xeafffffe]).subarray(0, 40));
  const r = bringup('exec', '--board', 'vexpress-a9', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /trunc\.elf: truncated ELF header/);
});

test('a segment cut short by the end of file is reported as truncated', () => {
  const f = path.join(tmp, 'short.elf');
  fs.writeFileSync(f, tinyElf(0x60010000, [0xeafffffe, 0, 0, 0]).subarray(0, 90));
  const r = bringup('exec', '--board', 'vexpress-a9', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /short\.elf: truncated/);
});

test('a non-ARM ELF is refused, exit 2', () => {
  const f = path.join(tmp, 'x86.elf');
  fs.writeFileSync(f, tinyElf(0x60010000, [0xeafffffe], { machine: 3 }));
  const r = bringup('exec', '--board', 'vexpress-a9', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /x86\.elf: ELF machine 3 is not ARM/);
});

test('a file that is not ELF at all is refused, exit 2', () => {
  const f = path.join(tmp, 'text.elf');
  fs.writeFileSync(f, 'hello, this is not an executable at all, just some text that is long enough');
  const r = bringup('exec', '--board', 'vexpress-a9', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /text\.elf: not an ELF file/);
});

test('hitting --max-insns exits 3 and prints the instruction count and PC with its symbol', () => {
  const f = path.join(tmp, 'loop.elf');
  fs.writeFileSync(f, tinyElf(0x60010000, [0xeafffffe], { symbols: [['spin', 0x60010000]] }));
  const r = bringup('exec', '--board', 'vexpress-a9', '--max-insns', '1000', f);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /after 1000 instructions at pc=0x60010000 \(spin\)/);
});

test('an unknown board and a missing --board are usage errors', () => {
  assert.equal(bringup('exec', '--board', 'pdp11', 'x.elf').status, 2);
  const r = bringup('exec', 'x.elf');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--board is required/);
});

test('every command has help text', () => {
  for (const cmd of ['exec', 'disasm']) {
    const r = bringup(cmd, '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: bringup /);
  }
  const top = bringup('--help');
  assert.equal(top.status, 0);
  assert.match(top.stdout, /exec/);
});

test('disasm prints UAL text for instruction words', () => {
  const r = bringup('disasm', '0xeafffffe');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^eafffffe  b\t0x0$/m);
});
