/**
 * schemas/profile.schema.json (for editors: the profile `bringup init`
 * writes points at it) says what scenario/profile.ts accepts: the shipped
 * profiles and the template's conform, and `bringup validate` checks a
 * profile as a profile.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { ROOT } from '../support/environment';
import { tempDir } from '../support/temp-dirs';
import { loadProfile } from '../../scenario/profile';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'profile.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const TEMPLATE = path.join(ROOT, 'templates', 'project', 'profiles', '__PROFILE__.yaml');

test('the shipped profiles and the template profile conform to the schema and load', () => {
  const files = [...fs.readdirSync(path.join(ROOT, 'scenario', 'profiles')).map((f) => path.join(ROOT, 'scenario', 'profiles', f)), TEMPLATE];
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8').replace(/__PROFILE__/g, 'myhyp');
    assert.ok(validate(parse(text)), `${f}: ${JSON.stringify(validate.errors)}`);
  }
  const dir = tempDir('bringup-profile-');
  const file = path.join(dir, 'myhyp.yaml');
  fs.writeFileSync(file, fs.readFileSync(TEMPLATE, 'utf8').replace(/__PROFILE__/g, 'myhyp'));
  const p = loadProfile(file);
  assert.equal(p.name, 'myhyp');
  assert.equal(p.console, 'uartd');
  assert.ok(p.dumps.panic?.test('*** HYPERVISOR PANIC: out of memory'));
});

test('the schema refuses what the loader refuses: unknown keys, a domain table without fields.name', () => {
  assert.equal(validate({ name: 'x', consol: 'uartd' }), false);
  assert.equal(validate({ dumps: { lines: 0 } }), false);
  assert.equal(validate({ 'domain-table': { symbol: 'd', count: 1, 'entry-size': 8, fields: { id: { offset: 0 } } } }), false);
});

test('bringup validate checks the template profile as a profile, and a bad one at its line', () => {
  const dir = tempDir('bringup-profile-');
  const good = path.join(dir, 'good.yaml');
  fs.writeFileSync(good, fs.readFileSync(TEMPLATE, 'utf8').replace(/__PROFILE__/g, 'good'));
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, '# yaml-language-server: $schema=../node_modules/bringup/schemas/profile.schema.json\nname: bad\ndumps:\n  lines: 0\n');
  const bin = path.join(ROOT, 'bin', 'bringup');
  const ok = spawnSync(process.execPath, [bin, 'validate', good], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ok \(firmware profile good: \d+ dump pattern/);
  const no = spawnSync(process.execPath, [bin, 'validate', bad], { encoding: 'utf8' });
  assert.equal(no.status, 2);
  assert.match(no.stderr, /bad\.yaml:4:\d+: 'lines' must be >= 1/);
});
