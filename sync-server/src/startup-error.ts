/**
 * Why the server could not start, as one sentence an operator can act on: what is
 * wrong, which variable it concerns and how to fix it. Defined once here; main.ts
 * prints `message` and exits non-zero (no stack: these are not bugs).
 */
export const STARTUP_PROBLEMS = {
  PORT_IN_USE: (p: { port: number; host: string }) =>
    `port ${p.port} on ${p.host} is already in use by another program: stop it, or set PORT to a free port.`,
  PORT_NOT_ALLOWED: (p: { port: number }) =>
    `this user may not listen on port ${p.port}: set PORT to 1024 or above, or run behind a reverse proxy.`,
  HOST_NOT_AVAILABLE: (p: { host: string }) =>
    `HOST=${p.host} is not an address of this machine: unset HOST to listen on every interface.`,
  DATA_DIR_UNUSABLE: (p: { variable: string; dir: string; reason: string }) =>
    `${p.variable} ${p.dir} ${p.reason}: point ${p.variable} at a directory this user can read and write.`,
  DATA_DIR_IN_USE: (p: { variable: string; dir: string }) =>
    `another Messenger server is already using the database in ${p.variable} ${p.dir}: only one process may use a SQLite data directory, so stop the other one or give this one its own ${p.variable}.`,
  DATABASE_UNREADABLE: (p: { file: string; reason: string }) =>
    `the database ${p.file} ${p.reason}: restore it from a backup, or point DATA_DIR at another directory to start empty.`,
  DATABASE_UNREACHABLE: (p: { url: string; reason: string }) =>
    `the PostgreSQL server in DATABASE_URL (${p.url}) ${p.reason}: start it or correct DATABASE_URL, or unset DATABASE_URL to keep the data in SQLite under DATA_DIR.`,
  REDIS_UNREACHABLE: (p: { url: string; reason: string }) =>
    `the Redis server in REDIS_URL (${p.url}) ${p.reason}: start it or correct REDIS_URL, or unset REDIS_URL to run a single process.`,
} as const;

export type StartupProblem = keyof typeof STARTUP_PROBLEMS;

/** A start-up failure with a known cause; `message` is the sentence to print. */
export class StartupError extends Error {
  constructor(
    readonly code: StartupProblem,
    message: string,
  ) {
    super(message);
    this.name = "StartupError";
  }
}

export function startupError<K extends StartupProblem>(
  code: K,
  params: Parameters<(typeof STARTUP_PROBLEMS)[K]>[0],
): StartupError {
  const sentence = (STARTUP_PROBLEMS[code] as (p: typeof params) => string)(params);
  return new StartupError(code, sentence);
}

/** A listen error (EADDRINUSE and friends) as a StartupError, or the error itself when unknown. */
export function explainListenError(error: unknown, where: { port: number; host: string }): unknown {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case "EADDRINUSE":
      return startupError("PORT_IN_USE", where);
    case "EACCES":
      return startupError("PORT_NOT_ALLOWED", where);
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return startupError("HOST_NOT_AVAILABLE", where);
    default:
      return error;
  }
}

/** What a file-system error code means for a directory, for DATA_DIR_UNUSABLE. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "cannot be read or written by this user";
    case "EROFS":
      return "is on a read-only file system";
    case "ENOTDIR":
    case "EEXIST":
      return "is not a directory (a file is in the way)";
    case "ENOSPC":
      return "is on a full disk";
    case "ENOENT":
      return "does not exist and cannot be created";
    default:
      return `cannot be used (${code ?? String(error)})`;
  }
}
