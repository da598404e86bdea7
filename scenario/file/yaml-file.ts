/**
 * YAML files validated by a JSON Schema, with errors that name the file, the
 * line and column, and the rule that was broken.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, Parser, parseDocument, isNode, isAlias, isCollection, isPair, isScalar, type Document, type CST } from 'yaml';
import { readInputText, InputFileUnusable } from '../../io/input-file';
import { didYouMean } from './did-you-mean';
import { InputFileError, InputFileErrors, ProblemList, type FileProblem } from './problems';

export { InputFileError, InputFileErrors, ProblemList, type FileProblem } from './problems';

const schemaCache = new Map<string, ValidateFunction>();

export function schemasDir(): string {
  // Compiled to dist/scenario/file/; the schemas stay at the repository root.
  for (const candidate of [path.resolve(__dirname, '..', '..', 'schemas'), path.resolve(__dirname, '..', '..', '..', 'schemas')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('schemas/ directory not found');
}

function validator(schemaFile: string): ValidateFunction {
  let v = schemaCache.get(schemaFile);
  if (!v) {
    // verbose: errors carry the schema that refused them (the keys an object allows, for suggestions).
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    v = ajv.compile(JSON.parse(fs.readFileSync(path.join(schemasDir(), schemaFile), 'utf8')));
    schemaCache.set(schemaFile, v);
  }
  return v;
}

export interface LoadedYaml<T> {
  file: string;
  data: T;
  /** Line and column of the node at a JSON path (for errors found after validation). */
  where(pathParts: Array<string | number>): { line: number; column: number };
  error(pathParts: Array<string | number>, problem: string): InputFileError;
  /**
   * Whether the schema refused the node at this path or anything under it
   * (then checks of that part are skipped: its shape is not what they expect,
   * and the schema's problem is already reported).
   */
  invalidAt(pathParts: Array<string | number>): boolean;
}

/** YAML files larger than this are refused (scenarios, boards, manifests and profiles are a few KiB). */
export const MAX_YAML_BYTES = 16 << 20;
/** Collections nested deeper than this are refused (the deepest bringup format needs about 8). */
export const MAX_YAML_DEPTH = 64;
/** Nodes that aliases may add when expanded (anchors and aliases are allowed, "billion laughs" are not). */
export const MAX_YAML_ALIAS_NODES = 10000;

/** Reads a user's YAML file (through io/input-file: no folders, devices or huge files). */
export function readYamlText(file: string): string {
  try {
    return readInputText(file, { what: 'YAML', maxBytes: MAX_YAML_BYTES });
  } catch (e) {
    if (e instanceof InputFileUnusable) throw new InputFileError(file, 0, 0, e.reason);
    throw e;
  }
}

export interface ParsedYaml {
  doc: Document;
  lc: LineCounter;
  /** The document as plain data (aliases expanded). */
  data: unknown;
}

/**
 * Parses YAML text that a person wrote, refusing what would hang or crash the
 * parser: nesting deeper than MAX_YAML_DEPTH, aliases without an anchor before
 * them, and aliases that expand to more than MAX_YAML_ALIAS_NODES nodes. Every
 * problem is an InputFileError at file:line:column. All YAML bringup reads
 * from users goes through here.
 */
export function parseYamlDocument(text: string, file: string): ParsedYaml {
  checkNesting(text, file);
  const lc = new LineCounter();
  const at = (offset: number, problem: string) => {
    const p = lc.linePos(offset);
    return new InputFileError(file, p.line, p.col, problem);
  };
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  } catch (e) {
    if (e instanceof RangeError) throw new InputFileError(file, 1, 1, `YAML too complex to read (${e.message})`);
    throw e;
  }
  if (doc.errors.length) {
    // Every syntax error, each once (the parser may report one place twice).
    const problems = new ProblemList();
    for (const e of doc.errors) problems.add(at(e.pos[0], `YAML syntax: ${e.message.split('\n')[0]}`));
    problems.throwIfAny();
  }
  checkAliases(doc, at);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: -1 });
  } catch (e) {
    if (e instanceof ReferenceError || e instanceof RangeError) throw new InputFileError(file, 1, 1, `YAML: ${e.message}`);
    throw e;
  }
  return { doc, lc, data };
}

