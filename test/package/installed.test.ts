/**
 * bringup installed into a project of a user's own, as a user would do it:
 * the repository packed with `npm pack` (of the built dist/), the tarball
 * installed into a fresh project, `npx bringup init`, a small bare-metal
 * image built there with arm-none-eabi-gcc (it prints its greeting on UARTD,
 * the Xoom's console), a scenario with a board and a profile of the
 * project's own, and a TypeScript step that reads the run from bringup's
 * World, next to the reference hypervisor from the package. `npx bringup
 * test` passes; a broken expectation fails with exit 1
 * and leaves a recording that `npx bringup replay` replays.
 *
 * One pack and one install (npm's cache makes a second run quicker); the
 * project lives in a temporary folder removed at the end.
 */

import { describe, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, requireTools, toolSkip } from '../support/environment';
import { tempDir } from '../support/temp-dirs';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/**
 * The environment of the commands: none of bringup's own settings, nor those
 * npm gives the scripts it runs (npm test); and no compile cache of ts-node's
 * in the temporary folder, which must be left empty.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { DISABLE_V8_COMPILE_CACHE: '1' };
  for (const [k, v] of Object.entries(process.env)) {
    if (/^BRINGUP_(PROJECT_DIR|RECORDINGS_DIR|REPORTS_DIR)$/.test(k) || /^npm_(package|lifecycle)_/.test(k) || /^TS_NODE_/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

interface Ran { status: number | null; out: string }

function run(cmd: string, args: string[], cwd: string): Ran {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function ok(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} in ${cwd} exited with ${r.status}:\n${r.out}`);
  return r.out;
}

/** A bare-metal program for tegra2-xoom: prints its greeting on UARTD (NS16550, 4-byte register stride) and halts in WFI. */
const START_S = `
  .syntax unified
  .arm
  .section .text.start, "ax"
  .global _start
_start:
  ldr sp, =stack_top
  bl main
1: wfi
  b 1b
  .bss
  .balign 8
  .space 4096
stack_top:
`;

const MAIN_C = `
#define UARTD 0x70006300u
#define REG(a) (*(volatile unsigned *)(a))
#define UART_THR 0x00
#define UART_LSR 0x14
#define LSR_THRE 0x20

static void putc_uartd(char c) {
  while (!(REG(UARTD + UART_LSR) & LSR_THRE)) {}
  REG(UARTD + UART_THR) = (unsigned char)c;
}

int main(void) {
  for (const char *s = "myhyp 1.4 says hello\\n"; *s; s++) putc_uartd(*s);
  return 0;
}
`;

const SCENARIO = `# yaml-language-server: $schema=../node_modules/bringup/schemas/scenario.schema.json
name: myhyp greets
board: ../boards/myboard.yaml
profile: ../profiles/myhyp.yaml
boot:
  kernel: ../build/myhyp.elf
  cmdline: console=ttyS0
expect:
  console: ["/^myhyp \\\\d+\\\\.\\\\d+ says hello$/"]
  end: halt
limits:
  time: 10ms
`;

const STEPS_TS = `import assert from 'node:assert/strict';
import { BringupWorld, Given, Then, assertMet, consoleShows } from 'bringup/steps';

interface Greeting { version: string }

Given('the project has a greeting check', function (this: BringupWorld) {
  // A step of the project's own may use the scenario bringup's Given built.
  assert.ok(this.scenario.data.board.endsWith('myboard.yaml'));
});

Then('the greeting names version {string}', function (this: BringupWorld, version: string) {
  assertMet(consoleShows(this.run, 'says hello'));
  const line = this.run.lines.find((l) => / says hello$/.test(l.text));
  const greeting: Greeting = { version: /^myhyp (\\S+)/.exec(line?.text ?? '')?.[1] ?? '(none)' };
  assert.equal(greeting.version, version, 'the version in the greeting');
});
`;

const FEATURE = `Feature: myhyp on the simulated Xoom
  Scenario: myhyp greets and halts
    Given the scenario "myhyp.yaml"
    And the project has a greeting check
    When it runs
    Then the scenario passes
    And the machine halts
    And the greeting names version "1.4"

  Scenario: the reference hypervisor in the package boots in the project too
    Given the reference hypervisor with the boot volume "solo.yaml"
    When it runs
    Then the console shows "configuration: 1 domains"
    And the machine halts
`;

const BROKEN_FEATURE = `Feature: a broken expectation
  Scenario: myhyp is expected to be newer than it is
    Given the scenario "scenarios/myhyp.yaml"
    When it runs
    Then the greeting names version "2.0"
`;

