/**
 * Read state in SQLite: the same rules as store/postgres/read-marks.ts (marks only move
 * forward; new messages by others after a member's read mark count as unread; an author's
 * marks move to their own newest message), row by row. Synchronous.
 */
import { isAfter, type MessageMark, type ReadState, SYSTEM_AUTHOR } from "@messenger/shared";
import type { MemberMarks } from "../types.js";
import type { Db } from "./database.js";

interface MarksRow {
  user_id: string;
  unread: number;
  read_at: number | null;
  read_id: string | null;
  delivered_at: number | null;
  delivered_id: string | null;
  receipts: number;
  muted: number;
}

const mark = (at: number | null, id: string | null): MessageMark | null =>
  at !== null && id !== null ? { at, id } : null;

/** A new message (not a system line, not deleted) just indexed. */
export interface FreshMessage {
  id: string;
  authorId: string;
  createdAt: number;
}

export type SqliteReadMarks = ReturnType<typeof createSqliteReadMarks>;

export function createSqliteReadMarks(db: Db) {
  const COLUMNS = `m.user_id, m.unread, m.read_at, m.read_id, m.delivered_at, m.delivered_id, m.muted,
    coalesce((SELECT read_receipts FROM user_setting WHERE user_id = m.user_id), 1) AS receipts`;
  const memberOf = db.prepare<[string, string], MarksRow>(
    `SELECT ${COLUMNS} FROM conversation_member m WHERE m.conversation_id = ? AND m.user_id = ?`,
  );
  const save = db.prepare(
    `UPDATE conversation_member SET unread = @unread, read_at = @read_at, read_id = @read_id,
       delivered_at = @delivered_at, delivered_id = @delivered_id WHERE conversation_id = @c AND user_id = @u`,
  );
  const RETURNING = `RETURNING user_id, unread, read_at, read_id, delivered_at, delivered_id, muted,
    coalesce((SELECT read_receipts FROM user_setting WHERE user_id = conversation_member.user_id), 1) AS receipts`;
  /** A new message by `author`: one more unread for every other member whose read mark is before it. */
  const bump = db.prepare<[string, string, number, number, string], MarksRow>(
    `UPDATE conversation_member SET unread = unread + 1
     WHERE conversation_id = ? AND user_id <> ?
       AND (read_at IS NULL OR read_at < ? OR (read_at = ? AND read_id < ?))
     ${RETURNING}`,
  );
  /** The author's marks move to their own newest new message (when it is after them); unread: only what came after it (`n`). */
  const authored = db.prepare<{ c: string; u: string; at: number; id: string; n: number }, MarksRow>(
    `UPDATE conversation_member SET unread = @n, read_at = @at, read_id = @id,
       delivered_at = CASE WHEN delivered_at IS NULL OR delivered_at < @at OR (delivered_at = @at AND delivered_id < @id)
                           THEN @at ELSE delivered_at END,
       delivered_id = CASE WHEN delivered_at IS NULL OR delivered_at < @at OR (delivered_at = @at AND delivered_id < @id)
                           THEN @id ELSE delivered_id END
     WHERE conversation_id = @c AND user_id = @u
       AND (read_at IS NULL OR read_at < @at OR (read_at = @at AND read_id < @id))
     ${RETURNING}`,
  );
  const messageMark = db.prepare<[string, string], { created_at: number; id: string }>(
    `SELECT created_at, id FROM message WHERE conversation_id = ? AND id = ?`,
  );
  const countAfter = db.prepare<[string, number, number, string, string, string], { n: number }>(
    `SELECT count(*) AS n FROM message WHERE conversation_id = ?
       AND (created_at > ? OR (created_at = ? AND id > ?)) AND author_id <> ? AND author_id <> ? AND deleted_at IS NULL`,
  );
  const readsOf = db.prepare<[string], MarksRow & { conversation_id: string }>(
    `SELECT m.conversation_id, ${COLUMNS} FROM conversation_member m WHERE m.user_id = ?`,
  );
  const mute = db.prepare<{ c: string; u: string; muted: number }, MarksRow>(
    `UPDATE conversation_member SET muted = @muted WHERE conversation_id = @c AND user_id = @u ${RETURNING}`,
  );
  const setting = db.prepare<[string], { read_receipts: number }>(
    `SELECT read_receipts FROM user_setting WHERE user_id = ?`,
  );
  const saveSetting = db.prepare<[string, number]>(
    `INSERT INTO user_setting (user_id, read_receipts) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET read_receipts = excluded.read_receipts`,
  );

  const toMarks = (conversationId: string, r: MarksRow): MemberMarks => ({
    conversationId,
    userId: r.user_id,
    unread: r.unread,
    read: mark(r.read_at, r.read_id),
    delivered: mark(r.delivered_at, r.delivered_id),
    readReceipts: r.receipts === 1,
    muted: r.muted === 1,
  });
  const write = (conversationId: string, m: MemberMarks) =>
    save.run({
      c: conversationId,
      u: m.userId,
      unread: m.unread,
      read_at: m.read?.at ?? null,
      read_id: m.read?.id ?? null,
      delivered_at: m.delivered?.at ?? null,
      delivered_id: m.delivered?.id ?? null,
    });

  return {
    /**
     * Call in the transaction that indexed `fresh`; returns the members changed. One statement
     * per new message for the others' counts (not one per member: a group has hundreds), one
     * per author for their marks.
     */
    countFresh(conversationId: string, fresh: FreshMessage[]): MemberMarks[] {
      if (fresh.length === 0) return [];
      const changed = new Map<string, MarksRow>();
      const newest = new Map<string, FreshMessage>();
      for (const f of fresh) {
        for (const row of bump.all(conversationId, f.authorId, f.createdAt, f.createdAt, f.id))
          changed.set(row.user_id, row);
        const mine = newest.get(f.authorId);
        if (!mine || isAfter({ at: f.createdAt, id: f.id }, { at: mine.createdAt, id: mine.id }))
          newest.set(f.authorId, f);
      }
      for (const f of newest.values()) {
        // Others' messages of this commit after the author's own stay unread for them.
        const n = fresh.filter(
          (o) => o.authorId !== f.authorId && isAfter({ at: o.createdAt, id: o.id }, { at: f.createdAt, id: f.id }),
        ).length;
        const row = authored.get({ c: conversationId, u: f.authorId, at: f.createdAt, id: f.id, n });
        if (row) changed.set(row.user_id, row);
      }
      return [...changed.values()].map((r) => toMarks(conversationId, r));
    },

    markRead(conversationId: string, userId: string, messageId: string): MemberMarks | null {
      const target = messageMark.get(conversationId, messageId);
      const row = memberOf.get(conversationId, userId);
      if (!target || !row) return null;
      const m = toMarks(conversationId, row);
      const at = { at: target.created_at, id: target.id };
      if (isAfter(at, m.read)) m.read = at;
      if (m.read && isAfter(m.read, m.delivered)) m.delivered = m.read;
      const read = m.read as MessageMark;
      m.unread = countAfter.get(conversationId, read.at, read.at, read.id, userId, SYSTEM_AUTHOR)?.n ?? 0;
      write(conversationId, m);
      return m;
    },

    markDelivered(conversationId: string, userId: string, messageId: string): MemberMarks | null {
      const target = messageMark.get(conversationId, messageId);
      const row = memberOf.get(conversationId, userId);
      if (!target || !row) return null;
      const m = toMarks(conversationId, row);
      const at = { at: target.created_at, id: target.id };
      if (!isAfter(at, m.delivered)) return m;
      m.delivered = at;
      write(conversationId, m);
      return m;
    },

    readsForUser(userId: string): Map<string, ReadState> {
      return new Map(
        readsOf
          .all(userId)
          .map((r) => [
            r.conversation_id,
            { unread: r.unread, read: mark(r.read_at, r.read_id), muted: r.muted === 1 },
          ]),
      );
    },

    setMuted(conversationId: string, userId: string, muted: boolean): MemberMarks | null {
      const row = mute.get({ c: conversationId, u: userId, muted: muted ? 1 : 0 });
      return row ? toMarks(conversationId, row) : null;
    },

    readReceipts: (userId: string): boolean => (setting.get(userId)?.read_receipts ?? 1) === 1,
    setReadReceipts: (userId: string, on: boolean): void => {
      saveSetting.run(userId, on ? 1 : 0);
    },
  };
}
