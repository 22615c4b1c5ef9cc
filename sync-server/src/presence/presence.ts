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
import type { Clock } from "../clock.js";
import { createLogger, type Logger } from "../logger.js";
import type { Store } from "../store/types.js";

export type Presence = ReturnType<typeof createPresence>;
export type PresenceListener = (frame: PresenceFrame) => void;

export function createPresence(
  store: Pick<Store, "presence" | "users">,
  clock: Clock,
  options: { flushMs?: number; logger?: Logger } = {},
) {
  const flushMs = options.flushMs ?? PRESENCE_FLUSH_MS;
  const logger = options.logger ?? createLogger("warn");
  const sockets = new Map<string, number>();
  const changed = new Set<string>();
  /** Accounts created or changed since the last flush (the directory part of the next frame). */
  const announced = new Set<string>();
  /** Last-seen times written by this process, so a frame never waits on the store for them. */
  const seenHere = new Map<string, number>();
  const writes = new Set<Promise<void>>();
  const listeners = new Set<PresenceListener>();
  let flushing: Promise<void> | null = null;

  const lastSeenAt = async (userId: string): Promise<number | null> =>
    seenHere.get(userId) ?? (await store.presence.lastSeen([userId])).get(userId) ?? null;

  const directoryEntries = async (userIds: string[]): Promise<UserSummary[]> => {
    const rows = await store.users.byIds(userIds);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      username: row.username,
      online: sockets.has(row.id),
      lastSeenAt: seenHere.get(row.id) ?? row.lastSeenAt,
    }));
  };

  const flushNow = async () => {
    if ((changed.size === 0 && announced.size === 0) || listeners.size === 0) {
      changed.clear();
      announced.clear();
      return;
    }
    const wentOnline = [...changed].filter((id) => sockets.has(id));
    const wentOffline = [...changed].filter((id) => !sockets.has(id));
    const toAnnounce = [...announced];
    changed.clear();
    announced.clear();
    const frame: PresenceFrame = { full: false, online: wentOnline, offline: [] };
    const unknown = wentOffline.filter((id) => !seenHere.has(id));
    const stored = unknown.length > 0 ? await store.presence.lastSeen(unknown) : new Map<string, number>();
    for (const userId of wentOffline)
      frame.offline.push([userId, seenHere.get(userId) ?? stored.get(userId) ?? clock()]);
    const users = toAnnounce.length > 0 ? await directoryEntries(toAnnounce) : [];
    if (users.length > 0) frame.users = users;
    if (frame.online.length + frame.offline.length + users.length === 0) return;
    for (const listener of listeners) listener(frame);
  };

  const flush = (): Promise<void> => {
    flushing ??= flushNow()
      .catch((err) => logger.error("presence flush failed", { err: String(err) }))
      .finally(() => {
        flushing = null;
      });
    return flushing;
  };
  const timer = setInterval(() => void flush(), flushMs);
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
          const at = clock();
          seenHere.set(userId, at);
          const write = store.presence
            .setLastSeen(userId, at)
            .catch((err) => logger.error("could not record last seen", { user: userId, err: String(err) }))
            .finally(() => writes.delete(write));
          writes.add(write);
          changed.add(userId);
        }
      } else sockets.set(userId, n - 1);
    },

    isOnline(userId: string): boolean {
      return sockets.has(userId);
    },

    /** ms since epoch when the user's last socket closed, or null if never seen offline. */
    lastSeenAt,

    /** This process's last-seen time for a user, if it recorded one (fresher than the store's). */
    seenHere(userId: string): number | undefined {
      return seenHere.get(userId);
    },

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

    /** Stops the timer; resolves once last-seen writes have landed. */
    async close(): Promise<void> {
      clearInterval(timer);
      listeners.clear();
      await Promise.all([...writes]);
    },
  };
}
