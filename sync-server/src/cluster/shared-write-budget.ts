/**
 * The per-user write budget (write-budget.ts) shared by every process of a deployment.
 *
 * `take` stays synchronous: the relay asks it for every message, on its hot path. So each
 * process keeps its own token bucket per user, exactly as with one process, and also charges
 * every write it admitted to a Redis limiter (rate-limiter-flexible's RateLimiterRedis:
 * `burst` writes per window of burst / perSecond seconds, the same burst and long-run rate)
 * in the background, at most one round trip per user per tick. When Redis answers that the
 * user has spent the window's budget, the process blocks the user until the window ends
 * and tells every other process on the bus, which block the user too.
 *
 * Overshoot bound: writes admitted between the moment the shared budget runs out and the
 * block reaching a process (one Redis round trip plus one bus hop, a few ms) are not
 * refused, and no process ever admits more than its own bucket holds. So a user writing
 * through one process at a time, or moving between processes, gets no more than with one
 * process (plus what arrives in that round trip); a user flooding N processes in the very
 * same instant can get at most N × burst in the first window, and no more than the shared
 * budget in every window after it. Unlike the single bucket, a user who spent a whole burst
 * waits for the window to end rather than trickling at `perSecond`. If Redis does not
 * answer, each process's own bucket still applies.
 */
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Logger } from "../logger.js";
import { createUserBudget, type WriteBudget } from "../write-budget.js";
import { type ClusterBus, decodeJson, encodeJson } from "./bus.js";
import type { RedisLink } from "./redis.js";

const TOPIC = "write-budget-spent";
/** Above this many blocked users, blocks that ended are forgotten. */
const MAX_BLOCKED_USERS = 10_000;

export interface SharedWriteBudgetOptions {
  link: RedisLink;
  bus: ClusterBus;
  logger: Logger;
  burst: number;
  perSecond: number;
  /** Wall-clock time shared by the processes (a block's end travels as a time). */
  now?: () => number;
}

export function createSharedWriteBudget(options: SharedWriteBudgetOptions): WriteBudget & { close(): void } {
  const { link, bus, logger, burst, perSecond } = options;
  const now = options.now ?? Date.now;
  const local = createUserBudget({ burst, perSecond });
  const limiter = new RateLimiterRedis({
    storeClient: link.client,
    keyPrefix: link.key("write-budget"),
    points: burst,
    // Whole seconds: the store counts its windows in seconds.
    duration: Math.max(1, Math.ceil(burst / perSecond)),
  });
  /** Users who spent the shared budget, until when. */
  const blocked = new Map<string, number>();
  /** Writes admitted this tick and not yet charged, per user. */
  const uncharged = new Map<string, number>();
  let charging: NodeJS.Immediate | null = null;

  const isBlocked = (userId: string) => {
    const until = blocked.get(userId);
    if (until === undefined) return false;
    if (until > now()) return true;
    blocked.delete(userId);
    return false;
  };
  const block = (userId: string, until: number) => {
    if (blocked.size >= MAX_BLOCKED_USERS) for (const id of [...blocked.keys()]) isBlocked(id);
    if ((blocked.get(userId) ?? 0) < until) blocked.set(userId, until);
  };

  const charge = () => {
    charging = null;
    for (const [userId, points] of uncharged) {
      limiter.consume(userId, points).then(
        (res) => {
          // Exactly spent: the next write would be refused, so refuse it here already.
          if (res.remainingPoints <= 0) spent(userId, res);
        },
        (err: unknown) => {
          if (err instanceof RateLimiterRes) spent(userId, err);
          else logger.warn("write budget: Redis does not answer, counting in this process", { err: String(err) });
        },
      );
    }
    uncharged.clear();
  };
  const spent = (userId: string, res: RateLimiterRes) => {
    const until = now() + res.msBeforeNext;
    block(userId, until);
    bus.publish(TOPIC, encodeJson([userId, until]));
  };

  const subscription = bus.subscribe(TOPIC, (payload) => {
    const [userId, until] = decodeJson(payload) as [string, number];
    if (typeof userId === "string" && typeof until === "number") block(userId, until);
  });

  return {
    take(userId, count = 1) {
      if (isBlocked(userId) || !local.take(userId, count)) return false;
      uncharged.set(userId, (uncharged.get(userId) ?? 0) + count);
      charging ??= setImmediate(charge);
      return true;
    },
    available: (userId) => !isBlocked(userId) && local.available(userId),
    retryAfterSeconds: local.retryAfterSeconds,
    close() {
      subscription.close();
      if (charging) clearImmediate(charging);
    },
  };
}
