/**
 * `bringup test`'s reports lead to the failure: a failed scenario's JUnit
 * test case names its recording, the command that replays it and the files
 * written for it (which exist), and the HTML failure page shows the console
 * log with the failed expectation marked, the display picture and the replay
 * command. A passing scenario adds none of that.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT as root } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-test-reports-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const bin = path.join(root, 'bin', 'bringup');
const pingpong = path.join(root, 'features', 'scenarios', 'pingpong.yaml');
const reports = path.join(tmp, 'reports');
const recordings = path.join(tmp, 'recordings');

/** A failing feature over an existing scenario: one ordered line that never comes, one forbidden line that does, and one passing scenario. */
const FEATURE = `Feature: reports of a failure

  Scenario: a line that never comes
    Given the scenario "${pingpong}"
    When it runs
    Then the console shows "[dom0] pong 11/10"

  Scenario: a forbidden line
    Given the scenario "${pingpong}"
    When it runs
    Then the console never shows "pong 3/10"

  Scenario: ping-pong as it is
    Given the scenario "${pingpong}"
    When it runs
    Then the console shows "[dom0] pong 10/10"
`;

let run: { status: number | null; stdout: string; stderr: string };
let junit = '';
let page = '';

before(() => {
  const feature = path.join(tmp, 'reports.feature');
  fs.writeFileSync(feature, FEATURE);
  // Run from the temporary folder: the reports name paths relative to it.
  const r = spawnSync(process.execPath, [bin, 'test', '--reports', 'reports', feature],
    { cwd: tmp, encoding: 'utf8', env: { ...process.env, BRINGUP_RECORDINGS_DIR: recordings } });
  run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  if (fs.existsSync(path.join(reports, 'junit.xml'))) junit = fs.readFileSync(path.join(reports, 'junit.xml'), 'utf8');
  if (fs.existsSync(path.join(reports, 'failures.html'))) page = fs.readFileSync(path.join(reports, 'failures.html'), 'utf8');
});

/** The <testcase> element of that name. */
function testcase(name: string): string {
  const m = new RegExp(`<testcase [^>]*name="${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>[\\s\\S]*?</testcase>`).exec(junit);
  assert.ok(m, `junit.xml has a test case "${name}":\n${junit}`);
  return m[0];
}

const properties = (tc: string, name: string) => [...tc.matchAll(new RegExp(`<property name="${name}" value="([^"]*)"/>`, 'g'))].map((m) => m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
const systemOut = (tc: string) => /<system-out><!\[CDATA\[([\s\S]*?)\]\]><\/system-out>/.exec(tc)?.[1] ?? '';

test('bringup test fails and its last lines say where the reports and the failures are', () => {
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /^reports: reports\/cucumber\.html, reports\/junit\.xml$/m);
  assert.match(run.stdout, /^failed scenarios: reports\/failures\.html /m);
  assert.match(run.stdout, /^ {2}a line that never comes: bringup replay recordings\/\S+\.bur$/m);
  assert.match(run.stdout, /^ {2}a forbidden line: bringup replay recordings\/\S+\.bur$/m);
  assert.doesNotMatch(run.stdout, /^ {2}ping-pong as it is:/m);
});

