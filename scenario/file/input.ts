/** The input section of a scenario: console input typed at a time, or after a pattern in the output. */

import { compilePattern } from './patterns';
import type { ResolveContext } from './context';
import type { Scenario } from './types';

export type ConsoleInputs = Pick<Scenario, 'inputs' | 'inputsAfterOutput'>;

export function resolveInputs(ctx: ResolveContext): ConsoleInputs {
  const { raw, board, err } = ctx;
  const isUart = (device: string) => ctx.deviceCan(device, 'console');
  const inputs: Scenario['inputs'] = [];
  const inputsAfterOutput: Scenario['inputsAfterOutput'] = [];
  // Each input checked on its own: a problem with one does not hide the problems of the others.
  (Array.isArray(raw.input) ? raw.input : []).forEach((inp, i) => ctx.attempt(['input', i], () => {
    const device = inp.device ?? ctx.consoleDevice;
    if (!ctx.deviceNames.has(device)) throw err(['input', i, 'device'], ctx.notOnBoard(device, 'device', 'console'));
    if (!isUart(device)) throw err(['input', i, 'device'], `device '${device}' of board ${board.name} is not a UART; it takes no console input (UARTs: ${board.devices.filter((d) => isUart(d.name)).map((d) => d.name).join(', ')})`);
    // Typed text is sent as its UTF-8 bytes.
    const data = new Uint8Array(Buffer.from(inp.text, 'utf8'));
    // At the line rate unless asked to land in the receive FIFO at once.
    const pace = inp.burst ? { burst: true } : {};
    if (inp.at !== undefined && inp.after !== undefined) throw err(['input', i, 'after'], `console input is typed at a time or after a pattern; this one has at and after`);
    if (inp.at === undefined && inp.after === undefined) throw err(['input', i], `this console input is never typed: give it 'at' (a time) or 'after' (a pattern in the output)`);
    if (inp.at !== undefined) {
      if (inp.delay !== undefined) throw err(['input', i, 'delay'], `'delay' counts from the 'after' match; with 'at', put the time in 'at'`);
      const icount = ctx.time(inp.at, ['input', i, 'at']);
      ctx.beforeLimit(icount, ['input', i, 'at'], 'console input');
      inputs.push({ icount, device, data, ...pace });
      return;
    }
    const after = compilePattern(inp.after!);
    if (typeof after === 'string') throw err(['input', i, 'after'], after);
    const delay = inp.delay !== undefined ? ctx.time(inp.delay, ['input', i, 'delay']) : 0;
    inputsAfterOutput.push({ after, delay, device, data, ...pace });
  }));
  return { inputs, inputsAfterOutput };
}
