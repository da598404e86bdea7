/**
 * The GDB remote protocol session (debug/rsp/session.ts) against a small
 * fake DebugTarget: every packet the stub answers, acks and no-ack mode,
 * threads (one per core), stop replies, and malformed or unknown packets
 * answered without a crash.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GdbSession, type SessionEnd } from '../../debug/rsp/session';
import { PacketDecoder, framePacket, textToHex } from '../../debug/rsp/packets';
import { REGISTERS, TARGET_FILES } from '../../debug/rsp/registers';
import type { BreakpointKind, CoreRegisters, DebugTarget, RegisterName, ResumeRequest, StopEvent, WatchKind } from '../../debug/target';

class FakeTarget implements DebugTarget {
  readonly cores = 2;
  regs: CoreRegisters[] = [0, 1].map((k) => ({
    r: Array.from({ length: 16 }, (_, n) => (k << 16) | n), cpsr: 0x600001d3,
    d: Array.from({ length: 16 }, (_, n): [number, number] => [n, 0x40000000 | k]),
    fpscr: 0x03000000, fpsid: 0x41033090, fpexc: 0x40000000,
  }));
  /** RAM at 0x1000-0x1fff. */
  memory = new Uint8Array(0x1000).map((_, i) => i & 0xff);
  writes: string[] = [];
  points: string[] = [];
  resumes: Array<Omit<ResumeRequest, 'interrupt'>> = [];
  /** What the next resumes return (else a step of the requested core). */
  stops: Array<StopEvent | ((r: ResumeRequest) => Promise<StopEvent>)> = [];
  monitors: Array<[string, number | undefined]> = [];
  constructor(readonly reversible = false) {}
  describeCore(core: number): string { return `core ${core} fake`; }
  registers(core: number): CoreRegisters { return this.regs[core]; }
  setRegister(core: number, name: RegisterName, value: number | [number, number]): string | undefined {
    this.writes.push(`${core}:${String(name)}=${JSON.stringify(value)}`);
    if (typeof name === 'number' && typeof value === 'number') this.regs[core].r[name] = value;
    else if (name === 'cpsr' && typeof value === 'number') this.regs[core].cpsr = value;
    else if (typeof name === 'string' && name.startsWith('d') && Array.isArray(value)) this.regs[core].d[Number(name.slice(1))] = value;
    return this.reversible ? 'a recording cannot be changed' : undefined;
  }
  readMemory(_core: number, address: number, length: number): Uint8Array | undefined {
    if (address < 0x1000 || address + length > 0x2000) return undefined;
    return this.memory.slice(address - 0x1000, address - 0x1000 + length);
  }
  writeMemory(_core: number, address: number, bytes: Uint8Array): string | undefined {
    if (address < 0x1000 || address + bytes.length > 0x2000) return 'not RAM';
    this.memory.set(bytes, address - 0x1000);
    return undefined;
  }
  addBreakpoint(type: BreakpointKind, address: number): boolean { this.points.push(`+${type}@${address.toString(16)}`); return address !== 0xdead; }
  removeBreakpoint(type: BreakpointKind, address: number): boolean { this.points.push(`-${type}@${address.toString(16)}`); return true; }
  addWatchpoint(type: WatchKind, address: number, length: number): boolean { this.points.push(`+${type}@${address.toString(16)}/${length}`); return true; }
  removeWatchpoint(type: WatchKind, address: number, length: number): boolean { this.points.push(`-${type}@${address.toString(16)}/${length}`); return true; }
  async resume(r: ResumeRequest): Promise<StopEvent> {
    this.resumes.push({ direction: r.direction, mode: r.mode, core: r.core });
    const next = this.stops.shift();
    if (typeof next === 'function') return next(r);
    return next ?? { kind: 'step', core: r.core };
  }
  monitor(command: string, core?: number): string {
    this.monitors.push([command, core]);
    if (command === 'fail') throw new Error('monitor: no such thing');
    return `ran ${command}\n`;
  }
}

