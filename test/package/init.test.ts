/**
 * `bringup init`: what it writes into a folder (from templates/project/),
 * how it merges package.json and .gitignore, and that it refuses to
 * overwrite files without --force. The written example scenario validates
 * with an image of the repository.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/environment';
import { tempDir } from '../support/temp-dirs';

const BIN = path.join(ROOT, 'bin', 'bringup');
const IMAGE = path.join(ROOT, 'test', 'programs-tegra', 'build', 'tegra_devices.elf');

function bringup(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

test('init writes the project layout; the example scenario validates with a real image', () => {
  const dir = path.join(tempDir('bringup-init-'), 'my-hyp');
  const r = bringup(['init', dir, '--image', IMAGE], ROOT);
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['features/example.feature', 'scenarios/example.yaml', 'steps/example.steps.ts', 'profiles/my-hyp.yaml',
    'tsconfig.json', '.github/workflows/bringup.yml', 'package.json', '.gitignore']) {
    assert.ok(fs.existsSync(path.join(dir, f)), `wrote ${f}`);
  }
  const scenario = read(dir, 'scenarios/example.yaml');
  assert.match(scenario, /^# yaml-language-server: \$schema=\.\.\/node_modules\/bringup\/schemas\/scenario\.schema\.json$/m);
  assert.match(scenario, /^profile: \.\.\/profiles\/my-hyp\.yaml$/m);
  assert.equal(/^ {2}kernel: (.*)$/m.exec(scenario)?.[1], path.relative(path.join(dir, 'scenarios'), IMAGE).split(path.sep).join('/'));
  assert.match(read(dir, 'profiles/my-hyp.yaml'), /^name: my-hyp$/m);
  assert.match(read(dir, 'steps/example.steps.ts'), /from 'bringup\/steps'/);
  assert.doesNotMatch(read(dir, 'features/example.feature') + scenario, /__[A-Z_]+__/, 'every placeholder is filled');
  const pkg = JSON.parse(read(dir, 'package.json'));
  assert.deepEqual(pkg.scripts, { bringup: 'bringup test', test: 'bringup test' });
  assert.deepEqual(read(dir, '.gitignore').split('\n').filter(Boolean), ['reports/', '.bringup/']);

  // The scenario as init wrote it is valid: schema, the profile it names, the image.
  const v = bringup(['validate', path.join(dir, 'scenarios', 'example.yaml')], ROOT);
  assert.equal(v.status, 0, v.stderr);
});

test('without --image the example scenario names a placeholder and says so', () => {
  const dir = tempDir('bringup-init-');
  const r = bringup(['init'], dir);
  assert.equal(r.status, 0, r.stderr);
  const scenario = read(dir, 'scenarios/example.yaml');
  assert.match(scenario, /kernel: \.\.\/build\/hypervisor\.elf/);
  assert.match(scenario, /placeholder to replace/);
  assert.match(r.stdout, /put your image's path in scenarios\/example\.yaml/);
});

test('init merges an existing package.json and .gitignore, keeping a test script of the project', () => {
  const dir = tempDir('bringup-init-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@acme/hyp', version: '2.0.0', scripts: { test: 'make check' }, devDependencies: { bringup: '^0.1.0' } }));
  fs.writeFileSync(path.join(dir, '.gitignore'), 'build/\nreports\n');
  const r = bringup(['init'], dir);
  assert.equal(r.status, 0, r.stderr);
  const pkg = JSON.parse(read(dir, 'package.json'));
  assert.deepEqual(pkg, { name: '@acme/hyp', version: '2.0.0', scripts: { test: 'make check', bringup: 'bringup test' }, devDependencies: { bringup: '^0.1.0' } });
  assert.match(r.stdout, /keeps its own "test" script/);
  assert.ok(fs.existsSync(path.join(dir, 'profiles', 'hyp.yaml')), 'the profile is named after the package, without its scope');
  assert.equal(read(dir, '.gitignore'), 'build/\nreports\n.bringup/\n');
});

test('in a package of ES modules ("type": "module") init writes the example step as .cts', () => {
  const dir = tempDir('bringup-init-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'esm-hyp', type: 'module' }));
  const r = bringup(['init'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'steps')), ['example.steps.cts']);
  assert.equal(JSON.parse(read(dir, 'package.json')).type, 'module');
});

test('init refuses to overwrite existing files, lists them and writes nothing; --force overwrites', () => {
  const dir = tempDir('bringup-init-');
  fs.mkdirSync(path.join(dir, 'features'));
  fs.writeFileSync(path.join(dir, 'features', 'example.feature'), 'Feature: mine\n');
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}\n');
  const r = bringup(['init'], dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /features\/example\.feature/);
  assert.match(r.stderr, /tsconfig\.json/);
  assert.match(r.stderr, /--force/);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['features', 'tsconfig.json'], 'nothing written');
  assert.equal(read(dir, 'features/example.feature'), 'Feature: mine\n');

  const forced = bringup(['init', '--force'], dir);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(read(dir, 'features/example.feature'), /Given the scenario "example\.yaml"/);
});

test('init: bad usage is exit 2 with what to do; --help describes every option', () => {
  const dir = tempDir('bringup-init-');
  const typo = bringup(['init', '--imgae', 'x.elf'], dir);
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /unknown option --imgae \(did you mean --image\?\)/);
  const two = bringup(['init', 'a', 'b'], dir);
  assert.equal(two.status, 2);
  assert.match(two.stderr, /unexpected argument 'b'/);
  const name = bringup(['init', '--name', '../x'], dir);
  assert.equal(name.status, 2);
  assert.match(name.stderr, /--name '\.\.\/x' must be/);
  fs.writeFileSync(path.join(dir, 'file'), '');
  const notDir = bringup(['init', 'file'], dir);
  assert.equal(notDir.status, 2);
  assert.match(notDir.stderr, /is not a folder/);
  assert.deepEqual(fs.readdirSync(dir), ['file'], 'nothing written');
  const help = bringup(['init', '--help'], dir);
  assert.equal(help.status, 0);
  for (const o of ['--image', '--name', '--force', 'DIR']) assert.ok(help.stdout.includes(o), `help mentions ${o}`);
});
