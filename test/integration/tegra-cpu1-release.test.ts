/**
 * A bare-metal two-core program on tegra2-xoom (test/programs-tegra/src/
 * cpu1_release.c, built with arm-none-eabi-gcc) releases core 1 the way
 * Linux's tegra20_boot_secondary does: EVP CPU reset vector, CAR
 * RST_CPU_CMPLX_SET, flow controller HALT_CPU1_EVENTS, CAR CLK_CPU_CMPLX
 * bit 9, CAR RST_CPU_CMPLX_CLR. Core 1 starts at the vector with MPIDR
 * 0x80000001 and answers core 0 through memory.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseElf } from '../../machine/loaders/elf';
import { bootBoard } from '../../scenario/boards';
import { ROOT } from '../support/environment';

const ELF = path.join(ROOT, 'test', 'programs-tegra', 'build', 'cpu1_release.elf');

function run(cores: number): { out: string; stop: string; core1Ran: boolean; errors: number } {
  const machine = bootBoard({ board: 'tegra2-xoom', cores }).machine;
  const image = parseElf(fs.readFileSync(ELF), ELF);
  machine.loadElf(image, ELF);
  let out = '';
  machine.probes.console.subscribe((device, data) => { if (device === 'uartd') out += Buffer.from(data).toString('latin1'); });
  machine.enableSemihosting({ host: { console: () => {} } });
  const pc1 = cores > 1 ? machine.cpus[1].pc : 0;
  const stop = machine.runUntil(500_000_000);
  return {
    out, stop: stop.kind === 'exit' ? `exit ${stop.code}` : stop.kind,
    core1Ran: cores > 1 && machine.cpus[1].pc !== pc1, errors: machine.guestErrors.length,
  };
}

test('core 0 releases core 1 through EVP, CAR and the flow controller; core 1 starts at the vector with MPIDR 0x80000001', () => {
  const entry = parseElf(fs.readFileSync(ELF), ELF).symbols.find((s) => s.name === 'core1_entry');
  assert.ok(entry, 'core1_entry in the ELF');
  const r = run(2);
  assert.equal(r.stop, 'exit 0', r.out);
  assert.deepEqual(r.out.split('\n'), [
    'cpu1_release: core 0, MPIDR 0x80000000, releasing core 1',
    `core 1 is up: MPIDR 0x80000001, started at the EVP vector 0x${entry.value.toString(16).padStart(8, '0')}`,
    'core 1 counted to 1000 while core 0 waited',
    'cpu1_release: ok',
    '',
  ]);
  assert.equal(r.errors, 0, 'no guest errors');
});

test('on a one-core tegra2-xoom the same program waits for core 1 in vain and says so', () => {
  const r = run(1);
  assert.equal(r.stop, 'exit 1', r.out);
  assert.match(r.out, /^core 1 did not start within 100 ms$/m);
});
