/** The `bringup` command: dispatches to one module per subcommand. */

import { applyEngineFromEnvironment } from '../io/engine';
import { UsageError } from './args';
import { EXIT } from './exit-codes';
import { execCommand, EXEC_HELP } from './exec';
import { disasmCommand, DISASM_HELP } from './disasm';
import { volumeCommand, VOLUME_HELP } from './volume';
import { runCommand, RUN_HELP } from './run';
import { validateCommand, VALIDATE_HELP } from './validate';
import { testCommand, TEST_HELP } from './test';
import { stepsCommand, STEPS_HELP } from './steps';
import { recordCommand, RECORD_HELP } from './record';
import { replayCommand, REPLAY_HELP } from './replay';
import { diffCommand, DIFF_HELP } from './diff';
import { bundleCommand, BUNDLE_HELP } from './bundle';
import { bisectCommand, BISECT_HELP } from './bisect';
import { minimizeCommand, MINIMIZE_HELP } from './minimize';
import { traceCommand, TRACE_HELP } from './trace';
import { initCommand, INIT_HELP } from './init';
import { InputFileError } from '../scenario/file/yaml-file';
import { ImageError } from '../machine/loaders/elf';
import { ImageMismatchError } from '../scenario/record/recording';
import { RecordingRefused } from '../replay/boot-record';
import { InputFileUnusable } from '../io/input-file';
import { guardOutput, stdoutClosed } from './output';

const VERSION: string = require('../../package.json').version;

const HELP = `bringup ${VERSION} — deterministic bring-up testing on a simulated NVIDIA Tegra2

usage: bringup COMMAND [options]      (bringup COMMAND --help for details)

commands:
  exec      run a bare-metal ELF, or boot a kernel with the board's boot protocol
  disasm    disassemble A32 instruction words or an ELF
  volume    pack, list and extract boot volumes (images + domain configuration)
  run       run a scenario (YAML): boot, inject faults, check the console
  validate  check scenario, boot volume, board and firmware profile files without running them
  init      set up your own repository for bringup: features, scenarios, steps
  test      run the Cucumber features (features/**/*.feature of this repository or your project)
  steps     list the steps features can use (--markdown: docs/steps.md)
  record    run a scenario and record it
  replay    replay a recording to an instruction, symbol, crash or console line; --verify
  diff      the first divergence between two recordings
  bundle    pack a recording with its images to replay anywhere
  bisect    find the commit (or image) that broke a scenario
  minimize  reduce a failing scenario's faults to a minimal failing set
  trace     write a Perfetto trace of a recording (ui.perfetto.dev)
  version   print the version

exit status: 0 pass; 1 an expectation failed; 2 bad usage or invalid input
(or an output that cannot be written); 3 the run hit its instruction limit;
4 internal error (a bug); 5 replay --to-crash found no crash in the recording;
130 interrupted by Ctrl-C, 143 by SIGTERM; 141 bringup exec stopped because
the reader of stdout went away

environment: BRINGUP_ENGINE=interpreter|jit chooses how the simulated cores
execute (default jit, the faster; both give the same runs, docs/translator.md)`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  exec: { run: execCommand, help: EXEC_HELP },
  disasm: { run: disasmCommand, help: DISASM_HELP },
  volume: { run: volumeCommand, help: VOLUME_HELP },
  run: { run: runCommand, help: RUN_HELP },
  validate: { run: validateCommand, help: VALIDATE_HELP },
  test: { run: testCommand, help: TEST_HELP },
  steps: { run: stepsCommand, help: STEPS_HELP },
  record: { run: recordCommand, help: RECORD_HELP },
  replay: { run: replayCommand, help: REPLAY_HELP },
  diff: { run: diffCommand, help: DIFF_HELP },
  bundle: { run: bundleCommand, help: BUNDLE_HELP },
  bisect: { run: bisectCommand, help: BISECT_HELP },
  minimize: { run: minimizeCommand, help: MINIMIZE_HELP },
  trace: { run: traceCommand, help: TRACE_HELP },
  init: { run: initCommand, help: INIT_HELP },
};


export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // A closed stdout (`bringup run ... | head`) ends nothing by itself: output is dropped from then on.
  guardOutput();
  try {
    if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      const topic = cmd === 'help' ? rest[0] : undefined;
      process.stdout.write((topic && COMMANDS[topic] ? COMMANDS[topic].help : HELP) + '\n');
      return cmd ? EXIT.OK : EXIT.USAGE;
    }
    if (cmd === 'version' || cmd === '--version') { process.stdout.write(`bringup ${VERSION}\n`); return EXIT.OK; }
    const c = COMMANDS[cmd];
    if (!c) {
      throw new UsageError(`unknown command '${cmd}' (see bringup --help)`);
    }
    try { applyEngineFromEnvironment(); } catch (e) { throw new UsageError((e as Error).message); }
    return await c.run(rest);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ImageError || e instanceof InputFileError || e instanceof ImageMismatchError || e instanceof RecordingRefused || e instanceof InputFileUnusable) {
      process.stderr.write(`bringup: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if ((e as NodeJS.ErrnoException).code === 'EPIPE' && stdoutClosed()) return EXIT.PIPE_CLOSED;
    process.stderr.write(`bringup: internal error: ${(e as Error).stack ?? e}\n`);
    return EXIT.INTERNAL;
  }
}