/** Walks the concrete syntax tree (without recursion) and refuses collections nested too deep. */
function checkNesting(text: string, file: string): void {
  const lc = new LineCounter();
  const stack: Array<{ token: CST.Token; depth: number }> = [];
  for (const token of new Parser(lc.addNewLine).parse(text)) stack.push({ token, depth: 0 });
  while (stack.length) {
    const { token, depth } = stack.pop()!;
    let items: Array<{ key?: CST.Token | null; value?: CST.Token }> | undefined;
    switch (token.type) {
      case 'document': if (token.value) stack.push({ token: token.value, depth }); continue;
      case 'block-map': case 'block-seq': case 'flow-collection': items = token.items; break;
      default: continue;
    }
    if (depth + 1 > MAX_YAML_DEPTH) {
      const p = lc.linePos(token.offset);
      throw new InputFileError(file, p.line, p.col, `YAML nested more than ${MAX_YAML_DEPTH} levels deep`);
    }
    for (const it of items) {
      if (it.key) stack.push({ token: it.key, depth: depth + 1 });
      if (it.value) stack.push({ token: it.value, depth: depth + 1 });
    }
  }
}

/** Refuses aliases that name no earlier anchor, and aliases that expand to too many nodes. */
function checkAliases(doc: Document, at: (offset: number, problem: string) => InputFileError): void {
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let added = 0;
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let n = 1;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      const offset = node.range?.[0] ?? 0;
      if (target === undefined) throw at(offset, `YAML alias *${node.source} has no anchor &${node.source} before it`);
      if (open.has(target)) throw at(offset, `YAML alias *${node.source} is inside the node it refers to (a structure that contains itself)`);
      n = size(target);
      added += n;
      if (added > MAX_YAML_ALIAS_NODES) throw at(offset, `YAML aliases expand to more than ${MAX_YAML_ALIAS_NODES} nodes (alias *${node.source}); refusing an "alias bomb"`);
    } else if (isCollection(node)) {
      open.add(node);
      for (const it of node.items as unknown[]) {
        if (isPair(it)) n += size(it.key) + size(it.value);
        else n += size(it);
      }
      open.delete(node);
    } else if (!isScalar(node)) {
      n = 1;
    }
    sizes.set(node, n);
    return n;
  };
  size(doc.contents);
}

export function loadYamlFile<T>(file: string, schemaFile: string, problems?: ProblemList): LoadedYaml<T> {
  return parseYamlText<T>(readYamlText(file), file, schemaFile, problems);
}

/**
 * Parses and validates YAML text against a schema. Every place the schema
 * refuses is a problem at its line and column; they are thrown together
 * (InputFileErrors), or, given a ProblemList, recorded there so that the
 * caller can go on checking the parts the schema accepted (invalidAt).
 */
export function parseYamlText<T>(text: string, file: string, schemaFile: string, problems?: ProblemList): LoadedYaml<T> {
  const { doc, lc, data: parsed } = parseYamlDocument(text, file);
  const data = parsed as T;
  const where = (parts: Array<string | number>) => positionOf(doc, lc, parts);
  const error = (parts: Array<string | number>, problem: string) => {
    const p = where(parts);
    return new InputFileError(file, p.line, p.column, problem);
  };
  const validate = validator(schemaFile);
  const refused: Array<Array<string | number>> = [];
  if (!validate(data)) {
    const found = schemaProblems(validate.errors ?? []).map(({ parts, atKey, message }) => {
      refused.push(parts);
      const p = positionOf(doc, lc, parts, atKey);
      return { file, line: p.line, column: p.column, message } satisfies FileProblem;
    });
    const list = problems ?? new ProblemList();
    if (found.length) list.add(new InputFileErrors(found));
    if (!problems) list.throwIfAny();
  }
  // Refused at the path, under it, or at a node that contains it (a mapping that is not a mapping).
  const prefix = (a: Array<string | number>, b: Array<string | number>) => a.length <= b.length && a.every((x, i) => b[i] === x);
  const invalidAt = (parts: Array<string | number>) => refused.some((r) => prefix(parts, r) || prefix(r, parts));
  return { file, data, where, error, invalidAt };
}

function positionOf(doc: Document, lc: LineCounter, parts: Array<string | number>, atKey = false): { line: number; column: number } {
  if (atKey && parts.length) {
    const parent = parts.length === 1 ? doc.contents : doc.getIn(parts.slice(0, -1), true);
    const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: number[] } }> } | null)?.items;
    const pair = items?.find((it) => it.key && it.key.value === parts[parts.length - 1]);
    if (pair?.key?.range) {
      const p = lc.linePos(pair.key.range[0]);
      return { line: p.line, column: p.col };
    }
  }
  // Walk down as far as the path exists; report the deepest node found.
  for (let n = parts.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(parts.slice(0, n), true);
    if (isNode(node) && node.range) {
      const p = lc.linePos(node.range[0]);
      return { line: p.line, column: p.col };
    }
    if (n > 0) {
      // A key without a node value (e.g. "key:" with null): find the pair's key.
      const parent = n === 1 ? doc.contents : doc.getIn(parts.slice(0, n - 1), true);
      const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: number[] } }> } | null)?.items;
      const pair = items?.find((it) => it.key && it.key.value === parts[n - 1]);
      if (pair?.key?.range) {
        const p = lc.linePos(pair.key.range[0]);
        return { line: p.line, column: p.col };
      }
    }
  }
  return { line: 1, column: 1 };
}

