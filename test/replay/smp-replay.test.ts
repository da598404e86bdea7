/** Recording and replay of runs on two cores: positions, seeking, checkpoints, the stop view, targets and events per core. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordingReader } from '../../replay/reader';
import { openReplay } from '../../scenario/record/recording';
import { resolveTarget, describeStop } from '../../replay/targets';
import { AddressSpaces } from '../../replay/symbols';
import { stateJson } from '../../replay/state-hash';
import { reviveTyped } from '../../replay/format';
import { buildHeader, RecordingRefused } from '../../replay/boot-record';
import { bootMachine } from '../../machine/boot/boot-machine';
import type { Machine } from '../../machine/machine';
import { smpProgram, recordSmp, vexpress, BASE, DATA } from '../support/smp-program';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-smp-replay-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A folder with the program built one way, and a recording of it. */
function recorded(name: string, program: Parameters<typeof smpProgram>[0], run: Partial<Parameters<typeof recordSmp>[0]> = {}) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const kernel = path.join(dir, 'smp.elf');
  const built = smpProgram(program);
  fs.writeFileSync(kernel, built.elf);
  const file = path.join(dir, 'run.bur');
  const result = recordSmp({ kernel, file, limit: 400_000, ...run });
  const rec = RecordingReader.open(file);
  return { dir, kernel, file, rec, result, labels: built.labels, open: () => openReplay(rec, { imagesDir: dir }) };
}

let good: ReturnType<typeof recorded> | undefined;
/**
 * Core 1 loops three times as long as core 0, which meanwhile waits in WFE
 * (its clock jumps to each round's end); quanta vary by a seed, so round
 * ends do not fall on chunk boundaries: core 0's clock is not the machine's time.
 */
const goodRun = () => (good ??= recorded('good', { loops: 5000, secondaryLoops: 15000 }, { schedule: { quantum: 1000, seed: 3 } }));

/** Everything but RAM as the chunk hash sees it, and the program's code and data pages (the only RAM it writes). */
function machineState(m: Machine): string {
  const pages = [BASE, DATA].map((a) => Buffer.from(m.bus.readBytes(a, 4096)).toString('base64'));
  return stateJson(m) + pages.join();
}

test('a two-core run is recorded with both cores in every chunk hash and checkpoint, and replays identically', () => {
  const g = goodRun();
  assert.equal(g.result.console, 'OK\n');
  assert.deepEqual(g.rec.problems, []);
  assert.equal(g.rec.header.boot.cores, 2);
  assert.deepEqual(g.rec.header.boot.schedule, { quantum: 1000, seed: 3 });
  assert.ok(g.rec.chunks.length >= 4, `${g.rec.chunks.length} chunks`);
  assert.ok(g.rec.checkpoints.length >= 2, `${g.rec.checkpoints.length} checkpoints`);
  const cp = g.rec.checkpoint(g.rec.checkpoints[0], 1 << 18, () => true);
  const state = cp.state as { cores?: unknown[]; scheduler?: unknown };
  assert.equal(state.cores?.length, 1, 'core 1 in the checkpoint');
  assert.ok(state.scheduler, 'the schedule position in the checkpoint');
  const pos = g.open().replayer.verify();
  assert.equal(pos.chunksVerified, g.rec.chunks.length);
  assert.equal(pos.icount, g.result.icount);
});

test('on two cores, replaying to N and on is the run straight through; a seek from a checkpoint reaches the same state at N', () => {
  const g = goodRun();
  const last = g.rec.lastIcount;
  // Inside core 0's turn, at a round boundary, and near the end.
  for (const n of [45_123, 60_000, Math.floor(last * 0.9) + 3]) {
    const stepped = g.open().replayer;
    stepped.resetTo(0, false);
    stepped.runTo(n);
    const atN = machineState(stepped.machine);
    assert.equal(stepped.icount, n);
    // Going on from N still matches every recorded chunk hash: stopping did not move the interleaving.
    stepped.runTo(last);
    assert.equal(stepped.chunksVerified, g.rec.chunks.length);

    const seek = g.open().replayer;
    seek.runTo(n);
    assert.ok(seek.chunksVerified < g.rec.chunks.length, 'sought');
    assert.equal(machineState(seek.machine), atN, `state at ${n} from a checkpoint`);

    // A machine run straight to N, with no stop on the way.
    const straight = bootMachine({ board: vexpress().spec, kernel: { name: 'smp.elf', data: fs.readFileSync(g.kernel) }, cores: 2, schedule: g.rec.header.boot.schedule }).machine;
    straight.runUntil(n);
    assert.equal(machineState(straight), atN, `state at ${n} straight from the boot`);
  }
});

