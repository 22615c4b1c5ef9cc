/**
 * Read state in PostgreSQL: each member's read and delivery marks (the newest message read,
 * and received on a device, by created_at then id), the count of messages by others after
 * the read mark, and the read-receipts setting. Marks only move forward, so two devices
 * marking at once (or one that was offline) merge by "newest wins".
 */
import type { MessageMark, ReadState } from "@messenger/shared";
import type { MemberMarks } from "../types.js";
import type { Queryable } from "./pool.js";

interface MarksRow {
  conversation_id: string;
  user_id: string;
  unread: number;
  read_at: number | null;
  read_id: string | null;
  delivered_at: number | null;
  delivered_id: string | null;
  receipts: boolean;
  muted: boolean;
}

const mark = (at: number | null, id: string | null): MessageMark | null =>
  at !== null && id !== null ? { at: Number(at), id } : null;

export const toMarks = (r: MarksRow): MemberMarks => ({
  conversationId: r.conversation_id,
  userId: r.user_id,
  unread: r.unread,
  read: mark(r.read_at, r.read_id),
  delivered: mark(r.delivered_at, r.delivered_id),
  readReceipts: r.receipts,
  muted: r.muted,
});

const RETURNING = `RETURNING m.conversation_id, m.user_id, m.unread, m.read_at, m.read_id, m.delivered_at, m.delivered_id, m.muted,
  coalesce((SELECT read_receipts FROM user_setting WHERE user_id = m.user_id), true) AS receipts`;

/** A new message (not a system line, not deleted) just indexed. */
export interface FreshMessage {
  conversationId: string;
  id: string;
  authorId: string;
  createdAt: number;
}

/**
 * Inside the commit that indexed `fresh`: every other member's unread count grows by the new
 * messages after their read mark, and each author's marks move to their newest new message
 * (writing means having read what came before: their unread count becomes what others wrote
 * after it in the same commit). One statement; returns the members changed.
 */
export async function countFresh(db: Queryable, fresh: FreshMessage[]): Promise<MemberMarks[]> {
  if (fresh.length === 0) return [];
  const { rows } = await db.query<MarksRow>(
    `WITH new AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(conversation_id, id, author_id, created_at)
     ),
     mine AS (
       SELECT DISTINCT ON (conversation_id, author_id) conversation_id, author_id, created_at, id
       FROM new ORDER BY conversation_id, author_id, created_at DESC, id DESC
     ),
     counts AS (
       SELECT mem.conversation_id, mem.user_id, count(*)::int AS n
       FROM conversation_member mem JOIN new ON new.conversation_id = mem.conversation_id AND new.author_id <> mem.user_id
       WHERE (new.created_at, new.id) > (coalesce(mem.read_at, -1), coalesce(mem.read_id, ''))
       GROUP BY 1, 2
     ),
     after_mine AS (
       SELECT mine.conversation_id, mine.author_id, count(new.id)::int AS n
       FROM mine JOIN new ON new.conversation_id = mine.conversation_id AND new.author_id <> mine.author_id
         AND (new.created_at, new.id) > (mine.created_at, mine.id)
       GROUP BY 1, 2
     ),
     touched AS (
       SELECT conversation_id, user_id FROM counts UNION SELECT conversation_id, author_id FROM mine
     )
     UPDATE conversation_member m SET
       unread = CASE WHEN mine.id IS NOT NULL AND (mine.created_at, mine.id) > (coalesce(m.read_at, -1), coalesce(m.read_id, ''))
                     THEN coalesce(after_mine.n, 0) ELSE m.unread + coalesce(counts.n, 0) END,
       read_at = CASE WHEN mine.id IS NOT NULL AND (mine.created_at, mine.id) > (coalesce(m.read_at, -1), coalesce(m.read_id, ''))
                      THEN mine.created_at ELSE m.read_at END,
       read_id = CASE WHEN mine.id IS NOT NULL AND (mine.created_at, mine.id) > (coalesce(m.read_at, -1), coalesce(m.read_id, ''))
                      THEN mine.id ELSE m.read_id END,
       delivered_at = CASE WHEN mine.id IS NOT NULL AND (mine.created_at, mine.id) > (coalesce(m.delivered_at, -1), coalesce(m.delivered_id, ''))
                           THEN mine.created_at ELSE m.delivered_at END,
       delivered_id = CASE WHEN mine.id IS NOT NULL AND (mine.created_at, mine.id) > (coalesce(m.delivered_at, -1), coalesce(m.delivered_id, ''))
                           THEN mine.id ELSE m.delivered_id END
     FROM touched
       LEFT JOIN counts ON counts.conversation_id = touched.conversation_id AND counts.user_id = touched.user_id
       LEFT JOIN mine ON mine.conversation_id = touched.conversation_id AND mine.author_id = touched.user_id
       LEFT JOIN after_mine ON after_mine.conversation_id = touched.conversation_id AND after_mine.author_id = touched.user_id
     WHERE m.conversation_id = touched.conversation_id AND m.user_id = touched.user_id
     ${RETURNING}`,
    [
      fresh.map((f) => f.conversationId),
      fresh.map((f) => f.id),
      fresh.map((f) => f.authorId),
      fresh.map((f) => f.createdAt),
    ],
  );
  return rows.map(toMarks);
}

