#!/usr/bin/env node
// Boots Debian's armmp Linux kernel on the simulated vexpress-a9 and, for
// comparison, on qemu-system-arm -M vexpress-a9 with the same kernel, DTB and
// initramfs. The kernel and DTB are fetched with `apt-get download` into
// .cache/linux (never committed). Prints instructions executed and wall times.
//
//   npm run linux:vexpress [-- --max-insns N] [--until TEXT] [--no-qemu]
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cache = path.join(root, '.cache', 'linux');
const args = process.argv.slice(2);
const argValue = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const until = argValue('--until', 'Run /init as init process');
const maxInsns = argValue('--max-insns', '20G');
const cmdline = 'console=ttyAMA0 rdinit=/init panic=-1';

function sh(cmd, opts = {}) {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd}\n${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

function fetchKernel() {
  fs.mkdirSync(cache, { recursive: true });
  const existing = fs.readdirSync(cache).find((f) => /^vmlinuz-.*-armmp$/.test(f));
  if (existing && fs.existsSync(path.join(cache, 'vexpress-v2p-ca9.dtb'))) return path.join(cache, existing);
  console.error('fetching the Debian armmp kernel (apt-get download) ...');
  const arches = sh('dpkg --print-foreign-architectures');
  // A partly failed update (e.g. a mirror mid-sync) still leaves usable indexes.
  const update = () => spawnSync('sh', ['-c', 'apt-get update -qq'], { stdio: 'ignore' });
  if (!arches.split('\n').includes('armhf')) {
    sh('dpkg --add-architecture armhf');
    update();
  }
  let pkg = '';
  try { pkg = sh("apt-cache depends linux-image-armmp:armhf | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'"); } catch { /* fall through */ }
  if (!pkg) { update(); pkg = sh("apt-cache depends linux-image-armmp:armhf | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'"); }
  if (!pkg) throw new Error('could not find the armmp kernel package (apt-cache depends linux-image-armmp:armhf)');
  pkg = pkg.replace(/:armhf$/, '');
  sh(`cd '${cache}' && apt-get download ${pkg}:armhf`);
  const deb = fs.readdirSync(cache).find((f) => f.startsWith(pkg) && f.endsWith('.deb'));
  const x = path.join(cache, 'extract');
  sh(`rm -rf '${x}' && dpkg-deb -x '${path.join(cache, deb)}' '${x}'`);
  const vmlinuz = fs.readdirSync(path.join(x, 'boot')).find((f) => f.startsWith('vmlinuz-'));
  fs.copyFileSync(path.join(x, 'boot', vmlinuz), path.join(cache, vmlinuz));
  const dtb = sh(`find '${x}' -name vexpress-v2p-ca9.dtb | head -1`);
  if (!dtb) throw new Error('vexpress-v2p-ca9.dtb not found in the kernel package');
  fs.copyFileSync(dtb, path.join(cache, 'vexpress-v2p-ca9.dtb'));
  sh(`rm -rf '${x}'`);
  return path.join(cache, vmlinuz);
}

/** A newc cpio archive holding /init; the kernel says "Run /init as init process" before executing it. */
function initramfs() {
  const file = path.join(cache, 'initramfs.cpio');
  const entries = [
    { name: 'init', mode: 0o100755, data: Buffer.from('#!/bin/sh\necho init\n') },
    { name: 'TRAILER!!!', mode: 0, data: Buffer.alloc(0) },
  ];
  const parts = [];
  let ino = 1;
  for (const e of entries) {
    const name = Buffer.from(e.name + '\0');
    const fields = [0x070701, ino++, e.mode, 0, 0, 1, 0, e.data.length, 0, 0, 0, 0, name.length, 0];
    const header = Buffer.from(fields.map((v, i) => (i === 0 ? '070701' : v.toString(16).padStart(8, '0'))).join(''));
    const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
    parts.push(header, name, pad(header.length + name.length), e.data, pad(e.data.length));
  }
  fs.writeFileSync(file, Buffer.concat(parts));
  return file;
}

function runBringup(kernel, dtb, initrd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'exec', '--board', 'vexpress-a9',
    '--kernel', kernel, '--dtb', dtb, '--initrd', initrd, '--append', cmdline, '--until', until, '--max-insns', maxInsns],
  { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(r.stdout.endsWith('\n') ? r.stdout : r.stdout + '\n');
  const m = /after (\d+) instructions/.exec(r.stderr);
  return { seconds, status: r.status, insns: m ? Number(m[1]) : undefined, reached: r.stdout.includes(until), stderr: r.stderr };
}

function runQemu(kernel, dtb, initrd) {
  return new Promise((resolve) => {
    if (spawnSync('qemu-system-arm', ['--version']).error) { resolve({ skipped: 'qemu-system-arm not installed' }); return; }
    const t0 = process.hrtime.bigint();
    const q = spawn('qemu-system-arm', ['-M', 'vexpress-a9,secure=off', '-m', '1024M', '-nographic', '-monitor', 'none',
      '-kernel', kernel, '-dtb', dtb, '-initrd', initrd, '-append', cmdline], { env: { ...process.env, QEMU_AUDIO_DRV: 'none' } });
    let out = '';
    const done = (reached) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      q.kill('SIGKILL');
      resolve({ seconds, reached });
    };
    const timer = setTimeout(() => done(false), 300_000);
    q.stdout.on('data', (d) => { out += d.toString('latin1'); if (out.includes(until)) { clearTimeout(timer); done(true); } });
    q.on('exit', () => { clearTimeout(timer); done(out.includes(until)); });
  });
}

async function main() {
  const kernel = fetchKernel();
  const dtb = path.join(cache, 'vexpress-v2p-ca9.dtb');
  const initrd = initramfs();
  console.error(`kernel ${path.basename(kernel)}, dtb ${path.basename(dtb)}, initramfs with /init`);
  const ours = runBringup(kernel, dtb, initrd);
  if (!ours.reached) process.stderr.write(ours.stderr);
  const report = { bench: 'linux-vexpress', kernel: path.basename(kernel), reached: ours.reached, instructions: ours.insns, seconds: +ours.seconds.toFixed(2) };
  console.log(JSON.stringify(report));
  if (!args.includes('--no-qemu')) {
    const q = await runQemu(kernel, dtb, initrd);
    console.log(JSON.stringify({ bench: 'linux-vexpress-qemu', ...q, seconds: q.seconds !== undefined ? +q.seconds.toFixed(2) : undefined }));
  }
  process.exit(ours.reached ? 0 : 1);
}

main().catch((e) => { console.error(e.message); process.exit(2); });
