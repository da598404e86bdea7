/** `bringup exec`: run a bare-metal ELF, or boot a kernel with the board's boot protocol. */

import * as fs from 'node:fs';
import { parseElf, symbolize, ImageError } from '../machine/loaders/elf';
import { MAX_CORES, type BootImage } from '../machine/boot/boot-machine';
import type { Machine, StopReason } from '../machine/machine';
import { describeStopReason } from '../machine/stop-reason';
import { parseArgs, parseCount, UsageError, expectPositionals } from './args';
import { nodeSemihostingHost } from './semihosting-host';
import { EXIT } from './exit-codes';
import { readInputFile } from '../io/input-file';
import { bootBoard, boardNames, boardSpec } from '../scenario/boards';
import { encodePng } from '../scenario/check/png';
import { onStopSignal, stopStatus, type StopSignal } from './signals';
import { writeOutput, outputDrained, onStdoutClosed } from './output';
import { checkOutputPath, isWriteError, writeErrorReason } from './output-path';
import { takeGdbOption, serveGdb, elfTextAddress, describeSessionEnd, GDB_OPTION_HELP, type SymbolImage } from './gdb-serve';

/** The instruction limit when --max-insns is not given: 40G, 40 s of virtual time at 1 GHz (a Linux boot to a shell needs a few G). */
export const DEFAULT_MAX_INSNS = 40_000_000_000;

export const EXEC_HELP = `usage: bringup exec --board NAME [--smp N] [--semihosting] [--max-insns N] [--gdb [PORT|-]] IMAGE.elf
       bringup exec --board NAME [--smp N] --kernel IMAGE [--dtb F] [--initrd F] [--append CMDLINE]
                    [--console DEVICE] [--input TEXT] [--max-insns N] [--gdb [PORT|-]]

The first form runs a bare-metal ELF the way QEMU's -kernel loads one:
segments at their physical addresses, entry in SVC mode, MMU off. With
several cores every core starts at the entry point (the program reads MPIDR
to tell them apart), as QEMU starts a bare-metal ELF.

The second form boots a kernel (zImage, raw image or ELF) with the board's
boot protocol: ATAGs on tegra2 boards (r1 = machine type, r2 = ATAG list at
RAM base + 0x100), a device tree on vexpress-a9 (/chosen gets bootargs and the
initrd, r2 = DTB address). Given --dtb, a tegra2 board boots with the device
tree instead of ATAGs (r1 = 0xffffffff, r2 = DTB address, /memory = the
board's DRAM banks). The console UART's output goes to stdout.

  --board NAME      board to simulate: ${boardNames().join(', ')}, or a board file
  --smp N           cores to run, 1 to the board's cpu.max-count (vexpress-a9: 4,
                    tegra2-xoom: 2), as QEMU's -smp; default the board's cpu.count
                    (tegra2-xoom: 2; vexpress-a9: 1, as QEMU). The cores take
                    turns in a fixed order (quanta of 1000 instructions), so
                    every run is the same
  --semihosting     handle ARM semihosting calls (SVC 0x123456); console output
                    goes to stdout, the exit status is the program's exit code.
                    As with QEMU's -semihosting, the guest gets the host's files:
                    it can open, read, write and remove any file this user can,
                    by its path (relative to the current folder). Run only
                    programs you trust with it. Any core may make the calls.
  --max-insns N     stop after N instructions (exit status 3); accepts 10M, 0x..;
                    default 40G (40 s of virtual time at 1 GHz), or
                    $BRINGUP_EXEC_MAX_INSNS; 0 for no limit. With several
                    cores N is virtual time, which every core's clock follows
  --kernel IMAGE    kernel or hypervisor image to boot
  --dtb FILE        device tree blob: on vexpress-a9 the board's protocol; on
                    tegra2 boards it replaces the ATAG list
  --initrd FILE     initial ramdisk or boot volume
  --append TEXT     kernel command line
  --console DEVICE  UART whose output goes to stdout (default: the board's console)
  --input TEXT      console input, typed at the start of the run; it arrives at
                    the UART's line rate (baud, default 115200); \\n for Enter
  --cmdline TEXT    command line returned by SYS_GET_CMDLINE
  --until TEXT      stop (exit 0) as soon as the console has printed TEXT
  --screenshot PNG  at the end, save the display (frame buffer scan-out) as PNG
${GDB_OPTION_HELP}

Ctrl-C (or SIGTERM) stops the run at the next instruction boundary and
reports where. If the reader of stdout goes away (\`| head\`), the run stops
quietly.

With --gdb the command ends when gdb detaches (detach, quit), kills the
target (kill) or the connection closes, with the exit status of the run so
far: the guest's own (below) if it ended while gdb had it running, else 0
("gdb detached after N instructions at pc=..."); Ctrl-C ends it with 130.

Exit status, by how the run ended:
  0    the program exited with 0 (semihosting SYS_EXIT), or the guest halted
       (WFI with nothing scheduled, e.g. after a power-off), or it reset the
       machine, or --until's text appeared
  N    the program exited with N (semihosting), as QEMU reports it
  2    bad usage or invalid image
  3    the instruction limit was hit (--max-insns, or the default)
  4    internal error (a bug)
  130  interrupted by Ctrl-C; 143 by SIGTERM
  141  the reader of stdout went away (128 + SIGPIPE)`;

