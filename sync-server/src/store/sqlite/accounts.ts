/**
 * better-auth's users and sessions as the server reads them (the directory, sign-in
 * throttling, seeding, our absolute session lifetime), and presence's last-seen, in SQLite.
 * Statements are prepared on first use: better-auth creates its tables in its own
 * migrations, after the store opens.
 */
import { toDirectoryRow, type UserRow } from "../rows.js";
import type { DirectoryQuery, DirectoryRow, SessionTimes } from "../types.js";
import type { Db } from "./database.js";

/** SQLite allows 999 bound parameters in old builds; stay well under. */
const IDS_PER_QUERY = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IDS_PER_QUERY) out.push(items.slice(i, i + IDS_PER_QUERY));
  return out;
}

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(",");

export function createSqliteAccounts(db: Db) {
  const lazy = <T>(make: () => T) => {
    let value: T | null = null;
    return () => {
      value ??= make();
      return value;
    };
  };
  const directoryPage = lazy(() =>
    db.prepare<Record<string, unknown>, UserRow>(
      `SELECT u.id, u.name, u.username, p.last_seen_at FROM "user" u
       LEFT JOIN user_presence p ON p.user_id = u.id
       WHERE (@q IS NULL OR instr(lower(u.name), @q) > 0 OR instr(lower(coalesce(u.username, '')), @q) > 0)
         AND (@afterName IS NULL OR u.name > @afterName COLLATE NOCASE
              OR (u.name = @afterName COLLATE NOCASE AND u.id > @afterId))
       ORDER BY u.name COLLATE NOCASE, u.id
       LIMIT @limit`,
    ),
  );
  const userExists = lazy(() => db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM "user" WHERE id = ?`));
  const byEmail = lazy(() => db.prepare<[string], { id: string }>(`SELECT id FROM "user" WHERE email = ?`));
  const byUsername = lazy(() => db.prepare<[string], { id: string }>(`SELECT id FROM "user" WHERE username = ?`));
  const userCount = lazy(() => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM "user"`));
  const allSessions = lazy(() => db.prepare<[], SessionTimes>(`SELECT id, createdAt, expiresAt FROM "session"`));
  const upsertSeen = db.prepare<[string, number]>(
    `INSERT INTO user_presence (user_id, last_seen_at) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
  );

  return {
    users: {
      directory(query: DirectoryQuery): DirectoryRow[] {
        const [afterName, afterId] = query.after ?? [null, null];
        return directoryPage().all({ q: query.q, afterName, afterId, limit: query.limit }).map(toDirectoryRow);
      },
      byIds(ids: string[]): DirectoryRow[] {
        return chunks([...new Set(ids)]).flatMap((chunk) =>
          db
            .prepare<string[], UserRow>(
              `SELECT u.id, u.name, u.username, p.last_seen_at FROM "user" u
               LEFT JOIN user_presence p ON p.user_id = u.id WHERE u.id IN (${placeholders(chunk.length)})`,
            )
            .all(...chunk)
            .map(toDirectoryRow),
        );
      },
      exists: (id: string): boolean => userExists().get(id) !== undefined,
      idBy: (column: "email" | "username", value: string): string | null =>
        (column === "email" ? byEmail() : byUsername()).get(value)?.id ?? null,
      count: (): number => userCount().get()?.n ?? 0,
    },
    sessions: {
      times(ids: string[]): SessionTimes[] {
        return chunks([...new Set(ids)]).flatMap((chunk) =>
          db
            .prepare<string[], SessionTimes>(
              `SELECT id, createdAt, expiresAt FROM "session" WHERE id IN (${placeholders(chunk.length)})`,
            )
            .all(...chunk),
        );
      },
      all: (): SessionTimes[] => allSessions().all(),
      delete(ids: string[]): void {
        for (const chunk of chunks(ids))
          db.prepare(`DELETE FROM "session" WHERE id IN (${placeholders(chunk.length)})`).run(...chunk);
      },
    },
    presence: {
      setLastSeen: (userId: string, at: number): void => {
        upsertSeen.run(userId, at);
      },
      lastSeen(userIds: string[]): Map<string, number> {
        const seen = new Map<string, number>();
        for (const chunk of chunks([...new Set(userIds)])) {
          const rows = db
            .prepare<string[], { user_id: string; last_seen_at: number }>(
              `SELECT user_id, last_seen_at FROM user_presence WHERE user_id IN (${placeholders(chunk.length)})`,
            )
            .all(...chunk);
          for (const r of rows) seen.set(r.user_id, r.last_seen_at);
        }
        return seen;
      },
    },
  };
}
