/** Exit statuses of every bringup command (DESIGN.md). */
export const EXIT = {
  OK: 0,
  EXPECTATION_FAILED: 1,
  USAGE: 2,
  LIMIT: 3,
  INTERNAL: 4,
} as const;
