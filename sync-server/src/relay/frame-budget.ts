/**
 * The frame budget of one connection: a burst of FRAME_BURST frames, refilled at
 * FRAMES_PER_SECOND. Far above what a person typing produces (one update and a few
 * awareness frames a second; a reconnect sends its whole backlog in one step 2), so
 * only floods hit it.
 */
import { createTokenBucket, type TokenBucket } from "../token-bucket.js";

export const FRAME_BURST = 300;
export const FRAMES_PER_SECOND = 60;

export function createFrameBudget(now?: () => number): TokenBucket {
  return createTokenBucket(FRAME_BURST, FRAMES_PER_SECOND, now);
}
