/**
 * The PostgreSQL Store (`DATABASE_URL=postgres://…`): one pg.Pool shared with better-auth,
 * our migrations applied at open under an advisory lock, and the relay's commits run one at
 * a time, in call order, each on one client between BEGIN and COMMIT.
 *
 * Several server processes may share the database: migrations and `exclusive` sections are
 * serialised by advisory locks, direct conversations by a unique pair key, and the message
 * index by a row lock on its conversation.
 */
import type pg from "pg";
import type { CommitTx, Store } from "../types.js";
import { createPgPresence, createPgSessions, createPgUsers } from "./accounts.js";
import { readConversation } from "./conversation-rows.js";
import { createPgConversations } from "./conversation-store.js";
import { appendUpdates, claimClients, createPgDocs, type WriteTransaction } from "./doc-store.js";
import { createPgGroups } from "./group-store.js";
import { indexMessages, indexMessagesBatch } from "./message-index.js";
import { MIGRATIONS, migrate, pendingMigrations } from "./migrations.js";
import { createClient, createPool, createSerialQueue, explainConnectError, withTransaction } from "./pool.js";
import { indexReactions } from "./reactions.js";
import { readReceipts, setReadReceipts } from "./read-marks.js";

export const DEFAULT_POOL_SIZE = 10;
/**
 * A commit holds one connection while the relay, inside it, opens inbox rooms (loads and
 * conversation lists on the pool): with a single connection those would wait for the
 * commit and the commit for them, forever.
 */
export const MIN_POOL_SIZE = 2;
/** pg_advisory_lock key held by `exclusive` ("msg" in ASCII, then 2; migrations use 1). */
export const EXCLUSIVE_LOCK_KEY = 0x6d73_6702;

export interface PostgresStoreOptions {
  url: string;
  clock: () => number;
  /** Connections in the pool (better-auth's queries share it); DEFAULT_POOL_SIZE if unset, at least MIN_POOL_SIZE. */
  poolSize?: number;
}

/**
 * The relay's view of one transaction, bound to its client. Appends and client claims are
 * gathered and written in one statement each (before anything reads, and before COMMIT), so
 * a commit costs a few round trips, not one per update. It refuses use after the
 * transaction ended: by then the client may be running someone else's transaction.
 */
function createCommitTx(client: pg.PoolClient, clock: () => number) {
  let open = true;
  let appends: Array<{ doc: string; seq: number; update: Uint8Array }> = [];
  let claims: Array<{ doc: string; clientId: number; userId: string }> = [];
  const live = () => {
    if (!open) throw new Error("a CommitTx was used after its transaction ended");
    return client;
  };
  const flush = async () => {
    const [a, c] = [appends, claims];
    appends = [];
    claims = [];
    await appendUpdates(live(), a);
    await claimClients(live(), c);
  };
  const tx: CommitTx = {
    append: async (doc, seq, update) => {
      live();
      appends.push({ doc, seq, update });
    },
    claimClient: async (doc, clientId, userId) => {
      live();
      claims.push({ doc, clientId, userId });
    },
    indexMessages: async (conversationId, segment, records) => {
      await flush();
      return indexMessages(live(), clock, conversationId, segment, records);
    },
    indexMessagesBatch: async (entries) => {
      await flush();
      return indexMessagesBatch(live(), clock, entries);
    },
    indexReactions: async (entries) => {
      await flush();
      return indexReactions(live(), entries);
    },
    conversation: async (id) => {
      await flush();
      return readConversation(live(), id);
    },
  };
  return {
    tx,
    /** Writes what is gathered; call before COMMIT. */
    flush,
    end() {
      open = false;
    },
  };
}

/**
 * Opens the store: connects (a failure is a StartupError naming DATABASE_URL), then applies
 * pending migrations. better-auth's tables are created by its own migrations, later.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { url, clock } = options;
  const pool = createPool(url, Math.max(MIN_POOL_SIZE, options.poolSize ?? DEFAULT_POOL_SIZE));
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw explainConnectError(error, url);
  }
  try {
    await migrate(pool, clock);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  const queue = createSerialQueue();
  const writeTransaction: WriteTransaction = (fn) => queue.run(() => withTransaction(pool, fn));
  let closing: Promise<void> | null = null;

  return {
    kind: "postgres",
    authDatabase: pool,
    docs: createPgDocs(pool, writeTransaction, clock),
    conversations: createPgConversations(pool, clock),
    groups: createPgGroups(pool, clock),
    settings: {
      readReceipts: (userId) => readReceipts(pool, userId),
      setReadReceipts: (userId, on) => setReadReceipts(pool, userId, on),
    },
    users: createPgUsers(pool),
    sessions: createPgSessions(pool),
    presence: createPgPresence(pool),

    transaction<T>(fn: (tx: CommitTx) => Promise<T>): Promise<T> {
      return writeTransaction(async (client) => {
        const commit = createCommitTx(client, clock);
        try {
          const result = await fn(commit.tx);
          await commit.flush();
          return result;
        } finally {
          commit.end();
        }
      });
    },

    async exclusive<T>(fn: () => Promise<T>): Promise<T> {
      // Its own connection, outside the pool: `fn` uses the pool, and a pool of one must not starve.
      const client = createClient(url);
      client.on("error", () => undefined); // a dropped connection surfaces at end()
      await client.connect();
      try {
        await client.query(`SELECT pg_advisory_lock($1)`, [EXCLUSIVE_LOCK_KEY]);
        return await fn();
      } finally {
        // Ending the session releases its advisory locks.
        await client.end().catch(() => undefined);
      }
    },

    async ready() {
      const pending = await pendingMigrations(pool);
      if (pending.length > 0)
        throw new Error(
          `${pending.length} of ${MIGRATIONS.length} database migrations are not applied (${pending.join(", ")}): restart the server to apply them.`,
        );
      const { rows } = await pool.query<{ users: string | null; sessions: string | null }>(
        `SELECT to_regclass('"user"') AS users, to_regclass('"session"') AS sessions`,
      );
      if (!rows[0]?.users || !rows[0].sessions)
        throw new Error(`better-auth's tables ("user", "session") are missing: its migrations have not run yet.`);
    },

    close() {
      closing ??= (async () => {
        await queue.idle();
        await pool.end();
      })();
      return closing;
    },
  };
}
