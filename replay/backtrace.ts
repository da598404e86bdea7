/**
 * A backtrace of one core of a stopped machine, read from its memory
 * through that core's translation.
 *
 * Each frame is unwound by the first of these that applies:
 *   1. the function's prologue, when it sets up a frame pointer: the APCS
 *      frame arm-none-eabi-gcc emits with -mapcs-frame (the reference
 *      hypervisor and its domains: `mov ip, sp; push {..., fp, ip, lr, pc};
 *      sub fp, ip, #4`) or the AAPCS one (`push {..., fp, lr}; add fp, sp, #N`).
 *      Once fp is set, the frame is found from fp, whatever the function did
 *      to sp since;
 *   2. the image's unwind table (.ARM.exidx/.ARM.extab, the ARM EHABI), when
 *      the image has one and it covers the PC;
 *   3. the prologue's stack arithmetic (pushes and `sub sp, sp, #N`), for a
 *      function without a frame pointer (libgcc's __divdi3, leaf functions);
 *      a function that has not saved lr returns to lr;
 *   4. without a symbol: at the innermost frame, the link register (a call
 *      through a wild pointer lands where no frame is built yet); further
 *      out, the APCS frame record at fp ([fp-4] the return address, [fp-8]
 *      the caller's sp, [fp-12] the caller's fp).
 * The walk ends at a zero or unreadable return address, a stack pointer that
 * does not grow towards the caller, or after `max` frames.
 */

import type { Machine } from '../machine/machine';
import { MODE_NAMES } from '../machine/cpu/modes';
import type { AddressSpaces, CodeSymbol } from './symbols';
import { readVirtualWord } from './trace';

export type UnwindMethod = 'pc' | 'frame pointer' | 'unwind table' | 'prologue' | 'link register' | 'frame record';

export interface Frame {
  pc: number;
  sp: number;
  /** `func+0xoff` or `image:func+0xoff`, resolved in the core's address space. */
  symbol?: string;
  /** How this frame's caller's registers were found from it (the last frame: why the walk ended). */
  how: UnwindMethod;
}

export interface Backtrace { frames: Frame[]; end: string }

type Regs = Array<number | undefined>;

interface Prologue {
  /** Bytes pushed (and subtracted from sp) before the PC, in order. */
  steps: Array<{ kind: 'push'; regs: number[] } | { kind: 'sub'; bytes: number } | { kind: 'fp-from-ip'; imm: number } | { kind: 'fp-from-sp'; imm: number } | { kind: 'ip-is-sp' }>;
  recognised: boolean;
}

const regList = (mask: number) => Array.from({ length: 16 }, (_, i) => i).filter((i) => mask & (1 << i));

/** A32 immediate (rotated 8-bit). */
const armImm = (w: number) => { const rot = ((w >>> 8) & 0xf) * 2, v = w & 0xff; return ((v >>> rot) | (v << (32 - rot))) >>> 0; };

/** Reads the prologue from the function's start up to (not including) `pc`. */
function analysePrologue(read: (a: number) => number | undefined, start: number, pc: number): Prologue {
  const out: Prologue = { steps: [], recognised: false };
  for (let a = start; a < pc && a < start + 4 * 24; a += 4) {
    const w = read(a);
    if (w === undefined) break;
    // A conditional instruction before the frame (a shrink-wrapped early return, `bxeq lr`): the PC is past it, so it did not leave.
    if ((w & 0xf0000000) >>> 0 !== 0xe0000000) { if ((w >>> 28) === 0xf) break; continue; }
    if (w === 0xe1a0c00d) { out.steps.push({ kind: 'ip-is-sp' }); out.recognised = true; continue; } // mov ip, sp
    if ((w & 0xffff0000) >>> 0 === 0xe92d0000) { out.steps.push({ kind: 'push', regs: regList(w & 0xffff) }); out.recognised = true; continue; } // push {list}
    if ((w & 0xffff0fff) >>> 0 === 0xe52d0004) { out.steps.push({ kind: 'push', regs: [(w >>> 12) & 0xf] }); out.recognised = true; continue; } // str rX, [sp, #-4]! (push {rX})
    if ((w & 0xfffff000) >>> 0 === 0xe24dd000) { out.steps.push({ kind: 'sub', bytes: armImm(w) }); out.recognised = true; continue; } // sub sp, sp, #imm
    if ((w & 0xfffff000) >>> 0 === 0xe24cb000) { out.steps.push({ kind: 'fp-from-ip', imm: armImm(w) }); continue; } // sub fp, ip, #imm
    if ((w & 0xfffff000) >>> 0 === 0xe28db000) { out.steps.push({ kind: 'fp-from-sp', imm: armImm(w) }); continue; } // add fp, sp, #imm
    if ((w & 0xffff0f00) >>> 0 === 0xed2d0b00) { out.steps.push({ kind: 'sub', bytes: (w & 0xff) * 4 }); continue; } // vpush {d..}
    // Anything else that writes sp, fp, ip (before the frame is set), pc, or branches ends the prologue.
    const rd = (w >>> 12) & 0xf;
    const op = (w >>> 25) & 7;
    if (op === 5 || op === 4 || rd === 13 || rd === 15 || rd === 11) break;
  }
  return out;
}

