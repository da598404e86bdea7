import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessProbe, ExecProbe, Probe } from '../../machine/probes';
import type { Machine } from '../../machine/machine';
import { Vector, MODE_ABT, MODE_FIQ, MODE_SVC } from '../../machine/cpu/modes';
import { FS_PERMISSION_PAGE, FS_TRANSLATION_SECTION } from '../../machine/cpu/faults';
import { createMachine } from '../../scenario/boards';

// ---- the probe classes ------------------------------------------------------

test('a probe tells every subscriber, in the order they subscribed', () => {
  const p = new Probe<[number, string]>();
  const seen: string[] = [];
  p.subscribe((n, s) => seen.push(`a${n}${s}`));
  p.subscribe((n, s) => seen.push(`b${n}${s}`));
  p.emit(1, 'x');
  assert.deepEqual(seen, ['a1x', 'b1x']);
});

test('a probe with no subscribers is inactive, and emitting to it does nothing', () => {
  const p = new Probe<[number]>();
  assert.equal(p.active, false);
  p.emit(1);
  const off = p.subscribe(() => {});
  assert.equal(p.active, true);
  off();
  assert.equal(p.active, false);
  assert.equal(p.size, 0);
});

test('an unsubscribed subscriber is not called again; unsubscribing twice does nothing', () => {
  const p = new Probe<[number]>();
  const a: number[] = [], b: number[] = [];
  const offA = p.subscribe((n) => a.push(n));
  const offB = p.subscribe((n) => b.push(n));
  p.emit(1);
  offA();
  offA();
  p.emit(2);
  assert.deepEqual(a, [1]);
  assert.deepEqual(b, [1, 2]);
  assert.equal(p.active, true);
  offB();
  assert.equal(p.active, false);
});

test('a subscriber may unsubscribe itself while being called', () => {
  const p = new Probe<[number]>();
  const a: number[] = [], b: number[] = [];
  const offA = p.subscribe((n) => { a.push(n); offA(); });
  p.subscribe((n) => b.push(n));
  p.emit(1);
  p.emit(2);
  assert.deepEqual(a, [1]);
  assert.deepEqual(b, [1, 2], 'the one after it is still called in the same emit');
});

test('a subscriber may unsubscribe another while being called: that one is not called any more, not even in the same emit', () => {
  const p = new Probe<[number]>();
  const b: number[] = [];
  let offB = (): void => {};
  p.subscribe(() => offB());
  offB = p.subscribe((n) => b.push(n));
  p.emit(1);
  p.emit(2);
  assert.deepEqual(b, []);
  assert.equal(p.size, 1);
});

test('a subscriber added while a probe is emitting is first called on the next emit', () => {
  const p = new Probe<[number]>();
  const late: number[] = [];
  let added = false;
  p.subscribe(() => { if (!added) { added = true; p.subscribe((n) => late.push(n)); } });
  p.emit(1);
  p.emit(2);
  assert.deepEqual(late, [2]);
});

test('the execution probe fills the dispatch table while anything is hooked and empties it after', () => {
  const probe = new ExecProbe<string>();
  assert.equal(probe.table.size, 0);
  const calls: string[] = [];
  const offA = probe.at(0x1000, (c) => { calls.push(`a:${c}`); return false; });
  const offB = probe.at(0x1000, (c) => { calls.push(`b:${c}`); return true; });
  const offC = probe.at(0x1000, (c) => { calls.push(`c:${c}`); return false; });
  assert.equal(probe.table.size, 1);
  assert.equal(probe.table.get(0x1000)!('x'), true);
  assert.deepEqual(calls, ['a:x', 'b:x'], 'handlers after the one that took the instruction are not called');
  offB();
  assert.equal(probe.table.get(0x1000)!('y'), false);
  assert.deepEqual(calls.slice(2), ['a:y', 'c:y']);
  offA(); offC(); offC();
  assert.equal(probe.table.size, 0);
  assert.equal(probe.size, 0);
});

test('an execution handler may unsubscribe itself and the others while being called', () => {
  const probe = new ExecProbe<number>();
  const calls: string[] = [];
  let offOthers = (): void => {};
  const offA = probe.at(4, () => { calls.push('a'); offA(); offOthers(); return false; });
  const offB = probe.at(4, () => { calls.push('b'); return false; });
  offOthers = offB;
  assert.equal(probe.table.get(4)!(0), false);
  assert.deepEqual(calls, ['a']);
  assert.equal(probe.table.size, 0);
  // Hooking the address again works with a fresh entry.
  probe.at(4, () => { calls.push('c'); return true; });
  assert.equal(probe.table.get(4)!(0), true);
  assert.deepEqual(calls, ['a', 'c']);
});

