/** Steps about the machine a run left behind: registers, memory, the display. */

import { Given, Then } from '@cucumber/cucumber';
import * as path from 'node:path';
import { assertMet, registerIs, registerIn, memoryIs, displayShows, coreIsOnline, coreExecuted, coreRegisterIs } from '../scenario/check';
import { repoRoot } from '../scenario/draft';
import type { BringupWorld } from './world';
import './parameters';

Then('register {register} is {hex}', function (this: BringupWorld, reg: string, value: number) {
  assertMet(registerIs(this.run, reg, value));
});

// Cores by number (0 is the boot core).
Then('register {register} of core {int} is {hex}', function (this: BringupWorld, reg: string, core: number, value: number) {
  assertMet(coreRegisterIs(this.run, core, reg, value));
});

Then('core {int} is online', function (this: BringupWorld, core: number) {
  assertMet(coreIsOnline(this.run, core));
});

Then('core {int} is not online', function (this: BringupWorld, core: number) {
  assertMet(coreIsOnline(this.run, core, false));
});

// The instruction is watched during the run: name it before "When it runs".
Given('core {int} must execute {symbol}', function (this: BringupWorld, core: number, symbol: string) {
  this.scenario.expectCoreExecutes(core, symbol);
});

Then('core {int} executed {symbol}', function (this: BringupWorld, core: number, symbol: string) {
  assertMet(coreExecuted(this.run, core, symbol));
});

Then('register {register} is in {symbol}', function (this: BringupWorld, reg: string, symbol: string) {
  assertMet(registerIn(this.run, reg, symbol));
});

Then('the word at {address} is {hex}', function (this: BringupWorld, address: number | string, value: number) {
  assertMet(memoryIs(this.run, address, value, 4));
});

Then('the byte at {address} is {hex}', function (this: BringupWorld, address: number | string, value: number) {
  assertMet(memoryIs(this.run, address, value, 1));
});

// A PNG path relative to the repository root.
Then('the display shows the picture {string}', function (this: BringupWorld, file: string) {
  const e = displayShows(this.run, path.resolve(repoRoot(), file));
  if (e.artifact) this.artifacts.push(e.artifact);
  assertMet(e);
});
