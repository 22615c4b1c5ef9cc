/**
 * Which conversations have messages I have not seen, kept per user in this browser.
 * A mark is the createdAt of the newest message seen in a conversation. On a browser's
 * first start every existing conversation is marked read (a new device does not light
 * up every old conversation); after that, a message from someone else past the mark (or
 * in a conversation with no mark: a new one) makes it unread.
 * (Read state is per device for now; read receipts will sync it.)
 */
import type { ConversationSummary } from "@messenger/shared";

export type ReadMarks = Readonly<Record<string, number>>;

export function isUnread(c: ConversationSummary, me: string, marks: ReadMarks): boolean {
  const m = c.lastMessage;
  if (!m || m.authorId === me || m.deleted) return false;
  return m.createdAt > (marks[c.id] ?? 0);
}

/** First start on this browser: every conversation read up to its current last message. */
export function withBaseline(marks: ReadMarks, conversations: readonly ConversationSummary[]): ReadMarks {
  let next: Record<string, number> | null = null;
  for (const c of conversations) {
    if (marks[c.id] !== undefined) continue;
    next ??= { ...marks };
    next[c.id] = c.lastMessage?.createdAt ?? 0;
  }
  return next ?? marks;
}

/** The marks after reading a conversation up to its last message. */
export function withRead(marks: ReadMarks, c: ConversationSummary): ReadMarks {
  const at = c.lastMessage?.createdAt ?? 0;
  return (marks[c.id] ?? -1) >= at ? marks : { ...marks, [c.id]: at };
}

/** "(3) Messenger" while three conversations are unread. */
export function titleWithUnread(title: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${title}` : title;
}
