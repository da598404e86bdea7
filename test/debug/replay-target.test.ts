/** The replay debug target at the API level: reverse steps give the forward steps' states, reverse continue, edges, monitor commands. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordingReader } from '../../replay/reader';
import { loadProfile, DEFAULT_PROFILE } from '../../scenario/profile';
import { openReplay } from '../../scenario/record/recording';
import { resolveTarget } from '../../replay/targets';
import { AddressSpaces } from '../../replay/symbols';
import { stateJson } from '../../replay/state-hash';
import { ReplayTarget } from '../../debug/replay-target';
import type { Position } from '../../replay/positions';
import { ROOT } from '../support/environment';
import { recordDebugSmpRun } from '../support/smp-program';

const DIVDI3 = path.join(ROOT, 'recordings', 'divdi3-crash.bur');
const rec = RecordingReader.open(DIVDI3);
const target = () => new ReplayTarget(openReplay(rec, { onNotice: () => {} }).replayer);

let crashAt: number | undefined;
/** Where `replay --to-crash` stops: before the faulting instruction in __divdi3. */
function crash(): number {
  if (crashAt === undefined) {
    const s = openReplay(rec, { onNotice: () => {} });
    crashAt = resolveTarget({ kind: 'crash' }, rec, s.replayer, new AddressSpaces(s.boot)).icount;
  }
  return crashAt;
}

/** Everything but RAM (every core's registers, banked ones, CP15, VFP; devices; the schedule), and a few words of memory. */
function state(t: ReplayTarget, words: number[] = []): string {
  const m = t.replayer.machine;
  return stateJson(m) + '|' + words.map((a) => Buffer.from(m.bus.readBytes(a, 4)).toString('hex')).join(',') + '|' +
    m.cpus.map((_c, k) => JSON.stringify(t.registers(k))).join();
}

/**
 * From `start`, core `core` steps back n times; a second target at the
 * position reached steps forward n times: the states must be the same, in
 * reverse order. Returns the positions visited backwards.
 */
function backAndForth(make: () => ReplayTarget, start: Position, core: number, n: number, words: number[] = []): Position[] {
  const back = make();
  back.goto(start);
  const states = [state(back, words)];
  const positions = [{ ...back.position }];
  for (let i = 0; i < n; i++) {
    const r = back.navigator.stepBackward(core);
    assert.equal(r.kind, 'step', `reverse step ${i + 1} from ${JSON.stringify(start)}`);
    states.push(state(back, words));
    positions.push({ ...back.position });
  }
  const fwd = make();
  fwd.goto(back.position);
  const forward = [state(fwd, words)];
  for (let i = 0; i < n; i++) {
    const r = fwd.navigator.stepForward(core);
    assert.equal(r.kind, 'step');
    forward.push(state(fwd, words));
  }
  states.reverse();
  positions.reverse();
  for (let i = 0; i <= n; i++) assert.equal(states[i], forward[i], `state ${i} of ${n} (core ${core} at ${JSON.stringify(positions[i])})`);
  return positions;
}

test('reverse-stepi from the divdi3 crash gives exactly the states forward stepi gave, across the data abort entry', () => {
  // Three instructions past the crash: the abort has been taken (the step back crosses its entry).
  const positions = backAndForth(target, { core: 0, clock: crash() + 3 }, 0, 40, [0x15a1dc, 0x15a1d8]);
  assert.equal(positions[0].clock, crash() + 3 - 40);
});

test('reverse-stepi across a chunk boundary and a recording checkpoint gives the states forward stepi gave', () => {
  const cp = rec.checkpoints[rec.checkpoints.length - 1].icount;
  backAndForth(target, { core: 0, clock: cp + 12 }, 0, 25);
  const chunkEnd = rec.chunks[rec.chunks.length - 3].to;
  backAndForth(target, { core: 0, clock: chunkEnd + 5 }, 0, 10);
});

