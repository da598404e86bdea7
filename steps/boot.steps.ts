/** Steps about what boots: scenario files, boot volumes, command lines, limits, running. */

import { Given, When, Then } from '@cucumber/cucumber';
import { ScenarioDraft } from '../scenario/draft';
import { assertMet, scenarioPasses, endsWith } from '../scenario/check';
import { runKeepingFailures } from '../scenario/record/recording';
import type { BringupWorld } from './world';
import './parameters';

// Starts from a scenario file (YAML; a bare name is looked up in features/scenarios/).
Given('the scenario {string}', function (this: BringupWorld, file: string) {
  this.draft = ScenarioDraft.fromFile(file, this.step);
});

// Starts from the reference hypervisor (firmware/build/hypervisor.elf) on tegra2-xoom with a boot volume manifest (a bare name is looked up in firmware/volumes/).
Given('the reference hypervisor with the boot volume {string}', function (this: BringupWorld, volume: string) {
  this.draft = ScenarioDraft.referenceHypervisor(volume, this.step);
});

// Appends to the kernel command line (boot.cmdline).
Given('the command line also has {string}', function (this: BringupWorld, text: string) {
  this.scenario.appendCmdline(text);
});

// Runs that many cores (smp:).
// Example: Given the machine runs 2 cores
Given('the machine runs {int} cores', function (this: BringupWorld, cores: number) {
  this.scenario.smp(cores);
});

// Runs core 0 only (smp: 1).
Given('the machine runs one core', function (this: BringupWorld) {
  this.scenario.smp(1);
});

// The cores take turns of that many ticks each (schedule: quantum).
// Example: Given the cores take turns of 500 ticks
Given('the cores take turns of {int} ticks', function (this: BringupWorld, quantum: number) {
  this.scenario.schedule(quantum);
});

// Turns of about that many ticks, their lengths varied by a seed: another interleaving, the same every time (schedule: quantum, seed).
// Example: Given the cores take turns of 500 ticks varied by seed 7
Given('the cores take turns of {int} ticks varied by seed {int}', function (this: BringupWorld, quantum: number, seed: number) {
  this.scenario.schedule(quantum, seed);
});

// The run stops at this virtual time (limits.time); a run that gets there ends with its limit reached.
Given('the run is limited to {duration}', function (this: BringupWorld, time: string) {
  this.scenario.limit(time);
});

// Types text on the console at a virtual time (\r for Enter, \xNN for any byte).
Given('{string} is typed at {duration}', function (this: BringupWorld, text: string, at: string) {
  this.scenario.addInput(at, unescape(text));
});

// Types text on another UART of the board at a virtual time.
// Example: Given "help\r" is typed on uarta at 5ms
Given('{string} is typed on {word} at {duration}', function (this: BringupWorld, text: string, device: string, at: string) {
  this.scenario.addInput(at, unescape(text), device);
});

/** \\n, \\r and \\xNN in step text. */
function unescape(text: string): string {
  return text.replace(/\\(n|r|x[0-9a-fA-F]{2})/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : String.fromCharCode(parseInt(c.slice(1), 16))));
}

// Builds the scenario the steps assembled and runs it, recorded (a failed scenario's report names the recording).
// Whether the Gherkin scenario fails is known only after the Then steps: the After hooks delete a passing run's recording.
When('it runs', function (this: BringupWorld) {
  this.result = runKeepingFailures(this.scenario.build(), { text: this.scenario.yaml(), keep: true });
});

// Every expectation of the scenario (its expect: section) was met.
Then('the scenario passes', function (this: BringupWorld) {
  assertMet(scenarioPasses(this.run));
});

// The run ended with the machine idle: WFI with nothing left to wake it.
Then('the machine halts', function (this: BringupWorld) {
  assertMet(endsWith(this.run, 'idle'));
});
