/**
 * The one helper of the headless sync tests: the real server on port 0 with a
 * temporary DATA_DIR, real better-auth sign-ups, stock y-websocket providers over
 * `ws`, raw sockets for malformed frames, and a polling `waitFor`. Everything it
 * starts is torn down when the test finishes.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { type ConversationSummary, conversationDocName, SYNC_PATH } from "@messenger/shared";
import { onTestFinished } from "vitest";
import { WebSocket } from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { loadConfig } from "../../src/config.js";
import { type RelayTunables, startServer } from "../../src/main.js";
import { testStoreEnv } from "../../src/store/test-env.js";

export const PASSWORD = "a-long-test-password";

export interface TestUser {
  id: string;
  name: string;
  username: string;
  token: string;
  cookie: string;
}

/** Polls `check` until it returns a truthy value (no timing assertions: generous timeout). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what = "condition",
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A `ws` WebSocket class that sends the user's bearer token with the upgrade. */
export function authedWebSocket(token: string | null, extraHeaders: Record<string, string> = {}) {
  return class AuthedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extraHeaders } });
    }
  };
}

let nextSourceIp = 2 + (process.pid % 200) * 256;
/**
 * POSTs from a fresh loopback source address (127.0.0.N): better-auth's sign-up and
 * sign-in rate limits count per IP in process-wide memory, and one test file signs up many users.
 */
