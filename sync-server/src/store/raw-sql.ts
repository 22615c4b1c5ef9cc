/**
 * One SQL statement on whichever store is open, for tests that look under the API (a
 * password hash, a session row) or break the schema on purpose. `?` placeholders; quote
 * better-auth's camelCase columns ("userId") so the text means the same on both.
 */
import type Database from "better-sqlite3";
import type pg from "pg";
import type { Store } from "./types.js";

export async function rawSql<T = Record<string, unknown>>(
  store: Pick<Store, "kind" | "authDatabase">,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (store.kind === "sqlite") {
    const statement = (store.authDatabase as Database.Database).prepare(sql);
    if (statement.reader) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  }
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  return (await (store.authDatabase as pg.Pool).query(text, params)).rows as T[];
}
