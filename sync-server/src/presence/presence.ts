/**
 * Who is online. A user is online while any of their authenticated sockets is
 * open (the ws adapter terminates sockets that miss a pong, so a vanished device
 * goes offline within two PING_INTERVAL_MS). When the last socket closes, the time
 * is recorded in `user_presence`.
 *
 * Subscribers (inbox sockets opened with `?presence=1`) get a full snapshot first,
 * then every PRESENCE_FLUSH_MS at most one frame with the changes since the last
 * flush: cost per flush is one frame per subscriber, no heartbeats between users.
 */
import { PRESENCE_FLUSH_MS, type PresenceFrame } from "@messenger/shared";
import type { Clock } from "../clock.js";
import type { Db } from "../db/database.js";

export type Presence = ReturnType<typeof createPresence>;
export type PresenceListener = (frame: PresenceFrame) => void;

export function createPresence(db: Db, clock: Clock, options: { flushMs?: number } = {}) {
  const flushMs = options.flushMs ?? PRESENCE_FLUSH_MS;
  const sockets = new Map<string, number>();
  const changed = new Set<string>();
  const listeners = new Set<PresenceListener>();
  const upsertSeen = db.prepare<[string, number]>(
    `INSERT INTO user_presence (user_id, last_seen_at) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
  );
  const selectSeen = db.prepare<[string], { last_seen_at: number }>(
    `SELECT last_seen_at FROM user_presence WHERE user_id = ?`,
  );

  const lastSeenAt = (userId: string): number | null => selectSeen.get(userId)?.last_seen_at ?? null;

  const flush = () => {
    if (changed.size === 0 || listeners.size === 0) {
      changed.clear();
      return;
    }
    const frame: PresenceFrame = { full: false, online: [], offline: [] };
    for (const userId of changed) {
      if (sockets.has(userId)) frame.online.push(userId);
      else frame.offline.push([userId, lastSeenAt(userId) ?? clock()]);
    }
    changed.clear();
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
