/**
 * The expect section of a scenario: console patterns (in order, with
 * deadlines, never), other consoles, the picture on a display, how the run
 * ends and the fault dumps it prints.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readInputFile, InputFileUnusable } from '../../io/input-file';
import { formatTime } from '../virtual-time';
import { decodePng } from '../check/png';
import { compilePattern } from './patterns';
import type { ResolveContext, At } from './context';
import { resolveAddress } from './addresses';
import type { RawDump, RawOrdered, Scenario, Pattern, DumpExpectation, ConsoleExpectations, CoreExpectation } from './types';

/**
 * Every expectation, each checked on its own (a console pattern, a never
 * pattern, a console device, the picture, the end, each dump and core): a
 * problem with one does not hide the problems of the others.
 */
export function resolveExpectations(ctx: ResolveContext): Scenario['expect'] {
  const { raw, profile, err } = ctx;
  const ex = raw.expect !== null && typeof raw.expect === 'object' ? raw.expect : {};
  const consoleExp = ordered(ctx, ex.console ?? [], ['expect', 'console']);
  const consoles = resolveConsoles(ctx);
  const framebuffer = ctx.attempt(['expect', 'framebuffer'], () => resolveFramebuffer(ctx));
  ctx.attempt(['expect', 'end'], () => {
    if (ex.end === 'exit' && !ctx.semihosting) throw err(['expect', 'end'], `a run can only end with an exit through semihosting (SYS_EXIT); set boot.semihosting: true`);
  });
  const panic = ex.panic === undefined ? undefined : ctx.attempt(['expect', 'panic'], () => {
    if (!profile.dumps.panic && !profile.dumps.hypervisorFault) throw err(['expect', 'panic'], `profile ${profile.name} does not say how a panic reads (dumps.panic)`);
    if (ex.panic!.domain !== undefined) throw err(['expect', 'panic', 'domain'], `a hypervisor panic has no domain; use domain-faults`);
    return dump(ctx, ex.panic!, ['expect', 'panic']);
  });
  const dumpsRead = ex['domain-faults'] === undefined || ctx.attempt(['expect', 'domain-faults'], () => {
    if (!profile.dumps.domainFault) throw err(['expect', 'domain-faults'], `profile ${profile.name} does not say how a domain fault dump reads (dumps.domain-fault)`);
    return true;
  });
  return {
    console: consoleExp,
    never: each(ctx, ex.never ?? [], ['expect', 'never'], (s, at) => pattern(ctx, s, at)),
    consoles,
    framebuffer,
    end: ex.end ?? 'halt',
    panic,
    domainFaults: dumpsRead ? each(ctx, ex['domain-faults'] ?? [], ['expect', 'domain-faults'], (d, at) => dump(ctx, d, at)) : [],
    cores: resolveCoreExpectations(ctx),
  };
}

/** Each item of a list resolved on its own; the items with a problem are left out (their problems recorded). */
function each<T, R>(ctx: ResolveContext, list: T[], at0: At, resolve: (item: T, at: At) => R): R[] {
  // Not a list: the schema's problem, reported already.
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, i) => {
    const at = [...at0, i];
    const r = ctx.attempt(at, () => resolve(item, at));
    return r === undefined ? [] : [r];
  });
}

/** expect.cores: per core, online or not, instructions it executes, registers at the end. */
function resolveCoreExpectations(ctx: ResolveContext): CoreExpectation[] {
  const seen = new Set<number>();
  return each(ctx, ctx.raw.expect?.cores ?? [], ['expect', 'cores'], (c, at) => {
    ctx.checkCore(c.core, [...at, 'core']);
    if (seen.has(c.core)) throw ctx.err([...at, 'core'], `core ${c.core} has expectations twice; put them in one entry`);
    seen.add(c.core);
    if (c.online === undefined && !c.executes && !c.registers) throw ctx.err(at, `this entry expects nothing of core ${c.core}: give online, executes or registers`);
    return {
      core: c.core, online: c.online,
      executes: (c.executes ?? []).map((a, j) => resolveAddress(ctx, a, [...at, 'executes', j])).map((a) => ({ address: a.value, label: a.label })),
      registers: Object.entries(c.registers ?? {}).map(([name, value]) => ({ name, value })),
    };
  });
}

