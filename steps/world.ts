/**
 * The Cucumber World: one scenario draft and its result, fresh for every
 * Gherkin scenario. When a scenario fails, the After hook attaches to the
 * report what is needed to look into it: the console logs with the failed
 * expectation marked, the display as a PNG, pictures that did not match, and
 * the run's recording with the command that replays it. The World also knows
 * which step is running, so that an error names the feature file and line of
 * the step that caused it.
 */

import * as path from 'node:path';
import * as assert from 'node:assert';
import { World, setWorldConstructor, Before, After, BeforeStep, AfterStep, Status, setDefaultTimeout, setDefinitionFunctionWrapper, type IWorldOptions } from '@cucumber/cucumber';
import type { ScenarioDraft } from '../scenario/draft';
import type { ScenarioResult, Artifact } from '../scenario/run/runner';
import type { BisectOutcome } from '../scenario/hunt/bisect';
import { DraftError } from '../scenario/draft';
import { failureAttachments, shownAttachments, writeFailureFiles, fileLinks } from '../scenario/check/attachments';
import { ExpectationFailed, type ExpectationResult } from '../scenario/check/expectation';
import { stepLocation, StepError, type StepLocation } from './step-location';
import { applyEngineFromEnvironment } from '../io/engine';

export class BringupWorld extends World {
  draft: ScenarioDraft | undefined;
  result: ScenarioResult | undefined;
  /** A bisection over builds (steps/bisect.steps.ts) and its report. */
  bisection: { outcome: BisectOutcome; report: string } | undefined;
  /** Files a check produced (e.g. the actual picture of a mismatch), attached when the scenario fails. */
  artifacts: Artifact[] = [];
  /** The step running now (set by the BeforeStep hook): errors name its feature file and line. */
  step: StepLocation | undefined;

  constructor(options: IWorldOptions) {
    super(options);
  }

  /** The scenario being assembled (a Given must have started one); what the step changes in it is recorded as the step's. */
  get scenario(): ScenarioDraft {
    if (!this.draft) throw new Error('no scenario yet: start with a Given that names a scenario or a boot volume');
    return this.draft.by(this.step);
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
// BRINGUP_ENGINE reaches the cores of every scenario cucumber runs here.
applyEngineFromEnvironment();

Before(function (this: BringupWorld) {
  this.draft = undefined;
  this.result = undefined;
  this.bisection = undefined;
  this.artifacts = [];
});

// ---- which step is running, and errors reported at its line ----

BeforeStep(function (this: BringupWorld, hook) {
  this.step = stepLocation(hook);
});

AfterStep(function (this: BringupWorld) {
  this.step = undefined;
});

const BUG_ERRORS = [TypeError, ReferenceError, SyntaxError, RangeError];

/**
 * A step that fails for any reason but an unmet expectation (a missing file,
 * an unknown symbol, a bad value) fails with the feature file and line of
 * the step in front of the message. Problems found later in what an earlier
 * step put into the scenario (DraftError) already name that step.
 */
export function locateError(world: BringupWorld, e: unknown): unknown {
  const step = world.step;
  if (!step || !(e instanceof Error) || e instanceof DraftError || e instanceof StepError) return e;
  // Unmet expectations are reported by the checks; TypeError and the like are bugs, whose stack matters.
  if (e instanceof assert.AssertionError || e instanceof ExpectationFailed || BUG_ERRORS.some((B) => e instanceof B)) return e;
  return new StepError(step, e.message);
}

// Every step definition runs through this wrapper (cucumber-js's hook for wrapping them all), so no step has to say where it is.
setDefinitionFunctionWrapper((fn: (...args: unknown[]) => unknown) => function (this: BringupWorld, ...args: unknown[]) {
  let result: unknown;
  try {
    result = fn.apply(this, args);
  } catch (e) {
    throw locateError(this, e);
  }
  if (result instanceof Promise) return result.catch((e: unknown) => { throw locateError(this, e); });
  return result;
});

/** Where a failed scenario's files are written: failed/ in $BRINGUP_REPORTS_DIR, else in reports/ of the working directory. */
function failureFilesDir(): string {
  return path.join(path.resolve(process.env.BRINGUP_REPORTS_DIR ?? 'reports'), 'failed');
}

/** The expectation a step's error reports, if any (a wrapped error carries it as its cause). */
function failedExpectations(error: unknown): ExpectationResult[] {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ExpectationFailed && e.expectation) return [e.expectation];
  }
  return [];
}

/**
 * A failed scenario's report: the console logs (the failed expectation marked
 * in its console's log), the display, pictures that did not match, the
 * recording and the command that replays it. Logs and pictures are written
 * as files too, and listed as links; bringup test's JUnit and HTML failure
 * reports are made from these attachments (cli/test-reports.ts).
 */
After(async function (this: BringupWorld, { result, pickle, error }) {
  if (result?.status !== Status.FAILED || !this.result) return;
  const label = `${path.basename(pickle.uri, '.feature')}--${pickle.name}`;
  const list = failureAttachments(this.result, this.artifacts, label, failedExpectations(error));
  try {
    const written = writeFailureFiles(list, failureFilesDir());
    if (written.size) list.push(fileLinks(label, written));
  } catch (e) {
    // The report still carries everything as attachments; only the files are missing.
    this.attach(`the failure's files could not be written to ${failureFilesDir()}: ${(e as Error).message}`, 'text/plain');
  }
  for (const a of shownAttachments(list)) {
    if (a.mediaType.startsWith('text/')) {
      this.attach(a.data.toString('utf8'), { mediaType: a.mediaType === 'text/uri-list' ? a.mediaType : 'text/plain', fileName: a.name });
    } else {
      this.attach(a.data, { mediaType: a.mediaType, fileName: a.name });
    }
  }
});
