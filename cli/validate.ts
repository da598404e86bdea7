/** `bringup validate`: checks scenario (and other bringup YAML) files without running anything. */

import { parseArgs, UsageError } from './args';
import { EXIT } from './exit-codes';
import { validateFile } from '../scenario/file/validate';
import { InputFileError } from '../scenario/file/yaml-file';
import { ImageError } from '../machine/loaders/elf';
import { InputFileUnusable } from '../io/input-file';

export const VALIDATE_HELP = `usage: bringup validate FILE...

Checks each file without running it and prints "FILE: ok (what it is)", or
every problem of the file, in line order, one per line:

  FILE:LINE:COLUMN: what is wrong

The kind of file follows from its yaml-language-server $schema comment (or
its content):
  scenarios            schemas/scenario.schema.json, fully resolved: unknown
                       symbols, missing image files, devices not on the board,
                       faults that can never fire
  boot volume manifests schemas/boot-volume.schema.json
  boards               schemas/board.schema.json
  firmware profiles    schemas/profile.schema.json (docs/profiles.md): dump
                       patterns that do not compile or capture nothing,
                       domain table fields outside their entry
A mistyped key, value, symbol, device, board or profile name is answered with
the nearest known one ("did you mean expect?").
YAML nested more than 64 levels deep, an alias before its anchor and aliases
that expand to more than 10000 nodes are refused at their line and column;
a folder, a device or a /proc file given as FILE is refused by name.

Exit status: 0 all files are valid; 2 a file is invalid or bad usage.`;

export async function validateCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { help: {} });
  if (args.flags.has('help')) { process.stdout.write(VALIDATE_HELP + '\n'); return EXIT.OK; }
  if (!args.positionals.length) throw new UsageError('validate: give at least one FILE (see bringup validate --help)');
  let bad = 0;
  for (const file of args.positionals) {
    try {
      const what = validateFile(file);
      process.stdout.write(`${file}: ok (${what})\n`);
    } catch (e) {
      if (!(e instanceof InputFileError || e instanceof ImageError || e instanceof InputFileUnusable)) throw e;
      bad++;
      process.stderr.write(`${e.message}\n`);
    }
  }
  return bad ? EXIT.USAGE : EXIT.OK;
}
