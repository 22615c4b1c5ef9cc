/**
 * A token bucket: a burst of `burst` actions, refilled at `perSecond`. Monotonic time
 * by default (rate limits must not move with the injectable wall clock).
 */
export interface TokenBucket {
  /**
   * Takes `count` tokens (default 1); false when the bucket is empty. A count larger than
   * what is left is granted while at least one token remains and leaves a debt that the
   * refill pays first, so a big batch (an offline backlog) goes through once and then
   * waits, instead of never fitting in the burst.
   */
  take(count?: number): boolean;
  /** True when at least one token is left (nothing is taken). */
  available(): boolean;
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
    take(count = 1) {
      refill();
      if (tokens < 1) return false;
      tokens -= count;
      return true;
    },
    available() {
      refill();
      return tokens >= 1;
    },
    full() {
      refill();
      return tokens >= burst;
    },
  };
}