/**
 * The number of cores --smp asks for: the board's cpu.count without the option, else a whole
 * number from 1 to the board's maximum (cpu.max-count, at most MAX_CORES).
 */
function smpCount(text: string | undefined, board: string, boardMost: number, boardDefault: number): number {
  if (text === undefined) return boardDefault;
  const most = Math.min(boardMost, MAX_CORES);
  const range = most === 1 ? `board ${board} has 1 core` : `board ${board} runs 1 to ${most} cores`;
  if (!/^[0-9]+$/.test(text.trim())) throw new UsageError(`exec: --smp ${text}: not a whole number (${range})`);
  const n = Number(text.trim());
  if (n < 1 || n > most) throw new UsageError(`exec: --smp ${text}: ${range}`);
  return n;
}

function readInput(file: string, what: string): Uint8Array {
  return readInputFile(file, { what });
}

export async function execCommand(argvIn: string[]): Promise<number> {
  const { argv, gdb } = takeGdbOption(argvIn, 'exec');
  const args = parseArgs(argv, {
    board: { value: true, meta: 'NAME' }, smp: { value: true, meta: 'N' }, semihosting: {}, 'max-insns': { value: true, meta: 'N' },
    kernel: { value: true, meta: 'IMAGE' }, dtb: { value: true, meta: 'FILE' }, initrd: { value: true, meta: 'FILE' }, append: { value: true, meta: 'CMDLINE' },
    console: { value: true, meta: 'DEVICE' }, input: { value: true, meta: 'TEXT' }, cmdline: { value: true, meta: 'TEXT' }, until: { value: true, meta: 'TEXT' },
    screenshot: { value: true, meta: 'PNG' }, help: {},
  });
  if (args.flags.has('help')) { process.stdout.write(EXEC_HELP + '\n'); return EXIT.OK; }
  const board = args.options.get('board')?.[0];
  if (!board) throw new UsageError('exec: --board is required');
  if (!board.includes('/') && !board.endsWith('.yaml') && !boardNames().includes(board)) {
    throw new UsageError(`exec: unknown board '${board}' (known: ${boardNames().join(', ')})`);
  }
  const opt = (k: string) => args.options.get(k)?.[0];
  const kernelFile = opt('kernel');
  if (kernelFile && args.positionals.length) {
    throw new UsageError(`exec: unexpected argument '${args.positionals[0]}' (with --kernel, the image is --kernel's; see bringup exec --help)`);
  }
  if (!kernelFile) expectPositionals(args, 'exec', { names: ['IMAGE.elf'], missing: 'give the IMAGE.elf, or --kernel IMAGE' });
  if (!kernelFile) {
    for (const k of ['dtb', 'initrd', 'append']) if (opt(k) !== undefined) throw new UsageError(`exec: --${k} needs --kernel`);
  }
  const limitText = opt('max-insns') ?? process.env.BRINGUP_EXEC_MAX_INSNS;
  const limitWhat = opt('max-insns') !== undefined ? '--max-insns' : process.env.BRINGUP_EXEC_MAX_INSNS !== undefined ? '$BRINGUP_EXEC_MAX_INSNS' : undefined;
  const limitGiven = limitText !== undefined ? parseCount(limitText, limitWhat!) : DEFAULT_MAX_INSNS;
  const maxInsns = limitGiven === 0 ? Infinity : limitGiven;
  const boardFile = board.includes('/') || board.endsWith('.yaml') ? board : undefined;
  const shot = opt('screenshot');
  if (shot !== undefined) {
    checkOutputPath(shot, 'exec: --screenshot', [kernelFile, ...args.positionals, opt('dtb'), opt('initrd'), boardFile]);
  }

  // With gdb on stdin/stdout, stdout carries the protocol: the console goes to stderr.
  const out = new OutputBuffer(gdb !== undefined && 'stdio' in gdb);
  const spec = boardSpec(board);
  const cores = smpCount(opt('smp'), spec.name, spec.cpu.maxCount ?? spec.cpu.count, spec.cpu.count);
  const image = (file: string | undefined, what: string): BootImage | undefined => file === undefined ? undefined : { name: file, file, data: readInput(file, what) };
  const label = kernelFile ?? args.positionals[0];
  const program = kernelFile ? undefined : image(label, 'image')!;
  // A file that is not an ELF is the file's fault, not the board's.
  if (program) parseElf(program.data, program.name);
  const input = opt('input');
  // An image that does not fit the board may be the board file's fault: name it too.
  let booted;
  try {
    booted = bootBoard({
      board: spec,
      ...(kernelFile
        ? { kernel: image(kernelFile, 'kernel'), dtb: image(opt('dtb'), 'device tree'), initrd: image(opt('initrd'), 'initrd'), cmdline: opt('append') }
        : { program }),
      semihosting: args.flags.has('semihosting') ? {
        host: nodeSemihostingHost((stream, data) => out.write(stream, data)),
        input: Buffer.from(unescape(input ?? ''), 'utf8'),
        cmdline: opt('cmdline') ?? label,
      } : undefined,
      cores,
    });
  } catch (e) {
    if (e instanceof ImageError && boardFile !== undefined) throw new ImageError(`${e.message} (board file ${boardFile})`);
    throw e;
  }
  const { machine, symbols } = booted;

  const consoleDevice = opt('console') ?? machine.board.boot.console;
  if (consoleDevice !== undefined && !machine.devices.has(consoleDevice)) {
    throw new UsageError(`exec: --console ${consoleDevice}: board ${machine.board.name} has no such device`);
  }
  const until = opt('until');
  const untilBytes = Buffer.from(until ?? '', 'utf8');
  let seen: Buffer = Buffer.alloc(0);
  let untilMatched = false;
  // Stops the run at the next instruction boundary: the core running now stops (a core's
  // stop request is cleared when its next turn starts, so it must be the running one).
  const stopNow = (): void => { machine.requestStop(); };
  machine.probes.console.subscribe((device, data) => {
    if (device !== consoleDevice) return;
    out.write(1, data);
    if (until !== undefined && !untilMatched) {
      // Compared as bytes, so a UTF-8 character split across writes still matches.
      seen = Buffer.concat([seen, data]);
      if (seen.includes(untilBytes)) { untilMatched = true; stopNow(); }
      seen = seen.subarray(Math.max(0, seen.length - untilBytes.length));
    }
  });
  const where = (pc: number) => {
    const sym = symbolize(symbols, pc);
    return `pc=0x${(pc >>> 0).toString(16).padStart(8, '0')}${sym ? ` (${sym})` : ''}`;
  };
  // "after N instructions at pc=..."; with several cores the virtual time and where every core is.
  const position = (): string => machine.cpus.length === 1
    ? `${machine.cpu.icount} instructions at ${where(machine.cpu.pc)}`
    : `${machine.now()} ticks of virtual time at ${machine.cpus.map((c, k) => `core ${k} ${where(c.pc)}`).join(', ')}`;
  machine.probes.guestError.subscribe((e) => {
    out.flush();
    process.stderr.write(`bringup: guest error [${e.source}] at ${where(e.pc)}, insn ${e.icount}: ${e.message}\n`);
  });
  if (!args.flags.has('semihosting') && input !== undefined && consoleDevice !== undefined) {
    machine.typeInput(0, consoleDevice, Buffer.from(unescape(input), 'utf8'));
  }

  let interrupted: StopSignal | undefined;
  let pipeClosed = false;
  const signalled = new AbortController();
  const offSignal = onStopSignal((sig) => { interrupted ??= sig; stopNow(); signalled.abort(); });
  // Nobody reads the console any more (`| head -c 100`): stop quietly.
  const offClosed = gdb && 'stdio' in gdb ? () => {} : onStdoutClosed(() => { pipeClosed = true; stopNow(); });
  let stop: StopReason;
  let detached: string | undefined;
  try {
    if (gdb) {
      const images: SymbolImage[] = [];
      const main = program ?? image(kernelFile, 'kernel')!;
      const text = elfTextAddress(main.data);
      if (text !== undefined) images.push({ file: main.file!, address: text });
      const served = await serveGdb(machine, gdb, {
        command: 'exec', images, commandLine: ['bringup', 'exec', ...argvIn], limit: maxInsns,
        betweenSlices: async () => { out.flush(); await outputDrained(); }, onStop: () => out.flush(), stop: signalled.signal,
        log: (text) => { out.flush(); process.stderr.write(text); },
      });
      if (served.target.ended) stop = served.target.ended;
      else {
        stop = { kind: 'stopped' };
        if (served.end !== 'signal') detached = describeSessionEnd(served.end);
      }
    } else {
      stop = await runInSlices(machine, maxInsns, () => interrupted !== undefined || pipeClosed, out);
    }
  } finally {
    offSignal();
    offClosed();
    out.endLine();
  }
  if (pipeClosed) return EXIT.PIPE_CLOSED;
  if (shot !== undefined) saveScreenshot(machine, shot);
  const status = ((): number => {
  switch (stop.kind) {
    case 'exit': return stop.code & 0xff;
    case 'limit':
      process.stderr.write(`bringup: instruction limit reached after ${position()}` +
        (limitWhat === undefined ? ` (the default limit; --max-insns N to change it, --max-insns 0 for none)` : '') + '\n');
      return EXIT.LIMIT;
    case 'idle':
      // A halt, not a limit: the guest stopped itself (WFI with nothing scheduled, e.g. after a power-off).
      process.stderr.write(`bringup: the guest ended with ${describeStopReason(stop)} after ${position()}\n`);
      return EXIT.OK;
    case 'reset':
      process.stderr.write(`bringup: ${stop.by} reset the machine after ${position()}\n`);
      return EXIT.OK;
    case 'poweroff':
      process.stderr.write(`bringup: ${stop.by} powered the board off after ${position()}\n`);
      return EXIT.OK;
    default:
      if (detached !== undefined) {
        process.stderr.write(`bringup: ${detached} after ${position()}\n`);
        return EXIT.OK;
      }
      if (untilMatched && !interrupted) {
        process.stderr.write(`bringup: '${until}' appeared after ${machine.cpus.length === 1 ? `${machine.cpu.icount} instructions` : `${machine.now()} ticks of virtual time`}\n`);
        return EXIT.OK;
      }
      process.stderr.write(`bringup: ${interrupted ? `interrupted (${interrupted})` : 'stopped'} after ${position()}\n`);
      return interrupted ? stopStatus(interrupted) : EXIT.OK;
  }
  })();
  await outputDrained();
  return status;
}

