/** `bringup bisect`: finds the commit (or the image) that made a scenario fail. */

import * as fs from 'node:fs';
import { parseArgs, UsageError } from './args';
import { EXIT } from './exit-codes';
import { onStopSignal, stopStatus, type StopSignal } from './signals';
import { bisectCommits, bisectImages, formatBisectOutcome, BisectInterrupted, GitError, type BisectOutcome } from '../scenario/hunt/bisect';

export const BISECT_HELP = `usage: bringup bisect --good REV --bad REV --scenario FILE [--build CMD] [--repo DIR]
                      [--committed-scenario]
       bringup bisect --images A.elf B.elf C.elf ... --role ROLE --scenario FILE

Finds the first commit (or image) with which a scenario fails (docs/bisect.md).

Across commits: runs git bisect in a temporary worktree of the repository
(the checkout you work in is not touched). At each commit CMD runs through the
shell in the worktree (a build that fails skips the commit, its output shown),
then the scenario is loaded from the worktree at the same relative path and
run. The scenario is the file as you give it now, copied into each commit
(so a scenario you have not committed works); --committed-scenario uses each
commit's own version instead. Both ends are tested first.

  --good REV              a commit where the scenario passes
  --bad REV               a later commit where it fails
  --build CMD             shell command to build at each commit (default: none)
  --scenario FILE         the scenario (inside the repository)
  --repo DIR              the repository (default: the one containing FILE)
  --committed-scenario    use each commit's version of FILE

Across images (no history needed): the images are in chronological order;
the first is expected to pass and the last to fail (both are checked first).
ROLE says which image of the scenario they replace: 'kernel' (boot.kernel),
the name of a boot volume image, a domain name (the image it runs), or an
image role only one image has (e.g. domu).

  --images A B C ...      the images, oldest first (at least two)
  --role ROLE             which image of the scenario they replace

A run that passes is good; a failed expectation or a run that hits its limit
is bad; a build failure or a scenario/image that cannot be loaded is skipped.
Progress goes to stderr; the report (first bad and last good, the first
console line that differs between their runs, and the expectations that
failed in the bad run) goes to stdout.

Exit status: 0 the first bad commit or image was found; 1 skipped candidates
left more than one possible answer (listed); 2 bad usage, an invalid scenario,
or an end that is not good/bad as given (or cannot be built); 4 internal
error; 130 interrupted by Ctrl-C, 143 by SIGTERM (the worktree, the bisect
state and the recordings are removed). A bisection that was killed outright
(SIGKILL) cannot clean up: the next bisect removes what it left (its
worktree, its folder bringup-bisect-PID-* in the temporary folder, its
recordings bisect-running-PID-*.bur).`;

/** `--images A B C` takes every following argument up to the next option. */
function expandImages(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--images') { out.push(argv[i]); continue; }
    let n = 0;
    while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) { out.push(`--images=${argv[++i]}`); n++; }
    if (!n) throw new UsageError('option --images needs at least one image');
  }
  return out;
}

export async function bisectCommand(argv: string[]): Promise<number> {
  const args = parseArgs(expandImages(argv), {
    good: { value: true, meta: 'REV' }, bad: { value: true, meta: 'REV' }, build: { value: true, meta: 'CMD' }, scenario: { value: true, meta: 'FILE' },
    repo: { value: true, meta: 'DIR' }, 'committed-scenario': {}, images: { value: true, repeat: true }, role: { value: true, meta: 'ROLE' }, help: {},
  });
  if (args.flags.has('help')) { process.stdout.write(BISECT_HELP + '\n'); return EXIT.OK; }
  const opt = (k: string) => args.options.get(k)?.[0];
  if (args.positionals.length) throw new UsageError(`bisect: unexpected argument '${args.positionals[0]}' (the scenario is given with --scenario; see bringup bisect --help)`);
  const scenario = opt('scenario');
  if (!scenario) throw new UsageError('bisect: give the scenario with --scenario FILE (see bringup bisect --help)');
  if (!fs.existsSync(scenario)) throw new UsageError(`bisect: scenario ${scenario} does not exist`);
  const images = args.options.get('images');
  const commitOpts = ['good', 'bad', 'build', 'repo'].filter((k) => args.options.has(k)).concat(args.flags.has('committed-scenario') ? ['committed-scenario'] : []);

  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onSignal = (sig: StopSignal) => {
    if (stoppedBy) process.exit(stopStatus(stoppedBy));
    stoppedBy = sig;
    process.stderr.write(`\nbisect: ${sig === 'SIGINT' ? 'interrupted' : 'stopped by SIGTERM'}; cleaning up (Ctrl-C again to leave at once)\n`);
    controller.abort();
  };
  const progress = (line: string) => process.stderr.write(line + '\n');

  let outcome: BisectOutcome;
  let what: 'commit' | 'image';
  const offSignal = onStopSignal(onSignal);
  try {
    if (images) {
      if (commitOpts.length) throw new UsageError(`bisect: --images does not go with --${commitOpts.join(', --')}`);
      const role = opt('role');
      if (!role) throw new UsageError('bisect: --images needs --role ROLE (kernel, a volume image name, a domain name or an image role)');
      if (images.length < 2) throw new UsageError(`bisect: --images needs at least two images (the first good, the last bad); got ${images.length}`);
      for (const im of images) if (!fs.existsSync(im)) throw new UsageError(`bisect: image ${im} does not exist`);
      what = 'image';
      outcome = await bisectImages({ scenario, images, role, progress, signal: controller.signal });
    } else {
      if (args.options.has('role')) throw new UsageError('bisect: --role goes with --images');
      const good = opt('good'), bad = opt('bad');
      if (!good || !bad) throw new UsageError('bisect: give --good REV and --bad REV (or --images ... --role ROLE); see bringup bisect --help');
      what = 'commit';
      outcome = await bisectCommits({
        good, bad, build: opt('build'), scenario, repo: opt('repo'), committedScenario: args.flags.has('committed-scenario'),
        progress, signal: controller.signal,
      });
    }
  } catch (e) {
    if (e instanceof BisectInterrupted) { process.stderr.write('bisect: stopped; the worktree, the bisect state and the recordings were removed\n'); return stopStatus(stoppedBy); }
    if (e instanceof GitError) throw new UsageError(`bisect: ${e.message}`);
    throw e;
  } finally {
    offSignal();
  }
  if (outcome.kind === 'ends') {
    process.stderr.write(formatBisectOutcome(outcome, what).map((l) => `bisect: ${l}`).join('\n') + '\n');
    return EXIT.USAGE;
  }
  process.stdout.write(formatBisectOutcome(outcome, what).join('\n') + '\n');
  return outcome.kind === 'found' ? EXIT.OK : EXIT.EXPECTATION_FAILED;
}
