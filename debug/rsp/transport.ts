/**
 * Where a gdb session's bytes come from: a TCP server on 127.0.0.1 (one
 * client at a time, as QEMU's -gdb; a second one is told so and
 * disconnected), or a pair of streams (stdin/stdout, for
 * `target remote | bringup ... --gdb -`).
 */

import * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { DebugTarget } from '../target';
import { GdbSession, type SessionEnd, type SessionOptions } from './session';

export class GdbServeError extends Error {}

export interface GdbServer {
  /** The port listened on (useful with port 0). */
  readonly port: number;
  /** Settles when the client's session is over (or close() was called before one came). */
  readonly ended: Promise<SessionEnd>;
  /** Stops listening and ends the session (the connection closes). */
  close(): void;
}

/** Listens on 127.0.0.1:port; resolves once listening. A port in use is a GdbServeError naming it. */
export function serveTcp(target: DebugTarget, port: number, options: SessionOptions & { onClient?: (peer: string) => void } = {}): Promise<GdbServer> {
  return new Promise((resolve, reject) => {
    let session: GdbSession | undefined;
    let socket: net.Socket | undefined;
    let endWith!: (end: SessionEnd) => void;
    let failWith!: (error: unknown) => void;
    const ended = new Promise<SessionEnd>((r, j) => { endWith = r; failWith = j; });
    const server = net.createServer((client) => {
      const peer = `${client.remoteAddress}:${client.remotePort}`;
      if (session) {
        options.log?.(`gdb: connection from ${peer} refused: a debugger is already attached (one at a time)`);
        client.on('error', () => {});
        client.end('bringup: a debugger is already attached to this run; only one at a time\n');
        return;
      }
      socket = client;
      client.setNoDelay(true);
      const s = session = new GdbSession(target, (data) => { if (!client.destroyed) client.write(data); }, options);
      options.onClient?.(peer);
      client.on('data', (d) => s.feed(d));
      client.on('error', () => s.close());
      client.on('close', () => s.close());
      s.ended.then((end) => {
        client.end();
        server.close();
        endWith(end);
      }, (error: unknown) => {
        client.destroy();
        server.close();
        failWith(error);
      });
    });
    server.on('error', (e: NodeJS.ErrnoException) => {
      if (session) return;
      reject(new GdbServeError(e.code === 'EADDRINUSE'
        ? `port ${port} on 127.0.0.1 is in use (another debugger stub, or a QEMU started with -s?); give another port: --gdb PORT`
        : e.code === 'EACCES' ? `port ${port} on 127.0.0.1 cannot be used by this user (ports below 1024 need privileges)` : `cannot listen on 127.0.0.1:${port}: ${e.message}`));
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        ended,
        close: () => {
          server.close();
          if (session) { session.close(); socket?.destroy(); } else endWith('closed');
        },
      });
    });
  });
}

/** A session over two streams (stdin and stdout): it ends when the input ends or gdb detaches. */
export function serveStreams(target: DebugTarget, input: Readable, output: Writable, options: SessionOptions = {}): { ended: Promise<SessionEnd>; close(): void } {
  const session = new GdbSession(target, (data) => { if (!output.destroyed && output.writable) output.write(data); }, options);
  const onData = (d: Buffer) => session.feed(d);
  const onEnd = () => session.close();
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('close', onEnd);
  input.on('error', onEnd);
  output.on('error', onEnd);
  const stop = () => {
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('close', onEnd);
    input.pause();
  };
  session.ended.then(stop, stop);
  return { ended: session.ended, close: () => session.close() };
}
