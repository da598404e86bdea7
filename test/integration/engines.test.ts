/**
 * The two engines give the same runs (docs/translator.md): every compiled
 * test program (A32, Thumb-2, hard-float; one and two cores) and every
 * Cucumber feature scenario, run under the interpreter and under the jit
 * engine, must give the same chain of state hashes (the recordings' chunk
 * hashes: CPU, devices and written memory), the same console output and the
 * same instruction count. The programs run with every block compiled at its
 * first execution, blocks cut short by the budget included, which puts each
 * instruction through the translator; the features with the default
 * threshold, as users run them.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bootBoard } from '../../scenario/boards';
import { runHashed, type HashedRun } from '../support/hash-chain';
import { RecordingReader } from '../../replay/reader';
import type { Engine } from '../../machine/cpu/engine';

const root = path.resolve(__dirname, '..', '..', '..');
const programs = path.join(root, 'test', 'programs', 'build');
/** The state is hashed this often, as a recording hashes its chunks. */
const CHUNK = 1_000_000;
const LIMIT = 400_000_000;

interface ProgramRun extends HashedRun { console: string }

function runProgram(file: string, engine: Engine, cores: number): ProgramRun {
  let output = '';
  const { machine: m } = bootBoard({
    board: 'vexpress-a9', cores,
    program: { name: path.basename(file), data: fs.readFileSync(file) },
    semihosting: { host: { console: (_s, d) => { output += Buffer.from(d).toString('latin1'); } } },
  });
  for (const cpu of m.cpus) {
    cpu.engine = engine;
    cpu.hotThreshold = 1;
  }
  return { ...runHashed(m, LIMIT, CHUNK), console: output };
}

const variants: Array<{ dir: string; cores: number }> = [
  { dir: programs, cores: 1 },
  { dir: path.join(programs, 'thumb'), cores: 1 },
  { dir: path.join(programs, 'vfp'), cores: 1 },
  { dir: path.join(programs, 'smp'), cores: 2 },
];

for (const { dir, cores } of variants) {
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.elf')).sort()) {
    const label = `${path.relative(programs, path.join(dir, name))}${cores > 1 ? ` on ${cores} cores` : ''}`;
    test(`${label}: the jit engine gives the interpreter's run, state hash for state hash`, () => {
      const a = runProgram(path.join(dir, name), 'interpreter', cores);
      const b = runProgram(path.join(dir, name), 'jit', cores);
      assert.match(a.stop, /"exit"/, `${label} did not exit under the interpreter: ${a.stop}`);
      assert.equal(b.stop, a.stop);
      assert.equal(b.icount, a.icount);
      assert.equal(b.console, a.console);
      assert.deepEqual(b.hashes, a.hashes);
    });
  }
}

/** Every recording a cucumber run under `engine` made: scenario name and chunk hashes, sorted. */
function featureRecordings(engine: Engine): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bringup-engines-${engine}-`));
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'test', '--parallel', '2', '--no-reports'], {
      cwd: root, encoding: 'utf8',
      env: { ...process.env, BRINGUP_ENGINE: engine, BRINGUP_RECORDINGS_DIR: path.join(dir, 'recordings'), BRINGUP_KEEP_RECORDINGS: '1' },
    });
    assert.equal(r.status, 0, `bringup test under ${engine} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    const recordings = path.join(dir, 'recordings');
    return fs.readdirSync(recordings).filter((f) => f.endsWith('.bur')).map((f) => {
      const rec = new RecordingReader(fs.readFileSync(path.join(recordings, f)), f);
      const name = f.replace(/-[0-9a-f]{8}\.bur$/, '');
      return `${name}: ${rec.chunks.map((c) => `${c.to} ${c.hash}`).join(', ')}`;
    }).sort();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('every feature scenario records the same chunk hashes under both engines', () => {
  const interpreted = featureRecordings('interpreter');
  const compiled = featureRecordings('jit');
  assert.ok(interpreted.length >= 40, `only ${interpreted.length} recordings were made`);
  assert.deepEqual(compiled, interpreted);
});
