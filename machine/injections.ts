/**
 * Everything the machine does not compute itself: console input, injected
 * faults and schedule perturbations. Each one is an entry of the input log,
 * stamped with the virtual time at which it takes effect (on one core: the
 * instruction count), so that the same images plus the same log give the
 * same execution.
 *
 * Where an entry takes effect:
 * - `boundary`: between instructions, at time `icount` (on several cores,
 *   between rounds; what acts on one core names it in `core`, default 0);
 * - `exec`: in place of the next instruction at `pc` (on several cores, on
 *   whichever core reaches it first after `icount`; `core` records which);
 * - `access`: during the next instruction's access to `address` (it aborts).
 * A fault trigger (Nth execution of a symbol, Nth access to a range) decides
 * *when*; the entry it logs says *what*, so a replay needs no trigger at all.
 */

import { hexWord as hex } from './hex';

export type Injection =
  | { kind: 'console-input'; device: string; data: Uint8Array }
  | { kind: 'data-abort'; address: number; status: number; write: boolean }
  | { kind: 'prefetch-abort'; address: number; status: number }
  /** The instruction is not executed: the called function returns at once to LR. */
  | { kind: 'skip-call' }
  | { kind: 'irq-line'; controller: string; line: number; high: boolean }
  /** One bit of RAM inverted (physical address). */
  | { kind: 'bit-flip'; address: number; bit: number }
  /** A schedule perturbation: the core gives up its turns for `ticks` ticks (several cores). */
  | { kind: 'stall-core'; core: number; ticks: number }
  /** The GICD_SGIR write of this instruction (an exec point) does not make SGI `sgi` pending on the cores in the mask `cores`. */
  | { kind: 'lose-sgi'; controller: string; sgi: number; cores: number };

export type InjectionPoint =
  | { at: 'boundary' }
  | { at: 'exec'; pc: number }
  | { at: 'access'; address: number; write: boolean };

export interface InjectionEntry {
  icount: number;
  point: InjectionPoint;
  injection: Injection;
  /** Why it happened, for people (e.g. "fault 2: data-abort at the 3rd execution of __divdi3"). */
  cause: string;
  /** The core it acted on (several cores only; absent: core 0). */
  core?: number;
}

export function describeInjection(i: Injection): string {
  switch (i.kind) {
    case 'console-input': return `${i.data.length} byte(s) of console input to ${i.device}`;
    case 'data-abort': return `data abort (status 0x${i.status.toString(16)}, ${i.write ? 'write' : 'read'}) at ${hex(i.address)}`;
    case 'prefetch-abort': return `prefetch abort (status 0x${i.status.toString(16)}) at ${hex(i.address)}`;
    case 'skip-call': return 'call skipped (returned to LR)';
    case 'irq-line': return `${i.controller} line ${i.line} ${i.high ? 'raised' : 'lowered'}`;
    case 'bit-flip': return `bit ${i.bit} of physical ${hex(i.address)} flipped`;
    case 'stall-core': return `core ${i.core} stalled for ${i.ticks} ticks`;
    case 'lose-sgi': return `SGI ${i.sgi} of ${i.controller} lost on core mask 0x${i.cores.toString(16)}`;
  }
}

export function describePoint(p: InjectionPoint): string {
  switch (p.at) {
    case 'boundary': return 'between instructions';
    case 'exec': return `at pc ${hex(p.pc)}`;
    case 'access': return `on the ${p.write ? 'write' : 'read'} of ${hex(p.address)}`;
  }
}

/** JSON form (bytes as arrays) for recordings. */
export function injectionToJson(e: InjectionEntry): unknown {
  const inj = e.injection.kind === 'console-input' ? { ...e.injection, data: Array.from(e.injection.data) } : e.injection;
  return e.core === undefined ? { icount: e.icount, point: e.point, injection: inj, cause: e.cause } : { icount: e.icount, point: e.point, injection: inj, cause: e.cause, core: e.core };
}

export function injectionFromJson(v: unknown): InjectionEntry {
  const o = v as { icount: number; point: InjectionPoint; injection: Injection & { data?: number[] }; cause: string; core?: number };
  const inj = o.injection.kind === 'console-input' ? { ...o.injection, data: Uint8Array.from(o.injection.data as unknown as number[]) } : o.injection;
  const e: InjectionEntry = { icount: o.icount, point: o.point, injection: inj as Injection, cause: o.cause };
  if (o.core !== undefined) e.core = o.core;
  return e;
}
