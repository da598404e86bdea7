import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMachine, boardsDir } from '../../scenario/boards';
import { parseElf } from '../../machine/loaders/elf';
import { tinyElf } from '../support/tiny-elf';

import { tempDir } from '../support/temp-dirs';

// movw/movt r0 = UARTD; strb 'h', 'i'; semihosting SYS_EXIT(ApplicationExit)
const HELLO = [0xe3060300, 0xe3470000, 0xe3a01068, 0xe5c01000, 0xe3a01069, 0xe5c01000,
  0xe3a00018, 0xe3001026, 0xe3401002, 0xef123456];

function run(board: string): { out: string; devices: number } {
  const m = createMachine(board);
  m.loadElf(parseElf(tinyElf(0x00100000, HELLO)));
  m.enableSemihosting({ host: { console: () => {} } });
  let out = '';
  m.probes.console.subscribe((d, data) => { if (d === m.board.boot.console) out += Buffer.from(data).toString('latin1'); });
  assert.deepEqual(m.run(100), { kind: 'exit', code: 0 });
  return { out, devices: m.devices.size };
}

test('a third board (Tegra20 Ventana) is a YAML file away: no code changes', () => {
  const xoom = fs.readFileSync(path.join(boardsDir(), 'tegra2-xoom.yaml'), 'utf8');
  const ventana = xoom
    .replace(/^name: tegra2-xoom$/m, 'name: tegra20-ventana')
    .replace(/^description: .*$/m, 'description: NVIDIA Ventana, Tegra20, one 1 GiB bank')
    .replace(/  - \{ name: dram-bank0.*\n  - \{ name: dram-bank1.*\n/, '  - { name: dram, base: 0x00000000, size: 1GiB }\n');
  assert.notEqual(ventana, xoom);
  const dir = tempDir('bringup-ventana-');
  const file = path.join(dir, 'tegra20-ventana.yaml');
  fs.writeFileSync(file, ventana);
  const v = run(file);
  assert.equal(v.out, 'hi');
  const m = createMachine(file);
  assert.equal(m.board.name, 'tegra20-ventana');
  assert.deepEqual(m.board.memory.map((r) => [r.name, r.size]), [['dram', 1 << 30], ['iram', 256 << 10]]);
  assert.equal(run('tegra2-xoom').out, 'hi');
});
