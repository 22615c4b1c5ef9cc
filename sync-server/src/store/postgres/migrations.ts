/**
 * Application tables in PostgreSQL. Append only: never edit a migration that has shipped.
 *
 * Migration n (1-based) is recorded in `messenger_migration` in the same transaction that
 * applies it. `migrate` holds an advisory lock for the whole run, so when several processes
 * start at once one migrates and the others find the work done.
 *
 * Differences from the SQLite schema, each on purpose:
 *  - times are BIGINT milliseconds, like SQLite's INTEGER (not timestamptz);
 *  - `doc_client.client_id` is BIGINT: Yjs client ids are unsigned 32-bit, past INTEGER;
 *  - every id column is COLLATE "C", so keyset pages and tie-breaks order by bytes exactly as
 *    SQLite's BINARY does, whatever collation the database was created with.
 */
import type pg from "pg";
import { indexText } from "../search-words.js";
import type { Queryable } from "./pool.js";

/** SQL, or a step that needs JavaScript too (run on the migration's transaction). */
export type Migration = string | ((db: Queryable) => Promise<void>);

/** Rows the search backfill reads at a time. */
const BACKFILL_CHUNK = 5000;

/** pg_advisory_lock key held while migrating ("msg" in ASCII, then 1; exclusive() uses 2). */
export const MIGRATION_LOCK_KEY = 0x6d73_6701;

export const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE conversation (
    id TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('direct')),
    -- "<smaller user id>:<larger user id>" for direct conversations: one per pair
    pair_key TEXT COLLATE "C" UNIQUE,
    head_segment INTEGER NOT NULL DEFAULT 0,
    head_count INTEGER NOT NULL DEFAULT 0,
    last_message_id TEXT COLLATE "C",
    last_message_at BIGINT,
    last_activity_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE conversation_member (
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
  );
  CREATE INDEX conversation_member_user ON conversation_member(user_id);

  -- Index of every message held in the Yjs segment documents: HTTP pages, previews, activity.
  CREATE TABLE message (
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
    id TEXT COLLATE "C" NOT NULL,
    segment INTEGER NOT NULL,
    author_id TEXT COLLATE "C" NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT,
    stored_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, id)
  );
  CREATE INDEX message_page ON message(conversation_id, created_at, id);

  -- Yjs update log with per-document sequence numbers, appended in one transaction per
  -- tick, folded into doc_snapshot by compaction.
  CREATE TABLE doc_update (
    doc TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (doc, seq)
  );
  CREATE TABLE doc_snapshot (
    doc TEXT COLLATE "C" PRIMARY KEY,
    data BYTEA NOT NULL,
    through_seq BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  -- Which user owns each Yjs client id in a document, so nobody can write under another's client id.
  CREATE TABLE doc_client (
    doc TEXT COLLATE "C" NOT NULL,
    client_id BIGINT NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (doc, client_id)
  );

  CREATE TABLE user_presence (
    user_id TEXT COLLATE "C" PRIMARY KEY,
    last_seen_at BIGINT NOT NULL
  );
  `,
  // Groups (a name, the creator as owner, each member's role) and read state (marks, unread
  // counts, the read-receipts setting).
  `
  ALTER TABLE conversation DROP CONSTRAINT conversation_kind_check;
  ALTER TABLE conversation ADD CONSTRAINT conversation_kind_check CHECK (kind IN ('direct', 'group'));
  ALTER TABLE conversation ADD COLUMN name TEXT, ADD COLUMN created_by TEXT COLLATE "C";
  ALTER TABLE conversation_member
    ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    -- Read and delivery marks (the newest message read / received on a device: created_at, id)
    -- and the count of unread messages by others after the read mark.
    ADD COLUMN read_at BIGINT, ADD COLUMN read_id TEXT COLLATE "C",
    ADD COLUMN delivered_at BIGINT, ADD COLUMN delivered_id TEXT COLLATE "C",
    ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE user_setting (
    user_id TEXT COLLATE "C" PRIMARY KEY,
    read_receipts BOOLEAN NOT NULL DEFAULT TRUE
  );
  `,
  // Full-text search: each findable message's words (search-words.ts) as a tsvector made
  // with array_to_tsvector (the lexemes as given: no parser, no dictionary), so the words are
  // exactly the client's. The backfill folds in JavaScript for that reason (SQL's lower()
  // follows the database's locale and has no diacritic removal); the index comes after it.
  async (db) => {
    await db.query(`ALTER TABLE message ADD COLUMN search tsvector`);
    for (let after: [string, string] = ["", ""]; ; ) {
      const { rows } = await db.query<{
        conversation_id: string;
        id: string;
        author_id: string;
        text: string;
        deleted_at: number | null;
      }>(
        `SELECT conversation_id, id, author_id, text, deleted_at FROM message
         WHERE (conversation_id, id) > ($1, $2) ORDER BY conversation_id, id LIMIT $3`,
        [...after, BACKFILL_CHUNK],
      );
      const found = rows
        .map((r) => ({ r, words: indexText({ authorId: r.author_id, text: r.text, deletedAt: r.deleted_at }) }))
        .filter((f) => f.words !== null);
      if (found.length > 0)
        await db.query(
          `UPDATE message m SET search = array_to_tsvector(string_to_array(u.words, ' '))
           FROM unnest($1::text[], $2::text[], $3::text[]) AS u(conversation_id, id, words)
           WHERE m.conversation_id = u.conversation_id AND m.id = u.id`,
          [found.map((f) => f.r.conversation_id), found.map((f) => f.r.id), found.map((f) => f.words)],
        );
      const last = rows.at(-1);
      if (!last || rows.length < BACKFILL_CHUNK) break;
      after = [last.conversation_id, last.id];
    }
    // fastupdate off: new entries go straight into the index rather than a pending list that
    // every search scans in full until (auto)vacuum merges it (tens of ms under steady writing).
    await db.query(`CREATE INDEX message_search ON message USING gin (search) WITH (fastupdate = off)`);
  },
  // Replies: the message a message answers (set when written, never changed), for HTTP pages.
  `ALTER TABLE message ADD COLUMN reply_to TEXT COLLATE "C";`,
  // Muting a conversation, per member (PUT /api/conversations/:id/mute).
  `
  ALTER TABLE conversation_member ADD COLUMN muted BOOLEAN NOT NULL DEFAULT FALSE;
  `,
  // Reactions, indexed for HTTP pages: each user's current emoji (JSON array) on each message.
  `
  CREATE TABLE message_reaction (
    conversation_id TEXT COLLATE "C" NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    emoji TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, message_id, user_id)
  );
  `,
];

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS messenger_migration (
  version INTEGER PRIMARY KEY,
  applied_at BIGINT NOT NULL
)`;

