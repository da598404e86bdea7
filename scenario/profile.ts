/**
 * Firmware profiles (scenario/profiles/NAME.yaml): facts about a particular
 * hypervisor or kernel that scenarios rely on — its console device, the
 * function whose skipped call is a lost upcall, how its fault dumps and
 * panics read on the console, and where it keeps its domains (for the
 * debugger's `monitor domains`). The format is schemas/profile.schema.json,
 * explained for users in docs/profiles.md.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputFileError, ProblemList, parseYamlText, readYamlText } from './file/yaml-file';
import { didYouMean } from './file/did-you-mean';

export interface FirmwareProfile {
  name: string;
  file: string;
  console?: string;
  lostUpcall?: string;
  dumps: {
    hypervisorFault?: RegExp;
    domainFault?: RegExp;
    status?: RegExp;
    pc?: RegExp;
    panic?: RegExp;
    lines: number;
  };
  /** Where the hypervisor keeps its domains: a plain object debug/inspect.ts's domainsText takes as it is. */
  domainTable?: DomainTableProfile;
}

/** A field of a domain table entry (`domain-table.fields.NAME`). */
export interface DomainFieldProfile { offset: number; type: 'u32' | 'string' | 'enum'; size?: number; values?: string[] }

/** `domain-table`: an array of `entrySize`-byte entries at `symbol`, `count` in use (a u32 variable's symbol, or a number). */
export interface DomainTableProfile {
  symbol: string;
  count: string | number;
  entrySize: number;
  fields: { name: DomainFieldProfile; image?: DomainFieldProfile; state?: DomainFieldProfile; asid?: DomainFieldProfile; cpu?: DomainFieldProfile; id?: DomainFieldProfile };
  /** An array of pointers, one per CPU, to the entry that CPU runs. */
  current?: string;
}

export const DEFAULT_PROFILE = 'reference-hypervisor';

export function profilesDir(): string {
  for (const c of [path.resolve(__dirname, 'profiles'), path.resolve(__dirname, '..', '..', 'scenario', 'profiles')]) {
    if (fs.existsSync(path.join(c, `${DEFAULT_PROFILE}.yaml`))) return c;
  }
  throw new Error('scenario/profiles/ not found');
}

