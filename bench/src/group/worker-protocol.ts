/**
 * Commands the group bench sends to its client processes over IPC, and their replies (the
 * framing is the scale bench's: `forkWorkers` in scale/client-pool.ts).
 *
 *   setup    the group document and the members this worker holds (each a writer and a reader)
 *   connect  open every member, `concurrency` upgrades in flight; answer once all synced
 *   pace     open loop: `perSecond` messages over `durationMs`, each by a random member of this
 *            worker, tagged with `phase` and the send time; answer once every member here saw
 *            every message of the phase (all workers' `phaseMessages`), or `drainMs` after the last write
 *   close    close every socket for good
 */
import type { Writer } from "../relay/scenario.js";
import type { Protocol } from "../scale/light-client.js";
import type { SyncReport } from "../scale/worker-protocol.js";

export type GroupCommand =
  | { cmd: "setup"; protocol: Protocol; url: string; room: string; members: Writer[] }
  | { cmd: "connect"; concurrency: number; timeoutMs: number }
  | { cmd: "pace"; phase: number; perSecond: number; durationMs: number; phaseMessages: number; drainMs: number }
  | { cmd: "close" };

export type { SyncReport };

/** One paced phase of one worker. */
export interface GroupPhaseReport {
  /** Messages this worker's members wrote. */
  sent: number;
  /** Deliveries to this worker's members: (message, member other than its author) pairs seen. */
  delivered: number;
  /** Deliveries this worker's members should see: phaseMessages x members - their own messages. */
  expected: number;
  /** ms (wall clock, shared by the processes) from the first write to the last delivery here. */
  spanMs: number;
  /** Delivery latency in ms, one per delivery (write in any worker → decoded by a member here). */
  samples: number[];
  closes: string[];
}
