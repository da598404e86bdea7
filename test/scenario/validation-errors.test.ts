/**
 * Validation lists every problem of a file, in line order, each as
 * FILE:LINE:COLUMN: what is wrong, with the nearest known name for a
 * mistyped one: scenarios (by loadScenario, bringup validate and bringup run),
 * boards, boot volume manifests and firmware profiles (schemas/profile.schema.json).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadScenario } from '../../scenario/file/scenario-file';
import { InputFileError, InputFileErrors, type FileProblem } from '../../scenario/file/yaml-file';
import { loadBoard } from '../../scenario/boards';
import { manifestImages } from '../../scenario/volume-manifest';
import { loadProfile, profileFromText, profilesDir, profileNames } from '../../scenario/profile';
import { validateFile, fileKind } from '../../scenario/file/validate';
import { ROOT } from '../support/environment';
import { tempDir } from '../support/temp-dirs';

const tmp = tempDir('bringup-validation-');
const HYP = path.join(ROOT, 'firmware', 'build', 'hypervisor.elf');
const PINGPONG = path.join(ROOT, 'firmware', 'volumes', 'pingpong.yaml');

/** A scenario over the reference hypervisor with the given extra top-level YAML. */
function scenarioText(extra: string): string {
  return `board: tegra2-xoom\nboot:\n  kernel: ${HYP}\n  volume: ${PINGPONG}\n${extra}`;
}

