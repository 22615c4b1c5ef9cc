/**
 * Read and delivery marks on their way to the server (PUT /api/conversations/:id/read and
 * /delivered). The newest mark per conversation and kind is kept in localStorage per user, so a
 * mark made offline, or in a tab closed before it went out, is sent at the next chance (the
 * server only moves marks forward, so sending late, twice, or from two devices merges by newest
 * wins). Changes go out after DEBOUNCE_MS, one request at a time and PACE_MS apart: the REST
 * write budget (a burst of 30, then 5 a second) is shared with sending messages.
 * Create inside a Solid root; it stops with it.
 */
import type { MessageMark } from "@messenger/shared";
import { createSignal, onCleanup } from "solid-js";
import { type Api, ApiError, NETWORK_ERROR } from "./api.js";
import { type KeyValueStore, readJson, userKey, writeJson } from "./local-data.js";
import { covers } from "./unread.js";

export type MarkKind = "read" | "delivered";
export type PendingMarks = Readonly<Record<string, Partial<Record<MarkKind, MessageMark>>>>;

/** Wait this long after the last change before sending (scrolling marks many messages in a row). */
export const MARK_DEBOUNCE_MS = 600;
/** Between two mark requests. */
export const MARK_PACE_MS = 250;
/** After a network failure, a 429 or a 5xx, try again this much later (sooner when the browser comes online). */
export const MARK_RETRY_MS = 5_000;

/** The marks with `mark` for this conversation and kind, unless one at or after it is already there. */
export function withMark(p: PendingMarks, conversationId: string, kind: MarkKind, mark: MessageMark): PendingMarks {
  if (covers(p[conversationId]?.[kind], mark)) return p;
  return { ...p, [conversationId]: { ...p[conversationId], [kind]: mark } };
}

/** The marks without this conversation's mark of `kind`, if `done` covers it (a newer one stays). */
export function withoutMark(p: PendingMarks, conversationId: string, kind: MarkKind, done: MessageMark): PendingMarks {
  const entry = p[conversationId];
  const m = entry?.[kind];
  if (!entry || !m || !covers(done, m)) return p;
  const { [kind]: _sent, ...rest } = entry;
  const next = { ...p };
  if (Object.keys(rest).length === 0) delete next[conversationId];
  else next[conversationId] = rest;
  return next;
}

export interface MarkToSend {
  conversationId: string;
  kind: MarkKind;
  mark: MessageMark;
}

/**
 * What to send next (read marks first: they matter to people), and the marks that need no
 * request: those the server already has (`confirmed`), and deliveries a pending read covers
 * (the server moves the delivery mark with the read mark).
 */
export function nextMark(
  p: PendingMarks,
  confirmed: (conversationId: string, kind: MarkKind) => MessageMark | null,
): { send: MarkToSend | null; settled: MarkToSend[] } {
  const settled: MarkToSend[] = [];
  let send: MarkToSend | null = null;
  for (const kind of ["read", "delivered"] as const) {
    for (const [conversationId, entry] of Object.entries(p)) {
      const mark = entry[kind];
      if (!mark) continue;
      const server = confirmed(conversationId, kind);
      if (covers(server, mark) || (kind === "delivered" && covers(entry.read, mark))) {
        settled.push({ conversationId, kind, mark });
      } else send ??= { conversationId, kind, mark };
    }
  }
  return { send, settled };
}

/** What a failed request means for its mark: "drop" it, or "retry" later. */
export function markFailure(err: unknown): "drop" | "retry" {
  if (!(err instanceof ApiError) || err.code === NETWORK_ERROR) return "retry";
  if (err.status === 429 || err.status >= 500) return "retry";
  // 404: not a member any more, or a message the server does not have; 400: never valid.
  return "drop";
}

export type MarkQueue = ReturnType<typeof createMarkQueue>;

export function createMarkQueue(deps: {
  api: Pick<Api, "markRead" | "markDelivered">;
  userId: string;
  /** The server's own mark as this device last heard it (the inbox), or null. */
  confirmed: (conversationId: string, kind: MarkKind) => MessageMark | null;
  store?: KeyValueStore;
}) {
  const store = deps.store ?? localStorage;
  const key = userKey(deps.userId, "marks");
  const load = () => readJson<PendingMarks>(store, key) ?? {};
  const [pending, setPending] = createSignal<PendingMarks>(load());
  const update = (fn: (p: PendingMarks) => PendingMarks) => {
    const before = pending();
    const next = fn(before);
    if (next === before) return;
    setPending(next);
    writeJson(store, key, next);
  };

  let timer: ReturnType<typeof setTimeout> | null = null;
  let sending = false;
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped || sending) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, ms);
  };

  async function flush() {
    sending = true;
    let retry = false;
    try {
      while (!stopped) {
        const { send, settled } = nextMark(pending(), deps.confirmed);
        for (const s of settled) update((p) => withoutMark(p, s.conversationId, s.kind, s.mark));
        if (!send) break;
        const request = send.kind === "read" ? deps.api.markRead : deps.api.markDelivered;
        try {
          await request(send.conversationId, send.mark.id);
          update((p) => withoutMark(p, send.conversationId, send.kind, send.mark));
        } catch (err) {
          if (markFailure(err) === "retry") {
            retry = true;
            break;
          }
          update((p) => withoutMark(p, send.conversationId, send.kind, send.mark));
        }
        await new Promise((resolve) => setTimeout(resolve, MARK_PACE_MS));
      }
    } finally {
      sending = false;
    }
    // Offline, the browser's "online" event tries again; otherwise a little later.
    if (retry) {
      if (typeof navigator === "undefined" || navigator.onLine !== false) schedule(MARK_RETRY_MS);
    } else if (nextMark(pending(), deps.confirmed).send) schedule(MARK_DEBOUNCE_MS);
  }

  const onOnline = () => schedule(0);
  // Another tab's marks: keep the newest of both (each tab sends what it holds; the server merges).
  const onStorage = (e: StorageEvent) => {
    if (e.key !== key) return;
    const theirs = load();
    update((p) => {
      let next = p;
      for (const [id, entry] of Object.entries(theirs))
        for (const kind of ["read", "delivered"] as const) {
          const m = entry[kind];
          if (m) next = withMark(next, id, kind, m);
        }
      return next;
    });
  };
  if (typeof window !== "undefined") {
    window.addEventListener("online", onOnline);
    window.addEventListener("storage", onStorage);
  }
  onCleanup(() => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (typeof window !== "undefined") {
      window.removeEventListener("online", onOnline);
      window.removeEventListener("storage", onStorage);
    }
  });
  if (Object.keys(pending()).length > 0) schedule(MARK_DEBOUNCE_MS);

  return {
    pending,
    /** The read mark this device has not had confirmed for a conversation, if any. */
    pendingRead: (conversationId: string): MessageMark | undefined => pending()[conversationId]?.read,
    /** Moves a mark forward (never back); sent after MARK_DEBOUNCE_MS. */
    mark(conversationId: string, kind: MarkKind, mark: MessageMark) {
      if (covers(deps.confirmed(conversationId, kind), mark)) return;
      const before = pending();
      update((p) => withMark(p, conversationId, kind, mark));
      if (pending() !== before) schedule(MARK_DEBOUNCE_MS);
    },
    /** Try now (the connection came back). */
    flushSoon: () => schedule(0),
  };
}
