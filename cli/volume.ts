/** `bringup volume`: pack, list and extract boot volumes. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readVolume, VolumeError } from '../machine/boot/volume';
import { packManifest } from '../scenario/volume-manifest';
import { parseArgs, UsageError } from './args';
import { EXIT } from './exit-codes';

export const VOLUME_HELP = `usage: bringup volume pack MANIFEST.yaml -o VOLUME
       bringup volume list VOLUME
       bringup volume extract VOLUME [NAME...] [-o DIR]

A boot volume packs named images (hypervisor, dom0, domU kernels, data) and
the domain configuration into one file handed over as the initrd; the
hypervisor finds its domains in it. The manifest format is
schemas/boot-volume.schema.json; the volume layout is docs/boot-volume.md.

  pack      build VOLUME from a manifest (paths relative to the manifest)
  list      print each image: name, role, offset, size, CRC-32
  extract   write images (all, or the NAMEs given) into DIR (default .)`;

export async function volumeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const normalized = rest.map((a) => (a === '-o' ? '--out' : a));
  const args = parseArgs(normalized, { out: { value: true }, help: {} });
  if (!sub || sub === '--help' || args.flags.has('help')) { process.stdout.write(VOLUME_HELP + '\n'); return sub ? EXIT.OK : EXIT.USAGE; }
  try {
    switch (sub) {
      case 'pack': {
        if (args.positionals.length !== 1) throw new UsageError('volume pack: give one MANIFEST.yaml');
        const out = args.options.get('out')?.[0];
        if (!out) throw new UsageError('volume pack: -o VOLUME is required');
        const blob = packManifest(args.positionals[0]);
        fs.writeFileSync(out, blob);
        process.stdout.write(`${out}: ${readVolume(blob).length} images, ${blob.length} bytes\n`);
        return EXIT.OK;
      }
      case 'list': {
        if (args.positionals.length !== 1) throw new UsageError('volume list: give one VOLUME');
        const file = args.positionals[0];
        const blob = readFile(file);
        process.stdout.write('name                             role             offset       size      crc32\n');
        for (const e of readVolume(blob, file)) {
          process.stdout.write(`${e.name.padEnd(32)} ${e.role.padEnd(16)} 0x${e.offset.toString(16).padStart(8, '0')} ${String(e.size).padStart(10)} ${e.crc32.toString(16).padStart(8, '0')}\n`);
        }
        return EXIT.OK;
      }
      case 'extract': {
        if (args.positionals.length < 1) throw new UsageError('volume extract: give a VOLUME');
        const [file, ...names] = args.positionals;
        const dir = args.options.get('out')?.[0] ?? '.';
        const blob = readFile(file);
        const entries = readVolume(blob, file);
        for (const n of names) if (!entries.some((e) => e.name === n)) throw new UsageError(`volume extract: ${file} has no image '${n}'`);
        fs.mkdirSync(dir, { recursive: true });
        for (const e of entries) {
          if (names.length && !names.includes(e.name)) continue;
          const target = path.join(dir, e.name);
          fs.writeFileSync(target, blob.subarray(e.offset, e.offset + e.size));
          process.stdout.write(`${target}\n`);
        }
        return EXIT.OK;
      }
      default:
        throw new UsageError(`volume: unknown subcommand '${sub}' (pack, list, extract)`);
    }
  } catch (e) {
    if (e instanceof VolumeError) throw new UsageError(e.message);
    throw e;
  }
}

function readFile(file: string): Uint8Array {
  try { return fs.readFileSync(file); } catch (e) {
    throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}
