/**
 * better-auth's per-IP rate limits (AUTH_RATE_LIMITS in auth/auth.ts) counted in Redis, so
 * N processes behind one address allow what one would, not N times as much. better-auth
 * hands a custom storage one atomic `consume(key, rule)` per request; each rule (a window
 * and a maximum) gets a rate-limiter-flexible RateLimiterRedis with those numbers, a fixed
 * window from the first request, as better-auth's own memory store counts.
 *
 * Not better-auth's `secondaryStorage`: given one, better-auth also moves sessions out of
 * the database into it, and session liveness (auth/session-liveness.ts) reads the session
 * table. If Redis does not answer, the request is counted by an in-memory limiter of this
 * process (rate-limiter-flexible's insurance limiter) rather than refused.
 */
import type { BetterAuthOptions } from "better-auth";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RedisLink } from "./redis.js";

export type AuthRateLimitStorage = NonNullable<NonNullable<BetterAuthOptions["rateLimit"]>["customStorage"]>;

export function createRedisAuthRateLimitStorage(link: RedisLink): AuthRateLimitStorage {
  const limiters = new Map<string, RateLimiterRedis>();
  const limiterFor = (rule: { window: number; max: number }) => {
    const name = `${rule.window}:${rule.max}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      const numbers = { points: rule.max, duration: Math.max(1, Math.ceil(rule.window)) };
      limiter = new RateLimiterRedis({
        storeClient: link.client,
        keyPrefix: link.key(`auth-rate:${name}`),
        ...numbers,
        insuranceLimiter: new RateLimiterMemory(numbers),
      });
      limiters.set(name, limiter);
    }
    return limiter;
  };
  return {
    async consume(key, rule) {
      try {
        await limiterFor(rule).consume(key);
        return { allowed: true, retryAfter: null };
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        return { allowed: false, retryAfter: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
    },
  };
}
