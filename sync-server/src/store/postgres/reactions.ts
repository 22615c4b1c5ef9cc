/**
 * The reaction index in PostgreSQL (`message_reaction`): each user's current emoji on each
 * message, upserted in the relay's commit (one statement), read to fill the reactions of the
 * messages a page returns (one query).
 */
import type { Message } from "@messenger/shared";
import { type ReactionRow, withReactions } from "../rows.js";
import type { ReactionEntry } from "../types.js";
import type { Queryable } from "./pool.js";

export async function indexReactions(db: Queryable, entries: ReactionEntry[]): Promise<void> {
  // One row per key (the last value): an upsert may not touch a row twice.
  const rows = new Map<string, [string, string, string, string, number]>();
  for (const e of entries)
    for (const r of e.records)
      rows.set(`${e.conversationId}\u0000${r.messageId}\u0000${r.userId}`, [
        e.conversationId,
        r.messageId,
        r.userId,
        JSON.stringify(r.emoji),
        r.at,
      ]);
  if (rows.size === 0) return;
  const columns = [0, 1, 2, 3, 4].map((i) => [...rows.values()].map((row) => row[i]));
  await db.query(
    `INSERT INTO message_reaction (conversation_id, message_id, user_id, emoji, at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
     ON CONFLICT (conversation_id, message_id, user_id) DO UPDATE SET emoji = excluded.emoji, at = excluded.at`,
    columns,
  );
}

/** `messages` with their indexed reactions. */
export async function fillReactions(db: Queryable, messages: Message[]): Promise<Message[]> {
  if (messages.length === 0) return messages;
  const { rows } = await db.query<ReactionRow>(
    `SELECT conversation_id, message_id, user_id, emoji, at FROM message_reaction
     WHERE conversation_id = ANY($1::text[]) AND message_id = ANY($2::text[])`,
    [[...new Set(messages.map((m) => m.conversationId))], [...new Set(messages.map((m) => m.id))]],
  );
  return withReactions(messages, rows);
}
