/**
 * One open conversation: the head segment document live (and the previous one while
 * the head is nearly empty), older history from HTTP pages, merged into one timeline;
 * sending, editing and deleting; typing awareness. Create inside a Solid root.
 */
import {
  type AwarenessState,
  addMessage,
  type ConversationSummary,
  compareMessages,
  deleteMessage,
  editMessage,
  MAX_MESSAGE_TEXT_LENGTH,
  type MessageRecord,
  messagesMap,
  newMessageId,
  parseDocName,
  type ReactionEmoji,
  SYSTEM_AUTHOR,
  TYPING_TIMEOUT_MS,
  toggleReaction,
} from "@messenger/shared";
import { createEffect, createMemo, createSignal, on, onCleanup, untrack } from "solid-js";
import { type Api, ApiError, NETWORK_ERROR } from "./api.js";
import { createConversationWindow } from "./conversation-window.js";
import { type HistoryCache, pageFromCache, withOlder } from "./history-cache.js";
import { persistedSegmentRuns } from "./local-search.js";
import { mergeMessages, recordFromMessage } from "./messages.js";
import type { Outbox, OutboxEntry } from "./outbox.js";
import { createPageReactions, mergeReactions } from "./page-reactions.js";
import { liveReactions } from "./reactions.js";
import { serverNow } from "./server-clock.js";
import { type DocHandle, type Sync, typeVersions } from "./sync.js";

/** Below this many messages in the head segment, the previous segment is opened live too. */
export const MIN_HEAD_MESSAGES = 50;
export const HISTORY_PAGE_SIZE = 100;
/** Re-publish typingAt at most this often while keys are pressed. */
const TYPING_PUBLISH_MS = 2000;

/** Which segment documents to open live: the head, plus the one before when the head is short. */
export function liveDocuments(documents: readonly string[], headCount: number): string[] {
  const [head, previous] = documents;
  if (!head) return [];
  return headCount < MIN_HEAD_MESSAGES && previous ? [head, previous] : [head];
}

function segmentOf(docName: string): number | null {
  const parsed = parseDocName(docName);
  return parsed?.kind === "conversation" ? parsed.segment : null;
}

/** Users (other than me) whose awareness says they typed within TYPING_TIMEOUT_MS. */
export function typingUsers(states: Iterable<Partial<AwarenessState> | undefined>, me: string, now: number): string[] {
  const ids = new Set<string>();
  for (const s of states) {
    const id = s?.user?.id;
    if (id && id !== me && typeof s.typingAt === "number" && now - s.typingAt < TYPING_TIMEOUT_MS) ids.add(id);
  }
  return Array.from(ids);
}

/**
 * What the timeline can truthfully show: its messages; that there are none (the relay said so, or
 * the conversation is known to have none); that it is still loading; or, offline with nothing
 * cached, that it cannot load yet. Never "empty" merely because nothing has arrived yet.
 */
export type TimelineState = "messages" | "empty" | "loading" | "unavailable";

export function timelineState(s: {
  messageCount: number;
  /** Every live document has answered a sync at least once. */
  settled: boolean;
  /** Every live document's local copy has loaded. */
  localLoaded: boolean;
  /** Older pages may exist behind the live documents. */
  olderMayExist: boolean;
  /** The conversation's summary says it has no message (undefined: no summary known). */
  knownEmpty: boolean | undefined;
  /** No way to reach the relay now: offline, or the document stopped syncing. */
  cutOff: boolean;
}): TimelineState {
  if (s.messageCount > 0) return "messages";
  if (s.olderMayExist) return s.cutOff ? "unavailable" : "loading";
  if (s.settled || (s.localLoaded && s.knownEmpty === true)) return "empty";
  return s.cutOff ? "unavailable" : "loading";
}

export type ConversationStore = ReturnType<typeof createConversationStore>;

