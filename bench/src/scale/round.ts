/**
 * One round of the scale bench on one server: a fresh process on a fresh copy of the store.
 *
 *   start        RSS, and heap after a gc in the server (the memory probe), with no socket
 *   connect      every writer (2 per conversation) opens and syncs: CPU per connect, connects/s
 *   idle         idle sockets (sync only) added up to each level (the first level is the
 *                writers alone): heap and RSS per socket over the start, then closed again
 *   messages     DM paced, sparse, saturated, with the writers
 *   reconnect    every writer's socket dropped at once; then the server restarted with the
 *                writers on, reconnecting by themselves
 */
import os from "node:os";
import { percentile } from "../lib/stats.js";
import { sleep } from "../lib/wait.js";
import type { ClientPool } from "./client-pool.js";
import { CLIENT_PROCESSES } from "./client-pool.js";
import type { ScaleServer, ScaleTarget } from "./servers.js";
import type { PhaseReport, SyncReport } from "./worker-protocol.js";

export interface ScaleOptions {
  rounds: number;
  conversations: number;
  pacedPerSecond: number;
  pacedMs: number;
  sparsePerSecond: number;
  sparseMs: number;
  /** Messages each writer keeps in flight in the saturated phase. */
  saturatedWindow: number;
  saturatedMs: number;
  idleLevels: number[];
  /** Opening cost (bench 3 reused): the long and the short conversation. */
  longMessages: number;
  shortMessages: number;
}

/**
 * Between steps the server must go quiet, so one step's cleanup (closing 9,000 sockets, say)
 * is not billed to the next: CPU under QUIET_CPU_SHARE of a core over a window, at most QUIET_MAX_MS.
 */
const QUIET_WINDOW_MS = 200;
const QUIET_CPU_SHARE = 0.2;
const QUIET_MAX_MS = 5000;
/** How long a phase waits for messages still in flight after its last write. */
export const DRAIN_MS = 5000;
/** Upgrades in flight per client process while connecting. */
export const CONNECT_CONCURRENCY = 64;
const SYNC_TIMEOUT_MS = 60_000;

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

export interface IdleLevel {
  sockets: number;
  missing: number;
  rssBytes: number;
  heapUsedBytes: number;
  rssPerSocketBytes: number;
  heapPerSocketBytes: number;
}

export interface RoundResult {
  server: string;
  round: number;
  /** Wall time of the whole round on this server, start to stop. */
  seconds: number;
  rssAtStartBytes: number;
  heapAtStartBytes: number;
  idle: IdleLevel[];
  idleLoad: number;
  connect: SyncFigures & { sockets: number };
  paced: PhaseFigures;
  sparse: PhaseFigures;
  saturated: PhaseFigures;
  storm: SyncFigures;
  restart: SyncFigures & { stopMs: number; startMs: number };
}

const load = () => os.loadavg()[0] ?? Number.NaN;

export async function runRound(
  target: ScaleTarget,
  pool: ClientPool,
  o: ScaleOptions,
  round: number,
): Promise<RoundResult> {
  const t0 = performance.now();
  const server = await target.start();
  try {
    await quiet(server);
    const rssAtStartBytes = server.rss();
    const base = await server.memory();
    await pool.setup(server.protocol, server.url, target.rooms);
    const writers = target.rooms.length * 2;
    const connect = await synced(server, () => pool.connect(CONNECT_CONCURRENCY, SYNC_TIMEOUT_MS));

    const idle: IdleLevel[] = [];
    for (const sockets of o.idleLevels) {
      const r = await pool.idle(Math.max(0, sockets - writers), CONNECT_CONCURRENCY, SYNC_TIMEOUT_MS);
      await quiet(server);
      const m = await server.memory();
      idle.push({
        sockets,
        missing: r.missing,
        ...m,
        rssPerSocketBytes: (m.rssBytes - base.rssBytes) / sockets,
        heapPerSocketBytes: (m.heapUsedBytes - base.heapUsedBytes) / sockets,
      });
    }
    const idleLoad = load();
    await pool.closeIdle();
    await quiet(server);

    const paced = await phase(server, pool, () => pool.pace(o.pacedPerSecond, o.pacedMs, DRAIN_MS));
    await quiet(server);
    const sparse = await phase(server, pool, () => pool.pace(o.sparsePerSecond, o.sparseMs, DRAIN_MS));
    await quiet(server);
    const saturated = await phase(server, pool, () => pool.saturate(o.saturatedWindow, o.saturatedMs, DRAIN_MS));
    await quiet(server);
    const storm = await synced(server, () => pool.drop(SYNC_TIMEOUT_MS));
    await quiet(server);
    // The clients start waiting before the server stops; they reconnect on their own (client-worker.ts).
    let times = { stopMs: Number.NaN, startMs: Number.NaN };
    const restart = await synced(server, async () => {
      const resync = pool.resync(SYNC_TIMEOUT_MS);
      times = await server.restart();
      return resync;
    });
    // Two processes, one of them starting up (loading modules): no CPU figure for the restart.
    restart.serverCpuMs = Number.NaN;
    await pool.close();
    return {
      server: target.name,
      round,
      seconds: (performance.now() - t0) / 1000,
      rssAtStartBytes,
      heapAtStartBytes: base.heapUsedBytes,
      idle,
      idleLoad,
      connect: { ...connect, sockets: writers },
      paced,
      sparse,
      saturated,
      storm,
      restart: { ...restart, ...times },
    };
  } finally {
    await server.stop();
  }
}

async function quiet(server: ScaleServer): Promise<void> {
  const deadline = performance.now() + QUIET_MAX_MS;
  let before = server.cpuMs();
  for (;;) {
    await sleep(QUIET_WINDOW_MS);
    const now = server.cpuMs();
    if (now - before < QUIET_WINDOW_MS * QUIET_CPU_SHARE || performance.now() > deadline) return;
    before = now;
  }
}

async function synced(server: ScaleServer, run: () => Promise<SyncReport>): Promise<SyncFigures> {
  const cpu0 = server.cpuMs();
  const t0 = performance.now();
  const r = await run();
  const ms = performance.now() - t0;
  return { ms, serverCpuMs: server.cpuMs() - cpu0, missing: r.missing, closes: r.closes, load: load() };
}

async function phase(server: ScaleServer, pool: ClientPool, run: () => Promise<PhaseReport>): Promise<PhaseFigures> {
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
