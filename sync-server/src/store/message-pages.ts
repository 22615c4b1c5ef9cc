/**
 * The shape of a page of a conversation, the same in both stores: how many messages to read
 * on each side of the anchor, and how the rows read become a `MessagesPage`. Each store reads
 * its rows (older ones newest first, newer ones oldest first, one more than asked so it knows
 * whether more exist) and hands them here.
 *
 *   no anchor      the newest `limit`                       hasMore: older exist; hasNewer: false
 *   before=<id>    `limit` older than it                    hasNewer: true (the anchor is newer)
 *   after=<id>     `limit` newer than it                    hasMore: true (the anchor is older)
 *   around=<id>    floor(limit / 2) older, it, the rest newer  both read from the rows
 */
import type { MessagesPage } from "@messenger/shared";
import { type MessageRow, toMessage } from "./rows.js";
import type { PageAnchor } from "./types.js";

/** The anchor's message id, if any. */
export function anchorId(at: PageAnchor | undefined): string | undefined {
  if (at === undefined) return undefined;
  return "before" in at ? at.before : "after" in at ? at.after : at.around;
}

/** How many messages a page shows older and newer than its anchor (read one more of each to learn what lies beyond). */
export function pageSpan(at: PageAnchor | undefined, limit: number): { older: number; newer: number } {
  if (at === undefined || "before" in at) return { older: limit, newer: 0 };
  if ("after" in at) return { older: 0, newer: limit };
  const older = Math.floor(limit / 2);
  return { older, newer: limit - 1 - older };
}

/**
 * The page from the rows read: `older` newest first, `newer` oldest first, each up to one
 * more than `pageSpan` asked; `anchor` is the anchor's row (shown only in an `around` page).
 */
export function assemblePage(
  at: PageAnchor | undefined,
  limit: number,
  older: MessageRow[],
  anchor: MessageRow | null,
  newer: MessageRow[],
): MessagesPage {
  const span = pageSpan(at, limit);
  const shownOlder = older.slice(0, span.older).reverse();
  const shownNewer = newer.slice(0, span.newer);
  const around = at !== undefined && "around" in at;
  const rows = around && anchor ? [...shownOlder, anchor, ...shownNewer] : [...shownOlder, ...shownNewer];
  const isAfter = at !== undefined && "after" in at;
  const isBefore = at !== undefined && "before" in at;
  return {
    messages: rows.map(toMessage),
    hasMore: isAfter || older.length > span.older,
    hasNewer: isBefore || newer.length > span.newer,
  };
}
