/**
 * cli/test-reports.ts over a message stream written here: test case names
 * as cucumber-js's JUnit formatter gives them (rules, outlines), the last
 * attempt of a retried scenario, what a failure's attachments become in
 * junit.xml and failures.html, and console bytes XML cannot hold.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { readRun, junitXml, failuresHtml } from '../../cli/test-reports';

const at = (s: number) => ({ seconds: s, nanos: 0 });

function stream(): string {
  const m: object[] = [];
  let clock = 1000;
  m.push({ testRunStarted: { timestamp: at(1000) } });
  m.push({ gherkinDocument: { uri: 'features/x.feature', feature: { name: 'X', children: [
    { background: { id: 'bg', steps: [{ id: 'bgs', keyword: 'Given ' }] } },
    { scenario: { id: 's1', name: 'plain', location: { line: 5 }, steps: [{ id: 'st1', keyword: 'When ' }] } },
    { rule: { name: 'a rule', children: [{ scenario: { id: 's2', name: 'ruled', location: { line: 9 }, steps: [{ id: 'st2', keyword: 'Then ' }] } }] } },
    { scenario: { id: 's3', name: 'outline <n>', location: { line: 12 }, steps: [{ id: 'st3', keyword: 'Then ' }],
      examples: [{ name: '', tableBody: [{ id: 'r1' }, { id: 'r2' }] }] } },
  ] } } });
  const pickle = (id: string, name: string, line: number, ast: string[], stepAst: string) =>
    m.push({ pickle: { id, uri: 'features/x.feature', name, location: { line }, astNodeIds: ast, steps: [{ id: `${id}-step`, text: `${name} step`, astNodeIds: [stepAst] }] } });
  pickle('p1', 'plain', 5, ['s1'], 'st1');
  pickle('p2', 'ruled', 9, ['s2'], 'st2');
  pickle('p3', 'outline 1', 14, ['s3', 'r1'], 'st3');
  pickle('p4', 'outline 2', 15, ['s3', 'r2'], 'st3');
  const run = (pickleId: string, attempt: number, status: string, extra: { retried?: boolean; exception?: object; attachments?: object[] } = {}) => {
    const tc = `${pickleId}-tc${attempt}`, started = `${pickleId}-started${attempt}`;
    m.push({ testCase: { id: tc, pickleId, testSteps: [{ id: `${tc}-hook`, hookId: 'h' }, { id: `${tc}-s`, pickleStepId: `${pickleId}-step` }, { id: `${tc}-after`, hookId: 'a' }] } });
    m.push({ testCaseStarted: { id: started, testCaseId: tc, attempt, timestamp: at(clock) } });
    m.push({ testStepFinished: { testCaseStartedId: started, testStepId: `${tc}-hook`, testStepResult: { status: 'PASSED' } } });
    m.push({ testStepFinished: { testCaseStartedId: started, testStepId: `${tc}-s`, testStepResult: { status, exception: extra.exception, message: status === 'FAILED' ? 'failed' : undefined } } });
    for (const a of extra.attachments ?? []) m.push({ attachment: { testCaseStartedId: started, testStepId: `${tc}-after`, contentEncoding: 'IDENTITY', ...a } });
    m.push({ testStepFinished: { testCaseStartedId: started, testStepId: `${tc}-after`, testStepResult: { status: 'PASSED' } } });
    clock += 2;
    m.push({ testCaseFinished: { testCaseStartedId: started, timestamp: at(clock), willBeRetried: !!extra.retried } });
  };
  // Run out of order: the report orders them by file and line.
  run('p4', 0, 'PASSED');
  run('p2', 0, 'FAILED', { retried: true, exception: { type: 'Error', message: 'first attempt' } });
  run('p2', 1, 'FAILED', {
    exception: { type: 'ExpectationFailed', message: 'expected: console never shows "\x1b[31mred"\n  ]]> was printed', stackTrace: 'ExpectationFailed: \x1b[31m ]]> here' },
    attachments: [
      { fileName: 'x--ruled.uartd.marked.log', mediaType: 'text/plain', body: '# uartd: 2 line(s)\n      1 | boot <b>\n>>    2 | \x1b[31mred\n!!      | FAILED console never shows "red"\n' },
      { fileName: 'x--ruled.uarta.log', mediaType: 'text/plain', body: 'other & console\n' },
      { fileName: 'x--ruled.recording', mediaType: 'text/plain', body: 'recording: /work/run/.bringup/recordings/r-1.bur' },
      { fileName: 'x--ruled.replay', mediaType: 'text/plain', body: 'bringup replay .bringup/recordings/r-1.bur --to-crash\nstops at core 0: the data-abort\n' },
      { fileName: 'x--ruled.files', mediaType: 'text/uri-list', body: [
        pathToFileURL('/work/run/reports/failed/x--ruled.uartd.marked.log').href,
        pathToFileURL('/work/run/reports/failed/x--ruled dc.png').href,
        pathToFileURL('/elsewhere/x--ruled.uarta.log').href,
      ].join('\n') + '\n' },
    ],
  });
  run('p1', 0, 'PASSED');
  run('p3', 0, 'SKIPPED');
  m.push({ testRunFinished: { timestamp: at(clock) } });
  return m.map((x) => JSON.stringify(x)).join('\n') + '\n';
}

test('readRun: names and order as cucumber-js gives them; a retried scenario counts once, by its last attempt', () => {
  const run = readRun(stream());
  assert.ok(run.finished);
  assert.deepEqual(run.cases.map((c) => [c.name, c.status]), [
    ['plain', 'PASSED'], ['a rule - ruled', 'FAILED'], ['outline <n> - #1.1: outline 1', 'SKIPPED'], ['outline <n> - #1.2: outline 2', 'PASSED'],
  ]);
  const failed = run.cases[1];
  assert.equal(failed.failure?.message?.split('\n')[0], 'expected: console never shows "\x1b[31mred"');
  assert.equal(failed.failedStep, 'Then ruled step');
  assert.equal(failed.recording, '/work/run/.bringup/recordings/r-1.bur');
  assert.deepEqual(failed.replay, { command: 'bringup replay .bringup/recordings/r-1.bur --to-crash', note: 'stops at core 0: the data-abort' });
  assert.equal(failed.files[0], '/work/run/reports/failed/x--ruled dc.png', 'the picture first');
  assert.equal(run.cases[0].steps[0], `When plain step${'.'.repeat(76 - 'When plain step'.length)}passed`);
  assert.equal(readRun(stream().split('\n').slice(0, -3).join('\n')).finished, false, 'a stream cut short is not finished');
});

test('junitXml: a failure carries properties and [[ATTACHMENT|...]] lines, paths relative to the run\'s folder; no byte XML cannot hold', () => {
  const xml = junitXml(readRun(stream()), '/work/run');
  assert.match(xml, /^<testsuite name="Cucumber" time="10" tests="4" skipped="1" failures="1" errors="0" timestamp="1970-01-01T00:16:40Z">$/m);
  assert.doesNotMatch(xml, /[\x00-\x08\x0B\x0C\x0E-\x1F]/, 'control bytes are left out');
  const tc = /<testcase classname="X" name="a rule - ruled" time="2">([\s\S]*?)<\/testcase>/.exec(xml)?.[1] ?? '';
  assert.match(tc, /^\s*<failure type="ExpectationFailed" message="expected: console never shows &quot;\[31mred&quot;&#xA; {2}\]\]&gt; was printed"><!\[CDATA\[ExpectationFailed: \[31m \]\]\]\]><!\[CDATA\[> here\]\]><\/failure>/);
  assert.match(tc, /<property name="recording" value=".bringup\/recordings\/r-1.bur"\/>/);
  assert.match(tc, /<property name="replay" value="bringup replay .bringup\/recordings\/r-1.bur --to-crash"\/>/);
  assert.deepEqual([...tc.matchAll(/<property name="attachment" value="([^"]+)"\/>/g)].map((x) => x[1]),
    ['reports/failed/x--ruled dc.png', 'reports/failed/x--ruled.uartd.marked.log', '/elsewhere/x--ruled.uarta.log']);
  assert.match(tc, /<system-out><!\[CDATA\[Then ruled step\.+failed\n\nrecording: .bringup\/recordings\/r-1.bur\nreplay: bringup replay .bringup\/recordings\/r-1.bur --to-crash \(stops at core 0: the data-abort\)\n\[\[ATTACHMENT\|reports\/failed\/x--ruled dc.png\]\]\n/);
  assert.match(xml, /<testcase classname="X" name="outline &lt;n&gt; - #1.1: outline 1" time="2">\n {4}<skipped\/>/);
  const passing = /<testcase classname="X" name="plain" time="2">([\s\S]*?)<\/testcase>/.exec(xml)?.[1] ?? '';
  assert.doesNotMatch(passing, /properties|ATTACHMENT|recording/);
});

test('failuresHtml: the failed scenario only, its marked log highlighted and escaped, the picture linked relative to the page', () => {
  const page = failuresHtml(readRun(stream()), '/work/run/reports', '/work/run');
  assert.equal(page.match(/<section class="failure"/g)?.length, 1);
  assert.match(page, /<h2>X: a rule - ruled<\/h2>/);
  assert.match(page, /<img src="failed\/x--ruled%20dc.png"/);
  assert.match(page, /<pre class="command">bringup replay .bringup\/recordings\/r-1.bur --to-crash<\/pre>\n<p>stops at core 0: the data-abort<\/p>/);
  assert.match(page, /\n {4}1 \| boot &lt;b&gt;\n<span class="hit" id="failure-1-1"> {4}2 \| \[31mred<\/span>/);
  assert.doesNotMatch(page, /\x1b/, 'control bytes are left out');
  assert.match(page, /<span class="mark"> +\| FAILED console never shows &quot;red&quot;<\/span>/);
  assert.match(page, /<details><summary>Console log: x--ruled.uarta.log<\/summary>\n<pre class="log">other &amp; console\n<\/pre><\/details>/);
  assert.match(page, /<a href="\/elsewhere\/x--ruled.uarta.log">/);
  assert.match(failuresHtml({ cases: [], seconds: 0, finished: true }, '/r', '/'), /No scenario failed \(0 ran\)\./);
});
