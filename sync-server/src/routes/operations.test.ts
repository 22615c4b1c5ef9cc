import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { createServices } from "../main.js";
import { openTestStore } from "../store/open-test-store.js";
import { testStoreEnv } from "../store/test-env.js";

type Line = { level: string; msg: string } & Record<string, unknown>;

/** The real services on a database of TEST_STORE, with the log lines they write collected. */
async function services(env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-ops-"));
  const storeEnv = await testStoreEnv();
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dir, CLIENT_DIST: "", ...storeEnv, ...env }, dir);
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (msg: string, data?: Record<string, unknown>): void =>
      void lines.push({ level, msg, ...data });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  const s = await createServices(config, { logger });
  onTestFinished(async () => {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const get = (url: string, headers: Record<string, string> = {}) =>
    s.app.request(`http://localhost:3000${url}`, { headers });
  return { ...s, lines, get };
}

describe("operations endpoints", () => {
  it("answers liveness at /api/health and readiness at /api/ready", async () => {
    const s = await services();
    const health = await s.get("/api/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await s.get("/api/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("is not ready once shutting down: 503 NOT_READY, while still alive", async () => {
    const s = await services();
    s.drain();
    const ready = await s.get("/api/ready");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { code: "NOT_READY" } });
    expect((await s.get("/api/health")).status).toBe(200);
  });

  it("counts a store without better-auth's migrations as not ready", async () => {
    const { store } = await openTestStore();
    // SQLite names the missing table, PostgreSQL says better-auth's tables are missing.
    await expect(store.ready()).rejects.toThrow(/user/);
  });

  it("serves Prometheus metrics: HTTP requests by route and status, rooms, sockets and commits", async () => {
    const s = await services();
    await s.get("/api/health");
    await s.get("/api/conversations/abc");
    const alice = await s.auth.api.signUpEmail({
      body: { name: "Alice", email: "a@example.com", password: "a-long-password" },
    });
    const bob = await s.auth.api.signUpEmail({
      body: { name: "Bob", email: "b@example.com", password: "a-long-password" },
    });
    const { conversation } = await s.repo.getOrCreateDirect(alice.user.id, bob.user.id);
    await s.relay.postMessage(conversation.id, alice.user.id, { id: "metrics-test-1", text: "hello" });

    const res = await s.get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^messenger_http_requests_total\{method="GET",route="\/api\/health",status="200"\} 1$/m);
    expect(text).toMatch(
      /^messenger_http_requests_total\{method="GET",route="\/api\/conversations\/\*",status="401"\} 1$/m,
    );
    expect(text).toMatch(/^messenger_commits_total\{result="ok"\} [1-9]/m);
    expect(text).toMatch(/^messenger_commit_duration_seconds_count [1-9]/m);
    expect(text).toMatch(/^messenger_rooms_loaded [1-9]/m);
    expect(text).toMatch(/^messenger_sockets_open 0$/m);
  });

  it("answers /metrics only with the bearer token when METRICS_TOKEN is set", async () => {
    const s = await services({ METRICS_TOKEN: "a-scraper-token-1234" });
    expect((await s.get("/metrics")).status).toBe(401);
    expect((await s.get("/metrics", { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await s.get("/metrics", { authorization: "Bearer a-scraper-token-1234" })).status).toBe(200);
  });

  it("logs every request once, with a request id it also answers as X-Request-Id", async () => {
    const s = await services();
    const given = await s.get("/api/users", { "x-request-id": "trace-123" });
    expect(given.status).toBe(401);
    expect(given.headers.get("x-request-id")).toBe("trace-123");
    const made = await s.get("/api/nothing-here");
    const id = made.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const requests = s.lines.filter((l) => l.msg === "request");
    expect(requests).toContainEqual(
      expect.objectContaining({ level: "info", id: "trace-123", method: "GET", path: "/api/users", status: 401 }),
    );
    expect(requests).toContainEqual(expect.objectContaining({ id, path: "/api/nothing-here", status: 404 }));
    expect(requests.filter((l) => l.id === "trace-123")).toHaveLength(1);
  });
});
