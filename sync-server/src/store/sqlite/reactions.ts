/**
 * The reaction index in SQLite (`message_reaction`): each user's current emoji on each message,
 * upserted in the relay's commit, read to fill the reactions of the messages a page returns.
 */
import type { Message } from "@messenger/shared";
import { type ReactionRow, withReactions } from "../rows.js";
import type { ReactionEntry } from "../types.js";
import type { Db } from "./database.js";

export function createSqliteReactions(db: Db) {
  const upsert = db.prepare<{ c: string; m: string; u: string; emoji: string; at: number }>(
    `INSERT INTO message_reaction (conversation_id, message_id, user_id, emoji, at) VALUES (@c, @m, @u, @emoji, @at)
     ON CONFLICT (conversation_id, message_id, user_id) DO UPDATE SET emoji = excluded.emoji, at = excluded.at`,
  );
  // Ids as JSON arrays: one prepared statement whatever the page's size.
  const select = db.prepare<{ c: string; m: string }, ReactionRow>(
    `SELECT conversation_id, message_id, user_id, emoji, at FROM message_reaction
     WHERE conversation_id IN (SELECT value FROM json_each(@c)) AND message_id IN (SELECT value FROM json_each(@m))`,
  );

  return {
    index(entries: ReactionEntry[]): void {
      for (const e of entries)
        for (const r of e.records)
          upsert.run({ c: e.conversationId, m: r.messageId, u: r.userId, emoji: JSON.stringify(r.emoji), at: r.at });
    },

    /** `messages` with their indexed reactions: one query. */
    fill(messages: Message[]): Message[] {
      if (messages.length === 0) return messages;
      const c = JSON.stringify([...new Set(messages.map((m) => m.conversationId))]);
      const m = JSON.stringify([...new Set(messages.map((x) => x.id))]);
      return withReactions(messages, select.all({ c, m }));
    },
  };
}
