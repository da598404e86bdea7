/** Steps about the reference hypervisor's own consoles: order of lines, GDB packets, the framebuffer console, power-off. */

import { When, Then } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertMet, consoleShows, endsWith } from '../scenario/checks';
import { repoRoot } from '../scenario/draft';
import type { RunObserver } from '../scenario/runner';
import { runKeepingFailures } from '../scenario/recording';
import { comparePng, decodePng } from '../scenario/png';
import type { RgbaImage } from '../machine/devices/device';
import type { BringupWorld } from './world';
import './parameters';

When('it runs with the display captured', function (this: BringupWorld) {
  const shot = screenshotObserver();
  // Recorded like "When it runs", with the screenshot observer beside the recorder.
  this.result = runKeepingFailures(this.scenario.build(), { text: this.scenario.yaml(), keep: true, observer: shot.observer });
  pictures.set(this, shot.picture());
});

Then('the console shows {string} before {string}', function (this: BringupWorld, first: string, second: string) {
  const a = consoleShows(this.run, first), b = consoleShows(this.run, second);
  assertMet(a);
  assertMet(b);
  assert.ok(a.line! < b.line!, `"${first}" (line ${a.line! + 1}) should come before "${second}" (line ${b.line! + 1})`);
});

Then('the GDB console output decodes to {string}', function (this: BringupWorld, text: string) {
  const decoded = gdbText(this.run.lines.map((l) => l.text).join('\n'));
  assert.ok(decoded.includes(text), `the O packets do not carry "${text}"; they decode to:\n${decoded.slice(0, 2000)}`);
});

Then('the framebuffer equals the golden picture {string}', function (this: BringupWorld, file: string) {
  const cmp = comparePng(picture(this), decodePng(fs.readFileSync(path.join(repoRoot(), file))));
  assert.ok(cmp.equal, `${cmp.differentPixels} pixels differ from ${file}, the first at ${JSON.stringify(cmp.firstDifference)}`);
});

Then('the framebuffer has at least {int} text pixels in its first text row', function (this: BringupWorld, n: number) {
  assert.ok(textPixels(picture(this), 8, 16) >= n, `only ${textPixels(picture(this), 8, 16)} text pixels`);
});

Then('the board powers off', function (this: BringupWorld) {
  assertMet(endsWith(this.run, 'idle'));
  assert.equal(this.run.lines.at(-1)?.text, 'bringup-hyp: power off', 'the last console line');
});

Then('the PMC resets the board', function (this: BringupWorld) {
  assertMet(endsWith(this.run, 'reset'));
});

// ---- helpers (small; the scenario/ layer has no display capture yet) ----

const pictures = new WeakMap<BringupWorld, RgbaImage | undefined>();

function picture(world: BringupWorld): RgbaImage {
  const p = pictures.get(world);
  if (!p) throw new Error('no picture: use "When it runs with the display captured" (and a display that scans out)');
  return p;
}

/** An observer that renders the first device with a display at the end of the run. */
function screenshotObserver(): { observer: RunObserver; picture: () => RgbaImage | undefined } {
  let shot: RgbaImage | undefined;
  const observer: RunObserver = {
    interval: Number.MAX_SAFE_INTEGER,
    start() {},
    console() {},
    step() {},
    end(_result, machine) {
      for (const d of machine.devices.values()) {
        const img = d.render?.();
        if (img) { shot = img; break; }
      }
    },
  };
  return { observer, picture: () => shot };
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
