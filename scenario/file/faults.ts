/**
 * The faults section of a scenario: each fault resolved to absolute
 * instruction counts and addresses, and refused now if it could never fire.
 * One resolver per kind of fault.
 */

import * as F from '../../machine/cpu/faults';
import { DEVICE_TYPES } from '../../machine/devices/registry';
import { irqInputCount } from '../../machine/devices/device';
import { formatTime } from '../virtual-time';
import { resolveAddress } from './addresses';
import { didYouMean } from './did-you-mean';
import type { ResolveContext, At } from './context';
import type { ConsoleInputs } from './input';
import type { RawFault, FaultSpec, FaultTrigger } from './types';

/** Every fault, each checked on its own: a problem with one does not hide the problems of the others. */
export function resolveFaults(ctx: ResolveContext, typed: ConsoleInputs): FaultSpec[] {
  const faults = Array.isArray(ctx.raw.faults) ? ctx.raw.faults : [];
  return faults.flatMap((f, i): FaultSpec[] => {
    const at = ['faults', i];
    const spec = ctx.attempt(at, (): FaultSpec => {
      switch (f.type) {
        case 'data-abort': case 'prefetch-abort': return abortFault(ctx, f, i, at);
        case 'lost-upcall': return lostUpcall(ctx, f, i, at);
        case 'bit-flip': return bitFlip(ctx, f, i, at);
        case 'corrupt-input': return corruptInput(ctx, f, i, at, typed);
        case 'stall-core': return stallCore(ctx, f, i, at);
        default: return interruptFault(ctx, f, i, at);
      }
    });
    return spec ? [spec] : [];
  });
}

function abortFault(ctx: ResolveContext, f: RawFault, i: number, at: At): FaultSpec {
  const { err } = ctx;
  const type = f.type as 'data-abort' | 'prefetch-abort';
  const triggers = (['at', 'on-exec', 'on-access'] as const).filter((k) => f[k] !== undefined);
  if (triggers.length !== 1) {
    throw err(triggers.length ? [...at, triggers[1]] : at, triggers.length
      ? `a fault has one trigger; this one has ${triggers.join(' and ')}`
      : `this ${type} never fires: give it a trigger (at, on-exec${type === 'data-abort' ? ' or on-access' : ''})`);
  }
  const { code, name } = statusCode(f.status!, f.level, type === 'data-abort');
  if (f.core !== undefined) {
    if (f.at === undefined) {
      throw err([...at, 'core'], `'core' says which core takes an abort fired at a time; ${f['on-exec'] ? 'with on-exec the core that executes the instruction takes it (on-exec.core counts only that core\'s executions)' : 'with on-access the core that makes the access takes it'}`);
    }
    ctx.checkCore(f.core, [...at, 'core']);
  }
  let trigger: FaultTrigger;
  if (f.at !== undefined) {
    const icount = ctx.time(f.at, [...at, 'at']);
    ctx.beforeLimit(icount, [...at, 'at'], `the ${type}`);
    trigger = { kind: 'at', icount };
  } else if (f['on-exec']) {
    trigger = execTrigger(ctx, f['on-exec'], [...at, 'on-exec']);
  } else {
    const acc = f['on-access']!;
    const lo = resolveAddress(ctx, acc.from, [...at, 'on-access', 'from']);
    const hi = acc.to !== undefined ? resolveAddress(ctx, acc.to, [...at, 'on-access', 'to']) : lo;
    if (hi.value < lo.value) throw err([...at, 'on-access', 'to'], `the range ends (${hi.label}) before it starts (${lo.label}): no access can ever be in it`);
    trigger = { kind: 'access', lo: lo.value, hi: hi.value, nth: acc.nth ?? 1, write: acc.write, label: acc.to !== undefined ? `${lo.label}..${hi.label}` : lo.label };
  }
  const addr = f.address !== undefined ? resolveAddress(ctx, f.address, [...at, 'address']).value : undefined;
  const core = f.core ?? 0;
  const on = trigger.kind === 'at' && ctx.cores > 1 ? ` on core ${core}` : '';
  return { type, index: i, status: code, statusName: name, address: addr, write: f.write, core, trigger, description: describeAbort(type, name, trigger, ctx.clockHz) + on };
}

/** on-exec: the nth execution of an instruction, by any core or by the core named. */
function execTrigger(ctx: ResolveContext, e: NonNullable<RawFault['on-exec']>, at: At): Extract<FaultTrigger, { kind: 'exec' }> {
  const a = resolveAddress(ctx, e.at, [...at, 'at']);
  if (e.core !== undefined) ctx.checkCore(e.core, [...at, 'core']);
  return { kind: 'exec', address: a.value, nth: e.nth ?? 1, label: a.label, ...(e.core !== undefined ? { core: e.core } : {}) };
}

