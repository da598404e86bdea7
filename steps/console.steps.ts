/** Steps about the console: what it shows, by when, what it never shows, how often. */

import { Given, Then } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import { assertMet, consoleShows, consoleNeverShows, consoleCount } from '../scenario/checks';
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