/** A client speaking to a session: sends packets, collects what comes back. */
class Client {
  readonly session: GdbSession;
  private readonly decoder = new PacketDecoder();
  readonly raw: Buffer[] = [];
  readonly replies: string[] = [];
  acks = 0;
  nacks = 0;
  private waiters: Array<() => void> = [];
  readonly logs: string[] = [];
  constructor(readonly target: FakeTarget) {
    this.session = new GdbSession(target, (data) => {
      this.raw.push(Buffer.from(data));
      for (const e of this.decoder.push(data)) {
        if (e.kind === 'packet') this.replies.push(e.data.toString('latin1'));
        else if (e.kind === 'ack') this.acks++;
        else if (e.kind === 'nack') this.nacks++;
      }
      for (const w of this.waiters.splice(0)) w();
    }, { log: (l) => this.logs.push(l) });
  }
  /** Sends a packet and waits for `count` replies (O packets of a monitor command count). */
  async ask(payload: string | Buffer, count = 1): Promise<string> {
    const before = this.replies.length;
    this.session.feed(framePacket(payload));
    while (this.replies.length < before + count) await new Promise<void>((r) => { this.waiters.push(r); setImmediate(r); });
    return this.replies[this.replies.length - 1];
  }
  send(bytes: string | Buffer): void { this.session.feed(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes); }
}

const regsHex = (r: CoreRegisters) => REGISTERS.map((info) => {
  const v = info.read(r);
  const w = (x: number) => Buffer.from(Uint32Array.of(x >>> 0).buffer).toString('hex');
  return typeof v === 'number' ? w(v) : w(v[0]) + w(v[1]);
}).join('');

test('qSupported advertises the packet size, the target description, no-ack mode, swbreak/hwbreak and vCont; reverse only for a reversible target', async () => {
  const c = new Client(new FakeTarget());
  const features = (await c.ask('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=arm')).split(';');
  for (const f of ['PacketSize=4000', 'qXfer:features:read+', 'QStartNoAckMode+', 'swbreak+', 'hwbreak+', 'vContSupported+']) assert.ok(features.includes(f), `${f} in ${features}`);
  assert.ok(!features.includes('ReverseStep+') && !features.includes('ReverseContinue+'));
  const r = new Client(new FakeTarget(true));
  const rf = (await r.ask('qSupported')).split(';');
  assert.ok(rf.includes('ReverseStep+') && rf.includes('ReverseContinue+'));
});

test('every packet is acked with + until QStartNoAckMode; a corrupted one gets - and the last reply is sent again on -', async () => {
  const c = new Client(new FakeTarget());
  await c.ask('?');
  assert.equal(c.acks, 1);
  c.send('$?#00');
  await new Promise((r) => setImmediate(r));
  assert.equal(c.nacks, 1, 'a wrong checksum is answered with -');
  const sent = c.replies.length;
  c.send('-');
  await new Promise((r) => setImmediate(r));
  assert.equal(c.replies.length, sent + 1, 'the last reply again');
  assert.equal(c.replies[c.replies.length - 1], c.replies[sent - 1]);
  assert.equal(await c.ask('QStartNoAckMode'), 'OK');
  const acks = c.acks;
  await c.ask('?');
  assert.equal(c.acks, acks, 'no acks after QStartNoAckMode');
});

test('the stop reply before anything ran is SIGTRAP on thread 1; qC, qAttached and the thread list name one thread per core', async () => {
  const c = new Client(new FakeTarget());
  assert.equal(await c.ask('?'), 'T05thread:1;');
  assert.equal(await c.ask('qfThreadInfo'), 'm1,2');
  assert.equal(await c.ask('qsThreadInfo'), 'l');
  assert.equal(await c.ask('qC'), 'QC1');
  assert.equal(await c.ask('qAttached'), '1');
  assert.equal(await c.ask('T1'), 'OK');
  assert.equal(await c.ask('T2'), 'OK');
  assert.equal(await c.ask('T3'), 'E01');
  assert.equal(Buffer.from(await c.ask('qThreadExtraInfo,2'), 'hex').toString(), 'core 1 fake');
});

test('g gives every register of the Hg thread in the order of the target description; p N agrees with it', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  assert.equal(await c.ask('g'), regsHex(t.regs[0]));
  assert.equal(await c.ask('Hg2'), 'OK');
  assert.equal(await c.ask('g'), regsHex(t.regs[1]));
  assert.equal(await c.ask('pf'), '0f000100', 'pc of core 1');
  assert.equal(await c.ask('p19'), 'd3010060', 'cpsr is register 25');
  assert.equal(await c.ask('p1a'), '0000000001000040', 'd0 is register 26: low word, then high word');
  assert.equal(await c.ask('p2a'), '00000003', 'fpscr is 42');
  assert.equal(await c.ask('p2b'), '90300341', 'fpsid is 43');
  assert.equal(await c.ask('p2c'), '00000040', 'fpexc is 44');
  assert.equal(await c.ask('p10'), 'E01', 'no register 16');
  assert.equal(await c.ask('pzz'), 'E01');
  assert.equal(await c.ask('Hg0'), 'OK', 'any thread');
  assert.equal(await c.ask('Hg9'), 'E01', 'no thread 9');
});

