/** Steps about what boots: scenario files, boot volumes, command lines, limits, running. */

import { Given, When, Then } from '@cucumber/cucumber';
import { ScenarioDraft } from '../scenario/draft';
import { assertMet, scenarioPasses, endsWith } from '../scenario/check';
import { runKeepingFailures } from '../scenario/record/recording';
import type { BringupWorld } from './world';
import './parameters';

Given('the scenario {string}', function (this: BringupWorld, file: string) {
  this.draft = ScenarioDraft.fromFile(file, this.step);
});

Given('the reference hypervisor with the boot volume {string}', function (this: BringupWorld, volume: string) {
  this.draft = ScenarioDraft.referenceHypervisor(volume, this.step);
});

Given('the command line also has {string}', function (this: BringupWorld, text: string) {
  this.scenario.appendCmdline(text);
});

// Several cores (smp:) and how they take turns (schedule:).
Given('the machine runs {int} cores', function (this: BringupWorld, cores: number) {
  this.scenario.smp(cores);
});

Given('the machine runs one core', function (this: BringupWorld) {
  this.scenario.smp(1);
});

Given('the cores take turns of {int} ticks', function (this: BringupWorld, quantum: number) {
  this.scenario.schedule(quantum);
});

Given('the cores take turns of {int} ticks varied by seed {int}', function (this: BringupWorld, quantum: number, seed: number) {
  this.scenario.schedule(quantum, seed);
});

Given('the run is limited to {duration}', function (this: BringupWorld, time: string) {
  this.scenario.limit(time);
});

Given('{string} is typed at {duration}', function (this: BringupWorld, text: string, at: string) {
  this.scenario.addInput(at, unescape(text));
});

Given('{string} is typed on {word} at {duration}', function (this: BringupWorld, text: string, device: string, at: string) {
  this.scenario.addInput(at, unescape(text), device);
});

/** \\n, \\r and \\xNN in step text. */
function unescape(text: string): string {
  return text.replace(/\\(n|r|x[0-9a-fA-F]{2})/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : String.fromCharCode(parseInt(c.slice(1), 16))));
}

/**
 * Every run is recorded and the recording kept for now: whether the Gherkin
 * scenario fails is known only after the Then steps. The After hooks name it
 * in the report of a failure and delete it after a pass.
 */
When('it runs', function (this: BringupWorld) {
  this.result = runKeepingFailures(this.scenario.build(), { text: this.scenario.yaml(), keep: true });
});

Then('the scenario passes', function (this: BringupWorld) {
  assertMet(scenarioPasses(this.run));
});

Then('the machine halts', function (this: BringupWorld) {
  assertMet(endsWith(this.run, 'idle'));
});