/** stall-core: a core gives up its turns for a while, from a time or from the nth execution of an instruction. */
function stallCore(ctx: ResolveContext, f: RawFault, i: number, at: At): FaultSpec {
  const { err } = ctx;
  if (ctx.cores === 1) throw err([...at, 'type'], `a stall changes how several cores take turns; this run has one core (set smp: 2 or more)`);
  ctx.checkCore(f.core!, [...at, 'core']);
  const triggers = (['at', 'on-exec'] as const).filter((k) => f[k] !== undefined);
  if (triggers.length !== 1) {
    throw err(triggers.length ? [...at, triggers[1]] : at, triggers.length
      ? `a fault has one trigger; this one has ${triggers.join(' and ')}`
      : `this stall-core never fires: give it a trigger (at or on-exec)`);
  }
  const ticks = ctx.time(f.for!, [...at, 'for']);
  if (ticks < 1) throw err([...at, 'for'], 'a stall lasts at least 1 tick');
  let trigger: Extract<FaultTrigger, { kind: 'at' | 'exec' }>;
  if (f.at !== undefined) {
    const icount = ctx.time(f.at, [...at, 'at']);
    ctx.beforeLimit(icount, [...at, 'at'], 'the stall');
    trigger = { kind: 'at', icount };
  } else {
    trigger = execTrigger(ctx, f['on-exec']!, [...at, 'on-exec']);
  }
  return {
    type: 'stall-core', index: i, core: f.core!, ticks, trigger,
    description: `stall-core: core ${f.core} gives up its turns for ${formatTime(ticks, ctx.clockHz)} ${describeTrigger(trigger, ctx.clockHz)}`,
  };
}

function lostUpcall(ctx: ResolveContext, f: RawFault, i: number, at: At): FaultSpec {
  const fn = f.function ?? ctx.profile.lostUpcall;
  if (!fn) throw ctx.err(at, `profile ${ctx.profile.name} names no lost-upcall function; give 'function'`);
  const a = resolveAddress(ctx, fn, f.function !== undefined ? [...at, 'function'] : [...at, 'type']);
  const nth = f.nth ?? 1;
  const count = f.count === 'all' ? Infinity : f.count ?? 1;
  const which = count === Infinity ? `every call from the ${ordinal(nth)} on` : count === 1 ? `the ${ordinal(nth)} call` : `${count} calls from the ${ordinal(nth)} on`;
  return { type: 'lost-upcall', index: i, function: a.label, address: a.value, nth, count, description: `lost upcall: ${which} of ${a.label} skipped` };
}

function bitFlip(ctx: ResolveContext, f: RawFault, i: number, at: At): FaultSpec {
  const { board, clockHz } = ctx;
  const icount = ctx.time(f.at!, [...at, 'at']);
  ctx.beforeLimit(icount, [...at, 'at'], 'the bit flip');
  const a = resolveAddress(ctx, f.address!, [...at, 'address']);
  const bit = f.bit!;
  // Bits 8-31 are bits of the little-endian word at the address.
  const byteAddress = (a.value + (bit >> 3)) >>> 0;
  const bank = board.memory.find((m) => byteAddress >= m.base && byteAddress - m.base < m.size);
  if (!bank) {
    const banks = board.memory.map((m) => `${m.name} 0x${m.base.toString(16)}-0x${(m.base + m.size - 1).toString(16)}`).join(', ');
    throw ctx.err([...at, 'address'], `bit flip at ${a.label}${bit >= 8 ? ` (byte 0x${byteAddress.toString(16)})` : ''}: no RAM there on board ${board.name} (RAM: ${banks})`);
  }
  return {
    type: 'bit-flip', index: i, icount, address: byteAddress, bit: bit & 7,
    description: `bit flip: bit ${bit} of ${a.label}${bit >= 8 ? ` (bit ${bit & 7} of byte 0x${byteAddress.toString(16)})` : ''} at ${formatTime(icount, clockHz)}`,
  };
}

