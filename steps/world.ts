/**
 * The Cucumber World: one scenario draft and its result, fresh for every
 * Gherkin scenario. When a scenario fails, the After hook attaches to the
 * report what is needed to look into it: the console log, the display as a
 * PNG, pictures that did not match, and the path of the run's recording.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { World, setWorldConstructor, Before, After, Status, setDefaultTimeout, type IWorldOptions } from '@cucumber/cucumber';
import type { ScenarioDraft } from '../scenario/draft';
import type { ScenarioResult, Artifact } from '../scenario/run/runner';
import type { BisectOutcome } from '../scenario/hunt/bisect';
import { failureAttachments } from '../scenario/check/attachments';

export class BringupWorld extends World {
  draft: ScenarioDraft | undefined;
  result: ScenarioResult | undefined;
  /** A bisection over builds (steps/bisect.steps.ts) and its report. */
  bisection: { outcome: BisectOutcome; report: string } | undefined;
  /** Files a check produced (e.g. the actual picture of a mismatch), attached when the scenario fails. */
  artifacts: Artifact[] = [];

  constructor(options: IWorldOptions) {
    super(options);
  }

  /** The scenario being assembled (a Given must have started one). */
  get scenario(): ScenarioDraft {
    if (!this.draft) throw new Error('no scenario yet: start with a Given that names a scenario or a boot volume');
    return this.draft;
  }

  /** The bisection's outcome (a When must have bisected). */
  get bisected(): { outcome: BisectOutcome; report: string } {
    if (!this.bisection) throw new Error('nothing has been bisected yet: add "When the hypervisor builds ... are bisected with the scenario ..."');
    return this.bisection;
  }

  /** The finished run (a When must have run it). */
  get run(): ScenarioResult {
    if (!this.result) throw new Error('the scenario has not run yet: add "When it runs"');
    return this.result;
  }
}

setWorldConstructor(BringupWorld);
setDefaultTimeout(120_000);

Before(function (this: BringupWorld) {
  this.draft = undefined;
  this.result = undefined;
  this.bisection = undefined;
  this.artifacts = [];
});

/** Where failure artifacts are written as files too: $BRINGUP_REPORTS_DIR, else reports/ in the working directory. */
function reportsDir(): string {
  return path.resolve(process.env.BRINGUP_REPORTS_DIR ?? 'reports');
}

After(async function (this: BringupWorld, { result, pickle }) {
  if (result?.status !== Status.FAILED || !this.result) return;
  const files = failureAttachments(this.result, this.artifacts, `${pickle.name}`);
  const dir = reportsDir();
  for (const a of files) {
    if (a.mediaType === 'text/plain' || a.mediaType === 'text/x.bringup-path') {
      this.attach(a.data.toString('utf8'), { mediaType: 'text/plain', fileName: a.name });
    } else {
      this.attach(a.data, { mediaType: a.mediaType, fileName: a.name });
    }
    if (a.mediaType === 'image/png') {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, a.name);
      fs.writeFileSync(file, a.data);
      this.attach(`${a.name} written to ${file}`, 'text/plain');
    }
  }
});
