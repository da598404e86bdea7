/**
 * Scenario files (schemas/scenario.schema.json): loaded, validated and
 * resolved into everything a run needs — board, images, the packed boot
 * volume, console input and faults at absolute instruction counts, symbols
 * turned into addresses, expectations as regular expressions. Every problem
 * is reported as file:line:column with what is wrong, before anything runs.
 *
 * The file stage in order: load and validate against the schema
 * (yaml-file.ts), then resolve one section at a time: board, limits, profile
 * and console (context.ts), boot images (images.ts), console input
 * (input.ts), faults (faults.ts), expectations (expectations.ts).
 */

import * as path from 'node:path';
import { loadYamlFile, parseYamlText, type LoadedYaml } from './yaml-file';
import { resolveContext } from './context';
import { resolveBootImages } from './images';
import { resolveInputs } from './input';
import { resolveFaults } from './faults';
import { resolveExpectations } from './expectations';
import type { RawScenario, Scenario } from './types';

export type {
  RawScenario, Scenario, EndKind, FaultTrigger, FaultSpec, ConsoleExpectations, Pattern, DumpExpectation, CoreExpectation,
} from './types';
export { compilePattern } from './patterns';
export { statusCode, ordinal } from './faults';

export const SCENARIO_SCHEMA = 'scenario.schema.json';

/** Loads, validates and resolves a scenario file. Throws InputFileError. */
export function loadScenario(file: string): Scenario {
  const y = loadYamlFile<RawScenario>(file, SCENARIO_SCHEMA);
  return resolveScenario(y, path.dirname(path.resolve(file)));
}

/** The same from text (e.g. a scenario assembled by Cucumber steps); paths resolve against baseDir. */
export function scenarioFromText(text: string, label: string, baseDir: string): Scenario {
  return resolveScenario(parseYamlText<RawScenario>(text, label, SCENARIO_SCHEMA), baseDir);
}

/** Resolves the sections in the order they depend on each other (and report their errors). */
function resolveScenario(y: LoadedYaml<RawScenario>, dir: string): Scenario {
  const ctx = resolveContext(y, dir);
  const { raw, board } = ctx;
  const { kernel, dtb, initrd, volume } = resolveBootImages(ctx);
  const { inputs, inputsAfterOutput } = resolveInputs(ctx);
  const faults = resolveFaults(ctx, { inputs, inputsAfterOutput });
  const expect = resolveExpectations(ctx);
  return {
    file: y.file,
    name: raw.name ?? path.basename(y.file).replace(/\.ya?ml$/, ''),
    board, boardName: ctx.boardRef, clockHz: ctx.clockHz, profile: ctx.profile, console: ctx.consoleDevice,
    kernel, cmdline: raw.boot.cmdline, dtb, initrd, volume, symbols: ctx.symbols, inputs, inputsAfterOutput,
    semihosting: raw.boot.semihosting ?? false, faults, expect, limit: ctx.limit,
    cores: ctx.cores, schedule: ctx.schedule,
  };
}
