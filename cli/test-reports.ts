/**
 * bringup test's reports, made from cucumber-js's message stream once the
 * run is over: junit.xml (cli/test-junit.ts) and failures.html
 * (cli/test-failures-page.ts), from what each failed scenario left
 * (cli/test-run-messages.ts). Called by cli/test.ts and by the feature run
 * of npm test (scripts/run-features.js).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRun } from './test-run-messages';
import { junitXml } from './test-junit';
import { failuresHtml } from './test-failures-page';

export { readRun, type CaseReport, type RunReport } from './test-run-messages';
export { junitXml, shownPath, failureLines } from './test-junit';
export { failuresHtml } from './test-failures-page';

/**
 * Writes junit.xml and failures.html into `dir` from the message stream
 * `messagesFile`; returns the lines bringup test ends with (where the
 * failure page is, and the replay command of every failed scenario). A
 * stream cut short leaves cucumber-js's own junit.xml as it is.
 */
export function writeTestReports(messagesFile: string, dir: string, base = process.cwd()): string[] {
  if (!fs.existsSync(messagesFile)) return [];
  const run = readRun(fs.readFileSync(messagesFile, 'utf8'));
  if (!run.finished) return [];
  const page = path.join(dir, 'failures.html');
  try {
    fs.writeFileSync(path.join(dir, 'junit.xml'), junitXml(run, base));
    fs.writeFileSync(page, failuresHtml(run, dir, base));
  } catch (e) {
    // The run's verdict stands; only the reports are missing what failures left.
    process.stderr.write(`bringup: the reports in ${dir} could not be completed: ${(e as Error).message}\n`);
    return [];
  }
  const failed = run.cases.filter((c) => c.failure && c.status !== 'SKIPPED');
  if (!failed.length) return [];
  return [
    `failed scenarios: ${page} (console logs with the failure marked, display pictures, replay commands)`,
    ...failed.map((c) => `  ${c.name}${c.replay ? `: ${c.replay.command}` : ''}`),
  ];
}
