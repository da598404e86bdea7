/**
 * The reference hypervisor (firmware/): the committed ELFs boot on tegra2-xoom
 * from a boot volume packed by the repository's own code, run the domains the
 * volume's configuration names, bounce events between them, and report a
 * domain's NULL dereference with a dump that matches the machine's real state,
 * mirror the console on the display (checked pixel for pixel against
 * test/golden/hypervisor-pingpong.png), take FIQ debugger commands and console
 * input for a domain, and power the board off. With arm-none-eabi-gcc present,
 * firmware/ is rebuilt and must match the committed ELFs byte for byte.
 *
 * BRINGUP_UPDATE_GOLDEN=1 rewrites the golden picture from this run.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Machine } from '../../machine/machine';
import { bootKernel } from '../../machine/boot/linux-boot';
import { parseElf } from '../../machine/loaders/elf';
import { packVolume } from '../../machine/boot/volume';
import { MODE_ABT } from '../../machine/cpu/modes';
import { createMachine } from '../../scenario/boards';
import { comparePng, decodePng, encodePng } from '../../scenario/check/png';
import { ScenarioDraft } from '../../scenario/draft';
import { runScenario, type RunObserver } from '../../scenario/run/runner';
import type { RgbaImage } from '../../machine/devices/device';
import { ROOT, requireTools, toolSkip } from '../support/environment';

const FIRMWARE = path.join(ROOT, 'firmware');
const BUILD = path.join(FIRMWARE, 'build');
const ELFS = ['hypervisor.elf', 'guests/pingpong.elf', 'guests/nullderef.elf', 'guests/echo.elf', 'guests/spin.elf', 'guests/xnexec.elf'];
const GOLDEN = path.join(ROOT, 'test', 'golden', 'hypervisor-pingpong.png');
const LIMIT = 100_000_000;

function read(rel: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(BUILD, rel)));
}

/** A boot volume with both guest images and the given domain configuration text. */
function volume(domains: string): Uint8Array {
  return packVolume([
    { name: 'pingpong', role: 'domu', data: read('guests/pingpong.elf') },
    { name: 'nullderef', role: 'domu', data: read('guests/nullderef.elf') },
    { name: 'echo', role: 'domu', data: read('guests/echo.elf') },
    { name: 'spin', role: 'domu', data: read('guests/spin.elf') },
    { name: 'domains', role: 'config', data: new TextEncoder().encode(domains) },
  ]);
}

interface Run { machine: Machine; out: () => string }

function boot(domains: string, cmdline = 'console=ttyS0'): Run {
  const machine = createMachine('tegra2-xoom');
  let text = '';
  machine.probes.console.subscribe((device, data) => { if (device === 'uartd') text += Buffer.from(data).toString('latin1'); });
  bootKernel(machine, { kernel: read('hypervisor.elf'), kernelName: 'hypervisor.elf', initrd: volume(domains), cmdline });
  return { machine, out: () => text.replace(/\r\n/g, '\n') };
}

/** Runs until `until` appears in the console output, or to the end (idle) without it. */
function runUntil(run: Run, until?: string, limit = LIMIT, chunk = 200_000): string {
  for (;;) {
    const stop = run.machine.run(chunk);
    if (until !== undefined && run.out().includes(until)) return run.out();
    if (stop.kind !== 'limit' || run.machine.cpu.icount >= limit) return run.out();
  }
}

const TWO = `# bringup domain configuration v1
domain dom0 image=pingpong memory=1048576 priority=10 console=on on-fault=restart
domain dom1 image=pingpong memory=2097152 priority=5 console=on on-fault=kill
event dom0:1 dom1:1
`;

