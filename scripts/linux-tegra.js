#!/usr/bin/env node
// Builds mainline Linux (Debian's 6.1 source) for the Tegra20 and boots it on
// the simulated tegra2-xoom to a busybox shell on UARTD, once per device tree.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { root, PROMPT, sh, fetchBusybox, initramfs, parseCount, UsageError, runBringup, verifyReplay } = require('./linux-common');

const HELP = `Usage: npm run linux:tegra [-- OPTIONS]

Builds a small Linux 6.1 for the Tegra20 from Debian's source package
(/usr/src/linux-source-6.1.tar.xz), configured from allnoconfig plus
linux/tegra20/xoom.config, with the device trees appended to the zImage, and
boots it on the simulated tegra2-xoom (both Cortex-A9 cores) to a busybox
shell on UARTD, once per device tree: the Xoom's own
(linux/tegra20/tegra20-xoom.dts) and the mainline ventana, harmony and
seaboard trees. Each boot is a recorded scenario: the shell must answer, list
two processors in /proc/cpuinfo, count each CPU's timer interrupts on its own
Tegra timer in /proc/interrupts, echo a typed 100-character line intact, read
the fuses (through the APB DMA) and show its dmesg (its probe failures and
timeouts are printed); then 'reboot -f' must end the run with the PMC's reset
(the Xoom's tree) or 'poweroff -f' with the TPS6586x power management unit's
power-off (the reference boards' trees, which run on tegra2-xoom with that
unit added on the DVC bus); 'bringup replay --verify' then replays the
recording from the boot.

Missing build tools are installed with apt-get; the source, the build and the
images live in .cache/linux-tegra (never committed). A second run reuses the
build when the configuration fragment has not changed.

Options:
  --tree NAME      boot only this device tree (repeat for several):\n                   ${'xoom, ventana, harmony, seaboard, paz00, trimslice'}
  --no-build       use the kernel already built (fails if there is none)
  --max-insns N    instruction limit of each boot (default 40G; 500M, 1200000 ...)
  --help           this text

Output: progress on stderr; one JSON line per tree on stdout (shell reached,
CPUs online, checks, instructions, wall seconds, dmesg problems, replay).
Exit status 0 when every tree passed, 1 when one did not, 2 on bad usage.
QEMU has no Tegra20 machine (qemu-system-arm -M help), so there is no QEMU
run to compare with.`;

const SOURCE_TAR = '/usr/src/linux-source-6.1.tar.xz';
const work = path.join(root, '.cache', 'linux-tegra');
const srcDir = path.join(work, 'linux-source-6.1');
const buildDir = path.join(work, 'build');
const fragment = path.join(root, 'linux', 'tegra20', 'xoom.config');
const xoomDts = path.join(root, 'linux', 'tegra20', 'tegra20-xoom.dts');
const MAKE = ['ARCH=arm', 'CROSS_COMPILE=arm-linux-gnueabihf-', `O=${buildDir}`];

/**
 * The device trees: the Xoom's from this repository, the others from the
 * kernel source. The reference boards' trees (pmu) put a TPS6586x power
 * management unit at 0x34 on the DVC, which their kernels need (the PMC's
 * core supply) and power off through: they run on tegra2-xoom with that PMU
 * added, and end with `poweroff -f` (paz00's PMU is not its power controller:
 * `reboot -f`); the Xoom's tree and trimslice's end with `reboot -f`.
 */
const TREES = {
  xoom: { dts: xoomDts, dtb: 'tegra20-xoom.dtb', end: 'reboot' },
  ventana: { dtb: 'tegra20-ventana.dtb', end: 'poweroff', pmu: true },
  harmony: { dtb: 'tegra20-harmony.dtb', end: 'poweroff', pmu: true },
  seaboard: { dtb: 'tegra20-seaboard.dtb', end: 'poweroff', pmu: true },
  // Their console is UARTA (serial0 in their trees); paz00's TPS6586x is not its system power controller.
  paz00: { dtb: 'tegra20-paz00.dtb', end: 'reboot', pmu: true, console: 'uarta' },
  trimslice: { dtb: 'tegra20-trimslice.dtb', end: 'reboot', console: 'uarta' },
};
/** How each way of ending shows on the console and stops the run. */
const ENDS = {
  reboot: { command: 'reboot -f', line: /reboot: Restarting system/, stop: 'reset' },
  poweroff: { command: 'poweroff -f', line: /reboot: Power down/, stop: 'poweroff' },
};
const DEFAULT_TREES = ['xoom', 'ventana', 'harmony', 'seaboard'];

