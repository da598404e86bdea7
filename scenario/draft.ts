/**
 * Scenarios assembled piece by piece (what Cucumber steps do): start from a
 * scenario file or from the reference hypervisor with a boot volume, add
 * faults, input and limits, then build — through the same schema validation
 * and resolution as a scenario file — and run.
 *
 * A draft remembers who wrote each part of it (a DraftSource: for a Gherkin
 * step, its feature file and line). The YAML a draft amounts to is written by
 * the draft, not by a person, so a problem found in it when it is built is
 * reported at the source that put the value in, never at a line of that YAML.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify, parseDocument, LineCounter, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';
import { scenarioFromText, type RawScenario, type Scenario } from './file/scenario-file';
import { InputFileError, parseYamlDocument, readYamlText } from './file/yaml-file';
import { bringupRoot, projectRoot, projectScenariosDir } from '../io/project';
import { nearest } from '../io/nearest';

/** bringup's own folder (its repository, or node_modules/bringup), where the reference hypervisor's prebuilt images are. */
export function repoRoot(): string {
  const root = bringupRoot();
  if (fs.existsSync(path.join(root, 'firmware', 'build', 'hypervisor.elf'))) return root;
  throw new Error(`the reference hypervisor (firmware/build/hypervisor.elf) is missing from ${root}`);
}

/** Where feature files' scenarios live: features/scenarios/ in bringup's repository, scenarios/ in a project that installed bringup. */
export function scenariosDir(): string {
  return projectScenariosDir();
}

type RawFault = NonNullable<RawScenario['faults']>[number];
/** A place in the scenario (keys and list indexes), as in the YAML it amounts to. */
type DraftPath = Array<string | number>;

/** Who wrote a part of a draft: where (e.g. "features/boot.feature:12") and what (e.g. the step's text). */
export interface DraftSource {
  location: string;
  text: string;
}

/** A problem in a draft, at the source that wrote the part it is in. */
export interface SourcedProblem {
  source: DraftSource;
  problem: string;
}

/** Problems in a draft (one or more), each reported at the source that wrote the part it is in. */
export class DraftError extends Error {
  readonly source: DraftSource;
  readonly problem: string;
  constructor(readonly problems: readonly SourcedProblem[]) {
    super(problems.map((p) => `${p.source.location}: ${p.problem}\n  in the step: ${p.source.text}`).join('\n'));
    this.name = 'DraftError';
    ({ source: this.source, problem: this.problem } = problems[0]);
    // The message says all a user can act on; the stack of the simulator would only hide it.
    this.stack = this.message;
  }
}

/** One located problem of an InputFileError (or each of a list of them, when the error carries one). */
interface LocatedProblem { file: string; line: number; column: number; message: string }
function problemsOf(e: InputFileError): LocatedProblem[] {
  const list = (e as { problems?: unknown }).problems;
  if (Array.isArray(list) && list.length && list.every((p) => typeof p?.file === 'string' && typeof p?.line === 'number' && typeof p?.message === 'string')) {
    return list as LocatedProblem[];
  }
  return [{ file: e.file, line: e.line, column: e.column, message: e.problem }];
}

export class ScenarioDraft {
  /** Parts written after the start, in order: the last one covering a place wins. */
  private readonly written: Array<{ at: DraftPath; source: DraftSource | undefined }> = [];
  /** Who is changing the draft now (set by whoever drives it, e.g. the Cucumber World before each step). */
  private current: DraftSource | undefined;

  private constructor(
    private raw: RawScenario,
    private readonly label: string,
    private readonly baseDir: string,
    /** Who started the draft. */
    private readonly origin: DraftSource | undefined,
    /** The scenario file it started from (its text, to find its parts in it again). */
    private readonly file?: { path: string; text: string },
  ) {
    this.current = origin;
  }

