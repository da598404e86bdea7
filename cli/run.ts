/** `bringup run`: runs a scenario with its console live and prints the verdict. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, parseCount, UsageError, expectPositionals } from './args';
import { EXIT } from './exit-codes';
import { parse as parseYaml } from 'yaml';
import { onStopSignal, stopStatus, type StopSignal } from './signals';
import { checkOutputPath, checkOutputFolder, isWriteError, writeErrorReason } from './output-path';
import { runScenarioYielding, runScenarioDriven } from '../scenario/run/runner';
import { takeGdbOption, serveGdb, scenarioSymbolImages, describeSessionEnd, GDB_OPTION_HELP } from './gdb-serve';
import { recordingsDir } from '../scenario/record/recording';
import { ProgressLine } from './progress';
import { loadScenario } from '../scenario/file/scenario-file';
import type { RunOptions } from '../scenario/run/runner';
import { runKeepingFailuresYielding, runRecordedYielding, type RecordOptions } from '../scenario/record/recording';
import type { CheckpointPlace, TraceLevel } from '../replay/format';
import { formatReport } from '../scenario/check/report';

export const RUN_HELP = `usage: bringup run SCENARIO.yaml [--quiet] [--artifacts DIR] [--record FILE] [--trace LEVEL] [--chunk N]
                   [--checkpoint-every N] [--checkpoints index|inline] [--gdb [PORT|-]]

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
                    MMIO writes; full: also every instruction (slow; one core
                    only: a tegra2-xoom scenario needs smp: 1)
  --chunk N         instructions per recorded chunk (state hash; default 32000000)
  --checkpoint-every N
                    a checkpoint (the pages written since the previous one and
                    the machine state) every N chunks (default 1): more means a
                    smaller index and slower seeks in a replay
  --checkpoints index|inline
                    where the checkpoints go: index (default), the side file
                    FILE.idx, which replay --verify writes again if it is lost
                    (the recording stays small: inputs, console, hashes);
                    inline, in the recording itself (one file that seeks fast)
${GDB_OPTION_HELP}.
                    A run under gdb is not recorded (gdb can change registers
                    and memory): debug a recording with bringup replay --gdb

Exit status: 0 every expectation met; 1 an expectation failed; 2 bad usage or
an invalid scenario (file:line:column: what is wrong); 3 the run hit its limit
(limits.time / limits.instructions) without the expected end; 4 internal error;
130 interrupted (Ctrl-C; 143 for SIGTERM): the run stops where it is, the
report covers it so far and the recording is complete up to there (kept, and
named). A --record FILE that cannot be written (missing or read-only folder,
a folder, one of the run's own inputs) is exit 2 before the run; if writing
the recording fails during the run (e.g. the disk is full), the verdict is
still printed, with the reason the recording failed, and the exit status is 2.
If the reader of stdout goes away (\`| head\`), the run still completes its
recording and the exit status is still the verdict's.

With --gdb the run ends when the guest does (halt, limit, a decided verdict)
while gdb has it running, or when gdb detaches, kills it or the connection
closes; the report then covers the run as far as it got. The exit status is
the verdict's when the run reached its end; a run gdb left before its end is
'interrupted' (130, as for Ctrl-C).`;

export async function runCommand(argvIn: string[]): Promise<number> {
  const { argv, gdb } = takeGdbOption(argvIn, 'run');
  const args = parseArgs(argv, {
    quiet: {}, help: {}, artifacts: { value: true, meta: 'DIR' }, record: { value: true, meta: 'FILE' }, trace: { value: true, meta: 'LEVEL' },
    chunk: { value: true, meta: 'N' }, 'checkpoint-every': { value: true, meta: 'N' }, checkpoints: { value: true, meta: 'index|inline' },
  });
  if (args.flags.has('help')) { process.stdout.write(RUN_HELP + '\n'); return EXIT.OK; }
  expectPositionals(args, 'run', { names: ['SCENARIO.yaml'] });
  const scenarioFile = args.positionals[0];
  const scenario = loadScenario(scenarioFile);
  const quiet = args.flags.has('quiet');
  // With gdb on stdin/stdout, stdout carries the protocol: everything else goes to stderr.
  const stdio = gdb !== undefined && 'stdio' in gdb;
  const write = (text: string) => (stdio ? process.stderr : process.stdout).write(text);
  const progress = !quiet && !gdb && process.stderr.isTTY ? new ProgressLine(process.stderr, scenario.clockHz) : undefined;
  let atLineStart = true;
  const recordTo = args.options.get('record')?.[0];
  const recording = recordOptions(args.options);
  if (gdb && recordTo !== undefined) {
    throw new UsageError('run: --gdb and --record: a run under gdb is not recorded (gdb can change registers and memory); record the run without --gdb and debug the recording with bringup replay FILE --gdb');
  }
  // Where the recording goes is checked before the run: not one of the run's inputs, and writable.
  if (recordTo !== undefined) checkOutputPath(recordTo, 'run: --record', scenarioInputs(scenarioFile, scenario.boardName));
  else if (!gdb) checkOutputFolder(recordingsDir(), process.env.BRINGUP_RECORDINGS_DIR !== undefined ? 'run: $BRINGUP_RECORDINGS_DIR' : 'run: the recordings folder');
  // Ctrl-C (or SIGTERM) ends the run where it is: the report covers the run so far and the recording is
  // complete up to there. A second one does not wait.
  const interrupt = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const offSignal = onStopSignal((sig) => { if (interrupt.signal.aborted) process.exit(stopStatus(stoppedBy)); stoppedBy = sig; interrupt.abort(); });
  const run = async (options: RunOptions) => {
    const o = { ...options, ...recording, signal: interrupt.signal };
    try {
      return await (recordTo ? runRecordedYielding(scenario, recordTo, o) : runKeepingFailuresYielding(scenario, o));
    } catch (e) {
      if (!isWriteError(e)) throw e;
      // The recording could not be written (a full disk): the verdict must not be lost with it.
      // The run is deterministic, so running it again without a recording gives the same verdict.
      const file = (e as { file?: string }).file ?? recordTo ?? recordingsDir();
      recordingFailed = `the recording ${file} could not be written: ${writeErrorReason(e)}; the verdict above is from the same run without a recording`;
      return Object.assign(await runScenarioYielding(scenario, { signal: interrupt.signal, slice: options.slice }), { recording: undefined as string | undefined });
    }
  };
  let recordingFailed: string | undefined;
  const options: RunOptions = {
    onOutput: quiet ? undefined : (text) => {
      progress?.clear();
      write(text);
      if (text.length) atLineStart = text.endsWith('\n');
    },
    // Slices short enough for the progress line to move about ten times a second.
    slice: progress ? 2_000_000 : undefined,
    onProgress: progress ? (icount, limit) => { if (atLineStart) progress.update(icount, limit); } : undefined,
  };
  const result = await (gdb
    ? runScenarioDriven(scenario, options, async (machine) => {
      const served = await serveGdb(machine, gdb, {
        command: 'run', images: scenarioSymbolImages(scenarioFile, scenario.kernel), commandLine: ['bringup', 'run', ...argvIn],
        limit: scenario.limit, stop: interrupt.signal, log: (text) => { process.stderr.write(text); },
        domains: { table: scenario.profile.domainTable, symbol: (name) => scenario.symbols.get('')?.find((s) => s.name === name)?.value },
      });
      // Left before its end: the run is reported as interrupted there.
      if (!served.target.ended && served.end !== 'signal') process.stderr.write(`bringup: ${describeSessionEnd(served.end)} before the run's end; it is reported as interrupted there\n`);
      return served.target.ended;
    })
    : run(options)).finally(offSignal);
  progress?.clear();
  write(`${atLineStart ? '' : '\n'}${quiet ? '' : '\n'}${formatReport(result)}\n`);
  if (result.recording) write(`recording: ${path.relative(process.cwd(), result.recording) || result.recording} (bringup replay ${result.verdict === 'pass' ? '--verify ' : result.verdict === 'interrupted' ? '' : '--to-crash '}FILE)\n`);
  const artifacts = result.expectations.filter((e) => e.artifact);
  if (artifacts.length) {
    const dir = path.resolve(args.options.get('artifacts')?.[0] ?? 'reports');
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const e of artifacts) {
        const file = path.join(dir, e.artifact!.name);
        fs.writeFileSync(file, e.artifact!.data);
        write(`${e.what}: the actual ${e.artifact!.mediaType === 'image/png' ? 'picture' : 'output'} is in ${path.relative(process.cwd(), file) || file}\n`);
      }
    } catch (e) {
      if (!isWriteError(e)) throw e;
      // The verdict is printed above; the files it names could not be written.
      recordingFailed ??= `the artifacts could not be written to ${dir}: ${writeErrorReason(e)}`;
    }
  }
  if (recordingFailed) {
    process.stderr.write(`bringup: ${recordingFailed}\n`);
    return EXIT.USAGE;
  }
  return result.verdict === 'pass' ? EXIT.OK : result.verdict === 'limit' ? EXIT.LIMIT : result.verdict === 'interrupted' ? stopStatus(stoppedBy) : EXIT.EXPECTATION_FAILED;
}

/**
 * The files a scenario reads (the scenario, its board file, kernel, device
 * tree, initrd, boot volume manifest and images, golden pictures): every
 * string in it, and in a volume manifest it names, that resolves to an
 * existing file. An output must be none of them.
 */
