/**
 * `--gdb [PORT|-]` of bringup exec and run: the booted machine is served to
 * gdb over the GDB remote serial protocol instead of running straight away
 * (debug/rsp/, debug/live-target.ts). It stays stopped at its first
 * instruction until gdb continues; the command ends when gdb detaches, kills
 * the target or the connection closes (or on Ctrl-C).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Machine } from '../machine/machine';
import { UsageError } from './args';
import { LiveTarget } from '../debug/live-target';
import { serveTcp, serveStreams, GdbServeError } from '../debug/rsp/transport';
import type { SessionEnd } from '../debug/rsp/session';
import type { DebugTarget } from '../debug/target';
import type { DomainSource } from '../debug/monitor';

/** Where gdb connects: a TCP port on 127.0.0.1, or stdin/stdout ('-'). */
export type GdbEndpoint = { port: number } | { stdio: true };

export const DEFAULT_GDB_PORT = 1234;

/** The lines of --gdb in a command's help. */
export const GDB_OPTION_HELP = `  --gdb [PORT|-]    do not run straight away: serve gdb (the GDB remote protocol)
                    on 127.0.0.1:PORT (default ${DEFAULT_GDB_PORT}, as QEMU's -s), or on
                    stdin/stdout with '-' (target remote | bringup ... --gdb -; the
                    console then goes to stderr). The machine waits at its first
                    instruction; the exact gdb-multiarch line to attach, with
                    add-symbol-file for every image, is printed on stderr. Each
                    core is a thread. See docs/debugging.md`;

/**
 * Takes --gdb out of argv: `--gdb PORT`, `--gdb -`, `--gdb=PORT` or `--gdb`
 * alone (port ${DEFAULT_GDB_PORT}; a following argument that is not a port stays).
 */
export function takeGdbOption(argv: string[], command: string): { argv: string[]; gdb?: GdbEndpoint } {
  const rest: string[] = [];
  let gdb: GdbEndpoint | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { rest.push(...argv.slice(i)); break; }
    if (a !== '--gdb' && !a.startsWith('--gdb=')) { rest.push(a); continue; }
    if (gdb) throw new UsageError(`${command}: option --gdb given twice`);
    let value: string | undefined;
    if (a.startsWith('--gdb=')) value = a.slice(6);
    else if (i + 1 < argv.length && (argv[i + 1] === '-' || /^[0-9]+$/.test(argv[i + 1]))) value = argv[++i];
    gdb = parseGdbEndpoint(value, command);
  }
  return { argv: rest, gdb };
}

function parseGdbEndpoint(value: string | undefined, command: string): GdbEndpoint {
  if (value === undefined) return { port: DEFAULT_GDB_PORT };
  if (value === '-') return { stdio: true };
  if (!/^[0-9]+$/.test(value) || Number(value) > 65535) throw new UsageError(`${command}: --gdb ${value}: give a TCP port (0 to 65535; 0 picks a free one) or '-' for stdin/stdout`);
  return { port: Number(value) };
}

/** An image gdb should load symbols of, and the address of its .text. */
export interface SymbolImage { file: string; address: number }

/** The address of an ELF's .text section (else of its first executable section); undefined for anything else. */
export function elfTextAddress(bytes: Uint8Array): number | undefined {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46 || bytes[4] !== 1 || bytes[5] !== 1) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = dv.getUint32(32, true), shentsize = dv.getUint16(46, true), shnum = dv.getUint16(48, true), shstrndx = dv.getUint16(50, true);
  if (!shoff || shentsize < 40 || shoff + shnum * shentsize > bytes.length || shstrndx >= shnum) return undefined;
  const strOff = dv.getUint32(shoff + shstrndx * shentsize + 16, true);
  let firstExec: number | undefined;
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const nameAt = strOff + dv.getUint32(o, true);
    let name = '';
    for (let k = nameAt; k < bytes.length && bytes[k] !== 0 && name.length < 64; k++) name += String.fromCharCode(bytes[k]);
    const flags = dv.getUint32(o + 8, true), addr = dv.getUint32(o + 12, true);
    if (name === '.text') return addr;
    if ((flags & 4) !== 0 && firstExec === undefined) firstExec = addr;
  }
  return firstExec;
}

/** The ELF images of a file, with their .text address (nothing for a file that is not an ELF or cannot be read). */
function elfImage(file: string): SymbolImage[] {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      if (!fs.fstatSync(fd).isFile()) return [];
      const address = elfTextAddress(fs.readFileSync(fd));
      return address === undefined ? [] : [{ file, address }];
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
}

/**
 * The images of a scenario's run for gdb: the kernel or hypervisor, then the
 * boot volume's images that a domain runs (every ELF image when the volume
 * configures no domains), each at its .text address. The volume's files are
 * found through the scenario's boot.volume (a manifest file, or written inline).
 */
