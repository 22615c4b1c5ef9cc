/**
 * Per-account throttling of failed sign-ins, whatever the IP (better-auth's rate
 * limiter is per IP and path; this one stops a distributed guess at one account).
 *
 * After MAX_FAILURES failures for one key within FAILURE_WINDOW_MS the key is locked
 * for BASE_LOCK_MS; every further failure after a lock locks again for twice as long,
 * up to MAX_LOCK_MS. A success forgets the key; so does a quiet FAILURE_WINDOW_MS after
 * the last lock ended. Attempts refused while locked are not failures (they never reach
 * the password check), so a lock does not extend itself.
 *
 * Two implementations of one seam: `createLoginThrottle` keeps the state in memory (one
 * process, and a restart merely forgives); `createRedisLoginThrottle` keeps it in Redis
 * (redis-login-throttle.ts), so failures spread over several processes lock the account
 * as they would on one. Both follow the rules above, step for step.
 */
import type { Clock } from "../clock.js";

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const BASE_LOCK_MS = 60 * 1000;
export const MAX_LOCK_MS = 60 * 60 * 1000;
/** Beyond this many keys, forgotten ones are pruned on the next failure. */
const PRUNE_ABOVE_KEYS = 10_000;

export interface LoginThrottleOptions {
  clock: Clock;
  maxFailures?: number;
  failureWindowMs?: number;
  baseLockMs?: number;
  maxLockMs?: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

interface KeyState {
  /** Times of recent failures, oldest first, while not yet locked. */
  failures: number[];
  /** How many locks so far; the next lock lasts baseLockMs * 2^locks. */
  locks: number;
  lockedUntil: number;
}

export interface LoginThrottle {
  /** Whether a sign-in for `key` may be attempted now. */
  check(key: string): Promise<ThrottleVerdict>;
  /** Records a failed sign-in (wrong password, unknown account). */
  fail(key: string): Promise<void>;
  /** Records a successful sign-in: the key starts afresh. */
  succeed(key: string): Promise<void>;
}

export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const {
    clock,
    maxFailures = MAX_FAILURES,
    failureWindowMs = FAILURE_WINDOW_MS,
    baseLockMs = BASE_LOCK_MS,
    maxLockMs = MAX_LOCK_MS,
  } = options;
  const states = new Map<string, KeyState>();

  /** The state of `key` at `now`, or undefined once it has been forgotten. */
  const current = (key: string, now: number): KeyState | undefined => {
    const state = states.get(key);
    if (!state) return undefined;
    const lastEvent = Math.max(state.lockedUntil, state.failures.at(-1) ?? 0);
    if (now - lastEvent >= failureWindowMs) {
      states.delete(key);
      return undefined;
    }
    state.failures = state.failures.filter((t) => now - t < failureWindowMs);
    return state;
  };

  const prune = (now: number) => {
    if (states.size <= PRUNE_ABOVE_KEYS) return;
    for (const key of [...states.keys()]) current(key, now);
  };

  return {
    async check(key) {
      const now = clock();
      const state = current(key, now);
      if (state && state.lockedUntil > now) return { allowed: false, retryAfterMs: state.lockedUntil - now };
      return { allowed: true };
    },

    async fail(key) {
      const now = clock();
      prune(now);
      const state = current(key, now) ?? { failures: [], locks: 0, lockedUntil: 0 };
      states.set(key, state);
      state.failures.push(now);
      if (state.locks > 0 || state.failures.length >= maxFailures) {
        state.lockedUntil = now + Math.min(baseLockMs * 2 ** state.locks, maxLockMs);
        state.locks += 1;
        state.failures = [];
      }
    },

    async succeed(key) {
      states.delete(key);
    },
  };
}
