/**
 * ARM semihosting (A32 `SVC 0x123456`), behaving as QEMU's implementation of
 * the "Semihosting for AArch32 and AArch64" specification.
 *
 * Everything that touches the outside world goes through SemihostingHost, which
 * the caller supplies, so the machine itself stays free of I/O. Time-related
 * calls answer from virtual time, keeping runs deterministic.
 */

import type { Cpu } from './cpu/cpu';
import { DATA_ABORT } from './cpu/faults';

export const SEMIHOSTING_SVC_A32 = 0x123456;
export const SEMIHOSTING_SVC_T32 = 0xab;

export const SYS = {
  OPEN: 0x01, CLOSE: 0x02, WRITEC: 0x03, WRITE0: 0x04, WRITE: 0x05, READ: 0x06, READC: 0x07,
  ISERROR: 0x08, ISTTY: 0x09, SEEK: 0x0a, FLEN: 0x0c, TMPNAM: 0x0d, REMOVE: 0x0e, RENAME: 0x0f,
  CLOCK: 0x10, TIME: 0x11, SYSTEM: 0x12, ERRNO: 0x13, GET_CMDLINE: 0x15, HEAPINFO: 0x16,
  EXIT: 0x18, EXIT_EXTENDED: 0x20, ELAPSED: 0x30, TICKFREQ: 0x31,
} as const;

const ADP_STOPPED_APPLICATION_EXIT = 0x20026;
const EBADF = 9;
const EFAULT = 14;
const EINVAL = 22;
const ENAMETOOLONG = 36;
const ENOSYS = 38;

/**
 * The most bytes one call moves (SYS_WRITE, SYS_READ, SYS_WRITE0): a longer
 * transfer is clipped, and the call reports the rest as not transferred, as
 * the specification allows. Transfers also stop at the first page the guest
 * cannot access. Keeps every call bounded work, whatever length the guest
 * passes (guests that write their results in one call, like the differential
 * test harness, stay far below it).
 */
export const SEMIHOSTING_MAX_TRANSFER = 64 << 20;
/** The longest file name SYS_OPEN accepts. */
const MAX_NAME = 4096;

/** Thrown inside a call when a guest pointer cannot be accessed; the call returns -1 with errno EFAULT. */
const GUEST_FAULT = { kind: 'semihosting-guest-fault' } as const;

/**
 * What the machine asks of the outside world. Each method returns -errno on
 * failure rather than throwing. Without open (scenario runs), calls that name
 * host files fail with ENOSYS: only the console and exit are served.
 */
export interface SemihostingHost {
  /** Console output; stream 1 is stdout, 2 is stderr. */
  console(stream: 1 | 2, bytes: Uint8Array): void;
  /** Opens a host file (fopen-style mode string); returns a host handle or -errno. */
  open?(path: string, mode: string): number;
  write?(handle: number, bytes: Uint8Array): number;
  read?(handle: number, length: number): Uint8Array | number;
  close?(handle: number): number;
  seek?(handle: number, position: number): number;
  length?(handle: number): number;
}

export interface SemihostingConfig {
  host: SemihostingHost;
  /** Scripted console input for SYS_READC / reads of ":tt". */
  input?: Uint8Array;
  cmdline?: string;
  /** Bounds reported by SYS_HEAPINFO: QEMU answers from the board's RAM. */
  ramBase: number;
  ramSize: number;
}

type Guest =
  | { kind: 'console-in' }
  | { kind: 'console-out'; stream: 1 | 2 }
  | { kind: 'host'; handle: number };

const FOPEN_MODES = ['r', 'rb', 'r+', 'r+b', 'w', 'wb', 'w+', 'w+b', 'a', 'ab', 'a+', 'a+b'];

export class Semihosting {
  /** Set by SYS_EXIT / SYS_EXIT_EXTENDED. */
  exitCode: number | undefined;
  private errno = 0;
  private inputPos = 0;
  private files = new Map<number, Guest>();
  private nextHandle = 1;

  constructor(private readonly config: SemihostingConfig, private readonly onExit: (code: number) => void) {}