  /** A scenario file: a bare name is looked up in scenariosDir(), a relative path is relative to the project's folder. */
  static fromFile(file: string, source?: DraftSource): ScenarioDraft {
    const bare = !(path.isAbsolute(file) || file.includes('/'));
    const full = bare ? path.join(scenariosDir(), file) : path.resolve(projectRoot(), file);
    if (bare && !fs.existsSync(full)) throw missing(full, 'scenario', file, yamlFilesIn(scenariosDir()), path.relative(projectRoot(), scenariosDir()) + '/');
    const text = readYamlText(full);
    const { data } = parseYamlDocument(text, full);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new InputFileError(full, 1, 1, 'a scenario is a mapping of keys (board, boot, ...)');
    return new ScenarioDraft(data as RawScenario, full, path.dirname(full), source, { path: full, text });
  }

  /** The reference hypervisor on tegra2-xoom with a boot volume manifest (a bare name is looked up in firmware/volumes/). */
  static referenceHypervisor(volume: string, source?: DraftSource, cmdline = 'console=ttyS0'): ScenarioDraft {
    const root = repoRoot();
    const bare = !volume.includes('/');
    const manifest = bare ? path.join(root, 'firmware', 'volumes', volume) : path.resolve(root, volume);
    if (!fs.existsSync(manifest)) {
      throw missing(manifest, 'boot volume manifest', volume, bare ? yamlFilesIn(path.dirname(manifest)) : [], bare ? 'firmware/volumes/' : undefined);
    }
    return new ScenarioDraft({
      name: `reference hypervisor with ${path.basename(volume)}`,
      board: 'tegra2-xoom',
      boot: { kernel: path.join(root, 'firmware', 'build', 'hypervisor.elf'), cmdline, volume: manifest },
    }, `${path.basename(volume)} (scenario assembled by steps)`, scenariosDir(), source);
  }

  get data(): RawScenario { return this.raw; }

  /** What follows is written by `source` (until the next call). */
  by(source: DraftSource | undefined): this {
    this.current = source ?? this.current;
    return this;
  }

  private wrote(...places: DraftPath[]): this {
    for (const at of places) this.written.push({ at, source: this.current });
    return this;
  }

  appendCmdline(text: string): this {
    this.raw.boot.cmdline = [this.raw.boot.cmdline, text].filter(Boolean).join(' ');
    return this.wrote(['boot', 'cmdline']);
  }

  addFault(f: RawFault): this {
    const faults = (this.raw.faults ??= []);
    faults.push(f);
    return this.wrote(['faults', faults.length - 1]);
  }

  addInput(at: string | number, text: string, device?: string): this {
    const input = (this.raw.input ??= []);
    input.push(device ? { at, text, device } : { at, text });
    return this.wrote(['input', input.length - 1]);
  }

  /** Stop the run as soon as this console pattern has appeared (expect.end: matched). */
  stopWhenConsoleShows(pattern: string): this {
    const ex = (this.raw.expect ??= {});
    const console = (ex.console ??= []);
    console.push(pattern);
    ex.end = 'matched';
    return this.wrote(['expect', 'console', console.length - 1], ['expect', 'end']);
  }

  /** Cores to run (smp:). */
  smp(cores: number): this {
    this.raw.smp = cores;
    return this.wrote(['smp']);
  }

  /** How the cores take turns (schedule:): quantum ticks per turn, optionally varied by a seed. */
  schedule(quantum: number, seed?: number): this {
    this.raw.schedule = seed === undefined ? { quantum } : { quantum, seed };
    return this.wrote(['schedule']);
  }

  /** Core `core` must execute the instruction at `address` (expect.cores executes; watched during the run). */
  expectCoreExecutes(core: number, address: string | number): this {
    const list = ((this.raw.expect ??= {}).cores ??= []);
    let index = list.findIndex((c) => c.core === core);
    if (index < 0) index = list.push({ core }) - 1;
    const executes = (list[index].executes ??= []);
    executes.push(address);
    return this.wrote(['expect', 'cores', index, 'executes', executes.length - 1]);
  }

  limit(time: string | number): this {
    this.raw.limits = { time };
    return this.wrote(['limits']);
  }

  /**
   * Validates and resolves. A problem in the draft is a DraftError naming the
   * source that wrote the part it is in (when the draft knows its sources);
   * otherwise an InputFileError, as for a scenario file.
   */
  build(): Scenario {
    const text = this.yaml();
    try {
      return scenarioFromText(text, this.label, this.baseDir);
    } catch (e) {
      throw this.explain(e, text);
    }
  }

