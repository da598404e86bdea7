/** The machine inspection behind gdb's monitor commands: mmu, devices, gic, timers, domains, on booted machines of one and two cores. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { runRecorded, openReplay } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { loadProfile } from '../../scenario/profile';
import { InputFileError } from '../../scenario/file/yaml-file';
import { parseElf } from '../../machine/loaders/elf';
import type { Machine } from '../../machine/machine';
import { mmuText, devicesText, gicText, timersText, domainsText } from '../../debug/inspect';
import { tempDir } from '../support/temp-dirs';
import { ROOT as root, requireTools, toolSkip } from '../support/environment';

const scenarios = path.join(root, 'features', 'scenarios');
const tmp = tempDir('bringup-inspect-');
const HYP = path.join(root, 'firmware', 'build', 'hypervisor.elf');
const hypSymbols = parseElf(fs.readFileSync(HYP)).symbols;
const symbol = (name: string) => hypSymbols.find((s) => s.name === name)?.value;

/** A machine replayed to `at` of a recording of a scenario file (cut to `limit` of virtual time; `cores` overrides its smp). */
function machineAt(scenario: string, limit: string, at: number, cores?: number): Machine {
  const file = path.join(tmp, `${scenario}-${limit}.bur`);
  if (!fs.existsSync(file)) {
    const text = fs.readFileSync(path.join(scenarios, scenario), 'utf8').replace(/^expect:[\s\S]*?^limits:\n {2}time: .*$/m, `limits:\n  time: ${limit}`)
      .replace(/^board: (.*)$/m, cores === undefined ? 'board: $1' : `board: $1\nsmp: ${cores}`);
    runRecorded(scenarioFromText(text, path.join(scenarios, scenario), scenarios), file, { text });
  }
  const session = openReplay(RecordingReader.open(file));
  session.replayer.runTo(at);
  return session.replayer.machine;
}

let one: Machine | undefined;
/** One core (smp: 1; tegra2-xoom has two): pingpong under the reference hypervisor, both domains running (dom0 ASID 1, dom1 ASID 2). */
const oneCore = () => (one ??= machineAt('pingpong.yaml', '7ms', 6_700_000, 1));
let two: Machine | undefined;
/** Two cores: the two-CPU ping-pong, one domain pinned to each CPU. */
const twoCores = () => (two ??= machineAt('hyp-smp-pingpong.yaml', '7ms', 6_700_000));

test('mmu: a domain address walks through the domain\'s second-level table to its page, with AP, XN, domain, TEX/C/B, nG and the ASID', () => {
  const m = oneCore();
  const cpu = m.cpus[0];
  const text = mmuText(m, 0, 0x80000000);
  assert.match(text, /^core 0, VA 0x80000000, ASID \d+, \w+ mode$/m);
  assert.match(text, new RegExp(`TTBR0 0x${(cpu.cp15.ttbr0 >>> 0).toString(16).padStart(8, '0')}: first-level table at 0x[0-9a-f]{8}`));
  assert.match(text, /^first-level descriptor 2048 at 0x[0-9a-f]{8} = 0x[0-9a-f]{8}: second-level table at 0x[0-9a-f]{8}, domain \d+$/m);
  assert.match(text, /^second-level descriptor 0 at 0x[0-9a-f]{8} = 0x[0-9a-f]{8}: small page \(4 KiB\) at 0x[0-9a-f]{8}$/m);
  // The PA the walk finds is the one the MMU uses.
  const par = cpu.mmu.translateForPar(0x80000000, false, false);
  assert.equal(par & 1, 0);
  assert.match(text, new RegExp(`^PA 0x${((par & 0xfffff000) >>> 0).toString(16).padStart(8, '0')} \\(RAM\\)$`, 'm'));
  assert.match(text, /^AP\[2:0\] [01]{3} \(.*\), XN 0, domain \d+ \(DACR: client \(permissions checked\)\)$/m);
  assert.match(text, new RegExp(`nG 1 \\(not global: ASID ${cpu.cp15.contextidr & 0xff}\\)`));
  assert.match(text, /^privileged read: ok; /m);
});

