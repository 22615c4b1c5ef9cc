/**
 * A fresh PostgreSQL database per test, for the `TEST_STORE=postgres` run and the store's
 * contract test. Needs a PostgreSQL server at TEST_PG_ADMIN_URL (default
 * postgres://127.0.0.1:5432/postgres) that lets this user create databases; when there is
 * none, the test fails saying so. It never skips: a skipped store is an untested store.
 */
import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import pg from "pg";
import { redactUrl } from "../redact-url.js";

export const DEFAULT_TEST_PG_ADMIN_URL = "postgres://127.0.0.1:5432/postgres";

let created = 0;

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Drops the database, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

/**
 * TEST_PG_ADMIN_URL or the default. A URL without a user name gets PGUSER or this OS
 * user's name, as psql would use: pg falls back to $USER only, which is often unset.
 */
function adminUrl(): string {
  const parsed = new URL(process.env.TEST_PG_ADMIN_URL || DEFAULT_TEST_PG_ADMIN_URL);
  if (parsed.username === "") parsed.username = process.env.PGUSER || userInfo().username;
  return parsed.toString();
}

/** The URL of the server with another database name (keeps credentials and parameters). */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function asAdmin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    const reason = (error as Error | null)?.message || (error as { code?: string } | null)?.code || String(error);
    throw new Error(
      `PostgreSQL at ${redactUrl(url)} is needed for the TEST_STORE=postgres run and the store contract test, and it cannot be used (${reason}). Start it (on Debian: pg_ctlcluster <version> main start, or docker run -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15) or point TEST_PG_ADMIN_URL at a server where this user may create databases.`,
      { cause: error },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `messenger_t_<pid>_<counter>_<random>` and returns its URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = adminUrl();
  created += 1;
  const name = `messenger_t_${process.pid}_${created}_${randomBytes(4).toString("hex")}`;
  await asAdmin(admin, `CREATE DATABASE ${name}`);
  let dropped = false;
  return {
    url: withDatabase(admin, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await asAdmin(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
