/** Steps about the console: what it (or another UART) shows, by when, what it never shows, how often. */

import { Given, Then } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import { assertMet, consoleShows, consoleNeverShows, consoleCount, domainReports, receivedInput } from '../scenario/check';
import type { BringupWorld } from './world';
import './parameters';

Given('the run stops once the console shows {string}', function (this: BringupWorld, text: string) {
  this.scenario.stopWhenConsoleShows(text);
});

Then('the console shows {string}', function (this: BringupWorld, text: string) {
  assertMet(consoleShows(this.run, text));
});

Then('the console shows {string} within {duration}', function (this: BringupWorld, text: string, by: string) {
  assertMet(consoleShows(this.run, text, by));
});

Then('the console never shows {string}', function (this: BringupWorld, text: string) {
  assertMet(consoleNeverShows(this.run, text));
});

Then('the console shows {string} {int} time(s)', function (this: BringupWorld, text: string, n: number) {
  assert.equal(consoleCount(this.run, text), n, `lines matching ${text}`);
});

// Another console device of the board (a UART by name, or "semihosting").
Then('{word} shows {string}', function (this: BringupWorld, device: string, text: string) {
  assertMet(consoleShows(this.run, text, undefined, device));
});

Then('{word} never shows {string}', function (this: BringupWorld, device: string, text: string) {
  assertMet(consoleNeverShows(this.run, text, device));
});

// The input log: the bytes console input really delivered (after corrupt-input faults).
Then('{word} received {string}', function (this: BringupWorld, device: string, text: string) {
  assert.equal(receivedInput(this.run, device), text.replace(/\\r/g, '\r').replace(/\\n/g, '\n'), `console input delivered to ${device}`);
});

// Domain state as the hypervisor reports it on the console ("domN NAME: ...").
Then('domain {string} reports {string}', function (this: BringupWorld, domain: string, text: string) {
  assertMet(domainReports(this.run, domain, text));
});