test('on two cores, a replay stopped every few thousand ticks still matches every chunk hash (lone rounds paused on and off quantum boundaries)', () => {
  const g = goodRun();
  const last = g.rec.lastIcount;
  // Steps that land on quantum boundaries of the seeded grid now and then, and mostly between them.
  for (const step of [1_000, 2_999, 10_000]) {
    const stepped = g.open().replayer;
    stepped.resetTo(0, false);
    for (let t = step; t < last; t += step) stepped.runTo(t);
    stepped.runTo(last);
    assert.equal(stepped.chunksVerified, g.rec.chunks.length, `every chunk verified with stops every ${step} ticks`);
  }
});

test('the stop view of a two-core replay shows every core: state, registers, mode, pc with symbol', () => {
  const g = goodRun();
  const s = g.open();
  const spaces = new AddressSpaces(s.boot);
  s.replayer.runTo(g.rec.lastIcount);
  const text = describeStop(g.rec, s.replayer, spaces, 'the end').join('\n');
  assert.match(text, /^stopped at time \d+ \(the end\)/);
  assert.match(text, /core 0[^\n]*: waiting in WFI; pc [0-9a-f]{8} in svc mode/);
  assert.match(text, /core 1[^\n]*: waiting in WFI; pc [0-9a-f]{8} in svc mode/);
  assert.match(text, /wfi\s+<park>/, 'code with symbols');
  assert.equal((text.match(/cpsr [0-9a-f]{8}/g) ?? []).length, 2, 'registers of both cores');
  assert.match(text, /\] OK/);
  // --to N names a time on several cores.
  const at = resolveTarget({ kind: 'icount', icount: 50_000 }, g.rec, s.replayer, spaces);
  assert.equal(at.why, 'time 50000');
  assert.throws(() => resolveTarget({ kind: 'icount', icount: g.rec.lastIcount + 1 }, g.rec, s.replayer, spaces), /time \d+ is past the end of the recording/);
});

test('--to-symbol on two cores stops before the instruction on the core that executes it, and --core picks the core', () => {
  const g = goodRun();
  const at = g.labels.count_done;
  for (const core of [0, 1, undefined]) {
    const s = g.open();
    const spaces = new AddressSpaces(s.boot);
    const t = resolveTarget({ kind: 'symbol', name: 'count_done', core }, g.rec, s.replayer, spaces);
    assert.equal(t.here, true);
    const m = s.replayer.machine;
    assert.equal(m.cpus[t.core!].pc >>> 0, at, 'at the instruction');
    assert.equal(m.cpus[t.core!].r[5], 0, 'the loop before it is done');
    assert.equal(m.currentCore(), t.core, 'paused in that core\'s turn');
    if (core !== undefined) assert.equal(t.core, core);
    assert.match(t.why, new RegExp(`core ${t.core}'s first execution of count_done`));
    assert.equal(t.icount, m.cpus[t.core!].icount);
    // The replay goes on from there and still matches the recording.
    s.replayer.runTo(g.rec.lastIcount);
    assert.equal(s.replayer.chunksVerified, g.rec.chunks.length);
  }
  const s = g.open();
  assert.throws(() => resolveTarget({ kind: 'symbol', name: 'count_done', core: 2 }, g.rec, s.replayer, new AddressSpaces(s.boot)), /core 2: the recorded run has cores 0 to 1/);
});

test('--to-crash on two cores names the core that crashed and stops at its faulting instruction', () => {
  const c = recorded('crash', { loops: 2000, crash: true }, { limit: 100_000 });
  const s = c.open();
  const spaces = new AddressSpaces(s.boot);
  const t = resolveTarget({ kind: 'crash' }, c.rec, s.replayer, spaces);
  assert.equal(t.core, 1);
  assert.match(t.why, /^core 1: the data-abort from svc mode at pc 0x[0-9a-f]{8} \(wild_load\)/);
  assert.equal(s.replayer.machine.cpus[1].pc >>> 0, c.labels.wild_load);
  assert.equal(s.replayer.machine.cpus[1].r[8] >>> 0, 0xdead0000, 'the load has not executed');
  const view = describeStop(c.rec, s.replayer, spaces, t.why).join('\n');
  assert.match(view, /core 1 \(stopped here\): running; pc [0-9a-f]{8} <wild_load>/);
});

test('the events of a two-core recording name the core they happened on', () => {
  const c = recorded('crash-events', { loops: 2000, crash: true }, { limit: 100_000 });
  const events = c.rec.chunks.flatMap((x) => x.events);
  const aborts = events.filter((e) => e.kind === 'exception' && e.vector === 'data-abort');
  assert.ok(aborts.length > 0);
  assert.ok(aborts.every((e) => e.core === 1), 'the data abort is core 1\'s');
  const sgi = events.find((e) => e.kind === 'mmio' && e.address === 0x1e001f00);
  assert.equal(sgi?.core, 0, 'core 0 sent the SGI');
  const out = c.rec.chunks.flatMap((x) => x.console);
  assert.ok(out.length && out.every((e) => e.core === 0), 'core 0 printed');
});

