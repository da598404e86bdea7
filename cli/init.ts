/**
 * `bringup init [DIR]`: sets up a project of the user's own for bringup —
 * features, scenarios, steps, a firmware profile, a tsconfig.json for the
 * steps and a GitHub Actions workflow — from the files in templates/project/,
 * and adds bringup's scripts to the project's package.json.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError } from './args';
import { EXIT } from './exit-codes';
import { bringupRoot } from '../io/project';
import { isEsmPackage } from './test-sources';

export const INIT_HELP = `usage: bringup init [DIR] [--image PATH] [--name NAME] [--force]

Sets up DIR (default: the current folder) to test your hypervisor with
bringup, after \`npm install --save-dev bringup\` there. It writes:

  features/example.feature           a feature over the example scenario
  scenarios/example.yaml             your image booting on tegra2-xoom
  steps/example.steps.ts             a step of your own (TypeScript, no build step;
                                     .cts in a package with "type": "module")
  profiles/NAME.yaml                 the firmware profile of your hypervisor
  tsconfig.json                      for your editor and steps/
  .github/workflows/bringup.yml      GitHub Actions: bringup test --shard I/N
  package.json                       created, or given the scripts
                                     "test" and "bringup" (bringup test)
  .gitignore                         reports/ and .bringup/ added

  --image PATH   your hypervisor's image (ELF or zImage), for the example
                 scenario; without it the scenario names a placeholder,
                 build/hypervisor.elf, to replace
  --name NAME    the hypervisor's name, for the profile (default: the
                 package.json name, else the folder's name)
  --force        overwrite files that exist (package.json and .gitignore are
                 always merged, never overwritten)

Existing files are never overwritten without --force: init lists them and
writes nothing. Then run the example: npx bringup test (docs/project.md).

Exit status: 0 written; 2 bad usage or files in the way.`;

/** Where templates/project/ is: a leading "dot-" in its names stands for "." (npm does not pack some dotfiles). */
function templateDir(): string {
  return path.join(bringupRoot(), 'templates', 'project');
}

interface Planned { target: string; text: string }