test('the access probe tells only the watchers whose range holds the address, inclusive at both ends', () => {
  const probe = new AccessProbe();
  const a: string[] = [], b: string[] = [];
  const offA = probe.watch(0x100, 0x1ff, (va, w) => a.push(`${va.toString(16)}${w ? 'w' : 'r'}`));
  probe.watch(0x1f0, 0xffffffff, (va, w) => b.push(`${va.toString(16)}${w ? 'w' : 'r'}`));
  probe.emit(0x100, false);
  probe.emit(0x1ff, true);
  probe.emit(0xfffffffc | 0, false);
  assert.deepEqual(a, ['100r', '1ffw']);
  assert.deepEqual(b, ['1ffw', 'fffffffcr']);
  offA();
  probe.emit(0x1f8, true);
  assert.deepEqual(a, ['100r', '1ffw']);
  assert.equal(probe.active, true);
});

test('an access watcher may unsubscribe itself and others while being called', () => {
  const probe = new AccessProbe();
  const b: number[] = [];
  let offB = (): void => {};
  const offA = probe.watch(0, 10, () => { offA(); offB(); });
  offB = probe.watch(0, 10, (va) => b.push(va));
  probe.emit(5, false);
  assert.deepEqual(b, []);
  assert.equal(probe.active, false);
});

// ---- the probes of a machine --------------------------------------------------

const DRAM = 0x60000000;
const CODE = DRAM + 0x1000;
const UART0 = 0x10009000;
const TIMER01 = 0x10011000;
const B_SELF = 0xeafffffe;      // b .
const MOVS_PC_LR = 0xe1b0f00e;  // movs pc, lr
const SVC_0 = 0xef000000;       // svc #0

/** vexpress-a9 with vectors in DRAM (each `b .`, SVC returning) and `words` at CODE. */
function machineWith(words: number[]): Machine {
  const m = createMachine('vexpress-a9');
  m.cpu.cp15.vbar = DRAM;
  for (let v = 0; v < 8; v++) m.bus.write32(DRAM + 4 * v, B_SELF);
  m.bus.write32(DRAM + Vector.Svc, MOVS_PC_LR);
  words.forEach((w, i) => m.bus.write32(CODE + 4 * i, w >>> 0));
  m.cpu.pc = CODE;
  return m;
}

function text(chunks: Uint8Array[]): string {
  return Buffer.concat(chunks).toString('latin1');
}

test('console probe: two subscribers see a UART\'s output; one unsubscribed sees no more', () => {
  const m = machineWith([B_SELF]);
  const a: Uint8Array[] = [], b: Array<[string, Uint8Array]> = [];
  const offA = m.probes.console.subscribe((_d, data) => { a.push(data); });
  m.probes.console.subscribe((d, data) => { b.push([d, data]); });
  m.bus.write32(UART0, 0x68); // 'h'
  offA();
  m.bus.write32(UART0, 0x69); // 'i'
  assert.equal(text(a), 'h');
  assert.deepEqual(b.map(([d]) => d), ['uart0', 'uart0']);
  assert.equal(text(b.map(([, d]) => d)), 'hi');
});

test('console probe: semihosting output given to the machine reaches the subscribers as device "semihosting"', () => {
  const m = machineWith([B_SELF]);
  const seen: string[] = [];
  m.probes.console.subscribe((d, data) => { seen.push(`${d}:${Buffer.from(data).toString('latin1')}`); });
  m.emitConsole('semihosting', Buffer.from('ok'));
  assert.deepEqual(seen, ['semihosting:ok']);
});

test('guest error probe: two subscribers are told, after the error is kept in guestErrors', () => {
  const m = machineWith([0xe6000010 /* no A32 encoding */, B_SELF]);
  const a: string[] = [], b: number[] = [];
  m.probes.guestError.subscribe((e) => { a.push(e.source); assert.equal(m.guestErrors[m.guestErrors.length - 1], e); });
  const offB = m.probes.guestError.subscribe((e) => { b.push(e.pc); });
  m.run(3);
  assert.deepEqual(a, ['cpu'], 'the undefined instruction is reported');
  assert.deepEqual(b, [CODE]);
  offB();
  m.bus.write32(UART0 + 0xef0, 1); // no register there
  assert.deepEqual(a, ['cpu', 'uart0']);
  assert.deepEqual(b, [CODE]);
  assert.deepEqual(m.guestErrors.map((e) => e.source), a);
});