export function scenarioInputs(file: string, boardName?: string): string[] {
  const found = new Set<string>([file]);
  if (boardName && fs.existsSync(boardName)) found.add(boardName);
  const walk = (yamlFile: string, depth: number) => {
    let doc: unknown;
    try { doc = parseYaml(fs.readFileSync(yamlFile, 'utf8')); } catch { return; }
    const dir = path.dirname(path.resolve(yamlFile));
    const visit = (v: unknown) => {
      if (typeof v === 'string') {
        if (v.length > 4096 || v.includes('\n')) return;
        const p = path.resolve(dir, v);
        let st: fs.Stats | undefined;
        try { st = fs.statSync(p); } catch { return; }
        if (!st.isFile() || found.has(p)) return;
        found.add(p);
        if (depth < 2 && /\.ya?ml$/i.test(p)) walk(p, depth + 1);
      } else if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') Object.values(v).forEach(visit);
    };
    visit(doc);
  };
  walk(file, 0);
  return [...found];
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
  const checkpoints = (options.get('checkpoints')?.[0] ?? 'index') as CheckpointPlace;
  if (!['index', 'inline'].includes(checkpoints)) throw new UsageError(`--checkpoints: '${checkpoints}' is not one of index, inline`);
  return { trace, chunk, checkpointEvery, checkpoints };
}
