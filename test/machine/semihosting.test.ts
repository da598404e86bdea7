import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseElf } from '../../machine/loaders/elf';
import { tinyElf } from '../support/tiny-elf';
import { createMachine } from '../../scenario/boards';

const SVC_SEMI = 0xef123456;
const CODE = 0x60010000;
const DATA = 0x60020000;

function machine(opts: { input?: string; cmdline?: string } = {}) {
  const m = createMachine('vexpress-a9');
  m.loadElf(parseElf(tinyElf(CODE, [SVC_SEMI, SVC_SEMI, SVC_SEMI, SVC_SEMI])));
  const out: Array<[number, string]> = [];
  const files = new Map<number, number[]>();
  m.enableSemihosting({
    host: {
      console: (s, d) => out.push([s, Buffer.from(d).toString('latin1')]),
      open: (path) => { const h = 100 + files.size; files.set(h, []); return path === 'bad' ? -2 : h; },
      write: (h, d) => { files.get(h)!.push(...d); return d.length; },
      close: () => 0,
    },
    input: Buffer.from(opts.input ?? ''),
    cmdline: opts.cmdline,
  });
  const call = (op: number, arg: number) => {
    m.cpu.r[0] = op; m.cpu.r[1] = arg;
    m.run(1);
    return m.cpu.r[0];
  };
  const poke = (addr: number, ...words: number[]) => words.forEach((w, i) => m.bus.write32(addr + 4 * i, w));
  const pokeString = (addr: number, s: string) => m.bus.loadBytes(addr, Buffer.from(s + '\0', 'latin1'));
  return { m, out, files, call, poke, pokeString };
}

test('SYS_WRITEC, SYS_WRITE0 and SYS_WRITE to :tt go to the console streams', () => {
  const t = machine();
  t.pokeString(DATA, 'hello');
  t.call(0x03, DATA); // WRITEC 'h'
  t.call(0x04, DATA); // WRITE0 "hello"
  t.pokeString(DATA + 0x100, ':tt');
  t.poke(DATA + 0x200, DATA + 0x100, 8 /* "w" */, 3);
  const h = t.call(0x01, DATA + 0x200);
  t.poke(DATA + 0x300, h, DATA, 5);
  assert.equal(t.call(0x05, DATA + 0x300), 0, 'WRITE returns the number of bytes not written');
  assert.deepEqual(t.out, [[1, 'h'], [1, 'hello'], [2, 'hello']]);
});

test('SYS_READC reads scripted input, then returns -1', () => {
  const t = machine({ input: 'ab' });
  assert.equal(t.call(0x07, 0), 0x61);
  assert.equal(t.call(0x07, 0), 0x62);
  assert.equal(t.call(0x07, 0), -1);
});

test('SYS_OPEN/WRITE of a host file goes through the host; a failed open sets SYS_ERRNO', () => {
  const t = machine();
  t.pokeString(DATA + 0x100, 'out.bin');
  t.poke(DATA + 0x200, DATA + 0x100, 5 /* "wb" */, 7);
  const h = t.call(0x01, DATA + 0x200);
  t.poke(DATA, 0x04030201);
  t.poke(DATA + 0x300, h, DATA, 4);
  assert.equal(t.call(0x05, DATA + 0x300), 0);
  assert.deepEqual(t.files.get(100), [1, 2, 3, 4]);
  t.pokeString(DATA + 0x100, 'bad');
  t.poke(DATA + 0x200, DATA + 0x100, 0, 3);
  assert.equal(t.call(0x01, DATA + 0x200), -1);
  assert.equal(t.call(0x13, 0), 2);
});

test('SYS_GET_CMDLINE and SYS_HEAPINFO answer as QEMU does', () => {
  const t = machine({ cmdline: 'prog.elf -v' });
  t.poke(DATA + 0x100, DATA, 64);
  assert.equal(t.call(0x15, DATA + 0x100), 0);
  assert.equal(Buffer.from(t.m.bus.readBytes(DATA, 12)).toString('latin1'), 'prog.elf -v\0');
  assert.equal(t.m.bus.read32(DATA + 0x104), 11);
  t.poke(DATA + 0x200, DATA + 0x300);
  t.call(0x16, DATA + 0x200);
  const [heapBase, heapLimit, stackBase, stackLimit] = [0, 4, 8, 12].map((o) => t.m.bus.read32(DATA + 0x300 + o) >>> 0);
  assert.deepEqual([heapBase, heapLimit, stackBase, stackLimit], [0x80000000, 0xa0000000, 0xa0000000, 0x60000000]);
});

test('SYS_EXIT and SYS_EXIT_EXTENDED stop the machine with the exit code', () => {
  const a = machine();
  a.m.cpu.r[0] = 0x18; a.m.cpu.r[1] = 0x20026;
  assert.deepEqual(a.m.run(10), { kind: 'exit', code: 0 });
  const b = machine();
  b.m.cpu.r[0] = 0x18; b.m.cpu.r[1] = 0x20023; // any other reason is a failure
  assert.deepEqual(b.m.run(10), { kind: 'exit', code: 1 });
  const c = machine();
  c.poke(DATA, 0x20026, 42);
  c.m.cpu.r[0] = 0x20; c.m.cpu.r[1] = DATA;
  assert.deepEqual(c.m.run(10), { kind: 'exit', code: 42 });
});

test('SYS_CLOCK and SYS_ELAPSED count virtual time, not wall time', () => {
  const t = machine();
  t.m.cpu.icount = 25_000_000; // 25 ms at 1 GHz
  assert.equal(t.call(0x10, 0), 2);
  assert.equal(t.call(0x31, 0), 1_000_000_000);
  t.call(0x30, DATA);
  assert.equal(t.m.bus.read32(DATA), 25_000_003);
});

test('other SVCs are not semihosting calls: they take the SVC exception', () => {
  const m = createMachine('vexpress-a9');
  m.loadElf(parseElf(tinyElf(CODE, [0xef000001])));
  m.enableSemihosting({ host: { console: () => {} } });
  m.cpu.cp15.vbar = 0x60030000;
  m.run(1);
  assert.equal(m.cpu.pc, 0x60030008);
});
