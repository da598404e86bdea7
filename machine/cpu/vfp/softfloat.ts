/**
 * IEEE 754 arithmetic as the ARMv7 VFP pseudocode defines it (FPUnpack,
 * FPProcessNaNs, FPRound, FPAdd, FPMul, FPDiv, FPSqrt, FPCompare, the
 * conversions), bit-exact in every FPSCR rounding mode, with flush-to-zero,
 * default NaN, alternative half-precision and the cumulative exception flags.
 *
 * Operands and results are raw bit patterns: singles as int32, doubles as
 * (hi, lo) int32 pairs with the result of a double operation left in `dOut`.
 *
 * Method. A host double operation gives the round-to-nearest result r; the
 * exact error term (TwoSum for addition, Dekker's TwoProduct for products, the
 * exact remainder for division and square root) gives the direction e of the
 * exact value from r. FPRound then works on r's 53-bit significand with e
 * breaking ties and deciding directed roundings, which is exact because r is
 * the correctly rounded value of the exact result. Single-precision results
 * are always in the host's normal range, so that path never needs more. The
 * few double-precision cases where an error term could underflow or overflow
 * (extreme exponents, subnormal operands of products and quotients) take an
 * exact BigInt path instead.
 *
 * Underflow follows ARM: tininess is detected before rounding and the
 * Underflow flag is set only when the result is also inexact; a tiny result in
 * flush-to-zero mode becomes a signed zero and sets only UFC.
 */

import {
  type VfpState, FPSCR_AHP, FPSCR_DN, FPSCR_FZ, FPSCR_IDC, FPSCR_IXC, FPSCR_UFC, FPSCR_OFC, FPSCR_DZC, FPSCR_IOC,
} from './state';

// Operand classes of FPUnpack.
export const T_ZERO = 0;
export const T_NUM = 1;
export const T_INF = 2;
export const T_QNAN = 3;
export const T_SNAN = 4;

// Classes of the discarded part in FPRound, in units of the result's last place.
const CLS_EXACT = 0;
const CLS_LOW = 1; // 0 < error < 0.5
const CLS_HALF = 2; // error = 0.5
const CLS_HIGH = 3; // 0.5 < error < 1

export const DEFAULT_NAN32 = 0x7fc00000;
export const DEFAULT_NAN64_HI = 0x7ff80000;
const DEFAULT_NAN16 = 0x7e00;

/** Result of a double-precision operation: [low word, high word]. */
export const dOut = new Int32Array(2);

const DV = new DataView(new ArrayBuffer(8));
const TWO32 = 4294967296;
const SPLITTER = 134217729; // 2^27 + 1
const MIN_NORMAL64 = 2.2250738585072014e-308; // 2^-1022
const MIN_NORMAL32 = 1.1754943508222875e-38; // 2^-126
/** Products (including the q * b of a division) at least this large have exactly representable TwoProduct errors (2^-969). */
const ERR_SAFE_LOW = 2 ** -969;
/** TwoSum is exact for operands below this (2^1022). */
const ADD_SAFE_HIGH = 2 ** 1022;
/** Veltkamp splitting, and the partial products of TwoProduct, may overflow above this (2^995). */
const SPLIT_SAFE_HIGH = 2 ** 995;

// ---- bit pattern <-> host number ---------------------------------------------------

export function f32Value(x: number): number {
  DV.setInt32(0, x);
  return DV.getFloat32(0);
}

export function f64Value(hi: number, lo: number): number {
  DV.setInt32(0, hi);
  DV.setInt32(4, lo);
  return DV.getFloat64(0);
}

/** Bits of a single that holds v exactly. */
export function f32Bits(v: number): number {
  DV.setFloat32(0, v);
  return DV.getInt32(0);
}

/** Writes the bits of v to dOut. */
export function setD(v: number): void {
  DV.setFloat64(0, v);
  dOut[1] = DV.getInt32(0);
  dOut[0] = DV.getInt32(4);
}

function setDBits(hi: number, lo: number): void {
  dOut[1] = hi;
  dOut[0] = lo;
}

// ---- FPUnpack ----------------------------------------------------------------------

