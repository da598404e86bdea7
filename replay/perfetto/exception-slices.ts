/**
 * Exceptions and interrupts of one core as slices: from the exception entry
 * to the core's return to the context it interrupted.
 *
 * The return is seen where it happens: the core back in the mode it was
 * interrupted in (for a privileged mode, with the same stack pointer, since
 * a handler may itself switch to that mode on another stack), either
 * executing the instruction it was interrupted at or the one after it (a
 * retried or a skipped instruction: exec hooks there), or making a data
 * access (a return elsewhere: a hypervisor that resumes another domain after
 * an interrupt). A core that goes back to that context without either (it
 * returns into a loop without loads or stores away from the interrupted
 * instruction) is seen only when its next exception is taken from that same
 * context: such an exception becomes an instant, marked "return not observed".
 *
 * Hooks are subscribed only while an exception is open on the core, and
 * removed at its end: an idle trace costs nothing.
 */

import type { Cpu } from '../../machine/cpu/cpu';
import { MODE_NAMES, MODE_USR } from '../../machine/cpu/modes';
import type { ArgValue, TraceEvent } from './trace-model';

/** Names of the exception vectors (the offsets in the vector table). */
export const EXCEPTION_NAMES: Record<number, string> = {
  0x00: 'reset', 0x04: 'undefined instruction', 0x08: 'svc', 0x0c: 'prefetch abort', 0x10: 'data abort', 0x18: 'irq', 0x1c: 'fiq',
};

interface OpenException {
  begin: TraceEvent;
  vector: number;
  fromMode: number;
  /** The interrupted mode's stack pointer at the entry. */
  sp: number;
  offs: Array<() => void>;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

export class CoreExceptions {
  private readonly open: OpenException[] = [];

  /**
   * `emit` adds an event to the trace (and returns it); `now` is the machine's
   * virtual time (the clock of this core while it runs); `returned` is told
   * of every return seen, with its time.
   */
  constructor(private readonly cpu: Cpu, private readonly track: number,
    private readonly emit: (e: Omit<TraceEvent, 'seq'>) => TraceEvent, private readonly now: () => number,
    private readonly returned: (ticks: number) => void = () => {}) {}

  /** Exception entry (the probe is told before any state changes). */
  entered(vector: number, fromPc: number, fromMode: number): TraceEvent {
    const cpu = this.cpu;
    const sp = cpu.r[13] >>> 0;
    // Taken from the context an open exception interrupted: the core went back there unseen.
    while (this.open.length && this.returnedTo(this.open[this.open.length - 1], fromMode, sp)) this.unseen(this.open.pop()!);
    const args: Record<string, ArgValue> = { vector: `0x${vector.toString(16).padStart(2, '0')}`, from_pc: hex(fromPc), from_mode: MODE_NAMES[fromMode] ?? `0x${fromMode.toString(16)}` };
    if (vector === 0x10) { args.fault_address = hex(cpu.cp15.dfar); args.fault_status = hex(cpu.cp15.dfsr); }
    if (vector === 0x0c) { args.fault_address = hex(cpu.cp15.ifar); args.fault_status = hex(cpu.cp15.ifsr); }
    // Hypercalls pass their number in r7 (docs/hypercalls.md).
    if (vector === 0x08) args['r7'] = cpu.r[7] >>> 0;
    const begin = this.emit({ ticks: this.now(), track: this.track, type: 'begin', name: EXCEPTION_NAMES[vector] ?? `vector 0x${vector.toString(16)}`, category: 'exception', args });
    const o: OpenException = { begin, vector, fromMode, sp, offs: [] };
    const back = (c: Cpu) => this.returnedTo(o, c.mode, c.r[13] >>> 0);
    // The hooks run with the instruction's tick counted: the return was one tick before.
    const done = () => { const t = Math.max(this.cpu.icount - 1, begin.ticks); this.close(o, t); this.returned(t); };
    for (const at of new Set([fromPc, fromPc + 2, fromPc + 4])) {
      o.offs.push(cpu.execProbe.at(at >>> 0, (c) => { if (back(c)) done(); return false; }));
    }
    o.offs.push(cpu.accessProbe.watch(0, 0xffffffff, () => { if (back(cpu)) done(); }));
    this.open.push(o);
    return begin;
  }

  /** The innermost open interrupt (irq or fiq) not yet given an interrupt ID. */
  interruptWithoutId(): TraceEvent | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const o = this.open[i];
      if ((o.vector === 0x18 || o.vector === 0x1c) && o.begin.args?.gic_interrupt_id === undefined) return o.begin;
    }
    return undefined;
  }

  /** Ends every open slice at `ticks` (the end of the trace), saying so. */
  closeAll(ticks: number): void {
    while (this.open.length) {
      const o = this.open[this.open.length - 1];
      o.begin.args = { ...o.begin.args, return: 'after the end of the trace' };
      this.close(o, ticks);
    }
  }

  /** Removes the hooks of every open exception (the replay stops being watched); the open slices stay open. */
  dispose(): void {
    for (const o of this.open) for (const off of o.offs.splice(0)) off();
  }

  /** Whether a core in `mode` with stack pointer `sp` is back in the context `o` interrupted. */
  private returnedTo(o: OpenException, mode: number, sp: number): boolean {
    return mode === o.fromMode && (mode === MODE_USR || sp === o.sp);
  }

  /** Ends `o` (and any exception nested in it, first) at `ticks`. */
  private close(o: OpenException, ticks: number): void {
    const i = this.open.indexOf(o);
    if (i < 0) return;
    while (this.open.length > i) {
      const x = this.open.pop()!;
      for (const off of x.offs) off();
      this.emit({ ticks: Math.max(ticks, x.begin.ticks), track: this.track, type: 'end', category: 'exception' });
    }
  }

  /** `o` returned where nothing saw it: its begin becomes an instant. */
  private unseen(o: OpenException): void {
    for (const off of o.offs) off();
    o.begin.type = 'instant';
    o.begin.args = { ...o.begin.args, return: 'not observed' };
  }
}
