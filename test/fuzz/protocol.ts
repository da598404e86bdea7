/** Messages between the input fuzzer and its worker threads. */

export interface Step {
  argv: string[];
  /** Run only when every earlier step of the case exited with 0. */
  ifOk?: boolean;
  /**
   * The files and folders this command was told to write (paths, or folders
   * whose contents it may write); a write anywhere else is a defect. The
   * commands that only read write nothing.
   */
  writes: string[];
}

export interface CaseMessage {
  index: number;
  /** The case's own temporary folder: the input file is in it, and only it may be written. */
  dir: string;
  steps: Step[];
  /** Instruction limit every scenario run is clamped to. */
  runLimit: number;
}

export interface StepResult {
  argv: string[];
  code: number;
  out: string;
  err: string;
  ms: number;
  outside: Array<{ op: string; path: string }>;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'step'; index: number; step: number }
  | { type: 'done'; index: number; results: StepResult[] }
  | { type: 'uncaught'; index: number; error: string; out: string; err: string };
