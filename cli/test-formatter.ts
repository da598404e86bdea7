/**
 * The formatter `bringup test` prints with (unless told to use another):
 * cucumber-js's progress formatter, except that a step no definition matches
 * is reported as
 *
 *   features/x.feature:12: no step matches: Given the scenrio "a.yaml"
 *
 * with the three closest steps of the library, instead of a generated
 * snippet for a new step definition (noise for someone writing features
 * against bringup's step library).
 */

import { ProgressFormatter, formatterHelpers, type IFormatterOptions } from '@cucumber/cucumber';
import { closestSteps, noStepMatches, type LibraryStep } from './step-match';

type PickleStep = { id: string; text: string; astNodeIds: readonly string[] };

/** The words cucumber-js puts before a snippet (and the snippet's indent); the text after them is ours (see the snippet builder below). */
const SNIPPET_INTRO = /Undefined\. Implement with the following snippet:\n\n\s*/g;

export default class BringupProgressFormatter extends ProgressFormatter {
  static override readonly documentation = 'progress, with the closest library steps for a step no definition matches (no snippets)';

  constructor(options: IFormatterOptions) {
    super(options);
    const library: LibraryStep[] = this.supportCodeLibrary.stepDefinitions.map((d) => ({
      expression: typeof d.pattern === 'string' ? d.pattern : d.pattern.source,
      isRegExp: typeof d.pattern !== 'string',
    }));
    const registry = this.supportCodeLibrary.parameterTypeRegistry;
    const regexps = (name: string) => registry.lookupByTypeName(name)?.regexpStrings;
    // cucumber-js asks the snippet builder what to say about an undefined step: we say where it is and what is close.
    const describe = ({ pickleStep }: { pickleStep: PickleStep }): string => {
      const { where, keyword } = this.locate(pickleStep);
      return noStepMatches(where, keyword, pickleStep.text, closestSteps(pickleStep.text, library, regexps, 3));
    };
    this.snippetBuilder = { build: describe } as unknown as typeof this.snippetBuilder;
  }

  /** The feature file, line and keyword of a step of one of the run's scenarios. */
  private locate(pickleStep: PickleStep): { where: string; keyword: string } {
    for (const { pickle, gherkinDocument } of this.eventDataCollector.getTestCaseAttempts()) {
      if (!pickle.steps.some((s) => s.id === pickleStep.id)) continue;
      const step = formatterHelpers.GherkinDocumentParser.getGherkinStepMap(gherkinDocument)[pickleStep.astNodeIds[0]];
      return { where: step ? `${pickle.uri}:${step.location.line}` : pickle.uri, keyword: step?.keyword ?? '' };
    }
    return { where: '(unknown feature)', keyword: '' };
  }

  override logIssues({ issues, title }: Parameters<ProgressFormatter['logIssues']>[0]): void {
    this.log(`${title}:\n\n`);
    issues.forEach((testCaseAttempt, index) => {
      const text = formatterHelpers.formatIssue({
        colorFns: this.colorFns,
        number: index + 1,
        snippetBuilder: this.snippetBuilder,
        supportCodeLibrary: this.supportCodeLibrary,
        testCaseAttempt,
        printAttachments: this.printAttachments,
      });
      this.log(text.replace(SNIPPET_INTRO, ''));
    });
  }
}
