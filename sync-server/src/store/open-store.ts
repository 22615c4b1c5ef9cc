/**
 * The store the config asks for: PostgreSQL when DATABASE_URL is set, else SQLite in
 * DATA_DIR (the zero-configuration default). The one place that picks an implementation.
 */
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { openPostgresStore } from "./postgres/postgres-store.js";
import { openSqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./types.js";

export function openStore(
  config: Pick<Config, "dataDir" | "databasePath" | "databaseUrl" | "databasePoolSize">,
  clock: Clock,
): Promise<Store> {
  if (config.databaseUrl !== null)
    return openPostgresStore({ url: config.databaseUrl, clock, poolSize: config.databasePoolSize });
  return openSqliteStore({ dataDir: config.dataDir, databasePath: config.databasePath, clock });
}
