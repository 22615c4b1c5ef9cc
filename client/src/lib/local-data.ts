/**
 * What this browser keeps for a signed-in user, and how to remove it at sign-out.
 * Every y-indexeddb database is named after its document; we record, per user, the
 * documents they opened, and all cached API data lives under a per-user key prefix.
 */
import { parseDocName } from "@messenger/shared";

const PREFIX = "msgr";
export const LAST_SESSION_KEY = `${PREFIX}:session`;

export function userKey(userId: string, name: string): string {
  return `${PREFIX}:${userId}:${name}`;
}

const openedKey = (userId: string) => userKey(userId, "docs");

/** Minimal Storage surface, so tests can pass a Map-backed fake. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  readonly length: number;
}

export function readJson<T>(store: KeyValueStore, key: string): T | null {
  try {
    const raw = store.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

export function writeJson(store: KeyValueStore, key: string, value: unknown): void {
  try {
    store.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): the cache is an optimisation only.
  }
}

export function openedDocs(store: KeyValueStore, userId: string): string[] {
  return readJson<string[]>(store, openedKey(userId)) ?? [];
}

export function recordOpenedDoc(store: KeyValueStore, userId: string, docName: string): void {
  const docs = openedDocs(store, userId);
  if (!docs.includes(docName)) writeJson(store, openedKey(userId), [...docs, docName]);
}

/** Every user id that has data in this store. */
function usersWithData(store: KeyValueStore): Set<string> {
  const users = new Set<string>();
  for (let i = 0; i < store.length; i++) {
    const m = /^msgr:([^:]+):docs$/.exec(store.key(i) ?? "");
    if (m?.[1]) users.add(m[1]);
  }
  return users;
}

/**
 * The databases to delete for a user: the documents they recorded, plus any document
 * database the browser lists (indexedDB.databases()) that no other user of this
 * browser recorded, which catches a list lost to a crash mid-write.
 */
export function databasesToDelete(store: KeyValueStore, userId: string, existing: readonly string[] | null): string[] {
  const mine = new Set(openedDocs(store, userId));
  const others = new Set<string>();
  for (const other of usersWithData(store)) {
    if (other !== userId) for (const doc of openedDocs(store, other)) others.add(doc);
  }
  for (const name of existing ?? []) {
    const parsed = parseDocName(name);
    if (!parsed || others.has(name)) continue;
    if (parsed.kind === "inbox" && parsed.userId !== userId) continue;
    mine.add(name);
  }
  return Array.from(mine);
}

/** Removes the user's cached API data, their document list and the last-session record. */
export function clearUserKeys(store: KeyValueStore, userId: string): void {
  const prefix = `${PREFIX}:${userId}:`;
  const doomed: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (key?.startsWith(prefix)) doomed.push(key);
  }
  for (const key of doomed) store.removeItem(key);
  const last = readJson<{ user?: { id?: string } }>(store, LAST_SESSION_KEY);
  if (last?.user?.id === userId) store.removeItem(LAST_SESSION_KEY);
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/** Deletes everything this browser keeps for the user. Call after closing their documents. */
export async function clearLocalData(userId: string, store: KeyValueStore = localStorage): Promise<void> {
  let existing: string[] | null = null;
  if (typeof indexedDB !== "undefined" && typeof indexedDB.databases === "function") {
    try {
      existing = (await indexedDB.databases()).flatMap((d) => (d.name ? [d.name] : []));
    } catch {
      existing = null;
    }
  }
  const names = databasesToDelete(store, userId, existing);
  clearUserKeys(store, userId);
  if (typeof indexedDB !== "undefined") await Promise.all(names.map(deleteDatabase));
}
