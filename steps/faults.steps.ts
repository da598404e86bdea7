/** Steps about faults: injecting aborts and lost upcalls, and the dumps and panics they cause. */

import { Given, Then } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import { assertMet, hypervisorPanics, domainFaults, fired } from '../scenario/checks';
import type { BringupWorld } from './world';
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

Then('the hypervisor panics with a {abort} in {symbol}', function (this: BringupWorld, kind: string, symbol: string) {
  assertMet(hypervisorPanics(this.run, { kind, symbol }));
});

Then('domain {string} is killed by a {abort} {string} in {symbol}', function (this: BringupWorld, domain: string, kind: string, status: string, symbol: string) {
  assertMet(domainFaults(this.run, { domain, kind, status, symbol }));
});

Then('{int} fault(s) fired', function (this: BringupWorld, n: number) {
  assert.equal(fired(this.run).length, n, 'faults fired');
});
