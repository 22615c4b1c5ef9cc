/**
 * What the image runs, without Docker: the client built by Vite, the server compiled by
 * scripts/build.ts, started with `node sync-server/dist/main.js` alone (no tsx) in production.
 * Built once for the whole file.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { CLOSE_CODES, conversationDocName } from "@messenger/shared";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { WebSocket } from "ws";
import { buildServer } from "../scripts/build.js";
import { openStore } from "../src/store/index.js";
import { rawSql } from "../src/store/raw-sql.js";
import { testStoreEnv } from "../src/store/test-env.js";
import { REPO_ROOT, spawnServer } from "./helpers/process.js";
import { waitFor } from "./helpers/server.js";

const AUTH_SECRET = "a-production-secret-for-the-build-test";
const PASSWORD = "a-long-test-password";

/** `vite build` as `npm run build -w client` runs it, into `outDir` (not client/dist, which e2e uses). */
function buildClient(outDir: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
  // vite.config.ts treats the repo root as Vite's root under Vitest.
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  const vite = path.join(REPO_ROOT, "node_modules", "vite", "bin", "vite.js");
  execFileSync(
    process.execPath,
    [vite, "build", "--config", "vite.config.ts", "--outDir", outDir, "--logLevel", "warn"],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

describe("the production build", { timeout: 120_000 }, () => {
  let entry = "";
  let clientDir = "";

  beforeAll(async () => {
    clientDir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-client-dist-"));
    buildClient(clientDir);
    entry = await buildServer();
    return () => fs.rmSync(clientDir, { recursive: true, force: true });
  }, 300_000);

  it("starts with node alone, serves the client and the API, and on SIGTERM closes sockets with 1001, compacts and exits 0", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-prod-"));
    onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const storeEnv = await testStoreEnv();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const server = spawnServer(
      {
        NODE_ENV: "production",
        AUTH_SECRET,
        PORT: String(port),
        BASE_URL: origin,
        DATA_DIR: dataDir,
        CLIENT_DIST: clientDir,
        LOG_LEVEL: "warn",
        ...storeEnv,
      },
      { node: [], entry, cwd: dataDir },
    );
    expect(await server.running).toBe(port);

    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${origin}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${origin}/people`)).status).toBe(200); // the SPA fallback
    expect(await (await fetch(`${origin}/api/health`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${origin}/api/ready`)).json()).toEqual({ status: "ready" });
    expect(await (await fetch(`${origin}/metrics`)).text()).toMatch(/^messenger_sockets_open 0$/m);

    // Two users and a message, so there is a document to compact at shutdown.
    const signIn = async (name: string) => {
      const email = `${name}@example.com`;
      const headers = { "content-type": "application/json", origin };
      const up = await fetch(`${origin}/api/auth/sign-up/email`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name, email, password: PASSWORD }),
      });
      expect(up.status).toBe(200);
      const res = await fetch(`${origin}/api/auth/sign-in/email`, {
        method: "POST",
        headers,
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      const body = (await res.json()) as { user: { id: string } };
      return { id: body.user.id, token: res.headers.get("set-auth-token") as string };
    };
    const alice = await signIn("alice");
    const bob = await signIn("bob");
    const authed = { "content-type": "application/json", origin, authorization: `Bearer ${alice.token}` };
    const created = await fetch(`${origin}/api/conversations`, {
      method: "POST",
      headers: authed,
      body: JSON.stringify({ userId: bob.id }),
    });
    const { conversation } = (await created.json()) as { conversation: { id: string } };
    const posted = await fetch(`${origin}/api/conversations/${conversation.id}/messages`, {
      method: "POST",
      headers: authed,
      body: JSON.stringify({ id: "built-server-message", text: "hello from the image" }),
    });
    expect(posted.status).toBe(201);

    const doc = conversationDocName(conversation.id, 0);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sync/${doc}`, {
      headers: { origin, authorization: `Bearer ${alice.token}` },
    });
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    await waitFor(
      async () => /^messenger_sockets_open 1$/m.test(await (await fetch(`${origin}/metrics`)).text()),
      "the socket counted",
    );

    server.child.kill("SIGTERM");
    expect(await closed).toBe(CLOSE_CODES.GOING_AWAY);
    expect(await server.exited).toBe(0);

    // Compacted: the document's updates were folded into its snapshot.
    const store = await openStore(
      {
        dataDir,
        databasePath: path.join(dataDir, "messenger.sqlite"),
        databaseUrl: storeEnv.DATABASE_URL ?? null,
        databasePoolSize: 1,
      },
      Date.now,
    );
    onTestFinished(() => store.close());
    const count = async (sql: string) => ((await rawSql<{ n: number }>(store, sql, [doc]))[0] as { n: number }).n;
    expect(await count("SELECT CAST(count(*) AS INTEGER) AS n FROM doc_snapshot WHERE doc = ?")).toBe(1);
    expect(await count("SELECT CAST(count(*) AS INTEGER) AS n FROM doc_update WHERE doc = ?")).toBe(0);
  });
});
