/**
 * YAML files validated by a JSON Schema, with errors that name the file, the
 * line and column, and the rule that was broken.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, Parser, parseDocument, isNode, isAlias, isCollection, isPair, isScalar, type Document, type CST } from 'yaml';
import { readInputText, InputFileUnusable } from '../../io/input-file';

/** Bad input in a user's file, worded for the person who wrote it. */
export class InputFileError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly problem: string) {
    // Line 0: a problem with the file as a whole (missing, a folder, a device).
    super(line > 0 ? `${file}:${line}:${column}: ${problem}` : `${file}: ${problem}`);
  }
}

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
    const e = doc.errors[0];
    throw at(e.pos[0], `YAML syntax: ${e.message.split('\n')[0]}`);
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

export function loadYamlFile<T>(file: string, schemaFile: string): LoadedYaml<T> {
  return parseYamlText<T>(readYamlText(file), file, schemaFile);
}

export function parseYamlText<T>(text: string, file: string, schemaFile: string): LoadedYaml<T> {
  const { doc, lc, data: parsed } = parseYamlDocument(text, file);
  const data = parsed as T;
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
