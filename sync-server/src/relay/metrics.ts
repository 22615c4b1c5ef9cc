/**
 * What the relay reports for monitoring. Optional: the relay and its adapter call these
 * hooks, metrics.ts implements them with prom-client; without one nothing is counted.
 */
import type { ErrorCode } from "@messenger/shared";

export interface RelayMetrics {
  /** One tick's transaction: how long it took, and whether it committed. */
  commit(ms: number, ok: boolean): void;
  /** A socket was accepted, or has closed. */
  socketOpened(): void;
  socketClosed(): void;
  /** An upgrade refused before any socket existed (401, 403, 404, 500), by error code. */
  upgradeRefused(code: ErrorCode): void;
  /** A frame the relay refused, closing its socket: the close code's name (WRITE_REJECTED, …). */
  frameRefused(reason: string): void;
  /** A commit lost to another process's (a cluster): sequence (caught up and retried), client or message. */
  commitConflict(kind: string): void;
}

export const NO_RELAY_METRICS: RelayMetrics = {
  commit() {},
  socketOpened() {},
  socketClosed() {},
  upgradeRefused() {},
  frameRefused() {},
  commitConflict() {},
};
