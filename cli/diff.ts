/** `bringup diff`: the first divergence between two recorded runs. */

import { parseArgs, UsageError } from './args';
import { EXIT } from './exit-codes';
import { openRecording } from './replay';
import { diffEvents, diffInstructions, formatDiff, sameImages, type DiffResult } from '../replay/diff';
import { openReplay } from '../scenario/recording';

export const DIFF_HELP = `usage: bringup diff A B [--json] [--events KINDS] [--images-a DIR] [--images-b DIR]

Finds the first divergence between two recordings.

Same images (same board and image hashes): a binary search over the chunk
state hashes finds the chunk where the runs part, then both are replayed to
it and stepped instruction by instruction. Printed: the instruction count
(the number of instructions both executed identically), PC, symbol and
disassembly on both sides, the registers side by side with the differing ones
marked, the input entries at that point, the last common console output and
the first differing event.

Different images (two builds): the observable event streams are compared in
order: console lines, MMIO writes, exceptions (IRQs, aborts, hypercalls with
their arguments) and inputs. Printed: the first differing event with the
common events before it and what follows on each side.

  --json           the result as JSON, for tools
  --events KINDS   compare only these event kinds (comma separated:
                   console,mmio,exception,input); forces the event comparison
  --images-a DIR, --images-b DIR   where each run's images are (see replay)

Exit status: 0 the runs are identical; 1 they diverge; 2 bad usage or an
unreadable recording.`;

const KINDS = ['console', 'mmio', 'exception', 'input'];

export async function diffCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { json: {}, events: { value: true }, 'images-a': { value: true }, 'images-b': { value: true }, help: {} });
  if (args.flags.has('help')) { process.stdout.write(DIFF_HELP + '\n'); return EXIT.OK; }
  if (args.positionals.length !== 2) throw new UsageError('diff: give two recordings A B (see bringup diff --help)');
  const kinds = args.options.get('events')?.[0]?.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds ?? []) if (!KINDS.includes(k)) throw new UsageError(`--events: unknown kind '${k}' (kinds: ${KINDS.join(', ')})`);
  const [fa, fb] = args.positionals;
  const a = openRecording(fa), b = openRecording(fb);
  let result: DiffResult;
  if (!kinds && sameImages(a, b)) {
    const sa = openReplay(a, { imagesDir: args.options.get('images-a')?.[0] });
    const sb = openReplay(b, { imagesDir: args.options.get('images-b')?.[0] });
    result = diffInstructions({ rec: a, replayer: sa.replayer, symbols: sa.symbols }, { rec: b, replayer: sb.replayer, symbols: sb.symbols });
  } else {
    result = diffEvents(a, b, kinds);
  }
  if (args.flags.has('json')) process.stdout.write(JSON.stringify({ a: fa, b: fb, ...result }, null, 2) + '\n');
  else process.stdout.write(formatDiff(result, [`A ${fa}`, `B ${fb}`]).join('\n') + '\n');
  return result.mode === 'identical' ? EXIT.OK : EXIT.EXPECTATION_FAILED;
}