test('mmu: the hypervisor\'s own code is a global section; an unmapped address names the fault the walk raises; a device is not RAM', () => {
  const m = oneCore();
  const text = mmuText(m, 0, symbol('sched_return')!);
  assert.match(text, /first-level descriptor 1 at 0x[0-9a-f]{8} = 0x[0-9a-f]{8}: section \(1 MiB\) at 0x00100000/);
  assert.match(text, /nG 0 \(global: every ASID\)/);
  assert.match(text, /^User read: Permission fault, section; User write: Permission fault, section$/m);
  const none = mmuText(m, 0, 0x00000010);
  assert.match(none, /^first-level descriptor 0 at 0x[0-9a-f]{8} = 0x00000000: invalid$/m);
  assert.match(none, /^fault: Translation fault, section \(first level\)$/m);
  assert.match(none, /^privileged read: Translation fault, section; privileged write: Translation fault, section$/m);
  const uart = mmuText(m, 0, 0x70006300);
  assert.match(uart, /^PA 0x70006300 \(not RAM: a device or unmapped\)$/m);
  assert.match(uart, /TEX 000 C 0 B 1 \(Device \(shareable\)\)/);
  assert.throws(() => mmuText(m, 1, 0), /no core 1: the machine has one core \(core 0\)/);
});

test('mmu: looking does not change the machine (no TLB fill, no fault registers)', () => {
  const m = oneCore();
  const cp = m.cpus[0].cp15;
  const before = [cp.dfsr, cp.dfar, cp.ifsr, cp.ifar, m.cpus[0].mmu.validEntries()];
  mmuText(m, 0, 0x00000010);
  mmuText(m, 0, 0x80001000);
  assert.deepEqual([cp.dfsr, cp.dfar, cp.ifsr, cp.ifar, m.cpus[0].mmu.validEntries()], before);
});

test('mmu on two cores: each core walks its own tables (the domain each runs)', () => {
  const m = twoCores();
  const t0 = mmuText(m, 0, 0x80000000), t1 = mmuText(m, 1, 0x80000000);
  assert.match(t0, /^core 0, VA 0x80000000/m);
  assert.match(t1, /^core 1, VA 0x80000000/m);
  const ttbr = (k: number) => `0x${(m.cpus[k].cp15.ttbr0 >>> 0).toString(16).padStart(8, '0')}`;
  assert.notEqual(ttbr(0), ttbr(1));
  assert.match(t0, new RegExp(`TTBR0 ${ttbr(0)}`));
  assert.match(t1, new RegExp(`TTBR0 ${ttbr(1)}`));
});

test('devices: every device of the board with its address range and a one-line state', () => {
  const m = oneCore();
  const text = devicesText(m);
  assert.match(text, new RegExp(`^board tegra2-xoom: ${m.devices.size} device\\(s\\)$`, 'm'));
  for (const name of m.devices.keys()) assert.match(text, new RegExp(`^${name} +\\S+ +\\w+ 0x[0-9a-f]{8}-0x[0-9a-f]{8}`, 'm'), name);
  assert.match(text, /^gic +arm,gic-v1 +distributor 0x50041000-0x50041fff, cpu 0x50040100-0x500401ff\n +distributor enabled, \d+ interrupt\(s\) enabled/m);
  assert.match(text, /^uartd +ns16550a +registers 0x70006300-0x700063ff\n +IER 0x0\d LCR 0x03, FIFO on/m);
  assert.match(text, /^dc +nvidia,tegra20-dc +registers 0x54200000-0x5423ffff\n +scanning out 1280x800$/m);
  assert.match(text, /^timer +nvidia,tegra20-timer +registers 0x60005000-0x6000505f\n +TMR1 enabled$/m);
  assert.match(text, /^ {2}sdmmc +0xc8000000-0xc80007ff$/m);
});

