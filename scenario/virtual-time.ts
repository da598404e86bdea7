/**
 * Virtual times in scenarios: '250us', '10ms', '2s', '1500ns' (at the board's
 * CPU clock: one instruction is one tick) or instruction counts ('5M insns',
 * '200k', 123456). Everything becomes an absolute instruction count.
 */

const TIME_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1 };
const COUNT_SUFFIX: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

export const TIME_FORMS = "250us, 10ms, 2s, 5M insns or a plain instruction count";

/** Instruction count for a time or count; a string describing the problem if it is not one. */
export function parseVirtualTime(v: number | string, clockHz: number): number | string {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) return `${v} is not a non-negative whole instruction count`;
    return v;
  }
  const s = v.trim();
  let m = /^([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|ms|s)$/.exec(s);
  if (m) {
    const ticks = Math.round(Number(m[1]) * TIME_UNITS[m[2]] * clockHz);
    return Number.isSafeInteger(ticks) ? ticks : `'${v}' is too large`;
  }
  m = /^([0-9][0-9_]*(?:\.[0-9]+)?)\s*([kKMG]?)\s*(insns?|instructions?)?$/.exec(s);
  if (m) {
    const n = Number(m[1].replace(/_/g, '')) * COUNT_SUFFIX[m[2]];
    if (!Number.isInteger(n)) return `'${v}' is not a whole number of instructions`;
    return Number.isSafeInteger(n) ? n : `'${v}' is too large`;
  }
  return `'${v}' is not a time or an instruction count (use ${TIME_FORMS})`;
}

/** "3.016561 ms (3016561 insns)" */
export function formatTime(icount: number, clockHz: number): string {
  const ns = (icount * 1e9) / clockHz;
  let t: string;
  if (ns >= 1e9) t = `${trim(ns / 1e9)} s`;
  else if (ns >= 1e6) t = `${trim(ns / 1e6)} ms`;
  else if (ns >= 1e3) t = `${trim(ns / 1e3)} us`;
  else t = `${trim(ns)} ns`;
  return `${t} (${icount} insns)`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(6)));
}
