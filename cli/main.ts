/** The `bringup` command: dispatches to one module per subcommand. */

import { applyEngineFromEnvironment } from '../io/engine';
import { UsageError } from './args';
import { EXIT } from './exit-codes';
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

interface Command { run: (argv: string[]) => Promise<number>; help: string }

/**
 * Each command's module, loaded when it is asked for: a run does not wait
 * for the modules of the others (Cucumber for test and steps, the trace and
 * bisect writers) to load.
 */
const COMMANDS: Record<string, () => Command> = {
  exec: () => { const m: typeof import('./exec') = require('./exec'); return { run: m.execCommand, help: m.EXEC_HELP }; },
  disasm: () => { const m: typeof import('./disasm') = require('./disasm'); return { run: m.disasmCommand, help: m.DISASM_HELP }; },
  volume: () => { const m: typeof import('./volume') = require('./volume'); return { run: m.volumeCommand, help: m.VOLUME_HELP }; },
  run: () => { const m: typeof import('./run') = require('./run'); return { run: m.runCommand, help: m.RUN_HELP }; },
  validate: () => { const m: typeof import('./validate') = require('./validate'); return { run: m.validateCommand, help: m.VALIDATE_HELP }; },
  test: () => { const m: typeof import('./test') = require('./test'); return { run: m.testCommand, help: m.TEST_HELP }; },
  steps: () => { const m: typeof import('./steps') = require('./steps'); return { run: m.stepsCommand, help: m.STEPS_HELP }; },
  record: () => { const m: typeof import('./record') = require('./record'); return { run: m.recordCommand, help: m.RECORD_HELP }; },
  replay: () => { const m: typeof import('./replay') = require('./replay'); return { run: m.replayCommand, help: m.REPLAY_HELP }; },
  diff: () => { const m: typeof import('./diff') = require('./diff'); return { run: m.diffCommand, help: m.DIFF_HELP }; },
  bundle: () => { const m: typeof import('./bundle') = require('./bundle'); return { run: m.bundleCommand, help: m.BUNDLE_HELP }; },
  bisect: () => { const m: typeof import('./bisect') = require('./bisect'); return { run: m.bisectCommand, help: m.BISECT_HELP }; },
  minimize: () => { const m: typeof import('./minimize') = require('./minimize'); return { run: m.minimizeCommand, help: m.MINIMIZE_HELP }; },
  trace: () => { const m: typeof import('./trace') = require('./trace'); return { run: m.traceCommand, help: m.TRACE_HELP }; },
  init: () => { const m: typeof import('./init') = require('./init'); return { run: m.initCommand, help: m.INIT_HELP }; },
};

/** The command named `name` (its module loaded), or undefined. */
function command(name: string): Command | undefined {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name]() : undefined;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // A closed stdout (`bringup run ... | head`) ends nothing by itself: output is dropped from then on.
  guardOutput();
  try {
    if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      const topic = cmd === 'help' && rest[0] ? command(rest[0]) : undefined;
      process.stdout.write((topic ? topic.help : HELP) + '\n');
      return cmd ? EXIT.OK : EXIT.USAGE;
    }
    if (cmd === 'version' || cmd === '--version') { process.stdout.write(`bringup ${VERSION}\n`); return EXIT.OK; }
    const c = command(cmd);
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
