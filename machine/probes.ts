/**
 * Observation points of the machine. Whoever wants to see console output,
 * guest errors, exception entries, MMIO accesses, interrupt line edges,
 * injections, code writes, instructions at an address or data accesses in a
 * range subscribes to a probe and gets back a function that unsubscribes.
 * Any number of subscribers may listen; nobody replaces another's callback.
 *
 * Rules shared by every probe:
 * - Subscribers are called in the order they subscribed, except that an
 *   execution hook or access watcher subscribed with `first` goes before
 *   those already there (a debugger's stop must come before anything that
 *   counts the instruction or access, which runs again after the stop).
 * - A subscriber may unsubscribe itself or any other while being called; one
 *   unsubscribed during a call is not called any more, not even later in that
 *   same call. One subscribed during a call is first called on the next one.
 * - Unsubscribing twice does nothing.
 * - A probe nobody listens to costs nothing: the place that emits tests one
 *   field (`active`, or the size of the CPU's execution hook table) before it
 *   builds any argument.
 */

import type { Vector } from './cpu/modes';
import type { InjectionEntry } from './injections';

interface Subscription<F> { readonly fn: F; live: boolean }

/** A probe: a list of subscribers told of each occurrence with the same arguments. */
export class Probe<A extends unknown[]> {
  /** Replaced (never changed in place) on every subscribe and unsubscribe, so an emit in progress keeps its list. */
  private subscribers: ReadonlyArray<Subscription<(...args: A) => void>> = [];
  /** True while anyone listens: the emitting hot path tests this before building arguments. */
  active = false;

  /** Calls fn on every occurrence from now on; returns the function that unsubscribes it. */
  subscribe(fn: (...args: A) => void): () => void {
    const s: Subscription<(...args: A) => void> = { fn, live: true };
    this.subscribers = [...this.subscribers, s];
    this.active = true;
    return () => {
      if (!s.live) return;
      s.live = false;
      this.subscribers = this.subscribers.filter((x) => x !== s);
      this.active = this.subscribers.length !== 0;
    };
  }

  /** Tells every subscriber. Only the owner of the probe emits. */
  emit(...args: A): void {
    const list = this.subscribers;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.live) s.fn(...args);
    }
  }

  /** The number of subscribers (tests, diagnostics). */
  get size(): number { return this.subscribers.length; }
}

/**
 * Called before the instruction at an address executes. Returning true means
 * the handler took the instruction's place (it set cpu.nextPc, or raised an
 * exception); the handlers after it are not called for that instruction.
 */
export type ExecHandler<C> = (cpu: C) => boolean;

/** Where execution hooks are subscribed: one core's ExecProbe, or every core's. */
export interface ExecSubscriber<C> {
  at(address: number, fn: ExecHandler<C>, first?: boolean): () => void;
  readonly size: number;
}

/** Where access watchers are subscribed: one core's AccessProbe, or every core's. */
export interface AccessSubscriber {
  watch(lo: number, hi: number, fn: (va: number, write: boolean) => void, first?: boolean): () => void;
  readonly size: number;
}

/**
 * Instructions at an address (fault triggers, replay targets, one-shot
 * injections, breakpoints). The CPU loop reads one dispatch table (address
 * to function) and tests only its size when nothing is hooked; this probe is
 * the only thing that fills it.
 */
export class ExecProbe<C> {
  /** Per hooked address, its handlers (replaced on every change, like a Probe's list). */
  private readonly handlers = new Map<number, { list: ReadonlyArray<Subscription<ExecHandler<C>>> }>();
  private readonly dispatch = new Map<number, (cpu: C) => boolean>();
  /**
   * The dispatch table the CPU loop reads (cpu.execHooks): one function per
   * hooked address, running its handlers in order until one takes the
   * instruction's place. Empty when nothing is hooked. Only this probe fills it.
   */
  readonly table: ReadonlyMap<number, (cpu: C) => boolean> = this.dispatch;

  /** `hooked` is told whenever an address becomes hooked (the CPU ends its current block, so the hook is seen before the next instruction). */
  constructor(private readonly hooked: () => void = () => {}) {}

