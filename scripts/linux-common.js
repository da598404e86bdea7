// What the scripts that boot Linux to a busybox shell share
// (linux-vexpress.js, linux-tegra.js): shell commands, Debian's armhf
// packages fetched with apt-get download, the busybox initramfs, running a
// scenario under `bringup run --record` and checking a recording with
// `bringup replay --verify`.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
/** Where downloaded packages and the initramfs live (never committed). */
const cache = path.join(root, '.cache', 'linux');
/** The shell's prompt, set by /init. */
const PROMPT = 'busybox# ';

function sh(cmd, opts = {}) {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd}\n${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

/** dpkg knows armhf and apt has its package lists (a partly failed update still leaves usable ones). */
function ensureArmhf() {
  const update = () => spawnSync('sh', ['-c', 'apt-get update -qq'], { stdio: 'ignore' });
  if (!sh('dpkg --print-foreign-architectures').split('\n').includes('armhf')) {
    sh('dpkg --add-architecture armhf');
    update();
  }
  return update;
}

/** Debian's statically linked busybox for armhf, extracted from busybox-static:armhf. */
function fetchBusybox() {
  fs.mkdirSync(cache, { recursive: true });
  const bin = path.join(cache, 'busybox');
  const debOf = () => fs.readdirSync(cache).find((f) => f.startsWith('busybox-static_') && f.endsWith('_armhf.deb'));
  if (!debOf()) {
    console.error('fetching busybox-static:armhf (apt-get download) ...');
    const update = ensureArmhf();
    const r = spawnSync('sh', ['-c', `cd '${cache}' && apt-get download busybox-static:armhf`], { encoding: 'utf8' });
    if (r.status !== 0) { update(); sh(`cd '${cache}' && apt-get download busybox-static:armhf`); }
  }
  const deb = debOf();
  if (!deb) throw new Error('busybox-static:armhf was not downloaded');
  const version = deb.replace(/^busybox-static_/, '').replace(/_armhf\.deb$/, '').replace(/%3a/g, ':');
  if (!fs.existsSync(bin)) {
    const x = path.join(cache, 'busybox-extract');
    sh(`rm -rf '${x}' && dpkg-deb -x '${path.join(cache, deb)}' '${x}'`);
    fs.copyFileSync(path.join(x, 'bin', 'busybox'), bin);
    sh(`rm -rf '${x}'`);
  }
  return { file: bin, version };
}

/*
 * /init: busybox installs its applet links, mounts proc, sysfs and devtmpfs,
 * then runs an interactive shell on the console as the session leader with
 * the console as its controlling terminal (setsid cttyhack).
 */
const INIT = `#!/bin/sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "init: busybox $(busybox | head -n 1 | cut -d ' ' -f 2) on $(uname -m), starting a shell"
export PS1='${PROMPT}' HOME=/root PATH=/bin:/sbin:/usr/bin:/usr/sbin
cd /root
exec setsid cttyhack sh
`;

/** A newc cpio archive: /init, /bin/busybox with /bin/sh, the mount points and /dev/console. */
function initramfs(busybox) {
  const file = path.join(cache, 'initramfs-busybox.cpio');
  const dir = (name) => ({ name, mode: 0o040755, data: Buffer.alloc(0) });
  const entries = [
    ...['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'root', 'tmp'].map(dir),
    { name: 'dev/console', mode: 0o020600, data: Buffer.alloc(0), rdev: [5, 1] },
    { name: 'bin/busybox', mode: 0o100755, data: fs.readFileSync(busybox) },
    { name: 'bin/sh', mode: 0o120777, data: Buffer.from('busybox') },
    { name: 'init', mode: 0o100755, data: Buffer.from(INIT) },
    { name: 'TRAILER!!!', mode: 0, data: Buffer.alloc(0) },
  ];
  const parts = [];
  let ino = 1;
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  for (const e of entries) {
    const name = Buffer.from(e.name + '\0');
    const [rmaj, rmin] = e.rdev ?? [0, 0];
    const fields = [ino++, e.mode, 0, 0, e.mode & 0o040000 ? 2 : 1, 0, e.data.length, 0, 0, rmaj, rmin, name.length, 0];
    const header = Buffer.from('070701' + fields.map((v) => v.toString(16).padStart(8, '0')).join(''));
    parts.push(header, name, pad(header.length + name.length), e.data, pad(e.data.length));
  }
  fs.writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** A count such as 40G, 500M or 1200000 (for --max-insns). */
function parseCount(option, v) {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(v ?? '');
  if (!m) throw new UsageError(`${option} ${v ?? ''}: give a count such as 40G, 500M or 1200000`);
  return Number(m[1]) * { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2].toUpperCase()];
}

/** Bad command-line use: the script prints the message and exits with status 2. */
class UsageError extends Error {}

/**
 * `bringup run --record` over a scenario, console live when `echo`; the console
 * text and figures come from the recording. `checkOutput(out)` gives the checks.
 * Resolves when the run has ended; `promptSeconds` is the wall time from the
 * start to the shell's first prompt on the console (the boot to the shell, as
 * QEMU's runs are timed), seen as the run prints its console (it gives the
 * event loop a turn every 50 ms, so within about that).
 */
function runBringup(scenario, recording, { echo, checkOutput }) {
  const { RecordingReader } = require('../dist/replay/reader');
  fs.rmSync(recording, { force: true }); // a recording left from an earlier run is not this run's
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - t0) / 1e9;
    // The console is watched for the prompt in both cases; shown only when echo.
    const child = spawn(process.execPath, [path.join(root, 'bin', 'bringup'), 'run', '--record', recording, scenario], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    let promptSeconds;
    const kept = [];
    child.stdout.on('data', (d) => {
      if (echo) process.stdout.write(d); else kept.push(d);
      if (promptSeconds !== undefined) return;
      printed = (printed + d.toString('latin1')).slice(-4096);
      if (printed.includes(PROMPT)) promptSeconds = since();
    });
    child.on('close', (status) => {
      const seconds = since();
      // Unless shown live, the run's report is shown when it failed.
      if (!echo && status !== 0) process.stdout.write(Buffer.concat(kept));
      // A scenario bringup refused (exit 2) leaves no recording: nothing ran.
      if (!fs.existsSync(recording)) { resolve({ status, seconds, out: '', instructions: 0, reached: false, checks: checkOutput(''), bytes: 0, chunks: 0 }); return; }
      const rec = RecordingReader.open(recording);
      const out = rec.chunks.flatMap((c) => c.console).filter((c) => c.device === rec.header.boot.console).map((c) => c.text).join('');
      const typed = rec.chunks.flatMap((c) => c.inputs).find((e) => e.injection && e.injection.kind === 'console-input');
      resolve({
        status, seconds, promptSeconds, out, instructions: rec.end ? rec.end.icount : rec.lastIcount, inputAt: typed ? typed.icount : undefined,
        stop: rec.end ? rec.end.stop : undefined,
        reached: status === 0, checks: checkOutput(out), bytes: fs.statSync(recording).size, chunks: rec.chunks.length,
        // The checkpoint index beside it (a cache replay --verify rebuilds), when the checkpoints are there.
        indexBytes: rec.indexFile && fs.existsSync(rec.indexFile) ? fs.statSync(rec.indexFile).size : 0,
      });
    });
  });
}

/** `bringup replay --verify` over a recording: every chunk hash from the boot. */
function verifyReplay(recording) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'replay', recording, '--verify'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stderr.write(r.stdout);
  return { ok: r.status === 0, seconds, report: r.stdout.trim().split('\n').pop() };
}

module.exports = { root, cache, PROMPT, sh, ensureArmhf, fetchBusybox, initramfs, parseCount, UsageError, runBringup, verifyReplay };
