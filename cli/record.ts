/** `bringup record`: runs a scenario and records it. */

import * as path from 'node:path';
import { parseArgs, parseCount, UsageError } from './args';
import { EXIT } from './exit-codes';
import { loadScenario } from '../scenario/scenario-file';
import { runRecorded } from '../scenario/recording';
import { formatReport } from '../scenario/report';
import type { TraceLevel } from '../replay/format';

export const RECORD_HELP = `usage: bringup record SCENARIO.yaml [-o FILE] [--trace off|events|full] [--chunk N] [--quiet]

Runs a scenario like \`bringup run\` and records it (docs/recording-format.md):
the input log, console output, a state hash per chunk of execution, periodic
incremental checkpoints and, with --trace, the events or the full
instruction trace. The file is written as the run goes: a run that is killed
leaves a recording that replays up to its last complete chunk.

  -o FILE          where to write (default: NAME.bur next to the scenario's name, in the current folder)
  --trace LEVEL    off: inputs, console and state hashes only;
                   events (default): also exceptions, IRQs, hypercalls and MMIO writes;
                   full: also every instruction's PC, register and memory writes (slow)
  --chunk N        instructions per chunk (state hash granularity; default 250000)
  --quiet          do not show the console

Exit status as for \`bringup run\`; the recording is kept whatever the verdict.`;

export async function recordCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv.map((a) => (a === '-o' ? '--output' : a)), { output: { value: true }, trace: { value: true }, chunk: { value: true }, quiet: {}, help: {} });
  if (args.flags.has('help')) { process.stdout.write(RECORD_HELP + '\n'); return EXIT.OK; }
  if (args.positionals.length !== 1) throw new UsageError('record: give exactly one SCENARIO.yaml (see bringup record --help)');
  const trace = (args.options.get('trace')?.[0] ?? 'events') as TraceLevel;
  if (!['off', 'events', 'full'].includes(trace)) throw new UsageError(`--trace: '${trace}' is not one of off, events, full`);
  const chunkText = args.options.get('chunk')?.[0];
  const chunk = chunkText ? parseCount(chunkText, '--chunk') : undefined;
  if (chunk === 0) throw new UsageError('--chunk: must be at least 1');
  const file = args.positionals[0];
  const scenario = loadScenario(file);
  const out = args.options.get('output')?.[0] ?? `${path.basename(file).replace(/\.ya?ml$/, '')}.bur`;
  const quiet = args.flags.has('quiet');
  let atLineStart = true;
  const result = runRecorded(scenario, out, {
    trace, chunk,
    onOutput: quiet ? undefined : (text) => { process.stdout.write(text); if (text.length) atLineStart = text.endsWith('\n'); },
  });
  process.stdout.write(`${atLineStart ? '' : '\n'}${quiet ? '' : '\n'}${formatReport(result)}\nrecording: ${out}\n`);
  return result.verdict === 'pass' ? EXIT.OK : result.verdict === 'limit' ? EXIT.LIMIT : EXIT.EXPECTATION_FAILED;
}