function saveScreenshot(machine: Machine, file: string): void {
  const display = [...machine.devices.values()].find((d) => d.render !== undefined && d.render() !== undefined);
  if (!display) {
    process.stderr.write(`bringup: no display is scanning out a frame buffer; ${file} not written\n`);
    return;
  }
  try { fs.writeFileSync(file, encodePng(display.render!()!)); } catch (e) {
    if (!isWriteError(e)) throw e;
    throw new UsageError(`exec: --screenshot ${file}: cannot write: ${writeErrorReason(e)}`);
  }
  process.stderr.write(`bringup: ${display.name} screenshot saved to ${file}\n`);
}

/**
 * Runs in slices so that Ctrl-C and output flushing get a turn between them;
 * when stdout does not keep up (a slow pipe), waits for it between slices, so
 * that no output is lost and the buffered output stays bounded.
 */
async function runInSlices(machine: Machine, limit: number, interrupted: () => boolean, out: OutputBuffer): Promise<StopReason> {
  const SLICE = 1_000_000;
  for (;;) {
    if (interrupted()) return { kind: 'stopped' };
    const target = Math.min(limit, machine.now() + SLICE);
    const stop = machine.runUntil(target);
    if (stop.kind !== 'limit' || target >= limit || interrupted()) return interrupted() ? { kind: 'stopped' } : stop;
    out.flush();
    await outputDrained();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** "\n", "\r", "\t" and "\\" in command-line text. */
function unescape(s: string): string {
  return s.replace(/\\([nrt\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' } as Record<string, string>)[c]);
}

/** Collects console output and writes it in large chunks (consoles often write one byte at a time). */
class OutputBuffer {
  /** `toStderr`: what would go to stdout goes to stderr (stdout carries something else). */
  constructor(private readonly toStderr = false) {}
  private chunks: Array<{ stream: 1 | 2; data: Buffer }> = [];
  private size = 0;
  /** Whether the console's last byte ended a line (so our own messages start on a fresh one). */
  private atLineStart = true;
  write(stream: 1 | 2, data: Uint8Array): void {
    if (data.length) this.atLineStart = data[data.length - 1] === 10;
    this.chunks.push({ stream, data: Buffer.from(data) });
    this.size += data.length;
    if (stream === 2 || this.size > 1 << 16 || data.includes(10)) this.flush();
  }
  flush(): void {
    // Through the streams, which queue what a full pipe cannot take yet (fs.writeSync on a
    // non-blocking pipe fails with EAGAIN and the output is lost).
    for (const c of this.chunks) writeOutput(this.toStderr ? 2 : c.stream, c.data);
    this.chunks = [];
    this.size = 0;
  }

  /** Ends an unterminated console line, so a following message is not glued to it. */
  endLine(): void {
    this.flush();
    if (!this.atLineStart) { writeOutput(this.toStderr ? 2 : 1, '\n'); this.atLineStart = true; }
  }
}
