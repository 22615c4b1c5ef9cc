/**
 * Conversations, their members and the message index, in SQLite. Synchronous
 * (better-sqlite3); sqlite-store.ts puts the async Store face on it.
 *
 * The Yjs segment documents are the source of truth for message content; the
 * `message` table is an index of them, written in the same transaction as the
 * update log (see relay/), which serves HTTP pages, previews and activity.
 */
import { randomBytes } from "node:crypto";
import {
  type ConversationSummary,
  conversationDocName,
  type Message,
  type MessageRecord,
  type MessagesPage,
  PREVIEW_LENGTH,
  SEGMENT_MESSAGES,
  SYSTEM_AUTHOR,
} from "@messenger/shared";
import type { Clock } from "../../clock.js";
import { CommitConflict } from "../conflict.js";
import { type MessageRow, type ReceiptRow, toMessage, toReceipts } from "../rows.js";
import type { IndexedMessage, IndexResult, PageAnchor, SearchPosition, SearchResult } from "../types.js";
import type { Db } from "./database.js";
import { createSqlitePages } from "./message-pages.js";
import { createSqliteSearch } from "./message-search.js";
import { createSqliteReactions } from "./reactions.js";
import { createSqliteReadMarks, type FreshMessage } from "./read-marks.js";

interface ConversationRow {
  id: string;
  kind: "direct" | "group";
  name: string | null;
  admins: string | null;
  /** JSON: each member's marks (the read mark only for members with read receipts on). */
  receipts: string;
  head_segment: number;
  head_count: number;
  last_message_id: string | null;
  last_activity_at: number;
  created_at: number;
  members: string;
}

/** A `message` row with its key (the rowid alias the search index is keyed by). */
type KeyedRow = MessageRow & { key: number };

export type SqliteConversations = ReturnType<typeof createSqliteConversations>;

/** Message order: created_at, then id (as the pages and "last message" sort). */
const isNewer = (a: MessageRow, b: MessageRow) =>
  a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id);

export function newId(): string {
  return randomBytes(12).toString("base64url");
}

