/** `bringup run`, `bringup validate` and `bringup test`: output and exit statuses. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { RecordingReader } from '../../replay/reader';
import { ROOT as root } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-scenario-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const pingpong = path.join(root, 'features', 'scenarios', 'pingpong.yaml');

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** pingpong.yaml with some text replaced, written next to it in a temp dir (paths made absolute). */
function variant(name: string, from: string | RegExp, to: string): string {
  const t = fs.readFileSync(pingpong, 'utf8').replace(/\.\.\/\.\.\//g, `${root}/`).replace(from, to);
  const f = path.join(tmp, name);
  fs.writeFileSync(f, t);
  return f;
}

test('bringup run: a passing scenario shows the console and the verdict, exit 0', () => {
  const r = bringup('run', pingpong);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\[dom1\] ping 10\/10\r?\n/);
  assert.match(r.stdout, /ok {5}console shows "\[dom1\] ping 10\/10" by 10 ms \(10000000 insns\): at [\d.]+ ms/);
  assert.match(r.stdout, /^PASS two domains ping-pong an event/m);
});

test('bringup run --quiet: only the report', () => {
  const r = bringup('run', '--quiet', pingpong);
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stdout, /^\[dom1\] ping/m);
  assert.match(r.stdout, /^scenario two domains ping-pong an event/);
});

test('bringup run: a failed expectation is exit 1 with the context', () => {
  const r = bringup('run', '--quiet', variant('fail.yaml', '[dom0] pong 10/10', '[dom0] pong 11/10'));
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAILED console shows "\[dom0\] pong 11\/10"/);
  assert.match(r.stdout, / +\d+ \| /);
});

