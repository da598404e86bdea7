/** `bringup run`: runs a scenario with its console live and prints the verdict. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, parseCount, UsageError } from './args';
import { EXIT } from './exit-codes';
import { ProgressLine } from './progress';
import { loadScenario } from '../scenario/scenario-file';
import type { RunOptions } from '../scenario/runner';
import { runKeepingFailuresYielding, runRecordedYielding, type RecordOptions } from '../scenario/recording';
import type { TraceLevel } from '../replay/format';
import { formatReport } from '../scenario/report';

export const RUN_HELP = `usage: bringup run SCENARIO.yaml [--quiet] [--artifacts DIR] [--record FILE] [--trace LEVEL] [--chunk N]
                   [--checkpoint-every N]

Runs a scenario (schemas/scenario.schema.json; docs/scenarios.md): boots the
board with the scenario's kernel, command line and boot volume, types its
console input, injects its faults, and checks its expectations. The console is
shown as it is printed; the verdict follows, with the virtual time and
instruction count at which each expectation was met, when each fault fired,
and for a failure the console around where the expectation was not met.
On a terminal, a progress line on stderr shows the virtual time and
instructions against the run's limit.

  --quiet           do not show the console or the progress line, only the report
  --artifacts DIR   where files a failed expectation produces go, e.g. the
                    actual picture of a framebuffer mismatch (default: reports)
  --record FILE     record the run into FILE (docs/recording-format.md). Without
                    it the run is recorded anyway and the recording is kept only
                    when the scenario does not pass: the report names it
                    (.bringup/recordings, or $BRINGUP_RECORDINGS_DIR)
  --trace LEVEL     what the recording holds besides inputs, console and state
                    hashes: off; events (default): exceptions, IRQs, hypercalls,
                    MMIO writes; full: also every instruction (slow)
  --chunk N         instructions per recorded chunk (state hash; default 250000)
  --checkpoint-every N
                    a checkpoint (the pages written since the previous one and
                    the machine state) every N chunks (default 8): more means a
                    smaller file, fewer means faster seeks in a replay

Exit status: 0 every expectation met; 1 an expectation failed; 2 bad usage or
an invalid scenario (file:line:column: what is wrong); 3 the run hit its limit
(limits.time / limits.instructions) without the expected end; 4 internal error;
130 interrupted (Ctrl-C): the run stops where it is, the report covers it so
far and the recording is complete up to there (kept, and named).`;

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { quiet: {}, help: {}, artifacts: { value: true }, record: { value: true }, trace: { value: true }, chunk: { value: true }, 'checkpoint-every': { value: true } });
  if (args.flags.has('help')) { process.stdout.write(RUN_HELP + '\n'); return EXIT.OK; }
  if (args.positionals.length !== 1) throw new UsageError('run: give exactly one SCENARIO.yaml (see bringup run --help)');
  const scenario = loadScenario(args.positionals[0]);
  const quiet = args.flags.has('quiet');
  const progress = !quiet && process.stderr.isTTY ? new ProgressLine(process.stderr, scenario.clockHz) : undefined;
  let atLineStart = true;
  const recordTo = args.options.get('record')?.[0];
  const recording = recordOptions(args.options);
  // Ctrl-C ends the run where it is: the report covers the run so far and the recording is complete up to there.
  // A second Ctrl-C does not wait.
  const interrupt = new AbortController();
  const onSigint = () => { if (interrupt.signal.aborted) process.exit(EXIT.INTERRUPTED); interrupt.abort(); };
  process.on('SIGINT', onSigint);
  const run = (options: RunOptions) => {
    const o = { ...options, ...recording, signal: interrupt.signal };
    return recordTo ? runRecordedYielding(scenario, recordTo, o) : runKeepingFailuresYielding(scenario, o);
  };
  const result = await run({
    onOutput: quiet ? undefined : (text) => {
      progress?.clear();
      process.stdout.write(text);
      if (text.length) atLineStart = text.endsWith('\n');
    },
    // Slices short enough for the progress line to move about ten times a second.
    slice: progress ? 2_000_000 : undefined,
    onProgress: progress ? (icount, limit) => { if (atLineStart) progress.update(icount, limit); } : undefined,
  }).finally(() => process.off('SIGINT', onSigint));
  progress?.clear();
  process.stdout.write(`${atLineStart ? '' : '\n'}${quiet ? '' : '\n'}${formatReport(result)}\n`);
  if (result.recording) process.stdout.write(`recording: ${path.relative(process.cwd(), result.recording) || result.recording} (bringup replay ${result.verdict === 'pass' ? '--verify ' : result.verdict === 'interrupted' ? '' : '--to-crash '}FILE)\n`);
  const artifacts = result.expectations.filter((e) => e.artifact);
  if (artifacts.length) {
    const dir = path.resolve(args.options.get('artifacts')?.[0] ?? 'reports');
    fs.mkdirSync(dir, { recursive: true });
    for (const e of artifacts) {
      const file = path.join(dir, e.artifact!.name);
      fs.writeFileSync(file, e.artifact!.data);
      process.stdout.write(`${e.what}: the actual ${e.artifact!.mediaType === 'image/png' ? 'picture' : 'output'} is in ${path.relative(process.cwd(), file) || file}\n`);
    }
  }
  return result.verdict === 'pass' ? EXIT.OK : result.verdict === 'limit' ? EXIT.LIMIT : result.verdict === 'interrupted' ? EXIT.INTERRUPTED : EXIT.EXPECTATION_FAILED;
}

function recordOptions(options: Map<string, string[]>): RecordOptions {
  const trace = (options.get('trace')?.[0] ?? 'events') as TraceLevel;
  if (!['off', 'events', 'full'].includes(trace)) throw new UsageError(`--trace: '${trace}' is not one of off, events, full`);
  const chunkText = options.get('chunk')?.[0];
  const chunk = chunkText ? parseCount(chunkText, '--chunk') : undefined;
  if (chunk === 0) throw new UsageError('--chunk: must be at least 1');
  if (chunk !== undefined && chunk > 1e9) throw new UsageError('--chunk: at most 1000000000 instructions per chunk (docs/recording-format.md)');
  const everyText = options.get('checkpoint-every')?.[0];
  const checkpointEvery = everyText ? parseCount(everyText, '--checkpoint-every') : undefined;
  if (checkpointEvery === 0) throw new UsageError('--checkpoint-every: must be at least 1');
  if (checkpointEvery !== undefined && checkpointEvery > 1e6) throw new UsageError('--checkpoint-every: at most 1000000');
  return { trace, chunk, checkpointEvery };
}