test('reverse-continue with a write watchpoint stops before the instruction that last wrote the address', async () => {
  const t = target();
  t.goto({ core: 0, clock: crash() });
  const sp = t.registers(0).r[13];
  const address = (sp - 4) >>> 0;
  // Found independently: every write to the word, from the boot to the crash.
  const probe = openReplay(rec, { onNotice: () => {} }).replayer;
  probe.resetTo(0, false);
  const writes: Array<{ clock: number; pc: number }> = [];
  const cpu = probe.machine.cpu;
  probe.machine.probes.access.watch(address, address + 3, (_va, write) => { if (write) writes.push({ clock: cpu.icount - 1, pc: cpu.pc >>> 0 }); });
  probe.machine.runUntil(crash());
  assert.ok(writes.length >= 2, 'the stack word is written more than once');
  const last = writes[writes.length - 1];

  assert.ok(t.addWatchpoint('write', address, 4));
  const signal = new AbortController().signal;
  const stop = await t.resume({ direction: 'reverse', mode: 'continue', core: 0, interrupt: signal });
  assert.deepEqual(stop, { kind: 'watchpoint', core: 0, type: 'write', address });
  // Just after the write (gdb steps back over it, ARM watchpoints not being steppable): one step back is the store.
  assert.equal(t.position.clock, last.clock + 1);
  assert.deepEqual(await t.resume({ direction: 'reverse', mode: 'step', core: 0, interrupt: signal }), { kind: 'step', core: 0 });
  assert.equal(t.position.clock, last.clock);
  assert.equal(t.registers(0).r[15], last.pc, 'stopped at the store');
  // Once more: the write before it.
  const again = await t.resume({ direction: 'reverse', mode: 'continue', core: 0, interrupt: signal });
  assert.equal(again.kind, 'watchpoint');
  assert.equal(t.position.clock, writes[writes.length - 2].clock + 1);
  // Forwards, the watchpoint stops before the next write (gdb steps over it).
  const fwd = await t.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: signal });
  assert.equal(fwd.kind, 'watchpoint');
  assert.equal(t.position.clock, last.clock);
  assert.equal(t.registers(0).r[15], last.pc);
});

test('reverse-continue with a breakpoint stops at its previous hit; with none it reaches the beginning of the recording', async () => {
  const t = target();
  const at = t.registers(0).r[15];
  t.goto({ core: 0, clock: crash() });
  const divdi3 = t.registers(0).r[15];
  const signal = new AbortController().signal;
  t.addBreakpoint('software', divdi3);
  const stop = await t.resume({ direction: 'reverse', mode: 'continue', core: 0, interrupt: signal });
  assert.deepEqual(stop, { kind: 'breakpoint', core: 0, type: 'software', address: divdi3 });
  assert.ok(t.position.clock < crash());
  assert.equal(t.registers(0).r[15], divdi3);
  // Forwards from there: the next hit is the crash's.
  const next = await t.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: signal });
  assert.equal(next.kind, 'breakpoint');
  assert.equal(t.position.clock, crash());
  t.removeBreakpoint('software', divdi3);
  const begin = await t.resume({ direction: 'reverse', mode: 'continue', core: 0, interrupt: signal });
  assert.deepEqual(begin, { kind: 'replay-edge', core: 0, edge: 'begin' });
  assert.equal(t.position.clock, 0);
  assert.equal(t.registers(0).r[15], at, 'the boot state');
  assert.deepEqual(t.navigator.stepBackward(0), { kind: 'edge', edge: 'begin', core: 0 });
  // Forwards with nothing set: the end of the recording, and no further.
  const end = await t.resume({ direction: 'forward', mode: 'continue', core: 0, interrupt: signal });
  assert.deepEqual(end, { kind: 'replay-edge', core: 0, edge: 'end' });
  assert.equal(t.replayer.machine.now(), rec.lastIcount);
  assert.deepEqual(await t.resume({ direction: 'forward', mode: 'step', core: 0, interrupt: signal }), { kind: 'replay-edge', core: 0, edge: 'end' });
});

test('a recording cannot be changed: register and memory writes are refused with a reason', () => {
  const t = target();
  assert.match(t.setRegister(0, 0, 1) ?? '', /a recording cannot be changed/);
  assert.match(t.writeMemory(0, 0x100000, new Uint8Array([1])) ?? '', /a recording cannot be changed/);
});

test('replay monitor commands: icount, goto N, checkpoints, console and faults up to here', () => {
  const t = target();
  assert.match(t.monitor('goto 5000'), /instruction 5000/);
  assert.match(t.monitor('icount'), /core 0 \(selected\): clock 5000[\s\S]*recording ends at 7172734/);
  assert.match(t.monitor(`goto ${crash()}`), new RegExp(`instruction ${crash()}`));
  assert.match(t.monitor('console'), /pingpong: done after 10 rounds/);
  assert.match(t.monitor('faults'), /data abort[\s\S]*__divdi3/);
  assert.match(t.monitor('checkpoints'), /recording checkpoints \(3\):\n {2}2000000[\s\S]*in memory/);
  assert.match(t.monitor('goto 100'), /instruction 100/);
  assert.equal(t.monitor('faults'), '(no input log entries up to here)\n');
  assert.doesNotMatch(t.monitor('console'), /pingpong/);
  assert.throws(() => t.monitor('goto 99999999999'), /past the end of the recording \(7172734\)/);
  assert.throws(() => t.monitor('goto x'), /goto N \[core K\]/);
  assert.throws(() => t.monitor('goto 5 core 3'), /one core \(core 0\)/);
  assert.match(t.monitor('help'), /goto N \[core K\][\s\S]*faults/);
});

