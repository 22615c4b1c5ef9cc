/** The servers the relay scenario runs against (ours on each store, two peers), each started fresh in its own process. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { type BenchUser, createConversation, type OurServer, signUpMany, startOurServer } from "../lib/our-server.js";
import { REPO_ROOT, startNode } from "../lib/processes.js";
import {
  backendCpuReader,
  type CommitSettings,
  commitSettings,
  createTestDatabase,
  postgresDurability,
} from "./postgres.js";
import type { RelayTarget, Room } from "./scenario.js";

const READY_TIMEOUT_MS = 20_000;

/** Started like ours (`node --import tsx <entry>`); the entry prints {"listening":port}. */
async function startPeer(
  name: string,
  entry: string,
  kind: RelayTarget["kind"],
  durability: string,
): Promise<RelayTarget> {
  const child = startNode(path.join(REPO_ROOT, "bench/src/peers", entry), {});
  const port = await child.waitForJson((v) => (v as { listening?: number }).listening, READY_TIMEOUT_MS);
  return {
    name,
    kind,
    url: `ws://127.0.0.1:${port}`,
    durability,
    serverRss: () => child.rss(),
    serverCpuMs: () => child.cpuMs(),
    async rooms(count) {
      return Array.from(
        { length: count },
        (_, i): Room => ({
          name: `bench-room-${i}`,
          writers: [
            { author: `user-${i}-a`, headers: {} },
            { author: `user-${i}-b`, headers: {} },
          ],
        }),
      );
    },
    stop: () => child.stop(),
  };
}

export const startYWebsocketServer = () =>
  startPeer("@y/websocket-server 0.1.1", "y-websocket-server.ts", "y-websocket", "memory only; no auth, no validation");

export const startHocuspocus = () =>
  startPeer(
    "@hocuspocus/server 3.4.4",
    "hocuspocus-server.ts",
    "hocuspocus",
    "memory only (no extensions); no auth, no validation",
  );

/**
 * The relay's per-user limits (docs/protocol.md § Limits) lifted for load tests: the
 * peers have none, and the bench pairs users round-robin, so one user holds many sockets
 * and writes far faster than a person. What is measured is the relay's cost, not its limits.
 */
export const LOAD_TEST_LIMITS: Record<string, string> = {
  SOCKETS_PER_SESSION: "10000",
  SOCKETS_PER_USER: "100000",
  UPGRADE_BURST: "100000",
  UPGRADES_PER_SECOND: "100000",
  SYNC_STEP1_BURST: "10000",
  SYNC_STEP1_PER_SECOND: "100000",
  FRAME_BURST: "1000000",
  FRAMES_PER_SECOND: "1000000",
  WRITE_BURST: "1000000",
  WRITES_PER_SECOND: "1000000",
  TRIAL_BURST: "1000000",
  TRIALS_PER_SECOND: "1000000",
};

/** Row names of ours in the relay table, one per store. */
export const OURS_SQLITE = "ours on SQLite";
export const OURS_TMPFS = "ours, SQLite on tmpfs";
export const OURS_POSTGRES = "ours on PostgreSQL";

/**
 * Ours on a fresh store: SQLite in a new DATA_DIR (the default), SQLite on tmpfs, or
 * `postgres`: a new database on the local PostgreSQL (DATABASE_URL), dropped by `stop()`.
 */
export async function startOurs(
  opts: { tmpfs?: boolean; postgres?: boolean } = {},
): Promise<RelayTarget & { server: OurServer }> {
  if (opts.postgres) return startOursOnPostgres();
  // tmpfs: the same server with its SQLite file in RAM, so fsync costs ~nothing; the
  // difference to the plain row is the price of durability on this disk.
  const tmpfsDir = opts.tmpfs ? mkdtempSync(path.join(TMPFS, "messenger-bench-")) : undefined;
  const server = await startOurServer({ dataDir: tmpfsDir, env: LOAD_TEST_LIMITS });
  const target = ourTarget(server, opts.tmpfs ? OURS_TMPFS : OURS_SQLITE);
  return {
    ...target,
    durability: opts.tmpfs
      ? `as ours, but DATA_DIR on ${TMPFS} (tmpfs): fsync is ~free, durability is not real`
      : target.durability,
    async stop() {
      await server.stop();
      if (tmpfsDir) rmSync(tmpfsDir, { recursive: true, force: true });
    },
  };
}

async function startOursOnPostgres(): Promise<RelayTarget & { server: OurServer }> {
  const db = await createTestDatabase();
  let server: OurServer;
  let settings: CommitSettings;
  try {
    settings = await commitSettings(db.url);
    server = await startOurServer({ env: { ...LOAD_TEST_LIMITS, DATABASE_URL: db.url } });
  } catch (error) {
    await db.drop();
    throw error;
  }
  const backendCpuMs = backendCpuReader(db.url);
  return {
    ...ourTarget(server, OURS_POSTGRES),
    durability: postgresDurability(settings),
    // Ours on SQLite pays for its commits in its own process; here the backends do.
    serverCpuMs: () => server.child.cpuMs() + backendCpuMs(),
    async stop() {
      try {
        await server.stop();
      } finally {
        await db.drop();
      }
    },
  };
}

/**
 * A running server of ours as a relay target; `rooms(n)` signs up users and creates n 1:1
 * conversations. 1:1 needs two distinct users per document, so `users` users are paired
 * round-robin (u0-u1, u0-u2, ...): sign-up hashes a password and is slow, and one user
 * holding several sockets is normal (several tabs and documents).
 */
export function ourTarget(server: OurServer, name = "ours (sync-server)"): RelayTarget & { server: OurServer } {
  return {
    name,
    kind: "y-websocket",
    url: server.wsUrl,
    durability:
      "SQLite, durable (synchronous=FULL, one commit per tick before fan-out); validates every update (schema, author = socket user, membership)",
    server,
    serverRss: () => server.child.rss(),
    serverCpuMs: () => server.child.cpuMs(),
    async rooms(count) {
      let users = 2;
      while ((users * (users - 1)) / 2 < count) users++;
      const accounts = await signUpMany(server, `bench${Date.now().toString(36)}u`, users);
      const pairs: Array<[number, number]> = [];
      for (let i = 0; i < users && pairs.length < count; i++)
        for (let j = i + 1; j < users && pairs.length < count; j++) pairs.push([i, j]);
      const rooms: Room[] = [];
      for (const [i, j] of pairs) {
        const a = accounts[i];
        const b = accounts[j];
        if (!a || !b) throw new Error("missing bench user");
        rooms.push(await directRoom(server, a, b));
      }
      return rooms;
    },
    stop: () => server.stop(),
  };
}

/** Creates (or finds) the 1:1 conversation of a and b; its head document, both users writing. */
export async function directRoom(server: OurServer, a: BenchUser, b: BenchUser): Promise<Room> {
  const conversation = await createConversation(server, a, b);
  const name = conversation.documents[0];
  if (!name) throw new Error(`conversation ${conversation.id} lists no documents`);
  return {
    name,
    writers: [
      { author: a.id, headers: a.headers },
      { author: b.id, headers: b.headers },
    ],
  };
}

export const TMPFS = "/dev/shm";
export const tmpfsAvailable = () => existsSync(TMPFS);