test('gic: distributor on, the CPU interface, and the hypervisor\'s tick (TMR1, SPI 0) enabled and targeted at core 0', () => {
  const text = gicText(oneCore());
  assert.match(text, /^gic \(arm,gic-v1, .*\): 160 interrupt IDs, 2 CPU interface\(s\); distributor enabled \(GICD_CTLR 0x1\)$/m);
  assert.match(text, /^ {2}CPU interface 0: enabled, priority mask 0x[0-9a-f]{2}, binary point \d, running priority (idle|0x[0-9a-f]{2}), IRQ output (asserted|low)$/m);
  assert.doesNotMatch(text, /CPU interface 1/, 'one core runs: one interface shown');
  assert.match(text, /^ {4}ID {2}32 \(SPI 0\): enabled, targets cores 0, priority 0x[0-9a-f]{2}, level, /m);
  // The console UART's interrupt goes to FIQ through the legacy controller, not through the GIC.
  assert.doesNotMatch(text, /ID 122/);
});

test('gic on two cores: both CPU interfaces, and CPU1\'s tick (TMR2, SPI 1) targeted at core 1 only', () => {
  const text = gicText(twoCores());
  assert.match(text, /^ {2}CPU interface 0: enabled/m);
  assert.match(text, /^ {2}CPU interface 1: enabled/m);
  assert.match(text, /^ {4}ID {2}33 \(SPI 1\): enabled, targets cores 1, /m);
  assert.match(text, /^ {2}SGIs .*: enabled \(always, on a GICv1\)/m);
});