export function createSqliteConversations(db: Db, clock: Clock) {
  const readMarks = createSqliteReadMarks(db);
  const pages = createSqlitePages(db);
  const search = createSqliteSearch(db);
  const reactions = createSqliteReactions(db);
  const selectConversation = `
    SELECT c.id, c.kind, c.name, c.head_segment, c.head_count, c.last_message_id, c.last_activity_at, c.created_at,
           (SELECT group_concat(user_id, ',') FROM conversation_member m WHERE m.conversation_id = c.id) AS members,
           (SELECT group_concat(user_id, ',') FROM (SELECT user_id FROM conversation_member m
              WHERE m.conversation_id = c.id AND m.role <> 'member'
              ORDER BY m.role = 'owner' DESC, m.joined_at, m.user_id)) AS admins,
           (SELECT json_group_array(json_object(
               'u', m.user_id,
               'ra', CASE WHEN coalesce(us.read_receipts, 1) THEN m.read_at END,
               'ri', CASE WHEN coalesce(us.read_receipts, 1) THEN m.read_id END,
               'da', m.delivered_at, 'di', m.delivered_id))
            FROM conversation_member m LEFT JOIN user_setting us ON us.user_id = m.user_id
            WHERE m.conversation_id = c.id) AS receipts
    FROM conversation c`;
  const byId = db.prepare<[string], ConversationRow>(`${selectConversation} WHERE c.id = ?`);
  const byPair = db.prepare<[string], ConversationRow>(`${selectConversation} WHERE c.pair_key = ?`);
  const forUser = db.prepare<[string], ConversationRow>(
    `${selectConversation} JOIN conversation_member me ON me.conversation_id = c.id AND me.user_id = ?
     ORDER BY c.last_activity_at DESC, c.id`,
  );
  const insertConversation = db.prepare(
    `INSERT INTO conversation (id, kind, pair_key, last_activity_at, created_at) VALUES (?, 'direct', ?, ?, ?)`,
  );
  const insertMember = db.prepare(
    `INSERT INTO conversation_member (conversation_id, user_id, joined_at) VALUES (?, ?, ?)`,
  );
  const headForMember = db.prepare<[string, string], { head_segment: number }>(
    `SELECT c.head_segment FROM conversation c
     JOIN conversation_member m ON m.conversation_id = c.id AND m.user_id = ? WHERE c.id = ?`,
  );
  const memberCheck = db.prepare<[string, string], { one: number }>(
    `SELECT 1 AS one FROM conversation_member WHERE conversation_id = ? AND user_id = ?`,
  );
  const memberList = db.prepare<[string], { user_id: string }>(
    `SELECT user_id FROM conversation_member WHERE conversation_id = ? ORDER BY user_id`,
  );
  const messageById = db.prepare<[string, string], KeyedRow>(
    `SELECT * FROM message WHERE conversation_id = ? AND id = ?`,
  );
  const upsertMessage = db.prepare(
    `INSERT INTO message (conversation_id, id, segment, author_id, text, created_at, edited_at, deleted_at, reply_to, stored_at)
     VALUES (@conversation_id, @id, @segment, @author_id, @text, @created_at, @edited_at, @deleted_at, @reply_to, @stored_at)
     ON CONFLICT (conversation_id, id) DO UPDATE SET
       text = excluded.text, edited_at = excluded.edited_at, deleted_at = excluded.deleted_at`,
  );
  const newestMessage = db.prepare<[string], MessageRow>(
    `SELECT * FROM message WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  const updateActivity = db.prepare(
    `UPDATE conversation SET last_message_id = ?, last_message_at = ?, last_activity_at = coalesce(?, created_at),
       head_segment = ?, head_count = ? WHERE id = ?`,
  );

  /** `last`: the row of row.last_message_id when the caller has it already. */
  const toSummary = (row: ConversationRow, last?: MessageRow): ConversationSummary => {
    last ??= row.last_message_id ? messageById.get(row.id, row.last_message_id) : undefined;
    const documents: string[] = [];
    for (let s = row.head_segment; s >= 0 && documents.length < 2; s--) documents.push(conversationDocName(row.id, s));
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      memberIds: row.members ? row.members.split(",").sort() : [],
      adminIds: row.admins ? row.admins.split(",") : [],
      receipts: toReceipts(JSON.parse(row.receipts) as ReceiptRow[]),
      headSegment: row.head_segment,
      documents,
      lastMessage: last
        ? {
            id: last.id,
            authorId: last.author_id,
            text: last.deleted_at ? "" : last.text.slice(0, PREVIEW_LENGTH),
            createdAt: last.created_at,
            deleted: last.deleted_at !== null,
          }
        : null,
      lastActivityAt: row.last_activity_at,
      createdAt: row.created_at,
    };
  };

  return {
    /** The one direct conversation of a pair, created on first use. */
    getOrCreateDirect(userA: string, userB: string): { conversation: ConversationSummary; created: boolean } {
      const pairKey = [userA, userB].sort().join(":");
      return db
        .transaction(() => {
          const existing = byPair.get(pairKey);
          if (existing) return { conversation: toSummary(existing), created: false };
          const id = newId();
          const now = clock();
          insertConversation.run(id, pairKey, now, now);
          for (const u of new Set([userA, userB])) insertMember.run(id, u, now);
          return { conversation: toSummary(byId.get(id) as ConversationRow), created: true };
        })
        .immediate();
    },

    get(id: string): ConversationSummary | null {
      const row = byId.get(id);
      return row ? toSummary(row) : null;
    },

    headForMember(conversationId: string, userId: string): number | null {
      return headForMember.get(userId, conversationId)?.head_segment ?? null;
    },

    isMember(conversationId: string, userId: string): boolean {
      return memberCheck.get(conversationId, userId) !== undefined;
    },

    memberIds(conversationId: string): string[] {
      return memberList.all(conversationId).map((r) => r.user_id);
    },

    /** The user's conversations, most recent activity first. */
    listForUser(userId: string): ConversationSummary[] {
      return forUser.all(userId).map((r) => toSummary(r));
    },

    findMessage(conversationId: string, id: string): Message | null {
      const row = messageById.get(conversationId, id);
      return row ? (reactions.fill([toMessage(row)])[0] ?? null) : null;
    },

    messagesPage(conversationId: string, at: PageAnchor | undefined, limit: number): MessagesPage | null {
      const page = pages.messagesPage(conversationId, at, limit);
      return page ? { ...page, messages: reactions.fill(page.messages) } : null;
    },

    search(userId: string, tokens: readonly string[], cursor: SearchPosition | null, limit: number): SearchResult {
      const found = search.search(userId, tokens, cursor, limit);
      return { ...found, messages: reactions.fill(found.messages) };
    },

    /** Upserts reaction records into the reaction index (inside the relay's commit transaction). */
    indexReactions: reactions.index,

    /**
     * Records accepted message records of one segment in the index. Call inside the
     * storage transaction that appends the update, so index and log never disagree.
     * Rolls the head segment forward once it holds SEGMENT_MESSAGES messages.
     */
    indexMessages(conversationId: string, segment: number, records: MessageRecord[]): IndexResult | null {
      const row = byId.get(conversationId);
      if (!row) return null;
      const now = clock();
      let added = 0;
      // The newest message afterwards is known without a query when every record is a new
      // message at least as new as the current last one (the common case: someone writes).
      let current: MessageRow | undefined = row.last_message_id
        ? messageById.get(conversationId, row.last_message_id)
        : undefined;
      let newestKnown = true;
      const insertedHere = new Set<string>();
      const fresh: FreshMessage[] = [];
      for (const r of records) {
        const before = messageById.get(conversationId, r.id);
        // Indexed before with another author or in another segment: both cannot stand (the
        // relay's judgement prevents it within one process; the store says so all the same).
        if (before && !insertedHere.has(r.id) && (before.segment !== segment || before.author_id !== r.author))
          throw new CommitConflict(
            "message",
            conversationDocName(conversationId, segment),
            r.author,
            `message ${r.id} already exists ${before.segment !== segment ? "in another segment" : "by another author"}`,
          );
        if (!before) insertedHere.add(r.id);
        if (!before && r.author !== SYSTEM_AUTHOR && r.deletedAt === undefined)
          fresh.push({ id: r.id, authorId: r.author, createdAt: r.createdAt });
        if (!before) added += segment === row.head_segment ? 1 : 0;
        const stored: MessageRow = {
          conversation_id: conversationId,
          id: r.id,
          segment: before ? before.segment : segment,
          author_id: r.author,
          text: r.text,
          created_at: before ? before.created_at : r.createdAt,
          edited_at: r.editedAt ?? null,
          deleted_at: r.deletedAt ?? null,
          reply_to: before ? before.reply_to : (r.replyTo ?? null),
        };
        const { lastInsertRowid } = upsertMessage.run({ ...stored, stored_at: now });
        search.indexed(before ? before.key : Number(lastInsertRowid), before, stored);
        if (before) {
          // An edit or a deletion: if it touched the last message, its preview changes.
          if (current && before.id === current.id) current = stored;
          else if (!current) newestKnown = false;
        } else if (!current || isNewer(stored, current)) current = stored;
      }
      let head = row.head_segment;
      let headCount = row.head_count + added;
      if (headCount >= SEGMENT_MESSAGES) {
        head += 1;
        headCount = 0;
      }
      const newest = newestKnown ? current : newestMessage.get(conversationId);
      updateActivity.run(
        newest?.id ?? null,
        newest?.created_at ?? null,
        newest?.created_at ?? null,
        head,
        headCount,
        conversationId,
      );
      const marks = readMarks.countFresh(conversationId, fresh);
      const after: ConversationRow = {
        ...row,
        // The authors' marks moved: the summary shows them.
        receipts: marks.length > 0 ? (byId.get(conversationId) as ConversationRow).receipts : row.receipts,
        head_segment: head,
        head_count: headCount,
        last_message_id: newest?.id ?? null,
        last_activity_at: newest?.created_at ?? row.created_at,
      };
      return { summary: toSummary(after, newest), headMoved: head !== row.head_segment, marks };
    },

    markRead: readMarks.markRead,
    markDelivered: readMarks.markDelivered,
    readsForUser: readMarks.readsForUser,
    setMuted: readMarks.setMuted,
    readReceipts: readMarks.readReceipts,
    setReadReceipts: readMarks.setReadReceipts,

    /** Where each of `ids` already lives, to refuse the same id in another segment. */
    segmentsOf(conversationId: string, ids: string[]): Map<string, IndexedMessage> {
      const found = new Map<string, IndexedMessage>();
      for (const id of ids) {
        const row = messageById.get(conversationId, id);
        if (row) found.set(id, { segment: row.segment, authorId: row.author_id });
      }
      return found;
    },
  };
}