function write(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

/** The problems a load refuses the file with (it must refuse it, with InputFileErrors). */
function problems(load: () => unknown): FileProblem[] {
  try {
    load();
  } catch (e) {
    assert.ok(e instanceof InputFileErrors, `expected InputFileErrors, got ${(e as Error).stack}`);
    // Still an InputFileError: its line and column are the first problem's.
    assert.ok(e instanceof InputFileError);
    assert.deepEqual([e.file, e.line, e.column, e.problem], [e.problems[0].file, e.problems[0].line, e.problems[0].column, e.problems[0].message]);
    assert.equal(e.message, e.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
    return [...e.problems];
  }
  assert.fail('the file was accepted');
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a scenario with three problems lists all three, in line order, each at its line', () => {
  // Written out of order on purpose: a device (resolution), a key (schema), a symbol (resolution).
  const t = scenarioText([
    'input:',
    '  - { at: 1ms, text: "x", device: uartz }',
    'expct:',
    '  console: ["ping"]',
    'faults:',
    '  - { type: lost-upcall, function: deliver_upcal }',
    '',
  ].join('\n'));
  const f = write('three.yaml', t);
  const ps = problems(() => loadScenario(f));
  assert.deepEqual(ps.map((p) => p.line), [lineOf(t, 'uartz'), lineOf(t, 'expct'), lineOf(t, 'deliver_upcal')]);
  assert.ok(ps.every((p) => p.file === f));
  assert.match(ps[0].message, /device 'uartz' is not on board tegra2-xoom/);
  assert.match(ps[1].message, /unknown key 'expct'/);
  assert.match(ps[2].message, /unknown symbol 'deliver_upcal'/);
});

test('an unknown key is answered with the nearest allowed key', () => {
  const t = scenarioText('expct:\n  console: ["ping"]\nfaults:\n  - { type: lost-upcall, nht: 2 }\n');
  const ps = problems(() => loadScenario(write('expct.yaml', t)));
  assert.equal(ps.length, 2);
  assert.deepEqual([ps[0].line, ps[0].column], [lineOf(t, 'expct'), 1]);
  assert.match(ps[0].message, /unknown key 'expct'; did you mean expect\?/);
  assert.deepEqual([ps[1].line, ps[1].column], [lineOf(t, 'nht'), t.split('\n')[lineOf(t, 'nht') - 1].indexOf('nht') + 1]);
  assert.match(ps[1].message, /unknown key 'nht' in faults\[0\]; did you mean nth\?/);
  // A mistyped value of a fixed set is answered the same way.
  const s = scenarioText('faults:\n  - { type: data-abort, status: translaton, at: 1ms }\n');
  assert.match(problems(() => loadScenario(write('enum.yaml', s)))[0].message, /did you mean translation\?/);
});

test('a mistyped symbol is answered with the real symbol of the image', () => {
  const t = scenarioText('faults:\n  - type: data-abort\n    status: translation\n    on-exec: { at: sched_retrun }\n');
  const [p, ...rest] = problems(() => loadScenario(write('symbol.yaml', t)));
  assert.equal(rest.length, 0);
  assert.equal(p.line, lineOf(t, 'sched_retrun'));
  assert.match(p.message, /unknown symbol 'sched_retrun' in the kernel .*; did you mean sched_return/);
});

test('mistyped devices, boards and profiles are answered with the nearest names', () => {
  const dev = problems(() => loadScenario(write('dev.yaml', scenarioText('console: uartdd\n'))));
  assert.match(dev[0].message, /console device 'uartdd' is not on board tegra2-xoom; did you mean uartd\?/);
  const board = problems(() => loadScenario(write('board.yaml', scenarioText('').replace('tegra2-xoom', 'tegra2-zoom'))));
  assert.match(board[0].message, /board 'tegra2-zoom': unknown board; did you mean tegra2-xoom\? \(known: /);
  const profile = problems(() => loadScenario(write('profile.yaml', scenarioText('profile: reference-hypervisr\n'))));
  assert.match(profile[0].message, /unknown firmware profile; did you mean reference-hypervisor\?/);
});

test('an image that cannot be read is reported once: the symbols looked up in it are not reported again', () => {
  const t = scenarioText('faults:\n  - { type: lost-upcall }\n  - { type: bit-flip, at: 1ms, address: domains, bit: 0 }\n').replace(HYP, path.join(tmp, 'missing.elf'));
  const ps = problems(() => loadScenario(write('missing.yaml', t)));
  assert.equal(ps.length, 1, ps.map((p) => p.message).join('\n'));
  assert.match(ps[0].message, /kernel file .*missing\.elf does not exist/);
});

test('bringup validate and bringup run list every problem of a bad scenario on stderr, exit 2', () => {
  const t = scenarioText('expct: {}\nfaults:\n  - { type: lost-upcall, function: delivr_upcall }\n  - { type: irq-storm, line: 40, start: 1ms, period: 1, count: 3 }\n');
  const f = write('cli.yaml', t);
  for (const args of [['validate', f], ['run', f]]) {
    const r = bringup(...args);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n').map((l) => l.replace(/^bringup: /, ''));
    assert.equal(lines.length, 3, r.stderr);
    assert.deepEqual(lines.map((l) => Number(l.slice(f.length + 1).split(':')[0])), [lineOf(t, 'expct'), lineOf(t, 'delivr'), lineOf(t, 'irq-storm')]);
    assert.match(lines[1], /did you mean deliver_upcall\?/);
    assert.match(lines[2], /period must be at least 2 instructions/);
  }
});

test('the profile schema accepts both shipped profiles, which name it in their $schema comment', () => {
  assert.deepEqual(profileNames(), ['linux', 'reference-hypervisor']);
  for (const name of profileNames()) {
    const file = path.join(profilesDir(), `${name}.yaml`);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\.\/\.\.\/schemas\/profile\.schema\.json$/m);
    assert.ok(fs.existsSync(path.resolve(path.dirname(file), '../../schemas/profile.schema.json')));
    assert.equal(profileFromText(text, file).name, name);
    assert.equal(fileKind(file), 'firmware profile');
    assert.match(validateFile(file), new RegExp(`^firmware profile ${name}:`));
  }
});

test('the profile schema refuses a bad profile at its line, with every problem', () => {
  const t = [
    'name: mine',
    'console: uartd',
    'lost-upcal: deliver',
    'dumps:',
    "  hypervisor-fault: '^FAULT: (?<kind>.+)$'",
    "  pc: '^  pc 0x[0-9a-f]+'",
    '  lines: 0',
    'domain-table:',
    '  symbol: domains',
    '  count: 4',
    '  entry-size: 32',
    '  fields:',
    '    name: { offset: 24, type: string }',
    '    state: { offset: 4, type: float }',
    '',
  ].join('\n');
  const f = write('bad-profile.yaml', t);
  const ps = problems(() => loadProfile(f));
  assert.deepEqual(ps.map((p) => [p.line, p.message.replace(/ \((schema rule|size from|entry-size).*$/, '')]), [
    [3, "unknown key 'lost-upcal'; did you mean lost-upcall?"],
    [6, 'dumps.pc must capture (?<symbol>...) or (?<address>...): that is what an expected symbol is compared with'],
    [7, "'lines' must be >= 1"],
    [13, 'domain-table.fields.name: a string of 16 bytes at offset 24 does not fit an entry of 32 bytes'],
    [14, '\'type\' must be one of "u32", "string", "enum"'],
  ]);
  assert.ok(ps.every((p) => p.file === f));
  // A regular expression that does not compile is refused at its line too.
  const bad = problems(() => loadProfile(write('bad-regex.yaml', "dumps:\n  panic: '^PANIC (unclosed'\n")));
  assert.deepEqual([bad[0].line, bad.length], [2, 1]);
  assert.match(bad[0].message, /dumps\.panic: bad regular expression/);
});

test('bringup validate checks a profile: known by its $schema comment or by its keys', () => {
  const good = write('good-profile.yaml', "dumps:\n  hypervisor-fault: '^FAULT: (?<kind>.+)$'\n  pc: '^pc (?<address>[0-9a-f]+)'\nlost-upcall: send_event\n");
  const ok = bringup('validate', good);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /good-profile\.yaml: ok \(firmware profile good-profile: 2 dump pattern\(s\), lost upcall send_event\)/);
  const bad = write('named.yaml', "# yaml-language-server: $schema=../schemas/profile.schema.json\nname: named\nconsle: uartd\ndumps:\n  status: '^status'\n");
  const r = bringup('validate', bad);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trim().split('\n'), [
    `${bad}:3:1: unknown key 'consle'; did you mean console? (schema rule: additionalProperties)`,
    `${bad}:5:11: dumps.status must capture (?<status>...): that is what an expected status is compared with`,
  ]);
});