export async function initCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { help: {}, image: { value: true, meta: 'PATH' }, name: { value: true, meta: 'NAME' }, force: {} });
  if (args.flags.has('help')) { process.stdout.write(INIT_HELP + '\n'); return EXIT.OK; }
  if (args.positionals.length > 1) throw new UsageError(`init: unexpected argument '${args.positionals[1]}': give one DIR at most (see bringup init --help)`);
  const dir = path.resolve(args.positionals[0] ?? '.');
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new UsageError(`init: ${dir} is not a folder`);
  const force = args.flags.has('force');
  const pkgFile = path.join(dir, 'package.json');
  const pkg = readPackage(pkgFile);
  const name = args.options.get('name')?.[0] ?? projectName(pkg, dir);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new UsageError(`init: --name '${name}' must be letters, digits, '.', '_' or '-' (it names profiles/NAME.yaml)`);
  }
  const image = args.options.get('image')?.[0];
  const scenariosDir = path.join(dir, 'scenarios');
  const vars: Record<string, string> = {
    __NAME__: name,
    __PROFILE__: name,
    __IMAGE__: image ? toPosix(path.relative(scenariosDir, path.resolve(image))) : '../build/hypervisor.elf',
    __IMAGE_COMMENT__: image
      ? '  # Your hypervisor\'s image (ELF or zImage), relative to this file.'
      : '  # Your hypervisor\'s image (ELF or zImage), relative to this file: a\n  # placeholder to replace (or run bringup init --image PATH --force).',
  };

  // In a package of ES modules ("type": "module") steps are .cts: bringup loads them as CommonJS.
  const stepExtension = isEsmPackage(dir) ? '.cts' : '.ts';
  const planned = templateFiles(templateDir()).map((rel): Planned => ({
    target: path.join(dir, fill(rel.split('/').map((p) => p.replace(/^dot-/, '.')).join(path.sep), vars).replace(/^(steps[\\/].*)\.ts$/, `$1${stepExtension}`)),
    text: fill(fs.readFileSync(path.join(templateDir(), rel), 'utf8'), vars),
  }));
  const inTheWay = planned.filter((p) => fs.existsSync(p.target));
  if (inTheWay.length && !force) {
    const list = inTheWay.map((p) => `  ${path.relative(process.cwd(), p.target) || p.target}`).join('\n');
    throw new UsageError(`init: these files exist and would be overwritten:\n${list}\nnothing was written; move them away, or run bringup init --force to overwrite them`);
  }

  for (const p of planned) {
    fs.mkdirSync(path.dirname(p.target), { recursive: true });
    fs.writeFileSync(p.target, p.text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), p.target) || p.target}\n`);
  }
  const scripts = mergePackage(pkgFile, pkg, name);
  process.stdout.write(`${pkg ? 'updated' : 'wrote'} ${path.relative(process.cwd(), pkgFile) || pkgFile}${scripts.length ? ` (scripts: ${scripts.join(', ')})` : ''}\n`);
  if (mergeLines(path.join(dir, '.gitignore'), ['reports/', '.bringup/'])) process.stdout.write(`updated ${path.relative(process.cwd(), path.join(dir, '.gitignore'))}\n`);
  if (image && !fs.existsSync(image)) process.stderr.write(`bringup: note: the image ${image} does not exist yet; scenarios/example.yaml names it\n`);
  process.stdout.write(`\nnext: ${image ? '' : 'put your image\'s path in scenarios/example.yaml, then '}npx bringup test\n`);
  return EXIT.OK;
}

/** Template files relative to dir, with / separators, in a stable order. */
function templateFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name, 'en'))
    .flatMap((e) => (e.isDirectory() ? templateFiles(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/__[A-Z_]+__/g, (m) => vars[m] ?? m);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

type PackageJson = { name?: string; scripts?: Record<string, string>; [k: string]: unknown };

function readPackage(file: string): PackageJson | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as PackageJson;
  } catch (e) {
    throw new UsageError(`init: ${file} is not a readable package.json (${(e as Error).message}); fix it, or move it away and run bringup init again`);
  }
}

/** The package's name without an npm scope, else the folder's name, as a profile file name. */
function projectName(pkg: PackageJson | undefined, dir: string): string {
  const raw = (typeof pkg?.name === 'string' && pkg.name ? pkg.name.replace(/^@[^/]+\//, '') : path.basename(dir)).replace(/[^A-Za-z0-9._-]+/g, '-');
  return /^[A-Za-z0-9]/.test(raw) ? raw : `hypervisor${raw}`;
}

/** npm's placeholder test script: replaced without asking. */
const NPM_DEFAULT_TEST = 'echo "Error: no test specified" && exit 1';

/**
 * Adds the "bringup" script (bringup test), and "test" when the project has
 * none of its own; returns the scripts set. Everything else is kept as it is.
 */
function mergePackage(file: string, pkg: PackageJson | undefined, name: string): string[] {
  const out: PackageJson = pkg ?? { name: name.toLowerCase(), version: '0.0.0', private: true };
  const scripts = { ...(out.scripts ?? {}) };
  const set: string[] = [];
  if (scripts.bringup !== 'bringup test') { scripts.bringup = 'bringup test'; set.push('bringup'); }
  if (scripts.test === undefined || scripts.test === NPM_DEFAULT_TEST) { scripts.test = 'bringup test'; set.push('test'); }
  else if (scripts.test !== 'bringup test') process.stdout.write(`note: package.json keeps its own "test" script; npm run bringup runs the features\n`);
  out.scripts = scripts;
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  return set;
}

/** Appends the lines a file lacks (creating it); true when it changed. */
function mergeLines(file: string, lines: string[]): boolean {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = lines.filter((l) => !have.has(l) && !have.has(l.replace(/\/$/, '')));
  if (!missing.length) return false;
  fs.writeFileSync(file, text + (text && !text.endsWith('\n') ? '\n' : '') + missing.join('\n') + '\n');
  return true;
}
