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
import type { Cpu } from '../../machine/cpu/cpu';

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
  /** The core it hit (runs of several cores only). */
  core?: number;
}

/**
 * Installs every fault; returns the list that fills as they fire. A trigger
 * decides when a fault fires; what it does goes through machine.fire, so it
 * lands in the input log and a replay repeats it without the trigger.
 */
export function armFaults(machine: Machine, faults: FaultSpec[]): FiredFault[] {
  const fired: FiredFault[] = [];
  const several = machine.cpus.length > 1;
  // The core whose instruction or access is being served (between instructions, core 0).
  const current = () => machine.cpus[machine.currentCore()];
  const record = (f: FaultSpec, detail: string, pc = current().pc, icount = machine.now(), core = machine.currentCore()) => {
    fired.push({ index: f.index, type: f.type, description: f.description, icount, pc: pc >>> 0, detail, ...(several ? { core } : {}) });
  };
  /** An execution hook counting the executions of `address` (by one core, when `core` is given); `fn` decides the nth. */
  const onExec = (address: number, core: number | undefined, fn: (c: Cpu, k: number) => boolean) =>
    machine.probes.exec.at(address, (c) => {
      const k = several ? machine.cpus.indexOf(c) : 0;
      return core !== undefined && k !== core ? false : fn(c, k);
    });
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
          // Between instructions: the instruction at the core's pc takes the abort before it executes.
          machine.events.schedule(t.icount, `fault ${f.index}: ${f.type}`, () => {
            const target = machine.cpus[f.core];
            const va = f.address ?? (data ? 0 : target.pc);
            record(f, detail(va, f.write ?? false), target.pc, machine.now(), f.core);
            if (f.core === 0) machine.fire({ at: 'boundary' }, abort(va, f.write ?? false), cause(f));
            else machine.inject({ icount: machine.now(), point: { at: 'boundary' }, injection: abort(va, f.write ?? false), cause: cause(f), core: f.core });
          }, 'input');
        } else if (t.kind === 'exec') {
          let n = 0;
          onExec(t.address, t.core, (c, k) => {
            if (++n !== t.nth) return false;
            const va = f.address ?? (data ? 0 : t.address);
            record(f, detail(va, f.write ?? false), t.address, c.icount - 1, k);
            return machine.fire({ at: 'exec', pc: t.address }, abort(va, f.write ?? false), cause(f));
          });
        } else {
          let n = 0;
          machine.probes.access.watch(t.lo, t.hi, (va, write) => {
            if (t.write !== undefined && t.write !== write) return;
            if (++n !== t.nth) return;
            const addr = f.address ?? va;
            const w = f.write ?? write;
            record(f, `${write ? 'write' : 'read'} of ${hex(va)}: ${detail(addr, w)}`, current().pc, machine.now() - 1);
            machine.fire({ at: 'access', address: va, write }, abort(addr, w), cause(f));
          });
        }
        break;
      }
      case 'lost-upcall': {
        let calls = 0;
        onExec(f.address, undefined, (c, k) => {
          calls++;
          if (calls < f.nth || calls >= f.nth + f.count) return false;
          record(f, `call ${calls} of ${f.function} skipped (returned to ${hex(c.r[14])})`, f.address, c.icount - 1, k);
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
      case 'stall-core': {
        const stall: Injection = { kind: 'stall-core', core: f.core, ticks: f.ticks };
        const what = `core ${f.core} stalled for ${f.ticks} ticks`;
        const t = f.trigger;
        if (t.kind === 'at') {
          machine.events.schedule(t.icount, `fault ${f.index}: stall-core`, () => {
            record(f, what, machine.cpus[f.core].pc, machine.now(), f.core);
            machine.fire({ at: 'boundary' }, stall, cause(f));
          }, 'input');
        } else {
          // At the instruction, on the core that executes it (which then runs on): the stall starts there.
          let n = 0;
          onExec(t.address, t.core, (c, k) => {
            if (++n !== t.nth) return false;
            record(f, `${what} (core ${k} at ${t.label})`, t.address, c.icount - 1, k);
            return machine.fire({ at: 'exec', pc: t.address }, stall, cause(f));
          });
        }
        break;
      }
      case 'lost-interrupt': {
        if (f.sgi) { armLostSgi(machine, f, f.sgi, cause(f), record); break; }
        // When: the nth rising edge a device drives into the controller's line.
        // What: that line lowered at the controller just before the next
        // instruction (an exec-point irq-line entry at the instruction the CPU
        // executes next: the IRQ/FIQ vector if it takes an exception there, else
        // pc), so the handler finds nothing pending and the controller sees no
        // new edge until the device lowers and raises its output again.
        const cpu = machine.cpu;
        let edges = 0;
        watchDeviceEdges(machine, f.controller, f.line, () => {
          edges++;
          if (edges < f.nth || edges >= f.nth + f.count) return;
          const edge = edges;
          // Mid-instruction (a device register write) the next pc is not known yet: decide at the boundary.
          machine.events.schedule(machine.now(), `fault ${f.index}: lost interrupt`, () => {
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
          record(f, `${f.controller}:${f.line} high for ${f.width} instruction(s)`, machine.cpu.pc, icount, 0);
        });
        break;
      }
      case 'irq-storm': {
        let first = true;
        schedulePulseTrain(machine, f.controller, f.line, f, cause(f), (k, icount) => {
          // One record for the storm (when it starts) and one when it ends.
          if (first) { first = false; record(f, `pulse 1 of ${f.count} on ${f.controller}:${f.line}`); }
          else if (k === f.count - 1) record(f, `pulse ${f.count} of ${f.count} (last)`, machine.cpu.pc, icount, 0);
        });
        break;
      }
    }
  }
  return fired;
}


type Record = (f: FaultSpec, detail: string, pc?: number, icount?: number, core?: number) => void;

/**
 * A lost SGI. When: the nth GICD_SGIR write (a 32-bit store of any core to
 * the distributor's SGIR) that sends SGI f.line to the core, counted as the
 * write reaches the bus. What: a lose-sgi entry at the storing instruction
 * (an exec point on the core that stores), which the GIC honours by not
 * making that write's SGI pending on the core; the other targets get it as
 * usual. A replay acts at the same instruction, without watching the bus.
 */
function armLostSgi(machine: Machine, f: Extract<FaultSpec, { type: 'lost-interrupt' }>, sgi: { core: number; sgir: number }, cause: string, record: Record): void {
  const all = (1 << machine.cpus.length) - 1;
  let sends = 0;
  machine.probes.mmioWrite.subscribe((pa, size, value) => {
    if (pa !== sgi.sgir || size !== 4 || (value & 0xf) !== f.line) return;
    const writer = machine.currentCore();
    const filter = (value >>> 24) & 3;
    const targets = filter === 0 ? (value >>> 16) & all : filter === 1 ? all & ~(1 << writer) : filter === 2 ? 1 << writer : 0;
    if (!(targets & (1 << sgi.core))) return;
    sends++;
    if (sends < f.nth || sends >= f.nth + f.count) return;
    const cpu = machine.cpus[writer];
    record(f, `SGI ${f.line} from core ${writer} to core ${sgi.core} lost (GICD_SGIR write ${sends} sending it there)`, cpu.pc, machine.now() - 1, writer);
    machine.fire({ at: 'exec', pc: cpu.pc >>> 0 }, { kind: 'lose-sgi', controller: f.controller, sgi: f.line, cores: 1 << sgi.core }, cause);
  });
}
