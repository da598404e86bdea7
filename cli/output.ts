/**
 * stdout and stderr when their reader goes away (`bringup run ... | head`):
 * the command goes on quietly (a run still completes its recording) and
 * what it would have printed is dropped, instead of dying on an unhandled
 * EPIPE. Writers that produce a lot (exec's console) wait for the pipe to
 * take more (backpressure) rather than writing past it and losing output.
 */

type Fd = 1 | 2;
const closed: Record<Fd, boolean> = { 1: false, 2: false };
const closeListeners: Array<() => void> = [];
let guarded = false;

function stream(fd: Fd): NodeJS.WriteStream { return fd === 1 ? process.stdout : process.stderr; }

/** Installed once by main(): an error on stdout or stderr (EPIPE: the reader went away) marks it closed. */
export function guardOutput(): void {
  if (guarded) return;
  guarded = true;
  for (const fd of [1, 2] as const) {
    stream(fd).on('error', () => {
      if (closed[fd]) return;
      closed[fd] = true;
      if (fd === 1) for (const f of closeListeners.splice(0)) f();
    });
  }
}

/** Whether stdout's reader has gone away. */
export function stdoutClosed(): boolean { return closed[1]; }

/** Calls f once when stdout's reader goes away (at once if it already has). Returns a function that cancels it. */
export function onStdoutClosed(f: () => void): () => void {
  if (closed[1]) { f(); return () => {}; }
  closeListeners.push(f);
  return () => { const i = closeListeners.indexOf(f); if (i >= 0) closeListeners.splice(i, 1); };
}

/** Writes to stdout or stderr (nothing once its reader has gone away). Returns false when the caller should wait (outputDrained). */
export function writeOutput(fd: Fd, data: Uint8Array | string): boolean {
  if (closed[fd]) return true;
  return stream(fd).write(data);
}

/** Resolves when stdout and stderr have taken what was written to them (or their reader has gone away). */
export function outputDrained(): Promise<void> {
  return Promise.all(([1, 2] as const).map((fd) => new Promise<void>((resolve) => {
    const s = stream(fd);
    if (closed[fd] || !s.writableNeedDrain) { resolve(); return; }
    const done = () => { s.off('drain', done); s.off('close', done); s.off('error', done); resolve(); };
    s.on('drain', done);
    s.on('close', done);
    s.on('error', done);
  }))).then(() => undefined);
}