function corruptInput(ctx: ResolveContext, f: RawFault, i: number, at: At, typed: ConsoleInputs): FaultSpec {
  const { err } = ctx;
  const device = f.device ?? ctx.consoleDevice;
  if (!ctx.deviceNames.has(device)) throw err([...at, 'device'], ctx.notOnBoard(device, 'device', 'console'));
  const actions = (['drop', 'replace', 'xor'] as const).filter((k) => f[k] !== undefined);
  if (actions.length !== 1) {
    throw err(actions.length ? [...at, actions[1]] : at, actions.length
      ? `corrupt-input does one thing to the byte; this one has ${actions.join(' and ')}`
      : `this corrupt-input does nothing: give drop: true, replace: BYTE or xor: MASK`);
  }
  const total = [...typed.inputs, ...typed.inputsAfterOutput].filter((x) => x.device === device).reduce((n, x) => n + x.data.length, 0);
  if (f.byte! > total) {
    throw err([...at, 'byte'], `byte ${f.byte} of the input to ${device} can never be corrupted: the scenario types only ${total} byte(s) there`);
  }
  const hex2 = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;
  const action = f.drop ? { drop: true as const } : f.replace !== undefined ? { replace: f.replace } : { xor: f.xor! };
  const what = f.drop ? 'dropped' : f.replace !== undefined ? `replaced by ${hex2(f.replace)}` : `XORed with ${hex2(f.xor!)}`;
  return { type: 'corrupt-input', index: i, device, byte: f.byte!, action, description: `corrupt input: the ${ordinal(f.byte!)} byte typed on ${device} ${what}` };
}

/** lost-interrupt, spurious-interrupt and irq-storm: a line of an interrupt controller of the board. */
function interruptFault(ctx: ResolveContext, f: RawFault, i: number, at: At): FaultSpec {
  const { board, err, clockHz } = ctx;
  const controller = f.controller ?? 'gic';
  const ctl = board.devices.find((d) => d.name === controller);
  // The inputs the controller has as the board configures it (a GIC's num-irqs).
  const inputsOf = (d: { type: string; props: Record<string, unknown> }) => irqInputCount(DEVICE_TYPES.get(d.type), d.props);
  const controllers = () => board.devices.filter((d) => inputsOf(d)).map((d) => `${d.name} (lines 0-${inputsOf(d) - 1})`).join(', ') || 'none';
  if (!ctl) {
    const near = didYouMean(controller, board.devices.filter((d) => inputsOf(d)).map((d) => d.name));
    throw err([...at, f.controller ? 'controller' : 'type'], `interrupt controller '${controller}' is not on board ${board.name} (its interrupt controllers: ${controllers()})${near}`);
  }
  if (!inputsOf(ctl)) {
    throw err([...at, f.controller ? 'controller' : 'type'], `device '${controller}' (${ctl.type}) has no interrupt inputs, so this ${f.type} fault cannot drive its lines; the interrupt controllers of board ${board.name} are ${controllers()}`);
  }
  const numIrqs = inputsOf(ctl);
  if (f.line! >= numIrqs) throw err([...at, 'line'], `${controller} has interrupt IDs 0-${numIrqs - 1}; line ${f.line} does not exist`);
  const firstLine = DEVICE_TYPES.get(ctl.type)?.irqFirstInput ?? 0;
  if (f.type === 'lost-interrupt' && f.line! < firstLine) return lostSgi(ctx, f, i, at, ctl);
  if (f.core !== undefined) throw err([...at, 'core'], `'core' names the core that loses an SGI (${controller} IDs 0-${firstLine - 1}); line ${f.line} is not one`);
  if (f.line! < firstLine) throw err([...at, 'line'], `${controller} (${ctl.type}) IDs 0-${firstLine - 1} are software-generated interrupts and have no input line; of the interrupt faults only lost-interrupt applies to them`);
  if (f.type === 'lost-interrupt') {
    const drivers = board.devices.filter((d) => d.irq.some((outs) => outs.some((t) => t.device === controller && t.line === f.line)));
    if (!drivers.length) throw err([...at, 'line'], `no device of board ${board.name} drives ${controller} line ${f.line}, so no assertion of it can ever be lost`);
    const nth = f.nth ?? 1;
    const count = f.count === 'all' ? Infinity : f.count ?? 1;
    const which = count === Infinity ? `every assertion from the ${ordinal(nth)} on` : count === 1 ? `the ${ordinal(nth)} assertion` : `${count} assertions from the ${ordinal(nth)} on`;
    return {
      type: 'lost-interrupt', index: i, controller, line: f.line!, nth, count,
      description: `lost interrupt: ${which} of ${controller} line ${f.line} (${drivers.map((d) => d.name).join(', ')})`,
    };
  }
  if (f.type === 'spurious-interrupt') {
    const icount = ctx.time(f.at!, [...at, 'at']);
    ctx.beforeLimit(icount, [...at, 'at'], 'the spurious interrupt');
    const width = f.width !== undefined ? ctx.time(f.width, [...at, 'width']) : 1;
    if (width < 1) throw err([...at, 'width'], 'the pulse must last at least 1 instruction');
    return {
      type: 'spurious-interrupt', index: i, controller, line: f.line!, icount, width,
      description: `spurious interrupt: one ${formatTime(width, clockHz)} pulse on ${controller} line ${f.line} at ${formatTime(icount, clockHz)}`,
    };
  }
  return irqStorm(ctx, f, i, at, controller);
}

