import type { ConversationSummary } from "@messenger/shared";
import { type Accessor, For, type JSX, Show } from "solid-js";
import { ConversationItem } from "../components/conversation-item.js";
import { NewGroupButton } from "../components/new-group-button.js";
import { SearchBox } from "../components/search-box.js";
import { SearchResults } from "../components/search-results.js";
import { useApp } from "../lib/app-context.js";
import { isGroup, previewText } from "../lib/groups.js";
import type { MessageSearch } from "../lib/message-search.js";
import { outboxPreview } from "../lib/outbox.js";
import { formatListTime } from "../lib/time-format.js";

/**
 * Active conversations (recent messages) or all of them, newest activity first, live from the
 * inbox; below the search box, which replaces the list with its results while it has a query.
 */
export function ConversationList(props: {
  mode: "active" | "all";
  search: MessageSearch;
  wantFocus: Accessor<boolean>;
  onFocused: () => void;
}): JSX.Element {
  const app = useApp();
  const list = () => (props.mode === "active" ? app.data.active() : app.data.conversations());
  const currentId = () => {
    const r = app.router.route();
    return r.name === "conversation" ? r.id : null;
  };

  const outbox = (c: ConversationSummary) => outboxPreview(app.outbox.entries(), c.id, c.lastMessage);
  /** My newest unsent message when newer than the last one the server has, else the server's. */
  const preview = (c: ConversationSummary) => {
    const unsent = outbox(c)?.message;
    if (unsent) return `You: ${unsent.text.replace(/\s+/g, " ")}`;
    return previewText(c, app.data.userId, app.data.nameOf);
  };

  return (
    <>
      <div class="panel-head">
        <div class="panel-title">
          <h2>{props.mode === "active" ? "Active" : "All conversations"}</h2>
          <NewGroupButton />
        </div>
        <SearchBox
          query={props.search.query()}
          onQuery={props.search.setQuery}
          showingResults={props.search.active()}
          wantFocus={props.wantFocus()}
          onFocused={props.onFocused}
        />
        <Show when={props.mode === "active" && !props.search.active()}>
          <p class="hint">Conversations with a message today or in the last hour.</p>
        </Show>
      </div>
      <div class="panel-body">
        <Show when={!props.search.active()} fallback={<SearchResults search={props.search} />}>
          <Show
            when={list().length > 0}
            fallback={
              <div class="empty">
                <p>{props.mode === "active" ? "No active conversations right now." : "No conversations yet."}</p>
                <a
                  class="btn btn-secondary"
                  href={props.mode === "active" && app.data.conversations().length ? "/all" : "/people"}
                  onClick={(e) => {
                    e.preventDefault();
                    app.router.navigate(e.currentTarget.getAttribute("href") ?? "/people");
                  }}
                >
                  {props.mode === "active" && app.data.conversations().length
                    ? "Browse your conversations"
                    : "Find someone to message"}
                </a>
              </div>
            }
          >
            <ul class="list" aria-label={props.mode === "active" ? "Active conversations" : "Conversations"}>
              <For each={list()}>
                {(c) => {
                  const peer = () => app.data.peerOf(c);
                  const group = () => isGroup(c);
                  return (
                    <ConversationItem
                      id={c.id}
                      href={`/c/${c.id}`}
                      avatarId={group() ? c.id : peer()}
                      title={group() ? (c.name ?? "Group") : app.data.nameOf(peer())}
                      group={group()}
                      online={!group() && app.data.presenceOf(peer()).online}
                      preview={preview(c)}
                      time={(() => {
                        const at = outbox(c)?.message?.createdAt ?? c.lastMessage?.createdAt;
                        return at === undefined ? null : formatListTime(at, app.data.now());
                      })()}
                      outbox={outbox(c)?.state ?? null}
                      unread={app.data.unread(c)}
                      muted={app.data.muted(c.id)}
                      current={currentId() === c.id}
                      onOpen={(href) => app.router.navigate(href)}
                    />
                  );
                }}
              </For>
            </ul>
          </Show>
        </Show>
      </div>
    </>
  );
}
