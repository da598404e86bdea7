/** `bringup replay`: replays a recording to a point, or verifies all of it. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseArgs, parseCount, UsageError, expectPositionals } from './args';
import { onStopSignal, stopStatus, type StopSignal } from './signals';
import { EXIT } from './exit-codes';
import { ProgressLine } from './progress';
import { RecordingReader } from '../replay/reader';
import { ReplayDivergence } from '../replay/replayer';
import { resolveTarget, describeStop, NoCrash, TargetError, type ReplayTarget } from '../replay/targets';
import { AddressSpaces } from '../replay/symbols';
import { openReplay } from '../scenario/record/recording';
import { parseVirtualTime } from '../scenario/virtual-time';
import { compilePattern } from '../scenario/file/scenario-file';
import { describeStopReason } from '../machine/stop-reason';
import * as os from 'node:os';
import { readVolume, volumeImage } from '../machine/boot/volume';
import type { BootImages } from '../machine/boot/linux-boot';
import { takeGdbOption, elfTextAddress, serveTarget, describeSessionEnd, DEFAULT_GDB_PORT, type GdbEndpoint, type SymbolImage } from './gdb-serve';
import { ReplayTarget as ReplayDebugTarget } from '../debug/replay-target';
import type { DomainSource } from '../debug/monitor';
import type { Replayer } from '../replay/replayer';
import { dumpMemory } from '../replay/inspect';
import { DEVICE_TYPES } from '../machine/devices/registry';
import { hasCapability } from '../machine/devices/device';
import type { Machine } from '../machine/machine';
import { encodePng } from '../scenario/check/png';
import { checkOutputPath, isWriteError, writeErrorReason } from './output-path';
import { readDomainTable, type DomainTable } from '../replay/domain-table';
import { loadProfile, DEFAULT_PROFILE } from '../scenario/profile';

export const REPLAY_HELP = `usage: bringup replay RECORDING [--to N | --to-symbol S [--core K] | --to-crash | --to-console PATTERN]
                      [--dump ADDR[,LEN]] [--screenshot FILE] [--verify] [--images DIR]
                      [--gdb [PORT|-]]

Replays a recorded run (docs/recording-format.md) from the nearest checkpoint,
checking the state hash of every chunk it passes, and stops at the target:
registers, the code around the PC with symbols, the current mode and address
space, the fault registers decoded, a backtrace, the last console lines and
the last trace entries (or exceptions).

  --to N               an instruction count, or a virtual time (250us, 10ms)
  --to-symbol S        the first execution of function or code label S; IMAGE:S
                       for one image's (a boot volume image name, or the
                       kernel's file name), e.g. nullderef:load
  --to-crash           the crash: the first data abort, prefetch abort or
                       undefined instruction whose handler never returns to the
                       faulting context: the faulting mode, with the same stack
                       pointer (in User mode, the same ASID and TTBR0), does
                       not execute the faulting instruction or the next one
                       again (in User mode: before it runs any other code, as
                       a restarted domain does).
                       Handled aborts (first-touch and access-flag faults,
                       emulated instructions) are passed over; a hypervisor
                       fault while handling a domain's abort is the crash.
  --core K             with --to-symbol, on a recording of several cores: core
                       K's first execution of S (default: the first core to
                       execute it)
  --to-console PAT     the first console line matching PAT (text, or /regex/)
  --dump ADDR[,LEN]    also show LEN bytes (default 64, at most 65536) at virtual
                       address ADDR (0x hex or decimal) as hex and ASCII, read
                       through the translation of the core that stopped; an
                       address that does not translate, or that is a device and
                       not memory, is refused (exit 2)
  --screenshot FILE    save the picture on the board's display at the stop as a
                       PNG; a board without a display, or a display not scanning
                       out at the stop, is refused (exit 2)
  --verify             replay the whole run from the boot and prove it identical;
                       a checkpoint index (FILE.idx) that is missing, cut short
                       or damaged is written anew (where the recorder took them)
  --images DIR         take the images from DIR (by name) instead of the scenario's files
  --gdb [PORT|-]       serve the recording to gdb (the GDB remote protocol) on
                       127.0.0.1:PORT (default ${DEFAULT_GDB_PORT}), or on stdin/stdout with '-'
                       (target remote | bringup replay REC --gdb -), from the
                       beginning of the recording or from the point --to... names.
                       Forwards and backwards: stepi, continue, breakpoints and
                       watchpoints, and reverse-stepi, reverse-step, reverse-next,
                       reverse-finish, reverse-continue; each core is a thread.
                       Registers and memory cannot be changed; running past the
                       recording's end or before its beginning stops there (gdb:
                       "No more reverse-execution history"). Monitor commands:
                       icount, goto N [core K], checkpoints, console, faults
                       (monitor help lists all). The gdb-multiarch line to attach,
                       with add-symbol-file for every image (written to a
                       temporary folder removed at the end), is printed on stderr.
                       See docs/debugging.md, "Reverse execution (replay mode)"

Without a target, the replay runs to the end of the recording. On a
terminal, a progress line on stderr shows how far it is. The images
must have the sha256 recorded in the header; replay names any that differ.
A recording cut short (a killed run) or damaged replays up to its last intact
record (stderr says what is lost). A seek never restores a checkpoint that
does not match the chunk hash chain: it starts from an earlier checkpoint, or
the boot, and says so. --verify also compares every checkpoint with the
replayed machine, and fails on any damage, naming the record and its byte
offset. The checkpoint index (FILE.idx) is a cache: when it is missing, cut
short or damaged, seeks start from the boot (or the last good checkpoint)
and stderr says so; --verify then passes and writes it anew.

Several cores (docs/recording-format.md): a position is virtual time, the clock
of the core whose turn it is (each core has its own clock; they take turns
as the recording's header says). --to N stops where the core whose turn it
is reaches N; --to-symbol and --to-crash stop at the instruction on the core
that executes it and name that core. The stop view shows every core: its
state (running, waiting in WFI/WFE, held in reset or clock-stopped,
stalled), registers, mode, pc with symbol and the code around it.

The fault registers (DFSR/DFAR, IFSR/IFAR) are decoded from the status bits
of the short-descriptor format: the fault kind, the domain where it is valid
(DFSR only), read or write (DFSR.WnR), and the AXI response of an external abort. At
--to-crash the view shows them as the crash's abort set them (the stop is
before the faulting instruction, where they still hold an earlier fault's)
and, when different, as they are at the stop. On several cores, every core
whose fault registers are set shows them.

The backtrace follows the frame pointer (the APCS frames arm-none-eabi-gcc
emits with -mapcs-frame, or AAPCS frames), the image's unwind table
(.ARM.exidx) where a function keeps no frame pointer, else the function's
prologue (what it pushed, where it saved lr); each frame's address is
resolved in its image and address space.

Symbols are resolved in the address space in force: the image whose code the
MMU maps at that address at that moment (domains share virtual addresses),
else the image of the domain with that ASID (read from the hypervisor's
domain table where the scenario's firmware profile says where it is).
Only code is labelled: an address past a function's size or in data gets no
func+offset.

Exit status: 0 done (for --verify: identical and intact); 1 the replay
diverged from the recording; 2 bad usage, unreadable recording, images that
differ, or (for --verify) a damaged recording;
5 --to-crash and the recording has no crash (said on stdout);
130 --verify interrupted by Ctrl-C, 143 by SIGTERM (it says how many chunks
matched so far). With --gdb: 0 when gdb detaches or the connection closes,
130 on Ctrl-C, 143 on SIGTERM.`;

export async function replayCommand(argvIn: string[]): Promise<number> {
  const { argv, gdb } = takeGdbOption(argvIn, 'replay');
  const args = parseArgs(argv, {
    to: { value: true, meta: 'N' }, 'to-symbol': { value: true, meta: 'SYMBOL' }, 'to-crash': {}, 'to-console': { value: true, meta: 'PATTERN' },
    verify: {}, images: { value: true, meta: 'DIR' }, core: { value: true, meta: 'K' }, dump: { value: true, meta: 'ADDR[,LEN]' },
    screenshot: { value: true, meta: 'FILE' }, help: {},
  });
  if (args.flags.has('help')) { process.stdout.write(REPLAY_HELP + '\n'); return EXIT.OK; }
  expectPositionals(args, 'replay', { names: ['RECORDING'], looksLike: (v) => /\.bur$/i.test(v) });
  const targets = ['to', 'to-symbol', 'to-console'].filter((o) => args.options.has(o)).length + (args.flags.has('to-crash') ? 1 : 0);
  if (targets > 1) throw new UsageError('replay: give at most one of --to, --to-symbol, --to-crash, --to-console');
  if (targets && args.flags.has('verify')) throw new UsageError('replay: --verify replays the whole run; it takes no target');
  if (args.options.has('core') && !args.options.has('to-symbol')) throw new UsageError('replay: --core K picks the core for --to-symbol; give --to-symbol S too');
  if (gdb && args.flags.has('verify')) throw new UsageError('replay: --verify checks the whole run; it does not serve gdb (give one of them)');
  for (const o of ['dump', 'screenshot']) if (args.options.has(o) && args.flags.has('verify')) throw new UsageError(`replay: --${o} shows the machine at a stop; --verify has none`);
  const dump = args.options.has('dump') ? parseDump(args.options.get('dump')![0]) : undefined;
  const shot = args.options.get('screenshot')?.[0];
  if (shot !== undefined) checkOutputPath(shot, 'replay: --screenshot', [args.positionals[0], args.options.get('images')?.[0]]);

  const rec = openRecording(args.positionals[0]);
  const session = openReplay(rec, { imagesDir: args.options.get('images')?.[0] });
  const cores = rec.header.boot.cores ?? 1;
  process.stderr.write(`replaying ${rec.file} (${rec.header.board.name}, ${cores > 1 ? `${cores} cores, ` : ''}${rec.chunks.length} chunks, ${rec.lastIcount} ${cores > 1 ? 'ticks' : 'instructions'}) with ${session.source}\n`);
  const progress = process.stderr.isTTY ? new ProgressLine(process.stderr, rec.header.clockHz) : undefined;
  if (progress) session.replayer.onProgress = (icount, last) => progress.update(icount, last);
  try {
    if (args.flags.has('verify')) {
      const t0 = performance.now();
      // Ctrl-C stops the check where it is and says how far it got.
      const interrupt = new AbortController();
      let stoppedBy: StopSignal | undefined;
      const offSignal = onStopSignal((sig) => { stoppedBy ??= sig; interrupt.abort(); });
      const pos = await session.replayer.verifyYielding(interrupt.signal).finally(offSignal);
      progress?.clear();
      if (!pos) {
        process.stdout.write(`replay interrupted at instruction ${session.replayer.icount}: ${session.replayer.chunksVerified} of ${rec.chunks.length} chunk hashes checked, all matching\n`);
        return stopStatus(stoppedBy);
      }
      process.stdout.write(`replay identical: ${pos.chunksVerified} of ${rec.chunks.length} chunk hashes match, ${pos.icount} instructions, ` +
        `ends with ${describeStopReason(pos.stop.kind === 'limit' && rec.end ? rec.end.stop : pos.stop)} (${((performance.now() - t0) / 1000).toFixed(2)} s)\n`);
      reportIndex(session.replayer);
      return EXIT.OK;
    }
    const target = parseTarget(args.options, args.flags.has('to-crash'), rec.header.clockHz);
    const spaces = new AddressSpaces(session.boot);
    if (gdb) {
      const start = targets ? resolveTarget(target, rec, session.replayer, spaces) : undefined;
      progress?.clear();
      if (session.replayer.onProgress) session.replayer.onProgress = undefined;
      const kernel = session.symbols.get('') ?? [];
      const domains = { table: recordedDomainTable(rec), symbol: (name: string) => kernel.find((x) => x.name === name)?.value };
      return await serveReplay(session.replayer, session.boot, gdb, start, ['bringup', 'replay', ...argvIn], domains);
    }
    const resolved = resolveTarget(target, rec, session.replayer, spaces);
    if (!resolved.here) session.replayer.runTo(resolved.icount);
    progress?.clear();
    // The hypervisor's own table says which image runs with which ASID (where the profile says where it is).
    const table = recordedDomainTable(rec);
    if (table) {
      const kernel = session.symbols.get('') ?? [];
      const got = readDomainTable(session.replayer.machine, table, (name) => kernel.find((x) => x.name === name)?.value);
      if (typeof got !== 'string') spaces.learnDomains(got.entries);
    }
    const out = describeStop(rec, session.replayer, spaces, resolved.why, { fault: resolved.fault });
    if (resolved.note) out.splice(1, 0, resolved.note);
    const m = session.replayer.machine;
    const core = resolved.core ?? m.currentCore();
    if (dump) {
      let lines: string[];
      try { lines = dumpMemory(m, dump.address, dump.length, core); } catch (e) { throw new UsageError(`replay: --dump: ${(e as Error).message}`); }
      out.push('', `memory at ${hex8(dump.address)}, ${dump.length} byte(s), through core ${core}'s translation:`, ...lines.map((l) => `  ${l}`));
    }
    if (shot !== undefined) saveScreenshot(m, shot, rec.header.board.name);
    process.stdout.write(out.join('\n') + '\n');
    return EXIT.OK;
  } catch (e) {
    progress?.clear();
    if (e instanceof ReplayDivergence) { process.stderr.write(`bringup: ${e.message}\n`); return EXIT.EXPECTATION_FAILED; }
    if (e instanceof NoCrash) { process.stdout.write(`no crash: ${e.message.replace(/^the recorded run has no crash: /, '')}\n`); return EXIT.NO_CRASH; }
    if (e instanceof TargetError) throw new UsageError(e.message);
    throw e;
  }
}

/** Opens a recording, warning about a cut-short or damaged file (or checkpoint index) but using what is intact. */
export function openRecording(file: string): RecordingReader {
  let rec: RecordingReader;
  try { rec = RecordingReader.open(file); } catch (e) { throw new UsageError((e as Error).message); }
  for (const p of rec.problems) process.stderr.write(`bringup: ${file}: ${p}; usable: ${rec.describeUsable()}\n`);
  for (const p of rec.indexProblems) process.stderr.write(`bringup: checkpoint index ${p}\n`);
  return rec;
}

