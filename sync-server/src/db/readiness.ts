/**
 * The SQLite store's answer to /api/ready: it answers a query, its migrations are all
 * applied, and better-auth's tables exist. (A PostgreSQL store answers the same question
 * with a pooled query and its own migration table.)
 */
import type { ReadinessCheck } from "../routes/health.js";
import type { Db } from "./database.js";
import { MIGRATIONS } from "./migrations.js";

export function sqliteReadiness(db: Db): ReadinessCheck {
  return async () => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version < MIGRATIONS.length) throw new Error(`migrations applied: ${version} of ${MIGRATIONS.length}`);
    db.prepare(`SELECT 1 FROM "user" LIMIT 1`).get();
  };
}
