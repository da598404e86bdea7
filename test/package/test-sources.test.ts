/**
 * What `bringup test` loads for a project (cli/test-sources.ts): bringup's
 * own features and step library in its repository; in a project that
 * installed it, the project's features and its steps/ next to bringup's step
 * library, TypeScript through ts-node. And which project a folder belongs to.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/environment';
import { tempDir } from '../support/temp-dirs';
import { testSources, projectStepFiles } from '../../cli/test-sources';
import { cucumberArgs } from '../../cli/test';
import { projectRoot, projectScenariosDir, isBringupItself, bringupRoot } from '../../io/project';

const LIBRARY = path.join(ROOT, 'dist', 'steps', '**', '*.js');

function withoutProjectEnv<T>(f: () => T): T {
  const saved = process.env.BRINGUP_PROJECT_DIR;
  delete process.env.BRINGUP_PROJECT_DIR;
  try { return f(); } finally { if (saved !== undefined) process.env.BRINGUP_PROJECT_DIR = saved; }
}

test("bringup's own repository: its features and its step library, nothing else", () => {
  assert.equal(bringupRoot(), ROOT);
  const s = testSources(ROOT);
  assert.equal(s.own, true);
  assert.equal(s.featuresDir, path.join(ROOT, 'features'));
  assert.deepEqual(s.support, [LIBRARY]);
  assert.deepEqual(s.requireModules, []);
  assert.deepEqual(s.env, {});
  assert.equal(projectScenariosDir(ROOT), path.join(ROOT, 'features', 'scenarios'));
  const args = cucumberArgs(['--tags', '@x'], s);
  assert.deepEqual(args.slice(1), [path.join(ROOT, 'features', '**', '*.feature'), '--require', LIBRARY, '--tags', '@x']);
});

test("a project: its features, bringup's step library first, then its own .ts and .js steps through ts-node", () => {
  const dir = tempDir('bringup-sources-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"p"}');
  fs.mkdirSync(path.join(dir, 'steps', 'sub'), { recursive: true });
  for (const f of ['b.steps.ts', 'a.steps.js', 'types.d.ts', 'notes.md', 'sub/c.ts']) fs.writeFileSync(path.join(dir, 'steps', f), '');
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}');
  const s = testSources(dir);
  assert.equal(s.own, false);
  assert.equal(isBringupItself(dir), false);
  assert.equal(s.featuresDir, path.join(dir, 'features'));
  assert.deepEqual(s.support, [LIBRARY, ...['a.steps.js', 'b.steps.ts', 'sub/c.ts'].map((f) => path.join(dir, 'steps', f))]);
  assert.deepEqual(s.requireModules, [require.resolve('ts-node/register/transpile-only')]);
  assert.equal(s.env.BRINGUP_PROJECT_DIR, dir);
  assert.equal(s.env.TS_NODE_TRANSPILE_ONLY, 'true');
  assert.equal(s.env.TS_NODE_PROJECT, path.join(dir, 'tsconfig.json'));
  assert.equal(JSON.parse(s.env.TS_NODE_COMPILER_OPTIONS).module, 'commonjs');
  assert.equal(projectScenariosDir(dir), path.join(dir, 'scenarios'));

  // Paths on the command line replace the default features; --require replaces the steps.
  const args = cucumberArgs(['features/one.feature', '--require', 'x.js'], s);
  assert.deepEqual(args.slice(1), ['--require-module', s.requireModules[0], 'features/one.feature', '--require', 'x.js']);
});

test('a project with JavaScript steps only, or none, needs no ts-node', () => {
  const dir = tempDir('bringup-sources-');
  assert.deepEqual(projectStepFiles(dir), []);
  assert.deepEqual(testSources(dir).requireModules, []);
  fs.mkdirSync(path.join(dir, 'steps'));
  fs.writeFileSync(path.join(dir, 'steps', 'a.js'), '');
  const s = testSources(dir);
  assert.deepEqual(s.requireModules, []);
  assert.deepEqual(s.env, { BRINGUP_PROJECT_DIR: dir });
});

test('the project of a folder is the nearest one upward with a package.json; $BRINGUP_PROJECT_DIR wins', () => {
  const dir = tempDir('bringup-sources-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"p"}');
  const deep = path.join(dir, 'features', 'sub');
  fs.mkdirSync(deep, { recursive: true });
  withoutProjectEnv(() => {
    assert.equal(projectRoot(deep), dir);
    assert.equal(projectRoot(path.join(ROOT, 'features')), ROOT);
  });
  const saved = process.env.BRINGUP_PROJECT_DIR;
  process.env.BRINGUP_PROJECT_DIR = deep;
  try { assert.equal(projectRoot(dir), deep); } finally {
    if (saved === undefined) delete process.env.BRINGUP_PROJECT_DIR; else process.env.BRINGUP_PROJECT_DIR = saved;
  }
});

test('bringup test in a project without features/ says what to do (exit 2)', () => {
  const dir = tempDir('bringup-sources-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"p"}');
  const env = { ...process.env };
  delete env.BRINGUP_PROJECT_DIR;
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bringup'), 'test', '--no-reports'], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /has no features\/ folder/);
  assert.match(r.stderr, /bringup init/);
});

test('a package of ES modules: .cts steps load; a .ts step is refused with what to do', () => {
  const dir = tempDir('bringup-sources-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"p","type":"module"}');
  fs.mkdirSync(path.join(dir, 'steps'));
  fs.writeFileSync(path.join(dir, 'steps', 'a.cts'), '');
  fs.writeFileSync(path.join(dir, 'steps', 'types.d.cts'), '');
  const s = testSources(dir);
  assert.deepEqual(s.support.slice(1), [path.join(dir, 'steps', 'a.cts')]);
  assert.equal(s.requireModules.length, 1, 'ts-node');
  fs.writeFileSync(path.join(dir, 'steps', 'b.ts'), '');
  assert.throws(() => testSources(dir), /steps\/b\.ts: package\.json says "type": "module".*name them \.cts/);
});
