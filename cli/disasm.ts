/** `bringup disasm`: disassemble instruction words or an ELF's code. */

import * as fs from 'node:fs';
import { disassemble } from '../machine/cpu/a32/table';
import { parseElf, symbolize } from '../machine/loaders/elf';
import { readInputFile } from '../io/input-file';
import { parseArgs, parseCount, UsageError } from './args';
import { EXIT } from './exit-codes';

export const DISASM_HELP = `usage: bringup disasm WORD...                 e.g. bringup disasm 0xe0810002
       bringup disasm IMAGE.elf [--symbol NAME | --start ADDR] [--count N]

Prints ARM (A32) instructions in UAL syntax, one per line: address, word, text.
With an ELF, starts at --symbol or --start (default: the entry point) and
prints --count instructions (default 32, or the symbol's size).`;

export async function disasmCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { start: { value: true, meta: 'ADDR' }, count: { value: true, meta: 'N' }, symbol: { value: true, meta: 'NAME' }, help: {} });
  if (args.flags.has('help')) { process.stdout.write(DISASM_HELP + '\n'); return EXIT.OK; }
  if (args.positionals.length === 0) throw new UsageError('disasm: give instruction words or an ELF file (see bringup disasm --help)');
  const first = args.positionals[0];
  const isWord = (w: string) => /^(0x)?[0-9a-f]{1,8}$/i.test(w);
  // Not a file: instruction words, each of which must be one.
  // Words unless the first argument is a file, or names one (a path or a file name with an extension).
  const namesFile = fs.existsSync(first) || (!isWord(first) && !/^0x/i.test(first) && /[/.]/.test(first));
  if (!namesFile) {
    if (args.options.size) throw new UsageError(`disasm: --${[...args.options.keys()][0]} goes with an ELF file, not with instruction words`);
    for (const w of args.positionals) {
      if (!isWord(w)) throw new UsageError(`disasm: '${w}' is not a 32-bit hex word (up to 8 hex digits, e.g. 0xe0810002)${fs.existsSync(w) ? '; give an ELF file on its own' : ''}`);
    }
    for (const w of args.positionals) {
      const word = parseInt(w, 16) >>> 0;
      process.stdout.write(`${word.toString(16).padStart(8, '0')}  ${disassemble(word, 0)}\n`);
    }
    return EXIT.OK;
  }
  if (args.positionals.length > 1) throw new UsageError(`disasm: unexpected argument '${args.positionals[1]}' (one ELF file at a time; see bringup disasm --help)`);
  const image = parseElf(readInputFile(first, { what: 'ELF image' }), first);
  let start = image.entry & ~1;
  let count = 32;
  const symName = args.options.get('symbol')?.[0];
  if (symName) {
    const s = image.symbols.find((x) => x.name === symName);
    if (!s) throw new UsageError(`disasm: ${first} has no symbol '${symName}'`);
    start = s.value & ~1;
    if (s.size) count = Math.ceil(s.size / 4);
  }
  if (args.options.has('start')) start = parseCount(args.options.get('start')![0], '--start');
  if (args.options.has('count')) count = parseCount(args.options.get('count')![0], '--count');
  for (let i = 0; i < count; i++) {
    const addr = (start + 4 * i) >>> 0;
    const seg = image.segments.find((s) => addr >= s.vaddr && addr + 4 <= s.vaddr + s.data.length);
    if (!seg) break;
    const o = addr - seg.vaddr;
    const word = (seg.data[o] | (seg.data[o + 1] << 8) | (seg.data[o + 2] << 16) | (seg.data[o + 3] << 24)) >>> 0;
    const sym = symbolize(image.symbols, addr);
    const label = sym && !sym.includes('+') ? `\n${sym}:\n` : '';
    process.stdout.write(`${label}${addr.toString(16).padStart(8, '0')}:  ${word.toString(16).padStart(8, '0')}  ${disassemble(word, addr)}\n`);
  }
  return EXIT.OK;
}
