/**
 * Row shapes both stores read (their tables have the same columns) and how they become
 * the API's types: one definition, so the two stores cannot drift apart in what they return.
 */
import { countReactions, type MemberReceipt, type Message, type ReactionRecord } from "@messenger/shared";
import type { DirectoryRow } from "./types.js";

/** A row of the `message` index. */
export interface MessageRow {
  conversation_id: string;
  id: string;
  segment: number;
  author_id: string;
  text: string;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  reply_to: string | null;
}

export function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    authorId: r.author_id,
    text: r.text,
    createdAt: r.created_at,
    editedAt: r.edited_at,
    deletedAt: r.deleted_at,
    segment: r.segment,
    replyTo: r.reply_to,
    reactions: [],
  };
}

/** A row of the `message_reaction` index: one user's emoji on one message (JSON array, REACTION_EMOJI order). */
export interface ReactionRow {
  conversation_id: string;
  message_id: string;
  user_id: string;
  emoji: string;
  at: number;
}

/** Where a message lives, as the reaction index keys it. */
const placeKey = (conversationId: string, messageId: string) => `${conversationId}\u0000${messageId}`;

/** `messages` with their reactions counted from `rows` (rows of other messages are ignored). */
export function withReactions(messages: Message[], rows: ReactionRow[]): Message[] {
  if (rows.length === 0) return messages;
  const byPlace = new Map<string, ReactionRecord[]>();
  for (const r of rows) {
    const key = placeKey(r.conversation_id, r.message_id);
    const record: ReactionRecord = {
      messageId: r.message_id,
      userId: r.user_id,
      emoji: JSON.parse(r.emoji),
      at: Number(r.at),
    };
    const list = byPlace.get(key);
    if (list) list.push(record);
    else byPlace.set(key, [record]);
  }
  return messages.map((m) => {
    const records = byPlace.get(placeKey(m.conversationId, m.id));
    const counts = records ? countReactions(records).get(m.id) : undefined;
    return counts ? { ...m, reactions: counts } : m;
  });
}

/** better-auth's user row joined with presence's last-seen, as the directory reads it. */
export interface UserRow {
  id: string;
  name: string;
  username: string | null;
  last_seen_at: number | null;
}

export const toDirectoryRow = (r: UserRow): DirectoryRow => ({
  id: r.id,
  name: r.name,
  username: r.username,
  lastSeenAt: r.last_seen_at,
});

/** A member's marks as both stores' queries aggregate them (JSON). */
export interface ReceiptRow {
  u: string;
  ra: number | null;
  ri: string | null;
  da: number | null;
  di: string | null;
}

export const toReceipts = (rows: ReceiptRow[]): MemberReceipt[] =>
  rows
    .map((r) => ({
      userId: r.u,
      delivered: r.da !== null && r.di !== null ? { at: Number(r.da), id: r.di } : null,
      read: r.ra !== null && r.ri !== null ? { at: Number(r.ra), id: r.ri } : null,
    }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
