/**
 * Several parties may want the same instruction address (fault triggers,
 * replay targets, one-shot injections); the CPU takes one hook per address.
 * This multiplexes them: handlers run in the order added until one takes the
 * instruction's place, and each can be removed again.
 */

import type { Cpu } from './cpu/cpu';

export type ExecHandler = (cpu: Cpu) => boolean;

export class ExecHookSet {
  private readonly handlers = new Map<number, ExecHandler[]>();

  constructor(private readonly cpu: Cpu) {}

  /** Adds a handler for the instruction at `address`; returns a function that removes it. */
  add(address: number, fn: ExecHandler): () => void {
    const key = address >>> 0;
    let list = this.handlers.get(key);
    if (!list) {
      list = [];
      this.handlers.set(key, list);
      const all = list;
      this.cpu.execHooks.set(key, (cpu) => {
        // A handler may remove itself (one-shot hooks): iterate a copy when there are several.
        for (const h of all.length === 1 ? all : all.slice()) if (h(cpu)) return true;
        return false;
      });
    }
    list.push(fn);
    return () => this.remove(key, fn);
  }

  private remove(address: number, fn: ExecHandler): void {
    const list = this.handlers.get(address);
    if (!list) return;
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) {
      this.handlers.delete(address);
      this.cpu.execHooks.delete(address);
    }
  }
}
