/**
 * How the scale bench measures one step against a server: wait until it is quiet, then
 * its CPU (from /proc), the wall time, and the clients' delivery latencies.
 */
import os from "node:os";
import { percentile } from "../lib/stats.js";
import { sleep } from "../lib/wait.js";
import { CLIENT_PROCESSES, type ClientPool } from "./client-pool.js";
import type { ScaleServer } from "./servers.js";
import type { PhaseReport, SyncReport } from "./worker-protocol.js";

/**
 * Between steps the server must go quiet, so one step's cleanup (closing 9,000 sockets, say)
 * is not billed to the next: CPU under QUIET_CPU_SHARE of a core over a window, at most QUIET_MAX_MS.
 */
const QUIET_WINDOW_MS = 100;
const QUIET_CPU_SHARE = 0.2;
const QUIET_MAX_MS = 5000;

export interface PhaseFigures {
  sent: number;
  delivered: number;
  lost: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  serverCpuMs: number;
  cpuPer1kMs: number;
  /** Delivered messages per second of server CPU. */
  perCpuSecond: number;
  /** Client processes' CPU over the phase, % of their cores. */
  clientCpuPercent: number;
  closes: string[];
  load: number;
}

export interface SyncFigures {
  ms: number;
  serverCpuMs: number;
  missing: number;
  closes: string[];
  load: number;
}

/** What a step measures of its server(s): their CPU so far. */
export type CpuSource = Pick<ScaleServer, "cpuMs">;

export const load = () => os.loadavg()[0] ?? Number.NaN;

export async function quiet(server: CpuSource): Promise<void> {
  const deadline = performance.now() + QUIET_MAX_MS;
  let before = server.cpuMs();
  for (;;) {
    await sleep(QUIET_WINDOW_MS);
    const now = server.cpuMs();
    if (now - before < QUIET_WINDOW_MS * QUIET_CPU_SHARE || performance.now() > deadline) return;
    before = now;
  }
}

export async function synced(server: CpuSource, run: () => Promise<SyncReport>): Promise<SyncFigures> {
  const cpu0 = server.cpuMs();
  const t0 = performance.now();
  const r = await run();
  const ms = performance.now() - t0;
  return { ms, serverCpuMs: server.cpuMs() - cpu0, missing: r.missing, closes: r.closes, load: load() };
}

export async function phase(
  server: CpuSource,
  pool: ClientPool,
  run: () => Promise<PhaseReport>,
): Promise<PhaseFigures> {
  const cpu0 = server.cpuMs();
  const client0 = pool.cpuMs();
  const t0 = performance.now();
  const r = await run();
  const wallMs = performance.now() - t0;
  const serverCpuMs = server.cpuMs() - cpu0;
  const sorted = r.samples.sort((a, b) => a - b);
  return {
    sent: r.sent,
    delivered: r.delivered,
    lost: r.sent - r.delivered,
    perSecond: r.spanMs > 0 ? (r.delivered / r.spanMs) * 1000 : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    serverCpuMs,
    cpuPer1kMs: r.delivered > 0 ? (serverCpuMs / r.delivered) * 1000 : Number.NaN,
    perCpuSecond: serverCpuMs > 0 ? r.delivered / (serverCpuMs / 1000) : Number.NaN,
    clientCpuPercent: ((pool.cpuMs() - client0) / wallMs / CLIENT_PROCESSES) * 100,
    closes: r.closes,
    load: load(),
  };
}
