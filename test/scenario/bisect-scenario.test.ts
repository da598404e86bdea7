/** scenario/hunt/bisect.ts without git: the comparison of two runs and the image substitution. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parse } from 'yaml';
import { explainDifference, substituteImageText, scenarioWithImage, classify } from '../../scenario/hunt/bisect';
import type { ScenarioResult, ExpectationResult } from '../../scenario/run/runner';
import { ROOT as root } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');

function run(verdict: ScenarioResult['verdict'], lines: string[], expectations: ExpectationResult[] = []): ScenarioResult {
  return {
    verdict, lines: lines.map((text, i) => ({ text, icount: i * 100 })), expectations,
    scenario: { expect: { end: 'halt' } }, faults: [], icount: 0, stop: { kind: 'idle' }, wallMs: 0,
  } as unknown as ScenarioResult;
}

test('explainDifference: the first differing console line with both texts, then what failed', () => {
  const good = run('pass', ['boot', 'dom0 up', 'ping 1', 'done'], [{ what: 'console shows "done"', ok: true }]);
  const bad = run('fail', ['boot', 'dom0 up', 'FAULT', 'halt'], [
    { what: 'console shows "done"', ok: false, problem: 'never printed at all' },
    { what: 'console never shows /FAULT/', ok: false, problem: 'printed at 3 ms (line 3)' },
    { what: 'the run ends with a halt', ok: true },
  ]);
  assert.deepEqual(explainDifference(good, bad), [
    'verdict: PASS (last good) -> FAIL (first bad)',
    'first differing console line: line 3',
    '  good: "ping 1"',
    '  bad:  "FAULT"',
    'failed in the bad run (2 of 3 expectations):',
    '  FAILED console shows "done"',
    '         never printed at all',
    '  FAILED console never shows /FAULT/',
    '         printed at 3 ms (line 3)',
  ]);
});

test('explainDifference: one console ends early; identical consoles; a limit', () => {
  const shorter = explainDifference(run('pass', ['a', 'b', 'c']), run('limit', ['a', 'b']));
  assert.deepEqual(shorter.slice(0, 5), [
    'verdict: PASS (last good) -> LIMIT (first bad)',
    'first differing console line: line 3',
    '  good: "c"',
    '  bad:  (no such line: the bad console ended after 2 line(s))',
    'the bad run hit its limit (expect.end is halt)',
  ]);
  assert.equal(explainDifference(run('pass', ['a']), run('fail', ['a']))[1], 'console: the same 1 line(s) in both runs');
  assert.equal(classify(run('pass', [])), 'good');
  assert.equal(classify(run('fail', [])), 'bad');
  assert.equal(classify(run('limit', [])), 'bad');
});

test('substituteImageText: kernel, a manifest volume made inline, a domain, an inline volume', () => {
  const elf = path.join(root, 'firmware', 'build', 'guests', 'nullderef.elf');
  const pingpong = path.join(scenarios, 'pingpong.yaml');
  const k = substituteImageText(pingpong, 'kernel', elf);
  assert.equal(parse(k.text).boot.kernel, elf);
  assert.equal(parse(k.text).boot.volume, '../../firmware/volumes/pingpong.yaml', 'the volume is left alone');
  assert.match(k.text, /^# The reference bring-up run/m, 'comments are kept');

  const v = substituteImageText(pingpong, 'nullderef', '/x/new.elf');
  const vol = parse(v.text).boot.volume;
  assert.deepEqual(vol.images.map((i: { name: string; file: string }) => [i.name, i.file]), [
    ['pingpong', path.join(root, 'firmware', 'build', 'guests', 'pingpong.elf')], ['nullderef', '/x/new.elf']]);
  assert.deepEqual(vol.domains.map((d: { name: string }) => d.name), ['dom0', 'dom1']);
  assert.deepEqual(vol.events, [['dom0:1', 'dom1:1']]);

  const d = substituteImageText(path.join(scenarios, 'nullderef.yaml'), 'crash', '/x/new.elf');
  assert.equal(d.note, "image 'nullderef' of domain crash");
  assert.equal(parse(d.text).boot.volume.images[1].file, '/x/new.elf');
  assert.throws(() => substituteImageText(path.join(scenarios, 'nullderef.yaml'), 'domu', '/x'), /2 boot volume images have role 'domu'/);
});

test('scenarioWithImage: the scenario resolves afresh with the new image (same run for the same image)', () => {
  const pp = path.join(root, 'firmware', 'build', 'guests', 'pingpong.elf');
  const s = scenarioWithImage(path.join(scenarios, 'pingpong.yaml'), 'pingpong', pp);
  assert.equal(s.name, 'two domains ping-pong an event');
  assert.ok(s.volume && s.volume.length > 0);
  assert.ok(s.symbols.has('pingpong'));
  // Faults name kernel symbols: they resolve against the substituted kernel, which has no sched_return.
  const hypAbort = path.join(scenarios, 'hyp-data-abort.yaml');
  assert.equal(scenarioWithImage(hypAbort, 'kernel', path.join(root, 'firmware', 'build', 'hypervisor.elf')).faults.length, 1);
  assert.throws(() => scenarioWithImage(hypAbort, 'kernel', pp), /hyp-data-abort\.yaml.*with .*pingpong\.elf as kernel: unknown symbol 'sched_return'/);
});
