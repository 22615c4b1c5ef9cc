/**
 * One round of the cluster bench on one row: fresh server processes (ours: on a fresh copy
 * of the database and a Redis prefix of their own), the writers placed on them, then
 *
 *   connect   every writer (2 per conversation) opens and syncs, on its own process
 *   warm-up   a short paced run, not reported: JIT, first commits, each process's
 *             subscriptions to the documents its sockets opened
 *   paced     `perSecond` messages in total for `durationMs`, round-robin over the writers:
 *             delivery latency, CPU of every server process (and of Redis) per 1,000 messages
 */
import type { ClientPool } from "../scale/client-pool.js";
import { type PhaseFigures, phase, quiet, type SyncFigures, synced } from "../scale/measure.js";
import { CONNECT_CONCURRENCY, DRAIN_MS } from "../scale/round.js";
import type { CommitCounts } from "./commit-counts.js";
import type { BenchRedis } from "./redis.js";
import { type ClusterServers, type ClusterTarget, placeWriters } from "./targets.js";

/** How long the writers may take to open and sync. */
const SYNC_TIMEOUT_MS = 60_000;

export interface ClusterOptions {
  rounds: number;
  conversations: number;
  /** Server processes of the clustered rows (the 1-process rows put everyone on one). */
  processes: number;
  perSecond: number;
  durationMs: number;
  warmupMs: number;
}

export interface ClusterRoundResult {
  server: string;
  round: number;
  processes: number;
  /** Wall time of the whole round on this row, start to stop. */
  seconds: number;
  code: string | null;
  /** Wall ms of each step (where a round's time goes). */
  stepsMs: Record<string, number>;
  connect: SyncFigures;
  paced: PhaseFigures;
  /** Redis CPU over the paced phase (INFO cpu: everyone's use of that Redis). */
  redisCpuMs: number;
  /** The part of `paced.serverCpuMs` ours' PostgreSQL backends used (0 for the peer). */
  databaseCpuMs: number;
  /** Ours: commits and conflicts during the paced phase (all processes); null for the peer. */
  commits: CommitCounts | null;
  /** Warnings and errors the server processes printed during the round. */
  logs: string[];
}

export async function runClusterRound(
  target: ClusterTarget,
  pool: ClientPool,
  redis: BenchRedis | null,
  o: ClusterOptions,
  round: number,
  lifetime: number,
): Promise<ClusterRoundResult> {
  const t0 = performance.now();
  const servers = await target.start(lifetime);
  const started = performance.now();
  let measured: Awaited<ReturnType<typeof measure>>;
  let stopAt = Number.NaN;
  try {
    measured = await measure(servers, target, pool, redis, o);
  } finally {
    stopAt = performance.now();
    await servers.stop();
  }
  const stopped = performance.now();
  return {
    server: target.name,
    round,
    processes: target.processes,
    seconds: (stopped - t0) / 1000,
    code: servers.code,
    ...measured,
    stepsMs: { start: started - t0, ...measured.stepsMs, stop: stopped - stopAt },
    logs: servers.logs,
  };
}

async function measure(
  servers: ClusterServers,
  target: ClusterTarget,
  pool: ClientPool,
  redis: BenchRedis | null,
  o: ClusterOptions,
) {
  const stepsMs: Record<string, number> = {};
  let lapAt = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    stepsMs[step] = now - lapAt;
    lapAt = now;
  };
  await quiet(servers);
  await pool.setup(target.protocol, servers.urls[0] as string, placeWriters(target.rooms, servers.urls));
  const connect = await synced(servers, () => pool.connect(CONNECT_CONCURRENCY, SYNC_TIMEOUT_MS));
  lap("connect");
  await pool.pace(o.perSecond, o.warmupMs, DRAIN_MS);
  await quiet(servers);
  lap("warm-up");
  const commits0 = (await servers.commits?.()) ?? null;
  const redis0 = (await redis?.cpuMs()) ?? Number.NaN;
  const database0 = servers.databaseCpuMs();
  const paced = await phase(servers, pool, () => pool.pace(o.perSecond, o.durationMs, DRAIN_MS));
  const databaseCpuMs = servers.databaseCpuMs() - database0;
  const redisCpuMs = ((await redis?.cpuMs()) ?? Number.NaN) - redis0;
  const commits1 = (await servers.commits?.()) ?? null;
  const commits =
    commits0 && commits1 ? { ok: commits1.ok - commits0.ok, conflicts: commits1.conflicts - commits0.conflicts } : null;
  lap("paced");
  await pool.close();
  return { stepsMs, connect, paced, databaseCpuMs, redisCpuMs, commits };
}
