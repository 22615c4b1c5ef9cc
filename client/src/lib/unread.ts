/**
 * Unread counts, from the server: the inbox's `reads` root holds, per conversation, my read
 * mark and how many messages by others came after it (every device of mine sees the same
 * numbers, live, and offline from the local copy). A read mark this device has not sent yet
 * (mark-queue.ts) clears the count at once when it covers the conversation's last message.
 *
 * Totals count messages, not conversations: the title and the app badge are the sum of the
 * numbers the lists show.
 */
import { isAfter, type MessageMark, type MessagePreview, type ReadState } from "@messenger/shared";

/** Is `mark` at or after `target` in timeline order (`target` covered by it)? */
export function covers(mark: MessageMark | null | undefined, target: MessageMark): boolean {
  return mark !== null && mark !== undefined && !isAfter(target, mark);
}

export const markOf = (m: { id: string; createdAt: number }): MessageMark => ({ at: m.createdAt, id: m.id });

/**
 * The count a conversation shows: the server's, or 0 once a read mark not yet confirmed
 * (pending here) covers its last message. A pending mark short of the last message leaves the
 * server's count: only the server knows how many messages lie between.
 */
export function unreadOf(
  state: ReadState | undefined,
  pendingRead: MessageMark | undefined,
  last: Pick<MessagePreview, "id" | "createdAt"> | null,
): number {
  const n = state?.unread ?? 0;
  if (n === 0) return 0;
  if (last && covers(pendingRead, markOf(last))) return 0;
  return n;
}

/** "(3) Messenger" while three messages are unread. */
export function titleWithUnread(title: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${title}` : title;
}

/** "99+" past 99, as the badge in a list row shows it. */
export function badgeText(unread: number): string {
  return unread > 99 ? "99+" : String(unread);
}

type BadgeNavigator = { setAppBadge?: (n?: number) => Promise<void>; clearAppBadge?: () => Promise<void> };

/** The installed app's badge (Badging API), where the browser has one; nothing elsewhere. */
export function showAppBadge(unread: number, nav: BadgeNavigator | undefined = globalThis.navigator): void {
  if (!nav) return;
  try {
    const done = unread > 0 ? nav.setAppBadge?.(unread) : nav.clearAppBadge?.();
    // Refused when the app is not installed or not allowed to badge: nothing to show then.
    done?.catch(() => {});
  } catch {
    // Some browsers throw synchronously outside an installed app.
  }
}
