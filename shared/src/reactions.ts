/**
 * Reactions: a small set of emoji a member toggles on a message. They live in the message's
 * segment document, root `reactions`, one entry per (message, user): key `<messageId>:<userId>`,
 * value that user's ReactionRecord. One key per user means two people reacting at once never
 * write the same entry, and the relay only has to check that the key's user is the writer
 * (sync-server/src/relay/validate-update.ts). Entries are never removed: taking every emoji
 * back leaves a record with none, as messages are tombstoned rather than removed.
 */
import type * as Y from "yjs";
import { isTimestamp, MAX_CLOCK_SKEW_MS, MESSAGE_ID_PATTERN, REACTIONS_ROOT } from "./schema.js";

/** The emoji a member may react with, in the order they are shown. */
export const REACTION_EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];

export interface ReactionRecord {
  messageId: string;
  userId: string;
  /** The user's emoji on the message, distinct, in REACTION_EMOJI order; empty when all taken back. */
  emoji: ReactionEmoji[];
  /** ms since epoch of the last change, from the user's clock. */
  at: number;
}

/** How many people reacted with one emoji, and who. */
export interface ReactionCount {
  emoji: ReactionEmoji;
  userIds: string[];
}

const REACTION_KEYS = new Set(["messageId", "userId", "emoji", "at"]);

export function reactionsMap(doc: Y.Doc): Y.Map<ReactionRecord> {
  return doc.getMap<ReactionRecord>(REACTIONS_ROOT);
}

export function reactionKey(messageId: string, userId: string): string {
  return `${messageId}:${userId}`;
}

/** The message and user a key names, or null. Message ids cannot hold ":", so the first one splits. */
export function parseReactionKey(key: string): { messageId: string; userId: string } | null {
  const at = key.indexOf(":");
  if (at < 0) return null;
  const messageId = key.slice(0, at);
  const userId = key.slice(at + 1);
  if (!MESSAGE_ID_PATTERN.test(messageId) || userId.length === 0 || userId.length > 64) return null;
  return { messageId, userId };
}

/** Why a value is not a valid ReactionRecord stored under `key`, or null. Pure and cheap. */
export function reactionRecordProblem(value: unknown, key: string, now: number): string | null {
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return "reaction is not a plain object";
  }
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!REACTION_KEYS.has(k)) return `unknown reaction field ${k}`;
  const parsed = parseReactionKey(key);
  if (parsed === null) return "reaction key is not <messageId>:<userId>";
  if (v.messageId !== parsed.messageId || v.userId !== parsed.userId) return "reaction differs from its key";
  if (!Array.isArray(v.emoji) || Object.getPrototypeOf(v.emoji) !== Array.prototype) return "bad reaction emoji";
  let last = -1;
  for (const e of v.emoji) {
    const i = REACTION_EMOJI.indexOf(e as ReactionEmoji);
    // Distinct and in REACTION_EMOJI order: one spelling per set.
    if (i <= last) return "bad reaction emoji";
    last = i;
  }
  if (!isTimestamp(v.at)) return "bad reaction time";
  if (v.at > now + MAX_CLOCK_SKEW_MS) return "timestamp in the future";
  return null;
}

/**
 * Turns one emoji of the user's on a message on or off. Returns the new record. The message is
 * the caller's to check (it must be in this document: the relay refuses a reaction to a message
 * the segment does not hold).
 */
export function toggleReaction(
  doc: Y.Doc,
  input: { messageId: string; userId: string; emoji: ReactionEmoji; at: number },
): ReactionRecord {
  const map = reactionsMap(doc);
  const key = reactionKey(input.messageId, input.userId);
  const mine = new Set(map.get(key)?.emoji ?? []);
  if (mine.has(input.emoji)) mine.delete(input.emoji);
  else mine.add(input.emoji);
  const record: ReactionRecord = {
    messageId: input.messageId,
    userId: input.userId,
    emoji: REACTION_EMOJI.filter((e) => mine.has(e)),
    at: input.at,
  };
  const problem = reactionRecordProblem(record, key, input.at);
  if (problem) throw new TypeError(`invalid reaction: ${problem}`);
  map.set(key, record);
  return record;
}

/** The reactions of each message, counted: message id → counts in REACTION_EMOJI order (emoji nobody chose left out). */
export function countReactions(records: Iterable<ReactionRecord>): Map<string, ReactionCount[]> {
  const byMessage = new Map<string, Map<ReactionEmoji, string[]>>();
  for (const r of records) {
    if (r.emoji.length === 0) continue;
    let counts = byMessage.get(r.messageId);
    if (!counts) {
      counts = new Map();
      byMessage.set(r.messageId, counts);
    }
    for (const e of r.emoji) {
      const users = counts.get(e);
      if (users) users.push(r.userId);
      else counts.set(e, [r.userId]);
    }
  }
  const out = new Map<string, ReactionCount[]>();
  for (const [messageId, counts] of byMessage) {
    out.set(
      messageId,
      REACTION_EMOJI.flatMap((emoji) => {
        const userIds = counts.get(emoji);
        return userIds ? [{ emoji, userIds: userIds.sort() }] : [];
      }),
    );
  }
  return out;
}
