/**
 * A Store of TEST_STORE on a database of the test's own, for tests that drive the store
 * directly (the relay core, presence): SQLite in a temporary data directory, or a fresh
 * PostgreSQL database. Every store it opened is closed, and the database removed, when the
 * test finishes. Call it inside a test (it registers `onTestFinished`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";
import { type Clock, systemClock } from "../clock.js";
import { openPostgresStore } from "./postgres/postgres-store.js";
import { openSqliteStore } from "./sqlite/sqlite-store.js";
import { TEST_STORE } from "./test-env.js";
import { createTestDatabase } from "./testing.js";
import type { Store } from "./types.js";

export interface TestStore {
  /** Open on a new, migrated database (our migrations; better-auth's tables are not there). */
  store: Store;
  /**
   * Opens the same database again. On SQLite close the other store first: a data
   * directory admits one open store per process (DATA_DIR_IN_USE).
   */
  reopen(): Promise<Store>;
  /** Closes `store` now rather than when the test finishes. */
  close(store: Store): Promise<void>;
}

/** Where the test's database lives, and how to open and remove it. */
async function place(clock: Clock): Promise<{ open(): Promise<Store>; remove(): Promise<void> }> {
  if (TEST_STORE === "sqlite") {
    const dataDir = await mkdtemp(path.join(tmpdir(), "messenger-test-store-"));
    return {
      open: () => openSqliteStore({ dataDir, databasePath: path.join(dataDir, "messenger.sqlite"), clock }),
      remove: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const database = await createTestDatabase();
  return { open: () => openPostgresStore({ url: database.url, clock }), remove: () => database.drop() };
}

export async function openTestStore(options: { clock?: Clock } = {}): Promise<TestStore> {
  const where = await place(options.clock ?? systemClock);
  const open = new Set<Store>();
  // Registered before the caller's own hooks, so it runs after them (last registered runs first):
  // a relay on this store is closed before the store is.
  onTestFinished(async () => {
    for (const store of open) await store.close();
    await where.remove();
  });
  const reopen = async () => {
    const store = await where.open();
    open.add(store);
    return store;
  };
  return {
    store: await reopen(),
    reopen,
    async close(store) {
      open.delete(store);
      await store.close();
    },
  };
}
