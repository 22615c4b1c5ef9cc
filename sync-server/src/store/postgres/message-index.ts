/**
 * The message index write of the relay's commit, in PostgreSQL: the same rules as the
 * SQLite store, in a fixed number of statements however many records a tick carries.
 */
import { conversationDocName, type MessageRecord, SEGMENT_MESSAGES, SYSTEM_AUTHOR } from "@messenger/shared";
import { CommitConflict } from "../conflict.js";
import { indexText } from "../search-words.js";
import type { IndexEntry, IndexResult } from "../types.js";
import { type ConversationRow, SELECT_CONVERSATION, toSummary } from "./conversation-rows.js";
import type { Queryable } from "./pool.js";
import { countFresh, type FreshMessage } from "./read-marks.js";

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
interface LockedConversation extends ConversationRow {
  head_count: number;
}

/** Message order: created_at, then id (as the pages and "last message" sort). */
const isNewer = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
  a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

type Last = { id: string; authorId: string; text: string; createdAt: number; deletedAt: number | null };

/**
 * Upserts accepted message records into the index inside the commit's transaction, for
 * every segment the commit touched at once. An id already indexed keeps its segment and
 * createdAt; only ids new to the head segment count towards SEGMENT_MESSAGES, and the head
 * rolls forward on reaching it. Conversations that do not exist are left out.
 *
 * Three round trips whatever the number of conversations when the commit holds new messages
 * (the common case: people write): the locked read (members and last message included), the
 * upsert (which reports what it inserted), the update. Edits or deletions that leave the last
 * message unknown add one query.
 */
