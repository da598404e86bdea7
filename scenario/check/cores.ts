/**
 * Expectations that name a core: it is online, it executes an instruction,
 * a register of it at the end of the run. One check for the runner (a
 * scenario's expect.cores) and for the Cucumber steps, worded the same way.
 */

import type { Machine } from '../../machine/machine';
import { symbolize } from '../../machine/loaders/elf';
import { hexWord as hex } from '../../machine/hex';
import { formatTime } from '../virtual-time';
import type { Scenario } from '../file/scenario-file';
import type { CoreActivity } from '../run/cores';
import type { ScenarioResult } from '../run/runner';
import { finalMachine, registerValue, resolveAddress } from './machine-state';
import type { ExpectationResult } from './expectation';

/** The scenario's expect.cores at the end of the run. */
export function checkCores(s: Scenario, machine: Machine, cores: CoreActivity): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  for (const e of s.expect.cores) {
    if (e.online !== undefined) out.push(online(cores, e.core, e.online));
    for (const x of e.executes) out.push(executed(s, cores, e.core, x.address, x.label));
    for (const reg of e.registers) out.push(register(s, machine, e.core, reg.name, reg.value));
  }
  return out;
}

function online(cores: CoreActivity, core: number, wanted: boolean): ExpectationResult {
  const what = `core ${core} is ${wanted ? 'online' : 'not online'} at the end of the run`;
  const why = cores.offlineReason(core);
  if ((why === undefined) === wanted) return { what, ok: true };
  return { what, ok: false, problem: wanted ? `it is not: ${why}` : 'it is: it ran and nothing holds it' };
}

function executed(s: Scenario, cores: CoreActivity, core: number, address: number, label: string): ExpectationResult {
  const what = `core ${core} executes ${label}`;
  if (!cores.watched(address)) throw new Error(`${label} was not watched in this run: name it in expect.cores (or the step "Given core ${core} must execute ${label}") before the run`);
  const t = cores.firstExecution(core, address);
  if (t !== undefined) return { what, ok: true, icount: t };
  const others = [0, 1, 2, 3].filter((k) => k !== core && cores.firstExecution(k, address) !== undefined);
  return {
    what, ok: false,
    problem: `it never did${others.length ? ` (core${others.length > 1 ? 's' : ''} ${others.join(', ')} did, first at ${formatTime(cores.firstExecution(others[0], address)!, s.clockHz)})` : ''}`,
  };
}

function register(s: Scenario, machine: Machine, core: number, name: string, value: number): ExpectationResult {
  const cpu = machine.cpus[core];
  const got = readRegister(machine, core, name);
  const what = `register ${name} of core ${core} is ${hex(value)} at the end of the run`;
  if (got === (value >>> 0)) return { what, ok: true };
  const sym = name === 'pc' || name === 'lr' ? symbolize(s.symbols.get('') ?? [], got) : undefined;
  return { what, ok: false, problem: `it is ${hex(got)}${sym ? ` (${sym})` : ''}; core ${core} pc ${hex(cpu.pc >>> 0)}` };
}

function readRegister(machine: Machine, core: number, name: string): number {
  const cpu = machine.cpus[core];
  const n = name.toLowerCase();
  if (n === 'pc' || n === 'r15') return cpu.pc >>> 0;
  if (n === 'cpsr') return cpu.cpsr >>> 0;
  const index = n === 'sp' ? 13 : n === 'lr' ? 14 : Number(n.slice(1));
  return cpu.r[index] >>> 0;
}

// ---- the same asked of a finished run (Cucumber steps) ----------------------

function activity(r: ScenarioResult): CoreActivity {
  if (!r.cores) throw new Error('the result does not say what the cores did');
  return r.cores;
}

function checkCoreExists(r: ScenarioResult, core: number): void {
  const n = finalMachine(r).cpus.length;
  if (core >= n) throw new Error(`core ${core} does not exist: the run had ${n === 1 ? 'one core (core 0)' : `${n} cores (0 to ${n - 1})`}`);
}

/** The step "core N is online". */
export function coreIsOnline(r: ScenarioResult, core: number, wanted = true): ExpectationResult {
  checkCoreExists(r, core);
  return online(activity(r), core, wanted);
}

/** The step "core N executed SYMBOL" (the instruction must have been watched: expect.cores). */
export function coreExecuted(r: ScenarioResult, core: number, symbol: string): ExpectationResult {
  checkCoreExists(r, core);
  const address = resolveAddress(r, symbol) & ~1;
  return executed(r.scenario, activity(r), core, address, symbol);
}

/** The step "register R of core N is V". */
export function coreRegisterIs(r: ScenarioResult, core: number, name: string, value: number): ExpectationResult {
  checkCoreExists(r, core);
  registerValue(r, name, core); // refuses an unknown register name
  return register(r.scenario, finalMachine(r), core, name, value);
}
