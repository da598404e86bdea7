/** `bringup diff`: the first divergence between two recorded runs. */

import { parseArgs, UsageError } from './args';
import { EXIT } from './exit-codes';
import { openRecording } from './replay';
import { diffEvents, diffInstructions, formatDiff, locateEvents, sameImages, type DiffResult, type Side } from '../replay/diff';
import { AddressSpaces } from '../replay/symbols';
import { openReplay } from '../scenario/record/recording';
import { compilePattern } from '../scenario/file/scenario-file';

export const DIFF_HELP = `usage: bringup diff A B [--json] [--events KINDS] [--ignore-console REGEX]...
                     [--images-a DIR] [--images-b DIR]

Finds the first divergence between two recordings.

Same images (same board and image hashes): a binary search over the chunk
state hashes finds the chunk where the runs part, then both are replayed to
it and stepped instruction by instruction. Recordings made with different
--chunk sizes: the one with the coarser chunks is replayed against the other's
chunk hashes (at full speed), which bounds the divergence to one fine chunk.
Printed: the instruction count (the number of instructions both executed
identically), PC, symbol and disassembly on both sides, the registers side by
side with the differing ones marked, the input entries at that point, the last
common console output and the first differing event.

Several cores (same images): both runs step one instruction at a time in the
order of the schedule (whichever core executes next); printed: the time of
the last common state, the core that diverged first (its registers differ,
its turn went differently, or a differing input entry acts on it), and every
core's registers on both sides.

Different images (two builds): the observable event streams are compared in
order: console lines (whole lines; the UART writes that carry them are not
compared byte by byte), MMIO writes, exceptions (IRQs, aborts, hypercalls
with their arguments) and inputs. Printed: the last equal console line, the
first differing event on each side with its instruction count and PC with
symbol (for a console line or MMIO write, the instruction that wrote it,
found by replaying each run; without the images, no PC), the common events
before it and what follows on each side.

  --json           the result as JSON, for tools
  --events KINDS   compare only these event kinds (comma separated:
                   console,mmio,exception,input); forces the event comparison
  --ignore-console REGEX   skip console lines matching REGEX (or /regex/i) on
                   both sides before comparing: known harmless differences
                   (a version banner, a build date). Repeatable; forces the
                   event comparison
  --images-a DIR, --images-b DIR   where each run's images are (see replay)

Exit status: 0 the runs are identical; 1 they diverge; 2 bad usage or an
unreadable recording.`;

const KINDS = ['console', 'mmio', 'exception', 'input'];

export async function diffCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    json: {}, events: { value: true }, 'ignore-console': { value: true, repeat: true }, 'images-a': { value: true }, 'images-b': { value: true }, help: {},
  });
  if (args.flags.has('help')) { process.stdout.write(DIFF_HELP + '\n'); return EXIT.OK; }
  if (args.positionals.length !== 2) throw new UsageError('diff: give two recordings A B (see bringup diff --help)');
  const kinds = args.options.get('events')?.[0]?.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds ?? []) if (!KINDS.includes(k)) throw new UsageError(`--events: unknown kind '${k}' (kinds: ${KINDS.join(', ')})`);
  const ignoreConsole = (args.options.get('ignore-console') ?? []).map((p) => {
    if (/^\/.*\/[a-z]*$/.test(p)) {
      const c = compilePattern(p);
      if (typeof c === 'string') throw new UsageError(`--ignore-console: ${c}`);
      return c.regex;
    }
    try { return new RegExp(p); } catch (e) { throw new UsageError(`--ignore-console: '${p}' is not a regular expression: ${(e as Error).message}`); }
  });
  const [fa, fb] = args.positionals;
  const a = openRecording(fa), b = openRecording(fb);
  let result: DiffResult;
  if (!kinds && !ignoreConsole.length && sameImages(a, b)) {
    const sa = openReplay(a, { imagesDir: args.options.get('images-a')?.[0] });
    const sb = openReplay(b, { imagesDir: args.options.get('images-b')?.[0] });
    const A: Side = { rec: a, replayer: sa.replayer, symbols: new AddressSpaces(sa.boot) };
    const B: Side = { rec: b, replayer: sb.replayer, symbols: new AddressSpaces(sb.boot) };
    result = diffInstructions({ ...A, replayer: sa.replayer }, { ...B, replayer: sb.replayer });
    if (result.mode === 'instruction' && result.firstEvent) locateEvents(result.firstEvent, A, B);
  } else {
    result = diffEvents(a, b, { kinds, ignoreConsole });
    if (result.mode === 'events') {
      // PCs need each run replayed; without its images an event keeps just its instruction count.
      const side = (rec: typeof a, dir: string | undefined, label: string): Side => {
        try {
          const s = openReplay(rec, { imagesDir: dir });
          return { rec, replayer: s.replayer, symbols: new AddressSpaces(s.boot) };
        } catch (e) {
          process.stderr.write(`bringup: ${label}: no PCs for console lines (${(e as Error).message.split('\n')[0]})\n`);
          return { rec, symbols: new Map() };
        }
      };
      locateEvents(result, side(a, args.options.get('images-a')?.[0], fa), side(b, args.options.get('images-b')?.[0], fb));
    }
  }
  if (args.flags.has('json')) process.stdout.write(JSON.stringify({ a: fa, b: fb, ...result }, null, 2) + '\n');
  else process.stdout.write(formatDiff(result, [`A ${fa}`, `B ${fb}`]).join('\n') + '\n');
  return result.mode === 'identical' ? EXIT.OK : EXIT.EXPECTATION_FAILED;
}
