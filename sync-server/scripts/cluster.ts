/**
 * Several server processes on this machine, without Docker: the topology of docker-compose.yml's
 * cluster profile (less the load balancer) for development and the bench. N processes of
 * src/main.ts on one PostgreSQL database and one Redis, on ports P, P+1, …; every line a
 * process prints is prefixed with its index.
 *
 *   npm run cluster -- --processes 3 --port 4000       (from the repository root)
 *   node --import tsx scripts/cluster.ts [--processes N] [--port P]
 *
 * DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/messenger_cluster (created if
 * missing) and REDIS_URL to redis://127.0.0.1:6379, unless the environment or `.env` sets them;
 * every other variable reaches the processes as with `npm start`. The client is built first if client/dist is missing.
 * SIGINT or SIGTERM stops every process as a supervisor would (each commits, closes its sockets
 * with 1001 and exits 0); the script exits non-zero when a process fails to start or exits.
 *
 *   startLocalCluster({ processes, port, env })        the same from a program (a test, the bench)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { readEnvironment } from "../src/config.js";
import { loopbackOrigins } from "../src/origins.js";
import { redactUrl } from "../src/redact-url.js";

const SERVER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = path.resolve(SERVER_ROOT, "..");
const SERVER_ENTRY = path.join(SERVER_ROOT, "src", "main.ts");

export const DEFAULT_CLUSTER_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/messenger_cluster";
export const DEFAULT_CLUSTER_REDIS_URL = "redis://127.0.0.1:6379";
/** How long a process may take to say it is running (tsx compiles the server on the way). */
const START_TIMEOUT_MS = 60_000;
/** After SIGTERM, the time to commit, close sockets and compact before SIGKILL (compose's stop_grace_period). */
const STOP_GRACE_MS = 30_000;
/** Lines of each process's output kept for error reports. */
const OUTPUT_LINES_KEPT = 200;
const RUNNING_LINE = /Messenger is running at (\S+)/;

export interface LocalClusterOptions {
  /** How many server processes (default 3). */
  processes?: number;
  /** The first process's port; the others take the ports after it (default 4000). */
  port?: number;
  /**
   * Every process's environment (default process.env; `.env` under it, as the server reads
   * it). PORT is set per process; DATABASE_URL
   * and REDIS_URL get the defaults above when unset; TRUSTED_ORIGINS gains every process's
   * loopback origins outside production.
   */
  env?: NodeJS.ProcessEnv;
  /** Each line a process prints (default: kept in `output` only; the command prints them prefixed). */
  onLine?: (index: number, line: string) => void;
}

export interface ClusterProcess {
  index: number;
  port: number;
  /** What it printed it is running at: its own address in development, BASE_URL in production. */
  url: string;
  pid: number;
  /** The last lines it printed, stdout and stderr together. */
  output: string[];
  /** Its exit code (or the signal's name) once it exits. */
  exited: Promise<number | string>;
}

export interface LocalCluster {
  processes: ClusterProcess[];
  urls: string[];
  databaseUrl: string;
  redisUrl: string;
  /** SIGTERM to every process (SIGKILL after `graceMs`); resolves with each exit code, 0 when clean. */
  stop(graceMs?: number): Promise<Array<number | string>>;
}

