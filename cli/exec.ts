/** `bringup exec`: run a bare-metal ELF, or boot a kernel with the board's boot protocol. */

import * as fs from 'node:fs';
import { parseElf, ImageError, symbolize, type ElfSymbol } from '../machine/loaders/elf';
import { bootKernel } from '../machine/boot/linux-boot';
import type { Machine, StopReason } from '../machine/machine';
import { describeStopReason } from '../machine/stop-reason';
import { parseArgs, parseCount, UsageError } from './args';
import { nodeSemihostingHost } from './semihosting-host';
import { EXIT } from './exit-codes';
import { createMachine, boardNames } from '../scenario/boards';
import { encodePng } from '../scenario/png';

export const EXEC_HELP = `usage: bringup exec --board NAME [--semihosting] [--max-insns N] IMAGE.elf
       bringup exec --board NAME --kernel IMAGE [--dtb F] [--initrd F] [--append CMDLINE]
                    [--console DEVICE] [--input TEXT] [--max-insns N]

The first form runs a bare-metal ELF the way QEMU's -kernel loads one:
segments at their physical addresses, entry in SVC mode, MMU off.

The second form boots a kernel (zImage, raw image or ELF) with the board's
boot protocol: ATAGs on tegra2 boards (r1 = machine type, r2 = ATAG list at
RAM base + 0x100), a device tree on vexpress-a9 (/chosen gets bootargs and the
initrd, r2 = DTB address). The console UART's output goes to stdout.

  --board NAME      board to simulate: ${boardNames().join(', ')}, or a board file
  --semihosting     handle ARM semihosting calls (SVC 0x123456); console output
                    goes to stdout, the exit status is the program's exit code
  --max-insns N     stop after N instructions (exit status 3); accepts 10M, 0x..
  --kernel IMAGE    kernel or hypervisor image to boot
  --dtb FILE        device tree blob (DTB boards)
  --initrd FILE     initial ramdisk or boot volume
  --append TEXT     kernel command line
  --console DEVICE  UART whose output goes to stdout (default: the board's console)
  --input TEXT      console input, typed at the start of the run (\\n for Enter)
  --cmdline TEXT    command line returned by SYS_GET_CMDLINE
  --until TEXT      stop (exit 0) as soon as the console has printed TEXT
  --screenshot PNG  at the end, save the display (frame buffer scan-out) as PNG

Ctrl-C stops the run at the next instruction boundary and reports where.
Exit status: 0 the program exited with 0; the program's code otherwise;
2 bad usage or invalid image; 3 the instruction limit was hit; 4 internal error.`;

function readInput(file: string, what: string): Uint8Array {
  try { return fs.readFileSync(file); } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ImageError(`${file}: ${err.code === 'ENOENT' ? `no such file (${what})` : err.code === 'EISDIR' ? 'is a directory' : err.message}`);
  }
}

