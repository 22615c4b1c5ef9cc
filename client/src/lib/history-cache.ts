/**
 * Older history (the HTTP pages behind the live segments), kept in this browser so a
 * conversation scrolls back offline as far as it was scrolled online, and the stretches
 * paged in around a message a search result or a reply opened ("runs"), so the device
 * holds those too. Used only when a page cannot be fetched: online, pages always come
 * fresh (edits and deletions of old messages show). One IndexedDB database per user,
 * recorded with the user's documents so sign-out deletes it.
 */
import { compareMessages, type MessageRecord } from "@messenger/shared";
import { type KeyValueStore, recordOpenedDoc } from "./local-data.js";
import { mergeMessages } from "./messages.js";

/** Older messages kept per conversation (the newest of them). */
export const MAX_CACHED_OLDER = 5000;
/** Runs kept per conversation (the most recently opened), and their records in all. */
export const MAX_CACHED_RUNS = 8;
export const MAX_CACHED_RUN_RECORDS = 2000;
const STORE = "older";

/** A contiguous stretch of history, oldest first, paged in around one message. */
export interface CachedRun {
  records: MessageRecord[];
  /** Older messages exist than the first one here. */
  hasOlder: boolean;
  /** Newer messages exist that are neither here nor in the live segments. */
  hasNewer: boolean;
}

export interface CachedHistory {
  /** The older history contiguous with the live segments. */
  records: MessageRecord[];
  /** Whether the server had messages older than the oldest record here. */
  hasMore: boolean;
  /** Stretches opened at a message, most recently opened first (absent in caches written before them). */
  runs?: CachedRun[];
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

/** What to store after an older page: `toCache`, keeping the runs already cached. */
export function withOlder(
  cached: CachedHistory | null,
  older: readonly MessageRecord[],
  hasMore: boolean,
): CachedHistory {
  return { ...toCache(older, hasMore), runs: cached?.runs ?? [] };
}

const first = (run: CachedRun) => run.records[0] as MessageRecord;
const last = (run: CachedRun) => run.records[run.records.length - 1] as MessageRecord;
const overlaps = (a: CachedRun, b: CachedRun) =>
  compareMessages(first(a), last(b)) <= 0 && compareMessages(first(b), last(a)) <= 0;

/** Two overlapping runs as one: every record (the newer revision of each), the outer edges' flags. */
function joinRuns(a: CachedRun, b: CachedRun): CachedRun {
  const older = compareMessages(first(a), first(b)) <= 0 ? a : b;
  const newer = compareMessages(last(a), last(b)) >= 0 ? a : b;
  return {
    records: mergeMessages([a.records, b.records]),
    hasOlder: older.hasOlder,
    hasNewer: newer.hasNewer,
  };
}

/**
 * Stores a run: joined with every cached run it overlaps, put first; runs beyond
 * MAX_CACHED_RUNS or MAX_CACHED_RUN_RECORDS (counted from the first) are dropped, and a
 * first run longer than that keeps its newest records.
 */
export function withRun(cached: CachedHistory | null, run: CachedRun): CachedHistory {
  const base = cached ?? { records: [], hasMore: true };
  if (run.records.length === 0) return base;
  let joined: CachedRun = { ...run, records: [...run.records].sort(compareMessages) };
  const others: CachedRun[] = [];
  for (const r of base.runs ?? []) {
    if (r.records.length === 0) continue;
    if (overlaps(joined, r)) joined = joinRuns(joined, r);
    else others.push(r);
  }
  if (joined.records.length > MAX_CACHED_RUN_RECORDS)
    joined = { ...joined, records: joined.records.slice(-MAX_CACHED_RUN_RECORDS), hasOlder: true };
  const runs = [joined];
  let total = joined.records.length;
  for (const r of others) {
    if (runs.length >= MAX_CACHED_RUNS || total + r.records.length > MAX_CACHED_RUN_RECORDS) break;
    runs.push(r);
    total += r.records.length;
  }
  return { ...base, runs };
}

/**
 * The cached stretch that holds a message: a run, or the older history (which reaches the
 * live segments, so nothing newer is missing after it: hasNewer false). Null when not cached.
 */
export function runWith(cached: CachedHistory | null, messageId: string): CachedRun | null {
  if (!cached) return null;
  if (cached.records.some((r) => r.id === messageId))
    return { records: [...cached.records].sort(compareMessages), hasOlder: cached.hasMore, hasNewer: false };
  return cached.runs?.find((run) => run.records.some((r) => r.id === messageId)) ?? null;
}

/** Every record the cache holds for a conversation (older history and runs; may repeat). */
export function cachedRecords(cached: CachedHistory | null): MessageRecord[] {
  if (!cached) return [];
  return [...cached.records, ...(cached.runs ?? []).flatMap((r) => r.records)];
}

export interface HistoryCache {
  read(conversationId: string): Promise<CachedHistory | null>;
  write(conversationId: string, value: CachedHistory): Promise<void>;
  /** Reads, changes and writes one conversation's entry, after this tab's earlier updates of it. */
  update(conversationId: string, change: (cached: CachedHistory | null) => CachedHistory): Promise<void>;
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
  const read = async (conversationId: string) =>
    ((await run("readonly", (s) => s.get(conversationId))) as CachedHistory | undefined) ?? null;
  const write = async (conversationId: string, value: CachedHistory) => {
    await run("readwrite", (s) => s.put(value, conversationId));
  };
  return withUpdate({
    read,
    write,
    close() {
      void db?.then((d) => d?.close());
      db = Promise.resolve(null);
    },
  });
}

/** Adds `update` to a read / write pair: one read-change-write at a time per conversation. */
export function withUpdate(cache: Omit<HistoryCache, "update">): HistoryCache {
  const queues = new Map<string, Promise<void>>();
  return {
    ...cache,
    update(conversationId, change) {
      const previous = queues.get(conversationId) ?? Promise.resolve();
      const next = previous.then(async () => cache.write(conversationId, change(await cache.read(conversationId))));
      const settled = next.catch(() => {});
      queues.set(conversationId, settled);
      void settled.then(() => {
        if (queues.get(conversationId) === settled) queues.delete(conversationId);
      });
      return next;
    },
  };
}
