/**
 * BRINGUP_ENGINE=interpreter|jit chooses how the simulated cores execute
 * (docs/translator.md); unset means the fastest. Read once by each entry
 * point, which passes it on to machine/ as the default engine.
 */

import { ENGINES, setDefaultEngine, type Engine } from '../machine/cpu/engine';

/** The engine BRINGUP_ENGINE names (undefined when unset); a bad value is an error naming the choices. */
export function engineFromEnvironment(env: NodeJS.ProcessEnv = process.env): Engine | undefined {
  const v = env.BRINGUP_ENGINE;
  if (v === undefined || v === '') return undefined;
  if ((ENGINES as readonly string[]).includes(v)) return v as Engine;
  throw new Error(`BRINGUP_ENGINE=${v}: choose one of ${ENGINES.join(', ')}`);
}

/** Makes BRINGUP_ENGINE the default engine of every core this process creates. */
export function applyEngineFromEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const engine = engineFromEnvironment(env);
  if (engine !== undefined) setDefaultEngine(engine);
}
