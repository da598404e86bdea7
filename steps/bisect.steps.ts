/**
 * Bisection over builds of the reference hypervisor: the builds are images
 * in firmware/build/, in the order they were made; the scenario decides good
 * (pass) and bad (fail). The report is what `bringup bisect --images` prints,
 * the trace diff of the last good and the first bad run included.
 */

import { When, Then } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import { removeRecording } from '../replay/recording-files';
import * as path from 'node:path';
import { bisectImages, formatBisectOutcome } from '../scenario/hunt/bisect';
import { repoRoot, scenariosDir } from '../scenario/draft';
import { projectRoot } from '../io/project';
import { compilePattern } from '../scenario/file/patterns';
import type { BringupWorld } from './world';

// Bisects builds (comma-separated, oldest first: a bare name is a build of the reference hypervisor in firmware/build/, a path is relative to the project) with a scenario deciding good and bad.
When('the hypervisor builds {string} are bisected with the scenario {string}', async function (this: BringupWorld, builds: string, scenario: string) {
  const images = builds.split(',').map((b) => b.trim()).map((b) => (b.includes('/') ? path.resolve(projectRoot(), b) : path.join(repoRoot(), 'firmware', 'build', b)));
  const outcome = await bisectImages({ scenario: path.join(scenariosDir(), scenario), images, role: 'kernel' });
  // The report reads the recordings of the last good and first bad runs (the trace diff); they go once it is made.
  this.bisection = { outcome, report: formatBisectOutcome(outcome, 'image').join('\n') };
  if (outcome.kind === 'found') for (const c of [outcome.firstBad, outcome.lastGood]) if (c.result.recording) removeRecording(c.result.recording);
  this.attach(this.bisection.report, 'text/plain');
});

// The bisection found this build (counted from 1, and its file name) as the first bad one.
Then('the first bad build is number {int}, {string}', function (this: BringupWorld, n: number, name: string) {
  const { outcome: o, report } = this.bisected;
  assert.equal(o.kind, 'found', report);
  if (o.kind !== 'found') return;
  assert.equal(path.basename(o.firstBad.id), name);
  assert.match(o.firstBad.label, new RegExp(`^#${n} `));
});

// The bisection's report (as bringup bisect --images prints it) has a matching line.
Then('the bisection report shows {string}', function (this: BringupWorld, text: string) {
  const { report } = this.bisected;
  const pattern = compilePattern(text);
  if (typeof pattern === 'string') throw new Error(pattern);
  assert.match(report, pattern.regex, `the report does not show ${text}`);
});
