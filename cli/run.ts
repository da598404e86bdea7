/** `bringup run`: runs a scenario with its console live and prints the verdict. */

import { parseArgs, UsageError } from './args';
import { EXIT } from './exit-codes';
import { loadScenario } from '../scenario/scenario-file';
import { runScenario } from '../scenario/runner';
import { formatReport } from '../scenario/report';

export const RUN_HELP = `usage: bringup run SCENARIO.yaml [--quiet]

Runs a scenario (schemas/scenario.schema.json; docs/scenarios.md): boots the
board with the scenario's kernel, command line and boot volume, types its
console input, injects its faults, and checks its expectations. The console is
shown as it is printed; the verdict follows, with the virtual time and
instruction count at which each expectation was met, when each fault fired,
and for a failure the console around where the expectation was not met.

  --quiet    do not show the console, only the report

Exit status: 0 every expectation met; 1 an expectation failed; 2 bad usage or
an invalid scenario (file:line:column: what is wrong); 3 the run hit its limit
(limits.time / limits.instructions) without the expected end; 4 internal error.`;

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { quiet: {}, help: {} });
  if (args.flags.has('help')) { process.stdout.write(RUN_HELP + '\n'); return EXIT.OK; }
  if (args.positionals.length !== 1) throw new UsageError('run: give exactly one SCENARIO.yaml (see bringup run --help)');
  const scenario = loadScenario(args.positionals[0]);
  const quiet = args.flags.has('quiet');
  let atLineStart = true;
  const result = runScenario(scenario, {
    onOutput: quiet ? undefined : (text) => {
      process.stdout.write(text);
      if (text.length) atLineStart = text.endsWith('\n');
    },
  });
  process.stdout.write(`${atLineStart ? '' : '\n'}${quiet ? '' : '\n'}${formatReport(result)}\n`);
  return result.verdict === 'pass' ? EXIT.OK : result.verdict === 'limit' ? EXIT.LIMIT : EXIT.EXPECTATION_FAILED;
}
