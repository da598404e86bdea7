/** Addresses in a scenario file: integers, or symbols of its images ('name', 'name+0x10', 'IMAGE:name'). */

import type { ResolveContext, At } from './context';
import type { RawAddress } from './types';

/** An address and how to name it in descriptions; a symbol's Thumb bit is cleared. */
export function resolveAddress(ctx: ResolveContext, a: RawAddress, at: At): { value: number; label: string } {
  const { err, symbols } = ctx;
  if (typeof a === 'number') {
    if (!Number.isInteger(a) || a < 0 || a > 0xffffffff) throw err(at, `address ${a} is outside the 32-bit address space (0 to 0xffffffff)`);
    return { value: a >>> 0, label: `0x${a.toString(16)}` };
  }
  const m = /^(?:([A-Za-z0-9_.-]+):)?([A-Za-z_.$][A-Za-z0-9_.$]*)(?:\s*\+\s*(0x[0-9a-fA-F]+|[0-9]+))?$/.exec(a.trim());
  if (!m) {
    if (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(a.trim())) {
      const n = Number(a.trim());
      if (!(n <= 0xffffffff)) throw err(at, `address ${a.trim()} is outside the 32-bit address space (0 to 0xffffffff)`);
      return { value: n >>> 0, label: a.trim() };
    }
    throw err(at, `'${a}' is neither an address nor a symbol (name, name+0x10 or IMAGE:name)`);
  }
  const [, image, name, off] = m;
  const table = symbols.get(image ?? '');
  const where = image ? `image '${image}'` : `the kernel ${ctx.raw.boot.kernel}`;
  if (!table) throw err(at, `no image '${image}' in the boot volume (images: ${[...symbols.keys()].filter((k) => k).join(', ') || 'none'})`);
  if (!table.length) throw err(at, `unknown symbol '${name}': ${where} has no ELF symbol table`);
  const sym = table.find((s) => s.name === name && s.type === 2) ?? table.find((s) => s.name === name);
  if (!sym) {
    const near = table.filter((s) => s.name.includes(name) || name.includes(s.name) && s.name.length > 3).slice(0, 5).map((s) => s.name);
    throw err(at, `unknown symbol '${name}' in ${where}${near.length ? ` (similar: ${near.join(', ')})` : ''}`);
  }
  const sum = sym.value + (off ? Number(off) : 0);
  if (!(sum <= 0xffffffff)) throw err(at, `${name}${off ? `+${off}` : ''} is 0x${sum.toString(16)}, outside the 32-bit address space (0 to 0xffffffff)`);
  const value = sum >>> 0;
  return { value: value & ~1, label: `${image ? `${image}:` : ''}${name}${off ? `+${off}` : ''}` };
}
