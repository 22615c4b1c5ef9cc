/**
 * Token buckets kept per user, so a limit follows the account whatever the transport
 * and however many sockets it opens (a client that reconnects after each close must not
 * get a fresh burst each time). The write budget is one: REST writes
 * (routes/write-limit.ts) and messages written over sockets (relay/connection.ts) take
 * from the same bucket, so a bot cannot get around the REST limit by switching to a socket.
 */
import { createTokenBucket, type TokenBucket } from "./token-bucket.js";

export const WRITE_BURST = 30;
export const WRITES_PER_SECOND = 5;
/** Above this many tracked users, buckets that have refilled are forgotten. */
const MAX_TRACKED_USERS = 10_000;

export interface UserBudget {
  /** Takes `count` from `userId`'s bucket; false when it is empty. */
  take(userId: string, count?: number): boolean;
  /** True when `userId` has at least one left (takes nothing). */
  available(userId: string): boolean;
  /** Seconds until one more is available again, for Retry-After. */
  readonly retryAfterSeconds: number;
}
/** The budget REST writes and socket messages share. */
export type WriteBudget = UserBudget;

export function createUserBudget(options: { burst: number; perSecond: number; now?: () => number }): UserBudget {
  const { burst, perSecond } = options;
  const buckets = new Map<string, TokenBucket>();
  const bucketOf = (userId: string): TokenBucket => {
    let bucket = buckets.get(userId);
    if (!bucket) {
      if (buckets.size >= MAX_TRACKED_USERS) for (const [id, b] of buckets) if (b.full()) buckets.delete(id);
      bucket = createTokenBucket(burst, perSecond, options.now);
      buckets.set(userId, bucket);
    }
    return bucket;
  };
  return {
    take: (userId, count = 1) => bucketOf(userId).take(count),
    available: (userId) => buckets.get(userId)?.available() ?? true,
    retryAfterSeconds: Math.ceil(1 / perSecond),
  };
}

export function createWriteBudget(
  options: { burst?: number; perSecond?: number; now?: () => number } = {},
): WriteBudget {
  return createUserBudget({
    burst: options.burst ?? WRITE_BURST,
    perSecond: options.perSecond ?? WRITES_PER_SECOND,
    now: options.now,
  });
}
