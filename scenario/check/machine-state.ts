/** The machine a run left behind: its registers and memory, for the steps that check them. */

import type { Machine } from '../../machine/machine';
import { symbolize } from '../../machine/loaders/elf';
import { hexWord as hex } from '../../machine/hex';
import { formatTime } from '../virtual-time';
import { describeStopReason } from '../../machine/stop-reason';
import type { ScenarioResult } from '../run/runner';
import type { ExpectationResult } from './expectation';

export function finalMachine(r: ScenarioResult): Machine {
  if (!r.machine) throw new Error('the result does not hold the machine the run left behind');
  return r.machine;
}

/** A register of a core (default 0) as the run left it: r0-r15, sp, lr, pc (of the current mode) or cpsr. */
export function registerValue(r: ScenarioResult, name: string, core = 0): number {
  const m = finalMachine(r);
  const cpu = m.cpus[core];
  if (!cpu) throw new Error(`core ${core} does not exist: the run had ${m.cpus.length === 1 ? 'one core (core 0)' : `${m.cpus.length} cores (0 to ${m.cpus.length - 1})`}`);
  const n = name.toLowerCase();
  if (n === 'pc' || n === 'r15') return cpu.pc >>> 0;
  if (n === 'cpsr') return cpu.cpsr >>> 0;
  const index = n === 'sp' ? 13 : n === 'lr' ? 14 : /^r(\d+)$/.test(n) ? Number(n.slice(1)) : -1;
  if (index < 0 || index > 14) throw new Error(`unknown register '${name}' (r0-r15, sp, lr, pc, cpsr)`);
  return cpu.r[index] >>> 0;
}

export function registerIs(r: ScenarioResult, name: string, value: number, core?: number): ExpectationResult {
  const got = registerValue(r, name, core);
  const what = `register ${name}${core !== undefined ? ` of core ${core}` : ''} is ${hex(value)} at the end of the run`;
  return got === (value >>> 0) ? { what, ok: true, icount: r.icount } : { what, ok: false, icount: r.icount, problem: `it is ${hex(got)} (the run ended at ${formatTime(r.icount, r.scenario.clockHz)} with ${describeStopReason(r.stop)})` };
}

/** A register points into a function (or object) of the images: symbol <= value < symbol + size. */
export function registerIn(r: ScenarioResult, name: string, symbol: string): ExpectationResult {
  const got = registerValue(r, name);
  const m = /^(?:([A-Za-z0-9_.-]+):)?(.+)$/.exec(symbol)!;
  const table = r.scenario.symbols.get(m[1] ?? '');
  const sym = table?.find((x) => x.name === m[2]);
  if (!sym) throw new Error(`unknown symbol '${symbol}'`);
  const lo = sym.value & ~1, hi = lo + Math.max(sym.size, 1);
  const what = `register ${name} is in ${symbol} (${hex(lo)}-${hex(hi - 1)}) at the end of the run`;
  if (got >= lo && got < hi) return { what, ok: true, icount: r.icount };
  const near = symbolize(table!, got);
  return { what, ok: false, icount: r.icount, problem: `it is ${hex(got)}${near ? ` (${near})` : ''}` };
}

/**
 * An address for a check after the run: a number, 0x hex, or a symbol of the
 * scenario's images ('name', 'name+0x10', 'IMAGE:name'), taken as physical.
 */
export function resolveAddress(r: ScenarioResult, a: number | string): number {
  if (typeof a === 'number') return a >>> 0;
  const s = a.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return Number(s) >>> 0;
  const m = /^(?:([A-Za-z0-9_.-]+):)?([A-Za-z_.$][A-Za-z0-9_.$]*)(?:\s*\+\s*(0x[0-9a-fA-F]+|[0-9]+))?$/.exec(s);
  if (!m) throw new Error(`'${a}' is neither an address nor a symbol`);
  const table = r.scenario.symbols.get(m[1] ?? '');
  if (!table) throw new Error(`no image '${m[1]}' in the scenario`);
  const sym = table.find((x) => x.name === m[2]);
  if (!sym) throw new Error(`unknown symbol '${m[2]}' in ${m[1] ? `image ${m[1]}` : 'the kernel'}`);
  return (sym.value + (m[3] ? Number(m[3]) : 0)) >>> 0;
}

/** The 32-bit word (or byte) at a physical address as the run left memory. */
export function memoryIs(r: ScenarioResult, address: number | string, value: number, size: 1 | 4 = 4): ExpectationResult {
  const pa = resolveAddress(r, address);
  const bus = finalMachine(r).bus;
  const label = typeof address === 'string' && !/^0x/i.test(address) ? `${address} (${hex(pa)})` : hex(pa);
  const what = `the ${size === 4 ? 'word' : 'byte'} at ${label} is ${hex(value, size * 2)} at the end of the run`;
  if (!bus.isRam(pa)) return { what, ok: false, problem: `${hex(pa)} is not RAM of board ${r.scenario.board.name}` };
  const got = size === 4 ? bus.read32(pa) >>> 0 : bus.read8(pa);
  return got === (value >>> 0) ? { what, ok: true, icount: r.icount } : { what, ok: false, icount: r.icount, problem: `it is ${hex(got, size * 2)}` };
}
