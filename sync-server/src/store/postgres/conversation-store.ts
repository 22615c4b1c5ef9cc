/**
 * Conversations, their members and the message index, in PostgreSQL (reads, and the
 * direct-conversation write). The relay's index write is message-index.ts.
 *
 * The Yjs segment documents are the source of truth for message content; the `message`
 * table is an index of them, written in the same transaction as the update log.
 */
import { randomBytes } from "node:crypto";
import { type MessagesPage, SYSTEM_AUTHOR } from "@messenger/shared";
import type pg from "pg";
import { anchorId, assemblePage, pageSpan } from "../message-pages.js";
import type { ConversationStore, IndexedMessage, PageAnchor } from "../types.js";
import {
  MESSAGE_COLUMNS,
  type MessageRow,
  readConversation,
  readConversationsWhere,
  toMessage,
} from "./conversation-rows.js";
import { searchMessages } from "./message-search.js";
import { withTransaction } from "./pool.js";
import { fillReactions } from "./reactions.js";
import { markDelivered, markRead, readsForUser, setMuted } from "./read-marks.js";

function newId(): string {
  return randomBytes(12).toString("base64url");
}

export function createPgConversations(pool: pg.Pool, clock: () => number): ConversationStore {
  const messageById = async (conversationId: string, id: string): Promise<MessageRow | null> => {
    const { rows } = await pool.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM message WHERE conversation_id = $1 AND id = $2`,
      [conversationId, id],
    );
    return rows[0] ?? null;
  };

  /** A page as the index holds it (reactions filled by the caller). */
  const readPage = async (
    conversationId: string,
    at: PageAnchor | undefined,
    limit: number,
  ): Promise<MessagesPage | null> => {
    const span = pageSpan(at, limit);
    const id = anchorId(at);
    if (id === undefined) {
      const { rows } = await pool.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM message WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
        [conversationId, span.older + 1],
      );
      return assemblePage(at, limit, rows, null, []);
    }
    const anchor = await messageById(conversationId, id);
    if (!anchor) return null;
    // An `around` page reads both sides even when it shows none of one: it tells whether more exist.
    const both = at !== undefined && "around" in at;
    const side = async (direction: "<" | ">", count: number) =>
      (
        await pool.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM message
               WHERE conversation_id = $1 AND (created_at, id) ${direction} ($2::bigint, $3::text)
               ORDER BY created_at ${direction === "<" ? "DESC" : "ASC"}, id ${direction === "<" ? "DESC" : "ASC"} LIMIT $4`,
          [conversationId, anchor.created_at, anchor.id, count + 1],
        )
      ).rows;
    const [older, newer] = await Promise.all([
      span.older > 0 || both ? side("<", span.older) : [],
      span.newer > 0 || both ? side(">", span.newer) : [],
    ]);
    return assemblePage(at, limit, older, anchor, newer);
  };

  return {
    /**
     * Not queued behind the relay's commits: it touches no row they write, and the unique
     * pair_key makes it safe however many callers (in this process or others) race. The
     * loser's INSERT waits for the winner's commit, does nothing, and then reads its row.
     */
    async getOrCreateDirect(userA, userB) {
      const pairKey = [userA, userB].sort().join(":");
      const created = await withTransaction(pool, async (client) => {
        const now = clock();
        const inserted = await client.query<{ id: string }>(
          `INSERT INTO conversation (id, kind, pair_key, last_activity_at, created_at) VALUES ($1, 'direct', $2, $3, $3)
           ON CONFLICT (pair_key) DO NOTHING RETURNING id`,
          [newId(), pairKey, now],
        );
        const id = inserted.rows[0]?.id;
        if (id === undefined) return false;
        await client.query(
          `INSERT INTO conversation_member (conversation_id, user_id, joined_at) SELECT $1, u, $2 FROM unnest($3::text[]) AS u`,
          [id, now, [...new Set([userA, userB])]],
        );
        return true;
      });
      const [conversation] = await readConversationsWhere(pool, `WHERE c.pair_key = $1`, [pairKey]);
      if (!conversation) throw new Error(`the direct conversation ${pairKey} was deleted while it was being opened`);
      return { conversation, created };
    },

    get: (id) => readConversation(pool, id),

    async headForMember(conversationId, userId) {
      const { rows } = await pool.query<{ head_segment: number }>(
        `SELECT c.head_segment FROM conversation c
         JOIN conversation_member m ON m.conversation_id = c.id AND m.user_id = $2 WHERE c.id = $1`,
        [conversationId, userId],
      );
      return rows[0]?.head_segment ?? null;
    },

    async isMember(conversationId, userId) {
      const { rowCount } = await pool.query(
        `SELECT 1 FROM conversation_member WHERE conversation_id = $1 AND user_id = $2`,
        [conversationId, userId],
      );
      return (rowCount ?? 0) > 0;
    },

    async memberIds(conversationId) {
      const { rows } = await pool.query<{ user_id: string }>(
        `SELECT user_id FROM conversation_member WHERE conversation_id = $1 ORDER BY user_id`,
        [conversationId],
      );
      return rows.map((r) => r.user_id);
    },

    listForUser: (userId) =>
      readConversationsWhere(
        pool,
        `JOIN conversation_member me ON me.conversation_id = c.id AND me.user_id = $1
         ORDER BY c.last_activity_at DESC, c.id`,
        [userId],
      ),

    async findMessage(conversationId, id) {
      const row = await messageById(conversationId, id);
      return row ? ((await fillReactions(pool, [toMessage(row)]))[0] ?? null) : null;
    },

    async messagesPage(conversationId, at, limit): Promise<MessagesPage | null> {
      const page = await readPage(conversationId, at, limit);
      return page ? { ...page, messages: await fillReactions(pool, page.messages) } : null;
    },

    async search(userId, tokens, cursor, limit) {
      const found = await searchMessages(pool, userId, tokens, cursor, limit);
      return { ...found, messages: await fillReactions(pool, found.messages) };
    },

    async segmentsOf(conversationId, ids) {
      const found = new Map<string, IndexedMessage>();
      if (ids.length === 0) return found;
      const { rows } = await pool.query<{ id: string; segment: number; author_id: string }>(
        `SELECT id, segment, author_id FROM message WHERE conversation_id = $1 AND id = ANY($2::text[])`,
        [conversationId, ids],
      );
      for (const r of rows) found.set(r.id, { segment: r.segment, authorId: r.author_id });
      return found;
    },

    markRead: (conversationId, userId, messageId) => markRead(pool, conversationId, userId, messageId, SYSTEM_AUTHOR),
    markDelivered: (conversationId, userId, messageId) => markDelivered(pool, conversationId, userId, messageId),
    setMuted: (conversationId, userId, muted) => setMuted(pool, conversationId, userId, muted),
    readsForUser: (userId) => readsForUser(pool, userId),
  };
}
