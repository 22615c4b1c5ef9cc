/** Application tables. Append only: never edit a migration that has shipped. */
import type Database from "better-sqlite3";
import { indexText } from "../search-words.js";

/** SQL, or a step that needs JavaScript too (run inside the migration's transaction). */
export type Migration = string | ((db: Database.Database) => void);

/** Rows the search backfill reads at a time. */
const BACKFILL_CHUNK = 5000;

export const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE conversation (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('direct')),
    -- "<smaller user id>:<larger user id>" for direct conversations: one per pair
    pair_key TEXT UNIQUE,
    head_segment INTEGER NOT NULL DEFAULT 0,
    head_count INTEGER NOT NULL DEFAULT 0,
    last_message_id TEXT,
    last_message_at INTEGER,
    last_activity_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE conversation_member (
    conversation_id TEXT NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
  );
  CREATE INDEX conversation_member_user ON conversation_member(user_id);

  -- Index of every message held in the Yjs segment documents: HTTP pages, previews, activity.
  CREATE TABLE message (
    conversation_id TEXT NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    segment INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    deleted_at INTEGER,
    stored_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, id)
  );
  CREATE INDEX message_page ON message(conversation_id, created_at, id);

  -- Yjs update log, appended in one transaction per tick, folded into doc_snapshot by compaction.
  CREATE TABLE doc_update (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX doc_update_doc ON doc_update(doc, id);
  CREATE TABLE doc_snapshot (
    doc TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    through_update_id INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- Which user owns each Yjs client id in a document, so nobody can write under another's client id.
  CREATE TABLE doc_client (
    doc TEXT NOT NULL,
    client_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (doc, client_id)
  );

  CREATE TABLE user_presence (
    user_id TEXT PRIMARY KEY,
    last_seen_at INTEGER NOT NULL
  );
  `,
  // Per-document sequence numbers instead of one global autoincrement: a document's log is
  // ordered and compacted by its own numbers (several relay processes will each number only
  // the documents they hold). Existing rows keep their old id as their number: still
  // increasing per document, so snapshots' bounds stay valid.
  `
  CREATE TABLE doc_log (
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc, seq)
  ) WITHOUT ROWID;
  INSERT INTO doc_log (doc, seq, data) SELECT doc, id, data FROM doc_update;
  DROP TABLE doc_update;
  ALTER TABLE doc_log RENAME TO doc_update;
  ALTER TABLE doc_snapshot RENAME COLUMN through_update_id TO through_seq;
  `,
  // Groups (a name, the creator as owner, each member's role) and read state (marks, unread
  // counts, the read-receipts setting). SQLite cannot change a CHECK
  // constraint in place: the table is rebuilt (migrate() runs with foreign keys off and checks
  // them before committing, so the members' and messages' references are kept, not cascaded).
  `
  CREATE TABLE conversation_new (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    pair_key TEXT UNIQUE,
    head_segment INTEGER NOT NULL DEFAULT 0,
    head_count INTEGER NOT NULL DEFAULT 0,
    last_message_id TEXT,
    last_message_at INTEGER,
    last_activity_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    name TEXT,
    created_by TEXT
  );
  INSERT INTO conversation_new (id, kind, pair_key, head_segment, head_count, last_message_id, last_message_at,
    last_activity_at, created_at)
  SELECT id, kind, pair_key, head_segment, head_count, last_message_id, last_message_at, last_activity_at, created_at
  FROM conversation;
  DROP TABLE conversation;
  ALTER TABLE conversation_new RENAME TO conversation;
  ALTER TABLE conversation_member ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
    CHECK (role IN ('owner', 'admin', 'member'));
  -- Read and delivery marks (the newest message read / received on a device: created_at, id)
  -- and the count of unread messages by others after the read mark.
  ALTER TABLE conversation_member ADD COLUMN read_at INTEGER;
  ALTER TABLE conversation_member ADD COLUMN read_id TEXT;
  ALTER TABLE conversation_member ADD COLUMN delivered_at INTEGER;
  ALTER TABLE conversation_member ADD COLUMN delivered_id TEXT;
  ALTER TABLE conversation_member ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE user_setting (
    user_id TEXT PRIMARY KEY,
    read_receipts INTEGER NOT NULL DEFAULT 1
  );
  `,
  // Full-text search. The message table is rebuilt with `key`, an alias of its rowid: the
  // FTS5 table's rows are keyed by it, and a rowid that is not an INTEGER PRIMARY KEY may be
  // renumbered by VACUUM. The FTS5 table is contentless (the text lives in `message`) and
  // holds each findable message's words (search-words.ts); the existing rows are backfilled.
  (db) => {
    db.exec(`
    CREATE TABLE message_new (
      key INTEGER PRIMARY KEY,
      conversation_id TEXT NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
      id TEXT NOT NULL,
      segment INTEGER NOT NULL,
      author_id TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      edited_at INTEGER,
      deleted_at INTEGER,
      stored_at INTEGER NOT NULL,
      UNIQUE (conversation_id, id)
    );
    INSERT INTO message_new (key, conversation_id, id, segment, author_id, text, created_at, edited_at, deleted_at,
      stored_at)
    SELECT rowid, conversation_id, id, segment, author_id, text, created_at, edited_at, deleted_at, stored_at
    FROM message;
    DROP TABLE message;
    ALTER TABLE message_new RENAME TO message;
    CREATE INDEX message_page ON message(conversation_id, created_at, id);
    CREATE VIRTUAL TABLE message_search USING fts5(
      words, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    `);
    const read = db.prepare<
      [number, number],
      { key: number; author_id: string; text: string; deleted_at: number | null }
    >(`SELECT key, author_id, text, deleted_at FROM message WHERE key > ? ORDER BY key LIMIT ?`);
    const write = db.prepare(`INSERT INTO message_search (rowid, words) VALUES (?, ?)`);
    for (let after = 0; ; ) {
      const rows = read.all(after, BACKFILL_CHUNK);
      for (const r of rows) {
        const words = indexText({ authorId: r.author_id, text: r.text, deletedAt: r.deleted_at });
        if (words !== null) write.run(r.key, words);
      }
      if (rows.length < BACKFILL_CHUNK) break;
      after = (rows.at(-1) as { key: number }).key;
    }
  },
  // Replies: the message a message answers (set when written, never changed), for HTTP pages.
  `ALTER TABLE message ADD COLUMN reply_to TEXT;`,
  // Muting a conversation, per member (PUT /api/conversations/:id/mute).
  `
  ALTER TABLE conversation_member ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
  `,
  // Reactions, indexed for HTTP pages: each user's current emoji (JSON array) on each message.
  `
  CREATE TABLE message_reaction (
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    emoji TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, message_id, user_id)
  ) WITHOUT ROWID;
  `,
];
