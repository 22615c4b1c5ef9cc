/**
 * App-wide keys: Alt+↑ / Alt+↓ open the previous / next conversation in the list's order,
 * from anywhere but a text field holding text; Escape closes what is open and has no Escape of its own (a <details> list
 * such as "Read by", the delete confirmation). Native dialogs close themselves on Escape
 * (components/dialog.tsx), so nothing here acts while one is open.
 */
import { onCleanup } from "solid-js";

export interface KeyLike {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  isComposing?: boolean;
}

/** Where the key was pressed: a text field, and whether it holds text. */
export interface KeyPlace {
  textField: boolean;
  empty: boolean;
}

/**
 * -1 (previous), 1 (next) or null (not ours). In a text field with text in it the key is left
 * alone: on a Mac Option+↑/↓ moves the caret to the start or end of a paragraph, and everywhere
 * leaving the conversation would drop the unsent text (the composer keeps no draft).
 */
export function conversationDirection(e: KeyLike, place: KeyPlace): -1 | 1 | null {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.isComposing) return null;
  if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return null;
  if (place.textField && !place.empty) return null;
  return e.key === "ArrowUp" ? -1 : 1;
}

/** The conversation `direction` away from `current` in `ids`; the first or last when none is open; null at either end. */
export function conversationStep(ids: readonly string[], current: string | null, direction: -1 | 1): string | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at < 0) return (direction === 1 ? ids[0] : ids[ids.length - 1]) ?? null;
  return ids[at + direction] ?? null;
}

function placeOf(target: EventTarget | null): KeyPlace {
  const field =
    target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type !== "checkbox")
      ? target
      : null;
  const editable = target instanceof HTMLElement && target.isContentEditable;
  return { textField: field !== null || editable, empty: field ? field.value === "" : !editable };
}

/** Listens on the window for the app's keys while the caller's root lives. */
export function createAppKeys(deps: {
  /** The conversations in the order the list shows them. */
  ids: () => readonly string[];
  current: () => string | null;
  open: (id: string) => void;
  /** Closes something open that has no Escape of its own; true when it did. */
  closeOne?: () => boolean;
}): void {
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.defaultPrevented) return;
    if (e.key === "Escape") {
      if (document.querySelector("dialog[open]")) return;
      const details = document.querySelector<HTMLDetailsElement>("details[open]");
      if (details) {
        details.open = false;
        details.querySelector("summary")?.focus();
        e.preventDefault();
      } else if (deps.closeOne?.()) e.preventDefault();
      return;
    }
    const direction = conversationDirection(e, placeOf(e.target));
    if (direction === null || document.querySelector("dialog[open]")) return;
    const next = conversationStep(deps.ids(), deps.current(), direction);
    e.preventDefault();
    if (next !== null) deps.open(next);
  };
  window.addEventListener("keydown", onKeyDown);
  onCleanup(() => window.removeEventListener("keydown", onKeyDown));
}
