/**
 * How a run stopped, in the words people read: one describer for every
 * report (bringup run, exec, replay, the Cucumber checks), so that the
 * machine's `idle` stop is called a halt everywhere.
 */

/** A stop as the machine, a scenario run or a recording's end record states it. */
export interface StopLike { kind: string; code?: number; by?: string; why?: string }

/** The stop in a phrase that follows "ended with" / "ends with", e.g. "a halt (WFI with nothing scheduled)". */
export function describeStopReason(stop: StopLike): string {
  switch (stop.kind) {
    case 'idle': return 'a halt (WFI with nothing scheduled)';
    case 'limit': return 'the limit';
    case 'exit': return `exit code ${stop.code ?? '?'}`;
    case 'reset': return `a reset by ${stop.by ?? 'a device'}`;
    case 'poweroff': return `a power-off by ${stop.by ?? 'a device'}`;
    case 'interrupted': return 'Ctrl-C (interrupted)';
    case 'decided': return `an early end, the verdict decided${stop.why ? `: ${stop.why}` : ''}`;
    default: return 'a stop (all console expectations met)';
  }
}