test('exception probe: two subscribers see the vector, the pc and the mode it was taken from; one unsubscribed from inside its call sees no more', () => {
  const m = machineWith([SVC_0, SVC_0, B_SELF]);
  const a: string[] = [], b: string[] = [];
  const offA = m.probes.exception.subscribe((vector, pc, mode) => { a.push(`${vector}@${pc.toString(16)}/${mode}`); offA(); });
  m.probes.exception.subscribe((vector, pc, mode) => { b.push(`${vector}@${pc.toString(16)}/${mode}`); });
  m.run(6);
  assert.deepEqual(a, [`${Vector.Svc}@${CODE.toString(16)}/${MODE_SVC}`]);
  assert.deepEqual(b, [`${Vector.Svc}@${CODE.toString(16)}/${MODE_SVC}`, `${Vector.Svc}@${(CODE + 4).toString(16)}/${MODE_SVC}`]);
});

test('MMIO probes: reads and writes of the guest reach two subscribers with address, size and value', () => {
  // ldr r1, =UART0 (via movw/movt); mov r2, #0x41; strb r2, [r1]; ldr r3, [r1, #0x18] (UARTFR)
  const m = machineWith([0xe3091000, 0xe3411000, 0xe3a02041, 0xe5c12000, 0xe5913018, B_SELF]);
  const writes: string[] = [], writes2: string[] = [], reads: string[] = [];
  m.probes.mmioWrite.subscribe((pa, size, value) => { writes.push(`${pa.toString(16)}/${size}=${value.toString(16)}`); });
  m.probes.mmioWrite.subscribe((pa, size, value) => { writes2.push(`${pa.toString(16)}/${size}=${value.toString(16)}`); });
  m.probes.mmioRead.subscribe((pa, size, value) => { reads.push(`${pa.toString(16)}/${size}=${value.toString(16)}`); });
  m.run(5);
  assert.deepEqual(writes, ['10009000/1=41']);
  assert.deepEqual(writes2, writes);
  assert.equal(reads.length, 1);
  assert.match(reads[0], /^10009018\/4=[0-9a-f]+$/);
  assert.equal(Number.parseInt(reads[0].split('=')[1], 16), m.cpu.r[3] >>> 0, 'the value the guest read');
});

/** Starts timer01's first timer as a one-shot with its interrupt enabled (expires after `load` us). */
function startOneShot(m: Machine, load: number): void {
  m.bus.write32(TIMER01 + 0x00, load);
  m.bus.write32(TIMER01 + 0x08, 0x80 | 0x20 | 0x02 | 0x01); // enable, IE, 32-bit, one-shot
}

test('interrupt edge probe: two subscribers see each edge the wiring drives, with the controller input and the device that drove it', () => {
  const m = machineWith([B_SELF]);
  const a: string[] = [], b: string[] = [];
  m.probes.irqEdge.subscribe((controller, line, high, device, output) => { a.push(`${controller}:${line} ${high ? 'up' : 'down'} by ${device}#${output}`); });
  const offB = m.probes.irqEdge.subscribe((controller, line, high) => { b.push(`${controller}:${line} ${high ? 'up' : 'down'}`); });
  startOneShot(m, 2);
  m.run(10_000);
  offB();
  m.bus.write32(TIMER01 + 0x0c, 1); // TimerIntClr
  assert.deepEqual(a, ['gic:34 up by timer01#0', 'gic:34 down by timer01#0']);
  assert.deepEqual(b, ['gic:34 up']);
});

test('interrupt edge probe: an irq-line entry of the input log is not a wiring edge', () => {
  const m = machineWith([B_SELF]);
  const edges: string[] = [];
  m.probes.irqEdge.subscribe((controller, line, high) => { edges.push(`${controller}:${line}=${high}`); });
  m.fire({ at: 'boundary' }, { kind: 'irq-line', controller: 'gic', line: 34, high: true }, 'test');
  m.fire({ at: 'boundary' }, { kind: 'irq-line', controller: 'gic', line: 34, high: false }, 'test');
  assert.deepEqual(edges, []);
});

test('interrupt edge probe: edges into the CPU\'s own inputs are reported as controller cpu', () => {
  const m = machineWith([B_SELF]);
  // Distributor and CPU interface on, interrupt 34 enabled for CPU 0.
  m.bus.write32(0x1e001000, 1);
  m.bus.write32(0x1e000100, 1);
  m.bus.write32(0x1e000104, 0xff);
  m.bus.write32(0x1e001100 + 4, 1 << (34 - 32));
  m.bus.write32(0x1e001800 + 34, 1);
  const edges: string[] = [];
  m.probes.irqEdge.subscribe((controller, line, high, device) => { if (controller === 'cpu') edges.push(`${line}=${high} by ${device}`); });
  startOneShot(m, 2);
  m.run(10_000);
  assert.deepEqual(edges, ['0=true by gic']);
  assert.equal(m.cpu.irqLine, true);
});

