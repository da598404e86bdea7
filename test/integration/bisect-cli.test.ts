/**
 * `bringup bisect` end to end: a temporary git repository with a planted
 * regression (the domain configuration of its boot volume changes so that the
 * scenario's expectations fail), bisected through its commits; a list of
 * images bisected for the first bad one; Ctrl-C during a bisection.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { bisectCommand } from '../../cli/bisect';
import { UsageError } from '../../cli/args';

import { tempDir } from '../support/temp-dirs';
import { ROOT as root } from '../support/environment';

const guests = path.join(root, 'firmware', 'build', 'guests');
const hypervisor = path.join(root, 'firmware', 'build', 'hypervisor.elf');
const pingpongScenario = path.join(root, 'features', 'scenarios', 'pingpong.yaml');

function git(cwd: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[k];
  const r = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function manifest(rounds: number): string {
  return `# A boot volume of two domains bouncing an event.
images:
  - { name: pingpong, role: domu, file: ${path.join(guests, 'pingpong.elf')} }
domains:
  - { name: ping, image: pingpong, memory: 1MiB, priority: 10, console: true, on-fault: kill, args: "rounds=${rounds}" }
  - { name: pong, image: pingpong, memory: 1MiB, priority: 5,  console: true, on-fault: kill, args: "rounds=${rounds}" }
events:
  - [ping:1, pong:1]
`;
}

const SCENARIO = `# Three rounds of ping-pong, then the hypervisor halts.
name: three rounds
board: tegra2-xoom
boot:
  kernel: ${hypervisor}
  cmdline: console=ttyS0 evtwd=100
  volume: ../volume/boot.yaml
expect:
  console:
    - "[ping] pingpong: done after 3 rounds"
    - "hyp: all domains have shut down; halting"
  never: [WATCHDOG, /FAULT|PANIC/]
  end: halt
limits:
  time: 200ms
`;

/**
 * Nine commits; the 7th ("tune the domain configuration") sets rounds=2, so
 * "done after 3 rounds" is never printed. The 4th breaks the build script and
 * the 5th repairs it (a commit to skip).
 */
function makeRepo(): { dir: string; commits: string[] } {
  const dir = tempDir('bringup-bisect-repo-');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'bisect test');
  git(dir, 'config', 'user.email', 'bisect@example.invalid');
  const commits: string[] = [];
  const commit = (subject: string, files: Record<string, string>) => {
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), text);
    }
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', subject);
    commits.push(git(dir, 'rev-parse', 'HEAD'));
  };
  const build = (ok: boolean) => `#!/bin/sh\n${ok ? '' : 'echo "build.sh: syntax error in volume/boot.yaml" >&2; exit 1\n'}mkdir -p out && ${process.execPath} ${path.join(root, 'bin', 'bringup')} volume pack volume/boot.yaml -o out/boot.vol\n`;
  commit('initial boot volume and scenario', { 'volume/boot.yaml': manifest(3), 'scenarios/three-rounds.yaml': SCENARIO, 'build.sh': build(true) });
  commit('README', { 'README': 'a hypervisor\n' });
  commit('notes on the event channel', { 'NOTES': 'ping and pong share port 1\n' });
  commit('break the build', { 'build.sh': build(false) });
  commit('repair the build', { 'build.sh': build(true) });
  commit('more notes', { 'NOTES': 'ping and pong share port 1\npriorities 10 and 5\n' });
  commit('tune the domain configuration', { 'volume/boot.yaml': manifest(2) });
  commit('README: usage', { 'README': 'a hypervisor\nrun it\n' });
  commit('more notes again', { 'NOTES': 'ping and pong share port 1\npriorities 10 and 5\nok\n' });
  return { dir, commits };
}

