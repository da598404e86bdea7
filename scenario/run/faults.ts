/**
 * Arms a scenario's faults on a machine, through the machine's probes
 * (instruction at an address, data accesses in a range, interrupt edges) and
 * its event queue.
 * Every fault that fires is recorded, stamped with the instruction count at
 * which it fired, so two runs of the same scenario can be compared exactly.
 */

import type { Machine } from '../../machine/machine';
import type { Injection } from '../../machine/injections';
import { faultStatusRegister } from '../../machine/cpu/faults';
import { Vector } from '../../machine/cpu/modes';
import type { FaultSpec } from '../file/scenario-file';
import { schedulePulseTrain, watchDeviceEdges } from './interrupts';
import { hexWord as hex } from '../../machine/hex';

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
          }, 'input');
        } else if (t.kind === 'exec') {
          let n = 0;
          machine.probes.exec.at(t.address, () => {
            if (++n !== t.nth) return false;
            const va = f.address ?? (data ? 0 : t.address);
            record(f, detail(va, f.write ?? false), t.address, cpu.icount - 1);
            return machine.fire({ at: 'exec', pc: t.address }, abort(va, f.write ?? false), cause(f));
          });
        } else {
          let n = 0;
          machine.probes.access.watch(t.lo, t.hi, (va, write) => {
            if (t.write !== undefined && t.write !== write) return;
            if (++n !== t.nth) return;
            const addr = f.address ?? va;
            const w = f.write ?? write;
            record(f, `${write ? 'write' : 'read'} of ${hex(va)}: ${detail(addr, w)}`, cpu.pc, cpu.icount - 1);
            machine.fire({ at: 'access', address: va, write }, abort(addr, w), cause(f));
          });
        }
        break;
      }
      case 'lost-upcall': {
        let calls = 0;
        machine.probes.exec.at(f.address, (c) => {
          calls++;
          if (calls < f.nth || calls >= f.nth + f.count) return false;
          record(f, `call ${calls} of ${f.function} skipped (returned to ${hex(c.r[14])})`, f.address, c.icount - 1);
          return machine.fire({ at: 'exec', pc: f.address }, { kind: 'skip-call' }, cause(f));
        });
        break;
      }
      case 'bit-flip': {
        machine.events.schedule(f.icount, `fault ${f.index}: bit flip`, () => {
          const before = machine.bus.read8(f.address);
          machine.fire({ at: 'boundary' }, { kind: 'bit-flip', address: f.address, bit: f.bit }, cause(f));
          record(f, `byte ${hex(f.address)}: 0x${before.toString(16).padStart(2, '0')} -> 0x${machine.bus.read8(f.address).toString(16).padStart(2, '0')}`);
        }, 'input');
        break;
      }
      case 'corrupt-input':
        // Acts on the typed bytes as they are delivered (console-typing.ts).
        break;
      case 'lost-interrupt': {
        // When: the nth rising edge a device drives into the controller's line.
        // What: that line lowered at the controller just before the next
        // instruction (an exec-point irq-line entry at the instruction the CPU
        // executes next: the IRQ/FIQ vector if it takes an exception there, else
        // pc), so the handler finds nothing pending and the controller sees no
        // new edge until the device lowers and raises its output again.
        let edges = 0;
        watchDeviceEdges(machine, f.controller, f.line, () => {
          edges++;
          if (edges < f.nth || edges >= f.nth + f.count) return;
          const edge = edges;
          // Mid-instruction (a device register write) the next pc is not known yet: decide at the boundary.
          machine.events.schedule(cpu.icount, `fault ${f.index}: lost interrupt`, () => {
            const pc = cpu.nextInstructionAddress();
            const taken = cpu.pendingInterrupt();
            machine.inject({ icount: cpu.icount, point: { at: 'exec', pc }, injection: { kind: 'irq-line', controller: f.controller, line: f.line, high: false }, cause: cause(f) });
            const exc = taken !== -1 ? ` (taken as ${taken === Vector.Fiq ? 'FIQ' : 'IRQ'}: lowered at the vector)` : '';
            record(f, `assertion ${edge} of ${f.controller}:${f.line} lost${exc}`, pc);
          }, 'input');
        });
        break;
      }
      case 'spurious-interrupt': {
        schedulePulseTrain(machine, f.controller, f.line, { start: f.icount, period: f.width + 1, count: 1, width: f.width }, cause(f), (_k, icount) => {
          record(f, `${f.controller}:${f.line} high for ${f.width} instruction(s)`, cpu.pc, icount);
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

