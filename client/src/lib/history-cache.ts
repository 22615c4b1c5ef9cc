/**
 * Older history (the HTTP pages behind the live segments), kept in this browser so a
 * conversation scrolls back offline as far as it was scrolled online. Used only when a
 * page cannot be fetched: online, pages always come fresh (edits and deletions of old
 * messages show). One IndexedDB database per user, recorded with the user's documents
 * so sign-out deletes it.
 */
import { compareMessages, type MessageRecord } from "@messenger/shared";
import { type KeyValueStore, recordOpenedDoc } from "./local-data.js";

/** Older messages kept per conversation (the newest of them). */
export const MAX_CACHED_OLDER = 5000;
const STORE = "older";

export interface CachedHistory {
  records: MessageRecord[];
  /** Whether the server had messages older than the oldest record here. */
  hasMore: boolean;
}

/** The page a fetch would have returned: up to `limit` records older than `before`, oldest first. */
export function pageFromCache(
  cached: CachedHistory,
  before: MessageRecord | undefined,
  limit: number,
): { records: MessageRecord[]; hasMore: boolean } {
  const sorted = [...cached.records].sort(compareMessages);
  const end = before === undefined ? sorted.length : sorted.filter((r) => compareMessages(r, before) < 0).length;
  const start = Math.max(0, end - limit);
  return { records: sorted.slice(start, end), hasMore: start > 0 || cached.hasMore };
}

/** What to store after a fetch: everything loaded so far, the newest MAX_CACHED_OLDER. */
export function toCache(older: readonly MessageRecord[], hasMore: boolean): CachedHistory {
  const sorted = [...older].sort(compareMessages);
  const kept = sorted.slice(-MAX_CACHED_OLDER);
  return { records: kept, hasMore: hasMore || kept.length < sorted.length };
}

export interface HistoryCache {
  read(conversationId: string): Promise<CachedHistory | null>;
  write(conversationId: string, value: CachedHistory): Promise<void>;
  /** Closes the database, so sign-out can delete it. */
  close(): void;
}

export function historyDbName(userId: string): string {
  return `history.${userId}`;
}

/** An IndexedDB-backed cache; every failure reads as "nothing cached" (it is an optimisation). */
export function createHistoryCache(userId: string, store: KeyValueStore = localStorage): HistoryCache {
  const name = historyDbName(userId);
  let db: Promise<IDBDatabase | null> | null = null;
  const open = () => {
    db ??= new Promise((resolve) => {
      if (typeof indexedDB === "undefined") return resolve(null);
      recordOpenedDoc(store, userId, name);
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = req.onblocked = () => resolve(null);
    });
    return db;
  };
  const run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>) =>
    open().then(
      (d) =>
        new Promise<T | null>((resolve) => {
          if (!d) return resolve(null);
          try {
            const req = fn(d.transaction(STORE, mode).objectStore(STORE));
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => resolve(null);
          } catch {
            resolve(null);
          }
        }),
    );
  return {
    async read(conversationId) {
      return ((await run("readonly", (s) => s.get(conversationId))) as CachedHistory | undefined) ?? null;
    },
    async write(conversationId, value) {
      await run("readwrite", (s) => s.put(value, conversationId));
    },
    close() {
      void db?.then((d) => d?.close());
      db = Promise.resolve(null);
    },
  };
}
