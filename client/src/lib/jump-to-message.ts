/**
 * A conversation screen's "open at this message": once the timeline is ready, the store
 * makes the message part of it (already loaded, or a window around it) and the list brings
 * it into view; it stays the current message (highlighted, aria-current) until the next
 * jump or "Jump to newest". Create inside the screen's Solid root.
 */
import { createEffect, createSignal, untrack } from "solid-js";

export function createJumpToMessage(deps: {
  /** The message the route asks for (`/c/:id?m=`). */
  messageId: () => string | undefined;
  /** The live timeline has loaded (so "not there" means not there). */
  ready: () => boolean;
  /** The message is in the timeline now (it may arrive after a failed open: a live document loading late). */
  has: (messageId: string) => boolean;
  openAt: (messageId: string) => Promise<boolean>;
  scrollTo: (messageId: string) => void;
}) {
  const [target, setTarget] = createSignal<string | null>(null);
  const [failed, setFailed] = createSignal(false);
  let handled: string | undefined;
  createEffect(() => {
    const id = deps.messageId();
    if (!id) {
      handled = undefined;
      return;
    }
    if (id === handled || !deps.ready()) return;
    handled = id;
    untrack(() => {
      setFailed(false);
      setTarget(id);
      // Asked before the rows arrive: the list scrolls as soon as the message is among them.
      deps.scrollTo(id);
      void deps.openAt(id).then((found) => {
        if (handled === id && !found) setFailed(true);
      });
    });
  });
  return {
    /** The message opened at, highlighted. */
    target,
    /** It could not be found (offline and not on this device, or gone). */
    missing: () => {
      const id = target();
      return failed() && id !== null && !deps.has(id);
    },
    clear() {
      setTarget(null);
      setFailed(false);
    },
  };
}
