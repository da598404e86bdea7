/** Pieces of ARM UAL assembler syntax shared by the disassembly of every family. */

export const COND = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''];

export function cond(insn: number): string {
  return COND[insn >>> 28];
}

export function reg(n: number): string {
  switch (n) {
    case 13: return 'sp';
    case 14: return 'lr';
    case 15: return 'pc';
    default: return `r${n}`;
  }
}

export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}

/** `#imm` in decimal for small values, hex for large ones, as objdump does. */
export function imm(v: number): string {
  return v >= -9 && v <= 9 ? `#${v}` : `#${v < 0 ? '-' : ''}${hex(Math.abs(v))}`;
}

const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'];

/** Text for an immediate shift of Rm (", lsl #3", ", rrx", or nothing). */
export function shiftText(type: number, imm5: number): string {
  if (type === 0 && imm5 === 0) return '';
  if (type === 3 && imm5 === 0) return ', rrx';
  return `, ${SHIFT_NAMES[type]} #${imm5 === 0 ? 32 : imm5}`;
}

export function shiftRegText(type: number, rs: number): string {
  return `, ${SHIFT_NAMES[type]} ${reg(rs)}`;
}

/** Register list of LDM/STM: "{r0, r4-r6, lr}". */
export function regList(list: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i++) {
    if (list & (1 << i)) {
      let j = i;
      while (j + 1 < 16 && list & (1 << (j + 1))) j++;
      if (j - i >= 2) parts.push(`${reg(i)}-${reg(j)}`);
      else for (let k = i; k <= j; k++) parts.push(reg(k));
      i = j;
    }
  }
  return `{${parts.join(', ')}}`;
}
