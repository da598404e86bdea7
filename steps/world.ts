/** The Cucumber World: one scenario draft and its result, fresh for every Gherkin scenario. */

import { World, setWorldConstructor, Before, setDefaultTimeout, type IWorldOptions } from '@cucumber/cucumber';
import type { ScenarioDraft } from '../scenario/draft';
import type { ScenarioResult } from '../scenario/runner';

export class BringupWorld extends World {
  draft: ScenarioDraft | undefined;
  result: ScenarioResult | undefined;

  constructor(options: IWorldOptions) {
    super(options);
  }

  /** The scenario being assembled (a Given must have started one). */
  get scenario(): ScenarioDraft {
    if (!this.draft) throw new Error('no scenario yet: start with a Given that names a scenario or a boot volume');
    return this.draft;
  }

  /** The finished run (a When must have run it). */
  get run(): ScenarioResult {
    if (!this.result) throw new Error('the scenario has not run yet: add "When it runs"');
    return this.result;
  }
}

setWorldConstructor(BringupWorld);
setDefaultTimeout(60_000);

Before(function (this: BringupWorld) {
  this.draft = undefined;
  this.result = undefined;
});