test('the target description has the ARM core and VFP features with the numbers g and p use, and reads in pieces', async () => {
  const c = new Client(new FakeTarget());
  let xml = '';
  for (;;) {
    const part = await c.ask(`qXfer:features:read:target.xml:${xml.length.toString(16)},40`);
    xml += part.slice(1);
    if (part[0] === 'l') break;
    assert.equal(part[0], 'm');
  }
  assert.equal(xml, TARGET_FILES.get('target.xml'));
  assert.match(xml, /<architecture>arm<\/architecture>/);
  const core = (await c.ask('qXfer:features:read:arm-core.xml:0,3000')).slice(1);
  assert.match(core, /org\.gnu\.gdb\.arm\.core/);
  assert.match(core, /name="cpsr" bitsize="32" regnum="25"/);
  const vfp = (await c.ask('qXfer:features:read:arm-vfpv3-d16.xml:0,3000')).slice(1);
  assert.match(vfp, /org\.gnu\.gdb\.arm\.vfp/);
  assert.match(vfp, /name="d0" bitsize="64" type="ieee_double" regnum="26"/);
  assert.match(vfp, /name="d15" bitsize="64" type="ieee_double" regnum="41"/);
  for (const [name, n] of [['fpscr', 42], ['fpsid', 43], ['fpexc', 44]] as const) assert.match(vfp, new RegExp(`name="${name}" bitsize="32" type="int" group="float" regnum="${n}"`));
  assert.equal(await c.ask('qXfer:features:read:nothing.xml:0,100'), 'E00');
  assert.equal(await c.ask('qXfer:features:read:target.xml:zz'), 'E00');
});

test('P and G write registers (only those that change; a d register as two words); a refused write is E01', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  assert.equal(await c.ask('P3=78563412'), 'OK');
  assert.equal(t.regs[0].r[3], 0x12345678);
  assert.equal(await c.ask('P1b=0100000002000000'), 'OK');
  assert.deepEqual(t.regs[0].d[1], [1, 2]);
  assert.equal(await c.ask('P2b=00000000'), 'E01', 'fpsid is read-only');
  assert.equal(await c.ask('P3=1234'), 'E01');
  t.writes.length = 0;
  const regs = structuredClone(t.regs[0]);
  regs.r[5] = 0xcafef00d;
  assert.equal(await c.ask(`G${regsHex(regs)}`), 'OK');
  assert.deepEqual(t.writes, ['0:5=3405705229']);
  assert.equal(await c.ask('G1234'), 'E01');
  const ro = new Client(new FakeTarget(true));
  assert.equal(await ro.ask('P3=00000000'), 'E01');
});

test('m reads memory of the Hg thread, a partly readable range gives its readable start, an unreadable one E14; M and X write', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  assert.equal(await c.ask('m1000,4'), '00010203');
  assert.equal(await c.ask('m1ffe,4'), 'feff', 'the two readable bytes');
  assert.equal(await c.ask('m0,4'), 'E14');
  assert.equal(await c.ask('m1000'), 'E01');
  assert.equal(await c.ask('M1000,2:abcd'), 'OK');
  assert.deepEqual([...t.memory.subarray(0, 2)], [0xab, 0xcd]);
  assert.equal(await c.ask(Buffer.concat([Buffer.from('X1004,4:'), Buffer.from([0x7d, 0x23, 0x24, 0x2a])])), 'OK');
  assert.deepEqual([...t.memory.subarray(4, 8)], [0x7d, 0x23, 0x24, 0x2a]);
  assert.equal(await c.ask('X1000,0:'), 'OK', 'the X probe');
  assert.equal(await c.ask('M0,1:00'), 'E01', 'refused by the target');
  assert.equal(await c.ask('M1000,2:ab'), 'E01', 'length mismatch');
});

