import { type JSX, Match, Switch } from "solid-js";
import type { QuoteView } from "../lib/quotes.js";

/**
 * The quote above a reply: who wrote the original and a preview of it, as a button that jumps
 * to the original (loading history when it is not on screen). A deleted original says so.
 */
export function ReplyQuote(props: {
  quote: QuoteView;
  authorName: (id: string) => string;
  onJump: (messageId: string) => void;
}): JSX.Element {
  const author = () => ("authorId" in props.quote ? props.authorName(props.quote.authorId) : "");
  return (
    <button
      type="button"
      class="reply-quote"
      data-testid="reply-quote"
      data-reply-to={props.quote.id}
      aria-label={`Replying to ${author() || "a message"}: show the original message`}
      onClick={(e) => {
        e.stopPropagation();
        props.onJump(props.quote.id);
      }}
    >
      <Switch>
        <Match when={props.quote.state === "found" && props.quote}>
          {(q) => (
            <>
              <span class="reply-author">{author()}</span>
              <span class="reply-text">{q().text}</span>
            </>
          )}
        </Match>
        <Match when={props.quote.state === "deleted"}>
          <span class="reply-author">{author()}</span>
          <span class="reply-text deleted">The original message was deleted</span>
        </Match>
        <Match when={props.quote.state === "loading"}>
          <span class="reply-text">Loading the original message…</span>
        </Match>
        <Match when={props.quote.state === "unavailable"}>
          <span class="reply-text">The original message is not available on this device</span>
        </Match>
      </Switch>
    </button>
  );
}

/** Above the composer while replying: whom and what, and a way out. */
export function ReplyingBar(props: { quote: QuoteView; authorName: string; onCancel: () => void }): JSX.Element {
  const text = () =>
    props.quote.state === "found"
      ? props.quote.text
      : props.quote.state === "deleted"
        ? "The original message was deleted"
        : "";
  return (
    <div class="editing-bar replying-bar" data-testid="replying-bar">
      <span>
        <span class="reply-author">Replying to {props.authorName}</span>
        <span class="reply-text">{text()}</span>
      </span>
      <button type="button" class="icon-btn" aria-label="Cancel reply" onClick={() => props.onCancel()}>
        ×
      </button>
    </div>
  );
}
