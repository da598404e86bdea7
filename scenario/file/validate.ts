/**
 * Validation of bringup's YAML files without running them: scenarios (fully
 * resolved: symbols, image files, faults that can never fire), boot volume
 * manifests, board files and firmware profiles. The kind follows from the
 * file's yaml-language-server $schema comment, else from its top-level keys.
 * Every problem of a file is reported (InputFileErrors, in line order).
 */

import { loadScenario } from './scenario-file';
import { manifestImages } from '../volume-manifest';
import { loadBoard } from '../boards';
import { readYamlText } from './yaml-file';
import { profileFromText } from '../profile';

export type FileKind = 'scenario' | 'boot volume manifest' | 'board' | 'firmware profile';

export function fileKind(file: string): FileKind {
  const text = readYamlText(file);
  const schema = /\$schema=\S*?([a-z-]+)\.schema\.json/.exec(text)?.[1];
  if (schema === 'scenario') return 'scenario';
  if (schema === 'boot-volume') return 'boot volume manifest';
  if (schema === 'board') return 'board';
  if (schema === 'profile') return 'firmware profile';
  if (/^boot:\s*$/m.test(text) && /^board:/m.test(text)) return 'scenario';
  if (/^images:/m.test(text)) return 'boot volume manifest';
  if (/^cpu:/m.test(text) && /^memory:/m.test(text)) return 'board';
  // Keys only a profile has (a scenario has boot:, a board cpu: and memory:).
  if (/^(dumps|lost-upcall|domain-table):/m.test(text) && !/^boot:/m.test(text)) return 'firmware profile';
  return 'scenario';
}

/** Throws InputFileError (or ImageError) for an invalid file; returns what kind of file it was. */
export function validateFile(file: string): string {
  const kind = fileKind(file);
  switch (kind) {
    case 'scenario': {
      const s = loadScenario(file);
      return `scenario '${s.name}': ${s.faults.length} fault(s), ${s.expect.console.length + s.expect.never.length} console pattern(s)`;
    }
    case 'boot volume manifest': return `boot volume manifest, ${manifestImages(file).length} images`;
    case 'board': return `board ${loadBoard(file).name}`;
    case 'firmware profile': {
      const p = profileFromText(readYamlText(file), file);
      const dumps = Object.entries(p.dumps).filter(([k, v]) => k !== 'lines' && v !== undefined).length;
      return `firmware profile ${p.name}: ${dumps} dump pattern(s)${p.lostUpcall ? `, lost upcall ${p.lostUpcall}` : ''}${p.domainTable ? ', a domain table' : ''}`;
    }
  }
}
