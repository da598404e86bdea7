/**
 * Which cores may run: the reasons holding each core (reset, a stopped
 * clock, a flow-controller halt, a scheduled stall) and where a core starts
 * when it leaves reset. Devices change it through DeviceContext.coreControl;
 * the machine's scheduler runs only cores that nothing holds.
 *
 * A core released from a hold that included 'reset' starts from its reset
 * state at its reset vector (the machine does that through `onRelease`);
 * released from any other hold it continues where it stopped.
 */

import type { CoreControl } from './devices/device';

export interface CoreControlState {
  /** Reasons holding each core, sorted. */
  holds: string[][];
  resetVectors: number[];
  /** Cores that were put in reset since they last ran: they start from reset when released. */
  fromReset: boolean[];
}

export class CoreHolds implements CoreControl {
  private readonly holds: Array<Set<string>>;
  private readonly resetVectors: number[];
  private readonly fromReset: boolean[];

  /**
   * `onRelease(core, fromReset)` is called when the last reason holding a
   * core goes; `onHold(core)` when the first one comes.
   */
  constructor(readonly cores: number, private readonly onRelease: (core: number, fromReset: boolean) => void, private readonly onHold: (core: number) => void = () => {}) {
    this.holds = Array.from({ length: cores }, () => new Set<string>());
    this.resetVectors = new Array<number>(cores).fill(0);
    this.fromReset = new Array<boolean>(cores).fill(false);
  }

  hold(core: number, reason: string, held: boolean): void {
    const set = this.holds[core];
    if (!set || held === set.has(reason)) return; // a core this machine does not run, or no change
    const wasHeld = set.size > 0;
    if (held) set.add(reason); else set.delete(reason);
    if (held && reason === 'reset') this.fromReset[core] = true;
    if (!wasHeld && held) this.onHold(core);
    if (wasHeld && set.size === 0) {
      const fromReset = this.fromReset[core];
      this.fromReset[core] = false;
      this.onRelease(core, fromReset);
    }
  }

  isHeld(core: number, reason?: string): boolean {
    const set = this.holds[core];
    if (!set) return true;
    return reason === undefined ? set.size > 0 : set.has(reason);
  }

  /** Whether core `core` may run (no reason holds it). */
  runs(core: number): boolean {
    return this.holds[core].size === 0;
  }

  setResetVector(core: number, address: number): void {
    if (core < this.cores) this.resetVectors[core] = address >>> 0;
  }

  resetVector(core: number): number {
    return this.resetVectors[core];
  }

  snapshot(): CoreControlState {
    return { holds: this.holds.map((s) => [...s].sort()), resetVectors: [...this.resetVectors], fromReset: [...this.fromReset] };
  }

  restore(s: CoreControlState | undefined): void {
    for (let k = 0; k < this.cores; k++) {
      this.holds[k].clear();
      for (const r of s?.holds[k] ?? []) this.holds[k].add(r);
      this.resetVectors[k] = s?.resetVectors[k] ?? 0;
      this.fromReset[k] = s?.fromReset[k] ?? false;
    }
  }
}
