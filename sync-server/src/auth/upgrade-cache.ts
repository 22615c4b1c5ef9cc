/**
 * The sessions behind recent socket upgrades, so a reconnecting client (a tab's six
 * sockets, a reconnect storm after a deploy) does not cost a session query and an HMAC per
 * socket. An entry lives UPGRADE_CACHE_MS at most, is checked against the session's
 * expiry and absolute lifetime on every hit, and is dropped the moment the session ends
 * (sign-out, revocation, the sweep): `forget` is wired to the session-ended feed.
 */
import type { SocketUser } from "../relay/types.js";
import type { SessionTimes } from "./session-liveness.js";

/** How long an upgrade's session is trusted without asking the store again. */
export const UPGRADE_CACHE_MS = 30_000;
/** Entries kept at most (oldest dropped first). */
export const UPGRADE_CACHE_MAX = 20_000;

interface Entry {
  user: SocketUser;
  times: SessionTimes;
  until: number;
}

export function createUpgradeCache(options: { now: () => number; isLive: (times: SessionTimes) => boolean }) {
  const entries = new Map<string, Entry>();
  const keysBySession = new Map<string, Set<string>>();

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const keys = keysBySession.get(entry.user.sessionId);
    keys?.delete(key);
    if (keys?.size === 0) keysBySession.delete(entry.user.sessionId);
  };

  return {
    /** The credentials of an upgrade (bearer token and cookies) as one key. */
    keyOf(headers: Headers): string | null {
      const authorization = headers.get("authorization") ?? "";
      const cookie = headers.get("cookie") ?? "";
      return authorization === "" && cookie === "" ? null : `${authorization}\n${cookie}`;
    },

    get(key: string): SocketUser | null {
      const entry = entries.get(key);
      if (!entry) return null;
      if (entry.until <= options.now() || !options.isLive(entry.times)) {
        drop(key);
        return null;
      }
      return entry.user;
    },

    set(key: string, user: SocketUser, times: SessionTimes): void {
      drop(key);
      if (entries.size >= UPGRADE_CACHE_MAX) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) drop(oldest);
      }
      entries.set(key, { user, times, until: options.now() + UPGRADE_CACHE_MS });
      let keys = keysBySession.get(user.sessionId);
      if (!keys) {
        keys = new Set();
        keysBySession.set(user.sessionId, keys);
      }
      keys.add(key);
    },

    /** These sessions ended: no upgrade may ride them any more. */
    forget(sessionIds: Iterable<string>): void {
      for (const id of sessionIds) for (const key of [...(keysBySession.get(id) ?? [])]) drop(key);
    },

    /** The account changed (a new name): its sockets' next upgrades read it again. */
    forgetUser(userId: string): void {
      for (const [key, entry] of entries) if (entry.user.id === userId) drop(key);
    },

    get size(): number {
      return entries.size;
    },
  };
}
