/** `bringup steps`: the step library as text, and docs/steps.md, which must be what `--markdown` prints. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT as root } from '../support/environment';

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('docs/steps.md is what `bringup steps --markdown` prints (regenerate: bringup steps --markdown > docs/steps.md)', () => {
  const r = bringup('steps', '--markdown');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(root, 'docs', 'steps.md'), 'utf8'), r.stdout);
});

test('bringup steps: every step of the library with its parameters, a description and an example', () => {
  const r = bringup('steps');
  assert.equal(r.status, 0, r.stderr);
  const blocks = r.stdout.split(/\n(?=  (?:Given|When|Then) )/).slice(1);
  const sources = fs.readdirSync(path.join(root, 'steps')).filter((f) => f.endsWith('.steps.ts'))
    .map((f) => fs.readFileSync(path.join(root, 'steps', f), 'utf8')).join('\n');
  const defined = [...sources.matchAll(/^(?:Given|When|Then)\('/gm)].length;
  assert.equal(blocks.length, defined, 'one entry per step definition');
  for (const b of blocks) {
    const [head, description, ...rest] = b.split('\n').map((l) => l.trim()).filter(Boolean);
    assert.ok(description && !description.startsWith('{') && !description.startsWith('e.g.'), `no description for ${head}`);
    assert.ok(rest.some((l) => l.startsWith('e.g. ')), `no example for ${head}`);
    for (const [, p] of head.matchAll(/\{(\w+)\}/g)) assert.ok(rest.some((l) => l.startsWith(`{${p}}: `)), `${head}: what {${p}} accepts`);
  }
  assert.match(r.stdout, /^ {2}Given the run is limited to \{duration\}\n.*\n {6}\{duration\}: .*250us.*5M insns.*\n {6}e\.g\. Given the run is limited to \d+ms {3}\(features\/[\w-]+\.feature:\d+\)$/m);
});

test('bringup steps: --help, and a bad option is bad usage', () => {
  const h = bringup('steps', '--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /^usage: bringup steps \[--markdown\]/);
  const bad = bringup('steps', '--markdwn');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option --markdwn \(did you mean --markdown\?\)/);
});
