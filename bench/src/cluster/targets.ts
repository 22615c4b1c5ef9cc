/**
 * The cluster bench's servers: ours on one PostgreSQL database as one process (with and
 * without Redis) and as three processes on Redis, and Hocuspocus with its Redis extension
 * as one and three instances. Each lifetime (one round of one row) starts fresh processes
 * on fresh ports; ours on a fresh copy of the provisioned database and a Redis key prefix
 * of its own, Hocuspocus on a prefix of its own.
 *
 * Ours runs as `npm run cluster` runs it (`startLocalCluster` from sync-server/scripts/
 * cluster.ts: `node --import tsx src/main.ts` per process, from the working tree); the row
 * without Redis as every other bench starts ours (lib/our-server.ts).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { serverCodeVersion } from "../lib/code-version.js";
import { OUR_MAIN, startOurServer } from "../lib/our-server.js";
import { type Child, freePorts, REPO_ROOT, readCpuMs, startNode } from "../lib/processes.js";
import { backendCpuReader } from "../relay/postgres.js";
import type { Room } from "../relay/scenario.js";
import { LOAD_TEST_LIMITS } from "../relay/targets.js";
import type { Protocol } from "../scale/light-client.js";
import { copyDatabase } from "../scale/servers.js";
import { type CommitCounts, scrapeCommits } from "./commit-counts.js";
import type { BenchRedis } from "./redis.js";

type ClusterScript = typeof import("../../../sync-server/scripts/cluster.js");

const READY_TIMEOUT_MS = 30_000;
/** After SIGTERM, the time ours gets to commit and close before SIGKILL. */
const STOP_GRACE_MS = 20_000;
/** Warning and error lines kept per lifetime, for the report (which groups them). */
const LOG_LINES_KEPT = 1000;

export interface ClusterServers {
  /** Ours: the commit (and local changes) it started from; null for the peer. */
  code: string | null;
  /** Each process's base URL, in order: y-websocket clients append `/<room>`. */
  urls: string[];
  /** CPU so far of every server process; ours adds its database's PostgreSQL backends. */
  cpuMs(): number;
  /** Ours: the part of `cpuMs` its database's PostgreSQL backends used; 0 for the peer. */
  databaseCpuMs(): number;
  /** Warnings and errors the processes printed ("[<index>] <line>"), the first LOG_LINES_KEPT. */
  logs: string[];
  /** Ours: commits and conflicts so far, summed over the processes (GET /metrics); the peer has none. */
  commits?(): Promise<CommitCounts>;
  stop(): Promise<void>;
}

export interface ClusterTarget {
  name: string;
  /** Server processes; the two writers of a room go to different ones when there are several. */
  processes: number;
  protocol: Protocol;
  /** Whether its processes talk through Redis (a row whose Redis CPU counts). */
  redis: boolean;
  /** The conversations, two writers each, before they are placed on processes. */
  rooms: Room[];
  start(lifetime: number): Promise<ClusterServers>;
}

