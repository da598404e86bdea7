/**
 * Semihosting host side on Node: console streams and host files (only for
 * `bringup exec --semihosting`; scenario runs serve the console and exit only).
 * Every call answers -errno instead of throwing: whatever the guest asks
 * (a folder, a read-only handle, a huge length), the simulator keeps running.
 */

import * as fs from 'node:fs';
import type { SemihostingHost } from '../machine/semihosting';
import { SEMIHOSTING_MAX_TRANSFER } from '../machine/semihosting';

const EBADF = 9;
const EINVAL = 22;
const EISDIR = 21;

function errno(e: unknown): number {
  return -Math.abs((e as NodeJS.ErrnoException).errno ?? 5);
}

export function nodeSemihostingHost(console: (stream: 1 | 2, data: Uint8Array) => void): SemihostingHost {
  const files = new Map<number, { fd: number; pos: number }>();
  return {
    console,
    open(path, mode) {
      const flags = mode.replace('b', '');
      try {
        // Only regular files (or new ones): a folder, device or FIFO could
        // hang the simulator or never end.
        let st: fs.Stats | undefined;
        try { st = fs.statSync(path); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return errno(e); }
        if (st?.isDirectory()) return -EISDIR;
        if (st && !st.isFile()) return -EINVAL;
        const fd = fs.openSync(path, flags);
        files.set(fd, { fd, pos: 0 });
        return fd;
      } catch (e) { return errno(e); }
    },
    write(h, bytes) {
      const f = files.get(h); if (!f) return -EBADF;
      try {
        const n = fs.writeSync(f.fd, bytes, 0, bytes.length, f.pos);
        f.pos += n;
        return n;
      } catch (e) { return errno(e); }
    },
    read(h, length) {
      const f = files.get(h); if (!f) return -EBADF;
      try {
        const buf = Buffer.alloc(Math.min(length, SEMIHOSTING_MAX_TRANSFER));
        const n = fs.readSync(f.fd, buf, 0, buf.length, f.pos);
        f.pos += n;
        return buf.subarray(0, n);
      } catch (e) { return errno(e); }
    },
    close(h) {
      const f = files.get(h); if (!f) return -EBADF;
      files.delete(h);
      try { fs.closeSync(f.fd); } catch (e) { return errno(e); }
      return 0;
    },
    seek(h, position) {
      const f = files.get(h); if (!f) return -EBADF;
      f.pos = position;
      return 0;
    },
    length(h) {
      const f = files.get(h); if (!f) return -EBADF;
      try { return fs.fstatSync(f.fd).size; } catch (e) { return errno(e); }
    },
  };
}
