/**
 * The outbox: every write this browser made that the server has not confirmed, per user in
 * IndexedDB (`outbox.<userId>`), written when the message is composed. Any tab finds it at
 * start (outbox-runner.ts opens those documents in the background until the relay confirms);
 * the lists show it pending; the service worker posts new messages from it over HTTP when
 * Background Sync fires with no tab on screen (client/sw/sw.js reads the same database).
 *
 * Exactly once by id: the HTTP post carries the id and createdAt of the record in the Yjs
 * document, so when both paths deliver, the server keeps one message (same map key, same value).
 * Tabs hear about changes on a BroadcastChannel of the database's name.
 */
import { type Accessor, createSignal } from "solid-js";
import type { StopReason } from "./close-policy.js";
import { type KeyValueStore, recordOpenedDoc } from "./local-data.js";

/** Must match client/sw/sw.js. */
export const OUTBOX_DB_VERSION = 1;
export const OUTBOX_STORE = "entries";
export const outboxDbName = (userId: string) => `outbox.${userId}`;
export const outboxSyncTag = (userId: string) => `outbox:${userId}`;

/** Why an entry will never be delivered (kept, and shown, until the user dismisses it). */
export type OutboxFailure = StopReason | "forbidden" | "invalid" | "conflict";

export interface OutboxEntry {
  /** The message id (the key). */
  id: string;
  conversationId: string;
  /** The segment document that holds the write. */
  docName: string;
  /** "message": a new message, which the service worker may post over HTTP; edits and deletes travel only in the document. */
  kind: "message" | "edit" | "delete";
  /** The text as last written ("" once deleted). */
  text: string;
  /** The record's createdAt, sent with the HTTP post so both paths store the same value. */
  createdAt: number;
  failed?: OutboxFailure;
}

export const FAILURE_SENTENCES: Record<OutboxFailure, string> = {
  "write-rejected": "The server refused it.",
  malformed: "The server could not read it.",
  "too-large": "It is too large to send.",
  refused: "The server stopped this conversation from syncing.",
  "not-a-member": "You are no longer a member of this group.",
  forbidden: "You can no longer write in this conversation.",
  invalid: "The server did not accept it.",
  conflict: "Another message already has its id.",
};

/** A later write to the same id folded into the entry: a new message stays new until it is deleted. */
export function mergeWrite(existing: OutboxEntry | undefined, next: OutboxEntry): OutboxEntry {
  const { failed: _failed, ...base } = next;
  if (!existing || existing.failed) return base;
  if (existing.kind === "delete" || next.kind === "delete") return { ...base, kind: "delete", text: "" };
  return { ...base, kind: existing.kind === "message" ? "message" : next.kind, createdAt: existing.createdAt };
}

/** Documents to open in the background: those with unconfirmed entries, plus any with pending ids. */
export function docsToDeliver(entries: readonly OutboxEntry[], pendingDocNames: readonly string[]): string[] {
  const names = new Set(pendingDocNames);
  for (const e of entries) if (!e.failed) names.add(e.docName);
  return Array.from(names).sort();
}

export interface OutboxPreview {
  state: "sending" | "failed";
  /** My newest unsent message, when it is newer than the conversation's last message. */
  message: { text: string; createdAt: number } | null;
}

/** What a conversation's row shows about its unsent writes, or null when it has none. */
export function outboxPreview(
  entries: readonly OutboxEntry[],
  conversationId: string,
  last: { id: string; createdAt: number } | null,
): OutboxPreview | null {
  const mine = entries.filter((e) => e.conversationId === conversationId);
  if (mine.length === 0) return null;
  const state = mine.some((e) => e.failed) ? "failed" : "sending";
  let newest: OutboxEntry | undefined;
  for (const e of mine) if (e.kind === "message" && (!newest || later(e, newest) > 0)) newest = e;
  const shown = newest && (!last || newest.id === last.id || later(newest, last) > 0) ? newest : null;
  return { state, message: shown ? { text: shown.text, createdAt: shown.createdAt } : null };
}