/** Keywords that only say "one of the alternatives (or the then-branch) failed": the alternatives' own errors say why. */
const SUMMARIES = new Set(['oneOf', 'anyOf', 'if', 'not']);
/** Keywords a value of the right type can still break (its alternatives' type errors are then beside the point). */
const SCALAR_CHOICES = new Set(['type', 'const', 'enum', 'pattern']);

/** Where an error points: the node (or, for an unknown key, the key; for a missing key, the key it should be). */
function pathOf(e: ErrorObject): Array<string | number> {
  const parts: Array<string | number> = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === 'additionalProperties') parts.push((e.params as { additionalProperty: string }).additionalProperty);
  if (e.keyword === 'required') parts.push((e.params as { missingProperty: string }).missingProperty);
  return parts;
}

/**
 * The schema's errors as problems a person can act on: summaries of
 * alternatives dropped, a type error of an alternative dropped when another
 * alternative accepted the type (its errors say what is wrong), the errors of
 * alternatives at one place joined with "or", each problem once.
 */
function schemaProblems(errors: ErrorObject[]): Array<{ parts: Array<string | number>; atKey: boolean; message: string }> {
  const alternatives = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const detailed = errors.filter((e) => !SUMMARIES.has(e.keyword));
  // Only summaries (a 'not' refusing a value): they are all there is to say.
  const useful = detailed.length ? detailed : errors;
  const kept = useful.filter((e) => e.keyword !== 'type' || !useful.some((f) => f !== e && (
    f.instancePath.startsWith(`${e.instancePath}/`) || (f.instancePath === e.instancePath && !SCALAR_CHOICES.has(f.keyword)))));
  // Alternatives refused at one place become one problem naming each ("must be integer, or must be "all"").
  const out: Array<{ parts: Array<string | number>; atKey: boolean; message: string; alternatives?: ErrorObject[] }> = [];
  for (const e of kept) {
    if (alternatives.has(e.instancePath) && SCALAR_CHOICES.has(e.keyword)) {
      const same = out.find((o) => o.alternatives?.[0].instancePath === e.instancePath);
      if (same) { same.alternatives!.push(e); continue; }
      out.push({ parts: pathOf(e), atKey: false, message: '', alternatives: [e] });
    } else {
      out.push({ parts: pathOf(e), atKey: e.keyword === 'additionalProperties', message: describe(e) });
    }
  }
  for (const o of out) {
    if (!o.alternatives) continue;
    const phrases = [...new Set(o.alternatives.map(phrase))];
    const rules = [...new Set(o.alternatives.map((e) => e.keyword))];
    o.message = `${subject(o.alternatives[0])} ${phrases.join(', or ')} (schema rule: ${rules.join(', ')})`;
  }
  const seen = new Set<string>();
  return out.filter((o) => {
    const key = `${o.parts.join('/')}\u0000${o.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The value an error is about, as the message names it: 'key', or the document. */
function subject(e: ErrorObject): string {
  return e.instancePath ? `'${e.instancePath.split('/').pop()!.replace(/~1/g, '/').replace(/~0/g, '~')}'` : 'the document';
}

/** Where a key is, for "unknown key 'x' in boot": the parent's path, dotted. */
function parentName(e: ErrorObject): string {
  return e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '');
}

function phrase(e: ErrorObject): string {
  switch (e.keyword) {
    case 'type': return `must be ${(e.params as { type: string }).type}`;
    case 'const': return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'enum': return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern': return `does not match the expected form ${(e.params as { pattern: string }).pattern}`;
    default: return e.message ?? e.keyword;
  }
}

/** "did you mean X?" for a mistyped name, from the names allowed there; the names themselves when none is near. */
function suggestion(name: string, allowed: string[], listIfFar: boolean): string {
  const near = didYouMean(name, allowed);
  if (near) return near;
  return listIfFar && allowed.length ? ` (allowed: ${allowed.join(', ')})` : '';
}

function describe(e: ErrorObject): string {
  const at = subject(e);
  const parent = parentName(e);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}).filter((k) => k !== '$schema');
      return `unknown key '${key}'${parent ? ` in ${parent}` : ''}${suggestion(key, allowed, true)} (schema rule: additionalProperties)`;
    }
    case 'required':
      return `missing required key '${(e.params as { missingProperty: string }).missingProperty}'${parent ? ` in ${parent}` : ''} (schema rule: required)`;
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const near = typeof e.data === 'string' ? suggestion(e.data, allowed.filter((v): v is string => typeof v === 'string'), false) : '';
      return `${at} ${phrase(e)}${near} (schema rule: enum)`;
    }
    default:
      return `${at} ${phrase(e)} (schema rule: ${e.keyword})`;
  }
}
