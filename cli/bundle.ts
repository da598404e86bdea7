/** `bringup bundle`: a recording with its images, to replay anywhere. */

import { parseArgs, UsageError, expectPositionals } from './args';
import { EXIT } from './exit-codes';
import { openRecording } from './replay';
import { bundleRecording } from '../scenario/record/recording';
import { RecordingWriteError } from '../replay/writer';

export const BUNDLE_HELP = `usage: bringup bundle RECORDING -o OUT [--images DIR]

Packs a recording with everything its replay needs — the kernel, every image
of the boot volume, the domain configuration and the board file — into one
file that \`bringup replay\` and \`bringup diff\` take like any recording, on a
machine that has nothing else. The images are checked against the hashes in
the recording first (from the scenario's files, or from --images DIR).

OUT is written whole or not at all: when it cannot be written (a full disk,
a read-only file system, a folder), bundle says why and leaves no partial file.

Exit status: 0 written; 2 bad usage, a damaged recording, images that differ
from the recording, or OUT that cannot be written.`;

export async function bundleCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv.map((a) => (a === '-o' ? '--output' : a)), { output: { value: true }, images: { value: true }, help: {} });
  if (args.flags.has('help')) { process.stdout.write(BUNDLE_HELP + '\n'); return EXIT.OK; }
  const out = args.options.get('output')?.[0];
  expectPositionals(args, 'bundle', { names: ['RECORDING'], looksLike: (v) => /\.bur$/i.test(v) });
  if (!out) throw new UsageError('bundle: give -o OUT, the file to write (see bringup bundle --help)');
  const rec = openRecording(args.positionals[0]);
  let r: { images: number; bytes: number };
  try {
    r = bundleRecording(rec, out, { imagesDir: args.options.get('images')?.[0] });
  } catch (e) {
    if (e instanceof RecordingWriteError) throw new UsageError(`bundle: ${e.message}`);
    throw e;
  }
  process.stdout.write(`${out}: ${r.images} image(s) embedded, ${r.bytes} bytes\n`);
  if (rec.checkpointsInIndex && !rec.indexComplete) {
    process.stderr.write(`bringup: the bundle has no checkpoints (the recording's checkpoint index is missing or incomplete): its seeks replay from the boot until \`bringup replay ${out} --verify\` writes its index\n`);
  }
  return EXIT.OK;
}
