/** A small argument parser: --flag, --flag value, --flag=value and positionals. */

import { nearest } from '../io/nearest';

export class UsageError extends Error {}

export interface OptionSpec {
  /** Takes a value (otherwise a boolean flag). */
  value?: boolean;
  /** May be given several times (values collected in order). */
  repeat?: boolean;
  /** The value's name in messages (default VALUE), e.g. FILE. */
  meta?: string;
}

/** An option value taken from the argument after the option (not --name=value). */
export interface TakenValue {
  option: string;
  value: string;
  meta: string;
  /** Index in argv of the value. */
  index: number;
}

export interface Parsed {
  options: Map<string, string[]>;
  flags: Set<string>;
  positionals: string[];
  /** Option values that were separate arguments, in order (to explain a missing positional). */
  taken: TakenValue[];
  /** Index in argv of each positional. */
  positionalIndex: number[];
}

/** The closest known option to a mistyped one (at most two edits away), for "did you mean". */
export function closestOption(name: string, known: string[]): string | undefined {
  return nearest(name, known, { maxDistance: 2 })[0];
}

/** "unknown option --x", with the closest known option when there is one. */
export function unknownOption(name: string, known: string[], command?: string): UsageError {
  const near = closestOption(name, known);
  return new UsageError(`${command ? `${command}: ` : ''}unknown option --${name}${near ? ` (did you mean --${near}?)` : ''}`);
}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): Parsed {
  const options = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  const positionalIndex: number[] = [];
  const taken: TakenValue[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      for (let j = i + 1; j < argv.length; j++) { positionals.push(argv[j]); positionalIndex.push(j); }
      break;
    }
    if (!a.startsWith('--') || a === '-') { positionals.push(a); positionalIndex.push(i); continue; }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw unknownOption(name, Object.keys(spec));
    if (!s.value) {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      flags.add(name);
      continue;
    }
    let v: string;
    if (eq >= 0) v = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
      v = argv[++i];
      taken.push({ option: name, value: v, meta: s.meta ?? 'VALUE', index: i });
    }
    const list = options.get(name) ?? [];
    if (list.length && !s.repeat) throw new UsageError(`option --${name} given twice`);
    list.push(v);
    options.set(name, list);
  }
  return { options, flags, positionals, taken, positionalIndex };
}

export interface PositionalSpec {
  /** The names of the positionals in order, e.g. ['SCENARIO.yaml'] (for messages). */
  names: string[];
  /** The last one may be repeated (at least once). */
  variadic?: boolean;
  /** Whether a value an option took looks like the missing positional (default: same extension, or an existing file). */
  looksLike?: (value: string, missing: string) => boolean;
  /** Said instead of "give the NAME" when a positional is missing. */
  missing?: string;
}

function defaultLooksLike(value: string, missing: string): boolean {
  const ext = /\.([a-z0-9]+)$/i.exec(missing)?.[1];
  if (ext === 'yaml') return /\.ya?ml$/i.test(value);
  if (ext) return value.toLowerCase().endsWith(`.${ext.toLowerCase()}`);
  return false;
}

/**
 * Checks the number of positional arguments and says what is wrong: the
 * first extra argument ("unexpected argument 'parsecs'", with the option it
 * probably belonged to), or the missing one, noticing when an option took
 * it as its value ("--record took 'ok.yaml' as its FILE; give the SCENARIO.yaml too").
 */
export function expectPositionals(args: Parsed, command: string, p: PositionalSpec): void {
  const see = `see bringup ${command} --help`;
  const n = args.positionals.length;
  if (!p.variadic && n > p.names.length) {
    const extra = args.positionals[p.names.length];
    const at = args.positionalIndex[p.names.length];
    const before = args.taken.find((t) => t.index === at - 1);
    const hint = before ? `; --${before.option} takes one ${before.meta}, '${before.value}' (quote a value that has spaces)` : '';
    throw new UsageError(`${command}: unexpected argument '${extra}'${hint} (${see})`);
  }
  if (n < p.names.length) {
    const missing = p.names[n];
    const looks = p.looksLike ?? defaultLooksLike;
    const swallowed = args.taken.find((t) => looks(t.value, missing));
    if (swallowed) {
      throw new UsageError(`${command}: --${swallowed.option} took '${swallowed.value}' as its ${swallowed.meta}; give the ${missing} too (${see})`);
    }
    throw new UsageError(`${command}: ${p.missing ?? `give the ${missing}`} (${see})`);
  }
}

/** Parses a non-negative integer (decimal, 0x hex, with optional _ separators or k/M/G suffix). */
export function parseCount(text: string, what: string): number {
  const m = /^(0x[0-9a-f_]+|[0-9_]+)([kmg]?)$/i.exec(text.trim());
  if (!m) throw new UsageError(`${what}: '${text}' is not a number`);
  const base = Number(m[1].replace(/_/g, ''));
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase()]!;
  const v = base * mult;
  if (!Number.isSafeInteger(v)) throw new UsageError(`${what}: '${text}' is too large`);
  return v;
}
