/**
 * BRINGUP_ENGINE: the engine a name chooses, a bad value refused naming the
 * choices (by the command line too, as bad usage), and the engine a core
 * gets by default.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { engineFromEnvironment } from '../../io/engine';
import { Cpu } from '../../machine/cpu/cpu';
import { Bus } from '../../machine/bus';
import { defaultEngine, otherEngine, withDefaultEngine } from '../../machine/cpu/engine';

const bin = path.resolve(__dirname, '..', '..', '..', 'bin', 'bringup');

test('BRINGUP_ENGINE names the engine; unset or empty leaves the default', () => {
  assert.equal(engineFromEnvironment({ BRINGUP_ENGINE: 'interpreter' }), 'interpreter');
  assert.equal(engineFromEnvironment({ BRINGUP_ENGINE: 'jit' }), 'jit');
  assert.equal(engineFromEnvironment({}), undefined);
  assert.equal(engineFromEnvironment({ BRINGUP_ENGINE: '' }), undefined);
  assert.throws(() => engineFromEnvironment({ BRINGUP_ENGINE: 'fast' }), /BRINGUP_ENGINE=fast: choose one of interpreter, jit/);
});

test('a bad BRINGUP_ENGINE is bad usage for bringup (exit 2, the choices named)', () => {
  const r = spawnSync(process.execPath, [bin, 'validate', 'nothing.yaml'], { encoding: 'utf8', env: { ...process.env, BRINGUP_ENGINE: 'fast' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bringup: BRINGUP_ENGINE=fast: choose one of interpreter, jit$/m);
});

test('a core takes the default engine when it is made; withDefaultEngine changes it for what runs inside only', () => {
  assert.equal(defaultEngine(), 'jit');
  const other = otherEngine(defaultEngine());
  const inside = withDefaultEngine(other, () => new Cpu(new Bus()).engine);
  assert.equal(inside, 'interpreter');
  assert.equal(new Cpu(new Bus()).engine, 'jit');
  assert.equal(otherEngine('interpreter'), 'jit');
});
