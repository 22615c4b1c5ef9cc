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
  ready: () => boolean;
  openAt: (messageId: string) => Promise<boolean>;
  scrollTo: (messageId: string) => void;
}) {
  const [target, setTarget] = createSignal<string | null>(null);
  const [missing, setMissing] = createSignal(false);
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
      setMissing(false);
      setTarget(id);
      // Asked before the rows arrive: the list scrolls as soon as the message is among them.
      deps.scrollTo(id);
      void deps.openAt(id).then((found) => {
        if (handled === id && !found) setMissing(true);
      });
    });
  });
  return {
    /** The message opened at, highlighted. */
    target,
    /** It could not be found (offline and not on this device, or gone). */
    missing,
    clear() {
      setTarget(null);
      setMissing(false);
    },
  };
}