/** Creates the database `url` names unless it exists, connecting to the server's `postgres` database. */
export async function createDatabaseIfMissing(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    const reason = (error as Error | null)?.message || (error as { code?: string } | null)?.code || String(error);
    throw new Error(
      `PostgreSQL at ${redactUrl(admin.toString())} cannot be reached (${reason}): start it, or set DATABASE_URL to a database the cluster may use.`,
      { cause: error },
    );
  }
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount !== 0) return;
    await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`).catch((error: { code?: string }) => {
      if (error.code !== "42P04") throw error; // duplicate_database: another start created it meanwhile
    });
  } finally {
    await client.end();
  }
}

/** Starts the processes; resolves once every one says it is running, or stops them all and rejects. */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const count = options.processes ?? 3;
  const firstPort = options.port ?? 4000;
  if (!Number.isInteger(count) || count < 1) throw new Error(`processes must be a whole number from 1 (got ${count}).`);
  if (!Number.isInteger(firstPort) || firstPort < 1 || firstPort + count - 1 > 65535)
    throw new Error(`port must leave room for ${count} ports from it, up to 65535 (got ${firstPort}).`);
  const ports = Array.from({ length: count }, (_, i) => firstPort + i);
  // With the .env file underneath, as each process will read it: a DATABASE_URL there counts.
  const env = readEnvironment({ ...(options.env ?? process.env) });

  const databaseUrl = env.DATABASE_URL || DEFAULT_CLUSTER_DATABASE_URL;
  if (!env.DATABASE_URL) await createDatabaseIfMissing(databaseUrl);
  const redisUrl = env.REDIS_URL || DEFAULT_CLUSTER_REDIS_URL;
  if (env.CLIENT_DIST === undefined && !fs.existsSync(path.join(REPO_ROOT, "client", "dist", "index.html")))
    buildClient();
  // A page served by one process may call another (the bench does, a load balancer would):
  // in development each process trusts only its own port's loopback origins by itself.
  if (env.NODE_ENV !== "production")
    env.TRUSTED_ORIGINS = [env.TRUSTED_ORIGINS ?? "", ...ports.flatMap(loopbackOrigins)].filter(Boolean).join(",");

  const started = ports.map((port, index) =>
    startProcess(index, { ...env, PORT: String(port), DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }, options),
  );
  let stopping: Promise<Array<number | string>> | null = null;
  const stop = (graceMs = STOP_GRACE_MS) => {
    stopping ??= Promise.all(started.map((p) => p.stop(graceMs)));
    return stopping;
  };
  const killAll = () => {
    for (const p of started) p.child.kill("SIGKILL");
  };
  // If this process exits first (an uncaught error, process.exit), no server is left behind.
  // (A signal that kills it outright skips "exit": the command handles SIGINT and SIGTERM.)
  process.once("exit", killAll);
  void Promise.all(started.map((p) => p.exited)).then(() => process.off("exit", killAll));

  // Every process settles (running or not) before a failure is reported, so none is stopped halfway.
  const results = await Promise.allSettled(started.map((p) => p.running));
  const failed = results.findIndex((r) => r.status === "rejected");
  if (failed >= 0) {
    await stop();
    throw (results[failed] as PromiseRejectedResult).reason;
  }
  const processes = started.map((p, index) => ({
    index,
    port: ports[index] as number,
    url: (results[index] as PromiseFulfilledResult<string>).value,
    pid: p.child.pid ?? -1,
    output: p.output,
    exited: p.exited,
  }));
  return { processes, urls: processes.map((p) => p.url), databaseUrl, redisUrl, stop };
}

/** `npm run build -w client`, as `npm start` runs it. */
function buildClient(): void {
  process.stderr.write("client/dist is missing: building the client once\n");
  const build = spawnSync("npm", ["run", "build", "-w", "client"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error(`building the client failed (${build.status ?? build.signal}).`);
}

function startProcess(index: number, env: NodeJS.ProcessEnv, options: LocalClusterOptions) {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SERVER_ENTRY], {
    cwd: SERVER_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  let markRunning: (url: string) => void = () => {};
  const running = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`process ${index} (port ${env.PORT}) did not start within ${START_TIMEOUT_MS} ms:\n${tail()}`));
    }, START_TIMEOUT_MS);
    markRunning = (url) => {
      clearTimeout(timer);
      resolve(url);
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`process ${index} (port ${env.PORT}) exited (${code}) before it was running:\n${tail()}`));
    });
  });
  running.catch(() => {}); // reported by startLocalCluster
  const tail = () => output.slice(-20).join("\n");
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        if (output.length > OUTPUT_LINES_KEPT) output.shift();
        options.onLine?.(index, line);
        const url = RUNNING_LINE.exec(line)?.[1];
        if (url) markRunning(url);
      }
    });
  }
  const stop = async (graceMs: number) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };
  return { child, output, running, exited, stop };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      processes: { type: "string", short: "n", default: "3" },
      port: { type: "string", short: "p", default: "4000" },
    },
  });
  const processes = Number(values.processes);
  const width = String(processes - 1).length;
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({
      processes,
      port: Number(values.port),
      onLine: (index, line) => process.stdout.write(`[${String(index).padStart(width)}] ${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`The cluster cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `${processes} processes on ${redactUrl(cluster.databaseUrl)} and ${cluster.redisUrl}; Ctrl-C stops them:\n${cluster.urls
      .map((url, i) => `  [${String(i).padStart(width)}] ${url}\n`)
      .join("")}`,
  );
  let exitCode = 0;
  let stopping = false;
  const shutdown = () => {
    stopping = true;
    void cluster.stop().then((codes) => process.exit(codes.every((c) => c === 0) ? exitCode : 1));
  };
  // SIGTERM to the children whatever arrived: a Ctrl-C in a terminal already sent them SIGINT
  // (one process group), and a second SIGINT would kill them before they finish closing.
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  for (const p of cluster.processes)
    void p.exited.then((code) => {
      if (stopping) return;
      exitCode = 1;
      process.stderr.write(`[${p.index}] exited (${code}): stopping the others\n`);
      shutdown();
    });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