test('injection probe: two subscribers see each input-log entry as it takes effect', () => {
  const m = machineWith([B_SELF]);
  const a: number[] = [], b: string[] = [];
  m.probes.injection.subscribe((e) => { a.push(e.icount); });
  m.probes.injection.subscribe((e) => { b.push(e.injection.kind); assert.equal(m.injected[m.injected.length - 1], e); });
  m.addInput(50, 'uart0', Buffer.from('x'));
  m.run(40);
  assert.deepEqual(a, []);
  m.run(40);
  assert.deepEqual(a, [50]);
  assert.deepEqual(b, ['console-input']);
});

test('code write probe: a write to a page holding decoded instructions is told after the CPU dropped its copy', () => {
  // mov r0, #1; b .   -- then the test patches the mov into mov r0, #2 and jumps back.
  const m = machineWith([0xe3a00001, B_SELF]);
  m.run(3);
  assert.equal(m.cpu.r[0], 1);
  const a: number[] = [], b: number[] = [];
  m.probes.codeWrite.subscribe((page) => { a.push(page); });
  m.probes.codeWrite.subscribe((page) => { b.push(page); });
  m.bus.write32(CODE, 0xe3a00002);
  assert.deepEqual(a, [CODE >>> 12]);
  assert.deepEqual(b, a);
  m.bus.write32(CODE + 8, 0);
  assert.deepEqual(a, [CODE >>> 12], 'told once: the page holds no decoded code until it runs again');
  m.cpu.pc = CODE;
  m.run(2);
  assert.equal(m.cpu.r[0], 2, 'the patched instruction ran');
});

test('instruction probe: two handlers at one address both run unless one takes the instruction\'s place', () => {
  // mov r0, #0; add r0, r0, #1 (hooked); b .
  const m = machineWith([0xe3a00000, 0xe2800001, B_SELF]);
  const seen: string[] = [];
  m.probes.exec.at(CODE + 4, (cpu) => { seen.push(`a${cpu.icount}`); return false; });
  const offB = m.probes.exec.at(CODE + 4, (cpu) => { seen.push(`b${cpu.icount}`); return false; });
  m.run(3);
  assert.deepEqual(seen, ['a2', 'b2']);
  assert.equal(m.cpu.r[0], 1);
  offB();
  m.probes.exec.at(CODE + 4, (cpu) => { cpu.nextPc = (CODE + 8) >>> 0; return true; });
  const later: string[] = [];
  m.probes.exec.at(CODE + 4, () => { later.push('never'); return false; });
  m.cpu.pc = CODE;
  m.run(3);
  assert.deepEqual(seen, ['a2', 'b2', 'a5']);
  assert.deepEqual(later, []);
  assert.equal(m.cpu.r[0], 0, 'the add was skipped');
});

test('data access probe: watchers of overlapping ranges see the guest\'s accesses; an unsubscribed one does not', () => {
  // movw r1, #0x2000; movt r1, #0x6000; str r0, [r1]; ldr r2, [r1, #4]; b .
  const m = machineWith([0xe3021000, 0xe3461000, 0xe5810000, 0xe5912004, B_SELF]);
  const a: string[] = [], b: string[] = [];
  m.probes.access.watch(DRAM + 0x2000, DRAM + 0x2003, (va, w) => { a.push(`${va.toString(16)}${w ? 'w' : 'r'}`); });
  const offB = m.probes.access.watch(DRAM, DRAM + 0xffff, (va, w) => { b.push(`${va.toString(16)}${w ? 'w' : 'r'}`); offB(); });
  m.run(5);
  assert.deepEqual(a, ['60002000w']);
  assert.deepEqual(b, ['60002000w']);
});

