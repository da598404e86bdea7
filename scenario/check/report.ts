/** Human-readable reports of scenario runs (what `bringup run` prints at the end). */

import { symbolize } from '../../machine/loaders/elf';
import type { ScenarioResult } from '../run/runner';
import { describeStop } from '../run/runner';
import { formatTime } from '../virtual-time';

export function formatReport(r: ScenarioResult): string {
  const s = r.scenario;
  const t = (n: number) => formatTime(n, s.clockHz);
  const sym = (pc: number) => {
    const name = symbolize(s.symbols.get('') ?? [], pc);
    return `0x${pc.toString(16).padStart(8, '0')}${name ? ` (${name})` : ''}`;
  };
  const out: string[] = [];
  out.push(`scenario ${s.name} (${s.file})`);
  for (const f of s.faults) {
    const fired = r.faults.filter((x) => x.index === f.index);
    if (!fired.length) { out.push(`  fault  ${f.description}: never fired`); continue; }
    const first = fired[0], last = fired[fired.length - 1];
    out.push(`  fault  ${f.description}: fired at ${t(first.icount)}, pc ${sym(first.pc)}: ${first.detail}`);
    if (fired.length > 2) out.push(`         ... ${fired.length - 2} more firings ...`);
    if (fired.length > 1) out.push(`         and at ${t(last.icount)}, pc ${sym(last.pc)}: ${last.detail}`);
  }
  for (const e of r.expectations) {
    if (e.undecided) {
      out.push(`  --     ${e.what}`);
      if (e.problem) out.push(`         ${e.problem}`);
    } else if (e.ok) {
      out.push(`  ok     ${e.what}${e.icount !== undefined ? `: at ${t(e.icount)}${e.line !== undefined ? `, line ${e.line + 1}` : ''}` : ''}`);
    } else {
      out.push(`  FAILED ${e.what}`);
      if (e.problem) out.push(`         ${e.problem}`);
      for (const c of e.context ?? []) out.push(`         ${c}`);
    }
  }
  const verdict = r.verdict === 'pass' ? 'PASS' : r.verdict === 'limit' ? 'LIMIT' : r.verdict === 'interrupted' ? 'INTERRUPTED' : 'FAIL';
  for (const [device, lines] of r.consoles) {
    const dropped = lines.length ? lines[0].index : 0;
    if (dropped) out.push(`  note   ${device} printed ${dropped + lines.length} lines; the first ${dropped} are not kept (the checks and this report see the last ${lines.length})`);
  }
  if (r.machine && r.machine.cpus.length > 1) out.push(...coreLines(r, sym));
  const failed = r.expectations.filter((e) => !e.ok && !e.undecided).length;
  const why = r.verdict === 'limit' ? `: the run hit its limit at ${t(r.icount)} (expect.end is ${s.expect.end})`
    : r.verdict === 'fail' ? `: ${failed} of ${r.expectations.length} expectations failed`
      : r.verdict === 'interrupted' ? `: the checks above cover the run up to there (its limit: ${t(s.limit)})` : '';
  out.push(`${verdict} ${s.name}${why} — ended with ${describeStop(r.stop)} at ${t(r.icount)}, ${Math.round(r.wallMs)} ms wall`);
  return out.join('\n');
}

/** Runs of several cores: every core's registers as the run left them, and whether it is held or waiting. */
function coreLines(r: ScenarioResult, sym: (pc: number) => string): string[] {
  const m = r.machine!;
  const h = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
  const holds = m.coreControl.snapshot().holds;
  return m.cpus.flatMap((cpu, k) => {
    const state = holds[k]?.length ? `held (${holds[k].join(', ')})` : cpu.waiting ? 'waiting (WFI/WFE)' : r.cores?.online(k) ? 'online' : 'never ran';
    const regs = Array.from({ length: 13 }, (_, i) => `r${i}=${h(cpu.r[i])}`);
    return [
      `  core ${k} ${state}: pc ${sym(cpu.pc >>> 0)} cpsr ${h(cpu.cpsr)} sp ${h(cpu.r[13])} lr ${h(cpu.r[14])}, ${formatTime(cpu.icount, r.scenario.clockHz)} on its clock`,
      `         ${regs.slice(0, 7).join(' ')}`,
      `         ${regs.slice(7).join(' ')}`,
    ];
  });
}
