/**
 * GET /api/users?q=&cursor=&limit= — everyone with an account, for starting conversations.
 * Searches name and username (ASCII case-insensitive substring), never email: an email
 * is private, and matching on it would let anyone recover an address one character at
 * a time. Never returns an email either. Ordered by name (case-insensitive) then id;
 * the cursor is the last row's (name, id), opaque to clients.
 */
import { type UserSummary, type UsersPage, UsersQuery } from "@messenger/shared";
import type { Statement } from "better-sqlite3";
import { Hono } from "hono";
import type { SessionVariables } from "../auth/require-session.js";
import type { Db } from "../db/database.js";
import { AppError } from "../errors.js";
import { readQuery } from "./request.js";

/** What the users list needs from presence (built by the relay). */
export interface PresenceReader {
  isOnline(userId: string): boolean;
  /** ms since epoch when the user's last socket closed; null if never seen. */
  lastSeenAt(userId: string): number | null;
}

interface PageParams {
  q: string | null;
  afterName: string | null;
  afterId: string | null;
  limit: number;
}

interface UserRow {
  id: string;
  name: string;
  username: string | null;
}

const encodeCursor = (row: UserRow) => Buffer.from(JSON.stringify([row.name, row.id])).toString("base64url");

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string"))
      return value as [string, string];
  } catch {
    // fall through
  }
  throw new AppError("VALIDATION_FAILED", undefined, [
    { field: "cursor", problem: "not a cursor this server returned" },
  ]);
}

export function usersRoutes(deps: { db: Db; presence: PresenceReader }) {
  const { db, presence } = deps;
  let page: Statement<[PageParams], UserRow> | null = null;
  const routes = new Hono<{ Variables: SessionVariables }>();

  routes.get("/", (c) => {
    const query = readQuery(c, UsersQuery);
    const q = query.q?.trim().toLowerCase() || null;
    const [afterName, afterId] = query.cursor ? decodeCursor(query.cursor) : [null, null];
    // Prepared on first use: better-auth creates "user" in its migrations, after the app is built.
    page ??= db.prepare(
      `SELECT id, name, username FROM "user"
       WHERE (@q IS NULL OR instr(lower(name), @q) > 0 OR instr(lower(coalesce(username, '')), @q) > 0)
         AND (@afterName IS NULL OR name > @afterName COLLATE NOCASE OR (name = @afterName COLLATE NOCASE AND id > @afterId))
       ORDER BY name COLLATE NOCASE, id
       LIMIT @limit`,
    );
    const rows = page.all({ q, afterName, afterId, limit: query.limit + 1 });
    const more = rows.length > query.limit;
    const shown = rows.slice(0, query.limit);
    const users: UserSummary[] = shown.map((r) => ({
      id: r.id,
      name: r.name,
      username: r.username,
      online: presence.isOnline(r.id),
      lastSeenAt: presence.lastSeenAt(r.id),
    }));
    const last = shown.at(-1);
    const body: UsersPage = { users, nextCursor: more && last ? encodeCursor(last) : null };
    return c.json(body);
  });

  return routes;
}
