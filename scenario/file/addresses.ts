/** Addresses in a scenario file: integers, or symbols of its images ('name', 'name+0x10', 'IMAGE:name'). */

import type { ResolveContext, At } from './context';
import type { RawAddress } from './types';
import type { ElfSymbol } from '../../machine/loaders/elf';
import { didYouMean } from './did-you-mean';
import { FollowsFromEarlierProblem } from './problems';

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
  const where = image ? `image '${image}'` : `the kernel ${ctx.raw.boot?.kernel}`;
  if (!table) {
    // An image that could not be read has its own problem reported; its symbols are unknown, not wrong.
    if (ctx.imagesUnread) throw new FollowsFromEarlierProblem();
    const images = [...symbols.keys()].filter((k) => k);
    throw err(at, `no image '${image}' in the boot volume${didYouMean(image ?? '', images)} (images: ${images.join(', ') || 'none'})`);
  }
  if (!table.length) throw err(at, `unknown symbol '${name}': ${where} has no ELF symbol table`);
  const sym = table.find((s) => s.name === name && s.type === 2) ?? table.find((s) => s.name === name);
  if (!sym) throw err(at, `unknown symbol '${name}' in ${where}${symbolSuggestion(name, table)}`);
  const sum = sym.value + (off ? Number(off) : 0);
  if (!(sum <= 0xffffffff)) throw err(at, `${name}${off ? `+${off}` : ''} is 0x${sum.toString(16)}, outside the 32-bit address space (0 to 0xffffffff)`);
  const value = sum >>> 0;
  return { value: value & ~1, label: `${image ? `${image}:` : ''}${name}${off ? `+${off}` : ''}` };
}

/**
 * "; did you mean X?" with the symbols nearest by edit distance (a typo:
 * sched_retrun), else " (similar: ...)" with symbols containing the name or
 * contained in it (a part of the name: deliver for deliver_upcall).
 */
function symbolSuggestion(name: string, table: ElfSymbol[]): string {
  // Mapping symbols ($a, $t, $d) and file names are no one's typo.
  const names = [...new Set(table.filter((s) => s.name && !s.name.startsWith('$') && s.type !== 4).map((s) => s.name))];
  const near = didYouMean(name, names);
  if (near) return near;
  const similar = names.filter((s) => s.includes(name) || (name.includes(s) && s.length > 3)).slice(0, 5);
  return similar.length ? ` (similar: ${similar.join(', ')})` : '';
}
