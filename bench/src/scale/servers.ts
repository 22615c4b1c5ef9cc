/**
 * The servers of the scale bench, each started fresh per lifetime in its own process with
 * the memory probe preloaded (peers/memory-probe.ts), and restartable on the same port.
 *
 * Ours is provisioned once per store (scale-provision.ts: 1,000 users with sessions, 500
 * conversations) and every lifetime runs on a fresh copy of that store: a copied SQLite
 * file, or a PostgreSQL database made with `CREATE DATABASE … TEMPLATE`. The peers get the
 * same room count by name, with no auth.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "../../../sync-server/src/store/postgres/pool.js";
import { DEFAULT_TEST_PG_ADMIN_URL } from "../../../sync-server/src/store/testing.js";
import { serverCodeVersion } from "../lib/code-version.js";
import { OUR_MAIN, startOurServer } from "../lib/our-server.js";
import { type Child, freePort, REPO_ROOT, startNode } from "../lib/processes.js";
import { backendCpuReader, createTestDatabase } from "../relay/postgres.js";
import type { Room } from "../relay/scenario.js";
import { LOAD_TEST_LIMITS, OURS_POSTGRES, OURS_SQLITE } from "../relay/targets.js";
import type { GroupRoom, Provisioned } from "../scale-provision.js";
import type { Protocol } from "./light-client.js";

const READY_TIMEOUT_MS = 30_000;
const PROVISION_TIMEOUT_MS = 120_000;
const PROBE_TIMEOUT_MS = 10_000;
/** A restart waits this long for the old process to exit (ours flushes and compacts every loaded room) before SIGKILL. */
export const RESTART_GRACE_MS = 20_000;
const PROBE_ARGS = ["--expose-gc", "--import", path.join(REPO_ROOT, "bench/src/peers/memory-probe.ts")];

export interface ScaleServer {
  /** Ours: the commit (and local changes) it started from; the peers are pinned packages. */
  code: string | null;
  protocol: Protocol;
  url: string;
  rss(): number;
  /** Server CPU so far; ours on PostgreSQL adds its database's backends. */
  cpuMs(): number;
  /** A full gc in the server (the probe), its heap, and its RSS from /proc right after. */
  memory(): Promise<{ heapUsedBytes: number; rssBytes: number }>;
  /** What the current process printed (its last 200 lines). */
  output(): string[];
  /** SIGTERM, wait for exit, start again on the same port and data. */
  restart(): Promise<{ stopMs: number; startMs: number }>;
  stop(): Promise<void>;
}

export interface ScaleTarget {
  name: string;
  /** What the server keeps over a restart, for the notes. */
  restartKeeps: string;
  rooms: Room[];
  /** A fresh process on a fresh copy of the store. */
  start(): Promise<ScaleServer>;
  dispose(): Promise<void>;
}

async function probe(child: Child): Promise<{ heapUsedBytes: number; rssBytes: number }> {
  type Probe = { heapUsedBytes: number };
  const reply = child.waitForJson((v) => (v as { memoryProbe?: Probe }).memoryProbe, PROBE_TIMEOUT_MS);
  process.kill(child.pid, "SIGUSR2");
  const { heapUsedBytes } = await reply;
  return { heapUsedBytes, rssBytes: child.rss() };
}

const timed = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
};

export function peerTarget(name: string, entry: string, protocol: Protocol, conversations: number): ScaleTarget {
  const rooms = Array.from(
    { length: conversations },
    (_, i): Room => ({
      name: `scale-room-${i}`,
      writers: [
        { author: `user-${i}-a`, headers: {} },
        { author: `user-${i}-b`, headers: {} },
      ],
    }),
  );
  const launch = async (port: number) => {
    const child = startNode(
      path.join(REPO_ROOT, "bench/src/peers", entry),
      { PEER_PORT: String(port) },
      [],
      PROBE_ARGS,
    );
    await child.waitForJson((v) => (v as { listening?: number }).listening, READY_TIMEOUT_MS);
    return child;
  };
  return {
    name,
    restartKeeps: "nothing (memory only): clients re-upload their own messages when they resync",
    rooms,
    async start() {
      const port = await freePort();
      let child = await launch(port);
      return {
        code: null,
        protocol,
        url: `ws://127.0.0.1:${port}`,
        rss: () => child.rss(),
        cpuMs: () => child.cpuMs(),
        memory: () => probe(child),
        output: () => child.output,
        async restart() {
          const stop = await timed(() => child.stop(RESTART_GRACE_MS));
          const start = await timed(() => launch(port));
          child = start.value;
          return { stopMs: stop.ms, startMs: start.ms };
        },
        stop: () => child.stop(),
      };
    },
    dispose: async () => {},
  };
}