/** After a verify: what it found wrong with the checkpoint index, and the index it wrote anew. */
function reportIndex(replayer: Replayer): void {
  for (const d of replayer.indexDamage) process.stderr.write(`bringup: checkpoint index: ${d}\n`);
  const w = replayer.indexWritten;
  if (!w) return;
  if ('error' in w) process.stderr.write(`bringup: the checkpoint index was not written: ${w.error}\n`);
  else process.stdout.write(`checkpoint index written: ${w.file} (${w.checkpoints} checkpoint(s))\n`);
}

function parseTarget(options: Map<string, string[]>, crash: boolean, clockHz: number): ReplayTarget {
  const to = options.get('to')?.[0];
  if (to !== undefined) {
    const t = /^[0-9_]+$/.test(to) ? parseCount(to, '--to') : parseVirtualTime(to, clockHz);
    if (typeof t === 'string') throw new UsageError(`--to: ${t}`);
    return { kind: 'icount', icount: t };
  }
  const sym = options.get('to-symbol')?.[0];
  if (sym !== undefined) {
    const k = options.get('core')?.[0];
    if (k === undefined) return { kind: 'symbol', name: sym };
    return { kind: 'symbol', name: sym, core: parseCount(k, '--core') };
  }
  if (crash) return { kind: 'crash' };
  const pat = options.get('to-console')?.[0];
  if (pat !== undefined) {
    const p = compilePattern(pat);
    if (typeof p === 'string') throw new UsageError(`--to-console: ${p}`);
    return { kind: 'console', pattern: p.regex, source: p.source };
  }
  return { kind: 'end' };
}

