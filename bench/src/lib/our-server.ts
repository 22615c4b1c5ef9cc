/**
 * Our sync-server as a black box: started as a child process exactly like production
 * (`node --import tsx sync-server/src/main.ts`), driven over HTTP and the socket.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ConversationSummary } from "@messenger/shared";
import { type Child, freePort, REPO_ROOT, startNode } from "./processes.js";
import { sleep } from "./wait.js";

/**
 * BENCH_SERVER_MAIN=<another checkout>/sync-server/src/main.ts measures that server instead
 * (before/after a change: `git archive <commit>` into a directory with node_modules linked).
 */
export const OUR_MAIN = process.env.BENCH_SERVER_MAIN
  ? path.resolve(process.env.BENCH_SERVER_MAIN)
  : path.join(REPO_ROOT, "sync-server/src/main.ts");
const HEALTH_TIMEOUT_MS = 30_000;
const SEED_TIMEOUT_MS = 120_000;
/** Long enough for better-auth's minimum of 8 and the brief's 10. */
export const BENCH_PASSWORD = "bench-password-123";

export interface OurServer {
  readonly child: Child;
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly dataDir: string;
  /** SIGTERM (the server flushes and closes), SIGKILL after `graceMs`; removes a data dir it made. */
  stop(graceMs?: number): Promise<void>;
}

export interface BenchUser {
  id: string;
  username: string;
  token: string;
  /** Headers for HTTP and the socket upgrade. */
  headers: Record<string, string>;
}

export function ourServerExists(): boolean {
  return existsSync(OUR_MAIN);
}

/** Starts the server on a free port with a fresh data dir; resolves once GET /api/health answers 200. */
export async function startOurServer(
  opts: {
    seed?: boolean;
    env?: Record<string, string>;
    /** Reuse (and keep) this data dir. */
    dataDir?: string;
    /** Listen here (a restart on the same address) instead of on a free port. */
    port?: number;
    /** Extra node options after the tsx loader (the scale bench's memory probe). */
    nodeArgs?: string[];
  } = {},
): Promise<OurServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), "messenger-bench-"));
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = startNode(
    OUR_MAIN,
    {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      SEED: opts.seed ? "true" : "false",
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      BASE_URL: baseUrl,
      CLIENT_DIST: path.join(REPO_ROOT, "client/dist"),
      ...opts.env,
    },
    [],
    opts.nodeArgs,
  );
  const stop = async (graceMs?: number) => {
    await child.stop(graceMs);
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (child.exited()) {
      await stop();
      throw new Error(`sync-server exited before /api/health answered:\n${child.output.join("\n")}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`sync-server /api/health not 200 within ${HEALTH_TIMEOUT_MS} ms:\n${child.output.join("\n")}`);
    }
    await sleep(100);
  }
  return { child, baseUrl, wsUrl: `ws://127.0.0.1:${port}/sync`, dataDir, stop };
}

/** Probes whether our server can start and answer health (used to decide whether to run "ours" rows). */
export async function ourServerReady(): Promise<string | null> {
  if (!ourServerExists()) return `${path.relative(REPO_ROOT, OUR_MAIN)} does not exist`;
  try {
    const s = await startOurServer();
    await s.stop();
    return null;
  } catch (e) {
    return `sync-server did not start: ${(e as Error).message.split("\n").slice(0, 6).join(" | ")}`;
  }
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

function tokenFrom(res: Response): string {
  const header = res.headers.get("set-auth-token");
  if (header) return header;
  const cookie = res.headers.getSetCookie().find((c) => /session_token=/.test(c));
  const value = cookie ? /session_token=([^;]+)/.exec(cookie)?.[1] : undefined;
  if (!value) throw new Error("no set-auth-token header and no session cookie in the sign-in response");
  return decodeURIComponent(value);
}

/** Bearer only, no Origin: a non-browser client sends none, and it would go stale when the server restarts on a new port. */
function headersFor(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** Signs up, then signs in: sign-up creates no session (it answers a taken email the same way). */
export async function signUp(server: OurServer, username: string): Promise<BenchUser> {
  const email = `${username}@bench.test`;
  const post = (pathname: string, body: unknown) =>
    fetch(`${server.baseUrl}${pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json", Origin: server.baseUrl },
      body: JSON.stringify(body),
    });
  const signedUp = await post("/api/auth/sign-up/email", { name: username, email, password: BENCH_PASSWORD, username });
  await json<unknown>(signedUp, `sign-up ${username}`);
  const res = await post("/api/auth/sign-in/email", { email, password: BENCH_PASSWORD });
  const token = res.ok ? tokenFrom(res) : "";
  const body = await json<{ user: { id: string } }>(res, `sign-in ${username}`);
  return { id: body.user.id, username, token, headers: headersFor(token) };
}

/** Signs up `count` users, a few at a time (password hashing is the slow part). */
export async function signUpMany(
  server: OurServer,
  prefix: string,
  count: number,
  concurrency = 4,
): Promise<BenchUser[]> {
  const users: BenchUser[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      users[i] = await signUp(server, `${prefix}${i}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return users;
}

export async function createConversation(
  server: OurServer,
  by: BenchUser,
  withUser: BenchUser,
): Promise<ConversationSummary> {
  const res = await fetch(`${server.baseUrl}/api/conversations`, {
    method: "POST",
    headers: { ...by.headers, "content-type": "application/json" },
    body: JSON.stringify({ userId: withUser.id }),
  });
  return (await json<{ conversation: ConversationSummary }>(res, "create conversation")).conversation;
}

export async function postMessage(
  server: OurServer,
  user: BenchUser,
  conversationId: string,
  id: string,
  text: string,
) {
  const res = await fetch(`${server.baseUrl}/api/conversations/${encodeURIComponent(conversationId)}/messages`, {
    method: "POST",
    headers: { ...user.headers, "content-type": "application/json" },
    body: JSON.stringify({ id, text }),
  });
  await json<unknown>(res, "post message");
}

export async function getJson<T>(
  server: OurServer,
  user: BenchUser,
  pathname: string,
): Promise<{ body: T; bytes: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${server.baseUrl}${pathname}`, { headers: user.headers });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`GET ${pathname}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return { body: JSON.parse(text) as T, bytes: Buffer.byteLength(text), ms };
}

/** One conversation to append to: `count` messages, the two authors taking turns in runs of 3. */
export interface SeedTarget {
  conversationId: string;
  count: number;
  authors: [string, string];
}

/**
 * Appends messages through the relay's own bulk writer (`relay.writeMessages`, the path
 * seeds use) in a child process (src/long-seed.ts), straight into the SQLite file of a
 * server started with `dataDir`. Stop that server first; restart it afterwards. REST
 * writes are rate-limited per user, so this is how a bench gets a long history.
 */
export async function seedMessages(dataDir: string, targets: SeedTarget[]): Promise<{ written: number; ms: number }> {
  const seeder = startNode(path.join(REPO_ROOT, "bench/src/long-seed.ts"), {}, [
    path.join(dataDir, "messenger.sqlite"),
    ...targets.map((t) => `${t.conversationId}:${t.count}:${t.authors[0]}:${t.authors[1]}`),
  ]);
  return seeder.waitForJson((v) => v as { written: number; ms: number } | undefined, SEED_TIMEOUT_MS);
}
