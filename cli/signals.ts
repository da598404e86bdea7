/** Ctrl-C (SIGINT) and SIGTERM end a command the same way; the exit status says which it was. */

import { EXIT } from './exit-codes';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * Calls `handler` on SIGINT and SIGTERM (the process is not killed by them
 * while the handler is installed). Returns the function that removes it.
 */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  const int = () => handler('SIGINT');
  const term = () => handler('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  return () => { process.off('SIGINT', int); process.off('SIGTERM', term); };
}

/** 130 for SIGINT, 143 for SIGTERM (128 + the signal's number, as shells report it). */
export function stopStatus(signal: StopSignal | undefined): number {
  return signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED;
}

/** 128 + the signal's number for a signal name (what a shell reports for a process it killed). */
export function signalStatus(signal: string): number {
  const n = (require('node:os') as typeof import('node:os')).constants.signals[signal as NodeJS.Signals];
  return n ? 128 + n : EXIT.INTERNAL;
}