interface CallerRegs { regs: Regs; how: UnwindMethod }

/** Unwinds by the prologue: with the frame pointer when it is set, else by the stack arithmetic. */
function unwindByPrologue(p: Prologue, regs: Regs, read: (a: number) => number | undefined, useFp: boolean): CallerRegs | undefined {
  let pushed = 0;
  let entrySp: number | undefined;
  const slots: Array<{ reg: number; at: number }> = []; // offsets below the entry sp
  let ipIsSp = false;
  for (const s of p.steps) {
    if (s.kind === 'ip-is-sp') ipIsSp = true;
    else if (s.kind === 'push') {
      s.regs.forEach((r, i) => slots.push({ reg: r, at: pushed + 4 * (s.regs.length - i) }));
      pushed += 4 * s.regs.length;
    } else if (s.kind === 'sub') pushed += s.bytes;
    else if (useFp && s.kind === 'fp-from-ip' && ipIsSp && regs[11] !== undefined) entrySp = (regs[11] + s.imm) >>> 0;
    else if (useFp && s.kind === 'fp-from-sp' && regs[11] !== undefined) entrySp = (regs[11] - s.imm + pushed) >>> 0;
  }
  const how: UnwindMethod = entrySp !== undefined ? 'frame pointer' : 'prologue';
  if (entrySp === undefined) {
    if (regs[13] === undefined) return undefined;
    entrySp = (regs[13] + pushed) >>> 0;
  }
  const out: Regs = regs.slice();
  out[14] = undefined;
  for (const r of [0, 1, 2, 3, 12]) out[r] = undefined;
  let ret = regs[14];
  let lrSaved = false;
  for (const s of slots) {
    const v = read((entrySp - s.at) >>> 0);
    if (s.reg === 14) { ret = v; lrSaved = true; } else if (s.reg >= 4 && s.reg <= 11) out[s.reg] = v;
  }
  out[13] = entrySp;
  out[15] = ret === undefined ? undefined : (ret & ~1) >>> 0;
  return { regs: out, how: lrSaved || how === 'frame pointer' ? how : 'link register' };
}