describe('bringup installed in a project of its own', { skip: toolSkip('arm-none-eabi-gcc'), timeout: 15 * 60_000 }, () => {
  let project = '';

  before(() => {
    requireTools('arm-none-eabi-gcc');
    const work = tempDir('bringup-package-');
    // dist/ is built (the tests run from it): packing it as it is spares a second build.
    ok(NPM, ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], ROOT);
    const tarball = fs.readdirSync(work).find((f) => /^bringup-.*\.tgz$/.test(f));
    assert.ok(tarball, `npm pack wrote no bringup-*.tgz in ${work}`);
    project = path.join(work, 'myhyp');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'myhyp', version: '1.4.0', private: true }, null, 2));
    ok(NPM, ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, tarball)], project);
  });

  test('the package holds what a project needs and not the test suite', () => {
    const pkg = path.join(project, 'node_modules', 'bringup');
    for (const f of ['bin/bringup', 'dist/cli/main.js', 'dist/steps/index.js', 'dist/steps/index.d.ts', 'schemas/scenario.schema.json',
      'machine/boards/tegra2-xoom.yaml', 'scenario/profiles/reference-hypervisor.yaml', 'templates/project/steps/example.steps.ts',
      'docs/project.md', 'firmware/build/hypervisor.elf']) {
      assert.ok(fs.existsSync(path.join(pkg, f)), `${f} is in the installed package`);
    }
    for (const f of ['dist/test', 'dist/bench', 'test', 'features', 'cli/main.ts']) {
      assert.ok(!fs.existsSync(path.join(pkg, f)), `${f} is not in the installed package`);
    }
  });

  test('init, a scenario and a TypeScript step of the project: bringup test passes', () => {
    const build = path.join(project, 'build');
    fs.mkdirSync(build);
    fs.writeFileSync(path.join(build, 'start.S'), START_S);
    fs.writeFileSync(path.join(build, 'main.c'), MAIN_C);
    ok('arm-none-eabi-gcc', ['-marm', '-mcpu=cortex-a9', '-mfloat-abi=soft', '-O2', '-ffreestanding', '-nostdlib', '-static',
      '-Wl,-Ttext=0x00100000', '-Wl,--build-id=none', '-o', 'myhyp.elf', 'start.S', 'main.c'], build);

    const init = ok(NPX, ['--no', 'bringup', 'init', '--image', 'build/myhyp.elf'], project);
    assert.match(init, /wrote steps\/example\.steps\.ts/);
    for (const f of ['features/example.feature', 'scenarios/example.yaml', 'steps/example.steps.ts', 'profiles/myhyp.yaml',
      'tsconfig.json', '.github/workflows/bringup.yml']) {
      assert.ok(fs.existsSync(path.join(project, f)), `init wrote ${f}`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    assert.equal(pkg.scripts.test, 'bringup test');
    assert.ok(pkg.devDependencies.bringup, 'init keeps the devDependency');
    assert.match(fs.readFileSync(path.join(project, 'scenarios', 'example.yaml'), 'utf8'), /kernel: \.\.\/build\/myhyp\.elf/);
    assert.match(fs.readFileSync(path.join(project, '.github', 'workflows', 'bringup.yml'), 'utf8'), /--shard \$\{\{ matrix\.shard \}\}\//);

    // A board file of the project's own and its profile, both named relative to the scenario file.
    fs.mkdirSync(path.join(project, 'boards'));
    fs.copyFileSync(path.join(project, 'node_modules', 'bringup', 'machine', 'boards', 'tegra2-xoom.yaml'), path.join(project, 'boards', 'myboard.yaml'));
    fs.writeFileSync(path.join(project, 'scenarios', 'myhyp.yaml'), SCENARIO);
    fs.writeFileSync(path.join(project, 'steps', 'greeting.steps.ts'), STEPS_TS);
    fs.writeFileSync(path.join(project, 'features', 'myhyp.feature'), FEATURE);

    const r = run(NPX, ['--no', 'bringup', 'test'], project);
    assert.equal(r.status, 0, `bringup test:\n${r.out}`);
    // The steps also typecheck against 'bringup/steps' with the tsconfig.json init wrote (bringup's TypeScript).
    ok(NPX, ['--no', '--', 'tsc', '-p', '.'], project);
    assert.match(r.out, /3 scenarios \(3 passed\)/);
    // A pass leaves no recording behind.
    const recordings = path.join(project, '.bringup', 'recordings');
    assert.deepEqual(fs.existsSync(recordings) ? fs.readdirSync(recordings) : [], []);
  });

  test('a broken expectation fails with exit 1 and leaves a recording that replays', () => {
    fs.writeFileSync(path.join(project, 'features', 'broken.feature'), BROKEN_FEATURE);
    try {
      const r = run(NPX, ['--no', 'bringup', 'test', 'features/broken.feature'], project);
      assert.equal(r.status, 1, `bringup test of a broken expectation:\n${r.out}`);
      assert.match(r.out, /the version in the greeting/);
      const recordings = path.join(project, '.bringup', 'recordings');
      const kept = fs.readdirSync(recordings).filter((f) => f.endsWith('.bur'));
      assert.equal(kept.length, 1, `one recording kept: ${kept.join(', ')}`);
      assert.match(r.out, new RegExp(kept[0].replace(/\./g, '\\.')), 'the report names the recording');
      const replay = ok(NPX, ['--no', 'bringup', 'replay', path.join('.bringup', 'recordings', kept[0])], project);
      assert.match(replay, /myhyp 1\.4 says hello/);
    } finally {
      fs.rmSync(path.join(project, 'features', 'broken.feature'), { force: true });
    }
  });

  test('init again refuses to overwrite, lists the files and writes nothing', () => {
    const before = fs.readFileSync(path.join(project, 'steps', 'example.steps.ts'), 'utf8');
    fs.writeFileSync(path.join(project, 'steps', 'example.steps.ts'), `${before}// edited\n`);
    const r = run(NPX, ['--no', 'bringup', 'init'], project);
    assert.equal(r.status, 2, r.out);
    assert.match(r.out, /steps\/example\.steps\.ts/);
    assert.match(r.out, /--force/);
    assert.match(fs.readFileSync(path.join(project, 'steps', 'example.steps.ts'), 'utf8'), /\/\/ edited\n$/);
  });
});
