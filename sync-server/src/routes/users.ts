/**
 * GET /api/users?q=&cursor=&limit= — everyone with an account, for starting conversations.
 * Searches name and username (ASCII case-insensitive substring), never email: an email
 * is private, and matching on it would let anyone recover an address one character at
 * a time. Never returns an email either. Ordered by name (case-insensitive) then id;
 * the cursor is the last row's (name, id), opaque to clients.
 */
import { type UserSummary, type UsersPage, UsersQuery } from "@messenger/shared";
import { Hono } from "hono";
import type { SessionVariables } from "../auth/require-session.js";
import { AppError } from "../errors.js";
import type { UserStore } from "../store/types.js";
import { readQuery } from "./request.js";

/** What the users list needs from presence (built by the relay). */
export interface PresenceReader {
  isOnline(userId: string): boolean;
  /** This process's last-seen time for a user, fresher than the store's while its write lands. */
  seenHere(userId: string): number | undefined;
}

const encodeCursor = (row: { name: string; id: string }) =>
  Buffer.from(JSON.stringify([row.name, row.id])).toString("base64url");

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

export function usersRoutes(deps: { users: Pick<UserStore, "directory">; presence: PresenceReader }) {
  const { users: store, presence } = deps;
  const routes = new Hono<{ Variables: SessionVariables }>();

  routes.get("/", async (c) => {
    const query = readQuery(c, UsersQuery);
    const q = query.q?.trim().toLowerCase() || null;
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await store.directory({ q, after, limit: query.limit + 1 });
    const more = rows.length > query.limit;
    const shown = rows.slice(0, query.limit);
    const users: UserSummary[] = shown.map((r) => ({
      id: r.id,
      name: r.name,
      username: r.username,
      online: presence.isOnline(r.id),
      lastSeenAt: presence.seenHere(r.id) ?? r.lastSeenAt,
    }));
    const last = shown.at(-1);
    const body: UsersPage = { users, nextCursor: more && last ? encodeCursor(last) : null };
    return c.json(body);
  });

  return routes;
}