test('junit.xml: a failed test case carries its recording, its replay command and the files written for it', () => {
  assert.match(junit, /<testsuite name="Cucumber" [^>]*tests="3" skipped="0" failures="2"/);
  for (const name of ['a line that never comes', 'a forbidden line']) {
    const tc = testcase(name);
    assert.match(tc, /<failure type="ExpectationFailed" message="expected: console/);
    const [recording] = properties(tc, 'recording');
    assert.ok(recording && fs.statSync(path.resolve(tmp, recording)).isFile(), `the recording property names an existing file: ${recording}`);
    assert.equal(path.dirname(path.resolve(tmp, recording)), recordings);
    assert.deepEqual(properties(tc, 'replay'), [`bringup replay ${recording}`], 'pingpong does not crash: the replay stops at the end, no --to-crash');
    const files = properties(tc, 'attachment');
    assert.ok(files.some((f) => f.endsWith('.png')), `the display is attached: ${files}`);
    assert.ok(files.some((f) => f.endsWith('.uartd.marked.log')), `the marked console log is attached: ${files}`);
    assert.ok(files.some((f) => f.endsWith('.uartd.log') && !f.endsWith('.marked.log')), `the plain console log is attached: ${files}`);
    for (const f of files) {
      assert.ok(fs.statSync(path.resolve(tmp, f)).isFile(), `${f} exists`);
      assert.ok(path.resolve(tmp, f).startsWith(reports + path.sep), `${f} is under the reports folder`);
    }
    const out = systemOut(tc);
    assert.match(out, /\.{3}failed$/m, 'the step lines are kept');
    assert.ok(out.includes(`recording: ${recording}`), out);
    assert.ok(out.includes(`replay: bringup replay ${recording}`), out);
    // CI systems link [[ATTACHMENT|path]] lines; one showing only the first shows the picture.
    const attached = [...out.matchAll(/^\[\[ATTACHMENT\|(.+)\]\]$/gm)].map((m) => m[1]);
    assert.deepEqual(new Set(attached), new Set(files));
    assert.match(attached[0], /\.png$/);
  }
  const marked = properties(testcase('a forbidden line'), 'attachment').find((f) => f.endsWith('.marked.log'))!;
  const log = fs.readFileSync(path.resolve(tmp, marked), 'utf8');
  assert.match(log, /^>> +32 \| \[dom0\] pong 3\/10\n!! +\| FAILED console never shows "pong 3\/10": printed at .* \(line 32\)$/m);
});

test('junit.xml: a passing test case carries no recording, replay command or files', () => {
  const tc = testcase('ping-pong as it is');
  assert.doesNotMatch(tc, /<properties>|<failure|ATTACHMENT|recording:|replay:/);
  assert.match(systemOut(tc), /Then the console shows "\[dom0\] pong 10\/10"\.+passed$/);
  const kept = fs.readdirSync(recordings);
  assert.equal(kept.filter((f) => f.endsWith('.bur')).length, 2, 'only the failed scenarios keep their recordings');
  assert.deepEqual(kept.filter((f) => !f.endsWith('.bur')).sort(), kept.filter((f) => f.endsWith('.bur')).map((f) => `${f}.idx`).sort(), 'each with its checkpoint index');
  assert.ok(!fs.readdirSync(path.join(reports, 'failed')).some((f) => f.includes('ping-pong-as-it-is')), 'nothing is written for the passing scenario');
});

test('failures.html: the console log with the failed expectation marked, the display and the replay command', () => {
  const section = (name: string) => {
    const m = new RegExp(`<section class="failure"[^>]*>\\s*<h2>reports of a failure: ${name}</h2>[\\s\\S]*?</section>`).exec(page);
    assert.ok(m, `failures.html has a section for "${name}"`);
    return m[0];
  };
  const never = section('a line that never comes');
  assert.match(never, /<span class="mark"[^>]*> +\| the console ends here \(after line 54\): the run ended at [^<]+<\/span>\n<span class="mark"> +\| FAILED console shows &quot;\[dom0\] pong 11\/10&quot;: never printed at all/);
  const forbidden = section('a forbidden line');
  assert.match(forbidden, /<span class="hit" id="failure-2-1"> +32 \| \[dom0\] pong 3\/10<\/span>\n<span class="mark"> +\| FAILED console never shows &quot;pong 3\/10&quot;/);
  assert.match(forbidden, /<a href="#failure-2-1">/, 'a link leads to the marked line');
  for (const s of [never, forbidden]) {
    const img = /<img src="([^"]+\.png)"/.exec(s);
    assert.ok(img, 'the display picture is shown');
    assert.ok(fs.statSync(path.join(reports, decodeURIComponent(img[1]))).isFile(), `the picture ${img[1]} exists next to the page`);
    const replay = /<pre class="command">(bringup replay (\S+\.bur))<\/pre>/.exec(s);
    assert.ok(replay, 'the replay command is shown');
    assert.ok(fs.existsSync(path.resolve(tmp, replay[2])));
  }
  assert.doesNotMatch(page, /ping-pong as it is/, 'the passing scenario is not on the page');
  // Cucumber's own HTML report shows the marked log as an attachment too.
  assert.ok(fs.readFileSync(path.join(reports, 'cucumber.html'), 'utf8').includes('FAILED console never shows'));
});

test('the replay command of a failed scenario replays its recording', () => {
  const [recording] = properties(testcase('a line that never comes'), 'recording');
  const r = spawnSync(process.execPath, [bin, 'replay', recording], { cwd: tmp, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /bringup-hyp: power off|halt/);
});