/**
 * lost-interrupt of an SGI: the nth (to nth + count - 1th) GICD_SGIR write
 * that sends SGI `line` to core `core` does not reach that core.
 */
function lostSgi(ctx: ResolveContext, f: RawFault, i: number, at: At, ctl: { name: string; regions: Record<string, { base: number }> }): FaultSpec {
  const core = f.core ?? 0;
  ctx.checkCore(core, [...at, 'core']);
  const dist = ctl.regions.distributor;
  if (!dist) throw ctx.err([...at, f.controller ? 'controller' : 'type'], `device '${ctl.name}' has no GIC distributor, so no GICD_SGIR sends SGIs`);
  const nth = f.nth ?? 1;
  const count = f.count === 'all' ? Infinity : f.count ?? 1;
  const which = count === Infinity ? `every SGI ${f.line} from the ${ordinal(nth)} on` : count === 1 ? `the ${ordinal(nth)} SGI ${f.line}` : `${count} SGIs ${f.line} from the ${ordinal(nth)} on`;
  return {
    type: 'lost-interrupt', index: i, controller: ctl.name, line: f.line!, nth, count, sgi: { core, sgir: (dist.base + 0xf00) >>> 0 },
    description: `lost interrupt: ${which} sent to core ${core} (${ctl.name} GICD_SGIR)`,
  };
}

function irqStorm(ctx: ResolveContext, f: RawFault, i: number, at: At, controller: string): FaultSpec {
  const { err, clockHz } = ctx;
  const start = ctx.time(f.start!, [...at, 'start']);
  ctx.beforeLimit(start, [...at, 'start'], 'the IRQ storm');
  const period = ctx.time(f.period!, [...at, 'period']);
  if (period < 2) throw err([...at, 'period'], 'the period must be at least 2 instructions');
  const width = f.width !== undefined ? ctx.time(f.width, [...at, 'width']) : Math.max(1, Math.floor(period / 2));
  if (width < 1 || width >= period) throw err([...at, 'width'], `the pulse width must be at least 1 instruction and shorter than the period (${period})`);
  return {
    type: 'irq-storm', index: i, controller, line: f.line!, start, period, count: f.count as number, width,
    description: `IRQ storm: ${f.count} pulses on ${controller} line ${f.line} every ${formatTime(period, clockHz)} from ${formatTime(start, clockHz)}`,
  };
}

/** Short-descriptor fault status (machine/cpu/faults.ts) for a status name and level. */
export function statusCode(status: string, level: 'section' | 'page' | undefined, data: boolean): { code: number; name: string } {
  const page = level === 'page';
  switch (status) {
    case 'translation': return page ? { code: F.FS_TRANSLATION_PAGE, name: 'translation fault, page' } : { code: F.FS_TRANSLATION_SECTION, name: 'translation fault, section' };
    case 'permission': return page ? { code: F.FS_PERMISSION_PAGE, name: 'permission fault, page' } : { code: F.FS_PERMISSION_SECTION, name: 'permission fault, section' };
    case 'access-flag': return page ? { code: F.FS_ACCESS_FLAG_PAGE, name: 'access flag fault, page' } : { code: F.FS_ACCESS_FLAG_SECTION, name: 'access flag fault, section' };
    case 'domain': return page ? { code: F.FS_DOMAIN_PAGE, name: 'domain fault, page' } : { code: F.FS_DOMAIN_SECTION, name: 'domain fault, section' };
    case 'external': return { code: F.FS_SYNC_EXTERNAL, name: 'synchronous external abort' };
    case 'alignment': return { code: F.FS_ALIGNMENT, name: data ? 'alignment fault' : 'alignment fault (not architected for prefetch aborts)' };
    default: throw new Error(`unknown fault status ${status}`);
  }
}

function describeAbort(type: string, status: string, t: FaultTrigger, clockHz: number): string {
  return `${type} (${status}) ${describeTrigger(t, clockHz)}`;
}

function describeTrigger(t: FaultTrigger, clockHz: number): string {
  return t.kind === 'at' ? `at ${formatTime(t.icount, clockHz)}`
    : t.kind === 'exec' ? `at the ${ordinal(t.nth)} execution of ${t.label}${t.core !== undefined ? ` by core ${t.core}` : ''}`
      : `on the ${ordinal(t.nth)} ${t.write === true ? 'write' : t.write === false ? 'read' : 'access'} to ${t.label}`;
}

export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}
