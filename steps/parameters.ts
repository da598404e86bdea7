/**
 * Parameter types shared by the step files: durations, hex numbers, addresses,
 * registers, interrupt lines, symbols, ordinals, fault kinds.
 */

import { defineParameterType } from '@cucumber/cucumber';
import { parseVirtualTime } from '../scenario/virtual-time';
import { nearest } from '../io/nearest';
import { StepError, type StepLocation } from './step-location';

/**
 * What each parameter type accepts, in words and examples: `bringup steps`
 * and docs/steps.md print it (cucumber-js's own types included).
 */
export const PARAMETER_FORMS: Record<string, string> = {
  string: 'text in double quotes ("pingpong.yaml"); \\n, \\r and \\xNN where a step types it',
  int: 'a whole number (2, 500)',
  float: 'a number (2.5)',
  word: 'one word without spaces (uarta, lost-interrupt)',
  duration: 'virtual time at the board\'s clock: a number and a unit, ns, us, ms or s (250us, 10ms, 2s); or instructions: 5M insns, 200k insns, 123456',
  hex: 'a hexadecimal number (0x80001000)',
  symbol: 'a symbol of the kernel image, optionally +0x offset (load, board_power_off, handler+0x10)',
  address: 'a hexadecimal address or a symbol, optionally IMAGE:symbol or +0x offset (0x01000000, dom1:main, handler+0x10)',
  ordinal: '1st, 2nd, 3rd, 4th, ...',
  abort: 'data abort or prefetch abort',
  status: 'the fault status: translation, permission, access-flag, external, domain or alignment',
  register: 'r0-r15, sp, lr, pc or cpsr (of the mode the CPU is in)',
  irq: 'an interrupt input: GIC line 32 (or IRQ 32, a GIC interrupt ID), LIC line 90',
};

/** The units a {duration} takes. */
export const DURATION_UNITS = ['ns', 'us', 'ms', 's', 'insns', 'k insns', 'M insns', 'G insns'];

/** A problem with a value a step was given, at the step's line when the step is known. */
function badValue(world: unknown, problem: string): Error {
  const step = (world as { step?: StepLocation } | undefined)?.step;
  return step ? new StepError(step, problem) : new Error(problem);
}

/** Undefined when `text` is a duration; otherwise what is wrong with it. */
export function durationProblem(text: string): string | undefined {
  const t = parseVirtualTime(text, 1e9);
  if (typeof t === 'number') return undefined;
  const m = /^[0-9][0-9_.]*\s*(.*)$/.exec(text.trim());
  const unit = m?.[1] ?? '';
  const known = [...DURATION_UNITS, 'µs', 'insn', 'instructions', 'k', 'M', 'G'];
  if (unit && !known.some((u) => u === unit || u === unit.replace(/^[kKMG]\s*/, ''))) {
    const near = nearest(unit, DURATION_UNITS, { count: 2 });
    return `'${text}' is not a duration: '${unit}' is not a unit${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}; `
      + `the units are ${DURATION_UNITS.slice(0, 4).join(', ')} (time at the board's clock) and insns, k insns, M insns, G insns (instructions), e.g. 250us, 10ms, 5M insns`;
  }
  return t;
}

// A number and a unit (250us, 10ms, 2s, 5M insns) or a plain instruction count — kept as text: the
// scenario turns it into instructions at the board's clock. Any word is taken as the unit, so that
// "2 parsecs" is refused with the units listed instead of leaving the step undefined.
defineParameterType({
  name: 'duration', regexp: /\d+(?:\.\d+)?(?:\s?[kKMG]?\s?[A-Za-zµ]+)?/,
  transformer(this: unknown, s: string) {
    const problem = durationProblem(s);
    if (problem) throw badValue(this, problem);
    return s;
  },
});
defineParameterType({ name: 'hex', regexp: /0x[0-9a-fA-F]+/, transformer: (s: string) => Number(s) });
defineParameterType({ name: 'symbol', regexp: /[A-Za-z_][A-Za-z0-9_.]*(?:\+0x[0-9a-fA-F]+)?/, transformer: (s: string) => s });
// An address: hex, or a symbol (optionally +offset, or IMAGE:symbol); kept as the scenario writes it.
defineParameterType({
  name: 'address', regexp: /0x[0-9a-fA-F]+|(?:[A-Za-z0-9_.-]+:)?[A-Za-z_][A-Za-z0-9_.]*(?:\+0x[0-9a-fA-F]+)?/,
  transformer: (s: string) => (/^0x/.test(s) ? Number(s) : s),
});
defineParameterType({ name: 'ordinal', regexp: /\d+(?:st|nd|rd|th)/, transformer: (s: string) => parseInt(s, 10) });
defineParameterType({ name: 'abort', regexp: /data abort|prefetch abort/, transformer: (s: string) => s.replace(' ', '-') });
defineParameterType({ name: 'status', regexp: /translation|permission|access-flag|external|domain|alignment/, transformer: (s: string) => s });
// r0-r15, sp, lr, pc, cpsr (the registers of the mode the CPU is in).
defineParameterType({ name: 'register', regexp: /r1[0-5]|r[0-9]|sp|lr|pc|cpsr/, transformer: (s: string) => s });

/** An interrupt input: "GIC line 32" (or "IRQ 32", a GIC interrupt ID), "LIC line 90". */
export interface IrqLine { controller: string; line: number }
defineParameterType({
  name: 'irq', regexp: /(?:GIC|LIC|gic|lic) line \d+|IRQ \d+/,
  transformer: (s: string): IrqLine => {
    const m = /^(?:(\w+) line|IRQ) (\d+)$/.exec(s)!;
    return { controller: (m[1] ?? 'gic').toLowerCase(), line: Number(m[2]) };
  },
});