test('boards and boot volume manifests list every problem too', () => {
  const board = fs.readFileSync(path.join(ROOT, 'machine', 'boards', 'vexpress-a9.yaml'), 'utf8');
  const bt = board.replace(/^name: .*$/m, 'name: two-mistakes\ncolour: red').replace(/^(\s*)console: (\S+)$/m, '$1console: $2x');
  const bf = write('board.yaml', bt);
  const ps = problems(() => loadBoard(bf));
  assert.equal(ps.length, 2, ps.map((p) => p.message).join('\n'));
  assert.ok(ps[0].line < ps[1].line);
  assert.match(ps[0].message, /unknown key 'colour'/);
  assert.match(ps[1].message, /console device '.*x' is not on this board; did you mean/);
  const mt = [
    'images:',
    `  - { name: hyp, role: hypervisor, file: ${HYP} }`,
    '  - { name: gone, role: domu, file: nowhere.elf }',
    'domains:',
    '  - { name: d0, image: hypp }',
    'events:',
    '  - [d0:1, d1:1]',
    '',
  ].join('\n');
  const mf = write('manifest.yaml', mt);
  const ms = problems(() => manifestImages(mf));
  assert.deepEqual(ms.map((p) => p.line), [3, 5, 7]);
  assert.match(ms[0].message, /image file nowhere\.elf does not exist/);
  assert.match(ms[1].message, /runs image 'hypp', which is not in this volume; did you mean hyp\?/);
  assert.match(ms[2].message, /no domain 'd1'; did you mean d0\?/);
});
