import { createEffect, createSignal, type JSX, lazy, Match, onCleanup, Show, Switch } from "solid-js";
import { ConnectionStatus } from "../components/connection-status.js";
import { Nav } from "../components/nav.js";
import { useApp } from "../lib/app-context.js";
import { createAppKeys } from "../lib/keyboard.js";
import { createLocalSearch, deviceSources } from "../lib/local-search.js";
import { createMessageSearch } from "../lib/message-search.js";
import type { ListRouteName } from "../lib/router.js";
import { titleWithUnread } from "../lib/unread.js";
import { ConversationScreen } from "./conversation.js";
import { ConversationList } from "./conversation-list.js";
import { People } from "./people.js";

/** Loaded when first opened (precached by the service worker, so offline too): keeps the first load small. */
const Settings = lazy(() => import("./settings.js").then((m) => ({ default: m.Settings })));

/** The signed-in layout: header, section nav, the list panel and the conversation pane. */
export function Shell(): JSX.Element {
  const app = useApp();
  const route = app.router.route;
  const [lastList, setLastList] = createSignal<ListRouteName>("active");
  createEffect(() => {
    const r = route();
    if (r.name !== "conversation") setLastList(r.name);
  });
  const conversationId = () => {
    const r = route();
    return r.name === "conversation" ? r.id : null;
  };
  const listName = (): ListRouteName => {
    const r = route();
    return r.name === "conversation" ? lastList() : r.name;
  };
  // The tab title counts unread messages (the open conversation sets its own).
  createEffect(() => {
    if (conversationId() === null) document.title = titleWithUnread("Messenger", app.data.unreadCount());
  });
  // Alt+↑ / Alt+↓: the previous / next conversation in the order the list shows (Escape: lib/keyboard.ts).
  createAppKeys({
    ids: () => (listName() === "active" ? app.data.active() : app.data.conversations()).map((c) => c.id),
    current: conversationId,
    open: (id) => app.router.navigate(`/c/${encodeURIComponent(id)}`),
  });
  /** Phone showing a conversation: the conversation takes the whole screen. */
  const fullScreenConversation = () => !app.isWide() && conversationId() !== null;

  // One search for the lists (kept while a result is open); the device answers when the server cannot.
  const search = createMessageSearch({
    api: app.api,
    local: createLocalSearch(
      deviceSources({
        userId: app.data.userId,
        history: app.history,
        conversationIds: () => app.data.conversations().map((c) => c.id),
      }),
    ),
    offline: () => app.sync.connection() === "offline",
  });
  onCleanup(search.dispose);
  const [searchFocus, setSearchFocus] = createSignal(false);
  // Ctrl/Cmd+K from anywhere: to the search box (on a list that has it).
  const onKeyDown = (e: KeyboardEvent) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== "k") return;
    e.preventDefault();
    const list = listName();
    if ((list !== "active" && list !== "all") || fullScreenConversation()) app.router.navigate("/");
    setSearchFocus(true);
  };
  window.addEventListener("keydown", onKeyDown);
  onCleanup(() => window.removeEventListener("keydown", onKeyDown));
  const searchProps = {
    search,
    wantFocus: searchFocus,
    onFocused: () => setSearchFocus(false),
  };

  return (
    <div class="app" data-view={conversationId() ? "conversation" : "list"}>
      <Show when={!fullScreenConversation()}>
        <header class="app-header">
          <h1>
            <img src="/icons/icon.svg" alt="" width="26" height="26" />
            Messenger
          </h1>
          <span class="spacer" />
          <ConnectionStatus state={app.sync.connection()} />
        </header>
        <Nav
          current={conversationId() && !app.isWide() ? null : listName()}
          onNavigate={(href) => app.router.navigate(href)}
        />
      </Show>
      <main class="app-main" id="main">
        <section class="panel list-panel" aria-label="Lists">
          <Switch>
            <Match when={listName() === "active"}>
              <ConversationList mode="active" {...searchProps} />
            </Match>
            <Match when={listName() === "all"}>
              <ConversationList mode="all" {...searchProps} />
            </Match>
            <Match when={listName() === "people"}>
              <People />
            </Match>
            <Match when={listName() === "settings"}>
              <Settings />
            </Match>
          </Switch>
        </section>
        <Show
          when={conversationId()}
          keyed
          fallback={
            <section class="pane-empty" aria-label="No conversation open">
              <p>Choose a conversation, or find someone in People to start one.</p>
            </section>
          }
        >
          {(id) => (
            <ConversationScreen
              id={id}
              messageId={(() => {
                const r = route();
                return r.name === "conversation" ? r.messageId : undefined;
              })()}
              showStatus={fullScreenConversation()}
            />
          )}
        </Show>
      </main>
    </div>
  );
}
