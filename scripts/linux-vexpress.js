#!/usr/bin/env node
// Boots Debian's armmp Linux kernel on the simulated vexpress-a9 to a busybox
// shell, types `uname -a; cat /proc/cpuinfo; echo done` on the console once the
// prompt appears, and checks what the shell prints. For comparison, the same
// kernel, DTB, initramfs and typed input run on qemu-system-arm -M vexpress-a9.
//
// The kernel (linux-image-*-armmp:armhf, with the vexpress DTB) and busybox
// (busybox-static:armhf: Thumb-2, hard-float userspace) are fetched with
// `apt-get download` into .cache/linux (never committed); the initramfs is
// built from them here, with the scenario .cache/linux/linux-vexpress.yaml
// that `bringup run --record` runs (the commands are typed once the prompt
// has appeared: input: after). Prints JSON lines: bringup's instructions and
// wall seconds (to the end of the session, and to the shell's first prompt),
// QEMU's wall seconds from the same run, plain and in its record mode
// (-icount shift=0,rr=record, timed to the first prompt: typed characters do
// not survive that mode) with bringup's time to the prompt over the latter,
// the boot to the shell on both sides; with --replay whether `bringup replay --verify` reproduces the
// recorded run chunk for chunk; with --twice whether a second run gives the
// same console, instruction counts and recording (`bringup diff`).
//
// --smp N (1 to 4, default 1) runs N cores on both, as QEMU's -smp: the
// scenario gets `smp: N`, QEMU `-smp N`. The secondaries wait in the boot
// stub until the kernel starts them; the checks then also want the kernel's
// "SMP: Total of N processors activated" and N processors in /proc/cpuinfo,
// and the kernel's lines about the CPUs are printed (the DTB describes the
// CoreTile's four cores, so with fewer the kernel reports the missing ones as
// failed to boot, as on QEMU). Files of a run with N > 1 carry `-smpN` in
// their names.
//
//   npm run linux:vexpress [-- --max-insns N] [--smp N] [--no-qemu] [--replay] [--twice]
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root, cache, PROMPT, sh, ensureArmhf, fetchBusybox, initramfs, parseCount, runBringup: runScenario, verifyReplay } = require('./linux-common');

const args = process.argv.slice(2);
const argValue = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const cmdline = 'console=ttyAMA0 rdinit=/init panic=-1';
const smp = (() => {
  const v = argValue('--smp', '1');
  if (!/^[1-4]$/.test(v)) { console.error(`--smp ${v}: give a number of cores from 1 to 4 (vexpress-a9's CoreTile A9x4)`); process.exit(2); }
  return Number(v);
})();
/** File names of a run on several cores carry the core count. */
const suffix = smp > 1 ? `-smp${smp}` : '';

/** What is typed after the shell's prompt, and when the session is over. */
const COMMANDS = 'uname -a; cat /proc/cpuinfo; echo done\n';
/** Virtual time between the prompt appearing and the first typed byte: 10 ms at 1 GHz. */
const TYPE_DELAY = 10_000_000;

/**
 * What the console must show (it has \r\n line ends). The scenario expects
 * them in the order printed: the kernel's SMP line comes before the answers.
 */
const CHECKS = {
  uname: /^Linux \S+ \d+\.\d+\.\d+\S* #.* armv7l( GNU\/Linux)?\r?$/m,
  cpuinfo: /^model name\s*:\s*ARMv7 Processor/m,
  done: /^done\r?$/m,
  // Several cores: the kernel brought them all up, and /proc/cpuinfo lists the last one.
  ...(smp > 1 ? {
    smp: new RegExp(`SMP: Total of ${smp} processors activated`),
    processors: new RegExp(`^processor\\s*:\\s*${smp - 1}\\r?$`, 'm'),
  } : {}),
};
/** The kernel's lines about the CPUs (printed with --smp). */
const CPU_LINES = /^(?:\[[ \d.]+\] )?(?:CPU\d+: (?:thread|failed|stopping)|smp: |SMP: ).*$/gm;

