import { MAX_MESSAGE_TEXT_LENGTH } from "@messenger/shared";
import { createEffect, createSignal, type JSX, Show } from "solid-js";
import { Icon } from "./icons.js";

/** The counter appears this many characters before the limit. */
export const COUNTER_FROM = MAX_MESSAGE_TEXT_LENGTH - 500;

export interface ComposerProps {
  /** When set, the composer edits this text instead of writing a new message. */
  editing: string | null;
  disabled?: boolean;
  onSubmit: (text: string) => void;
  onTyping: (active: boolean) => void;
  onCancelEdit: () => void;
  /** Escape while not editing (closes a reply being written). */
  onEscape?: () => void;
  textareaRef?: (el: HTMLTextAreaElement) => void;
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * Enter sends, Shift+Enter adds a line; grows with its text up to a limit. Near the length limit
 * a counter shows; over it, sending is refused with a sentence and the text is left as it is
 * (never cut: a maxlength would silently truncate typed or pasted text).
 */
export function Composer(props: ComposerProps): JSX.Element {
  let area!: HTMLTextAreaElement;
  const [text, setText] = createSignal("");
  const [refused, setRefused] = createSignal(false);
  /** What would be sent: the text without surrounding whitespace. */
  const length = () => text().trim().length;
  const over = () => length() - MAX_MESSAGE_TEXT_LENGTH;

  const resize = () => {
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight + 2}px`;
  };
  createEffect(() => {
    const editing = props.editing;
    setText(editing ?? "");
    setRefused(false);
    queueMicrotask(() => {
      resize();
      if (editing !== null) area.focus();
    });
  });

  const submit = (e?: Event) => {
    e?.preventDefault();
    const value = text();
    if (!value.trim() || props.disabled) return;
    if (over() > 0) {
      setRefused(true);
      return;
    }
    props.onSubmit(value);
    setText("");
    area.value = "";
    resize();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
    else if (e.key === "Escape" && props.editing !== null) props.onCancelEdit();
    else if (e.key === "Escape") props.onEscape?.();
  };

  return (
    <>
      <Show when={props.editing !== null}>
        <div class="editing-bar">
          <span>Editing message</span>
          <button type="button" class="icon-btn" aria-label="Cancel editing" onClick={() => props.onCancelEdit()}>
            <Icon name="close" />
          </button>
        </div>
      </Show>
      <Show when={refused() && over() > 0}>
        <p class="alert composer-refusal" role="alert" data-testid="composer-refusal">
          A message can be at most {count(MAX_MESSAGE_TEXT_LENGTH)} characters. Shorten this one by {count(over())} to
          send it.
        </p>
      </Show>
      <form class="composer" onSubmit={submit}>
        <textarea
          ref={(el) => {
            area = el;
            props.textareaRef?.(el);
          }}
          aria-label="Message"
          aria-describedby={length() >= COUNTER_FROM ? "composer-count" : undefined}
          aria-invalid={over() > 0 ? "true" : undefined}
          placeholder="Message"
          rows={1}
          enterkeyhint="send"
          value={text()}
          onInput={(e) => {
            setText(e.currentTarget.value);
            if (over() <= 0) setRefused(false);
            resize();
            props.onTyping(e.currentTarget.value.length > 0);
          }}
          onBlur={() => props.onTyping(false)}
          onKeyDown={onKeyDown}
        />
        <Show when={length() >= COUNTER_FROM}>
          <span
            id="composer-count"
            class="composer-count"
            classList={{ over: over() > 0 }}
            data-testid="composer-count"
          >
            {over() > 0 ? `${count(over())} over the limit` : `${count(-over())} left`}
          </span>
        </Show>
        <button
          type="submit"
          class="btn send"
          aria-label={props.editing !== null ? "Save" : "Send"}
          disabled={props.disabled}
        >
          <Icon name={props.editing !== null ? "check" : "send"} />
        </button>
      </form>
    </>
  );
}
