/**
 * The per-account sign-in throttle (login-throttle.ts) with its state in Redis, so every
 * process of a deployment counts the same failures. One key per throttle key holds the
 * state as JSON; a Lua script reads and changes it in one step (two processes recording a
 * failure at once both count), and the key expires a failure window after its last event,
 * as the memory version forgets it. Time comes from the caller's clock, like the memory
 * version's. If Redis does not answer, the process falls back to its own memory throttle
 * rather than refuse every sign-in.
 */
import type { Redis } from "ioredis";
import type { RedisLink } from "../cluster/redis.js";
import type { Logger } from "../logger.js";
import {
  BASE_LOCK_MS,
  createLoginThrottle,
  FAILURE_WINDOW_MS,
  type LoginThrottle,
  type LoginThrottleOptions,
  MAX_FAILURES,
  MAX_LOCK_MS,
  type ThrottleVerdict,
} from "./login-throttle.js";

/**
 * KEYS[1] the state; ARGV: op ("check" | "fail"), now, maxFailures, failureWindowMs,
 * baseLockMs, maxLockMs. State: { f = failure times while not locked, l = locks so far,
 * u = locked until }. "check" answers the ms left of a lock (0 = allowed).
 */
const SCRIPT = `
local now, maxFailures, window = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local baseLock, maxLock = tonumber(ARGV[5]), tonumber(ARGV[6])
local raw = redis.call('GET', KEYS[1])
local s = nil
if raw then
  s = cjson.decode(raw)
  local last = math.max(s.u, s.f[#s.f] or 0)
  if now - last >= window then
    s = nil
  else
    local kept = {}
    for _, t in ipairs(s.f) do if now - t < window then kept[#kept + 1] = t end end
    s.f = kept
  end
end
if ARGV[1] == 'check' then
  if s and s.u > now then return s.u - now end
  return 0
end
if not s then s = { f = {}, l = 0, u = 0 } end
s.f[#s.f + 1] = now
if s.l > 0 or #s.f >= maxFailures then
  s.u = now + math.min(baseLock * 2 ^ s.l, maxLock)
  s.l = s.l + 1
  s.f = {}
end
local last = math.max(s.u, s.f[#s.f] or 0)
redis.call('SET', KEYS[1], cjson.encode(s), 'PX', math.max(1, last + window - now))
return 0
`;

type ThrottleRedis = Redis & {
  loginThrottle(key: string, op: "check" | "fail", ...args: number[]): Promise<number>;
};

export function createRedisLoginThrottle(
  link: RedisLink,
  options: LoginThrottleOptions & { logger: Logger },
): LoginThrottle {
  const {
    clock,
    logger,
    maxFailures = MAX_FAILURES,
    failureWindowMs = FAILURE_WINDOW_MS,
    baseLockMs = BASE_LOCK_MS,
    maxLockMs = MAX_LOCK_MS,
  } = options;
  const redis = link.client as ThrottleRedis;
  if (typeof redis.loginThrottle !== "function") redis.defineCommand("loginThrottle", { numberOfKeys: 1, lua: SCRIPT });
  const fallback = createLoginThrottle(options);
  const keyOf = (key: string) => link.key(`login-throttle:${key}`);
  const run = (key: string, op: "check" | "fail") =>
    redis.loginThrottle(keyOf(key), op, clock(), maxFailures, failureWindowMs, baseLockMs, maxLockMs);
  const unreachable = (err: unknown) =>
    logger.warn("login throttle: Redis does not answer, counting in this process", { err: String(err) });

  return {
    async check(key): Promise<ThrottleVerdict> {
      try {
        const left = Number(await run(key, "check"));
        return left > 0 ? { allowed: false, retryAfterMs: left } : { allowed: true };
      } catch (err) {
        unreachable(err);
        return fallback.check(key);
      }
    },
    async fail(key) {
      try {
        await run(key, "fail");
      } catch (err) {
        unreachable(err);
        await fallback.fail(key);
      }
    },
    async succeed(key) {
      await fallback.succeed(key);
      try {
        await redis.del(keyOf(key));
      } catch (err) {
        unreachable(err);
      }
    },
  };
}
