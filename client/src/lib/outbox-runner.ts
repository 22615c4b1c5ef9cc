/**
 * Delivers the outbox without the conversation being opened: every document with unconfirmed
 * writes (outbox entries, or pending ids left by any tab) is opened in the background, from
 * y-indexeddb and then over the relay, until the pending tracker sees them confirmed, and then
 * released. A new message missing from the local copy (its y-indexeddb write was lost, the
 * outbox one was not) is posted over HTTP with its id, which is idempotent.
 * Create inside a Solid root (main.tsx); it stops with it.
 */
import { messagesMap } from "@messenger/shared";
import { createEffect, createMemo, createRoot, createSignal, onCleanup, untrack } from "solid-js";
import { type Api, ApiError, NETWORK_ERROR } from "./api.js";
import type { StopReason } from "./close-policy.js";
import type { KeyValueStore } from "./local-data.js";
import { docsToDeliver, type Outbox, type OutboxEntry, type OutboxFailure } from "./outbox.js";
import { pendingDocs, pendingIds, type Sync } from "./sync.js";

/** Documents opened in the background at once (each is a socket; the relay caps sockets per user). */
export const MAX_BACKGROUND_DOCS = 3;

/** The failure an HTTP answer means for an entry, or null when a later attempt may succeed. */
export function httpFailure(err: unknown): OutboxFailure | null {
  if (!(err instanceof ApiError) || err.code === NETWORK_ERROR) return null;
  if (err.status === 403 || err.status === 404) return "forbidden";
  if (err.status === 409) return "conflict";
  if (err.status === 400 || err.status === 413) return "invalid";
  return null; // 401 (the session handles it), 429, 5xx
}

/**
 * A document stopped syncing for good (close-policy.ts): its unconfirmed new messages are posted
 * over HTTP instead (idempotent by id; the server writes them to the head segment, as the protocol
 * asks after a refused write), and whatever cannot go that way is marked failed, to be shown.
 */
export async function settleStopped(outbox: Outbox, api: Api, docName: string, reason: StopReason): Promise<void> {
  const entries = untrack(outbox.entries).filter((e) => e.docName === docName && !e.failed);
  const cannot = entries.filter((e) => e.kind !== "message").map((e) => e.id);
  await Promise.all(
    entries
      .filter((e) => e.kind === "message")
      .map((e) =>
        api.postMessage(e.conversationId, { id: e.id, text: e.text, createdAt: e.createdAt }).then(
          () => outbox.remove([e.id]),
          (err) => {
            // A network error leaves it for the next start, which posts it since the copy is gone or stopped.
            const failure = httpFailure(err);
            if (failure) return outbox.fail([e.id], failure);
          },
        ),
      ),
  );
  await outbox.fail(cannot, reason);
}

export function createOutboxRunner(deps: {
  sync: Sync;
  outbox: Outbox;
  api: Api;
  userId: string;
  store?: KeyValueStore;
}) {
  const { sync, outbox, api, userId } = deps;
  const store = deps.store ?? localStorage;
  // Pending ids live in localStorage, which is not reactive: re-read on other tabs' writes and after each delivery.
  const [storageTick, setStorageTick] = createSignal(0);
  const bump = () => setStorageTick((t) => t + 1);
  window.addEventListener("storage", bump);
  onCleanup(() => window.removeEventListener("storage", bump));

  const wanted = createMemo(
    () => {
      storageTick();
      return docsToDeliver(outbox.entries(), pendingDocs(store, userId));
    },
    [],
    { equals: (a, b) => a.length === b.length && a.every((n, i) => n === b[i]) },
  );
  /** Documents being delivered → their disposer. */
  const held = new Map<string, () => void>();
  /** Ids already handed to a document's tracker (or posted) in this tab: never again, so nothing loops. */
  const handled = new Set<string>();
  const [heldCount, setHeldCount] = createSignal(0);

  createEffect(() => {
    heldCount();
    for (const name of wanted()) {
      if (held.size >= MAX_BACKGROUND_DOCS) break;
      if (held.has(name) || !hasNewWork(name)) continue;
      held.set(name, deliver(name));
      setHeldCount(held.size);
    }
  });
  onCleanup(() => {
    for (const dispose of held.values()) dispose();
    held.clear();
  });

  /** The ids that make a document worth opening: unconfirmed outbox entries and pending ids. */
  function work(name: string): string[] {
    const fromOutbox = untrack(outbox.entries).flatMap((e) => (e.docName === name && !e.failed ? [e.id] : []));
    return [...fromOutbox, ...pendingIds(store, userId, name)];
  }
  const hasNewWork = (name: string) => work(name).some((id) => !handled.has(id));

  function deliver(name: string): () => void {
    return createRoot((dispose) => {
      const handle = sync.acquire(name);
      const [posting, setPosting] = createSignal(0);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        // Whatever it was opened for has had its chance in this tab (delivered, or failed for good).
        for (const id of work(name)) handled.add(id);
        queueMicrotask(() => {
          dispose();
          sync.release(name);
          held.delete(name);
          setHeldCount(held.size);
          bump();
        });
      };
      const post = (e: OutboxEntry) => {
        setPosting((n) => n + 1);
        api
          .postMessage(e.conversationId, { id: e.id, text: e.text, createdAt: e.createdAt })
          .then(
            () => outbox.remove([e.id]),
            (err) => {
              const failure = httpFailure(err);
              if (failure) void outbox.fail([e.id], failure);
            },
          )
          .finally(() => setPosting((n) => n - 1));
      };
      createEffect(() => {
        if (done) return;
        if (handle.failure() !== null) return finish(); // sync.ts reported it; the outbox marks the entries
        if (!handle.loaded()) return;
        const map = messagesMap(handle.doc);
        for (const e of outbox.entries()) {
          if (e.docName !== name || e.failed || handled.has(e.id)) continue;
          handled.add(e.id);
          if (e.kind === "message" && !map.has(e.id)) post(e);
          else if (!untrack(handle.pending).has(e.id)) handle.markWritten(e.id);
        }
        for (const id of untrack(handle.pending)) handled.add(id);
        if (!handle.synced() || handle.pending().size > 0 || posting() > 0) return;
        // Confirmed: whatever of this document is still listed was carried by that round trip.
        const confirmed = untrack(outbox.entries).filter((e) => e.docName === name && !e.failed && map.has(e.id));
        finish();
        if (confirmed.length > 0) void outbox.remove(confirmed.map((e) => e.id));
      });
      return () => {
        if (!done) {
          done = true;
          dispose();
          sync.release(name);
        }
      };
    });
  }
}
