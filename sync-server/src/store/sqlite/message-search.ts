/**
 * Full-text search of the message index in SQLite: the FTS5 table `message_search`
 * (contentless, keyed by `message.key`) holds each findable message's words
 * (search-words.ts) and is written in the same transaction as the `message` row.
 */
import type { Message } from "@messenger/shared";
import { type MessageRow, toMessage } from "../rows.js";
import { ftsMatch, indexText, queryTokens } from "../search-words.js";
import type { SearchPosition, SearchResult } from "../types.js";
import type { Db } from "./database.js";

/** What the search index needs of a message row. */
type Indexed = Pick<MessageRow, "author_id" | "text" | "deleted_at">;

const wordsOf = (row: Indexed) => indexText({ authorId: row.author_id, text: row.text, deletedAt: row.deleted_at });

export function createSqliteSearch(db: Db) {
  const put = db.prepare(`INSERT OR REPLACE INTO message_search (rowid, words) VALUES (?, ?)`);
  const drop = db.prepare(`DELETE FROM message_search WHERE rowid = ?`);
  // Newest first by (created_at, id, conversation_id): a total order across conversations.
  const select = (after: string) => `
    SELECT m.* FROM message_search s
    JOIN message m ON m.key = s.rowid
    JOIN conversation_member me ON me.conversation_id = m.conversation_id AND me.user_id = @userId
    WHERE message_search MATCH @match AND m.deleted_at IS NULL ${after}
    ORDER BY m.created_at DESC, m.id DESC, m.conversation_id DESC
    LIMIT @limit`;
  const first = db.prepare<{ userId: string; match: string; limit: number }, MessageRow>(select(""));
  const next = db.prepare<
    { userId: string; match: string; limit: number; at: number; id: string; conversationId: string },
    MessageRow
  >(select("AND (m.created_at, m.id, m.conversation_id) < (@at, @id, @conversationId)"));

  return {
    /** Brings the index in step with the message row `key`, upserted from `before` (absent: new) to `after`. */
    indexed(key: number, before: Indexed | undefined, after: Indexed): void {
      const was = before ? wordsOf(before) : null;
      const now = wordsOf(after);
      if (now === was) return;
      if (now === null) drop.run(key);
      else put.run(key, now);
    },

    search(userId: string, tokens: readonly string[], cursor: SearchPosition | null, limit: number): SearchResult {
      const safe = queryTokens(tokens);
      if (safe.length === 0) return { messages: [], hasMore: false };
      const params = { userId, match: ftsMatch(safe), limit: limit + 1 };
      const rows = cursor
        ? next.all({ ...params, at: cursor.createdAt, id: cursor.id, conversationId: cursor.conversationId })
        : first.all(params);
      const messages: Message[] = rows.slice(0, limit).map(toMessage);
      return { messages, hasMore: rows.length > limit };
    },
  };
}
