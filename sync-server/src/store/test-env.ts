/**
 * Which store a test runs on, and the environment that gives the test its own database.
 * `npm test` runs the headless suite twice: on SQLite (each test a temporary DATA_DIR) and
 * with TEST_STORE=postgres (each test a fresh PostgreSQL database, dropped when it ends).
 */
import { onTestFinished } from "vitest";
import { createTestDatabase } from "./testing.js";
import type { StoreKind } from "./types.js";

export const TEST_STORE: StoreKind = process.env.TEST_STORE === "postgres" ? "postgres" : "sqlite";

/**
 * Variables for loadConfig (or a child process) that put this test on TEST_STORE: nothing
 * extra for SQLite (the test's DATA_DIR holds the file), DATABASE_URL of a new database for
 * PostgreSQL. Call it before starting the server, so the database is dropped after the
 * server has closed (test-finished hooks run last-registered first).
 */
export async function testStoreEnv(): Promise<Record<string, string>> {
  if (TEST_STORE === "sqlite") return {};
  const database = await createTestDatabase();
  onTestFinished(() => database.drop());
  return { DATABASE_URL: database.url };
}
