/** A scenario draft names the source that wrote a bad part, not a line of the YAML it amounts to (scenario/draft.ts). */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScenarioDraft, DraftError, pathAt, type DraftSource } from '../../scenario/draft';
import { InputFileError } from '../../scenario/file/yaml-file';
import { tempDir } from '../support/temp-dirs';

const given: DraftSource = { location: 'x.feature:3', text: 'Given the reference hypervisor with the boot volume "pingpong.yaml"' };
const fault: DraftSource = { location: 'x.feature:4', text: 'And a data abort (translation fault) at the 1st execution of nowhere' };
const limit: DraftSource = { location: 'x.feature:5', text: 'And the run is limited to 1ms' };

test('pathAt: the place of the node at a line and column of YAML', () => {
  const yaml = 'name: x\nfaults:\n  - type: data-abort\n    on-exec:\n      at: nowhere\n';
  assert.deepEqual(pathAt(yaml, 5, 11), ['faults', 0, 'on-exec', 'at']);
  assert.deepEqual(pathAt(yaml, 3, 5), ['faults', 0, 'type']);
  assert.deepEqual(pathAt(yaml, 1, 7), ['name']);
});

test('a problem found when the draft is built names the source that wrote that part', () => {
  const d = ScenarioDraft.referenceHypervisor('pingpong.yaml', given)
    .by(fault).addFault({ type: 'data-abort', status: 'translation', 'on-exec': { at: 'nowhere', nth: 1 } })
    .by(limit).limit('1ms');
  assert.throws(() => d.build(), (e: unknown) => {
    assert.ok(e instanceof DraftError);
    assert.equal(e.source, fault);
    assert.match(e.message, /^x\.feature:4: unknown symbol 'nowhere'/);
    assert.match(e.message, /\n {2}in the step: And a data abort/);
    return true;
  });
});

test('a part from the start is the starting source\'s; a draft without sources reports its YAML as before', () => {
  const d = ScenarioDraft.referenceHypervisor('pingpong.yaml', given).by(limit).limit('2 parsecs');
  assert.throws(() => d.build(), (e: unknown) => e instanceof DraftError && e.source === limit && /parsecs/.test(e.problem));
  const anonymous = ScenarioDraft.referenceHypervisor('pingpong.yaml').limit('2 parsecs');
  assert.throws(() => anonymous.build(), (e: unknown) => e instanceof InputFileError && /assembled by steps/.test(e.file));
});

test('a problem in the scenario file a draft started from names the step and the file\'s own line and column', () => {
  const dir = tempDir('bringup-draft-sources-');
  const file = path.join(dir, 's.yaml');
  const kernel = path.resolve(__dirname, '..', '..', '..', 'firmware', 'build', 'hypervisor.elf');
  fs.writeFileSync(file, `name: s\nboard: tegra2-xoom\nsmp: 1\nboot:\n  kernel: ${kernel}\nfaults:\n  - type: data-abort\n    status: translation\n    on-exec: { at: nowhere, nth: 1 }\n`);
  const d = ScenarioDraft.fromFile(file, given).by(limit).limit('5ms');
  assert.throws(() => d.build(), (e: unknown) => {
    assert.ok(e instanceof DraftError);
    assert.equal(e.source, given);
    assert.match(e.problem, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:20: unknown symbol 'nowhere'`));
    return true;
  });
});

test('a missing scenario file or boot volume is refused at once, with the closest names', () => {
  assert.throws(() => ScenarioDraft.fromFile('pingpog.yaml'), /no such scenario; did you mean "pingpong\.yaml"/);
  assert.throws(() => ScenarioDraft.referenceHypervisor('pingpongg.yaml'), /no such boot volume manifest; did you mean "pingpong\.yaml"/);
});