test('timers: the hypervisor\'s 1 ms tick on TMR1 with its count and next event; private timers and the global timer per core', () => {
  const m = oneCore();
  const text = timersText(m);
  const now = m.now();
  assert.match(text, new RegExp(`^time ${now} \\(1000000000 ticks per second\\)$`, 'm'));
  const tmr1 = /^ {2}TMR1: PTV 0xc00003e7 \(enabled, periodic, trigger 999 us\), count (\d+), interrupt (pending|clear), next event at time (\d+) \(in (\d+) ticks\)$/m.exec(text);
  assert.ok(tmr1, text);
  const [count, due, left] = [Number(tmr1[1]), Number(tmr1[3]), Number(tmr1[4])];
  assert.equal(due - now, left);
  assert.ok(left > 0 && left <= 1_000_000, `the next tick within 1 ms (${left})`);
  assert.equal(count, Math.floor(left / 1000), 'the count is the microseconds left');
  assert.match(text, /^ {2}core 0 private timer: load 0x[0-9a-f]{8}, count 0x[0-9a-f]{8}, control 0x[0-9a-f]{8} \(/m);
  assert.match(text, /^ {2}core 0 watchdog: /m);
  assert.match(text, /^global-timer .*: counter 0x[0-9a-f]{8}_[0-9a-f]{8}, counting, prescaler 0/m);
  const two = timersText(twoCores());
  assert.match(two, /^ {2}core 1 private timer: /m);
  assert.match(two, /^ {2}core 1 comparator: /m);
  assert.match(two, /^ {2}TMR2: PTV 0xc00003e7 \(enabled, periodic/m);
});

test('domains: which domain each core runs, from the domain table the reference hypervisor\'s profile describes', () => {
  const table = loadProfile('reference-hypervisor').domainTable;
  assert.ok(table, 'the profile has a domain-table');
  const m = oneCore();
  const text = domainsText(m, table, symbol);
  assert.match(text, /^domain table domains at 0x[0-9a-f]{8}: 2 domain\(s\)$/m);
  assert.match(text, /^ {2}0: dom0 +(runnable|blocked) +ASID 1, CPU 0, image pingpong$/m);
  assert.match(text, /^ {2}1: dom1 +(runnable|blocked) +ASID 2, CPU 0, image pingpong$/m);
  const asid = m.cpus[0].cp15.contextidr & 0xff;
  assert.match(text, m.cpus[0].mode === 0x10
    ? new RegExp(`^core 0: domain dom${asid - 1} \\(ASID ${asid}\\), running its code in usr mode$`, 'm')
    : /^core 0: the hypervisor \(\w+ mode\)(, current domain dom[01] \(ASID [12]\)|, no current domain)$/m);
  const smp = domainsText(twoCores(), table, symbol);
  assert.match(smp, /^core 0: .*dom0 \(ASID 1\)/m);
  assert.match(smp, /^core 1: .*dom1 \(ASID 2\)/m);
  assert.match(smp, /^ {2}1: dom1 +\w+ +ASID 2, CPU 1, image pingpong$/m);
  assert.match(domainsText(m, undefined, symbol), /does not say where the hypervisor keeps its domains/);
  assert.match(domainsText(m, { ...table, symbol: 'nosuch' }, symbol), /no symbol 'nosuch' \(the domain table\)/);
});

test('the profile\'s domain-table layout matches struct domain as arm-none-eabi-gcc lays it out from firmware/hyp/hyp.h', { skip: toolSkip('arm-none-eabi-gcc') }, () => {
  requireTools('arm-none-eabi-gcc');
  const table = loadProfile('reference-hypervisor').domainTable!;
  const dir = tempDir('bringup-domain-layout-');
  const src = path.join(dir, 'layout.c');
  fs.writeFileSync(src, '#include "hyp.h"\n#include <stddef.h>\n' +
    'const unsigned layout[] = { sizeof(struct domain), offsetof(struct domain, id), offsetof(struct domain, asid), offsetof(struct domain, cpu), ' +
    'offsetof(struct domain, cfg.name), sizeof(((struct domain *)0)->cfg.name), offsetof(struct domain, state), ' +
    'offsetof(struct domain, cfg.image), sizeof(((struct domain *)0)->cfg.image) };\n');
  const obj = path.join(dir, 'layout.o');
  const cc = spawnSync('arm-none-eabi-gcc', ['-marm', '-mcpu=cortex-a9', '-mfloat-abi=soft', '-ffreestanding', '-I', path.join(root, 'firmware', 'hyp'), '-c', src, '-o', obj], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  // The array is the object's .rodata: read it from the section.
  const elf = fs.readFileSync(obj);
  const shoff = elf.readUInt32LE(32), shnum = elf.readUInt16LE(48), shstrndx = elf.readUInt16LE(50);
  const sec = (i: number) => ({ name: elf.readUInt32LE(shoff + i * 40), offset: elf.readUInt32LE(shoff + i * 40 + 16), size: elf.readUInt32LE(shoff + i * 40 + 20) });
  const names = sec(shstrndx);
  const rodata = Array.from({ length: shnum }, (_, i) => sec(i)).find((s) => elf.toString('latin1', names.offset + s.name, names.offset + s.name + 7) === '.rodata')!;
  const v = Array.from({ length: 9 }, (_, i) => elf.readUInt32LE(rodata.offset + 4 * i));
  assert.deepEqual(
    [table.entrySize, table.fields.id?.offset, table.fields.asid?.offset, table.fields.cpu?.offset, table.fields.name.offset, table.fields.name.size, table.fields.state?.offset,
      table.fields.image?.offset, table.fields.image?.size],
    v);
});

test('a profile\'s domain-table is checked: unknown keys, missing fields and fields outside the entry name the line', () => {
  const cases: Array<[string, RegExp]> = [
    ['domain-table:\n  symbol: domains\n  count: ndomains\n  entry-size: 64\n  fields:\n    name: { offset: 70, type: string }\n', /:7:\d+: domain-table.fields.name.offset must be a whole number from 0 to 63/],
    ['domain-table:\n  symbol: domains\n  count: ndomains\n  entry-size: 64\n  fields:\n    state: { offset: 0, type: enum, values: [a] }\n', /:7:\d+: missing required key 'name' in domain-table.fields/],
    ['domain-table:\n  symbol: domains\n  count: ndomains\n  entry-size: 64\n  colour: red\n  fields:\n    name: { offset: 0 }\n', /:6:\d+: unknown key 'colour' in domain-table/],
    ['domain-table:\n  symbol: domains\n  count: ndomains\n  entry-size: 64\n  fields:\n    name: { offset: 0, type: float }\n', /:7:\d+: 'type' must be one of "u32", "string", "enum"/],
    ['domain-table:\n  count: ndomains\n  entry-size: 64\n  fields:\n    name: { offset: 0 }\n', /:3:\d+: missing required key 'symbol' in domain-table/],
  ];
  cases.forEach(([text, want], i) => {
    const file = path.join(tmp, `profile-${i}.yaml`);
    fs.writeFileSync(file, `name: p${i}\n${text}`);
    assert.throws(() => loadProfile(file), (e: Error) => e instanceof InputFileError && want.test(e.message), `${text} -> ${want}`);
  });
});