test('a recording whose input log stalls a core is read back and replayed (stall-core entries and the core they act on)', () => {
  const stall = { icount: 31_000, point: { at: 'boundary' as const }, injection: { kind: 'stall-core' as const, core: 1, ticks: 3000 }, cause: 'schedule perturbation' };
  const r = recorded('stall', { loops: 10000 }, { inputs: [stall] });
  assert.deepEqual(r.rec.problems, []);
  const inputs = r.rec.chunks.flatMap((c) => c.inputs) as Array<{ injection: { kind: string; core: number } }>;
  assert.deepEqual(inputs.map((i) => i.injection), [stall.injection]);
  const pos = r.open().replayer.verify();
  assert.equal(pos.chunksVerified, r.rec.chunks.length);
});

test('a recording whose input log loses an SGI is read back and replayed, not refused as damaged (lose-sgi entries)', () => {
  const lose = { icount: 20_000, point: { at: 'boundary' as const }, injection: { kind: 'lose-sgi' as const, controller: 'gic', sgi: 1, cores: 2 }, core: 0, cause: 'lost interrupt' };
  const r = recorded('lose-sgi', { loops: 10000 }, { inputs: [lose] });
  assert.deepEqual(r.rec.problems, []);
  const inputs = r.rec.chunks.flatMap((c) => c.inputs) as Array<{ injection: { kind: string } }>;
  assert.deepEqual(inputs.map((i) => i.injection), [lose.injection]);
  const pos = r.open().replayer.verify();
  assert.equal(pos.chunksVerified, r.rec.chunks.length);
});

test('a full instruction trace of a run on several cores is refused with a message, not recorded wrong', () => {
  const board = vexpress();
  const boot = { board: board.spec, kernel: { name: 'k.elf', data: smpProgram().elf }, cores: 2 };
  assert.throws(() => buildHeader({ boot, boardFile: { file: board.file, sha256: board.sha256 }, console: 'uart0', scenario: { file: '', text: '' } }, { trace: 'full' }),
    (e: Error) => e instanceof RecordingRefused && /--trace full records the instructions of one core; this run has 2 cores/.test(e.message));
});

test('a checkpoint taken while a core waits in WFE restores it waiting for an event: the other core\'s SEV still wakes it', () => {
  const g = goodRun();
  // Core 0 waits in WFE from its 5000 loops on while core 1 does its 15000: a seek lands there from a checkpoint.
  const s = g.open();
  s.replayer.runTo(Math.floor(g.rec.lastIcount * 0.8));
  assert.ok(s.replayer.chunksVerified < g.rec.chunks.length - 1, 'sought from a checkpoint');
  const m = s.replayer.machine;
  assert.equal(m.cpus[0].waiting && m.cpus[0].waitingForEvent, true, 'core 0 waits for an event after the restore');
  s.replayer.runTo(g.rec.lastIcount);
  // Every chunk passed on the way matched (a mismatch throws), up to the recorded end, where core 0 printed.
  assert.equal(s.replayer.icount, g.rec.lastIcount, 'the replay reaches the end of the recording');
  assert.equal(m.cpus[0].pc >>> 0, g.labels.park + 4, 'core 0 woke, printed and parked');
});

test('a checkpoint taken in a lone core\'s round with nothing scheduled restores that round (its end, Infinity, is null in JSON)', () => {
  const g = goodRun();
  const boot = () => bootMachine({ board: vexpress().spec, kernel: { name: 'smp.elf', data: fs.readFileSync(g.kernel) }, cores: 2, schedule: g.rec.header.boot.schedule }).machine;
  // Core 0 waits in WFE: core 1 runs alone, in a round that only an event or a wait ends.
  const original = boot();
  original.runUntil(137_619);
  assert.ok(original.cpus[0].waiting, 'core 0 waits');
  const restored = boot();
  restored.restoreState(JSON.parse(stateJson(original), reviveTyped));
  for (const a of [BASE, DATA]) restored.bus.loadBytes(a, original.bus.readBytes(a, 4096));
  assert.equal(machineState(restored), machineState(original));
  for (const t of [140_000, 150_000, Infinity]) {
    original.runUntil(t);
    restored.runUntil(t);
    assert.equal(machineState(restored), machineState(original), `at ${t}`);
  }
});

test('a two-core run stopped in the middle of core 1\'s turn replays to exactly that stop (the last chunk names the core it ended in)', () => {
  const built = smpProgram({ loops: 5000, secondaryLoops: 15000 });
  const r = recorded('stop-in-core-1', { loops: 5000, secondaryLoops: 15000 }, {
    schedule: { quantum: 1000, seed: 3 }, stopAt: { core: 1, address: built.labels.secondary_end },
  });
  assert.equal(r.result.stop.kind, 'stopped');
  const last = r.rec.chunks[r.rec.chunks.length - 1];
  assert.equal(last.core, 1);
  const pos = r.open().replayer.verify();
  assert.equal(pos.chunksVerified, r.rec.chunks.length);
});
