/** How a run ended (expect.end, and the steps "the machine halts", "the PMC resets the board"). */

import { symbolize } from '../../machine/loaders/elf';
import type { Machine } from '../../machine/machine';
import { describeStopReason } from '../../machine/stop-reason';
import { formatTime } from '../virtual-time';
import type { Scenario, EndKind } from '../file/scenario-file';
import type { RunStop, ScenarioResult } from '../run/runner';
import { linesRecord, type ConsoleRecord } from './console';
import { finalMachine } from './machine-state';
import { numberedLines, type ExpectationResult } from './expectation';

/** The run ended the way wanted ('matched' asks nothing of the end); `main` is the main console, for context. */
export function checkEnd(s: Scenario, wanted: Exclude<EndKind, 'matched'>, stop: RunStop, end: number, machine: Machine, main: ConsoleRecord): ExpectationResult {
  const ok = wanted === 'halt' ? stop.kind === 'idle'
    : wanted === 'exit' ? stop.kind === 'exit'
      : wanted === 'reset' ? stop.kind === 'reset'
        : wanted === 'poweroff' ? stop.kind === 'poweroff' : stop.kind === 'limit';
  const expected = wanted === 'halt' ? describeStopReason({ kind: 'idle' }) : wanted === 'limit' ? describeStopReason({ kind: 'limit' })
    : wanted === 'poweroff' ? 'a power-off' : `a${wanted === 'exit' ? 'n' : ''} ${wanted}`;
  const what = `the run ends with ${expected}`;
  if (ok) return { what, ok, icount: end };
  const pc = machine.cpu.pc >>> 0;
  const sym = symbolize(s.symbols.get('') ?? [], pc);
  return {
    what, ok, icount: end, console: '',
    problem: `it ended with ${describeStopReason(stop)} at ${formatTime(end, s.clockHz)}, pc 0x${pc.toString(16)}${sym ? ` (${sym})` : ''}`,
    context: numberedLines(main.slice(main.count - 8, main.count)),
  };
}

/** The same asked of a finished run, by the kind of stop ('idle' is a halt). */
export function endsWith(r: ScenarioResult, kind: 'idle' | 'limit' | 'exit' | 'reset'): ExpectationResult {
  const wanted = kind === 'idle' ? 'halt' : kind;
  return checkEnd(r.scenario, wanted, r.stop, r.icount, finalMachine(r), linesRecord(r.lines, [], []));
}
