/**
 * The conversation lists: all conversations newest activity first, and the active
 * ones (a message today in the viewer's zone or within the last hour, via shared isActive).
 */
import { type ConversationSummary, isActive } from "@messenger/shared";

/** How often the active list is recomputed so conversations drop out as they age. */
export const ACTIVE_RECHECK_MS = 30_000;

/** The time a list sorts by: the last message's, or the server's activity time when there is none. */
export function activityAt(c: ConversationSummary): number {
  return c.lastMessage?.createdAt ?? c.lastActivityAt;
}

export function byNewestActivity(list: Iterable<ConversationSummary>): ConversationSummary[] {
  return Array.from(list).sort((a, b) => activityAt(b) - activityAt(a) || (a.id < b.id ? -1 : 1));
}

/** When the last message was written (what "active" and list times are about), or null. */
export function lastMessageAt(c: ConversationSummary): number | null {
  return c.lastMessage?.createdAt ?? null;
}

/**
 * Conversations with a recent message, newest message first. Judged on the last
 * message's time, as the server's /active route does: a conversation merely created
 * (or re-created) today is not active.
 */
export function activeConversations(
  list: Iterable<ConversationSummary>,
  now: number,
  timeZone: string,
): ConversationSummary[] {
  return Array.from(list)
    .filter((c) => isActive(lastMessageAt(c), now, timeZone))
    .sort((a, b) => (lastMessageAt(b) ?? 0) - (lastMessageAt(a) ?? 0) || (a.id < b.id ? -1 : 1));
}

/** The other member of a 1:1 conversation (yourself for a note-to-self). */
export function peerId(c: ConversationSummary, myId: string): string {
  return c.memberIds.find((id) => id !== myId) ?? myId;
}