/** Names of the profiles shipped in scenario/profiles/. */
export function profileNames(): string[] {
  return fs.readdirSync(profilesDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
}

const cache = new Map<string, FirmwareProfile>();

export const PROFILE_SCHEMA = 'profile.schema.json';

/** The profile file a name or path stands for (relative paths are resolved against baseDir). */
export function profileFile(nameOrPath: string, baseDir = process.cwd()): string {
  const isPath = /[/\\]|\.ya?ml$/.test(nameOrPath);
  const file = isPath ? path.resolve(baseDir, nameOrPath) : path.join(profilesDir(), `${nameOrPath}.yaml`);
  if (!fs.existsSync(file)) {
    if (isPath) throw new InputFileError(nameOrPath, 0, 0, 'no such profile file');
    throw new InputFileError(nameOrPath, 0, 0, `unknown firmware profile${didYouMean(nameOrPath, profileNames())} (known: ${profileNames().join(', ')}; or give the path of a profile file)`);
  }
  return file;
}

/** A profile by name or by path (relative paths are resolved against baseDir), loaded once per process. */
export function loadProfile(nameOrPath: string, baseDir = process.cwd()): FirmwareProfile {
  const file = profileFile(nameOrPath, baseDir);
  const hit = cache.get(file);
  if (hit) return hit;
  let text: string;
  try { text = readYamlText(file); } catch (e) {
    // A folder, a device, a pseudo-file: reported where the scenario names the profile.
    if (e instanceof InputFileError && e.line === 0) throw new InputFileError(nameOrPath, 0, 0, e.problem);
    throw e;
  }
  const profile = profileFromText(text, file);
  cache.set(file, profile);
  return profile;
}

/**
 * A profile from its text (`file` names it in messages): validated against
 * schemas/profile.schema.json, then what the schema cannot say (regular
 * expressions that compile and capture what they are for, fields that fit
 * their entry). Throws InputFileErrors listing every problem.
 */
export function profileFromText(text: string, file: string): FirmwareProfile {
  const problems = new ProblemList();
  const y = parseYamlText<RawProfile>(text, file, PROFILE_SCHEMA, problems);
  const raw = (y.data !== null && typeof y.data === 'object' && !Array.isArray(y.data) ? y.data : {}) as RawProfile;
  const check = <T>(at: string[], fn: () => T): T | undefined => (y.invalidAt(at) ? undefined : problems.attempt(fn));
  const dumpsRaw = raw.dumps !== null && typeof raw.dumps === 'object' ? raw.dumps : {};
  const re = (k: keyof typeof DUMP_GROUPS): RegExp | undefined => {
    const v = dumpsRaw[k];
    if (v === undefined) return undefined;
    return check(['dumps', k], () => dumpRegex(v, k, (problem) => y.error(['dumps', k], problem)));
  };
  const profile: FirmwareProfile = {
    name: raw.name ?? path.basename(file).replace(/\.ya?ml$/, ''),
    file,
    console: raw.console,
    lostUpcall: raw['lost-upcall'],
    dumps: {
      hypervisorFault: re('hypervisor-fault'), domainFault: re('domain-fault'), status: re('status'),
      pc: re('pc'), panic: re('panic'), lines: dumpsRaw.lines ?? 12,
    },
  };
  // The fields are checked against entry-size even when another key of the table has a problem.
  const t = raw['domain-table'];
  if (t !== null && typeof t === 'object' && !y.invalidAt(['domain-table', 'entry-size']) && t.fields && typeof t.fields === 'object' && !Array.isArray(t.fields)) {
    const table = domainTable(t, (parts, problem) => y.error(parts, problem), problems, y.invalidAt);
    if (table) profile.domainTable = table;
  }
  problems.throwIfAny();
  return profile;
}

/** The file as written (follows schemas/profile.schema.json). */
interface RawProfile {
  $schema?: string;
  name?: string;
  console?: string;
  'lost-upcall'?: string;
  dumps?: { 'hypervisor-fault'?: string; 'domain-fault'?: string; status?: string; pc?: string; panic?: string; lines?: number };
  'domain-table'?: RawDomainTable;
}
interface RawDomainField { offset: number; type?: 'u32' | 'string' | 'enum'; size?: number; values?: string[] }
interface RawDomainTable { symbol: string; count: string | number; 'entry-size': number; current?: string; fields: Record<string, RawDomainField> }

/** The named groups each dump regex must capture (one of them), for what the checks read from it. */
const DUMP_GROUPS = {
  'hypervisor-fault': [], 'domain-fault': ['domain'], status: ['status'], pc: ['symbol', 'address'], panic: [],
} as const satisfies Record<string, readonly string[]>;

/** A dump regex compiled now (not at the first console line), refused if it captures none of the groups it is for. */
function dumpRegex(source: string, key: keyof typeof DUMP_GROUPS, at: (problem: string) => InputFileError): RegExp {
  let re: RegExp;
  try { re = new RegExp(source); re.test(''); } catch (e) {
    throw at(`dumps.${key}: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/: /s, 'bad regular expression: ')}`);
  }
  const groups: readonly string[] = DUMP_GROUPS[key];
  if (groups.length && !groups.some((g) => source.includes(`(?<${g}>`))) {
    throw at(`dumps.${key} must capture ${groups.map((g) => `(?<${g}>...)`).join(' or ')}: that is what ${key === 'pc' ? 'an expected symbol is compared with' : key === 'status' ? 'an expected status is compared with' : 'names the domain of the dump'}`);
  }
  return re;
}

/**
 * `domain-table` beyond the schema: every field inside an entry, size only
 * for strings, values only (and always) for enums. Each field is checked on
 * its own; its problems go to the list.
 */
function domainTable(t: RawDomainTable, at: (parts: Array<string | number>, problem: string) => InputFileError, problems: ProblemList,
  invalidAt: (parts: Array<string | number>) => boolean): DomainTableProfile | undefined {
  const where = ['domain-table'];
  const entrySize = t['entry-size'];
  const fields: Record<string, DomainFieldProfile> = {};
  for (const [name, f] of Object.entries(t.fields)) {
    const parts = [...where, 'fields', name];
    if (invalidAt(parts)) continue;
    const field = problems.attempt((): DomainFieldProfile => {
      const what = `domain-table.fields.${name}`;
      if (f.offset > entrySize - 1) throw at([...parts, 'offset'], `${what}.offset must be a whole number from 0 to ${entrySize - 1} (entry-size is ${entrySize} bytes)`);
      const type = f.type ?? 'u32';
      const out: DomainFieldProfile = { offset: f.offset, type };
      if (type === 'string') {
        out.size = f.size ?? 16;
        if (f.offset + out.size > entrySize) throw at([...parts, f.size === undefined ? 'offset' : 'size'], `${what}: a string of ${out.size} bytes at offset ${f.offset} does not fit an entry of ${entrySize} bytes (size from 1 to ${entrySize - f.offset})`);
      } else if (f.size !== undefined) throw at([...parts, 'size'], `${what}.size is for type string only`);
      if (type === 'enum') {
        if (f.values === undefined) throw at(parts, `${what}.values must be a list of names (of the values 0, 1, 2, ...)`);
        out.values = f.values;
      } else if (f.values !== undefined) throw at([...parts, 'values'], `${what}.values is for type enum only`);
      if (type !== 'string' && f.offset + 4 > entrySize) throw at([...parts, 'offset'], `${what}: a 4-byte field at offset ${f.offset} does not fit an entry of ${entrySize} bytes`);
      return out;
    });
    if (field) fields[name] = field;
  }
  if (!fields.name) return undefined;
  const out: DomainTableProfile = { symbol: t.symbol, count: t.count, entrySize, fields: fields as DomainTableProfile['fields'] };
  if (t.current !== undefined) out.current = t.current;
  return out;
}
