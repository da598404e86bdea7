/** Parameter types shared by the step files: durations, hex numbers, symbols, ordinals, fault kinds. */

import { defineParameterType } from '@cucumber/cucumber';

// 250us, 10ms, 2s, 5M insns — kept as text; the scenario parses it at the board's clock.
defineParameterType({ name: 'duration', regexp: /\d+(?:\.\d+)?\s?(?:ns|us|ms|s)|\d+[kMG]?\s?insns/, transformer: (s: string) => s });
defineParameterType({ name: 'hex', regexp: /0x[0-9a-fA-F]+/, transformer: (s: string) => Number(s) });
defineParameterType({ name: 'symbol', regexp: /[A-Za-z_][A-Za-z0-9_.]*(?:\+0x[0-9a-fA-F]+)?/, transformer: (s: string) => s });
defineParameterType({ name: 'ordinal', regexp: /\d+(?:st|nd|rd|th)/, transformer: (s: string) => parseInt(s, 10) });
defineParameterType({ name: 'abort', regexp: /data abort|prefetch abort/, transformer: (s: string) => s.replace(' ', '-') });
defineParameterType({ name: 'status', regexp: /translation|permission|access-flag|external|domain|alignment/, transformer: (s: string) => s });