/**
 * `replay --gdb`: serves the recording to gdb from its beginning, or from
 * the point a --to... target resolved to, until gdb detaches or Ctrl-C.
 */
async function serveReplay(replayer: Replayer, boot: BootImages, endpoint: GdbEndpoint, start: ReturnType<typeof resolveTarget> | undefined, commandLine: string[],
  domains: DomainSource): Promise<number> {
  // Where the target put the replayer: the core stopped there and its clock.
  let position = { core: 0, clock: 0 };
  if (start) {
    if (!start.here) replayer.runTo(start.icount);
    const m = replayer.machine;
    const core = start.core ?? m.pausedCore ?? 0;
    position = { core, clock: m.cpus[core].icount };
  }
  const target = new ReplayDebugTarget(replayer, { domains });
  if (position.clock > 0) target.goto(position);
  const symbolsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-gdb-'));
  const interrupt = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const offSignal = onStopSignal((sig) => { stoppedBy ??= sig; interrupt.abort(); });
  const where = position.clock > 0
    ? `(the replay is at ${replayer.machine.cpus.length > 1 ? `core ${position.core}, clock ${position.clock}` : `instruction ${position.clock}`})`
    : '(the replay is at the beginning of the recording)';
  try {
    const end = await serveTarget(target, endpoint, {
      command: 'replay', images: writeSymbolFiles(boot, symbolsDir), commandLine, stop: interrupt.signal,
      log: (text) => process.stderr.write(withTimeout(text).replace('(the machine is stopped at its first instruction)', where)),
    });
    process.stderr.write(`bringup: ${describeSessionEnd(end)}\n`);
    return stoppedBy ? stopStatus(stoppedBy) : EXIT.OK;
  } finally {
    offSignal();
    fs.rmSync(symbolsDir, { recursive: true, force: true });
  }
}