export function scenarioSymbolImages(scenarioFile: string, kernel: { file: string; data: Uint8Array }): SymbolImage[] {
  const out: SymbolImage[] = [];
  const text = elfTextAddress(kernel.data);
  if (text !== undefined) out.push({ file: kernel.file, address: text });
  try {
    const doc = parseYaml(fs.readFileSync(scenarioFile, 'utf8')) as { boot?: { volume?: unknown } };
    let volume = doc?.boot?.volume;
    let dir = path.dirname(path.resolve(scenarioFile));
    if (typeof volume === 'string') {
      const manifest = path.resolve(dir, volume);
      if (!/\.ya?ml$/i.test(manifest)) return out;
      volume = parseYaml(fs.readFileSync(manifest, 'utf8'));
      dir = path.dirname(manifest);
    }
    const v = volume as { images?: Array<{ name?: string; file?: string }>; domains?: Array<{ image?: string }> } | undefined;
    if (!v || !Array.isArray(v.images)) return out;
    const run = Array.isArray(v.domains) ? new Set(v.domains.map((d) => d?.image)) : undefined;
    const seen = new Set<string>();
    for (const im of v.images) {
      if (typeof im?.file !== 'string' || (run && !run.has(im.name))) continue;
      const file = path.resolve(dir, im.file);
      if (seen.has(file)) continue;
      seen.add(file);
      out.push(...elfImage(file));
    }
  } catch {
    // The scenario was loaded and checked already; a volume that cannot be read again just gives no symbols.
  }
  return out;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The gdb-multiarch command line(s) that attach to this run, as printed on stderr. */
export function attachText(endpoint: GdbEndpoint, port: number, images: SymbolImage[], commandLine: string[]): string {
  const symbols = images.map((im) => ` -ex ${shellQuote(`add-symbol-file ${path.resolve(im.file)} 0x${im.address.toString(16)}`)}`).join('');
  if ('stdio' in endpoint) {
    const me = commandLine.map(shellQuote).join(' ');
    return `bringup: serving gdb on stdin/stdout; attach with:\n  gdb-multiarch -ex ${shellQuote(`target remote | ${me}`)}${symbols}\n`;
  }
  return `bringup: waiting for gdb on 127.0.0.1:${port} (the machine is stopped at its first instruction); attach with:\n` +
    `  gdb-multiarch -ex 'target remote 127.0.0.1:${port}'${symbols}\n`;
}

export interface GdbRun {
  /** How the session ended; 'signal' when Ctrl-C (or SIGTERM) ended it. */
  end: SessionEnd | 'signal';
  target: LiveTarget;
}

/** How a served session is told where to print and when to stop. */
export interface ServeOptions {
  /** The command, for messages ("exec: --gdb: ..."). */
  command: string;
  images: SymbolImage[];
  /** The command line, for the attach line of `--gdb -`. */
  commandLine: string[];
  /** Aborted on Ctrl-C: the session ends. */
  stop: AbortSignal;
  /** Text for stderr (the attach line, protocol problems). */
  log: (text: string) => void;
}

/**
 * Serves any DebugTarget (a live machine, a recording) to gdb until the
 * session ends: prints the attach line, listens (or speaks on
 * stdin/stdout), and returns how the session ended ('signal' for Ctrl-C).
 * A port that cannot be listened on is a UsageError.
 */
export async function serveTarget(target: DebugTarget, endpoint: GdbEndpoint, options: ServeOptions): Promise<SessionEnd | 'signal'> {
  const log = (line: string) => options.log(`bringup: ${line}\n`);
  let signalled = false;
  if ('stdio' in endpoint) {
    const s = serveStreams(target, process.stdin, process.stdout, { log });
    options.log(attachText(endpoint, 0, options.images, options.commandLine));
    const onStop = () => { signalled = true; s.close(); };
    options.stop.addEventListener('abort', onStop);
    try {
      const end = await s.ended;
      return signalled ? 'signal' : end;
    } finally {
      options.stop.removeEventListener('abort', onStop);
    }
  }
  let server;
  try {
    server = await serveTcp(target, endpoint.port, { log, onClient: (peer) => log(`gdb attached from ${peer}`) });
  } catch (e) {
    if (e instanceof GdbServeError) throw new UsageError(`${options.command}: --gdb: ${e.message}`);
    throw e;
  }
  options.log(attachText(endpoint, server.port, options.images, options.commandLine));
  const onStop = () => { signalled = true; server.close(); };
  options.stop.addEventListener('abort', onStop);
  try {
    const end = await server.ended;
    return signalled ? 'signal' : end;
  } finally {
    options.stop.removeEventListener('abort', onStop);
    server.close();
  }
}

/**
 * Serves a live machine (exec, run) to gdb until the session ends; the
 * target tells how the run ended, if it did.
 */
export async function serveGdb(machine: Machine, endpoint: GdbEndpoint, options: ServeOptions & {
  limit?: number; betweenSlices?: () => void | Promise<void>; onStop?: () => void; domains?: DomainSource;
}): Promise<GdbRun> {
  const target = new LiveTarget(machine, { limit: options.limit, betweenSlices: options.betweenSlices, onStop: options.onStop, domains: options.domains });
  try {
    return { end: await serveTarget(target, endpoint, options), target };
  } finally {
    target.dispose();
  }
}

/** "detached" / "killed the target" / "closed the connection", for the closing line. */
export function describeSessionEnd(end: SessionEnd | 'signal'): string {
  switch (end) {
    case 'detached': return 'gdb detached';
    case 'killed': return 'gdb killed the target';
    case 'closed': return 'the gdb connection closed';
    default: return 'interrupted';
  }
}
