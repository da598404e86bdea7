/** `bringup exec`: run a bare-metal ELF (or, with the boards work, a kernel image). */

import * as fs from 'node:fs';
import { Machine } from '../machine/machine';
import { parseElf, ImageError, symbolize } from '../machine/loaders/elf';
import { boardNames } from '../machine/boards/boards';
import { parseArgs, parseCount, UsageError } from './args';
import { nodeSemihostingHost } from './semihosting-host';
import { EXIT } from './exit-codes';

export const EXEC_HELP = `usage: bringup exec --board NAME [--semihosting] [--max-insns N] IMAGE.elf
       bringup exec --board NAME --kernel zImage [--dtb F] [--initrd F] [--append CMDLINE] [--max-insns N]

Runs a bare-metal ELF the way QEMU's -kernel loads one: segments at their
physical addresses, entry in SVC mode, MMU off.

  --board NAME      board to simulate (${boardNames().join(', ')})
  --semihosting     handle ARM semihosting calls (SVC 0x123456); console output
                    goes to stdout, the exit status is the program's exit code
  --max-insns N     stop after N instructions (exit status 3); accepts 10M, 0x..
  --input TEXT      scripted console input for SYS_READC
  --cmdline TEXT    command line returned by SYS_GET_CMDLINE

Exit status: 0 the program exited with 0; the program's code otherwise;
2 bad usage or invalid image; 3 the instruction limit was hit; 4 internal error.`;

export async function execCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    board: { value: true }, semihosting: {}, 'max-insns': { value: true },
    kernel: { value: true }, dtb: { value: true }, initrd: { value: true }, append: { value: true },
    input: { value: true }, cmdline: { value: true }, help: {},
  });
  if (args.flags.has('help')) { process.stdout.write(EXEC_HELP + '\n'); return EXIT.OK; }
  const board = args.options.get('board')?.[0];
  if (!board) throw new UsageError('exec: --board is required');
  if (!boardNames().includes(board)) throw new UsageError(`exec: unknown board '${board}' (known: ${boardNames().join(', ')})`);
  if (args.options.has('kernel')) {
    throw new UsageError('exec: --kernel (Linux boot protocols) is not available yet on this version; pass a bare-metal ELF');
  }
  if (args.positionals.length !== 1) throw new UsageError('exec: exactly one IMAGE.elf is required');
  const file = args.positionals[0];
  const maxInsns = args.options.has('max-insns') ? parseCount(args.options.get('max-insns')![0], '--max-insns') : Infinity;

  let bytes: Uint8Array;
  try { bytes = fs.readFileSync(file); } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ImageError(`${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message}`);
  }
  const image = parseElf(bytes, file);
  const machine = Machine.create(board);
  machine.loadElf(image, file);
  machine.onGuestError = (e) => {
    const sym = symbolize(image.symbols, e.pc);
    process.stderr.write(`bringup: guest error at pc=0x${e.pc.toString(16).padStart(8, '0')}${sym ? ` (${sym})` : ''}, insn ${e.icount}: ${e.message}\n`);
  };
  const out = new StdoutBuffer();
  if (args.flags.has('semihosting')) {
    machine.enableSemihosting({
      host: nodeSemihostingHost((stream, data) => out.write(stream, data)),
      input: Buffer.from(args.options.get('input')?.[0] ?? '', 'latin1'),
      cmdline: args.options.get('cmdline')?.[0] ?? file,
    });
  }
  let stop;
  try {
    stop = machine.runUntil(maxInsns);
  } finally {
    out.flush();
  }
  const cpu = machine.cpu;
  const where = () => {
    const sym = symbolize(image.symbols, cpu.pc);
    return `pc=0x${(cpu.pc >>> 0).toString(16).padStart(8, '0')}${sym ? ` (${sym})` : ''}`;
  };
  switch (stop.kind) {
    case 'exit': return stop.code & 0xff;
    case 'limit':
      process.stderr.write(`bringup: instruction limit reached after ${cpu.icount} instructions at ${where()}\n`);
      return EXIT.LIMIT;
    case 'idle':
      process.stderr.write(`bringup: the guest is waiting for an interrupt that can never come (WFI with no events) after ${cpu.icount} instructions at ${where()}\n`);
      return EXIT.LIMIT;
    default:
      process.stderr.write(`bringup: stopped after ${cpu.icount} instructions at ${where()}\n`);
      return EXIT.OK;
  }
}

/** Collects console output and writes it in large chunks (semihosting often writes one byte at a time). */
class StdoutBuffer {
  private chunks: Array<{ stream: 1 | 2; data: Buffer }> = [];
  private size = 0;
  write(stream: 1 | 2, data: Uint8Array): void {
    this.chunks.push({ stream, data: Buffer.from(data) });
    this.size += data.length;
    if (stream === 2 || this.size > 1 << 16) this.flush();
  }
  flush(): void {
    for (const c of this.chunks) fs.writeSync(c.stream, c.data);
    this.chunks = [];
    this.size = 0;
  }
}
