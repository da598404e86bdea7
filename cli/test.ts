/** `bringup test`: runs the Cucumber features (features/*.feature) with the step library. */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from './exit-codes';

export const TEST_HELP = `usage: bringup test [CUCUMBER ARGS...]

Runs the Gherkin features with bringup's step library (steps/, compiled into
dist/steps). Without paths it runs features/**/*.feature from the repository;
everything given is passed to cucumber-js, e.g.

  bringup test features/faults.feature
  bringup test --name "lost upcall"
  bringup test --format progress-bar

Exit status: 0 every scenario passed; 1 a scenario failed; 2 bad usage.`;

export function repositoryRoot(): string {
  for (const c of [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..')]) {
    if (fs.existsSync(path.join(c, 'features')) && fs.existsSync(path.join(c, 'package.json'))) return c;
  }
  throw new Error('repository root with features/ not found');
}

/** The cucumber-js command line for the repository's features (extra args appended). */
export function cucumberArgs(extra: string[]): string[] {
  const root = repositoryRoot();
  const bin = path.join(path.dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber-js');
  const hasPaths = extra.some((a, i) => !a.startsWith('-') && !(i > 0 && VALUE_OPTIONS.has(extra[i - 1])));
  const hasSupport = extra.some((a) => a === '--require' || a.startsWith('--require=') || a === '--import' || a.startsWith('--import='));
  return [
    bin,
    ...(hasPaths ? [] : [path.join(root, 'features', '**', '*.feature')]),
    ...(hasSupport ? [] : ['--require', path.join(root, 'dist', 'steps', '**', '*.js')]),
    ...extra,
  ];
}

const VALUE_OPTIONS = new Set(['--format', '-f', '--name', '--tags', '-t', '--require', '-r', '--import', '-i', '--parallel',
  '--profile', '-p', '--config', '-c', '--order', '--retry', '--world-parameters', '--format-options', '--language', '--shard']);

export async function testCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(TEST_HELP + '\n'); return EXIT.OK; }
  const r = spawnSync(process.execPath, cucumberArgs(argv), { stdio: 'inherit', cwd: repositoryRoot() });
  if (r.error) throw r.error;
  return r.status === 0 ? EXIT.OK : r.status === 2 ? EXIT.USAGE : EXIT.EXPECTATION_FAILED;
}