test('Z0-Z4 and z0-z4 set and clear breakpoints and watchpoints; one the target cannot set is E01', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  assert.equal(await c.ask('Z0,60010000,4'), 'OK');
  assert.equal(await c.ask('Z1,60010004,2'), 'OK');
  assert.equal(await c.ask('Z2,1000,4'), 'OK');
  assert.equal(await c.ask('Z3,1004,2'), 'OK');
  assert.equal(await c.ask('Z4,1008,1'), 'OK');
  assert.equal(await c.ask('z0,60010000,4'), 'OK');
  assert.equal(await c.ask('z4,1008,1'), 'OK');
  assert.equal(await c.ask('Z0,dead,4'), 'E01');
  assert.equal(await c.ask('Z5,0,4'), 'E01');
  assert.equal(await c.ask('Z2,1000,0'), 'E01');
  assert.deepEqual(t.points.slice(0, 7), ['+software@60010000', '+hardware@60010004', '+write@1000/4', '+read@1004/2', '+access@1008/1', '-software@60010000', '-access@1008/1']);
});

test('vCont? lists c C s S; vCont steps the named thread or continues; legacy c/s resume the Hc thread, at an address when given', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  assert.equal(await c.ask('vCont?'), 'vCont;c;C;s;S');
  assert.equal(await c.ask('vCont;s:2;c'), 'T05thread:2;');
  t.stops.push({ kind: 'breakpoint', core: 0, type: 'software', address: 0x60010000 });
  assert.equal(await c.ask('vCont;c'), 'T05thread:1;', 'swbreak only when gdb said swbreak+');
  await c.ask('qSupported:swbreak+;hwbreak+');
  t.stops.push({ kind: 'breakpoint', core: 1, type: 'software', address: 0x60010000 });
  assert.equal(await c.ask('vCont;c'), 'T05thread:2;swbreak:;');
  t.stops.push({ kind: 'breakpoint', core: 1, type: 'hardware', address: 0x60010000 });
  assert.equal(await c.ask('vCont;C05'), 'T05thread:2;hwbreak:;');
  assert.equal(await c.ask('Hc1'), 'OK');
  assert.equal(await c.ask('s'), 'T05thread:1;');
  assert.equal(await c.ask('c60010100'), 'T05thread:1;');
  assert.equal(t.regs[0].r[15], 0x60010100, 'resumed at the address');
  assert.equal(await c.ask('S05;60010200'), 'T05thread:1;');
  assert.deepEqual(t.resumes.map((r) => `${r.direction}:${r.mode}:${r.core}`),
    ['forward:step:1', 'forward:continue:1', 'forward:continue:0', 'forward:continue:1', 'forward:step:0', 'forward:continue:0', 'forward:step:0']);
  assert.equal(await c.ask('vCont;x'), 'E01');
  assert.equal(await c.ask('vCont;s:9'), 'E01');
});

test('stop replies: watchpoints with their address, Ctrl-C as SIGINT, the ends of a recording, and W with the exit code', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  t.stops.push(
    { kind: 'watchpoint', core: 1, type: 'write', address: 0x1004 },
    { kind: 'watchpoint', core: 0, type: 'read', address: 0x1008 },
    { kind: 'watchpoint', core: 0, type: 'access', address: 0x100c },
    { kind: 'interrupted', core: 1 },
    { kind: 'replay-edge', core: 0, edge: 'begin' },
    { kind: 'replay-edge', core: 0, edge: 'end' },
    { kind: 'exited', code: 3, reason: 'limit' },
  );
  assert.equal(await c.ask('vCont;c'), 'T05thread:2;watch:1004;');
  assert.equal(await c.ask('vCont;c'), 'T05thread:1;rwatch:1008;');
  assert.equal(await c.ask('vCont;c'), 'T05thread:1;awatch:100c;');
  assert.equal(await c.ask('vCont;c'), 'T02thread:2;');
  assert.equal(await c.ask('vCont;c'), 'T05thread:1;replaylog:begin;');
  assert.equal(await c.ask('vCont;c'), 'T05thread:1;replaylog:end;');
  assert.equal(await c.ask('vCont;c'), 'W03');
  assert.equal(await c.ask('?'), 'W03');
});

test('Ctrl-C (0x03) while the target runs aborts the resume: the target sees its signal and the reply is SIGINT', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  let seen = false;
  t.stops.push((r) => new Promise((resolve) => {
    r.interrupt.addEventListener('abort', () => { seen = true; resolve({ kind: 'interrupted', core: r.core }); });
  }));
  const reply = c.ask('vCont;c');
  await new Promise((r) => setImmediate(r));
  assert.ok(c.session.isRunning);
  c.send(Buffer.from([0x03]));
  assert.equal(await reply, 'T02thread:1;');
  assert.ok(seen);
  assert.ok(!c.session.isRunning);
});

