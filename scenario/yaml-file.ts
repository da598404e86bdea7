/**
 * YAML files validated by a JSON Schema, with errors that name the file, the
 * line and column, and the rule that was broken.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';

/** Bad input in a user's file, worded for the person who wrote it. */
export class InputFileError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly problem: string) {
    super(`${file}:${line}:${column}: ${problem}`);
  }
}

const schemaCache = new Map<string, ValidateFunction>();

export function schemasDir(): string {
  // Compiled to dist/scenario/; the schemas stay at the repository root.
  for (const candidate of [path.resolve(__dirname, '..', 'schemas'), path.resolve(__dirname, '..', '..', 'schemas')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('schemas/ directory not found');
}

function validator(schemaFile: string): ValidateFunction {
  let v = schemaCache.get(schemaFile);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: false });
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
}

export function loadYamlFile<T>(file: string, schemaFile: string): LoadedYaml<T> {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputFileError(file, 0, 0, code === 'ENOENT' ? 'no such file' : (e as Error).message);
  }
  return parseYamlText<T>(text, file, schemaFile);
}

export function parseYamlText<T>(text: string, file: string, schemaFile: string): LoadedYaml<T> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lc.linePos(e.pos[0]);
    throw new InputFileError(file, pos.line, pos.col, `YAML syntax: ${e.message.split('\n')[0]}`);
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as T;
  const where = (parts: Array<string | number>) => positionOf(doc, lc, parts);
  const error = (parts: Array<string | number>, problem: string) => {
    const p = where(parts);
    return new InputFileError(file, p.line, p.column, problem);
  };
  const validate = validator(schemaFile);
  if (!validate(data)) {
    const best = pickError(validate.errors ?? []);
    const parts = instancePath(best);
    const p = positionOf(doc, lc, parts, best.keyword === 'additionalProperties');
    throw new InputFileError(file, p.line, p.column, describe(best));
  }
  return { file, data, where, error };
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

function instancePath(e: ErrorObject): Array<string | number> {
  const parts = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === 'additionalProperties') parts.push((e.params as { additionalProperty: string }).additionalProperty);
  return parts;
}

/** Prefers the most specific error: unknown keys and deep paths over oneOf summaries. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const useful = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const pool = useful.length ? useful : errors;
  return pool.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a));
}

function describe(e: ErrorObject): string {
  const at = e.instancePath ? `'${e.instancePath.split('/').pop()}'` : 'the document';
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown key '${(e.params as { additionalProperty: string }).additionalProperty}' (schema rule: additionalProperties)`;
    case 'required':
      return `missing required key '${(e.params as { missingProperty: string }).missingProperty}' (schema rule: required)`;
    case 'type':
      return `${at} must be ${(e.params as { type: string }).type} (schema rule: type)`;
    case 'enum':
      return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')} (schema rule: enum)`;
    case 'pattern':
      return `${at} does not match the expected form ${(e.params as { pattern: string }).pattern} (schema rule: pattern)`;
    default:
      return `${at} ${e.message} (schema rule: ${e.keyword})`;
  }
}
