/**
 * The group bench's client side: CLIENT_PROCESSES forked processes (client-worker.ts), the
 * group's members dealt round-robin over them, so neither process holds more than half of the
 * readers. Every command goes to all of them; the answer is theirs merged.
 */
import path from "node:path";
import { REPO_ROOT } from "../lib/processes.js";
import { forkWorkers } from "../scale/client-pool.js";
import type { Protocol } from "../scale/light-client.js";
import type { GroupRoom } from "../scale-provision.js";
import type { GroupCommand, GroupPhaseReport, SyncReport } from "./worker-protocol.js";

export interface GroupClients {
  setup(protocol: Protocol, url: string, group: GroupRoom): Promise<void>;
  connect(concurrency: number, timeoutMs: number): Promise<SyncReport>;
  /** `perSecond` in total, split evenly over the processes; `phase` tags the messages. */
  pace(phase: number, perSecond: number, durationMs: number, drainMs: number): Promise<GroupPhaseReport>;
  close(): Promise<void>;
  /** CPU ms used so far by all client processes. */
  cpuMs(): number;
  readonly processes: number;
  stop(): Promise<void>;
}

export function startGroupClients(): GroupClients {
  const pool = forkWorkers<GroupCommand>(path.join(REPO_ROOT, "bench/src/group/client-worker.ts"));
  return {
    processes: pool.count,
    async setup(protocol, url, group) {
      await pool.all(
        (i) => ({
          cmd: "setup",
          protocol,
          url,
          room: group.name,
          members: group.members.filter((_, m) => m % pool.count === i),
        }),
        0,
      );
    },
    async connect(concurrency, timeoutMs) {
      const rs = await pool.all<SyncReport>(() => ({ cmd: "connect", concurrency, timeoutMs }), timeoutMs);
      return { missing: rs.reduce((n, r) => n + r.missing, 0), closes: rs.flatMap((r) => r.closes) };
    },
    async pace(phase, perSecond, durationMs, drainMs) {
      const each = perSecond / pool.count;
      // What every worker writes (its own rounding of the same share): each reader's expected count.
      const phaseMessages = pool.count * Math.round((each * durationMs) / 1000);
      const rs = await pool.all<GroupPhaseReport>(
        () => ({ cmd: "pace", phase, perSecond: each, durationMs, phaseMessages, drainMs }),
        durationMs + drainMs,
      );
      return {
        sent: rs.reduce((n, r) => n + r.sent, 0),
        delivered: rs.reduce((n, r) => n + r.delivered, 0),
        expected: rs.reduce((n, r) => n + r.expected, 0),
        spanMs: Math.max(...rs.map((r) => r.spanMs)),
        samples: rs.flatMap((r) => r.samples),
        closes: rs.flatMap((r) => r.closes),
      };
    },
    async close() {
      await pool.all(() => ({ cmd: "close" }), 0);
    },
    cpuMs: () => pool.cpuMs(),
    stop: () => pool.stop(),
  };
}