  /** Handles `SVC imm` if it is the semihosting call; returns true if handled. */
  handleSvc(cpu: Cpu, imm: number): boolean {
    if (cpu.t ? imm !== SEMIHOSTING_SVC_T32 : imm !== SEMIHOSTING_SVC_A32) return false;
    const op = cpu.r[0] >>> 0;
    const arg = cpu.r[1] >>> 0;
    let result: number;
    try {
      result = this.call(cpu, op, arg);
    } catch (e) {
      // A parameter block or buffer the guest cannot access: the architected
      // error result, not an abort and not a crash.
      if (e !== GUEST_FAULT) throw e;
      result = this.fail(EFAULT);
    }
    cpu.r[0] = result;
    return true;
  }

  /**
   * Runs a guest memory access as the guest would make it, turning a fault
   * into GUEST_FAULT and leaving the fault status registers as they were.
   */
  private guarded<T>(cpu: Cpu, access: () => T): T {
    const { dfsr, dfar } = cpu.cp15;
    try { return access(); } catch (e) {
      if (e !== DATA_ABORT) throw e;
      cpu.cp15.dfsr = dfsr;
      cpu.cp15.dfar = dfar;
      throw GUEST_FAULT;
    }
  }

  private word(cpu: Cpu, addr: number): number { return this.guarded(cpu, () => cpu.read32(addr >>> 0)) >>> 0; }
  private byte(cpu: Cpu, addr: number): number { return this.guarded(cpu, () => cpu.read8(addr >>> 0)); }
  private putByte(cpu: Cpu, addr: number, v: number): void { this.guarded(cpu, () => cpu.write8(addr >>> 0, v)); }
  private putWord(cpu: Cpu, addr: number, v: number): void { this.guarded(cpu, () => cpu.write32(addr >>> 0, v)); }

  /** Up to `len` bytes from addr, stopping at the first byte the guest cannot read. */
  private bytes(cpu: Cpu, addr: number, len: number): Uint8Array {
    const chunks: Uint8Array[] = [];
    let n = 0;
    while (n < len) {
      const va = (addr + n) >>> 0;
      const chunk = Math.min(len - n, 0x1000 - (va & 0xfff));
      const got = this.pageBytes(cpu, va, chunk);
      chunks.push(got);
      n += got.length;
      if (got.length < chunk) break;
    }
    return chunks.length === 0 ? new Uint8Array(0) : concat(chunks);
  }

