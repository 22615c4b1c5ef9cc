import { createEffect, type JSX, Show } from "solid-js";
import { Icon } from "./icons.js";

export const SEARCH_RESULTS_ID = "search-results";

export interface SearchBoxProps {
  query: string;
  onQuery: (q: string) => void;
  /** The results are on screen (in place of the list). */
  showingResults: boolean;
  /** Ctrl/Cmd+K asked for the box: focus it, then call `onFocused`. */
  wantFocus: boolean;
  onFocused: () => void;
}

/** The one search box atop the conversation lists: Escape clears it (then leaves it), ↓ moves into the results. */
export function SearchBox(props: SearchBoxProps): JSX.Element {
  let input!: HTMLInputElement;
  createEffect(() => {
    if (!props.wantFocus) return;
    input.focus();
    input.select();
    props.onFocused();
  });
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      if (props.query) props.onQuery("");
      else input.blur();
    } else if (e.key === "ArrowDown") {
      const first = document.querySelector<HTMLElement>(`#${SEARCH_RESULTS_ID} [data-search-item]`);
      if (first) {
        e.preventDefault();
        first.focus();
      }
    }
  };
  return (
    <div class="field search-field">
      <label for="message-search" class="visually-hidden">
        Search conversations and messages
      </label>
      <Icon name="search" class="icon search-icon" />
      <input
        ref={input}
        id="message-search"
        class="input"
        type="search"
        placeholder="Search (Ctrl+K)"
        autocomplete="off"
        spellcheck={false}
        aria-controls={props.showingResults ? SEARCH_RESULTS_ID : undefined}
        value={props.query}
        onInput={(e) => props.onQuery(e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <Show when={props.query}>
        <button
          type="button"
          class="icon-btn search-clear"
          aria-label="Clear search"
          onClick={() => {
            props.onQuery("");
            input.focus();
          }}
        >
          <Icon name="close" />
        </button>
      </Show>
    </div>
  );
}