// ---- two cores ---------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-replay-target-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let smp: { rec: RecordingReader; dir: string; labels: Record<string, number> } | undefined;
/** Two cores: core 1 loops longer while core 0 waits in WFE; core 1 is stalled once by the input log; both park in WFI. */
function smpRun() {
  if (smp) return smp;
  const dir = path.join(tmp, 'smp');
  const { file, labels } = recordDebugSmpRun(dir, [
    { icount: 30_000, point: { at: 'boundary' }, injection: { kind: 'stall-core', core: 1, ticks: 5_000 }, cause: 'a stall of core 1', core: 1 },
  ]);
  smp = { rec: RecordingReader.open(file), dir, labels };
  return smp;
}
const smpTarget = () => new ReplayTarget(openReplay(smpRun().rec, { imagesDir: smpRun().dir, onNotice: () => {} }).replayer, { spacing: 10_000 });

test('two cores: reverse-stepi of core 0 back over its WFE wait gives exactly the states forward stepi gave', () => {
  const { rec: r } = smpRun();
  // Core 0 from its last instruction (the WFI it parks in) back through its printing and over its wait for core 1.
  const t = smpTarget();
  t.goto({ core: 0, clock: r.lastIcount });
  assert.equal(t.navigator.stepBackward(0).kind, 'step');
  // Forwards from that WFI: no instruction of core 0 follows before the end.
  const last = { ...t.position };
  assert.deepEqual(t.navigator.stepForward(0), { kind: 'edge', edge: 'end', core: 0 });
  const positions = backAndForth(smpTarget, last, 0, 120);
  const gaps = positions.slice(1).filter((p, i) => p.clock - positions[i].clock > 1);
  assert.ok(gaps.length >= 1, 'a wait was stepped over');
});

test('two cores: reverse-stepi of core 1 back over a stall (a core held by the input log) gives the states forward stepi gave', () => {
  const positions = backAndForth(smpTarget, { core: 1, clock: 35_040 }, 1, 60);
  assert.ok(positions.some((p, i) => i > 0 && p.clock - positions[i - 1].clock >= 1_000), 'the stall was stepped over');
});

test('two cores: reverse-continue with a watchpoint names the core that last wrote the address', async () => {
  const { rec: r } = smpRun();
  const t = smpTarget();
  t.goto({ core: 0, clock: r.lastIcount });
  // The shared counter (DATA): both cores add to it; core 1 runs longer, so it wrote it last.
  assert.ok(t.addWatchpoint('write', 0x60020000, 4));
  const stop = await t.resume({ direction: 'reverse', mode: 'continue', core: 0, interrupt: new AbortController().signal });
  assert.deepEqual(stop, { kind: 'watchpoint', core: 1, type: 'write', address: 0x60020000 });
  assert.equal(t.position.core, 1);
  const m = t.replayer.machine;
  // Just after the STREX that made it 8000; one step of core 1 back is before it.
  assert.equal(m.bus.read32(0x60020000) >>> 0, 8000);
  t.navigator.stepBackward(1);
  assert.equal(m.bus.read32(0x60020000) >>> 0, 7999);
  assert.match(t.monitor('icount', 1), /core 0: clock \d+\ncore 1 \(selected\): clock \d+ \(stopped here\)/);
});

// ---- the reference hypervisor on both Tegra20 CPUs: CPU1 held in reset until released, WFI waits ----

let hyp: RecordingReader | undefined;
/** A recording of features/scenarios/hyp-smp-pingpong.yaml (CPU1 starts held in reset; the hypervisor idles in WFI). */
function hypRun(): RecordingReader {
  if (hyp) return hyp;
  const file = path.join(tmp, 'hyp-smp.bur');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bringup'), 'run', '--quiet', '--record', file, path.join(ROOT, 'features', 'scenarios', 'hyp-smp-pingpong.yaml')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  hyp = RecordingReader.open(file);
  return hyp;
}
const hypTarget = () => new ReplayTarget(openReplay(hypRun(), { onNotice: () => {} }).replayer);

