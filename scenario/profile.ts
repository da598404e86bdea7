/**
 * Firmware profiles (scenario/profiles/NAME.yaml): facts about a particular
 * hypervisor or kernel that scenarios rely on — its console device, the
 * function whose skipped call is a lost upcall, and how its fault dumps and
 * panics read on the console.
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
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) throw at([], 'a firmware profile is a mapping of keys (name, console, lost-upcall, dumps)');
  const raw = (data ?? {}) as Record<string, unknown>;
  const known = new Set(['name', 'console', 'lost-upcall', 'dumps']);
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
  cache.set(file, profile);
  return profile;
}
