import { createMemo, createSignal, For, type JSX, onCleanup, Show } from "solid-js";
import { useApp } from "../lib/app-context.js";
import { peopleList } from "../lib/people.js";
import { Avatar } from "./avatar.js";

const SEARCH_DEBOUNCE_MS = 250;

export interface PeoplePickerProps {
  /** Prefix for element ids. */
  id: string;
  /** People who cannot be chosen (already members). */
  exclude?: readonly string[];
  selected: ReadonlySet<string>;
  onToggle: (userId: string) => void;
  /** The id of a validation message about the choice, when there is one. */
  errorId?: string | undefined;
}

/** A searchable multi-select of people: a search field over a list of checkboxes. */
export function PeoplePicker(props: PeoplePickerProps): JSX.Element {
  const app = useApp();
  const [query, setQuery] = createSignal("");
  const people = createMemo(() =>
    peopleList(app.data.users().values(), app.data.userId, query(), app.data.presenceOf).filter(
      (u) => !props.exclude?.includes(u.id),
    ),
  );
  const chosenNames = () => [...props.selected].map((id) => app.data.nameOf(id)).join(", ");

  // The directory is loaded whole; the server search also finds anyone it missed.
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const onSearch = (value: string) => {
    setQuery(value);
    clearTimeout(timer);
    if (!value.trim()) return;
    timer = setTimeout(() => {
      app.api
        .users({ q: value.trim(), limit: 50 })
        .then((page) => app.data.mergeUsers(page.users))
        .catch(() => {});
    }, SEARCH_DEBOUNCE_MS);
  };

  return (
    <fieldset class="picker" aria-describedby={props.errorId}>
      <legend>Members</legend>
      <label for={`${props.id}-search`} class="visually-hidden">
        Search people to add
      </label>
      <input
        id={`${props.id}-search`}
        class="input"
        type="search"
        placeholder="Search people"
        autocomplete="off"
        value={query()}
        onInput={(e) => onSearch(e.currentTarget.value)}
      />
      <p class="hint" aria-live="polite" data-testid="picker-chosen">
        {props.selected.size === 0 ? "Nobody chosen yet." : `${props.selected.size} chosen: ${chosenNames()}`}
      </p>
      <Show
        when={people().length > 0}
        fallback={<p class="hint">{query() ? `No one matches “${query()}”.` : "No one else to add."}</p>}
      >
        <ul class="picker-list">
          <For each={people()}>
            {(u) => (
              <li data-testid="picker-person">
                <label class="row pick">
                  <input type="checkbox" checked={props.selected.has(u.id)} onChange={() => props.onToggle(u.id)} />
                  <Avatar id={u.id} name={u.name} online={app.data.presenceOf(u.id).online} />
                  <span class="row-main">
                    <span class="row-name">{u.name}</span>
                    <Show when={u.username}>
                      <span class="row-sub">@{u.username}</span>
                    </Show>
                  </span>
                </label>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </fieldset>
  );
}

/** A chosen-people set as a signal, with a toggle. */
export function createSelection() {
  const [selected, setSelected] = createSignal<ReadonlySet<string>>(new Set());
  return {
    selected,
    toggle(id: string) {
      setSelected((prev) => {
        const next = new Set(prev);
        if (!next.delete(id)) next.add(id);
        return next;
      });
    },
    clear: () => setSelected(new Set<string>()),
  };
}
