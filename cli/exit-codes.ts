/** Exit statuses of every bringup command (DESIGN.md). */
export const EXIT = {
  OK: 0,
  EXPECTATION_FAILED: 1,
  USAGE: 2,
  LIMIT: 3,
  INTERNAL: 4,
  /** Stopped by Ctrl-C (128 + SIGINT, as shells report it). */
  INTERRUPTED: 130,
  /** Stopped early because the reader of stdout went away (128 + SIGPIPE, as shells report it). */
  PIPE_CLOSED: 141,
  /** Stopped by SIGTERM (128 + SIGTERM). */
  TERMINATED: 143,
} as const;
