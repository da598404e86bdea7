/**
 * Scenarios assembled piece by piece (what Cucumber steps do): start from a
 * scenario file or from the reference hypervisor with a boot volume, add
 * faults, input and limits, then build — through the same schema validation
 * and resolution as a scenario file — and run.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { scenarioFromText, type RawScenario, type Scenario } from './file/scenario-file';
import { InputFileError, parseYamlDocument, readYamlText } from './file/yaml-file';
import { bringupRoot, projectRoot, projectScenariosDir } from '../io/project';

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

export class ScenarioDraft {
  private constructor(private raw: RawScenario, private readonly label: string, private readonly baseDir: string) {}

  /** A scenario file: a bare name is looked up in scenariosDir(), a relative path is relative to the project's folder. */
  static fromFile(file: string): ScenarioDraft {
    const full = path.isAbsolute(file) || file.includes('/') ? path.resolve(projectRoot(), file) : path.join(scenariosDir(), file);
    const { data } = parseYamlDocument(readYamlText(full), full);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new InputFileError(full, 1, 1, 'a scenario is a mapping of keys (board, boot, ...)');
    return new ScenarioDraft(data as RawScenario, full, path.dirname(full));
  }

  /** The reference hypervisor on tegra2-xoom with a boot volume manifest (a bare name is looked up in firmware/volumes/). */
  static referenceHypervisor(volume: string, cmdline = 'console=ttyS0'): ScenarioDraft {
    const root = repoRoot();
    const manifest = volume.includes('/') ? path.resolve(root, volume) : path.join(root, 'firmware', 'volumes', volume);
    return new ScenarioDraft({
      name: `reference hypervisor with ${path.basename(volume)}`,
      board: 'tegra2-xoom',
      boot: { kernel: path.join(root, 'firmware', 'build', 'hypervisor.elf'), cmdline, volume: manifest },
    }, `${path.basename(volume)} (scenario assembled by steps)`, scenariosDir());
  }

  get data(): RawScenario { return this.raw; }

  appendCmdline(text: string): this {
    this.raw.boot.cmdline = [this.raw.boot.cmdline, text].filter(Boolean).join(' ');
    return this;
  }

  addFault(f: RawFault): this {
    (this.raw.faults ??= []).push(f);
    return this;
  }

  addInput(at: string | number, text: string, device?: string): this {
    (this.raw.input ??= []).push(device ? { at, text, device } : { at, text });
    return this;
  }

  /** Stop the run as soon as this console pattern has appeared (expect.end: matched). */
  stopWhenConsoleShows(pattern: string): this {
    const ex = (this.raw.expect ??= {});
    (ex.console ??= []).push(pattern);
    ex.end = 'matched';
    return this;
  }

  /** Cores to run (smp:). */
  smp(cores: number): this {
    this.raw.smp = cores;
    return this;
  }

  /** How the cores take turns (schedule:): quantum ticks per turn, optionally varied by a seed. */
  schedule(quantum: number, seed?: number): this {
    this.raw.schedule = seed === undefined ? { quantum } : { quantum, seed };
    return this;
  }

  /** Core `core` must execute the instruction at `address` (expect.cores executes; watched during the run). */
  expectCoreExecutes(core: number, address: string | number): this {
    const list = ((this.raw.expect ??= {}).cores ??= []);
    let entry = list.find((c) => c.core === core);
    if (!entry) list.push(entry = { core });
    (entry.executes ??= []).push(address);
    return this;
  }

  limit(time: string | number): this {
    this.raw.limits = { time };
    return this;
  }

  /** Validates and resolves (throws InputFileError, located in the YAML the draft amounts to). */
  build(): Scenario {
    return scenarioFromText(this.yaml(), this.label, this.baseDir);
  }

  yaml(): string {
    return stringify(this.raw);
  }
}
