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
 *
 * Who has sockets open is the registry's (registry.ts): in memory for one process, in
 * Redis for several, where a user online on any process is online in every process's
 * frames and `isOnline`, and each process still sends its own coalesced frames.
 */
import { PRESENCE_FLUSH_MS, type PresenceFrame, type UserSummary } from "@messenger/shared";
import type { Clock } from "../clock.js";
import { createLogger, type Logger } from "../logger.js";
import type { Store } from "../store/types.js";
import { createLocalRegistry, type PresenceRegistry } from "./registry.js";

export type Presence = ReturnType<typeof createPresence>;
export type PresenceListener = (frame: PresenceFrame) => void;

export function createPresence(
  store: Pick<Store, "presence" | "users">,
  clock: Clock,
  options: { flushMs?: number; logger?: Logger; registry?: PresenceRegistry } = {},
) {
  const flushMs = options.flushMs ?? PRESENCE_FLUSH_MS;
  const logger = options.logger ?? createLogger("warn");
  const registry = options.registry ?? createLocalRegistry();
  const changed = new Set<string>();
  /** Accounts created or changed since the last flush (the directory part of the next frame). */
  const announced = new Set<string>();
  /**
   * Last-seen times this process wrote or heard of (another process's user going offline),
   * so a frame never waits on the store for them.
   */
  const seenHere = new Map<string, number>();
  const writes = new Set<Promise<void>>();
  const listeners = new Set<PresenceListener>();
  const unsubscribeRegistry = registry.onChange((userId, { lastSeenAt }) => {
    if (lastSeenAt !== null) seenHere.set(userId, lastSeenAt);
    changed.add(userId);
  });
  let flushing: Promise<void> | null = null;

  const lastSeenAt = async (userId: string): Promise<number | null> =>
    seenHere.get(userId) ?? (await store.presence.lastSeen([userId])).get(userId) ?? null;

  const directoryEntries = async (userIds: string[]): Promise<UserSummary[]> => {
    const rows = await store.users.byIds(userIds);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      username: row.username,
      online: registry.isOnline(row.id),
      lastSeenAt: seenHere.get(row.id) ?? row.lastSeenAt,
    }));
  };

  const flushNow = async () => {
    if ((changed.size === 0 && announced.size === 0) || listeners.size === 0) {
      changed.clear();
      announced.clear();
      return;
    }
    const wentOnline = [...changed].filter((id) => registry.isOnline(id));
    const wentOffline = [...changed].filter((id) => !registry.isOnline(id));
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
      registry.add(userId);
    },

    /** A socket of `userId` closed; the last one on this process records last-seen. */
    disconnect(userId: string): void {
      const n = registry.here(userId);
      if (n === 0) return;
      const at = clock();
      if (n === 1) {
        seenHere.set(userId, at);
        const write = store.presence
          .setLastSeen(userId, at)
          .catch((err) => logger.error("could not record last seen", { user: userId, err: String(err) }))
          .finally(() => writes.delete(write));
        writes.add(write);
      }
      registry.remove(userId, at);
    },

    isOnline(userId: string): boolean {
      return registry.isOnline(userId);
    },

    /** Sockets of `userId` open on the other processes (the relay's per-user cap counts them). */
    socketsElsewhere(userId: string): number {
      return registry.elsewhere(userId);
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
      return registry.onlineUserIds();
    },

    /** Sends a full snapshot now, then coalesced changes; returns an unsubscribe function. */
    subscribe(listener: PresenceListener): () => void {
      listeners.add(listener);
      listener({ full: true, online: registry.onlineUserIds(), offline: [] });
      return () => listeners.delete(listener);
    },

    /** Sends pending changes now (tests, shutdown). */
    flush,

    /** Stops the timer and leaves the registry; resolves once last-seen writes have landed. */
    async close(): Promise<void> {
      clearInterval(timer);
      listeners.clear();
      unsubscribeRegistry();
      await registry.close();
      await Promise.all([...writes]);
    },
  };
}