function pattern(ctx: ResolveContext, s: string, at: At): Pattern {
  const p = compilePattern(s);
  if (typeof p === 'string') throw ctx.err(at, p);
  return p;
}

/** Patterns in order, each optionally with a deadline (`by`) no later than the end of the run. */
function ordered(ctx: ResolveContext, list: RawOrdered, at0: At): Array<Pattern & { by?: number }> {
  return each(ctx, list, at0, (c, at): Pattern & { by?: number } => {
    if (typeof c === 'string') return pattern(ctx, c, at);
    const p = pattern(ctx, c.text, [...at, 'text']);
    if (c.by === undefined) return p;
    const by = ctx.time(c.by, [...at, 'by']);
    if (by > ctx.limit) throw ctx.err([...at, 'by'], `the deadline ${formatTime(by, ctx.clockHz)} is after the end of the run at ${formatTime(ctx.limit, ctx.clockHz)} (limits)`);
    return { ...p, by };
  });
}

/** expect.consoles: other UARTs of the board (and 'semihosting'), by name. */
function resolveConsoles(ctx: ResolveContext): Map<string, ConsoleExpectations> {
  const { raw, board, err } = ctx;
  const consoles = new Map<string, ConsoleExpectations>();
  const list = raw.expect?.consoles;
  for (const [device, c] of Object.entries(list !== null && typeof list === 'object' ? list : {})) ctx.attempt(['expect', 'consoles', device], () => {
    const at = ['expect', 'consoles', device];
    if (device === 'semihosting') {
      if (!ctx.semihosting) throw err(at, `the semihosting console needs boot.semihosting: true`);
    } else if (!ctx.deviceNames.has(device)) {
      throw err(at, ctx.notOnBoard(device, 'device', 'console'));
    } else if (!ctx.deviceCan(device, 'console')) {
      throw err(at, `device '${device}' of board ${board.name} is not a UART; it prints nothing`);
    }
    if (device === ctx.consoleDevice) throw err(at, `${device} is the main console: put these under expect.console and expect.never`);
    const list = Array.isArray(c) ? { console: c } : c;
    consoles.set(device, {
      console: ordered(ctx, list.console ?? [], Array.isArray(c) ? at : [...at, 'console']),
      never: each(ctx, list.never ?? [], [...at, 'never'], (s, a) => pattern(ctx, s, a)),
    });
  });
  return consoles;
}

/** expect.framebuffer: a golden PNG (read and decoded now) and the display that must show it. */
function resolveFramebuffer(ctx: ResolveContext): Scenario['expect']['framebuffer'] {
  const { raw, board, err } = ctx;
  const fb = raw.expect?.framebuffer;
  if (!fb) return undefined;
  const at = ['expect', 'framebuffer'];
  const golden = path.resolve(ctx.dir, fb.golden);
  if (!fs.existsSync(golden)) throw err([...at, 'golden'], `golden picture ${fb.golden} does not exist (resolved to ${golden})`);
  try { decodePng(readInputFile(golden, { what: 'golden picture' })); } catch (e) {
    throw err([...at, 'golden'], `golden picture ${fb.golden}: ${e instanceof InputFileUnusable ? e.reason : (e as Error).message}`);
  }
  const displays = board.devices.filter((d) => ctx.deviceCan(d.name, 'display'));
  const device = fb.device ?? (displays.length === 1 ? displays[0].name : undefined);
  if (!device) {
    throw err(at, displays.length ? `board ${board.name} has several displays (${displays.map((d) => d.name).join(', ')}); give 'device'` : `board ${board.name} has no display`);
  }
  if (!board.devices.some((d) => d.name === device)) throw err([...at, 'device'], ctx.notOnBoard(device, 'device', 'display'));
  if (!ctx.deviceCan(device, 'display')) throw err([...at, 'device'], `device '${device}' of board ${board.name} is not a display`);
  return { golden, device };
}

function dump(ctx: ResolveContext, d: RawDump, at: At): DumpExpectation {
  return {
    domain: d.domain, kind: d.kind, status: d.status, symbol: d.symbol,
    message: d.message !== undefined ? pattern(ctx, d.message, [...at, 'message']) : undefined,
  };
}