function fetchKernel() {
  fs.mkdirSync(cache, { recursive: true });
  const existing = fs.readdirSync(cache).find((f) => /^vmlinuz-.*-armmp$/.test(f));
  if (existing && fs.existsSync(path.join(cache, 'vexpress-v2p-ca9.dtb'))) return path.join(cache, existing);
  console.error('fetching the Debian armmp kernel (apt-get download) ...');
  const update = ensureArmhf();
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

/** The scenario under `bringup run --record` (scripts/linux-common.js), checked with CHECKS. */
const runBringup = (scenario, recording, { echo }) => runScenario(scenario, recording, { echo, checkOutput });

const cpuLines = (out) => (out.match(CPU_LINES) ?? []).map((l) => l.replace(/\r$/, ''));
const checkOutput = (out) => Object.fromEntries(Object.entries(CHECKS).map(([k, re]) => [k, re.test(out)]));

/** After the typed commands: "done" on a line of its own, then the next prompt. */
function sessionOver(out, typedAt) {
  const after = out.slice(typedAt);
  const m = CHECKS.done.exec(after);
  return m !== null && after.indexOf(PROMPT, m.index) >= 0;
}

/**
 * The boot as a bringup scenario next to the images: the commands are typed
 * TYPE_DELAY after the prompt appears (input: after), and the run stops once
 * the shell has answered (expect.end: matched).
 */
function writeScenario(images, limit) {
  const file = path.join(cache, `linux-vexpress${suffix}.yaml`);
  const rel = (f) => path.relative(cache, f);
  const source = (re) => JSON.stringify(`/${re.source}/${re.flags}`);
  fs.writeFileSync(file, `# yaml-language-server: $schema=${path.relative(cache, path.join(root, 'schemas', 'scenario.schema.json'))}
# Written by scripts/linux-vexpress.js: Debian's armmp kernel and busybox to a shell.
name: linux-vexpress${suffix}
board: vexpress-a9
${smp > 1 ? `smp: ${smp}\n` : ''}profile: linux
boot:
  kernel: ${rel(images.kernel)}
  dtb: ${rel(images.dtb)}
  initrd: ${rel(images.initrd)}
  cmdline: ${cmdline}
input:
  - { after: ${JSON.stringify(PROMPT)}, delay: ${TYPE_DELAY}, text: ${JSON.stringify(COMMANDS)} }
expect:
  console: [${[...(smp > 1 ? [CHECKS.smp] : []), CHECKS.uname, CHECKS.cpuinfo, ...(smp > 1 ? [CHECKS.processors] : []), CHECKS.done].map(source).join(', ')}]
  never: ["/Kernel panic|Internal error: Oops/"]
  end: matched
limits: { instructions: ${limit} }
`);
  return file;
}

/**
 * The same images and typed input on qemu-system-arm; its wall time from
 * start to the prompt after "done". `extra`: more QEMU arguments (record mode).
 * `toPrompt`: the time to the first prompt instead, nothing typed (QEMU's
 * record mode mangles characters typed on its serial console, so the
 * session could not finish; the commands are about 1% of the session).
 */
function runQemu(images, extra = [], toPrompt = false) {
  return new Promise((resolve) => {
    if (spawnSync('qemu-system-arm', ['--version']).error) { resolve({ skipped: 'qemu-system-arm not installed (apt-get install qemu-system-arm)' }); return; }
    const t0 = process.hrtime.bigint();
    const q = spawn('qemu-system-arm', ['-M', 'vexpress-a9,secure=off', '-smp', String(smp), '-m', '1024M', '-nographic', '-monitor', 'none',
      '-serial', 'stdio', '-kernel', images.kernel, '-dtb', images.dtb, '-initrd', images.initrd, '-append', cmdline, ...extra],
    { env: { ...process.env, QEMU_AUDIO_DRV: 'none' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let typedAt = -1;
    let finished = false;
    const done = (reached) => {
      if (finished) return;
      finished = true;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      clearTimeout(timer);
      q.kill('SIGKILL');
      resolve({ seconds, reached, ...(toPrompt ? { measured_to: 'prompt' } : { checks: checkOutput(out) }), ...(smp > 1 ? { cpu_lines: cpuLines(out) } : {}) });
    };
    const timer = setTimeout(() => done(false), 600_000);
    q.stdin.on('error', () => {});
    q.stdout.on('data', (d) => {
      out += d.toString('latin1');
      if (toPrompt && out.includes(PROMPT)) { done(true); return; }
      if (typedAt < 0 && out.includes(PROMPT)) { typedAt = out.length; q.stdin.write(COMMANDS); }
      if (typedAt >= 0 && sessionOver(out, typedAt)) done(true);
    });
    q.on('exit', () => done(false));
  });
}

async function main() {
  const limit = parseCount('--max-insns', argValue('--max-insns', '40G'));
  const kernel = fetchKernel();
  const busybox = fetchBusybox();
  const images = { kernel, dtb: path.join(cache, 'vexpress-v2p-ca9.dtb'), initrd: initramfs(busybox.file) };
  const scenario = writeScenario(images, limit);
  console.error(`kernel ${path.basename(kernel)}, dtb ${path.basename(images.dtb)}, initramfs with busybox ${busybox.version}; typing ${JSON.stringify(COMMANDS)} after '${PROMPT}'`);
  console.error(`scenario ${path.relative(root, scenario)}`);

  const first = path.join(cache, `linux-vexpress${suffix}.bur`);
  const ours = await runBringup(scenario, first, { echo: true });
  if (!ours.reached) console.error(`bringup: the session did not finish (bringup run exit ${ours.status} after ${ours.instructions} instructions)`);
  let ok = ours.reached && Object.values(ours.checks).every(Boolean);
  console.log(JSON.stringify({
    bench: `linux-vexpress${suffix}`, kernel: path.basename(kernel), busybox: busybox.version, cores: smp, shell: ours.reached, checks: ours.checks,
    instructions: ours.instructions, input_at: ours.inputAt, seconds: +ours.seconds.toFixed(2),
    ...(ours.promptSeconds !== undefined ? { seconds_to_prompt: +ours.promptSeconds.toFixed(2) } : {}),
    mips: +(ours.instructions / ours.seconds / 1e6).toFixed(1), recording: path.relative(root, first), recording_bytes: ours.bytes,
    recording_bytes_per_1000_instructions: ours.instructions ? +(ours.bytes / ours.instructions * 1000).toFixed(3) : 0, index_bytes: ours.indexBytes, chunks: ours.chunks,
    ...(smp > 1 ? { cpu_lines: cpuLines(ours.out) } : {}),
  }));
  if (args.includes('--replay')) {
    const v = verifyReplay(first);
    ok = ok && v.ok;
    console.log(JSON.stringify({ bench: `linux-vexpress${suffix}-replay`, identical: v.ok, seconds: +v.seconds.toFixed(2), report: v.report }));
  }
  if (args.includes('--twice')) {
    const second = path.join(cache, `linux-vexpress${suffix}-2.bur`);
    const again = await runBringup(scenario, second, { echo: false });
    const identicalOutput = again.out === ours.out;
    const identicalCount = again.instructions === ours.instructions && again.inputAt === ours.inputAt;
    const diff = spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), 'diff', first, second], { encoding: 'utf8' });
    const same = identicalOutput && identicalCount && diff.status === 0;
    ok = ok && same;
    console.log(JSON.stringify({
      bench: `linux-vexpress${suffix}-determinism`, identical_console: identicalOutput, identical_instructions: identicalCount,
      diff: diff.stdout.trim().split('\n')[0], instructions: [ours.instructions, again.instructions],
      console_bytes: [ours.out.length, again.out.length], seconds: +again.seconds.toFixed(2),
    }));
  }
  if (!args.includes('--no-qemu')) {
    const q = await runQemu(images);
    console.log(JSON.stringify({ bench: `linux-vexpress${suffix}-qemu`, ...q, seconds: q.seconds !== undefined ? +q.seconds.toFixed(2) : undefined }));
    // QEMU's own deterministic mode, the peer of a recorded run: instruction counting and its record/replay log.
    const rrfile = path.join(cache, `qemu-rr${suffix}.bin`);
    const rr = await runQemu(images, ['-icount', `shift=0,rr=record,rrfile=${rrfile}`], true);
    fs.rmSync(rrfile, { force: true });
    console.log(JSON.stringify({
      bench: `linux-vexpress${suffix}-qemu-record`, mode: '-icount shift=0,rr=record', ...rr, seconds: rr.seconds !== undefined ? +rr.seconds.toFixed(2) : undefined,
      ...(rr.seconds !== undefined && rr.reached && ours.promptSeconds !== undefined ? { ratio_bringup_over_qemu_record: +(ours.promptSeconds / rr.seconds).toFixed(2) } : {}),
    }));
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { console.error(e.stack || e.message); process.exit(2); });
