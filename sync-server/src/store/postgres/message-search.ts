/**
 * Full-text search of the message index in PostgreSQL: `message.search` is a tsvector of
 * each findable message's words (search-words.ts; null for deleted messages and system
 * lines), written by the relay's batched upsert (message-index.ts), under a GIN index.
 */
import type pg from "pg";
import { queryTokens, tsQuery } from "../search-words.js";
import type { SearchPosition, SearchResult } from "../types.js";
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from "./conversation-rows.js";

const COLUMNS = MESSAGE_COLUMNS.split(", ")
  .map((c) => `m.${c}`)
  .join(", ");

// Newest first by (created_at, id, conversation_id): a total order across conversations.
const select = (after: string) => `
  SELECT ${COLUMNS} FROM message m
  JOIN conversation_member me ON me.conversation_id = m.conversation_id AND me.user_id = $1
  WHERE m.search @@ $2::tsquery AND m.deleted_at IS NULL ${after}
  ORDER BY m.created_at DESC, m.id DESC, m.conversation_id DESC
  LIMIT $3`;
const FIRST = select("");
const NEXT = select("AND (m.created_at, m.id, m.conversation_id) < ($4::bigint, $5::text, $6::text)");

export async function searchMessages(
  pool: pg.Pool,
  userId: string,
  tokens: readonly string[],
  cursor: SearchPosition | null,
  limit: number,
): Promise<SearchResult> {
  const safe = queryTokens(tokens);
  if (safe.length === 0) return { messages: [], hasMore: false };
  const params: unknown[] = [userId, tsQuery(safe), limit + 1];
  const { rows } = cursor
    ? await pool.query<MessageRow>(NEXT, [...params, cursor.createdAt, cursor.id, cursor.conversationId])
    : await pool.query<MessageRow>(FIRST, params);
  return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
}
