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
import { serializeFdt, cells, type FdtNode } from '../../machine/boot/fdt';

import { ROOT as root } from '../support/environment';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-exec-boot-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function bringup(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('bringup exec --dtb on tegra2-xoom (an ATAG board) boots with the device tree; a file that is no device tree is refused, naming it, exit 2', () => {
  // A raw kernel that spins (b .): the boot is accepted and runs to the instruction limit.
  const kernel = path.join(tmp, 'spin.img');
  fs.writeFileSync(kernel, Uint8Array.from([0xfe, 0xff, 0xff, 0xea]));
  const node = (name: string, props: Record<string, Uint8Array>, children: FdtNode[] = []): FdtNode => ({ name, props: new Map(Object.entries(props)), children });
  const dtb = path.join(tmp, 'tegra20-xoom.dtb');
  fs.writeFileSync(dtb, serializeFdt({ reserved: [], bootCpuId: 0, root: node('', { '#address-cells': cells([1]), '#size-cells': cells([1]) }, [node('chosen', {})]) }));
  const ok = bringup('exec', '--board', 'tegra2-xoom', '--kernel', kernel, '--dtb', dtb, '--append', 'console=ttyS0,115200n8', '--max-insns', '1000');
  assert.equal(ok.status, 3, ok.stderr);
  assert.doesNotMatch(ok.stderr, /ATAG|device tree/);

  const junk = path.join(tmp, 'board.dtb');
  fs.writeFileSync(junk, 'x');
  const r = bringup('exec', '--board', 'tegra2-xoom', '--kernel', kernel, '--dtb', junk);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /board\.dtb: device tree blob is truncated \(no header\)\n$/);
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
