/**
 * A step of your own, next to bringup's step library. TypeScript here is
 * loaded by `npx bringup test` as it is (no build step). The World is
 * bringup's: `this.scenario` is the scenario being assembled, `this.run`
 * the finished run (console lines, verdict, fired faults, the machine).
 */

import { BringupWorld, Then } from 'bringup/steps';

Then('the console printed at least {int} line(s)', function (this: BringupWorld, least: number) {
  const lines = this.run.lines;
  // lines holds the last lines only; index counts every line printed before.
  const printed = lines.length ? lines[lines.length - 1].index + 1 : 0;
  if (printed < least) {
    throw new Error(`the console printed ${printed} line(s), expected at least ${least}`);
  }
});
