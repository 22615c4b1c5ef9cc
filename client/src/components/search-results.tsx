import { type ConversationSummary, matchesTokens } from "@messenger/shared";
import { For, type JSX, Show } from "solid-js";
import { errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { isGroup } from "../lib/groups.js";
import type { MessageSearch } from "../lib/message-search.js";
import { conversationPath } from "../lib/router.js";
import { formatListTime } from "../lib/time-format.js";
import { Avatar } from "./avatar.js";
import { HighlightedText } from "./highlighted-text.js";
import { SEARCH_RESULTS_ID } from "./search-box.js";

/** ↑/↓ move between the results (and back up into the box); Escape clears the search. */
function onResultsKeyDown(e: KeyboardEvent, clear: () => void) {
  const root = e.currentTarget as HTMLElement;
  const items = Array.from(root.querySelectorAll<HTMLElement>("[data-search-item]"));
  const i = items.indexOf(document.activeElement as HTMLElement);
  const box = document.getElementById("message-search");
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    e.preventDefault();
    const next = e.key === "ArrowDown" ? items[Math.min(items.length - 1, i + 1)] : i <= 0 ? box : items[i - 1];
    next?.focus();
  } else if (e.key === "Escape") {
    e.preventDefault();
    clear();
    box?.focus();
  }
}

/** What the search box found: conversations by name, then messages grouped by conversation. */
export function SearchResults(props: { search: MessageSearch }): JSX.Element {
  const app = useApp();
  const s = props.search;
  const titleOf = (c: ConversationSummary) => (isGroup(c) ? (c.name ?? "Group") : app.data.nameOf(app.data.peerOf(c)));
  const avatarOf = (c: ConversationSummary) => (isGroup(c) ? c.id : app.data.peerOf(c));
  const conversations = () => app.data.conversations().filter((c) => matchesTokens(titleOf(c), s.tokens()));
  const open = (e: MouseEvent, href: string) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    app.router.navigate(href);
  };
  const status = () => {
    if (s.status() === "searching") return "Searching…";
    if (s.status() === "failed") return errorSentence(s.error());
    if (s.source() === "device") return "Showing results on this device — offline";
    return "";
  };
  const nothing = () => s.status() === "done" && s.hits().length === 0 && conversations().length === 0;

  return (
    <div
      id={SEARCH_RESULTS_ID}
      class="search-results"
      // The links and buttons inside take the keys; the container only routes ↑/↓/Escape among them.
      ref={(el) => el.addEventListener("keydown", (e) => onResultsKeyDown(e, s.clear))}
    >
      <p class="hint search-status" role="status" data-testid="search-status" data-source={s.source()}>
        {status()}
      </p>
      <Show when={nothing()}>
        <p class="empty">No results for “{s.query().trim()}”.</p>
      </Show>
      <Show when={conversations().length > 0}>
        <h3 class="search-heading">Chats</h3>
        <ul class="list" aria-label="Chats found">
          <For each={conversations()}>
            {(c) => (
              <li data-testid="search-conversation">
                <a
                  class="row"
                  href={conversationPath(c.id)}
                  data-search-item
                  onClick={(e) => open(e, conversationPath(c.id))}
                >
                  <Avatar id={avatarOf(c)} name={titleOf(c)} online={false} group={isGroup(c)} />
                  <span class="row-main">
                    <span class="row-name">
                      <HighlightedText text={titleOf(c)} tokens={s.tokens()} />
                    </span>
                  </span>
                </a>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={s.hits().length > 0}>
        <h3 class="search-heading">Messages</h3>
        <ul class="list" aria-label="Messages found">
          <For each={s.groups()}>
            {(g) => {
              const c = () => app.data.conversation(g.conversationId);
              const title = () => {
                const summary = c();
                return summary ? titleOf(summary) : "Conversation";
              };
              // Not a heading: beside an open conversation it would repeat the conversation's own.
              return (
                <li class="search-group" data-testid="search-group">
                  <p class="search-group-title" data-testid="search-group-title">
                    {title()}
                  </p>
                  <ul class="list" aria-label={`Messages in ${title()}`}>
                    <For each={g.hits}>
                      {(hit) => {
                        const href = conversationPath(hit.conversationId, hit.record.id);
                        const author = () =>
                          hit.record.author === app.data.userId ? "You" : app.data.nameOf(hit.record.author);
                        return (
                          <li data-testid="search-hit" data-message-id={hit.record.id}>
                            <a class="row search-hit" href={href} data-search-item onClick={(e) => open(e, href)}>
                              <span class="row-main">
                                <span class="row-top">
                                  <span class="row-name">{author()}</span>
                                  <time class="row-time" datetime={new Date(hit.record.createdAt).toISOString()}>
                                    {formatListTime(hit.record.createdAt, app.data.now(), {
                                      timeZone: app.data.timeZone,
                                    })}
                                  </time>
                                </span>
                                <span class="row-sub search-text">
                                  <HighlightedText text={hit.record.text} tokens={s.tokens()} />
                                </span>
                              </span>
                            </a>
                          </li>
                        );
                      }}
                    </For>
                  </ul>
                </li>
              );
            }}
          </For>
        </ul>
      </Show>
      <Show when={s.hasMore()}>
        <button
          type="button"
          class="btn btn-secondary search-more"
          data-search-item
          disabled={s.loadingMore()}
          onClick={() => void s.loadMore()}
        >
          {s.loadingMore() ? "Loading…" : "Load more"}
        </button>
      </Show>
    </div>
  );
}