/** Class of a single; a denormal is flushed (IDC) when FPSCR.FZ is set. */
export function type32(st: VfpState, x: number): number {
  const e = (x >>> 23) & 0xff, f = x & 0x7fffff;
  if (e === 0xff) return f === 0 ? T_INF : (f & 0x400000) !== 0 ? T_QNAN : T_SNAN;
  if (e === 0) {
    if (f === 0) return T_ZERO;
    if ((st.fpscr & FPSCR_FZ) !== 0) { st.fpscr |= FPSCR_IDC; return T_ZERO; }
  }
  return T_NUM;
}

export function type64(st: VfpState, hi: number, lo: number): number {
  const e = (hi >>> 20) & 0x7ff, fh = hi & 0xfffff;
  if (e === 0x7ff) return (fh | lo) === 0 ? T_INF : (fh & 0x80000) !== 0 ? T_QNAN : T_SNAN;
  if (e === 0) {
    if ((fh | lo) === 0) return T_ZERO;
    if ((st.fpscr & FPSCR_FZ) !== 0) { st.fpscr |= FPSCR_IDC; return T_ZERO; }
  }
  return T_NUM;
}

// ---- NaNs ----------------------------------------------------------------------------

function procNaN32(st: VfpState, x: number): number {
  if ((x & 0x400000) === 0) st.fpscr |= FPSCR_IOC;
  if ((st.fpscr & FPSCR_DN) !== 0) return DEFAULT_NAN32;
  return x | 0x400000;
}

/** FPProcessNaNs: a signalling NaN wins over a quiet one, then the first operand. */
function nans32(st: VfpState, ta: number, tb: number, a: number, b: number): number {
  if (ta === T_SNAN) return procNaN32(st, a);
  if (tb === T_SNAN) return procNaN32(st, b);
  if (ta === T_QNAN) return procNaN32(st, a);
  return procNaN32(st, b);
}

function procNaN64(st: VfpState, hi: number, lo: number): void {
  if ((hi & 0x80000) === 0) st.fpscr |= FPSCR_IOC;
  if ((st.fpscr & FPSCR_DN) !== 0) setDBits(DEFAULT_NAN64_HI, 0);
  else setDBits(hi | 0x80000, lo);
}

function nans64(st: VfpState, ta: number, tb: number, ahi: number, alo: number, bhi: number, blo: number): void {
  if (ta === T_SNAN) procNaN64(st, ahi, alo);
  else if (tb === T_SNAN) procNaN64(st, bhi, blo);
  else if (ta === T_QNAN) procNaN64(st, ahi, alo);
  else procNaN64(st, bhi, blo);
}

function invalid32(st: VfpState): number {
  st.fpscr |= FPSCR_IOC;
  return DEFAULT_NAN32;
}

function invalid64(st: VfpState): void {
  st.fpscr |= FPSCR_IOC;
  setDBits(DEFAULT_NAN64_HI, 0);
}

// ---- FPRound -------------------------------------------------------------------------

function fracBits(fmt: number): number { return fmt === 64 ? 52 : fmt === 32 ? 23 : 10; }
function expBits(fmt: number): number { return fmt === 64 ? 11 : fmt === 32 ? 8 : 5; }
function minExp(fmt: number): number { return fmt === 64 ? -1022 : fmt === 32 ? -126 : -14; }

/** Packs a result; for doubles the bits go to dOut and 0 is returned. */
function pack(sign: number, expField: number, mant: number, fmt: number): number {
  if (fmt === 32) return ((sign << 31) | (expField << 23) | mant) | 0;
  if (fmt === 16) return (sign << 15) | (expField << 10) | mant;
  const mh = Math.floor(mant / TWO32);
  setDBits((sign << 31) | (expField << 20) | mh, (mant - mh * TWO32) | 0);
  return 0;
}

function zeroResult(sign: number, fmt: number): number {
  return pack(sign, 0, 0, fmt);
}

/**
 * The end of FPRound: q is the truncated integer significand (with the hidden
 * bit when biased >= 1), cls classifies the discarded part.
 */
