/**
 * Whether a change of the inbox deserves a system notification, pure. A conversation's
 * summary moved from `previous` to `next` (the inbox is observed live in app-data.ts): notify
 * when its last message is a newer one, by someone else (not me, not a system line), not
 * deleted, written after the app started (what arrived while I was away is in the lists, not
 * a burst of notifications), in a conversation I have not muted, while I am not looking.
 */
import { type ConversationSummary, isAfter, SYSTEM_AUTHOR } from "@messenger/shared";

export interface NotifyInput {
  previous: ConversationSummary | undefined;
  next: ConversationSummary;
  me: string;
  muted: boolean;
  /** The tab is hidden or has no focus. */
  away: boolean;
  /** Server time the app started at: older messages were already waiting, not new. */
  since: number;
  nameOf: (userId: string) => string;
}

export interface SystemNotification {
  /** The conversation: a later notification for it replaces this one. */
  tag: string;
  conversationId: string;
  title: string;
  body: string;
}

/** How much of a message a notification shows. */
export const NOTIFICATION_BODY_CHARS = 120;

export function notificationFor(input: NotifyInput): SystemNotification | null {
  const { previous, next, me } = input;
  const m = next.lastMessage;
  if (!m || m.deleted || m.authorId === me || m.authorId === SYSTEM_AUTHOR) return null;
  if (input.muted || !input.away || m.createdAt <= input.since) return null;
  const before = previous?.lastMessage;
  if (
    before &&
    (before.id === m.id || !isAfter({ at: m.createdAt, id: m.id }, { at: before.createdAt, id: before.id }))
  )
    return null;
  const author = input.nameOf(m.authorId);
  const text = preview(m.text);
  const group = next.kind === "group";
  return {
    tag: next.id,
    conversationId: next.id,
    title: group ? (next.name ?? "Group") : author,
    body: group ? `${author}: ${text}` : text,
  };
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > NOTIFICATION_BODY_CHARS ? `${flat.slice(0, NOTIFICATION_BODY_CHARS - 1)}…` : flat;
}
