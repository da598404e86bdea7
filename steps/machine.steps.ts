/** Steps about the machine a run left behind: registers, memory, the display. */

import { Then } from '@cucumber/cucumber';
import * as path from 'node:path';
import { assertMet, registerIs, registerIn, memoryIs, displayShows } from '../scenario/check';
import { repoRoot } from '../scenario/draft';
import type { BringupWorld } from './world';
import './parameters';

Then('register {register} is {hex}', function (this: BringupWorld, reg: string, value: number) {
  assertMet(registerIs(this.run, reg, value));
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
