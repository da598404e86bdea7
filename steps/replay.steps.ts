/**
 * Replay identity: every scenario that ran is run a second time, and the
 * first run's recording (made by "When it runs") is replayed from the boot,
 * both under the other engine (interpreter or jit: docs/translator.md); both
 * must match the first run exactly (console, faults, end, every chunk hash). As a step for features that want to say it, and as an After hook
 * for all the others.
 */

import { Then, Before, After, Status } from '@cucumber/cucumber';
import * as assert from 'node:assert/strict';
import { removeRecording } from '../replay/recording-files';
import { checkReplayIdentity } from '../scenario/record/recording';
import type { BringupWorld } from './world';

const checked = new WeakSet<object>();

/**
 * The scenario in progress. Ctrl-C (or SIGTERM) while it runs must not leave
 * its recording behind (it would be a recording no report names): the run
 * ends, the recording is deleted, and the process exits as interrupted.
 */
let current: BringupWorld | undefined;
let stopping = false;
const stop = (signal: 'SIGINT' | 'SIGTERM') => {
  if (stopping) return;
  stopping = true;
  const file = current?.result?.recording;
  if (file) removeRecording(file);
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));

Before(function (this: BringupWorld) { current = this; });

// The run's recording replays from the boot exactly as the run went (console, faults, end, every chunk hash); every passing scenario is checked so after its steps anyway.
Then('the run replays identically', function (this: BringupWorld) {
  const r = checkReplayIdentity(this.run);
  checked.add(this.run);
  assert.ok(r.ok, r.problem);
  this.attach(`replayed identically: ${r.chunks} chunk hashes, ${r.icount} instructions`, 'text/plain');
});

/** A passing scenario's recording has served its purpose once the check is done; a failing one's stays for the report. */
After(function (this: BringupWorld, { result }) {
  current = undefined;
  const run = this.result;
  if (result?.status !== Status.PASSED || !run) return;
  if (!checked.has(run)) {
    const r = checkReplayIdentity(run);
    assert.ok(r.ok, `the run does not replay identically: ${r.problem}`);
  }
  if (run.recording) removeRecording(run.recording);
});