  /** Calls fn before each execution of the instruction at `address` (before the hooks already there with `first`); returns the function that unsubscribes it. */
  at(address: number, fn: ExecHandler<C>, first = false): () => void {
    const key = address >>> 0;
    const s: Subscription<ExecHandler<C>> = { fn, live: true };
    let entry = this.handlers.get(key);
    if (entry) {
      entry.list = first ? [s, ...entry.list] : [...entry.list, s];
    } else {
      const e = entry = { list: [s] as ReadonlyArray<Subscription<ExecHandler<C>>> };
      this.handlers.set(key, e);
      this.dispatch.set(key, (cpu) => {
        const list = e.list;
        for (let i = 0; i < list.length; i++) {
          const h = list[i];
          if (h.live && h.fn(cpu)) return true;
        }
        return false;
      });
      this.hooked();
    }
    const own = entry;
    return () => {
      if (!s.live) return;
      s.live = false;
      own.list = own.list.filter((x) => x !== s);
      if (own.list.length === 0 && this.handlers.get(key) === own) {
        this.handlers.delete(key);
        this.dispatch.delete(key);
      }
    };
  }

  /** The number of addresses hooked (tests, diagnostics). */
  get size(): number { return this.handlers.size; }
}

/** A subscriber to data accesses whose virtual address lies in [lo, hi]. */
interface AccessWatch extends Subscription<(va: number, write: boolean) => void> { readonly lo: number; readonly hi: number }

/**
 * Data accesses of the CPU in an address range (fault triggers, access
 * injections, the full trace, watchpoints). Told of the virtual address
 * before the access translates; a subscriber may abandon the instruction with
 * a data abort (cpu.injectDataAbort throws).
 */
export class AccessProbe {
  private watches: readonly AccessWatch[] = [];
  /** True while anyone watches: the CPU's access path tests this and nothing else when nobody does. */
  active = false;

  /** Calls fn for each data access to a virtual address in [lo, hi] (inclusive; before the watchers already there with `first`); returns the function that unsubscribes it. */
  watch(lo: number, hi: number, fn: (va: number, write: boolean) => void, first = false): () => void {
    const w: AccessWatch = { lo: lo >>> 0, hi: hi >>> 0, fn, live: true };
    this.watches = first ? [w, ...this.watches] : [...this.watches, w];
    this.active = true;
    return () => {
      if (!w.live) return;
      w.live = false;
      this.watches = this.watches.filter((x) => x !== w);
      this.active = this.watches.length !== 0;
    };
  }

  /** Tells the watchers whose range holds va. Only the CPU calls this. */
  emit(va: number, write: boolean): void {
    const a = va >>> 0;
    const list = this.watches;
    for (let i = 0; i < list.length; i++) {
      const w = list[i];
      if (w.live && a >= w.lo && a <= w.hi) w.fn(a, write);
    }
  }

  /** The number of watchers (tests, diagnostics). */
  get size(): number { return this.watches.length; }
}

/** A guest misbehaving in a way worth telling the user (not an architectural event). */
export interface GuestError { source: string; message: string; pc: number; icount: number }

/**
 * An edge on an interrupt controller's input driven by the board's wiring:
 * the input's level (the OR of every output wired to it) changed because
 * `device`'s output `output` changed. Input-log entries that set a line
 * (irq-line injections) are not wiring edges and are not reported here.
 * The CPU's own inputs are controller 'cpu', line 0 (IRQ) and 1 (FIQ).
 */
export type IrqEdgeArgs = [controller: string, line: number, high: boolean, device: string, output: number];

/** Every probe of a machine (machine.probes). */
export interface MachineProbes {
  /** Bytes a console-capable device transmitted (UART output; semihosting output as device 'semihosting'). */
  readonly console: Probe<[device: string, data: Uint8Array]>;
  /** A guest error was reported (also kept in machine.guestErrors). */
  readonly guestError: Probe<[error: GuestError]>;
  /** Exception entry, before any state changes: the vector, the pc and the mode it was taken from. */
  readonly exception: Probe<[vector: Vector, fromPc: number, fromMode: number]>;
  /** An MMIO read, after the device answered: physical address, size in bytes, value read. */
  readonly mmioRead: Probe<[pa: number, size: number, value: number]>;
  /** An MMIO write, before the device sees it: physical address, size in bytes, value written. */
  readonly mmioWrite: Probe<[pa: number, size: number, value: number]>;
  /** An interrupt input's level changed through the wiring (see IrqEdgeArgs). */
  readonly irqEdge: Probe<IrqEdgeArgs>;
  /** An entry of the input log is taking effect (before it acts). */
  readonly injection: Probe<[entry: InjectionEntry]>;
  /** A RAM page holding decoded instructions was written (after the CPU dropped its decoded copy). */
  readonly codeWrite: Probe<[page: number]>;
  /** The instruction at an address is about to execute (on any core: the handler gets the core). */
  readonly exec: ExecSubscriber<import('./cpu/cpu').Cpu>;
  /** A data access to a virtual address in a range (by any core). */
  readonly access: AccessSubscriber;
}
