/**
 * Reconnect backoff with jitter. y-websocket waits min(2^n × 100 ms, maxBackoffTime)
 * after the n-th failed attempt; setting maxBackoffTime from its `connection-close`
 * handler (emitted just before that wait is computed) lets us spread the reconnects
 * of many clients after a server restart instead of having them arrive in lockstep.
 */
export const MAX_BACKOFF_MS = 10_000;
const BASE_MS = 100;

/** The wait before attempt `failures` (≥ 1): exponential, capped, then scaled by 50–100%. */
export function jitteredBackoff(failures: number, random: () => number = Math.random): number {
  const exponential = Math.min(2 ** Math.max(1, failures) * BASE_MS, MAX_BACKOFF_MS);
  return Math.round(exponential * (0.5 + random() * 0.5));
}
