/**
 * What a failed run leaves for its report: the console log with the failed
 * expectation marked (the line a forbidden pattern matched, or where the
 * console ended for a line that never came), and the replay command, with
 * --to-crash only when the recording holds a crash.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario } from '../../scenario/file/scenario-file';
import { runRecorded } from '../../scenario/record/recording';
import { consoleNeverShows, consoleShows, scenarioPasses, type ExpectationResult } from '../../scenario/check';
import { failureAttachments, failureRole, shownAttachments, writeFailureFiles, fileLinks } from '../../scenario/check/attachments';
import { consoleMarks, markedLog, formatMarkedLog, parseMarkedLog, failedLeaves } from '../../scenario/check/marked-log';
import type { ConsoleLine } from '../../scenario/run/console-log';
import { ROOT as root } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-failure-attachments-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const scenarios = path.join(root, 'features', 'scenarios');

const lines = (texts: string[], first = 0): ConsoleLine[] => texts.map((text, i) => ({ text, index: first + i, icount: (first + i) * 100 }));

test('marked log: a line a failure points at is flagged with what failed under it; a line that never came is said at the end', () => {
  const failed: ExpectationResult[] = [
    { what: 'console never shows "oops"', ok: false, line: 1, problem: 'printed at 100 ns (line 2)', console: '' },
    { what: 'console shows "done"', ok: false, problem: 'never printed at all', console: '' },
  ];
  const marks = consoleMarks(failed, 'uartd');
  assert.deepEqual([...marks.keys()], ['uartd']);
  const text = formatMarkedLog(markedLog('uartd', lines(['boot', 'oops', 'idle']), marks.get('uartd')!, 'the run ended at 1 us'));
  assert.equal(text, [
    '# uartd: 3 line(s) printed; ">>" flags a line a failed expectation points at, "!!" says what failed',
    '      1 | boot',
    '>>    2 | oops',
    '!!      | FAILED console never shows "oops": printed at 100 ns (line 2)',
    '      3 | idle',
    '!!      | the console ends here (after line 3): the run ended at 1 us',
    '!!      | FAILED console shows "done": never printed at all',
    '',
  ].join('\n'));
  assert.deepEqual(parseMarkedLog(text).map((l) => l.kind), ['note', 'line', 'hit', 'mark', 'line', 'mark', 'mark']);
  assert.equal(parseMarkedLog(text)[2].text, '    2 | oops');
});

test('marked log: only console expectations are marked, on their own device; a summing-up expectation is marked by its causes', () => {
  const cause: ExpectationResult = { what: 'uarta console never shows "x"', ok: false, line: 0, console: 'uarta' };
  const failed: ExpectationResult[] = [
    { what: 'scenario s passes', ok: false, causes: [cause, { what: 'register r0 is 0x1', ok: false }, { what: 'console shows "y"', ok: true, console: '' }] },
    { what: 'register r1 is 0x2', ok: false },
  ];
  assert.deepEqual(failedLeaves(failed).map((e) => e.what), ['uarta console never shows "x"', 'register r0 is 0x1', 'register r1 is 0x2']);
  const marks = consoleMarks(failed, 'uartd');
  assert.deepEqual([...marks.keys()], ['uarta']);
  assert.deepEqual(marks.get('uarta'), [{ line: 0, text: ['FAILED uarta console never shows "x"'] }]);
});

test('marked log: a line no longer kept is marked at the end, which names it', () => {
  const text = formatMarkedLog(markedLog('uartd', lines(['c', 'd'], 2), [{ line: 0, text: ['FAILED console never shows "a": printed at 0 ns (line 1)'] }], 'the run ended at 1 us'));
  assert.match(text, /^# the first 2 line\(s\) printed are not kept; the log starts at line 3$/m);
  assert.doesNotMatch(text, /^>>/m);
  assert.match(text, /the console ends here \(after line 4\)[^\n]*\n!! +\| FAILED console never shows "a": printed at 0 ns \(line 1\)\n$/);
});

test('a failed run: the forbidden line marked in the console log, logs and pictures written, --to-crash for a run that crashed', () => {
  const r = runRecorded(loadScenario(path.join(scenarios, 'nullderef.yaml')), path.join(tmp, 'nullderef.bur'));
  const never = consoleNeverShows(r, 'DOMAIN FAULT');
  assert.equal(never.ok, false);
  const list = failureAttachments(r, [], 'crash--a domain fault', [never]);
  const byRole = (role: string) => list.filter((a) => failureRole(a.name) === role);
  const marked = byRole('marked-log');
  assert.deepEqual(marked.map((a) => a.name), ['crash--a-domain-fault.uartd.marked.log']);
  assert.match(marked[0].data.toString(), /^>> +\d+ \| \*\*\* DOMAIN FAULT: dom2 crash: data abort\n!! +\| FAILED console never shows "DOMAIN FAULT": printed at/m);
  assert.deepEqual(byRole('picture').map((a) => a.mediaType), ['image/png']);
  assert.equal(byRole('recording')[0].data.toString(), `recording: ${path.join(tmp, 'nullderef.bur')}`);
  const [command, note] = byRole('replay')[0].data.toString().split('\n');
  assert.equal(command, `bringup replay ${path.join(tmp, 'nullderef.bur')} --to-crash`);
  assert.match(note, /^stops at .*data-abort from usr mode .*\(nullderef:load\)/);
  // The report shows the marked log instead of the plain one; both are written.
  assert.ok(!shownAttachments(list).some((a) => a.name === 'crash--a-domain-fault.uartd.log'));
  const written = writeFailureFiles(list, path.join(tmp, 'failed'));
  assert.deepEqual([...written.keys()].sort(), list.filter((a) => a.mediaType === 'text/plain' || a.mediaType === 'image/png').map((a) => a.name).sort());
  for (const f of written.values()) assert.ok(fs.statSync(f).size > 0, f);
  assert.equal(fileLinks('crash--a domain fault', written).data.toString().split('\n').filter(Boolean).length, written.size);
});

test('a failed run that did not crash replays to its end (no --to-crash); "the scenario passes" is marked by the expectations that failed', () => {
  const s = loadScenario(path.join(scenarios, 'pingpong.yaml'));
  const r = runRecorded(s, path.join(tmp, 'pingpong.bur'));
  const missing = consoleShows(r, '[dom0] pong 11/10');
  const sums = scenarioPasses({ ...r, verdict: 'fail', expectations: [missing] });
  const list = failureAttachments(r, [], 'pingpong', [sums]);
  const log = list.find((a) => failureRole(a.name) === 'marked-log')!.data.toString();
  assert.match(log, /^!! +\| the console ends here \(after line \d+\): the run ended at [^\n]+\n!! +\| FAILED console shows "\[dom0\] pong 11\/10": never printed at all/m);
  const [command, note] = list.find((a) => failureRole(a.name) === 'replay')!.data.toString().split('\n');
  assert.equal(command, `bringup replay ${path.join(tmp, 'pingpong.bur')}`);
  assert.match(note, /did not crash/);
  // A console that printed nothing still gets its marked log, saying so.
  const silent = failureAttachments(r, [], 'pingpong', [{ what: 'uarta console shows "x"', ok: false, problem: 'never printed at all', console: 'uarta' }]);
  const uarta = silent.find((a) => a.name === 'pingpong.uarta.marked.log')?.data.toString() ?? '';
  assert.match(uarta, /^!! +\| the console ends here \(nothing was printed\): the run ended at [^\n]+\n!! +\| FAILED uarta console shows "x": never printed at all\n$/m);
});
