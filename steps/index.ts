/**
 * What a project's own step definitions import: `import { BringupWorld,
 * Given, When, Then } from 'bringup/steps'`. The cucumber functions are the
 * ones of the @cucumber/cucumber instance bringup's step library registers
 * with, so a project's steps and bringup's share one World (BringupWorld: the
 * scenario being assembled, `this.scenario`, and its finished run,
 * `this.run`). The checks are those bringup's Then steps make; each returns
 * an ExpectationResult that assertMet turns into a readable failure.
 */

export { BringupWorld } from './world';
export {
  Given, When, Then, Before, After, BeforeAll, AfterAll, BeforeStep, AfterStep,
  defineParameterType, setDefaultTimeout, DataTable, Status, World,
} from '@cucumber/cucumber';
export type { IWorldOptions } from '@cucumber/cucumber';
export { ScenarioDraft } from '../scenario/draft';
export type { ScenarioResult } from '../scenario/run/runner';
export type { ConsoleLine } from '../scenario/run/console-log';
export * from '../scenario/check';
