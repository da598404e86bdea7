/**
 * Fault dumps and panics on the console, as the firmware profile says they
 * read (scenario/profiles/): the scenario's expect.panic and
 * expect.domain-faults, and the steps that ask the same of a finished run.
 */

import { formatTime } from '../virtual-time';
import type { Scenario, DumpExpectation } from '../file/scenario-file';
import type { ConsoleLine } from '../run/console-log';
import type { ScenarioResult } from '../run/runner';
import type { ElfSymbol } from '../../machine/loaders/elf';
import { numberedLines, type ExpectationResult } from './expectation';

/** A fault dump (and panic) in the console lines kept; `around` takes absolute line numbers (ConsoleLine.index). */
export function checkDump(s: Scenario, lines: ConsoleLine[], d: DumpExpectation, who: 'hypervisor' | 'domain',
  around: (line: number, before?: number, after?: number) => string[], t: (n: number) => string): ExpectationResult {
  const dumps = s.profile.dumps;
  const header = who === 'hypervisor' ? dumps.hypervisorFault : dumps.domainFault;
  const parts = [d.kind, d.status && `"${d.status}"`, d.symbol && `in ${d.symbol}`, d.message && `saying ${d.message.source}`].filter(Boolean).join(' ');
  const what = who === 'hypervisor' ? `the hypervisor panics${parts ? ` with ${parts}` : ''}` : `domain ${d.domain ?? '(any)'} faults${parts ? ` with ${parts}` : ''}`;
  const seen: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const h = header?.exec(lines[i].text);
    const p = who === 'hypervisor' && !h ? dumps.panic?.exec(lines[i].text) : undefined;
    if (!h && !p) continue;
    if (h) {
      const kind = h.groups?.kind ?? '';
      const domain = h.groups?.domain;
      if (d.domain !== undefined && domain !== d.domain) { seen.push(`line ${lines[i].index + 1}: a dump for domain ${domain}`); continue; }
      if (d.kind !== undefined && !sameKind(kind, d.kind)) { seen.push(`line ${lines[i].index + 1}: a ${kind.trim().replace(/\s+/g, '-')} dump`); continue; }
      // Status and pc are looked for on the header line itself, then on the lines after it.
      let status: string | undefined, pcAt: PcFound | undefined, endLine = i;
      for (let k = i; k < Math.min(lines.length, i + 1 + dumps.lines); k++) {
        const st = k === i && h.groups?.status !== undefined ? h : dumps.status?.exec(lines[k].text);
        if (st && status === undefined) status = st.groups?.status;
        const pc = k === i && (h.groups?.symbol !== undefined || h.groups?.address !== undefined) ? h : dumps.pc?.exec(lines[k].text);
        if (pc && pcAt === undefined) { pcAt = { symbol: pc.groups?.symbol, address: pc.groups?.address }; endLine = k; }
      }
      const names = pcAt ? pcNames(s, pcAt, who) : [];
      const address = pcAt?.address !== undefined ? `0x${pcAt.address.replace(/^0x/i, '')}` : undefined;
      const symbol = names.length && address ? `${names[0]} (${address})` : names[0] ?? address;
      if (d.status !== undefined && !(status ?? '').toLowerCase().includes(d.status.toLowerCase())) { seen.push(`line ${lines[i].index + 1}: status "${status ?? '?'}"`); continue; }
      if (d.symbol !== undefined && !names.includes(d.symbol) && !sameAddress(d.symbol, address)) { seen.push(`line ${lines[i].index + 1}: pc in ${symbol ?? '?'}`); continue; }
      if (who === 'hypervisor') {
        // The panic line must follow the dump.
        const pl = lines.findIndex((l, k) => k > i && dumps.panic !== undefined && dumps.panic.test(l.text));
        if (dumps.panic && pl < 0) { seen.push(`line ${lines[i].index + 1}: a fault dump but no panic after it`); continue; }
        if (d.message && pl >= 0 && !d.message.regex.test(lines[pl].text)) { seen.push(`line ${lines[pl].index + 1}: panic message "${lines[pl].text}"`); continue; }
        const at = pl >= 0 ? pl : endLine;
        return { what, ok: true, icount: lines[at].icount, line: lines[at].index };
      }
      return { what, ok: true, icount: lines[endLine].icount, line: lines[endLine].index };
    }
    if (p && d.kind === undefined && d.symbol === undefined && d.status === undefined) {
      if (d.message && !d.message.regex.test(lines[i].text)) { seen.push(`line ${lines[i].index + 1}: panic message "${p.groups?.message}"`); continue; }
      return { what, ok: true, icount: lines[i].icount, line: lines[i].index };
    }
  }
  const last = lines.length - 1;
  return {
    what, ok: false, console: '',
    problem: seen.length ? `no matching dump; seen instead: ${seen.join('; ')}` : `no ${who === 'hypervisor' ? 'hypervisor fault dump or panic' : 'domain fault dump'} was printed (the run ended at ${t(lines[last]?.icount ?? 0)})`,
    context: around(lines[last]?.index ?? 0, 7, 0),
  };
}

