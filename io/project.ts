/**
 * Where bringup is installed and which project it works for. bringup runs
 * either from its own repository (a clone: features/ and features/scenarios/
 * are its own) or installed in a user's repository as node_modules/bringup,
 * where the user's project has features/, scenarios/ and steps/ of its own.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

/** bringup's own folder: the nearest folder above this file (compiled into dist/io/) whose package.json is bringup's. */
export function bringupRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (packageName(path.join(dir, 'package.json')) === 'bringup') return dir;
    if (path.dirname(dir) === dir) throw new Error(`bringup's package.json not found above ${__dirname}`);
  }
}

/**
 * The project a run belongs to: $BRINGUP_PROJECT_DIR when set (bringup test
 * sets it for the cucumber-js it starts), else the nearest folder from `from`
 * upward with a package.json, else `from` itself.
 */
export function projectRoot(from = process.cwd()): string {
  const given = process.env.BRINGUP_PROJECT_DIR;
  if (given) return path.resolve(given);
  const start = path.resolve(from);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** True when `dir` is bringup's own repository (or package folder) rather than a project that installed it. */
export function isBringupItself(dir: string): boolean {
  return samePath(dir, bringupRoot());
}

/**
 * Where a bare scenario name in a step ("the scenario \"boot.yaml\"") is
 * looked up: features/scenarios/ in bringup's repository, scenarios/ in a
 * project of its own.
 */
export function projectScenariosDir(project = projectRoot()): string {
  return isBringupItself(project) ? path.join(project, 'features', 'scenarios') : path.join(project, 'scenarios');
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => { try { return fs.realpathSync(p); } catch { return path.resolve(p); } };
  return real(a) === real(b);
}

function packageName(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
