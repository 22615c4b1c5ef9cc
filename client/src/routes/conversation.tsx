import type { MessageRecord } from "@messenger/shared";
import { createEffect, createMemo, createResource, createSignal, type JSX, onCleanup, onMount, Show } from "solid-js";
import { Composer } from "../components/composer.js";
import { ConnectionStatus } from "../components/connection-status.js";
import { Icon } from "../components/icons.js";
import { DaySeparator, MessageRow } from "../components/message-row.js";
import { VirtualList, type VirtualListApi } from "../components/virtual-list.js";
import { errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { createConversationStore } from "../lib/conversation.js";
import { type TimelineRow, timelineRows } from "../lib/messages.js";
import { titleWithUnread } from "../lib/read-state.js";
import { formatDayLabel, formatTime, presenceText } from "../lib/time-format.js";
import { estimateMessageHeight } from "../lib/virtual.js";

/** One conversation: header with presence, the virtualized message log, typing, composer. */
export function ConversationScreen(props: { id: string; showStatus: boolean }): JSX.Element {
  const app = useApp();
  const me = app.data.userId;
  // Known from the inbox or the cache; otherwise ask the server once.
  const [fetched] = createResource(
    () => (app.data.conversation(props.id) ? null : props.id),
    (id) => app.api.conversation(id).then((r) => r.conversation),
  );
  const summary = () => app.data.conversation(props.id) ?? fetched();
  const peer = () => {
    const s = summary();
    return s ? app.data.peerOf(s) : null;
  };
  const peerName = () => {
    const p = peer();
    return p ? app.data.nameOf(p) : "Conversation";
  };
  const presence = () => {
    const p = peer();
    return p ? app.data.presenceOf(p) : { online: false, lastSeenAt: null };
  };

  createEffect(() => {
    document.title = titleWithUnread(`${peerName()} · Messenger`, app.data.unreadCount());
  });
  // What is on screen is read: on open, on every new message, and when the tab comes back.
  const markRead = () => {
    if (document.visibilityState === "visible") app.data.markRead(props.id);
  };
  createEffect(() => {
    summary()?.lastMessage;
    markRead();
  });
  document.addEventListener("visibilitychange", markRead);
  onCleanup(() => {
    document.removeEventListener("visibilitychange", markRead);
    document.title = "Messenger";
  });
  // Desktop: ready to type. Phone: do not pop the keyboard up unasked.
  onMount(() => {
    if (app.isWide()) textarea?.focus({ preventScroll: true });
  });

  const store = createConversationStore({
    api: app.api,
    sync: app.sync,
    me,
    id: props.id,
    summary,
    history: app.history,
  });

  let previousRows = new Map<string, TimelineRow>();
  const rows = createMemo(() => {
    const next = timelineRows(store.messages(), { timeZone: app.data.timeZone }, previousRows);
    previousRows = new Map(next.map((r) => [r.key, r]));
    return next;
  });

  const [atBottom, setAtBottom] = createSignal(true);
  const [editing, setEditing] = createSignal<MessageRecord | null>(null);
  const [deleting, setDeleting] = createSignal<MessageRecord | null>(null);
  let list: VirtualListApi | undefined;
  let textarea: HTMLTextAreaElement | undefined;

  const submit = (text: string) => {
    const target = editing();
    if (target) {
      store.edit(target.id, text);
      setEditing(null);
    } else if (store.send(text)) {
      list?.scrollToBottom();
    }
    textarea?.focus();
  };

  const typingText = () => {
    const ids = store.typing();
    if (ids.length === 0) return "";
    return `${ids.map((id) => app.data.nameOf(id)).join(", ")} ${ids.length > 1 ? "are" : "is"} typing…`;
  };

  const estimate = (row: TimelineRow) =>
    row.kind === "day"
      ? 44
      : estimateMessageHeight(row.record.text, app.isWide() ? 70 : 32, 22, row.startsRun ? 44 : 38);

  return (
    <section class="conversation-pane" aria-labelledby="conv-title">
      <Show when={props.showStatus}>
        <h1 class="visually-hidden">Messenger</h1>
      </Show>
      <div class="conv-head">
        <button type="button" class="icon-btn back-btn" aria-label="Back" onClick={() => app.router.back("/")}>
          <Icon name="back" />
        </button>
        <div class="conv-title">
          <h2 id="conv-title">{peerName()}</h2>
          <p data-testid="peer-status" classList={{ online: presence().online }}>
            {presenceText(presence().online, presence().lastSeenAt, app.data.now())}
          </p>
        </div>
        <Show when={props.showStatus}>
          <ConnectionStatus state={app.sync.connection()} />
        </Show>
      </div>
      <Show when={!summary() && fetched.error}>
        <p class="alert" role="alert">
          {errorSentence(fetched.error)}
        </p>
      </Show>
      <div class="conv-body">
        <VirtualList
          class="log"
          role="log"
          aria-label="Messages"
          aria-live="off"
          tabIndex={0}
          rows={rows()}
          rowKey={(r) => r.key}
          anchorable={(key) => !key.startsWith("day:")}
          estimate={estimate}
          onNearTop={() => void store.loadOlder()}
          onAtBottomChange={setAtBottom}
          api={(a) => {
            list = a;
          }}
          top={
            <div class="log-top">
              <Show
                when={store.hasMore()}
                fallback={
                  <Show when={store.ready()}>
                    <span>
                      {rows().length ? "This is the start of your conversation." : `Say hello to ${peerName()}.`}
                    </span>
                  </Show>
                }
              >
                <Show
                  when={!store.olderError()}
                  fallback={
                    <button type="button" class="btn btn-secondary" onClick={() => void store.loadOlder()}>
                      Couldn't load older messages. Try again
                    </button>
                  }
                >
                  <span>{store.loadingOlder() ? "Loading older messages…" : " "}</span>
                </Show>
              </Show>
            </div>
          }
        >
          {(row) =>
            row.kind === "day" ? (
              <DaySeparator label={formatDayLabel(row.at, app.data.now(), { timeZone: app.data.timeZone })} />
            ) : (
              <MessageRow
                record={row.record}
                mine={row.record.author === me}
                pending={store.pending().has(row.record.id)}
                startsRun={row.startsRun}
                authorName={app.data.nameOf(row.record.author)}
                time={formatTime(row.record.createdAt)}
                canModify={store.canModify(row.record)}
                onEdit={(r) => setEditing(r)}
                onDelete={(r) => setDeleting(r)}
              />
            )
          }
        </VirtualList>
        <Show when={!atBottom()}>
          <button type="button" class="btn jump" onClick={() => list?.scrollToBottom()}>
            <Icon name="down" />
            Jump to newest
          </button>
        </Show>
      </div>
      <div class="typing" data-testid="typing-indicator" aria-live="polite">
        {typingText()}
      </div>
      <Show when={deleting()}>
        {(target) => (
          <div class="confirm-bar">
            <span>Delete this message for everyone?</span>
            <button type="button" class="btn btn-secondary" onClick={() => setDeleting(null)}>
              Keep
            </button>
            <button
              type="button"
              class="btn"
              onClick={() => {
                store.remove(target().id);
                setDeleting(null);
                textarea?.focus();
              }}
            >
              Delete for everyone
            </button>
          </div>
        )}
      </Show>
      <Composer
        editing={editing()?.text ?? null}
        disabled={!store.canSend()}
        onSubmit={submit}
        onTyping={(active) => store.setTyping(active)}
        onCancelEdit={() => setEditing(null)}
        textareaRef={(el) => {
          textarea = el;
        }}
      />
    </section>
  );
}