test('firmware: boots with banner and ATAG memory map, starts the configured domains, and the event ping-pong completes', () => {
  const run = boot(TWO, 'console=ttyS0 evtwd=100');
  const out = runUntil(run);
  assert.match(out, /bringup reference hypervisor \d+\.\d+\.\d+/);
  assert.match(out, /bank 0: 0x00000000 - 0x1bffffff \(448 MiB\)/);
  assert.match(out, /bank 1: 0x20000000 - 0x3ffbffff \(511 MiB\)/);
  assert.match(out, /command line: "console=ttyS0 evtwd=100"/);
  assert.match(out, /initrd: 0x08000000 - /);
  assert.match(out, /volume: BRVOLUME v1, 5 images, .*header CRC-32 0x[0-9a-f]{8} ok/);
  assert.match(out, /pingpong +domu .* ok\n/);
  assert.match(out, /dom0 dom0: starting image pingpong, 1024K/);
  assert.match(out, /dom1 dom1: starting image pingpong, 2048K/);
  assert.match(out, /event channel: dom0:1 <-> dom1:1/);
  for (let i = 1; i <= 10; i++) {
    assert.ok(out.includes(`[dom1] ping ${i}/10\n`), `ping ${i}`);
    assert.ok(out.includes(`[dom0] pong ${i}/10\n`), `pong ${i}`);
  }
  assert.ok(out.indexOf('[dom1] ping 3/10') < out.indexOf('[dom0] pong 3/10'));
  assert.match(out, /\[dom0\] pingpong: done after 10 rounds/);
  assert.match(out, /\[dom1\] pingpong: done after 10 rounds/);
  assert.match(out, /dom0 dom0: [1-9]\d* first-touch \(access flag\) faults, 10 upcalls/);
  assert.match(out, /hyp: all domains have shut down; halting/);
  assert.doesNotMatch(out, /WATCHDOG|FAULT|PANIC/);
});

test('firmware: the same build runs one domain or three, as the configuration says', () => {
  const one = runUntil(boot('domain solo image=pingpong memory=1M priority=1 console=on on-fault=kill\n'));
  assert.match(one, /configuration: 1 domains, 0 event channels/);
  assert.equal((one.match(/: starting image/g) ?? []).length, 1);
  assert.match(one, /dom0 solo: starting image pingpong/);
  assert.match(one, /\[solo\] pingpong: no event channel on port 1: nothing to do/);
  assert.match(one, /all domains have shut down/);

  const three = runUntil(boot(`domain ping image=pingpong memory=1M priority=10 console=on on-fault=kill args="rounds=3"
domain pong image=pingpong memory=1M priority=5 console=on on-fault=kill args="rounds=3"
domain crash image=nullderef memory=1M priority=1 console=on on-fault=kill
event ping:1 pong:1
`, 'sched=preempt'));
  assert.match(three, /scheduler: preemptive/);
  assert.equal((three.match(/: starting image/g) ?? []).length, 3);
  assert.match(three, /\[pong\] ping 3\/3\n/);
  assert.match(three, /\[ping\] pingpong: done after 3 rounds/);
  assert.match(three, /dom2 crash: killed/);
  assert.match(three, /all domains have shut down/);
});

