/** Steps about the machine a run left behind: registers, memory, the display. */

import { Given, Then } from '@cucumber/cucumber';
import * as path from 'node:path';
import { assertMet, registerIs, registerIn, memoryIs, displayShows, coreIsOnline, coreExecuted, coreRegisterIs } from '../scenario/check';
import { projectRoot } from '../io/project';
import type { BringupWorld } from './world';
import './parameters';

// A register of core 0, at the end of the run.
Then('register {register} is {hex}', function (this: BringupWorld, reg: string, value: number) {
  assertMet(registerIs(this.run, reg, value));
});

// A register of a core by number (0 is the boot core), at the end of the run.
// Example: Then register r0 of core 1 is 0x1
Then('register {register} of core {int} is {hex}', function (this: BringupWorld, reg: string, core: number, value: number) {
  assertMet(coreRegisterIs(this.run, core, reg, value));
});

// The core ran and nothing holds it (reset, power-off) at the end of the run.
// Example: Then core 1 is online
Then('core {int} is online', function (this: BringupWorld, core: number) {
  assertMet(coreIsOnline(this.run, core));
});

// The core never ran or is held (in reset, powered off) at the end of the run.
// Example: Then core 1 is not online
Then('core {int} is not online', function (this: BringupWorld, core: number) {
  assertMet(coreIsOnline(this.run, core, false));
});

// The core must execute this instruction: it is watched during the run, so name it before "When it runs".
// Example: Given core 1 must execute core1_main
Given('core {int} must execute {symbol}', function (this: BringupWorld, core: number, symbol: string) {
  this.scenario.expectCoreExecutes(core, symbol);
});

// The core executed the instruction named before the run with "core N must execute".
// Example: Then core 1 executed core1_main
Then('core {int} executed {symbol}', function (this: BringupWorld, core: number, symbol: string) {
  assertMet(coreExecuted(this.run, core, symbol));
});

// A register of core 0 points into a function or object of the kernel (symbol <= value < symbol + size).
Then('register {register} is in {symbol}', function (this: BringupWorld, reg: string, symbol: string) {
  assertMet(registerIn(this.run, reg, symbol));
});

// The 32-bit word in memory at the end of the run.
Then('the word at {address} is {hex}', function (this: BringupWorld, address: number | string, value: number) {
  assertMet(memoryIs(this.run, address, value, 4));
});

// The byte in memory at the end of the run.
Then('the byte at {address} is {hex}', function (this: BringupWorld, address: number | string, value: number) {
  assertMet(memoryIs(this.run, address, value, 1));
});

// The display equals a PNG (a path relative to the repository root) pixel for pixel.
Then('the display shows the picture {string}', function (this: BringupWorld, file: string) {
  const e = displayShows(this.run, path.resolve(projectRoot(), file));
  if (e.artifact) this.artifacts.push(e.artifact);
  assertMet(e);
});
