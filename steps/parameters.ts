/**
 * Parameter types shared by the step files: durations, hex numbers, addresses,
 * registers, interrupt lines, symbols, ordinals, fault kinds.
 */

import { defineParameterType } from '@cucumber/cucumber';

// 250us, 10ms, 2s, 5M insns — kept as text; the scenario parses it at the board's clock.
defineParameterType({ name: 'duration', regexp: /\d+(?:\.\d+)?\s?(?:ns|us|ms|s)|\d+[kMG]?\s?insns/, transformer: (s: string) => s });
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
