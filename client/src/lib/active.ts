/**
 * The conversation lists: all conversations newest activity first, and the active
 * ones (a message today in the viewer's zone or within the last hour, via shared isActive).
 */
import { type ConversationSummary, isActive } from "@messenger/shared";

/** How often the active list is recomputed so conversations drop out as they age. */
export const ACTIVE_RECHECK_MS = 30_000;

export function byNewestActivity(list: Iterable<ConversationSummary>): ConversationSummary[] {
  return Array.from(list).sort((a, b) => b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? -1 : 1));
}

/** Conversations with a recent message; one with no messages at all is never active. */
export function activeConversations(
  list: Iterable<ConversationSummary>,
  now: number,
  timeZone: string,
): ConversationSummary[] {
  return byNewestActivity(list).filter((c) => isActive(c.lastMessage ? c.lastActivityAt : null, now, timeZone));
}

/** The other member of a 1:1 conversation (yourself for a note-to-self). */
export function peerId(c: ConversationSummary, myId: string): string {
  return c.memberIds.find((id) => id !== myId) ?? myId;
}
