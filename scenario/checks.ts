/**
 * Checks on a finished run (what Cucumber's Then steps ask): each returns an
 * ExpectationResult like the runner's own, and assertMet turns a failed one
 * into an error whose message is the readable report with console context.
 */

import * as fs from 'node:fs';
import type { ScenarioResult, ExpectationResult, ConsoleLine } from './runner';
import { checkDump, describeStop, numberedLines } from './runner';
import { compilePattern, type Pattern, type DumpExpectation } from './file/scenario-file';
import { parseVirtualTime, formatTime } from './virtual-time';
import type { FiredFault } from './faults';
import type { Machine } from '../machine/machine';
import { symbolize } from '../machine/loaders/elf';
import { comparePng, decodePng, encodePng } from './png';
import { hexWord as hex } from '../machine/hex';

export class ExpectationFailed extends Error {}

function pattern(text: string): Pattern {
  const p = compilePattern(text);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

/** Kept lines [from, to) by their position in `lines` (the last ones printed), numbered as printed. */
function numbered(lines: ConsoleLine[], from: number, to: number): string[] {
  return numberedLines(lines.slice(Math.max(0, from), Math.max(0, to)));
}

/** The same by absolute line numbers (ConsoleLine.index). */
function numberedAt(lines: ConsoleLine[], from: number, to: number): string[] {
  const first = lines.length ? lines[0].index : 0;
  return numbered(lines, from - first, to - first);
}

/** What to add to "never printed" when earlier lines are no longer kept. */
function notKept(lines: ConsoleLine[]): string {
  return lines.length && lines[0].index ? ` (only the last ${lines.length} of ${lines[0].index + lines.length} lines printed are kept)` : '';
}

/** Lines of a console device ('' or undefined: the main console). */
function deviceLines(r: ScenarioResult, device?: string): ConsoleLine[] {
  if (!device || device === r.scenario.console) return r.lines;
  if (!r.scenario.board.devices.some((d) => d.name === device) && device !== 'semihosting') {
    throw new Error(`board ${r.scenario.board.name} has no device '${device}' (it has ${r.scenario.board.devices.map((d) => d.name).join(', ')})`);
  }
  return r.consoles.get(device) ?? [];
}

/** The console (or another console device) showed the pattern (on one line), optionally by a deadline ('10ms', '5M insns'). */
export function consoleShows(r: ScenarioResult, text: string, by?: string, device?: string): ExpectationResult {
  const lines = deviceLines(r, device);
  const prefix = device && device !== r.scenario.console ? `${device} ` : '';
  const p = pattern(text);
  const clock = r.scenario.clockHz;
  const t = (n: number) => formatTime(n, clock);
  let deadline: number | undefined;
  if (by !== undefined) {
    const d = parseVirtualTime(by, clock);
    if (typeof d === 'string') throw new Error(d);
    deadline = d;
  }
  const what = `${prefix}console shows ${p.source}${deadline !== undefined ? ` by ${t(deadline)}` : ''}`;
  const i = lines.findIndex((l) => p.regex.test(l.text));
  if (i < 0) {
    return { what, ok: false, problem: `never printed${notKept(lines)}; the run ended at ${t(r.icount)} with ${describeStop(r.stop)}; the last lines:`, context: numbered(lines, lines.length - 10, lines.length) };
  }
  const hit = lines[i];
  if (deadline !== undefined && hit.icount > deadline) {
    const at = lines.findIndex((l) => l.icount > deadline!);
    return { what, ok: false, icount: hit.icount, line: hit.index, problem: `printed at ${t(hit.icount)} (line ${hit.index + 1}), after the deadline; the console up to the deadline:`, context: numbered(lines, at - 8, at) };
  }
  return { what, ok: true, icount: hit.icount, line: hit.index };
}

export function consoleNeverShows(r: ScenarioResult, text: string, device?: string): ExpectationResult {
  const lines = deviceLines(r, device);
  const p = pattern(text);
  const i = lines.findIndex((l) => p.regex.test(l.text));
  const what = `${device && device !== r.scenario.console ? `${device} ` : ''}console never shows ${p.source}`;
  if (i < 0) return { what, ok: true, icount: r.icount };
  return { what, ok: false, icount: lines[i].icount, line: lines[i].index, problem: `printed at ${formatTime(lines[i].icount, r.scenario.clockHz)} (line ${lines[i].index + 1})`, context: numbered(lines, i - 4, i + 5) };
}

/** Count of lines matching the pattern. */
export function consoleCount(r: ScenarioResult, text: string): number {
  const p = pattern(text);
  return r.lines.filter((l) => p.regex.test(l.text)).length;
}

export function endsWith(r: ScenarioResult, kind: 'idle' | 'limit' | 'exit' | 'reset'): ExpectationResult {
  const ok = r.stop.kind === kind;
  return {
    what: `the run ends with ${describeStop({ kind } as ScenarioResult['stop'])}`, ok, icount: r.icount,
    problem: ok ? undefined : `it ended with ${describeStop(r.stop)} at ${formatTime(r.icount, r.scenario.clockHz)}`,
    context: ok ? undefined : numbered(r.lines, r.lines.length - 8, r.lines.length),
  };
}

export function hypervisorPanics(r: ScenarioResult, d: DumpExpectation): ExpectationResult {
  return dump(r, d, 'hypervisor');
}

export function domainFaults(r: ScenarioResult, d: DumpExpectation): ExpectationResult {
  return dump(r, d, 'domain');
}

function dump(r: ScenarioResult, d: DumpExpectation, who: 'hypervisor' | 'domain'): ExpectationResult {
  const around = (line: number, before = 4, after = 4) => numberedAt(r.lines, line - before, line + after + 1);
  return checkDump(r.scenario, r.lines, d, who, around, (n) => formatTime(n, r.scenario.clockHz));
}

/** Faults of a type that fired. */
export function fired(r: ScenarioResult, type?: FiredFault['type']): FiredFault[] {
  return r.faults.filter((f) => type === undefined || f.type === type);
}

/** The whole run passed (every expectation of the scenario itself). */
export function scenarioPasses(r: ScenarioResult): ExpectationResult {
  const failed = r.expectations.filter((e) => !e.ok);
  return {
    what: `scenario ${r.scenario.name} passes`, ok: r.verdict === 'pass',
    problem: r.verdict === 'limit' ? `the run hit its limit at ${formatTime(r.icount, r.scenario.clockHz)}` : failed.map((e) => `${e.what}: ${e.problem}`).join('\n'),
    context: failed.flatMap((e) => e.context ?? []),
  };
}

/** Every byte of console input the device received, from the machine's input log (what was delivered, not what was scripted), as UTF-8 text. */
export function receivedInput(r: ScenarioResult, device: string): string {
  const m = finalMachine(r);
  return Buffer.concat(m.injected.filter((e) => e.injection.kind === 'console-input' && e.injection.device === device)
    .map((e) => (e.injection as { data: Uint8Array }).data)).toString('utf8');
}

/** A fault of this type fired exactly at this time (or instruction count). */
export function faultFiredAt(r: ScenarioResult, type: string, at: string): ExpectationResult {
  const t = parseVirtualTime(at, r.scenario.clockHz);
  if (typeof t === 'string') throw new Error(t);
  const all = r.faults.filter((f) => f.type === type);
  const what = `a ${type} fault fires at ${formatTime(t, r.scenario.clockHz)}`;
  if (all.some((f) => f.icount === t)) return { what, ok: true, icount: t };
  return {
    what, ok: false,
    problem: all.length ? `it fired at ${all.slice(0, 5).map((f) => formatTime(f.icount, r.scenario.clockHz)).join(', ')}` : `no ${type} fault fired (fired: ${r.faults.map((f) => f.type).join(', ') || 'none'})`,
  };
}

function finalMachine(r: ScenarioResult): Machine {
  if (!r.machine) throw new Error('the result does not hold the machine the run left behind');
  return r.machine;
}

/** A register of the CPU as the run left it: r0-r15, sp, lr, pc (of the current mode) or cpsr. */
export function registerValue(r: ScenarioResult, name: string): number {
  const cpu = finalMachine(r).cpu;
  const n = name.toLowerCase();
  if (n === 'pc' || n === 'r15') return cpu.pc >>> 0;
  if (n === 'cpsr') return cpu.cpsr >>> 0;
  const index = n === 'sp' ? 13 : n === 'lr' ? 14 : /^r(\d+)$/.test(n) ? Number(n.slice(1)) : -1;
  if (index < 0 || index > 14) throw new Error(`unknown register '${name}' (r0-r15, sp, lr, pc, cpsr)`);
  return cpu.r[index] >>> 0;
}

export function registerIs(r: ScenarioResult, name: string, value: number): ExpectationResult {
  const got = registerValue(r, name);
  const what = `register ${name} is ${hex(value)} at the end of the run`;
  return got === (value >>> 0) ? { what, ok: true, icount: r.icount } : { what, ok: false, icount: r.icount, problem: `it is ${hex(got)} (the run ended at ${formatTime(r.icount, r.scenario.clockHz)} with ${describeStop(r.stop)})` };
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

/** The display scans out exactly the picture in a PNG file; on a mismatch the actual picture is the artifact. */
export function displayShows(r: ScenarioResult, golden: string, device?: string): ExpectationResult {
  const m = finalMachine(r);
  const name = device ?? [...m.devices.values()].find((d) => d.render !== undefined && d.render() !== undefined)?.name;
  const what = `${name ?? 'the display'} shows the picture ${golden}`;
  if (!name) return { what, ok: false, problem: 'no display is scanning out a frame buffer at the end of the run' };
  const picture = m.device(name).render?.();
  if (!picture) return { what, ok: false, problem: `${name} is not scanning out a frame buffer at the end of the run` };
  const c = comparePng(picture, decodePng(fs.readFileSync(golden)));
  if (c.equal) return { what, ok: true, icount: r.icount };
  const d = c.firstDifference!;
  return {
    what, ok: false, icount: r.icount,
    problem: `${c.differentPixels} pixel(s) differ; the first at (${d.x}, ${d.y}): ${d.actual ? `rgba(${d.actual.join(', ')})` : 'nothing'} where the golden picture has ${d.expected ? `rgba(${d.expected.join(', ')})` : 'nothing'}`,
    artifact: { name: `${r.scenario.name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.${name}.actual.png`, mediaType: 'image/png', data: encodePng(picture) },
  };
}

/**
 * A domain's state as its hypervisor reports it on the console: the last line
 * "domN NAME: ..." (the reference hypervisor's convention) contains the text.
 */
export function domainReports(r: ScenarioResult, domain: string, text: string): ExpectationResult {
  const esc = domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^dom\\d+ ${esc}: (.*)$`);
  const said = r.lines.map((l, i) => ({ m: re.exec(l.text), i })).filter((x) => x.m);
  const what = `domain ${domain} reports "${text}"`;
  const hit = said.find((x) => x.m![1].includes(text));
  if (hit) return { what, ok: true, icount: r.lines[hit.i].icount, line: r.lines[hit.i].index };
  return {
    what, ok: false,
    problem: said.length ? `it only reported: ${said.slice(-5).map((x) => `"${x.m![1]}" (line ${r.lines[x.i].index + 1})`).join('; ')}` : `no console line "domN ${domain}: ..." was printed`,
    context: numbered(r.lines, r.lines.length - 8, r.lines.length),
  };
}

/** Throws ExpectationFailed with a readable report if the expectation was not met. */
export function assertMet(e: ExpectationResult): void {
  if (e.ok) return;
  throw new ExpectationFailed([`expected: ${e.what}`, ...(e.problem ? [`  ${e.problem}`] : []), ...(e.context ?? []).map((c) => `  ${c}`)].join('\n'));
}
