/**
 * What tests need from their surroundings: the repository root, and the
 * external tools some of them use (arm-none-eabi-gcc, qemu-system-arm,
 * qemu-arm, make).
 *
 * A test that needs a tool declares it with `{ skip: toolSkip('qemu-arm') }`
 * and starts with `requireTools('qemu-arm')`. Without the tool it is skipped
 * with a message saying what to install; with BRINGUP_REQUIRE_TOOLS=1 (CI)
 * it runs instead, and requireTools fails it. With BRINGUP_NO_TOOLS=1 (set by
 * `npm run test:fast`) every such test skips, present tools or not.
 */

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder above this file (compiled into dist/test/support/) holding bringup's package.json. */
export const ROOT: string = findRoot(__dirname);

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'machine')) && readName(pkg) === 'bringup') return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the repository root (bringup's package.json) above ${start}`);
  }
}

function readName(pkg: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** Debian/Ubuntu package that provides each tool, for the install hint. */
const PACKAGES: Record<string, string> = {
  'arm-none-eabi-gcc': 'gcc-arm-none-eabi',
  'qemu-system-arm': 'qemu-system-arm',
  'qemu-arm': 'qemu-user',
  'gdb-multiarch': 'gdb-multiarch',
  make: 'make',
  git: 'git',
  python3: 'python3',
};

/** True when BRINGUP_NO_TOOLS=1 (`npm run test:fast`): tests that need an external tool skip. */
export function toolsOff(): boolean {
  return process.env.BRINGUP_NO_TOOLS === '1';
}

/** True when BRINGUP_REQUIRE_TOOLS=1: a missing tool fails the tests that need it instead of skipping them. */
export function toolsRequired(): boolean {
  return process.env.BRINGUP_REQUIRE_TOOLS === '1';
}

/** The tool's path when it is an executable file on PATH. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, command);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

export function hasTool(command: string): boolean {
  return findOnPath(command) !== undefined;
}

/** The tools of the list that are not on PATH. */
export function missingTools(...commands: string[]): string[] {
  return commands.filter((c) => !hasTool(c));
}

/** "apt-get install P..." for the given tools. */
export function installHint(...commands: string[]): string {
  return `apt-get install ${[...new Set(commands.map((c) => PACKAGES[c] ?? c))].join(' ')}`;
}

/**
 * The `skip` option of a test that needs these tools: a message naming what is
 * missing and how to install it, or undefined when all are present or when
 * BRINGUP_REQUIRE_TOOLS=1 (the test then runs, and requireTools fails it).
 * Under BRINGUP_NO_TOOLS=1 always a message.
 */
export function toolSkip(...commands: string[]): string | undefined {
  if (toolsOff()) return `needs ${commands.join(' and ')}: external tools are not used by npm run test:fast`;
  const missing = missingTools(...commands);
  if (!missing.length || toolsRequired()) return undefined;
  return `${missing.join(' and ')} not found: ${installHint(...missing)}`;
}

/** Fails the running test when a tool is missing (reached only with BRINGUP_REQUIRE_TOOLS=1, see toolSkip). */
export function requireTools(...commands: string[]): void {
  const missing = missingTools(...commands);
  if (missing.length) {
    assert.fail(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required${toolsRequired() ? ' (BRINGUP_REQUIRE_TOOLS=1)' : ''}: ${installHint(...missing)}`);
  }
}
