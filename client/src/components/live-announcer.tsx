import { createSignal, type JSX } from "solid-js";

/**
 * A polite live region. Text is cleared and re-set so a repeated announcement
 * ("New message from Bob" twice) is read again.
 */
export function createAnnouncer() {
  const [text, setText] = createSignal("");
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    announce(message: string) {
      setText("");
      clearTimeout(timer);
      timer = setTimeout(() => setText(message), 50);
    },
    Region(): JSX.Element {
      return (
        <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
          {text()}
        </div>
      );
    },
  };
}