  yaml(): string {
    return stringify(this.raw);
  }

  /** The error to report for `e`, raised while building the YAML `text` of this draft. */
  private explain(e: unknown, text: string): unknown {
    if (!(e instanceof InputFileError)) return e;
    const problems = problemsOf(e);
    if (!problems.some((p) => p.file === this.label && p.line > 0)) return e;
    if (!this.origin && !this.written.some((w) => w.source)) {
      // Nobody to name: at least locate it in the file the draft started from.
      if (this.file && problems.length === 1) return new InputFileError(this.file.path, ...this.positionInFile(pathAt(text, e.line, e.column)), e.problem);
      return e;
    }
    // Problems in other files (a volume manifest, a board) are the starting source's, at their own place.
    const fallback = (this.origin ?? this.written.find((w) => w.source)!.source)!;
    return new DraftError(problems.map((p): SourcedProblem => {
      if (p.file !== this.label || p.line < 1) return { source: fallback, problem: `${p.file}${p.line > 0 ? `:${p.line}:${p.column}` : ''}: ${p.message}` };
      const at = pathAt(text, p.line, p.column);
      const found = this.sourceOf(at) ?? { source: fallback, fromFile: false };
      return { source: found.source, problem: found.fromFile && this.file ? `${this.placeInFile(at)}: ${p.message}` : p.message };
    }));
  }

  /** The source of the latest part written at or around `at`; else the draft's origin (the part came from the start). */
  private sourceOf(at: DraftPath): { source: DraftSource; fromFile: boolean } | undefined {
    for (let i = this.written.length - 1; i >= 0; i--) {
      const w = this.written[i];
      const n = Math.min(w.at.length, at.length);
      if (w.source && w.at.slice(0, n).every((k, j) => k === at[j])) return { source: w.source, fromFile: false };
    }
    return this.origin ? { source: this.origin, fromFile: true } : undefined;
  }

  /** "file:line:column" of a place in the scenario file the draft started from. */
  private placeInFile(at: DraftPath): string {
    const [line, column] = this.positionInFile(at);
    return `${this.file!.path}:${line}:${column}`;
  }

  private positionInFile(at: DraftPath): [number, number] {
    const lc = new LineCounter();
    const doc = parseDocument(this.file!.text, { lineCounter: lc });
    // The deepest part of the place that the file has (a step may have added the rest).
    for (let n = at.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n), true);
      const range = (node as Node | null)?.range;
      if (range) {
        const p = lc.linePos(range[0]);
        return [p.line, p.col];
      }
    }
    return [1, 1];
  }
}

/** The place (keys and indexes) of the YAML node at line:column of `text`: the deepest node that starts there or holds it. */
export function pathAt(text: string, line: number, column: number): DraftPath {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const offset = (lc.lineStarts[line - 1] ?? 0) + column - 1;
  const inside = (n: unknown): n is Node => !!n && !!(n as Node).range && (n as Node).range![0] <= offset && offset < (n as Node).range![2];
  const found: DraftPath = [];
  let node: unknown = doc.contents;
  for (;;) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== 'string' && typeof key !== 'number') continue;
        const k = pair.key as Node;
        if (k.range && k.range[0] <= offset && offset < k.range[1]) { found.push(key); return found; }
        if (inside(pair.value)) { found.push(key); next = pair.value; break; }
      }
    } else if (isSeq(node)) {
      const i = node.items.findIndex(inside);
      if (i >= 0) { found.push(i); next = node.items[i]; }
    }
    if (next === undefined) return found;
    node = next;
  }
}

function yamlFilesIn(dir: string): string[] {
  try { return fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort(); } catch { return []; }
}

/** A file named by a step that is not there, with the closest names that are. */
function missing(full: string, what: string, given: string, known: string[], where?: string): InputFileError {
  const near = nearest(given, known, { count: 3 });
  const hint = near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : where && known.length ? ` (${where} has ${known.join(', ')})` : '';
  return new InputFileError(full, 0, 0, `no such ${what}${hint}`);
}