/**
 * Kinds compare without case, and a space, a hyphen or an underscore are the
 * same: an expectation `kind: data abort` (or data-abort) matches a dump that
 * prints "Data Abort".
 */
function sameKind(printed: string, expected: string): boolean {
  const norm = (k: string) => k.trim().toLowerCase().replace(/[\s_-]+/g, '-');
  return norm(printed) === norm(expected);
}

/** An expected "symbol" that is an address (0x...) matches the pc the dump prints, whatever symbol covers it. */
function sameAddress(expected: string, printed: string | undefined): boolean {
  return printed !== undefined && /^0x[0-9a-f]+$/i.test(expected) && Number(expected) === Number(printed);
}

/** What a dump's pc line gave: a symbol, an address (hex digits), or both. */
interface PcFound { symbol?: string; address?: string }

/**
 * The names a dump's pc goes by: the symbol the dump prints, else the symbols
 * the images give its address (the dump printed only the address). A domain's
 * pc is looked up in the boot volume's images first (domains run their own
 * images, often linked at the same addresses), a hypervisor's in the kernel
 * first; an expected symbol matches any of the names.
 */
function pcNames(s: Scenario, pc: PcFound, who: 'hypervisor' | 'domain'): string[] {
  if (pc.symbol !== undefined) return [pc.symbol];
  if (pc.address === undefined || !/^(0x)?[0-9a-f]+$/i.test(pc.address)) return [];
  const address = Number.parseInt(pc.address.replace(/^0x/i, ''), 16);
  const images = [...s.symbols.keys()].sort((a, b) => (a === '') === (b === '') ? 0 : (a === '') === (who === 'hypervisor') ? -1 : 1);
  const names: string[] = [];
  for (const image of images) {
    const name = symbolAt(s.symbols.get(image)!, address);
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The symbol of an image that covers an address: a sized symbol containing it
 * (a function before anything else), else the nearest assembly label
 * (a symbol without a size) at or below it, unless a sized symbol lies
 * between the two. Mapping symbols ($a, $t, $d) name
 * no code.
 */
function symbolAt(symbols: ElfSymbol[], address: number): string | undefined {
  let sized: ElfSymbol | undefined, label: ElfSymbol | undefined;
  for (const sym of symbols) {
    if (!sym.name || sym.name.startsWith('$') || (sym.type !== 0 && sym.type !== 1 && sym.type !== 2)) continue;
    const start = sym.type === 2 ? (sym.value & ~1) >>> 0 : sym.value;
    if (start > address) continue;
    if (sym.size > 0) {
      if (address - start < sym.size && (!sized || (sym.type === 2 && sized.type !== 2))) sized = sym;
    } else if (sym.type !== 1 && (!label || start > ((label.value & ~1) >>> 0))) {
      label = sym;
    }
  }
  if (sized || !label) return sized?.name;
  // A label covers the address unless a sized symbol lies wholly between them (the label's code ended before it).
  const from = (label.value & ~1) >>> 0;
  const passed = symbols.some((sym) => sym.size > 0 && sym.value >= from && sym.value + sym.size <= address);
  return passed ? undefined : label.name;
}

/** The same asked of a finished run: the context shown is the main console's kept lines. */
function dumpIn(r: ScenarioResult, d: DumpExpectation, who: 'hypervisor' | 'domain'): ExpectationResult {
  const first = r.lines.length ? r.lines[0].index : 0;
  const around = (line: number, before = 4, after = 4) => numberedLines(r.lines.slice(Math.max(0, line - before - first), Math.max(0, line + after + 1 - first)));
  return checkDump(r.scenario, r.lines, d, who, around, (n) => formatTime(n, r.scenario.clockHz));
}

export function hypervisorPanics(r: ScenarioResult, d: DumpExpectation): ExpectationResult {
  return dumpIn(r, d, 'hypervisor');
}

export function domainFaults(r: ScenarioResult, d: DumpExpectation): ExpectationResult {
  return dumpIn(r, d, 'domain');
}
