/**
 * Arms a scenario's faults on a machine, through the CPU's fault hooks
 * (execution hooks, data access watchers) and the machine's event queue.
 * Every fault that fires is recorded, stamped with the instruction count at
 * which it fired, so two runs of the same scenario can be compared exactly.
 */

import type { Machine } from '../machine/machine';
import type { Cpu } from '../machine/cpu/cpu';
import { Vector, MODE_ABT } from '../machine/cpu/modes';
import { faultStatusRegister } from '../machine/cpu/faults';
import type { FaultSpec } from './scenario-file';
import { schedulePulseTrain } from './interrupts';

export interface FiredFault {
  /** Index of the fault in the scenario's faults list. */
  index: number;
  type: FaultSpec['type'];
  description: string;
  /** Instruction count when it fired. */
  icount: number;
  /** Address of the instruction it hit (or, for interrupts, the next instruction). */
  pc: number;
  /** What exactly happened (status, address, pulse number, ...). */
  detail: string;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Several handlers may want the same instruction address; the CPU takes one hook per address. */
class ExecHooks {
  private readonly handlers = new Map<number, Array<(cpu: Cpu) => boolean>>();
  constructor(private readonly cpu: Cpu) {}
  add(address: number, fn: (cpu: Cpu) => boolean): void {
    let list = this.handlers.get(address);
    if (!list) {
      list = [];
      this.handlers.set(address, list);
      const previous = this.cpu.execHooks.get(address);
      if (previous) list.push(previous);
      const all = list;
      this.cpu.execHooks.set(address, (cpu) => {
        for (const h of all) if (h(cpu)) return true;
        return false;
      });
    }
    list.push(fn);
  }
}

/** Installs every fault; returns the list that fills as they fire. */
export function armFaults(machine: Machine, faults: FaultSpec[]): FiredFault[] {
  const fired: FiredFault[] = [];
  const cpu = machine.cpu;
  const hooks = new ExecHooks(cpu);
  const record = (f: FaultSpec, detail: string, pc = cpu.pc) => {
    fired.push({ index: f.index, type: f.type, description: f.description, icount: cpu.icount, pc: pc >>> 0, detail });
  };

  for (const f of faults) {
    switch (f.type) {
      case 'data-abort':
      case 'prefetch-abort': {
        const data = f.type === 'data-abort';
        const t = f.trigger;
        if (t.kind === 'at') {
          // Between instructions: the instruction at pc takes the abort before it executes.
          machine.events.schedule(t.icount, `fault ${f.index}: ${f.type}`, () => {
            const pc = cpu.pc >>> 0;
            if (data) {
              const va = f.address ?? 0;
              cpu.cp15.dfsr = faultStatusRegister(f.status, 0, f.write ?? false);
              cpu.cp15.dfar = va >>> 0;
              record(f, `DFSR ${hex(cpu.cp15.dfsr)} (${f.statusName}), DFAR ${hex(va)}`);
              cpu.enterException(Vector.DataAbort, MODE_ABT, (pc + 8) | 0);
            } else {
              const va = f.address ?? pc;
              cpu.cp15.ifsr = faultStatusRegister(f.status, 0, false);
              cpu.cp15.ifar = va >>> 0;
              record(f, `IFSR ${hex(cpu.cp15.ifsr)} (${f.statusName}), IFAR ${hex(va)}`);
              cpu.enterException(Vector.PrefetchAbort, MODE_ABT, (pc + 4) | 0);
            }
          });
        } else if (t.kind === 'exec') {
          let n = 0;
          hooks.add(t.address, (c) => {
            if (++n !== t.nth) return false;
            if (data) {
              const va = f.address ?? 0;
              record(f, `DFSR ${hex(faultStatusRegister(f.status, 0, f.write ?? false))} (${f.statusName}), DFAR ${hex(va)}`, t.address);
              c.injectDataAbort(va, f.status, f.write ?? false);
            }
            const va = f.address ?? t.address;
            record(f, `IFSR ${hex(faultStatusRegister(f.status, 0, false))} (${f.statusName}), IFAR ${hex(va)}`, t.address);
            return c.injectPrefetchAbort(va, f.status);
          });
        } else {
          let n = 0;
          cpu.accessWatchers.push({
            lo: t.lo, hi: t.hi, fn: (va, write) => {
              if (t.write !== undefined && t.write !== write) return;
              if (++n !== t.nth) return;
              const addr = f.address ?? va;
              const w = f.write ?? write;
              record(f, `${write ? 'write' : 'read'} of ${hex(va)}: DFSR ${hex(faultStatusRegister(f.status, 0, w))} (${f.statusName}), DFAR ${hex(addr)}`);
              cpu.injectDataAbort(addr, f.status, w);
            },
          });
        }
        break;
      }
      case 'lost-upcall': {
        let calls = 0;
        hooks.add(f.address, (c) => {
          calls++;
          if (calls < f.nth || calls >= f.nth + f.count) return false;
          record(f, `call ${calls} of ${f.function} skipped (returned to ${hex(c.r[14])})`, f.address);
          c.nextPc = (c.r[14] & ~1) >>> 0;
          return true;
        });
        break;
      }
      case 'irq-storm': {
        let first = true;
        schedulePulseTrain(machine, f.controller, f.line, f, (k, icount) => {
          // One record for the storm (when it starts) and one when it ends.
          if (first) { first = false; record(f, `pulse 1 of ${f.count} on ${f.controller}:${f.line}`); }
          else if (k === f.count - 1) fired.push({ index: f.index, type: f.type, description: f.description, icount, pc: cpu.pc >>> 0, detail: `pulse ${f.count} of ${f.count} (last)` });
        });
        break;
      }
    }
  }
  return fired;
}
