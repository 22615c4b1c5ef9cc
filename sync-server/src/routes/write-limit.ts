/**
 * Per-user rate limit on REST writes (creating conversations, posting messages), so one
 * account or bot cannot flood the database. Reads are not limited. better-auth limits
 * its own routes per IP; the relay limits frames per socket.
 */
import type { MiddlewareHandler } from "hono";
import type { SessionVariables } from "../auth/require-session.js";
import { AppError } from "../errors.js";
import { createTokenBucket, type TokenBucket } from "../token-bucket.js";

export const WRITE_BURST = 30;
export const WRITES_PER_SECOND = 5;
/** Above this many tracked users, buckets that have refilled are forgotten. */
const MAX_TRACKED_USERS = 10_000;
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function writeLimit(
  options: { burst?: number; perSecond?: number; now?: () => number } = {},
): MiddlewareHandler<{ Variables: SessionVariables }> {
  const burst = options.burst ?? WRITE_BURST;
  const perSecond = options.perSecond ?? WRITES_PER_SECOND;
  const buckets = new Map<string, TokenBucket>();
  return async function writeLimit(c, next) {
    if (!WRITE_METHODS.has(c.req.method)) return next();
    const userId = c.get("user").id;
    let bucket = buckets.get(userId);
    if (!bucket) {
      if (buckets.size >= MAX_TRACKED_USERS) for (const [id, b] of buckets) if (b.full()) buckets.delete(id);
      bucket = createTokenBucket(burst, perSecond, options.now);
      buckets.set(userId, bucket);
    }
    if (!bucket.take()) {
      c.header("Retry-After", String(Math.ceil(1 / perSecond)));
      throw new AppError("RATE_LIMITED");
    }
    await next();
  };
}
