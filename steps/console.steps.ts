/** Steps about the console: what it (or another UART) shows, by when, what it never shows, how often. */

import { Given, Then } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import { assertMet, consoleShows, consoleNeverShows, consoleCount, domainReports, receivedInput } from '../scenario/check';
import type { BringupWorld } from './world';
import './parameters';

// Ends the run as soon as the console shows a line matching the pattern (expect.end: matched).
Given('the run stops once the console shows {string}', function (this: BringupWorld, text: string) {
  this.scenario.stopWhenConsoleShows(text);
});

// Some console line matches: text, or /regex/ between slashes.
Then('the console shows {string}', function (this: BringupWorld, text: string) {
  assertMet(consoleShows(this.run, text));
});

// Some console line matches, printed by that virtual time.
Then('the console shows {string} within {duration}', function (this: BringupWorld, text: string, by: string) {
  assertMet(consoleShows(this.run, text, by));
});

// No console line matches.
Then('the console never shows {string}', function (this: BringupWorld, text: string) {
  assertMet(consoleNeverShows(this.run, text));
});

// Exactly that many console lines match.
// Example: Then the console shows "ping" 10 times
Then('the console shows {string} {int} time(s)', function (this: BringupWorld, text: string, n: number) {
  assert.equal(consoleCount(this.run, text), n, `lines matching ${text}`);
});

// Another console device of the board (a UART by name, or "semihosting") shows a matching line.
Then('{word} shows {string}', function (this: BringupWorld, device: string, text: string) {
  assertMet(consoleShows(this.run, text, undefined, device));
});

// No line of that console device matches.
Then('{word} never shows {string}', function (this: BringupWorld, device: string, text: string) {
  assertMet(consoleNeverShows(this.run, text, device));
});

// The bytes console input really delivered to a device, after corrupt-input faults (from the input log).
Then('{word} received {string}', function (this: BringupWorld, device: string, text: string) {
  assert.equal(receivedInput(this.run, device), text.replace(/\\r/g, '\r').replace(/\\n/g, '\n'), `console input delivered to ${device}`);
});

// A domain's state as the hypervisor reports it on the console ("domN NAME: ...").
// Example: Then domain "crash" reports "killed"
Then('domain {string} reports {string}', function (this: BringupWorld, domain: string, text: string) {
  assertMet(domainReports(this.run, domain, text));
});