function finishRound(st: VfpState, sign: number, biased: number, q: number, cls: number, fmt: number): number {
  const F = fracBits(fmt), E = expBits(fmt);
  let fl = st.fpscr;
  if (biased === 0 && cls !== CLS_EXACT) fl |= FPSCR_UFC;
  let up: boolean, toInf: boolean;
  switch ((fl >>> 22) & 3) {
    case 0: up = cls === CLS_HIGH || (cls === CLS_HALF && q % 2 === 1); toInf = true; break;
    case 1: up = cls !== CLS_EXACT && sign === 0; toInf = sign === 0; break;
    case 2: up = cls !== CLS_EXACT && sign === 1; toInf = sign === 1; break;
    default: up = false; toInf = false; break;
  }
  const pF = 2 ** F;
  if (up) {
    q += 1;
    if (q === pF && biased === 0) biased = 1;
    if (q === 2 * pF) { biased += 1; q = pF; }
  }
  let inexact = cls !== CLS_EXACT;
  const maxE = (1 << E) - 1;
  let result: number;
  if (fmt === 16 && (fl & FPSCR_AHP) !== 0) {
    // Alternative half precision has no infinity: saturate, signalling Invalid Operation.
    if (biased > maxE) {
      fl |= FPSCR_IOC;
      inexact = false;
      result = pack(sign, maxE, pF - 1, fmt);
    } else {
      result = pack(sign, biased, q >= pF ? q - pF : q, fmt);
    }
  } else if (biased >= maxE) {
    fl |= FPSCR_OFC;
    inexact = true;
    result = toInf ? pack(sign, maxE, 0, fmt) : pack(sign, maxE - 1, pF - 1, fmt);
  } else {
    result = pack(sign, biased, q >= pF ? q - pF : q, fmt);
  }
  if (inexact) fl |= FPSCR_IXC;
  st.fpscr = fl;
  return result;
}

/**
 * FPRound of an exact magnitude x > 0 given as r = x rounded to nearest in the
 * host format (r > 0, finite, possibly subnormal) and e = sign(x - r).
 */
function roundNum(st: VfpState, sign: number, r: number, e: number, fmt: number): number {
  const F = fracBits(fmt), emin = minExp(fmt);
  DV.setFloat64(0, r);
  let adj = 0;
  if (DV.getUint32(0) >>> 20 === 0) {
    // Subnormal host value: scale it into the normal range (exact).
    DV.setFloat64(0, r * 18446744073709551616);
    adj = 64;
  }
  const hi = DV.getUint32(0), lo = DV.getUint32(4);
  const bexp = hi >>> 20, fh = hi & 0xfffff;
  const M = (fh + 0x100000) * TWO32 + lo;
  const scale = bexp - 1075 - adj;
  let ex = bexp - 1023 - adj;
  // Just below a power of two, the exact value has the next lower exponent.
  if (e < 0 && fh === 0 && lo === 0) ex -= 1;
  if (ex < emin && fmt !== 16 && (st.fpscr & FPSCR_FZ) !== 0) {
    st.fpscr |= FPSCR_UFC;
    return zeroResult(sign, fmt);
  }
  const biased = ex < emin ? 0 : ex - emin + 1;
  const s = (ex < emin ? emin : ex) - F - scale;
  let q: number, cls: number;
  if (s <= 0) {
    q = M * 2 ** -s;
    if (e === 0) cls = CLS_EXACT;
    else if (e > 0) cls = CLS_LOW;
    else { q -= 1; cls = CLS_HIGH; }
  } else if (s > 60) {
    q = 0;
    cls = CLS_LOW;
  } else {
    const p = 2 ** s;
    q = Math.floor(M / p);
    const rem = M - q * p, half = p / 2;
    if (rem === 0) {
      if (e === 0) cls = CLS_EXACT;
      else if (e > 0) cls = CLS_LOW;
      else { q -= 1; cls = CLS_HIGH; }
    } else if (rem > half) cls = CLS_HIGH;
    else if (rem < half) cls = CLS_LOW;
    else cls = e > 0 ? CLS_HIGH : e < 0 ? CLS_LOW : CLS_HALF;
  }
  return finishRound(st, sign, biased, q, cls, fmt);
}

/** FPRound of the signed exact value r + (tiny error of sign err), r != 0, to single. */
function round32(st: VfpState, r: number, err: number): number {
  if (err === 0 && Math.fround(r) === r && Math.abs(r) >= MIN_NORMAL32) return f32Bits(r);
  const sign = r < 0 ? 1 : 0;
  const e = err === 0 ? 0 : (err > 0) !== (sign === 1) ? 1 : -1;
  return roundNum(st, sign, sign ? -r : r, e, 32);
}