test('with nobody subscribed, the machine\'s hot paths never call a probe', () => {
  // Every kind of event happens: MMIO write and read, an exception, a code write, data accesses, an injection, a wiring edge.
  const m = machineWith([0xe3091000, 0xe3411000, 0xe3a02041, 0xe5c12000, 0xe5913018, SVC_0, B_SELF]);
  const p = m.probes;
  const quiet = [p.exception, p.mmioRead, p.mmioWrite, p.irqEdge, m.cpu.accessProbe] as const;
  for (const probe of quiet) assert.equal(probe.active, false);
  assert.equal(m.cpu.execHooks.size, 0);
  // Emitting would be the cost: count calls of emit on these probes.
  let emits = 0;
  for (const probe of quiet) {
    const emit = probe.emit.bind(probe) as (...args: unknown[]) => void;
    Object.defineProperty(probe, 'emit', { value: (...args: unknown[]) => { emits++; emit(...args); } });
  }
  startOneShot(m, 2);
  m.addInput(100, 'uart0', Buffer.from('x'));
  m.run(10_000);
  m.bus.write32(CODE, 0xe3a00002);
  assert.equal(emits, 0);
  assert.equal(m.cpu.mode, MODE_SVC, 'the SVC was taken and returned');
});

test('the probes of a machine are the ones its CPU and bus emit to', () => {
  const m = machineWith([B_SELF]);
  assert.equal(m.probes.exception, m.cpu.exceptionProbe);
  assert.equal(m.probes.access, m.cpu.accessProbe);
  assert.equal(m.probes.exec, m.cpu.execProbe);
  assert.equal(m.probes.mmioRead, m.bus.mmioReadProbe);
  assert.equal(m.probes.mmioWrite, m.bus.mmioWriteProbe);
  assert.equal(m.probes.codeWrite, m.bus.codeWriteProbe);
});

// ---- faults enter exceptions through the CPU's own entry code ------------------

test('a data abort injected between instructions is taken by the CPU: DFSR, DFAR, LR = pc + 8, told to the exception probe', () => {
  const m = machineWith([0xe3a00001, B_SELF]);
  const seen: string[] = [];
  m.probes.exception.subscribe((vector, pc, mode) => { seen.push(`${vector}@${pc.toString(16)}/${mode}`); });
  m.fire({ at: 'boundary' }, { kind: 'data-abort', address: 0x1234, status: FS_PERMISSION_PAGE, write: true }, 'test');
  assert.equal(m.cpu.mode, MODE_ABT);
  assert.equal(m.cpu.pc >>> 0, DRAM + Vector.DataAbort);
  assert.equal(m.cpu.r[14] >>> 0, CODE + 8);
  assert.equal(m.cpu.cp15.dfar, 0x1234);
  assert.equal(m.cpu.cp15.dfsr & 0x40f, FS_PERMISSION_PAGE);
  assert.equal(m.cpu.cp15.dfsr & (1 << 11), 1 << 11, 'WnR');
  assert.deepEqual(seen, [`${Vector.DataAbort}@${CODE.toString(16)}/${MODE_SVC}`]);
});

test('a prefetch abort injected between instructions is taken by the CPU: IFSR, IFAR, LR = pc + 4', () => {
  const m = machineWith([0xe3a00001, B_SELF]);
  m.fire({ at: 'boundary' }, { kind: 'prefetch-abort', address: CODE, status: FS_TRANSLATION_SECTION }, 'test');
  assert.equal(m.cpu.mode, MODE_ABT);
  assert.equal(m.cpu.pc >>> 0, DRAM + Vector.PrefetchAbort);
  assert.equal(m.cpu.r[14] >>> 0, CODE + 4);
  assert.equal(m.cpu.cp15.ifar, CODE);
  assert.equal(m.cpu.cp15.ifsr, FS_TRANSLATION_SECTION);
});

test('the next instruction address considers pending interrupts as the CPU takes them: FIQ before IRQ, masked ones not', () => {
  const m = machineWith([B_SELF]);
  const cpu = m.cpu;
  cpu.i = 0; cpu.f = 0;
  assert.equal(cpu.nextInstructionAddress(), CODE);
  assert.equal(cpu.pendingInterrupt(), -1);
  cpu.irqLine = true;
  assert.equal(cpu.nextInstructionAddress(), DRAM + Vector.Irq);
  cpu.fiqLine = true;
  assert.equal(cpu.nextInstructionAddress(), DRAM + Vector.Fiq);
  cpu.f = 1;
  assert.equal(cpu.pendingInterrupt(), Vector.Irq);
  cpu.i = 1;
  assert.equal(cpu.nextInstructionAddress(), CODE);
  // And the CPU does go where it said.
  cpu.f = 0;
  const expected = cpu.nextInstructionAddress();
  m.run(1);
  assert.equal(cpu.mode, MODE_FIQ);
  assert.equal(cpu.r[14] >>> 0, CODE + 4);
  assert.equal(expected, DRAM + Vector.Fiq);
});
