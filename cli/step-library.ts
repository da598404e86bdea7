/**
 * The step library as a reader sees it: every step definition of steps/
 * (loaded through cucumber-js's own API, exactly as `bringup test` loads it),
 * with the one-line description written in the comment above it, what its
 * parameters accept, and an example: the first use in the repository's
 * features, or else the "Example:" line of its comment.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSupport } from '@cucumber/cucumber/api';
import type { SupportCodeLibrary } from '@cucumber/cucumber/lib/support_code_library_builder/types';
import { bringupRoot } from '../io/project';

export interface StepParameter {
  name: string;
  /** What it accepts, in words (or its regular expression when the type says nothing about itself). */
  forms: string;
}

export interface StepEntry {
  keyword: string;
  expression: string;
  /** The step file it is defined in, e.g. "boot" for steps/boot.steps.ts. */
  group: string;
  description: string;
  parameters: StepParameter[];
  /** A step written with it, and where it comes from (a feature file and line, or the definition's comment). */
  example?: { text: string; from: string };
}

export interface StepGroup {
  name: string;
  /** The step file's own description (its first comment). */
  description: string;
  steps: StepEntry[];
}

export interface StepLibrary {
  groups: StepGroup[];
  /** Every parameter type the steps use, with its forms. */
  parameters: StepParameter[];
}

/** Loads the library compiled into dist/steps and reads descriptions and examples. */
export async function loadStepLibrary(root = bringupRoot()): Promise<StepLibrary> {
  const stepsDir = path.join(root, 'dist', 'steps');
  // The API's type hides what a support code library holds; it is the runner's SupportCodeLibrary.
  const library = await loadSupport({
    sources: { defaultDialect: 'en', paths: [], names: [], tagExpression: '', order: 'defined' },
    support: { requirePaths: [path.join(stepsDir, '**', '*.js')] },
  }, { cwd: root }) as unknown as SupportCodeLibrary;
  // Loaded just now by cucumber-js (requiring it earlier would have defined its types outside a support-code load).
  const forms: Record<string, string> = require(path.join(stepsDir, 'parameters.js')).PARAMETER_FORMS ?? {};
  const registry = library.parameterTypeRegistry;
  const parameter = (name: string): StepParameter => ({
    name, forms: forms[name] ?? registry.lookupByTypeName(name)?.regexpStrings.map((r: string) => `/${r}/`).join(' or ') ?? 'anything',
  });
  const uses = featureSteps(path.join(root, 'features'), root);
  const files = new Map<string, string[]>();
  const lines = (file: string) => {
    let l = files.get(file);
    if (!l) files.set(file, l = fs.readFileSync(path.resolve(root, file), 'utf8').split('\n'));
    return l;
  };
  const groups = new Map<string, StepGroup>();
  const used = new Map<string, StepParameter>();
  const defs = [...library.stepDefinitions].sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line);
  for (const d of defs) {
    if (typeof d.pattern !== 'string') continue;
    const name = path.basename(d.uri).replace(/(\.steps)?\.[cm]?js$/, '');
    let group = groups.get(name);
    if (!group) groups.set(name, group = { name, description: fileComment(lines(d.uri)), steps: [] });
    const comment = commentAbove(lines(d.uri), d.line);
    const exampleLine = comment.find((l) => /^Example:/.test(l));
    const description = comment.filter((l) => l !== exampleLine).join(' ').trim();
    const parameters = [...new Set([...d.pattern.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]))].map(parameter);
    for (const p of parameters) used.set(p.name, p);
    // A concrete use: a Scenario Outline's "<volume>" shows the form less well than its examples would.
    const use = uses.find((u) => !/<[^>]+>/.test(u.text) && d.expression.match(u.text) !== null)
      ?? uses.find((u) => d.expression.match(u.text) !== null);
    const keyword = d.keyword === 'Unknown' ? 'Given' : d.keyword;
    const example = use ? { text: `${use.keyword} ${use.text}`, from: use.from }
      : exampleLine ? { text: exampleLine.replace(/^Example:\s*/, ''), from: 'its description' } : undefined;
    group.steps.push({ keyword, expression: d.pattern, group: name, description, parameters, example });
  }
  return { groups: [...groups.values()], parameters: [...used.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

/** The text of the comment block right above line `line` (1-based), one entry per line, markers removed. */
export function commentAbove(lines: string[], line: number): string[] {
  const out: string[] = [];
  let i = line - 2;
  if (i >= 0 && /\*\/\s*$/.test(lines[i])) {
    for (; i >= 0; i--) {
      out.unshift(lines[i]);
      if (/^\s*\/\*/.test(lines[i])) break;
    }
    return out.map((l) => l.replace(/^\s*\/\*\*?\s?/, '').replace(/\s*\*\/\s*$/, '').replace(/^\s*\*\s?/, '').trim()).filter(Boolean);
  }
  for (; i >= 0 && /^\s*\/\//.test(lines[i]); i--) out.unshift(lines[i].replace(/^\s*\/\/\s?/, '').trim());
  return out.filter(Boolean);
}

/** The first comment of a file (after "use strict"), as one line. */
function fileComment(lines: string[]): string {
  const start = lines.findIndex((l) => /^\s*\/\*\*/.test(l));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i >= start && /\*\/\s*$/.test(l));
  return commentAbove(lines, end + 2).join(' ');
}

interface FeatureStep { keyword: string; text: string; from: string }

/** Every step written in the .feature files under `dir` (And/But as the keyword they continue), files in name order. */
function featureSteps(dir: string, root: string): FeatureStep[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.feature')) files.push(path.join(d, e.name));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  const steps: FeatureStep[] = [];
  for (const file of files) {
    let last = 'Given';
    fs.readFileSync(file, 'utf8').split('\n').forEach((l, i) => {
      const m = /^\s*(Given|When|Then|And|But|\*) (.+?)\s*$/.exec(l);
      if (!m) return;
      if (m[1] === 'Given' || m[1] === 'When' || m[1] === 'Then') last = m[1];
      steps.push({ keyword: last, text: m[2], from: `${path.relative(root, file)}:${i + 1}` });
    });
  }
  return steps;
}
