/**
 * Who has sockets open, per user: the one seam under presence.ts (online flags, presence
 * frames) and the relay's per-user socket cap. Two implementations: `createLocalRegistry`
 * (one process: a counter per user in memory) and `createRedisRegistry` (several processes:
 * every process's counters in Redis, kept alive by a heartbeat; redis-registry.ts).
 */

/** A user went online or offline over the whole deployment. */
export type PresenceChange = (userId: string, change: { online: boolean; lastSeenAt: number | null }) => void;

export interface PresenceRegistry {
  /** A socket of `userId` opened on this process. */
  add(userId: string): void;
  /** A socket of `userId` on this process closed at `at` (the last-seen time if it was the user's last anywhere). */
  remove(userId: string, at: number): void;
  /** Sockets of `userId` on this process. */
  here(userId: string): number;
  /** Sockets of `userId` on the other processes, as last heard (0 with one process). */
  elsewhere(userId: string): number;
  isOnline(userId: string): boolean;
  onlineUserIds(): string[];
  /** Calls `listener` when a user goes online or offline anywhere; returns an unsubscribe. */
  onChange(listener: PresenceChange): () => void;
  /** Takes this process's sockets out of the count (others hear it at once); resolves when done. */
  close(): Promise<void>;
}

/** Calls every listener, so one that throws does not keep the others from hearing. */
export function createChangeFeed() {
  const listeners = new Set<PresenceChange>();
  return {
    emit(userId: string, online: boolean, lastSeenAt: number | null) {
      for (const listener of listeners) listener(userId, { online, lastSeenAt });
    },
    subscribe(listener: PresenceChange): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** One process: a counter of sockets per user. */
export function createLocalRegistry(): PresenceRegistry {
  const sockets = new Map<string, number>();
  const feed = createChangeFeed();
  return {
    add(userId) {
      const n = sockets.get(userId) ?? 0;
      sockets.set(userId, n + 1);
      if (n === 0) feed.emit(userId, true, null);
    },
    remove(userId, at) {
      const n = sockets.get(userId) ?? 0;
      if (n > 1) return void sockets.set(userId, n - 1);
      sockets.delete(userId);
      // An extra remove (never added) changes nothing.
      if (n === 1) feed.emit(userId, false, at);
    },
    here: (userId) => sockets.get(userId) ?? 0,
    elsewhere: () => 0,
    isOnline: (userId) => sockets.has(userId),
    onlineUserIds: () => [...sockets.keys()],
    onChange: feed.subscribe,
    close: async () => {},
  };
}
