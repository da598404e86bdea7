/**
 * A power-off end to end: a program on tegra2-xoom with a TPS6586x on the DVC
 * (as the Tegra20 reference boards have it) sends the PMU the write Linux's
 * tps6586x_power_off sends; `bringup run --record` ends with the power-off
 * (expect end: poweroff) and `bringup replay --verify` reproduces the run,
 * whose last chunk was hashed after the I2C transfer's end event.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-power-off-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const bringup = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bringup'), ...args], { encoding: 'utf8', cwd: tmp });

/**
 * Loaded as a raw image at 0x10000: one I2C packet to 0x34 on the DVC
 * (TX_FIFO at 0x7000d060): header, size - 1, address with IE_ENABLE, then the
 * payload SUPPLYENE (0x14) = SLEEP_MODE (0x08); then it spins.
 */
const PROGRAM = [
  0xe59f0020, // ldr r0, =0x7000d060
  0xe59f1020, // ldr r1, =0x00010010   protocol I2C, packet id 1
  0xe5801000, // str r1, [r0]
  0xe3a01001, // mov r1, #1            two bytes
  0xe5801000, // str r1, [r0]
  0xe59f1014, // ldr r1, =0x00020068   IE_ENABLE | 0x34 << 1
  0xe5801000, // str r1, [r0]
  0xe59f1010, // ldr r1, =0x00000814   0x14, 0x08
  0xe5801000, // str r1, [r0]
  0xeafffffe, // b .
  0x7000d060, 0x00010010, 0x00020068, 0x00000814,
];

function setUp(pmu: boolean): string {
  const dir = fs.mkdtempSync(path.join(tmp, pmu ? 'pmu-' : 'xoom-'));
  const image = Buffer.alloc(PROGRAM.length * 4);
  PROGRAM.forEach((w, i) => image.writeUInt32LE(w >>> 0, i * 4));
  fs.writeFileSync(path.join(dir, 'power-off.bin'), image);
  const xoom = fs.readFileSync(path.join(ROOT, 'machine', 'boards', 'tegra2-xoom.yaml'), 'utf8');
  const dvc = '    type: nvidia,tegra20-i2c-dvc\n';
  assert.ok(xoom.includes(dvc));
  fs.writeFileSync(path.join(dir, 'board.yaml'), xoom.replace(/^name: tegra2-xoom$/m, 'name: xoom-with-pmu')
    .replace(dvc, pmu ? `${dvc}    props: { tps6586x-address: 0x34 }\n` : dvc));
  fs.writeFileSync(path.join(dir, 'power-off.yaml'), 'name: power-off\nboard: board.yaml\nprofile: linux\nboot:\n  kernel: power-off.bin\nexpect:\n  end: poweroff\nlimits: { instructions: 10M }\n');
  return dir;
}

test('the TPS6586x on the DVC powers the board off: the run ends with a power-off by dvc and replays identically', () => {
  const dir = setUp(true);
  const run = bringup('run', '--record', path.join(dir, 'run.bur'), path.join(dir, 'power-off.yaml'));
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /ok {5}the run ends with a power-off/);
  assert.match(run.stdout, /ended with a power-off by dvc/);
  const replay = bringup('replay', path.join(dir, 'run.bur'), '--verify');
  assert.equal(replay.status, 0, replay.stdout + replay.stderr);
  assert.match(replay.stdout, /replay identical: .* ends with a power-off by dvc/);
});

test('without a PMU on the DVC the write is not acknowledged and the run goes to its limit, failing end: poweroff', () => {
  const dir = setUp(false);
  const run = bringup('run', path.join(dir, 'power-off.yaml'));
  assert.equal(run.status, 3, run.stdout + run.stderr);
  assert.match(run.stdout, /the run ends with a power-off/);
});
