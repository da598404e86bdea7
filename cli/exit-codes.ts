/** Exit statuses of every bringup command (listed in `bringup --help`). */
export const EXIT = {
  OK: 0,
  EXPECTATION_FAILED: 1,
  USAGE: 2,
  LIMIT: 3,
  INTERNAL: 4,
  /** replay --to-crash: the recording has no crash. */
  NO_CRASH: 5,
  /** Stopped by Ctrl-C (128 + SIGINT, as shells report it). */
  INTERRUPTED: 130,
  /** Stopped early because the reader of stdout went away (128 + SIGPIPE, as shells report it). */
  PIPE_CLOSED: 141,
  /** Stopped by SIGTERM (128 + SIGTERM). */
  TERMINATED: 143,
} as const;
