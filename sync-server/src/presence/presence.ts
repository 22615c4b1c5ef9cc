/**
 * Who is online. A user is online while any of their authenticated sockets is
 * open (the ws adapter terminates sockets that miss a pong, so a vanished device
 * goes offline within two PING_INTERVAL_MS). When the last socket closes, the time
 * is recorded in `user_presence`.
 *
 * Subscribers (inbox sockets opened with `?presence=1`) get a full snapshot first,
 * then every PRESENCE_FLUSH_MS at most one frame with the changes since the last
 * flush: cost per flush is one frame per subscriber, no heartbeats between users.
 *
 * The same frames carry the live directory: `userChanged` (a sign-up, a new name)
 * puts the account, as `GET /api/users` lists it, in the next frame's `users`. It is
 * read from the database at the flush, so what goes out is what is stored.
 */
import { PRESENCE_FLUSH_MS, type PresenceFrame, type UserSummary } from "@messenger/shared";
import type { Statement } from "better-sqlite3";
import type { Clock } from "../clock.js";
import type { Db } from "../db/database.js";

export type Presence = ReturnType<typeof createPresence>;
export type PresenceListener = (frame: PresenceFrame) => void;

export function createPresence(db: Db, clock: Clock, options: { flushMs?: number } = {}) {
  const flushMs = options.flushMs ?? PRESENCE_FLUSH_MS;
  const sockets = new Map<string, number>();
  const changed = new Set<string>();
  /** Accounts created or changed since the last flush (the directory part of the next frame). */
  const announced = new Set<string>();
  // Prepared on first use: better-auth creates "user" in its migrations.
  let selectUser: Statement<[string], { id: string; name: string; username: string | null }> | null = null;
  const listeners = new Set<PresenceListener>();
  const upsertSeen = db.prepare<[string, number]>(
    `INSERT INTO user_presence (user_id, last_seen_at) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
  );
  const selectSeen = db.prepare<[string], { last_seen_at: number }>(
    `SELECT last_seen_at FROM user_presence WHERE user_id = ?`,
  );

  const lastSeenAt = (userId: string): number | null => selectSeen.get(userId)?.last_seen_at ?? null;

  const directoryEntries = (): UserSummary[] => {
    selectUser ??= db.prepare(`SELECT id, name, username FROM "user" WHERE id = ?`);
    const users: UserSummary[] = [];
    for (const userId of announced) {
      const row = selectUser.get(userId);
      if (row) users.push({ ...row, online: sockets.has(userId), lastSeenAt: lastSeenAt(userId) });
    }
    return users;
  };

  const flush = () => {
    if ((changed.size === 0 && announced.size === 0) || listeners.size === 0) {
      changed.clear();
      announced.clear();
      return;
    }
    const frame: PresenceFrame = { full: false, online: [], offline: [] };
    for (const userId of changed) {
      if (sockets.has(userId)) frame.online.push(userId);
      else frame.offline.push([userId, lastSeenAt(userId) ?? clock()]);
    }
    const users = announced.size > 0 ? directoryEntries() : [];
    if (users.length > 0) frame.users = users;
    changed.clear();
    announced.clear();
    if (frame.online.length + frame.offline.length + users.length === 0) return;
    for (const listener of listeners) listener(frame);
  };
  const timer = setInterval(flush, flushMs);
  timer.unref();

  return {
    /** A socket of `userId` opened. */
    connect(userId: string): void {
      const n = sockets.get(userId) ?? 0;
      sockets.set(userId, n + 1);
      if (n === 0) changed.add(userId);
    },

    /** A socket of `userId` closed; the last one records last-seen. */
    disconnect(userId: string): void {
      const n = sockets.get(userId) ?? 0;
      if (n <= 1) {
        sockets.delete(userId);
        if (n === 1) {
          upsertSeen.run(userId, clock());
          changed.add(userId);
        }
      } else sockets.set(userId, n - 1);
    },

    isOnline(userId: string): boolean {
      return sockets.has(userId);
    },

    /** ms since epoch when the user's last socket closed, or null if never seen offline. */
    lastSeenAt,

    /** An account was created or its name or username changed: it goes out with the next flush. */
    userChanged(userId: string): void {
      announced.add(userId);
    },

    onlineUserIds(): string[] {
      return [...sockets.keys()];
    },

    /** Sends a full snapshot now, then coalesced changes; returns an unsubscribe function. */
    subscribe(listener: PresenceListener): () => void {
      listeners.add(listener);
      listener({ full: true, online: [...sockets.keys()], offline: [] });
      return () => listeners.delete(listener);
    },

    /** Sends pending changes now (tests, shutdown). */
    flush,

    close(): void {
      clearInterval(timer);
      listeners.clear();
    },
  };
}
