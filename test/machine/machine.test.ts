import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Machine } from '../../machine/machine';
import { parseElf } from '../../machine/loaders/elf';
import { tinyElf } from '../support/tiny-elf';
import { createMachine } from '../../scenario/boards';
import { ROOT as root } from '../support/environment';

const programs = path.join(root, 'test', 'programs', 'build');

function boot(file: string): { m: Machine; out: () => string } {
  const m = createMachine('vexpress-a9');
  m.loadElf(parseElf(fs.readFileSync(file), file));
  let text = '';
  m.enableSemihosting({ host: { console: (_s, d) => { text += Buffer.from(d).toString('latin1'); } } });
  return { m, out: () => text };
}

function stateHash(m: Machine): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(m.cpu.snapshot()));
  const dram = m.ram.get('dram')!;
  h.update(dram.u8.subarray(0, 16 << 20));
  return h.digest('hex');
}

test('snapshot, restore, run gives the same state as just running', () => {
  const file = path.join(programs, 'div64.elf');
  const a = boot(file);
  a.m.run(20_000);
  const snap = a.m.snapshot();
  a.m.run(30_000);
  const direct = stateHash(a.m);
  const directIcount = a.m.cpu.icount;

  const b = boot(file);
  b.m.run(5_000); // diverge on purpose before restoring
  b.m.restore(snap);
  b.m.run(30_000);
  assert.equal(b.m.cpu.icount, directIcount);
  assert.equal(stateHash(b.m), direct);
});

test('two runs of the same image are identical, instruction for instruction', () => {
  const file = path.join(programs, 'div64.elf');
  const a = boot(file), b = boot(file);
  const ra = a.m.runUntil(1e9), rb = b.m.runUntil(1e9);
  assert.deepEqual(ra, rb);
  assert.equal(a.m.cpu.icount, b.m.cpu.icount);
  assert.equal(a.out(), b.out());
});

test('the machine stops exactly at the requested instruction count', () => {
  const file = path.join(programs, 'div64.elf');
  const { m } = boot(file);
  for (const n of [1, 7, 1000, 12_345]) {
    const r = m.runUntil(n);
    assert.equal(r.kind, 'limit');
    assert.equal(m.cpu.icount, n);
  }
});

test('WFI with nothing scheduled reports an idle machine; with an event, time skips to it', () => {
  // wfi; b .
  const elf = parseElf(tinyElf(0x60010000, [0xe320f003, 0xeafffffe]));
  const m = createMachine('vexpress-a9');
  m.loadElf(elf);
  assert.equal(m.runUntil(1000).kind, 'idle');
  assert.equal(m.cpu.icount, 1);

  const m2 = createMachine('vexpress-a9');
  m2.loadElf(elf);
  let fired = -1;
  m2.events.schedule(500, 'wake', () => { fired = m2.cpu.icount; m2.cpu.waiting = false; });
  const r = m2.runUntil(600);
  assert.equal(fired, 500);
  assert.equal(r.kind, 'limit');
  assert.equal(m2.cpu.icount, 600);
  assert.equal(m2.cpu.pc, 0x60010004);
});

test('an access to an unmapped physical address is a synchronous external abort', () => {
  // ldr r0, [r1] with r1 = 0xf0000000 (nothing mapped there on this board)
  const m = createMachine('vexpress-a9');
  m.loadElf(parseElf(tinyElf(0x60010000, [0xe5910000])));
  m.cpu.r[1] = 0xf0000000;
  m.cpu.cp15.vbar = 0x60020000;
  m.run(1);
  assert.equal(m.cpu.mode, 0x17);
  assert.equal(m.cpu.pc, 0x60020010);
  assert.equal(m.cpu.cp15.dfsr & 0x40f, 0b01000);
  assert.equal(m.cpu.cp15.dfar, 0xf0000000);
  assert.equal(m.cpu.r[14] >>> 0, 0x60010008);
});
