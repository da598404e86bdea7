/** A 32-bit value as 0x-prefixed hex, zero-padded (to a word by default): how reports and logs show addresses and registers. */
export function hexWord(v: number, digits = 8): string {
  return `0x${(v >>> 0).toString(16).padStart(digits, '0')}`;
}
