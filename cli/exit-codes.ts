// Exit codes scripts can rely on (also listed in `misertrace --help`).
export const EXIT = {
  ok: 0,
  /** The command ran but found problems it reports (e.g. `doctor` with missing features). */
  problems: 1,
  /** Bad usage or bad input: unknown flag, missing file, malformed data, bad range. */
  usage: 2,
  /** The environment is not ready: no Docker, no privileges, a missing kernel feature. */
  environment: 3,
  /** A bug in misertrace itself (the stack trace is printed). */
  internal: 70,
  /** Interrupted by the user before finishing (nothing half-written is left). */
  interrupted: 130,
} as const;
