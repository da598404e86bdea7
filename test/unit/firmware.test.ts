/**
 * The reference hypervisor (firmware/): the committed ELFs boot on tegra2-xoom
 * from a boot volume packed by the repository's own code, run the domains the
 * volume's configuration names, bounce events between them, and report a
 * domain's NULL dereference with a dump that matches the machine's real state.
 * With arm-none-eabi-gcc present, firmware/ is rebuilt and must match the
 * committed ELFs byte for byte.
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

const ROOT = findRoot();
const FIRMWARE = path.join(ROOT, 'firmware');
const BUILD = path.join(FIRMWARE, 'build');
const ELFS = ['hypervisor.elf', 'guests/pingpong.elf', 'guests/nullderef.elf'];
const REQUIRE_TOOLS = process.env.BRINGUP_REQUIRE_TOOLS === '1';
const LIMIT = 100_000_000;

function findRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'firmware'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the repository root above ${__dirname}`);
}

function read(rel: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(BUILD, rel)));
}

/** A boot volume with both guest images and the given domain configuration text. */
function volume(domains: string): Uint8Array {
  return packVolume([
    { name: 'pingpong', role: 'domu', data: read('guests/pingpong.elf') },
    { name: 'nullderef', role: 'domu', data: read('guests/nullderef.elf') },
    { name: 'domains', role: 'config', data: new TextEncoder().encode(domains) },
  ]);
}

interface Run { machine: Machine; out: () => string }

function boot(domains: string, cmdline = 'console=ttyS0'): Run {
  const machine = createMachine('tegra2-xoom');
  let text = '';
  machine.onConsole = (device, data) => { if (device === 'uartd') text += Buffer.from(data).toString('latin1'); };
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
  assert.match(out, /volume: BRVOLUME v1, 3 images, .*header CRC-32 0x[0-9a-f]{8} ok/);
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

test('firmware: console input arrives by the UART RX interrupt (debug key d lists the domains)', () => {
  const run = boot(TWO);
  runUntil(run, 'starting 2 domains');
  run.machine.addInput(run.machine.cpu.icount, 'uartd', new TextEncoder().encode('d'));
  const out = runUntil(run);
  assert.match(out, /\(hyp\) dom0 dom0: \w+ prio 10 mem 1024K at 0x[0-9a-f]{8} asid 1/);
  assert.match(out, /\(hyp\) dom1 dom1: \w+ prio 5 mem 2048K/);
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

function hasTool(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

const gccSkip = hasTool('arm-none-eabi-gcc') || REQUIRE_TOOLS
  ? undefined : 'arm-none-eabi-gcc not found: install gcc-arm-none-eabi (apt-get install gcc-arm-none-eabi)';

test('firmware: the build is reproducible (committed ELFs are byte-identical to a rebuild)', { skip: gccSkip }, (t) => {
  assert.ok(hasTool('arm-none-eabi-gcc'), 'arm-none-eabi-gcc is required (BRINGUP_REQUIRE_TOOLS=1): apt-get install gcc-arm-none-eabi');
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
