/**
 * Helper threads of the replay layer: work that needs nothing of the running
 * machine but what it is handed (sealing recorded chunks, decoding a
 * recording's checkpoints ahead of a verify) runs on a thread of its own, so
 * that the machine is not held up by it.
 *
 * One thread per kind of work serves every user of the process: it is
 * started with the first and does not keep the process alive. Each user
 * talks to it over a channel of its own and collects the answers
 * synchronously (receiveMessageOnPort, and Atomics.wait on a counter the
 * thread raises with every answer), so that a run that never gives the event
 * loop a turn is served as well as one that does.
 */

import * as path from 'node:path';
import { MessageChannel, Worker, parentPort, receiveMessageOnPort, type MessagePort, type TransferListItem } from 'node:worker_threads';

/** How long a user waits for an answer before it gives up on the thread. */
const STALL_MS = 120_000;

interface Thread { worker: Worker; ended?: string }

/** The running thread of each kind, by its file. */
const threads = new Map<string, Thread>();

function threadOf(file: string): Thread {
  const running = threads.get(file);
  if (running) return running;
  const t: Thread = { worker: new Worker(path.join(__dirname, file)) };
  t.worker.unref();
  t.worker.on('error', (e) => { t.ended = e.stack ?? String(e); });
  t.worker.on('exit', (code) => {
    t.ended ??= `it exited with code ${code}`;
    if (threads.get(file) === t) threads.delete(file);
  });
  threads.set(file, t);
  return t;
}

/** A user's channel to the thread of `file` (a module next to this one that calls serveChannels). */
export class SideChannel {
  private readonly port: MessagePort;
  /** How many answers the thread has sent on this channel (it wakes a user waiting on it). */
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));
  private readonly thread: Thread;
  private received = 0;
  private closed = false;

  /** `what` names the thread's work in errors; `open` is what the thread's `open` gets for this channel. */
  constructor(file: string, private readonly what: string, open: object = {}, transfer: TransferListItem[] = []) {
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    this.thread = threadOf(file);
    this.thread.worker.postMessage({ open, port: port2, answered: this.answered }, [port2, ...transfer]);
    this.port = port1;
  }

  post(message: unknown, transfer: TransferListItem[] = []): void {
    this.port.postMessage(message, transfer);
  }

  /** The next answer if it has come, else undefined. Throws what the thread failed with. */
  poll(): unknown {
    const m = receiveMessageOnPort(this.port);
    if (m === undefined) return undefined;
    this.received++;
    const answer = m.message as { failed?: string };
    if (answer.failed !== undefined) throw new Error(`${this.what} failed: ${answer.failed}`);
    return answer;
  }

  /** The next answer, waited for; throws when the thread has not answered for two minutes. */
  next(): unknown {
    let waitedSince: number | undefined;
    for (;;) {
      const answer = this.poll();
      if (answer !== undefined) return answer;
      const seen = Atomics.load(this.answered, 0);
      // Counted but not received yet: in flight.
      if (seen !== this.received) { waitedSince = undefined; continue; }
      // How long the thread has not answered: a wait for many slow answers that keep coming is no stall.
      waitedSince ??= Date.now();
      if (Date.now() - waitedSince > STALL_MS) {
        throw new Error(`the thread ${this.what} has not answered for ${STALL_MS / 1000} s${this.thread.ended ? ` (${this.thread.ended})` : ''}`);
      }
      Atomics.wait(this.answered, 0, seen, 100);
    }
  }

  /** Ends the channel, on both sides (what is still unanswered is dropped). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
  }
}

/** An answer, and what of it moves to the user rather than being copied. */
export interface Answer { message: object; transfer?: TransferListItem[] }

/**
 * The thread's side: for every channel opened, `open` makes the handler of
 * its messages (from the channel's `open`); each message gets one answer,
 * in order. A handler or `open` that throws answers {failed}, which the
 * user's poll() throws.
 */
export function serveChannels<Init, Message>(open: (init: Init) => (message: Message) => Answer): void {
  parentPort!.on('message', (m: { open: Init; port: MessagePort; answered: Int32Array }) => {
    let handle: ((message: Message) => Answer) | undefined;
    let failed: string | undefined;
    try { handle = open(m.open); } catch (e) { failed = (e as Error).stack ?? String(e); }
    // The user closing its end closes this one too, and with it this listener.
    m.port.on('message', (message: Message) => {
      let answer: Answer;
      try {
        answer = handle ? handle(message) : { message: { failed } };
      } catch (e) {
        answer = { message: { failed: (e as Error).stack ?? String(e) } };
      }
      m.port.postMessage(answer.message, answer.transfer ?? []);
      Atomics.add(m.answered, 0, 1);
      Atomics.notify(m.answered, 0);
    });
  });
}
