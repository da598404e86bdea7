/**
 * `bringup exec` boots through the one boot function: a boot it cannot make
 * is bad input (exit 2) with a message naming the image and the board file
 * only when the board may be at fault.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

import { ROOT as root } from '../support/environment';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-exec-boot-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('bringup exec with a device tree for an ATAG board is refused, naming the device tree, exit 2', () => {
  const dtb = path.join(tmp, 'board.dtb');
  fs.writeFileSync(dtb, 'x');
  const r = bringup('exec', '--board', 'tegra2-xoom', '--kernel', path.join(root, 'firmware', 'build', 'hypervisor.elf'), '--dtb', dtb);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bringup: boot: board tegra2-xoom boots with ATAGs; a device tree \(.*board\.dtb\) is not used by this protocol\n$/);
});

test('bringup exec names a custom board file when an image does not fit it, and not when the image is no ELF', () => {
  const board = path.join(tmp, 'board.yaml');
  fs.copyFileSync(path.join(root, 'machine', 'boards', 'vexpress-a9.yaml'), board);
  const misfit = bringup('exec', '--board', board, path.join(root, 'firmware', 'build', 'hypervisor.elf'));
  assert.equal(misfit.status, 2);
  assert.match(misfit.stderr, /hypervisor\.elf: segment at 0x100000 .* is outside the RAM of board vexpress-a9 \(board file .*board\.yaml\)\n$/);
  const junk = path.join(tmp, 'junk.elf');
  fs.writeFileSync(junk, 'x');
  const bad = bringup('exec', '--board', board, junk);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /junk\.elf: truncated ELF header \(1 bytes\)\n$/);
});
