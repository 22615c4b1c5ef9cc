/**
 * The PostgreSQL connection pool and the few helpers every module of this store shares:
 * a `Queryable` (the pool or one checked-out client), a transaction on one client, and
 * connection failures explained as a start-up error.
 */

import pg from "pg";
import { redactUrl } from "../../redact-url.js";
import { type StartupError, startupError } from "../../startup-error.js";

/** A connection attempt gives up after this long instead of the operating system's minutes. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The pool or one client of it: whatever runs a statement. */
export type Queryable = Pick<pg.PoolClient, "query">;

/**
 * Type parsers of this store's connections only (the global `pg.types` is left alone):
 * BIGINT (oid 20) as a JS number. Our BIGINT columns hold milliseconds, sequence numbers and
 * Yjs client ids, all far below 2^53; count(*) is BIGINT too.
 */
function storeTypes(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
  return types;
}

export function createPool(url: string, poolSize: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: storeTypes(),
  });
  // An idle client whose server connection dropped emits here; without a listener that kills
  // the process. The pool has already discarded it, and the next query opens a fresh one.
  pool.on("error", () => undefined);
  return pool;
}

/** A single client outside the pool, with the same settings (advisory locks held for a while). */
export function createClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types: storeTypes() });
}

/**
 * Runs `fn` between BEGIN and COMMIT on one client of the pool; rolls back and rethrows on
 * error. A client whose ROLLBACK failed is destroyed rather than returned to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A promise chain that runs the functions given to it one at a time, in call order. */
export function createSerialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = tail.then(fn);
      tail = result.catch(() => undefined);
      return result;
    },
    /** Resolves once everything queued so far has finished. */
    idle: (): Promise<unknown> => tail,
  };
}

/** What went wrong connecting, in words that finish "the PostgreSQL server at … ". */
function connectProblem(error: unknown): string | null {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ECONNREFUSED":
      return "refuses connections (is it running, on that host and port?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "names a host that cannot be found";
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "cannot be reached over the network";
    case "28P01":
    case "28000":
      return `refuses these credentials (${message})`;
    case "3D000":
      return `has no such database (${message}); create it with createdb`;
    case "57P03":
      return "is still starting up";
    default:
      if (/timeout/i.test(message)) return `did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`;
      if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return `cannot be reached (${code})`;
      return null;
  }
}

/** A connection failure at start-up as a StartupError; any other error as itself. */
export function explainConnectError(error: unknown, url: string): StartupError | unknown {
  const reason = connectProblem(error);
  return reason === null ? error : startupError("DATABASE_UNREACHABLE", { url: redactUrl(url), reason });
}
