/**
 * Firmware profiles (scenario/profiles/NAME.yaml): facts about a particular
 * hypervisor or kernel that scenarios rely on — its console device, the
 * function whose skipped call is a lost upcall, how its fault dumps and
 * panics read on the console, and where it keeps its domains (for the
 * debugger's `monitor domains`).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputFileError, parseYamlDocument, readYamlText } from './file/yaml-file';

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

/** A profile by name or by path (relative paths are resolved against baseDir). */
export function loadProfile(nameOrPath: string, baseDir = process.cwd()): FirmwareProfile {
  const isPath = /[/\\]|\.ya?ml$/.test(nameOrPath);
  const file = isPath ? path.resolve(baseDir, nameOrPath) : path.join(profilesDir(), `${nameOrPath}.yaml`);
  const hit = cache.get(file);
  if (hit) return hit;
  if (!fs.existsSync(file)) {
    throw new InputFileError(nameOrPath, 0, 0, isPath ? 'no such profile file' : `unknown firmware profile (known: ${profileNames().join(', ')})`);
  }
  let text: string;
  try { text = readYamlText(file); } catch (e) {
    // A folder, a device, a pseudo-file: reported where the scenario names the profile.
    if (e instanceof InputFileError && e.line === 0) throw new InputFileError(nameOrPath, 0, 0, e.problem);
    throw e;
  }
  const { doc, lc, data } = parseYamlDocument(text, file);
  const at = (parts: string[], problem: string) => {
    const node = doc.getIn(parts, true) as { range?: number[] } | undefined;
    const p = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    return new InputFileError(file, p.line, p.col, problem);
  };
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) throw at([], 'a firmware profile is a mapping of keys (name, console, lost-upcall, dumps, domain-table)');
  const raw = (data ?? {}) as Record<string, unknown>;
  const known = new Set(['name', 'console', 'lost-upcall', 'dumps', 'domain-table']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw at([k], `unknown key '${k}' (known: ${[...known].join(', ')})`);
  const str = (k: string): string | undefined => {
    const v = raw[k];
    if (v !== undefined && typeof v !== 'string') throw at([k], `'${k}' must be a string`);
    return v as string | undefined;
  };
  if (raw.dumps !== undefined && (raw.dumps === null || typeof raw.dumps !== 'object' || Array.isArray(raw.dumps))) throw at(['dumps'], 'dumps must be a mapping of keys');
  const dumpsRaw = (raw.dumps ?? {}) as Record<string, unknown>;
  if (dumpsRaw.lines !== undefined && !(Number.isSafeInteger(dumpsRaw.lines) && (dumpsRaw.lines as number) >= 1 && (dumpsRaw.lines as number) <= 1000)) {
    throw at(['dumps', 'lines'], 'dumps.lines must be a whole number of lines from 1 to 1000');
  }
  const re = (k: string): RegExp | undefined => {
    const v = dumpsRaw[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw at(['dumps', k], `dumps.${k} must be a regular expression (string)`);
    try { return new RegExp(v); } catch (e) { throw at(['dumps', k], `dumps.${k}: ${(e as Error).message}`); }
  };
  const dumpKeys = new Set(['hypervisor-fault', 'domain-fault', 'status', 'pc', 'panic', 'lines']);
  for (const k of Object.keys(dumpsRaw)) if (!dumpKeys.has(k)) throw at(['dumps', k], `unknown key '${k}' in dumps (known: ${[...dumpKeys].join(', ')})`);
  const profile: FirmwareProfile = {
    name: str('name') ?? path.basename(file, '.yaml'),
    file,
    console: str('console'),
    lostUpcall: str('lost-upcall'),
    dumps: {
      hypervisorFault: re('hypervisor-fault'), domainFault: re('domain-fault'), status: re('status'),
      pc: re('pc'), panic: re('panic'), lines: typeof dumpsRaw.lines === 'number' ? dumpsRaw.lines : 12,
    },
  };
  if (raw['domain-table'] !== undefined) profile.domainTable = domainTable(raw['domain-table'], at);
  cache.set(file, profile);
  return profile;
}

const FIELD_NAMES = ['name', 'image', 'state', 'asid', 'cpu', 'id'];

/** `domain-table`, checked: every problem names the key, with the line and column of the profile file. */
function domainTable(v: unknown, at: (parts: string[], problem: string) => InputFileError): DomainTableProfile {
  const where = ['domain-table'];
  const mapping = (x: unknown, parts: string[], what: string): Record<string, unknown> => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) throw at(parts, `${what} must be a mapping of keys`);
    return x as Record<string, unknown>;
  };
  const only = (o: Record<string, unknown>, parts: string[], keys: string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) throw at([...parts, k], `unknown key '${k}' in ${parts.join('.')} (known: ${keys.join(', ')})`);
  };
  const t = mapping(v, where, 'domain-table');
  only(t, where, ['symbol', 'count', 'entry-size', 'fields', 'current']);
  const symbolKey = (k: string, required: boolean): string | undefined => {
    const x = t[k];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || !x) throw at(x === undefined ? where : [...where, k], `domain-table.${k} must be a symbol name of the hypervisor's image`);
    return x;
  };
  const uint = (x: unknown, parts: string[], what: string, max: number): number => {
    if (!(Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= max)) throw at(parts, `${what} must be a whole number from 0 to ${max}`);
    return x as number;
  };
  const symbol = symbolKey('symbol', true)!;
  const count = typeof t.count === 'number' ? uint(t.count, [...where, 'count'], 'domain-table.count', 1024) : symbolKey('count', true)!;
  const entrySize = uint(t['entry-size'], t['entry-size'] === undefined ? where : [...where, 'entry-size'], 'domain-table.entry-size (bytes)', 1 << 20);
  if (!entrySize) throw at([...where, 'entry-size'], 'domain-table.entry-size (bytes) must be at least 1');
  const fieldsRaw = mapping(t.fields, t.fields === undefined ? where : [...where, 'fields'], 'domain-table.fields');
  only(fieldsRaw, [...where, 'fields'], FIELD_NAMES);
  const fields: Record<string, DomainFieldProfile> = {};
  for (const [name, fv] of Object.entries(fieldsRaw)) {
    const parts = [...where, 'fields', name];
    const f = mapping(fv, parts, `domain-table.fields.${name}`);
    only(f, parts, ['offset', 'type', 'size', 'values']);
    const offset = uint(f.offset, f.offset === undefined ? parts : [...parts, 'offset'], `domain-table.fields.${name}.offset`, entrySize - 1);
    const type = f.type ?? 'u32';
    if (type !== 'u32' && type !== 'string' && type !== 'enum') throw at([...parts, 'type'], `domain-table.fields.${name}.type must be u32, string or enum`);
    const field: DomainFieldProfile = { offset, type };
    if (type === 'string') field.size = uint(f.size ?? 16, [...parts, 'size'], `domain-table.fields.${name}.size`, entrySize - offset);
    else if (f.size !== undefined) throw at([...parts, 'size'], `domain-table.fields.${name}.size is for type string only`);
    if (type === 'enum') {
      if (!Array.isArray(f.values) || !f.values.length || !f.values.every((x) => typeof x === 'string')) throw at(f.values === undefined ? parts : [...parts, 'values'], `domain-table.fields.${name}.values must be a list of names (of the values 0, 1, 2, ...)`);
      field.values = f.values as string[];
    } else if (f.values !== undefined) throw at([...parts, 'values'], `domain-table.fields.${name}.values is for type enum only`);
    if (type !== 'string' && offset + 4 > entrySize) throw at([...parts, 'offset'], `domain-table.fields.${name}: a 4-byte field at offset ${offset} does not fit an entry of ${entrySize} bytes`);
    fields[name] = field;
  }
  if (!fields.name) throw at([...where, 'fields'], 'domain-table.fields must give at least name');
  const out: DomainTableProfile = { symbol, count, entrySize, fields: fields as DomainTableProfile['fields'] };
  const current = symbolKey('current', false);
  if (current !== undefined) out.current = current;
  return out;
}
