/**
 * Commands the scale bench sends to its client processes over IPC, and their replies.
 * Every command carries a sequence number; the worker answers each with the same one.
 *
 *   setup      the rooms this worker drives (both clients of a room in one worker: one clock)
 *   connect    open every writer, `concurrency` upgrades in flight; answer once all synced
 *   pace       open loop: `perSecond` messages over `durationMs`, round-robin over the writers
 *   saturate   closed loop: each writer keeps `window` messages in flight for `durationMs`
 *   drop       every writer's socket dropped and reopened at once; answer once all resynced
 *   resync     answer once every writer synced again after this command (a server restart)
 *   idle       open idle sockets (sync only) until this worker holds `total`; answer once synced
 *   closeIdle  close the idle sockets for good
 *   close      close every socket for good
 */
import type { Room } from "../relay/scenario.js";
import type { Protocol } from "./light-client.js";

export type Command =
  | { cmd: "setup"; protocol: Protocol; url: string; rooms: Room[] }
  | { cmd: "connect"; concurrency: number; timeoutMs: number }
  | { cmd: "pace"; perSecond: number; durationMs: number; drainMs: number }
  | { cmd: "saturate"; window: number; durationMs: number; drainMs: number }
  | { cmd: "drop"; timeoutMs: number }
  | { cmd: "resync"; timeoutMs: number }
  | { cmd: "idle"; total: number; concurrency: number; timeoutMs: number }
  | { cmd: "closeIdle" }
  | { cmd: "close" };

/** What a connect, drop, resync or idle command achieved. */
export interface SyncReport {
  /** Sockets that did not (re)sync before the timeout. */
  missing: number;
  /** How sockets ended or failed meanwhile: close codes, "error ECONNREFUSED", ... */
  closes: string[];
}

/** One message phase of one worker. */
export interface PhaseReport {
  sent: number;
  delivered: number;
  /** ms from the first write to the last delivery. */
  spanMs: number;
  /** Delivery latency in ms (write → the other client decoded it), one per delivered message. */
  samples: number[];
  closes: string[];
}

export type Reply = { seq: number } & ({ ok: true } | SyncReport | PhaseReport | { error: string });

export type Request = { seq: number } & Command;