/** The unwind table entry (its opcodes) for `pc`, or a reason there is none. */
function exidxOpcodes(table: { addr: number; size: number }, pc: number, read: (a: number) => number | undefined): number[] | 'cantunwind' | undefined {
  const n = table.size / 8;
  const prel31 = (w: number, at: number) => ((at + ((w << 1) >> 1)) >>> 0);
  let lo = 0, hi = n - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = (table.addr + mid * 8) >>> 0;
    const w = read(at);
    if (w === undefined) return undefined;
    if (prel31(w, at) <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const at = (table.addr + found * 8) >>> 0;
  const w1 = read(at + 4);
  if (w1 === undefined) return undefined;
  if (w1 === 1) return 'cantunwind';
  const bytesOf = (w: number, from: number) => { const b: number[] = []; for (let i = from; i >= 0; i--) b.push((w >>> (8 * i)) & 0xff); return b; };
  if (w1 & 0x80000000) return bytesOf(w1, 2);
  const ex = prel31(w1, at + 4);
  const e0 = read(ex);
  if (e0 === undefined) return undefined;
  let ops: number[];
  let more: number;
  let next = ex + 4;
  if (e0 & 0x80000000) {
    const index = (e0 >>> 24) & 0xf;
    if (index === 0) return bytesOf(e0, 2);
    if (index !== 1 && index !== 2) return undefined;
    more = (e0 >>> 16) & 0xff;
    ops = bytesOf(e0, 1);
  } else {
    // A generic personality routine (gcc's __gxx_personality_v0): the word after it as personality 1's.
    const e1 = read(next);
    if (e1 === undefined) return undefined;
    next += 4;
    more = (e1 >>> 24) & 0xff;
    ops = bytesOf(e1, 2);
  }
  for (let i = 0; i < more; i++) {
    const w = read(next + 4 * i);
    if (w === undefined) return undefined;
    ops.push(...bytesOf(w, 3));
  }
  return ops;
}

/** Runs EHABI unwind opcodes (ARM IHI 0038, section 10.3) on the registers. */
function unwindByTable(ops: number[], regs: Regs, read: (a: number) => number | undefined): CallerRegs | undefined {
  const r = regs.slice();
  let vsp = r[13];
  if (vsp === undefined) return undefined;
  let pcSet = false;
  const pop = (list: number[]): boolean => {
    for (const k of list) {
      const v = read(vsp!);
      if (v === undefined) return false;
      r[k] = v;
      if (k === 15) pcSet = true;
      vsp = (vsp! + 4) >>> 0;
    }
    return true;
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if ((op & 0xc0) === 0x00) vsp = (vsp + ((op & 0x3f) << 2) + 4) >>> 0;
    else if ((op & 0xc0) === 0x40) vsp = (vsp - ((op & 0x3f) << 2) - 4) >>> 0;
    else if ((op & 0xf0) === 0x80) {
      const mask = ((op & 0xf) << 8) | (ops[++i] ?? 0);
      if (!mask) return undefined; // refuse to unwind
      const list = Array.from({ length: 12 }, (_, k) => k).filter((k) => mask & (1 << k)).map((k) => k + 4);
      const popsSp = list.includes(13);
      if (!pop(list)) return undefined;
      if (popsSp) vsp = r[13]!;
    } else if ((op & 0xf0) === 0x90) {
      const n = op & 0xf;
      if (n === 13 || n === 15) return undefined;
      const v = r[n];
      if (v === undefined) return undefined;
      vsp = v;
    } else if ((op & 0xf8) === 0xa0) {
      if (!pop(Array.from({ length: (op & 7) + 1 }, (_, k) => 4 + k))) return undefined;
    } else if ((op & 0xf8) === 0xa8) {
      if (!pop([...Array.from({ length: (op & 7) + 1 }, (_, k) => 4 + k), 14])) return undefined;
    } else if (op === 0xb0) break; // finish
    else if (op === 0xb1) {
      const mask = ops[++i] ?? 0;
      if (!mask || mask & 0xf0) return undefined;
      if (!pop([0, 1, 2, 3].filter((k) => mask & (1 << k)))) return undefined;
    } else if (op === 0xb2) {
      let v = 0, shift = 0, b: number;
      do { b = ops[++i] ?? 0; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
      vsp = (vsp + 0x204 + v * 4) >>> 0;
    } else if (op === 0xb3) { const c = (ops[++i] ?? 0) & 0xf; vsp = (vsp + 8 * (c + 1) + 4) >>> 0; } // FSTMFDX
    else if ((op & 0xf8) === 0xb8) vsp = (vsp + 8 * ((op & 7) + 1) + 4) >>> 0;
    else if (op === 0xc8 || op === 0xc9) { const c = (ops[++i] ?? 0) & 0xf; vsp = (vsp + 8 * (c + 1)) >>> 0; }
    else if ((op & 0xf8) === 0xd0) vsp = (vsp + 8 * ((op & 7) + 1)) >>> 0;
    else return undefined; // iWMMXt and spare encodings
  }
  r[13] = vsp;
  if (!pcSet) r[15] = r[14];
  if (r[15] !== undefined) r[15] = (r[15] & ~1) >>> 0;
  r[14] = undefined;
  return { regs: r, how: 'unwind table' };
}

/**
 * The frames of core `core` (default 0), innermost first, each with the PC
 * (frame 0: where the core stands; the others: the return address) resolved
 * in the core's address space.
 */
export function backtrace(m: Machine, spaces: AddressSpaces, core = 0, max = 32): Backtrace {
  const cpu = m.cpus[core] ?? m.cpu;
  const read = (a: number) => ((a & 3) ? undefined : readVirtualWord(m, a >>> 0, core));
  const where = { machine: m, asid: cpu.cp15.contextidr & 0xff, mode: MODE_NAMES[cpu.mode], core };
  let regs: Regs = Array.from({ length: 16 }, (_, i) => cpu.r[i] >>> 0);
  regs[15] = cpu.pc >>> 0;
  const thumb = cpu.t === 1;
  const frames: Frame[] = [];
  const seen = new Set<string>();
  let end = `${max} frames shown`;
  for (let depth = 0; depth < max; depth++) {
    const pc = regs[15]!;
    const sp = regs[13]!;
    const frame: Frame = { pc, sp, how: 'pc' };
    // A return address may be just past a call that ends its function: look it up one before.
    const code = spaces.codeAt(depth === 0 ? pc : pc - 1, where);
    frame.symbol = depth === 0 ? spaces.symbolAt(pc, where) : code ? `${code.image ? `${code.image}:` : ''}${code.symbol.name}+0x${(pc - code.symbol.start).toString(16)}` : spaces.symbolAt(pc, where);
    frames.push(frame);
    const key = `${pc}:${sp}`;
    if (seen.has(key)) { end = 'the same frame again'; break; }
    seen.add(key);
    // Frame 0 in code no image names (a call through a wild pointer, into data): it has built no frame yet; its caller is at lr.
    const next = depth === 0 && !code && !spaces.symbolAt(pc, where) && regs[14] !== undefined && ((regs[14] & ~1) >>> 0) !== pc
      ? { regs: Object.assign(regs.slice(), { 14: undefined, 15: (regs[14] & ~1) >>> 0 }), how: 'link register' as const }
      : unwindOne(code?.symbol, code ? spaces.unwindTable(code.image) : undefined, regs, read, depth === 0 && thumb);
    if (!next) { end = code ? `cannot unwind ${code.symbol.name} further` : 'no symbol and no frame record at fp'; break; }
    frame.how = next.how;
    const npc = next.regs[15], nsp = next.regs[13];
    if (npc === undefined || npc === 0) { end = 'return address 0 (the outermost frame)'; break; }
    if (nsp === undefined || nsp < sp) { end = 'the stack pointer does not grow towards the caller'; break; }
    if (read((npc & ~3) >>> 0) === undefined) { end = `return address ${npc.toString(16).padStart(8, '0')} is not mapped`; break; }
    regs = next.regs;
  }
  return { frames, end };
}

function unwindOne(sym: CodeSymbol | undefined, table: { addr: number; size: number } | undefined, regs: Regs, read: (a: number) => number | undefined, thumb: boolean): CallerRegs | undefined {
  const pc = regs[15]!;
  const prologue = sym && !thumb ? analysePrologue(read, sym.start, pc) : undefined;
  const setsFp = prologue?.steps.some((s) => s.kind === 'fp-from-ip' || s.kind === 'fp-from-sp');
  if (prologue && setsFp) {
    const r = unwindByPrologue(prologue, regs, read, true);
    if (r) return r;
  }
  if (table) {
    const ops = exidxOpcodes(table, pc, read);
    if (ops === 'cantunwind') return undefined;
    if (ops) {
      const r = unwindByTable(ops, regs, read);
      if (r) return r;
    }
  }
  if (prologue) return unwindByPrologue(prologue, regs, read, false);
  // No symbol: the APCS frame record at fp.
  const fp = regs[11];
  if (!fp) return undefined;
  const ret = read((fp - 4) >>> 0), callerSp = read((fp - 8) >>> 0), callerFp = read((fp - 12) >>> 0);
  if (ret === undefined || callerSp === undefined || callerFp === undefined) return undefined;
  const out: Regs = new Array(16).fill(undefined);
  out[11] = callerFp; out[13] = callerSp; out[15] = (ret & ~1) >>> 0;
  return { regs: out, how: 'frame record' };
}

/** The backtrace as lines: `#0  00106318  <__divdi3>` ... and how it ended. */
export function formatBacktrace(bt: Backtrace): string[] {
  const out = bt.frames.map((f, i) => `#${String(i).padEnd(2)} ${f.pc.toString(16).padStart(8, '0')}  sp ${f.sp.toString(16).padStart(8, '0')}  ${f.symbol ? `<${f.symbol}>` : '(no symbol)'}`);
  out.push(`(${bt.end})`);
  return out;
}
