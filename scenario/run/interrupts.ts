/**
 * Driving interrupt lines from a scenario: the wire into an interrupt
 * controller (an irq-line entry of the input log) raised and lowered at virtual
 * times through the machine's event queue, so it is as deterministic as any
 * device. Used for IRQ storms; a line a device also drives is simply
 * overridden while a pulse lasts.
 */

import type { Machine } from '../../machine/machine';

export interface PulseTrain {
  /** Instruction count of the first rising edge. */
  start: number;
  /** Instructions from one rising edge to the next. */
  period: number;
  /** Number of pulses. */
  count: number;
  /** Instructions the line stays high in each pulse (< period). */
  width: number;
}

/** Sets an interrupt controller's input line now, as an entry of the input log. */
export function setInterruptLine(machine: Machine, controller: string, line: number, high: boolean, cause: string): void {
  machine.fire({ at: 'boundary' }, { kind: 'irq-line', controller, line, high }, cause);
}

/**
 * Schedules a train of pulses on an interrupt line. Only the next edge is ever
 * in the event queue, however long the train. onPulse is told of each rising edge.
 */
export function schedulePulseTrain(machine: Machine, controller: string, line: number, train: PulseTrain, cause: string,
  onPulse: (pulse: number, icount: number) => void = () => {}): void {
  if (train.width < 1 || train.width >= train.period) throw new Error('pulse width must be at least 1 and shorter than the period');
  // Fails early with the board's device list.
  if (!machine.device(controller).setInput) throw new Error(`device '${controller}' has no interrupt inputs`);
  const label = `${controller}:${line} pulse`;
  const rise = (k: number) => {
    const t = train.start + k * train.period;
    machine.events.schedule(t, `${label} ${k + 1} high`, () => {
      setInterruptLine(machine, controller, line, true, cause);
      onPulse(k, machine.now());
      machine.events.schedule(t + train.width, `${label} ${k + 1} low`, () => {
        setInterruptLine(machine, controller, line, false, cause);
        if (k + 1 < train.count) rise(k + 1);
      }, 'input');
    }, 'input');
  };
  if (train.count > 0) rise(0);
}

/**
 * Calls onEdge for every rising edge the board's wiring (a device output)
 * drives into a controller's input line, with the device that drove it (the
 * machine's interrupt-edge probe). Only observes: the edge reaches the
 * controller as before. Input-log entries that set the line (irq-line
 * injections: storms, spurious pulses, a replay) are not device edges and are
 * not reported. Returns the function that stops watching.
 */
export function watchDeviceEdges(machine: Machine, controller: string, line: number, onEdge: (device: string) => void): () => void {
  if (!machine.device(controller).setInput) throw new Error(`device '${controller}' has no interrupt inputs`);
  return machine.probes.irqEdge.subscribe((c, l, high, device) => {
    if (high && l === line && c === controller) onEdge(device);
  });
}