/** A seek (goto, the first stop) on a long recording can take longer than gdb's default 2 s packet timeout. */
function withTimeout(attach: string): string {
  return attach.replace(/gdb-multiarch /g, "gdb-multiarch -ex 'set remotetimeout 60' ");
}

/** Writes the ELF images of the run (kernel, each volume image) into `dir` for gdb's add-symbol-file; returns them with their .text addresses. */
function writeSymbolFiles(boot: BootImages & { volume?: Uint8Array }, dir: string): SymbolImage[] {
  const out: SymbolImage[] = [];
  const add = (name: string, data: Uint8Array) => {
    const text = elfTextAddress(data);
    if (text === undefined) return;
    const file = path.join(dir, path.basename(name).replace(/[^A-Za-z0-9_.+-]/g, '_') || 'image');
    fs.writeFileSync(file, data);
    out.push({ file, address: text });
  };
  add(boot.kernelName, boot.kernel);
  if (boot.volume) for (const e of readVolume(boot.volume)) if (e.role !== 'config') add(e.name.endsWith('.elf') ? e.name : `${e.name}.elf`, volumeImage(boot.volume, e.name));
  return out;
}
const hex8 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** `--dump ADDR[,LEN]`: a 32-bit address (0x hex or decimal) and a length from 1 to 65536 (default 64). */
export function parseDump(text: string): { address: number; length: number } {
  const [a, l, ...rest] = text.split(',');
  const num = (t: string) => (/^0x[0-9a-f_]+$/i.test(t.trim()) ? Number.parseInt(t.trim().replace(/_/g, ''), 16) : /^[0-9_]+$/.test(t.trim()) ? Number(t.trim().replace(/_/g, '')) : NaN);
  const address = num(a ?? '');
  if (rest.length || !Number.isSafeInteger(address) || address > 0xffffffff) throw new UsageError(`replay: --dump ${text}: give ADDR[,LEN] with ADDR a 32-bit address (0x hex or decimal), e.g. --dump 0x80000000,64`);
  const length = l === undefined ? 64 : num(l);
  if (!Number.isSafeInteger(length) || length < 1 || length > 65536) throw new UsageError(`replay: --dump ${text}: LEN must be a number of bytes from 1 to 65536`);
  if (address + length > 0x100000000) throw new UsageError(`replay: --dump ${text}: the range ends past the 4 GiB address space`);
  return { address, length };
}

