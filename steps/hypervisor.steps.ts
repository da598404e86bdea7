/** Steps about the reference hypervisor's own consoles: order of lines, GDB packets, the framebuffer console, power-off. */

import { When, Then } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertMet, consoleShows, endsWith, displayShows, displayPicture } from '../scenario/check';
import { projectRoot } from '../io/project';
import { runKeepingFailures } from '../scenario/record/recording';
import type { RgbaImage } from '../machine/devices/device';
import type { BringupWorld } from './world';
import './parameters';

// Runs like "When it runs"; the display is the machine's as the run left it (checked by scenario/check/framebuffer.ts).
When('it runs with the display captured', function (this: BringupWorld) {
  this.result = runKeepingFailures(this.scenario.build(), { text: this.scenario.yaml(), keep: true });
});

// Both appear on the console, the first on an earlier line.
Then('the console shows {string} before {string}', function (this: BringupWorld, first: string, second: string) {
  const a = consoleShows(this.run, first), b = consoleShows(this.run, second);
  assertMet(a);
  assertMet(b);
  assert.ok(a.line! < b.line!, `"${first}" (line ${a.line! + 1}) should come before "${second}" (line ${b.line! + 1})`);
});

// The GDB remote-protocol O packets on the console (checksums verified) carry the text.
Then('the GDB console output decodes to {string}', function (this: BringupWorld, text: string) {
  const decoded = gdbText(this.run.lines.map((l) => l.text).join('\n'));
  assert.ok(decoded.includes(text), `the O packets do not carry "${text}"; they decode to:\n${decoded.slice(0, 2000)}`);
});

// The display, as the run left it, equals a PNG of the repository pixel for pixel (the actual picture is attached when not).
Then('the framebuffer equals the golden picture {string}', function (this: BringupWorld, file: string) {
  const e = displayShows(this.run, path.resolve(projectRoot(), file));
  if (e.artifact) this.artifacts.push(e.artifact);
  assertMet(e);
});

// The framebuffer console drew text: pixel rows 8 to 15 have that many bright pixels.
Then('the framebuffer has at least {int} text pixels in its first text row', function (this: BringupWorld, n: number) {
  assert.ok(textPixels(picture(this), 8, 16) >= n, `only ${textPixels(picture(this), 8, 16)} text pixels`);
});

// The run ended idle with the hypervisor's power-off message as the last console line.
Then('the board powers off', function (this: BringupWorld) {
  assertMet(endsWith(this.run, 'idle'));
  assert.equal(this.run.lines.at(-1)?.text, 'bringup-hyp: power off', 'the last console line');
});

// The run ended with a reset through the PMC.
Then('the PMC resets the board', function (this: BringupWorld) {
  assertMet(endsWith(this.run, 'reset'));
});

// ---- helpers ----

function picture(world: BringupWorld): RgbaImage {
  const p = displayPicture(world.run);
  if (!p) throw new Error('no picture: no display is scanning out a frame buffer at the end of the run');
  return p;
}

/** Pixels brighter than the background in pixel rows [y0, y1). */
function textPixels(img: RgbaImage, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = 0; x < img.width; x++) if (img.data[(y * img.width + x) * 4] > 64) n++;
  return n;
}

/** The text carried by GDB remote-protocol O packets ($O<hex>#cs), with checksums verified. */
function gdbText(console: string): string {
  let out = '';
  for (const [, hex, sum] of console.matchAll(/\$O([0-9a-f]*)#([0-9a-f]{2})/g)) {
    const cs = [...`O${hex}`].reduce((s, c) => (s + c.charCodeAt(0)) & 0xff, 0);
    if (cs !== parseInt(sum, 16)) throw new Error(`bad checksum in packet $O${hex.slice(0, 16)}...#${sum}`);
    out += Buffer.from(hex, 'hex').toString('latin1');
  }
  return out;
}
