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
  const COLUMNS = `m.user_id, m.unread, m.read_at, m.read_id, m.delivered_at, m.delivered_id,
    coalesce((SELECT read_receipts FROM user_setting WHERE user_id = m.user_id), 1) AS receipts`;
  const membersOf = db.prepare<[string], MarksRow>(
    `SELECT ${COLUMNS} FROM conversation_member m WHERE m.conversation_id = ?`,
  );
  const memberOf = db.prepare<[string, string], MarksRow>(
    `SELECT ${COLUMNS} FROM conversation_member m WHERE m.conversation_id = ? AND m.user_id = ?`,
  );
  const save = db.prepare(
    `UPDATE conversation_member SET unread = @unread, read_at = @read_at, read_id = @read_id,
       delivered_at = @delivered_at, delivered_id = @delivered_id WHERE conversation_id = @c AND user_id = @u`,
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
    /** Call in the transaction that indexed `fresh`; returns the members changed. */
    countFresh(conversationId: string, fresh: FreshMessage[]): MemberMarks[] {
      if (fresh.length === 0) return [];
      const changed: MemberMarks[] = [];
      for (const row of membersOf.all(conversationId)) {
        const m = toMarks(conversationId, row);
        let mine: MessageMark | null = null;
        for (const f of fresh) {
          const at = { at: f.createdAt, id: f.id };
          if (f.authorId === m.userId && isAfter(at, mine)) mine = at;
        }
        if (mine && isAfter(mine, m.read)) {
          m.read = mine;
          m.unread = 0;
          if (isAfter(mine, m.delivered)) m.delivered = mine;
        } else {
          const n = fresh.filter(
            (f) => f.authorId !== m.userId && isAfter({ at: f.createdAt, id: f.id }, m.read),
          ).length;
          if (n === 0) continue;
          m.unread += n;
        }
        write(conversationId, m);
        changed.push(m);
      }
      return changed;
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
        readsOf.all(userId).map((r) => [r.conversation_id, { unread: r.unread, read: mark(r.read_at, r.read_id) }]),
      );
    },

    readReceipts: (userId: string): boolean => (setting.get(userId)?.read_receipts ?? 1) === 1,
    setReadReceipts: (userId: string, on: boolean): void => {
      saveSetting.run(userId, on ? 1 : 0);
    },
  };
}
