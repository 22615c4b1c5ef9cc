import { type MessageRecord, SYSTEM_AUTHOR } from "@messenger/shared";
import {
  createEffect,
  createMemo,
  createResource,
  createSignal,
  type JSX,
  lazy,
  onCleanup,
  onMount,
  Show,
} from "solid-js";
import { Composer } from "../components/composer.js";
import { ConfirmDelete } from "../components/confirm-delete.js";
import { ConversationHeader } from "../components/conversation-header.js";
import { Icon } from "../components/icons.js";
import { LogTop } from "../components/log-top.js";
import { DaySeparator, MessageRow, SystemLine } from "../components/message-row.js";
import { MuteButton } from "../components/mute-button.js";
import { ReplyingBar } from "../components/reply-quote.js";
import { SyncProblems } from "../components/sync-problems.js";
import { VirtualList, type VirtualListApi } from "../components/virtual-list.js";
import { errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { createConversationStore } from "../lib/conversation.js";
import {
  departure,
  firstName,
  isFormerMember,
  isGroup,
  onlineCount,
  systemSentence,
  typingSentence,
} from "../lib/groups.js";
import { createJumpToMessage } from "../lib/jump-to-message.js";
import { type TimelineRow, timelineRows } from "../lib/messages.js";
import { messageIdsOnScreen, newestRead, tabIsReading } from "../lib/on-screen.js";
import { createQuotes, fetchOriginal, quoteOf } from "../lib/quotes.js";
import { receiptFor, receiptLabel } from "../lib/receipts.js";
import { conversationPath } from "../lib/router.js";
import { formatDayLabel, formatTime, presenceText } from "../lib/time-format.js";
import { markOf, titleWithUnread } from "../lib/unread.js";
import { estimateMessageHeight } from "../lib/virtual.js";

/** Loaded when first opened (precached by the service worker, so offline too): keeps the first load small. */
const GroupInfoDialog = lazy(() =>
  import("../components/group-info-dialog.js").then((m) => ({ default: m.GroupInfoDialog })),
);

/** One conversation: header with presence, the virtualized message log, typing, composer. */
export function ConversationScreen(props: { id: string; messageId?: string; showStatus: boolean }): JSX.Element {
  const app = useApp();
  const me = app.data.userId;
  // Known from the inbox or the cache; otherwise ask the server once.
  const [fetched] = createResource(
    () => (app.data.conversation(props.id) ? null : props.id),
    (id) => app.api.conversation(id).then((r) => r.conversation),
  );
  // Reading an errored resource throws, which would stop every computation that reads the summary
  // for good; a former member's REST fetch answers 404 while the inbox still has the group.
  const summary = () => app.data.conversation(props.id) ?? (fetched.error ? undefined : fetched());
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

  const group = () => isGroup(summary());
  const title = () => (group() ? (summary()?.name ?? "Group") : peerName());
  /** Left here, before the inbox says so. */
  const [leftHere, setLeftHere] = createSignal(false);
  const [infoOpen, setInfoOpen] = createSignal(false);
  const formerMember = () => leftHere() || isFormerMember(summary(), me);

  createEffect(() => {
    document.title = titleWithUnread(`${title()} · Messenger`, app.data.unreadCount());
  });
  onCleanup(() => {
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
    outbox: app.outbox,
    readOnly: formerMember,
  });
  /** No longer a member: the summary says so, or the relay closed with 4404. */
  const readOnly = () => formerMember() || store.failure() === "not-a-member";
  const readOnlyText = () => {
    const why = leftHere()
      ? "left"
      : departure(
          store.messages().map((m) => m.system),
          me,
        );
    if (why === "left") return "You left this group. What you had here stays on this device, read-only.";
    if (why === "removed")
      return "You were removed from this group. What you had here stays on this device, read-only.";
    return "You are no longer a member of this group. What you had here stays on this device, read-only.";
  };
  const status = () => {
    // Offline, presence is only as fresh as when the connection went: say nothing rather than "Online".
    if (offline()) return null;
    const s = summary();
    if (s && group())
      return readOnly() ? "Not a member" : onlineCount(s.memberIds, (id) => app.data.presenceOf(id).online);
    return presenceText(presence().online, presence().lastSeenAt, app.data.now());
  };
  const offline = () => app.sync.connection() === "offline";
  const failedHere = () => app.outbox.entries().filter((e) => e.conversationId === props.id && e.failed);

  // What is on screen in a visible, focused tab is read: checked after the rows change, on
  // scrolling, and when the tab comes back (the mark queue debounces what goes to the server).
  let body: HTMLDivElement | undefined;
  let frame = 0;
  const checkRead = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const log = body?.querySelector(".log");
      if (!log || !tabIsReading()) return;
      const m = newestRead(store.messages(), messageIdsOnScreen(log), store.pending());
      if (m) app.data.markRead(props.id, markOf(m));
    });
  };
  createEffect(() => {
    store.messages();
    checkRead();
  });
  document.addEventListener("visibilitychange", checkRead);
  window.addEventListener("focus", checkRead);
  onCleanup(() => {
    cancelAnimationFrame(frame);
    document.removeEventListener("visibilitychange", checkRead);
    window.removeEventListener("focus", checkRead);
  });

  const receipt = (r: MessageRecord) => {
    const s = summary();
    const view = receiptFor(markOf(r), {
      pending: store.pending().has(r.id),
      receipts: s?.receipts ?? [],
      memberIds: s?.memberIds ?? [],
      me,
      showRead: app.data.readReceipts(),
    });
    const group = s?.kind === "group";
    return {
      status: view.status,
      label: receiptLabel(view, app.data.nameOf, group),
      readers: group ? view.readBy.map(app.data.nameOf) : [],
    };
  };

  let previousRows = new Map<string, TimelineRow>();
  const rows = createMemo(() => {
    const next = timelineRows(store.messages(), { timeZone: app.data.timeZone }, previousRows);
    previousRows = new Map(next.map((r) => [r.key, r]));
    return next;
  });

  const byId = createMemo(() => new Map(store.messages().map((m) => [m.id, m])));
  const quotes = createQuotes({ local: (id) => byId().get(id), fetch: fetchOriginal(app.api, props.id) });
  createEffect(() => {
    if (!offline()) quotes.retry();
  });
  /** Shows the original of a reply: the conversation opened at it (loading the history around it if needed). */
  const jumpTo = (messageId: string) => app.router.openAt(props.id, messageId);

  const [atBottom, setAtBottom] = createSignal(true);
  const [editing, setEditing] = createSignal<MessageRecord | null>(null);
  const [replyingTo, setReplyingTo] = createSignal<MessageRecord | null>(null);
  const [deleting, setDeleting] = createSignal<MessageRecord | null>(null);
  // Escape keeps the message: the delete confirmation is a bar, not a dialog with an Escape of its own.
  const keepOnEscape = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || e.defaultPrevented || !deleting()) return;
    e.preventDefault();
    setDeleting(null);
  };
  window.addEventListener("keydown", keepOnEscape);
  onCleanup(() => window.removeEventListener("keydown", keepOnEscape));
  let list: VirtualListApi | undefined;
  let textarea: HTMLTextAreaElement | undefined;
  const jump = createJumpToMessage({
    messageId: () => props.messageId,
    ready: store.liveReady,
    has: (id) => store.messages().some((m) => m.id === id),
    openAt: store.openAt,
    scrollTo: (id) => list?.scrollToKey(id),
  });
  const toNewest = () => {
    if (store.detached() || props.messageId) {
      store.toLatest();
      jump.clear();
      app.router.navigate(conversationPath(props.id), { replace: true });
    }
    list?.scrollToBottom();
  };

  const submit = (text: string) => {
    const target = editing();
    if (target) {
      store.edit(target.id, text);
      setEditing(null);
    } else if (store.send(text, replyingTo()?.id)) {
      setReplyingTo(null);
      // From a stretch of older history too: what I just sent is at the live end.
      toNewest();
    }
    textarea?.focus();
  };

  const typingText = () =>
    typingSentence(store.typing().map((id) => (group() ? firstName(app.data.nameOf(id)) : app.data.nameOf(id))));
  const knownName = (id: string) => app.data.users().get(id)?.name;

  const estimate = (row: TimelineRow) =>
    row.kind === "day"
      ? 44
      : row.record.author === SYSTEM_AUTHOR
        ? 36
        : estimateMessageHeight(row.record.text, app.isWide() ? 70 : 32, 22, row.startsRun ? 44 : 38);

  return (
    <section class="conversation-pane" aria-labelledby="conv-title">
      <Show when={props.showStatus}>
        <h1 class="visually-hidden">Messenger</h1>
      </Show>
      <ConversationHeader
        title={title()}
        peerStatus={status()}
        peerOnline={!group() && presence().online}
        connection={props.showStatus ? app.sync.connection() : null}
        onBack={() => app.router.back("/")}
        actions={
          <>
            <Show when={!readOnly() && summary()}>
              <MuteButton conversationId={props.id} />
            </Show>
            <Show when={group() && !readOnly() && summary()}>
              <button
                type="button"
                class="icon-btn"
                aria-label="Group info"
                aria-haspopup="dialog"
                onClick={() => setInfoOpen(true)}
              >
                <Icon name="people" />
              </button>
            </Show>
          </>
        }
      />
      <Show when={infoOpen() && !readOnly() && summary()}>
        {(s) => (
          <GroupInfoDialog
            group={s()}
            onClose={() => setInfoOpen(false)}
            onLeft={() => {
              setLeftHere(true);
              setInfoOpen(false);
            }}
          />
        )}
      </Show>
      <Show when={!summary() && fetched.error && !offline()}>
        <p class="alert" role="alert">
          {errorSentence(fetched.error)}
        </p>
      </Show>
      <SyncProblems
        stopped={store.failure() === "not-a-member" ? null : store.failure()}
        failed={failedHere()}
        onRetry={() => store.retry()}
        onDismiss={(ids) => void app.outbox.remove(ids)}
      />
      <div
        class="conv-body"
        ref={(el) => {
          body = el;
          // Scroll events do not bubble: listen in the capture phase for the log's.
          el.addEventListener("scroll", checkRead, { capture: true, passive: true });
        }}
      >
        <VirtualList
          class="log"
          role="log"
          aria-label="Messages"
          aria-live="off"
          aria-busy={store.timeline() === "loading"}
          tabIndex={0}
          rows={rows()}
          rowKey={(r) => r.key}
          anchorable={(key) => !key.startsWith("day:")}
          estimate={estimate}
          onNearTop={() => void store.loadOlder()}
          onNearBottom={() => void store.loadNewer()}
          follow={!store.hasNewer()}
          onAtBottomChange={setAtBottom}
          api={(a) => {
            list = a;
          }}
          top={
            <LogTop
              state={store.timeline()}
              offline={offline()}
              hasMore={store.hasMore()}
              loadingOlder={store.loadingOlder()}
              olderFailed={store.olderError() !== null}
              peerName={title()}
              onRetryOlder={() => void store.loadOlder()}
            />
          }
          bottom={
            <Show when={store.hasNewer()}>
              <div class="log-top" data-testid="newer-state">
                {store.loadingNewer() ? "Loading newer messages…" : " "}
              </div>
            </Show>
          }
        >
          {(row) =>
            row.kind === "day" ? (
              <DaySeparator label={formatDayLabel(row.at, app.data.now(), { timeZone: app.data.timeZone })} />
            ) : row.record.author === SYSTEM_AUTHOR ? (
              <SystemLine
                id={row.record.id}
                text={systemSentence(row.record.system, row.record.text, me, knownName)}
                time={formatTime(row.record.createdAt)}
                at={row.record.createdAt}
              />
            ) : (
              <MessageRow
                record={row.record}
                mine={row.record.author === me}
                pending={store.pending().has(row.record.id)}
                receipt={row.record.author === me ? receipt(row.record) : undefined}
                startsRun={row.startsRun}
                authorName={app.data.nameOf(row.record.author)}
                showAuthor={group() && row.startsRun && row.record.author !== me}
                time={formatTime(row.record.createdAt)}
                canModify={store.canModify(row.record)}
                onEdit={(r) => {
                  setReplyingTo(null);
                  setEditing(r);
                }}
                onDelete={(r) => setDeleting(r)}
                social={{
                  me,
                  nameOf: app.data.nameOf,
                  quote: row.record.replyTo ? quotes.quote(row.record.replyTo) : undefined,
                  onJump: jumpTo,
                  reactions: store.reactions().get(row.record.id) ?? [],
                  canReact: store.canReact(row.record),
                  canReply: !readOnly() && store.canSend(),
                  onReply: (r) => {
                    setEditing(null);
                    setReplyingTo(r);
                    textarea?.focus();
                  },
                  onReact: (r, emoji) => store.react(r.id, emoji),
                }}
                highlighted={jump.target() === row.record.id}
              />
            )
          }
        </VirtualList>
        <Show when={jump.missing()}>
          <p class="alert jump-missing" role="status">
            {offline()
              ? "That message isn't on this device yet. It will load when you're back online."
              : "That message couldn't be found."}
          </p>
        </Show>
        <Show when={!atBottom() || store.detached()}>
          <button type="button" class="btn jump" onClick={toNewest}>
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
          <ConfirmDelete
            onKeep={() => setDeleting(null)}
            onDelete={() => {
              store.remove(target().id);
              setDeleting(null);
              textarea?.focus();
            }}
          />
        )}
      </Show>
      <Show
        when={!readOnly()}
        fallback={
          <p class="read-only" role="status" data-testid="read-only">
            {readOnlyText()}
          </p>
        }
      >
        <Show when={replyingTo()}>
          {(r) => (
            <ReplyingBar
              quote={quoteOf(byId().get(r().id) ?? r())}
              authorName={r().author === me ? "yourself" : app.data.nameOf(r().author)}
              onCancel={() => setReplyingTo(null)}
            />
          )}
        </Show>
        <Composer
          editing={editing()?.text ?? null}
          onEscape={() => setReplyingTo(null)}
          disabled={!store.canSend()}
          onSubmit={submit}
          onTyping={(active) => store.setTyping(active)}
          onCancelEdit={() => setEditing(null)}
          textareaRef={(el) => {
            textarea = el;
          }}
        />
      </Show>
    </section>
  );
}
