/**
 * The scenario file stage (scenario/file/) stays a set of small resolvers,
 * one per section of the file, instead of one function of hundreds of lines.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

import { ROOT } from '../support/environment';
const MAX_LINES = 100;

/** Every function of a source file with its first line and its length in lines. */
function functionLengths(file: string): Array<{ name: string; line: number; lines: number }> {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: Array<{ name: string; line: number; lines: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const start = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const end = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = (node as ts.FunctionLikeDeclaration).name?.getText(src) ?? '(anonymous)';
      out.push({ name, line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

test(`no function of the scenario file stage is longer than ${MAX_LINES} lines`, () => {
  const dir = path.join(ROOT, 'scenario', 'file');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('scenario-file.ts') && files.includes('yaml-file.ts') && files.includes('validate.ts'));
  const long = files.flatMap((f) => functionLengths(path.join(dir, f)).filter((x) => x.lines > MAX_LINES).map((x) => `scenario/file/${f}:${x.line} ${x.name} (${x.lines} lines)`));
  assert.deepEqual(long, []);
});
