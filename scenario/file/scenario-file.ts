/**
 * Scenario files (schemas/scenario.schema.json): loaded, validated and
 * resolved into everything a run needs — board, images, the packed boot
 * volume, console input and faults at absolute instruction counts, symbols
 * turned into addresses, expectations as regular expressions. Every problem
 * of the file is reported, in line order, as file:line:column with what is
 * wrong, before anything runs (InputFileErrors: problems.ts).
 *
 * The file stage in order: load and validate against the schema
 * (yaml-file.ts), then resolve one section at a time: board, limits, profile
 * and console (context.ts), boot images (images.ts), console input
 * (input.ts), faults (faults.ts), expectations (expectations.ts). The schema's
 * problems are collected, not thrown, so each part the schema accepted is
 * still resolved and its own problems join the list; a part the schema
 * refused is skipped (LoadedYaml.invalidAt).
 */

import * as path from 'node:path';
import { loadYamlFile, parseYamlText, type LoadedYaml } from './yaml-file';
import { resolveContext } from './context';
import { resolveBootImages } from './images';
import { resolveInputs } from './input';
import { resolveFaults } from './faults';
import { resolveExpectations } from './expectations';
import { ProblemList } from './problems';
import type { RawScenario, Scenario } from './types';

export type {
  RawScenario, Scenario, EndKind, FaultTrigger, FaultSpec, ConsoleExpectations, Pattern, DumpExpectation, CoreExpectation,
} from './types';
export { compilePattern } from './patterns';
export { statusCode, ordinal } from './faults';

export const SCENARIO_SCHEMA = 'scenario.schema.json';

/** Loads, validates and resolves a scenario file. Throws InputFileErrors listing every problem of the file. */
export function loadScenario(file: string): Scenario {
  const problems = new ProblemList();
  const y = loadYamlFile<RawScenario>(file, SCENARIO_SCHEMA, problems);
  return resolveScenario(y, path.dirname(path.resolve(file)), problems);
}

/** The same from text (e.g. a scenario assembled by Cucumber steps); paths resolve against baseDir. */
export function scenarioFromText(text: string, label: string, baseDir: string): Scenario {
  const problems = new ProblemList();
  return resolveScenario(parseYamlText<RawScenario>(text, label, SCENARIO_SCHEMA, problems), baseDir, problems);
}

/** What the context (board, limits, profile, console, cores) is built from: without them nothing else can be checked. */
const CONTEXT_KEYS = ['board', 'limits', 'profile', 'console', 'smp', 'schedule'];

/**
 * Resolves the sections in the order they depend on each other. Each part
 * (an image, an input, a fault, an expectation) is checked even when one
 * before it has a problem, so that every problem of the file is reported at
 * once, in line order.
 */
function resolveScenario(y: LoadedYaml<RawScenario>, dir: string, problems: ProblemList): Scenario {
  const ctx = CONTEXT_KEYS.some((k) => y.invalidAt([k])) ? undefined : problems.attempt(() => resolveContext(y, dir, problems));
  if (!ctx) {
    problems.throwIfAny();
    throw new Error('the scenario context was not built, yet no problem was recorded');
  }
  const { raw, board } = ctx;
  const images = ctx.attempt(['boot'], () => resolveBootImages(ctx));
  if (!images) ctx.imagesUnread = true;
  const { inputs, inputsAfterOutput } = resolveInputs(ctx);
  const faults = resolveFaults(ctx, { inputs, inputsAfterOutput });
  const expect = resolveExpectations(ctx);
  problems.throwIfAny();
  const { kernel, dtb, initrd, volume } = images!;
  return {
    file: y.file,
    name: raw.name ?? path.basename(y.file).replace(/\.ya?ml$/, ''),
    board, boardName: ctx.boardRef, clockHz: ctx.clockHz, profile: ctx.profile, console: ctx.consoleDevice,
    kernel, cmdline: raw.boot.cmdline, dtb, initrd, volume, symbols: ctx.symbols, inputs, inputsAfterOutput,
    semihosting: raw.boot.semihosting ?? false, faults, expect, limit: ctx.limit,
    cores: ctx.cores, schedule: ctx.schedule,
  };
}
