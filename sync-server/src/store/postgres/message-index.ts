/**
 * The message index write of the relay's commit, in PostgreSQL: the same rules as the
 * SQLite store, in a fixed number of statements however many records a tick carries.
 */
import { type MessageRecord, SEGMENT_MESSAGES } from "@messenger/shared";
import type { IndexResult } from "../types.js";
import { toSummary } from "./conversation-rows.js";
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

/** The conversation as the commit reads it, locked: head, members and the current last message. */
interface LockedConversation {
  id: string;
  head_segment: number;
  head_count: number;
  created_at: number;
  last_activity_at: number;
  members: string[];
  last_id: string | null;
  last_author_id: string | null;
  last_text: string | null;
  last_created_at: number | null;
  last_deleted_at: number | null;
}

/** Message order: created_at, then id (as the pages and "last message" sort). */
const isNewer = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
  a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

/**
 * Upserts accepted message records of one segment into the index, inside the commit's
 * transaction. An id already indexed keeps its segment and createdAt; only ids new to the
 * head segment count towards SEGMENT_MESSAGES, and the head rolls forward on reaching it.
 * Null when the conversation does not exist.
 *
 * Three round trips when the commit holds new messages only (someone writes): the locked
 * read, the upsert (which says which rows it inserted), the update. An edit or a deletion
 * adds one query for the last message.
 */
export async function indexMessages(
  db: Queryable,
  clock: () => number,
  conversationId: string,
  segment: number,
  records: MessageRecord[],
): Promise<IndexResult | null> {
  // FOR UPDATE: another process indexing the same conversation waits, so head_count adds up.
  const { rows } = await db.query<LockedConversation>(
    `SELECT c.id, c.head_segment, c.head_count, c.created_at, c.last_activity_at,
            ARRAY(SELECT m.user_id FROM conversation_member m WHERE m.conversation_id = c.id) AS members,
            lm.id AS last_id, lm.author_id AS last_author_id, lm.text AS last_text,
            lm.created_at AS last_created_at, lm.deleted_at AS last_deleted_at
     FROM conversation c
     LEFT JOIN message lm ON lm.conversation_id = c.id AND lm.id = c.last_message_id
     WHERE c.id = $1 FOR UPDATE OF c`,
    [conversationId],
  );
  const row = rows[0];
  if (!row) return null;

  const unique = mergeById(records);
  let added = 0;
  // The last message afterwards, when the records alone tell it.
  type Last = { id: string; authorId: string; text: string; createdAt: number; deletedAt: number | null };
  let last: Last | null =
    row.last_id === null
      ? null
      : {
          id: row.last_id,
          authorId: row.last_author_id as string,
          text: row.last_text as string,
          createdAt: row.last_created_at as number,
          deletedAt: row.last_deleted_at,
        };
  let lastKnown = true;
  if (unique.length > 0) {
    const ids = unique.map((r) => r.id);
    // xmax = 0 only on rows this statement inserted: the ids new to the index.
    const upserted = await db.query<{
      id: string;
      inserted: boolean;
      created_at: number;
      text: string;
      deleted_at: number | null;
    }>(
      `INSERT INTO message (conversation_id, id, segment, author_id, text, created_at, edited_at, deleted_at, stored_at)
       SELECT $1, t.id, $2, t.author_id, t.text, t.created_at, t.edited_at, t.deleted_at, $3
       FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
         AS t(id, author_id, text, created_at, edited_at, deleted_at)
       ON CONFLICT (conversation_id, id) DO UPDATE SET
         text = excluded.text, edited_at = excluded.edited_at, deleted_at = excluded.deleted_at
       RETURNING id, (xmax = 0) AS inserted, created_at, text, deleted_at`,
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
    const authorOf = new Map(unique.map((r) => [r.id, r.author]));
    for (const u of upserted.rows) {
      if (u.inserted) {
        if (segment === row.head_segment) added++;
        const candidate = {
          id: u.id,
          authorId: authorOf.get(u.id) as string,
          text: u.text,
          createdAt: u.created_at,
          deletedAt: u.deleted_at,
        };
        if (!last || isNewer(candidate, last)) last = candidate;
      } else if (last && u.id === last.id) {
        // An edit or a deletion of the last message: its preview changes, it stays the last.
        last = { ...last, text: u.text, deletedAt: u.deleted_at };
      } else if (!last) lastKnown = false;
    }
  }

  let head = row.head_segment;
  let headCount = row.head_count + added;
  if (headCount >= SEGMENT_MESSAGES) {
    head += 1;
    headCount = 0;
  }
  if (!lastKnown) {
    const newest = await db.query<{
      id: string;
      author_id: string;
      text: string;
      created_at: number;
      deleted_at: number | null;
    }>(
      `SELECT id, author_id, text, created_at, deleted_at FROM message WHERE conversation_id = $1
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [conversationId],
    );
    const n = newest.rows[0];
    last = n
      ? { id: n.id, authorId: n.author_id, text: n.text, createdAt: n.created_at, deletedAt: n.deleted_at }
      : null;
  }
  await db.query(
    `UPDATE conversation SET last_message_id = $1, last_message_at = $2, last_activity_at = coalesce($2, created_at),
       head_segment = $3, head_count = $4 WHERE id = $5`,
    [last?.id ?? null, last?.createdAt ?? null, head, headCount, conversationId],
  );
  const summary = toSummary({
    id: row.id,
    head_segment: head,
    last_activity_at: last?.createdAt ?? row.created_at,
    created_at: row.created_at,
    members: row.members,
    last_id: last?.id ?? null,
    last_author_id: last?.authorId ?? null,
    last_text: last?.text ?? null,
    last_created_at: last?.createdAt ?? null,
    last_deleted_at: last?.deletedAt ?? null,
  });
  return { summary, headMoved: head !== row.head_segment };
}
