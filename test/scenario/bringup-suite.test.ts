/**
 * The bring-up suite behind `npm start` is YAML scenarios (features/suite/)
 * run by the scenario runner: each must stay a valid scenario.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenario } from '../../scenario/file/scenario-file';

import { ROOT } from '../support/environment';
const SUITE = path.join(ROOT, 'features', 'suite');

test('every scenario of the bring-up suite loads, boots the reference hypervisor with a boot volume and expects a halt', () => {
  const files = fs.readdirSync(SUITE).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length >= 5, `${files.length} scenarios in features/suite`);
  for (const f of files) {
    const s = loadScenario(path.join(SUITE, f));
    assert.equal(s.board.name, 'tegra2-xoom', f);
    assert.equal(path.basename(s.kernel.file), 'hypervisor.elf', f);
    assert.ok(s.volume, `${f} has a boot volume`);
    assert.ok(s.expect.console.length > 0 && s.expect.never.length > 0, `${f} says what the console must and must not show`);
    assert.equal(s.expect.end, 'halt', f);
  }
});
