/**
 * The two engines give the same runs (docs/translator.md): every compiled
 * test program (A32, Thumb-2, hard-float; one and two cores), run under the
 * interpreter and under the jit engine, must give the same chain of state
 * hashes (as a recording's chunk hashes: CPU, devices and written memory),
 * the same console output and the same instruction count. The programs run
 * with every block compiled at its first execution, blocks cut short by the
 * budget included, which puts each instruction through the translator.
 *
 * Every Cucumber feature scenario is compared too, where it runs: the replay
 * identity check after each one (steps/replay.steps.ts) runs it again and
 * replays its recording under the other engine, chunk hash for chunk hash.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootBoard } from '../../scenario/boards';
import { runHashed, type HashedRun } from '../support/hash-chain';
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

/**
 * The Thumb builds' code runs in the interpreter under both engines (only
 * their A32 start-up is compiled), so their 100 M-instruction benchmark
 * would compare the interpreter with itself at length: it is left out.
 */
const variants: Array<{ dir: string; cores: number; skip?: string }> = [
  { dir: programs, cores: 1 },
  { dir: path.join(programs, 'thumb'), cores: 1, skip: 'bench.elf' },
  { dir: path.join(programs, 'vfp'), cores: 1, skip: 'bench.elf' },
  { dir: path.join(programs, 'smp'), cores: 2 },
];

for (const { dir, cores, skip } of variants) {
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.elf') && f !== skip).sort()) {
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
