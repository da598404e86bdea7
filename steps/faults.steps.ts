/**
 * Steps about faults: aborts, lost upcalls, bit flips, corrupted console input,
 * lost, spurious and stormy interrupts, and the dumps and panics they cause.
 */

import { Given, Then } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import { assertMet, hypervisorPanics, domainFaults, fired, faultFiredAt } from '../scenario/check';
import type { BringupWorld } from './world';
import type { IrqLine } from './parameters';
import './parameters';

Given('a {abort} \\({status} fault) at the {ordinal} execution of {symbol}', function (this: BringupWorld, type: 'data-abort' | 'prefetch-abort', status: string, nth: number, symbol: string) {
  this.scenario.addFault({ type, status, 'on-exec': { at: symbol, nth } });
});

Given('a {abort} \\({status} fault) at {duration}', function (this: BringupWorld, type: 'data-abort' | 'prefetch-abort', status: string, at: string) {
  this.scenario.addFault({ type, status, at });
});

Given('a data abort \\({status} fault) on the {ordinal} access to {hex}', function (this: BringupWorld, status: string, nth: number, address: number) {
  this.scenario.addFault({ type: 'data-abort', status, 'on-access': { from: address, nth } });
});

Given('every upcall from the {ordinal} on is lost', function (this: BringupWorld, nth: number) {
  this.scenario.addFault({ type: 'lost-upcall', nth, count: 'all' });
});

Given('the {ordinal} upcall is lost', function (this: BringupWorld, nth: number) {
  this.scenario.addFault({ type: 'lost-upcall', nth });
});

Given('bit {int} of {address} flips at {duration}', function (this: BringupWorld, bit: number, address: number | string, at: string) {
  this.scenario.addFault({ type: 'bit-flip', address, bit, at });
});

Given('the {ordinal} byte typed is dropped', function (this: BringupWorld, byte: number) {
  this.scenario.addFault({ type: 'corrupt-input', byte, drop: true });
});

Given('the {ordinal} byte typed is replaced by {hex}', function (this: BringupWorld, byte: number, replace: number) {
  this.scenario.addFault({ type: 'corrupt-input', byte, replace });
});

Given('the {ordinal} byte typed is XORed with {hex}', function (this: BringupWorld, byte: number, xor: number) {
  this.scenario.addFault({ type: 'corrupt-input', byte, xor });
});

Given('the {ordinal} assertion of {irq} is lost', function (this: BringupWorld, nth: number, irq: IrqLine) {
  this.scenario.addFault({ type: 'lost-interrupt', ...irq, nth });
});

Given('every assertion of {irq} from the {ordinal} on is lost', function (this: BringupWorld, irq: IrqLine, nth: number) {
  this.scenario.addFault({ type: 'lost-interrupt', ...irq, nth, count: 'all' });
});

Given('a spurious interrupt on {irq} at {duration}', function (this: BringupWorld, irq: IrqLine, at: string) {
  this.scenario.addFault({ type: 'spurious-interrupt', ...irq, at });
});

Given('a spurious interrupt on {irq} at {duration} lasting {duration}', function (this: BringupWorld, irq: IrqLine, at: string, width: string) {
  this.scenario.addFault({ type: 'spurious-interrupt', ...irq, at, width });
});

Given('an interrupt storm on {irq}: {int} pulses every {duration} from {duration}', function (this: BringupWorld, irq: IrqLine, count: number, period: string, start: string) {
  this.scenario.addFault({ type: 'irq-storm', ...irq, count, period, start });
});

// Interleaving as a fault: a core gives up its turns for a while (stall-core).
Given('core {int} stalls for {duration} at {duration}', function (this: BringupWorld, core: number, ticks: string, at: string) {
  this.scenario.addFault({ type: 'stall-core', core, for: ticks, at });
});

Given('core {int} stalls for {duration} at the {ordinal} execution of {symbol} by core {int}', function (this: BringupWorld, core: number, ticks: string, nth: number, symbol: string, by: number) {
  this.scenario.addFault({ type: 'stall-core', core, for: ticks, 'on-exec': { at: symbol, nth, core: by } });
});

Given('a {abort} \\({status} fault) on core {int} at {duration}', function (this: BringupWorld, type: 'data-abort' | 'prefetch-abort', status: string, core: number, at: string) {
  this.scenario.addFault({ type, status, at, core });
});

// An SGI (IPI) between cores lost: the nth GICD_SGIR write sending it to the core.
Given('the {ordinal} SGI {int} sent to core {int} is lost', function (this: BringupWorld, nth: number, line: number, core: number) {
  this.scenario.addFault({ type: 'lost-interrupt', line, core, nth });
});

Given('every SGI {int} sent to core {int} from the {ordinal} on is lost', function (this: BringupWorld, line: number, core: number, nth: number) {
  this.scenario.addFault({ type: 'lost-interrupt', line, core, nth, count: 'all' });
});

Then('the hypervisor panics with a {abort} in {symbol}', function (this: BringupWorld, kind: string, symbol: string) {
  assertMet(hypervisorPanics(this.run, { kind, symbol }));
});

Then('domain {string} is killed by a {abort} {string} in {symbol}', function (this: BringupWorld, domain: string, kind: string, status: string, symbol: string) {
  assertMet(domainFaults(this.run, { domain, kind, status, symbol }));
});

/** For a pc with no symbol in the dump (code that is not in any function: a data page, a wild jump). */
Then('domain {string} is killed by a {abort} {string} at {hex}', function (this: BringupWorld, domain: string, kind: string, status: string, pc: number) {
  assertMet(domainFaults(this.run, { domain, kind, status, symbol: `0x${pc.toString(16).padStart(8, '0')}` }));
});

Then('{int} fault(s) fired', function (this: BringupWorld, n: number) {
  assert.equal(fired(this.run).length, n, 'faults fired');
});

Then('{int} {word} fault(s) fired', function (this: BringupWorld, n: number, type: string) {
  assert.equal(fired(this.run, type as never).length, n, `${type} faults fired`);
});

Then('a {word} fault fired at {duration}', function (this: BringupWorld, type: string, at: string) {
  assertMet(faultFiredAt(this.run, type, at));
});
