/**
 * Arms a scenario's faults on a machine, through the CPU's fault hooks
 * (execution hooks, data access watchers) and the machine's event queue.
 * Every fault that fires is recorded, stamped with the instruction count at
 * which it fired, so two runs of the same scenario can be compared exactly.
 */

import type { Machine } from '../machine/machine';
import type { Injection } from '../machine/injections';
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

/**
 * Installs every fault; returns the list that fills as they fire. A trigger
 * decides when a fault fires; what it does goes through machine.fire, so it
 * lands in the input log and a replay repeats it without the trigger.
 */
export function armFaults(machine: Machine, faults: FaultSpec[]): FiredFault[] {
  const fired: FiredFault[] = [];
  const cpu = machine.cpu;
  const record = (f: FaultSpec, detail: string, pc = cpu.pc, icount = cpu.icount) => {
    fired.push({ index: f.index, type: f.type, description: f.description, icount, pc: pc >>> 0, detail });
  };
  const cause = (f: FaultSpec) => `fault ${f.index + 1}: ${f.description}`;

  for (const f of faults) {
    switch (f.type) {
      case 'data-abort':
      case 'prefetch-abort': {
        const data = f.type === 'data-abort';
        const t = f.trigger;
        const abort = (va: number, write: boolean): Injection => data
          ? { kind: 'data-abort', address: va, status: f.status, write }
          : { kind: 'prefetch-abort', address: va, status: f.status };
        const detail = (va: number, write: boolean) => data
          ? `DFSR ${hex(faultStatusRegister(f.status, 0, write))} (${f.statusName}), DFAR ${hex(va)}`
          : `IFSR ${hex(faultStatusRegister(f.status, 0, false))} (${f.statusName}), IFAR ${hex(va)}`;
        if (t.kind === 'at') {
          // Between instructions: the instruction at pc takes the abort before it executes.
          machine.events.schedule(t.icount, `fault ${f.index}: ${f.type}`, () => {
            const va = f.address ?? (data ? 0 : cpu.pc);
            record(f, detail(va, f.write ?? false));
            machine.fire({ at: 'boundary' }, abort(va, f.write ?? false), cause(f));
          });
        } else if (t.kind === 'exec') {
          let n = 0;
          machine.hooks.add(t.address, () => {
            if (++n !== t.nth) return false;
            const va = f.address ?? (data ? 0 : t.address);
            record(f, detail(va, f.write ?? false), t.address, cpu.icount - 1);
            return machine.fire({ at: 'exec', pc: t.address }, abort(va, f.write ?? false), cause(f));
          });
        } else {
          let n = 0;
          cpu.accessWatchers.push({
            lo: t.lo, hi: t.hi, fn: (va, write) => {
              if (t.write !== undefined && t.write !== write) return;
              if (++n !== t.nth) return;
              const addr = f.address ?? va;
              const w = f.write ?? write;
              record(f, `${write ? 'write' : 'read'} of ${hex(va)}: ${detail(addr, w)}`, cpu.pc, cpu.icount - 1);
              machine.fire({ at: 'access', address: va, write }, abort(addr, w), cause(f));
            },
          });
        }
        break;
      }
      case 'lost-upcall': {
        let calls = 0;
        machine.hooks.add(f.address, (c) => {
          calls++;
          if (calls < f.nth || calls >= f.nth + f.count) return false;
          record(f, `call ${calls} of ${f.function} skipped (returned to ${hex(c.r[14])})`, f.address, c.icount - 1);
          return machine.fire({ at: 'exec', pc: f.address }, { kind: 'skip-call' }, cause(f));
        });
        break;
      }
      case 'irq-storm': {
        let first = true;
        schedulePulseTrain(machine, f.controller, f.line, f, cause(f), (k, icount) => {
          // One record for the storm (when it starts) and one when it ends.
          if (first) { first = false; record(f, `pulse 1 of ${f.count} on ${f.controller}:${f.line}`); }
          else if (k === f.count - 1) record(f, `pulse ${f.count} of ${f.count} (last)`, cpu.pc, icount);
        });
        break;
      }
    }
  }
  return fired;
}