/** As round32, to double (result in dOut). */
function round64(st: VfpState, r: number, err: number): void {
  const mag = r < 0 ? -r : r;
  if (mag > MIN_NORMAL64 && ((st.fpscr >>> 22) & 3) === 0) {
    // Round to nearest: the host result is the answer; only the flags remain.
    if (err !== 0) st.fpscr |= FPSCR_IXC;
    setD(r);
    return;
  }
  if (err === 0 && mag >= MIN_NORMAL64) { setD(r); return; }
  const sign = r < 0 ? 1 : 0;
  const e = err === 0 ? 0 : (err > 0) !== (sign === 1) ? 1 : -1;
  roundNum(st, sign, mag, e, 64);
}

// ---- exact path for doubles at the edges of the range ----------------------------------

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Significand and exponent of a finite nonzero double magnitude: |v| = mant * 2^exp. */
function bigOf(v: number): { mant: bigint; exp: number } {
  DV.setFloat64(0, v < 0 ? -v : v);
  const hi = DV.getUint32(0), lo = DV.getUint32(4);
  const bexp = hi >>> 20, fh = hi & 0xfffff;
  const m = BigInt(fh) * 4294967296n + BigInt(lo);
  if (bexp === 0) return { mant: m, exp: -1074 };
  return { mant: m + 4503599627370496n, exp: bexp - 1075 };
}

/**
 * FPRound of the exact magnitude (mant + f) * 2^exp with 0 <= f < 1 and f > 0
 * iff sticky; callers with sticky set leave at least two bits below the
 * result's last place.
 */
function roundBig(st: VfpState, sign: number, mant: bigint, exp: number, sticky: boolean, fmt: number): number {
  const F = fracBits(fmt), emin = minExp(fmt);
  const ex = exp + bitLength(mant) - 1;
  if (ex < emin && fmt !== 16 && (st.fpscr & FPSCR_FZ) !== 0) {
    st.fpscr |= FPSCR_UFC;
    return zeroResult(sign, fmt);
  }
  const biased = ex < emin ? 0 : ex - emin + 1;
  const s = (ex < emin ? emin : ex) - F - exp;
  let q: number, cls: number;
  if (s <= 0) {
    q = Number(mant << BigInt(-s));
    cls = sticky ? CLS_LOW : CLS_EXACT;
  } else {
    const sb = BigInt(s);
    q = Number(mant >> sb);
    const rem = mant & ((1n << sb) - 1n), half = 1n << (sb - 1n);
    if (rem === 0n) cls = sticky ? CLS_LOW : CLS_EXACT;
    else if (rem > half) cls = CLS_HIGH;
    else if (rem < half) cls = CLS_LOW;
    else cls = sticky ? CLS_HIGH : CLS_HALF;
  }
  return finishRound(st, sign, biased, q, cls, fmt);
}

function addBig(st: VfpState, va: number, vb: number): void {
  const a = bigOf(va), b = bigOf(vb);
  const e = Math.min(a.exp, b.exp);
  let ma = a.mant << BigInt(a.exp - e), mb = b.mant << BigInt(b.exp - e);
  if (va < 0) ma = -ma;
  if (vb < 0) mb = -mb;
  const sum = ma + mb;
  if (sum === 0n) { zeroResult(((st.fpscr >>> 22) & 3) === 2 ? 1 : 0, 64); return; }
  roundBig(st, sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, false, 64);
}

function mulBig(st: VfpState, va: number, vb: number): void {
  const a = bigOf(va), b = bigOf(vb);
  roundBig(st, (va < 0) !== (vb < 0) ? 1 : 0, a.mant * b.mant, a.exp + b.exp, false, 64);
}

