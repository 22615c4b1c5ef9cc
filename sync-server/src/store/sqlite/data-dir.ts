/**
 * The SQLite data directory, checked before anything opens it, so a bad DATA_DIR is one
 * sentence at start-up rather than a stack trace from deep inside the first write; and
 * held by one process at a time, because a second process on the same database has its
 * own rooms in memory and silently loses writes (each compacts its own view of a document).
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Config } from "../../config.js";
import { describeFsError, startupError } from "../../startup-error.js";
import { type Db, openDatabase } from "./database.js";

/** The directory holding the database file, and the variable an operator would change. */
export function databaseDir(config: Pick<Config, "dataDir" | "databasePath">): { dir: string; variable: string } {
  const dir = path.dirname(config.databasePath);
  return { dir, variable: dir === config.dataDir ? "DATA_DIR" : "DATABASE_PATH" };
}

/**
 * Creates the database's directory if needed and proves this user can write it by
 * creating and removing a file (access bits alone say nothing to root, nor about a
 * read-only mount). Throws DATA_DIR_UNUSABLE.
 */
export function prepareDataDir(config: Pick<Config, "dataDir" | "databasePath">): void {
  if (config.databasePath === ":memory:") return;
  const { dir, variable } = databaseDir(config);
  try {
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
    const probe = path.join(dir, `.write-probe-${process.pid}`);
    fs.writeFileSync(probe, "");
    fs.rmSync(probe);
  } catch (error) {
    throw startupError("DATA_DIR_UNUSABLE", { variable, dir, reason: describeFsError(error) });
  }
}

/** SQLite result codes that mean the file itself is the problem. */
const DAMAGED = new Set(["SQLITE_NOTADB", "SQLITE_CORRUPT"]);
const NOT_ALLOWED = new Set(["SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_READONLY", "SQLITE_AUTH"]);

/** openDatabase, with a damaged or unreadable file explained as DATABASE_UNREADABLE. */
export function openDatabaseExplained(file: string): Db {
  try {
    return openDatabase(file);
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? "");
    if (DAMAGED.has(code))
      throw startupError("DATABASE_UNREADABLE", { file, reason: "is not a SQLite database or is damaged" });
    if (NOT_ALLOWED.has(code) || code.startsWith("SQLITE_READONLY"))
      throw startupError("DATABASE_UNREADABLE", { file, reason: "cannot be read or written by this user" });
    throw error;
  }
}

/** Held while a process uses the database; release() when it closes it. */
export interface DataDirLock {
  release(): void;
}

/**
 * Takes the data directory for this process, or throws DATA_DIR_IN_USE.
 *
 * The lock is SQLite's own (an fcntl lock) on a small side file, `<database>.lock`, held in
 * `locking_mode = EXCLUSIVE` after one write: the kernel drops it when the process dies, so a
 * `kill -9` leaves nothing stale to clean up and no pid to trust (pids are reused, and every
 * container's server is pid 1). Not the main database: EXCLUSIVE there would shut out WAL
 * readers such as a backup or the sqlite3 shell. Two servers in one process conflict too.
 */
export function lockDataDir(config: Pick<Config, "dataDir" | "databasePath">): DataDirLock {
  if (config.databasePath === ":memory:") return { release() {} };
  const file = `${config.databasePath}.lock`;
  // timeout 0: a held lock answers SQLITE_BUSY at once instead of after better-sqlite3's 5 s.
  const lock = new Database(file, { timeout: 0 });
  try {
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)");
    lock.transaction(() => {
      lock.exec("DELETE FROM holder");
      lock.prepare("INSERT INTO holder (pid, since) VALUES (?, ?)").run(process.pid, new Date().toISOString());
    })();
  } catch (error) {
    lock.close();
    const code = String((error as { code?: unknown }).code ?? "");
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
      throw startupError("DATA_DIR_IN_USE", databaseDir(config));
    throw error;
  }
  return { release: () => lock.close() };
}

/**
 * The SQLite file's start: the data directory checked and locked, then the database opened
 * and migrated (openDatabase). `close()` closes the database and releases the lock.
 */
export function openSqliteFile(config: Pick<Config, "dataDir" | "databasePath">): { db: Db; close(): void } {
  prepareDataDir(config);
  const lock = lockDataDir(config);
  let db: Db;
  try {
    db = openDatabaseExplained(config.databasePath);
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    db,
    close() {
      db.close();
      lock.release();
    },
  };
}
