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

// An abort with that fault status when an instruction is executed for the nth time.
Given('a {abort} \\({status} fault) at the {ordinal} execution of {symbol}', function (this: BringupWorld, type: 'data-abort' | 'prefetch-abort', status: string, nth: number, symbol: string) {
  this.scenario.addFault({ type, status, 'on-exec': { at: symbol, nth } });
});

// An abort with that fault status at a virtual time.
// Example: Given a data abort (translation fault) at 2ms
Given('a {abort} \\({status} fault) at {duration}', function (this: BringupWorld, type: 'data-abort' | 'prefetch-abort', status: string, at: string) {
  this.scenario.addFault({ type, status, at });
});

// A data abort on the nth load or store to an address.
// Example: Given a data abort (external fault) on the 2nd access to 0x01000000
Given('a data abort \\({status} fault) on the {ordinal} access to {hex}', function (this: BringupWorld, status: string, nth: number, address: number) {
  this.scenario.addFault({ type: 'data-abort', status, 'on-access': { from: address, nth } });
});

// The hypervisor's event upcalls to domains are dropped from the nth on.
Given('every upcall from the {ordinal} on is lost', function (this: BringupWorld, nth: number) {
  this.scenario.addFault({ type: 'lost-upcall', nth, count: 'all' });
});

// One event upcall to a domain is dropped.
// Example: Given the 2nd upcall is lost
Given('the {ordinal} upcall is lost', function (this: BringupWorld, nth: number) {
  this.scenario.addFault({ type: 'lost-upcall', nth });
});

// A bit of memory flips at a virtual time (bit 0 is the least significant of the byte or word at the address).
Given('bit {int} of {address} flips at {duration}', function (this: BringupWorld, bit: number, address: number | string, at: string) {
  this.scenario.addFault({ type: 'bit-flip', address, bit, at });
});

// The nth byte of console input never arrives.
Given('the {ordinal} byte typed is dropped', function (this: BringupWorld, byte: number) {
  this.scenario.addFault({ type: 'corrupt-input', byte, drop: true });
});

// The nth byte of console input arrives as another byte.
// Example: Given the 2nd byte typed is replaced by 0x41
Given('the {ordinal} byte typed is replaced by {hex}', function (this: BringupWorld, byte: number, replace: number) {
  this.scenario.addFault({ type: 'corrupt-input', byte, replace });
});

// The nth byte of console input arrives with bits flipped.
Given('the {ordinal} byte typed is XORed with {hex}', function (this: BringupWorld, byte: number, xor: number) {
  this.scenario.addFault({ type: 'corrupt-input', byte, xor });
});

// The interrupt controller misses the nth assertion of an interrupt line.
Given('the {ordinal} assertion of {irq} is lost', function (this: BringupWorld, nth: number, irq: IrqLine) {
  this.scenario.addFault({ type: 'lost-interrupt', ...irq, nth });
});

// The interrupt controller misses every assertion of a line from the nth on.
// Example: Given every assertion of GIC line 32 from the 2nd on is lost
Given('every assertion of {irq} from the {ordinal} on is lost', function (this: BringupWorld, irq: IrqLine, nth: number) {
  this.scenario.addFault({ type: 'lost-interrupt', ...irq, nth, count: 'all' });
});

// A one-instruction pulse on an interrupt line that no device raised.
Given('a spurious interrupt on {irq} at {duration}', function (this: BringupWorld, irq: IrqLine, at: string) {
  this.scenario.addFault({ type: 'spurious-interrupt', ...irq, at });
});

// A pulse of that length on an interrupt line that no device raised.
// Example: Given a spurious interrupt on LIC line 90 at 6ms lasting 10us
Given('a spurious interrupt on {irq} at {duration} lasting {duration}', function (this: BringupWorld, irq: IrqLine, at: string, width: string) {
  this.scenario.addFault({ type: 'spurious-interrupt', ...irq, at, width });
});