function divBig(st: VfpState, va: number, vb: number): void {
  const a = bigOf(va), b = bigOf(vb);
  const k = Math.max(0, 62 + bitLength(b.mant) - bitLength(a.mant));
  const num = a.mant << BigInt(k);
  const q = num / b.mant;
  roundBig(st, (va < 0) !== (vb < 0) ? 1 : 0, q, a.exp - b.exp - k, q * b.mant !== num, 64);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

function sqrtBig(st: VfpState, v: number): void {
  const a = bigOf(v);
  let m = a.mant, e = a.exp;
  if ((e & 1) !== 0) { m <<= 1n; e -= 1; }
  const k = Math.max(0, Math.ceil((124 - bitLength(m)) / 2));
  m <<= BigInt(2 * k);
  e -= 2 * k;
  const root = isqrt(m);
  roundBig(st, 0, root, e / 2, root * root !== m, 64);
}

// ---- error-free transformations ---------------------------------------------------------

/** a + b - s exactly, for s = a + b rounded (no overflow). */
function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** a * b - p exactly, for p = a * b rounded, when no partial product under- or overflows. */
function twoProdErr(a: number, b: number, p: number): number {
  let c = SPLITTER * a;
  const ah = c - (c - a), al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** Sign of x - p - pe computed exactly (x - p is exact by Sterbenz's lemma). */
function residualSign(x: number, p: number, pe: number): number {
  const d = x - p;
  return d > pe ? 1 : d < pe ? -1 : 0;
}

// ---- single precision -----------------------------------------------------------------

function inf32(sign: number): number { return ((sign << 31) | 0x7f800000) | 0; }
function zero32(sign: number): number { return (sign << 31) | 0; }

/** FPAdd(a, b), or FPSub when negB is 1 (NaN operands keep their own signs). */
export function add32(st: VfpState, a: number, b: number, negB: number): number {
  const ta = type32(st, a), tb = type32(st, b);
  if (ta >= T_QNAN || tb >= T_QNAN) return nans32(st, ta, tb, a, b);
  const sa = a >>> 31, sb = (b >>> 31) ^ negB;
  if (ta === T_INF || tb === T_INF) {
    if (ta === T_INF && tb === T_INF && sa !== sb) return invalid32(st);
    return inf32(ta === T_INF ? sa : sb);
  }
  if (ta === T_ZERO && tb === T_ZERO && sa === sb) return zero32(sa);
  const va = ta === T_ZERO ? 0 : f32Value(a);
  const vb = tb === T_ZERO ? 0 : negB ? -f32Value(b) : f32Value(b);
  const r = va + vb;
  if (r === 0) return zero32(((st.fpscr >>> 22) & 3) === 2 ? 1 : 0);
  return round32(st, r, twoSumErr(va, vb, r));
}

export function mul32(st: VfpState, a: number, b: number): number {
  const ta = type32(st, a), tb = type32(st, b);
  if (ta >= T_QNAN || tb >= T_QNAN) return nans32(st, ta, tb, a, b);
  const s = (a ^ b) >>> 31;
  if ((ta === T_INF && tb === T_ZERO) || (ta === T_ZERO && tb === T_INF)) return invalid32(st);
  if (ta === T_INF || tb === T_INF) return inf32(s);
  if (ta === T_ZERO || tb === T_ZERO) return zero32(s);
  // A product of two singles is exact in a double.
  return round32(st, f32Value(a) * f32Value(b), 0);
}

export function div32(st: VfpState, a: number, b: number): number {
  const ta = type32(st, a), tb = type32(st, b);
  if (ta >= T_QNAN || tb >= T_QNAN) return nans32(st, ta, tb, a, b);
  const s = (a ^ b) >>> 31;
  if ((ta === T_INF && tb === T_INF) || (ta === T_ZERO && tb === T_ZERO)) return invalid32(st);
  if (ta === T_INF || tb === T_ZERO) {
    if (ta !== T_INF) st.fpscr |= FPSCR_DZC;
    return inf32(s);
  }
  if (ta === T_ZERO || tb === T_INF) return zero32(s);
  const va = f32Value(a), vb = f32Value(b);
  const q = va / vb;
  const p = q * vb;
  const rs = residualSign(va, p, twoProdErr(q, vb, p));
  return round32(st, q, vb < 0 ? -rs : rs);
}

export function sqrt32(st: VfpState, a: number): number {
  const ta = type32(st, a);
  if (ta >= T_QNAN) return procNaN32(st, a);
  if (ta === T_ZERO) return a & 0x80000000;
  if (a < 0) return invalid32(st);
  if (ta === T_INF) return a;
  const v = f32Value(a);
  const r = Math.sqrt(v);
  const p = r * r;
  return round32(st, r, residualSign(v, p, twoProdErr(r, r, p)));
}

/** FPCompare: returns NZCV in bits 31:28. quietExc: VCMPE (Invalid Operation on quiet NaNs too). */
export function cmp32(st: VfpState, a: number, b: number, quietExc: boolean): number {
  const ta = type32(st, a), tb = type32(st, b);
  if (ta >= T_QNAN || tb >= T_QNAN) {
    if (ta === T_SNAN || tb === T_SNAN || quietExc) st.fpscr |= FPSCR_IOC;
    return 0x30000000;
  }
  const va = ta === T_ZERO ? 0 : f32Value(a), vb = tb === T_ZERO ? 0 : f32Value(b);
  return va === vb ? 0x60000000 : va < vb ? 0x80000000 | 0 : 0x20000000;
}

// ---- double precision -----------------------------------------------------------------

function setInf64(sign: number): void { setDBits((sign << 31) | 0x7ff00000, 0); }
function setZero64(sign: number): void { setDBits(sign << 31, 0); }

/** FPAdd / FPSub on doubles. */
export function add64(st: VfpState, ahi: number, alo: number, bhi: number, blo: number, negB: number): void {
  const ta = type64(st, ahi, alo), tb = type64(st, bhi, blo);
  if (ta >= T_QNAN || tb >= T_QNAN) { nans64(st, ta, tb, ahi, alo, bhi, blo); return; }
  const sa = ahi >>> 31, sb = (bhi >>> 31) ^ negB;
  if (ta === T_INF || tb === T_INF) {
    if (ta === T_INF && tb === T_INF && sa !== sb) { invalid64(st); return; }
    setInf64(ta === T_INF ? sa : sb);
    return;
  }
  if (ta === T_ZERO && tb === T_ZERO && sa === sb) { setZero64(sa); return; }
  const va = ta === T_ZERO ? 0 : f64Value(ahi, alo);
  const vb = tb === T_ZERO ? 0 : negB ? -f64Value(bhi, blo) : f64Value(bhi, blo);
  const r = va + vb;
  if (r === 0) { setZero64(((st.fpscr >>> 22) & 3) === 2 ? 1 : 0); return; }
  // TwoSum's intermediates can overflow when an operand is within a factor 2 of the top.
  if (!(Math.abs(va) < ADD_SAFE_HIGH && Math.abs(vb) < ADD_SAFE_HIGH)) { addBig(st, va, vb); return; }
  round64(st, r, twoSumErr(va, vb, r));
}

export function mul64(st: VfpState, ahi: number, alo: number, bhi: number, blo: number): void {
  const ta = type64(st, ahi, alo), tb = type64(st, bhi, blo);
  if (ta >= T_QNAN || tb >= T_QNAN) { nans64(st, ta, tb, ahi, alo, bhi, blo); return; }
  const s = (ahi ^ bhi) >>> 31;
  if ((ta === T_INF && tb === T_ZERO) || (ta === T_ZERO && tb === T_INF)) { invalid64(st); return; }
  if (ta === T_INF || tb === T_INF) { setInf64(s); return; }
  if (ta === T_ZERO || tb === T_ZERO) { setZero64(s); return; }
  const va = f64Value(ahi, alo), vb = f64Value(bhi, blo);
  const r = va * vb;
  const ar = Math.abs(r), aa = Math.abs(va), ab = Math.abs(vb);
  if (ar >= ERR_SAFE_LOW && ar < SPLIT_SAFE_HIGH && aa < SPLIT_SAFE_HIGH && ab < SPLIT_SAFE_HIGH &&
    aa >= MIN_NORMAL64 && ab >= MIN_NORMAL64) {
    round64(st, r, twoProdErr(va, vb, r));
  } else {
    mulBig(st, va, vb);
  }
}

export function div64(st: VfpState, ahi: number, alo: number, bhi: number, blo: number): void {
  const ta = type64(st, ahi, alo), tb = type64(st, bhi, blo);
  if (ta >= T_QNAN || tb >= T_QNAN) { nans64(st, ta, tb, ahi, alo, bhi, blo); return; }
  const s = (ahi ^ bhi) >>> 31;
  if ((ta === T_INF && tb === T_INF) || (ta === T_ZERO && tb === T_ZERO)) { invalid64(st); return; }
  if (ta === T_INF || tb === T_ZERO) {
    if (ta !== T_INF) st.fpscr |= FPSCR_DZC;
    setInf64(s);
    return;
  }
  if (ta === T_ZERO || tb === T_INF) { setZero64(s); return; }
  const va = f64Value(ahi, alo), vb = f64Value(bhi, blo);
  const q = va / vb;
  const aq = Math.abs(q), aa = Math.abs(va), ab = Math.abs(vb);
  if (aq >= ERR_SAFE_LOW && aq < SPLIT_SAFE_HIGH && ab < SPLIT_SAFE_HIGH && aa >= ERR_SAFE_LOW && aa < SPLIT_SAFE_HIGH &&
    ab >= MIN_NORMAL64) {
    const p = q * vb;
    const rs = residualSign(va, p, twoProdErr(q, vb, p));
    round64(st, q, vb < 0 ? -rs : rs);
  } else {
    divBig(st, va, vb);
  }
}

export function sqrt64(st: VfpState, hi: number, lo: number): void {
  const t = type64(st, hi, lo);
  if (t >= T_QNAN) { procNaN64(st, hi, lo); return; }
  if (t === T_ZERO) { setZero64(hi >>> 31); return; }
  if (hi < 0) { invalid64(st); return; }
  if (t === T_INF) { setDBits(hi, lo); return; }
  const v = f64Value(hi, lo);
  if (v < ERR_SAFE_LOW || v >= SPLIT_SAFE_HIGH) { sqrtBig(st, v); return; }
  const r = Math.sqrt(v);
  const p = r * r;
  round64(st, r, residualSign(v, p, twoProdErr(r, r, p)));
}

export function cmp64(st: VfpState, ahi: number, alo: number, bhi: number, blo: number, quietExc: boolean): number {
  const ta = type64(st, ahi, alo), tb = type64(st, bhi, blo);
  if (ta >= T_QNAN || tb >= T_QNAN) {
    if (ta === T_SNAN || tb === T_SNAN || quietExc) st.fpscr |= FPSCR_IOC;
    return 0x30000000;
  }
  const va = ta === T_ZERO ? 0 : f64Value(ahi, alo), vb = tb === T_ZERO ? 0 : f64Value(bhi, blo);
  return va === vb ? 0x60000000 : va < vb ? 0x80000000 | 0 : 0x20000000;
}

// ---- conversions between formats -----------------------------------------------------------

/** FPSingleToDouble (result in dOut). */
export function cvt32to64(st: VfpState, a: number): void {
  const t = type32(st, a);
  const sign = a >>> 31;
  if (t >= T_QNAN) {
    if (t === T_SNAN) st.fpscr |= FPSCR_IOC;
    if ((st.fpscr & FPSCR_DN) !== 0) setDBits(DEFAULT_NAN64_HI, 0);
    else setDBits((sign << 31) | 0x7ff80000 | ((a & 0x3fffff) >>> 3), (a & 7) << 29);
    return;
  }
  if (t === T_INF) { setInf64(sign); return; }
  if (t === T_ZERO) { setZero64(sign); return; }
  setD(f32Value(a));
}

/** FPDoubleToSingle. */
export function cvt64to32(st: VfpState, hi: number, lo: number): number {
  const t = type64(st, hi, lo);
  const sign = hi >>> 31;
  if (t >= T_QNAN) {
    if (t === T_SNAN) st.fpscr |= FPSCR_IOC;
    if ((st.fpscr & FPSCR_DN) !== 0) return DEFAULT_NAN32;
    return ((sign << 31) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29)) | 0;
  }
  if (t === T_INF) return inf32(sign);
  if (t === T_ZERO) return zero32(sign);
  const v = f64Value(hi, lo);
  return roundNum(st, sign, sign ? -v : v, 0, 32);
}

/** FPHalfToSingle: half-precision operands are never flushed. */
export function cvt16to32(st: VfpState, h: number): number {
  const sign = (h >>> 15) & 1, e = (h >>> 10) & 31, f = h & 0x3ff;
  if (e === 31 && (st.fpscr & FPSCR_AHP) === 0) {
    if (f === 0) return inf32(sign);
    if ((f & 0x200) === 0) st.fpscr |= FPSCR_IOC;
    if ((st.fpscr & FPSCR_DN) !== 0) return DEFAULT_NAN32;
    return ((sign << 31) | 0x7fc00000 | ((f & 0x1ff) << 13)) | 0;
  }
  if (e === 0 && f === 0) return zero32(sign);
  const mag = e === 0 ? f * 2 ** -24 : (f + 1024) * 2 ** (e - 25);
  return f32Bits(sign ? -mag : mag);
}

/** FPSingleToHalf: returns the 16-bit pattern. */
export function cvt32to16(st: VfpState, a: number): number {
  const t = type32(st, a);
  const sign = a >>> 31;
  const ahp = (st.fpscr & FPSCR_AHP) !== 0;
  if (t >= T_QNAN) {
    let r: number;
    if (ahp) { r = sign << 15; st.fpscr |= FPSCR_IOC; }
    else if ((st.fpscr & FPSCR_DN) !== 0) r = DEFAULT_NAN16;
    else r = (sign << 15) | 0x7e00 | ((a >>> 13) & 0x1ff);
    if (t === T_SNAN) st.fpscr |= FPSCR_IOC;
    return r;
  }
  if (t === T_INF) {
    if (ahp) { st.fpscr |= FPSCR_IOC; return (sign << 15) | 0x7fff; }
    return (sign << 15) | 0x7c00;
  }
  if (t === T_ZERO) return sign << 15;
  const v = f32Value(a);
  return roundNum(st, sign, sign ? -v : v, 0, 16);
}

// ---- conversions to and from integers and fixed point ---------------------------------------

/**
 * FPToFixed on an unpacked operand (class t, signed value v): the result of
 * `bits` (16 or 32) bits, saturated with Invalid Operation, as an int32.
 */
function toFixed(st: VfpState, t: number, negative: boolean, v: number, fbits: number, unsigned: boolean,
  roundZero: boolean, bits: number): number {
  if (t >= T_QNAN) { st.fpscr |= FPSCR_IOC; return 0; }
  if (t === T_ZERO) return 0;
  const max = unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
  const min = unsigned ? 0 : -(2 ** (bits - 1));
  if (t === T_INF) { st.fpscr |= FPSCR_IOC; return negative ? min : max; }
  const x = v * 2 ** fbits;
  let i = Math.floor(x);
  const err = x - i;
  let up: boolean;
  if (roundZero) up = err !== 0 && i < 0;
  else {
    switch ((st.fpscr >>> 22) & 3) {
      case 0: up = err > 0.5 || (err === 0.5 && i % 2 !== 0); break;
      case 1: up = err !== 0; break;
      case 2: up = false; break;
      default: up = err !== 0 && i < 0; break;
    }
  }
  if (up) i += 1;
  if (i > max) { st.fpscr |= FPSCR_IOC; return max | 0; }
  if (i < min) { st.fpscr |= FPSCR_IOC; return min; }
  if (err !== 0) st.fpscr |= FPSCR_IXC;
  return i | 0;
}

export function f32ToFixed(st: VfpState, a: number, fbits: number, unsigned: boolean, roundZero: boolean, bits: number): number {
  const t = type32(st, a);
  return toFixed(st, t, a < 0, t === T_NUM ? f32Value(a) : 0, fbits, unsigned, roundZero, bits);
}

export function f64ToFixed(st: VfpState, hi: number, lo: number, fbits: number, unsigned: boolean, roundZero: boolean,
  bits: number): number {
  const t = type64(st, hi, lo);
  return toFixed(st, t, hi < 0, t === T_NUM ? f64Value(hi, lo) : 0, fbits, unsigned, roundZero, bits);
}

/**
 * FixedToFP to single: v is the integer operand (already sign- or zero-extended).
 * Rounds to nearest when `nearest` (VCVT from fixed point), else in the FPSCR mode.
 */
export function fixedTo32(st: VfpState, v: number, fbits: number, nearest: boolean): number {
  if (v === 0) return 0;
  if (!nearest) return round32(st, v / 2 ** fbits, 0);
  const rmode = st.fpscr & 0x00c00000;
  st.fpscr &= ~0x00c00000;
  const r = round32(st, v / 2 ** fbits, 0);
  st.fpscr |= rmode;
  return r;
}

/** FixedToFP to double (always exact). */
export function fixedTo64(v: number, fbits: number): void {
  setD(v === 0 ? 0 : v / 2 ** fbits);
}
