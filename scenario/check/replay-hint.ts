/**
 * The command a failure report gives for looking into a recorded run:
 * `bringup replay FILE --to-crash` when the recording holds a crash (the
 * abort `--to-crash` stops at), plain `bringup replay FILE` (the stop view at
 * the end of the run) when it does not. Whether there is a crash is asked of
 * the recording the way `bringup replay --to-crash` asks it; a recording with
 * no recorded abort answers at once, one with aborts is replayed from the
 * first of them.
 */

import * as path from 'node:path';
import { RecordingReader } from '../../replay/reader';
import { resolveTarget, NoCrash } from '../../replay/targets';
import { AddressSpaces } from '../../replay/symbols';
import { openReplay } from '../record/recording';

export interface ReplayHint {
  /** The command line, with the recording's path as given. */
  command: string;
  /** Where --to-crash stops, e.g. "the crash: data abort at ..."; absent when the run did not crash. */
  crash?: string;
  /** Why the recording could not be searched for a crash (the command then has no --to-crash). */
  problem?: string;
}

/** A path as a shell command takes it: quoted when it holds anything but plain characters. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The replay command for `file` (shown as `shown`, e.g. relative to the working directory). */
export function replayHint(file: string, shown = file): ReplayHint {
  const plain = `bringup replay ${shellWord(shown)}`;
  try {
    const rec = RecordingReader.open(path.resolve(file));
    const session = openReplay(rec, { onNotice: () => {} });
    const found = resolveTarget({ kind: 'crash' }, rec, session.replayer, new AddressSpaces(session.boot));
    return { command: `${plain} --to-crash`, crash: found.why };
  } catch (e) {
    if (e instanceof NoCrash) return { command: plain };
    return { command: plain, problem: (e as Error).message };
  }
}
