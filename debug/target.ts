/**
 * What a debugger front end (the GDB remote serial protocol server in
 * debug/rsp/) needs from the thing being debugged: a live machine (run and
 * exec mode, forwards only) or a recording (replay mode, forwards and
 * backwards). The protocol side knows packets and gdb's register numbers;
 * the target side knows machines, recordings and positions.
 *
 * Cores are numbered from 0 here; the protocol shows core k as thread k+1.
 */

/** The registers gdb sees for one core (its target description: ARM core + VFPv3-D16). */
export interface CoreRegisters {
  /** r0-r15 of the core's current mode; r[15] is the address of the next instruction. */
  r: number[];
  cpsr: number;
  /** d0-d15 as [low word, high word]. */
  d: Array<[number, number]>;
  fpscr: number;
  fpsid: number;
  fpexc: number;
}

/** Names writable through setRegister (r0..r15 by number 0-15). */
export type RegisterName = number | 'cpsr' | `d${number}` | 'fpscr' | 'fpexc';

export type BreakpointKind = 'software' | 'hardware';
export type WatchKind = 'write' | 'read' | 'access';

/** Why execution stopped, as the stop reply reports it. */
export type StopEvent =
  /** A single step of `core` completed (SIGTRAP). */
  | { kind: 'step'; core: number }
  /** `core` is about to execute a breakpoint address. */
  | { kind: 'breakpoint'; core: number; type: BreakpointKind; address: number }
  /**
   * `core` accessed a watched address. Forwards: stopped before the instruction making the access;
   * backwards: just after the last such access. Either way gdb (ARM watchpoints are not steppable)
   * then steps over that instruction in the direction it runs, and shows the value change.
   */
  | { kind: 'watchpoint'; core: number; type: WatchKind; address: number }
  /** Ctrl-C (SIGINT). */
  | { kind: 'interrupted'; core: number }
  /** Replay mode: the recording's beginning or end was reached (stop reply `replaylog:begin` / `replaylog:end`). */
  | { kind: 'replay-edge'; core: number; edge: 'begin' | 'end' }
  /** The machine stopped for good (halt, exit, reset, power-off); `code` is the exit status where there is one. */
  | { kind: 'exited'; code: number; reason: string };

/** One resume request: every core runs, as the schedule has it, until something stops one of them. */
export interface ResumeRequest {
  direction: 'forward' | 'reverse';
  /** 'step': until `core` has executed one instruction (backwards: until it is before its previous one). 'continue': until a stop event. */
  mode: 'step' | 'continue';
  /** The core being stepped (and, for continue, the core named in a stop with no core of its own). */
  core: number;
  /** Set when the user pressed Ctrl-C; the target checks it between slices and stops with 'interrupted'. */
  interrupt: AbortSignal;
}

export interface DebugTarget {
  /** Number of cores (threads). */
  readonly cores: number;
  /** Whether reverse execution is available (replay mode). */
  readonly reversible: boolean;
  /** Cores that have ever run (a core held in reset since the boot is still a thread, marked so by `describeCore`). */
  describeCore(core: number): string;

  registers(core: number): CoreRegisters;
  /**
   * Refused (returns an error text) in replay mode: a recording cannot be changed.
   * A d register's value is [low word, high word] (a number cannot hold every 64-bit pattern); the others' a number.
   */
  setRegister(core: number, name: RegisterName, value: number | [number, number]): string | undefined;
  /** Reads through `core`'s current translation; undefined where any byte does not translate or is not readable memory. */
  readMemory(core: number, address: number, length: number): Uint8Array | undefined;
  /** Refused (returns an error text) in replay mode. */
  writeMemory(core: number, address: number, bytes: Uint8Array): string | undefined;

  /** Returns false when the breakpoint or watchpoint cannot be set (the stub then answers E). */
  addBreakpoint(type: BreakpointKind, address: number): boolean;
  removeBreakpoint(type: BreakpointKind, address: number): boolean;
  addWatchpoint(type: WatchKind, address: number, length: number): boolean;
  removeWatchpoint(type: WatchKind, address: number, length: number): boolean;

  /** Runs (in slices that yield to the event loop, so Ctrl-C can arrive) until a stop event. */
  resume(request: ResumeRequest): Promise<StopEvent>;

  /**
   * A `monitor` command (qRcmd): returns its output text, or throws an Error whose message is shown to the user.
   * `core` is the core gdb has selected (its thread minus 1), for commands that look at one core.
   */
  monitor(command: string, core?: number): string;
}