/**
 * Moves a member's read mark (and delivery mark with it) forward to `messageId`, and counts
 * again what is unread after it. Null when the user is not a member or the message is unknown.
 */
export async function markRead(
  db: Queryable,
  conversationId: string,
  userId: string,
  messageId: string,
  systemAuthor: string,
): Promise<MemberMarks | null> {
  const { rows } = await db.query<MarksRow>(
    `WITH target AS (SELECT created_at, id FROM message WHERE conversation_id = $1 AND id = $3),
     marked AS (
       SELECT greatest_mark.at, greatest_mark.id FROM conversation_member mem, target,
       LATERAL (SELECT CASE WHEN (target.created_at, target.id) > (coalesce(mem.read_at, -1), coalesce(mem.read_id, ''))
                            THEN target.created_at ELSE mem.read_at END AS at,
                       CASE WHEN (target.created_at, target.id) > (coalesce(mem.read_at, -1), coalesce(mem.read_id, ''))
                            THEN target.id ELSE mem.read_id END AS id) greatest_mark
       WHERE mem.conversation_id = $1 AND mem.user_id = $2
     )
     UPDATE conversation_member m SET
       read_at = marked.at, read_id = marked.id,
       delivered_at = CASE WHEN (marked.at, marked.id) > (coalesce(m.delivered_at, -1), coalesce(m.delivered_id, ''))
                           THEN marked.at ELSE m.delivered_at END,
       delivered_id = CASE WHEN (marked.at, marked.id) > (coalesce(m.delivered_at, -1), coalesce(m.delivered_id, ''))
                           THEN marked.id ELSE m.delivered_id END,
       unread = (SELECT count(*)::int FROM message x WHERE x.conversation_id = $1 AND (x.created_at, x.id) > (marked.at, marked.id)
                 AND x.author_id <> $2 AND x.author_id <> $4 AND x.deleted_at IS NULL)
     FROM marked
     WHERE m.conversation_id = $1 AND m.user_id = $2
     ${RETURNING}`,
    [conversationId, userId, messageId, systemAuthor],
  );
  return rows[0] ? toMarks(rows[0]) : null;
}

/** Moves a member's delivery mark forward to `messageId`. Null when not a member or the message is unknown. */
export async function markDelivered(
  db: Queryable,
  conversationId: string,
  userId: string,
  messageId: string,
): Promise<MemberMarks | null> {
  const { rows } = await db.query<MarksRow>(
    `WITH target AS (SELECT created_at, id FROM message WHERE conversation_id = $1 AND id = $3)
     UPDATE conversation_member m SET
       delivered_at = CASE WHEN (target.created_at, target.id) > (coalesce(m.delivered_at, -1), coalesce(m.delivered_id, ''))
                           THEN target.created_at ELSE m.delivered_at END,
       delivered_id = CASE WHEN (target.created_at, target.id) > (coalesce(m.delivered_at, -1), coalesce(m.delivered_id, ''))
                           THEN target.id ELSE m.delivered_id END
     FROM target
     WHERE m.conversation_id = $1 AND m.user_id = $2
     ${RETURNING}`,
    [conversationId, userId, messageId],
  );
  return rows[0] ? toMarks(rows[0]) : null;
}

/** The user's read state in each of their conversations (an inbox filling up). */
export async function readsForUser(db: Queryable, userId: string): Promise<Map<string, ReadState>> {
  const { rows } = await db.query<MarksRow>(
    `SELECT m.conversation_id, m.user_id, m.unread, m.read_at, m.read_id, m.delivered_at, m.delivered_id, m.muted,
       true AS receipts
     FROM conversation_member m WHERE m.user_id = $1`,
    [userId],
  );
  return new Map(
    rows.map((r) => [r.conversation_id, { unread: r.unread, read: mark(r.read_at, r.read_id), muted: r.muted }]),
  );
}

/** Mutes or unmutes a conversation for a member. Null when not a member. */
export async function setMuted(
  db: Queryable,
  conversationId: string,
  userId: string,
  muted: boolean,
): Promise<MemberMarks | null> {
  const { rows } = await db.query<MarksRow>(
    `UPDATE conversation_member m SET muted = $3 WHERE m.conversation_id = $1 AND m.user_id = $2 ${RETURNING}`,
    [conversationId, userId, muted],
  );
  return rows[0] ? toMarks(rows[0]) : null;
}

export async function readReceipts(db: Queryable, userId: string): Promise<boolean> {
  const { rows } = await db.query<{ read_receipts: boolean }>(
    `SELECT read_receipts FROM user_setting WHERE user_id = $1`,
    [userId],
  );
  return rows[0]?.read_receipts ?? true;
}

export async function setReadReceipts(db: Queryable, userId: string, on: boolean): Promise<void> {
  await db.query(
    `INSERT INTO user_setting (user_id, read_receipts) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET read_receipts = excluded.read_receipts`,
    [userId, on],
  );
}
