/**
 * How a core executes guest code (docs/translator.md): `interpreter` decodes
 * and runs one instruction at a time; `jit` does the same until code is hot,
 * then runs it as compiled blocks (jit/block-compiler.ts). Both give the same
 * run, bit for bit: the choice only changes the speed.
 */

export type Engine = 'interpreter' | 'jit';

export const ENGINES: readonly Engine[] = ['interpreter', 'jit'];

let processDefault: Engine = 'jit';

/** The engine a new core gets unless told otherwise: the fastest, or what the entry point chose. */
export function defaultEngine(): Engine { return processDefault; }

/** Sets the engine new cores get (the command line sets it from BRINGUP_ENGINE). */
export function setDefaultEngine(engine: Engine): void { processDefault = engine; }

/** The engine that is not `engine`: a run checked against itself under the other one proves the engines agree. */
export function otherEngine(engine: Engine): Engine { return engine === 'jit' ? 'interpreter' : 'jit'; }

/** Runs fn with `engine` as the default engine of the cores it creates. */
export function withDefaultEngine<T>(engine: Engine, fn: () => T): T {
  const before = processDefault;
  processDefault = engine;
  try {
    return fn();
  } finally {
    processDefault = before;
  }
}

/** How often a block must start somewhere before the jit engine compiles it (Cpu.hotThreshold). */
export function defaultHotThreshold(): number { return 16384; }
