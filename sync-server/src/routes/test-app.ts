/**
 * Test support for the HTTP tests beside the routes: the real app on a temporary
 * SQLite file with real better-auth, called through `app.request()` (no port).
 * Each app gets its own client IP so better-auth's per-IP rate limits (process-wide
 * memory) do not leak between tests.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";
import { loadConfig } from "../config.js";
import { createServices } from "../main.js";
import { testStoreEnv } from "../store/test-env.js";
import type { PublishConversation } from "./conversations.js";

export const PASSWORD = "a-long-test-password";
export const ORIGIN = "http://localhost:3000";

let nextIp = 1;
/** A fresh client address, so per-IP rate limits start empty. */
export const freshIp = () => `10.0.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Defaults to the relay's inbox. */
  publishConversation?: PublishConversation;
}

export interface CallOptions {
  cookie?: string;
  token?: string;
  body?: unknown;
  /** Raw body, sent as is (with `contentType`). */
  raw?: string;
  contentType?: string;
  origin?: string | null;
  ip?: string;
  headers?: Record<string, string>;
}

export interface SignedIn {
  user: { id: string; name: string; username: string | null; email: string };
  cookie: string;
  token: string;
}

export async function createTestApp(options: TestAppOptions = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-http-"));
  const storeEnv = await testStoreEnv();
  const config = loadConfig(
    {
      NODE_ENV: "test",
      DATA_DIR: dir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      CLIENT_DIST: "",
      ...storeEnv,
      ...options.env,
    },
    dir,
  );
  let offset = 0;
  let frozen: number | null = null;
  const clock = () => frozen ?? Date.now() + offset;
  // The real services (relay included: its message writer, inbox and session feed), no socket server.
  const { store, auth, presence, relay, app, close } = await createServices(config, {
    clock,
    publishConversation: options.publishConversation,
  });
  onTestFinished(async () => {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ip = freshIp();

  async function call(method: string, url: string, opts: CallOptions = {}): Promise<Response> {
    const headers = new Headers(opts.headers);
    if (opts.cookie) headers.set("cookie", opts.cookie);
    if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
    if (opts.origin !== null) headers.set("origin", opts.origin ?? ORIGIN);
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers.set("content-type", opts.contentType ?? "application/json");
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers.set("content-type", opts.contentType ?? "application/json");
    }
    // @hono/node-server passes the socket as env.incoming; app.request takes env as its third argument.
    const env = { incoming: { socket: { remoteAddress: opts.ip ?? ip } } };
    return app.request(`http://localhost:3000${url}`, { method, headers, body }, env);
  }

  /** The cookie header value for the session cookie in a response, if it set one. */
  function sessionCookie(res: Response): string {
    const line = res.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="));
    if (!line) throw new Error(`no session cookie in response ${res.status}`);
    return line.split(";")[0] as string;
  }

  async function signUp(
    name: string,
    opts: { username?: string; email?: string; ip?: string } = {},
  ): Promise<SignedIn> {
    const username = opts.username ?? name.toLowerCase();
    const email = opts.email ?? `${username}@example.com`;
    const res = await call("POST", "/api/auth/sign-up/email", {
      body: { name, email, username, password: PASSWORD },
      ip: opts.ip,
    });
    if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
    // Sign-up creates no session (it must answer a taken email the same way): sign in, as the
    // app does, from an address of its own so the sign-in limit per IP is left to the test.
    const signedIn = await call("POST", "/api/auth/sign-in/email", {
      body: { email, password: PASSWORD },
      ip: freshIp(),
    });
    if (signedIn.status !== 200) throw new Error(`sign-in after sign-up failed: ${signedIn.status}`);
    const body = (await signedIn.json()) as { user: SignedIn["user"] };
    return {
      user: body.user,
      cookie: sessionCookie(signedIn),
      token: signedIn.headers.get("set-auth-token") as string,
    };
  }

  async function signIn(identifier: { email: string } | { username: string }, opts: CallOptions = {}) {
    const kind = "email" in identifier ? "email" : "username";
    return call("POST", `/api/auth/sign-in/${kind}`, {
      ...opts,
      body: { ...identifier, password: PASSWORD, ...(opts.body as object) },
    });
  }

  return {
    app,
    auth,
    store,
    repo: store.conversations,
    relay,
    presence,
    config,
    clock,
    ip,
    /** Moves the injected clock forward. */
    advance: (ms: number) => {
      if (frozen !== null) frozen += ms;
      else offset += ms;
    },
    /** Stops the injected clock at `ms` (better-auth itself keeps real time). */
    setNow: (ms: number) => {
      frozen = ms;
    },
    call,
    signUp,
    signIn,
    sessionCookie,
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
