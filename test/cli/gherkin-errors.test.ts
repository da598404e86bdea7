/**
 * `bringup test` on small feature files with mistakes in them: each mistake
 * is reported at the line of the .feature file that made it, a mistyped step
 * with the closest steps of the library and no generated snippet.
 */

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT as root } from '../support/environment';
import { tempDir } from '../support/temp-dirs';

const dir = tempDir('bringup-gherkin-errors-');

/** Runs `bringup test` in `dir` on one feature file written there (its uri is then its bare name). */
function bringupTest(name: string, feature: string, ...args: string[]) {
  fs.writeFileSync(path.join(dir, name), feature);
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'test', name, '--no-reports', ...args], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, BRINGUP_RECORDINGS_DIR: path.join(dir, 'recordings'), FORCE_COLOR: '0' },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** The failure report of the scenario named `name`: from its "N) Scenario:" line to the next one. */
function reportOf(out: string, name: string): string {
  const start = out.indexOf(`Scenario: ${name} #`);
  assert.ok(start >= 0, `no report for "${name}" in:\n${out}`);
  const next = out.slice(start + 1).search(/\n\d+\) Scenario:|\n\d+ scenarios? \(/);
  return next < 0 ? out.slice(start) : out.slice(start, start + 1 + next);
}

let run: { status: number | null; out: string };

before(() => {
  run = bringupTest('mistakes.feature', [
    'Feature: mistakes',                                                          // 1
    '',                                                                           // 2
    '  Scenario: a mistyped step',                                                // 3
    '    Given the scenrio "pingpong.yaml"',                                      // 4
    '    When it runs',                                                           // 5
    '',                                                                           // 6
    '  Scenario: a duration in parsecs',                                          // 7
    '    Given the reference hypervisor with the boot volume "pingpong.yaml"',    // 8
    '    And the run is limited to 2 parsecs',                                    // 9
    '    When it runs',                                                           // 10
    '',                                                                           // 11
    '  Scenario: a missing boot volume',                                          // 12
    '    Given the reference hypervisor with the boot volume "pingpongg.yaml"',   // 13
    '    When it runs',                                                           // 14
    '',                                                                           // 15
    '  Scenario: a symbol the kernel does not have',                              // 16
    '    Given the reference hypervisor with the boot volume "pingpong.yaml"',    // 17
    '    And the command line also has "evtwd=100"',                              // 18
    '    And a data abort (translation fault) at the 3rd execution of no_such_function', // 19
    '    And the run is limited to 5ms',                                          // 20
    '    When it runs',                                                           // 21
    '',                                                                           // 22
    '  Scenario: a fault that can never fire',                                    // 23
    '    Given the reference hypervisor with the boot volume "pingpong.yaml"',    // 24
    '    And "ab" is typed at 1ms',                                               // 25
    '    And the 5th byte typed is dropped',                                      // 26
    '    When it runs',                                                           // 27
    '',
  ].join('\n'));
});

test('bringup test: a mistyped step is reported at its line with the three closest steps, no snippet, exit 1', () => {
  assert.equal(run.status, 1, run.out);
  const r = reportOf(run.out, 'a mistyped step');
  const lines = r.split('\n').map((l) => l.trim());
  const at = lines.indexOf('mistakes.feature:4: no step matches: Given the scenrio "pingpong.yaml"');
  assert.ok(at >= 0, r);
  assert.equal(lines[at + 1], 'the closest steps of the library:');
  const suggestions = lines.slice(at + 2, at + 5);
  assert.equal(suggestions.length, 3);
  for (const s of suggestions) assert.match(s, /^Given /, r);
  // The library's step, with the value the user wrote in it.
  assert.match(suggestions[0], /^Given the scenario "pingpong\.yaml" +\(the scenario \{string\}\)$/, r);
  assert.doesNotMatch(run.out, /snippet|return 'pending'|function \(/, 'cucumber-js\'s generated snippets are not printed');
});

test('bringup test: "2 parsecs" is refused at its .feature line, with the units', () => {
  const r = reportOf(run.out, 'a duration in parsecs');
  assert.match(r, /mistakes\.feature:9: '2 parsecs' is not a duration: 'parsecs' is not a unit; the units are ns, us, ms, s .*insns/, r);
  assert.match(r, /in the step: And the run is limited to 2 parsecs/);
  assert.doesNotMatch(r, /^\s+at /m, 'no stack trace for a bad value');
});

test('bringup test: a missing boot volume is reported at the step that names it, with the closest volume', () => {
  const r = reportOf(run.out, 'a missing boot volume');
  assert.match(r, /mistakes\.feature:13: .*pingpongg\.yaml: no such boot volume manifest; did you mean "pingpong\.yaml"/, r);
});

test('bringup test: an unknown symbol found when the scenario is built is reported at the step that wrote it, not in the generated YAML', () => {
  const r = reportOf(run.out, 'a symbol the kernel does not have');
  // "When it runs" (line 21) fails; the message names line 19, the step with the symbol.
  assert.match(r, /✖ When it runs/);
  assert.match(r, /mistakes\.feature:19: unknown symbol 'no_such_function' in the kernel/, r);
  assert.match(r, /in the step: And a data abort \(translation fault\) at the 3rd execution of no_such_function/);
  assert.doesNotMatch(r, /assembled by steps/, 'no place in YAML the user never wrote');
});

test('bringup test: a fault that can never fire is reported at its step', () => {
  const r = reportOf(run.out, 'a fault that can never fire');
  assert.match(r, /mistakes\.feature:26: byte 5 of the input to \w+ can never be corrupted: the scenario types only 2 byte\(s\) there/, r);
});

test('bringup test: an unknown symbol in a check after the run is reported at the check\'s line', () => {
  const r = bringupTest('check.feature', [
    'Feature: a check',
    '  Scenario: a register in a function the kernel does not have',
    '    Given the reference hypervisor with the boot volume "pingpong.yaml"',
    '    When it runs',
    '    Then register pc is in no_such_function',
    '',
  ].join('\n'));
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /check\.feature:5: unknown symbol 'no_such_function'/, r.out);
});

test('bringup test prints with its own progress formatter unless a --format for the terminal is given', () => {
  const { defaultFormat } = require('../../cli/test') as typeof import('../../cli/test');
  const ours = defaultFormat([]);
  assert.equal(ours[0], '--format');
  assert.match(ours[1], /test-formatter\.js$/);
  assert.ok(fs.existsSync(ours[1]), ours[1]);
  assert.deepEqual(defaultFormat(['--format', 'json:out.json', '--format=junit:j.xml']), ours, 'formats written to files leave the terminal to ours');
  assert.deepEqual(defaultFormat(['--format', 'progress']), []);
  assert.deepEqual(defaultFormat(['-f', 'summary']), []);
  assert.deepEqual(defaultFormat(['--format=./my-formatter.js']), []);
});
