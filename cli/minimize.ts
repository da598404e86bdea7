/** `bringup minimize`: reduces a failing scenario's faults to a minimal set that still fails. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError, expectPositionals } from './args';
import { checkOutputPath } from './output-path';
import { scenarioInputs } from './run';
import { EXIT } from './exit-codes';
import { loadScenario } from '../scenario/file/scenario-file';
import { runScenario } from '../scenario/run/runner';
import { minimizeFaults, minimizedScenarioText } from '../scenario/hunt/minimize';

export const MINIMIZE_HELP = `usage: bringup minimize SCENARIO.yaml -o OUT.yaml [--same]

Finds a minimal set of the scenario's faults with which it still fails, by
delta debugging (ddmin): the result is 1-minimal — leaving out any one of the
faults kept makes the scenario pass. OUT.yaml is the scenario with only those
faults (everything else, comments included, as it was; relative paths adjusted
for OUT.yaml's directory), checked by running it once more. Each test run is
shown on stderr with the number of faults it had and its verdict
(docs/bisect.md).

  -o, --output OUT.yaml   where to write the minimized scenario
  --same                  count a run as failing only if it fails the same way
                          (same verdict, same failed expectations); by default
                          any failed expectation or hitting the limit counts

Exit status: 0 the minimized scenario was written; 2 bad usage, an invalid
scenario, or a scenario that does not fail (nothing to minimize); 4 internal
error.`;

export async function minimizeCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv.map((a) => (a === '-o' ? '--output' : a)), { output: { value: true, meta: 'OUT.yaml' }, same: {}, help: {} });
  if (args.flags.has('help')) { process.stdout.write(MINIMIZE_HELP + '\n'); return EXIT.OK; }
  expectPositionals(args, 'minimize', { names: ['SCENARIO.yaml'] });
  const out = args.options.get('output')?.[0];
  if (!out) throw new UsageError('minimize: give the output file with -o OUT.yaml');
  const file = args.positionals[0];
  const scenario = loadScenario(file);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  checkOutputPath(out, 'minimize: -o', scenarioInputs(file, scenario.boardName));
  const say = (line: string) => process.stderr.write(line + '\n');
  const n = scenario.faults.length;
  say(`minimize: ${scenario.name}: ${n} fault(s)`);
  const r = await minimizeFaults(scenario, {
    same: args.flags.has('same'),
    onTest: (t) => say(`minimize: test ${t.test}: ${t.kept.length} of ${t.of} fault(s)${t.kept.length && t.kept.length < t.of ? ` [${t.kept.map((i) => i + 1).join(', ')}]` : ''}: ${t.verdict}${t.fails ? ' (still fails)' : ''}`),
  });
  if (!r.reproduced) {
    say(`minimize: ${file} does not fail with all its faults (verdict ${r.full.verdict}): nothing to minimize`);
    return EXIT.USAGE;
  }
  const kept = r.kept.map((i) => scenario.faults[i]);
  const note = ` Faults minimized by bringup minimize from ${path.basename(file)}: ${kept.length} of ${n} kept\n (faults ${r.kept.map((i) => i + 1).join(', ') || 'none'}; ${r.tests} test runs, verdict ${r.minimal.verdict}).`;
  const text = minimizedScenarioText(file, r.kept, out, note);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, text);
  // The file written must fail as the minimal run did.
  const check = runScenario(loadScenario(out));
  if (check.verdict !== r.minimal.verdict) throw new Error(`the minimized scenario ${out} gives ${check.verdict}, not ${r.minimal.verdict} as when it was minimized`);
  process.stdout.write([
    `${kept.length} of ${n} fault(s) still make ${scenario.name} fail (${r.minimal.verdict}), after ${r.tests} test runs:`,
    ...(kept.length ? kept.map((f) => `  fault ${f.index + 1}: ${f.description}`) : ['  none: it fails without any fault']),
    ...r.minimal.expectations.filter((e) => !e.ok).map((e) => `  FAILED ${e.what}`),
    `written to ${out}`,
  ].join('\n') + '\n');
  return EXIT.OK;
}
