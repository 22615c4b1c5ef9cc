/**
 * A token bucket: a burst of `burst` actions, refilled at `perSecond`. Monotonic time
 * by default (rate limits must not move with the injectable wall clock).
 */
export interface TokenBucket {
  /** Takes one token; false when the bucket is empty. */
  take(): boolean;
  /** True when the bucket is full again (nothing to remember about its owner). */
  full(): boolean;
}

export function createTokenBucket(
  burst: number,
  perSecond: number,
  now: () => number = () => performance.now(),
): TokenBucket {
  let tokens = burst;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
    last = t;
  };
  return {
    take() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    full() {
      refill();
      return tokens >= burst;
    },
  };
}
