/** `bringup volume`: pack, list and extract boot volumes. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readVolume, VolumeError } from '../machine/boot/volume';
import { readInputFile } from '../io/input-file';
import { packManifest } from '../scenario/volume-manifest';
import { parseArgs, UsageError, expectPositionals } from './args';
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
  extract   write images (all, or the NAMEs given) into DIR (default .)

Image names are file names: a volume whose entries are named '', '.', '..',
contain '/', '\\' or NUL, or repeat a name is refused (exit 2), and extract
never writes outside DIR. A volume or image that cannot be written completely
(no space, read-only, not a folder) leaves no partial file behind (exit 2).`;

export async function volumeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const normalized = rest.map((a) => (a === '-o' ? '--out' : a));
  const args = parseArgs(normalized, { out: { value: true }, help: {} });
  if (!sub || sub === '--help' || args.flags.has('help')) { process.stdout.write(VOLUME_HELP + '\n'); return sub ? EXIT.OK : EXIT.USAGE; }
  try {
    switch (sub) {
      case 'pack': {
        expectPositionals(args, 'volume pack', { names: ['MANIFEST.yaml'] });
        const out = args.options.get('out')?.[0];
        if (!out) throw new UsageError('volume pack: -o VOLUME is required');
        const blob = packManifest(args.positionals[0]);
        writeOutput(out, blob, 'volume pack', true);
        process.stdout.write(`${out}: ${readVolume(blob).length} images, ${blob.length} bytes\n`);
        return EXIT.OK;
      }
      case 'list': {
        expectPositionals(args, 'volume list', { names: ['VOLUME'] });
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
        const chosen = entries.filter((e) => !names.length || names.includes(e.name));
        for (const target of extractImages(blob, chosen, dir)) process.stdout.write(`${target}\n`);
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
  return readInputFile(file, { what: 'boot volume' });
}

/** What an errno means for a file being written, in words. */
function writeProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC': return 'no space left on the device (ENOSPC)';
    case 'EDQUOT': return 'disk quota exceeded (EDQUOT)';
    case 'EROFS': return 'read-only file system (EROFS)';
    case 'EACCES': case 'EPERM': return `permission denied (${code})`;
    case 'EISDIR': return 'is a folder, not a file (EISDIR)';
    case 'ENOTDIR': return 'part of the path is not a folder (ENOTDIR)';
    case 'ENOENT': return 'no such file or folder there (ENOENT)';
    case 'EEXIST': return 'exists and is not a folder (EEXIST)';
    default: return code ? `${(e as Error).message.split(',')[0]} (${code})` : (e as Error).message;
  }
}

function unlinkQuietly(file: string): void {
  try { fs.unlinkSync(file); } catch { /* it was never written */ }
}

/**
 * Writes `data` to `target` completely or not at all: a regular file is
 * written beside the target and renamed over it, so a full or read-only disk
 * leaves neither a partial file nor a damaged older one. An existing device
 * (e.g. /dev/stdout) is written directly. Throws UsageError naming the path.
 */
function writeOutput(target: string, data: Uint8Array, command: string, followLink: boolean): void {
  const fail = (e: unknown): never => { throw new UsageError(`${command}: cannot write ${target}: ${writeProblem(e)}`); };
  let st: fs.Stats | undefined;
  try { st = followLink ? fs.statSync(target) : fs.lstatSync(target); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') fail(e);
  }
  if (st?.isDirectory()) throw new UsageError(`${command}: cannot write ${target}: is a folder, not a file`);
  if (st && !st.isFile() && !st.isSymbolicLink()) {
    // pack -o /dev/stdout is fine; extract writes only files of its own.
    if (!followLink) throw new UsageError(`${command}: cannot write ${target}: exists and is not a regular file`);
    try { fs.writeFileSync(target, data); } catch (e) { fail(e); }
    return;
  }
  const real = st && followLink ? fs.realpathSync(target) : target;
  const partial = path.join(path.dirname(real), `.${path.basename(real)}.partial-${process.pid}`);
  try {
    fs.writeFileSync(partial, data, { flag: 'wx' });
    fs.renameSync(partial, real);
  } catch (e) {
    unlinkQuietly(partial);
    fail(e);
  }
}

/**
 * Writes the chosen images into `dir` (created if needed) and returns the
 * files written. On any failure, removes what it wrote (and the folders it
 * created) before reporting, so nothing partial is left.
 */
function extractImages(blob: Uint8Array, entries: ReturnType<typeof readVolume>, dir: string): string[] {
  const root = path.resolve(dir);
  let st: fs.Stats | undefined;
  try { st = fs.statSync(root); } catch { /* created below */ }
  if (st && !st.isDirectory()) throw new UsageError(`volume extract: cannot write into ${dir}: not a folder`);
  // Created one level at a time (deepest last): mkdirSync's recursive mode
  // loops forever under /proc/sys, where mkdir fails with ENOENT.
  const createdDirs: string[] = [];
  if (!st) {
    const missing: string[] = [];
    for (let d = root; !fs.existsSync(d) && d !== path.dirname(d); d = path.dirname(d)) missing.unshift(d);
    try {
      for (const d of missing) { fs.mkdirSync(d); createdDirs.unshift(d); }
    } catch (e) {
      for (const d of createdDirs) { try { fs.rmdirSync(d); } catch { break; } }
      throw new UsageError(`volume extract: cannot create the folder ${dir}: ${writeProblem(e)}`);
    }
  }
  const written: string[] = [];
  try {
    for (const e of entries) {
      const target = path.join(dir, e.name);
      // readVolume refuses names that could leave the folder; this is the last line of defence.
      if (path.dirname(path.resolve(target)) !== root) throw new UsageError(`volume extract: image name '${e.name}' would be written outside ${dir}`);
      writeOutput(target, blob.subarray(e.offset, e.offset + e.size), 'volume extract', false);
      written.push(target);
    }
  } catch (err) {
    for (const f of written) unlinkQuietly(f);
    for (const d of createdDirs) { try { fs.rmdirSync(d); } catch { break; } }
    throw err;
  }
  return written;
}
