import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ERROR_MESSAGES } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { createTestApp } from "./routes/test-app.js";
import { rawSql } from "./store/raw-sql.js";

/** Every route that needs a session, with a body where it takes one. */
const PROTECTED: Array<[method: string, path: string, body?: unknown]> = [
  ["GET", "/api/users"],
  ["GET", "/api/users?q=al"],
  ["GET", "/api/conversations"],
  ["POST", "/api/conversations", { userId: "someone" }],
  ["GET", "/api/conversations/active?tz=UTC"],
  ["GET", "/api/conversations/abc123"],
  ["GET", "/api/conversations/abc123/messages"],
  ["POST", "/api/conversations/abc123/messages", { id: "abcdefgh12", text: "hi" }],
];

describe("the app", () => {
  it("answers health without a session", async () => {
    const t = await createTestApp();
    const res = await t.call("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it.each(PROTECTED)("answers %s %s with 401 UNAUTHENTICATED without a session", async (method, url, body) => {
    const t = await createTestApp();
    for (const auth of [{}, { cookie: "better-auth.session_token=forged.value" }, { token: "forged" }]) {
      const res = await t.call(method, url, { ...auth, body });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "UNAUTHENTICATED", message: ERROR_MESSAGES.UNAUTHENTICATED } });
    }
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const t = await createTestApp();
    const res = await t.call("GET", "/api/nothing-here");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: ERROR_MESSAGES.NOT_FOUND } });
  });

  it("answers an unexpected failure with 500 INTERNAL and no internals", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    await rawSql(t.store, `ALTER TABLE conversation RENAME TO conversation_gone`);
    const res = await t.call("GET", "/api/conversations", { cookie: alice.cookie });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "INTERNAL", message: ERROR_MESSAGES.INTERNAL } });
    await rawSql(t.store, `ALTER TABLE conversation_gone RENAME TO conversation`);
    expect((await t.call("GET", "/api/conversations", { cookie: alice.cookie })).status).toBe(200);
  });

  it("refuses a body over the limit on every route, before reading it", async () => {
    const t = await createTestApp();
    const big = JSON.stringify({ name: "x".repeat(70 * 1024) });
    for (const url of ["/api/auth/sign-up/email", "/api/conversations"]) {
      const res = await t.call("POST", url, { raw: big, headers: { "content-length": String(big.length) } });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    }
  });

  it("sets security headers with a content security policy", async () => {
    const t = await createTestApp();
    const res = await t.call("GET", "/api/health");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://localhost:3000");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("serving the client", () => {
  async function withClient() {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-dist-"));
    fs.mkdirSync(path.join(dist, "assets"));
    fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>app</title>");
    fs.writeFileSync(path.join(dist, "sw.js"), "self.addEventListener('fetch', () => {});");
    fs.writeFileSync(path.join(dist, "assets", "index-abc123.js"), "console.log(1)");
    const t = await createTestApp({ env: { CLIENT_DIST: dist } });
    return { t, dist };
  }

  it("serves hashed assets with a long cache and the shell and service worker with no-cache", async () => {
    const { t } = await withClient();
    const asset = await t.call("GET", "/assets/index-abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const shell = await t.call("GET", "/");
    expect(shell.status).toBe(200);
    expect(await shell.text()).toContain("<title>app</title>");
    expect(shell.headers.get("cache-control")).toBe("no-cache");
    const sw = await t.call("GET", "/sw.js");
    expect(sw.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers unknown app paths with the shell, but not API, socket or asset paths", async () => {
    const { t } = await withClient();
    const deep = await t.call("GET", "/conversations/abc");
    expect(deep.status).toBe(200);
    expect(deep.headers.get("content-type")).toContain("text/html");
    expect(deep.headers.get("cache-control")).toBe("no-cache");
    expect((await t.call("GET", "/api/nope")).headers.get("content-type")).toContain("application/json");
    expect((await t.call("GET", "/sync/inbox.x")).status).toBe(404);
    expect((await t.call("GET", "/assets/missing.js")).status).toBe(404);
  });
});
