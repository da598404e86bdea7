/**
 * Engine speed on a CPU-bound compiled C workload (test/programs bench.elf):
 * the jit engine's first run in this process (its compiling included) and its
 * best later run, the interpreter's, and QEMU's time for the same ELF with
 * -icount shift=0 measured in the same run; then a guest stuck taking
 * exceptions (udf with every vector unmapped: one Prefetch Abort after
 * another) against a plain branch-to-self loop of the same length; then
 * bench.elf on a two-core vexpress-a9 whose second core sits in WFI against
 * the same on one core (runs alternated, medians). Prints one JSON line per
 * figure.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bootBoard } from '../scenario/boards';
import type { Engine } from '../machine/cpu/engine';

const root = path.resolve(__dirname, '..', '..');
const elfPath = path.join(root, 'test', 'programs', 'build', 'bench.elf');

/** Where the second core of a two-core run waits: `wfi; b .-4`, far above bench.elf. */
const PARK = 0x7ff00000;

function runOurs(cores = 1, engine: Engine = 'jit'): { seconds: number; insns: number; output: string } {
  let output = '';
  const { machine: m } = bootBoard({
    board: 'vexpress-a9',
    program: { name: elfPath, data: fs.readFileSync(elfPath) },
    semihosting: { host: { console: (_s, d) => { output += Buffer.from(d).toString('latin1'); } } },
    cores,
  });
  for (const cpu of m.cpus) cpu.engine = engine;
  if (cores > 1) {
    // bench.elf is a one-core program: the other cores wait in WFI, as parked secondaries do.
    m.bus.loadBytes(PARK, Uint8Array.from([0x03, 0xf0, 0x20, 0xe3, 0xfd, 0xff, 0xff, 0xea]));
    for (const cpu of m.cpus.slice(1)) cpu.pc = PARK;
  }
  const t0 = process.hrtime.bigint();
  const stop = m.runUntil(5e9);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (stop.kind !== 'exit' || stop.code !== 0) throw new Error(`bench.elf did not exit cleanly: ${JSON.stringify(stop)}`);
  return { seconds, insns: m.cpu.icount, output };
}

function runQemu(): { seconds: number; output: string } | { skipped: string } {
  const probe = spawnSync('qemu-system-arm', ['--version']);
  if (probe.error) return { skipped: 'qemu-system-arm not installed (apt-get install qemu-system-arm)' };
  const t0 = process.hrtime.bigint();
  const r = spawnSync('qemu-system-arm', [
    '-M', 'vexpress-a9,secure=off', '-cpu', 'cortex-a9', '-m', '1024M', '-nographic', '-monitor', 'none', '-serial', 'none',
    '-icount', 'shift=0', '-chardev', 'stdio,id=semihosting',
    '-semihosting-config', 'enable=on,target=native,chardev=semihosting', '-kernel', elfPath,
  ], { encoding: 'latin1', timeout: 600_000, env: { ...process.env, QEMU_AUDIO_DRV: 'none' } });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) return { skipped: `qemu exited with ${r.status}: ${r.stderr}` };
  return { seconds, output: r.stdout };
}

/** Seconds to run `count` instructions of one instruction word at 0x60000000 on vexpress-a9 (best of 3). */
function loopSeconds(insn: number, count: number): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const { machine: m } = bootBoard({ board: 'vexpress-a9' });
    const code = new Uint8Array(4);
    new DataView(code.buffer).setUint32(0, insn, true);
    m.bus.loadBytes(0x60000000, code);
    m.cpu.pc = 0x60000000;
    const t0 = process.hrtime.bigint();
    m.run(count);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    if (m.cpu.icount !== count) throw new Error(`loop ran ${m.cpu.icount} instructions, not ${count}`);
  }
  return best;
}

function exceptionLoop(): void {
  const count = 10_000_000;
  const plain = loopSeconds(0xeafffffe, count); // b .
  const exceptions = loopSeconds(0xe7f000f0, count); // udf, vectors unmapped
  console.log(JSON.stringify({
    bench: 'exception-loop', instructions: count, seconds: +exceptions.toFixed(3), plain_loop_seconds: +plain.toFixed(3),
    ratio_exceptions_over_plain: +(exceptions / plain).toFixed(1),
  }));
}

/** A one-core workload on a two-core board (the second core in WFI) against one core: medians of alternated runs. */
function twoCoreBoard(insns: number): void {
  const one: number[] = [], two: number[] = [];
  for (let k = 0; k < 5; k++) {
    one.push(runOurs(1).seconds);
    const r = runOurs(2);
    if (r.insns !== insns) throw new Error(`bench.elf ran ${r.insns} instructions on two cores, ${insns} on one`);
    two.push(r.seconds);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const a = median(one), b = median(two);
  console.log(JSON.stringify({
    bench: 'two-core-board', workload: 'bench.elf on core 0, core 1 in WFI', instructions: insns,
    one_core_seconds: +a.toFixed(3), two_core_seconds: +b.toFixed(3), ratio_two_over_one: +(b / a).toFixed(3),
  }));
}

function main(): void {
  if (!fs.existsSync(elfPath)) throw new Error(`${elfPath} is missing: run make -C test/programs`);
  // The jit engine's first run compiles the blocks (and V8 its own code for them); later runs reuse them.
  const first = runOurs(1, 'jit');
  const warm = [runOurs(1, 'jit'), runOurs(1, 'jit')].reduce((a, b) => (b.seconds < a.seconds ? b : a));
  runOurs(1, 'interpreter'); // warm-up: let V8 compile the interpreter's hot paths
  const interpreted = runOurs(1, 'interpreter');
  if (warm.output !== first.output || interpreted.output !== first.output || interpreted.insns !== first.insns) {
    throw new Error('bench.elf gave different output or instruction counts under the two engines');
  }
  const line = (engine: string, run: string, r: { seconds: number; insns: number }) => console.log(JSON.stringify({
    bench: 'engine', engine, run, workload: 'bench.elf', instructions: r.insns, seconds: +r.seconds.toFixed(3), mips: +(r.insns / r.seconds / 1e6).toFixed(1),
  }));
  line('jit', 'first', first);
  line('jit', 'best of 2 later', warm);
  line('interpreter', 'after a warm-up run', interpreted);
  const q = runQemu();
  if ('skipped' in q) {
    console.log(JSON.stringify({ bench: 'qemu-icount', skipped: q.skipped }));
  } else {
    console.log(JSON.stringify({
      bench: 'qemu-icount', workload: 'bench.elf', seconds: +q.seconds.toFixed(3), mips: +(first.insns / q.seconds / 1e6).toFixed(1),
      ratio_jit_first_over_qemu: +(first.seconds / q.seconds).toFixed(2), ratio_jit_later_over_qemu: +(warm.seconds / q.seconds).toFixed(2),
      ratio_interpreter_over_qemu: +(interpreted.seconds / q.seconds).toFixed(2), same_output: q.output === first.output,
    }));
  }
  exceptionLoop();
  twoCoreBoard(first.insns);
}

main();