test('firmware: console=gdb emits the console as GDB O packets with valid checksums', () => {
  const out = runUntil(boot('domain solo image=pingpong memory=1M priority=1 console=on on-fault=kill\n', 'console=gdb'));
  const packets = [...out.matchAll(/\$O([0-9a-f]*)#([0-9a-f]{2})/g)];
  assert.ok(packets.length > 5);
  assert.equal(out.replace(/\$O([0-9a-f]*)#([0-9a-f]{2})/g, ''), '', 'nothing outside packets');
  let text = '';
  for (const [, hex, sum] of packets) {
    const body = `O${hex}`;
    const cs = [...body].reduce((s, c) => (s + c.charCodeAt(0)) & 0xff, 0);
    assert.equal(cs, parseInt(sum, 16));
    text += Buffer.from(hex, 'hex').toString('latin1');
  }
  assert.match(text, /bringup reference hypervisor/);
  assert.match(text, /\[solo\] pingpong: no event channel/);
});

/** Types text on UARTD now and runs until `until` appears. */
function type(run: Run, text: string, until: string): string {
  run.machine.addInput(run.machine.cpu.icount, 'uartd', new TextEncoder().encode(text));
  return runUntil(run, until);
}

const SHELL = `domain shell image=echo memory=1M priority=10 console=on on-fault=kill
domain ping image=pingpong memory=1M priority=5 console=on on-fault=kill args="rounds=2"
domain pong image=pingpong memory=1M priority=5 console=off on-fault=kill args="rounds=2"
event ping:1 pong:1
`;

test('firmware: console input arrives as FIQ (UARTD routed by the LIC) and drives the FIQ debugger', () => {
  const run = boot(SHELL);
  runUntil(run, '[shell] echo: dom0 ready');
  assert.match(run.out(), /fiq: console RX \(UARTD, SPI 90\) routed as FIQ by the LIC/);
  // The LIC classes SPI 90 (bank 2 bit 26) as FIQ; the GIC keeps ID 122 disabled.
  const lic = run.machine.bus.read32(0x60004000 + 0x200 + 0x2c) >>> 0;
  assert.equal(lic & (1 << 26), 1 << 26, 'CPU_IEP_CLASS_3 has UARTD as FIQ');
  assert.equal(run.machine.bus.read32(0x50041000 + 0x100 + 4 * 3) & (1 << 26), 0, 'GIC ID 122 disabled');
  let out = type(run, 'help\r', 'Ctrl-A');
  for (const cmd of ['help', 'regs', 'bt', 'domains', 'events', 'irqs', 'mem', 'console', 'poweroff', 'reboot']) {
    assert.match(out, new RegExp(`^  ${cmd} .* \\S`, 'm'), `help lists ${cmd}`);
  }
  out = type(run, 'regs\r', '  lr 0x');
  assert.match(out, /fiq> regs\n  interrupted: (the hypervisor \(SVC mode\)|dom\d \w+ \(USR mode\))\n/);
  assert.match(out, /^ +r0 [0-9a-f]{8} +r1 [0-9a-f]{8}/m);
  assert.match(out, /^  r12 [0-9a-f]{8} +sp [0-9a-f]{8} +lr [0-9a-f]{8} +pc [0-9a-f]{8}$/m);
  out = type(run, 'bt\r', 'backtrace (frame pointers)');
  out = type(run, 'domains\r', 'dom2 pong');
  assert.match(out, /^  dom0 shell: blocked .*console on$/m);
  out = type(run, 'events\r', 'dom2 pong: callback');
  assert.match(out, /^  ping:1 -> pong:1 bound idle unmasked$/m);
  out = type(run, 'irqs\r', 'global timer');
  assert.match(out, /^  GIC  32 \(TMR1 tick\): [1-9]\d* IRQs$/m);
  assert.match(out, /^  LIC SPI 90 \(UARTD receive\): 6 FIQs$/m);
  // mem shows what the bus holds.
  out = type(run, 'mem 0x100000 16\r', '00100000:');
  const bytes = [...Array(16).keys()].map((i) => run.machine.bus.read8(0x100000 + i).toString(16).padStart(2, '0')).join(' ');
  assert.ok(out.includes(`  00100000: ${bytes} `), 'hex dump of 0x100000');
  out = type(run, 'mem 0x40 4\r', 'not RAM');
  out = type(run, 'nonsense\r', "unknown command 'nonsense'");
  // Console input to the domain that owns the console, then back to the debugger.
  out = type(run, 'console\r', 'console input to dom0 shell');
  out = type(run, 'abc\r', 'reversed');
  assert.match(out, /\[shell\] echo: line 1: "abc" \(3 bytes\), reversed "cba"/);
  assert.ok(!out.includes('fiq> abc'), 'the domain got the line, not the debugger');
  out = type(run, '\x01', 'console input to the debugger');
  out = type(run, 'quit\r', "unknown command 'quit'");
  assert.ok(!out.includes('[shell] echo: quit'));
});

test('firmware: dom0 asking for power-off powers the board off (halt, or a PMC reset with poweroff=reset)', () => {
  const halt = boot(SHELL);
  runUntil(halt, '[shell] echo: dom0 ready');
  let out = type(halt, 'console shell\rpoweroff\r', 'bringup-hyp: power off');
  assert.match(out, /dom0 shell: asks for power off\nbringup-hyp: power off\n$/);
  assert.equal(halt.machine.run(10_000_000).kind, 'idle', 'the CPU stays halted');

  const reset = boot(SHELL, 'console=ttyS0 poweroff=reset');
  runUntil(reset, '[shell] echo: dom0 ready');
  reset.machine.addInput(reset.machine.cpu.icount, 'uartd', new TextEncoder().encode('console\rpoweroff\r'));
  let stop;
  do stop = reset.machine.run(1_000_000); while (stop.kind === 'limit' && reset.machine.cpu.icount < LIMIT);
  assert.deepEqual(stop, { kind: 'reset', by: 'pmc' });
  out = reset.out();
  assert.match(out, /PMC main reset instead \(poweroff=reset\)\nbringup-hyp: power off\n$/);

  const reboot = boot(SHELL);
  runUntil(reboot, '[shell] echo: dom0 ready');
  reboot.machine.addInput(reboot.machine.cpu.icount, 'uartd', new TextEncoder().encode('reboot\r'));
  do stop = reboot.machine.run(1_000_000); while (stop.kind === 'limit' && reboot.machine.cpu.icount < LIMIT);
  assert.deepEqual(stop, { kind: 'reset', by: 'pmc' });
  assert.match(reboot.out(), /fiq> reboot\nbringup-hyp: reboot \(PMC main reset\)\n$/);
});

test('firmware: the framebuffer console mirrors the serial console (golden picture)', () => {
  // The run of features/hypervisor-console.feature: firmware/volumes/pingpong.yaml, evtwd=100.
  let picture: RgbaImage | undefined;
  const observer: RunObserver = {
    interval: Number.MAX_SAFE_INTEGER, start() {}, console() {}, step() {},
    end(_r, machine) { picture = machine.device('dc').render?.(); },
  };
  const result = runScenario(ScenarioDraft.referenceHypervisor('pingpong.yaml').appendCmdline('evtwd=100').build(), { observer });
  const out = result.lines.map((l) => l.text).join('\n');
  assert.equal(result.stop.kind, 'idle');
  assert.match(out, /fb: 1280x800 B5G6R5 at 0x07c00000, 160x100 text console/);
  assert.match(out, /l2: PL310 \(cache id 0x410000c4\) 8 ways x 128 KiB = 1024 KiB, enabled/);
  assert.ok(picture, 'the display scans out a frame buffer');
  assert.equal(picture.width, 1280);
  assert.equal(picture.height, 800);
  // Not blank: most of it is the background, a good part is text.
  let fg = 0;
  for (let i = 0; i < picture.data.length; i += 4) if (picture.data[i] > 64 || picture.data[i + 1] > 64) fg++;
  assert.ok(fg > 20_000, `${fg} foreground pixels`);
  // The banner is on text row 1 (it starts with a newline): its first 20 characters are drawn.
  let bannerRow = 0;
  for (let y = 8; y < 16; y++) for (let x = 0; x < 8 * 20; x++) if (picture.data[(y * 1280 + x) * 4] > 64) bannerRow++;
  assert.ok(bannerRow > 100, `the banner is drawn (${bannerRow} pixels in its first 20 characters)`);
  if (process.env.BRINGUP_UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(GOLDEN), { recursive: true });
    fs.writeFileSync(GOLDEN, encodePng(picture));
  }
  const cmp = comparePng(picture, decodePng(fs.readFileSync(GOLDEN)));
  assert.ok(cmp.equal, `${cmp.differentPixels} pixels differ from ${GOLDEN}; first at ${JSON.stringify(cmp.firstDifference)}`);
});

test('firmware: preemption interleaves CPU-bound domains; 64-bit division by libgcc gives exact quotients', () => {
  const spin = `domain spin0 image=spin memory=1M priority=5 console=on on-fault=kill args="rounds=2"
domain spin1 image=spin memory=1M priority=5 console=on on-fault=kill args="rounds=2"
`;
  const pre = runUntil(boot(spin, 'sched=preempt'));
  assert.match(pre, /\[spin0\] spin: 64-bit division: 18446744073709551615 \/ 10 = 1844674407370955161 remainder 5/);
  assert.match(pre, /\[spin1\] spin: signed 64-bit division: -9000000000000000000 \/ 7 = -1285714285714285714 remainder -2/);
  assert.ok(pre.indexOf('[spin1] spin: dom1 round 1/2') < pre.indexOf('[spin0] spin: done'), 'spin1 ran before spin0 finished');
  assert.match(pre, /dom0 spin0: .* [1-9]\d* preemptions, cpu [1-9]\d* us/);
  const coop = runUntil(boot(spin));
  assert.ok(coop.indexOf('[spin0] spin: done') < coop.indexOf('[spin1] spin: dom1 round 1/2'), 'cooperative: spin0 first, to its end');
  assert.match(coop, /dom0 spin0: .* 0 preemptions/);
});

test('firmware: a domain NULL dereference produces a dump matching the machine state at the fault', () => {
  const run = boot('domain crash image=nullderef memory=1M priority=1 console=on on-fault=kill\n');
  const m = run.machine;
  const cpu = m.cpu;
  runUntil(run, 'starting 1 domains', LIMIT, 1000);
  // Step to the data abort vector for the translation fault (access-flag faults also go there).
  const vector = ((cpu.cp15.vbar & ~0x1f) + 0x10) >>> 0;
  const MAX_STEPS = 2_000_000;
  let steps = 0;
  for (; steps < MAX_STEPS; steps++) {
    m.run(1);
    if (cpu.pc === vector && cpu.mode === MODE_ABT && (cpu.cp15.dfsr & 0x40f) === 0x5) break;
  }
  assert.ok(steps < MAX_STEPS, 'the data abort was taken');
  assert.ok(run.out().includes('[crash] nullderef: dereferencing NULL\n'));
  assert.ok(!run.out().includes('DOMAIN FAULT'), 'stopped before the dump');
  const actual: Record<string, number> = {};
  for (let n = 0; n < 13; n++) actual[`r${n}`] = cpu.userReg(n) >>> 0;
  actual.sp = cpu.userReg(13) >>> 0;
  actual.lr = cpu.userReg(14) >>> 0;
  actual.pc = (cpu.r[14] - 8) >>> 0; // LR_abt = faulting instruction + 8
  const spsr = cpu.currentSpsr();
  assert.equal(spsr & 0x1f, 0x10, 'the fault was in USR mode');

  const out = runUntil(run);
  const dump = out.slice(out.indexOf('*** DOMAIN FAULT'));
  assert.match(dump, /^\*\*\* DOMAIN FAULT: dom0 crash: data abort/);
  assert.match(dump, /DFSR 0x0000000?5: Translation fault, section, read/);
  assert.match(dump, /DFAR 0x00000000/);
  assert.match(dump, /pc 0x[0-9a-f]{8} <load\+0x[0-9a-f]+> \(domain\)/);
  assert.match(dump, /called from 0x[0-9a-f]{8} <main\+0x[0-9a-f]+>/);
  assert.match(dump, new RegExp(`cpsr ${(spsr >>> 0).toString(16).padStart(8, '0')}  mode USR`));
  const printed: Record<string, number> = {};
  const regs = dump.slice(0, dump.indexOf('cpsr'));
  for (const [, name, value] of regs.matchAll(/\b(r\d{1,2}|sp|lr|pc) ([0-9a-f]{8})\b/g)) printed[name] = parseInt(value, 16);
  assert.deepEqual(printed, actual);
  assert.equal(printed.r0, 0, 'the NULL pointer');
  assert.match(out, /dom0 crash: killed/);
  assert.match(out, /all domains have shut down/);
});

test('firmware: on-fault=restart reloads the domain (at most 3 times), then kills it', () => {
  const out = runUntil(boot('domain crash image=nullderef memory=1M priority=1 console=on on-fault=restart\n'));
  assert.equal((out.match(/\[crash\] nullderef: dereferencing NULL/g) ?? []).length, 4);
  assert.match(out, /dom0 crash: restarting \(restart 3 of 3\)/);
  assert.match(out, /dom0 crash: killed/);
});

test('firmware: a lost event upcall (calls to deliver_upcall skipped) is reported by the event watchdog', () => {
  const run = boot(TWO, 'evtwd=20');
  const syms = parseElf(read('hypervisor.elf'), 'hypervisor.elf').symbols;
  const target = syms.find((x) => x.name === 'deliver_upcall')!.value;
  // What a fault injector does: replace every BL deliver_upcall with a NOP.
  const bus = run.machine.bus;
  let patched = 0;
  for (const fn of syms.filter((x) => x.type === 2 && x.size > 0)) {
    for (let a = fn.value; a < fn.value + fn.size; a += 4) {
      const insn = bus.read32(a) >>> 0;
      if ((insn & 0x0f000000) === 0x0b000000 && ((a + 8 + ((insn << 8) >> 6)) >>> 0) === target) {
        bus.write32(a, 0xe320f000); // NOP
        patched++;
      }
    }
  }
  assert.ok(patched >= 1, 'found the call to deliver_upcall');
  const out = runUntil(run, 'WATCHDOG', 200_000_000);
  assert.match(out, /WATCHDOG: dom\d dom\d: event on port 1 pending for \d+ ms with no upcall delivered \(callback set, port unmasked, not in an upcall\)/);
});

test('firmware: the build is reproducible (committed ELFs are byte-identical to a rebuild)', { skip: toolSkip('arm-none-eabi-gcc', 'make') }, (t) => {
  requireTools('arm-none-eabi-gcc', 'make');
  const recorded = fs.readFileSync(path.join(BUILD, 'toolchain.txt'), 'utf8');
  const gcc = spawnSync('arm-none-eabi-gcc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  if (!recorded.startsWith(gcc)) {
    t.skip(`the committed ELFs were built with ${recorded.trim().replace(/\n/g, ', ')}; this toolchain is ${gcc}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-firmware-'));
  try {
    const r = spawnSync('make', ['-C', FIRMWARE, `BUILD=${dir}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, `make failed:\n${r.stdout}\n${r.stderr}`);
    for (const elf of ELFS) {
      assert.ok(Buffer.from(read(elf)).equals(fs.readFileSync(path.join(dir, elf))), `${elf} differs from a rebuild`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
