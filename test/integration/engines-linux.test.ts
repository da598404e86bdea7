/**
 * The two engines on Linux: the first 200 M instructions of Debian's armmp
 * kernel booting on vexpress-a9 (decompression, early MMU setup, the kernel
 * proper, on one core and on two), run under the interpreter and under the
 * jit engine, give the same chain of state hashes and the same console. The
 * kernel, device tree and initramfs are the ones `npm run linux:vexpress`
 * fetches and builds into .cache/linux; without them the test is skipped.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootBoard } from '../../scenario/boards';
import type { Engine } from '../../machine/cpu/engine';
import { runHashed } from '../support/hash-chain';

const root = path.resolve(__dirname, '..', '..', '..');
const cache = path.join(root, '.cache', 'linux');
const PREFIX = 200_000_000;
const CHUNK = 10_000_000;

function images(): { kernel: string; dtb: string; initrd: string } | undefined {
  if (!fs.existsSync(cache)) return undefined;
  const kernel = fs.readdirSync(cache).find((f) => /^vmlinuz-.*-armmp$/.test(f));
  const dtb = path.join(cache, 'vexpress-v2p-ca9.dtb');
  const initrd = path.join(cache, 'initramfs-busybox.cpio');
  if (!kernel || !fs.existsSync(dtb) || !fs.existsSync(initrd)) return undefined;
  return { kernel: path.join(cache, kernel), dtb, initrd };
}

const found = images();
const skip = found ? false : 'Debian\'s kernel is not in .cache/linux: run `npm run linux:vexpress` once to fetch it';

function boot(engine: Engine, cores: number): { hashes: string[]; console: string; icount: number } {
  const img = found!;
  const file = (f: string) => ({ name: path.basename(f), data: new Uint8Array(fs.readFileSync(f)) });
  const { machine: m } = bootBoard({
    board: 'vexpress-a9', cores, kernel: file(img.kernel), dtb: file(img.dtb), initrd: file(img.initrd),
    cmdline: 'console=ttyAMA0 rdinit=/init panic=-1',
  });
  for (const cpu of m.cpus) cpu.engine = engine;
  let output = '';
  m.probes.console.subscribe((_device, data) => { output += Buffer.from(data).toString('latin1'); });
  const run = runHashed(m, PREFIX, CHUNK);
  return { hashes: run.hashes, console: output, icount: run.icount };
}

for (const cores of [1, 2]) {
  test(`Linux boot on ${cores} core${cores > 1 ? 's' : ''}: the first ${PREFIX / 1e6} M instructions are the same run under both engines`, { skip }, () => {
    const a = boot('interpreter', cores);
    const b = boot('jit', cores);
    assert.equal(a.icount, PREFIX);
    assert.equal(b.console, a.console);
    assert.deepEqual(b.hashes, a.hashes);
  });
}