export function createConversationStore(deps: {
  api: Api;
  sync: Sync;
  me: string;
  id: string;
  summary: () => ConversationSummary | undefined;
  /** Older pages kept for offline scroll-back. */
  history?: HistoryCache;
  /** Records every write until the relay confirms it. */
  outbox?: Outbox;
  /**
   * A group I am no longer in: its local copy only, no socket, no writes. (A document that was
   * open when I was removed stops on the relay's 4404 instead.)
   */
  readOnly?: () => boolean;
}) {
  const { api, sync, me, id } = deps;
  const readOnly = () => deps.readOnly?.() === true;
  const [headCount, setHeadCount] = createSignal(MIN_HEAD_MESSAGES);
  const docNames = createMemo(() => liveDocuments(deps.summary()?.documents ?? [], headCount()), undefined, {
    equals: (a, b) => a.length === b.length && a.every((n, i) => n === b[i]),
  });

  const [handles, setHandles] = createSignal<DocHandle[]>([]);
  const versions = typeVersions(messagesMap);
  createEffect(
    on(docNames, (names) => {
      const current = untrack(handles);
      const local = untrack(readOnly);
      const next = names.map((name) => current.find((h) => h.name === name) ?? sync.acquire(name, { local }));
      for (const h of current)
        if (!names.includes(h.name)) {
          sync.release(h.name);
          versions.forget(h.name);
        }
      setHandles(next);
    }),
  );
  onCleanup(() => {
    for (const h of untrack(handles)) sync.release(h.name);
  });

  const head = () => handles()[0];
  const liveLists = createMemo(() =>
    handles().map((h) => {
      versions.track(h);
      return Array.from(messagesMap(h.doc).values());
    }),
  );
  createEffect(() => {
    const h = head();
    if (h?.loaded()) setHeadCount(liveLists()[0]?.length ?? 0);
  });

  const live = liveReactions(handles);
  const paged = createPageReactions();
  /** Live documents' reactions for the messages they hold; what pages brought for the rest. */
  const reactions = createMemo(() => {
    const liveIds = new Set<string>();
    for (const list of liveLists()) for (const r of list) liveIds.add(r.id);
    return mergeReactions(live(), liveIds, paged.counts());
  });

  const [older, setOlder] = createSignal<MessageRecord[]>([]);
  const [hasMore, setHasMore] = createSignal(true);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  const [olderError, setOlderError] = createSignal<unknown>(null);

  /** The live documents and the older pages behind them: one contiguous timeline. */
  const attached = createMemo(() => mergeMessages([...liveLists(), older()]));
  const cutOff = () => sync.connection() === "offline" || readOnly();
  // Opened at a message not in that timeline: a window around it, until the two meet.
  const jump = createConversationWindow({
    api,
    id,
    history: deps.history,
    cutOff,
    localRuns: () => persistedSegmentRuns(me, id),
    onPage: paged.note,
  });
  const messages = createMemo(() => jump.records() ?? attached());
  createEffect(() => {
    const w = jump.records();
    const first = w?.[0];
    const last = w?.[w.length - 1];
    if (!first || !last) return;
    const a = attached();
    const a0 = a[0];
    if (jump.hasNewer() && !(a0 && compareMessages(last, a0) >= 0)) return;
    // They meet: the window joins the older pages (contiguous with the live end now).
    untrack(() => {
      const oldest = older()[0] ?? a0;
      const taken = jump.take();
      setOlder((prev) => mergeMessages([prev, taken.records]));
      if (!oldest || compareMessages(first, oldest) < 0) setHasMore(taken.hasOlder);
      void deps.history?.update(id, (c) => withOlder(c, older(), hasMore()));
    });
  });
  const pending = createMemo(() => {
    const all = new Set<string>();
    for (const h of handles()) for (const pid of h.pending()) all.add(pid);
    return all;
  });
  /** Live documents are loaded (from this browser or the relay), so the timeline is meaningful. */
  const ready = () => handles().length > 0 && handles().every((h) => h.loaded() || h.synced());
  /** Ready, and every live document the head's count calls for is open (an empty head opens its predecessor). */
  const liveReady = () =>
    ready() && handles().length === liveDocuments(deps.summary()?.documents ?? [], liveLists()[0]?.length ?? 0).length;
  /** Segment 0 is open live: nothing older exists. (documents lists only what to open, not every segment.) */
  const allLive = () => handles().some((h) => segmentOf(h.name) === 0);
  const [settled, setSettled] = createSignal(false);
  createEffect(() => {
    const hs = handles();
    if (hs.length > 0 && hs.every((h) => h.synced())) setSettled(true);
  });
  /** Why a live document stopped syncing for good, if one did. */
  const failure = () =>
    handles()
      .find((h) => h.failure() !== null)
      ?.failure() ?? null;
  const timeline = createMemo(() =>
    timelineState({
      messageCount: messages().length,
      settled: settled(),
      localLoaded: handles().length > 0 && handles().every((h) => h.loaded()),
      olderMayExist: hasMore() && !allLive(),
      knownEmpty: deps.summary() ? deps.summary()?.lastMessage === null : undefined,
      cutOff: sync.connection() === "offline" || failure() !== null || readOnly(),
    }),
  );

  async function loadOlder() {
    if (jump.records()) return jump.loadOlder();
    if (loadingOlder() || !hasMore() || allLive() || !ready()) return;
    setLoadingOlder(true);
    setOlderError(null);
    const oldest = messages()[0];
    try {
      const page = await api.messages(id, { limit: HISTORY_PAGE_SIZE, ...(oldest ? { before: oldest.id } : {}) });
      paged.note(page.messages);
      setOlder((prev) => [...page.messages.map(recordFromMessage), ...prev]);
      setHasMore(page.hasMore);
      void deps.history?.update(id, (c) => withOlder(c, older(), page.hasMore));
    } catch (err) {
      // Offline: serve what an earlier visit loaded.
      // No longer a member (the server answers 404): what an earlier visit loaded is all there is.
      const useCache = (err instanceof ApiError && err.code === NETWORK_ERROR) || readOnly();
      const cached = useCache ? await deps.history?.read(id) : null;
      const page = cached ? pageFromCache(cached, oldest, HISTORY_PAGE_SIZE) : null;
      if (page && page.records.length > 0) {
        setOlder((prev) => [...page.records, ...prev]);
        setHasMore(page.hasMore);
      } else setOlderError(err);
    } finally {
      setLoadingOlder(false);
    }
  }

  // Typing: publish our typingAt on the head document; read everyone's.
  const [now, setNow] = createSignal(Date.now());
  const [awarenessTick, setAwarenessTick] = createSignal(0);
  createEffect(() => {
    const h = head();
    if (!h) return;
    const bump = () => setAwarenessTick((x) => x + 1);
    h.provider.awareness.on("change", bump);
    h.provider.awareness.setLocalState({ typingAt: null });
    onCleanup(() => h.provider.awareness.off("change", bump));
  });
  const typing = createMemo(() => {
    awarenessTick();
    const h = head();
    if (!h) return [];
    return typingUsers(h.provider.awareness.getStates().values() as Iterable<Partial<AwarenessState>>, me, now());
  });
  const ticker = setInterval(() => {
    if (typing().length) setNow(Date.now());
  }, 1000);
  onCleanup(() => clearInterval(ticker));
  let lastPublished = 0;

  function setTyping(active: boolean) {
    const h = head();
    if (!h || readOnly()) return;
    const t = Date.now();
    if (active && t - lastPublished < TYPING_PUBLISH_MS) return;
    lastPublished = active ? t : 0;
    h.provider.awareness.setLocalStateField("typingAt", active ? t : null);
  }

  function handleOf(messageId: string): DocHandle | undefined {
    return handles().find((h) => messagesMap(h.doc).has(messageId));
  }

  function record(h: DocHandle, r: MessageRecord, kind: OutboxEntry["kind"]) {
    h.markWritten(r.id);
    void deps.outbox?.write({
      id: r.id,
      conversationId: id,
      docName: h.name,
      kind,
      text: r.text,
      createdAt: r.createdAt,
    });
  }

  return {
    messages,
    pending,
    ready,
    liveReady,
    timeline,
    failure,
    /** Reopens the live documents that stopped syncing. */
    retry() {
      setHandles(
        untrack(handles).map((h) => {
          if (h.failure() === null) return h;
          sync.release(h.name);
          versions.forget(h.name);
          return sync.acquire(h.name);
        }),
      );
    },
    hasMore: () => (jump.records() ? jump.hasOlder() : hasMore() && !allLive()),
    loadingOlder: () => loadingOlder() || jump.loading() === "older",
    olderError: () => (jump.records() ? jump.error() : olderError()),
    loadOlder,
    /** Showing a window of history away from the live end (opened at a message). */
    detached: () => jump.records() !== null,
    /** Newer messages to load below (a window not yet joined to the live end). */
    hasNewer: () => jump.records() !== null && jump.hasNewer(),
    loadingNewer: () => jump.loading() === "newer",
    loadNewer: () => jump.loadNewer(),
    /**
     * Makes a message part of the timeline: already there, or a window around it is loaded
     * (from the server, or offline from the history cache). False when it cannot be found.
     */
    async openAt(messageId: string): Promise<boolean> {
      if (untrack(attached).some((r) => r.id === messageId)) {
        jump.close();
        return true;
      }
      if (untrack(jump.records)?.some((r) => r.id === messageId)) return true;
      return jump.open(messageId);
    },
    /** Back to the live end (leaves a window). */
    toLatest: () => jump.close(),
    typing,
    setTyping,
    canSend: () => head() !== undefined && head()?.failure() === null && !readOnly(),
    /** Sends a message; `replyTo` makes it a reply to that message of this conversation. */
    send(text: string, replyTo?: string): string | null {
      const h = head();
      const body = text.trim();
      if (!h || !body || body.length > MAX_MESSAGE_TEXT_LENGTH) return null;
      const r = addMessage(h.doc, { id: newMessageId(), author: me, text: body, createdAt: serverNow(), replyTo });
      record(h, r, "message");
      setTyping(false);
      return r.id;
    },
    /** Editable: mine, not deleted, and in a live document that still syncs. */
    canModify: (m: MessageRecord) =>
      m.author === me && m.deletedAt === undefined && !readOnly() && handleOf(m.id)?.failure() === null,
    edit(messageId: string, text: string): boolean {
      const h = handleOf(messageId);
      const body = text.trim();
      if (!h || !body || body.length > MAX_MESSAGE_TEXT_LENGTH) return false;
      const ok = editMessage(h.doc, messageId, me, body, serverNow());
      const r = messagesMap(h.doc).get(messageId);
      if (ok && r) record(h, r, "edit");
      return ok;
    },
    /** Each message's reactions, counted per emoji with who chose it: live documents', else what its page brought. */
    reactions,
    /** A reaction is written into the message's own segment: it must be open live, and the message a person's. */
    canReact: (m: MessageRecord) =>
      m.author !== SYSTEM_AUTHOR && m.deletedAt === undefined && !readOnly() && handleOf(m.id)?.failure() === null,
    /** Turns one of my emoji on a message on or off. */
    react(messageId: string, emoji: ReactionEmoji): boolean {
      const h = handleOf(messageId);
      if (!h || readOnly()) return false;
      toggleReaction(h.doc, { messageId, userId: me, emoji, at: serverNow() });
      return true;
    },
    remove(messageId: string): boolean {
      const h = handleOf(messageId);
      if (!h) return false;
      const ok = deleteMessage(h.doc, messageId, me, serverNow());
      const r = messagesMap(h.doc).get(messageId);
      if (ok && r) record(h, r, "delete");
      return ok;
    },
  };
}
