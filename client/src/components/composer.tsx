import { MAX_MESSAGE_TEXT_LENGTH } from "@messenger/shared";
import { createEffect, createSignal, type JSX, Show } from "solid-js";
import { Icon } from "./icons.js";

export interface ComposerProps {
  /** When set, the composer edits this text instead of writing a new message. */
  editing: string | null;
  disabled?: boolean;
  onSubmit: (text: string) => void;
  onTyping: (active: boolean) => void;
  onCancelEdit: () => void;
  textareaRef?: (el: HTMLTextAreaElement) => void;
}

/** Enter sends, Shift+Enter adds a line; grows with its text up to a limit. */
export function Composer(props: ComposerProps): JSX.Element {
  let area!: HTMLTextAreaElement;
  const [text, setText] = createSignal("");

  const resize = () => {
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight + 2}px`;
  };
  createEffect(() => {
    const editing = props.editing;
    setText(editing ?? "");
    queueMicrotask(() => {
      resize();
      if (editing !== null) area.focus();
    });
  });

  const submit = (e?: Event) => {
    e?.preventDefault();
    const value = text();
    if (!value.trim() || props.disabled) return;
    props.onSubmit(value);
    setText("");
    area.value = "";
    resize();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
    else if (e.key === "Escape" && props.editing !== null) props.onCancelEdit();
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
      <form class="composer" onSubmit={submit}>
        <textarea
          ref={(el) => {
            area = el;
            props.textareaRef?.(el);
          }}
          aria-label="Message"
          placeholder="Message"
          rows={1}
          maxLength={MAX_MESSAGE_TEXT_LENGTH}
          enterkeyhint="send"
          value={text()}
          onInput={(e) => {
            setText(e.currentTarget.value);
            resize();
            props.onTyping(e.currentTarget.value.length > 0);
          }}
          onBlur={() => props.onTyping(false)}
          onKeyDown={onKeyDown}
        />
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
