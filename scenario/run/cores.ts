/**
 * What the cores of a run did, for the expectations that name a core: which
 * cores ran (executed at least one instruction) and which of the watched
 * instructions each core executed, first at what time.
 *
 * Watching costs nothing once it has seen what it looks for: a core that is
 * not held when the run starts is watched at its first instruction (the hook
 * leaves as soon as that core executes it); a core whose pc moved has run
 * too. An instruction of expect.cores[].executes is watched until every core
 * that must execute it has.
 */

import type { Machine } from '../../machine/machine';
import type { CoreExpectation } from '../file/scenario-file';

export class CoreActivity {
  private readonly startPc: number[];
  private readonly ranSeen: boolean[];
  /** address -> first time each core executed it (undefined: not yet). */
  private readonly executions = new Map<number, Array<number | undefined>>();

  constructor(private readonly machine: Machine, expectations: readonly CoreExpectation[]) {
    const cpus = machine.cpus;
    this.startPc = cpus.map((c) => c.pc >>> 0);
    this.ranSeen = cpus.map(() => false);
    if (cpus.length > 1) {
      cpus.forEach((cpu, k) => {
        if (machine.coreControl.isHeld(k)) return;
        const off = machine.probes.exec.at(cpu.pc >>> 0, (c) => {
          if (c !== cpu) return false;
          this.ranSeen[k] = true;
          off();
          return false;
        });
      });
    }
    const wanted = new Map<number, Set<number>>();
    for (const e of expectations) {
      for (const x of e.executes) {
        let set = wanted.get(x.address);
        if (!set) wanted.set(x.address, set = new Set());
        set.add(e.core);
      }
    }
    for (const [address, cores] of wanted) {
      const first: Array<number | undefined> = cpus.map(() => undefined);
      this.executions.set(address, first);
      const off = machine.probes.exec.at(address, (c) => {
        const k = cpus.indexOf(c);
        if (first[k] === undefined) {
          first[k] = c.icount - 1;
          cores.delete(k);
          if (!cores.size) off();
        }
        return false;
      });
    }
  }

  /** Core k executed at least one instruction in the run. */
  ran(k: number): boolean {
    return this.ranSeen[k] || (this.machine.cpus[k].pc >>> 0) !== this.startPc[k];
  }

  /** Online: it ran, and nothing (reset, a stopped clock, a halt) holds it now. */
  online(k: number): boolean {
    return this.ran(k) && !this.machine.coreControl.isHeld(k);
  }

  /** Why core k is not online, in words (undefined when it is). */
  offlineReason(k: number): string | undefined {
    const held = this.machine.coreControl.snapshot().holds[k] ?? [];
    if (held.length) return `it is held (${held.join(', ')})`;
    if (!this.ran(k)) return 'it never executed an instruction';
    return undefined;
  }

  /** When core k first executed the watched instruction at address (undefined: it did not, or it was not watched). */
  firstExecution(k: number, address: number): number | undefined {
    return this.executions.get(address >>> 0)?.[k];
  }

  /** Whether the instruction at address was watched in this run. */
  watched(address: number): boolean {
    return this.executions.has(address >>> 0);
  }
}