function postFromFreshAddress(target: string, origin: string, body: unknown) {
  const n = nextSourceIp++;
  const localAddress = `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const payload = JSON.stringify(body);
  return new Promise<{ status: number; body: string; token: string; setCookies: string[] }>((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), origin },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            token: String(res.headers["set-auth-token"] ?? ""),
            setCookies: res.headers["set-cookie"] ?? [],
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * Client-side helpers against a running server (in-process or a child process):
 * sign-ups, REST calls, stock providers and raw sockets, all torn down with `cleanup`.
 */
export function connectTo(url: string, baseUrl: string) {
  const wsUrl = `${url.replace(/^http/, "ws")}${SYNC_PATH}`;
  const cleanups: Array<() => void | Promise<void>> = [];

  async function api<T = unknown>(
    method: string,
    pathname: string,
    user: TestUser | null,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { origin: baseUrl };
    if (user) headers.authorization = `Bearer ${user.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${url}${pathname}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async function signUp(name: string): Promise<TestUser> {
    const username = `${name.toLowerCase()}${++userCount}`;
    const email = `${username}@example.com`;
    const signedUp = await postFromFreshAddress(`${url}/api/auth/sign-up/email`, baseUrl, {
      name,
      email,
      password: PASSWORD,
      username,
    });
    if (signedUp.status !== 200) throw new Error(`sign-up failed: ${signedUp.status} ${signedUp.body}`);
    // Sign-up creates no session (a taken email must get the same answer): sign in, as the app does.
    const res = await postFromFreshAddress(`${url}/api/auth/sign-in/email`, baseUrl, { email, password: PASSWORD });
    if (res.status !== 200) throw new Error(`sign-in after sign-up failed: ${res.status} ${res.body}`);
    const body = JSON.parse(res.body) as { user: { id: string; name: string } };
    const cookie = (res.setCookies.find((c) => c.startsWith("better-auth.session_token=")) ?? "").split(
      ";",
    )[0] as string;
    return { id: body.user.id, name: body.user.name, username, token: res.token, cookie };
  }

  /** Another session for the same user (another device), by username sign-in. */
  async function signInAgain(user: TestUser): Promise<TestUser> {
    const res = await fetch(`${url}/api/auth/sign-in/username`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl },
      body: JSON.stringify({ username: user.username, password: PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    return { ...user, token: res.headers.get("set-auth-token") as string, cookie: "" };
  }

  async function conversation(a: TestUser, b: TestUser): Promise<ConversationSummary> {
    const res = await api<{ conversation: ConversationSummary }>("POST", "/api/conversations", a, { userId: b.id });
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`create conversation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.conversation;
  }

  /** A stock y-websocket provider in Node, authenticated by bearer token. */
  function provider(user: TestUser, docName: string, opts: { params?: Record<string, string>; doc?: Y.Doc } = {}) {
    const doc = opts.doc ?? new Y.Doc();
    const p = new WebsocketProvider(wsUrl, docName, doc, {
      WebSocketPolyfill: authedWebSocket(user.token) as unknown as typeof globalThis.WebSocket,
      disableBc: true, // Node has BroadcastChannel: providers in one process must not sync around the server
      params: opts.params ?? {},
      maxBackoffTime: 200,
    });
    cleanups.push(() => {
      p.destroy();
      doc.destroy();
    });
    return { provider: p, doc };
  }

  /** A raw `ws` socket (binary frames, close codes), or the HTTP status when the upgrade was refused. */
  function rawSocket(
    user: TestUser | null,
    docName: string,
    headers: Record<string, string> = {},
    options: { autoPong?: boolean } = {},
  ) {
    const ws = new WebSocket(`${wsUrl}/${docName}`, {
      headers: { ...(user ? { authorization: `Bearer ${user.token}` } : {}), ...headers },
      autoPong: options.autoPong ?? true,
    });
    ws.binaryType = "nodebuffer";
    const received: Uint8Array[] = [];
    let closeCode: number | null = null;
    let refusedStatus: number | null = null;
    let refusedBody = "";
    ws.on("message", (data) => received.push(new Uint8Array(data as Buffer)));
    ws.on("close", (code) => {
      closeCode = code;
    });
    ws.on("unexpected-response", (_req, res) => {
      refusedStatus = res.statusCode ?? 0;
      res.on("data", (chunk: Buffer) => {
        refusedBody += chunk.toString();
      });
    });
    ws.on("error", () => {});
    const opened = new Promise<boolean>((resolve) => {
      ws.once("open", () => resolve(true));
      ws.once("close", () => resolve(false));
      ws.once("unexpected-response", () => resolve(false));
    });
    cleanups.push(() => ws.terminate());
    return {
      ws,
      received,
      opened,
      get closeCode() {
        return closeCode;
      },
      get refusedStatus() {
        return refusedStatus;
      },
      get refusedBody() {
        return refusedBody;
      },
    };
  }

  async function cleanup() {
    for (const c of cleanups.splice(0).reverse()) await c();
  }

  /** Alice and Bob, members of one conversation, and the name of its first segment document. */
  async function twoMembers() {
    const [alice, bob] = [await signUp("Alice"), await signUp("Bob")];
    const c = await conversation(alice, bob);
    return { alice, bob, c, name: conversationDocName(c.id, 0) };
  }

  return { url, wsUrl, api, signUp, signInAgain, conversation, twoMembers, provider, rawSocket, cleanup };
}

let userCount = 0;
/** The store of each DATA_DIR a test made: a server restarted on the same DATA_DIR finds its data again. */
const storeEnvs = new Map<string, Record<string, string>>();

/**
 * The real server on port 0 with a temporary DATA_DIR (and, under TEST_STORE=postgres, a
 * database of its own); closed when the test finishes.
 */
export async function startTestServer(
  options: { env?: Record<string, string>; relay?: RelayTunables; dataDir?: string; clock?: () => number } = {},
) {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "messenger-sync-"));
  let storeEnv = storeEnvs.get(dataDir);
  if (!storeEnv) {
    storeEnv = await testStoreEnv();
    storeEnvs.set(dataDir, storeEnv);
  }
  const config = loadConfig(
    {
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      CLIENT_DIST: "",
      SEED: "false",
      ...storeEnv,
      ...options.env,
    },
    dataDir,
  );
  const running = await startServer(config, { relay: options.relay, clock: options.clock });
  const clients = connectTo(`http://127.0.0.1:${running.port}`, config.baseUrl);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await clients.cleanup();
    await running.close();
  };
  onTestFinished(async () => {
    await close();
    if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  return { ...clients, port: running.port, dataDir, close, ...running.services };
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;
