/**
 * The check stage (scenario/check/): a scenario's own expectations and the
 * Cucumber steps that ask the same of a finished run are checked by the same
 * code, so they agree on the verdict and on every word of the report.
 */

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { InputFileError } from '../../scenario/file/yaml-file';
import { runScenario, type ScenarioResult } from '../../scenario/run/runner';
import { consoleShows, consoleNeverShows, displayShows, endsWith } from '../../scenario/check';
import { encodePng } from '../../scenario/check/png';
import { tempDir } from '../support/temp-dirs';

import { ROOT } from '../support/environment';
const SCENARIOS = path.join(ROOT, 'features', 'scenarios');

let tmp: string;
let tiny: string;
let r: ScenarioResult;

/** The Tegra20 device program with expectations that fail: a line never printed, a 1x1 golden picture, a reset at the end. */
before(() => {
  tmp = tempDir('bringup-check-stage-');
  tiny = path.join(tmp, 'tiny.png');
  fs.writeFileSync(tiny, encodePng({ width: 1, height: 1, data: new Uint8Array([0, 0, 0, 255]) }));
  const text = fs.readFileSync(path.join(SCENARIOS, 'tegra-devices.yaml'), 'utf8')
    .replace(/\.\.\/\.\.\//g, `${ROOT}/`)
    .replace(/ {2}console:\n( {4}- .*\n)+/, '  console: ["no such line xyz"]\n')
    .replace(/golden: .*tegra_devices\.png/, `golden: ${tiny}`)
    .replace(/end: exit/, 'end: reset');
  r = runScenario(scenarioFromText(text, path.join(tmp, 'checks.yaml'), SCENARIOS));
  assert.equal(r.verdict, 'fail');
});

const own = (what: RegExp) => {
  const e = r.expectations.find((x) => what.test(x.what));
  assert.ok(e, `the scenario's expectation ${what}`);
  return e;
};

test('a console line never printed is reported the same by a Then step as by the scenario\'s expect', () => {
  const step = consoleShows(r, 'no such line xyz');
  assert.equal(step.ok, false);
  assert.deepEqual(step, own(/^console shows "no such line xyz"/));
  assert.deepEqual(consoleNeverShows(r, 'FAIL'), own(/^console never shows "FAIL"/));
});

test('a golden picture of another size is reported with both sizes by the step as by the scenario\'s expect', () => {
  const step = displayShows(r, tiny);
  assert.equal(step.ok, false);
  assert.match(step.problem!, /the golden one 1x1/);
  assert.deepEqual(step, own(/shows the picture/));
});

test('an unexpected end is reported with the pc by the step as by the scenario\'s expect', () => {
  const step = endsWith(r, 'reset');
  assert.equal(step.ok, false);
  assert.match(step.problem!, /^it ended with .* pc 0x[0-9a-f]+/);
  assert.deepEqual(step, own(/^the run ends with/));
});

test('a golden picture a step cannot read is bad input naming the file, not a raw read error', () => {
  assert.throws(() => displayShows(r, tmp), (e: unknown) => e instanceof InputFileError && e.file === tmp && /golden picture: .*folder/.test(e.message));
});

test('a step about the console of a device that prints nothing is refused instead of passing "never shows" whatever the guest did', () => {
  assert.throws(() => consoleNeverShows(r, 'anything', 'timer'), /device 'timer' of board tegra2-xoom is not a UART; it prints nothing \(UARTs: uarta, uartb, uartc, uartd, uarte\)/);
  assert.throws(() => consoleShows(r, 'anything', undefined, 'gic'), /device 'gic' of board tegra2-xoom is not a UART/);
  assert.equal(consoleNeverShows(r, 'anything', 'uarta').ok, true);
});