// Many pulses on an interrupt line at a fixed period.
Given('an interrupt storm on {irq}: {int} pulses every {duration} from {duration}', function (this: BringupWorld, irq: IrqLine, count: number, period: string, start: string) {
  this.scenario.addFault({ type: 'irq-storm', ...irq, count, period, start });
});

// Interleaving as a fault: a core gives up its turns for a while (stall-core), at a virtual time.
// Example: Given core 1 stalls for 50us at 2ms
Given('core {int} stalls for {duration} at {duration}', function (this: BringupWorld, core: number, ticks: string, at: string) {
  this.scenario.addFault({ type: 'stall-core', core, for: ticks, at });
});

// A core gives up its turns for a while once another core executes an instruction for the nth time.
// Example: Given core 0 stalls for 10us at the 3rd execution of core1_main by core 1
Given('core {int} stalls for {duration} at the {ordinal} execution of {symbol} by core {int}', function (this: BringupWorld, core: number, ticks: string, nth: number, symbol: string, by: number) {
  this.scenario.addFault({ type: 'stall-core', core, for: ticks, 'on-exec': { at: symbol, nth, core: by } });
});

// An abort taken by a given core at a virtual time.
// Example: Given a data abort (translation fault) on core 1 at 2ms
Given('a {abort} \\({status} fault) on core {int} at {duration}', function (this: BringupWorld, type: 'data-abort' | 'prefetch-abort', status: string, core: number, at: string) {
  this.scenario.addFault({ type, status, at, core });
});

// An SGI (IPI) between cores is lost: the nth GICD_SGIR write sending it to the core.
// Example: Given the 2nd SGI 3 sent to core 1 is lost
Given('the {ordinal} SGI {int} sent to core {int} is lost', function (this: BringupWorld, nth: number, line: number, core: number) {
  this.scenario.addFault({ type: 'lost-interrupt', line, core, nth });
});

// Every software-generated interrupt of that number to a core, from the nth on, is lost.
// Example: Given every SGI 3 sent to core 1 from the 2nd on is lost
Given('every SGI {int} sent to core {int} from the {ordinal} on is lost', function (this: BringupWorld, line: number, core: number, nth: number) {
  this.scenario.addFault({ type: 'lost-interrupt', line, core, nth, count: 'all' });
});

// The hypervisor's panic dump reports an abort with the pc in that function.
Then('the hypervisor panics with a {abort} in {symbol}', function (this: BringupWorld, kind: string, symbol: string) {
  assertMet(hypervisorPanics(this.run, { kind, symbol }));
});

// The hypervisor reports a domain killed by an abort (its fault status in words) in that function.
Then('domain {string} is killed by a {abort} {string} in {symbol}', function (this: BringupWorld, domain: string, kind: string, status: string, symbol: string) {
  assertMet(domainFaults(this.run, { domain, kind, status, symbol }));
});

// The same for a pc with no symbol in the dump (code that is not in any function: a data page, a wild jump).
Then('domain {string} is killed by a {abort} {string} at {hex}', function (this: BringupWorld, domain: string, kind: string, status: string, pc: number) {
  assertMet(domainFaults(this.run, { domain, kind, status, symbol: `0x${pc.toString(16).padStart(8, '0')}` }));
});

// That many injected faults took effect.
Then('{int} fault(s) fired', function (this: BringupWorld, n: number) {
  assert.equal(fired(this.run).length, n, 'faults fired');
});

// That many injected faults of one type (lost-interrupt, bit-flip, data-abort, ...) took effect.
Then('{int} {word} fault(s) fired', function (this: BringupWorld, n: number, type: string) {
  assert.equal(fired(this.run, type as never).length, n, `${type} faults fired`);
});

// An injected fault of that type took effect at that virtual time.
Then('a {word} fault fired at {duration}', function (this: BringupWorld, type: string, at: string) {
  assertMet(faultFiredAt(this.run, type, at));
});
