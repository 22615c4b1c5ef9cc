/**
 * What one user or one socket may cost the relay. Each limit is a config value
 * (config.ts, RELAY_* variables) with the default below; docs/architecture.md § Limits
 * and docs/protocol.md list what a client sees when one trips. Honest clients never
 * come near them; a retryable one (1013) makes a client reconnect and resync.
 */
import { WRITE_BURST, WRITES_PER_SECOND } from "../write-budget.js";

export interface RelayLimits {
  /** Open sockets per session (a tab holds the inbox plus a conversation's live segments). */
  socketsPerSession: number;
  /** Open sockets per user, over all sessions and devices. */
  socketsPerUser: number;
  /** Bytes a socket may have queued unsent before it is deemed not reading and dropped. */
  bufferedHighWaterBytes: number;
  /** Distinct awareness client ids one socket may publish. */
  awarenessIdsPerSocket: number;
  /** Socket upgrades per user: a burst, then a steady rate (a reconnect loop pays here). */
  upgradesBurst: number;
  upgradesPerSecond: number;
  /** Sync step 1 requests per user, over all its sockets: a burst, then a steady rate. */
  syncStep1Burst: number;
  syncStep1PerSecond: number;
  /** Frames per user, over all its sockets: a burst, then a steady rate. */
  framesBurst: number;
  framesPerSecond: number;
  /**
   * Updates per user whose outcome yjs' conflict resolution decides, so the validator proves
   * them on a copy of the segment (concurrent values for one message): a burst, then a rate.
   */
  trialsBurst: number;
  trialsPerSecond: number;
  /** Writes per user (REST writes and messages over sockets, one budget): a burst, then a rate. */
  writeBurst: number;
  writesPerSecond: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  socketsPerSession: 32,
  socketsPerUser: 64,
  bufferedHighWaterBytes: 2 * 1024 * 1024,
  awarenessIdsPerSocket: 4,
  upgradesBurst: 30,
  upgradesPerSecond: 2,
  syncStep1Burst: 30,
  syncStep1PerSecond: 2,
  framesBurst: 600,
  framesPerSecond: 120,
  trialsBurst: 20,
  trialsPerSecond: 2,
  writeBurst: WRITE_BURST,
  writesPerSecond: WRITES_PER_SECOND,
};
