/** Semihosting host side on Node: console streams and host files. */

import * as fs from 'node:fs';
import type { SemihostingHost } from '../machine/semihosting';

export function nodeSemihostingHost(console: (stream: 1 | 2, data: Uint8Array) => void): SemihostingHost {
  const files = new Map<number, { fd: number; pos: number }>();
  const errno = (e: unknown) => -Math.abs((e as NodeJS.ErrnoException).errno ?? 5);
  return {
    console,
    open(path, mode) {
      const flags = mode.replace('b', '');
      try {
        const fd = fs.openSync(path, flags);
        files.set(fd, { fd, pos: 0 });
        return fd;
      } catch (e) { return errno(e); }
    },
    write(h, bytes) {
      const f = files.get(h); if (!f) return -9;
      const n = fs.writeSync(f.fd, bytes, 0, bytes.length, f.pos);
      f.pos += n;
      return n;
    },
    read(h, length) {
      const f = files.get(h); if (!f) return -9;
      const buf = Buffer.alloc(length);
      const n = fs.readSync(f.fd, buf, 0, length, f.pos);
      f.pos += n;
      return buf.subarray(0, n);
    },
    close(h) {
      const f = files.get(h); if (!f) return -9;
      fs.closeSync(f.fd); files.delete(h);
      return 0;
    },
    seek(h, position) {
      const f = files.get(h); if (!f) return -9;
      f.pos = position;
      return 0;
    },
    length(h) {
      const f = files.get(h); if (!f) return -9;
      return fs.fstatSync(f.fd).size;
    },
  };
}
