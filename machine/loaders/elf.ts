/**
 * ELF32 little-endian ARM executables: program headers to load, entry point,
 * and the symbol table (kept for symbolising addresses).
 */

export interface ElfSegment {
  paddr: number;
  vaddr: number;
  data: Uint8Array;
  memsz: number;
  flags: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_* type: 0 notype, 1 object, 2 func. */
  type: number;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  symbols: ElfSymbol[];
}

/** A problem with an image, worded for the person who supplied it. */
export class ImageError extends Error {}

const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const EM_ARM = 40;
const LATIN1 = new TextDecoder('latin1');

const SHT_STRTAB = 3;
const EHDR_SIZE = 52, PHDR_SIZE = 32, SHDR_SIZE = 40, SYM_SIZE = 16;

/**
 * Parses an ELF32 little-endian ARM executable. Every offset and size read
 * from the file is checked (by `range`, the one place that does it) before
 * anything is read through it, so a damaged or hostile file is an ImageError
 * naming the file and what is wrong, never a RangeError or a hang.
 */
export function parseElf(bytes: Uint8Array, fileName = 'image'): ElfImage {
  const fail = (what: string): never => { throw new ImageError(`${fileName}: ${what}`); };
  if (bytes.length < EHDR_SIZE) fail(bytes.length === 0 ? 'empty file' : `truncated ELF header (${bytes.length} bytes)`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail('not an ELF file (bad magic)');
  if (bytes[4] !== 1) fail(bytes[4] === 2 ? 'is a 64-bit ELF; an ELF32 ARM image is required' : 'unknown ELF class');
  if (bytes[5] !== 1) fail('big-endian ELF; a little-endian ARM image is required');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  /** Checks that `count` items of `size` bytes from `offset` lie inside the file; `what` names them. */
  const range = (offset: number, size: number, count: number, what: string) => {
    const len = size * count;
    if (offset > bytes.length || len > bytes.length - offset) {
      fail(`truncated or corrupt: ${what} (${len} bytes at offset 0x${offset.toString(16)}) extend${count === 1 ? 's' : ''} past the end of the file (${bytes.length} bytes)`);
    }
  };
  const type = u16(16);
  if (type !== 2) fail(`ELF type ${type} is not an executable (ET_EXEC)`);
  const machine = u16(18);
  if (machine !== EM_ARM) fail(`ELF machine ${machine} is not ARM (40)`);
  const entry = u32(24);
  const phoff = u32(28), shoff = u32(32);
  const phentsize = u16(42), phnum = u16(44), shentsize = u16(46), shnum = u16(48);
  if (phnum === 0) fail('no program headers: nothing to load');
  if (phentsize < PHDR_SIZE) fail(`program header size (e_phentsize) is ${phentsize}; ELF32 program headers are ${PHDR_SIZE} bytes`);
  range(phoff, phentsize, phnum, 'program headers');

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (u32(o) !== PT_LOAD) continue;
    const offset = u32(o + 4), vaddr = u32(o + 8), paddr = u32(o + 12);
    const filesz = u32(o + 16), memsz = u32(o + 20), flags = u32(o + 24);
    const seg = `segment ${i} (0x${paddr.toString(16)})`;
    range(offset, filesz, 1, seg);
    if (filesz > memsz) fail(`${seg}: file size ${filesz} is larger than its memory size ${memsz}`);
    if (memsz === 0) continue;
    if (paddr + memsz > 0x100000000) fail(`${seg}: ${memsz} bytes from 0x${paddr.toString(16)} wrap past the end of the 32-bit address space`);
    if (vaddr + memsz > 0x100000000) fail(`${seg}: ${memsz} bytes from virtual address 0x${vaddr.toString(16)} wrap past the end of the 32-bit address space`);
    segments.push({ paddr, vaddr, data: bytes.subarray(offset, offset + filesz), memsz, flags });
  }
  if (segments.length === 0) fail('no loadable segments');

  // Section headers only matter for the symbol table. A file without them
  // loads fine (it just has no symbols); headers that are there must be sound.
  const symbols: ElfSymbol[] = [];
  if (shoff !== 0 && shnum !== 0) {
    if (shentsize < SHDR_SIZE) fail(`section header size (e_shentsize) is ${shentsize}; ELF32 section headers are ${SHDR_SIZE} bytes`);
    range(shoff, shentsize, shnum, 'section headers');
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      if (u32(o + 4) !== SHT_SYMTAB) continue;
      const symOff = u32(o + 16), symSize = u32(o + 20), link = u32(o + 24), entsize = u32(o + 36) || SYM_SIZE;
      if (entsize < SYM_SIZE) fail(`symbol table (section ${i}): entry size (sh_entsize) is ${entsize}; ELF32 symbols are ${SYM_SIZE} bytes`);
      range(symOff, symSize, 1, `symbol table (section ${i})`);
      if (link === 0 || link >= shnum) fail(`symbol table (section ${i}) links to string table section ${link}, which does not exist (${shnum} sections)`);
      const so = shoff + link * shentsize;
      if (u32(so + 4) !== SHT_STRTAB) fail(`symbol table (section ${i}) links to section ${link}, which is not a string table`);
      const strOff = u32(so + 16), strSize = u32(so + 20);
      range(strOff, strSize, 1, `string table (section ${link})`);
      const strEnd = strOff + strSize;
      for (let s = symOff; s + entsize <= symOff + symSize; s += entsize) {
        const nameOff = u32(s), value = u32(s + 4), size = u32(s + 8), info = bytes[s + 12];
        const shndx = u16(s + 14);
        if (nameOff === 0 || shndx === 0) continue;
        const symType = info & 0xf;
        if (symType === 3 || symType === 4) continue; // sections and files
        if (nameOff >= strSize) fail(`symbol at offset 0x${s.toString(16)}: name offset ${nameOff} is outside its string table (${strSize} bytes)`);
        const start = strOff + nameOff;
        const z = bytes.subarray(start, strEnd).indexOf(0);
        const name = LATIN1.decode(bytes.subarray(start, z < 0 ? strEnd : start + z));
        if (name.startsWith('$')) continue; // ARM mapping symbols ($a, $d, $t)
        symbols.push({ name, value, size, type: symType });
      }
    }
  }
  return { entry, segments, symbols };
}

/** Finds the symbol containing addr (functions preferred), for "pc is in foo+0x1c". */
export function symbolize(symbols: ElfSymbol[], addr: number): string | undefined {
  let best: ElfSymbol | undefined;
  for (const s of symbols) {
    if (s.value > addr) continue;
    const inside = s.size ? addr < s.value + s.size : true;
    if (!inside) continue;
    if (!best || s.value > best.value || (s.value === best.value && s.type === 2 && best.type !== 2)) best = s;
  }
  if (!best) return undefined;
  const off = addr - best.value;
  return off ? `${best.name}+0x${off.toString(16)}` : best.name;
}
