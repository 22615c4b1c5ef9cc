/**
 * The SQLite data directory, checked before anything opens it, so a bad DATA_DIR is one
 * sentence at start-up rather than a stack trace from deep inside the first write.
 */
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";
import { describeFsError, startupError } from "../startup-error.js";
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