test('bringup run: an invalid scenario is exit 2 with file:line:column', () => {
  const f = variant('bad.yaml', 'never:', 'nevr:');
  const r = bringup('run', f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:3: unknown key 'nevr'`));
});

test('bringup run: hitting the limit is exit 3', () => {
  const f = variant('limit.yaml', 'time: 500ms', 'instructions: 2M');
  fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(', by: 10ms', ''));
  const r = bringup('run', '--quiet', f);
  assert.equal(r.status, 3);
  assert.match(r.stdout, /^LIMIT /m);
});

test('bringup validate: ok files and bad files, exit 2 if any is bad', () => {
  const ok = bringup('validate', pingpong, path.join(root, 'firmware', 'volumes', 'solo.yaml'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /pingpong\.yaml: ok \(scenario/);
  assert.match(ok.stdout, /solo\.yaml: ok \(boot volume manifest/);
  const bad = variant('bad-symbol.yaml', 'expect:', 'faults:\n  - { type: lost-upcall, function: no_such_fn }\nexpect:');
  const r = bringup('validate', pingpong, bad);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad-symbol\.yaml:\d+:\d+: unknown symbol 'no_such_fn'/);
});

test('bringup help lists run, validate and test', () => {
  const r = bringup('--help');
  assert.match(r.stdout, /\n  run +run a scenario/);
  assert.match(r.stdout, /\n  validate +check/);
  assert.match(r.stdout, /\n  test +run the Cucumber features/);
  assert.match(bringup('run', '--help').stdout, /usage: bringup run SCENARIO\.yaml \[--quiet\]/);
});

test('bringup run: the progress line fits the terminal and is redrawn at most ten times a second', () => {
  const { progressText, ProgressLine } = require('../../cli/progress') as typeof import('../../cli/progress');
  const line = progressText(4_200_000, 10_000_000, 1e9, 80);
  assert.match(line, /^\[#+\.+\] +42% 4\.2 ms \/ 10 ms virtual, 4200000 \/ 10000000 insns$/);
  assert.ok(line.length < 80);
  assert.ok(progressText(1, 2, 1e9, 30).length < 30);
  const written: string[] = [];
  let now = 1000;
  const out = { write: (s: string) => { written.push(s); return true; }, columns: 100 } as unknown as NodeJS.WriteStream;
  const p = new ProgressLine(out, 1e9, () => now);
  p.update(1, 100);
  now += 50; p.update(2, 100);
  now += 60; p.update(3, 100);
  assert.equal(written.length, 2, 'the update 50 ms after the first is not drawn');
  p.clear();
  assert.equal(written[2], '\r\x1b[K');
});

test('bringup run: no progress line when stderr is not a terminal', () => {
  const r = bringup('run', pingpong);
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stderr, /insns/);
});

test('bringup run: a framebuffer mismatch names the differing pixels and writes the actual picture', () => {
  const golden = path.join(tmp, 'wrong.png');
  const { decodePng, encodePng } = require('../../scenario/check/png') as typeof import('../../scenario/check/png');
  const img = decodePng(fs.readFileSync(path.join(root, 'test', 'programs-tegra', 'expected', 'tegra_devices.png')));
  img.data[4 * 7] ^= 1;
  fs.writeFileSync(golden, encodePng(img));
  const t = fs.readFileSync(path.join(root, 'features', 'scenarios', 'tegra-devices.yaml'), 'utf8')
    .replace(/\.\.\/\.\.\//g, `${root}/`).replace(/golden: [^ }]+/, `golden: ${golden}`);
  const f = path.join(tmp, 'fb.yaml');
  fs.writeFileSync(f, t);
  const dir = path.join(tmp, 'artifacts');
  const r = bringup('run', '--quiet', '--artifacts', dir, f);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAILED dc shows the picture .*wrong\.png\n {9}1 pixel\(s\) differ; the first at \(7, 0\)/);
  const written = fs.readdirSync(dir);
  assert.deepEqual(written, ['the-Tegra20-device-program.dc.actual.png']);
  assert.equal(decodePng(fs.readFileSync(path.join(dir, written[0]))).width, img.width);
});

test('bringup test: --shard and --parallel are checked; reports go to html and junit', () => {
  const { testOptions } = require('../../cli/test') as typeof import('../../cli/test');
  assert.throws(() => testOptions(['--shard', '3/2']), /--shard needs I\/N with 1 <= I <= N/);
  assert.throws(() => testOptions(['--shard', 'two']), /--shard needs I\/N/);
  assert.throws(() => testOptions(['--parallel', '0']), /--parallel needs a number of workers/);
  assert.deepEqual(testOptions(['--tags', '@x', '--shard=1/2', '--reports', 'out']).cucumber,
    ['--tags', '@x', '--shard', '1/2', '--format', 'html:out/cucumber.html', '--format', 'junit:out/junit.xml']);
  assert.deepEqual(testOptions(['--no-reports', 'a.feature']).cucumber, ['a.feature']);
  const r = bringup('test', '--shard', '0/2');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--shard needs I\/N/);
});

test('bringup test: the shards of a run together hold every scenario once', () => {
  const names = (shard: string) => {
    const msgs = path.join(tmp, `shard-${shard.replace('/', '-')}.ndjson`);
    const r = bringup('test', '--dry-run', '--no-reports', '--shard', shard, '--format', `message:${msgs}`, path.join(root, 'features'));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^timing: \d+ scenario\(s\) in [\d.]+ s wall/m);
    const pickles = new Map<string, string>();
    const started: string[] = [];
    const cases = new Map<string, string>();
    for (const line of fs.readFileSync(msgs, 'utf8').split('\n').filter(Boolean)) {
      const m = JSON.parse(line);
      if (m.pickle) pickles.set(m.pickle.id, `${m.pickle.uri}: ${m.pickle.name}`);
      if (m.testCase) cases.set(m.testCase.id, m.testCase.pickleId);
      if (m.testCaseStarted) started.push(pickles.get(cases.get(m.testCaseStarted.testCaseId)!)!);
    }
    return started;
  };
  const all = names('1/1');
  const a = names('1/3'), b = names('2/3'), c = names('3/3');
  assert.ok(all.length > 10);
  assert.ok(a.length && b.length && c.length);
  assert.deepEqual([...a, ...b, ...c].sort(), [...all].sort());
  assert.deepEqual(names('2/3'), b, 'the same shard twice is the same scenarios');
});

test('bringup test: the timing report adds up scenario times per worker', () => {
  const { timingFromMessages, formatTiming } = require('../../cli/test') as typeof import('../../cli/test');
  const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  const msgs = [
    { testRunStarted: { timestamp: ts(10_000) } },
    { testCaseStarted: { id: 'a', workerId: '0', timestamp: ts(10_100) } },
    { testCaseStarted: { id: 'b', workerId: '1', timestamp: ts(10_200) } },
    { testCaseFinished: { testCaseStartedId: 'a', timestamp: ts(12_100), willBeRetried: false } },
    { testCaseStarted: { id: 'c', workerId: '0', timestamp: ts(12_150) } },
    { testCaseFinished: { testCaseStartedId: 'b', timestamp: ts(13_200), willBeRetried: false } },
    { testCaseFinished: { testCaseStartedId: 'c', timestamp: ts(13_160), willBeRetried: false } },
  ].map((m) => JSON.stringify(m)).join('\n');
  const t = timingFromMessages(msgs);
  assert.equal(t.scenarios, 3);
  assert.equal(Math.round(t.sumMs), 6010);
  assert.deepEqual(t.workers.map((w) => [w.worker, w.scenarios, Math.round(w.busyMs), Math.round(w.firstMs), Math.round(w.lastMs)]),
    [['0', 2, 3010, 100, 3160], ['1', 1, 3000, 200, 3200]]);
  assert.equal(formatTiming(t, 3300), 'timing: 3 scenario(s) in 3.3 s wall; their run times add up to 6.0 s (1.82x)\n'
    + '  worker 0: 2 scenario(s), busy 3.0 s, from +0.1 s to +3.2 s\n  worker 1: 1 scenario(s), busy 3.0 s, from +0.2 s to +3.2 s');
});

test('bringup test: a broken expectation fails with a report carrying the console log and a recording that replays', () => {
  const dir = path.join(tmp, 'broken-feature');
  const recordings = path.join(dir, 'recordings');
  fs.mkdirSync(dir, { recursive: true });
  const feature = path.join(dir, 'broken.feature');
  fs.writeFileSync(feature, `Feature: a deliberately broken expectation

  Scenario: ping-pong counts one round too many
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    When it runs
    Then the console shows "[dom0] pong 11/10"

  Scenario: ping-pong as it is
    Given the reference hypervisor with the boot volume "pingpong.yaml"
    When it runs
    Then the console shows "[dom0] pong 10/10"
`);
  const messages = path.join(dir, 'messages.ndjson');
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'test', '--reports', dir, '--format', `message:${messages}`, feature],
    { encoding: 'utf8', env: { ...process.env, BRINGUP_RECORDINGS_DIR: recordings, BRINGUP_REPORTS_DIR: dir } });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /console shows "\[dom0\] pong 11\/10"/);

  const junit = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
  assert.match(junit, /tests="2"/);
  assert.match(junit, /failures="1"/);
  assert.match(junit, /<testcase[^>]*name="ping-pong counts one round too many"[^>]*>\s*<failure/);

  const attachments = fs.readFileSync(messages, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((m) => m.attachment).map((m) => m.attachment);
  const named = (suffix: string) => attachments.find((a) => (a.fileName ?? '').endsWith(suffix));
  // The console log is attached with the failed expectation marked where the console ended.
  const log = named('.uartd.marked.log')?.body ?? '';
  assert.match(log, /\[dom0\] pong 10\/10/, 'the console log is attached');
  assert.match(log, /^!! +\| FAILED console shows "\[dom0\] pong 11\/10"/m, 'with the failed expectation marked');
  const recorded = /^recording: (.+\.bur)$/.exec(named('.recording')?.body ?? '');
  assert.ok(recorded, `the recording path is attached: ${JSON.stringify(attachments.map((a) => a.fileName))}`);
  assert.equal(path.dirname(recorded[1]), recordings);
  assert.deepEqual(fs.readdirSync(recordings).sort(), [path.basename(recorded[1]), `${path.basename(recorded[1])}.idx`], 'the passing scenario leaves no recording');
  assert.ok(fs.readFileSync(path.join(dir, 'cucumber.html'), 'utf8').includes(path.basename(recorded[1])), 'the HTML report names it');

  const replay = bringup('replay', recorded[1], '--verify');
  assert.equal(replay.status, 0, replay.stdout + replay.stderr);
});

test('bringup run: Ctrl-C stops the run where it is, reports it so far and leaves a complete recording (exit 130)', async () => {
  const scenario = path.join(tmp, 'long.yaml');
  fs.writeFileSync(scenario, `board: tegra2-xoom
boot:
  kernel: ${path.join(root, 'firmware', 'build', 'hypervisor.elf')}
  cmdline: console=ttyS0
  volume:
    images: [ { name: spin, role: domu, file: ${path.join(root, 'firmware', 'build', 'guests', 'spin.elf')} } ]
    domains: [ { name: spin0, image: spin, memory: 1MiB, console: true, args: "rounds=1000000" } ]
expect:
  console: ["[spin0] spin: dom0 round 1/1000000", "never printed"]
limits: { time: 60s }
`);
  const recording = path.join(tmp, 'interrupted.bur');
  const child = spawn(process.execPath, [path.join(root, 'bin', 'bringup'), 'run', '--record', recording, scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Interrupt once the console (live on stdout) shows the run well under way.
  while (!stdout.includes('round 3/1000000') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGINT');
  assert.equal(await exited, 130, stdout);
  assert.match(stdout, /ok {5}console shows "\[spin0\] spin: dom0 round 1\/1000000": at /);
  assert.match(stdout, /^INTERRUPTED long: the checks above cover the run up to there .* — ended with Ctrl-C \(interrupted\) at /m);
  assert.match(stdout, /^recording: .*interrupted\.bur \(bringup replay FILE\)$/m);
  const rec = RecordingReader.open(recording);
  assert.deepEqual(rec.problems, [], 'the recording is complete');
  assert.equal(rec.end?.stop.kind, 'interrupted');
  assert.ok(rec.end!.icount > 0 && rec.end!.icount < 60e9);
  const replay = bringup('replay', recording, '--verify');
  assert.equal(replay.status, 0, replay.stderr);
  assert.match(replay.stdout, new RegExp(`replay identical: \\d+ of \\d+ chunk hashes match, ${rec.end!.icount} instructions`));
});
