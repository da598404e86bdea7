/**
 * The machine never crashes, whatever the board file or the guest does:
 * every address of a shipped board answers as the board says, board files
 * that would fail at run time are refused when loaded, semihosting misuse is
 * an error result for the guest, and a guest stuck taking exceptions behaves
 * architecturally.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusError } from '../../machine/bus';
import { boardNames, createMachine, loadBoard } from '../../scenario/boards';

// ---- 1. every address of every shipped board's map -----------------------------

type Kind = 'ram' | 'device' | 'tagged' | 'hole';

function mapOf(board: string): Array<{ base: number; end: number; kind: Kind; name: string }> {
  const spec = loadBoard(board);
  const out: Array<{ base: number; end: number; kind: Kind; name: string }> = [];
  for (const m of spec.memory) out.push({ base: m.base, end: m.base + m.size, kind: 'ram', name: m.name });
  for (const d of spec.devices) {
    for (const [rn, r] of Object.entries(d.regions)) out.push({ base: r.base, end: r.base + r.size!, kind: 'device', name: `${d.name}.${rn}` });
  }
  for (const t of spec.tagged) out.push({ base: t.base, end: t.base + t.size, kind: 'tagged', name: t.name });
  return out.sort((a, b) => a.base - b.base);
}

function kindAt(map: ReturnType<typeof mapOf>, a: number): Kind {
  for (const r of map) if (a >= r.base && a < r.end) return r.kind;
  return 'hole';
}

/** Performs an access; returns the value read, 'bus-error', or throws whatever else the bus threw. */
function access(fn: () => number | void): number | 'bus-error' | undefined {
  try {
    const v = fn();
    return v === undefined ? undefined : v;
  } catch (e) {
    if (e instanceof BusError) return 'bus-error';
    throw e;
  }
}

function checkAddress(m: ReturnType<typeof createMachine>, map: ReturnType<typeof mapOf>, a: number, sizes: number[]): void {
  const kind = kindAt(map, a);
  const bus = m.bus;
  const where = `0x${a.toString(16)} (${kind})`;
  for (const size of sizes) {
    const addr = (a & ~(size - 1)) >>> 0;
    const read = () => (size === 4 ? bus.read32(addr) : size === 2 ? bus.read16(addr) : bus.read8(addr));
    const write = (v: number) => (size === 4 ? bus.write32(addr, v) : size === 2 ? bus.write16(addr, v) : bus.write8(addr, v));
    let r: ReturnType<typeof access>;
    let w: ReturnType<typeof access>;
    try {
      r = access(read);
      w = access(() => write(kind === 'ram' ? 0x5a : 0));
    } catch (e) {
      assert.fail(`${where}, ${size}-byte access: the bus threw ${(e as Error)?.stack ?? String(e)}`);
    }
    if (kind === 'hole') {
      assert.equal(r, 'bus-error', `${where}: a ${size}-byte read of a hole must be an external abort`);
      assert.equal(w, 'bus-error', `${where}: a ${size}-byte write to a hole must be an external abort`);
      continue;
    }
    assert.notEqual(r, 'bus-error', `${where}: a ${size}-byte read must not abort`);
    assert.notEqual(w, 'bus-error', `${where}: a ${size}-byte write must not abort`);
    if (kind === 'tagged') assert.equal(r, 0, `${where}: tagged ranges read as zero`);
    if (kind === 'ram') assert.equal(access(read), 0x5a, `${where}: RAM keeps what was written`);
  }
}

for (const board of boardNames()) {
  test(`the ${board} board's map: every page, each device's first and last word and the holes read and write as the board says`, () => {
    const m = createMachine(board);
    const map = mapOf(board);
    // Every page: its first and last word, as words (and bytes at the first).
    for (let page = 0; page < 0x100000; page++) {
      const a = page * 0x1000;
      checkAddress(m, map, a, [4, 1]);
      checkAddress(m, map, a + 0xffc, [4]);
    }
    // Every window's first and last word, and the bytes just outside it, at every size.
    for (const r of map) {
      for (const a of [r.base, r.end - 4, r.end - 2, r.end - 1, r.base - 1, r.end]) {
        if (a < 0 || a > 0xffffffff) continue;
        checkAddress(m, map, a, [4, 2, 1]);
      }
    }
  });
}

test('the shipped vexpress-a9 board: a guest load from the lan9118 range (0x4e000050) reads zero instead of crashing the bus', () => {
  const m = createMachine('vexpress-a9');
  assert.equal(m.cpu.read32(0x4e000050), 0);
  assert.equal(m.cpu.read32(0x4f000000), 0);
  assert.equal(m.cpu.read32(0x47fffffc), 0);
  assert.equal(m.cpu.read32(0x45fe5000), 0);
});
