/**
 * Opens the SQLite database and brings the application tables up to date.
 * better-auth's own tables are created by its migrations (auth/), not here.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS, type Migration } from "./migrations.js";

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // FULL: a committed batch survives power loss, not only a killed process.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

/**
 * Applies MIGRATIONS past PRAGMA user_version, each in its own transaction. Foreign keys are
 * off meanwhile (a table rebuilt to change a constraint must not cascade its drop to the rows
 * that reference it) and checked before each migration commits.
 */
export function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current >= MIGRATIONS.length) return;
  const enforced = db.pragma("foreign_keys", { simple: true }) === 1;
  db.pragma("foreign_keys = OFF");
  try {
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        const migration = MIGRATIONS[v] as Migration;
        if (typeof migration === "string") db.exec(migration);
        else migration(db);
        const broken = db.pragma("foreign_key_check") as unknown[];
        if (broken.length > 0) throw new Error(`migration ${v + 1} left ${broken.length} broken references`);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } finally {
    if (enforced) db.pragma("foreign_keys = ON");
  }
}
