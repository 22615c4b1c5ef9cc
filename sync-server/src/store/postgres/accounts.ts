/**
 * better-auth's users and sessions as the server reads them (the directory, sign-in
 * throttling, seeding, our absolute session lifetime), and presence's last-seen, in
 * PostgreSQL. better-auth's tables have camelCase columns, quoted here; its timestamps are
 * timestamptz, which pg returns as Date (SessionTimes takes a Date).
 */
import type pg from "pg";
import { toDirectoryRow, type UserRow } from "../rows.js";
import type { PresenceStore, SessionStore, SessionTimes, UserStore } from "../types.js";

/**
 * `expr` with only A–Z folded to a–z, compared byte by byte: SQLite's lower() and
 * COLLATE NOCASE, so both stores search and order the directory alike (PostgreSQL's lower()
 * and the database's collation would fold and order non-ASCII letters too).
 */
const asciiLower = (expr: string) =>
  `translate(${expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C"`;

const SELECT_DIRECTORY = `
  SELECT u.id, u.name, u.username, p.last_seen_at FROM "user" u
  LEFT JOIN user_presence p ON p.user_id = u.id`;

const DIRECTORY_PAGE = `${SELECT_DIRECTORY}
  WHERE ($1::text IS NULL OR strpos(${asciiLower("u.name")}, $1) > 0
         OR strpos(${asciiLower("coalesce(u.username, '')")}, $1) > 0)
    AND ($2::text IS NULL OR ${asciiLower("u.name")} > ${asciiLower("$2")}
         OR (${asciiLower("u.name")} = ${asciiLower("$2")} AND u.id COLLATE "C" > $3))
  ORDER BY ${asciiLower("u.name")}, u.id COLLATE "C"
  LIMIT $4`;

export function createPgUsers(pool: pg.Pool): UserStore {
  return {
    async directory(query) {
      const [afterName, afterId] = query.after ?? [null, null];
      const { rows } = await pool.query<UserRow>(DIRECTORY_PAGE, [query.q, afterName, afterId, query.limit]);
      return rows.map(toDirectoryRow);
    },
    async byIds(ids) {
      if (ids.length === 0) return [];
      const { rows } = await pool.query<UserRow>(`${SELECT_DIRECTORY} WHERE u.id = ANY($1::text[])`, [ids]);
      return rows.map(toDirectoryRow);
    },
    async exists(id) {
      const { rowCount } = await pool.query(`SELECT 1 FROM "user" WHERE id = $1`, [id]);
      return (rowCount ?? 0) > 0;
    },
    async idBy(column, value) {
      const sql =
        column === "email" ? `SELECT id FROM "user" WHERE email = $1` : `SELECT id FROM "user" WHERE username = $1`;
      const { rows } = await pool.query<{ id: string }>(sql, [value]);
      return rows[0]?.id ?? null;
    },
    async count() {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM "user"`);
      return rows[0]?.n ?? 0;
    },
  };
}

export function createPgSessions(pool: pg.Pool): SessionStore {
  return {
    async times(ids) {
      if (ids.length === 0) return [];
      const { rows } = await pool.query<SessionTimes>(
        `SELECT id, "createdAt", "expiresAt" FROM "session" WHERE id = ANY($1::text[])`,
        [ids],
      );
      return rows;
    },
    async all() {
      const { rows } = await pool.query<SessionTimes>(`SELECT id, "createdAt", "expiresAt" FROM "session"`);
      return rows;
    },
    async delete(ids) {
      if (ids.length === 0) return;
      await pool.query(`DELETE FROM "session" WHERE id = ANY($1::text[])`, [ids]);
    },
  };
}

export function createPgPresence(pool: pg.Pool): PresenceStore {
  return {
    async setLastSeen(userId, at) {
      await pool.query(
        `INSERT INTO user_presence (user_id, last_seen_at) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
        [userId, at],
      );
    },
    async lastSeen(userIds) {
      const seen = new Map<string, number>();
      if (userIds.length === 0) return seen;
      const { rows } = await pool.query<{ user_id: string; last_seen_at: number }>(
        `SELECT user_id, last_seen_at FROM user_presence WHERE user_id = ANY($1::text[])`,
        [userIds],
      );
      for (const r of rows) seen.set(r.user_id, r.last_seen_at);
      return seen;
    },
  };
}
