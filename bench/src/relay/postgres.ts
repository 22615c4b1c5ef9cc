/**
 * The PostgreSQL side of "ours on PostgreSQL": a fresh database per run on the machine's
 * server (TEST_PG_ADMIN_URL, default postgres://127.0.0.1:5432/postgres), made and dropped
 * by the server's own test helper, and the settings that decide what a commit survives.
 */
import { readdirSync, readFileSync } from "node:fs";
import { redactUrl } from "../../../sync-server/src/redact-url.js";
import { createClient } from "../../../sync-server/src/store/postgres/pool.js";
import {
  createTestDatabase,
  DEFAULT_TEST_PG_ADMIN_URL,
  type TestDatabase,
} from "../../../sync-server/src/store/testing.js";
import { readCpuMs } from "../lib/processes.js";

export type { TestDatabase };
export { createTestDatabase };

/** What a commit survives on this server, as it is configured: the store sets none of these. */
export interface CommitSettings {
  version: string;
  synchronousCommit: string;
  fsync: string;
}

/**
 * Whether a database can be created and dropped: null if so, else why not in one line.
 * The helper's own error speaks of the test suite; the bench says what it needs itself.
 */
export async function postgresUnavailable(): Promise<string | null> {
  try {
    const db = await createTestDatabase();
    await db.drop();
    return null;
  } catch (error) {
    const admin = redactUrl(process.env.TEST_PG_ADMIN_URL || DEFAULT_TEST_PG_ADMIN_URL);
    const cause = (error as { cause?: unknown }).cause ?? error;
    return `PostgreSQL at ${admin} cannot create a database (${describe(cause)}); start it or set TEST_PG_ADMIN_URL`;
  }
}

/** The values `SHOW synchronous_commit` / `SHOW fsync` print, read from the bench's database (so ALTER DATABASE settings count). */
export async function commitSettings(url: string): Promise<CommitSettings> {
  const client = createClient(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; synchronous_commit: string; fsync: string }>(
      `SELECT current_setting('server_version') AS version,
              current_setting('synchronous_commit') AS synchronous_commit,
              current_setting('fsync') AS fsync`,
    );
    const row = rows[0];
    if (!row) throw new Error("PostgreSQL returned no row for its settings");
    return { version: row.version, synchronousCommit: row.synchronous_commit, fsync: row.fsync };
  } finally {
    await client.end();
  }
}

/** The durability note of the PostgreSQL row; "durable" only when a commit waits for the WAL flush. */
export function postgresDurability(s: CommitSettings): string {
  const durable = s.synchronousCommit !== "off" && s.fsync === "on";
  return (
    `PostgreSQL ${s.version.split(" ")[0]}, ${durable ? "durable" : "NOT durable on a crash"} ` +
    `(one transaction per tick, committed before fan-out; synchronous_commit=${s.synchronousCommit}, fsync=${s.fsync}: ` +
    "the server's settings, the store leaves them alone); validates every update (schema, author = socket user, membership)"
  );
}

/**
 * CPU (user + system, ms) used so far by the PostgreSQL backends of the database at `url`,
 * found in /proc by their process title ("postgres: [cluster: ]<user> <database> <client>
 * <state>"), so only a server on this machine is seen. The commit work SQLite does inside
 * our process happens there. A backend keeps its last reading once it exits, so the sum
 * only grows. Shared processes (WAL writer, checkpointer) serve every database on the
 * server, other people's tests too, and are left out.
 */
export function backendCpuReader(url: string): () => number {
  const title = ` ${new URL(url).pathname.slice(1)} `;
  const lastMs = new Map<number, number>();
  return () => {
    for (const pid of pidsWithTitle(title)) {
      const ms = readCpuMs(pid);
      if (Number.isFinite(ms)) lastMs.set(pid, ms);
    }
    let total = 0;
    for (const ms of lastMs.values()) total += ms;
    return total;
  };
}

function pidsWithTitle(part: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.startsWith("postgres: ") && cmdline.includes(part)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  const e = error as { message?: string; code?: string } | null;
  return e?.message || e?.code || String(error);
}
