/**
 * One round of the group bench on one server: a fresh process (ours: on a fresh copy of the
 * provisioned store), then
 *
 *   connect   every member opens the group document and syncs
 *   warm-up   a short paced run at the same rate, not reported (JIT, first commits)
 *   paced     `perSecond` messages in total for `durationMs`, each by a random member: every
 *             delivery's latency (write → each other member decoded it), server CPU per
 *             1,000 messages and per 1,000 deliveries
 */
import { isWarning } from "../cluster/targets.js";
import { percentile } from "../lib/stats.js";
import { load, quiet } from "../scale/measure.js";
import { CONNECT_CONCURRENCY, DRAIN_MS } from "../scale/round.js";
import type { ScaleServer } from "../scale/servers.js";
import type { GroupRoom } from "../scale-provision.js";
import type { GroupClients } from "./clients.js";

/** How long the members may take to open and sync. */
const SYNC_TIMEOUT_MS = 60_000;
/** Server log lines kept per round, for the report. */
const LOG_LINES_KEPT = 200;

export interface GroupOptions {
  rounds: number;
  members: number;
  perSecond: number;
  durationMs: number;
  warmupMs: number;
}

export interface GroupTarget {
  name: string;
  group: GroupRoom;
  /** A fresh process (ours: on a fresh copy of the store). */
  start(): Promise<ScaleServer>;
  dispose(): Promise<void>;
}

export interface GroupRoundResult {
  server: string;
  round: number;
  /** Wall time of the whole round on this server, start to stop. */
  seconds: number;
  code: string | null;
  connectMs: number;
  connectMissing: number;
  sent: number;
  deliveries: number;
  /** Deliveries that did not happen within the drain: (sent x (members - 1)) - deliveries. */
  lost: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Delivered per second over the phase (first write → last delivery). */
  deliveriesPerSecond: number;
  serverCpuMs: number;
  cpuPer1kMessages: number;
  cpuPer1kDeliveries: number;
  /** Client processes' CPU over the phase, % of their cores. */
  clientCpuPercent: number;
  rssAfterBytes: number;
  load: number;
  closes: string[];
  /** Warnings and errors the server printed during the round. */
  logs: string[];
}

export async function runGroupRound(
  target: GroupTarget,
  clients: GroupClients,
  o: GroupOptions,
  round: number,
): Promise<GroupRoundResult> {
  const t0 = performance.now();
  const server = await target.start();
  let measured: Omit<GroupRoundResult, "server" | "round" | "seconds" | "code" | "logs">;
  try {
    await quiet(server);
    await clients.setup(server.protocol, server.url, target.group);
    const c0 = performance.now();
    const connect = await clients.connect(CONNECT_CONCURRENCY, SYNC_TIMEOUT_MS);
    const connectMs = performance.now() - c0;
    await clients.pace(0, o.perSecond, o.warmupMs, DRAIN_MS);
    await quiet(server);

    const cpu0 = server.cpuMs();
    const client0 = clients.cpuMs();
    const wall0 = performance.now();
    const r = await clients.pace(1, o.perSecond, o.durationMs, DRAIN_MS);
    const wallMs = performance.now() - wall0;
    const serverCpuMs = server.cpuMs() - cpu0;
    const clientCpuMs = clients.cpuMs() - client0;
    const rssAfterBytes = server.rss();
    await clients.close();
    const sorted = Array.from(Float64Array.from(r.samples).sort());
    measured = {
      connectMs,
      connectMissing: connect.missing,
      sent: r.sent,
      deliveries: r.delivered,
      lost: r.sent * (target.group.members.length - 1) - r.delivered,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      deliveriesPerSecond: r.spanMs > 0 ? (r.delivered / r.spanMs) * 1000 : Number.NaN,
      serverCpuMs,
      cpuPer1kMessages: r.sent > 0 ? (serverCpuMs / r.sent) * 1000 : Number.NaN,
      cpuPer1kDeliveries: r.delivered > 0 ? (serverCpuMs / r.delivered) * 1000 : Number.NaN,
      clientCpuPercent: (clientCpuMs / wallMs / clients.processes) * 100,
      rssAfterBytes,
      load: load(),
      closes: [...connect.closes, ...r.closes],
    };
  } finally {
    await server.stop();
  }
  return {
    server: target.name,
    round,
    seconds: (performance.now() - t0) / 1000,
    code: server.code,
    ...measured,
    logs: server
      .output()
      .filter((line) => isWarning(line) && !line.startsWith('{"listening"') && !line.startsWith('{"memoryProbe"'))
      .slice(0, LOG_LINES_KEPT),
  };
}
