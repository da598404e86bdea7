/**
 * One gdb connection: packets in, replies out, dispatched against a
 * DebugTarget. Every packet gets an answer (the empty reply for one this
 * stub does not know, `E..` for one it cannot carry out); nothing a client
 * sends makes it throw. Packets are handled one at a time, in order; while
 * the target runs, only Ctrl-C (0x03, or vCtrlC) is acted on at once.
 */

import type { DebugTarget, StopEvent, BreakpointKind, WatchKind } from '../target';
import { PacketDecoder, MAX_PACKET, framePacket, fromHex, hex2, parseHexNumber, textToHex, toHex } from './packets';
import { TARGET_FILES, decodeAll, decodeRegister, encodeAll, encodeRegister, registerByNumber } from './registers';

/** How a session ended: gdb detached (D), killed the target (k, vKill), or the connection closed. */
export type SessionEnd = 'detached' | 'killed' | 'closed';

export interface SessionOptions {
  /** Told of protocol problems worth a line on stderr (malformed packets, refused writes). */
  log?: (line: string) => void;
}

/** Largest memory read or write accepted in one packet (the reply is twice as long in hex). */
const MAX_MEMORY = (MAX_PACKET >> 1) - 16;

export class GdbSession {
  private readonly decoder = new PacketDecoder();
  private acks = true;
  private lastSent: Buffer | undefined;
  private readonly queue: string[] = [];
  private busy = false;
  private running: AbortController | undefined;
  /** Core of Hg (registers, memory) and of Hc (legacy c/s); -1: any. */
  private generalCore = 0;
  private continueCore = -1;
  private lastStop: StopEvent | undefined;
  private readonly peerFeatures = new Set<string>();
  private over = false;
  private resolveEnd!: (end: SessionEnd) => void;
  private rejectEnd!: (error: unknown) => void;
  /**
   * Settles when the session is over; rejects when the target failed while
   * running (a bug in the simulator, not anything the client sent).
   */
  readonly ended: Promise<SessionEnd> = new Promise((resolve, reject) => { this.resolveEnd = resolve; this.rejectEnd = reject; });

  constructor(readonly target: DebugTarget, private readonly write: (data: Buffer) => void, private readonly options: SessionOptions = {}) {}

  /** Whether the target is running a resume request now. */
  get isRunning(): boolean { return this.running !== undefined; }

  /** Bytes from the client. */
  feed(bytes: Uint8Array): void {
    if (this.over) return;
    for (const ev of this.decoder.push(bytes)) {
      switch (ev.kind) {
        case 'packet': {
          if (this.acks) this.write(Buffer.from('+'));
          const packet = ev.data.toString('latin1');
          // vCtrlC (Ctrl-C as a packet) acts at once, while the resume it interrupts is still under way.
          if (packet === 'vCtrlC' && this.running) { this.running.abort(); this.send('OK'); break; }
          this.queue.push(packet);
          break;
        }
        case 'malformed':
          this.options.log?.(`gdb: malformed packet (${ev.reason}), asked again`);
          if (this.acks) this.write(Buffer.from('-'));
          break;
        case 'nack':
          if (this.acks && this.lastSent) this.write(this.lastSent);
          break;
        case 'interrupt':
          this.running?.abort();
          break;
        case 'ack':
          break;
      }
    }
    void this.pump();
  }

  /** The connection closed: a running resume is interrupted and the session ends. */
  close(): void {
    this.running?.abort();
    this.finish('closed');
  }

  private finish(end: SessionEnd): void {
    if (this.over) return;
    this.over = true;
    this.resolveEnd(end);
  }

  private fail(error: unknown): void {
    if (this.over) return;
    this.over = true;
    this.rejectEnd(error);
  }

