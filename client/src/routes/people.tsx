import { createMemo, createSignal, For, type JSX, onCleanup, Show } from "solid-js";
import { NewGroupButton } from "../components/new-group-button.js";
import { UserItem } from "../components/user-item.js";
import { errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { peopleList } from "../lib/people.js";
import { presenceText } from "../lib/time-format.js";

const SEARCH_DEBOUNCE_MS = 250;

/** Everyone, online first, searchable; activating a person opens the 1:1 conversation. */
export function People(): JSX.Element {
  const app = useApp();
  const [query, setQuery] = createSignal("");
  const [busyId, setBusyId] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);

  const people = createMemo(() => peopleList(app.data.users().values(), app.data.userId, query(), app.data.presenceOf));

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

  const open = async (userId: string) => {
    setError(null);
    const existing = app.data.conversationWith(userId);
    if (existing) return app.router.navigate(`/c/${existing.id}`);
    setBusyId(userId);
    try {
      const { conversation } = await app.api.openConversation(userId);
      app.data.remember(conversation);
      app.router.navigate(`/c/${conversation.id}`);
    } catch (err) {
      setError(errorSentence(err));
    } finally {
      setBusyId(null);
    }
  };

  return (
    <>
      <div class="panel-head">
        <div class="panel-title">
          <h2>People</h2>
          <NewGroupButton />
        </div>
        <div class="field">
          <label for="people-search" class="visually-hidden">
            Search people
          </label>
          <input
            id="people-search"
            class="input"
            type="search"
            placeholder="Search people"
            autocomplete="off"
            value={query()}
            onInput={(e) => onSearch(e.currentTarget.value)}
          />
        </div>
        <Show when={error()}>
          <p class="alert" role="alert">
            {error()}
          </p>
        </Show>
      </div>
      <div class="panel-body">
        <Show
          when={people().length > 0}
          fallback={
            <p class="empty">
              {!app.data.usersLoaded()
                ? "Loading people…"
                : query()
                  ? `No one matches “${query()}”.`
                  : "No one else is here yet."}
            </p>
          }
        >
          <ul class="list" aria-label="People">
            <For each={people()}>
              {(u) => {
                const presence = () => app.data.presenceOf(u.id);
                return (
                  <UserItem
                    id={u.id}
                    name={u.name}
                    username={u.username}
                    online={presence().online}
                    status={presenceText(presence().online, presence().lastSeenAt, app.data.now())}
                    busy={busyId() === u.id}
                    onOpen={(id) => void open(id)}
                  />
                );
              }}
            </For>
          </ul>
        </Show>
      </div>
    </>
  );
}