/** The picture on the board's display at the stop, as PNG. */
function saveScreenshot(m: Machine, file: string, board: string): void {
  const displays = m.board.devices.filter((d) => hasCapability(DEVICE_TYPES.get(d.type), 'display'));
  if (!displays.length) throw new UsageError(`replay: --screenshot: board ${board} has no display (no device of a display type); nothing to save`);
  const shown = displays.map((d) => ({ name: d.name, picture: m.device(d.name).render?.() })).find((d) => d.picture !== undefined);
  if (!shown) throw new UsageError(`replay: --screenshot: the display ${displays.map((d) => d.name).join(', ')} of board ${board} is not scanning out a frame buffer at the stop; ${file} not written`);
  try { fs.writeFileSync(file, encodePng(shown.picture!)); } catch (e) {
    if (!isWriteError(e)) throw e;
    throw new UsageError(`replay: --screenshot ${file}: cannot write: ${writeErrorReason(e)}`);
  }
  process.stderr.write(`bringup: ${shown.name} screenshot (${shown.picture!.width}x${shown.picture!.height}) saved to ${file}\n`);
}

/** The domain table layout of the recorded scenario's firmware profile, if it has one (a profile that cannot be loaded now gives none). */
export function recordedDomainTable(rec: RecordingReader): DomainTable | undefined {
  try {
    const doc = parseYaml(rec.header.scenario.text) as { profile?: unknown } | null;
    const name = typeof doc?.profile === 'string' ? doc.profile : DEFAULT_PROFILE;
    return loadProfile(name, path.dirname(rec.header.scenario.file)).domainTable;
  } catch {
    return undefined;
  }
}