/** Ours' rows, all on copies of one provisioned template database. */
export function oursTargets(
  templateUrl: string,
  rooms: Room[],
  redis: BenchRedis | null,
  clusterSize: number,
): ClusterTarget[] {
  const rows: ClusterTarget[] = [
    {
      name: "ours, 1 process, no Redis",
      processes: 1,
      redis: false,
      protocol: "y-websocket",
      rooms,
      start: startPlain,
    },
  ];
  if (redis)
    for (const processes of [1, clusterSize])
      rows.push({
        name: `ours, ${processes} process${processes > 1 ? "es" : ""} + Redis`,
        processes,
        redis: true,
        protocol: "y-websocket",
        rooms,
        start: (lifetime) => startClustered(processes, lifetime),
      });
  return rows;

  async function startPlain(lifetime: number): Promise<ClusterServers> {
    const database = await copyDatabase(templateUrl, lifetime);
    try {
      const server = await startOurServer({ env: { ...LOAD_TEST_LIMITS, DATABASE_URL: database.url } });
      const backendCpuMs = backendCpuReader(database.url);
      return {
        code: serverCodeVersion(OUR_MAIN),
        urls: [server.wsUrl],
        cpuMs: () => server.child.cpuMs() + backendCpuMs(),
        databaseCpuMs: backendCpuMs,
        commits: () => scrapeCommits([server.baseUrl]),
        get logs() {
          return server.child.output.filter(isWarning).slice(0, LOG_LINES_KEPT);
        },
        async stop() {
          try {
            await server.stop(STOP_GRACE_MS);
          } finally {
            await database.drop();
          }
        },
      };
    } catch (error) {
      await database.drop();
      throw error;
    }
  }

  async function startClustered(processes: number, lifetime: number): Promise<ClusterServers> {
    if (!redis) throw new Error("no Redis");
    // That checkout's script when BENCH_SERVER_MAIN names another checkout: it starts that checkout's main.ts.
    const script = pathToFileURL(path.join(path.dirname(OUR_MAIN), "../scripts/cluster.ts")).href;
    const { startLocalCluster } = (await import(script)) as ClusterScript;
    const database = await copyDatabase(templateUrl, lifetime);
    const logs: string[] = [];
    try {
      const cluster = await startLocalCluster({
        processes,
        port: await freePorts(processes),
        env: {
          ...process.env,
          ...LOAD_TEST_LIMITS,
          HOST: "127.0.0.1",
          NODE_ENV: "test",
          LOG_LEVEL: "warn",
          SEED: "false",
          CLIENT_DIST: path.join(REPO_ROOT, "client/dist"),
          DATABASE_URL: database.url,
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: `${redis.prefix}o${lifetime}:`,
        },
        onLine: (index, line) => {
          if (isWarning(line) && logs.length < LOG_LINES_KEPT) logs.push(`[${index}] ${line}`);
        },
      });
      const backendCpuMs = backendCpuReader(database.url);
      return {
        code: serverCodeVersion(OUR_MAIN),
        urls: cluster.processes.map((p) => `ws://127.0.0.1:${p.port}/sync`),
        cpuMs: () => cluster.processes.reduce((n, p) => n + readCpuMs(p.pid), 0) + backendCpuMs(),
        databaseCpuMs: backendCpuMs,
        commits: () => scrapeCommits(cluster.processes.map((p) => `http://127.0.0.1:${p.port}`)),
        logs,
        async stop() {
          try {
            const codes = await cluster.stop(STOP_GRACE_MS);
            codes.forEach((code, i) => {
              if (code !== 0) logs.push(`[${i}] exited with ${code} on SIGTERM`);
            });
          } finally {
            await database.drop();
          }
        },
      };
    } catch (error) {
      await database.drop();
      throw error;
    }
  }
}

/** Hocuspocus 3.4.4 with @hocuspocus/extension-redis, `processes` instances on one Redis. */
export function hocuspocusTarget(redis: BenchRedis, processes: number, conversations: number): ClusterTarget {
  return {
    name: `Hocuspocus + Redis, ${processes} instance${processes > 1 ? "s" : ""}`,
    processes,
    redis: true,
    protocol: "hocuspocus",
    rooms: Array.from(
      { length: conversations },
      (_, i): Room => ({
        name: `cluster-room-${i}`,
        writers: [
          { author: `user-${i}-a`, headers: {} },
          { author: `user-${i}-b`, headers: {} },
        ],
      }),
    ),
    async start(lifetime) {
      const env = { PEER_REDIS_URL: redis.url, PEER_REDIS_PREFIX: `${redis.prefix}hp${lifetime}` };
      const entry = path.join(REPO_ROOT, "bench/src/peers/hocuspocus-redis-server.ts");
      const children: Child[] = [];
      const ports: number[] = [];
      try {
        for (let i = 0; i < processes; i++) {
          const child = startNode(entry, env);
          children.push(child);
          ports.push(await child.waitForJson((v) => (v as { listening?: number }).listening, READY_TIMEOUT_MS));
        }
      } catch (error) {
        await Promise.all(children.map((c) => c.stop()));
        throw error;
      }
      return {
        code: null,
        urls: ports.map((port) => `ws://127.0.0.1:${port}`),
        cpuMs: () => children.reduce((n, c) => n + c.cpuMs(), 0),
        databaseCpuMs: () => 0,
        get logs() {
          return children
            .flatMap((c, i) => c.output.filter((line) => !line.startsWith('{"listening"')).map((l) => `[${i}] ${l}`))
            .slice(0, LOG_LINES_KEPT);
        },
        stop: async () => {
          await Promise.all(children.map((c) => c.stop()));
        },
      };
    },
  };
}

/**
 * The rooms with each writer placed on a process: the first writer of room i on process
 * i mod n, the second on the next one, so with several processes every delivery crosses
 * from one process to another (and each process holds as many senders as receivers).
 */
export function placeWriters(rooms: Room[], urls: string[]): Room[] {
  const at = (i: number) => urls[i % urls.length] as string;
  return rooms.map((room, i) => ({
    ...room,
    writers: [
      { ...room.writers[0], url: at(i) },
      { ...room.writers[1], url: at(i + 1) },
    ],
  }));
}

/** The server's JSON log lines at warn or error, and anything else it printed (a stack, a crash) but its start and stop lines. */
export function isWarning(line: string): boolean {
  if (line.trim() === "" || line.startsWith("Messenger is running at") || /^SIG\w+: shutting down$/.test(line))
    return false;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return level !== "info" && level !== "debug";
  } catch {
    return true;
  }
}