export async function execCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    board: { value: true }, semihosting: {}, 'max-insns': { value: true },
    kernel: { value: true }, dtb: { value: true }, initrd: { value: true }, append: { value: true },
    console: { value: true }, input: { value: true }, cmdline: { value: true }, until: { value: true }, screenshot: { value: true }, help: {},
  });
  if (args.flags.has('help')) { process.stdout.write(EXEC_HELP + '\n'); return EXIT.OK; }
  const board = args.options.get('board')?.[0];
  if (!board) throw new UsageError('exec: --board is required');
  if (!board.includes('/') && !board.endsWith('.yaml') && !boardNames().includes(board)) {
    throw new UsageError(`exec: unknown board '${board}' (known: ${boardNames().join(', ')})`);
  }
  const opt = (k: string) => args.options.get(k)?.[0];
  const kernelFile = opt('kernel');
  if (!kernelFile && args.positionals.length !== 1) throw new UsageError('exec: give exactly one IMAGE.elf, or --kernel IMAGE');
  if (kernelFile && args.positionals.length) throw new UsageError('exec: with --kernel, give no positional IMAGE');
  if (!kernelFile) {
    for (const k of ['dtb', 'initrd', 'append']) if (opt(k) !== undefined) throw new UsageError(`exec: --${k} needs --kernel`);
  }
  const maxInsns = opt('max-insns') !== undefined ? parseCount(opt('max-insns')!, '--max-insns') : Infinity;

  const machine = createMachine(board);
  let symbols: ElfSymbol[] = [];
  let label: string;
  if (kernelFile) {
    const layout = bootKernel(machine, {
      kernel: readInput(kernelFile, 'kernel'), kernelName: kernelFile,
      dtb: opt('dtb') ? readInput(opt('dtb')!, 'device tree') : undefined, dtbName: opt('dtb'),
      initrd: opt('initrd') ? readInput(opt('initrd')!, 'initrd') : undefined,
      cmdline: opt('append'),
    });
    symbols = layout.elf?.symbols ?? [];
    label = kernelFile;
  } else {
    const file = args.positionals[0];
    const image = parseElf(readInput(file, 'image'), file);
    machine.loadElf(image, file);
    symbols = image.symbols;
    label = file;
  }

  const out = new OutputBuffer();
  const consoleDevice = opt('console') ?? machine.board.boot.console;
  if (consoleDevice !== undefined && !machine.devices.has(consoleDevice)) {
    throw new UsageError(`exec: --console ${consoleDevice}: board ${machine.board.name} has no such device`);
  }
  const until = opt('until');
  let seen = '';
  let untilMatched = false;
  machine.onConsole = (device, data) => {
    if (device !== consoleDevice) return;
    out.write(1, data);
    if (until !== undefined && !untilMatched) {
      seen = (seen + Buffer.from(data).toString('latin1')).slice(-(until.length + 4096));
      if (seen.includes(until)) { untilMatched = true; machine.cpu.stopRequested = true; }
    }
  };
  const where = (pc: number) => {
    const sym = symbolize(symbols, pc);
    return `pc=0x${(pc >>> 0).toString(16).padStart(8, '0')}${sym ? ` (${sym})` : ''}`;
  };
  machine.onGuestError = (e) => {
    out.flush();
    process.stderr.write(`bringup: guest error [${e.source}] at ${where(e.pc)}, insn ${e.icount}: ${e.message}\n`);
  };
  const input = opt('input');
  if (args.flags.has('semihosting')) {
    machine.enableSemihosting({
      host: nodeSemihostingHost((stream, data) => out.write(stream, data)),
      input: Buffer.from(unescape(input ?? ''), 'latin1'),
      cmdline: opt('cmdline') ?? label,
    });
  } else if (input !== undefined && consoleDevice !== undefined) {
    machine.addInput(0, consoleDevice, Buffer.from(unescape(input), 'latin1'));
  }

  let interrupted = false;
  const onSigint = () => { interrupted = true; machine.cpu.stopRequested = true; };
  process.on('SIGINT', onSigint);
  let stop: StopReason;
  try {
    stop = await runInSlices(machine, maxInsns, () => interrupted);
  } finally {
    process.off('SIGINT', onSigint);
    out.endLine();
  }
  const shot = opt('screenshot');
  if (shot !== undefined) saveScreenshot(machine, shot);
  const cpu = machine.cpu;
  switch (stop.kind) {
    case 'exit': return stop.code & 0xff;
    case 'limit':
      process.stderr.write(`bringup: instruction limit reached after ${cpu.icount} instructions at ${where(cpu.pc)}\n`);
      return EXIT.LIMIT;
    case 'idle':
      process.stderr.write(`bringup: the guest ended with ${describeStopReason(stop)}: it waits for an interrupt that can never come, after ${cpu.icount} instructions at ${where(cpu.pc)}\n`);
      return EXIT.LIMIT;
    case 'reset':
      process.stderr.write(`bringup: ${stop.by} reset the machine after ${cpu.icount} instructions at ${where(cpu.pc)}\n`);
      return EXIT.OK;
    default:
      if (untilMatched && !interrupted) {
        process.stderr.write(`bringup: '${until}' appeared after ${cpu.icount} instructions\n`);
        return EXIT.OK;
      }
      process.stderr.write(`bringup: ${interrupted ? 'interrupted' : 'stopped'} after ${cpu.icount} instructions at ${where(cpu.pc)}\n`);
      return interrupted ? EXIT.INTERRUPTED : EXIT.OK;
  }
}

function saveScreenshot(machine: Machine, file: string): void {
  const display = [...machine.devices.values()].find((d) => d.render !== undefined && d.render() !== undefined);
  if (!display) {
    process.stderr.write(`bringup: no display is scanning out a frame buffer; ${file} not written\n`);
    return;
  }
  fs.writeFileSync(file, encodePng(display.render!()!));
  process.stderr.write(`bringup: ${display.name} screenshot saved to ${file}\n`);
}

/** Runs in slices so that Ctrl-C and output flushing get a turn between them. */
async function runInSlices(machine: Machine, limit: number, interrupted: () => boolean): Promise<StopReason> {
  const SLICE = 20_000_000;
  for (;;) {
    if (interrupted()) return { kind: 'stopped' };
    const target = Math.min(limit, machine.cpu.icount + SLICE);
    const stop = machine.runUntil(target);
    if (stop.kind !== 'limit' || target >= limit || interrupted()) return interrupted() ? { kind: 'stopped' } : stop;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** "\n", "\r", "\t" and "\\" in command-line text. */
function unescape(s: string): string {
  return s.replace(/\\([nrt\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' } as Record<string, string>)[c]);
}

/** Collects console output and writes it in large chunks (consoles often write one byte at a time). */
class OutputBuffer {
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
    for (const c of this.chunks) fs.writeSync(c.stream, c.data);
    this.chunks = [];
    this.size = 0;
  }

  /** Ends an unterminated console line, so a following message is not glued to it. */
  endLine(): void {
    this.flush();
    if (!this.atLineStart) { fs.writeSync(1, '\n'); this.atLineStart = true; }
  }
}
