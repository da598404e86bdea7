/** Builds minimal ELF32 ARM executables from instruction words, for tests. */

export function tinyElf(loadAddr: number, words: number[], opts: { machine?: number; symbols?: Array<[string, number]> } = {}): Buffer {
  const code = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => code.writeUInt32LE(w >>> 0, i * 4));
  const syms = opts.symbols ?? [];
  const strtab = Buffer.concat([Buffer.from([0]), ...syms.map(([n]) => Buffer.from(n + '\0', 'latin1'))]);
  const symtab = Buffer.alloc(16 * (syms.length + 1));
  let strOff = 1;
  syms.forEach(([name, value], i) => {
    const o = 16 * (i + 1);
    symtab.writeUInt32LE(strOff, o);
    symtab.writeUInt32LE(value >>> 0, o + 4);
    symtab.writeUInt32LE(4, o + 8);
    symtab[o + 12] = 0x12; // global function
    symtab.writeUInt16LE(1, o + 14);
    strOff += name.length + 1;
  });
  const ehsize = 52, phsize = 32, shsize = 40;
  const codeOff = ehsize + phsize;
  const symOff = codeOff + code.length;
  const strOffFile = symOff + symtab.length;
  const shOff = strOffFile + strtab.length;
  const eh = Buffer.alloc(ehsize);
  eh.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  eh.writeUInt16LE(2, 16);
  eh.writeUInt16LE(opts.machine ?? 40, 18);
  eh.writeUInt32LE(1, 20);
  eh.writeUInt32LE(loadAddr >>> 0, 24);
  eh.writeUInt32LE(ehsize, 28);
  eh.writeUInt32LE(shOff, 32);
  eh.writeUInt16LE(ehsize, 40);
  eh.writeUInt16LE(phsize, 42);
  eh.writeUInt16LE(1, 44);
  eh.writeUInt16LE(shsize, 46);
  eh.writeUInt16LE(4, 48);
  const ph = Buffer.alloc(phsize);
  ph.writeUInt32LE(1, 0);
  ph.writeUInt32LE(codeOff, 4);
  ph.writeUInt32LE(loadAddr >>> 0, 8);
  ph.writeUInt32LE(loadAddr >>> 0, 12);
  ph.writeUInt32LE(code.length, 16);
  ph.writeUInt32LE(code.length, 20);
  ph.writeUInt32LE(5, 24);
  const sh = Buffer.alloc(shsize * 4);
  // [0] null, [1] .text, [2] .symtab (link 3), [3] .strtab
  sh.writeUInt32LE(1, shsize + 4); sh.writeUInt32LE(loadAddr >>> 0, shsize + 12); sh.writeUInt32LE(codeOff, shsize + 16); sh.writeUInt32LE(code.length, shsize + 20);
  sh.writeUInt32LE(2, 2 * shsize + 4); sh.writeUInt32LE(symOff, 2 * shsize + 16); sh.writeUInt32LE(symtab.length, 2 * shsize + 20); sh.writeUInt32LE(3, 2 * shsize + 24); sh.writeUInt32LE(16, 2 * shsize + 36);
  sh.writeUInt32LE(3, 3 * shsize + 4); sh.writeUInt32LE(strOffFile, 3 * shsize + 16); sh.writeUInt32LE(strtab.length, 3 * shsize + 20);
  return Buffer.concat([eh, ph, code, symtab, strtab, sh]);
}