/** What each tool needs installed, by the Debian package that brings it. */
const TOOLS = [
  ['arm-linux-gnueabihf-gcc', 'gcc-arm-linux-gnueabihf'], ['make', 'make'], ['bc', 'bc'], ['bison', 'bison'],
  ['flex', 'flex'], ['dtc', 'device-tree-compiler'], ['cpp', 'cpp'], ['xz', 'xz-utils'], ['perl', 'perl'],
];

/** A 100-character line typed at the shell: `echo ` and 95 characters that must come back intact. */
const LONG_PAYLOAD = Array.from({ length: 95 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[i % 36]).join('');
const LONG_LINE = `echo ${LONG_PAYLOAD}`;
/** Virtual time between a prompt and the first typed byte: 10 ms at 1 GHz. */
const TYPE_DELAY = 10_000_000;
/**
 * Typed one at a time, each after the prompt the previous one left (each
 * shorter than the UART's FIFO but the long line); then the tree's end command.
 * Reading the fuses' nvmem file makes the fuse driver use the APB DMA.
 */
const COMMANDS = ['uname -a', 'cat /proc/cpuinfo', 'cat /proc/interrupts', LONG_LINE, 'cd /sys/bus/nvmem/devices/fuse', 'od -An -tx4 -N16 nvmem', 'cd; echo dmesg-begin; dmesg', 'echo dmesg-end'];

const CHECKS = {
  uname: /^Linux \S+ 6\.1\.\d+\S* #.* armv7l( GNU\/Linux)?\r?$/m,
  processors: /^processor\s*:\s*1\r?$/m,
  longLine: new RegExp(`^${LONG_PAYLOAD}\\r?$`, 'm'),
  fuses: /^\s*(?:[0-9a-f]{8}\s+){3}[0-9a-f]{8}\r?$/m,
  dmesg: /^dmesg-end\r?$/m,
};
/**
 * Each CPU's clock events come from its own Tegra timer (timer-tegra.c: TMR1
 * for CPU0, TMR2 for CPU1, the interrupt pinned to its CPU): /proc/interrupts
 * has two tegra_timer lines, one counting on CPU0 and one on CPU1.
 */
function perCpuTimers(out) {
  const counts = (out.match(/^\s*\d+:\s+\d+\s+\d+\s.*tegra_timer\r?$/gm) ?? []).map((l) => l.trim().split(/\s+/).slice(1, 3).map(Number));
  return counts.some(([c0, c1]) => c0 > 0 && c1 === 0) && counts.some(([c0, c1]) => c0 === 0 && c1 > 0);
}
const checkOutput = (end) => (out) => ({
  ...Object.fromEntries([...Object.entries(CHECKS), ['end', end.line]].map(([k, re]) => [k, re.test(out)])),
  timers: perCpuTimers(out),
});

/** Kernel log lines that say a driver failed: probe failures, timeouts, errors. */
const PROBLEM = /fail|timed? ?out|timeout|error|unable to|can't|cannot|not found|deferred/i;
/** Lines that match PROBLEM without being one. */
const NOT_A_PROBLEM = /echo dmesg|Kernel command line|Unknown kernel command line|^\s*$/;

const elapsed = (t0) => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

function parseArgs(argv) {
  const opts = { trees: [], build: true, limit: 40e9 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { opts.help = true; continue; }
    if (a === '--no-build') { opts.build = false; continue; }
    if (a === '--tree' || a === '--max-insns') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value (see --help)`);
      if (a === '--max-insns') { opts.limit = parseCount(a, v); continue; }
      if (!TREES[v]) {
        const { nearest } = require('../dist/io/nearest');
        const near = nearest(v, Object.keys(TREES));
        throw new UsageError(`--tree ${v}: no such device tree${near.length ? ` (did you mean ${near[0]}?)` : ''}; the trees are ${Object.keys(TREES).join(', ')}`);
      }
      opts.trees.push(v);
      continue;
    }
    const { nearest } = require('../dist/io/nearest');
    const near = nearest(a, ['--tree', '--no-build', '--max-insns', '--help']);
    throw new UsageError(`unknown option ${a}${near.length ? ` (did you mean ${near[0]}?)` : ''}; see --help`);
  }
  if (opts.trees.length === 0) opts.trees = DEFAULT_TREES;
  return opts;
}

/** Installs with apt-get what the build needs and is missing. */
function ensureTools() {
  const missing = TOOLS.filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0).map(([, pkg]) => pkg);
  if (!fs.existsSync(SOURCE_TAR)) missing.push('linux-source-6.1');
  if (missing.length === 0) return;
  console.error(`installing ${missing.join(' ')} (apt-get install) ...`);
  const r = spawnSync('sh', ['-c', `apt-get install -y -qq ${missing.join(' ')} || (apt-get update -qq && apt-get install -y -qq ${missing.join(' ')})`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed: install them and run again`);
}

/** Prints a progress line every 15 s while `child` runs; resolves with its exit status. */
function withProgress(child, what, t0, count) {
  return new Promise((resolve) => {
    const timer = setInterval(() => console.error(`  ${what}: ${count()} (${elapsed(t0)})`), 15_000);
    child.on('exit', (code) => { clearInterval(timer); resolve(code); });
  });
}

async function unpack() {
  if (fs.existsSync(path.join(srcDir, 'Makefile'))) return;
  fs.mkdirSync(work, { recursive: true });
  console.error(`unpacking ${SOURCE_TAR} into ${path.relative(root, work)} ...`);
  const t0 = Date.now();
  const tar = spawn('nice', ['-n', '19', 'tar', 'xf', SOURCE_TAR, '-C', work], { stdio: 'inherit' });
  const du = () => `${sh(`du -sm '${work}' | cut -f1`)} MB`;
  if (await withProgress(tar, 'unpacked', t0, du) !== 0) throw new Error(`tar xf ${SOURCE_TAR} failed`);
  console.error(`unpacked in ${elapsed(t0)}`);
}

const digest = (...parts) => crypto.createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

/** allnoconfig plus the fragment; warns about options the fragment asks for that Kconfig did not take. */
function configure() {
  const stamp = path.join(buildDir, '.bringup-config');
  const key = digest(fs.readFileSync(fragment, 'utf8'), fs.statSync(SOURCE_TAR).mtimeMs);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return key;
  fs.mkdirSync(buildDir, { recursive: true });
  console.error(`configuring: allnoconfig + ${path.relative(root, fragment)}`);
  sh(`make -s -C '${srcDir}' ${MAKE.join(' ')} KCONFIG_ALLCONFIG='${fragment}' allnoconfig`);
  const config = fs.readFileSync(path.join(buildDir, '.config'), 'utf8');
  for (const line of fs.readFileSync(fragment, 'utf8').split('\n')) {
    const m = /^(CONFIG_\w+)=y$/.exec(line.trim());
    if (m && !config.includes(`${m[1]}=y`)) console.error(`  warning: ${m[1]}=y in ${path.relative(root, fragment)} is not in the configuration (a dependency is missing)`);
  }
  fs.writeFileSync(stamp, key);
  return key;
}

async function build(key) {
  const stamp = path.join(buildDir, '.bringup-built');
  const zImage = path.join(buildDir, 'arch', 'arm', 'boot', 'zImage');
  const dtbs = Object.values(TREES).filter((t) => !t.dts).map((t) => t.dtb);
  if (fs.existsSync(zImage) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) {
    console.error(`kernel: ${path.relative(root, zImage)} (built before, from the same configuration)`);
    return { zImage, seconds: 0, cached: true };
  }
  console.error('building zImage and the device trees (nice -n 19 make -j2; a first build takes a while on a shared machine) ...');
  const t0 = Date.now();
  const log = path.join(work, 'build.log');
  const out = fs.openSync(log, 'w');
  const make = spawn('nice', ['-n', '19', 'make', '-C', srcDir, '-j2', ...MAKE, 'zImage', ...dtbs], { stdio: ['ignore', out, out] });
  const count = () => `${(fs.readFileSync(log, 'utf8').match(/^\s+(CC|AS|LD)\s/gm) ?? []).length} files compiled`;
  const code = await withProgress(make, 'kernel build', t0, count);
  fs.closeSync(out);
  if (code !== 0) throw new Error(`the kernel build failed (exit ${code}); the last lines of ${path.relative(root, log)}:\n${fs.readFileSync(log, 'utf8').split('\n').slice(-20).join('\n')}`);
  fs.writeFileSync(stamp, key);
  const seconds = (Date.now() - t0) / 1000;
  console.error(`built in ${seconds.toFixed(0)} s`);
  return { zImage, seconds, cached: false };
}

/** The Xoom's tree, preprocessed with the kernel's includes (tegra20.dtsi, dt-bindings) and compiled with dtc. */
function compileXoomDtb() {
  const out = path.join(work, TREES.xoom.dtb);
  const inc = ['include', 'arch/arm/boot/dts', 'scripts/dtc/include-prefixes'].map((d) => `-I '${path.join(srcDir, d)}'`).join(' ');
  sh(`cpp -nostdinc ${inc} -undef -D__DTS__ -x assembler-with-cpp '${xoomDts}' | dtc -q -I dts -O dtb -o '${out}' -`);
  return out;
}

function dtbFor(tree) {
  if (TREES[tree].dts) return compileXoomDtb();
  const f = path.join(buildDir, 'arch', 'arm', 'boot', 'dts', TREES[tree].dtb);
  if (!fs.existsSync(f)) throw new Error(`${path.relative(root, f)} is missing: run without --no-build`);
  return f;
}

/** The scenario of one tree: the commands typed one per prompt, the run ending with the PMC's reset. */
function writeScenario(tree, images, limit) {
  const file = path.join(work, `linux-tegra-${tree}.yaml`);
  const rel = (f) => path.relative(work, f);
  const source = (re) => JSON.stringify(`/${re.source}/${re.flags}`);
  const end = ENDS[TREES[tree].end];
  const typed = (after, text) => `  - { after: ${JSON.stringify(after)}, delay: ${TYPE_DELAY}, text: ${JSON.stringify(text)} }`;
  // The long line's newline comes on its own once the line's start has echoed: should the UART drop
  // part of the line (input faster than it reads), the shell still gets a whole line and goes on.
  const inputs = [...COMMANDS, end.command].flatMap((c) => (c === LONG_LINE
    ? [typed(PROMPT, c), typed(LONG_LINE.slice(0, 16), '\n')]
    : [typed(PROMPT, c + '\n')]));
  fs.writeFileSync(file, `# yaml-language-server: $schema=${path.relative(work, path.join(root, 'schemas', 'scenario.schema.json'))}
# Written by scripts/linux-tegra.js: Linux 6.1 with the ${tree} device tree appended, busybox to a shell on UARTD.
name: linux-tegra-${tree}
board: ${images.board}
smp: 2
profile: linux
${TREES[tree].console ? `console: ${TREES[tree].console}\n` : ''}boot:
  kernel: ${rel(images.kernel)}
  initrd: ${rel(images.initrd)}
  cmdline: console=ttyS0,115200n8 rdinit=/init
input:
${inputs.join('\n')}
expect:
  console: [${[CHECKS.uname, CHECKS.processors, CHECKS.dmesg, end.line].map(source).join(', ')}]
  never: ["/Kernel panic|Internal error: Oops/"]
  end: ${end.stop}
limits: { instructions: ${limit} }
`);
  return file;
}

/** tegra2-xoom with the reference boards' TPS6586x at 0x34 on the DVC (a board file next to the scenarios). */
function pmuBoard() {
  const file = path.join(work, 'tegra2-xoom-tps6586x.yaml');
  const xoom = fs.readFileSync(path.join(root, 'machine', 'boards', 'tegra2-xoom.yaml'), 'utf8');
  const dvc = '    type: nvidia,tegra20-i2c-dvc\n';
  if (!xoom.includes(dvc)) throw new Error('machine/boards/tegra2-xoom.yaml has no nvidia,tegra20-i2c-dvc device to put the TPS6586x on');
  fs.writeFileSync(file, xoom
    .replace('# yaml-language-server: $schema=../../schemas/board.schema.json', `# yaml-language-server: $schema=${path.relative(work, path.join(root, 'schemas', 'board.schema.json'))}\n# Written by scripts/linux-tegra.js: tegra2-xoom with a TPS6586x PMU at 0x34 on the DVC, as on ventana, harmony and seaboard.`)
    .replace(/^name: tegra2-xoom$/m, 'name: tegra2-xoom-tps6586x')
    .replace(dvc, `${dvc}    props: { tps6586x-address: 0x34 }\n`));
  return file;
}

/** The kernel's lines between the dmesg markers that report a problem. */
function dmesgProblems(out) {
  const begin = out.search(/^dmesg-begin\r?$/m);
  const end = out.search(/^dmesg-end\r?$/m);
  const log = begin >= 0 ? out.slice(begin, end > begin ? end : undefined) : out;
  return log.split(/\r?\n/).filter((l) => PROBLEM.test(l) && !NOT_A_PROBLEM.test(l)).map((l) => l.trim());
}

/** CPUs the kernel brought up: "SMP: Total of N processors activated", else the processors /proc/cpuinfo lists. */
function cpusOnline(out) {
  const m = /SMP: Total of (\d+) processors activated/.exec(out);
  if (m) return Number(m[1]);
  return (out.match(/^processor\s*:\s*\d+\r?$/gm) ?? []).length;
}

function qemuNote() {
  const r = spawnSync('qemu-system-arm', ['-M', 'help'], { encoding: 'utf8' });
  if (r.error) return 'qemu-system-arm is not installed; it has no Tegra20 machine either';
  const tegra = r.stdout.split("\n").filter((l) => /\b(tegra|t20)/i.test(l));
  return tegra.length ? `qemu-system-arm lists ${tegra.join('; ')}` : 'qemu-system-arm -M help lists no Tegra20 machine: QEMU cannot run these kernels, so there is no QEMU run to compare with';
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) { console.log(HELP); return 0; }
  let built;
  if (opts.build) {
    ensureTools();
    await unpack();
    built = await build(configure());
  } else {
    const zImage = path.join(buildDir, 'arch', 'arm', 'boot', 'zImage');
    if (!fs.existsSync(zImage)) throw new UsageError(`--no-build: there is no kernel in ${path.relative(root, buildDir)} yet; run once without --no-build`);
    built = { zImage, seconds: 0, cached: true };
  }
  const busybox = fetchBusybox();
  const initrd = initramfs(busybox.file);
  console.error(`initramfs with busybox ${busybox.version}; typing ${COMMANDS.map((c) => JSON.stringify(c.length > 30 ? c.slice(0, 27) + '...' : c)).join(', ')}, one after each '${PROMPT}'`);
  console.error(qemuNote());

  let allOk = true;
  for (const tree of opts.trees) {
    const dtb = dtbFor(tree);
    const kernel = path.join(work, `zImage-${tree}`);
    fs.writeFileSync(kernel, Buffer.concat([fs.readFileSync(built.zImage), fs.readFileSync(dtb)]));
    const board = TREES[tree].pmu ? path.relative(work, pmuBoard()) : 'tegra2-xoom';
    const scenario = writeScenario(tree, { kernel, initrd, board }, opts.limit);
    const recording = path.join(work, `linux-tegra-${tree}.bur`);
    console.error(`\n== ${tree}: zImage with ${path.basename(dtb)} appended; scenario ${path.relative(root, scenario)}; to run it again: node bin/bringup run ${path.relative(root, scenario)}`);
    const run = await runBringup(scenario, recording, { echo: true, checkOutput: checkOutput(ENDS[TREES[tree].end]) });
    const problems = dmesgProblems(run.out);
    for (const p of problems) console.error(`  dmesg (${tree}): ${p}`);
    const replay = run.bytes ? verifyReplay(recording) : { ok: false, seconds: 0, report: 'no recording' };
    const ok = run.reached && Object.values(run.checks).every(Boolean) && replay.ok;
    allOk = allOk && ok;
    console.log(JSON.stringify({
      tree, dtb: path.basename(dtb), board, shell: run.out.includes(PROMPT), passed: ok, cpus_online: cpusOnline(run.out), checks: run.checks,
      stop: run.stop, instructions: run.instructions, seconds: +run.seconds.toFixed(1), dmesg_problems: problems,
      replay: { identical: replay.ok, seconds: +replay.seconds.toFixed(1), report: replay.report },
      recording: path.relative(root, recording), build_seconds: +built.seconds.toFixed(0), build_cached: built.cached,
    }));
  }
  return allOk ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e instanceof UsageError ? `linux-tegra: ${e.message}` : e.stack || e.message);
  process.exit(e instanceof UsageError ? 2 : 4);
});
