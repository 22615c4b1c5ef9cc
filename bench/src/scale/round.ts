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
import type { ClientPool } from "./client-pool.js";
import { load, type PhaseFigures, phase, quiet, type SyncFigures, synced } from "./measure.js";
import type { ScaleTarget } from "./servers.js";

/** How long a phase waits for messages still in flight after its last write. */
export const DRAIN_MS = 10_000;
/** Upgrades in flight per client process while connecting. */
export const CONNECT_CONCURRENCY = 64;
/** How long sockets may take to (re)sync in one step. */
const SYNC_TIMEOUT_MS = 60_000;

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
  /** Ours: the code this round's server started from (see lib/code-version.ts); null for the peers. */
  code: string | null;
  /** Wall ms of each step, quiet waits included (where a round's time goes). */
  stepsMs: Record<string, number>;
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

export async function runRound(
  target: ScaleTarget,
  pool: ClientPool,
  o: ScaleOptions,
  round: number,
): Promise<RoundResult> {
  const t0 = performance.now();
  const result = await measureRound(target, pool, o, round);
  return { ...result, seconds: (performance.now() - t0) / 1000 };
}

async function measureRound(
  target: ScaleTarget,
  pool: ClientPool,
  o: ScaleOptions,
  round: number,
): Promise<Omit<RoundResult, "seconds">> {
  const t0 = performance.now();
  const stepsMs: Record<string, number> = {};
  let lapAt = t0;
  const lap = (step: string) => {
    const now = performance.now();
    stepsMs[step] = now - lapAt;
    lapAt = now;
  };
  const server = await target.start();
  lap("start");
  try {
    await quiet(server);
    const rssAtStartBytes = server.rss();
    const base = await server.memory();
    await pool.setup(server.protocol, server.url, target.rooms);
    const writers = target.rooms.length * 2;
    const connect = await synced(server, () => pool.connect(CONNECT_CONCURRENCY, SYNC_TIMEOUT_MS));
    lap("connect");

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
      lap(`idle ${sockets}`);
    }
    const idleLoad = load();
    await pool.closeIdle();
    await quiet(server);
    lap("close idle");

    const paced = await phase(server, pool, () => pool.pace(o.pacedPerSecond, o.pacedMs, DRAIN_MS));
    await quiet(server);
    lap("paced");
    const sparse = await phase(server, pool, () => pool.pace(o.sparsePerSecond, o.sparseMs, DRAIN_MS));
    await quiet(server);
    lap("sparse");
    const saturated = await phase(server, pool, () => pool.saturate(o.saturatedWindow, o.saturatedMs, DRAIN_MS));
    await quiet(server);
    lap("saturated");
    const storm = await synced(server, () => pool.drop(SYNC_TIMEOUT_MS));
    await quiet(server);
    lap("storm");
    // The clients start waiting before the server stops; they reconnect on their own (client-worker.ts).
    let times = { stopMs: Number.NaN, startMs: Number.NaN };
    const restart = await synced(server, async () => {
      const resync = pool.resync(SYNC_TIMEOUT_MS);
      times = await server.restart();
      return resync;
    });
    // Two processes, one of them starting up (loading modules): no CPU figure for the restart.
    restart.serverCpuMs = Number.NaN;
    lap("restart");
    await pool.close();
    return {
      server: target.name,
      round,
      code: server.code,
      stepsMs, // "stop" is added once the server stopped
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
    lap("stop");
  }
}
