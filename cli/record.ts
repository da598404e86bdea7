/** `bringup record`: `bringup run` with a recording always written (to -o FILE or NAME.bur). */

import * as path from 'node:path';
import { parseArgs, expectPositionals } from './args';
import { EXIT } from './exit-codes';
import { runCommand } from './run';

export const RECORD_HELP = `usage: bringup record SCENARIO.yaml [-o FILE] [--trace off|events|full] [--chunk N]
                      [--checkpoint-every N] [--checkpoints index|inline] [--quiet]

Runs a scenario like \`bringup run\` and records it (docs/recording-format.md):
the input log, console output, a state hash per chunk of execution and, with
--trace, the events or the full instruction trace; periodic incremental
checkpoints go to the side file FILE.idx (the checkpoint index: seeks start
from them; \`bringup replay FILE --verify\` writes it again if it is lost).
Both are written as the run goes: a run that is killed leaves a recording
that replays up to its last complete chunk.

  -o FILE          where to write (default: NAME.bur in the current folder, NAME
                   being the scenario file's name without .yaml)
  --trace LEVEL    off: inputs, console and state hashes only;
                   events (default): also exceptions, IRQs, hypercalls and MMIO writes;
                   full: also every instruction's PC, register and memory writes (slow; one
                   core only: a tegra2-xoom scenario needs smp: 1)
  --chunk N        instructions per chunk (state hash granularity; default 32000000)
  --checkpoint-every N
                   a checkpoint every N chunks (default 1; more: a smaller index,
                   slower seeks)
  --checkpoints index|inline
                   index (default): checkpoints in FILE.idx; inline: in the
                   recording itself (one file that seeks fast)
  --quiet          do not show the console

Exit status as for \`bringup run\`; the recording is kept whatever the verdict.`;

export async function recordCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv.map((a) => (a === '-o' ? '--output' : a)), {
    output: { value: true, meta: 'FILE' }, trace: { value: true, meta: 'LEVEL' }, chunk: { value: true, meta: 'N' },
    'checkpoint-every': { value: true, meta: 'N' }, checkpoints: { value: true, meta: 'index|inline' }, quiet: {}, help: {},
  });
  if (args.flags.has('help')) { process.stdout.write(RECORD_HELP + '\n'); return EXIT.OK; }
  expectPositionals(args, 'record', { names: ['SCENARIO.yaml'] });
  const file = args.positionals[0];
  const out = args.options.get('output')?.[0] ?? `${path.basename(file).replace(/\.ya?ml$/, '')}.bur`;
  const passOn = ['trace', 'chunk', 'checkpoint-every', 'checkpoints'].flatMap((o) => (args.options.has(o) ? [`--${o}`, args.options.get(o)![0]] : []));
  return runCommand([file, '--record', out, ...passOn, ...(args.flags.has('quiet') ? ['--quiet'] : [])]);
}
