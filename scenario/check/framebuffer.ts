/**
 * The picture on a display at the end of a run against a golden PNG, pixel by
 * pixel; on a mismatch the actual picture is the artifact. The scenario's
 * expect.framebuffer and the step "the display shows the picture" both check
 * it here.
 */

import { readInputFile, InputFileUnusable } from '../../io/input-file';
import { hasCapability, type RgbaImage } from '../../machine/devices/device';
import { DEVICE_TYPES } from '../../machine/devices/registry';
import type { Machine } from '../../machine/machine';
import type { Scenario } from '../file/scenario-file';
import { InputFileError } from '../file/yaml-file';
import type { ScenarioResult } from '../run/runner';
import { comparePng, decodePng, encodePng } from './png';
import { finalMachine } from './machine-state';
import type { ExpectationResult } from './expectation';

/** The golden picture of a check; a file that cannot be read or decoded is bad input, named with what is wrong. */
function goldenPicture(file: string): RgbaImage {
  try { return decodePng(readInputFile(file, { what: 'golden picture' })); } catch (e) {
    throw new InputFileError(file, 0, 0, `golden picture: ${e instanceof InputFileUnusable ? e.reason : (e as Error).message}`);
  }
}

/** The display `device` shows exactly the picture in `golden`. */
export function checkPicture(machine: Machine, scenarioName: string, device: string, golden: string): ExpectationResult {
  const what = `${device} shows the picture ${golden}`;
  const picture = machine.device(device).render?.();
  if (!picture) return { what, ok: false, problem: `${device} is not scanning out a frame buffer at the end of the run` };
  const expected = goldenPicture(golden);
  const c = comparePng(picture, expected);
  if (c.equal) return { what, ok: true, icount: machine.cpu.icount };
  const d = c.firstDifference!;
  const px = (p: number[] | null) => (p ? `rgba(${p.join(', ')})` : 'nothing');
  const size = picture.width !== expected.width || picture.height !== expected.height
    ? `; the picture is ${picture.width}x${picture.height}, the golden one ${expected.width}x${expected.height}` : '';
  return {
    what, ok: false, icount: machine.cpu.icount,
    problem: `${c.differentPixels} pixel(s) differ${size}; the first at (${d.x}, ${d.y}): ${px(d.actual)} where the golden picture has ${px(d.expected)}`,
    artifact: { name: `${scenarioName.replace(/[^A-Za-z0-9_.-]+/g, '-')}.${device}.actual.png`, mediaType: 'image/png', data: encodePng(picture) },
  };
}

/** The scenario's expect.framebuffer (its display was checked when the scenario was loaded). */
export function checkFramebuffer(s: Scenario, machine: Machine): ExpectationResult {
  const fb = s.expect.framebuffer!;
  return checkPicture(machine, s.name, fb.device, fb.golden);
}

/** The display of a finished run: the one named, else the first display of the board that scans out. */
function displayOf(r: ScenarioResult, device?: string): string | undefined {
  const m = finalMachine(r);
  if (device !== undefined) {
    const spec = r.scenario.board.devices.find((d) => d.name === device);
    if (!spec) throw new Error(`board ${r.scenario.board.name} has no device '${device}'`);
    if (!hasCapability(DEVICE_TYPES.get(spec.type), 'display')) throw new Error(`device '${device}' of board ${r.scenario.board.name} is not a display`);
    return device;
  }
  return r.scenario.board.devices.find((d) => hasCapability(DEVICE_TYPES.get(d.type), 'display') && m.device(d.name).render?.() !== undefined)?.name;
}

/** The step "the display shows the picture": the display scans out exactly the picture in a PNG file. */
export function displayShows(r: ScenarioResult, golden: string, device?: string): ExpectationResult {
  const name = displayOf(r, device);
  if (!name) return { what: `the display shows the picture ${golden}`, ok: false, problem: 'no display is scanning out a frame buffer at the end of the run' };
  return checkPicture(finalMachine(r), r.scenario.name, name, golden);
}

/** What the display shows at the end of the run (the first display that scans out, or the one named). */
export function displayPicture(r: ScenarioResult, device?: string): RgbaImage | undefined {
  const name = displayOf(r, device);
  return name === undefined ? undefined : finalMachine(r).device(name).render?.();
}
