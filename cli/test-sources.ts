/**
 * What `bringup test` hands cucumber-js for a project: which features run by
 * default and which step definitions load. In bringup's own repository these
 * are its features/ and its compiled step library. In a project that
 * installed bringup they are the project's features/ and, next to bringup's
 * step library, the project's own steps/ — TypeScript loaded through ts-node
 * (transpile-only, CommonJS: no build step), so that a project's steps and
 * bringup's share one World and one @cucumber/cucumber.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { bringupRoot, isBringupItself } from '../io/project';
import { UsageError } from './args';

export interface TestSources {
  /** The project the run belongs to. */
  project: string;
  /** True in bringup's own repository. */
  own: boolean;
  /** The features folder: every .feature file under it runs when the command line names none. */
  featuresDir: string;
  /** Step definitions and support code, in load order (bringup's first). */
  support: string[];
  /** Modules cucumber-js loads before the support code (ts-node's register hook when there are .ts steps). */
  requireModules: string[];
  /** Environment for cucumber-js and its workers. */
  env: Record<string, string>;
}

/** Step definition files of a project: every .ts, .cts (not .d.ts) , .js and .cjs file under steps/, in a stable order. */
export function projectStepFiles(project: string): string[] {
  const dir = path.join(project, 'steps');
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
    .sort((a, b) => a.name.localeCompare(b.name, 'en'))
    .flatMap((e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory()) return walk(p);
      return /\.(ts|cts|js|cjs)$/.test(e.name) && !/\.d\.c?ts$/.test(e.name) ? [p] : [];
    });
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? walk(dir) : [];
}

export function testSources(project: string): TestSources {
  const root = bringupRoot();
  const library = path.join(root, 'dist', 'steps', '**', '*.js');
  if (isBringupItself(project)) {
    return { project, own: true, featuresDir: path.join(root, 'features'), support: [library], requireModules: [], env: {} };
  }
  const steps = projectStepFiles(project);
  const esm = steps.filter((f) => f.endsWith('.ts')).length ? isEsmPackage(project) : false;
  if (esm) {
    const first = path.relative(project, steps.find((f) => f.endsWith('.ts'))!);
    throw new UsageError(`test: ${first}: package.json says "type": "module", so Node would load .ts steps as ES modules, and bringup loads steps as CommonJS; name them .cts (bringup init does so in such a project)`);
  }
  const typescript = steps.some((f) => /\.c?ts$/.test(f));
  const tsconfig = path.join(project, 'tsconfig.json');
  return {
    project,
    own: false,
    featuresDir: path.join(project, 'features'),
    support: [library, ...steps],
    requireModules: typescript ? [require.resolve('ts-node/register/transpile-only')] : [],
    env: {
      BRINGUP_PROJECT_DIR: project,
      ...(typescript ? {
        // bringup's own TypeScript 5 (ts-node needs its compiler API), whatever the project has installed.
        TS_NODE_COMPILER: require.resolve('typescript'),
        TS_NODE_TRANSPILE_ONLY: 'true',
        // Steps are required as CommonJS, whatever module system the project's tsconfig.json is written for (its editor's).
        TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', moduleResolution: 'node10' }),
        ...(fs.existsSync(tsconfig) ? { TS_NODE_PROJECT: tsconfig } : { TS_NODE_SKIP_PROJECT: 'true' }),
      } : {}),
    },
  };
}

/** True when the project's package.json says "type": "module" (its .ts and .js files are ES modules). */
export function isEsmPackage(project: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as { type?: string }).type === 'module';
  } catch {
    return false;
  }
}
