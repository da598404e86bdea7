/**
 * What a failed run leaves for a report: the console log of every console
 * device as text, the same log with the failed expectations marked in it,
 * the display as a PNG (when one is scanning out), pictures a check
 * produced, the path of the run's recording (when it was recorded) and the
 * command that replays it. Files are written under the reports folder so
 * that a CI system can link them; the names tell the reports what each one
 * is (failureRole), since Cucumber's message stream carries only a name, a
 * media type and the body.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodePng } from './png';
import { formatTime } from '../virtual-time';
import type { Artifact, ExpectationResult } from './expectation';
import type { ScenarioResult } from '../run/runner';
import { consoleMarks, formatMarkedLog, markedLog } from './marked-log';
import { replayHint } from './replay-hint';

/** Media types of the attachments that are not files: a path and a command (reports show them as text). */
export const PATH_TYPE = 'text/x.bringup-path';
export const COMMAND_TYPE = 'text/x.bringup-command';

/** What an attachment of a failure report is, by the end of its name. */
export type FailureRole = 'marked-log' | 'log' | 'picture' | 'recording' | 'replay' | 'files' | 'other';
const SUFFIXES: Array<[string, FailureRole]> = [
  ['.marked.log', 'marked-log'], ['.log', 'log'], ['.png', 'picture'], ['.recording', 'recording'], ['.replay', 'replay'], ['.files', 'files'],
];
export function failureRole(fileName: string | undefined): FailureRole {
  return SUFFIXES.find(([s]) => fileName?.endsWith(s))?.[1] ?? 'other';
}

/** A name for files: letters, digits, '.', '_' and '-' only. */
export function fileSafe(label: string): string {
  return label.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-|-$/g, '') || 'scenario';
}

/**
 * The attachments of a failed run. `failed`: the expectations that failed
 * (marked in the console logs they are about); `label` names the files.
 */
export function failureAttachments(r: ScenarioResult, extra: Artifact[] = [], label = r.scenario.name, failed: ExpectationResult[] = []): Artifact[] {
  const base = fileSafe(label);
  const out: Artifact[] = [];
  const marks = consoleMarks(failed, r.scenario.console);
  const ended = `the run ended at ${formatTime(r.icount, r.scenario.clockHz)}`;
  // The main console first: that is where most failures are. A device a failure is about is there even if it printed nothing.
  const devices = [...new Set([...r.consoles.keys(), ...marks.keys()])].sort((a, b) => (a === r.scenario.console ? -1 : b === r.scenario.console ? 1 : 0));
  for (const device of devices) {
    const lines = r.consoles.get(device) ?? [];
    const m = marks.get(device);
    if (m) out.push({ name: `${base}.${device}.marked.log`, mediaType: 'text/plain', data: Buffer.from(formatMarkedLog(markedLog(device, lines, m, ended)), 'utf8') });
    const text = lines.map((l) => l.text).join('\n') + (lines.length ? '\n' : '');
    out.push({ name: `${base}.${device}.log`, mediaType: 'text/plain', data: Buffer.from(text, 'utf8') });
  }
  const machine = r.machine;
  if (machine) {
    for (const d of machine.devices.values()) {
      const picture = d.render?.();
      if (picture) out.push({ name: `${base}.${d.name}.png`, mediaType: 'image/png', data: encodePng(picture) });
    }
  }
  // Pictures a check produced are named after the YAML scenario, which several Gherkin scenarios may share: named after this one too.
  const own = (a: Artifact): Artifact => (a.name.startsWith(`${base}.`) ? a : { ...a, name: `${base}.${a.name}` });
  for (const e of r.expectations) if (e.artifact) out.push(own(e.artifact));
  out.push(...extra.map(own));
  if (r.recording) {
    out.push({ name: `${base}.recording`, mediaType: PATH_TYPE, data: Buffer.from(`recording: ${r.recording}`) });
    const shown = path.relative(process.cwd(), r.recording);
    const hint = replayHint(r.recording, shown && !shown.startsWith('..') && !path.isAbsolute(shown) ? shown : r.recording);
    const note = hint.crash ? `stops at ${hint.crash}` : hint.problem ? `not searched for a crash: ${hint.problem}` : 'the run did not crash: this stops at its end';
    out.push({ name: `${base}.replay`, mediaType: COMMAND_TYPE, data: Buffer.from(`${hint.command}\n${note}\n`) });
  }
  return out;
}

/**
 * The attachments a report shows: a console's plain log is left out where
 * its marked log says the same with the failure in it (the file has both).
 */
export function shownAttachments(list: Artifact[]): Artifact[] {
  const marked = new Set(list.filter((a) => failureRole(a.name) === 'marked-log').map((a) => a.name.replace(/\.marked\.log$/, '.log')));
  return list.filter((a) => !marked.has(a.name));
}

/** The attachments that are files (logs, pictures) written into `dir`; returns the paths written, by attachment name. */
export function writeFailureFiles(list: Artifact[], dir: string): Map<string, string> {
  const written = new Map<string, string>();
  const files = list.filter((a) => a.mediaType !== PATH_TYPE && a.mediaType !== COMMAND_TYPE);
  if (!files.length) return written;
  fs.mkdirSync(dir, { recursive: true });
  for (const a of files) {
    const file = path.join(dir, fileSafe(a.name));
    fs.writeFileSync(file, a.data);
    written.set(a.name, file);
  }
  return written;
}

/** The files written, as a list of links (text/uri-list: Cucumber's HTML report shows them as links). */
export function fileLinks(label: string, written: Map<string, string>): Artifact {
  return { name: `${fileSafe(label)}.files`, mediaType: 'text/uri-list', data: Buffer.from([...written.values()].map((f) => pathToFileURL(f).href).join('\n') + '\n') };
}
