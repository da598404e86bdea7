/**
 * Where a Gherkin step is: its feature file and line, as a person would look
 * it up. A problem with what a step says is reported there, never at a line
 * of the YAML the steps assemble or of the step library's code.
 */

import type { ITestStepHookParameter } from '@cucumber/cucumber';
import type { DraftSource } from '../scenario/draft';

type GherkinDocument = ITestStepHookParameter['gherkinDocument'];
type GherkinStep = { id: string; keyword: string; text: string; location: { line: number } };

/** A step of a feature file: "features/x.feature:12" and "Given the scenario ...". */
export interface StepLocation extends DraftSource {
  file: string;
  line: number;
}

const stepsByDocument = new WeakMap<object, Map<string, GherkinStep>>();

/** Every step of a Gherkin document by its id (backgrounds, scenarios, outlines, rules). */
function stepsOf(doc: GherkinDocument): Map<string, GherkinStep> {
  let steps = stepsByDocument.get(doc);
  if (steps) return steps;
  steps = new Map();
  type Child = { background?: { steps: readonly GherkinStep[] }; scenario?: { steps: readonly GherkinStep[] }; rule?: { children: readonly Child[] } };
  const visit = (children: readonly Child[]) => {
    for (const c of children) {
      for (const s of c.background?.steps ?? c.scenario?.steps ?? []) steps!.set(s.id, s);
      if (c.rule) visit(c.rule.children);
    }
  };
  visit((doc.feature?.children ?? []) as readonly Child[]);
  stepsByDocument.set(doc, steps);
  return steps;
}

/** The location of the step a BeforeStep/AfterStep hook is about. */
export function stepLocation({ gherkinDocument, pickle, pickleStep }: Pick<ITestStepHookParameter, 'gherkinDocument' | 'pickle' | 'pickleStep'>): StepLocation {
  const step = stepsOf(gherkinDocument).get(pickleStep.astNodeIds[0]);
  const file = pickle.uri;
  const line = step?.location.line ?? 0;
  return { file, line, location: line ? `${file}:${line}` : file, text: `${step?.keyword ?? ''}${pickleStep.text}` };
}

/** A problem with what a step says, reported at the step: "features/x.feature:12: problem". */
export class StepError extends Error {
  constructor(readonly step: StepLocation, readonly problem: string) {
    super(`${step.location}: ${problem}\n  in the step: ${step.text}`);
    this.name = 'StepError';
    // Bad input, not a bug: the simulator's stack would only bury the message.
    this.stack = this.message;
  }
}