/** Versions (1-based) recorded as applied; throws if the ledger table itself is missing. */
async function appliedVersions(db: Queryable): Promise<Set<number>> {
  const { rows } = await db.query<{ version: number }>(`SELECT version FROM messenger_migration`);
  return new Set(rows.map((r) => r.version));
}

/** Versions not yet applied, oldest first (all of them when the ledger does not exist yet). */
export async function pendingMigrations(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ ledger: string | null }>(`SELECT to_regclass('messenger_migration') AS ledger`);
  const applied = rows[0]?.ledger ? await appliedVersions(db) : new Set<number>();
  return MIGRATIONS.map((_, i) => i + 1).filter((v) => !applied.has(v));
}

/**
 * Applies every pending migration, each in its own transaction, under MIGRATION_LOCK_KEY.
 * Returns the versions this call applied (none when another process got there first).
 */
export async function migrate(pool: pg.Pool, clock: () => number): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_LEDGER);
      const done: number[] = [];
      for (const version of await pendingMigrations(client)) {
        await client.query("BEGIN");
        try {
          const migration = MIGRATIONS[version - 1] as Migration;
          if (typeof migration === "string") await client.query(migration);
          else await migration(client);
          await client.query(`INSERT INTO messenger_migration (version, applied_at) VALUES ($1, $2)`, [
            version,
            clock(),
          ]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
        done.push(version);
      }
      return done;
    } finally {
      await client.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