test('two cores: stepping CPU1 forwards from the boot goes to its first instruction once released from reset; reverse-stepi back over the hold reaches the beginning, with the states forward stepi gave', () => {
  const t = hypTarget();
  assert.deepEqual(t.navigator.stepForward(1), { kind: 'step', core: 1 });
  const first = { ...t.position };
  assert.ok(first.clock > 1_000_000, `CPU1 starts late (${first.clock})`);
  const m = t.replayer.machine;
  assert.equal(t.registers(1).r[15], m.coreControl.resetVector(1), 'at the EVP reset vector');
  for (let i = 0; i < 6; i++) assert.equal(t.navigator.stepForward(1).kind, 'step');
  const positions = backAndForth(hypTarget, t.position, 1, 6);
  assert.deepEqual(positions[0], first);
  // Before its first instruction CPU1 never ran: the beginning of the recording.
  const back = hypTarget();
  back.goto(first);
  assert.deepEqual(back.navigator.stepBackward(1), { kind: 'edge', edge: 'begin', core: 1 });
  assert.equal(back.replayer.machine.now(), 0);
});

test('two cores: reverse-stepi of CPU0 back over a WFI wait gives exactly the states forward stepi gave', () => {
  const rec2 = hypRun();
  // The first WFI wait of CPU0 (its clock moves on while it waits for an interrupt).
  const s = openReplay(rec2, { onNotice: () => {} }).replayer;
  s.resetTo(0, false);
  const m = s.machine;
  let gap: [number, number] | undefined;
  m.clockJumps.subscribe((k, a, b) => { if (!gap && k === 0 && m.cpus[0].waiting && !m.cpus[0].waitingForEvent && b - a > 1000) gap = [a, b]; });
  m.runUntil(rec2.lastIcount);
  assert.ok(gap, 'CPU0 waits in WFI');
  const t = hypTarget();
  t.goto({ core: 0, clock: gap[1] });
  // On to CPU0's first instructions after the wait.
  for (let i = 0; i < 3; i++) assert.equal(t.navigator.stepForward(0).kind, 'step');
  const positions = backAndForth(hypTarget, t.position, 0, 10);
  assert.ok(positions.some((p, i) => i > 0 && p.clock - positions[i - 1].clock > 1000), 'the wait was stepped over');
});

test('a run asked to pause a core held in reset, while another core runs alone, pauses again at the limit instead of moving every clock to infinity', () => {
  const s = openReplay(hypRun(), { onNotice: () => {} }).replayer;
  s.resetTo(0, false);
  const m = s.machine;
  // CPU1 is held in reset: CPU0 runs alone and pauses at the limit whichever core was asked for.
  assert.deepEqual(m.runUntil(1234, 1), { kind: 'limit' });
  const clocks = m.cpus.map((c) => c.icount);
  assert.equal(clocks[0], 1234);
  assert.ok(clocks[1] <= 1234);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(m.runUntil(1234, 1), { kind: 'limit' });
    assert.deepEqual(m.cpus.map((c) => c.icount), clocks, `asked again (${i + 1})`);
    assert.equal(m.pausedCore, 0);
  }
  // And goes on from there as a run straight through would.
  m.runUntil(50_000);
  assert.ok(Number.isFinite(m.cpus[1].icount) && m.now() === 50_000);
});

test('replay monitor commands that inspect the machine: mmu VA on the selected core, devices, gic, timers, and domains from the profile\'s domain table', () => {
  const session = openReplay(hypRun(), { onNotice: () => {} });
  const kernel = session.symbols.get('') ?? [];
  const domains = { table: loadProfile(DEFAULT_PROFILE).domainTable, symbol: (name: string) => kernel.find((s) => s.name === name)?.value };
  const t = new ReplayTarget(session.replayer, { domains });
  t.monitor('goto 6000000');
  assert.match(t.monitor('help'), /mmu VA[\s\S]*devices[\s\S]*gic[\s\S]*timers[\s\S]*domains/);
  assert.match(t.monitor('domains'), /core 0: [^\n]+\ncore 1: [^\n]+\ndomain table domains at 0x[0-9a-f]{8}[^\n]*\n {2}0: dom0 +runnable +ASID 1/);
  assert.match(t.monitor('gic'), /distributor/i);
  assert.match(t.monitor('devices'), /0x5000[0-9a-f]{4}/i);
  assert.match(t.monitor('timers'), /core 1/);
  assert.match(t.monitor('mmu 0x100000', 1), /0x0*100000/);
  assert.throws(() => t.monitor('mmu nowhere'), /mmu: 'nowhere' is not an address/);
  // Without a profile that says where the table is, domains says so.
  assert.match(new ReplayTarget(session.replayer).monitor('domains'), /does not say where the hypervisor keeps its domains/);
});