/**
 * Provisions a store of ours (a data dir, or a PostgreSQL database) with `conversations` 1:1
 * conversations, or with one group of `{ groupMembers }` users.
 */
export async function provision(
  location: string,
  conversations: number | { groupMembers: number },
): Promise<Provisioned & { ms: number }> {
  const t0 = performance.now();
  const out = path.join(mkdtempSync(path.join(tmpdir(), "messenger-scale-accounts-")), "accounts.json");
  const child = startNode(path.join(REPO_ROOT, "bench/src/scale-provision.ts"), {}, [
    out,
    typeof conversations === "number" ? String(conversations) : `group:${conversations.groupMembers}`,
    location,
  ]);
  await child.waitForJson((v) => (v as { provisioned?: unknown }).provisioned, PROVISION_TIMEOUT_MS);
  const accounts = JSON.parse(readFileSync(out, "utf8")) as Provisioned;
  rmSync(path.dirname(out), { recursive: true, force: true });
  return { ...accounts, ms: performance.now() - t0 };
}

/** Ours on a provisioned store: `conversations` 1:1 conversations, or one group of `{ groupMembers }` (then `group`). */
export async function oursTarget(opts: {
  postgres: boolean;
  conversations: number | { groupMembers: number };
}): Promise<ScaleTarget & { provisionMs: number; group: GroupRoom | null }> {
  const template = opts.postgres ? await createTestDatabase() : null;
  const templateDir = mkdtempSync(path.join(tmpdir(), "messenger-scale-"));
  try {
    const accounts = await provision(template?.url ?? templateDir, opts.conversations);
    let copies = 0;
    return {
      name: opts.postgres ? OURS_POSTGRES : OURS_SQLITE,
      restartKeeps: "everything (SIGTERM: the relay flushes, then the same store opens again)",
      rooms: accounts.rooms,
      group: accounts.group,
      provisionMs: accounts.ms,
      async start() {
        copies++;
        const dataDir = mkdtempSync(path.join(tmpdir(), "messenger-scale-"));
        cpSync(templateDir, dataDir, { recursive: true, filter: (f) => !f.endsWith(".lock") });
        const database = template ? await copyDatabase(template.url, copies) : null;
        const env = { ...LOAD_TEST_LIMITS, ...(database ? { DATABASE_URL: database.url } : {}) };
        const launch = (port?: number) => startOurServer({ dataDir, env, port, nodeArgs: PROBE_ARGS });
        const code = serverCodeVersion(OUR_MAIN);
        let server = await launch();
        const port = Number(new URL(server.baseUrl).port);
        const backendCpuMs = database ? backendCpuReader(database.url) : () => 0;
        return {
          code,
          protocol: "y-websocket",
          url: server.wsUrl,
          rss: () => server.child.rss(),
          cpuMs: () => server.child.cpuMs() + backendCpuMs(),
          memory: () => probe(server.child),
          output: () => server.child.output,
          async restart() {
            const stop = await timed(() => server.stop(RESTART_GRACE_MS));
            const start = await timed(() => launch(port));
            server = start.value;
            return { stopMs: stop.ms, startMs: start.ms };
          },
          async stop() {
            try {
              await server.stop();
            } finally {
              await database?.drop();
              rmSync(dataDir, { recursive: true, force: true });
            }
          },
        };
      },
      async dispose() {
        await template?.drop();
        rmSync(templateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await template?.drop();
    rmSync(templateDir, { recursive: true, force: true });
    throw error;
  }
}

/** `CREATE DATABASE <template>_c<n> TEMPLATE <template>` on the same server; `drop()` removes it. */
export async function copyDatabase(templateUrl: string, n: number) {
  const template = new URL(templateUrl);
  const name = `${template.pathname.slice(1)}_c${n}`;
  const admin = new URL(templateUrl);
  admin.pathname = new URL(process.env.TEST_PG_ADMIN_URL || DEFAULT_TEST_PG_ADMIN_URL).pathname;
  const run = async (sql: string) => {
    const client = createClient(admin.toString());
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name} TEMPLATE ${template.pathname.slice(1)}`);
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
