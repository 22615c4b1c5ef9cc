/**
 * "Read" means on screen: the newest message whose row is inside the message log's viewport,
 * in a tab that is visible and focused. The virtual list renders rows beyond the edges
 * (overscan), so being in the DOM is not enough.
 */
import type { MessageRecord } from "@messenger/shared";

/** May what is on screen count as read now? */
export function tabIsReading(doc: Pick<Document, "visibilityState" | "hasFocus"> = document): boolean {
  return doc.visibilityState === "visible" && doc.hasFocus();
}

/** Ids of the message rows at least partly inside `scroller`'s visible box. */
export function messageIdsOnScreen(scroller: Element): Set<string> {
  const view = scroller.getBoundingClientRect();
  const ids = new Set<string>();
  for (const el of scroller.querySelectorAll<HTMLElement>("[data-message-id]")) {
    const r = el.getBoundingClientRect();
    if (r.height > 0 && r.bottom > view.top && r.top < view.bottom && el.dataset.messageId)
      ids.add(el.dataset.messageId);
  }
  return ids;
}

/**
 * The newest message on screen that the server can mark: not one of mine still pending (the
 * server does not have it yet, and sending it moves my mark anyway). `messages` oldest first.
 */
export function newestRead(
  messages: readonly MessageRecord[],
  onScreen: ReadonlySet<string>,
  pending: ReadonlySet<string>,
): MessageRecord | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as MessageRecord;
    if (onScreen.has(m.id) && !pending.has(m.id)) return m;
  }
  return null;
}