test('vCtrlC while the target runs is answered OK at once and the resume stops with SIGINT', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  t.stops.push((r) => new Promise((resolve) => {
    r.interrupt.addEventListener('abort', () => resolve({ kind: 'interrupted', core: r.core }));
  }));
  const reply = c.ask('vCont;c');
  await new Promise((r) => setImmediate(r));
  assert.equal(await c.ask('vCtrlC'), 'OK');
  await reply;
  while (c.session.isRunning) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(c.replies.slice(-2), ['OK', 'T02thread:1;']);
  assert.equal(await c.ask('vCtrlC'), 'OK', 'and when nothing runs');
});

test('bs and bc run backwards on a reversible target and are E01 on a live one', async () => {
  const live = new Client(new FakeTarget());
  assert.equal(await live.ask('bs'), 'E01');
  assert.equal(await live.ask('bc'), 'E01');
  const t = new FakeTarget(true);
  const rec = new Client(t);
  t.stops.push({ kind: 'replay-edge', core: 0, edge: 'begin' });
  assert.equal(await rec.ask('bc'), 'T05thread:1;replaylog:begin;');
  assert.equal(await rec.ask('bs'), 'T05thread:1;');
  assert.deepEqual(t.resumes.map((r) => `${r.direction}:${r.mode}`), ['reverse:continue', 'reverse:step']);
});

test('qRcmd runs a monitor command on the selected core and sends its output as O packets, then OK; an error is shown, not thrown', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  await c.ask('Hg2');
  assert.equal(await c.ask(`qRcmd,${textToHex('icount')}`, 2), 'OK');
  assert.equal(Buffer.from(c.replies[c.replies.length - 2].slice(1), 'hex').toString(), 'ran icount\n');
  assert.deepEqual(t.monitors[0], ['icount', 1]);
  assert.equal(await c.ask(`qRcmd,${textToHex('fail')}`, 2), 'OK');
  assert.equal(Buffer.from(c.replies[c.replies.length - 2].slice(1), 'hex').toString(), 'monitor: no such thing\n');
  assert.equal(await c.ask('qRcmd,zz'), 'E01');
});

test('unknown packets get the empty reply, and malformed ones an error; nothing a client sends throws', async () => {
  const c = new Client(new FakeTarget());
  for (const p of ['vMustReplyEmpty', 'qTStatus', 'qOffsets', '!', 'Qfoo', 'x', 'vFile:open:', 'qSymbol::']) assert.equal(await c.ask(p), '', p);
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const letters = 'gGpPmMXZzcsCSHTvqQb?';
  for (let i = 0; i < 300; i++) {
    const body = letters[rnd() % letters.length] + Array.from({ length: rnd() % 12 }, () => ',:;=0123456789abcdefxyz-'[rnd() % 24]).join('');
    if (body === 'D' || body.startsWith('k') || body.startsWith('vKill')) continue;
    await c.ask(body);
  }
  assert.ok(true);
});

test('a target that fails while running (a simulator bug) ends the session with that error instead of an E reply gdb would misread', async () => {
  const t = new FakeTarget();
  const c = new Client(t);
  const bug = new Error('bug in the simulator');
  t.stops.push(async () => { throw bug; });
  c.send(framePacket('vCont;c'));
  await assert.rejects(c.session.ended, (e) => e === bug);
  assert.deepEqual(c.replies, [], 'no reply');
});

test('D detaches (OK, then the session ends) and k kills (no reply); the session also ends when the connection closes', async () => {
  const a = new Client(new FakeTarget());
  assert.equal(await a.ask('D'), 'OK');
  assert.equal(await a.session.ended, 'detached' satisfies SessionEnd);
  const b = new Client(new FakeTarget());
  b.send(framePacket('k'));
  assert.equal(await b.session.ended, 'killed');
  const v = new Client(new FakeTarget());
  assert.equal(await v.ask('vKill;1'), 'OK');
  assert.equal(await v.session.ended, 'killed');
  const d = new Client(new FakeTarget());
  d.session.close();
  assert.equal(await d.session.ended, 'closed');
});