  /** Up to `len` bytes at va, all within one page: a RAM page is copied whole, anything else read byte by byte as the guest would. */
  private pageBytes(cpu: Cpu, va: number, len: number): Uint8Array {
    if (!cpu.accessProbe.active) {
      let pa: number;
      try { pa = this.guarded(cpu, () => cpu.translateData(va, false)); } catch (e) {
        if (e !== GUEST_FAULT) throw e;
        return new Uint8Array(0);
      }
      const r = cpu.bus.ramAt(pa);
      if (r) return r.u8.slice(pa - r.base, pa - r.base + len);
    }
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      try { out[i] = this.byte(cpu, va + i); } catch (e) {
        if (e !== GUEST_FAULT) throw e;
        return out.subarray(0, i);
      }
    }
    return out;
  }

  /**
   * How many of `len` bytes from addr the guest could write: stops at the
   * first page that does not translate or has nothing behind it.
   */
  private writableLength(cpu: Cpu, addr: number, len: number): number {
    let n = 0;
    while (n < len) {
      const va = (addr + n) >>> 0;
      let pa: number;
      try { pa = this.guarded(cpu, () => cpu.translateData(va, true)); } catch (e) {
        if (e !== GUEST_FAULT) throw e;
        break;
      }
      if (!cpu.bus.isMapped(pa)) break;
      n += 0x1000 - (va & 0xfff);
    }
    return Math.min(n, len);
  }

  /** Writes data to the guest at addr; returns how many bytes were written before a fault. */
  private store(cpu: Cpu, addr: number, data: Uint8Array): number {
    if (!cpu.accessProbe.active && cpu.e === 0) {
      // Page by page into RAM (the bus marks pages dirty and drops decoded code).
      let n = 0;
      while (n < data.length) {
        const va = (addr + n) >>> 0;
        const chunk = Math.min(data.length - n, 0x1000 - (va & 0xfff));
        let pa: number;
        try { pa = this.guarded(cpu, () => cpu.translateData(va, true)); } catch (e) {
          if (e !== GUEST_FAULT) throw e;
          return n;
        }
        if (!cpu.bus.isRam(pa)) break;
        cpu.bus.loadBytes(pa, data.subarray(n, n + chunk));
        n += chunk;
      }
      if (n === data.length) return n;
      return n + this.storeBytes(cpu, addr + n, data.subarray(n));
    }
    return this.storeBytes(cpu, addr, data);
  }

  private storeBytes(cpu: Cpu, addr: number, data: Uint8Array): number {
    for (let i = 0; i < data.length; i++) {
      try { this.putByte(cpu, addr + i, data[i]); } catch (e) {
        if (e !== GUEST_FAULT) throw e;
        return i;
      }
    }
    return data.length;
  }

  private call(cpu: Cpu, op: number, arg: number): number {
    const host = this.config.host;
    switch (op) {
      case SYS.WRITEC:
        host.console(1, Uint8Array.of(this.byte(cpu, arg)));
        return cpu.r[0];
      case SYS.WRITE0: {
        // Printed up to the NUL, at most SEMIHOSTING_MAX_TRANSFER bytes, and up
        // to the first byte the guest cannot read.
        const parts: Uint8Array[] = [];
        for (let n = 0; n < SEMIHOSTING_MAX_TRANSFER;) {
          const va = (arg + n) >>> 0;
          const chunk = this.pageBytes(cpu, va, 0x1000 - (va & 0xfff));
          const end = chunk.indexOf(0);
          parts.push(end >= 0 ? chunk.subarray(0, end) : chunk);
          n += chunk.length;
          if (end >= 0 || chunk.length < 0x1000 - (va & 0xfff)) break;
        }
        host.console(1, concat(parts));
        return cpu.r[0];
      }
      case SYS.OPEN: {
        const nameLen = this.word(cpu, arg + 8);
        if (nameLen > MAX_NAME) return this.fail(ENAMETOOLONG);
        const nameBytes = this.bytes(cpu, this.word(cpu, arg), nameLen);
        if (nameBytes.length < nameLen) return this.fail(EFAULT);
        const name = new TextDecoder('latin1').decode(nameBytes);
        const mode = this.word(cpu, arg + 4);
        if (mode > 11) return this.fail(EINVAL);
        if (name === ':tt') {
          const g: Guest = mode < 4 ? { kind: 'console-in' } : { kind: 'console-out', stream: mode < 8 ? 1 : 2 };
          return this.allocate(g);
        }
        if (!host.open) return this.fail(ENOSYS);
        const h = host.open(name, FOPEN_MODES[mode]);
        if (h < 0) return this.fail(-h);
        return this.allocate({ kind: 'host', handle: h });
      }
      case SYS.CLOSE: {
        const g = this.files.get(this.word(cpu, arg));
        if (!g) return this.fail(EBADF);
        this.files.delete(this.word(cpu, arg));
        if (g.kind === 'host' && host.close) { const r = host.close(g.handle); if (r < 0) return this.fail(-r); }
        return 0;
      }
      case SYS.WRITE: {
        // Returns the number of bytes not written.
        const g = this.files.get(this.word(cpu, arg));
        const len = this.word(cpu, arg + 8);
        if (!g) { this.errno = EBADF; return len; }
        if (g.kind === 'console-in') { this.errno = EBADF; return len; }
        const data = this.bytes(cpu, this.word(cpu, arg + 4), Math.min(len, SEMIHOSTING_MAX_TRANSFER));
        if (data.length === 0 && len > 0) { this.errno = EFAULT; return len; }
        if (g.kind === 'console-out') { host.console(g.stream, data); return len - data.length; }
        const n = host.write ? host.write(g.handle, data) : -ENOSYS;
        if (n < 0) { this.errno = -n; return len; }
        return len - Math.min(n, data.length);
      }
      case SYS.READ: {
        const g = this.files.get(this.word(cpu, arg));
        const buf = this.word(cpu, arg + 4);
        const len = this.word(cpu, arg + 8);
        if (!g) { this.errno = EBADF; return len; }
        // Asks for no more than the guest's buffer can take (clipped at the
        // first page it cannot write, and at SEMIHOSTING_MAX_TRANSFER).
        const room = this.writableLength(cpu, buf, Math.min(len, SEMIHOSTING_MAX_TRANSFER));
        if (room === 0 && len > 0) { this.errno = EFAULT; return len; }
        let data: Uint8Array;
        if (g.kind === 'console-in') {
          const input = this.config.input ?? new Uint8Array(0);
          data = input.subarray(this.inputPos, this.inputPos + room);
          this.inputPos += data.length;
        } else if (g.kind === 'host' && host.read) {
          const r = host.read(g.handle, room);
          if (typeof r === 'number') { this.errno = -r; return len; }
          data = r.subarray(0, room);
        } else { this.errno = EBADF; return len; }
        return len - this.store(cpu, buf, data);
      }
      case SYS.READC: {
        const input = this.config.input ?? new Uint8Array(0);
        if (this.inputPos >= input.length) return -1;
        return input[this.inputPos++];
      }
      case SYS.ISERROR:
        return (this.word(cpu, arg) | 0) < 0 ? 1 : 0;
      case SYS.ISTTY: {
        const g = this.files.get(this.word(cpu, arg));
        if (!g) return this.fail(EBADF);
        return g.kind === 'host' ? 0 : 1;
      }
      case SYS.SEEK: {
        const g = this.files.get(this.word(cpu, arg));
        if (!g) return this.fail(EBADF);
        if (g.kind !== 'host' || !host.seek) return this.fail(29 /* ESPIPE */);
        const r = host.seek(g.handle, this.word(cpu, arg + 4));
        return r < 0 ? this.fail(-r) : 0;
      }
      case SYS.FLEN: {
        const g = this.files.get(this.word(cpu, arg));
        if (!g) return this.fail(EBADF);
        if (g.kind !== 'host' || !host.length) return this.fail(EBADF);
        const r = host.length(g.handle);
        return r < 0 ? this.fail(-r) : r;
      }
      case SYS.CLOCK:
        return Math.floor(cpu.icount / 10_000_000) | 0; // centiseconds at 1 GHz
      case SYS.TIME:
        return Math.floor(cpu.icount / 1_000_000_000) | 0; // seconds of virtual time since an epoch of 0
      case SYS.ELAPSED: {
        const t = cpu.icount;
        this.putWord(cpu, arg, t % 0x100000000);
        this.putWord(cpu, arg + 4, Math.floor(t / 0x100000000));
        return 0;
      }
      case SYS.TICKFREQ:
        return 1_000_000_000;
      case SYS.ERRNO:
        return this.errno;
      case SYS.GET_CMDLINE: {
        const buf = this.word(cpu, arg);
        const size = this.word(cpu, arg + 4);
        const text = new TextEncoder().encode(this.config.cmdline ?? '');
        if (text.length + 1 > size) return -1;
        for (let i = 0; i < text.length; i++) this.putByte(cpu, buf + i, text[i]);
        this.putByte(cpu, buf + text.length, 0);
        this.putWord(cpu, arg + 4, text.length);
        return 0;
      }
      case SYS.HEAPINFO: {
        // QEMU (system emulation): heap in the upper half of RAM, stack at its top.
        const block = this.word(cpu, arg);
        const { ramBase, ramSize } = this.config;
        this.putWord(cpu, block, ramBase + ramSize / 2);
        this.putWord(cpu, block + 4, ramBase + ramSize);
        this.putWord(cpu, block + 8, ramBase + ramSize);
        this.putWord(cpu, block + 12, ramBase);
        return 0;
      }
      case SYS.EXIT:
        this.exit(arg === ADP_STOPPED_APPLICATION_EXIT ? 0 : 1);
        return 0;
      case SYS.EXIT_EXTENDED: {
        const reason = this.word(cpu, arg);
        this.exit(reason === ADP_STOPPED_APPLICATION_EXIT ? this.word(cpu, arg + 4) | 0 : 1);
        return 0;
      }
      default:
        cpu.reportOnce(`semihosting: unsupported operation 0x${op.toString(16)}`);
        return this.fail(ENOSYS);
    }
  }

  private allocate(g: Guest): number {
    const h = this.nextHandle++;
    this.files.set(h, g);
    return h;
  }

  private fail(errno: number): number {
    this.errno = errno;
    return -1;
  }

  private exit(code: number): void {
    this.exitCode = code;
    this.onExit(code);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
