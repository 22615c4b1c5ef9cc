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
 */
import type { Clock } from "../clock.js";
import type { Db } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { SessionLiveness } from "../relay/types.js";

/** SQLite's limit on bound parameters is far above this; chunks keep statements reusable. */
const IDS_PER_QUERY = 200;

interface SessionRow {
  id: string;
  createdAt: string | number;
  expiresAt: string | number;
}

export interface SessionTimes {
  createdAt: Date | string | number;
  expiresAt: Date | string | number;
}

export interface SessionLivenessOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Absolute session lifetime from sign-in, in ms. */
  absoluteMs: number;
}

export type SessionLifecycle = ReturnType<typeof createSessionLiveness>;

export function createSessionLiveness({ db, clock, logger, absoluteMs }: SessionLivenessOptions) {
  const listeners = new Set<(sessionIds: string[]) => void>();
  let pending: string[] = [];

  // better-auth reports deletions one row at a time; batch those of one tick.
  const flush = () => {
    const ids = [...new Set(pending)];
    pending = [];
    for (const listener of listeners) {
      try {
        listener(ids);
      } catch (err) {
        logger.error("session-ended listener failed", { err: String(err) });
      }
    }
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
  const end = (sessionIds: string[]) => {
    if (sessionIds.length === 0) return;
    const del = db.prepare(`DELETE FROM "session" WHERE id IN (${sessionIds.map(() => "?").join(",")})`);
    del.run(...sessionIds);
    ended(sessionIds);
  };

  const liveness: SessionLiveness = {
    alive(sessionIds: string[]): Set<string> {
      const now = clock();
      const live = new Set<string>();
      const dead: string[] = [];
      const unique = [...new Set(sessionIds)];
      for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
        const chunk = unique.slice(i, i + IDS_PER_QUERY);
        const rows = db
          .prepare<string[], SessionRow>(
            `SELECT id, createdAt, expiresAt FROM "session" WHERE id IN (${chunk.map(() => "?").join(",")})`,
          )
          .all(...chunk);
        for (const row of rows) isLive(row, now) ? live.add(row.id) : dead.push(row.id);
      }
      end(dead);
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
    /** Deletes sessions that must not be used any more and reports them. */
    end,
    /** True while a session may be used: not expired, and within the absolute lifetime by `clock`. */
    isLive: (s: SessionTimes) => isLive(s, clock()),
    /** Deletes every session past its expiry or absolute lifetime; returns how many. Call it now and then. */
    sweep(): number {
      const now = clock();
      const rows = db.prepare<[], SessionRow>(`SELECT id, createdAt, expiresAt FROM "session"`).all();
      const dead = rows.filter((r) => !isLive(r, now)).map((r) => r.id);
      for (let i = 0; i < dead.length; i += IDS_PER_QUERY) end(dead.slice(i, i + IDS_PER_QUERY));
      return dead.length;
    },
  };
}
