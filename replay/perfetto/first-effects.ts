/**
 * The first effect of each entry of the input log, for the flow arrow from
 * the entry to it:
 * - an injected data or prefetch abort: the abort exception it raises on
 *   the core it acts on (taken at once, so this is exact);
 * - an interrupt line raised (IRQ storms): the next irq or fiq exception
 *   taken by any core (a line lowered has no arrow);
 * - anything else (a lost upcall, a lost SGI, a bit flip, a stall, console
 *   input): the next console line, of any device. The entry's effect may
 *   come later than that line, or never show on the console.
 */

import type { InjectionEntry } from '../../machine/injections';

export class FirstEffects {
  private aborts: Array<{ core: number; flow: number }> = [];
  private interrupts: number[] = [];
  private console: number[] = [];
  private nextFlow = 1;

  /** An entry takes effect on core `core`: its flow id, or undefined when it gets no arrow. */
  injected(e: InjectionEntry, core: number): number | undefined {
    const inj = e.injection;
    if (inj.kind === 'irq-line' && !inj.high) return undefined;
    const flow = this.nextFlow++;
    if (inj.kind === 'data-abort' || inj.kind === 'prefetch-abort') this.aborts.push({ core, flow });
    else if (inj.kind === 'irq-line') this.interrupts.push(flow);
    else this.console.push(flow);
    return flow;
  }

  /** Core k takes an exception at `vector`: the flows that end there. */
  exception(k: number, vector: number): number[] {
    const flows: number[] = [];
    if (vector === 0x10 || vector === 0x0c) {
      this.aborts = this.aborts.filter((p) => { if (p.core !== k) return true; flows.push(p.flow); return false; });
    }
    if (vector === 0x18 || vector === 0x1c) flows.push(...this.interrupts.splice(0));
    return flows;
  }

  /** A console line is complete: the flows that end there. */
  consoleLine(): number[] {
    return this.console.splice(0);
  }
}