/** The timeline's order (shared compareMessages), for anything with an id and a createdAt. */
function later(a: { id: string; createdAt: number }, b: { id: string; createdAt: number }): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface Outbox {
  entries: Accessor<readonly OutboxEntry[]>;
  /** Records a write (call right after writing it to the document). */
  write(entry: OutboxEntry): Promise<void>;
  /** The server confirmed these ids, or the user dismissed them. */
  remove(ids: readonly string[]): Promise<void>;
  /** These entries will never be delivered. */
  fail(ids: readonly string[], failure: OutboxFailure): Promise<void>;
  close(): void;
}

type Run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | undefined) => Promise<T | null>;

function openStore(name: string): { run: Run; close(): void } {
  let db: Promise<IDBDatabase | null> | null = null;
  const open = () => {
    db ??= new Promise((resolve) => {
      if (typeof indexedDB === "undefined") return resolve(null);
      const req = indexedDB.open(name, OUTBOX_DB_VERSION);
      req.onupgradeneeded = () => req.result.createObjectStore(OUTBOX_STORE, { keyPath: "id" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = req.onblocked = () => resolve(null);
    });
    return db;
  };
  const run: Run = (mode, fn) =>
    open().then(
      (d) =>
        new Promise((resolve) => {
          if (!d) return resolve(null);
          try {
            const tx = d.transaction(OUTBOX_STORE, mode);
            const req = fn(tx.objectStore(OUTBOX_STORE));
            tx.oncomplete = () => resolve(req ? req.result : null);
            tx.onerror = tx.onabort = () => resolve(null);
          } catch {
            resolve(null);
          }
        }),
    );
  return {
    run,
    close() {
      void db?.then((d) => d?.close());
      db = Promise.resolve(null);
    },
  };
}

/** Asks the service worker to post new messages when the network is back, even with no tab open. */
function requestBackgroundSync(tag: string): void {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  type WithSync = ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } };
  void navigator.serviceWorker.ready
    .then((reg) => (reg as WithSync).sync?.register(tag))
    .catch(() => {
      // No Background Sync (Firefox, Safari): the next app start delivers.
    });
}

/** The user's outbox, live across tabs. Every IndexedDB failure reads as an empty outbox. */
export function createOutbox(userId: string, store: KeyValueStore = localStorage): Outbox {
  const name = outboxDbName(userId);
  recordOpenedDoc(store, userId, name);
  const db = openStore(name);
  const [entries, setEntries] = createSignal<readonly OutboxEntry[]>([]);
  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(name);
  const reload = async () => {
    const all = await db.run("readonly", (s) => s.getAll() as IDBRequest<OutboxEntry[]>);
    setEntries(all ?? []);
  };
  const changed = async () => {
    await reload();
    channel?.postMessage("changed");
  };
  if (channel) channel.onmessage = () => void reload();
  void reload();

  return {
    entries,
    async write(entry) {
      await db.run("readwrite", (s) => {
        const get = s.get(entry.id) as IDBRequest<OutboxEntry | undefined>;
        get.onsuccess = () => s.put(mergeWrite(get.result, entry));
        return undefined;
      });
      await changed();
      if (entry.kind === "message") requestBackgroundSync(outboxSyncTag(userId));
    },
    async remove(ids) {
      if (ids.length === 0) return;
      await db.run("readwrite", (s) => {
        for (const id of ids) s.delete(id);
        return undefined;
      });
      await changed();
    },
    async fail(ids, failure) {
      if (ids.length === 0) return;
      await db.run("readwrite", (s) => {
        for (const id of ids) {
          const get = s.get(id) as IDBRequest<OutboxEntry | undefined>;
          get.onsuccess = () => {
            if (get.result) s.put({ ...get.result, failed: failure });
          };
        }
        return undefined;
      });
      await changed();
    },
    close() {
      channel?.close();
      db.close();
    },
  };
}
