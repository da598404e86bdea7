/**
 * Replay identity: every scenario that ran is run again with a recorder and
 * the recording replayed from the boot; both must match the first run
 * exactly (console, faults, end, every chunk hash). As a step for features
 * that want to say it, and as an After hook for all the others.
 */

import { Then, After, Status } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import { checkReplayIdentity } from '../scenario/recording';
import type { BringupWorld } from './world';

const checked = new WeakSet<object>();

Then('the run replays identically', function (this: BringupWorld) {
  const r = checkReplayIdentity(this.run);
  checked.add(this.run);
  assert.ok(r.ok, r.problem);
  this.attach(`replayed identically: ${r.chunks} chunk hashes, ${r.icount} instructions`, 'text/plain');
});

After(function (this: BringupWorld, { result }) {
  if (result?.status !== Status.PASSED || !this.result || checked.has(this.result)) return;
  const r = checkReplayIdentity(this.result);
  assert.ok(r.ok, `the run does not replay identically: ${r.problem}`);
});