/** Runs `bringup bisect ARGS` (the exported command) in a child process. */
function bisect(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return bisectIn({}, ...args);
}
function bisectIn(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', script, '--', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const script = `require(${JSON.stringify(path.join(root, 'dist', 'cli', 'bisect.js'))}).bisectCommand(process.argv.slice(1)).then((c) => process.exit(c), (e) => { console.error(e.constructor.name + ': ' + e.message); process.exit(e.constructor.name === 'UsageError' || e.constructor.name === 'InputFileError' ? 2 : 4); })`;

test('bringup bisect: finds the planted commit in a git repository, leaving the checkout alone', async () => {
  const { dir, commits } = makeRepo();
  const scenario = path.join(dir, 'scenarios', 'three-rounds.yaml');
  const headBefore = git(dir, 'rev-parse', 'HEAD');
  fs.writeFileSync(path.join(dir, 'untracked-work.txt'), 'mine\n');
  const recordings = tempDir('bringup-bisect-recordings-');
  const r = bisectIn({ BRINGUP_RECORDINGS_DIR: recordings }, '--good', commits[0], '--bad', 'main', '--build', 'sh build.sh', '--scenario', scenario);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, new RegExp(`^first bad commit: ${commits[6]} tune the domain configuration$`, 'm'));
  assert.match(r.stdout, new RegExp(`^last good commit: ${commits[5]} more notes$`, 'm'));
  // The comparison: the first console line that differs, and what failed.
  assert.match(r.stdout, /first differing console line: line \d+\n {4}good: ".*"\n {4}bad: {2}".*"/);
  assert.match(r.stdout, /verdict: PASS \(last good\) -> FAIL \(first bad\)/);
  assert.match(r.stdout, /first differing event: #\d+ of the console\/mmio\/exception\/input streams/);
  const named = /recordings: (\S+\.bur) \(last good\), (\S+\.bur) \(first bad\)/.exec(r.stdout);
  assert.ok(named, r.stdout);
  // Each with its checkpoint index; the other runs' recordings went with theirs.
  const kept = [named[1], named[2]].flatMap((f) => [path.basename(f), `${path.basename(f)}.idx`]);
  assert.deepEqual(fs.readdirSync(recordings).sort(), kept.sort(), 'only the two compared runs keep their recordings');
  assert.match(r.stdout, /FAILED console shows "\[ping\] pingpong: done after 3 rounds"/);
  // Progress on stderr: the ends, then numbered steps with the commit, subject, verdict and what is left.
  assert.match(r.stderr, /bisect: bad end [0-9a-f]{12} "more notes again": fail/);
  assert.match(r.stderr, /bisect: good end [0-9a-f]{12} "initial boot volume and scenario": pass/);
  assert.match(r.stderr, /bisect: step 1: [0-9a-f]{12} ".*": (pass|fail|skipped).* -> (good|bad|skip); \d+ commit\(s\) left to test, roughly \d+ step\(s\)/);
  // The user's repository: same HEAD, no bisect state, no leftover worktree, their files untouched.
  assert.equal(git(dir, 'rev-parse', 'HEAD'), headBefore);
  assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
  assert.equal(git(dir, 'for-each-ref', 'refs/bisect'), '');
  assert.equal(fs.existsSync(path.join(dir, '.git', 'BISECT_LOG')), false);
  assert.equal(fs.readFileSync(path.join(dir, 'untracked-work.txt'), 'utf8'), 'mine\n');
  assert.equal(git(dir, 'status', '--porcelain', '--untracked-files=no'), '');
});

test('bringup bisect: a build failure next to the regression is skipped, and the answer names both candidates', async () => {
  const { dir, commits } = makeRepo();
  const scenario = path.join(dir, 'scenarios', 'three-rounds.yaml');
  // Commits 3..6 only: 3 good, 4 ("break the build") no build... use the planted one as the skip instead:
  // a build command that fails at the planted commit hides it behind its neighbour.
  const build = `if git log -1 --format=%s | grep -q "tune the domain"; then echo "compiler crashed" >&2; exit 2; fi`;
  const r = bisect('--good', commits[4], '--bad', commits[8], '--build', build, '--scenario', scenario);
  assert.equal(r.status, 1, r.stderr + r.stdout);
  assert.match(r.stdout, /no single answer: skipped commits hide the first bad one; it is one of:/);
  assert.match(r.stdout, new RegExp(`^  ${commits[6]} tune the domain configuration$`, 'm'));
  assert.match(r.stdout, new RegExp(`^  ${commits[7]} README: usage$`, 'm'));
  assert.match(r.stdout, new RegExp(`^last good commit: ${commits[5]} more notes$`, 'm'));
  assert.match(r.stderr, /build failed at [0-9a-f]{12}; its output:\n {4}\| compiler crashed/);
  assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
});

test('bringup bisect: ends that are not good and bad as given, and bad usage', async () => {
  const { dir, commits } = makeRepo();
  const scenario = path.join(dir, 'scenarios', 'three-rounds.yaml');
  const swapped = bisect('--good', commits[8], '--bad', commits[0], '--scenario', scenario);
  assert.equal(swapped.status, 2);
  assert.match(swapped.stderr, /the bad end [0-9a-f]{12} "initial boot volume and scenario" passes the scenario/);
  const bothBad = bisect('--good', commits[7], '--bad', commits[8], '--scenario', scenario);
  assert.equal(bothBad.status, 2);
  assert.match(bothBad.stderr, /the good end [0-9a-f]{12} "README: usage" fails the scenario too \(fail\)/);
  assert.match(bothBad.stderr, /FAILED console shows "\[ping\] pingpong: done after 3 rounds"/);
  assert.match(bisect('--good', 'nosuchrev', '--bad', commits[8], '--scenario', scenario).stderr, /UsageError: bisect: 'nosuchrev' is not a commit/);
  await assert.rejects(bisectCommand(['--bad', commits[8], '--scenario', scenario]), /give --good REV and --bad REV/);
  await assert.rejects(bisectCommand(['--good', commits[0], '--bad', commits[8]]), /--scenario/);
  await assert.rejects(bisectCommand(['--images', 'a.elf', '--scenario', scenario]), UsageError);
  assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
  const help = bisect('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: bringup bisect --good REV --bad REV/);
});

test('bringup bisect --images: the first image with which the scenario fails', async () => {
  const pp = path.join(guests, 'pingpong.elf');
  const nd = path.join(guests, 'nullderef.elf');
  // Two domains run image 'pingpong' in pingpong.yaml: from the 4th image on it dereferences NULL.
  const images = [pp, pp, pp, nd, nd, nd];
  const r = bisect('--images', ...images, '--role', 'pingpong', '--scenario', pingpongScenario);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^first bad image: .*nullderef\.elf \(#4 nullderef\.elf\)$/m);
  assert.match(r.stdout, /^last good image: .*pingpong\.elf \(#3 pingpong\.elf\)$/m);
  assert.match(r.stdout, /FAILED console never shows \/FAULT\|PANIC\//);
  assert.match(r.stderr, /good end #1 pingpong\.elf: pass -> good/);
  assert.match(r.stderr, /bad end #6 nullderef\.elf: fail -> bad/);
  // A domain name selects the image it runs.
  const byDomain = bisect('--images', pp, nd, '--role', 'dom1', '--scenario', pingpongScenario);
  assert.equal(byDomain.status, 0, byDomain.stderr);
  assert.match(byDomain.stderr, /image 'pingpong' of domain dom1 \(also run by dom0\)/);
});

test('bringup bisect --images: the assumption that the first is good and the last bad is checked', async () => {
  const pp = path.join(guests, 'pingpong.elf');
  const nd = path.join(guests, 'nullderef.elf');
  const firstBad = bisect('--images', nd, pp, '--role', 'pingpong', '--scenario', pingpongScenario);
  assert.equal(firstBad.status, 2);
  assert.match(firstBad.stderr, /the first image .*nullderef\.elf fails the scenario \(fail\): the assumption that the first image is good does not hold/);
  const lastGood = bisect('--images', pp, pp, '--role', 'pingpong', '--scenario', pingpongScenario);
  assert.equal(lastGood.status, 2);
  assert.match(lastGood.stderr, /the last image .*pingpong\.elf passes the scenario: the assumption that the last image is bad does not hold/);
  // The kernel role; a broken ELF cannot be tested.
  const truncated = path.join(tempDir('bringup-bisect-img-'), 'truncated.elf');
  fs.writeFileSync(truncated, fs.readFileSync(hypervisor).subarray(0, 200));
  const notElf = bisect('--images', hypervisor, truncated, '--role', 'kernel', '--scenario', pingpongScenario);
  assert.equal(notElf.status, 2, notElf.stderr);
  assert.match(notElf.stderr, /the last image .*truncated\.elf \(assumed bad\) cannot be tested: the scenario cannot be loaded/);
  await assert.rejects(bisectCommand(['--images', pp, nd, '--role', 'nosuch', '--scenario', pingpongScenario]), /no image 'nosuch' to replace; the scenario has: kernel, pingpong \(image, role domu\)/);
  await assert.rejects(bisectCommand(['--images', pp, nd, '--role', 'domu', '--scenario', pingpongScenario]), /2 boot volume images have role 'domu' \(pingpong, nullderef\)/);
});

test('bringup bisect: Ctrl-C during a build removes the worktree and the bisect state', async () => {
  const { dir, commits } = makeRepo();
  const scenario = path.join(dir, 'scenarios', 'three-rounds.yaml');
  const marker = path.join(dir, 'build-started');
  const child = spawn(process.execPath, ['-e', script, '--', '--good', commits[0], '--bad', commits[8], '--build', `touch ${marker}; sleep 30`, '--scenario', scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const t0 = Date.now();
  while (!fs.existsSync(marker) && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 50));
  assert.ok(fs.existsSync(marker), `the build never started: ${stderr}`);
  const worktrees = git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));
  assert.equal(worktrees.length, 2, 'the temporary worktree exists while bisecting');
  child.kill('SIGINT');
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  assert.equal(status, 130, stderr);
  assert.ok(Date.now() - t0 < 20000, 'the build was not stopped');
  assert.match(stderr, /interrupted; cleaning up/);
  assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
  assert.equal(fs.existsSync(worktrees[1]), false);
  assert.equal(git(dir, 'for-each-ref', 'refs/bisect'), '');
});
