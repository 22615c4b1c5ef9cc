/**
 * A token bucket per connection: a burst of FRAME_BURST frames, refilled at
 * FRAMES_PER_SECOND. Far above what a person typing produces (one update and a few
 * awareness frames a second; a reconnect sends its whole backlog in one step 2), so
 * only floods hit it. Monotonic time, not the injectable wall clock.
 */
export const FRAME_BURST = 300;
export const FRAMES_PER_SECOND = 60;

export interface FrameBudget {
  /** Takes one frame's token; false when the bucket is empty. */
  take(): boolean;
}

export function createFrameBudget(
  burst = FRAME_BURST,
  perSecond = FRAMES_PER_SECOND,
  now: () => number = () => performance.now(),
): FrameBudget {
  let tokens = burst;
  let last = now();
  return {
    take() {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
