/**
 * The message index write of the relay's commit, in PostgreSQL: the same rules as the
 * SQLite store, in a fixed number of statements however many records a tick carries.
 */
import { type MessageRecord, SEGMENT_MESSAGES } from "@messenger/shared";
import type { IndexResult } from "../types.js";
import { readConversation } from "./conversation-rows.js";
import type { Queryable } from "./pool.js";

/**
 * One record per id, as upserting them one after another would leave it: the first
 * occurrence's author and createdAt (an upsert never changes them), the last one's text,
 * editedAt and deletedAt. (One INSERT … ON CONFLICT cannot touch a row twice.)
 */
function mergeById(records: MessageRecord[]): MessageRecord[] {
  const merged = new Map<string, MessageRecord>();
  for (const r of records) {
    const first = merged.get(r.id);
    merged.set(r.id, first ? { ...first, text: r.text, editedAt: r.editedAt, deletedAt: r.deletedAt } : r);
  }
  return [...merged.values()];
}

/**
 * Upserts accepted message records of one segment into the index, inside the commit's
 * transaction. An id already indexed keeps its segment and createdAt; only ids new to the
 * head segment count towards SEGMENT_MESSAGES, and the head rolls forward on reaching it.
 * Null when the conversation does not exist.
 */
export async function indexMessages(
  db: Queryable,
  clock: () => number,
  conversationId: string,
  segment: number,
  records: MessageRecord[],
): Promise<IndexResult | null> {
  // FOR UPDATE: another process indexing the same conversation waits, so head_count adds up.
  const { rows } = await db.query<{ head_segment: number; head_count: number }>(
    `SELECT head_segment, head_count FROM conversation WHERE id = $1 FOR UPDATE`,
    [conversationId],
  );
  const row = rows[0];
  if (!row) return null;

  const unique = mergeById(records);
  if (unique.length > 0) {
    const ids = unique.map((r) => r.id);
    const existing = await db.query<{ id: string }>(
      `SELECT id FROM message WHERE conversation_id = $1 AND id = ANY($2::text[])`,
      [conversationId, ids],
    );
    const known = new Set(existing.rows.map((r) => r.id));
    const added = segment === row.head_segment ? ids.filter((id) => !known.has(id)).length : 0;
    await db.query(
      `INSERT INTO message (conversation_id, id, segment, author_id, text, created_at, edited_at, deleted_at, stored_at)
       SELECT $1, t.id, $2, t.author_id, t.text, t.created_at, t.edited_at, t.deleted_at, $3
       FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
         AS t(id, author_id, text, created_at, edited_at, deleted_at)
       ON CONFLICT (conversation_id, id) DO UPDATE SET
         text = excluded.text, edited_at = excluded.edited_at, deleted_at = excluded.deleted_at`,
      [
        conversationId,
        segment,
        clock(),
        ids,
        unique.map((r) => r.author),
        unique.map((r) => r.text),
        unique.map((r) => r.createdAt),
        unique.map((r) => r.editedAt ?? null),
        unique.map((r) => r.deletedAt ?? null),
      ],
    );
    row.head_count += added;
  }

  let head = row.head_segment;
  let headCount = row.head_count;
  if (headCount >= SEGMENT_MESSAGES) {
    head += 1;
    headCount = 0;
  }
  const newest = await db.query<{ id: string; created_at: number }>(
    `SELECT id, created_at FROM message WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [conversationId],
  );
  const last = newest.rows[0] ?? null;
  await db.query(
    `UPDATE conversation SET last_message_id = $1, last_message_at = $2, last_activity_at = coalesce($2, created_at),
       head_segment = $3, head_count = $4 WHERE id = $5`,
    [last?.id ?? null, last?.created_at ?? null, head, headCount, conversationId],
  );
  const summary = await readConversation(db, conversationId);
  if (!summary) throw new Error(`conversation ${conversationId} vanished inside its own transaction`);
  return { summary, headMoved: head !== row.head_segment };
}