  private send(payload: string): void {
    const framed = framePacket(payload);
    this.lastSent = framed;
    this.write(framed);
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length && !this.over) {
        const packet = this.queue.shift()!;
        let reply: string | undefined;
        try {
          reply = await this.dispatch(packet);
        } catch (e) {
          this.options.log?.(`gdb: packet '${packet.slice(0, 40)}' failed: ${(e as Error).message}`);
          reply = 'E01';
        }
        if (reply !== undefined && !this.over) this.send(reply);
        if (packet === 'QStartNoAckMode' && reply === 'OK') this.acks = false;
      }
    } finally {
      this.busy = false;
    }
  }

  private async dispatch(p: string): Promise<string | undefined> {
    const t = this.target;
    switch (p[0]) {
      case '?': return this.stopReply(this.lastStop);
      case 'g': return encodeAll(t.registers(this.core(this.generalCore)));
      case 'G': return this.writeAll(p.slice(1));
      case 'p': {
        const n = parseHexNumber(p.slice(1));
        const info = n === undefined ? undefined : registerByNumber(n);
        return info ? encodeRegister(info, t.registers(this.core(this.generalCore))) : 'E01';
      }
      case 'P': return this.writeOne(p.slice(1));
      case 'm': return this.readMemory(p.slice(1));
      case 'M': return this.writeMemory(p.slice(1), false);
      case 'X': return this.writeMemory(p.slice(1), true);
      case 'Z': case 'z': return this.point(p[0] === 'Z', p.slice(1));
      case 'c': case 's': case 'C': case 'S': return this.legacyResume(p);
      case 'b':
        if (p !== 'bs' && p !== 'bc') return '';
        if (!t.reversible) return 'E01';
        // bs/bc name no thread; with Hc0 (any) gdb means the thread it has selected (Hg).
        return this.resume('reverse', p === 'bs' ? 'step' : 'continue', this.continueCore >= 0 ? this.continueCore : this.generalCore);
      case 'H': return this.selectThread(p);
      case 'T': {
        const core = this.threadCore(p.slice(1));
        return core !== undefined && core >= 0 ? 'OK' : 'E01';
      }
      case 'D':
        this.send('OK');
        this.finish('detached');
        return undefined;
      case 'k':
        this.finish('killed');
        return undefined;
      case 'v': return this.vPacket(p);
      case 'q': return this.query(p);
      case 'Q': return p === 'QStartNoAckMode' ? 'OK' : '';
      default: return '';
    }
  }

  /** The core of a thread selection, 0 for "any". */
  private core(k: number): number {
    return k >= 0 && k < this.target.cores ? k : 0;
  }

  /** Core of a thread id: -1 for all (`-1`), the default for any (`0`), undefined when not a thread. */
  private threadCore(text: string): number | undefined {
    if (text === '-1') return -1;
    const id = parseHexNumber(text);
    if (id === undefined) return undefined;
    if (id === 0) return this.lastCore();
    return id <= this.target.cores ? id - 1 : undefined;
  }

  private lastCore(): number {
    const s = this.lastStop;
    return s && s.kind !== 'exited' ? s.core : 0;
  }

  private selectThread(p: string): string {
    const core = this.threadCore(p.slice(2));
    if (core === undefined) return 'E01';
    if (p[1] === 'g') { this.generalCore = core < 0 ? this.lastCore() : core; return 'OK'; }
    // Hc0: any thread (s/c then resume the last stop's core; bs/bc the one gdb selected with Hg).
    if (p[1] === 'c') { this.continueCore = p.slice(2) === '0' ? -1 : core; return 'OK'; }
    return '';
  }

  private resumeCore(): number {
    return this.continueCore >= 0 ? this.continueCore : this.lastCore();
  }

  private writeAll(text: string): string {
    const values = decodeAll(text);
    if (!values) return 'E01';
    const core = this.core(this.generalCore);
    const now = this.target.registers(core);
    for (const { info, value } of values) {
      const old = info.read(now);
      const same = typeof value === 'number' ? value >>> 0 === (old as number) >>> 0 : (value[0] >>> 0) === ((old as [number, number])[0] >>> 0) && (value[1] >>> 0) === ((old as [number, number])[1] >>> 0);
      if (same || info.writeAs === undefined) continue;
      const refused = this.setRegister(core, info.writeAs, value);
      if (refused) return 'E01';
    }
    return 'OK';
  }

  private writeOne(text: string): string {
    const eq = text.indexOf('=');
    const n = eq < 0 ? undefined : parseHexNumber(text.slice(0, eq));
    const info = n === undefined ? undefined : registerByNumber(n);
    if (!info) return 'E01';
    const value = decodeRegister(info, text.slice(eq + 1));
    if (value === undefined) return 'E01';
    if (info.writeAs === undefined) return 'E01';
    return this.setRegister(this.core(this.generalCore), info.writeAs, value) ? 'E01' : 'OK';
  }

  private setRegister(core: number, name: import('../target').RegisterName, value: number | [number, number]): string | undefined {
    const refused = this.target.setRegister(core, name, typeof value === 'number' ? value >>> 0 : value);
    if (refused) this.options.log?.(`gdb: register write refused: ${refused}`);
    return refused;
  }

  /** `addr,length` with both hex; undefined when malformed. */
  private range(text: string): { address: number; length: number } | undefined {
    const m = /^([0-9a-fA-F]{1,8}),([0-9a-fA-F]{1,8})$/.exec(text);
    if (!m) return undefined;
    return { address: parseInt(m[1], 16) >>> 0, length: parseInt(m[2], 16) };
  }

  private readMemory(text: string): string {
    const r = this.range(text);
    if (!r) return 'E01';
    const length = Math.min(r.length, MAX_MEMORY, 0x100000000 - r.address);
    if (length === 0) return '';
    const core = this.core(this.generalCore);
    const whole = this.target.readMemory(core, r.address, length);
    if (whole) return toHex(whole);
    // Part of the range does not read: the readable pages before it (gdb takes a short reply).
    const parts: Uint8Array[] = [];
    for (let a = r.address, end = r.address + length; a < end;) {
      const n = Math.min(end, (Math.floor(a / 4096) + 1) * 4096) - a;
      const bytes = this.target.readMemory(core, a, n);
      if (!bytes) break;
      parts.push(bytes);
      a += n;
    }
    return parts.length ? toHex(Buffer.concat(parts)) : 'E14';
  }

  private writeMemory(text: string, binary: boolean): string {
    const colon = text.indexOf(':');
    const r = colon < 0 ? undefined : this.range(text.slice(0, colon));
    if (!r) return 'E01';
    const body = text.slice(colon + 1);
    const bytes = binary ? Buffer.from(body, 'latin1') : fromHex(body);
    if (!bytes || bytes.length !== r.length || r.address + r.length > 0x100000000) return 'E01';
    if (r.length === 0) return 'OK';
    const refused = this.target.writeMemory(this.core(this.generalCore), r.address, bytes);
    if (refused) { this.options.log?.(`gdb: memory write refused: ${refused}`); return 'E01'; }
    return 'OK';
  }

  private point(insert: boolean, text: string): string {
    const m = /^([0-4]),([0-9a-fA-F]{1,8}),([0-9a-fA-F]{1,8})(;.*)?$/.exec(text);
    if (!m) return 'E01';
    const type = Number(m[1]);
    const address = parseInt(m[2], 16) >>> 0;
    const kind = parseInt(m[3], 16);
    const t = this.target;
    if (type <= 1) {
      const k: BreakpointKind = type === 0 ? 'software' : 'hardware';
      return (insert ? t.addBreakpoint(k, address) : t.removeBreakpoint(k, address)) ? 'OK' : 'E01';
    }
    const w: WatchKind = type === 2 ? 'write' : type === 3 ? 'read' : 'access';
    if (kind < 1) return 'E01';
    return (insert ? t.addWatchpoint(w, address, kind) : t.removeWatchpoint(w, address, kind)) ? 'OK' : 'E01';
  }

  private async legacyResume(p: string): Promise<string | undefined> {
    // c [addr], s [addr], C sig[;addr], S sig[;addr]: resume at addr when given.
    const rest = p.slice(1);
    const addrText = p[0] === 'c' || p[0] === 's' ? rest : rest.split(';')[1];
    const core = this.resumeCore();
    if (addrText) {
      const a = parseHexNumber(addrText);
      if (a === undefined) return 'E01';
      if (this.target.setRegister(core, 15, a)) return 'E01';
    }
    return this.resume('forward', p[0].toLowerCase() === 's' ? 'step' : 'continue', core);
  }

  private async vPacket(p: string): Promise<string | undefined> {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) {
      let step: number | undefined;
      let cont: number | undefined;
      for (const action of p.slice(6).split(';')) {
        const m = /^([cCsS])([0-9a-fA-F]{2})?(?::(-?[0-9a-fA-F]+))?$/.exec(action);
        if (!m) return 'E01';
        const core = m[3] === undefined ? -1 : this.threadCore(m[3]);
        if (core === undefined) return 'E01';
        if (m[1].toLowerCase() === 's') step ??= core < 0 ? this.resumeCore() : core;
        else cont ??= core;
      }
      if (step !== undefined) return this.resume('forward', 'step', step);
      return this.resume('forward', 'continue', cont !== undefined && cont >= 0 ? cont : this.resumeCore());
    }
    if (p === 'vCtrlC') { this.running?.abort(); return 'OK'; }
    if (p.startsWith('vKill')) {
      this.send('OK');
      this.finish('killed');
      return undefined;
    }
    return '';
  }

  private async resume(direction: 'forward' | 'reverse', mode: 'step' | 'continue', core: number): Promise<string | undefined> {
    const control = new AbortController();
    this.running = control;
    let stop: StopEvent;
    try {
      stop = await this.target.resume({ direction, mode, core: this.core(core), interrupt: control.signal });
    } catch (e) {
      // The simulator failed while running: the session cannot go on, and whoever serves it reports the error.
      this.fail(e);
      return undefined;
    } finally {
      this.running = undefined;
    }
    this.lastStop = stop;
    if (stop.kind !== 'exited') this.generalCore = stop.core;
    return this.stopReply(stop);
  }

  /** The stop reply for an event (T05 before anything ran). */
  stopReply(stop: StopEvent | undefined): string {
    if (!stop) return 'T05thread:1;';
    if (stop.kind === 'exited') return `W${hex2(stop.code)}`;
    const thread = `thread:${(stop.core + 1).toString(16)};`;
    switch (stop.kind) {
      case 'interrupted': return `T02${thread}`;
      case 'step': return `T05${thread}`;
      case 'breakpoint': {
        const feature = stop.type === 'software' ? 'swbreak' : 'hwbreak';
        return `T05${thread}${this.peerFeatures.has(feature) ? `${feature}:;` : ''}`;
      }
      case 'watchpoint': {
        const key = stop.type === 'write' ? 'watch' : stop.type === 'read' ? 'rwatch' : 'awatch';
        return `T05${thread}${key}:${(stop.address >>> 0).toString(16)};`;
      }
      case 'replay-edge': return `T05${thread}replaylog:${stop.edge};`;
    }
  }

  private query(p: string): string {
    const t = this.target;
    if (p.startsWith('qSupported')) {
      for (const f of p.slice(11).split(';')) if (f.endsWith('+')) this.peerFeatures.add(f.slice(0, -1));
      return [`PacketSize=${MAX_PACKET.toString(16)}`, 'qXfer:features:read+', 'QStartNoAckMode+', 'swbreak+', 'hwbreak+', 'vContSupported+',
        ...(t.reversible ? ['ReverseStep+', 'ReverseContinue+'] : [])].join(';');
    }
    if (p === 'qfThreadInfo') return `m${Array.from({ length: t.cores }, (_, k) => (k + 1).toString(16)).join(',')}`;
    if (p === 'qsThreadInfo') return 'l';
    if (p === 'qC') return `QC${(this.lastCore() + 1).toString(16)}`;
    if (p === 'qAttached' || p.startsWith('qAttached:')) return '1';
    if (p.startsWith('qThreadExtraInfo,')) {
      const core = this.threadCore(p.slice(17));
      if (core === undefined || core < 0) return 'E01';
      return textToHex(t.describeCore(core));
    }
    if (p.startsWith('qRcmd,')) return this.monitor(p.slice(6));
    if (p.startsWith('qXfer:features:read:')) {
      const m = /^qXfer:features:read:([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (!m) return 'E00';
      const file = TARGET_FILES.get(m[1]);
      if (file === undefined) return 'E00';
      const offset = parseInt(m[2], 16), length = parseInt(m[3], 16);
      if (offset > file.length) return 'E01';
      const part = file.slice(offset, offset + Math.min(length, MAX_MEMORY));
      return `${offset + part.length >= file.length ? 'l' : 'm'}${part}`;
    }
    return '';
  }

  private monitor(hex: string): string {
    const bytes = fromHex(hex);
    if (!bytes) return 'E01';
    let text: string;
    try {
      text = this.target.monitor(bytes.toString('utf8'), this.core(this.generalCore));
    } catch (e) {
      text = `${(e as Error).message}`;
      if (!text.endsWith('\n')) text += '\n';
    }
    // Long output goes as O packets (gdb prints each as it comes), the reply is OK.
    const out = Buffer.from(text, 'utf8');
    for (let i = 0; i < out.length; i += 1024) this.send(`O${toHex(out.subarray(i, i + 1024))}`);
    return 'OK';
  }
}