export async function indexMessagesBatch(
  db: Queryable,
  clock: () => number,
  entries: IndexEntry[],
): Promise<Map<string, IndexResult>> {
  const results = new Map<string, IndexResult>();
  const ids = [...new Set(entries.map((e) => e.conversationId))].sort();
  if (ids.length === 0) return results;
  // FOR UPDATE, in id order: another process indexing the same conversations waits (head_count
  // adds up), and two commits never lock them in opposite orders.
  const { rows } = await db.query<LockedConversation>(
    `${SELECT_CONVERSATION} WHERE c.id = ANY($1::text[]) ORDER BY c.id FOR UPDATE OF c`,
    [ids],
  );
  const locked = new Map(rows.map((r) => [r.id, r]));

  // One row per (conversation, id), as upserting the entries in order would leave it.
  const merged = new Map<string, { conversationId: string; segment: number; record: MessageRecord }>();
  for (const e of entries) {
    if (!locked.has(e.conversationId)) continue;
    for (const r of mergeById(e.records)) {
      const key = `${e.conversationId}\u0000${r.id}`;
      const first = merged.get(key);
      merged.set(
        key,
        first
          ? { ...first, record: { ...first.record, text: r.text, editedAt: r.editedAt, deletedAt: r.deletedAt } }
          : { conversationId: e.conversationId, segment: e.segment, record: r },
      );
    }
  }
  const rowsIn = [...merged.values()];
  /** New messages by users (not system lines, not deleted): they count as unread for the others. */
  const fresh: FreshMessage[] = [];
  const state = new Map(
    rows.map((r) => [
      r.id,
      {
        added: 0,
        lastKnown: true,
        last:
          r.last_id === null
            ? null
            : ({
                id: r.last_id,
                authorId: r.last_author_id as string,
                text: r.last_text as string,
                createdAt: r.last_created_at as number,
                deletedAt: r.last_deleted_at,
              } as Last | null),
      },
    ]),
  );
  if (rowsIn.length > 0) {
    // xmax = 0 only on rows this statement inserted: the ids new to the index.
    const upserted = await db.query<{
      conversation_id: string;
      id: string;
      segment: number;
      author_id: string;
      inserted: boolean;
      created_at: number;
      text: string;
      deleted_at: number | null;
    }>(
      `INSERT INTO message (conversation_id, id, segment, author_id, text, created_at, edited_at, deleted_at, stored_at,
         search, reply_to)
       SELECT t.conversation_id, t.id, t.segment, t.author_id, t.text, t.created_at, t.edited_at, t.deleted_at, $1,
         array_to_tsvector(string_to_array(t.words, ' ')), t.reply_to
       FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[],
         $10::text[], $11::text[])
         AS t(conversation_id, id, segment, author_id, text, created_at, edited_at, deleted_at, words, reply_to)
       ON CONFLICT (conversation_id, id) DO UPDATE SET
         text = excluded.text, edited_at = excluded.edited_at, deleted_at = excluded.deleted_at,
         search = excluded.search
       RETURNING conversation_id, id, segment, author_id, (xmax = 0) AS inserted, created_at, text, deleted_at`,
      [
        clock(),
        rowsIn.map((r) => r.conversationId),
        rowsIn.map((r) => r.record.id),
        rowsIn.map((r) => r.segment),
        rowsIn.map((r) => r.record.author),
        rowsIn.map((r) => r.record.text),
        rowsIn.map((r) => r.record.createdAt),
        rowsIn.map((r) => r.record.editedAt ?? null),
        rowsIn.map((r) => r.record.deletedAt ?? null),
        // The search index's words (null: never found). An id already indexed keeps its author,
        // and another author's record fails the commit below, so the record's author decides.
        rowsIn.map((r) => indexText({ authorId: r.record.author, text: r.record.text, deletedAt: r.record.deletedAt })),
        rowsIn.map((r) => r.record.replyTo ?? null),
      ],
    );
    for (const u of upserted.rows) {
      // Another process indexed this id first, with another author or in another segment:
      // both copies cannot stand, and the first commit won.
      const mine = merged.get(`${u.conversation_id}\u0000${u.id}`);
      if (mine && (mine.segment !== u.segment || mine.record.author !== u.author_id))
        throw new CommitConflict(
          "message",
          conversationDocName(u.conversation_id, mine.segment),
          mine.record.author,
          `message ${u.id} already exists ${mine.segment !== u.segment ? "in another segment" : "by another author"}`,
        );
      const s = state.get(u.conversation_id);
      const conversation = locked.get(u.conversation_id);
      if (!s || !conversation) continue;
      if (u.inserted) {
        if (u.segment === conversation.head_segment) s.added++;
        if (u.author_id !== SYSTEM_AUTHOR && u.deleted_at === null)
          fresh.push({
            conversationId: u.conversation_id,
            id: u.id,
            authorId: u.author_id,
            createdAt: Number(u.created_at),
          });
        const candidate: Last = {
          id: u.id,
          authorId: u.author_id,
          text: u.text,
          createdAt: u.created_at,
          deletedAt: u.deleted_at,
        };
        if (!s.last || isNewer(candidate, s.last)) s.last = candidate;
      } else if (s.last && u.id === s.last.id) {
        // An edit or a deletion of the last message: its preview changes, it stays the last.
        s.last = { ...s.last, text: u.text, deletedAt: u.deleted_at };
      } else if (!s.last) s.lastKnown = false;
    }
  }

  const unknown = [...state].filter(([, s]) => !s.lastKnown).map(([id]) => id);
  if (unknown.length > 0) {
    const newest = await db.query<{
      conversation_id: string;
      id: string;
      author_id: string;
      text: string;
      created_at: number;
      deleted_at: number | null;
    }>(
      `SELECT DISTINCT ON (conversation_id) conversation_id, id, author_id, text, created_at, deleted_at
       FROM message WHERE conversation_id = ANY($1::text[])
       ORDER BY conversation_id, created_at DESC, id DESC`,
      [unknown],
    );
    const found = new Map(newest.rows.map((n) => [n.conversation_id, n]));
    for (const id of unknown) {
      const n = found.get(id);
      const s = state.get(id);
      if (s)
        s.last = n
          ? { id: n.id, authorId: n.author_id, text: n.text, createdAt: n.created_at, deletedAt: n.deleted_at }
          : null;
    }
  }

  const updates = rows.map((row) => {
    const s = state.get(row.id) as { added: number; last: Last | null };
    let head = row.head_segment;
    let headCount = row.head_count + s.added;
    if (headCount >= SEGMENT_MESSAGES) {
      head += 1;
      headCount = 0;
    }
    const last = s.last;
    results.set(row.id, {
      summary: toSummary({
        id: row.id,
        kind: row.kind,
        name: row.name,
        admins: row.admins,
        receipts: row.receipts,
        head_segment: head,
        last_activity_at: last?.createdAt ?? row.created_at,
        created_at: row.created_at,
        members: row.members,
        last_id: last?.id ?? null,
        last_author_id: last?.authorId ?? null,
        last_text: last?.text ?? null,
        last_created_at: last?.createdAt ?? null,
        last_deleted_at: last?.deletedAt ?? null,
      }),
      headMoved: head !== row.head_segment,
      marks: [],
    });
    return { id: row.id, lastId: last?.id ?? null, lastAt: last?.createdAt ?? null, head, headCount };
  });
  // Unread counts and the authors' marks; the summaries show the authors' new marks.
  for (const m of await countFresh(db, fresh)) {
    const result = results.get(m.conversationId);
    if (!result) continue;
    result.marks.push(m);
    result.summary.receipts = result.summary.receipts.map((r) =>
      r.userId === m.userId ? { userId: m.userId, delivered: m.delivered, read: m.readReceipts ? m.read : null } : r,
    );
  }
  await db.query(
    `UPDATE conversation c SET last_message_id = u.last_id, last_message_at = u.last_at,
       last_activity_at = coalesce(u.last_at, c.created_at), head_segment = u.head, head_count = u.head_count
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[])
       AS u(id, last_id, last_at, head, head_count)
     WHERE c.id = u.id`,
    [
      updates.map((u) => u.id),
      updates.map((u) => u.lastId),
      updates.map((u) => u.lastAt),
      updates.map((u) => u.head),
      updates.map((u) => u.headCount),
    ],
  );
  return results;
}

/** indexMessages for one segment: the batch of one. Null when the conversation does not exist. */
export async function indexMessages(
  db: Queryable,
  clock: () => number,
  conversationId: string,
  segment: number,
  records: MessageRecord[],
): Promise<IndexResult | null> {
  const results = await indexMessagesBatch(db, clock, [{ conversationId, segment, records }]);
  return results.get(conversationId) ?? null;
}
