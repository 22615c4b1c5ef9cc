/**
 * Which sessions are alive, read straight from better-auth's `session` table, and a
 * feed of sessions that ended, so the relay can close their sockets at once.
 *
 * A session is alive while it is not expired (sliding, `expiresAt`, on real time like
 * better-auth itself) and younger than the absolute lifetime (from `createdAt`, on the
 * injected clock). better-auth knows only the first rule; this module enforces the second
 * wherever it looks a session up: a session past it is deleted and reported ended.
 *
 * Sessions that better-auth deletes (sign-out, revoke-session, revoke-sessions,
 * revoke-other-sessions, sign-in rotation) are reported through `ended`, called from
 * its `databaseHooks.session.delete.after` (see auth.ts).
 *
 * With several processes, sessions ended here are also handed to `onEndedHere` listeners
 * (cluster/auth-events.ts publishes them), and those another process ended come back in
 * through `endedElsewhere`: the same listeners hear them, so every process closes the
 * session's sockets and forgets its cached upgrades, and nothing is published twice.
 */
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { SessionLiveness } from "../relay/types.js";
import type { SessionStore } from "../store/types.js";

export interface SessionTimes {
  createdAt: Date | string | number;
  expiresAt: Date | string | number;
}

export interface SessionLivenessOptions {
  sessions: SessionStore;
  clock: Clock;
  logger: Logger;
  /** Absolute session lifetime from sign-in, in ms. */
  absoluteMs: number;
}

export type SessionLifecycle = ReturnType<typeof createSessionLiveness>;

export function createSessionLiveness({ sessions, clock, logger, absoluteMs }: SessionLivenessOptions) {
  const listeners = new Set<(sessionIds: string[]) => void>();
  const hereListeners = new Set<(sessionIds: string[]) => void>();
  let pending: string[] = [];

  const tell = (ids: string[], to: Iterable<(sessionIds: string[]) => void>) => {
    for (const listener of to) {
      try {
        listener(ids);
      } catch (err) {
        logger.error("session-ended listener failed", { err: String(err) });
      }
    }
  };

  // better-auth reports deletions one row at a time; batch those of one tick.
  const flush = () => {
    const ids = [...new Set(pending)];
    pending = [];
    tell(ids, listeners);
    tell(ids, hereListeners);
  };

  const ended = (sessionIds: string[]) => {
    if (sessionIds.length === 0) return;
    if (pending.length === 0) queueMicrotask(flush);
    pending.push(...sessionIds);
  };

  // Sliding expiry is better-auth's rule and runs on its clock (Date.now), as it does when it
  // refreshes `expiresAt`; the absolute lifetime is ours and runs on the injected clock.
  const isLive = (s: SessionTimes, now: number) =>
    new Date(s.expiresAt).getTime() > Date.now() && now - new Date(s.createdAt).getTime() < absoluteMs;

  /** Deletes sessions past their absolute lifetime or expired, and reports them ended. */
  const end = async (sessionIds: string[]) => {
    if (sessionIds.length === 0) return;
    await sessions.delete(sessionIds);
    ended(sessionIds);
  };

  const liveness: SessionLiveness = {
    async alive(sessionIds: string[]): Promise<Set<string>> {
      const now = clock();
      const live = new Set<string>();
      const dead: string[] = [];
      for (const row of await sessions.times(sessionIds)) isLive(row, now) ? live.add(row.id) : dead.push(row.id);
      await end(dead);
      return live;
    },

    onEnded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  return {
    liveness,
    /** Reports sessions better-auth already deleted. */
    ended,
    /** Sessions another process ended: told to `liveness.onEnded` listeners, not to `onEndedHere`. */
    endedElsewhere(sessionIds: string[]): void {
      if (sessionIds.length > 0) tell(sessionIds, listeners);
    },
    /** Subscribes to the sessions this process ended (to tell the others); returns an unsubscribe. */
    onEndedHere(listener: (sessionIds: string[]) => void): () => void {
      hereListeners.add(listener);
      return () => hereListeners.delete(listener);
    },
    /** Deletes sessions that must not be used any more and reports them. */
    end,
    /** True while a session may be used: not expired, and within the absolute lifetime by `clock`. */
    isLive: (s: SessionTimes) => isLive(s, clock()),
    /** Deletes every session past its expiry or absolute lifetime; returns how many. Call it now and then. */
    async sweep(): Promise<number> {
      const now = clock();
      const dead = (await sessions.all()).filter((r) => !isLive(r, now)).map((r) => r.id);
      await end(dead);
      return dead.length;
    },
  };
}
